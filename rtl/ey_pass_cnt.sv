// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Pass counter of one stream generator: walks the processing passes of a layer in the order
// filter block mb, channel block cb, filter-row group rgi (rgi fastest). Every generator of
// the pass controller owns one, so the streams run ahead of each other across pass boundaries
// as far as the PEs' buffers allow.
module ey_pass_cnt (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        init_i,   // back to the first pass
  input  logic        adv_i,    // to the next pass

  input  logic [12:0] mb_n_i,
  input  logic [12:0] cb_n_i,
  input  logic [3:0]  nrg_n_i,

  output logic [12:0] mb_o,
  output logic [12:0] cb_o,
  output logic [3:0]  rgi_o,
  output logic        first_o,  // first pass of a filter block: no earlier psums
  output logic        last_o,   // last pass of the layer
  output logic        block_last_o,  // last pass of its filter block
  output logic [31:0] idx_o     // passes before this one
);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || init_i) begin
      mb_o  <= '0;
      cb_o  <= '0;
      rgi_o <= '0;
      idx_o <= '0;
    end else if (adv_i) begin
      idx_o <= idx_o + 1'b1;
      if (rgi_o != nrg_n_i - 1'b1) begin
        rgi_o <= rgi_o + 1'b1;
      end else begin
        rgi_o <= '0;
        if (cb_o != cb_n_i - 1'b1) begin
          cb_o <= cb_o + 1'b1;
        end else begin
          cb_o <= '0;
          mb_o <= mb_o + 1'b1;
        end
      end
    end
  end

  assign first_o = (cb_o == '0) && (rgi_o == '0);
  assign block_last_o = (cb_o == cb_n_i - 1'b1) && (rgi_o == nrg_n_i - 1'b1);
  assign last_o       = block_last_o && (mb_o == mb_n_i - 1'b1);

endmodule
