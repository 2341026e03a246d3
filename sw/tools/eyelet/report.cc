// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "report.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "eyelet/activity.h"
#include "eyelet/error.h"

namespace eyelet {
namespace cli {

void AddReportOption(po::options_description& d) {
  // clang-format off
  d.add_options()
      ("report", po::value<std::string>()->value_name("DIR"),
       "rtl: measure what the array did and draw it into DIR\n"
       "(an existing directory): heatmap.svg (per PE: MACs,\n"
       "zero-gated MACs, idle cycles), timeline.json (Chrome\n"
       "trace events: walker sequencers, passes, DMA; open in\n"
       "Perfetto), from the run's trace DIR/activity.fst");
  // clang-format on
}

std::string ReportFlag(const po::variables_map& vm) {
  return vm.count("report") ? vm["report"].as<std::string>() : std::string();
}

void CheckReport(const std::string& dir, const std::string& backend, bool traced) {
  if (dir.empty()) return;
  if (backend != "rtl") {
    throw UsageError("--report: the " + backend +
                     " backend records no activity (it has no clock); the heat map and the "
                     "timeline are measured on the Verilated accelerator: use --backend rtl");
  }
  if (traced) {
    throw UsageError("--report traces the run itself (DIR/activity.fst); leave out --trace");
  }
  if (!std::filesystem::is_directory(dir)) {
    throw UsageError("--report " + dir + ": not a directory; create it");
  }
}

std::string ActivityFst(const std::string& dir) { return dir + "/activity.fst"; }

std::string ReportActivity(Device& device, const std::string& dir, const std::string& title,
                           double run_seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  const ArrayActivity activity = device.Activity();
  WriteActivityReport(dir, activity, title);
  const auto t1 = std::chrono::steady_clock::now();
  auto size = [](const std::string& f) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(f, ec);
    return ec ? std::string("size unknown") : std::to_string(n) + " bytes";
  };
  char times[112];
  std::snprintf(times, sizeof(times),
                "run with the activity trace %.2f s, reading and drawing %.2f s", run_seconds,
                std::chrono::duration<double>(t1 - t0).count());
  std::ostringstream s;
  s << "report    " << dir << "/heatmap.svg (" << size(dir + "/heatmap.svg") << "), " << dir
    << "/timeline.json (" << size(dir + "/timeline.json") << "), from " << ActivityFst(dir) << " ("
    << size(ActivityFst(dir)) << ")\n"
    << "          " << activity.passes.size()
    << (activity.passes.size() == 1 ? " pass, " : " passes, ") << activity.array_cycles
    << " cycles of the array running in " << activity.end_cycle << " traced; " << times << "\n";
  return s.str();
}

LayerCheck CheckLayerReported(const std::string& spec, const DeviceOptions& base,
                              const ArrayConfig& hw, const LayerCase& c,
                              const Tensor<int32_t>& want, const RsMapping* m,
                              const OutputPath* path, const std::string& dir, std::string* line,
                              ChainProfile* profile) {
  DeviceOptions d = base;
  d.activity_path = ActivityFst(dir);
  const std::unique_ptr<Device> device = OpenDevice(spec, d);
  if (profile != nullptr) device->ProfileRuns(profile, kTracePollCycles);
  const auto t0 = std::chrono::steady_clock::now();
  const LayerCheck check = CheckLayer(*device, hw, c, want, m, path);
  const auto t1 = std::chrono::steady_clock::now();
  const std::string title = c.layer.ToString() + ", mapping " + check.stats.mapping.ToString() +
                            ", on " + device->Name() + " (" + std::to_string(hw.rows) + "x" +
                            std::to_string(hw.cols) + ")";
  *line =
      ReportActivity(*device, dir, title, std::chrono::duration<double>(t1 - t0).count()) + *line;
  return check;
}

}  // namespace cli
}  // namespace eyelet
