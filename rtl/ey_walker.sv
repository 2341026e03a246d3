// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Descriptor walker: runs a chain of layer descriptors (rtl/desc.def) from DRAM with no host
// in the loop. This module is the wiring between the walker's parts, each with one job:
//
//   ey_load_seq   fetches each descriptor, walks the layer's tiling loops (group, image chunk,
//                 row band, filter chunk, channel chunk) and loads each chunk's images,
//                 filters and output-path table entries; owns the chain's status
//   ey_desc_check checks a fetched descriptor (the error code) and registers the products of
//                 its fields the sequencers use
//   ey_run_seq    runs the pass controller and PE array on a loaded chunk
//   ey_store_seq  writes a computed chunk's outputs from the psum banks to DRAM (NCHW)
//   ey_store_consts  the store's strides, one product a cycle during the chunk's run
//   ey_ppu        the output path: bias, requantization, ReLU or leaky ReLU (post bits)
//   ey_maxpool    max pooling of the output path's words, with its line buffer (pool_kh != 0)
//   ey_perf_cnt   the chain's counters
//
// The three sequencers hand chunks on with valid/ready: load -> run (the chunk's layer
// record, once its loads have answered; the run sequencer takes it while the store
// sequencer is idle) -> store (the outputs, after a run of their last channel chunk). The next
// chunk's loads overlap the array's run wherever the GLB allows (ey_load_seq), and a chunk's
// store overlaps the next chunk's loads and, when an output chunk's psums fit half of each
// psum bank, the next chunk's run in the other halves (ps_pp); otherwise the next run waits
// for the store (the psum banks are its source). The store sequencer issues psum reads into
// the output path with credit for everything in flight (the output path, the pooling stage and
// the output FIFO), so the path never stalls; the output FIFO feeds the write DMA. The store's
// psum-bank strides (ey_store_consts) are computed while its chunk runs.
//
// abort_i (CSR soft reset) stops the chain: the core is aborted, the DMA engines drain what is
// on the bus, and the walker returns to idle with no error.
`include "ey_assert.svh"

module ey_walker #(
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
  parameter int unsigned Lanes       = 4,       // 16-bit words per AXI beat
  parameter int unsigned SeqCheck    = 0,       // ey_desc_check: one shared multiplier
  localparam int unsigned LaneW  = $clog2(Lanes),
  localparam int unsigned AccW   = 32,
  localparam int unsigned IfAW   = $clog2(IfmapWords),
  localparam int unsigned FltAW  = $clog2(FilterWords),
  localparam int unsigned HostAW = (IfAW > FltAW) ? IfAW : FltAW,
  localparam int unsigned PsAW   = $clog2(PsumWords),
  localparam int unsigned PpAW   = $clog2(PpWords),
  localparam int unsigned PlAW   = $clog2(PoolWords),
  localparam int unsigned ColW   = (Cols > 1) ? $clog2(Cols) : 1,
  localparam int unsigned NumCore = ey_pkg::NumCoreCnt
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  input  logic               start_i,
  input  logic               abort_i,
  input  logic [63:0]        desc_base_i,
  output logic               busy_o,
  output logic               done_o,        // level: the last chain finished
  output logic               error_o,       // level: the last chain stopped on an error
  output logic [7:0]         err_code_o,
  output logic [15:0]        err_desc_o,

  // Counters of the last chain: walker cycles, DRAM bytes, stall cycles, descriptors, and the
  // core's counters (passes .. GLB writes, in csr_map.def order) summed over every chunk.
  output logic [31:0]        cnt_cycles_o,
  output logic [31:0]        cnt_rd_bytes_o,
  output logic [31:0]        cnt_wr_bytes_o,
  output logic [31:0]        cnt_stall_o,
  output logic [31:0]        cnt_descs_o,
  output logic [31:0]        cnt_flt_bytes_o,
  input  logic [NumCore*32-1:0] core_cnt_i,
  output logic [NumCore*32-1:0] core_cnt_o,

  // Read DMA
  output logic               rd_cmd_valid_o,
  input  logic               rd_cmd_ready_i,
  output logic [AddrW-1:0]   rd_cmd_addr_o,
  output logic [31:0]        rd_cmd_len_o,
  input  logic               rd_valid_i,
  output logic               rd_ready_o,
  output logic               rd_wide_o,
  input  logic [LaneW:0]     rd_cnt_i,
  input  logic [Lanes*16-1:0] rd_data_i,
  input  logic               rd_idle_i,
  input  logic [1:0]         rd_err_i,
  output logic               dma_err_clr_o,  // clears both engines' err at a chain start

  // Write DMA
  output logic               wr_cmd_valid_o,
  input  logic               wr_cmd_ready_i,
  output logic [AddrW-1:0]   wr_cmd_addr_o,
  output logic [31:0]        wr_cmd_len_o,
  output logic               wr_valid_o,
  input  logic               wr_ready_i,
  output logic [31:0]        wr_data_o,      // one 32-bit accumulator (two words) per push,
  output logic               wr_wide_o,      // or one 16-bit output (post bit 1)
  input  logic               wr_idle_i,
  input  logic [1:0]         wr_err_i,

  // Core (pass controller, GLB, array)
  output ey_pkg::layer_cfg_t core_cfg_o,
  output logic               core_start_o,
  output logic               core_abort_o,
  input  logic               core_busy_i,
  input  logic               core_done_i,
  output logic               host_we_o,
  output logic               host_re_o,
  output logic [1:0]         host_area_o,
  output logic [ColW-1:0]    host_bank_o,
  output logic [HostAW-1:0]  host_waddr_o,   // ifmap / filter area writes (loads)
  output logic [PsAW-1:0]    host_raddr_o,   // psum bank reads (stores), at the same time
  output logic [LaneW:0]     host_wcnt_o,    // words written, from host_waddr_o on
  output logic [Lanes*16-1:0] host_wdata_o,
  input  logic [AccW-1:0]    host_rdata_i
);

  localparam int unsigned OutFifoDepth = 16;  // > the path's latency (7): one output per cycle
  localparam int unsigned TagW         = 11 + 11 + PlAW + 1;   // row, column, line buffer, -inf

  // ---------------------------------------------------------------------------------------
  // Descriptor checks
  // ---------------------------------------------------------------------------------------
  ey_pkg::desc_t desc;
  logic          check_products, check_ready, check_derived, check_fit;
  logic [7:0]    check_err;
  logic [19:0]   hw, yplane;
  logic [10:0]   rs, wn;
  logic [7:0]    dmax;
  logic [23:0]   crs;
  logic [15:0]   sbe;
  logic [12:0]   cc;
  logic [26:0]   mbc_tp;
  logic [1:0]    vcols, vrows;
  logic          x_pp, w_pp, ps_pp, x_res;
  logic [15:0]   xslot;

  ey_desc_check #(
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
    .SeqCheck    (SeqCheck)
  ) u_desc_check (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .desc_i        (desc),
    .products_en_i (check_products),
    .ready_o       (check_ready),
    .derived_en_i  (check_derived),
    .fit_en_i      (check_fit),
    .err_code_o    (check_err),
    .hw_o          (hw),
    .rs_o          (rs),
    .crs_o         (crs),
    .sbe_o         (sbe),
    .cc_o          (cc),
    .mbc_tp_o      (mbc_tp),
    .wn_o          (wn),
    .dmax_o        (dmax),
    .yplane_o      (yplane),
    .vcols_o       (vcols),
    .vrows_o       (vrows),
    .x_pp_o        (x_pp),
    .w_pp_o        (w_pp),
    .ps_pp_o       (ps_pp),
    .x_res_o       (x_res),
    .xslot_o       (xslot)
  );

  // ---------------------------------------------------------------------------------------
  // Sequencers: load -> run -> store
  // ---------------------------------------------------------------------------------------
  logic               load_busy, chain_start, desc_done, rd_cmd_filt;
  logic               run_idle, store_idle;
  logic               chunk_valid, chunk_ready, chunk_last;
  ey_pkg::layer_cfg_t chunk_cfg;
  ey_pkg::out_job_t   chunk_job;
  logic [PpAW-1:0]    chunk_tab_base;
  logic               tab_we;
  logic [PpAW-1:0]    tab_waddr;
  logic [69:0]        tab_wdata;

  ey_load_seq #(
    .IfmapWords  (IfmapWords),
    .FilterWords (FilterWords),
    .PsumWords   (PsumWords),
    .PpWords     (PpWords),
    .AddrW       (AddrW),
    .Lanes       (Lanes)
  ) u_load_seq (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .start_i          (start_i),
    .abort_i          (abort_i),
    .desc_base_i      (desc_base_i),
    .busy_o           (load_busy),
    .chain_start_o    (chain_start),
    .done_o           (done_o),
    .error_o          (error_o),
    .err_code_o       (err_code_o),
    .err_desc_o       (err_desc_o),
    .desc_done_o      (desc_done),
    .desc_o           (desc),
    .check_products_o (check_products),
    .check_ready_i    (check_ready),
    .check_derived_o  (check_derived),
    .check_fit_o      (check_fit),
    .check_err_i      (check_err),
    .hw_i             (hw),
    .rs_i             (rs),
    .crs_i            (crs),
    .sbe_i            (sbe),
    .cc_i             (cc),
    .mbc_tp_i         (mbc_tp),
    .wn_i             (wn),
    .dmax_i           (dmax),
    .x_pp_i           (x_pp),
    .w_pp_i           (w_pp),
    .ps_pp_i          (ps_pp),
    .x_res_i          (x_res),
    .xslot_i          (xslot),
    .rd_cmd_valid_o   (rd_cmd_valid_o),
    .rd_cmd_ready_i   (rd_cmd_ready_i),
    .rd_cmd_addr_o    (rd_cmd_addr_o),
    .rd_cmd_len_o     (rd_cmd_len_o),
    .rd_cmd_filt_o    (rd_cmd_filt),
    .rd_valid_i       (rd_valid_i),
    .rd_ready_o       (rd_ready_o),
    .rd_wide_o        (rd_wide_o),
    .rd_cnt_i         (rd_cnt_i),
    .rd_data_i        (rd_data_i),
    .rd_idle_i        (rd_idle_i),
    .rd_err_i         (rd_err_i),
    .wr_idle_i        (wr_idle_i),
    .wr_err_i         (wr_err_i),
    .host_we_o        (host_we_o),
    .host_area_o      (host_area_o),
    .host_waddr_o     (host_waddr_o),
    .host_wcnt_o      (host_wcnt_o),
    .host_wdata_o     (host_wdata_o),
    .tab_we_o         (tab_we),
    .tab_waddr_o      (tab_waddr),
    .tab_wdata_o      (tab_wdata),
    .chunk_valid_o    (chunk_valid),
    .chunk_ready_i    (chunk_ready),
    .chunk_cfg_o      (chunk_cfg),
    .chunk_job_o      (chunk_job),
    .chunk_last_o     (chunk_last),
    .chunk_tab_base_o (chunk_tab_base),
    .run_idle_i       (run_idle),
    .store_idle_i     (store_idle),
    .core_busy_i      (core_busy_i)
  );
  assign dma_err_clr_o = chain_start;

  logic             job_valid, job_ready;
  ey_pkg::out_job_t job;
  logic [PpAW-1:0]  job_tab_base;
  logic             run_done, running;

  ey_run_seq #(
    .PpWords (PpWords)
  ) u_run_seq (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clr_i            (abort_i),
    .chunk_valid_i    (chunk_valid),
    .chunk_ready_o    (chunk_ready),
    .chunk_cfg_i      (chunk_cfg),
    .chunk_job_i      (chunk_job),
    .chunk_last_i     (chunk_last),
    .chunk_tab_base_i (chunk_tab_base),
    .store_valid_o    (job_valid),
    .store_ready_i    (job_ready),
    .store_job_o      (job),
    .store_tab_base_o (job_tab_base),
    .store_idle_i     (store_idle),
    .ps_pp_i          (ps_pp),
    .idle_o           (run_idle),
    .run_done_o       (run_done),
    .running_o        (running),
    .core_cfg_o       (core_cfg_o),
    .core_start_o     (core_start_o),
    .core_done_i      (core_done_i)
  );
  assign core_abort_o = abort_i;

  logic             out_valid, out_room, out_empty, out_virt;
  logic [10:0]      out_row, out_col;
  logic [PlAW-1:0]  out_lb;
  logic             tab_re;
  logic [PpAW-1:0]  tab_raddr;
  logic [9:0]       band_row0, band_prow0;
  logic [11:0]      band_prow0_end;

  // The store's strides, computed while the chunk runs (the run sequencer holds its job).
  ey_pkg::store_consts_t job_k;
  logic                  job_k_ready;
  ey_store_consts #(
    .PsAW ($clog2(PsumWords)),
    .PlAW (PlAW)
  ) u_store_consts (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (core_start_o),
    .desc_i   (desc),
    .job_i    (job),
    .ready_o  (job_k_ready),
    .consts_o (job_k)
  );

  ey_store_seq #(
    .Cols      (Cols),
    .PsumWords (PsumWords),
    .PpWords   (PpWords),
    .PoolWords (PoolWords),
    .AddrW     (AddrW)
  ) u_store_seq (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clr_i            (abort_i),
    .job_valid_i      (job_valid),
    .job_k_i          (job_k),
    .job_k_ready_i    (job_k_ready),
    .job_ready_o      (job_ready),
    .job_i            (job),
    .job_tab_base_i   (job_tab_base),
    .desc_i           (desc),
    .yplane_i         (yplane),
    .vcols_i          (vcols),
    .vrows_i          (vrows),
    .wr_cmd_valid_o   (wr_cmd_valid_o),
    .wr_cmd_ready_i   (wr_cmd_ready_i),
    .wr_cmd_addr_o    (wr_cmd_addr_o),
    .wr_cmd_len_o     (wr_cmd_len_o),
    .psum_re_o        (host_re_o),
    .psum_bank_o      (host_bank_o),
    .psum_raddr_o     (host_raddr_o),
    .tab_re_o         (tab_re),
    .tab_raddr_o      (tab_raddr),
    .out_valid_o      (out_valid),
    .out_room_i       (out_room),
    .out_row_o        (out_row),
    .out_col_o        (out_col),
    .out_lb_o         (out_lb),
    .out_virt_o       (out_virt),
    .out_empty_i      (out_empty),
    .band_row0_o      (band_row0),
    .band_prow0_o     (band_prow0),
    .band_prow0_end_o (band_prow0_end),
    .idle_o           (store_idle)
  );

  // Busy until the bus is quiet too: a chain that stops on an error (the load sequencer idles
  // at once) still finishes the run and the store in flight, and the write engine sends what
  // they queued; STATUS busy (and a start, which busy blocks) must wait for that.
  assign busy_o = load_busy || !store_idle || !run_idle || !rd_idle_i || !wr_idle_i;

  // ---------------------------------------------------------------------------------------
  // Output path -> (max pooling) -> output FIFO -> write DMA
  // ---------------------------------------------------------------------------------------
  logic            pool_on, int16_out;
  assign pool_on   = desc.pool_kh != '0;
  assign int16_out = desc.post[1];

  logic            ppu_valid, ppu_ready;
  logic [31:0]     ppu_data;
  logic [TagW-1:0] ppu_tag;
  logic [2:0]      ppu_in_flight;

  ey_ppu #(
    .PpWords (PpWords),
    .TagW    (TagW)
  ) u_ppu (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (abort_i),
    .tab_we_i    (tab_we),
    .tab_waddr_i (tab_waddr),
    .tab_wdata_i (tab_wdata),
    .tab_re_i    (tab_re),
    .tab_raddr_i (tab_raddr),
    .post_i      (desc.post),
    .lk_mult_i   (desc.lk_mult),
    .lk_shift_i  (desc.lk_shift),
    .in_valid_i  (out_valid),
    .in_tag_i    ({out_row, out_col, out_lb, out_virt}),
    .psum_i      (host_rdata_i),
    .out_valid_o (ppu_valid),
    .out_ready_i (ppu_ready),
    .out_data_o  (ppu_data),
    .out_tag_o   (ppu_tag),
    .in_flight_o (ppu_in_flight)
  );

  logic        pool_valid, pool_busy;
  logic [15:0] pool_data;

  ey_maxpool #(
    .PoolWords (PoolWords)
  ) u_maxpool (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clr_i            (abort_i),
    .desc_i           (desc),
    .band_row0_i      (band_row0),
    .band_prow0_i     (band_prow0),
    .band_prow0_end_i (band_prow0_end),
    .in_valid_i       (ppu_valid),
    .in_data_i        (ppu_data[15:0]),
    .in_row_i         (ppu_tag[TagW-1 -: 11]),
    .in_col_i         (ppu_tag[TagW-12 -: 11]),
    .in_lb_i          (ppu_tag[PlAW:1]),
    .in_virt_i        (ppu_tag[0]),
    .out_valid_o      (pool_valid),
    .out_data_o       (pool_data),
    .busy_o           (pool_busy)
  );

  // Pooled: the pooled words; else the output path's words.
  logic                           out_fifo_push, out_fifo_ready, out_fifo_valid;
  logic [31:0]                    out_fifo_in, out_fifo_data;
  logic [$clog2(OutFifoDepth+1)-1:0] out_fifo_count;
  assign out_fifo_push = pool_on ? pool_valid : ppu_valid;
  assign out_fifo_in   = pool_on ? {16'b0, pool_data} : ppu_data;
  assign ppu_ready     = pool_on || out_fifo_ready;

  ey_fifo #(.Depth(OutFifoDepth), .Width(32)) u_out_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (abort_i),
    .valid_i (out_fifo_push),
    .ready_o (out_fifo_ready),
    .data_i  (out_fifo_in),
    .valid_o (out_fifo_valid),
    .ready_i (wr_ready_i),
    .data_o  (out_fifo_data),
    .count_o (out_fifo_count)
  );
  assign wr_valid_o = out_fifo_valid;
  assign wr_data_o  = out_fifo_data;
  assign wr_wide_o  = !int16_out;

  // Credit: a psum read goes out only while the FIFO has room for it and all in flight.
  assign out_room  = 32'(out_fifo_count) + 32'(ppu_in_flight) + 32'(pool_busy) <
                     32'(OutFifoDepth);
  assign out_empty = ppu_in_flight == '0 && !pool_busy && !out_fifo_valid;

  // ---------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------
  ey_perf_cnt #(
    .NumCore (NumCore)
  ) u_perf_cnt (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clr_i          (chain_start),
    .busy_i         (busy_o),
    .core_busy_i    (core_busy_i),
    .rd_cmd_fire_i  (rd_cmd_valid_o && rd_cmd_ready_i),
    .rd_cmd_len_i   (rd_cmd_len_o),
    .rd_cmd_filt_i  (rd_cmd_filt),
    .wr_cmd_fire_i  (wr_cmd_valid_o && wr_cmd_ready_i),
    .wr_cmd_len_i   (wr_cmd_len_o),
    .desc_done_i    (desc_done),
    .run_done_i     (run_done),
    .running_i      (running),
    .core_cnt_i     (core_cnt_i),
    .cnt_cycles_o   (cnt_cycles_o),
    .cnt_rd_bytes_o (cnt_rd_bytes_o),
    .cnt_wr_bytes_o (cnt_wr_bytes_o),
    .cnt_stall_o    (cnt_stall_o),
    .cnt_descs_o    (cnt_descs_o),
    .cnt_flt_bytes_o (cnt_flt_bytes_o),
    .core_cnt_o     (core_cnt_o)
  );

`ifndef SYNTHESIS
  `EY_ASSERT(OutFifoHasRoom, out_fifo_push |-> out_fifo_ready, clk_i, rst_ni)
  `EY_ASSERT_STREAM(OutFifoToDma, wr_valid_o, wr_ready_i, wr_data_o, abort_i, clk_i, rst_ni)
`endif

endmodule
