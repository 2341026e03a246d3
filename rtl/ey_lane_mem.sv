// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Lane-interleaved memory: Depth words of Width bits as Lanes banks (word a in bank a mod
// Lanes, row a / Lanes), so that up to Lanes consecutive words are written a cycle starting at
// any address, and RdLanes consecutive words read a cycle starting at any address (one cycle
// of latency; the output holds while re_i is low). Every bank is one ey_sram_2p.
//
// Used for the GLB's ifmap and filter areas (rtl/ey_glb.sv: the walker writes a full AXI beat
// of a load a cycle, the filter GIN reads FiltLanes words a cycle) and for the PE's filter
// spad when the filter GIN is wider than a word (rtl/ey_pe.sv).
`include "ey_assert.svh"

module ey_lane_mem #(
  parameter int unsigned Depth   = 16384,
  parameter int unsigned Width   = 16,
  parameter int unsigned Lanes   = 4,
  parameter int unsigned RdLanes = 1,
  localparam int unsigned AW    = $clog2(Depth),
  localparam int unsigned LaneW = $clog2(Lanes)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,

  input  logic                     we_i,
  input  logic [AW-1:0]            waddr_i,   // the first word's address
  input  logic [LaneW:0]           wcnt_i,    // words written: 1..Lanes
  input  logic [Lanes*Width-1:0]   wdata_i,   // word k (to waddr_i + k) in bits Width*k and up

  input  logic                     re_i,
  input  logic [AW-1:0]            raddr_i,   // the first word's address
  output logic [RdLanes*Width-1:0] rdata_o    // word k (from raddr_i + k) in bits Width*k and up
);

  logic [Lanes*Width-1:0] bank_rdata;
  logic [LaneW-1:0]       rsel_q;

  for (genvar b = 0; b < Lanes; b++) begin : g_bank
    logic [LaneW-1:0] k;        // the written word that lands in this bank
    /* verilator lint_off UNUSEDSIGNAL */
    logic [AW-1:0]    a;        // its address (its low bits are b)
    logic [AW-1:0]    ra;       // the address this bank reads (its low bits are b)
    /* verilator lint_on UNUSEDSIGNAL */
    assign k = LaneW'(b) - waddr_i[LaneW-1:0];
    assign a = waddr_i + AW'(k);
    if (RdLanes > 1) begin : g_wide
      // The bank holds word raddr_i + ((b - raddr_i) mod Lanes) of the ones read.
      assign ra = raddr_i + AW'(LaneW'(LaneW'(b) - raddr_i[LaneW-1:0]));
    end else begin : g_narrow
      assign ra = raddr_i;
    end
    ey_sram_2p #(
      .Depth (Depth / Lanes),
      .Width (Width)
    ) u_bank (
      .clk_i   (clk_i),
      .we_i    (we_i && {1'b0, k} < wcnt_i),
      .waddr_i (a[AW-1:LaneW]),
      .wdata_i (wdata_i[k*Width +: Width]),
      .re_i    (re_i),
      .raddr_i (ra[AW-1:LaneW]),
      .rdata_o (bank_rdata[b*Width +: Width])
    );
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rsel_q <= '0;
    else if (re_i) rsel_q <= raddr_i[LaneW-1:0];
  end
  for (genvar i = 0; i < RdLanes; i++) begin : g_rd
    logic [LaneW-1:0] sel;
    assign sel = rsel_q + LaneW'(i);
    assign rdata_o[i*Width +: Width] = bank_rdata[sel*Width +: Width];
  end

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(BanksEven, Lanes >= 2 && (Lanes & (Lanes - 1)) == 0 && Depth % Lanes == 0 &&
                  Depth / Lanes >= 2 && RdLanes >= 1 && RdLanes <= Lanes)
`endif

endmodule
