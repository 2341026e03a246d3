// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// One PE with its own configuration unit: ey_pe_cfg + ey_pe, with the layer's fields as ports,
// as one PE of an array sees them (rtl/ey_pe_array.sv shares one ey_pe_cfg among all its PEs).
// The PE unit bench (tb/pe_bench.cc) and the PE's synthesis (`make synth`) take this module.
module ey_pe_unit #(
  parameter int unsigned DataW       = ey_pkg::DataW,
  parameter int unsigned AccW        = ey_pkg::AccW,
  parameter int unsigned IfmapDepth  = ey_pkg::IfmapDepth,
  parameter int unsigned FilterDepth = ey_pkg::FilterDepth,
  parameter int unsigned PsumDepth   = ey_pkg::PsumDepth,
  parameter int unsigned StrideW     = ey_pkg::StrideW,
  parameter int unsigned DimW        = ey_pkg::DimW,
  parameter int unsigned FiltLanes   = 4,
  localparam int unsigned SqW    = $clog2(IfmapDepth + 1),
  localparam int unsigned PW     = $clog2(PsumDepth + 1),
  localparam int unsigned FltW   = $clog2(FilterDepth + 1),
  localparam int unsigned FlCntW = $clog2(FiltLanes + 1)
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clr_i,

  input  logic [SqW-1:0]     cfg_s_i,
  input  logic [PW-1:0]      cfg_p_i,
  input  logic [SqW-1:0]     cfg_q_i,
  input  logic [StrideW-1:0] cfg_u_i,
  input  logic [DimW-1:0]    cfg_f_i,
  input  logic [15:0]        cfg_rows_i,
  input  logic               cfg_acc_i,

  input  logic               filt_valid_i,
  output logic               filt_ready_o,
  input  logic [FlCntW-1:0]  filt_cnt_i,
  input  logic [FiltLanes*DataW-1:0] filt_data_i,

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
  output logic               stat_if_rd_o
);

  logic                   run;
  logic [SqW-1:0]         q, sq, dq, adv;
  logic [PW-1:0]          p;
  logic [DimW-1:0]        f;
  logic [15:0]            rows;
  logic [FltW-1:0]        pqs;
  logic [SqW+StrideW-1:0] uq;
  logic                   dual, fdual;

  ey_pe_cfg #(
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .StrideW     (StrideW),
    .DimW        (DimW)
  ) u_cfg (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (clr_i),
    .cfg_s_i    (cfg_s_i),
    .cfg_p_i    (cfg_p_i),
    .cfg_q_i    (cfg_q_i),
    .cfg_u_i    (cfg_u_i),
    .cfg_f_i    (cfg_f_i),
    .cfg_rows_i (cfg_rows_i),
    .run_o      (run),
    .q_o        (q),
    .p_o        (p),
    .f_o        (f),
    .rows_o     (rows),
    .sq_o       (sq),
    .pqs_o      (pqs),
    .uq_o       (uq),
    .dq_o       (dq),
    .adv_o      (adv),
    .dual_o     (dual),
    .fdual_o    (fdual)
  );

  ey_pe #(
    .DataW       (DataW),
    .AccW        (AccW),
    .IfmapDepth  (IfmapDepth),
    .FilterDepth (FilterDepth),
    .PsumDepth   (PsumDepth),
    .StrideW     (StrideW),
    .DimW        (DimW),
    .FiltLanes   (FiltLanes)
  ) u_pe (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clr_i        (clr_i),
    .cfg_run_i    (run),
    .cfg_q_i      (q),
    .cfg_p_i      (p),
    .cfg_f_i      (f),
    .cfg_rows_i   (rows),
    .cfg_sq_i     (sq),
    .cfg_pqs_i    (pqs),
    .cfg_uq_i     (uq),
    .cfg_dq_i     (dq),
    .cfg_adv_i    (adv),
    .cfg_dual_i   (dual),
    .cfg_fdual_i  (fdual),
    .cfg_acc_i    (cfg_acc_i),
    .filt_valid_i (filt_valid_i),
    .filt_ready_o (filt_ready_o),
    .filt_cnt_i   (filt_cnt_i),
    .filt_data_i  (filt_data_i),
    .if_valid_i   (if_valid_i),
    .if_ready_o   (if_ready_o),
    .if_data_i    (if_data_i),
    .psum_valid_i (psum_valid_i),
    .psum_ready_o (psum_ready_o),
    .psum_data_i  (psum_data_i),
    .psum_valid_o (psum_valid_o),
    .psum_ready_i (psum_ready_i),
    .psum_data_o  (psum_data_o),
    .idle_o       (idle_o),
    .stat_mac_o   (stat_mac_o),
    .stat_skip_o  (stat_skip_o),
    .stat_if_rd_o (stat_if_rd_o)
  );

endmodule
