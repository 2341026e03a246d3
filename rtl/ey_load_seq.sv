// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Load sequencer of the descriptor walker: fetches a chain of layer descriptors
// (rtl/desc.def) from DRAM, has each one checked (rtl/ey_desc_check.sv), walks the layer's
// tiling loops and loads each chunk's operands into the GLB, then hands the chunk to the run
// sequencer (rtl/ey_run_seq.sv). It owns the chain's status (done, error and its code).
//
// Over 500 lines, for now: about 150 of them are the two-process register lists of its ~45
// registers. The chain part (descriptor address, fetch, check cycles, descriptor end, status)
// and the tiling loops share this one state machine and the read DMA port; they would split
// along a start/done handshake (StCheckErr -> StBandRows, StNextChunk -> StDescEnd), which
// is the next step, not yet built and compared cycle for cycle with the baseline.
//
//   for each group g, image chunk n0 (nb images), row band (sb strips of e ofmap rows),
//   filter chunk (mbc blocks of t*p filters), channel chunk c0 (cbc blocks of r*q channels):
//     load the chunk's images (its channels, the band's ifmap rows) into the GLB ifmap area,
//       unless they are still there from the segment's first filter chunk: with one channel
//       chunk, or when the images of all channel chunks fit the area at once (x_res; each
//       channel chunk then has its own slot, xslot words apart),
//     load the chunk's filters (its channels) into the GLB filter area, unless there is one
//       channel chunk and one filter chunk and they are there from the first image chunk and
//       band,
//     hand the chunk's layer record to the run sequencer; a later channel chunk adds onto the
//       psums the earlier ones left in the psum banks (acc_in),
//     with the last channel chunk's loads, load the output-path table entries of the chunk's
//       filters (post bits 0-1) into one half of the table (rtl/ey_ppu.sv).
//
// Row band b covers ofmap rows y0 = b*sb*e .. y0 + ecur - 1 and reads ifmap rows r0 = y0*uh -
// pad_top .. r1 = (y0 + ecur - 1)*uh - pad_top + kr - 1; the sequencer loads rows lo =
// max(r0, 0) .. min(r1, h - 1) (hb rows) and runs the band as a layer of hb rows, ecur output
// rows and lo - r0 rows of top padding. With one band (sb >= strips) it loads whole channels,
// one transfer per image; with several, one transfer per image and channel. Pooled, a band
// stores the pooled rows whose windows it closes (StBandPooledRows counts them).
//
// Ifmap and filter loads take the read DMA's stream a beat at a time (rd_wide_o: up to Lanes
// words a cycle, rd_cnt_i of them) and write them to consecutive GLB addresses in one cycle
// (ey_glb's areas are Lanes-way interleaved); the descriptor and the table take one word a
// cycle.
//
// The next chunk's loads overlap the array's run wherever the GLB allows: when one chunk's
// images (filters) fill at most half of the ifmap (filter) area, the two halves take turns
// (if_base / flt_base of the layer record), so the next chunk's data go into the half the
// array is not reading; otherwise that area's load waits for the run. Likewise, when an output
// chunk's psums fill at most half of each psum bank, output chunks take turns in the two
// halves (ps_base), so a chunk runs while the store reads the previous output chunk's psums;
// the output-path table entries of the output chunk after next then wait for that store
// (after the chunk's ifmaps and filters), which reads the half of the table they go to. An
// AXI error response is
// checked when the transfer that saw it has finished, so the bus and the array are always left
// idle. abort_i (CSR soft reset) stops the chain: the DMA engines drain what is on the bus and
// the sequencer returns to idle with no error.
`include "ey_assert.svh"

module ey_load_seq #(
  parameter int unsigned IfmapWords = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned PpWords     = 512,
  parameter int unsigned AddrW       = 32,
  parameter int unsigned Lanes       = 4,       // 16-bit words a read DMA handshake may carry
  localparam int unsigned LaneW  = $clog2(Lanes),
  localparam int unsigned IfAW   = $clog2(IfmapWords),
  localparam int unsigned FltAW  = $clog2(FilterWords),
  localparam int unsigned HostAW = (IfAW > FltAW) ? IfAW : FltAW,
  localparam int unsigned PpAW   = $clog2(PpWords)
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  input  logic               start_i,
  input  logic               abort_i,
  input  logic [63:0]        desc_base_i,
  output logic               busy_o,          // a chain is being walked (or aborted)
  output logic               chain_start_o,   // a chain starts: counters and DMA errors clear
  output logic               done_o,          // level: the last chain finished
  output logic               error_o,         // level: the last chain stopped on an error
  output logic [7:0]         err_code_o,
  output logic [15:0]        err_desc_o,
  output logic               desc_done_o,     // a descriptor's outputs are all in DRAM

  // The descriptor and its checks (ey_desc_check)
  output ey_pkg::desc_t      desc_o,
  output logic               check_products_o,
  input  logic               check_ready_i,   // the first check cycle may end
  output logic               check_derived_o,
  output logic               check_fit_o,
  input  logic [7:0]         check_err_i,
  input  logic [19:0]        hw_i,
  input  logic [10:0]        rs_i,
  input  logic [23:0]        crs_i,
  input  logic [15:0]        sbe_i,
  input  logic [12:0]        cc_i,
  input  logic [26:0]        mbc_tp_i,
  input  logic [10:0]        wn_i,
  input  logic [7:0]         dmax_i,
  input  logic               x_pp_i,
  input  logic               w_pp_i,
  input  logic               ps_pp_i,
  input  logic               x_res_i,         // every channel chunk's images in its own slot
  input  logic [15:0]        xslot_i,         // words of a slot

  // Read DMA
  output logic               rd_cmd_valid_o,
  input  logic               rd_cmd_ready_i,
  output logic [AddrW-1:0]   rd_cmd_addr_o,
  output logic [31:0]        rd_cmd_len_o,
  output logic               rd_cmd_filt_o,   // the command loads weights (a counter's input)
  input  logic               rd_valid_i,
  output logic               rd_ready_o,
  output logic               rd_wide_o,
  input  logic [LaneW:0]     rd_cnt_i,
  input  logic [Lanes*16-1:0] rd_data_i,
  input  logic               rd_idle_i,
  input  logic [1:0]         rd_err_i,

  // Write DMA status (a descriptor ends when its outputs are written)
  input  logic               wr_idle_i,
  input  logic [1:0]         wr_err_i,

  // GLB ifmap (area 0) and filter (area 1) writes; area 2 (psum banks) otherwise
  output logic               host_we_o,
  output logic [1:0]         host_area_o,
  output logic [HostAW-1:0]  host_waddr_o,   // the first word's; the others follow it
  output logic [LaneW:0]     host_wcnt_o,
  output logic [Lanes*16-1:0] host_wdata_o,

  // Output-path table writes: {shift, mult, bias}
  output logic               tab_we_o,
  output logic [PpAW-1:0]    tab_waddr_o,
  output logic [69:0]        tab_wdata_o,

  // The loaded chunk, to the run sequencer
  output logic               chunk_valid_o,
  input  logic               chunk_ready_i,
  output ey_pkg::layer_cfg_t chunk_cfg_o,
  output ey_pkg::out_job_t   chunk_job_o,
  output logic               chunk_last_o,    // its outputs' last channel chunk: store after it
  output logic [PpAW-1:0]    chunk_tab_base_o,  // the half of the table its entries are in

  input  logic               run_idle_i,      // the run sequencer has no chunk
  input  logic               store_idle_i,    // the store sequencer has no chunk
  input  logic               core_busy_i
);

  localparam int unsigned DescBits  = ey_pkg::DescWords * 64;
  localparam int unsigned DescHalf  = ey_pkg::DescWords * 4;
  localparam int unsigned DescBytes = ey_pkg::DescWords * 8;
  localparam int unsigned IfHalf    = IfmapWords / 2;   // the areas' load buffers
  localparam int unsigned FltHalf   = FilterWords / 2;
  localparam int unsigned PpHalf    = PpWords / 2;      // output-path table entries per chunk
  localparam int unsigned PsHalf    = PsumWords / 2;    // the psum banks' store buffers

  typedef enum logic [4:0] {
    StIdle,
    StDescAddrCheck,    // the descriptor's own address
    StDescCmd,          // read command for the descriptor
    StDescFetch,        // its words
    StCheckProducts,    // ey_desc_check: products of its fields
    StCheckDerived,     // ey_desc_check: sizes derived from them
    StCheckErr,         // ey_desc_check: the error code; the walk starts
    StBandRows,         // a row band: its ofmap rows, strips, first window row
    StBandIfmapRows,    // the ifmap rows it loads, its top padding
    StBandCfg,          // its part of the layer record
    StBandPooledRows,   // its pooled rows, one per cycle
    StChunkSizes,       // a chunk: its images, filters, channels
    StLoadWait,         // wait for a free half of the areas it loads
    StIfmapCmd,         // ifmap load transfers
    StIfmapData,
    StFilterCmd,        // filter load transfers
    StFilterData,
    StTableWait,        // the table half is still the store's (ps_pp): wait for it
    StTableCmd,         // output-path table load transfer
    StTableData,
    StRunCfg,           // the chunk's part of the layer record
    StHandOver,         // wait for the load's status and the run sequencer
    StNextChunk,        // step the tiling loops
    StDescEnd,          // wait for the descriptor's stores; next descriptor
    StAbortDrain        // wait for the bus and the core to go idle
  } load_state_e;
  load_state_e state_q, state_d;

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  logic [DescBits-1:0] desc_q, desc_d;
  ey_pkg::desc_t d;
  assign d = desc_q;  // same width; a cast to a package type is a syntax error in Yosys 0.23

  logic [63:0] daddr_q, daddr_d;   // address of the current descriptor
  logic [15:0] idx_q, idx_d;       // its index in the chain
  logic [31:0] cnt_q, cnt_d;       // words counted by the current state
  logic        done_q, done_d, error_q, error_d;
  logic [7:0]  err_code_q, err_code_d;
  logic [15:0] err_desc_q, err_desc_d;

  // Tiling loops
  logic [11:0] g_q, g_d;           // group
  logic [15:0] n0_q, n0_d;         // first image of the chunk
  logic [12:0] m0_q, m0_d;         // first filter of the chunk (in the group)
  logic [12:0] blk0_q, blk0_d;     // first filter block of the chunk
  logic [7:0]  ncur_q, ncur_d;     // images in the chunk
  logic [12:0] fcur_q, fcur_d;     // filters in the chunk
  logic [12:0] mbcur_q, mbcur_d;   // filter blocks in the chunk
  logic [7:0]  img_q, img_d;       // image of the chunk being loaded
  logic [12:0] c0_q, c0_d;         // first channel of the chunk (in the group)
  logic [12:0] cblk0_q, cblk0_d;   // first channel block of the chunk
  logic [12:0] ccur_q, ccur_d;     // channels in the chunk
  logic [12:0] cbcur_q, cbcur_d;   // channel blocks in the chunk
  logic [12:0] widx_q, widx_d;     // filter of the chunk being loaded (one transfer per filter)
  logic [12:0] xc_q, xc_d;         // channel of the image being loaded (several bands)
  logic [31:0] tcnt_q, tcnt_d;     // words of the current ifmap load transfer
  // The chunk's transfer sizes, registered as its loads start (StLoadWait): words of an ifmap
  // transfer and of a filter transfer, and the words loaded when this filter transfer ends,
  // (widx+1)*w_len, stepped by w_len.
  logic [31:0] x_len_q, x_len_d, w_len_q, w_len_d, w_end_q, w_end_d;

  // Load buffers: the half the last loaded images (filters, table entries) are in.
  logic        x_half_q, x_half_d, w_half_q, w_half_d, p_half_q, p_half_d;
  logic        ps_half_q, ps_half_d;            // the output chunk's psums: the upper halves
  logic [15:0] xbase_q, xbase_d;                // x_res: the chunk's ifmap slot
  logic [PpAW-1:0] p_base_q, p_base_d;   // the loaded chunk's half of the table
  logic [31:0] pb_q, pb_d, pm_q, pm_d;   // bias and mult of the table entry being loaded

  // Row band: its first strip and ofmap row, its rows and strips, the ifmap rows it loads
  // (lo .. lo + hb - 1, hb*w words per channel) and the padding rows above them.
  logic [9:0]  s0_q, s0_d, y0_q, y0_d, ecur_q, ecur_d, sbcur_q, sbcur_d;
  logic [9:0]  lo_q, lo_d, hb_q, hb_d;
  logic [5:0]  ptb_q, ptb_d;
  logic signed [17:0] r0_q, r0_d;  // y0*uh - pad_top: the band's first window row
  logic [19:0] hbw_q, hbw_d;

  // Pooled rows of the band: pooled row i is complete once the store has passed ofmap row
  // rend(i) = i*sh - pt + kh - 1, so a band emits the rows whose rend it covers (the last band
  // all that are left, closing them with -inf rows). nxt / nrend: the next pooled row and its
  // rend; bpa, bnp, brend: the band's first pooled row, their count, the first one's rend.
  logic [9:0]  nxt_q, nxt_d, bpa_q, bpa_d, bnp_q, bnp_d;
  logic [11:0] nrend_q, nrend_d, brend_q, brend_d;

  ey_pkg::layer_cfg_t cfg_q, cfg_d;   // the layer record of the chunk being loaded

  // ---------------------------------------------------------------------------------------
  // Loop conditions, transfer sizes and addresses
  // ---------------------------------------------------------------------------------------
  logic one_cchunk;   // the group's channels are one chunk
  logic one_band;     // the ofmap rows are one band
  logic pool_on, pp_tab;
  logic load_x, load_w, load_p;
  logic last_band;
  logic signed [17:0] r1;   // the band's last window row
  assign one_cchunk = d.cbc >= d.cb;
  assign one_band   = d.sb >= d.strips;
  assign pool_on    = d.pool_kh != '0;
  assign pp_tab     = d.post[1:0] != 2'b00;   // the output path reads its table
  assign load_x     = !((one_cchunk || x_res_i) && m0_q != '0);
  assign load_w     = !(one_cchunk && d.mbc >= d.mb && (n0_q != '0 || s0_q != '0));
  // The output-path table of the chunk's filters, for the chunk that stores them (its last
  // channel chunk), unless the filters (and so their table) are still there.
  assign load_p     = pp_tab && load_w && 32'(c0_q) + 32'(ccur_q) == 32'(d.cg);
  assign last_band  = 32'(y0_q) + 32'(ecur_q) >= 32'(d.eo);
  assign r1 = r0_q + $signed(18'((32'(ecur_q) - 32'd1) * 32'(d.uh))) + $signed(18'(d.kr)) -
              18'sd1;

  // Image n0+img, channels c0.. of group g (one band), or its channel c0+xc, rows lo..;
  // filter m0+widx (or all the chunk's filters when its channels are all of the group's: then
  // they are contiguous), channels c0..; the table entries of filters m0.. of group g.
  logic             w_whole;
  logic [31:0]      w_len, x_len;
  logic [AddrW-1:0] x_cmd_addr, w_cmd_addr, p_cmd_addr;
  assign w_whole    = ccur_q == d.cg;
  assign w_len      = w_whole ? 32'(fcur_q) * 32'(crs_i) : 32'(ccur_q) * 32'(rs_i);
  assign x_len      = one_band ? 32'(ccur_q) * 32'(hw_i) : 32'(hbw_q);
  assign x_cmd_addr = AddrW'(d.x_addr) + AddrW'((((64'(n0_q) + 64'(img_q)) * 64'(d.groups) *
                      64'(d.cg) + 64'(g_q) * 64'(d.cg) + 64'(c0_q) + 64'(xc_q)) * 64'(hw_i) +
                      64'(lo_q) * 64'(d.w)) * 64'd2);
  assign w_cmd_addr = AddrW'(d.w_addr) + AddrW'(((64'(g_q) * 64'(d.mg) + 64'(m0_q) +
                      64'(widx_q)) * 64'(d.cg) + 64'(c0_q)) * 64'(rs_i) * 64'd2);
  assign p_cmd_addr = AddrW'(d.pp_addr) + AddrW'((64'(g_q) * 64'(d.mg) + 64'(m0_q)) * 64'd16);

  logic        rd_fire;
  logic [15:0] rd_word;   // the first (in narrow states the only) word of a handshake
  logic [31:0] rd_n;      // words in it
  assign rd_fire = rd_valid_i && rd_ready_o;
  assign rd_word = rd_data_i[15:0];
  assign rd_n    = 32'(rd_cnt_i);

  // The descriptor's own address: aligned and inside the address space.
  logic [7:0] addr_err;
  assign addr_err = daddr_q[2:0] != '0 ? ey_pkg::ErrDescAlign :
                    (daddr_q[63:AddrW] != '0 ||
                     64'(DescBytes) > 64'({1'b1, AddrW'(0)}) - 64'(daddr_q[AddrW-1:0])) ?
                        ey_pkg::ErrDescRange : ey_pkg::ErrNone;

  function automatic logic [7:0] axi_err(input logic [1:0] resp, input logic rd);
    if (resp == 2'b10) axi_err = rd ? ey_pkg::ErrAxiRdSlverr : ey_pkg::ErrAxiWrSlverr;
    else axi_err = rd ? ey_pkg::ErrAxiRdDecerr : ey_pkg::ErrAxiWrDecerr;
  endfunction

  // The descriptor's outputs are written and no chunk is left.
  logic desc_drained;
  assign desc_drained = wr_idle_i && store_idle_i && run_idle_i;

  // A state that finds an error ends the chain with it.
  logic [7:0] fail_code;
  always_comb begin
    fail_code = ey_pkg::ErrNone;
    unique case (state_q)
      StDescAddrCheck: fail_code = addr_err;
      StCheckProducts: if (rd_err_i != 2'b00) fail_code = axi_err(rd_err_i, 1'b1);
      StCheckErr:      fail_code = check_err_i;
      StHandOver: if (rd_idle_i && chunk_ready_i && rd_err_i != 2'b00) begin
        fail_code = axi_err(rd_err_i, 1'b1);
      end
      StDescEnd: if (desc_drained && wr_err_i != 2'b00) fail_code = axi_err(wr_err_i, 1'b0);
      default: ;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // Bus outputs
  // ---------------------------------------------------------------------------------------
  assign rd_cmd_filt_o = state_q == StFilterCmd;

  always_comb begin
    rd_cmd_valid_o = 1'b0;
    rd_cmd_addr_o  = AddrW'(daddr_q);
    rd_cmd_len_o   = 32'(DescHalf);
    rd_ready_o     = 1'b0;
    rd_wide_o      = 1'b0;
    host_we_o      = 1'b0;
    host_wcnt_o    = rd_cnt_i;
    host_area_o    = 2'd2;
    host_waddr_o   = HostAW'(cnt_q + (state_q == StIfmapData ? 32'(cfg_q.if_base)
                                                             : 32'(cfg_q.flt_base)));
    host_wdata_o   = rd_data_i;
    unique case (state_q)
      StDescCmd:   rd_cmd_valid_o = 1'b1;
      StDescFetch: rd_ready_o = 1'b1;
      StIfmapCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = x_cmd_addr;
        rd_cmd_len_o   = x_len_q;
      end
      StFilterCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = w_cmd_addr;
        rd_cmd_len_o   = w_len_q;
      end
      StTableCmd: begin
        rd_cmd_valid_o = 1'b1;
        rd_cmd_addr_o  = p_cmd_addr;
        rd_cmd_len_o   = 32'(fcur_q) * 32'd8;
      end
      StTableData: rd_ready_o = 1'b1;
      StIfmapData, StFilterData: begin
        rd_ready_o  = 1'b1;
        rd_wide_o   = 1'b1;
        host_we_o   = rd_valid_i;
        host_area_o = state_q == StIfmapData ? 2'd0 : 2'd1;
      end
      default: ;
    endcase
  end

  // Table entries: 8 words each, bias (2), mult (2), shift, 3 unused; written at the shift.
  assign tab_we_o    = state_q == StTableData && rd_fire && cnt_q[2:0] == 3'd4;
  assign tab_waddr_o = p_base_q + PpAW'(cnt_q[31:3]);
  assign tab_wdata_o = {rd_word[5:0], pm_q, pb_q};

  // ---------------------------------------------------------------------------------------
  // State machine
  // ---------------------------------------------------------------------------------------
  always_comb begin
    state_d    = state_q;
    desc_d     = desc_q;
    daddr_d    = daddr_q;
    idx_d      = idx_q;
    cnt_d      = cnt_q;
    done_d     = done_q;
    error_d    = error_q;
    err_code_d = err_code_q;
    err_desc_d = err_desc_q;
    g_d = g_q; n0_d = n0_q; m0_d = m0_q; blk0_d = blk0_q;
    ncur_d = ncur_q; fcur_d = fcur_q; mbcur_d = mbcur_q; img_d = img_q;
    c0_d = c0_q; cblk0_d = cblk0_q; ccur_d = ccur_q; cbcur_d = cbcur_q;
    widx_d = widx_q; xc_d = xc_q; tcnt_d = tcnt_q;
    x_len_d = x_len_q; w_len_d = w_len_q; w_end_d = w_end_q;
    x_half_d = x_half_q; w_half_d = w_half_q; p_half_d = p_half_q; ps_half_d = ps_half_q;
    xbase_d = xbase_q;
    p_base_d = p_base_q; pb_d = pb_q; pm_d = pm_q;
    s0_d = s0_q; y0_d = y0_q; ecur_d = ecur_q; sbcur_d = sbcur_q;
    lo_d = lo_q; hb_d = hb_q; ptb_d = ptb_q; r0_d = r0_q; hbw_d = hbw_q;
    nxt_d = nxt_q; bpa_d = bpa_q; bnp_d = bnp_q; nrend_d = nrend_q; brend_d = brend_q;
    cfg_d = cfg_q;

    if (abort_i) begin
      state_d = StAbortDrain;
    end else if (fail_code != ey_pkg::ErrNone) begin
      error_d    = 1'b1;
      err_code_d = fail_code;
      err_desc_d = idx_q;
      state_d    = StIdle;
    end else begin
      unique case (state_q)
        StIdle: if (start_i) begin
          done_d     = 1'b0;
          error_d    = 1'b0;
          err_code_d = '0;
          err_desc_d = '0;
          daddr_d    = desc_base_i;
          idx_d      = '0;
          state_d    = StDescAddrCheck;
        end
        StDescAddrCheck: begin
          cnt_d   = '0;
          state_d = StDescCmd;
        end
        StDescCmd: if (rd_cmd_ready_i) state_d = StDescFetch;
        StDescFetch: if (rd_fire) begin
          desc_d = {rd_word, desc_q[DescBits-1:16]};
          cnt_d  = cnt_q + 1'b1;
          if (cnt_q == 32'(DescHalf - 1)) state_d = StCheckProducts;
        end
        StCheckProducts: if (check_ready_i) state_d = StCheckDerived;
        StCheckDerived:  state_d = StCheckErr;
        StCheckErr: begin
          g_d      = '0;
          n0_d     = '0;
          m0_d     = '0;
          blk0_d   = '0;
          c0_d     = '0;
          cblk0_d  = '0;
          s0_d     = '0;
          y0_d     = '0;
          x_half_d = 1'b1;  // the first loads go to the lower halves
          w_half_d = 1'b1;
          p_half_d = 1'b1;
          ps_half_d = 1'b1;
          // The parts of the layer record that are the same for every chunk.
          cfg_d.w        = d.w;
          cfg_d.kr       = d.kr;
          cfg_d.ks       = d.ks;
          cfg_d.fo       = d.fo;
          cfg_d.uh       = d.uh;
          cfg_d.uw       = d.uw;
          cfg_d.pad_left = d.pad_left;
          cfg_d.e        = d.e;
          cfg_d.p        = d.p;
          cfg_d.q        = d.q;
          cfg_d.r        = d.r;
          cfg_d.t        = d.t;
          cfg_d.rg       = d.rg;
          cfg_d.nrg      = d.nrg;
          cfg_d.tv       = d.tv;
          cfg_d.th       = d.th;
          cfg_d.wn       = wn_i;
          cfg_d.dmax     = dmax_i;
          cfg_d.rs       = 12'(rs_i);
          state_d = StBandRows;
        end
        StBandRows: begin
          if (y0_q == '0) begin
            nxt_d   = '0;
            nrend_d = 12'(d.pool_kh) - 12'd1 - 12'(d.pool_pt);
          end
          ecur_d  = (32'(d.eo) - 32'(y0_q) > 32'(sbe_i)) ? 10'(sbe_i) : d.eo - y0_q;
          sbcur_d = (d.strips - s0_q > d.sb) ? d.sb : d.strips - s0_q;
          r0_d    = $signed(18'(32'(y0_q) * 32'(d.uh))) - $signed(18'(d.pad_top));
          state_d = StBandIfmapRows;
        end
        StBandIfmapRows: begin
          if (one_band) begin
            lo_d  = '0;
            hb_d  = d.h;
            ptb_d = d.pad_top;
          end else begin
            lo_d  = r0_q < 0 ? '0 : 10'(r0_q);
            hb_d  = 10'((r1 > $signed(18'(d.h) - 18'sd1) ? $signed(18'(d.h) - 18'sd1) : r1) -
                        (r0_q < 0 ? 18'sd0 : r0_q) + 18'sd1);
            ptb_d = r0_q < 0 ? 6'(-r0_q) : '0;
          end
          state_d = StBandCfg;
        end
        StBandCfg: begin
          hbw_d         = 20'(32'(hb_q) * 32'(d.w));
          cfg_d.h       = hb_q;
          cfg_d.pad_top = ptb_q;
          cfg_d.eo      = ecur_q;
          cfg_d.strips  = sbcur_q;
          cfg_d.hw      = 20'(32'(hb_q) * 32'(d.w));
          bpa_d         = nxt_q;
          brend_d       = nrend_q;
          bnp_d         = '0;
          state_d       = StBandPooledRows;
        end
        // One pooled row per cycle while the band closes it.
        StBandPooledRows: begin
          if (pool_on && 32'(nxt_q) < 32'(d.pool_eo) &&
              (last_band || 32'(nrend_q) < 32'(y0_q) + 32'(ecur_q))) begin
            nxt_d   = nxt_q + 1'b1;
            nrend_d = nrend_q + 12'(d.pool_sh);
            bnp_d   = bnp_q + 1'b1;
          end else begin
            state_d = StChunkSizes;
          end
        end
        StChunkSizes: begin
          ncur_d  = (d.n - n0_q > 16'(d.nb)) ? d.nb : 8'(d.n - n0_q);
          fcur_d  = ((32'(d.mg) - 32'(m0_q)) > 32'(mbc_tp_i)) ? 13'(mbc_tp_i) : d.mg - m0_q;
          mbcur_d = (d.mb - blk0_q > d.mbc) ? d.mbc : d.mb - blk0_q;
          ccur_d  = (d.cg - c0_q > cc_i) ? cc_i : d.cg - c0_q;
          cbcur_d = (d.cb - cblk0_q > d.cbc) ? d.cbc : d.cb - cblk0_q;
          img_d   = '0;
          xc_d    = '0;
          widx_d  = '0;
          cnt_d   = '0;
          tcnt_d  = '0;
          state_d = StLoadWait;
        end
        // An area the running chunk reads is loaded only into its other half; without halves,
        // only once the run is over.
        // With x_res a chunk loads its own slot, which no running chunk reads.
        StLoadWait: if (run_idle_i ||
                        !((load_x && !x_pp_i && !x_res_i) || (load_w && !w_pp_i))) begin
          if (c0_q == '0) ps_half_d = ps_pp_i && !ps_half_q;  // a new output chunk
          cfg_d.ps_base = ps_half_d ? 16'(PsHalf) : '0;
          if (x_res_i) begin
            xbase_d       = (c0_q == '0) ? '0 : xbase_q + xslot_i;
            cfg_d.if_base = xbase_d;
          end else if (load_x) begin
            x_half_d      = x_pp_i && !x_half_q;
            cfg_d.if_base = (x_pp_i && !x_half_q) ? 16'(IfHalf) : '0;
          end
          if (load_w) begin
            w_half_d       = w_pp_i && !w_half_q;
            cfg_d.flt_base = (w_pp_i && !w_half_q) ? 16'(FltHalf) : '0;
          end
          if (load_p) begin
            p_half_d = !p_half_q;
            p_base_d = p_half_q ? '0 : PpAW'(PpHalf);
          end
          x_len_d = x_len;
          w_len_d = w_len;
          w_end_d = w_len;
          state_d = load_x ? StIfmapCmd : load_w ? StFilterCmd : StRunCfg;
        end
        StIfmapCmd: if (rd_cmd_ready_i) state_d = StIfmapData;
        StIfmapData: if (rd_fire) begin
          cnt_d  = cnt_q + rd_n;
          tcnt_d = tcnt_q + rd_n;
          if (tcnt_q + rd_n == x_len_q) begin
            tcnt_d  = '0;
            state_d = StIfmapCmd;
            if (!one_band && 32'(xc_q) + 32'd1 < 32'(ccur_q)) begin
              xc_d = xc_q + 1'b1;
            end else if (img_q + 1'b1 == ncur_q) begin
              cnt_d   = '0;
              state_d = load_w ? StFilterCmd : StRunCfg;
            end else begin
              xc_d  = '0;
              img_d = img_q + 1'b1;
            end
          end
        end
        StFilterCmd: if (rd_cmd_ready_i) state_d = StFilterData;
        StFilterData: if (rd_fire) begin
          cnt_d = cnt_q + rd_n;
          if (cnt_q + rd_n == w_end_q) begin
            if (w_whole || widx_q + 1'b1 == fcur_q) begin
              cnt_d   = '0;
              state_d = load_p ? StTableWait : StRunCfg;
            end else begin
              widx_d  = widx_q + 1'b1;
              w_end_d = w_end_q + w_len_q;
              state_d = StFilterCmd;
            end
          end
        end
        // With ps_pp the store may still read the previous output chunk of this half's table
        // (two output chunks back); the data of the chunk are in by now.
        StTableWait: if (!ps_pp_i || store_idle_i) state_d = StTableCmd;
        StTableCmd: if (rd_cmd_ready_i) state_d = StTableData;
        StTableData: if (rd_fire) begin
          cnt_d = cnt_q + 1'b1;
          unique case (cnt_q[2:0])
            3'd0: pb_d[15:0]  = rd_word;
            3'd1: pb_d[31:16] = rd_word;
            3'd2: pm_d[15:0]  = rd_word;
            3'd3: pm_d[31:16] = rd_word;
            default: ;
          endcase
          if (cnt_q + 1'b1 == 32'(fcur_q) * 32'd8) state_d = StRunCfg;
        end
        StRunCfg: begin
          state_d          = StHandOver;
          cfg_d.n          = ncur_q;
          cfg_d.mg         = fcur_q;
          cfg_d.mb         = mbcur_q;
          cfg_d.lane_outer = 20'(32'(ncur_q) * 32'(sbcur_q) * 32'(d.fo));
          cfg_d.cg         = ccur_q;
          cfg_d.cb         = cbcur_q;
          cfg_d.chw        = 24'(32'(ccur_q) * 32'(hbw_q));
          cfg_d.crs        = 20'(32'(ccur_q) * 32'(rs_i));
          cfg_d.acc_in     = c0_q != '0;
        end
        // Wait for the last load's response status (fail_code), then for the run sequencer.
        StHandOver: if (chunk_valid_o && chunk_ready_i) state_d = StNextChunk;
        StNextChunk: begin
          state_d = StChunkSizes;
          if (32'(c0_q) + 32'(ccur_q) < 32'(d.cg)) begin
            c0_d    = c0_q + ccur_q;
            cblk0_d = cblk0_q + cbcur_q;
          end else if ((32'(d.mg) - 32'(m0_q)) > 32'(fcur_q)) begin
            c0_d    = '0;
            cblk0_d = '0;
            m0_d    = m0_q + fcur_q;
            blk0_d  = blk0_q + mbcur_q;
          end else begin
            c0_d    = '0;
            cblk0_d = '0;
            m0_d    = '0;
            blk0_d  = '0;
            state_d = StBandRows;
            if (32'(s0_q) + 32'(sbcur_q) < 32'(d.strips)) begin
              s0_d = s0_q + d.sb;
              y0_d = y0_q + 10'(sbe_i);
            end else begin
              s0_d = '0;
              y0_d = '0;
              if (d.n - n0_q > 16'(ncur_q)) begin
                n0_d = n0_q + 16'(ncur_q);
              end else begin
                n0_d = '0;
                if (g_q + 1'b1 != d.groups) g_d = g_q + 1'b1;
                else state_d = StDescEnd;
              end
            end
          end
        end
        StDescEnd: if (desc_drained) begin
          if (d.next == '0) begin
            done_d  = 1'b1;
            state_d = StIdle;
          end else begin
            daddr_d = d.next;
            idx_d   = idx_q + 1'b1;
            state_d = StDescAddrCheck;
          end
        end
        StAbortDrain: if (rd_idle_i && wr_idle_i && !core_busy_i) state_d = StIdle;
        default: state_d = StIdle;
      endcase
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      desc_q     <= '0;
      daddr_q    <= '0;
      idx_q      <= '0;
      cnt_q      <= '0;
      done_q     <= 1'b0;
      error_q    <= 1'b0;
      err_code_q <= '0;
      err_desc_q <= '0;
      g_q <= '0; n0_q <= '0; m0_q <= '0; blk0_q <= '0;
      ncur_q <= '0; fcur_q <= '0; mbcur_q <= '0; img_q <= '0;
      c0_q <= '0; cblk0_q <= '0; ccur_q <= '0; cbcur_q <= '0;
      widx_q <= '0; xc_q <= '0; tcnt_q <= '0;
      x_len_q <= '0; w_len_q <= '0; w_end_q <= '0;
      x_half_q <= 1'b0; w_half_q <= 1'b0; p_half_q <= 1'b0; ps_half_q <= 1'b0;
      xbase_q <= '0;
      p_base_q <= '0; pb_q <= '0; pm_q <= '0;
      s0_q <= '0; y0_q <= '0; ecur_q <= '0; sbcur_q <= '0;
      lo_q <= '0; hb_q <= '0; ptb_q <= '0; r0_q <= '0; hbw_q <= '0;
      nxt_q <= '0; bpa_q <= '0; bnp_q <= '0; nrend_q <= '0; brend_q <= '0;
      cfg_q <= '0;
    end else begin
      state_q    <= state_d;
      desc_q     <= desc_d;
      daddr_q    <= daddr_d;
      idx_q      <= idx_d;
      cnt_q      <= cnt_d;
      done_q     <= done_d;
      error_q    <= error_d;
      err_code_q <= err_code_d;
      err_desc_q <= err_desc_d;
      g_q <= g_d; n0_q <= n0_d; m0_q <= m0_d; blk0_q <= blk0_d;
      ncur_q <= ncur_d; fcur_q <= fcur_d; mbcur_q <= mbcur_d; img_q <= img_d;
      c0_q <= c0_d; cblk0_q <= cblk0_d; ccur_q <= ccur_d; cbcur_q <= cbcur_d;
      widx_q <= widx_d; xc_q <= xc_d; tcnt_q <= tcnt_d;
      x_len_q <= x_len_d; w_len_q <= w_len_d; w_end_q <= w_end_d;
      x_half_q <= x_half_d; w_half_q <= w_half_d; p_half_q <= p_half_d; ps_half_q <= ps_half_d;
      xbase_q <= xbase_d;
      p_base_q <= p_base_d; pb_q <= pb_d; pm_q <= pm_d;
      s0_q <= s0_d; y0_q <= y0_d; ecur_q <= ecur_d; sbcur_q <= sbcur_d;
      lo_q <= lo_d; hb_q <= hb_d; ptb_q <= ptb_d; r0_q <= r0_d; hbw_q <= hbw_d;
      nxt_q <= nxt_d; bpa_q <= bpa_d; bnp_q <= bnp_d; nrend_q <= nrend_d; brend_q <= brend_d;
      cfg_q <= cfg_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Outputs
  // ---------------------------------------------------------------------------------------
  assign busy_o        = state_q != StIdle;
  assign chain_start_o = state_q == StIdle && start_i && !abort_i;
  assign done_o        = done_q;
  assign error_o       = error_q;
  assign err_code_o    = err_code_q;
  assign err_desc_o    = err_desc_q;
  assign desc_done_o   = state_q == StDescEnd && desc_drained && wr_err_i == 2'b00;
  assign desc_o        = desc_q;

  // The check cycles, when the state machine moves on (the registers then hold what the
  // walker had computed in those states).
  logic advance;
  assign advance          = !abort_i && fail_code == ey_pkg::ErrNone;
  assign check_products_o = state_q == StCheckProducts && advance;
  assign check_derived_o  = state_q == StCheckDerived && advance;
  assign check_fit_o      = state_q == StCheckErr && advance;

  // The chunk goes to the run sequencer once its last load has answered without error.
  assign chunk_valid_o        = state_q == StHandOver && rd_idle_i && rd_err_i == 2'b00;
  assign chunk_cfg_o          = cfg_q;
  assign chunk_last_o         = 32'(c0_q) + 32'(ccur_q) == 32'(d.cg);
  assign chunk_tab_base_o     = p_base_q;
  assign chunk_job_o.img0      = n0_q;
  assign chunk_job_o.group     = g_q;
  assign chunk_job_o.filt0     = m0_q;
  assign chunk_job_o.n_filts   = fcur_q;
  assign chunk_job_o.n_imgs    = ncur_q;
  assign chunk_job_o.row0      = y0_q;
  assign chunk_job_o.n_rows    = ecur_q;
  assign chunk_job_o.n_strips  = sbcur_q;
  assign chunk_job_o.prow0     = bpa_q;
  assign chunk_job_o.n_prows   = bnp_q;
  assign chunk_job_o.prow0_end = brend_q;
  assign chunk_job_o.ps_base   = cfg_q.ps_base;

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md): instrumentation, kept apart.
`include "ey_load_seq_cover.svh"

  `EY_ASSERT(DescOrderMatchesStruct, state_q == StCheckErr |-> d.magic == desc_q[15:0], clk_i,
             rst_ni)
  `EY_ASSERT_STREAM(ChunkHeld, chunk_valid_o, chunk_ready_i,
                    {chunk_cfg_o, chunk_job_o, chunk_last_o, chunk_tab_base_o}, abort_i, clk_i,
                    rst_ni)
`endif

endmodule
