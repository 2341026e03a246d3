// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// One GLB area (ifmaps or filters): Depth words of Width bits as Lanes interleaved banks (word
// a in bank a mod Lanes, row a / Lanes), so the walker writes up to Lanes consecutive words a
// cycle (a full AXI beat of a load) starting at any address, while the GIN reads one word a
// cycle as from a single memory: one cycle of latency, and the output holds while re_i is low.
`include "ey_assert.svh"

module ey_glb_area #(
  parameter int unsigned Depth = 16384,
  parameter int unsigned Width = 16,
  parameter int unsigned Lanes = 4,
  localparam int unsigned AW    = $clog2(Depth),
  localparam int unsigned LaneW = $clog2(Lanes)
) (
  input  logic                clk_i,
  input  logic                rst_ni,

  input  logic                we_i,
  input  logic [AW-1:0]       waddr_i,   // the first word's address
  input  logic [LaneW:0]      wcnt_i,    // words written: 1..Lanes
  input  logic [Lanes*16-1:0] wdata_i,   // word k (to waddr_i + k) in bits 16k..16k+Width-1

  input  logic                re_i,
  input  logic [AW-1:0]       raddr_i,
  output logic [Width-1:0]    rdata_o
);

  logic [Lanes*Width-1:0] bank_rdata;
  logic [LaneW-1:0]       rsel_q;

  for (genvar b = 0; b < Lanes; b++) begin : g_bank
    logic [LaneW-1:0] k;        // the written word that lands in this bank
    /* verilator lint_off UNUSEDSIGNAL */
    logic [AW-1:0]    a;        // its address (its low bits are b)
    /* verilator lint_on UNUSEDSIGNAL */
    assign k = LaneW'(b) - waddr_i[LaneW-1:0];
    assign a = waddr_i + AW'(k);
    ey_sram_2p #(
      .Depth (Depth / Lanes),
      .Width (Width)
    ) u_bank (
      .clk_i   (clk_i),
      .we_i    (we_i && {1'b0, k} < wcnt_i),
      .waddr_i (a[AW-1:LaneW]),
      .wdata_i (wdata_i[k*16 +: Width]),
      .re_i    (re_i),
      .raddr_i (raddr_i[AW-1:LaneW]),
      .rdata_o (bank_rdata[b*Width +: Width])
    );
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rsel_q <= '0;
    else if (re_i) rsel_q <= raddr_i[LaneW-1:0];
  end
  assign rdata_o = bank_rdata[rsel_q*Width +: Width];

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(BanksEven, Lanes >= 2 && (Lanes & (Lanes - 1)) == 0 && Depth % Lanes == 0 &&
                  Depth / Lanes >= 2)
`endif

endmodule
