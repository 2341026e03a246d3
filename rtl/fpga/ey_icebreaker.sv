// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// iCEBreaker (iCE40 UP5K) top: the board system (ey_uart_sys) in the `up5k` config at the
// board's 12 MHz, its UART on the FTDI's second channel at 1 Mbaud (12 cycles a bit), DRAM in
// the UP5K's four SPRAMs (128 KB). The user button resets; the red LED is the interrupt line,
// the green one blinks while the clock runs. Pins: constraints/icebreaker.pcf; build:
// make fpga (constraints/fpga_build.sh). Not programmed on a board here.
module ey_icebreaker (
  input  logic clk_i,     // 12 MHz oscillator
  input  logic btn_ni,    // user button, low when pressed
  input  logic rx_i,      // from the FTDI
  output logic tx_o,      // to the FTDI
  output logic led_r_no,  // interrupt line, active low
  output logic led_g_no   // heartbeat, active low
);

  // Reset: held for 16 cycles after configuration (flip-flops start at zero) and while the
  // button is pressed, released synchronously.
  logic [4:0]  por_q = '0;
  logic [1:0]  btn_q = '0;
  logic [23:0] beat_q = '0;
  logic        irq;

  always_ff @(posedge clk_i) begin
    btn_q <= {btn_q[0], btn_ni};
    if (!btn_q[1]) por_q <= '0;
    else if (!por_q[4]) por_q <= por_q + 1'b1;
    beat_q <= beat_q + 1'b1;
  end

  ey_uart_sys #(
    .Rows       (2),
    .Cols       (2),
    .FilterDepth(64),
    .IfmapWords (1024),
    .FilterWords(1024),
    .PsumWords  (512),
    .PpWords    (32),
    .PoolWords  (64),
    .SeqCheck   (1),
    .FiltLanes  (1),
    .ClksPerBit (12),
    .MemWords   (16384)
  ) u_sys (
    .clk_i,
    .rst_ni(por_q[4]),
    .rx_i,
    .tx_o,
    .irq_o (irq)
  );

  assign led_r_no = !irq;
  assign led_g_no = !beat_q[23];

endmodule
