// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Descriptor walker: runs a chain of layer descriptors (rtl/desc.def) from DRAM with no host
// in the loop. For each descriptor it fetches the record through the read DMA, checks it
// (the checks and their order are the driver's CheckDesc in sw/src/desc_codec.cc; the first
// failing one names the error code of rtl/errors.def), then tiles the layer:
//
//   for each group g, image chunk n0 (nb images), row band (sb strips of e ofmap rows),
//   filter chunk (mbc blocks of t*p filters), channel chunk c0 (cbc blocks of r*q channels):
//     load the chunk's images (its channels, the band's ifmap rows) into the GLB ifmap area,
//       unless there is one channel chunk and they are still there from the previous filter
//       chunk,
//     load the chunk's filters (its channels) into the GLB filter area, unless there is one
//       channel chunk and one filter chunk and they are there from the first image chunk and
//       band,
//     run the pass controller on the chunk's layer record; a later channel chunk adds onto
//       the psums the earlier ones left in the psum banks (acc_in),
//     with the last channel chunk's loads, load the output-path table entries of the chunk's
//       filters (post bits 0-1) into one half of the table,
//     after the last channel chunk, store the outputs from the psum banks to DRAM (NCHW)
//       through the output path: int32 accumulators (+ bias), or int16 requantized ones
//       (+ ReLU or leaky ReLU), and with pool_kh != 0 only their max pooling (pool_eo x
//       pool_fo per plane; see "Max pooling" by the output queue).
//
// Row band b covers ofmap rows y0 = b*sb*e .. y0 + ecur - 1 and reads ifmap rows r0 = y0*uh -
// pad_top .. r1 = (y0 + ecur - 1)*uh - pad_top + kr - 1; the walker loads rows lo = max(r0, 0)
// .. min(r1, h - 1) (hb rows) and runs the band as a layer of hb rows, ecur output rows and
// lo - r0 rows of top padding. With one band (sb >= strips) it loads whole channels, one
// transfer per image, and stores whole planes; with several, one transfer per image and
// channel, and per image and filter. Pooled, a band writes the pooled rows whose windows it
// closes (StBandP counts them; none: no transfer), and the line buffer carries each plane's
// last two rows into the next band.
//
// Three sequencers share the work. The load sequencer walks the loops and loads a chunk; the
// run sequencer takes a loaded chunk's layer record and runs the array on it; the store
// sequencer writes a finished chunk's outputs. The next chunk's loads overlap the array's run
// wherever the GLB allows: when one chunk's images (filters) fill at most half of the ifmap
// (filter) area, the two halves take turns (if_base / flt_base of the layer record), so the
// next chunk's data go into the half the array is not reading; otherwise that area's load
// waits for the run. A chunk's store overlaps the next chunk's loads; the next run waits for
// it (the psum banks are the store's source). CNT_DMA_STALL counts the busy cycles in which
// the array is not running. An AXI error response is checked when the
// transfer that saw it has finished, so the bus and the array are always left idle. abort_i
// (CSR soft reset) stops the chain: the core is aborted, the DMA engines drain what is on the
// bus, and the walker returns to idle with no error.
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
  input  logic [NumCore*32-1:0] core_cnt_i,
  output logic [NumCore*32-1:0] core_cnt_o,

  // Read DMA
  output logic               rd_cmd_valid_o,
  input  logic               rd_cmd_ready_i,
  output logic [AddrW-1:0]   rd_cmd_addr_o,
  output logic [31:0]        rd_cmd_len_o,
  input  logic               rd_valid_i,
  output logic               rd_ready_o,
  input  logic [15:0]        rd_data_i,
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
  output logic [15:0]        host_wdata_o,
  input  logic [AccW-1:0]    host_rdata_i
);

  localparam int unsigned DescBits = ey_pkg::DescWords * 64;
  localparam int unsigned DescHalf = ey_pkg::DescWords * 4;
  localparam int unsigned DescBytes = ey_pkg::DescWords * 8;
  localparam int unsigned IfHalf    = IfmapWords / 2;   // the areas' load buffers
  localparam int unsigned FltHalf   = FilterWords / 2;
  localparam int unsigned PpHalf    = PpWords / 2;      // output-path table entries per chunk

  typedef enum logic [4:0] {
    StIdle, StDAddr, StDCmd, StDFetch, StCheck1, StCheck2, StCheck3, StBand1, StBand2, StBand3,
    StBandP, StChunk, StLoad, StXCmd, StXData, StWCmd, StWData, StPCmd, StPData, StRun, StHand, StNext,
    StDEnd, StAbort
  } state_e;
  state_e state_q;

  // The store of a chunk's outputs runs on its own, beside the next chunk's loads; the next
  // run of the array waits for it (the psum banks are the store's source).
  typedef enum logic [2:0] {SIdle, SCmd, SRow, SRd, SDrain} sstate_e;
  sstate_e sstate_q;
  logic    store_go;      // run sequencer hands over the chunk just computed

  // Run sequencer: the chunk the array computes, and what its store needs.
  typedef enum logic [1:0] {RIdle, RStart, RWait} rstate_e;
  rstate_e rstate_q;
  logic    hand;          // the load sequencer's chunk goes to the run sequencer
  ey_pkg::layer_cfg_t run_cfg_q;
  logic [15:0] rn0_q;
  logic [11:0] rg_q;
  logic [12:0] rm0_q, rfcur_q;
  logic [7:0]  rncur_q;
  logic [9:0]  ry0_q, recur_q, rsb_q;
  logic        rlast_q;   // the chunk is its outputs' last channel chunk: store after it
  logic [9:0]  rpa_q, rnp_q;   // the band's pooled rows: first, count
  logic [11:0] rrend_q;        // the ofmap row that closes the first one's windows

  // ---------------------------------------------------------------------------------------
  // Descriptor
  // ---------------------------------------------------------------------------------------
  logic [DescBits-1:0] desc_q;
  ey_pkg::desc_t d;
  assign d = desc_q;  // same width; a cast to a package type is a syntax error in Yosys 0.23

  logic [63:0] daddr_q;      // address of the current descriptor
  logic [15:0] idx_q;        // its index in the chain
  logic [31:0] cnt_q;        // words / items counted by the current state

  // Products of the descriptor fields (StCheck1, StCheck2).
  logic [13:0] tp_q;         // t*p
  logic [10:0] rq_q;         // r*q
  logic [19:0] hw_q;         // h*w
  logic [10:0] rs_q;         // R*S
  logic [23:0] crs_q;        // cg*R*S
  logic [19:0] sf_q;         // sb*F: psum columns of one band
  logic [15:0] sbe_q;        // sb*e: ofmap rows of a full band
  logic [19:0] hbmw_q;       // ifmap words of one channel of the largest band
  logic        x_pp_q, w_pp_q;   // a chunk's images (filters) fit half their area
  logic        x_half_q, w_half_q;  // the half the last loaded images (filters) are in
  logic [19:0] ef_q;         // E*F
  logic [19:0] pefp_q;       // pool_eo*pool_fo
  logic [19:0] yplane_q;     // output words of one plane: E*F, or pool_eo*pool_fo pooled
  logic [1:0]  vcols_q, vrows_q;  // -inf columns (rows) streamed past the ofmap's right edge
                                  // (bottom) to close the last pooling windows
  logic [14:0] wn_q;         // (F-1)*uw + S
  logic [10:0] dmax_q;       // (rg-1) + (e-1)*uh
  logic [63:0] xbytes_q, wbytes_q, ybytes_q, ppbytes_q;  // tensor sizes in bytes

  // ---------------------------------------------------------------------------------------
  // Checks (same order as CheckDesc in sw/src/desc_codec.cc)
  // ---------------------------------------------------------------------------------------
  function automatic logic [7:0] first_err(input logic [7:0] acc, input logic cond,
                                           input logic [7:0] code);
    first_err = (acc == ey_pkg::ErrNone && cond) ? code : acc;
  endfunction

  logic        zero_field;
  assign zero_field = d.n == '0 || d.groups == '0 || d.nb == '0 || d.mb == '0 ||
                      d.mbc == '0 || d.cbc == '0 || d.cg == '0 || d.h == '0 || d.w == '0 || d.mg == '0 ||
                      d.kr == '0 || d.ks == '0 || d.eo == '0 || d.fo == '0 || d.uh == '0 ||
                      d.uw == '0 || d.e == '0 || d.p == '0 || d.q == '0 || d.r == '0 ||
                      d.t == '0 || d.rg == '0 || d.nrg == '0 || d.tv == '0 || d.th == '0 ||
                      d.cb == '0 || d.strips == '0 || d.sb == '0;

  logic        bad_mapping, bad_array, bad_spad, bad_glb, bad_align, bad_range, bad_post;
  logic        pp_tab, oq;   // the output path reads its table; outputs are requantized (int16)
  assign pp_tab = d.post[1:0] != 2'b00;
  assign oq     = d.post[1];
  assign bad_post = (d.post[3:2] != 2'b00 && !d.post[1]) || d.post[3:2] == 2'b11 ||
                    d.lk_shift > 6'd62;
  // Pooling: windows and strides 1..3, padding below the window, int16 outputs, every window
  // starting inside the ofmap, and the line buffer holding a pooled row of every plane whose
  // windows straddle row bands (one plane's with one band).
  logic        pool_on, bad_pool;
  logic [63:0] lb_need;
  assign pool_on  = d.pool_kh != '0;
  assign lb_need  = (d.sb >= d.strips) ? 64'(d.pool_fo)
                                       : 64'(d.nb) * 64'(d.mg) * 64'(d.pool_fo);
  assign bad_pool = pool_on && (!d.post[1] || d.pool_kh > 4'd3 || d.pool_kw == '0 ||
                    d.pool_kw > 4'd3 || d.pool_sh == '0 || d.pool_sh > 4'd3 ||
                    d.pool_sw == '0 || d.pool_sw > 4'd3 || d.pool_pt >= d.pool_kh ||
                    d.pool_pl >= d.pool_kw || d.pool_eo == '0 || d.pool_fo == '0 ||
                    (64'(d.pool_eo) - 64'd1) * 64'(d.pool_sh) >= 64'(d.eo) + 64'(d.pool_pt) ||
                    (64'(d.pool_fo) - 64'd1) * 64'(d.pool_sw) >= 64'(d.fo) + 64'(d.pool_pl) ||
                    lb_need > 64'(PoolWords));
  logic [26:0] mb_tp;        // mb*t*p
  logic [23:0] cb_rq;
  logic [9:0]  rg_nrg;
  logic [15:0] strips_e;
  logic [11:0] tv_th;
  logic [63:0] chunk_filt;   // min(mbc*t*p, mg)
  logic [AddrW:0] top;       // 2^AddrW
  assign mb_tp      = 27'(d.mb) * 27'(tp_q);
  assign cb_rq      = 24'(d.cb) * 24'(rq_q);
  assign rg_nrg     = 10'(d.rg) * 10'(d.nrg);
  assign strips_e   = 16'(d.strips) * 16'(d.e);
  assign tv_th      = 12'(d.tv) * 12'(d.th);
  assign chunk_filt = (64'(d.mbc) * 64'(tp_q) < 64'(d.mg)) ? 64'(d.mbc) * 64'(tp_q) : 64'(d.mg);
  assign top        = {1'b1, AddrW'(0)};

  assign bad_mapping = 16'(d.nb) > d.n ||
                       d.mbc > d.mb || d.cbc > d.cb ||
                       mb_tp < 27'(d.mg) || mb_tp - 27'(tp_q) >= 27'(d.mg) ||
                       cb_rq < 24'(d.cg) || cb_rq - 24'(rq_q) >= 24'(d.cg) ||
                       rg_nrg < 10'(d.kr) || rg_nrg - 10'(d.rg) >= 10'(d.kr) ||
                       strips_e < 16'(d.eo) || strips_e - 16'(d.e) >= 16'(d.eo) ||
                       tv_th < 12'(d.t) || tv_th - 12'(d.tv) >= 12'(d.t) ||
                       wn_q > 15'd2047 ||
                       d.sb > d.strips ||
                       (32'(d.eo) - 32'd1) * 32'(d.uh) > 32'(d.h) - 32'd1 + 32'(d.pad_top) ||
                       32'(d.nb) * 32'(d.sb) >= 32'd65536;
  assign bad_array   = 32'(d.rg) * 32'(d.r) * 32'(d.tv) > 32'(Rows) ||
                       32'(d.e) * 32'(d.th) > 32'(Cols) ||
                       dmax_q > 11'd254;
  assign bad_spad    = 32'(d.ks) * 32'(d.q) > 32'(IfmapDepth) ||
                       32'(d.p) * 32'(d.q) * 32'(d.ks) > 32'(FilterDepth) ||
                       32'(d.p) > 32'(PsumDepth);
  assign bad_glb     = 64'(d.nb) * 64'(cc_q) * 64'(hbmw_q) > 64'(IfmapWords) ||
                       chunk_filt * 64'(cc_q) * 64'(rs_q) > 64'(FilterWords) ||
                       64'(d.mbc) * 64'(d.nb) * 64'(sf_q) * 64'(d.tv) * 64'(d.p) >
                           64'(PsumWords) ||
                       (pp_tab && chunk_filt > 64'(PpHalf));
  assign bad_align   = d.x_addr[2:0] != '0 || d.w_addr[2:0] != '0 || d.y_addr[2:0] != '0 ||
                       d.next[2:0] != '0 || (pp_tab && d.pp_addr[2:0] != '0);
  assign bad_range   = d.x_addr[63:AddrW] != '0 || d.w_addr[63:AddrW] != '0 ||
                       d.y_addr[63:AddrW] != '0 ||
                       xbytes_q > 64'(top) - 64'(d.x_addr[AddrW-1:0]) ||
                       wbytes_q > 64'(top) - 64'(d.w_addr[AddrW-1:0]) ||
                       ybytes_q > 64'(top) - 64'(d.y_addr[AddrW-1:0]) ||
                       (pp_tab && (d.pp_addr[63:AddrW] != '0 ||
                                   ppbytes_q > 64'(top) - 64'(d.pp_addr[AddrW-1:0])));

  logic [7:0] check_err;
  always_comb begin
    check_err = ey_pkg::ErrNone;
    check_err = first_err(check_err, d.magic != ey_pkg::DescMagic ||
                                     d.version != ey_pkg::DescVersion, ey_pkg::ErrDescMagic);
    check_err = first_err(check_err, d.kind != ey_pkg::DescKindConv, ey_pkg::ErrDescKind);
    check_err = first_err(check_err, bad_post, ey_pkg::ErrDescPost);
    check_err = first_err(check_err, bad_pool, ey_pkg::ErrDescPool);
    check_err = first_err(check_err, zero_field, ey_pkg::ErrDescZero);
    check_err = first_err(check_err, bad_mapping, ey_pkg::ErrDescMapping);
    check_err = first_err(check_err, bad_array, ey_pkg::ErrDescArray);
    check_err = first_err(check_err, bad_spad, ey_pkg::ErrDescSpad);
    check_err = first_err(check_err, bad_glb, ey_pkg::ErrDescGlb);
    check_err = first_err(check_err, bad_align, ey_pkg::ErrDescAlign);
    check_err = first_err(check_err, bad_range, ey_pkg::ErrDescRange);
  end

  // The descriptor's own address: aligned and inside the address space.
  logic [7:0] addr_err;
  assign addr_err = daddr_q[2:0] != '0 ? ey_pkg::ErrDescAlign :
                    (daddr_q[63:AddrW] != '0 ||
                     64'(DescBytes) > 64'(top) - 64'(daddr_q[AddrW-1:0])) ?
                        ey_pkg::ErrDescRange : ey_pkg::ErrNone;

  function automatic logic [7:0] axi_err(input logic [1:0] resp, input logic rd);
    if (resp == 2'b10) axi_err = rd ? ey_pkg::ErrAxiRdSlverr : ey_pkg::ErrAxiWrSlverr;
    else axi_err = rd ? ey_pkg::ErrAxiRdDecerr : ey_pkg::ErrAxiWrDecerr;
  endfunction

  // ---------------------------------------------------------------------------------------
  // Tiling loops
  // ---------------------------------------------------------------------------------------
  logic [11:0] g_q;          // group
  logic [15:0] n0_q;         // first image of the chunk
  logic [12:0] m0_q;         // first filter of the chunk (in the group)
  logic [12:0] blk0_q;       // first filter block of the chunk
  logic [7:0]  ncur_q;       // images in the chunk
  logic [12:0] fcur_q;       // filters in the chunk
  logic [12:0] mbcur_q;      // filter blocks in the chunk
  logic [7:0]  img_q;        // image of the chunk being loaded / stored
  logic [12:0] c0_q;         // first channel of the chunk (in the group)
  logic [12:0] cblk0_q;      // first channel block of the chunk
  logic [12:0] ccur_q;       // channels in the chunk
  logic [12:0] cbcur_q;      // channel blocks in the chunk
  logic [12:0] cc_q;         // channels in a full channel chunk, min(cbc*r*q, cg)
  logic [12:0] widx_q;       // filter of the chunk being loaded (one transfer per filter)
  logic [12:0] xc_q;         // channel of the image being loaded (several bands)
  logic [31:0] tcnt_q;       // words of the current load transfer
  logic        one_cchunk;   // the group's channels are one chunk
  logic        one_band;     // the ofmap rows are one band
  logic        load_x, load_w, load_p;
  assign one_cchunk = d.cbc >= d.cb;
  assign one_band   = d.sb >= d.strips;
  assign load_x     = !(one_cchunk && m0_q != '0);
  assign load_w     = !(one_cchunk && d.mbc >= d.mb && (n0_q != '0 || s0_q != '0));
  // The output-path table of the chunk's filters, for the chunk that stores them (its last
  // channel chunk), unless the filters (and so their table) are still there.
  assign load_p     = pp_tab && load_w && 32'(c0_q) + 32'(ccur_q) == 32'(d.cg);

  // Output-path table: two halves of PpHalf entries {shift, mult, bias}; a chunk's table is
  // loaded into the half the store before it does not read.
  logic            p_half_q;
  logic [PpAW-1:0] p_base_q, rp_base_q, sp_base_q;  // loaded, running and stored chunk's half
  logic [31:0]     pb_q, pm_q;                     // bias and mult of the entry being loaded
  logic            pp_we, pp_re;
  logic [PpAW-1:0] pp_waddr, pp_raddr;
  logic [69:0]     pp_rdata;
  assign pp_we    = state_q == StPData && rd_fire && cnt_q[2:0] == 3'd4;
  assign pp_waddr = p_base_q + PpAW'(cnt_q[31:3]);
  ey_sram_2p #(.Depth(PpWords), .Width(70)) u_pp (
    .clk_i   (clk_i),
    .we_i    (pp_we),
    .waddr_i (pp_waddr),
    .wdata_i ({rd_data_i[5:0], pm_q, pb_q}),
    .re_i    (pp_re),
    .raddr_i (pp_raddr),
    .rdata_o (pp_rdata)
  );

  // Row band: its first strip and ofmap row, its rows and strips, the ifmap rows it loads
  // (lo .. lo + hb - 1, hb*w words per channel) and the padding rows above them.
  logic [9:0]  s0_q, y0_q, ecur_q, sbcur_q, lo_q, hb_q;
  logic [5:0]  ptb_q;
  logic signed [17:0] r0_q;  // y0*uh - pad_top: the band's first window row
  logic signed [17:0] r1;    // its last window row
  logic [19:0] hbw_q;
  assign r1 = r0_q + $signed(18'((32'(ecur_q) - 32'd1) * 32'(d.uh))) + $signed(18'(d.kr)) -
              18'sd1;
  ey_pkg::layer_cfg_t cfg_q;

  // Pooled rows of the band: pooled row i is complete once the store has passed ofmap row
  // rend(i) = i*sh - pt + kh - 1, so a band emits the rows whose rend it covers (the last band
  // all that are left, closing them with -inf rows). nxt / nrend: the next pooled row and its
  // rend; bpa, bnp, brend: the band's first pooled row, their count, the first one's rend.
  logic [9:0]  nxt_q, bpa_q, bnp_q;
  logic [11:0] nrend_q, brend_q;
  logic        last_band;
  assign last_band = 32'(y0_q) + 32'(ecur_q) >= 32'(d.eo);

  // Store loop: filter mm of the chunk as (block, set column hs, chain v, filter k), ofmap row
  // as (strip, row j), column x.
  logic [15:0] sn0_q;        // the stored chunk: first image, group, first filter, sizes
  logic [11:0] sg_q;
  logic [12:0] sm0_q, sfcur_q;
  logic [7:0]  sncur_q, simg_q;
  logic [12:0] sblk_q;
  logic [7:0]  shs_q, sv_q;
  logic [5:0]  sk_q;
  logic [9:0]  ssp_q;
  logic [10:0] sx_q;
  logic [5:0]  sj_q;
  logic [12:0] smm_q;
  logic [10:0] sy_q;
  logic [31:0] saddr_q;      // psum bank address of the current output
  logic [9:0]  sy0_q, secur_q, ssb_q;  // the stored band: first row, rows, strips
  logic [9:0]  spa_q, snp_q;          // its pooled rows: first, count
  logic [11:0] srend_q;               // the ofmap row that closes the first one's windows
  logic        slastb_q;              // it is the last band
  logic [10:0] s_ncols, s_nrows;      // columns and rows the store walks, -inf ones included
  logic        s_virt;                // the current element is a -inf one (no psum read)
  assign s_ncols = 11'(d.fo) + (pool_on ? 11'(vcols_q) : 11'd0);
  assign s_nrows = 11'(secur_q) + ((pool_on && slastb_q) ? 11'(vrows_q) : 11'd0);
  assign s_virt  = sx_q >= 11'(d.fo) || sy_q >= 11'(secur_q);
  logic [7:0]  tvc;          // chains in this set column
  logic [15:0] hs_tv;
  logic [31:0] row_base;
  assign hs_tv = 16'(shs_q) * 16'(d.tv);
  assign tvc   = (hs_tv + 16'(d.tv) <= 16'(d.t)) ? 8'(d.tv) : 8'(16'(d.t) - hs_tv);
  assign row_base = ((((32'(sblk_q) * 32'(sncur_q) + 32'(simg_q)) * 32'(ssb_q) + 32'(ssp_q)) *
                      32'(d.fo)) * 32'(tvc) + 32'(sv_q)) * 32'(d.p) + 32'(sk_q);

  logic last_x, last_row, last_mm;
  assign last_x   = 11'(sx_q) == s_ncols - 11'd1;
  assign last_row = 11'(sy_q) == s_nrows - 11'd1;
  assign last_mm  = smm_q == sfcur_q - 1'b1;

  // DMA commands
  logic [AddrW-1:0] x_cmd_addr, w_cmd_addr, y_cmd_addr, p_cmd_addr;
  // Image n0+img, channels c0.. of group g (one band), or its channel c0+xc, rows lo..;
  // filter m0+widx (or all the chunk's filters when its channels are all of the group's: then
  // they are contiguous), channels c0..; outputs of image sn0+simg, filters sm0.. (one band)
  // or filter sm0+smm, rows sy0..
  logic        w_whole;
  logic [31:0] w_len, x_len;
  assign w_whole    = ccur_q == d.cg;
  assign w_len      = w_whole ? 32'(fcur_q) * 32'(crs_q) : 32'(ccur_q) * 32'(rs_q);
  assign x_len      = one_band ? 32'(ccur_q) * 32'(hw_q) : 32'(hbw_q);
  assign x_cmd_addr = AddrW'(d.x_addr) + AddrW'((((64'(n0_q) + 64'(img_q)) * 64'(d.groups) *
                      64'(d.cg) + 64'(g_q) * 64'(d.cg) + 64'(c0_q) + 64'(xc_q)) * 64'(hw_q) +
                      64'(lo_q) * 64'(d.w)) * 64'd2);
  assign w_cmd_addr = AddrW'(d.w_addr) + AddrW'(((64'(g_q) * 64'(d.mg) + 64'(m0_q) +
                      64'(widx_q)) * 64'(d.cg) + 64'(c0_q)) * 64'(rs_q) * 64'd2);
  assign y_cmd_addr = AddrW'(d.y_addr) + AddrW'((((64'(sn0_q) + 64'(simg_q)) * 64'(d.groups) *
                      64'(d.mg) + 64'(sg_q) * 64'(d.mg) + 64'(sm0_q) +
                      (one_band ? 64'd0 : 64'(smm_q))) * 64'(yplane_q) +
                      (pool_on ? 64'(spa_q) * 64'(d.pool_fo) : 64'(sy0_q) * 64'(d.fo))) *
                      (oq ? 64'd2 : 64'd4));
  assign p_cmd_addr = AddrW'(d.pp_addr) + AddrW'((64'(g_q) * 64'(d.mg) + 64'(m0_q)) * 64'd16);

  // Words of a store transfer: a chunk's planes of an image (one band) or one plane's band;
  // pooled, the band's pooled rows (none: no transfer).
  logic [31:0] y_len;
  assign y_len = (one_band ? 32'(sfcur_q) * 32'(yplane_q)
                           : (pool_on ? 32'(snp_q) * 32'(d.pool_fo)
                                      : 32'(secur_q) * 32'(d.fo))) * (oq ? 32'd1 : 32'd2);

  logic rd_fire;
  assign rd_fire = rd_valid_i && rd_ready_o;

  always_comb begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o  = AddrW'(daddr_q);
    rd_cmd_len_o   = 32'(DescHalf);
    rd_ready_o     = 1'b0;
    wr_cmd_valid_o = 1'b0;
    wr_cmd_addr_o  = y_cmd_addr;
    wr_cmd_len_o   = y_len;
    wr_valid_o     = 1'b0;
    wr_data_o      = '0;
    host_we_o      = 1'b0;
    host_re_o      = 1'b0;
    host_area_o    = 2'd2;
    host_bank_o    = ColW'(32'(shs_q) * 32'(d.e) + 32'(sj_q));
    host_waddr_o   = HostAW'(cnt_q + (state_q == StXData ? 32'(cfg_q.if_base)
                                                         : 32'(cfg_q.flt_base)));
    host_raddr_o   = PsAW'(saddr_q);
    host_wdata_o   = rd_data_i;
    unique case (state_q)
      StDCmd:   rd_cmd_valid_o = 1'b1;
      StDFetch: rd_ready_o = 1'b1;
      StXCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = x_cmd_addr;
        rd_cmd_len_o   = x_len;
      end
      StWCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = w_cmd_addr;
        rd_cmd_len_o   = w_len;
      end
      StPCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = p_cmd_addr;
        rd_cmd_len_o   = 32'(fcur_q) * 32'd8;
      end
      StPData: rd_ready_o = 1'b1;
      StXData, StWData: begin
        rd_ready_o  = 1'b1;
        host_we_o   = rd_valid_i;
        host_area_o = state_q == StXData ? 2'd0 : 2'd1;
      end
      default: ;
    endcase
    unique case (sstate_q)
      SCmd: wr_cmd_valid_o = y_len != '0;
      SRd:  host_re_o = s_issue && !s_virt;
      default: ;
    endcase
    wr_valid_o = oq_valid;
    wr_data_o  = oq_data;
  end

  assign core_cfg_o   = run_cfg_q;
  assign core_start_o = rstate_q == RStart;
  assign core_abort_o = abort_i;
  assign busy_o       = state_q != StIdle || sstate_q != SIdle || rstate_q != RIdle;

  // ---------------------------------------------------------------------------------------
  // Sequencer
  // ---------------------------------------------------------------------------------------
  logic core_done_q;   // done of the core seen rising
  always_ff @(posedge clk_i) begin
    if (!rst_ni) core_done_q <= 1'b0;
    else core_done_q <= core_done_i;
  end

  // A state that finds an error ends the chain with it.
  logic [7:0] fail_code;
  always_comb begin
    fail_code = ey_pkg::ErrNone;
    unique case (state_q)
      StDAddr:  fail_code = addr_err;
      StCheck1: if (rd_err_i != 2'b00) fail_code = axi_err(rd_err_i, 1'b1);
      StCheck3: fail_code = check_err;
      StHand:   if (rd_idle_i && rstate_q == RIdle && sstate_q == SIdle && rd_err_i != 2'b00) begin
        fail_code = axi_err(rd_err_i, 1'b1);
      end
      StDEnd:   if (wr_idle_i && sstate_q == SIdle && rstate_q == RIdle && wr_err_i != 2'b00) begin
        fail_code = axi_err(wr_err_i, 1'b0);
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      desc_q     <= '0;
      daddr_q    <= '0;
      idx_q      <= '0;
      cnt_q      <= '0;
      done_o     <= 1'b0;
      error_o    <= 1'b0;
      err_code_o <= '0;
      err_desc_o <= '0;
      tp_q <= '0; rq_q <= '0; hw_q <= '0; rs_q <= '0; crs_q <= '0;
      sf_q <= '0; ef_q <= '0; wn_q <= '0; dmax_q <= '0;
      pefp_q <= '0; yplane_q <= '0; vcols_q <= '0; vrows_q <= '0;
      nxt_q <= '0; nrend_q <= '0; bpa_q <= '0; bnp_q <= '0; brend_q <= '0;
      xbytes_q <= '0; wbytes_q <= '0; ybytes_q <= '0; ppbytes_q <= '0;
      g_q <= '0; n0_q <= '0; m0_q <= '0; blk0_q <= '0;
      ncur_q <= '0; fcur_q <= '0; mbcur_q <= '0; img_q <= '0;
      c0_q <= '0; cblk0_q <= '0; ccur_q <= '0; cbcur_q <= '0; cc_q <= '0; widx_q <= '0;
      xc_q <= '0; tcnt_q <= '0; sbe_q <= '0; hbmw_q <= '0;
      s0_q <= '0; y0_q <= '0; ecur_q <= '0; sbcur_q <= '0; lo_q <= '0; hb_q <= '0; ptb_q <= '0;
      r0_q <= '0; hbw_q <= '0;
      cfg_q <= '0;
      x_pp_q <= 1'b0; w_pp_q <= 1'b0; x_half_q <= 1'b0; w_half_q <= 1'b0;
      p_half_q <= 1'b0; p_base_q <= '0; pb_q <= '0; pm_q <= '0;
    end else if (abort_i) begin
      state_q <= StAbort;
    end else if (fail_code != ey_pkg::ErrNone) begin
      error_o    <= 1'b1;
      err_code_o <= fail_code;
      err_desc_o <= idx_q;
      state_q    <= StIdle;
    end else begin
      unique case (state_q)
        StIdle: if (start_i) begin
          done_o     <= 1'b0;
          error_o    <= 1'b0;
          err_code_o <= '0;
          err_desc_o <= '0;
          daddr_q    <= desc_base_i;
          idx_q      <= '0;
          state_q    <= StDAddr;
        end
        StDAddr: begin
          cnt_q   <= '0;
          state_q <= StDCmd;
        end
        StDCmd: if (rd_cmd_ready_i) state_q <= StDFetch;
        StDFetch: if (rd_fire) begin
          desc_q <= {rd_data_i, desc_q[DescBits-1:16]};
          cnt_q  <= cnt_q + 1'b1;
          if (cnt_q == 32'(DescHalf - 1)) state_q <= StCheck1;
        end
        StCheck1: begin
          begin
            tp_q   <= 14'(d.t) * 14'(d.p);
            rq_q   <= 11'(d.r) * 11'(d.q);
            hw_q   <= 20'(d.h) * 20'(d.w);
            rs_q   <= 11'(d.kr) * 11'(d.ks);
            sf_q   <= 20'(d.sb) * 20'(d.fo);
            sbe_q  <= 16'(d.sb) * 16'(d.e);
            ef_q   <= 20'(d.eo) * 20'(d.fo);
            pefp_q <= 20'(d.pool_eo) * 20'(d.pool_fo);
            wn_q   <= (15'(d.fo) - 15'd1) * 15'(d.uw) + 15'(d.ks);
            dmax_q <= (11'(d.rg) - 11'd1) + (11'(d.e) - 11'd1) * 11'(d.uh);
            state_q <= StCheck2;
          end
        end
        StCheck2: begin
          cc_q     <= (32'(d.cbc) * 32'(rq_q) < 32'(d.cg)) ? 13'(32'(d.cbc) * 32'(rq_q)) : d.cg;
          // Ifmap rows of the largest band: all h with one band (whole channels are loaded).
          hbmw_q   <= (one_band || (32'(sbe_q) - 32'd1) * 32'(d.uh) + 32'(d.kr) >= 32'(d.h)) ?
                      hw_q : 20'(((32'(sbe_q) - 32'd1) * 32'(d.uh) + 32'(d.kr)) * 32'(d.w));
          crs_q    <= 24'(d.cg) * 24'(rs_q);
          xbytes_q <= 64'(d.n) * 64'(d.groups) * 64'(d.cg) * 64'(hw_q) * 64'd2;
          wbytes_q <= 64'(d.groups) * 64'(d.mg) * 64'(d.cg) * 64'(rs_q) * 64'd2;
          ybytes_q <= 64'(d.n) * 64'(d.groups) * 64'(d.mg) *
                      (pool_on ? 64'(pefp_q) * 64'd2 : 64'(ef_q) * (oq ? 64'd2 : 64'd4));
          yplane_q <= pool_on ? pefp_q : ef_q;
          // The last window's far edge, (pool_fo-1)*sw - pl + kw - 1, past fo - 1 (same rows).
          vcols_q  <= (32'(d.pool_fo) - 32'd1) * 32'(d.pool_sw) + 32'(d.pool_kw) - 32'd1 >
                      32'(d.fo) - 32'd1 + 32'(d.pool_pl) ?
                      2'((32'(d.pool_fo) - 32'd1) * 32'(d.pool_sw) + 32'(d.pool_kw) -
                         32'(d.fo) - 32'(d.pool_pl)) : 2'd0;
          vrows_q  <= (32'(d.pool_eo) - 32'd1) * 32'(d.pool_sh) + 32'(d.pool_kh) - 32'd1 >
                      32'(d.eo) - 32'd1 + 32'(d.pool_pt) ?
                      2'((32'(d.pool_eo) - 32'd1) * 32'(d.pool_sh) + 32'(d.pool_kh) -
                         32'(d.eo) - 32'(d.pool_pt)) : 2'd0;
          ppbytes_q <= 64'(d.groups) * 64'(d.mg) * 64'd16;
          state_q  <= StCheck3;
        end
        StCheck3: begin
          begin
            g_q    <= '0;
            n0_q   <= '0;
            m0_q   <= '0;
            blk0_q <= '0;
            c0_q    <= '0;
            cblk0_q <= '0;
            s0_q    <= '0;
            y0_q    <= '0;
            x_pp_q   <= 64'(d.nb) * 64'(cc_q) * 64'(hbmw_q) <= 64'(IfHalf);
            w_pp_q   <= chunk_filt * 64'(cc_q) * 64'(rs_q) <= 64'(FltHalf);
            x_half_q <= 1'b1;  // the first loads go to the lower halves
            w_half_q <= 1'b1;
            p_half_q <= 1'b1;
            // The parts of the layer record that are the same for every chunk.
            cfg_q.w          <= d.w;
            cfg_q.kr         <= d.kr;
            cfg_q.ks         <= d.ks;
            cfg_q.fo         <= d.fo;
            cfg_q.uh         <= d.uh;
            cfg_q.uw         <= d.uw;
            cfg_q.pad_left   <= d.pad_left;
            cfg_q.e          <= d.e;
            cfg_q.p          <= d.p;
            cfg_q.q          <= d.q;
            cfg_q.r          <= d.r;
            cfg_q.t          <= d.t;
            cfg_q.rg         <= d.rg;
            cfg_q.nrg        <= d.nrg;
            cfg_q.tv         <= d.tv;
            cfg_q.th         <= d.th;
            cfg_q.wn         <= 11'(wn_q);
            cfg_q.dmax       <= 8'(dmax_q);
            cfg_q.rs         <= 12'(rs_q);
            state_q <= StBand1;
          end
        end
        // A new row band: its rows, strips and first window row, then the ifmap rows it loads.
        StBand1: begin
          if (y0_q == '0) begin
            nxt_q   <= '0;
            nrend_q <= 12'(d.pool_kh) - 12'd1 - 12'(d.pool_pt);
          end
          ecur_q  <= (32'(d.eo) - 32'(y0_q) > 32'(sbe_q)) ? 10'(sbe_q) : d.eo - y0_q;
          sbcur_q <= (d.strips - s0_q > d.sb) ? d.sb : d.strips - s0_q;
          r0_q    <= $signed(18'(32'(y0_q) * 32'(d.uh))) - $signed(18'(d.pad_top));
          state_q <= StBand2;
        end
        StBand2: begin
          if (one_band) begin
            lo_q  <= '0;
            hb_q  <= d.h;
            ptb_q <= d.pad_top;
          end else begin
            lo_q  <= r0_q < 0 ? '0 : 10'(r0_q);
            hb_q  <= 10'((r1 > $signed(18'(d.h) - 18'sd1) ? $signed(18'(d.h) - 18'sd1) : r1) -
                         (r0_q < 0 ? 18'sd0 : r0_q) + 18'sd1);
            ptb_q <= r0_q < 0 ? 6'(-r0_q) : '0;
          end
          state_q <= StBand3;
        end
        StBand3: begin
          hbw_q            <= 20'(32'(hb_q) * 32'(d.w));
          cfg_q.h          <= hb_q;
          cfg_q.pad_top    <= ptb_q;
          cfg_q.eo         <= ecur_q;
          cfg_q.strips     <= sbcur_q;
          cfg_q.hw         <= 20'(32'(hb_q) * 32'(d.w));
          bpa_q            <= nxt_q;
          brend_q          <= nrend_q;
          bnp_q            <= '0;
          state_q          <= StBandP;
        end
        // One pooled row per cycle while the band closes it.
        StBandP: begin
          if (pool_on && 32'(nxt_q) < 32'(d.pool_eo) &&
              (last_band || 32'(nrend_q) < 32'(y0_q) + 32'(ecur_q))) begin
            nxt_q   <= nxt_q + 1'b1;
            nrend_q <= nrend_q + 12'(d.pool_sh);
            bnp_q   <= bnp_q + 1'b1;
          end else begin
            state_q <= StChunk;
          end
        end
        StChunk: begin
          ncur_q  <= (d.n - n0_q > 16'(d.nb)) ? d.nb : 8'(d.n - n0_q);
          fcur_q  <= ((32'(d.mg) - 32'(m0_q)) > 32'(d.mbc) * 32'(tp_q)) ? 13'(32'(d.mbc) * 32'(tp_q))
                                                                 : d.mg - m0_q;
          mbcur_q <= (d.mb - blk0_q > d.mbc) ? d.mbc : d.mb - blk0_q;
          ccur_q  <= (d.cg - c0_q > cc_q) ? cc_q : d.cg - c0_q;
          cbcur_q <= (d.cb - cblk0_q > d.cbc) ? d.cbc : d.cb - cblk0_q;
          img_q   <= '0;
          xc_q    <= '0;
          widx_q  <= '0;
          cnt_q   <= '0;
          tcnt_q  <= '0;
          state_q <= StLoad;
        end
        // An area the running chunk reads is loaded only into its other half; without halves,
        // only once the run is over.
        StLoad: if (rstate_q == RIdle || !((load_x && !x_pp_q) || (load_w && !w_pp_q))) begin
          if (load_x) begin
            x_half_q      <= x_pp_q && !x_half_q;
            cfg_q.if_base <= (x_pp_q && !x_half_q) ? 16'(IfHalf) : '0;
          end
          if (load_w) begin
            w_half_q       <= w_pp_q && !w_half_q;
            cfg_q.flt_base <= (w_pp_q && !w_half_q) ? 16'(FltHalf) : '0;
          end
          if (load_p) begin
            p_half_q <= !p_half_q;
            p_base_q <= p_half_q ? '0 : PpAW'(PpHalf);
          end
          state_q <= load_x ? StXCmd : load_w ? StWCmd : StRun;
        end
        StXCmd: if (rd_cmd_ready_i) state_q <= StXData;
        StXData: if (rd_fire) begin
          cnt_q  <= cnt_q + 1'b1;
          tcnt_q <= tcnt_q + 1'b1;
          if (tcnt_q + 1'b1 == x_len) begin
            tcnt_q  <= '0;
            state_q <= StXCmd;
            if (!one_band && 32'(xc_q) + 32'd1 < 32'(ccur_q)) begin
              xc_q <= xc_q + 1'b1;
            end else if (img_q + 1'b1 == ncur_q) begin
              cnt_q   <= '0;
              state_q <= load_w ? StWCmd : StRun;
            end else begin
              xc_q  <= '0;
              img_q <= img_q + 1'b1;
            end
          end
        end
        StWCmd: if (rd_cmd_ready_i) state_q <= StWData;
        StWData: if (rd_fire) begin
          cnt_q <= cnt_q + 1'b1;
          if (cnt_q + 1'b1 == (32'(widx_q) + 32'd1) * w_len) begin
            if (w_whole || widx_q + 1'b1 == fcur_q) begin
              cnt_q   <= '0;
              state_q <= load_p ? StPCmd : StRun;
            end else begin
              widx_q  <= widx_q + 1'b1;
              state_q <= StWCmd;
            end
          end
        end
        StPCmd: if (rd_cmd_ready_i) state_q <= StPData;
        // 8 words per entry: bias (2), mult (2), shift, 3 unused.
        StPData: if (rd_fire) begin
          cnt_q <= cnt_q + 1'b1;
          unique case (cnt_q[2:0])
            3'd0: pb_q[15:0]  <= rd_data_i;
            3'd1: pb_q[31:16] <= rd_data_i;
            3'd2: pm_q[15:0]  <= rd_data_i;
            3'd3: pm_q[31:16] <= rd_data_i;
            default: ;
          endcase
          if (cnt_q + 1'b1 == 32'(fcur_q) * 32'd8) state_q <= StRun;
        end
        StRun: begin
          state_q          <= StHand;
          cfg_q.n          <= ncur_q;
          cfg_q.mg         <= fcur_q;
          cfg_q.mb         <= mbcur_q;
          cfg_q.lane_outer <= 20'(32'(ncur_q) * 32'(sbcur_q) * 32'(d.fo));
          cfg_q.cg         <= ccur_q;
          cfg_q.cb         <= cbcur_q;
          cfg_q.chw        <= 24'(32'(ccur_q) * 32'(hbw_q));
          cfg_q.crs        <= 20'(32'(ccur_q) * 32'(rs_q));
          cfg_q.acc_in     <= c0_q != '0;
        end
        // Wait for the last load's response status (fail_code), then for the array and the
        // psum banks.
        StHand: if (hand) state_q <= StNext;
        StNext: begin
          state_q <= StChunk;
          if (32'(c0_q) + 32'(ccur_q) < 32'(d.cg)) begin
            c0_q    <= c0_q + ccur_q;
            cblk0_q <= cblk0_q + cbcur_q;
          end else if ((32'(d.mg) - 32'(m0_q)) > 32'(fcur_q)) begin
            c0_q    <= '0;
            cblk0_q <= '0;
            m0_q   <= m0_q + fcur_q;
            blk0_q <= blk0_q + mbcur_q;
          end else begin
            c0_q    <= '0;
            cblk0_q <= '0;
            m0_q   <= '0;
            blk0_q <= '0;
            state_q <= StBand1;
            if (32'(s0_q) + 32'(sbcur_q) < 32'(d.strips)) begin
              s0_q <= s0_q + d.sb;
              y0_q <= y0_q + 10'(sbe_q);
            end else begin
              s0_q <= '0;
              y0_q <= '0;
              if (d.n - n0_q > 16'(ncur_q)) begin
                n0_q <= n0_q + 16'(ncur_q);
              end else begin
                n0_q <= '0;
                if (g_q + 1'b1 != d.groups) g_q <= g_q + 1'b1;
                else state_q <= StDEnd;
              end
            end
          end
        end
        StDEnd: if (wr_idle_i && sstate_q == SIdle && rstate_q == RIdle) begin
          if (d.next == '0) begin
            done_o  <= 1'b1;
            state_q <= StIdle;
          end else begin
            daddr_q <= d.next;
            idx_q   <= idx_q + 1'b1;
            state_q <= StDAddr;
          end
        end
        StAbort: if (rd_idle_i && wr_idle_i && !core_busy_i) state_q <= StIdle;
        default: state_q <= StIdle;
      endcase
    end
  end


  // Run sequencer: one chunk at a time, after the previous chunk's store.
  assign hand = state_q == StHand && rd_idle_i && rd_err_i == 2'b00 && rstate_q == RIdle &&
                sstate_q == SIdle;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      rstate_q <= RIdle;
      run_cfg_q <= '0;
      rn0_q <= '0; rg_q <= '0; rm0_q <= '0; rfcur_q <= '0; rncur_q <= '0;
      ry0_q <= '0; recur_q <= '0; rsb_q <= '0; rlast_q <= 1'b0; rp_base_q <= '0;
      rpa_q <= '0; rnp_q <= '0; rrend_q <= '0;
    end else begin
      unique case (rstate_q)
        RIdle: if (hand) begin
          run_cfg_q <= cfg_q;
          rn0_q     <= n0_q;
          rg_q      <= g_q;
          rm0_q     <= m0_q;
          rfcur_q   <= fcur_q;
          rncur_q   <= ncur_q;
          ry0_q     <= y0_q;
          recur_q   <= ecur_q;
          rsb_q     <= sbcur_q;
          rp_base_q <= p_base_q;
          rlast_q   <= 32'(c0_q) + 32'(ccur_q) == 32'(d.cg);
          rpa_q     <= bpa_q;
          rnp_q     <= bnp_q;
          rrend_q   <= brend_q;
          rstate_q  <= RStart;
        end
        RStart: rstate_q <= RWait;
        RWait: if (core_done_i && !core_done_q) rstate_q <= RIdle;
        default: rstate_q <= RIdle;
      endcase
    end
  end

  // Store sequencer: the chunk's outputs, image by image, row by row, from the psum banks
  // through the output path to DRAM. A row's entry of the output-path table is read as the
  // row starts; then one psum is read per cycle while the output queue has room for it and
  // everything in flight.
  assign store_go = rstate_q == RWait && core_done_i && !core_done_q && rlast_q;

  localparam int unsigned OqDepth = 16;  // > the path's latency (7), for one output per cycle
  logic        s_issue;                 // a psum read goes out this cycle
  logic [4:0]  pv_q;                    // valid bits of the path's stages
  logic        v5_q;                    // the pooling stage holds a window row's maximum
  logic        oq_valid, oq_ready, oq_push;
  logic [31:0] oq_data, oq_in;
  logic [$clog2(OqDepth+1)-1:0] oq_count;
  assign s_issue = sstate_q == SRd &&
                   32'(oq_count) + 32'(pv_q[0]) + 32'(pv_q[1]) + 32'(pv_q[2]) + 32'(pv_q[3]) +
                   32'(pv_q[4]) + 32'(v5_q) < 32'(OqDepth);
  assign pp_re    = sstate_q == SRow;
  assign pp_raddr = sp_base_q + PpAW'(smm_q);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      sstate_q <= SIdle;
      sn0_q <= '0; sg_q <= '0; sm0_q <= '0; sfcur_q <= '0; sncur_q <= '0; simg_q <= '0;
      sblk_q <= '0; shs_q <= '0; sv_q <= '0; sk_q <= '0; ssp_q <= '0; sx_q <= '0; sj_q <= '0;
      smm_q <= '0; sy_q <= '0; saddr_q <= '0; sy0_q <= '0; secur_q <= '0; ssb_q <= '0;
      sp_base_q <= '0; spa_q <= '0; snp_q <= '0; srend_q <= '0; slastb_q <= 1'b0;
    end else begin
      unique case (sstate_q)
        SIdle: if (store_go) begin
          // Outputs leave after the last channel chunk; before it they stay in the banks.
          sn0_q    <= rn0_q;
          sg_q     <= rg_q;
          sm0_q    <= rm0_q;
          sfcur_q  <= rfcur_q;
          sncur_q  <= rncur_q;
          sy0_q    <= ry0_q;
          secur_q  <= recur_q;
          ssb_q    <= rsb_q;
          sp_base_q <= rp_base_q;
          spa_q    <= rpa_q;
          snp_q    <= rnp_q;
          srend_q  <= rrend_q;
          slastb_q <= 32'(ry0_q) + 32'(recur_q) >= 32'(d.eo);
          simg_q   <= '0;
          sblk_q <= '0; shs_q <= '0; sv_q <= '0; sk_q <= '0; smm_q <= '0;
          ssp_q <= '0; sj_q <= '0; sy_q <= '0; sx_q <= '0;
          sstate_q <= SCmd;
        end
        SCmd: if (wr_cmd_ready_i || y_len == '0) sstate_q <= SRow;
        SRow: begin
          saddr_q <= row_base;
          sx_q    <= '0;
          sstate_q <= SRd;
        end
        SRd: if (s_issue) begin
          if (!last_x) begin
            sx_q    <= sx_q + 1'b1;
            saddr_q <= saddr_q + 32'(tvc) * 32'(d.p);
          end else begin
            sstate_q <= SRow;
            if (!last_row) begin
              sy_q <= sy_q + 1'b1;
              if (sj_q == d.e - 1'b1) begin
                sj_q  <= '0;
                ssp_q <= ssp_q + 1'b1;
              end else begin
                sj_q <= sj_q + 1'b1;
              end
            end else begin
              sy_q <= '0; sj_q <= '0; ssp_q <= '0;
              if (!last_mm) begin
                smm_q <= smm_q + 1'b1;
                if (!one_band) sstate_q <= SCmd;  // one transfer per filter
                if (sk_q == d.p - 1'b1) begin
                  sk_q <= '0;
                  if (32'(shs_q) * 32'(d.tv) + 32'(sv_q) == 32'(d.t) - 1) begin
                    shs_q  <= '0;
                    sv_q   <= '0;
                    sblk_q <= sblk_q + 1'b1;
                  end else if (sv_q == 8'(d.tv) - 8'd1) begin
                    sv_q  <= '0;
                    shs_q <= shs_q + 1'b1;
                  end else begin
                    sv_q <= sv_q + 1'b1;
                  end
                end else begin
                  sk_q <= sk_q + 1'b1;
                end
              end else if (simg_q + 1'b1 == sncur_q) begin
                sstate_q <= SDrain;
              end else begin
                simg_q  <= simg_q + 1'b1;
                sblk_q <= '0; shs_q <= '0; sv_q <= '0; sk_q <= '0; smm_q <= '0;
                sstate_q <= SCmd;
              end
            end
          end
        end
        // The last outputs pass the path and the queue into the DMA.
        SDrain: if (pv_q == '0 && !v5_q && !oq_valid) sstate_q <= SIdle;
        default: sstate_q <= SIdle;
      endcase
    end
  end

  // Output path (ARCHITECTURE.md, golden.h): acc + bias (AccW, wrapping), then with post bit 1
  // y = sat16((acc * mult + round) >>> shift), round = shift ? 1 << (shift - 1) : 0, then ReLU
  // or leaky ReLU (the same rule with lk_mult, lk_shift). Stage 0 is the psum bank read; each
  // stage carries the parameters of its output's filter.
  function automatic logic signed [15:0] sat16(input logic signed [63:0] v);
    if (v > 64'sd32767) sat16 = 16'sh7fff;
    else if (v < -64'sd32768) sat16 = -16'sh8000;
    else sat16 = v[15:0];
  endfunction
  function automatic logic signed [63:0] rnd(input logic [5:0] sh);
    rnd = sh == '0 ? 64'sd0 : 64'sd1 <<< (sh - 6'd1);
  endfunction

  logic [31:0] p0_bias, p0_mult;
  logic [5:0]  p0_shift, p1_shift, p2_shift;
  logic [31:0] p1_mult;
  logic [31:0] a1_q, a2_q, a3_q;
  logic signed [63:0] prod2_q, prod1;
  assign prod1 = $signed(a1_q) * $signed(p1_mult);
  logic signed [15:0] y3_q;
  logic [31:0] out4_q;
  logic signed [63:0] lk_prod;
  logic signed [63:0] rq;
  assign rq      = (prod2_q + rnd(p2_shift)) >>> p2_shift;
  // 16 x 16 and 32 x 32 signed multipliers with 32- and 64-bit products.
  logic signed [31:0] lk_mul;
  assign lk_mul  = y3_q * $signed(d.lk_mult);
  assign lk_prod = ($signed({{32{lk_mul[31]}}, lk_mul}) + rnd(d.lk_shift)) >>> d.lk_shift;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      pv_q <= '0;
    end else begin
      pv_q <= {pv_q[3:0], s_issue};
    end
  end

  always_ff @(posedge clk_i) begin
    // Stage 0: the psum read is out; the row's table entry is on pp_rdata.
    if (s_issue) begin
      p0_bias  <= d.post[0] ? pp_rdata[31:0] : '0;
      p0_mult  <= pp_rdata[63:32];
      p0_shift <= pp_rdata[69:64];
    end
    // Stage 1: the psum is on host_rdata_i; add the bias.
    if (pv_q[0]) begin
      a1_q     <= host_rdata_i + p0_bias;
      p1_mult  <= p0_mult;
      p1_shift <= p0_shift;
    end
    // Stage 2: the product, exact in 64 bits.
    if (pv_q[1]) begin
      a2_q     <= a1_q;
      prod2_q  <= prod1;
      p2_shift <= p1_shift;
    end
    // Stage 3: round, shift, saturate.
    if (pv_q[2]) begin
      a3_q <= a2_q;
      y3_q <= sat16(rq);
    end
    // Stage 4: activation, and the word that leaves.
    if (pv_q[3]) begin
      if (!oq) out4_q <= a3_q;
      else if (d.post[2]) out4_q <= {16'b0, y3_q < 0 ? 16'sd0 : y3_q};
      else if (d.post[3]) out4_q <= {16'b0, y3_q < 0 ? sat16(lk_prod) : y3_q};
      else out4_q <= {16'b0, y3_q};
    end
  end

  // Max pooling (post bit 1 outputs, pool_kh != 0). Each output carries its ofmap row (global,
  // -inf rows past the ofmap included), column, -inf flag and the line-buffer offset of its
  // plane (0 with one band: a plane's rows are all in one store). Stage 5 takes the maximum
  // along a window's row as its last column passes (a shift register of the two columns
  // before); stage 6 adds the two rows before it from the line buffer (row r sits in buffer
  // r mod 2, read before it is overwritten by row r + 2) once the row that closes the window
  // passes, and pushes the pooled output. The line buffer keeps, per plane, the rows a window
  // needs from the band before.
  localparam logic signed [15:0] NegInf = 16'sh8000;   // never wins over a real output
  logic [5*11-1:0]    trow_q, tcol_q;
  logic [5*PlAW-1:0]  tlb_q;
  logic [4:0]         tvirt_q;
  logic [PlAW-1:0]    s_lb;
  assign s_lb = one_band ? '0 : PlAW'((32'(simg_q) * 32'(d.mg) + 32'(sm0_q) + 32'(smm_q)) *
                                      32'(d.pool_fo));
  always_ff @(posedge clk_i) begin
    trow_q  <= {trow_q[4*11-1:0], 11'(sy0_q) + sy_q};
    tcol_q  <= {tcol_q[4*11-1:0], sx_q};
    tlb_q   <= {tlb_q[4*PlAW-1:0], s_lb};
    tvirt_q <= {tvirt_q[3:0], s_virt};
  end
  logic [10:0]      row4, col4;
  logic [PlAW-1:0]  lb4;
  assign row4 = trow_q[5*11-1 -: 11];
  assign col4 = tcol_q[5*11-1 -: 11];
  assign lb4  = tlb_q[5*PlAW-1 -: PlAW];

  function automatic logic signed [15:0] max2(input logic signed [15:0] a,
                                              input logic signed [15:0] b);
    max2 = a > b ? a : b;
  endfunction

  // Stage 5: along the row.
  logic signed [15:0] v4, hs0, hs1, hmax;
  logic signed [15:0] hsr0_q, hsr1_q;
  logic [10:0]        hpc_q, hpc;        // pooled column whose window closes next
  logic [11:0]        hcend_q, hcend;    // its last ofmap column
  logic               hemit;
  assign v4    = tvirt_q[4] ? NegInf : $signed(out4_q[15:0]);
  assign hs0   = col4 == '0 ? NegInf : hsr0_q;
  assign hs1   = col4 == '0 ? NegInf : hsr1_q;
  assign hpc   = col4 == '0 ? '0 : hpc_q;
  assign hcend = col4 == '0 ? 12'(d.pool_kw) - 12'd1 - 12'(d.pool_pl) : hcend_q;
  assign hmax  = max2(v4, max2(d.pool_kw >= 4'd2 ? hs0 : NegInf,
                               d.pool_kw >= 4'd3 ? hs1 : NegInf));
  assign hemit = pool_on && pv_q[4] && 12'(col4) == hcend && 32'(hpc) < 32'(d.pool_fo);

  logic signed [15:0] h5_q;
  logic [10:0]        r5_q, pc5_q;
  logic [PlAW-1:0]    a5_q;
  logic               fwd_q, fwd_slot_q;   // stage 6 wrote the address stage 5 read
  logic signed [15:0] fwd_data_q;
  logic [15:0]        lb0_rdata, lb1_rdata;
  logic               lb_we;
  logic [PlAW-1:0]    lb_raddr;
  assign lb_we    = v5_q;
  assign lb_raddr = lb4 + PlAW'(hpc);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      v5_q <= 1'b0;
    end else begin
      v5_q <= hemit;
    end
  end
  always_ff @(posedge clk_i) begin
    if (pv_q[4]) begin
      hsr0_q  <= v4;
      hsr1_q  <= hs0;
      hpc_q   <= hemit ? hpc + 1'b1 : hpc;
      hcend_q <= hemit ? hcend + 12'(d.pool_sw) : hcend;
    end
    h5_q       <= hmax;
    r5_q       <= row4;
    pc5_q      <= hpc;
    a5_q       <= lb_raddr;
    fwd_q      <= lb_we && a5_q == lb_raddr;
    fwd_slot_q <= r5_q[0];
    fwd_data_q <= h5_q;
  end

  ey_sram_2p #(.Depth(PoolWords), .Width(16)) u_lb0 (
    .clk_i   (clk_i),
    .we_i    (lb_we && !r5_q[0]),
    .waddr_i (a5_q),
    .wdata_i (h5_q),
    .re_i    (hemit),
    .raddr_i (lb_raddr),
    .rdata_o (lb0_rdata)
  );
  ey_sram_2p #(.Depth(PoolWords), .Width(16)) u_lb1 (
    .clk_i   (clk_i),
    .we_i    (lb_we && r5_q[0]),
    .waddr_i (a5_q),
    .wdata_i (h5_q),
    .re_i    (hemit),
    .raddr_i (lb_raddr),
    .rdata_o (lb1_rdata)
  );

  // Stage 6: across rows. npr / nrend: the pooled row whose windows close next and the ofmap
  // row that closes them; each plane of the band starts at the band's first pooled row.
  logic signed [15:0] lbd0, lbd1, prev1, prev2, vmax;
  logic [9:0]         npr_q, npr;
  logic [11:0]        nrend_s_q, nrend_s;
  logic               vclose, vemit;
  assign lbd0    = (fwd_q && !fwd_slot_q) ? fwd_data_q : $signed(lb0_rdata);
  assign lbd1    = (fwd_q && fwd_slot_q) ? fwd_data_q : $signed(lb1_rdata);
  assign prev1   = r5_q[0] ? lbd0 : lbd1;   // row r - 1
  assign prev2   = r5_q[0] ? lbd1 : lbd0;   // row r - 2
  assign vmax    = max2(h5_q, max2((d.pool_kh >= 4'd2 && r5_q >= 11'd1) ? prev1 : NegInf,
                                   (d.pool_kh >= 4'd3 && r5_q >= 11'd2) ? prev2 : NegInf));
  assign npr     = (r5_q == 11'(sy0_q) && pc5_q == '0) ? spa_q : npr_q;
  assign nrend_s = (r5_q == 11'(sy0_q) && pc5_q == '0) ? srend_q : nrend_s_q;
  assign vclose  = 12'(r5_q) == nrend_s && 32'(npr) < 32'(d.pool_eo);
  assign vemit   = v5_q && vclose;

  always_ff @(posedge clk_i) begin
    if (v5_q) begin
      npr_q     <= (vclose && 32'(pc5_q) == 32'(d.pool_fo) - 32'd1) ? npr + 1'b1 : npr;
      nrend_s_q <= (vclose && 32'(pc5_q) == 32'(d.pool_fo) - 32'd1) ? nrend_s + 12'(d.pool_sh)
                                                                     : nrend_s;
    end
  end

  assign oq_push = pool_on ? vemit : pv_q[4];
  assign oq_in   = pool_on ? {16'b0, vmax} : out4_q;

  ey_fifo #(.Depth(OqDepth), .Width(32)) u_oq (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (abort_i),
    .valid_i (oq_push),
    .ready_o (oq_ready),
    .data_i  (oq_in),
    .valid_o (oq_valid),
    .ready_i (wr_ready_i),
    .data_o  (oq_data),
    .count_o (oq_count)
  );
  assign wr_wide_o = !oq;

`ifndef SYNTHESIS
  `EY_ASSERT(OutputQueueHasRoom, oq_push |-> oq_ready, clk_i, rst_ni)
`endif

  // ---------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------
  logic chain_start;
  assign chain_start = state_q == StIdle && start_i && !abort_i;
  assign dma_err_clr_o = chain_start;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || chain_start) begin
      cnt_cycles_o   <= '0;
      cnt_rd_bytes_o <= '0;
      cnt_wr_bytes_o <= '0;
      cnt_stall_o    <= '0;
      cnt_descs_o    <= '0;
      core_cnt_o     <= '0;
    end else begin
      if (busy_o) cnt_cycles_o <= cnt_cycles_o + 1'b1;
      if (busy_o && !core_busy_i) cnt_stall_o <= cnt_stall_o + 1'b1;
      if (rd_cmd_valid_o && rd_cmd_ready_i) cnt_rd_bytes_o <= cnt_rd_bytes_o + {rd_cmd_len_o[30:0], 1'b0};
      if (wr_cmd_valid_o && wr_cmd_ready_i) cnt_wr_bytes_o <= cnt_wr_bytes_o + {wr_cmd_len_o[30:0], 1'b0};
      if (state_q == StDEnd && wr_idle_i && sstate_q == SIdle && rstate_q == RIdle &&
          wr_err_i == 2'b00) begin
        cnt_descs_o <= cnt_descs_o + 1'b1;
      end
      // The core's counters restart at each of its runs: add a run's totals when it is done.
      if (rstate_q == RWait && core_done_i && !core_done_q) begin
        for (int unsigned k = 0; k < NumCore; k++) begin
          core_cnt_o[k*32 +: 32] <= core_cnt_o[k*32 +: 32] + core_cnt_i[k*32 +: 32];
        end
      end
    end
  end

`ifndef SYNTHESIS
  `EY_ASSERT(DescOrderMatchesStruct, state_q == StCheck3 |-> d.magic == desc_q[15:0], clk_i,
             rst_ni)
`endif

endmodule
