// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Pass controller: runs every processing pass of one CONV layer (one group) from the layer
// record (ey_pkg::layer_cfg_t), with the operands in the global buffer.
//
// The filter and ifmap generators are their own modules (rtl/ey_filt_gen.sv,
// rtl/ey_ifmap_gen.sv: a pass counter, an address walk and a GLB read port each, with a
// valid/ready stream out). The NoC ID chain, the psum lanes and the counters stay here: they
// share the per-column chain counts (tvc_q) and the pass state.
//
// At start it computes the NoC IDs of every PE (one PE per cycle, shifted into a chain like
// Eyeriss's scan chain): PE (i, jp) belongs to set column hs = jp / e (set column j = jp % e),
// chain slot v = i / (r*rg), channel set cgi = (i % (r*rg)) / rg and filter row ii = i % rg.
// Then it clears the array once and runs four kinds of stream generator side by side, each
// walking every pass of the layer (filter block mb, channel block cb, filter-row group rgi) on
// its own pass counter, so streams cross pass boundaries as soon as the PEs can take the data
// (the PEs load the next pass's filters while computing):
//   filter GIN: for each physical row and set column, the p*q*S weights of that filter row
//               (order s, k, c), tagged (row, hs), up to FiltLanes words a beat;
//   ifmap GIN:  for each image and strip of e ofmap rows, column by column, every diagonal d
//               that feeds a PE (ifmap row y0*uh + d + rgi*rg - pad_top) and every channel of
//               every channel set, tagged (cgi, d); rows and columns outside the ifmap and
//               padded channels are sent as zeros without reading the buffer;
//   psum GIN:   per column, the psums of the earlier passes from that column's bank, to the
//               bottom PE of each chain (zeros in the first pass of a filter block, or with
//               acc_in the words an earlier run left there); a read waits until the GON has
//               written that word in the previous pass;
//   GON:        per column, pulls the finished psums from the top PE of each chain into the
//               column's bank, in the same order, so each bank is addressed by a counter.
// Each filter block's psums get their own region of the bank. The layer is done when every
// GON lane has moved its last psum.
`include "ey_assert.svh"

module ey_pass_ctrl #(
  parameter int unsigned Rows        = 12,
  parameter int unsigned Cols        = 14,
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned StrideW     = ey_pkg::StrideW,
  parameter int unsigned DimW        = ey_pkg::DimW,
  parameter int unsigned IdW         = ey_pkg::IdW,
  parameter int unsigned IfmapWords  = 16384,
  parameter int unsigned FilterWords = 4096,
  parameter int unsigned PsumWords   = 1024,
  parameter int unsigned FiltLanes   = 4,
  localparam int unsigned NumPe = Rows * Cols,
  localparam int unsigned SqW   = $clog2(IfmapDepth + 1),
  localparam int unsigned PW    = $clog2(PsumDepth + 1),
  localparam int unsigned RowW  = (Rows > 1) ? $clog2(Rows) : 1,
  localparam int unsigned CntW  = $clog2(NumPe + 1),
  localparam int unsigned FlCntW  = $clog2(FiltLanes + 1),
  localparam int unsigned FlWrW   = $clog2(NumPe * FiltLanes + 1),
  localparam int unsigned IfAW  = $clog2(IfmapWords),
  localparam int unsigned FltAW = $clog2(FilterWords),
  localparam int unsigned PsAW  = $clog2(PsumWords)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,

  input  ey_pkg::layer_cfg_t     cfg_i,
  input  logic                   start_i,
  input  logic                   abort_i,    // stop the layer, clear the array, back to idle
  output logic                   busy_o,
  output logic                   done_o,

  // PE array configuration
  output logic                   arr_clr_o,
  output logic [SqW-1:0]         arr_s_o,
  output logic [PW-1:0]          arr_p_o,
  output logic [SqW-1:0]         arr_q_o,
  output logic [StrideW-1:0]     arr_u_o,
  output logic [DimW-1:0]        arr_f_o,
  output logic [15:0]            arr_rows_o,
  output logic [Rows*IdW-1:0]    arr_filt_row_id_o,
  output logic [NumPe*IdW-1:0]   arr_filt_col_id_o,
  output logic [Rows*IdW-1:0]    arr_if_row_id_o,
  output logic [NumPe*IdW-1:0]   arr_if_col_id_o,
  output logic [NumPe-1:0]       arr_psum_ln_o,
  output logic [NumPe-1:0]       arr_acc_o,

  // PE array streams
  output logic                   filt_valid_o,
  input  logic                   filt_ready_i,
  output logic [IdW-1:0]         filt_row_o,
  output logic [IdW-1:0]         filt_col_o,
  output logic [FlCntW-1:0]      filt_cnt_o,
  output logic [FiltLanes*DataW-1:0] filt_data_o,
  output logic                   if_valid_o,
  input  logic                   if_ready_i,
  output logic [IdW-1:0]         if_row_o,
  output logic [IdW-1:0]         if_col_o,
  output logic [DataW-1:0]       if_data_o,
  output logic [Cols-1:0]        pin_valid_o,
  input  logic [Cols-1:0]        pin_ready_i,
  output logic [Cols*RowW-1:0]   pin_row_o,
  output logic [Cols*AccW-1:0]   pin_data_o,
  output logic [Cols*RowW-1:0]   gon_row_o,
  input  logic [Cols-1:0]        gon_valid_i,
  output logic [Cols-1:0]        gon_ready_o,
  input  logic [Cols*AccW-1:0]   gon_data_i,
  input  logic [CntW-1:0]        arr_mac_i,
  input  logic [CntW-1:0]        arr_skip_i,
  input  logic [CntW-1:0]        arr_if_wr_i,   // spad and LN accesses this cycle (ey_pe_array)
  input  logic [CntW-1:0]        arr_if_rd_i,
  input  logic [FlWrW-1:0]       arr_flt_wr_i,
  input  logic [CntW-1:0]        arr_ln_i,

  // Global buffer
  output logic                   glb_filt_re_o,
  output logic [FltAW-1:0]       glb_filt_addr_o,
  input  logic [FiltLanes*DataW-1:0] glb_filt_rdata_i,
  output logic                   glb_if_re_o,
  output logic [IfAW-1:0]        glb_if_addr_o,
  input  logic [DataW-1:0]       glb_if_rdata_i,
  output logic [Cols-1:0]        glb_ps_re_o,
  output logic [Cols*PsAW-1:0]   glb_ps_raddr_o,
  input  logic [Cols*AccW-1:0]   glb_ps_rdata_i,
  output logic [Cols-1:0]        glb_ps_we_o,
  output logic [Cols*PsAW-1:0]   glb_ps_waddr_o,
  output logic [Cols*AccW-1:0]   glb_ps_wdata_o,

  // Performance counters, cleared at start.
  output logic [31:0]            cnt_passes_o,
  output logic [31:0]            cnt_mac_o,
  output logic [31:0]            cnt_skip_o,
  output logic [31:0]            cnt_filt_words_o,
  output logic [31:0]            cnt_if_words_o,
  output logic [31:0]            cnt_pin_words_o,
  output logic [31:0]            cnt_gon_words_o,
  output logic [31:0]            cnt_glb_reads_o,
  output logic [31:0]            cnt_glb_writes_o,
  output logic [31:0]            cnt_spad_if_wr_o,
  output logic [31:0]            cnt_spad_if_rd_o,
  output logic [31:0]            cnt_spad_flt_wr_o,
  output logic [31:0]            cnt_ln_words_o
);

  // The ID no tag matches: all ones. Written as a replication, not '1: Yosys 0.23 evaluates a
  // typed localparam's '1 as 1 (found by the gate-level check, make gate), which made every
  // unused PE take the tag-1 words.
  localparam logic [IdW-1:0] IdOff = {IdW{1'b1}};

  typedef enum logic [2:0] {StIdle, StIds, StPass, StRun, StDone} ctrl_state_e;

  ey_pkg::layer_cfg_t c;
  assign c = cfg_i;

  ctrl_state_e state_q, state_d;

  logic layer_done;

  // ---------------------------------------------------------------------------------------
  // NoC ID computation: one PE per cycle, shifted into chains.
  // ---------------------------------------------------------------------------------------
  logic [RowW-1:0] id_i_q;
  logic [7:0]      id_jp_q, id_j_q, id_hs_q;
  logic [7:0]      id_ii_q, id_cgi_q, id_v_q;
  logic            id_used, id_on, id_ln;
  logic [15:0]     id_tg;
  logic [IdW-1:0]  id_diag;
  logic [NumPe-1:0] on_q, ln_q;
  logic [Cols*8-1:0] tvc_q;  // chains per column
  logic [7:0]      id_tvc;
  logic [15:0]     id_hs_tv_q, id_j_uh_q;  // hs*tv and j*uh, stepped with hs and j

  assign id_used = 16'(id_v_q) < 16'(c.tv);
  assign id_tg   = id_hs_tv_q + 16'(id_v_q);
  assign id_on   = id_used && (16'(id_hs_q) < 16'(c.th)) && (id_tg < 16'(c.t));
  assign id_ln   = id_on && (id_cgi_q != '0 || id_ii_q != '0);
  assign id_diag = IdW'(16'(id_ii_q) + id_j_uh_q);
  // Chains served by this column: min(tv, t - hs*tv), none outside the set columns.
  logic [15:0] id_left;
  assign id_left = 16'(c.t) - id_hs_tv_q;
  always_comb begin
    id_tvc = '0;
    if (16'(id_hs_q) < 16'(c.th) && id_hs_tv_q < 16'(c.t)) begin
      id_tvc = (id_left < 16'(c.tv)) ? id_left[7:0] : 8'(c.tv);
    end
  end

  // The IDs take Rows*Cols cycles and the run's constant products (u_consts) Steps; StIds
  // lasts until both are done, and the IDs stop once written.
  logic id_step, id_row_start, id_last, ids_done_q;
  assign id_step      = (state_q == StIds) && !ids_done_q;
  assign id_row_start = (id_jp_q == '0);
  assign id_last      = (id_i_q == RowW'(Rows - 1)) && (id_jp_q == 8'(Cols - 1));

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      arr_filt_col_id_o <= '1;
      arr_if_col_id_o   <= '1;
      arr_filt_row_id_o <= '1;
      arr_if_row_id_o   <= '1;
      on_q              <= '0;
      ln_q              <= '0;
      tvc_q             <= '0;
    end else if (id_step) begin
      arr_filt_col_id_o <= {id_on ? IdW'(id_hs_q) : IdOff, arr_filt_col_id_o[NumPe*IdW-1:IdW]};
      arr_if_col_id_o   <= {id_on ? id_diag : IdOff, arr_if_col_id_o[NumPe*IdW-1:IdW]};
      on_q              <= {id_on, on_q[NumPe-1:1]};
      ln_q              <= {id_ln, ln_q[NumPe-1:1]};
      if (id_row_start) begin
        arr_filt_row_id_o <= {id_used ? IdW'(id_i_q) : IdOff, arr_filt_row_id_o[Rows*IdW-1:IdW]};
        arr_if_row_id_o   <= {id_used ? IdW'(id_cgi_q) : IdOff, arr_if_row_id_o[Rows*IdW-1:IdW]};
      end
      if (id_i_q == '0) begin
        tvc_q <= {id_tvc, tvc_q[Cols*8-1:8]};
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || state_q != StIds) begin
      id_i_q     <= '0;
      id_jp_q    <= '0;
      id_j_q     <= '0;
      id_hs_q    <= '0;
      id_ii_q    <= '0;
      id_cgi_q   <= '0;
      id_v_q     <= '0;
      id_hs_tv_q <= '0;
      id_j_uh_q  <= '0;
      ids_done_q <= 1'b0;
    end else if (!id_step) begin
      // Written: wait for the constants.
    end else if (id_last) begin
      ids_done_q <= 1'b1;
    end else if (id_jp_q == 8'(Cols - 1)) begin
      // Next row.
      id_jp_q    <= '0;
      id_j_q     <= '0;
      id_hs_q    <= '0;
      id_hs_tv_q <= '0;
      id_j_uh_q  <= '0;
      id_i_q     <= id_i_q + 1'b1;
      if (id_ii_q == 8'(c.rg) - 1'b1) begin
        id_ii_q <= '0;
        if (id_cgi_q == 8'(c.r) - 1'b1) begin
          id_cgi_q <= '0;
          id_v_q   <= id_v_q + 1'b1;
        end else begin
          id_cgi_q <= id_cgi_q + 1'b1;
        end
      end else begin
        id_ii_q <= id_ii_q + 1'b1;
      end
    end else begin
      id_jp_q <= id_jp_q + 1'b1;
      if (id_j_q == 8'(c.e) - 1'b1) begin
        id_j_q     <= '0;
        id_j_uh_q  <= '0;
        id_hs_q    <= id_hs_q + 1'b1;
        id_hs_tv_q <= id_hs_tv_q + 16'(c.tv);
      end else begin
        id_j_q    <= id_j_q + 1'b1;
        id_j_uh_q <= id_j_uh_q + 16'(c.uh);
      end
    end
  end

  assign arr_psum_ln_o = ln_q;
  assign arr_acc_o     = on_q;  // bottom PEs add the psum GIN (zeros in first passes)
  assign arr_rows_o    = consts.n_strips;
  assign arr_s_o       = SqW'(c.ks);
  assign arr_p_o       = PW'(c.p);
  assign arr_q_o       = SqW'(c.q);
  assign arr_u_o       = StrideW'(c.uw);
  assign arr_f_o       = DimW'(c.fo);

  // ---------------------------------------------------------------------------------------
  // The run's constant products, one a cycle while the IDs are written.
  // ---------------------------------------------------------------------------------------
  ey_pkg::run_consts_t consts;
  logic consts_last, consts_done_q;
  ey_run_consts #(
    .AddrW ((IfAW > FltAW) ? IfAW : FltAW)
  ) u_consts (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .start_i  (start_i && !busy_o),
    .cfg_i    (cfg_i),
    .last_o   (consts_last),
    .consts_o (consts)
  );
  always_ff @(posedge clk_i) begin
    if (!rst_ni || state_q != StIds) consts_done_q <= 1'b0;
    else if (consts_last) consts_done_q <= 1'b1;
  end

  // ---------------------------------------------------------------------------------------
  // Main state machine.
  // ---------------------------------------------------------------------------------------
  logic gen_init;  // clears the array and starts every generator at the first pass
  logic restart;   // gen_init or an abort: generators, read ports and the array clear
  assign gen_init  = (state_q == StPass);
  assign restart   = gen_init || abort_i;
  assign arr_clr_o = restart;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle: if (start_i) state_d = StIds;
      StIds:  if ((ids_done_q || id_last) && (consts_done_q || consts_last)) state_d = StPass;
      StPass: state_d = StRun;
      StRun:  if (layer_done) state_d = StDone;
      StDone: if (start_i) state_d = StIds;
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || abort_i) begin
      state_q <= StIdle;
    end else begin
      state_q <= state_d;
    end
  end

  assign busy_o = (state_q != StIdle) && (state_q != StDone);
  assign done_o = (state_q == StDone);

  // ---------------------------------------------------------------------------------------
  // Stream generators: filters and ifmaps (valid/ready to the array's GINs).
  // ---------------------------------------------------------------------------------------
  logic fg_adv, fg_done, ig_done;
  logic [FlCntW-1:0] glb_filt_words;  // GLB words the filter read of this cycle uses

  ey_filt_gen #(
    .DataW       (DataW),
    .IdW         (IdW),
    .FilterWords (FilterWords),
    .FiltLanes   (FiltLanes)
  ) u_filt_gen (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clr_i            (restart),
    .init_i           (gen_init),
    .cfg_i            (cfg_i),
    .k_i              (consts),
    .glb_filt_re_o    (glb_filt_re_o),
    .glb_filt_addr_o  (glb_filt_addr_o),
    .glb_filt_rdata_i (glb_filt_rdata_i),
    .glb_filt_words_o (glb_filt_words),
    .filt_valid_o     (filt_valid_o),
    .filt_ready_i     (filt_ready_i),
    .filt_row_o       (filt_row_o),
    .filt_col_o       (filt_col_o),
    .filt_cnt_o       (filt_cnt_o),
    .filt_data_o      (filt_data_o),
    .pass_adv_o       (fg_adv),
    .done_o           (fg_done)
  );

  ey_ifmap_gen #(
    .DataW      (DataW),
    .IdW        (IdW),
    .IfmapWords (IfmapWords)
  ) u_ifmap_gen (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clr_i          (restart),
    .init_i         (gen_init),
    .cfg_i          (cfg_i),
    .k_i            (consts),
    .glb_if_re_o    (glb_if_re_o),
    .glb_if_addr_o  (glb_if_addr_o),
    .glb_if_rdata_i (glb_if_rdata_i),
    .if_valid_o     (if_valid_o),
    .if_ready_i     (if_ready_i),
    .if_row_o       (if_row_o),
    .if_col_o       (if_col_o),
    .if_data_o      (if_data_o),
    .done_o         (ig_done)
  );

  // ---------------------------------------------------------------------------------------
  // Psum lanes, one per column: psum GIN reads and GON writes of the column's bank.
  // ---------------------------------------------------------------------------------------
  logic [7:0]     chain_rows;  // r*rg
  assign chain_rows = consts.r_rg;

  logic [Cols-1:0] gon_done, pin_empty;
  logic [Cols-1:0] pin_fire, gon_fire, pin_issue;

  for (genvar j = 0; j < Cols; j++) begin : g_lane
    logic [7:0]  tvc;
    assign tvc = tvc_q[j*8 +: 8];

    // Both lanes move, per pass: outer (n, strip, x) | chain v | k (ey_lane_seq).
    // GON: pulls from the top PE of each chain and writes the bank at gbase + offset.
    logic            ga_active_q, g_end, g_adv, g_last, g_block_last;
    logic [7:0]      grow;
    logic [PsAW-1:0] goff, gbase_q;
    logic [31:0]     g_idx;
    assign g_adv = gon_fire[j] && g_end;

    ey_lane_seq #(
      .OffW (PsAW)
    ) u_gon_seq (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .init_i       (gen_init),
      .step_i       (gon_fire[j]),
      .p_i          (8'(c.p)),
      .chains_i     (tvc),
      .outer_i      (c.lane_outer),
      .chain_rows_i (chain_rows),
      .row0_i       (chain_rows - 1'b1),
      .row_o        (grow),
      .off_o        (goff),
      .pass_end_o   (g_end)
    );

    ey_pass_cnt u_gon_pass (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .init_i       (gen_init),
      .adv_i        (g_adv),
      .mb_n_i       (c.mb),
      .cb_n_i       (c.cb),
      .nrg_n_i      (c.nrg),
      .mb_o         (),
      .cb_o         (),
      .rgi_o        (),
      .first_o      (),
      .last_o       (g_last),
      .block_last_o (g_block_last),
      .idx_o        (g_idx)
    );

    // After the last pass of a filter block, the next block's psums go to a new region of
    // the bank right after this one; passes of one block rewrite their region in place.
    always_ff @(posedge clk_i) begin
      if (!rst_ni || restart) begin
        ga_active_q <= gen_init && (tvc != '0);
        gbase_q     <= PsAW'(c.ps_base);
      end else if (g_adv) begin
        ga_active_q <= !g_last;
        if (g_block_last) gbase_q <= gbase_q + goff + 1'b1;
      end
    end

    // Psum GIN: reads the bank at the same offsets, one pass behind the GON.
    logic            pa_active_q, p_end, p_adv, p_first, p_last, p_wait;
    logic [7:0]      prow;
    logic [PsAW-1:0] poff;
    logic [31:0]     p_idx;
    assign p_adv = pin_issue[j] && p_end;

    ey_lane_seq #(
      .OffW (PsAW)
    ) u_pin_seq (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .init_i       (gen_init),
      .step_i       (pin_issue[j]),
      .p_i          (8'(c.p)),
      .chains_i     (tvc),
      .outer_i      (c.lane_outer),
      .chain_rows_i (chain_rows),
      .row0_i       (8'd0),
      .row_o        (prow),
      .off_o        (poff),
      .pass_end_o   (p_end)
    );

    ey_pass_cnt u_pin_pass (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .init_i       (gen_init),
      .adv_i        (p_adv),
      .mb_n_i       (c.mb),
      .cb_n_i       (c.cb),
      .nrg_n_i      (c.nrg),
      .mb_o         (),
      .cb_o         (),
      .rgi_o        (),
      .first_o      (p_first),
      .last_o       (p_last),
      .block_last_o (),
      .idx_o        (p_idx)
    );

    // A read of a later pass waits until the GON has written that word in the pass before.
    // The first pass of a block reads zeros, or with acc_in (a later channel chunk) the
    // bank's words from the run before: then it waits until the GON has moved its bank base
    // to the block.
    assign p_wait = p_first ? (c.acc_in && g_idx < p_idx)
                            : !((g_idx >= p_idx) || (g_idx + 1'b1 == p_idx && goff > poff));

    always_ff @(posedge clk_i) begin
      if (!rst_ni || restart) begin
        pa_active_q <= gen_init && (tvc != '0);
      end else if (p_adv) begin
        pa_active_q <= !p_last;
      end
    end
`ifndef SYNTHESIS
    // Functional cover points (make coverage; docs/coverage.md), summed over the columns.
    `EY_COVER(CovCtrlPsumReadWaitsForGon, pa_active_q && p_wait && !p_first, clk_i, rst_ni)
    `EY_COVER(CovCtrlAccInWaitsForGon, pa_active_q && p_wait && p_first, clk_i, rst_ni)
`endif

    logic [RowW-1:0] pin_row;
    ey_rd_port #(
      .TagW  (RowW),
      .DataW (AccW)
    ) u_pin_port (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clr_i       (restart),
      .req_valid_i (pa_active_q && !p_wait),
      .req_zero_i  (p_first && !c.acc_in),
      .req_tag_i   (RowW'(prow)),
      .issue_o     (pin_issue[j]),
      .mem_re_o    (glb_ps_re_o[j]),
      .mem_rdata_i (glb_ps_rdata_i[j*AccW +: AccW]),
      .valid_o     (pin_valid_o[j]),
      .ready_i     (pin_ready_i[j]),
      .tag_o       (pin_row),
      .data_o      (pin_data_o[j*AccW +: AccW]),
      .empty_o     (pin_empty[j])
    );
    assign pin_row_o[j*RowW +: RowW]      = pin_row;
    assign glb_ps_raddr_o[j*PsAW +: PsAW] = gbase_q + poff;
    assign pin_fire[j]                    = pin_valid_o[j] && pin_ready_i[j];

    assign gon_row_o[j*RowW +: RowW]       = RowW'(grow);
    assign gon_ready_o[j]                  = ga_active_q;
    assign gon_fire[j]                     = gon_ready_o[j] && gon_valid_i[j];
    assign glb_ps_we_o[j]                  = gon_fire[j];
    assign glb_ps_waddr_o[j*PsAW +: PsAW]  = gbase_q + goff;
    assign glb_ps_wdata_o[j*AccW +: AccW]  = gon_data_i[j*AccW +: AccW];
    assign gon_done[j]                     = !ga_active_q;
  end

  assign layer_done = (state_q == StRun) && (&gon_done) && (&pin_empty) && fg_done && ig_done;

  // ---------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------
  function automatic logic [31:0] popcount(input logic [Cols-1:0] v);
    popcount = '0;
    for (int unsigned k = 0; k < Cols; k++) popcount = popcount + 32'(v[k]);
  endfunction

  logic run_cnt;
  assign run_cnt = busy_o;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || (start_i && !busy_o)) begin
      cnt_passes_o     <= '0;
      cnt_mac_o        <= '0;
      cnt_skip_o       <= '0;
      cnt_filt_words_o <= '0;
      cnt_if_words_o   <= '0;
      cnt_pin_words_o  <= '0;
      cnt_gon_words_o  <= '0;
      cnt_glb_reads_o  <= '0;
      cnt_glb_writes_o <= '0;
      cnt_spad_if_wr_o  <= '0;
      cnt_spad_if_rd_o  <= '0;
      cnt_spad_flt_wr_o <= '0;
      cnt_ln_words_o    <= '0;
    end else if (run_cnt) begin
      cnt_passes_o     <= cnt_passes_o + 32'(fg_adv);
      cnt_mac_o        <= cnt_mac_o + 32'(arr_mac_i);
      cnt_skip_o       <= cnt_skip_o + 32'(arr_skip_i);
      cnt_filt_words_o <= cnt_filt_words_o +
                          ((filt_valid_o && filt_ready_i) ? 32'(filt_cnt_o) : '0);
      cnt_if_words_o   <= cnt_if_words_o + 32'(if_valid_o && if_ready_i);
      cnt_pin_words_o  <= cnt_pin_words_o + popcount(pin_fire);
      cnt_gon_words_o  <= cnt_gon_words_o + popcount(gon_fire);
      cnt_glb_reads_o  <= cnt_glb_reads_o + 32'(glb_filt_words) + 32'(glb_if_re_o) +
                          popcount(glb_ps_re_o);
      cnt_glb_writes_o <= cnt_glb_writes_o + popcount(glb_ps_we_o);
      cnt_spad_if_wr_o  <= cnt_spad_if_wr_o + 32'(arr_if_wr_i);
      cnt_spad_if_rd_o  <= cnt_spad_if_rd_o + 32'(arr_if_rd_i);
      cnt_spad_flt_wr_o <= cnt_spad_flt_wr_o + 32'(arr_flt_wr_i);
      cnt_ln_words_o    <= cnt_ln_words_o + 32'(arr_ln_i);
    end
  end

`ifndef SYNTHESIS
  // Functional cover points (make coverage; docs/coverage.md): the layer records it runs.
  `EY_COVER(CovCtrlRunAccIn, start_i && c.acc_in, clk_i, rst_ni)
  `EY_COVER(CovCtrlRunFilterRowGroups, start_i && c.nrg > 4'd1, clk_i, rst_ni)
  `EY_COVER(CovCtrlRunSeveralFilterBlocks, start_i && c.mb > 13'd1, clk_i, rst_ni)
  `EY_COVER(CovCtrlRunSeveralChannelBlocks, start_i && c.cb > 13'd1, clk_i, rst_ni)
  `EY_COVER(CovCtrlRunSeveralImages, start_i && c.n > 8'd1, clk_i, rst_ni)
  `EY_COVER(CovCtrlRunPadded, start_i && (c.pad_top != '0 || c.pad_left != '0), clk_i, rst_ni)
  `EY_COVER(CovCtrlAbortBusy, abort_i && busy_o, clk_i, rst_ni)

  `EY_ASSERT(StartOnlyWhenIdle, start_i |-> !busy_o, clk_i, rst_ni)
  `EY_ASSERT(CfgNonZero, busy_o |-> (c.n != '0 && c.e != '0 && c.p != '0 && c.q != '0 &&
                                     c.r != '0 && c.t != '0 && c.rg != '0 && c.tv != '0 &&
                                     c.uh != '0 && c.uw != '0), clk_i, rst_ni)
  `EY_ASSERT(CfgStripsCoverE, busy_o |-> 32'(c.strips) * 32'(c.e) >= 32'(c.eo), clk_i, rst_ni)
`endif

endmodule
