// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Rows x Cols array of row-stationary PEs with its networks on chip (Eyeriss JSSC 2017,
// section V). Row 0 is the bottom row; psums flow upwards.
//
// Global input networks (GIN) for filters and ifmaps: one beat per cycle each, tagged with a
// (row, col) pair; an ifmap beat is one word, a filter beat 1..FiltLanes words for the same
// PEs (filt_cnt_i), which each PE writes into its filter spad in that cycle. Every X-bus (PE row) has a configured row ID per network and every PE a
// configured column ID per network; a word goes to every PE whose X-bus row ID equals the row
// tag and whose column ID equals the column tag (multicast), and moves only when all of those
// PEs are ready, so they all take it in the same cycle. The all-ones ID (IdOff) never
// matches: it switches a row or PE off for that network.
//
// Psums: each PE takes its incoming psums either from the PE below over the local network (LN,
// cfg_psum_ln_i = 1) or from the psum GIN (cfg_psum_ln_i = 0). A PE sends its output psums up
// the LN when the PE above takes LN, otherwise to the global output network (GON). The psum
// GIN and the GON have one lane per PE column, so every column moves one psum per cycle in
// each direction. A psum GIN lane word carries the row of its target PE; a GON lane is pulled:
// the receiver names the row it wants (gon_row_i) and sees that PE's output stream.
//
// Configuration inputs must be stable from the array clear (clr_i) to the end of the layer.
`include "ey_assert.svh"

module ey_pe_array #(
  parameter int unsigned Rows        = 12,
  parameter int unsigned Cols        = 14,
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned StrideW     = ey_pkg::StrideW,
  parameter int unsigned DimW        = ey_pkg::DimW,
  parameter int unsigned IdW         = ey_pkg::IdW,
  parameter int unsigned FiltLanes   = 4,
  localparam int unsigned NumPe = Rows * Cols,
  localparam int unsigned SqW   = $clog2(IfmapDepth + 1),
  localparam int unsigned PW    = $clog2(PsumDepth + 1),
  localparam int unsigned FltW  = $clog2(FilterDepth + 1),
  localparam int unsigned RowW  = (Rows > 1) ? $clog2(Rows) : 1,
  localparam int unsigned CntW  = $clog2(NumPe + 1),
  localparam int unsigned FlCntW = $clog2(FiltLanes + 1),
  localparam int unsigned FlWrW  = $clog2(NumPe * FiltLanes + 1)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clr_i,

  // Per-layer PE configuration, the same for every PE.
  input  logic [SqW-1:0]         cfg_s_i,
  input  logic [PW-1:0]          cfg_p_i,
  input  logic [SqW-1:0]         cfg_q_i,
  input  logic [StrideW-1:0]     cfg_u_i,
  input  logic [DimW-1:0]        cfg_f_i,
  input  logic [15:0]            cfg_rows_i,    // ifmap rows per PE per pass
  // Per-row and per-PE configuration; PE (i, j) is entry i*Cols + j.
  input  logic [Rows*IdW-1:0]    cfg_filt_row_id_i,
  input  logic [NumPe*IdW-1:0]   cfg_filt_col_id_i,
  input  logic [Rows*IdW-1:0]    cfg_if_row_id_i,
  input  logic [NumPe*IdW-1:0]   cfg_if_col_id_i,
  input  logic [NumPe-1:0]       cfg_psum_ln_i,
  input  logic [NumPe-1:0]       cfg_acc_i,

  // Filter GIN
  input  logic                   filt_valid_i,
  output logic                   filt_ready_o,
  input  logic [IdW-1:0]         filt_row_i,
  input  logic [IdW-1:0]         filt_col_i,
  input  logic [FlCntW-1:0]      filt_cnt_i,
  input  logic [FiltLanes*DataW-1:0] filt_data_i,

  // Ifmap GIN
  input  logic                   if_valid_i,
  output logic                   if_ready_o,
  input  logic [IdW-1:0]         if_row_i,
  input  logic [IdW-1:0]         if_col_i,
  input  logic [DataW-1:0]       if_data_i,

  // Psum GIN, one lane per column
  input  logic [Cols-1:0]        pin_valid_i,
  output logic [Cols-1:0]        pin_ready_o,
  input  logic [Cols*RowW-1:0]   pin_row_i,
  input  logic [Cols*AccW-1:0]   pin_data_i,

  // GON, one lane per column, pulled by row
  input  logic [Cols*RowW-1:0]   gon_row_i,
  output logic [Cols-1:0]        gon_valid_o,
  input  logic [Cols-1:0]        gon_ready_i,
  output logic [Cols*AccW-1:0]   gon_data_o,

  output logic                   idle_o,
  output logic [CntW-1:0]        stat_mac_o,    // MACs done this cycle
  output logic [CntW-1:0]        stat_skip_o,   // MACs skipped by zero gating this cycle
  // Spad and LN accesses this cycle, summed over the PEs (the energy counters): ifmap-spad
  // writes (a multicast word counts once per receiving PE) and reads, filter-spad writes, and
  // psums moved up the LN to the PE above. Filter-spad reads are the MACs done; psum-spad
  // accesses follow the MACs issued (stat_mac_o + stat_skip_o).
  output logic [CntW-1:0]        stat_if_wr_o,
  output logic [CntW-1:0]        stat_if_rd_o,
  output logic [FlWrW-1:0]       stat_flt_wr_o,
  output logic [CntW-1:0]        stat_ln_o
);

  // Per-PE stream wires, flat.
  logic [NumPe-1:0]       pe_filt_valid, pe_filt_ready, pe_filt_match;
  logic [NumPe-1:0]       pe_if_valid, pe_if_ready, pe_if_match;
  logic [NumPe-1:0]       pe_pin_valid, pe_pin_ready;
  logic [NumPe-1:0]       pe_pout_valid, pe_pout_ready;
  // The psums, one word per PE. Unpacked, so that Verilator keeps 168 separate 32-bit
  // variables: as one 5,376-bit vector every psum write touched the whole vector and the
  // psum network took most of the simulation time. Each PE's psum_data ports are traced
  // inside the PE; these copies of them are left out of the trace, where they would only
  // repeat those ports.
  /* verilator tracing_off */
  logic [AccW-1:0]        pe_pin_data  [NumPe];
  logic [AccW-1:0]        pe_pout_data [NumPe];
  /* verilator tracing_on */
  logic [NumPe-1:0]       pe_idle, pe_mac, pe_skip, pe_if_rd, pe_ln;
  logic [NumPe-1:0]       pe_to_gon;   // the PE's psums leave on the GON (not up the LN)

  // ---------------------------------------------------------------------------------------
  // Tagged multicast GINs for filters and ifmaps.
  // ---------------------------------------------------------------------------------------
  for (genvar i = 0; i < Rows; i++) begin : g_row_match
    for (genvar j = 0; j < Cols; j++) begin : g_col_match
      localparam int unsigned K = i * Cols + j;
      assign pe_filt_match[K] = (cfg_filt_row_id_i[i*IdW +: IdW] == filt_row_i) &&
                                (cfg_filt_col_id_i[K*IdW +: IdW] == filt_col_i);
      assign pe_if_match[K]   = (cfg_if_row_id_i[i*IdW +: IdW] == if_row_i) &&
                                (cfg_if_col_id_i[K*IdW +: IdW] == if_col_i);
    end
  end

  // A word moves when every PE it targets is ready. A word that targets no PE is a controller
  // bug: it is consumed (so the network cannot hang) and flagged by an assertion.
  assign filt_ready_o  = &(~pe_filt_match | pe_filt_ready);
  assign if_ready_o    = &(~pe_if_match | pe_if_ready);
  assign pe_filt_valid = {NumPe{filt_valid_i && filt_ready_o}} & pe_filt_match;
  assign pe_if_valid   = {NumPe{if_valid_i && if_ready_o}} & pe_if_match;

  // ---------------------------------------------------------------------------------------
  // Psum paths: LN between vertical neighbours, psum GIN and GON lanes per column.
  // ---------------------------------------------------------------------------------------
  for (genvar j = 0; j < Cols; j++) begin : g_col_lane
    logic [RowW-1:0] pin_row, gon_row;
    assign pin_row = pin_row_i[j*RowW +: RowW];
    assign gon_row = gon_row_i[j*RowW +: RowW];

    for (genvar i = 0; i < Rows; i++) begin : g_row_psum
      localparam int unsigned K = i * Cols + j;
      // Where this PE's psums come from.
      if (i == 0) begin : g_bottom
        assign pe_pin_valid[K]           = pin_valid_i[j] && (pin_row == RowW'(i));
        assign pe_pin_data[K] = pin_data_i[j*AccW +: AccW];
      end else begin : g_upper
        assign pe_pin_valid[K] = cfg_psum_ln_i[K] ? pe_pout_valid[K-Cols]
                                                  : pin_valid_i[j] && (pin_row == RowW'(i));
        assign pe_pin_data[K] = cfg_psum_ln_i[K] ? pe_pout_data[K-Cols] : pin_data_i[j*AccW +: AccW];
      end
      // Where its psums go: up the LN if the PE above takes LN, else the GON lane.
      if (i == Rows - 1) begin : g_top
        assign pe_to_gon[K]     = 1'b1;
        assign pe_pout_ready[K] = gon_ready_i[j] && (gon_row == RowW'(i));
      end else begin : g_below
        assign pe_to_gon[K]     = !cfg_psum_ln_i[K+Cols];
        assign pe_pout_ready[K] = cfg_psum_ln_i[K+Cols] ? pe_pin_ready[K+Cols]
                                                        : gon_ready_i[j] && (gon_row == RowW'(i));
      end
    end

    // Lane muxes: the PE named by the lane's row field. The data goes through a
    // column-local word, so that no process writes a slice of the wide gon_data_o.
    logic [AccW-1:0] gon_data;
    always_comb begin
      pin_ready_o[j] = 1'b0;
      gon_valid_o[j] = 1'b0;
      gon_data       = '0;
      for (int unsigned i = 0; i < Rows; i++) begin
        if (pin_row == RowW'(i)) begin
          pin_ready_o[j] = pe_pin_ready[i*Cols+j] && (i == 0 || !cfg_psum_ln_i[i*Cols+j]);
        end
        if (gon_row == RowW'(i)) begin
          gon_valid_o[j] = pe_pout_valid[i*Cols+j] && pe_to_gon[i*Cols+j];
          gon_data       = pe_pout_data[i*Cols+j];
        end
      end
    end
    assign gon_data_o[j*AccW +: AccW] = gon_data;
  end

  // ---------------------------------------------------------------------------------------
  // The PEs
  // ---------------------------------------------------------------------------------------
  // The layer's configuration, derived once for all PEs (they run the same S, p, q, U, F).
  logic                   cfg_run;
  logic [SqW-1:0]         cfg_q, cfg_sq, cfg_dq, cfg_adv;
  logic [PW-1:0]          cfg_p;
  logic [DimW-1:0]        cfg_f;
  logic [15:0]            cfg_rows;
  logic [FltW-1:0]        cfg_pqs;
  logic [SqW+StrideW-1:0] cfg_uq;
  logic                   cfg_dual, cfg_fdual;

  ey_pe_cfg #(
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .StrideW     (StrideW),
    .DimW        (DimW)
  ) u_pe_cfg (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (clr_i),
    .cfg_s_i    (cfg_s_i),
    .cfg_p_i    (cfg_p_i),
    .cfg_q_i    (cfg_q_i),
    .cfg_u_i    (cfg_u_i),
    .cfg_f_i    (cfg_f_i),
    .cfg_rows_i (cfg_rows_i),
    .run_o      (cfg_run),
    .q_o        (cfg_q),
    .p_o        (cfg_p),
    .f_o        (cfg_f),
    .rows_o     (cfg_rows),
    .sq_o       (cfg_sq),
    .pqs_o      (cfg_pqs),
    .uq_o       (cfg_uq),
    .dq_o       (cfg_dq),
    .adv_o      (cfg_adv),
    .dual_o     (cfg_dual),
    .fdual_o    (cfg_fdual)
  );

  for (genvar i = 0; i < Rows; i++) begin : g_row
    for (genvar j = 0; j < Cols; j++) begin : g_col
      localparam int unsigned K = i * Cols + j;
      ey_pe #(
        .DataW       (DataW),
        .AccW        (AccW),
        .IfmapDepth  (IfmapDepth),
        .FilterDepth (FilterDepth),
        .PsumDepth   (PsumDepth),
        .StrideW     (StrideW),
        .DimW        (DimW),
        .FiltLanes   (FiltLanes),
        .PeRow       (i),
        .PeCol       (j)
      ) u_pe (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .clr_i        (clr_i),
        .cfg_run_i    (cfg_run),
        .cfg_q_i      (cfg_q),
        .cfg_p_i      (cfg_p),
        .cfg_f_i      (cfg_f),
        .cfg_rows_i   (cfg_rows),
        .cfg_sq_i     (cfg_sq),
        .cfg_pqs_i    (cfg_pqs),
        .cfg_uq_i     (cfg_uq),
        .cfg_dq_i     (cfg_dq),
        .cfg_adv_i    (cfg_adv),
        .cfg_dual_i   (cfg_dual),
        .cfg_fdual_i  (cfg_fdual),
        .cfg_acc_i    (cfg_acc_i[K]),
        .filt_valid_i (pe_filt_valid[K]),
        .filt_ready_o (pe_filt_ready[K]),
        .filt_cnt_i   (filt_cnt_i),
        .filt_data_i  (filt_data_i),
        .if_valid_i   (pe_if_valid[K]),
        .if_ready_o   (pe_if_ready[K]),
        .if_data_i    (if_data_i),
        .psum_valid_i (pe_pin_valid[K]),
        .psum_ready_o (pe_pin_ready[K]),
        .psum_data_i  (pe_pin_data[K]),
        .psum_valid_o (pe_pout_valid[K]),
        .psum_ready_i (pe_pout_ready[K]),
        .psum_data_o  (pe_pout_data[K]),
        .idle_o       (pe_idle[K]),
        .stat_mac_o   (pe_mac[K]),
        .stat_skip_o  (pe_skip[K]),
        .stat_if_rd_o (pe_if_rd[K])
      );
    end
  end

  // ---------------------------------------------------------------------------------------
  // Status and per-cycle counts.
  // ---------------------------------------------------------------------------------------
  assign idle_o = &pe_idle;

  assign pe_ln = pe_pout_valid & pe_pout_ready & ~pe_to_gon;

  always_comb begin
    stat_mac_o    = '0;
    stat_skip_o   = '0;
    stat_if_wr_o  = '0;
    stat_if_rd_o  = '0;
    stat_flt_wr_o = '0;
    stat_ln_o     = '0;
    for (int unsigned k = 0; k < NumPe; k++) begin
      stat_mac_o    = stat_mac_o + CntW'(pe_mac[k]);
      stat_skip_o   = stat_skip_o + CntW'(pe_skip[k]);
      stat_if_wr_o  = stat_if_wr_o + CntW'(pe_if_valid[k]);
      stat_if_rd_o  = stat_if_rd_o + CntW'(pe_if_rd[k]);
      stat_flt_wr_o = stat_flt_wr_o + (pe_filt_valid[k] ? FlWrW'(filt_cnt_i) : '0);
      stat_ln_o     = stat_ln_o + CntW'(pe_ln[k]);
    end
  end

`ifndef SYNTHESIS
  `EY_ASSERT_INIT(ArrayShapeLegal, Rows >= 1 && Cols >= 1 && Rows < (1 << IdW) - 1)
  `EY_ASSERT(FiltWordHasTarget, filt_valid_i |-> |pe_filt_match, clk_i, rst_ni)
  `EY_ASSERT(IfWordHasTarget, if_valid_i |-> |pe_if_match, clk_i, rst_ni)
`endif

endmodule
