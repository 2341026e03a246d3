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
  return RtlDevice::Create(config, RtlOptionsFor(config, options));
}

std::unique_ptr<PeRunner> OpenRtlPe(const DeviceOptions& options) {
  return std::make_unique<PeBench>(options.trace_path, options.trace_from, options.trace_to);
}

const bool kRtlRegistered = RegisterBackend("rtl", OpenRtl) && RegisterPeRunner("rtl", OpenRtlPe);

}  // namespace
}  // namespace eyelet
