// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The Verilated accelerator (rtl/ey_top.sv) as a driver Device, in-process: CSR accesses are
// AXI4-Lite transactions on the model's slave port, DRAM is a cycle-level AXI4 memory model
// (tb/axi_mem.h) on its master port, and WaitIrq runs the clock until the interrupt line
// rises. The host's own DRAM accesses (WriteMem/ReadMem) go straight to the memory model's
// storage, as a CPU's would to the DRAM it shares with the accelerator.
#ifndef EYELET_TB_RTL_DEVICE_H_
#define EYELET_TB_RTL_DEVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "axi_mem.h"
#include "eyelet/backend.h"
#include "eyelet/device.h"

namespace eyelet {

struct RtlDeviceOptions {
  AxiMemConfig mem;        // DRAM model: window, latency, bandwidth, random stalls, errors
  std::string trace_path;  // FST trace file; empty for none
  // Cycles [trace_first, trace_last] of the device's clock (Device::ClockCycle()) are dumped.
  uint64_t trace_first = 0;
  uint64_t trace_last = UINT64_MAX;
  // Hierarchy scopes to trace, as (levels, "TOP.ey_top.u_walker") ($dumpvars); empty: all.
  std::vector<std::pair<int, std::string>> trace_scopes;
  // Verilator plusargs of the simulation ("+ey_fault_row=2"), set before the model is built.
  std::vector<std::string> plusargs;
  // The fault-injection build of the config (-DEY_FAULT, rtl/ey_pe.sv): `small` only.
  bool fault_build = false;
  // The trace records activity (trace_scopes are ActivityScopes, from cycle 0): Activity() reads
  // it back; no GTKWave save file is written beside it.
  bool activity = false;
  // A board fault: the interrupt line never reaches the host (WaitIrq never sees it rise).
  bool irq_stuck_low = false;
};

// The RtlDevice options of a device opened by name (backend.h's DeviceOptions) on `config`:
// the trace, its window and scopes, the DRAM model's latency, stalls and seed, the plusargs;
// AxiMemConfig's defaults for what is not set.
RtlDeviceOptions RtlOptionsFor(const std::string& config, const DeviceOptions& options);

class RtlDevice : public Device {
 public:
  // `config_name` is one of BuiltConfigs(): "tiny", "small" or "eyeriss" (only "small" with
  // options.fault_build; UsageError for the others).
  static std::unique_ptr<RtlDevice> Create(const std::string& config_name,
                                           const RtlDeviceOptions& options = {});
  // (Clock cycles simulated since the model was built: Device::ClockCycle.)
  // Dump the FST trace only for cycles [first, last] (needs options.trace_path).
  virtual void TraceWindow(uint64_t first, uint64_t last) = 0;
  // The DRAM model, for its statistics.
  virtual const AxiMem& Mem() const = 0;
};

}  // namespace eyelet

#endif  // EYELET_TB_RTL_DEVICE_H_
