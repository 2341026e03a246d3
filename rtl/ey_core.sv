// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Accelerator core: pass controller, global buffer and PE array. The descriptor walker
// (ey_walker) loads a chunk's ifmaps and filters into the GLB through the host port, presents
// the layer record, pulses start and reads the outputs from the psum banks.
`include "ey_assert.svh"

module ey_core #(
  parameter int unsigned Rows        = 12,
  parameter int unsigned Cols        = 14,
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned IfmapWords  = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned Lanes       = 4,       // GLB load width in 16-bit words
  parameter int unsigned FiltLanes   = 4,       // filter GIN width in words, 1..Lanes
  localparam int unsigned LaneW = $clog2(Lanes),
  localparam int unsigned FlCntW = $clog2(FiltLanes + 1),
  localparam int unsigned FlWrW  = $clog2(Rows * Cols * FiltLanes + 1),
  localparam int unsigned IdW   = ey_pkg::IdW,
  localparam int unsigned NumPe = Rows * Cols,
  localparam int unsigned SqW   = $clog2(IfmapDepth + 1),
  localparam int unsigned PW    = $clog2(PsumDepth + 1),
  localparam int unsigned RowW  = (Rows > 1) ? $clog2(Rows) : 1,
  localparam int unsigned CntW  = $clog2(NumPe + 1),
  localparam int unsigned IfAW  = $clog2(IfmapWords),
  localparam int unsigned FltAW = $clog2(FilterWords),
  localparam int unsigned PsAW  = $clog2(PsumWords),
  localparam int unsigned HostAW = (IfAW > FltAW) ? IfAW : FltAW,
  localparam int unsigned ColW  = (Cols > 1) ? $clog2(Cols) : 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,

  input  ey_pkg::layer_cfg_t  cfg_i,
  input  logic                start_i,
  input  logic                abort_i,
  output logic                busy_o,
  output logic                done_o,

  input  logic                host_we_i,
  input  logic                host_re_i,
  input  logic [1:0]          host_area_i,
  input  logic [ColW-1:0]     host_bank_i,
  input  logic [HostAW-1:0]   host_waddr_i,
  input  logic [PsAW-1:0]     host_raddr_i,
  input  logic [LaneW:0]      host_wcnt_i,
  input  logic [Lanes*16-1:0] host_wdata_i,
  output logic [AccW-1:0]     host_rdata_o,

  output logic [31:0]         cnt_passes_o,
  output logic [31:0]         cnt_mac_o,
  output logic [31:0]         cnt_skip_o,
  output logic [31:0]         cnt_filt_words_o,
  output logic [31:0]         cnt_if_words_o,
  output logic [31:0]         cnt_pin_words_o,
  output logic [31:0]         cnt_gon_words_o,
  output logic [31:0]         cnt_glb_reads_o,
  output logic [31:0]         cnt_glb_writes_o,
  output logic [31:0]         cnt_spad_if_wr_o,
  output logic [31:0]         cnt_spad_if_rd_o,
  output logic [31:0]         cnt_spad_flt_wr_o,
  output logic [31:0]         cnt_ln_words_o
);

  // Controller <-> array
  logic                  arr_clr;
  logic [SqW-1:0]        arr_s, arr_q;
  logic [PW-1:0]         arr_p;
  logic [ey_pkg::StrideW-1:0] arr_u;
  logic [ey_pkg::DimW-1:0]    arr_f;
  logic [15:0]           arr_rows;
  logic [Rows*IdW-1:0]   filt_row_id, if_row_id;
  logic [NumPe*IdW-1:0]  filt_col_id, if_col_id;
  logic [NumPe-1:0]      psum_ln, acc;
  logic                  filt_valid, filt_ready, if_valid, if_ready;
  logic [IdW-1:0]        filt_row, filt_col, if_row, if_col;
  logic [DataW-1:0]      if_data;
  logic [FlCntW-1:0]     filt_cnt;
  logic [FiltLanes*DataW-1:0] filt_data;
  logic [Cols-1:0]       pin_valid, pin_ready, gon_valid, gon_ready;
  logic [Cols*RowW-1:0]  pin_row, gon_row;
  logic [Cols*AccW-1:0]  pin_data, gon_data;
  logic [CntW-1:0]       arr_mac, arr_skip, arr_if_wr, arr_if_rd, arr_ln;
  logic [FlWrW-1:0]      arr_flt_wr;
  logic                  arr_idle;

  // Controller <-> GLB
  logic                  glb_filt_re, glb_if_re;
  logic [FltAW-1:0]      glb_filt_addr;
  logic [IfAW-1:0]       glb_if_addr;
  logic [FiltLanes*DataW-1:0] glb_filt_rdata;
  logic [DataW-1:0]      glb_if_rdata;
  logic [Cols-1:0]       glb_ps_re, glb_ps_we;
  logic [Cols*PsAW-1:0]  glb_ps_raddr, glb_ps_waddr;
  logic [Cols*AccW-1:0]  glb_ps_rdata, glb_ps_wdata;

  ey_pass_ctrl #(
    .Rows        (Rows),
    .Cols        (Cols),
    .DataW       (DataW),
    .AccW        (AccW),
    .IfmapDepth  (IfmapDepth),
    .PsumDepth   (PsumDepth),
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .FiltLanes   (FiltLanes)
  ) u_ctrl (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .cfg_i             (cfg_i),
    .start_i           (start_i),
    .abort_i           (abort_i),
    .busy_o            (busy_o),
    .done_o            (done_o),
    .arr_clr_o         (arr_clr),
    .arr_s_o           (arr_s),
    .arr_p_o           (arr_p),
    .arr_q_o           (arr_q),
    .arr_u_o           (arr_u),
    .arr_f_o           (arr_f),
    .arr_rows_o        (arr_rows),
    .arr_filt_row_id_o (filt_row_id),
    .arr_filt_col_id_o (filt_col_id),
    .arr_if_row_id_o   (if_row_id),
    .arr_if_col_id_o   (if_col_id),
    .arr_psum_ln_o     (psum_ln),
    .arr_acc_o         (acc),
    .filt_valid_o      (filt_valid),
    .filt_ready_i      (filt_ready),
    .filt_row_o        (filt_row),
    .filt_col_o        (filt_col),
    .filt_cnt_o        (filt_cnt),
    .filt_data_o       (filt_data),
    .if_valid_o        (if_valid),
    .if_ready_i        (if_ready),
    .if_row_o          (if_row),
    .if_col_o          (if_col),
    .if_data_o         (if_data),
    .pin_valid_o       (pin_valid),
    .pin_ready_i       (pin_ready),
    .pin_row_o         (pin_row),
    .pin_data_o        (pin_data),
    .gon_row_o         (gon_row),
    .gon_valid_i       (gon_valid),
    .gon_ready_o       (gon_ready),
    .gon_data_i        (gon_data),
    .arr_mac_i         (arr_mac),
    .arr_skip_i        (arr_skip),
    .arr_if_wr_i       (arr_if_wr),
    .arr_if_rd_i       (arr_if_rd),
    .arr_flt_wr_i      (arr_flt_wr),
    .arr_ln_i          (arr_ln),
    .glb_filt_re_o     (glb_filt_re),
    .glb_filt_addr_o   (glb_filt_addr),
    .glb_filt_rdata_i  (glb_filt_rdata),
    .glb_if_re_o       (glb_if_re),
    .glb_if_addr_o     (glb_if_addr),
    .glb_if_rdata_i    (glb_if_rdata),
    .glb_ps_re_o       (glb_ps_re),
    .glb_ps_raddr_o    (glb_ps_raddr),
    .glb_ps_rdata_i    (glb_ps_rdata),
    .glb_ps_we_o       (glb_ps_we),
    .glb_ps_waddr_o    (glb_ps_waddr),
    .glb_ps_wdata_o    (glb_ps_wdata),
    .cnt_passes_o      (cnt_passes_o),
    .cnt_mac_o         (cnt_mac_o),
    .cnt_skip_o        (cnt_skip_o),
    .cnt_filt_words_o  (cnt_filt_words_o),
    .cnt_if_words_o    (cnt_if_words_o),
    .cnt_pin_words_o   (cnt_pin_words_o),
    .cnt_gon_words_o   (cnt_gon_words_o),
    .cnt_glb_reads_o   (cnt_glb_reads_o),
    .cnt_glb_writes_o  (cnt_glb_writes_o),
    .cnt_spad_if_wr_o  (cnt_spad_if_wr_o),
    .cnt_spad_if_rd_o  (cnt_spad_if_rd_o),
    .cnt_spad_flt_wr_o (cnt_spad_flt_wr_o),
    .cnt_ln_words_o    (cnt_ln_words_o)
  );

  ey_glb #(
    .Cols        (Cols),
    .DataW       (DataW),
    .AccW        (AccW),
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .Lanes       (Lanes),
    .FiltLanes   (FiltLanes)
  ) u_glb (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .host_we_i    (host_we_i),
    .host_re_i    (host_re_i),
    .host_area_i  (host_area_i),
    .host_bank_i  (host_bank_i),
    .host_waddr_i (host_waddr_i),
    .host_raddr_i (host_raddr_i),
    .host_wcnt_i  (host_wcnt_i),
    .host_wdata_i (host_wdata_i),
    .host_rdata_o (host_rdata_o),
    .filt_re_i    (glb_filt_re),
    .filt_addr_i  (glb_filt_addr),
    .filt_rdata_o (glb_filt_rdata),
    .if_re_i      (glb_if_re),
    .if_addr_i    (glb_if_addr),
    .if_rdata_o   (glb_if_rdata),
    .ps_re_i      (glb_ps_re),
    .ps_raddr_i   (glb_ps_raddr),
    .ps_rdata_o   (glb_ps_rdata),
    .ps_we_i      (glb_ps_we),
    .ps_waddr_i   (glb_ps_waddr),
    .ps_wdata_i   (glb_ps_wdata)
  );

  ey_pe_array #(
    .Rows        (Rows),
    .Cols        (Cols),
    .DataW       (DataW),
    .AccW        (AccW),
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .FiltLanes   (FiltLanes)
  ) u_array (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .clr_i             (arr_clr),
    .cfg_s_i           (arr_s),
    .cfg_p_i           (arr_p),
    .cfg_q_i           (arr_q),
    .cfg_u_i           (arr_u),
    .cfg_f_i           (arr_f),
    .cfg_rows_i        (arr_rows),
    .cfg_filt_row_id_i (filt_row_id),
    .cfg_filt_col_id_i (filt_col_id),
    .cfg_if_row_id_i   (if_row_id),
    .cfg_if_col_id_i   (if_col_id),
    .cfg_psum_ln_i     (psum_ln),
    .cfg_acc_i         (acc),
    .filt_valid_i      (filt_valid),
    .filt_ready_o      (filt_ready),
    .filt_row_i        (filt_row),
    .filt_col_i        (filt_col),
    .filt_cnt_i        (filt_cnt),
    .filt_data_i       (filt_data),
    .if_valid_i        (if_valid),
    .if_ready_o        (if_ready),
    .if_row_i          (if_row),
    .if_col_i          (if_col),
    .if_data_i         (if_data),
    .pin_valid_i       (pin_valid),
    .pin_ready_o       (pin_ready),
    .pin_row_i         (pin_row),
    .pin_data_i        (pin_data),
    .gon_row_i         (gon_row),
    .gon_valid_o       (gon_valid),
    .gon_ready_i       (gon_ready),
    .gon_data_o        (gon_data),
    .idle_o            (arr_idle),
    .stat_mac_o        (arr_mac),
    .stat_skip_o       (arr_skip),
    .stat_if_wr_o      (arr_if_wr),
    .stat_if_rd_o      (arr_if_rd),
    .stat_flt_wr_o     (arr_flt_wr),
    .stat_ln_o         (arr_ln)
  );

  logic unused;
  assign unused = arr_idle;

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(LayerCfgWidth, $bits(cfg_i) == ey_pkg::LayerCfgW)
`endif

endmodule
