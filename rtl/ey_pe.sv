// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Row-stationary processing element (Eyeriss JSSC 2017, section IV-A).
//
// Over 500 lines on purpose: the PE is one job (one filter row by one ifmap row into one psum
// row) whose parts have no valid/ready boundary between them. The ifmap spad's free-slot
// test reads the MAC issue counters, the zero gate of the MAC pipeline reads the ifmap value
// in flight, and the psum drain reads the pipeline's retire position, all in the same cycle;
// split into modules, these cycle-exact signals would become ports without a protocol. It is
// the unit the array replicates Rows x Cols times and the one that is unit-benched and
// synthesized alone (tb/pe_bench.cc, `make synth`), so it stays whole; its sections below
// (configuration, filter spad, ifmap spad, MAC pipeline, psum spad) follow the datapath.
//
// A PE convolves one filter row with one ifmap row into one psum row, for p filters and q
// channels interleaved in its scratchpads:
//
//   psum[k][x] = sum_{s < S, c < q} w[k][c][s] * ifmap[c][x*U + s]   (+ psum_in[k][x])
//
// for filters k < p and output columns x < F. A processing pass is cfg_rows_i ifmap rows
// convolved with one set of filter rows, which stays in the filter spad (stationary). Passes
// follow each other without a clear: when 2*p*q*S words fit the filter spad, it holds two
// banks and the next pass's filters load while the current pass computes (Eyeriss preloads
// the next pass's filters); otherwise the next filters load once the pass is done.
//
// Streams (valid/ready; a word moves when both are high at a rising edge):
//   filt : p*q*S weights per pass, in order (s, k, c), c fastest:
//          word i = w[k][c][s] with i = (s*p + k)*q + c. Filter-spad address = i (+ p*q*S in
//          the second bank). A beat carries 1..FiltLanes consecutive words (filt_cnt_i), all
//          written in that cycle: the spad is then FiltLanes interleaved banks (ey_lane_mem).
//   ifmap: per row exactly W*q words, W = (F-1)*U + S, in order (column, c), c fastest.
//          Padding is streamed as zeros by the sender. Rows follow each other back to back.
//   psum_i (only when cfg_acc_i): per output column, p psums in order k, added to the output.
//   psum_o: per output column, p psums in order k (AccW bits, wrapping).
//
// Datapath. The ifmap spad is a circular buffer of Dq = q * floor(IfmapDepth/q) words; the
// window of output x is the S*q words starting at word x*U*q of the row. Words for later
// windows are prefetched into free slots (spare depth, and slots whose word this window has
// already read and the next window does not need) while the current window computes. One MAC is
// issued per cycle in the order (s, c, k): the ifmap spad is read once per (s, c) and the value
// reused for the p filters, whose weights are q words apart in the filter spad. Pipeline:
//   issue: ifmap-spad read (when k = 0)          S1: zero test, filter-spad read (gated)
//   S2:    multiply (inputs held when gated)     S3: accumulate into psum spad entry k
// Zero gating: when the ifmap value is zero the filter-spad read and the multiply are skipped
// and the psum entry is left unchanged (the MAC is counted on stat_skip_o instead of
// stat_mac_o). An output column accumulates in p psum-spad entries; each entry is drained to
// psum_o as soon as its last MAC retires, and may be reused once drained. When 2*p entries fit
// the psum spad, consecutive output columns alternate between two banks of p entries, so the
// drain of one column (which waits for the psums from the PE below) overlaps the whole
// computation of the next.
//
// Configuration: S, p, q, U, F and the rows per pass are the same in every PE of the array,
// so ey_pe_cfg (rtl/ey_pe_cfg.sv) latches them on the array clear and derives the spad layout
// once for all PEs; the PE takes the results (cfg_*_i, stable until the next clear) and starts
// taking filters when cfg_run_i rises. Only cfg_acc_i is the PE's own, sampled while clr_i is
// high. Legal configurations: 1 <= S, p, q, U, F; S*q <= IfmapDepth; p*q*S <= FilterDepth;
// p <= PsumDepth. ey_pe_unit (rtl/ey_pe_unit.sv) is one PE with its own ey_pe_cfg.
//
// Fault injection (tests only): a model Verilated with -DEY_FAULT reads the plusargs
// +ey_fault_row=R +ey_fault_col=C +ey_fault_bit=B at time 0, and the PE with PeRow = R and
// PeCol = C has bit B of its drain adder's output (psum_o: the sum of its psums and the PE
// below's) stuck at 1; fault_hit is high in the cycles the fault changes a psum (the drain
// fires with that bit 0), for finding them in a trace. Without EY_FAULT nothing of it is built.
`include "ey_assert.svh"

module ey_pe #(
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned StrideW     = ey_pkg::StrideW,
  parameter int unsigned DimW        = ey_pkg::DimW,
  // Filter words a filter-GIN beat carries at most (FilterDepth a multiple of it).
  parameter int unsigned FiltLanes   = 4,
  // Where the PE sits in the array (row 0 at the bottom); names it for fault injection only.
  parameter int unsigned PeRow       = 0,
  parameter int unsigned PeCol       = 0,
  // Widths of counters and configuration fields.
  localparam int unsigned SqW  = $clog2(IfmapDepth + 1),   // S, q, S*q and ifmap slots
  localparam int unsigned PW   = $clog2(PsumDepth + 1),    // p
  localparam int unsigned FltW = $clog2(FilterDepth + 1),  // filter words p*q*S
  localparam int unsigned IfAW = (IfmapDepth > 1) ? $clog2(IfmapDepth) : 1,
  localparam int unsigned FAW  = (FilterDepth > 1) ? $clog2(FilterDepth) : 1,
  localparam int unsigned PAW  = (PsumDepth > 1) ? $clog2(PsumDepth) : 1,
  localparam int unsigned FlCntW = $clog2(FiltLanes + 1)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,

  // The layer's configuration as ey_pe_cfg derives it once for the array (rtl/ey_pe_cfg.sv),
  // and whether this PE adds the psums of the one below (latched on the clear).
  input  logic               cfg_run_i,      // derivation done: filters and ifmaps move
  input  logic [SqW-1:0]     cfg_q_i,
  input  logic [PW-1:0]      cfg_p_i,
  input  logic [DimW-1:0]    cfg_f_i,
  input  logic [15:0]        cfg_rows_i,     // ifmap rows per pass
  input  logic [SqW-1:0]     cfg_sq_i,       // S*q: words per window
  input  logic [FltW-1:0]    cfg_pqs_i,      // p*q*S: filter words per pass
  input  logic [SqW+StrideW-1:0] cfg_uq_i,   // U*q: words per slide
  input  logic [SqW-1:0]     cfg_dq_i,       // ifmap circular-buffer size Dq in words
  input  logic [SqW-1:0]     cfg_adv_i,      // U*q mod Dq
  input  logic               cfg_dual_i,     // two psum banks of p entries
  input  logic               cfg_fdual_i,    // two filter banks of p*q*S words
  input  logic               cfg_acc_i,

  input  logic               filt_valid_i,
  output logic               filt_ready_o,
  input  logic [FlCntW-1:0]  filt_cnt_i,     // words in this beat, 1..FiltLanes
  input  logic [FiltLanes*DataW-1:0] filt_data_i,  // word k in bits DataW*k and up

  input  logic               if_valid_i,
  output logic               if_ready_o,
  input  logic [DataW-1:0]   if_data_i,

  input  logic               psum_valid_i,
  output logic               psum_ready_o,
  input  logic [AccW-1:0]    psum_data_i,

  output logic               psum_valid_o,
  input  logic               psum_ready_i,
  output logic [AccW-1:0]    psum_data_o,

  output logic               idle_o,
  output logic               stat_mac_o,
  output logic               stat_skip_o,
  output logic               stat_if_rd_o    // an ifmap-spad read (issue with k = 0)
);

  localparam int unsigned AvW = SqW + StrideW + 2;  // signed count of window words

  // ---------------------------------------------------------------------------------------
  // Configuration: the array's (cfg_*_i), and this PE's accumulate flag.
  // ---------------------------------------------------------------------------------------
  logic acc_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) acc_q <= 1'b0;
    else if (clr_i) acc_q <= cfg_acc_i;
  end

  logic run;
  assign run = cfg_run_i;

  // ---------------------------------------------------------------------------------------
  // Filter spad: one or two banks of p*q*S words, loaded pass by pass.
  // ---------------------------------------------------------------------------------------
  logic [FltW-1:0] fill_q;
  logic            fload_bank_q;  // bank being loaded
  logic            fcomp_bank_q;  // bank the MACs read
  logic [1:0]      fready_q;      // bank holds a complete pass of filters
  logic            filt_fire, fill_done, pass_end;
  logic [FAW-1:0]  fill_addr;

  assign filt_ready_o = run && !fready_q[fload_bank_q];
  assign filt_fire    = filt_valid_i && filt_ready_o;
  assign fill_done    = filt_fire && (fill_q + FltW'(filt_cnt_i) == cfg_pqs_i);
  assign fill_addr    = FAW'(fill_q) + (fload_bank_q ? FAW'(cfg_pqs_i) : '0);

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clr_i) begin
      fill_q       <= '0;
      fload_bank_q <= 1'b0;
      fcomp_bank_q <= 1'b0;
      fready_q     <= '0;
    end else begin
      if (filt_fire) begin
        fill_q <= fill_done ? '0 : fill_q + FltW'(filt_cnt_i);
      end
      if (fill_done) begin
        fready_q[fload_bank_q] <= 1'b1;
        fload_bank_q           <= cfg_fdual_i && !fload_bank_q;
      end
      // The last MAC of a pass has issued: its bank is free for the pass after next.
      if (pass_end) begin
        fready_q[fcomp_bank_q] <= 1'b0;
        fcomp_bank_q           <= cfg_fdual_i && !fcomp_bank_q;
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Ifmap spad: circular window buffer.
  // ---------------------------------------------------------------------------------------
  // Issue counters.
  logic [SqW-1:0]  j_q;        // (s, c) step within the window, 0 .. S*q-1
  logic [PW-1:0]   k_q;        // filter, 0 .. p-1
  logic [SqW-1:0]  c_q;        // channel of the (s, c) step, 0 .. q-1
  logic [FAW-1:0]  jb_q;       // filter-spad address of (s, c) with k = 0: s*p*q + c
  logic [FAW-1:0]  fa_q;       // filter-spad address = (s*p + k)*q + c = jb + k*q
  logic [DimW-1:0] x_q;        // output column, 0 .. F-1
  logic                 bank_q;     // psum bank of the current output column
  logic [15:0]          rcnt_q;     // ifmap rows finished in this pass
  logic [PsumDepth-1:0] busy_q, final_q;

  logic signed [AvW-1:0] avail_q, avail_d;  // words held at or after the window start
  logic [SqW-1:0]        wr_ptr_q;          // slot of the next word to arrive
  logic [SqW-1:0]        base_q, base_d;    // slot of the window start
  logic                  if_fire;

  logic signed [AvW-1:0] dq_s, sq_s;
  logic [SqW-1:0]        slide_slots;
  logic [SqW:0]          base_sum;
  logic [AvW-1:0]        slide_words;
  assign dq_s = $signed(AvW'(cfg_dq_i));
  assign sq_s = $signed(AvW'(cfg_sq_i));

  // A slot is free once the word it holds is dead: before the window, or already read for
  // this window (j steps done) and not part of the next window (first slide_words words).
  logic [AvW-1:0]        dead_words;
  logic signed [AvW-1:0] room;
  assign dead_words = (AvW'(j_q) < slide_words) ? AvW'(j_q) : slide_words;
  assign room       = dq_s + $signed(dead_words);

  assign if_ready_o = run && (avail_q < room);
  assign if_fire    = if_valid_i && if_ready_o;


  logic issue, j_last, k_last, out_last, row_last;
  logic [PAW-1:0] k_idx;
  assign k_idx    = PAW'(k_q) + (bank_q ? PAW'(cfg_p_i) : '0);  // psum-spad entry
  assign j_last   = (j_q == cfg_sq_i - 1'b1);
  assign k_last   = (k_q == cfg_p_i - 1'b1);
  assign out_last = j_last && k_last;
  assign row_last = (x_q == cfg_f_i - 1'b1);
  assign pass_end = issue && out_last && row_last && (rcnt_q == cfg_rows_i - 1'b1);
  assign issue    = run && fready_q[fcomp_bank_q] && (avail_q >= sq_s) &&
                    ((j_q != '0) || !busy_q[k_idx]);

  // Window slide at the end of each output column: by U*q words within a row, by S*q words
  // from the last window of a row to the first of the next.
  assign slide_slots = row_last ? cfg_sq_i : cfg_adv_i;
  assign slide_words = row_last ? AvW'(cfg_sq_i) : AvW'(cfg_uq_i);
  assign base_sum    = {1'b0, base_q} + {1'b0, slide_slots};

  always_comb begin
    avail_d = avail_q;
    base_d  = base_q;
    if (if_fire) begin
      avail_d = avail_d + AvW'(1);
    end
    if (issue && out_last) begin
      avail_d = avail_d - $signed(slide_words);
      base_d  = (base_sum >= {1'b0, cfg_dq_i}) ? SqW'(base_sum - {1'b0, cfg_dq_i}) : base_sum[SqW-1:0];
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      avail_q  <= '0;
      wr_ptr_q <= '0;
      base_q   <= '0;
      j_q      <= '0;
      k_q      <= '0;
      c_q      <= '0;
      jb_q     <= '0;
      fa_q     <= '0;
      x_q      <= '0;
      bank_q   <= 1'b0;
      rcnt_q   <= '0;
    end else if (clr_i) begin
      bank_q   <= 1'b0;
      rcnt_q   <= '0;
      avail_q  <= '0;
      wr_ptr_q <= '0;
      base_q   <= '0;
      j_q      <= '0;
      k_q      <= '0;
      c_q      <= '0;
      jb_q     <= '0;
      fa_q     <= '0;
      x_q      <= '0;
    end else begin
      avail_q <= avail_d;
      base_q  <= base_d;
      if (if_fire) begin
        wr_ptr_q <= (wr_ptr_q == cfg_dq_i - 1'b1) ? '0 : wr_ptr_q + 1'b1;
      end
      if (issue) begin
        if (out_last) begin
          j_q  <= '0;
          k_q  <= '0;
          c_q  <= '0;
          jb_q <= '0;
          fa_q <= '0;
          x_q  <= row_last ? '0 : x_q + 1'b1;
          bank_q <= cfg_dual_i && !bank_q;
          if (row_last) rcnt_q <= pass_end ? '0 : rcnt_q + 1'b1;
        end else if (k_last) begin
          // The next (s, c) step: the next channel, or the next filter column's channel 0,
          // (s+1)*p*q, which is the word after this one, (s*p + p-1)*q + q-1.
          k_q <= '0;
          j_q <= j_q + 1'b1;
          if (c_q == cfg_q_i - 1'b1) begin
            c_q  <= '0;
            jb_q <= fa_q + 1'b1;
            fa_q <= fa_q + 1'b1;
          end else begin
            c_q  <= c_q + 1'b1;
            jb_q <= jb_q + 1'b1;
            fa_q <= jb_q + 1'b1;
          end
        end else begin
          k_q  <= k_q + 1'b1;
          fa_q <= fa_q + FAW'(cfg_q_i);
        end
      end
    end
  end

  logic [SqW:0]    if_rsum;
  logic [IfAW-1:0] if_raddr;
  logic [DataW-1:0] if_rdata;
  assign if_rsum  = {1'b0, base_q} + {1'b0, j_q};
  assign if_raddr = (if_rsum >= {1'b0, cfg_dq_i}) ? IfAW'(if_rsum - {1'b0, cfg_dq_i}) : IfAW'(if_rsum);

  ey_sram_2p #(
    .Depth (IfmapDepth),
    .Width (DataW)
  ) u_ifmap_spad (
    .clk_i   (clk_i),
    .we_i    (if_fire),
    .waddr_i (IfAW'(wr_ptr_q)),
    .wdata_i (if_data_i),
    .re_i    (issue && (k_q == '0)),
    .raddr_i (if_raddr),
    .rdata_o (if_rdata)
  );

  // ---------------------------------------------------------------------------------------
  // MAC pipeline.
  // ---------------------------------------------------------------------------------------
  logic           v1_q, first1_q, last1_q;
  logic [PAW-1:0] k1_q;
  logic [FAW-1:0] fa1_q;
  logic           v2_q, first2_q, last2_q, zero2_q;
  logic [PAW-1:0] k2_q;
  logic [DataW-1:0] x2_q;
  logic           v3_q, first3_q, last3_q, zero3_q;
  logic [PAW-1:0] k3_q;
  logic [2*DataW-1:0] prod3_q;

  logic zero1;
  logic [DataW-1:0] w2;
  assign zero1 = (if_rdata == '0);

  if (FiltLanes > 1) begin : g_filter_lanes
    ey_lane_mem #(
      .Depth   (FilterDepth),
      .Width   (DataW),
      .Lanes   (FiltLanes),
      .RdLanes (1)
    ) u_filter_spad (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .we_i    (filt_fire),
      .waddr_i (fill_addr),
      .wcnt_i  (filt_cnt_i),
      .wdata_i (filt_data_i),
      .re_i    (v1_q && !zero1),
      .raddr_i (fa1_q),
      .rdata_o (w2)
    );
  end else begin : g_filter_word
    ey_sram_2p #(
      .Depth (FilterDepth),
      .Width (DataW)
    ) u_filter_spad (
      .clk_i   (clk_i),
      .we_i    (filt_fire),
      .waddr_i (fill_addr),
      .wdata_i (filt_data_i[DataW-1:0]),
      .re_i    (v1_q && !zero1),
      .raddr_i (fa1_q),
      .rdata_o (w2)
    );
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      v2_q <= 1'b0;
      v3_q <= 1'b0;
    end else if (clr_i) begin
      v1_q <= 1'b0;
      v2_q <= 1'b0;
      v3_q <= 1'b0;
    end else begin
      v1_q <= issue;
      v2_q <= v1_q;
      v3_q <= v2_q;
    end
  end

  always_ff @(posedge clk_i) begin
    // Issue -> S1
    first1_q <= (j_q == '0);
    last1_q  <= j_last;
    k1_q     <= k_idx;
    fa1_q    <= fa_q + (fcomp_bank_q ? FAW'(cfg_pqs_i) : '0);
    // S1 -> S2
    first2_q <= first1_q;
    last2_q  <= last1_q;
    k2_q     <= k1_q;
    zero2_q  <= zero1;
    if (v1_q && !zero1) begin
      x2_q <= if_rdata;
    end
    // S2 -> S3
    first3_q <= first2_q;
    last3_q  <= last2_q;
    k3_q     <= k2_q;
    zero3_q  <= zero2_q;
    if (v2_q && !zero2_q) begin
      prod3_q <= $signed(x2_q) * $signed(w2);
    end
  end

  // ---------------------------------------------------------------------------------------
  // Psum spad, accumulation and drain.
  // ---------------------------------------------------------------------------------------
  logic [AccW-1:0] psum_q [PsumDepth];
  logic signed [2*DataW-1:0] prod_s;
  logic signed [AccW-1:0]    prod_sx;
  logic [AccW-1:0] prod_ext, acc_old;
  logic [PW-1:0]   d_q, d_last;  // drain pointer over the p (or 2p) entries in use
  logic [PAW-1:0]  d_idx;
  logic            out_valid_q, out_free, drain_fire;
  logic [AccW-1:0] out_data_q;

  assign prod_s   = $signed(prod3_q);
  assign prod_sx  = AccW'(prod_s);  // sign-extends (AccW >= 2*DataW)
  assign prod_ext = zero3_q ? '0 : prod_sx;
  assign acc_old  = first3_q ? '0 : psum_q[k3_q];
  assign d_idx    = PAW'(d_q);
  assign d_last   = cfg_dual_i ? PW'({cfg_p_i, 1'b0} - 1'b1) : cfg_p_i - 1'b1;

  always_ff @(posedge clk_i) begin
    if (v3_q) begin
      psum_q[k3_q] <= acc_old + prod_ext;
    end
  end

`ifdef EY_FAULT
  logic [AccW-1:0] fault_mask;  // the stuck-at-1 bits of this PE's drain adder
  logic [AccW-1:0] fault_sum;   // the drain adder's fault-free output
  /* verilator lint_off UNUSED */
  logic            fault_hit;   // the fault changes the psum drained this cycle (for traces)
  /* verilator lint_on UNUSED */
  assign fault_sum = psum_q[d_idx] + (acc_q ? psum_data_i : '0);
  assign fault_hit = drain_fire && (fault_sum & fault_mask) != fault_mask;
  initial begin
    int fault_row, fault_col, fault_bit;
    fault_mask = '0;
    if ($value$plusargs("ey_fault_row=%d", fault_row) &&
        $value$plusargs("ey_fault_col=%d", fault_col) &&
        $value$plusargs("ey_fault_bit=%d", fault_bit) && fault_row == int'(PeRow) &&
        fault_col == int'(PeCol) && fault_bit >= 0 && fault_bit < int'(AccW)) begin
      fault_mask = AccW'(1) << fault_bit;
    end
  end
`endif

  assign out_free     = !out_valid_q || psum_ready_i;
  assign psum_ready_o = run && acc_q && final_q[d_idx] && out_free;
  assign drain_fire   = run && final_q[d_idx] && out_free && (!acc_q || psum_valid_i);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q      <= '0;
      final_q     <= '0;
      d_q         <= '0;
      out_valid_q <= 1'b0;
      out_data_q  <= '0;
    end else if (clr_i) begin
      busy_q      <= '0;
      final_q     <= '0;
      d_q         <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (issue && (j_q == '0)) begin
        busy_q[k_idx] <= 1'b1;
      end
      if (v3_q && last3_q) begin
        final_q[k3_q] <= 1'b1;
      end
      if (drain_fire) begin
        busy_q[d_idx]  <= 1'b0;
        final_q[d_idx] <= 1'b0;
        d_q            <= (d_q == d_last) ? '0 : d_q + 1'b1;
`ifdef EY_FAULT
        out_data_q     <= fault_sum | fault_mask;
`else
        out_data_q     <= psum_q[d_idx] + (acc_q ? psum_data_i : '0);
`endif
        out_valid_q    <= 1'b1;
      end else if (psum_ready_i) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  assign psum_valid_o = out_valid_q;
  assign psum_data_o  = out_data_q;

  assign idle_o      = run && !v1_q && !v2_q && !v3_q && (busy_q == '0) && !out_valid_q;
  assign stat_mac_o  = v3_q && !zero3_q;
  assign stat_skip_o = v3_q && zero3_q;
  assign stat_if_rd_o = issue && (k_q == '0);

  // ---------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  `EY_ASSERT_INIT(DepthsLegal, IfmapDepth >= 1 && FilterDepth >= 1 && PsumDepth >= 1)
  `EY_ASSERT_INIT(AccWideEnough, AccW >= 2 * DataW)
  `EY_ASSERT_INIT(FiltLanesLegal, FiltLanes >= 1 && FilterDepth % FiltLanes == 0)
  `EY_ASSERT(NoDrainBeforeFinal, drain_fire |-> busy_q[d_idx], clk_i, rst_ni)
  `EY_ASSERT_KNOWN(PsumValidKnown, psum_valid_o, clk_i, rst_ni)
  `EY_ASSERT_STABLE(PsumOutStable, psum_valid_o, psum_ready_i, psum_data_o, clk_i, rst_ni)
`endif

endmodule
