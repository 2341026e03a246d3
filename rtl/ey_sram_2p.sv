// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Two-port memory wrapper: one write port, one synchronous read port (one cycle latency,
// read-before-write on an address collision). Every scratchpad and buffer in Eyelet sits
// behind this wrapper, so a target can map it to block RAM or a macro without touching the
// datapath. This is the behavioural model; Yosys infers RAM from it.
module ey_sram_2p #(
  parameter int unsigned Depth = 16,
  parameter int unsigned Width = 16,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,

  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,

  input  logic             re_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (re_i) begin
      rdata_o <= mem_q[raddr_i];
    end
  end

endmodule
