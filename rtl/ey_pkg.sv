// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Eyelet package: build-wide constants and types. Used by qualified name (ey_pkg::DataW),
// never with `import ey_pkg::*` (Yosys 0.23 rejects it).
package ey_pkg;

  // Default numeric widths (ARCHITECTURE.md section 3): signed fixed-point data, wide psums.
  parameter int unsigned DataW = 16;
  parameter int unsigned AccW  = 32;

  // Default scratchpad depths per PE (Eyeriss v1: ifmap 12, filter 224, psum 24 entries).
  parameter int unsigned IfmapDepth  = 12;
  parameter int unsigned FilterDepth = 224;
  parameter int unsigned PsumDepth   = 24;

  // Widths of per-layer configuration fields.
  parameter int unsigned StrideW = 4;   // stride U in 1..15
  parameter int unsigned DimW    = 10;  // output row width F in 1..1023
  parameter int unsigned IdW     = 8;   // NoC row/column IDs and tags; all ones = off

  // The layer configuration record (generated from rtl/layer_cfg.def).
`include "ey_layer_cfg.svh"

  // CSR byte offsets, ID and version values, bit fields and the counter list (generated from
  // rtl/csr_map.def).
`include "ey_csr_map.svh"

  // The layer descriptor in DRAM, its magic, version and kinds, the output path's post bits
  // and table entry (generated from rtl/desc.def).
`include "ey_desc.svh"

  // STATUS error codes (generated from rtl/errors.def).
`include "ey_errors.svh"

  // A computed chunk's outputs, as the walker's run sequencer hands them to its store
  // sequencer (rtl/ey_run_seq.sv, rtl/ey_store_seq.sv): which images and filters, which row
  // band, and the band's pooled rows.
  typedef struct packed {
    logic [15:0] img0;        // first image
    logic [11:0] group;       // group
    logic [12:0] filt0;       // first filter (in the group)
    logic [12:0] n_filts;     // filters
    logic [7:0]  n_imgs;      // images
    logic [9:0]  row0;        // the band's first ofmap row
    logic [9:0]  n_rows;      // its ofmap rows
    logic [9:0]  n_strips;    // its strips
    logic [9:0]  prow0;       // its first pooled row
    logic [9:0]  n_prows;     // its pooled rows
    logic [11:0] prow0_end;   // the ofmap row that closes the first pooled row's windows
    logic [15:0] ps_base;     // first psum-bank word of its psums (the run's ps_base)
  } out_job_t;

  // The constant products of a run's layer record that the pass controller's address and
  // tiling arithmetic steps by (rtl/ey_run_consts.sv computes them one a cycle while the NoC
  // IDs are written). Address strides are kept modulo 2^16 (GLB addresses are at most 16
  // bits); the others are exact.
  typedef struct packed {
    logic [15:0] tp;        // t*p: filters of a block
    logic [15:0] rq;        // r*q: channels of a block
    logic [15:0] tvp;       // tv*p: filters of a set column
    logic [15:0] e_uh;      // e*uh: ifmap rows between strips
    logic [15:0] p_crs;     // filter-area words of p filters
    logic [15:0] tvp_crs;   // ... of a set column's filters
    logic [15:0] tp_crs;    // ... of a filter block
    logic [15:0] q_rs;      // ... of q channels of a filter
    logic [15:0] rq_rs;     // ... of a channel block of a filter
    logic [15:0] rg_ks;     // ... of rg filter rows
    logic [15:0] uh_w;      // ifmap-area words of uh rows
    logic [15:0] euh_w;     // ... between strips
    logic [15:0] q_hw;      // ... of q channels
    logic [15:0] rq_hw;     // ... of a channel block
    logic [15:0] rg_w;      // ... of rg rows
    logic [15:0] pt_w;      // ... of the padding rows above the ifmap
    logic [15:0] n_strips;  // n*strips: the PE rows' logical rows (the array's rows input)
    logic [7:0]  r_rg;      // r*rg: physical rows of a chain
  } run_consts_t;

  // The products the store sequencer steps its psum-bank addresses and line-buffer offsets by
  // (rtl/ey_store_consts.sv computes them during the chunk's run), kept modulo 2^16 (psum-bank
  // and line-buffer addresses are narrower). "_l": for the last set column, which may hold
  // fewer chains (tvl = t - (th - 1)*tv) than the others (tv).
  typedef struct packed {
    logic [15:0] tvp;     // tv*p: psums of one output column in a full set column's bank
    logic [15:0] tvlp;    // tvl*p
    logic [15:0] s_f;     // fo*tv*p: psums of one strip
    logic [15:0] s_l;     // fo*tvl*p
    logic [15:0] i_f;     // n_strips*fo*tv*p: psums of one image
    logic [15:0] i_l;
    logic [15:0] b_f;     // n_imgs*n_strips*fo*tv*p: psums of one filter block
    logic [15:0] b_l;
    logic [15:0] lb_img;  // mg*pool_fo: line-buffer words of one image's planes
    logic [15:0] lb0;     // filt0*pool_fo: the chunk's first plane in the line buffer
  } store_consts_t;

endpackage
