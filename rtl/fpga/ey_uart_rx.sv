// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// UART receiver, 8N1, LSB first, ClksPerBit clock cycles a bit (12 MHz / 12 = 1 Mbaud on the
// iCEBreaker). The line is synchronized by two flip-flops; a falling edge starts a byte, the
// start bit is confirmed at its middle and every data bit is sampled at its middle. A byte whose
// stop bit reads 0 (a framing error: a wrong baud rate or a break) is dropped and counted in
// frame_err_o's pulse. valid_o is a one-cycle pulse with data_o; there is no back-pressure:
// the consumer takes every byte (the bridge does, within a byte's time).
`include "ey_assert.svh"

module ey_uart_rx #(
  parameter int unsigned ClksPerBit = 12
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic       valid_o,
  output logic [7:0] data_o,
  output logic       frame_err_o
);

  localparam int unsigned CntW = $clog2(ClksPerBit + 1);

  typedef enum logic [1:0] {StIdle, StStart, StData, StStop} rx_state_e;

  logic [1:0]    sync_q;
  rx_state_e     state_q, state_d;
  logic [CntW-1:0] cnt_q, cnt_d;
  logic [2:0]    bit_q, bit_d;
  logic [7:0]    shift_q, shift_d;
  logic          valid_d, frame_err_d;

  wire rx = sync_q[1];

  always_comb begin
    state_d = state_q;
    cnt_d = cnt_q;
    bit_d = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    frame_err_d = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (!rx) begin
          state_d = StStart;
          cnt_d = CntW'(ClksPerBit / 2);
        end
      end
      StStart: begin  // to the middle of the start bit
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else if (rx) begin
          state_d = StIdle;  // a glitch, not a start bit
        end else begin
          state_d = StData;
          cnt_d = CntW'(ClksPerBit - 1);
          bit_d = '0;
        end
      end
      StData: begin
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else begin
          shift_d = {rx, shift_q[7:1]};
          cnt_d = CntW'(ClksPerBit - 1);
          bit_d = bit_q + 1'b1;
          if (bit_q == 3'd7) state_d = StStop;
        end
      end
      StStop: begin
        if (cnt_q != '0) begin
          cnt_d = cnt_q - 1'b1;
        end else begin
          state_d = StIdle;
          valid_d = rx;
          frame_err_d = !rx;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      sync_q <= 2'b11;
      state_q <= StIdle;
      cnt_q <= '0;
      bit_q <= '0;
      shift_q <= '0;
      valid_o <= 1'b0;
      frame_err_o <= 1'b0;
    end else begin
      sync_q <= {sync_q[0], rx_i};
      state_q <= state_d;
      cnt_q <= cnt_d;
      bit_q <= bit_d;
      shift_q <= shift_d;
      valid_o <= valid_d;
      frame_err_o <= frame_err_d;
    end
  end

  assign data_o = shift_q;

  `EY_ASSERT_INIT(ClksPerBitLegal, ClksPerBit >= 4)

endmodule
