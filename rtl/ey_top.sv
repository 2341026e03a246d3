// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Eyelet accelerator top level: what a board instantiates next to a CPU.
//   s_axil_*  AXI4-Lite slave: the CSRs (rtl/csr_map.def): doorbell, status, counters.
//   m_axi_*   AXI4 master to DRAM: descriptors, tensors (one ID, INCR bursts).
//   irq_o     level interrupt: done or error, when enabled.
// Inside: CSR block -> descriptor walker -> DMA read/write engines and the core (pass
// controller, global buffer, PE array). Nothing reaches the array except through DRAM.
`include "ey_assert.svh"

module ey_top #(
  parameter int unsigned Rows        = 12,
  parameter int unsigned Cols        = 14,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned IfmapWords  = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned PpWords     = 512,
  parameter int unsigned PoolWords   = 4096,
  parameter int unsigned AddrW       = 32,
  parameter int unsigned AxiDataW    = 64,
  parameter int unsigned MaxBurst    = 16,
  parameter int unsigned MaxOut      = 4,
  // Filter words a filter-GIN beat carries (1..4): 4 reads a GLB filter row of an FC layer
  // into the PEs at a full AXI beat a cycle; 1 keeps the PEs' filter spads in one memory each.
  parameter int unsigned FiltLanes   = 4,
  // 1: the descriptor checks share one multiplier, a product a cycle (ey_desc_check): for
  // small FPGAs, some 50 cycles more per descriptor.
  parameter int unsigned SeqCheck    = 0
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  output logic                  irq_o,

  input  logic                  s_axil_awvalid,
  output logic                  s_axil_awready,
  input  logic [11:0]           s_axil_awaddr,
  input  logic                  s_axil_wvalid,
  output logic                  s_axil_wready,
  input  logic [31:0]           s_axil_wdata,
  input  logic [3:0]            s_axil_wstrb,
  output logic                  s_axil_bvalid,
  input  logic                  s_axil_bready,
  output logic [1:0]            s_axil_bresp,
  input  logic                  s_axil_arvalid,
  output logic                  s_axil_arready,
  input  logic [11:0]           s_axil_araddr,
  output logic                  s_axil_rvalid,
  input  logic                  s_axil_rready,
  output logic [31:0]           s_axil_rdata,
  output logic [1:0]            s_axil_rresp,

  output logic [AddrW-1:0]      m_axi_araddr,
  output logic [7:0]            m_axi_arlen,
  output logic [2:0]            m_axi_arsize,
  output logic [1:0]            m_axi_arburst,
  output logic                  m_axi_arvalid,
  input  logic                  m_axi_arready,
  input  logic [AxiDataW-1:0]   m_axi_rdata,
  input  logic [1:0]            m_axi_rresp,
  input  logic                  m_axi_rlast,
  input  logic                  m_axi_rvalid,
  output logic                  m_axi_rready,
  output logic [AddrW-1:0]      m_axi_awaddr,
  output logic [7:0]            m_axi_awlen,
  output logic [2:0]            m_axi_awsize,
  output logic [1:0]            m_axi_awburst,
  output logic                  m_axi_awvalid,
  input  logic                  m_axi_awready,
  output logic [AxiDataW-1:0]   m_axi_wdata,
  output logic [AxiDataW/8-1:0] m_axi_wstrb,
  output logic                  m_axi_wlast,
  output logic                  m_axi_wvalid,
  input  logic                  m_axi_wready,
  input  logic [1:0]            m_axi_bresp,
  input  logic                  m_axi_bvalid,
  output logic                  m_axi_bready
);

  localparam int unsigned AccW   = ey_pkg::AccW;
  localparam int unsigned IfAW   = $clog2(IfmapWords);
  localparam int unsigned FltAW  = $clog2(FilterWords);
  localparam int unsigned HostAW = (IfAW > FltAW) ? IfAW : FltAW;
  localparam int unsigned Lanes  = AxiDataW / 16;   // words per beat, read and GLB load width
  localparam int unsigned LaneW  = $clog2(Lanes);
  localparam int unsigned PsAW   = $clog2(PsumWords);
  localparam int unsigned ColW   = (Cols > 1) ? $clog2(Cols) : 1;

  // CSR <-> walker
  logic        start, soft_reset, busy, done, error;
  logic [63:0] desc_base;
  logic [7:0]  err_code;
  logic [15:0] err_desc;
  logic [31:0] cnt_cycles, cnt_rd_bytes, cnt_wr_bytes, cnt_stall, cnt_descs, cnt_flt_bytes;
  logic [ey_pkg::NumCoreCnt*32-1:0] core_cnt, core_cnt_sum;

  // Walker <-> DMA
  logic             rd_cmd_valid, rd_cmd_ready, rd_valid, rd_ready, rd_idle;
  logic [AddrW-1:0] rd_cmd_addr;
  logic [31:0]      rd_cmd_len;
  logic [AxiDataW-1:0] rd_data;
  logic             rd_wide;
  logic [LaneW:0]   rd_cnt;
  logic [1:0]       rd_err;
  logic             wr_cmd_valid, wr_cmd_ready, wr_valid, wr_ready, wr_idle;
  logic [AddrW-1:0] wr_cmd_addr;
  logic [31:0]      wr_cmd_len;
  logic [31:0]      wr_data;
  logic             wr_wide;
  logic [1:0]       wr_err;
  logic             dma_err_clr;

  // Walker <-> core
  ey_pkg::layer_cfg_t core_cfg;
  logic              core_start, core_abort, core_busy, core_done;
  logic              host_we, host_re;
  logic [1:0]        host_area;
  logic [ColW-1:0]   host_bank;
  logic [HostAW-1:0] host_waddr;
  logic [PsAW-1:0]   host_raddr;
  logic [LaneW:0]    host_wcnt;
  logic [AxiDataW-1:0] host_wdata;
  logic [AccW-1:0]   host_rdata;

  ey_csr #(
    .Rows        (Rows),
    .Cols        (Cols),
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .AxiDataW    (AxiDataW),
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .PpWords     (PpWords),
    .PoolWords   (PoolWords),
    .AddrW       (AddrW),
    .FiltLanes   (FiltLanes)
  ) u_csr (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .awvalid_i    (s_axil_awvalid),
    .awready_o    (s_axil_awready),
    .awaddr_i     (s_axil_awaddr),
    .wvalid_i     (s_axil_wvalid),
    .wready_o     (s_axil_wready),
    .wdata_i      (s_axil_wdata),
    .wstrb_i      (s_axil_wstrb),
    .bvalid_o     (s_axil_bvalid),
    .bready_i     (s_axil_bready),
    .bresp_o      (s_axil_bresp),
    .arvalid_i    (s_axil_arvalid),
    .arready_o    (s_axil_arready),
    .araddr_i     (s_axil_araddr),
    .rvalid_o     (s_axil_rvalid),
    .rready_i     (s_axil_rready),
    .rdata_o      (s_axil_rdata),
    .rresp_o      (s_axil_rresp),
    .start_o      (start),
    .soft_reset_o (soft_reset),
    .desc_base_o  (desc_base),
    .irq_o        (irq_o),
    .busy_i       (busy),
    .done_i       (done),
    .error_i      (error),
    .err_code_i   (err_code),
    .err_desc_i   (err_desc),
    .counters_i   ({cnt_flt_bytes, cnt_descs, cnt_stall, cnt_wr_bytes, cnt_rd_bytes,
                    core_cnt_sum, cnt_cycles})
  );

  ey_walker #(
    .Rows        (Rows),
    .Cols        (Cols),
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .PpWords     (PpWords),
    .PoolWords   (PoolWords),
    .AddrW       (AddrW),
    .Lanes       (Lanes),
    .SeqCheck    (SeqCheck)
  ) u_walker (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (start),
    .abort_i        (soft_reset),
    .desc_base_i    (desc_base),
    .busy_o         (busy),
    .done_o         (done),
    .error_o        (error),
    .err_code_o     (err_code),
    .err_desc_o     (err_desc),
    .cnt_cycles_o   (cnt_cycles),
    .cnt_rd_bytes_o (cnt_rd_bytes),
    .cnt_wr_bytes_o (cnt_wr_bytes),
    .cnt_stall_o    (cnt_stall),
    .cnt_descs_o    (cnt_descs),
    .cnt_flt_bytes_o (cnt_flt_bytes),
    .core_cnt_i     (core_cnt),
    .core_cnt_o     (core_cnt_sum),
    .rd_cmd_valid_o (rd_cmd_valid),
    .rd_cmd_ready_i (rd_cmd_ready),
    .rd_cmd_addr_o  (rd_cmd_addr),
    .rd_cmd_len_o   (rd_cmd_len),
    .rd_valid_i     (rd_valid),
    .rd_ready_o     (rd_ready),
    .rd_wide_o      (rd_wide),
    .rd_cnt_i       (rd_cnt),
    .rd_data_i      (rd_data),
    .rd_idle_i      (rd_idle),
    .rd_err_i       (rd_err),
    .dma_err_clr_o  (dma_err_clr),
    .wr_cmd_valid_o (wr_cmd_valid),
    .wr_cmd_ready_i (wr_cmd_ready),
    .wr_cmd_addr_o  (wr_cmd_addr),
    .wr_cmd_len_o   (wr_cmd_len),
    .wr_valid_o     (wr_valid),
    .wr_ready_i     (wr_ready),
    .wr_data_o      (wr_data),
    .wr_wide_o      (wr_wide),
    .wr_idle_i      (wr_idle),
    .wr_err_i       (wr_err),
    .core_cfg_o     (core_cfg),
    .core_start_o   (core_start),
    .core_abort_o   (core_abort),
    .core_busy_i    (core_busy),
    .core_done_i    (core_done),
    .host_we_o      (host_we),
    .host_re_o      (host_re),
    .host_area_o    (host_area),
    .host_bank_o    (host_bank),
    .host_waddr_o   (host_waddr),
    .host_raddr_o   (host_raddr),
    .host_wcnt_o    (host_wcnt),
    .host_wdata_o   (host_wdata),
    .host_rdata_i   (host_rdata)
  );

  ey_dma_rd #(
    .AddrW    (AddrW),
    .AxiDataW (AxiDataW),
    .MaxBurst (MaxBurst),
    .MaxOut   (MaxOut)
  ) u_dma_rd (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .abort_i     (soft_reset),
    .err_clr_i   (dma_err_clr),
    .cmd_valid_i (rd_cmd_valid),
    .cmd_ready_o (rd_cmd_ready),
    .cmd_addr_i  (rd_cmd_addr),
    .cmd_len_i   (rd_cmd_len),
    .out_valid_o (rd_valid),
    .out_ready_i (rd_ready),
    .out_wide_i  (rd_wide),
    .out_cnt_o   (rd_cnt),
    .out_data_o  (rd_data),
    .idle_o      (rd_idle),
    .err_o       (rd_err),
    .araddr_o    (m_axi_araddr),
    .arlen_o     (m_axi_arlen),
    .arsize_o    (m_axi_arsize),
    .arburst_o   (m_axi_arburst),
    .arvalid_o   (m_axi_arvalid),
    .arready_i   (m_axi_arready),
    .rdata_i     (m_axi_rdata),
    .rresp_i     (m_axi_rresp),
    .rlast_i     (m_axi_rlast),
    .rvalid_i    (m_axi_rvalid),
    .rready_o    (m_axi_rready)
  );

  ey_dma_wr #(
    .AddrW    (AddrW),
    .AxiDataW (AxiDataW),
    .MaxBurst (MaxBurst),
    .MaxOut   (MaxOut)
  ) u_dma_wr (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .abort_i     (soft_reset),
    .err_clr_i   (dma_err_clr),
    .cmd_valid_i (wr_cmd_valid),
    .cmd_ready_o (wr_cmd_ready),
    .cmd_addr_i  (wr_cmd_addr),
    .cmd_len_i   (wr_cmd_len),
    .in_valid_i  (wr_valid),
    .in_ready_o  (wr_ready),
    .in_data_i   (wr_data),
    .in_wide_i   (wr_wide),
    .idle_o      (wr_idle),
    .err_o       (wr_err),
    .awaddr_o    (m_axi_awaddr),
    .awlen_o     (m_axi_awlen),
    .awsize_o    (m_axi_awsize),
    .awburst_o   (m_axi_awburst),
    .awvalid_o   (m_axi_awvalid),
    .awready_i   (m_axi_awready),
    .wdata_o     (m_axi_wdata),
    .wstrb_o     (m_axi_wstrb),
    .wlast_o     (m_axi_wlast),
    .wvalid_o    (m_axi_wvalid),
    .wready_i    (m_axi_wready),
    .bresp_i     (m_axi_bresp),
    .bvalid_i    (m_axi_bvalid),
    .bready_o    (m_axi_bready)
  );

  ey_core #(
    .Rows        (Rows),
    .Cols        (Cols),
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .Lanes       (Lanes),
    .FiltLanes   (FiltLanes)
  ) u_core (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .cfg_i            (core_cfg),
    .start_i          (core_start),
    .abort_i          (core_abort),
    .busy_o           (core_busy),
    .done_o           (core_done),
    .host_we_i        (host_we),
    .host_re_i        (host_re),
    .host_area_i      (host_area),
    .host_bank_i      (host_bank),
    .host_waddr_i     (host_waddr),
    .host_raddr_i     (host_raddr),
    .host_wcnt_i      (host_wcnt),
    .host_wdata_i     (host_wdata),
    .host_rdata_o     (host_rdata),
    .cnt_passes_o     (core_cnt[0*32 +: 32]),
    .cnt_mac_o        (core_cnt[1*32 +: 32]),
    .cnt_skip_o       (core_cnt[2*32 +: 32]),
    .cnt_filt_words_o (core_cnt[3*32 +: 32]),
    .cnt_if_words_o   (core_cnt[4*32 +: 32]),
    .cnt_pin_words_o  (core_cnt[5*32 +: 32]),
    .cnt_gon_words_o  (core_cnt[6*32 +: 32]),
    .cnt_glb_reads_o  (core_cnt[7*32 +: 32]),
    .cnt_glb_writes_o (core_cnt[8*32 +: 32]),
    .cnt_spad_if_wr_o  (core_cnt[9*32 +: 32]),
    .cnt_spad_if_rd_o  (core_cnt[10*32 +: 32]),
    .cnt_spad_flt_wr_o (core_cnt[11*32 +: 32]),
    .cnt_ln_words_o    (core_cnt[12*32 +: 32])
  );

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(DataWidths, ey_pkg::DataW == 16 && ey_pkg::AccW == 32)
`endif

endmodule
