// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Ifmap stream generator of the pass controller (rtl/ey_pass_ctrl.sv): walks every pass of
// the layer (channel block cb, filter-row group rgi, on its own pass counter) and, per pass,
// for each image and strip of e ofmap rows, column by column, every diagonal d that feeds a
// PE (ifmap row y0*uh + d + rgi*rg - pad_top) and every channel of every channel set, tagged
// (cgi, d). Rows and columns outside the ifmap and padded channels are sent as zeros without
// reading the GLB. Out: a valid/ready stream to the PE array's ifmap GIN.
//
// Fault injection (tests only): a model Verilated with -DEY_FAULT reads the plusargs
// +ey_fault_gin_word=K +ey_fault_gin_bit=B at time 0 and flips bit B of the K-th word (from 0,
// counted since reset over every layer) this generator sends on the ifmap GIN, as a corrupted
// multicast would; fault_hit is high in the cycle that word is taken. Without EY_FAULT nothing
// of it is built.
`include "ey_assert.svh"

module ey_ifmap_gen #(
  parameter int unsigned DataW      = ey_pkg::DataW,
  parameter int unsigned IdW        = ey_pkg::IdW,
  parameter int unsigned IfmapWords = 16384,
  localparam int unsigned IfAW = $clog2(IfmapWords)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,          // a layer starts (with init_i) or is aborted
  input  logic               init_i,         // start at the layer's first pass

  input  ey_pkg::layer_cfg_t cfg_i,

  // GLB ifmap area read port (one cycle latency)
  output logic               glb_if_re_o,
  output logic [IfAW-1:0]    glb_if_addr_o,
  input  logic [DataW-1:0]   glb_if_rdata_i,

  // Ifmap GIN stream
  output logic               if_valid_o,
  input  logic               if_ready_i,
  output logic [IdW-1:0]     if_row_o,
  output logic [IdW-1:0]     if_col_o,
  output logic [DataW-1:0]   if_data_o,

  output logic               done_o          // every pass is sent
);

  ey_pkg::layer_cfg_t c;
  assign c = cfg_i;

  // Per-pass bases of a generator: first filter, first channel, first filter row.
  function automatic logic [23:0] block_base(input logic [12:0] idx, input logic [7:0] a,
                                             input logic [7:0] b);
    block_base = 24'(idx) * 24'(a) * 24'(b);
  endfunction

  logic        ig_active_q;
  logic [7:0]  ig_n_q, ig_d_q, ig_dq_q, ig_dm_q, ig_cgi_q, ig_cc_q;
  logic [12:0] ig_cb;
  logic [3:0]  ig_rgi;
  logic        ig_last_pass, ig_adv;
  logic [23:0] ig_cbase;
  logic [11:0] ig_frbase;

  ey_pass_cnt u_ig_pass (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .init_i  (init_i),
    .adv_i   (ig_adv),
    .mb_n_i  (c.mb),
    .cb_n_i  (c.cb),
    .nrg_n_i (c.nrg),
    .mb_o    (),
    .cb_o    (ig_cb),
    .rgi_o   (ig_rgi),
    .first_o (),
    .last_o  (ig_last_pass),
    .block_last_o (),
    .idx_o   ()
  );
  assign ig_cbase  = block_base(ig_cb, 8'(c.r), 8'(c.q));
  assign ig_frbase = 12'(ig_rgi) * 12'(c.rg);
  logic [9:0]  ig_sp_q;
  logic [10:0] ig_col_q;
  logic signed [15:0] ig_hrow, ig_xcol;
  logic [23:0] ig_c;
  logic        ig_zero, ig_issue;
  logic        ig_end_cc, ig_end_cgi, ig_end_d, ig_end_col, ig_end_sp, ig_end_n;
  // Next diagonal: d+1, or the start of the next stride period when d+1 feeds no PE.
  logic [7:0]  ig_dm_inc, ig_dq_inc, ig_d_inc;
  logic [8:0]  ig_d_next;
  logic [7:0]  ig_dm_next, ig_dq_next;

  always_comb begin
    ig_dm_inc = ig_dm_q + 1'b1;
    ig_dq_inc = ig_dq_q;
    ig_d_inc  = ig_d_q + 1'b1;
    if (ig_dm_inc == 8'(c.uh)) begin
      ig_dm_inc = '0;
      ig_dq_inc = ig_dq_q + 1'b1;
    end
    ig_dm_next = ig_dm_inc;
    ig_dq_next = ig_dq_inc;
    ig_d_next  = {1'b0, ig_d_inc};
    if (ig_dq_inc < 8'(c.e) && ig_dm_inc >= 8'(c.rg)) begin
      ig_dm_next = '0;
      ig_dq_next = ig_dq_inc + 1'b1;
      ig_d_next  = 9'(ig_d_inc) + 9'(c.uh) - 9'(ig_dm_inc);
    end
  end

  assign ig_hrow = $signed(16'(ig_sp_q) * 16'(c.e) * 16'(c.uh)) + $signed(16'(ig_d_q)) +
                   $signed(16'(ig_frbase)) - $signed(16'(c.pad_top));
  assign ig_xcol = $signed(16'(ig_col_q)) - $signed(16'(c.pad_left));
  assign ig_c    = ig_cbase + 24'(ig_cgi_q) * 24'(c.q) + 24'(ig_cc_q);
  assign ig_zero = (ig_c >= 24'(c.cg)) || (ig_hrow < 0) || (ig_hrow >= $signed(16'(c.h))) ||
                   (ig_xcol < 0) || (ig_xcol >= $signed(16'(c.w)));
  assign glb_if_addr_o = IfAW'(32'(c.if_base) + 32'(ig_n_q) * 32'(c.chw) +
                               32'(ig_c) * 32'(c.hw) + 32'(ig_hrow[15:0]) * 32'(c.w) +
                               32'(ig_xcol[15:0]));

  assign ig_end_cc  = (ig_cc_q == 8'(c.q) - 1'b1);
  assign ig_end_cgi = (ig_cgi_q == 8'(c.r) - 1'b1);
  assign ig_end_d   = (ig_d_next > 9'(c.dmax));
  assign ig_end_col = (ig_col_q == c.wn - 1'b1);
  assign ig_end_sp  = (ig_sp_q == c.strips - 1'b1);
  assign ig_end_n   = (ig_n_q == c.n - 1'b1);
  assign ig_adv     = ig_issue && ig_end_cc && ig_end_cgi && ig_end_d && ig_end_col &&
                      ig_end_sp && ig_end_n;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      ig_active_q <= init_i;
      {ig_n_q, ig_d_q, ig_dq_q, ig_dm_q, ig_cgi_q, ig_cc_q} <= '0;
      ig_sp_q  <= '0;
      ig_col_q <= '0;
    end else if (ig_issue) begin
      if (!ig_end_cc) begin
        ig_cc_q <= ig_cc_q + 1'b1;
      end else begin
        ig_cc_q <= '0;
        if (!ig_end_cgi) begin
          ig_cgi_q <= ig_cgi_q + 1'b1;
        end else begin
          ig_cgi_q <= '0;
          if (!ig_end_d) begin
            ig_d_q  <= ig_d_next[7:0];
            ig_dq_q <= ig_dq_next;
            ig_dm_q <= ig_dm_next;
          end else begin
            ig_d_q  <= '0;
            ig_dq_q <= '0;
            ig_dm_q <= '0;
            if (!ig_end_col) begin
              ig_col_q <= ig_col_q + 1'b1;
            end else begin
              ig_col_q <= '0;
              if (!ig_end_sp) begin
                ig_sp_q <= ig_sp_q + 1'b1;
              end else begin
                ig_sp_q <= '0;
                if (!ig_end_n) begin
                  ig_n_q <= ig_n_q + 1'b1;
                end else begin
                  ig_n_q      <= '0;
                  ig_active_q <= !ig_last_pass;
                end
              end
            end
          end
        end
      end
    end
  end

  logic [2*IdW-1:0] ig_tag_out;
`ifdef EY_FAULT
  logic [DataW-1:0] if_data_raw;
`endif
  logic             ig_empty;
  ey_rd_port #(
    .TagW  (2 * IdW),
    .DataW (DataW)
  ) u_if_port (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (clr_i),
    .req_valid_i (ig_active_q),
    .req_zero_i  (ig_zero),
    .req_tag_i   ({IdW'(ig_cgi_q), IdW'(ig_d_q)}),
    .issue_o     (ig_issue),
    .mem_re_o    (glb_if_re_o),
    .mem_rdata_i (glb_if_rdata_i),
    .valid_o     (if_valid_o),
    .ready_i     (if_ready_i),
    .tag_o       (ig_tag_out),
`ifdef EY_FAULT
    .data_o      (if_data_raw),
`else
    .data_o      (if_data_o),
`endif
    .empty_o     (ig_empty)
  );

`ifdef EY_FAULT
  logic [63:0]      fault_word;
  logic [DataW-1:0] fault_mask;
  logic [63:0]      fault_cnt_q;  // words sent since reset
  /* verilator lint_off UNUSED */
  logic             fault_hit;
  /* verilator lint_on UNUSED */
  initial begin
    longint word;
    int bitn;
    fault_word = '1;
    fault_mask = '0;
    if ($value$plusargs("ey_fault_gin_word=%d", word) &&
        $value$plusargs("ey_fault_gin_bit=%d", bitn) && word >= 0 && bitn >= 0 &&
        bitn < int'(DataW)) begin
      fault_word = 64'(word);
      fault_mask = DataW'(1) << bitn;
    end
  end
  always_ff @(posedge clk_i) begin
    if (!rst_ni) fault_cnt_q <= '0;
    else if (if_valid_o && if_ready_i) fault_cnt_q <= fault_cnt_q + 64'd1;
  end
  assign fault_hit = if_valid_o && if_ready_i && fault_cnt_q == fault_word;
  assign if_data_o = if_data_raw ^ (fault_cnt_q == fault_word ? fault_mask : '0);
`endif
  assign if_row_o = ig_tag_out[IdW +: IdW];
  assign if_col_o = ig_tag_out[IdW-1:0];

  assign done_o = !ig_active_q && ig_empty;

`ifndef SYNTHESIS
  `EY_ASSERT_STREAM(IfStable, if_valid_o, if_ready_i, {if_row_o, if_col_o, if_data_o}, clr_i,
                    clk_i, rst_ni)
`endif

endmodule
