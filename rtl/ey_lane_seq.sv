// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Word sequence of one psum lane within a pass: for each output column of each image and
// strip (outer), for each chain v of the column, the p psums k. It yields the PE row the word
// belongs to (row0 + v * chain_rows: the chain's bottom row for the psum GIN, its top row for
// the GON) and the word's offset in the pass, which addresses the column's GLB bank.
module ey_lane_seq #(
  parameter int unsigned OffW = 10
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            init_i,        // to the first word of a pass
  input  logic            step_i,        // the current word moved

  input  logic [7:0]      p_i,           // psums per chain and column
  input  logic [7:0]      chains_i,      // chains in this column (>= 1)
  input  logic [19:0]     outer_i,       // output columns x images x strips
  input  logic [7:0]      chain_rows_i,  // PE rows per chain, r * rg
  input  logic [7:0]      row0_i,        // row of chain 0

  output logic [7:0]      row_o,
  output logic [OffW-1:0] off_o,
  output logic            pass_end_o     // the current word is the pass's last
);

  logic [19:0] o_q;
  logic [7:0]  v_q, k_q;
  logic        end_k, end_v, end_o;

  assign end_k      = (k_q == p_i - 1'b1);
  assign end_v      = (v_q == chains_i - 1'b1);
  assign end_o      = (o_q == outer_i - 1'b1);
  assign pass_end_o = end_k && end_v && end_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || init_i || (step_i && pass_end_o)) begin
      o_q   <= '0;
      v_q   <= '0;
      k_q   <= '0;
      row_o <= row0_i;
      off_o <= '0;
    end else if (step_i) begin
      off_o <= off_o + 1'b1;
      if (!end_k) begin
        k_q <= k_q + 1'b1;
      end else begin
        k_q <= '0;
        if (!end_v) begin
          v_q   <= v_q + 1'b1;
          row_o <= row_o + chain_rows_i;
        end else begin
          v_q   <= '0;
          row_o <= row0_i;
          o_q   <= o_q + 1'b1;
        end
      end
    end
  end

endmodule
