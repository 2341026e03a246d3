// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A workaround for a Verilator 5.006 bug in scoped FST traces ($dumpvars). When a trace opens,
// VerilatedTrace::traceInit() turns the codes dumpvars enabled (a std::vector<bool> sized by
// the highest enabled code, (code + 1024) * 2) into a bitmap over every code, reading the vector
// up to nextCode() after only reserve()-ing it (verilated_trace_imp.h): codes past the vector's
// size read whatever the heap held. A code enabled by garbage has no FST handle, and the first
// full dump crashes in fstWriterEmitValueChange. Whether it does depends on how many codes the
// model has and on the heap, so a change anywhere in the RTL could expose it.
#ifndef EYELET_TB_FST_ENABLES_H_
#define EYELET_TB_FST_ENABLES_H_

#include <verilated_fst_c.h>

namespace eyelet {

// Rebuilds the enabled-code bitmap of an open trace from what was declared: a code is enabled
// exactly when it has an FST handle. Call after open(), before the first dump.
void FixFstEnables(VerilatedFstC& trace);

}  // namespace eyelet

#endif  // EYELET_TB_FST_ENABLES_H_
