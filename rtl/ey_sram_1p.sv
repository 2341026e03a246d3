// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Single-port memory wrapper with byte write enables: one access a cycle, a read's data one
// cycle later (held until the next read). The board's DRAM stand-in (rtl/fpga/ey_axi_sram.sv)
// sits behind it. This is the behavioural model; on the iCE40 UP5K it is the place for the
// SB_SPRAM256KA macros (16K x 16 each, four side by side make 16K x 64).
module ey_sram_1p #(
  parameter int unsigned Depth = 16,
  parameter int unsigned Width = 64,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned Bytes = Width / 8
) (
  input  logic             clk_i,
  input  logic             req_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] addr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Bytes-1:0] be_i,
  output logic [Width-1:0] rdata_o
);

  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (req_i && we_i) begin
      for (int unsigned b = 0; b < Bytes; b++) begin
        if (be_i[b]) mem_q[addr_i][8*b +: 8] <= wdata_i[8*b +: 8];
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (req_i && !we_i) begin
      rdata_o <= mem_q[addr_i];
    end
  end

endmodule
