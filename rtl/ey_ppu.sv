// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Output path (post-processing unit) of the descriptor walker: turns a psum-bank accumulator
// into the output word, with the parameters of its output channel from the output-path table.
// Rules (ARCHITECTURE.md, sw/include/eyelet/golden.h): acc + bias (32 bits, wrapping; post
// bit 0, else bias 0), then with post bit 1
//   y = sat16((acc * mult + round) >>> shift),  round = shift ? 1 << (shift - 1) : 0,
// then ReLU (post bit 2) or leaky ReLU (post bit 3: the same rule with lk_mult, lk_shift for
// y < 0). The output word is the int32 accumulator, or y in its low 16 bits.
//
// Table: PpWords entries {shift[69:64], mult[63:32], bias[31:0]}, written by the load
// sequencer, read (one cycle latency) by the store sequencer as a row of outputs starts.
//
// A fixed five-cycle pipeline that never stalls. in_valid_i says a psum read goes out this
// cycle (its accumulator is on psum_i in the next cycle, with the table entry read before);
// out_valid_o says out_data_o is the output word, five cycles after in_valid_i. The store
// sequencer issues only with credit for everything in flight, so the consumer is always
// ready (out_ready_i is checked, not obeyed). in_tag_i rides along and leaves on out_tag_o.
//
//   stage 0 (issue): the table entry          stage 1: acc + bias
//   stage 2: the 64-bit product                stage 3: round, shift, saturate
//   stage 4: activation, the output word
`include "ey_assert.svh"

module ey_ppu #(
  parameter int unsigned PpWords = 512,
  parameter int unsigned TagW    = 1,
  localparam int unsigned PpAW   = $clog2(PpWords),
  localparam int unsigned Stages = 5
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clr_i,           // abort: drop what is in flight

  // Output-path table
  input  logic              tab_we_i,
  input  logic [PpAW-1:0]   tab_waddr_i,
  input  logic [69:0]       tab_wdata_i,
  input  logic              tab_re_i,
  input  logic [PpAW-1:0]   tab_raddr_i,

  // Layer settings (descriptor fields)
  input  logic [3:0]        post_i,
  input  logic [15:0]       lk_mult_i,
  input  logic [5:0]        lk_shift_i,

  // Accumulators in
  input  logic              in_valid_i,
  input  logic [TagW-1:0]   in_tag_i,
  input  logic [31:0]       psum_i,          // the cycle after in_valid_i

  // Output words out
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [31:0]       out_data_o,
  output logic [TagW-1:0]   out_tag_o,

  output logic [2:0]        in_flight_o      // outputs in the pipeline
);

  function automatic logic signed [15:0] sat16(input logic signed [63:0] v);
    if (v > 64'sd32767) sat16 = 16'sh7fff;
    else if (v < -64'sd32768) sat16 = -16'sh8000;
    else sat16 = v[15:0];
  endfunction
  function automatic logic signed [63:0] round_half(input logic [5:0] sh);
    round_half = sh == '0 ? 64'sd0 : 64'sd1 <<< (sh - 6'd1);
  endfunction

  logic [69:0] tab_rdata;
  ey_sram_2p #(.Depth(PpWords), .Width(70)) u_table (
    .clk_i   (clk_i),
    .we_i    (tab_we_i),
    .waddr_i (tab_waddr_i),
    .wdata_i (tab_wdata_i),
    .re_i    (tab_re_i),
    .raddr_i (tab_raddr_i),
    .rdata_o (tab_rdata)
  );

  logic [Stages-1:0] stage_valid_q;   // bit i: stage i holds an output
  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      stage_valid_q <= '0;
    end else begin
      stage_valid_q <= {stage_valid_q[Stages-2:0], in_valid_i};
    end
  end

  // Stage registers, named by what they hold. Each stage carries its output's parameters.
  logic [31:0]        ent_bias_q, ent_mult_q;    // stage 0: the table entry
  logic [5:0]         ent_shift_q;
  logic [31:0]        acc_biased_q;              // stage 1: acc + bias
  logic [31:0]        biased_mult_q;
  logic [5:0]         biased_shift_q;
  logic [31:0]        prod_acc_q;                // stage 2: acc + bias, and
  logic signed [63:0] acc_prod_q;                // (acc + bias) * mult
  logic [5:0]         prod_shift_q;
  logic [31:0]        int32_out_q;               // stage 3: the int32 output, and
  logic signed [15:0] int16_out_q;               // the requantized int16 one
  logic [31:0]        out_word_q;                // stage 4: the word that leaves

  logic signed [63:0] acc_prod;        // the product, exact in 64 bits
  logic signed [63:0] requant;         // rounded and shifted
  logic signed [31:0] leaky_prod;      // 16 x 16 signed
  logic signed [63:0] leaky_requant;
  assign acc_prod      = $signed(acc_biased_q) * $signed(biased_mult_q);
  assign requant       = (acc_prod_q + round_half(prod_shift_q)) >>> prod_shift_q;
  assign leaky_prod    = int16_out_q * $signed(lk_mult_i);
  assign leaky_requant = ($signed({{32{leaky_prod[31]}}, leaky_prod}) + round_half(lk_shift_i))
                         >>> lk_shift_i;

  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      ent_bias_q  <= post_i[0] ? tab_rdata[31:0] : '0;
      ent_mult_q  <= tab_rdata[63:32];
      ent_shift_q <= tab_rdata[69:64];
    end
    if (stage_valid_q[0]) begin
      acc_biased_q   <= psum_i + ent_bias_q;
      biased_mult_q  <= ent_mult_q;
      biased_shift_q <= ent_shift_q;
    end
    if (stage_valid_q[1]) begin
      prod_acc_q   <= acc_biased_q;
      acc_prod_q   <= acc_prod;
      prod_shift_q <= biased_shift_q;
    end
    if (stage_valid_q[2]) begin
      int32_out_q <= prod_acc_q;
      int16_out_q <= sat16(requant);
    end
    if (stage_valid_q[3]) begin
      if (!post_i[1]) out_word_q <= int32_out_q;
      else if (post_i[2]) out_word_q <= {16'b0, int16_out_q < 0 ? 16'sd0 : int16_out_q};
      else if (post_i[3]) out_word_q <= {16'b0, int16_out_q < 0 ? sat16(leaky_requant)
                                                                : int16_out_q};
      else out_word_q <= {16'b0, int16_out_q};
    end
  end

  // The tag: a delay line as long as the pipeline.
  logic [Stages*TagW-1:0] tag_line_q;
  always_ff @(posedge clk_i) begin
    tag_line_q <= {tag_line_q[(Stages-1)*TagW-1:0], in_tag_i};
  end

  assign out_valid_o = stage_valid_q[Stages-1];
  assign out_data_o  = out_word_q;
  assign out_tag_o   = tag_line_q[Stages*TagW-1 -: TagW];
  assign in_flight_o = 3'(stage_valid_q[0]) + 3'(stage_valid_q[1]) + 3'(stage_valid_q[2]) +
                       3'(stage_valid_q[3]) + 3'(stage_valid_q[4]);

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md): every output-path mode, and the
  // corners of each step, as a word passes the step.
  logic cov_s2, cov_s3;  // the requantization and the activation step hold a word
  assign cov_s2 = stage_valid_q[2] && post_i[1];
  assign cov_s3 = stage_valid_q[3] && post_i[1];
  `EY_COVER(CovPathInt32, out_valid_o && post_i == 4'b0000, clk_i, rst_ni)
  `EY_COVER(CovPathBiasInt32, out_valid_o && post_i == 4'b0001, clk_i, rst_ni)
  `EY_COVER(CovPathRequant, out_valid_o && post_i == 4'b0010, clk_i, rst_ni)
  `EY_COVER(CovPathBiasRequant, out_valid_o && post_i == 4'b0011, clk_i, rst_ni)
  `EY_COVER(CovPathRelu, out_valid_o && post_i[2:1] == 2'b11, clk_i, rst_ni)
  `EY_COVER(CovPathLeaky, out_valid_o && post_i[3] && post_i[1], clk_i, rst_ni)
  `EY_COVER(CovPathBiasWraps, stage_valid_q[0] && post_i[0] &&
            psum_i[31] == ent_bias_q[31] && (psum_i + ent_bias_q) >> 31 != 32'(psum_i[31]),
            clk_i, rst_ni)
  `EY_COVER(CovPathShiftZero, cov_s2 && prod_shift_q == '0, clk_i, rst_ni)
  `EY_COVER(CovPathSaturateHigh, cov_s2 && requant > 64'sd32767, clk_i, rst_ni)
  `EY_COVER(CovPathSaturateLow, cov_s2 && requant < -64'sd32768, clk_i, rst_ni)
  `EY_COVER(CovPathReluClamps, cov_s3 && post_i[2] && int16_out_q < 0, clk_i, rst_ni)
  `EY_COVER(CovPathLeakyNegative, cov_s3 && post_i[3] && int16_out_q < 0, clk_i, rst_ni)
  `EY_COVER(CovPathLeakySaturates, cov_s3 && post_i[3] && int16_out_q < 0 &&
            (leaky_requant > 64'sd32767 || leaky_requant < -64'sd32768), clk_i, rst_ni)
  `EY_COVER(CovPathFull, in_flight_o == 3'd5, clk_i, rst_ni)

  `EY_ASSERT(ConsumerReady, out_valid_o |-> out_ready_i, clk_i, rst_ni)
`endif

endmodule
