// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `--report DIR`: a run on the Verilated accelerator measured and drawn (eyelet/activity.h):
// the device records the run's activity into DIR/activity.fst, and the tool draws
// DIR/heatmap.svg (per-PE MACs, zero-gated MACs, idle cycles) and DIR/timeline.json (Chrome
// trace events: the walker's sequencers, the passes, the DMA engines). Internal to the tool.
#ifndef EYELET_TOOLS_EYELET_REPORT_H_
#define EYELET_TOOLS_EYELET_REPORT_H_

#include <string>

#include "eyelet/backend.h"
#include "eyelet/layer_check.h"
#include "eyelet/mapping.h"
#include "flags.h"

namespace eyelet {
namespace cli {

// Adds --report DIR.
void AddReportOption(po::options_description& d);
// --report's directory, or empty.
std::string ReportFlag(const po::variables_map& vm);
// Before any work: a report needs --backend rtl (the golden device has no clock: UsageError,
// nothing written), an existing directory `dir`, and no --trace (`traced`; the activity is a
// trace of its own). Nothing to check for an empty `dir`.
void CheckReport(const std::string& dir, const std::string& backend, bool traced);

// Where a device opened for a report records its activity: dir/activity.fst.
std::string ActivityFst(const std::string& dir);
// After the runs on `device` (opened with DeviceOptions::activity_path = ActivityFst(dir)): its
// activity drawn into dir/heatmap.svg and dir/timeline.json under `title`. Returns the lines to
// print: the files and their sizes, what was measured, `run_seconds` (the traced runs' wall
// time) and the time to read and draw.
std::string ReportActivity(Device& device, const std::string& dir, const std::string& title,
                           double run_seconds);

// CheckLayer of `c` on a new device of `spec` (`base` options) that records its activity into
// dir/activity.fst, then the heat map and the timeline drawn from it; `line` gets the lines to
// print: the files, their sizes and the run's wall time. A `profile` gets the run polled as
// CheckLayerTraced's.
LayerCheck CheckLayerReported(const std::string& spec, const DeviceOptions& base,
                              const ArrayConfig& hw, const LayerCase& c,
                              const Tensor<int32_t>& want, const RsMapping* m,
                              const OutputPath* path, const std::string& dir, std::string* line,
                              ChainProfile* profile = nullptr);

}  // namespace cli
}  // namespace eyelet

#endif  // EYELET_TOOLS_EYELET_REPORT_H_
