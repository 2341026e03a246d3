// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Registers the Verilated RTL with the device registry (eyelet/backend.h): backend "rtl"
// (RtlDevice, the accelerator of a built config with its AXI memory model) and PE runner "rtl"
// (PeBench, one Verilated PE). Built as the OBJECT library eyelet_rtl_backend, so every
// executable that links it keeps this object and runs the registrars below; nothing refers to
// them by name (see backend.h on why a static-library member would be dropped).
#include "eyelet/backend.h"
#include "eyelet/mapping.h"
#include "pe_bench.h"
#include "rtl_device.h"

namespace eyelet {
namespace {

std::unique_ptr<Device> OpenRtl(const std::string& config, const DeviceOptions& options) {
  RtlDeviceOptions o;  // AxiMemConfig's defaults unless an option is set
  o.trace_path = options.trace_path;
  o.trace_first = options.trace_from;
  o.trace_last = options.trace_to;
  if (!options.trace_scope.empty()) {
    const ArrayConfig& hw = ConfigByName(config);
    o.trace_scopes = ParseTraceScope(options.trace_scope, hw.rows, hw.cols);
  }
  if (options.mem_latency) o.mem.read_latency = *options.mem_latency;
  if (options.mem_stall) {
    o.mem.ready_prob = 1.0 - *options.mem_stall;
    o.mem.valid_prob = 1.0 - *options.mem_stall;
  }
  if (options.mem_seed) o.mem.seed = *options.mem_seed;
  return RtlDevice::Create(config, o);
}

std::unique_ptr<PeRunner> OpenRtlPe(const DeviceOptions& options) {
  return std::make_unique<PeBench>(options.trace_path);
}

const bool kRtlRegistered = RegisterBackend("rtl", OpenRtl) && RegisterPeRunner("rtl", OpenRtlPe);

}  // namespace
}  // namespace eyelet
