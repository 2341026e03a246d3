// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The PEs' layer configuration, once per array. Every PE of an array runs the same S, p, q, U,
// F and rows per pass (rtl/ey_pe_array.sv), so the quantities a PE derives from them (S*q,
// p*q*S, U*q, the ifmap circular buffer's size Dq and slide U*q mod Dq, whether the psum and
// filter spads hold two banks) are the same in every PE: this unit latches the fields on the
// array clear, derives those in a few cycles and hands all of them to every PE, which then has
// no configuration registers or products of its own but its cfg_acc_i.
//
// Timing: the fields are sampled while clr_i is high. The derived values follow one cycle
// later except dq_o and adv_o, which take about IfmapDepth/q + U + 1 cycles (one q per cycle);
// run_o rises when they are done, and the PEs accept their first filter word from then on.
`include "ey_assert.svh"

module ey_pe_cfg #(
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned StrideW     = ey_pkg::StrideW,
  parameter int unsigned DimW        = ey_pkg::DimW,
  localparam int unsigned SqW  = $clog2(IfmapDepth + 1),
  localparam int unsigned PW   = $clog2(PsumDepth + 1),
  localparam int unsigned FltW = $clog2(FilterDepth + 1)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clr_i,

  // The layer's fields (stable from the clear to the end of the layer).
  input  logic [SqW-1:0]         cfg_s_i,
  input  logic [PW-1:0]          cfg_p_i,
  input  logic [SqW-1:0]         cfg_q_i,
  input  logic [StrideW-1:0]     cfg_u_i,
  input  logic [DimW-1:0]        cfg_f_i,
  input  logic [15:0]            cfg_rows_i,

  // To every PE.
  output logic                   run_o,     // derivation done: the PEs compute
  output logic [SqW-1:0]         q_o,
  output logic [PW-1:0]          p_o,
  output logic [DimW-1:0]        f_o,
  output logic [15:0]            rows_o,    // ifmap rows per pass
  output logic [SqW-1:0]         sq_o,      // S*q: words per window
  output logic [FltW-1:0]        pqs_o,     // p*q*S: filter words per pass
  output logic [SqW+StrideW-1:0] uq_o,      // U*q: words per slide
  output logic [SqW-1:0]         dq_o,      // ifmap circular-buffer size in words
  output logic [SqW-1:0]         adv_o,     // U*q mod Dq
  output logic                   dual_o,    // two psum banks of p entries
  output logic                   fdual_o    // two filter banks of p*q*S words
);

  typedef enum logic [1:0] {StDepth, StAdvance, StRun} cfg_state_e;

  cfg_state_e          state_q, state_d;
  logic [SqW-1:0]      q_q;
  logic [PW-1:0]       p_q;
  logic [StrideW-1:0]  ucnt_q, ucnt_d;
  logic [DimW-1:0]     f_q;
  logic                dual_q;
  logic                fdual_q;
  logic [15:0]         rows_q;
  logic [SqW-1:0]      sq_q;
  logic [FltW-1:0]     pqs_q;
  logic [SqW+StrideW-1:0] uq_q;
  logic [SqW-1:0]      dq_q, dq_d;
  logic [SqW-1:0]      adv_q, adv_d;

  // Products of the configuration fields, at their full result widths.
  logic [SqW-1:0]         sq_cfg;
  logic [FltW-1:0]        pqs_cfg;
  logic [SqW+StrideW-1:0] uq_cfg;
  logic [2*SqW-1:0]       sq_full;
  logic [2*SqW+PW-1:0]    pqs_full;
  assign sq_full  = (2*SqW)'(cfg_s_i) * (2*SqW)'(cfg_q_i);
  assign pqs_full = (2*SqW+PW)'(sq_full) * (2*SqW+PW)'(cfg_p_i);
  assign uq_cfg   = (SqW+StrideW)'(cfg_u_i) * (SqW+StrideW)'(cfg_q_i);
  assign sq_cfg   = SqW'(sq_full);
  assign pqs_cfg  = FltW'(pqs_full);

  // A configuration outside the spads is a controller bug: flagged here, asserted below.
  logic cfg_legal, cfg_legal_q;
  assign cfg_legal = (cfg_s_i != '0) && (cfg_q_i != '0) && (cfg_p_i != '0) &&
                     (cfg_u_i != '0) && (cfg_f_i != '0) && (cfg_rows_i != '0) &&
                     (sq_full <= (2*SqW)'(IfmapDepth)) &&
                     (pqs_full <= (2*SqW+PW)'(FilterDepth)) &&
                     (cfg_p_i <= PW'(PsumDepth));

  logic [SqW:0]        dq_next;
  logic [SqW:0]        adv_sum;
  assign dq_next = {1'b0, dq_q} + {1'b0, q_q};
  assign adv_sum = {1'b0, adv_q} + {1'b0, q_q};

  always_comb begin
    state_d = state_q;
    dq_d    = dq_q;
    adv_d   = adv_q;
    ucnt_d  = ucnt_q;
    unique case (state_q)
      StDepth: begin
        // Dq = the largest multiple of q that fits the ifmap spad.
        if (dq_next <= (SqW+1)'(IfmapDepth)) begin
          dq_d = dq_next[SqW-1:0];
        end else begin
          state_d = StAdvance;
        end
      end
      StAdvance: begin
        // adv = (U*q) mod Dq, one q per cycle.
        if (ucnt_q == '0) begin
          state_d = StRun;
        end else begin
          adv_d  = (adv_sum >= {1'b0, dq_q}) ? SqW'(adv_sum - {1'b0, dq_q}) : adv_sum[SqW-1:0];
          ucnt_d = ucnt_q - 1'b1;
        end
      end
      StRun: ;
      default: state_d = StDepth;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StDepth;
      q_q     <= SqW'(1);
      p_q     <= PW'(1);
      f_q     <= DimW'(1);
      dual_q  <= 1'b0;
      fdual_q <= 1'b0;
      rows_q  <= 16'd1;
      sq_q    <= SqW'(1);
      pqs_q   <= FltW'(1);
      uq_q    <= '0;
      dq_q    <= SqW'(1);
      adv_q   <= '0;
      ucnt_q  <= '0;
      cfg_legal_q <= 1'b1;
    end else if (clr_i) begin
      state_q <= StDepth;
      q_q     <= cfg_q_i;
      p_q     <= cfg_p_i;
      f_q     <= cfg_f_i;
      dual_q  <= ({1'b0, cfg_p_i} << 1) <= (PW+1)'(PsumDepth);
      fdual_q <= ({1'b0, pqs_full} << 1) <= (2*SqW+PW+1)'(FilterDepth);
      rows_q  <= cfg_rows_i;
      sq_q    <= sq_cfg;
      pqs_q   <= pqs_cfg;
      uq_q    <= uq_cfg;
      dq_q    <= cfg_q_i;
      adv_q   <= '0;
      ucnt_q  <= cfg_u_i;
      cfg_legal_q <= cfg_legal;
    end else begin
      state_q <= state_d;
      dq_q    <= dq_d;
      adv_q   <= adv_d;
      ucnt_q  <= ucnt_d;
    end
  end

  assign run_o   = (state_q == StRun);
  assign q_o     = q_q;
  assign p_o     = p_q;
  assign f_o     = f_q;
  assign rows_o  = rows_q;
  assign sq_o    = sq_q;
  assign pqs_o   = pqs_q;
  assign uq_o    = uq_q;
  assign dq_o    = dq_q;
  assign adv_o   = adv_q;
  assign dual_o  = dual_q;
  assign fdual_o = fdual_q;

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(DepthsLegal, IfmapDepth >= 1 && FilterDepth >= 1 && PsumDepth >= 1)
  `EY_ASSERT(CfgLegal, !clr_i |-> cfg_legal_q, clk_i, rst_ni)
`endif

endmodule
