// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// UART transmitter, 8N1, LSB first, ClksPerBit clock cycles a bit. A byte is taken when
// valid_i && ready_o; ready_o is high while the line is idle (stop bit done).
`include "ey_assert.svh"

module ey_uart_tx #(
  parameter int unsigned ClksPerBit = 12
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o
);

  localparam int unsigned CntW = $clog2(ClksPerBit + 1);

  logic            busy_q;
  logic [CntW-1:0] cnt_q;
  logic [3:0]      bits_q;   // bits left to send after the current one
  logic [8:0]      shift_q;  // {stop, data}: shifted out after the start bit

  assign ready_o = !busy_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      cnt_q <= '0;
      bits_q <= '0;
      shift_q <= '1;
      tx_o <= 1'b1;
    end else if (!busy_q) begin
      if (valid_i) begin
        busy_q <= 1'b1;
        tx_o <= 1'b0;  // start bit
        shift_q <= {1'b1, data_i};
        bits_q <= 4'd9;
        cnt_q <= CntW'(ClksPerBit - 1);
      end
    end else if (cnt_q != '0) begin
      cnt_q <= cnt_q - 1'b1;
    end else if (bits_q != '0) begin
      tx_o <= shift_q[0];
      shift_q <= {1'b1, shift_q[8:1]};
      bits_q <= bits_q - 1'b1;
      cnt_q <= CntW'(ClksPerBit - 1);
    end else begin
      busy_q <= 1'b0;  // the stop bit has lasted a whole bit
    end
  end

  `EY_ASSERT_INIT(ClksPerBitLegal, ClksPerBit >= 4)

endmodule
