// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Descriptor checks: the error code of a fetched layer descriptor, and the products of its
// fields that the walker's sequencers use, each computed once into a register.
//
// The load sequencer (rtl/ey_load_seq.sv) steps through three check cycles after the last
// descriptor beat: products_en_i (products of descriptor fields), derived_en_i (sizes derived
// from them), then the check cycle itself, in which err_code_o (combinational) names the
// first failing check of the descriptor (the checks and their order are the driver's
// CheckDesc in sw/src/desc_codec.cc; the codes are rtl/errors.def's) and fit_en_i registers
// whether a chunk's images (filters) fit half of their GLB area. The registered outputs hold
// until the next descriptor's check cycles.
`include "ey_assert.svh"

module ey_desc_check #(
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
  parameter int unsigned AddrW       = 32
) (
  input  logic          clk_i,
  input  logic          rst_ni,

  input  ey_pkg::desc_t desc_i,
  input  logic          products_en_i,  // first check cycle
  input  logic          derived_en_i,   // second check cycle
  input  logic          fit_en_i,       // third: the check cycle
  output logic [7:0]    err_code_o,     // valid in the check cycle: the first failing check

  // Registered products (after the check cycles).
  output logic [19:0]   hw_o,           // h*w
  output logic [10:0]   rs_o,           // R*S
  output logic [23:0]   crs_o,          // cg*R*S
  output logic [15:0]   sbe_o,          // sb*e: ofmap rows of a full band
  output logic [12:0]   cc_o,           // channels in a full channel chunk, min(cbc*r*q, cg)
  output logic [26:0]   mbc_tp_o,       // mbc*t*p: filters in a full filter chunk
  output logic [10:0]   wn_o,           // (F-1)*uw + S (checked to fit 11 bits)
  output logic [7:0]    dmax_o,         // (rg-1) + (e-1)*uh (checked to fit 8 bits)
  output logic [19:0]   yplane_o,       // output words of one plane: E*F, or pooled
  output logic [1:0]    vcols_o,        // -inf columns (rows) streamed past the ofmap's right
  output logic [1:0]    vrows_o,        // edge (bottom) to close the last pooling windows
  output logic          x_pp_o,         // a chunk's images fit half the ifmap area
  output logic          w_pp_o          // a chunk's filters fit half the filter area
);

  localparam int unsigned IfHalf  = IfmapWords / 2;
  localparam int unsigned FltHalf = FilterWords / 2;
  localparam int unsigned PpHalf  = PpWords / 2;

  ey_pkg::desc_t d;
  assign d = desc_i;

  logic pool_on, int16_out, one_band;
  assign pool_on   = d.pool_kh != '0;
  assign int16_out = d.post[1];
  assign one_band  = d.sb >= d.strips;

  // ---------------------------------------------------------------------------------------
  // First check cycle: products of descriptor fields.
  // ---------------------------------------------------------------------------------------
  logic [13:0] tp_q;               // t*p
  logic [10:0] rq_q;               // r*q
  logic [19:0] hw_q;
  logic [10:0] rs_q;
  logic [19:0] sf_q;               // sb*F: psum columns of one band
  logic [15:0] sbe_q;
  logic [19:0] ef_q;               // E*F
  logic [19:0] pefp_q;             // pool_eo*pool_fo
  logic [14:0] wn_q;
  logic [10:0] dmax_q;
  logic [9:0]  rg_nrg_q;           // rg*nrg: filter rows covered
  logic [15:0] strips_e_q;         // strips*e: ofmap rows covered
  logic [11:0] tv_th_q;            // tv*th: chains covered
  logic [31:0] eo_span_q;          // (E-1)*uh: the last window's first ifmap row
  logic [31:0] nb_sb_q;            // nb*sb
  logic [31:0] array_rows_q;       // rg*r*tv: PE rows a set column needs
  logic [31:0] array_cols_q;       // e*th: PE columns
  logic [31:0] ifmap_spad_q;       // S*q: ifmap-spad words
  logic [31:0] filt_spad_q;        // p*q*S: filter-spad words
  logic [63:0] pool_row_span_q;    // (pool_eo-1)*pool_sh: the last window's first row
  logic [63:0] pool_col_span_q;    // (pool_fo-1)*pool_sw: its first column
  logic [63:0] lb_need_q;          // line-buffer words: pool_fo, or nb*mg*pool_fo (bands)

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      tp_q <= '0; rq_q <= '0; hw_q <= '0; rs_q <= '0; sf_q <= '0; sbe_q <= '0; ef_q <= '0;
      pefp_q <= '0; wn_q <= '0; dmax_q <= '0; rg_nrg_q <= '0; strips_e_q <= '0;
      tv_th_q <= '0; eo_span_q <= '0; nb_sb_q <= '0; array_rows_q <= '0; array_cols_q <= '0;
      ifmap_spad_q <= '0; filt_spad_q <= '0; pool_row_span_q <= '0; pool_col_span_q <= '0;
      lb_need_q <= '0;
    end else if (products_en_i) begin
      tp_q            <= 14'(d.t) * 14'(d.p);
      rq_q            <= 11'(d.r) * 11'(d.q);
      hw_q            <= 20'(d.h) * 20'(d.w);
      rs_q            <= 11'(d.kr) * 11'(d.ks);
      sf_q            <= 20'(d.sb) * 20'(d.fo);
      sbe_q           <= 16'(d.sb) * 16'(d.e);
      ef_q            <= 20'(d.eo) * 20'(d.fo);
      pefp_q          <= 20'(d.pool_eo) * 20'(d.pool_fo);
      wn_q            <= (15'(d.fo) - 15'd1) * 15'(d.uw) + 15'(d.ks);
      dmax_q          <= (11'(d.rg) - 11'd1) + (11'(d.e) - 11'd1) * 11'(d.uh);
      rg_nrg_q        <= 10'(d.rg) * 10'(d.nrg);
      strips_e_q      <= 16'(d.strips) * 16'(d.e);
      tv_th_q         <= 12'(d.tv) * 12'(d.th);
      eo_span_q       <= (32'(d.eo) - 32'd1) * 32'(d.uh);
      nb_sb_q         <= 32'(d.nb) * 32'(d.sb);
      array_rows_q    <= 32'(d.rg) * 32'(d.r) * 32'(d.tv);
      array_cols_q    <= 32'(d.e) * 32'(d.th);
      ifmap_spad_q    <= 32'(d.ks) * 32'(d.q);
      filt_spad_q     <= 32'(d.p) * 32'(d.q) * 32'(d.ks);
      pool_row_span_q <= (64'(d.pool_eo) - 64'd1) * 64'(d.pool_sh);
      pool_col_span_q <= (64'(d.pool_fo) - 64'd1) * 64'(d.pool_sw);
      lb_need_q       <= one_band ? 64'(d.pool_fo) : 64'(d.nb) * 64'(d.mg) * 64'(d.pool_fo);
    end
  end

  // ---------------------------------------------------------------------------------------
  // Second check cycle: sizes derived from the products.
  // ---------------------------------------------------------------------------------------
  logic [12:0] cc_q;
  logic [19:0] hbmw_q;             // ifmap words of one channel of the largest band
  logic [23:0] crs_q;
  logic [63:0] xbytes_q, wbytes_q, ybytes_q, ppbytes_q;  // tensor sizes in bytes
  logic [19:0] yplane_q;
  logic [1:0]  vcols_q, vrows_q;
  logic [26:0] mb_tp_q;            // mb*t*p: filters covered
  logic [26:0] mbc_tp_q;
  logic [23:0] cb_rq_q;            // cb*r*q: channels covered
  logic [12:0] chunk_filt_q;       // filters in a full filter chunk, min(mbc*t*p, mg)
  logic [63:0] psum_words_q;       // mbc*nb*sb*F*tv*p: psum-bank words of a chunk

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cc_q <= '0; hbmw_q <= '0; crs_q <= '0; xbytes_q <= '0; wbytes_q <= '0; ybytes_q <= '0;
      ppbytes_q <= '0; yplane_q <= '0; vcols_q <= '0; vrows_q <= '0; mb_tp_q <= '0;
      mbc_tp_q <= '0; cb_rq_q <= '0; chunk_filt_q <= '0; psum_words_q <= '0;
    end else if (derived_en_i) begin
      cc_q     <= (32'(d.cbc) * 32'(rq_q) < 32'(d.cg)) ? 13'(32'(d.cbc) * 32'(rq_q)) : d.cg;
      // Ifmap rows of the largest band: all h with one band (whole channels are loaded).
      hbmw_q   <= (one_band || (32'(sbe_q) - 32'd1) * 32'(d.uh) + 32'(d.kr) >= 32'(d.h)) ?
                  hw_q : 20'(((32'(sbe_q) - 32'd1) * 32'(d.uh) + 32'(d.kr)) * 32'(d.w));
      crs_q    <= 24'(d.cg) * 24'(rs_q);
      xbytes_q <= 64'(d.n) * 64'(d.groups) * 64'(d.cg) * 64'(hw_q) * 64'd2;
      wbytes_q <= 64'(d.groups) * 64'(d.mg) * 64'(d.cg) * 64'(rs_q) * 64'd2;
      ybytes_q <= 64'(d.n) * 64'(d.groups) * 64'(d.mg) *
                  (pool_on ? 64'(pefp_q) * 64'd2 : 64'(ef_q) * (int16_out ? 64'd2 : 64'd4));
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
      mb_tp_q  <= 27'(d.mb) * 27'(tp_q);
      mbc_tp_q <= 27'(d.mbc) * 27'(tp_q);
      cb_rq_q  <= 24'(d.cb) * 24'(rq_q);
      // The minimum with mg (13 bits) fits 13 bits.
      chunk_filt_q <= (64'(d.mbc) * 64'(tp_q) < 64'(d.mg)) ? 13'(64'(d.mbc) * 64'(tp_q)) : d.mg;
      psum_words_q <= 64'(d.mbc) * 64'(d.nb) * 64'(sf_q) * 64'(d.tv) * 64'(d.p);
    end
  end

  // ---------------------------------------------------------------------------------------
  // Third check cycle: the error code, and whether a chunk's operands fit half their area.
  // The ifmap and filter chunk sizes (three-factor products of second-cycle results) are
  // computed in this cycle: registering them would take a fourth check cycle.
  // ---------------------------------------------------------------------------------------
  logic x_pp_q, w_pp_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      x_pp_q <= 1'b0;
      w_pp_q <= 1'b0;
    end else if (fit_en_i) begin
      x_pp_q <= 64'(d.nb) * 64'(cc_q) * 64'(hbmw_q) <= 64'(IfHalf);
      w_pp_q <= 64'(chunk_filt_q) * 64'(cc_q) * 64'(rs_q) <= 64'(FltHalf);
    end
  end

  // ===== BEGIN descriptor checks =========================================================
  // One block, from the descriptor (d) and the registered products (*_q) to the error code:
  // the checks in CheckDesc's order (sw/src/desc_codec.cc), the first failing one wins.
  // Self-contained so that it can be generated from a table (scripts/gen_defs.py).
  logic [7:0] check_err;
  always_comb begin : desc_checks
    check_err = ey_pkg::ErrNone;
    // Magic and format version.
    if (check_err == ey_pkg::ErrNone &&
        (d.magic != ey_pkg::DescMagic || d.version != ey_pkg::DescVersion)) begin
      check_err = ey_pkg::ErrDescMagic;
    end
    // Layer type.
    if (check_err == ey_pkg::ErrNone && d.kind != ey_pkg::KindConv) begin
      check_err = ey_pkg::ErrDescKind;
    end
    // Output path: activations need requantization, ReLU and leaky are exclusive.
    if (check_err == ey_pkg::ErrNone &&
        ((d.post[3:2] != 2'b00 && !d.post[1]) || d.post[3:2] == 2'b11 ||
         d.lk_shift > 6'd62)) begin
      check_err = ey_pkg::ErrDescPost;
    end
    // Pooling: windows and strides 1..3, padding below the window, int16 outputs, every
    // window starting inside the ofmap, and the line buffer holding a pooled row of every
    // plane whose windows straddle row bands (one plane's with one band).
    if (check_err == ey_pkg::ErrNone && d.pool_kh != '0 &&
        (!d.post[1] || d.pool_kh > 4'd3 || d.pool_kw == '0 || d.pool_kw > 4'd3 ||
         d.pool_sh == '0 || d.pool_sh > 4'd3 || d.pool_sw == '0 || d.pool_sw > 4'd3 ||
         d.pool_pt >= d.pool_kh || d.pool_pl >= d.pool_kw || d.pool_eo == '0 ||
         d.pool_fo == '0 ||
         pool_row_span_q >= 64'(d.eo) + 64'(d.pool_pt) ||
         pool_col_span_q >= 64'(d.fo) + 64'(d.pool_pl) ||
         lb_need_q > 64'(PoolWords))) begin
      check_err = ey_pkg::ErrDescPool;
    end
    // A size, stride or mapping field is zero.
    if (check_err == ey_pkg::ErrNone &&
        (d.n == '0 || d.groups == '0 || d.nb == '0 || d.mb == '0 || d.mbc == '0 ||
         d.cbc == '0 || d.cg == '0 || d.h == '0 || d.w == '0 || d.mg == '0 || d.kr == '0 ||
         d.ks == '0 || d.eo == '0 || d.fo == '0 || d.uh == '0 || d.uw == '0 || d.e == '0 ||
         d.p == '0 || d.q == '0 || d.r == '0 || d.t == '0 || d.rg == '0 || d.nrg == '0 ||
         d.tv == '0 || d.th == '0 || d.cb == '0 || d.strips == '0 || d.sb == '0)) begin
      check_err = ey_pkg::ErrDescZero;
    end
    // The mapping covers the layer exactly (no block, row group, strip or chain to spare).
    if (check_err == ey_pkg::ErrNone &&
        (16'(d.nb) > d.n || d.mbc > d.mb || d.cbc > d.cb ||
         mb_tp_q < 27'(d.mg) || mb_tp_q - 27'(tp_q) >= 27'(d.mg) ||
         cb_rq_q < 24'(d.cg) || cb_rq_q - 24'(rq_q) >= 24'(d.cg) ||
         rg_nrg_q < 10'(d.kr) || rg_nrg_q - 10'(d.rg) >= 10'(d.kr) ||
         strips_e_q < 16'(d.eo) || strips_e_q - 16'(d.e) >= 16'(d.eo) ||
         tv_th_q < 12'(d.t) || tv_th_q - 12'(d.tv) >= 12'(d.t) ||
         wn_q > 15'd2047 ||
         d.sb > d.strips ||
         eo_span_q > 32'(d.h) - 32'd1 + 32'(d.pad_top) ||
         nb_sb_q >= 32'd65536)) begin
      check_err = ey_pkg::ErrDescMapping;
    end
    // The PE array.
    if (check_err == ey_pkg::ErrNone &&
        (array_rows_q > 32'(Rows) || array_cols_q > 32'(Cols) || dmax_q > 11'd254)) begin
      check_err = ey_pkg::ErrDescArray;
    end
    // The scratchpads.
    if (check_err == ey_pkg::ErrNone &&
        (ifmap_spad_q > 32'(IfmapDepth) || filt_spad_q > 32'(FilterDepth) ||
         32'(d.p) > 32'(PsumDepth))) begin
      check_err = ey_pkg::ErrDescSpad;
    end
    // The global buffer areas and the output-path table's half.
    if (check_err == ey_pkg::ErrNone &&
        (64'(d.nb) * 64'(cc_q) * 64'(hbmw_q) > 64'(IfmapWords) ||
         64'(chunk_filt_q) * 64'(cc_q) * 64'(rs_q) > 64'(FilterWords) ||
         psum_words_q > 64'(PsumWords) ||
         (d.post[1:0] != 2'b00 && 64'(chunk_filt_q) > 64'(PpHalf)))) begin
      check_err = ey_pkg::ErrDescGlb;
    end
    // Addresses 8-byte aligned.
    if (check_err == ey_pkg::ErrNone &&
        (d.x_addr[2:0] != '0 || d.w_addr[2:0] != '0 || d.y_addr[2:0] != '0 ||
         d.next[2:0] != '0 || (d.post[1:0] != 2'b00 && d.pp_addr[2:0] != '0))) begin
      check_err = ey_pkg::ErrDescAlign;
    end
    // Tensors inside the AXI address space.
    if (check_err == ey_pkg::ErrNone &&
        (d.x_addr[63:AddrW] != '0 || d.w_addr[63:AddrW] != '0 ||
         d.y_addr[63:AddrW] != '0 ||
         xbytes_q > 64'({1'b1, AddrW'(0)}) - 64'(d.x_addr[AddrW-1:0]) ||
         wbytes_q > 64'({1'b1, AddrW'(0)}) - 64'(d.w_addr[AddrW-1:0]) ||
         ybytes_q > 64'({1'b1, AddrW'(0)}) - 64'(d.y_addr[AddrW-1:0]) ||
         (d.post[1:0] != 2'b00 &&
          (d.pp_addr[63:AddrW] != '0 ||
           ppbytes_q > 64'({1'b1, AddrW'(0)}) - 64'(d.pp_addr[AddrW-1:0]))))) begin
      check_err = ey_pkg::ErrDescRange;
    end
  end
  // ===== END descriptor checks ===========================================================

  assign err_code_o = check_err;

  assign hw_o     = hw_q;
  assign rs_o     = rs_q;
  assign crs_o    = crs_q;
  assign sbe_o    = sbe_q;
  assign cc_o     = cc_q;
  assign mbc_tp_o = mbc_tp_q;
  assign wn_o     = 11'(wn_q);
  assign dmax_o   = 8'(dmax_q);
  assign yplane_o = yplane_q;
  assign vcols_o  = vcols_q;
  assign vrows_o  = vrows_q;
  assign x_pp_o   = x_pp_q;
  assign w_pp_o   = w_pp_q;

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(AddrWLegal, AddrW >= 8 && AddrW < 64)
  `EY_ASSERT(OneCheckCycleAtATime, $onehot0({products_en_i, derived_en_i, fit_en_i}), clk_i,
             rst_ni)
`endif

endmodule
