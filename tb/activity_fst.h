// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The accelerator's activity (eyelet/activity.h), measured: the few signals it is computed from
// are traced into an FST file during the run (ActivityScopes: per PE stat_mac_o and
// stat_skip_o, the pass controller's busy and pass-advance, the walker's sequencers, the DMA
// engines' idle and remaining-word registers), and ReadActivityFst reads the file back with
// the FST reader of Verilator's own gtkwave/fstapi.c (compiled into the Verilator runtime with
// the FST writer).
//
// Every signal read is a function of registers only, so the value the harness dumps after a
// rising edge (tb/harness.h: time 2c after edge c) is the one the next edge samples; a level
// high from dump 2a to dump 2b was sampled high by b - a edges, which is what the RTL's
// counters (rtl/ey_perf_cnt.sv, ey_pass_ctrl.sv) add.
#ifndef EYELET_TB_ACTIVITY_FST_H_
#define EYELET_TB_ACTIVITY_FST_H_

#include <string>
#include <utility>
#include <vector>

#include "eyelet/activity.h"

namespace eyelet {

// The signals ReadActivityFst reads, as (levels, hierarchy path) trace scopes for an array of
// rows x cols (RtlDeviceOptions::trace_scopes).
std::vector<std::pair<int, std::string>> ActivityScopes(int rows, int cols);

// Reads the activity of an array of rows x cols from the FST at `path` (written with
// ActivityScopes, from the device's first cycle). Throws FileError when the file cannot be
// read, Error naming a signal it lacks.
ArrayActivity ReadActivityFst(const std::string& path, int rows, int cols);

}  // namespace eyelet

#endif  // EYELET_TB_ACTIVITY_FST_H_
