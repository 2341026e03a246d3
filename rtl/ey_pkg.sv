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

endpackage
