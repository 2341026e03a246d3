// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Functional cover points of ey_load_seq (make coverage; docs/coverage.md): layer shapes and
// mappings, every tiling loop and band boundary, resident operands, error codes and aborts.
// Included inside ey_load_seq's `ifndef SYNTHESIS section, so it sees the module's signals;
// compiled to nothing without Verilator's --coverage (rtl/ey_assert.svh, EY_COVER).
  // ---------------------------------------------------------------------------------------
  // Functional cover points (make coverage; docs/coverage.md)
  // ---------------------------------------------------------------------------------------
  // Layer shapes and mappings, counted once per accepted descriptor (its walk starts).
  logic cov_desc;
  assign cov_desc = state_q == StCheckErr && advance;
  `EY_COVER(CovShapeStride1, cov_desc && d.uh == 4'd1 && d.uw == 4'd1, clk_i, rst_ni)
  `EY_COVER(CovShapeStride2, cov_desc && (d.uh == 4'd2 || d.uw == 4'd2), clk_i, rst_ni)
  `EY_COVER(CovShapeStride3Plus, cov_desc && (d.uh > 4'd2 || d.uw > 4'd2), clk_i, rst_ni)
  `EY_COVER(CovShapeStrideOverFilter, cov_desc && 6'(d.uh) > d.kr, clk_i, rst_ni)
  `EY_COVER(CovShapePadTop, cov_desc && d.pad_top != '0, clk_i, rst_ni)
  `EY_COVER(CovShapePadLeft, cov_desc && d.pad_left != '0, clk_i, rst_ni)
  `EY_COVER(CovShapeFilter1x1, cov_desc && d.kr == 6'd1 && d.ks == 5'd1, clk_i, rst_ni)
  `EY_COVER(CovShapeFilterNonSquare, cov_desc && 6'(d.ks) != d.kr, clk_i, rst_ni)
  `EY_COVER(CovShapeFilterRowGroups, cov_desc && d.nrg > 4'd1, clk_i, rst_ni)  // R > Rows
  `EY_COVER(CovShapeGroups, cov_desc && d.groups > 12'd1, clk_i, rst_ni)
  `EY_COVER(CovShapeDepthwise, cov_desc && d.groups > 12'd1 && d.cg == 13'd1, clk_i, rst_ni)
  `EY_COVER(CovShapeOfmap1x1, cov_desc && d.eo == 10'd1 && d.fo == 10'd1, clk_i, rst_ni)  // FC
  `EY_COVER(CovShapeBatch, cov_desc && d.n > 16'd1, clk_i, rst_ni)
  `EY_COVER(CovMapSetsChained, cov_desc && d.r > 6'd1, clk_i, rst_ni)
  `EY_COVER(CovMapFilterChains, cov_desc && d.t > 8'd1, clk_i, rst_ni)
  `EY_COVER(CovMapChainsStacked, cov_desc && d.tv > 6'd1, clk_i, rst_ni)
  `EY_COVER(CovMapSetColumns, cov_desc && d.th > 6'd1, clk_i, rst_ni)
  `EY_COVER(CovMapChannelsPerPe, cov_desc && d.q > 5'd1, clk_i, rst_ni)
  `EY_COVER(CovMapFiltersPerPe, cov_desc && d.p > 6'd1, clk_i, rst_ni)
  `EY_COVER(CovTileImageChunks, cov_desc && 16'(d.nb) < d.n, clk_i, rst_ni)
  `EY_COVER(CovTileFilterChunks, cov_desc && d.mbc < d.mb, clk_i, rst_ni)
  `EY_COVER(CovTileChannelChunks, cov_desc && d.cbc < d.cb, clk_i, rst_ni)
  `EY_COVER(CovTileRowBands, cov_desc && d.sb < d.strips, clk_i, rst_ni)
  `EY_COVER(CovTileAllInOneChunk, cov_desc && 16'(d.nb) >= d.n && d.mbc >= d.mb &&
            d.cbc >= d.cb && d.sb >= d.strips && d.groups == 12'd1, clk_i, rst_ni)
  `EY_COVER(CovPostNone, cov_desc && d.post == 4'b0000, clk_i, rst_ni)
  `EY_COVER(CovPostTable, cov_desc && pp_tab, clk_i, rst_ni)
  `EY_COVER(CovPoolAfterFilter1x1, cov_desc && pool_on && d.kr == 6'd1 && d.ks == 5'd1, clk_i,
            rst_ni)  // a pooling layer of its own runs this way
  `EY_COVER(CovPoolAfterFilterKxK, cov_desc && pool_on && (d.kr != 6'd1 || d.ks != 5'd1),
            clk_i, rst_ni)
  `EY_COVER(CovPoolInBands, cov_desc && pool_on && !one_band, clk_i, rst_ni)

  // Every tiling loop steps (StNextChunk), and the chain moves on.
  logic cov_next;
  assign cov_next = state_q == StNextChunk && advance;
  `EY_COVER(CovStepChannelChunk, cov_next && 32'(c0_q) + 32'(ccur_q) < 32'(d.cg), clk_i, rst_ni)
  `EY_COVER(CovStepFilterChunk, cov_next && 32'(c0_q) + 32'(ccur_q) >= 32'(d.cg) &&
            (32'(d.mg) - 32'(m0_q)) > 32'(fcur_q), clk_i, rst_ni)
  `EY_COVER(CovStepRowBand, cov_next && state_d == StBandRows && s0_d != '0, clk_i, rst_ni)
  `EY_COVER(CovStepImageChunk, cov_next && state_d == StBandRows && s0_d == '0 && n0_d != '0,
            clk_i, rst_ni)
  `EY_COVER(CovStepGroup, cov_next && state_d == StBandRows && g_d != g_q, clk_i, rst_ni)
  `EY_COVER(CovStepDescEnd, cov_next && state_d == StDescEnd, clk_i, rst_ni)
  `EY_COVER(CovChainNextDesc, state_q == StDescEnd && advance && desc_drained && d.next != '0,
            clk_i, rst_ni)

  // Row-band boundaries (several bands): the rows a band loads against the ifmap's edges.
  logic cov_band;
  assign cov_band = state_q == StBandIfmapRows && advance && !one_band;
  `EY_COVER(CovBandTopPadding, cov_band && r0_q < 0, clk_i, rst_ni)
  `EY_COVER(CovBandInterior, cov_band && r0_q >= 0 && r1 <= $signed(18'(d.h) - 18'sd1),
            clk_i, rst_ni)
  `EY_COVER(CovBandBottomClipped, cov_band && r1 > $signed(18'(d.h) - 18'sd1), clk_i, rst_ni)
  `EY_COVER(CovBandLastShort, cov_band && last_band && 32'(ecur_q) < 32'(sbe_i), clk_i, rst_ni)
  `EY_COVER(CovBandPooledRowsNone, state_q == StBandPooledRows && advance && pool_on &&
            state_d == StChunkSizes && bnp_q == '0, clk_i, rst_ni)
  `EY_COVER(CovBandPooledRowsSeveral, state_q == StBandPooledRows && advance && pool_on &&
            state_d == StChunkSizes && bnp_q > 10'd1, clk_i, rst_ni)

  // Loads: resident operands, load buffers (halves) and their waits.
  logic cov_load;
  assign cov_load = state_q == StLoadWait && advance && state_d != StLoadWait;
  `EY_COVER(CovImagesResident, cov_load && !load_x, clk_i, rst_ni)
  `EY_COVER(CovFiltersResident, cov_load && !load_w, clk_i, rst_ni)
  `EY_COVER(CovNothingLoaded, cov_load && !load_x && !load_w, clk_i, rst_ni)
  `EY_COVER(CovTableLoaded, cov_load && load_p, clk_i, rst_ni)
  `EY_COVER(CovTableResident, cov_load && pp_tab && !load_w, clk_i, rst_ni)
  `EY_COVER(CovImagesUpperHalf, cov_load && load_x && x_half_d, clk_i, rst_ni)
  `EY_COVER(CovFiltersUpperHalf, cov_load && load_w && w_half_d, clk_i, rst_ni)
  `EY_COVER(CovPsumsUpperHalf, cov_load && ps_half_d, clk_i, rst_ni)
  `EY_COVER(CovLoadOverlapsRun, cov_load && !run_idle_i, clk_i, rst_ni)
  `EY_COVER(CovLoadWaitsForRun, state_q == StLoadWait && advance && state_d == StLoadWait,
            clk_i, rst_ni)
  `EY_COVER(CovTableWaitsForStore, state_q == StTableWait && advance && state_d == StTableWait,
            clk_i, rst_ni)
  `EY_COVER(CovIfmapPerChannelXfers, state_q == StIfmapData && rd_fire && !one_band &&
            tcnt_q + rd_n == x_len_q && 32'(xc_q) + 32'd1 < 32'(ccur_q), clk_i, rst_ni)
  `EY_COVER(CovFilterPerFilterXfers, state_q == StFilterData && rd_fire && !w_whole &&
            cnt_q + rd_n == w_end_q && widx_q + 1'b1 != fcur_q, clk_i, rst_ni)
  `EY_COVER(CovAccumulateChunk, state_q == StRunCfg && advance && c0_q != '0, clk_i, rst_ni)

  // Every error code, as the chain stops with it, and an abort in each phase.
  logic cov_fail;
  assign cov_fail = !abort_i && fail_code != ey_pkg::ErrNone;
  `EY_COVER(CovErrDescMagic, cov_fail && fail_code == ey_pkg::ErrDescMagic, clk_i, rst_ni)
  `EY_COVER(CovErrDescKind, cov_fail && fail_code == ey_pkg::ErrDescKind, clk_i, rst_ni)
  `EY_COVER(CovErrDescZero, cov_fail && fail_code == ey_pkg::ErrDescZero, clk_i, rst_ni)
  `EY_COVER(CovErrDescMapping, cov_fail && fail_code == ey_pkg::ErrDescMapping, clk_i, rst_ni)
  `EY_COVER(CovErrDescArray, cov_fail && fail_code == ey_pkg::ErrDescArray, clk_i, rst_ni)
  `EY_COVER(CovErrDescSpad, cov_fail && fail_code == ey_pkg::ErrDescSpad, clk_i, rst_ni)
  `EY_COVER(CovErrDescGlb, cov_fail && fail_code == ey_pkg::ErrDescGlb, clk_i, rst_ni)
  `EY_COVER(CovErrDescAlign, cov_fail && fail_code == ey_pkg::ErrDescAlign, clk_i, rst_ni)
  `EY_COVER(CovErrDescRange, cov_fail && fail_code == ey_pkg::ErrDescRange, clk_i, rst_ni)
  `EY_COVER(CovErrAxiRdSlverr, cov_fail && fail_code == ey_pkg::ErrAxiRdSlverr, clk_i, rst_ni)
  `EY_COVER(CovErrAxiRdDecerr, cov_fail && fail_code == ey_pkg::ErrAxiRdDecerr, clk_i, rst_ni)
  `EY_COVER(CovErrAxiWrSlverr, cov_fail && fail_code == ey_pkg::ErrAxiWrSlverr, clk_i, rst_ni)
  `EY_COVER(CovErrAxiWrDecerr, cov_fail && fail_code == ey_pkg::ErrAxiWrDecerr, clk_i, rst_ni)
  `EY_COVER(CovErrDescPost, cov_fail && fail_code == ey_pkg::ErrDescPost, clk_i, rst_ni)
  `EY_COVER(CovErrDescPool, cov_fail && fail_code == ey_pkg::ErrDescPool, clk_i, rst_ni)
  `EY_COVER(CovErrInLaterDesc, cov_fail && idx_q != '0, clk_i, rst_ni)
  `EY_COVER(CovErrDescFetchAxi, cov_fail && state_q == StCheckProducts, clk_i, rst_ni)
  `EY_COVER(CovErrLoadAxi, cov_fail && state_q == StHandOver, clk_i, rst_ni)
  `EY_COVER(CovAbortFetching, abort_i && (state_q == StDescCmd || state_q == StDescFetch),
            clk_i, rst_ni)
  `EY_COVER(CovAbortLoading, abort_i && (state_q == StIfmapData || state_q == StFilterData ||
            state_q == StTableData), clk_i, rst_ni)
  `EY_COVER(CovAbortRunning, abort_i && core_busy_i, clk_i, rst_ni)
  `EY_COVER(CovAbortDrainWaits, state_q == StAbortDrain && !(rd_idle_i && wr_idle_i &&
            !core_busy_i), clk_i, rst_ni)
