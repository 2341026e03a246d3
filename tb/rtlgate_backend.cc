// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Registers backend "rtlgate" (eyelet/backend.h): the gate-level netlist Yosys 0.23 makes of
// the `tiny` accelerator (constraints/gate_netlist.sh), Verilated, behind the same RtlDevice as
// the RTL builds. The gate-level check (make gate, scripts/gate_check.sh) runs the same random
// layers on it and on the RTL: outputs equal to the golden model's and cycles equal to the
// RTL's. Built only as the eyelet_gate tool (CMakeLists.txt), outside `make build`: the
// synthesis and the netlist's Verilation take minutes.
#include "Vey_top_tiny_gate.h"
#include "eyelet/backend.h"
#include "eyelet/error.h"
#include "eyelet/mapping.h"
#include "rtl_device.h"
#include "rtl_device_impl.h"

namespace eyelet {
namespace {

std::unique_ptr<Device> OpenRtlGate(const std::string& config, const DeviceOptions& options) {
  const ArrayConfig& hw = ConfigByName(config);
  if (hw.name != "tiny") {
    throw UsageError("the gate-level netlist exists for config 'tiny' only, not '" + hw.name +
                     "' (constraints/gate_netlist.sh)");
  }
  if (!options.trace_scope.empty() || !options.activity_path.empty()) {
    throw UsageError(
        "trace scopes and activity name the RTL's hierarchy, which the flattened "
        "netlist has not (it traces its ports only): use --backend rtl for them");
  }
  const RtlDeviceOptions o = RtlOptionsFor(config, options);
  auto dev = std::make_unique<internal::RtlDeviceImpl<Vey_top_tiny_gate>>(hw.name, "rtlgate", o);
  CheckBuiltConfig(*dev, hw);
  return dev;
}

const bool kRtlGateRegistered = RegisterBackend("rtlgate", OpenRtlGate);

}  // namespace
}  // namespace eyelet
