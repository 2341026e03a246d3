// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Global buffer: an ifmap area, a filter area and one psum bank per PE column, each behind the
// two-port memory wrapper (one write, one synchronous read port with one cycle of latency).
//
//  * ifmap area  (IfmapWords x DataW):  written by the host port, read by the ifmap GIN.
//  * filter area (FilterWords x DataW): written by the host port, read by the filter GIN.
//    Both are Lanes-way interleaved (ey_lane_mem): the host port writes up to Lanes
//    consecutive words a cycle, an AXI beat of a load, and the filter GIN reads FiltLanes
//    consecutive words a cycle.
//  * psum bank j (PsumWords x AccW):    written by GON lane j, read by psum GIN lane j or by
//    the host port. A column's psums are stored in the order its lane moves them, so the
//    controller addresses each bank with plain counters. Each bank is two memories, its lower
//    and upper halves, each with its own read port: the host port may read one half while a
//    layer runs in the other (the walker's store beside the next run), but never the half
//    the psum GIN reads in the same cycle. Its writes and reads may happen in the same cycle.
`include "ey_assert.svh"

module ey_glb #(
  parameter int unsigned Cols        = 14,
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapWords  = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned Lanes       = 4,
  parameter int unsigned FiltLanes   = 4,     // filter words read a cycle, 1..Lanes
  localparam int unsigned LaneW = $clog2(Lanes),
  localparam int unsigned IfAW  = $clog2(IfmapWords),
  localparam int unsigned FltAW = $clog2(FilterWords),
  localparam int unsigned PsAW  = $clog2(PsumWords),
  localparam int unsigned HostAW = (IfAW > FltAW) ? IfAW : FltAW,
  localparam int unsigned ColW  = (Cols > 1) ? $clog2(Cols) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,

  // Walker port: writes of host_wcnt_i words to the ifmap (host_area_i 0) or filter (1) area
  // from host_waddr_i on, and at the same time reads of psum bank host_bank_i at host_raddr_i
  // (result one cycle later).
  input  logic                 host_we_i,
  input  logic                 host_re_i,
  input  logic [1:0]           host_area_i,
  input  logic [ColW-1:0]      host_bank_i,
  input  logic [HostAW-1:0]    host_waddr_i,  // ifmap / filter area writes
  input  logic [PsAW-1:0]      host_raddr_i,  // psum bank reads
  input  logic [LaneW:0]       host_wcnt_i,
  input  logic [Lanes*16-1:0]  host_wdata_i,  // word k in bits 16k..16k+DataW-1
  output logic [AccW-1:0]      host_rdata_o,

  // Filter and ifmap read ports.
  input  logic                 filt_re_i,
  input  logic [FltAW-1:0]     filt_addr_i,            // the first of FiltLanes words
  output logic [FiltLanes*DataW-1:0] filt_rdata_o,
  input  logic                 if_re_i,
  input  logic [IfAW-1:0]      if_addr_i,
  output logic [DataW-1:0]     if_rdata_o,

  // Psum banks, one per column.
  input  logic [Cols-1:0]      ps_re_i,
  input  logic [Cols*PsAW-1:0] ps_raddr_i,
  output logic [Cols*AccW-1:0] ps_rdata_o,
  input  logic [Cols-1:0]      ps_we_i,
  input  logic [Cols*PsAW-1:0] ps_waddr_i,
  input  logic [Cols*AccW-1:0] ps_wdata_i
);

  // The host port's words in 16-bit slots, as DataW-bit words.
  logic [Lanes*DataW-1:0] host_words;
  for (genvar k = 0; k < Lanes; k++) begin : g_host_word
    assign host_words[k*DataW +: DataW] = host_wdata_i[k*16 +: DataW];
  end

  ey_lane_mem #(
    .Depth (IfmapWords),
    .Width (DataW),
    .Lanes (Lanes)
  ) u_ifmap (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (host_we_i && host_area_i == 2'd0),
    .waddr_i (IfAW'(host_waddr_i)),
    .wcnt_i  (host_wcnt_i),
    .wdata_i (host_words),
    .re_i    (if_re_i),
    .raddr_i (if_addr_i),
    .rdata_o (if_rdata_o)
  );

  ey_lane_mem #(
    .Depth   (FilterWords),
    .Width   (DataW),
    .Lanes   (Lanes),
    .RdLanes (FiltLanes)
  ) u_filter (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (host_we_i && host_area_i == 2'd1),
    .waddr_i (FltAW'(host_waddr_i)),
    .wcnt_i  (host_wcnt_i),
    .wdata_i (host_words),
    .re_i    (filt_re_i),
    .raddr_i (filt_addr_i),
    .rdata_o (filt_rdata_o)
  );

  localparam int unsigned HalfWords = PsumWords / 2;
  localparam int unsigned HAW       = PsAW - 1;

  logic             host_half_q;   // the half of the last host read
  logic [ColW-1:0]  host_bank_q;   // and its bank
  logic [AccW-1:0]  host_rd [Cols];

  for (genvar j = 0; j < Cols; j++) begin : g_bank
    logic [PsAW-1:0] gin_addr, gon_addr;
    logic            host_sel, gin_half_q;
    logic [AccW-1:0] rdata [2];
    assign gin_addr = ps_raddr_i[j*PsAW +: PsAW];
    assign gon_addr = ps_waddr_i[j*PsAW +: PsAW];
    assign host_sel = host_re_i && (host_bank_i == ColW'(j));
    for (genvar h = 0; h < 2; h++) begin : g_half
      logic gin_re, host_re;
      assign gin_re  = ps_re_i[j] && gin_addr[PsAW-1] == 1'(h);
      assign host_re = host_sel && host_raddr_i[PsAW-1] == 1'(h);
      ey_sram_2p #(
        .Depth (HalfWords),
        .Width (AccW)
      ) u_psum (
        .clk_i   (clk_i),
        .we_i    (ps_we_i[j] && gon_addr[PsAW-1] == 1'(h)),
        .waddr_i (gon_addr[HAW-1:0]),
        .wdata_i (ps_wdata_i[j*AccW +: AccW]),
        .re_i    (gin_re || host_re),
        .raddr_i (host_re ? host_raddr_i[HAW-1:0] : gin_addr[HAW-1:0]),
        .rdata_o (rdata[h])
      );
`ifndef SYNTHESIS
      `EY_ASSERT(OneReadPerHalf, !(gin_re && host_re), clk_i, rst_ni)
`endif
    end
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        gin_half_q <= 1'b0;
      end else if (ps_re_i[j]) begin
        gin_half_q <= gin_addr[PsAW-1];
      end
    end
    assign ps_rdata_o[j*AccW +: AccW] = rdata[gin_half_q];
    assign host_rd[j]                 = rdata[host_half_q];
  end

  // Host reads return the selected bank's word one cycle later.
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      host_bank_q <= '0;
      host_half_q <= 1'b0;
    end else if (host_re_i) begin
      host_bank_q <= host_bank_i;
      host_half_q <= host_raddr_i[PsAW-1];
    end
  end
  assign host_rdata_o = host_rd[host_bank_q];

`ifndef SYNTHESIS
  // The address's top bit picks the half.
  `EY_ASSERT_INIT(PsumWordsPowerOfTwo, PsumWords >= 2 && (PsumWords & (PsumWords - 1)) == 0)
`endif

endmodule
