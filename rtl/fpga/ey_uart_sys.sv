// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The accelerator as a board without a CPU sees it: ey_top, its DRAM (ey_axi_sram: on the iCE40
// UP5K the SPRAMs, 128 KB) and the UART bridge (ey_uart_bridge) that carries the host's CSR
// accesses, DRAM block transfers and interrupt polls. The iCEBreaker top (ey_icebreaker) is
// this plus a clock and a reset; backend "rtl-uart" Verilates this module and drives its pins
// from the host driver's UartDevice, so the protocol and the bridge are tested without a board.
module ey_uart_sys #(
  parameter int unsigned Rows        = 2,
  parameter int unsigned Cols        = 2,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned IfmapWords  = 1024,
  parameter int unsigned FilterWords = 1024,
  parameter int unsigned PsumWords   = 512,
  parameter int unsigned PpWords     = 32,
  parameter int unsigned PoolWords   = 64,
  parameter int unsigned SeqCheck    = 1,       // descriptor checks on one multiplier
  parameter int unsigned FiltLanes   = 1,       // filter GIN words: one memory per filter spad
  parameter int unsigned ClksPerBit  = 12,
  parameter logic [31:0] MemBase     = 32'h8000_0000,
  parameter int unsigned MemWords    = 16384   // 64-bit words: 128 KB
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic rx_i,
  output logic tx_o,
  output logic irq_o
);

  localparam int unsigned AddrW = 32;

  logic        awvalid, awready, wvalid, wready, bvalid, bready;
  logic        arvalid, arready, rvalid, rready;
  logic [11:0] awaddr, araddr;
  logic [31:0] wdata, rdata;
  logic [3:0]  wstrb;
  logic [1:0]  bresp, rresp;

  logic [AddrW-1:0] m_araddr, m_awaddr;
  logic [7:0]  m_arlen, m_awlen;
  logic [2:0]  m_arsize, m_awsize;
  logic [1:0]  m_arburst, m_awburst, m_rresp, m_bresp;
  logic        m_arvalid, m_arready, m_rlast, m_rvalid, m_rready;
  logic        m_awvalid, m_awready, m_wlast, m_wvalid, m_wready, m_bvalid, m_bready;
  logic [63:0] m_rdata, m_wdata;
  logic [7:0]  m_wstrb;

  logic        host_req, host_we, host_gnt, host_rvalid;
  logic [AddrW-1:0] host_addr;
  logic [63:0] host_wdata, host_rdata;

  ey_top #(
    .Rows       (Rows),
    .Cols       (Cols),
    .FilterDepth(FilterDepth),
    .IfmapWords (IfmapWords),
    .FilterWords(FilterWords),
    .PsumWords  (PsumWords),
    .PpWords    (PpWords),
    .PoolWords  (PoolWords),
    .AddrW      (AddrW),
    .AxiDataW   (64),
    .SeqCheck   (SeqCheck),
    .FiltLanes  (FiltLanes)
  ) u_top (
    .clk_i, .rst_ni, .irq_o,
    .s_axil_awvalid(awvalid), .s_axil_awready(awready), .s_axil_awaddr(awaddr),
    .s_axil_wvalid (wvalid),  .s_axil_wready (wready),  .s_axil_wdata (wdata),
    .s_axil_wstrb  (wstrb),   .s_axil_bvalid (bvalid),  .s_axil_bready(bready),
    .s_axil_bresp  (bresp),   .s_axil_arvalid(arvalid), .s_axil_arready(arready),
    .s_axil_araddr (araddr),  .s_axil_rvalid (rvalid),  .s_axil_rready(rready),
    .s_axil_rdata  (rdata),   .s_axil_rresp  (rresp),
    .m_axi_araddr (m_araddr),  .m_axi_arlen  (m_arlen),  .m_axi_arsize(m_arsize),
    .m_axi_arburst(m_arburst), .m_axi_arvalid(m_arvalid), .m_axi_arready(m_arready),
    .m_axi_rdata  (m_rdata),   .m_axi_rresp  (m_rresp),  .m_axi_rlast (m_rlast),
    .m_axi_rvalid (m_rvalid),  .m_axi_rready (m_rready),
    .m_axi_awaddr (m_awaddr),  .m_axi_awlen  (m_awlen),  .m_axi_awsize(m_awsize),
    .m_axi_awburst(m_awburst), .m_axi_awvalid(m_awvalid), .m_axi_awready(m_awready),
    .m_axi_wdata  (m_wdata),   .m_axi_wstrb  (m_wstrb),  .m_axi_wlast (m_wlast),
    .m_axi_wvalid (m_wvalid),  .m_axi_wready (m_wready),
    .m_axi_bresp  (m_bresp),   .m_axi_bvalid (m_bvalid), .m_axi_bready(m_bready)
  );

  ey_axi_sram #(
    .AddrW  (AddrW),
    .MemBase(MemBase),
    .Words  (MemWords)
  ) u_mem (
    .clk_i, .rst_ni,
    .s_axi_araddr (m_araddr),  .s_axi_arlen  (m_arlen),  .s_axi_arsize(m_arsize),
    .s_axi_arburst(m_arburst), .s_axi_arvalid(m_arvalid), .s_axi_arready(m_arready),
    .s_axi_rdata  (m_rdata),   .s_axi_rresp  (m_rresp),  .s_axi_rlast (m_rlast),
    .s_axi_rvalid (m_rvalid),  .s_axi_rready (m_rready),
    .s_axi_awaddr (m_awaddr),  .s_axi_awlen  (m_awlen),  .s_axi_awsize(m_awsize),
    .s_axi_awburst(m_awburst), .s_axi_awvalid(m_awvalid), .s_axi_awready(m_awready),
    .s_axi_wdata  (m_wdata),   .s_axi_wstrb  (m_wstrb),  .s_axi_wlast (m_wlast),
    .s_axi_wvalid (m_wvalid),  .s_axi_wready (m_wready),
    .s_axi_bresp  (m_bresp),   .s_axi_bvalid (m_bvalid), .s_axi_bready(m_bready),
    .host_req_i   (host_req),  .host_we_i    (host_we),  .host_addr_i (host_addr),
    .host_wdata_i (host_wdata), .host_gnt_o  (host_gnt), .host_rvalid_o(host_rvalid),
    .host_rdata_o (host_rdata)
  );

  ey_uart_bridge #(
    .ClksPerBit(ClksPerBit),
    .MemBase   (MemBase),
    .MemBytes  (32'(MemWords * 8)),
    .AddrW     (AddrW)
  ) u_bridge (
    .clk_i, .rst_ni, .rx_i, .tx_o,
    .irq_i         (irq_o),
    .m_axil_awvalid(awvalid), .m_axil_awready(awready), .m_axil_awaddr(awaddr),
    .m_axil_wvalid (wvalid),  .m_axil_wready (wready),  .m_axil_wdata (wdata),
    .m_axil_wstrb  (wstrb),   .m_axil_bvalid (bvalid),  .m_axil_bready(bready),
    .m_axil_bresp  (bresp),   .m_axil_arvalid(arvalid), .m_axil_arready(arready),
    .m_axil_araddr (araddr),  .m_axil_rvalid (rvalid),  .m_axil_rready(rready),
    .m_axil_rdata  (rdata),   .m_axil_rresp  (rresp),
    .host_req_o    (host_req), .host_we_o    (host_we),  .host_addr_o (host_addr),
    .host_wdata_o  (host_wdata), .host_gnt_i (host_gnt), .host_rvalid_i(host_rvalid),
    .host_rdata_i  (host_rdata)
  );

endmodule
