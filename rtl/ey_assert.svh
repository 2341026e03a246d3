// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Assertion macros (after common_cells assertions.svh and Ibex prim_assert.sv). Everything
// compiles to nothing under SYNTHESIS, so Yosys 0.23 never sees SVA.
`ifndef EY_ASSERT_SVH
`define EY_ASSERT_SVH

`ifndef SYNTHESIS
// Concurrent assertion, sampled on the rising clock edge, disabled in reset.
`define EY_ASSERT(name, prop, clk, rst_n) \
  name: assert property (@(posedge clk) disable iff (!(rst_n)) (prop)) \
    else $error("[%m] assertion %s failed", `"name`");
// Parameter and elaboration-time legality.
`define EY_ASSERT_INIT(name, prop) \
  initial begin : name \
    if (!(prop)) $fatal(1, "[%m] illegal parameters: %s", `"name`"); \
  end
// An output is never X/Z out of reset.
`define EY_ASSERT_KNOWN(name, sig, clk, rst_n) \
  `EY_ASSERT(name, !$isunknown(sig), clk, rst_n)
// A stalled stream holds its data.
`define EY_ASSERT_STABLE(name, valid, ready, data, clk, rst_n) \
  `EY_ASSERT(name, (valid) && !(ready) |=> $stable(data), clk, rst_n)
// A stream's valid stays up, and its data stable, until ready takes the word (unless flush,
// e.g. an abort, empties the producer).
`define EY_ASSERT_STREAM(name, valid, ready, data, flush, clk, rst_n) \
  `EY_ASSERT(name, (valid) && !(ready) && !(flush) |=> (valid) && $stable(data), clk, rst_n)
// Functional cover point (a bin): counted when prop holds at a rising edge out of reset. Only
// a build Verilated with --coverage (or --coverage-user) counts them (make coverage, the report
// names each bin by `name`); every other Verilator build compiles them to nothing.
`define EY_COVER(name, prop, clk, rst_n) \
  name: cover property (@(posedge clk) disable iff (!(rst_n)) (prop));
`else
`define EY_COVER(name, prop, clk, rst_n)
`define EY_ASSERT(name, prop, clk, rst_n)
`define EY_ASSERT_INIT(name, prop)
`define EY_ASSERT_KNOWN(name, sig, clk, rst_n)
`define EY_ASSERT_STABLE(name, valid, ready, data, clk, rst_n)
`define EY_ASSERT_STREAM(name, valid, ready, data, flush, clk, rst_n)
`endif

`endif  // EY_ASSERT_SVH
