// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Registers backend "rtlfault" (eyelet/backend.h): the `small` accelerator Verilated with
// -DEY_FAULT, where DeviceOptions::plusargs +ey_fault_row=R +ey_fault_col=C +ey_fault_bit=B
// put a stuck-at-1 bit on PE (R, C)'s psum output (rtl/ey_pe.sv). For the localization tests
// (tests/locate_rtl_test.cc) only: its own OBJECT library (eyelet_rtlfault_backend), linked
// into the RTL tests and not into the tool, so `eyelet --backend` keeps offering golden and rtl.
#include "eyelet/backend.h"
#include "rtl_device.h"

namespace eyelet {
namespace {

std::unique_ptr<Device> OpenRtlFault(const std::string& config, const DeviceOptions& options) {
  RtlDeviceOptions o = RtlOptionsFor(config, options);
  o.fault_build = true;
  return RtlDevice::Create(config, o);
}

const bool kRtlFaultRegistered = RegisterBackend("rtlfault", OpenRtlFault);

}  // namespace
}  // namespace eyelet
