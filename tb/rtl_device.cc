// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "rtl_device.h"

// The configs this build Verilated (CMakeLists.txt: ey_verilate_top defines EY_HAVE_TOP_<name>;
// a coverage build has tiny and small only).
#ifdef EY_HAVE_TOP_eyeriss
#include "Vey_top_eyeriss.h"
#endif
#include "Vey_top_small.h"
#ifdef EY_HAVE_TOP_small_fault
#include "Vey_top_small_fault.h"
#endif
#include "Vey_top_tiny.h"
#include "activity_fst.h"
#include "eyelet/error.h"
#include "eyelet/mapping.h"
#include "rtl_device_impl.h"

namespace eyelet {

using internal::RtlDeviceImpl;

RtlDeviceOptions RtlOptionsFor(const std::string& config, const DeviceOptions& options) {
  RtlDeviceOptions o;
  o.trace_path = options.trace_path;
  o.trace_first = options.trace_from;
  o.trace_last = options.trace_to;
  if (!options.trace_scope.empty()) {
    const ArrayConfig& hw = ConfigByName(config);
    o.trace_scopes = ParseTraceScope(options.trace_scope, hw.rows, hw.cols);
  }
  if (!options.activity_path.empty()) {
    if (!options.trace_path.empty()) {
      throw UsageError(
          "a device records its activity or a trace, not both: the activity is a "
          "trace of its own ('" +
          options.activity_path + "')");
    }
    const ArrayConfig& hw = ConfigByName(config);
    o.trace_path = options.activity_path;
    o.trace_first = 0;
    o.trace_last = UINT64_MAX;
    o.trace_scopes = ActivityScopes(hw.rows, hw.cols);
    o.activity = true;
  }
  if (options.mem_latency) o.mem.read_latency = *options.mem_latency;
  if (options.mem_stall) {
    o.mem.ready_prob = 1.0 - *options.mem_stall;
    o.mem.valid_prob = 1.0 - *options.mem_stall;
  }
  if (options.mem_seed) o.mem.seed = *options.mem_seed;
  o.plusargs = options.plusargs;
  return o;
}

// The Verilated build must be the configuration mapping.cc describes.
void CheckBuiltConfig(RtlDevice& dev, const ArrayConfig& hw) {
  CheckDeviceConfig(dev, hw,
                    "the build's parameters (CMakeLists.txt, constraints/gate_netlist.sh) and "
                    "BuiltConfigs() in sw/src/mapping.cc disagree");
}

std::unique_ptr<RtlDevice> RtlDevice::Create(const std::string& config_name,
                                             const RtlDeviceOptions& options) {
  const ArrayConfig& hw = ConfigByName(config_name);
  std::unique_ptr<RtlDevice> dev;
  if (options.fault_build) {
    if (hw.name != "small") {
      throw UsageError("the fault-injection build exists for config 'small' only, not '" + hw.name +
                       "' (CMakeLists.txt: ey_verilate_top(small_fault ...))");
    }
#ifdef EY_HAVE_TOP_small_fault
    dev = std::make_unique<RtlDeviceImpl<Vey_top_small_fault>>(hw.name, "rtlfault", options);
#else
    throw UsageError(
        "this build has no fault-injection model (a coverage build, EY_COVERAGE, "
        "Verilates tiny and small only)");
#endif
  } else if (hw.name == "tiny") {
    dev = std::make_unique<RtlDeviceImpl<Vey_top_tiny>>(hw.name, "rtl", options);
  } else if (hw.name == "small") {
    dev = std::make_unique<RtlDeviceImpl<Vey_top_small>>(hw.name, "rtl", options);
  } else if (hw.name != "eyeriss") {
    throw UsageError("config '" + hw.name +
                     "' is a board's (make fpga) and has no Verilated model: run it on the "
                     "board (--backend uart) or on the golden device");
  } else {
#ifdef EY_HAVE_TOP_eyeriss
    dev = std::make_unique<RtlDeviceImpl<Vey_top_eyeriss>>(hw.name, "rtl", options);
#else
    throw UsageError("config '" + hw.name +
                     "' is not Verilated in this build (a coverage build, "
                     "EY_COVERAGE, has tiny and small only)");
#endif
  }
  CheckBuiltConfig(*dev, hw);
  return dev;
}

}  // namespace eyelet
