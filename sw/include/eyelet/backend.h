// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Devices by name: OpenDevice("golden:small"), OpenDevice("rtl:eyeriss", options),
// OpenDevice("uart:tiny", options with port "/dev/ttyUSB1") for a board. A backend registers a factory under its name; everything above Device is
// shared, so a tool names a device and never includes a backend's header.
//
// Registration. "golden" is built in (sw/src/backend.cc registers it with the registry itself).
// Other backends register from their own library with a namespace-scope registrar,
//   const bool kRegistered = RegisterBackend("rtl", &OpenRtl);
// which runs only if the linker keeps its object file: a static library's member nobody
// references is dropped, registrar and all. The rtl backend (tb/rtl_backend.cc) is therefore
// an OBJECT library (eyelet_rtl_backend in CMakeLists.txt): its object is linked into every
// executable that lists it, so linking the backend is what makes "rtl" openable, and a program
// that does not link it gets "unknown backend 'rtl'" naming what is linked.
//
// PE runners (a unit bench around one processing element, eyelet/pe_job.h) register and open
// the same way, by name ("rtl": the Verilated PE).
#ifndef EYELET_BACKEND_H_
#define EYELET_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eyelet/device.h"
#include "eyelet/pe_job.h"

namespace eyelet {

// Options a backend may use; each ignores what it has no use for, except a trace it cannot
// write (UnsupportedError). Fields left unset keep the backend's defaults.
struct DeviceOptions {
  std::string trace_path;            // waveform (FST) of the device's life; empty: none
  uint64_t trace_from = 0;           // only clock cycles [trace_from, trace_to] are dumped
  uint64_t trace_to = UINT64_MAX;    // (Device::ClockCycle's count)
  std::string trace_scope;           // what is dumped (ParseTraceScope); empty: everything
  // rtl: record the run's activity (Device::Activity) through an FST of the few signals it
  // reads, written here; not together with trace_path (one trace per device).
  std::string activity_path;
  std::optional<int> mem_latency;    // DRAM model: cycles from a read request to its first beat
  std::optional<double> mem_stall;   // DRAM model: chance a ready or due beat is held back a cycle
  std::optional<uint64_t> mem_seed;  // DRAM model: seed of those draws
  // Simulator plusargs ("+ey_fault_row=2"), for Verilated backends. "rtlfault:small" (the
  // -DEY_FAULT build, registered by tb/rtlfault_backend.cc in the RTL tests) reads
  // +ey_fault_row=R +ey_fault_col=C +ey_fault_bit=B: bit B of PE (R, C)'s psum output stuck
  // at 1 (rtl/ey_pe.sv).
  std::vector<std::string> plusargs;
  // uart: the board's serial port ("/dev/ttyUSB1") and its baud rate (0: kUartDefaultBaud, the
  // iCEBreaker bitstream's 1,000,000).
  std::string port;
  int baud = 0;
};

// The hierarchy scopes of a trace scope spec: a comma-separated list of names
//   walker, dma (read and write engines), csr, core (controller, GLB, array), ctrl (the pass
//   controller), glb, array, pe[R][C] (one PE, row R from the bottom, column C), pe[*][C]
//   (column C: every row's PE; needs rows), pe[R][*] (row R: needs cols), all,
// or hierarchy paths ("TOP.ey_top.u_walker"), each optionally ":LEVELS" (levels below it,
// 0 = all, the default), as ($dumpvars levels, path) pairs, plus the top's own ports (1, "TOP").
// Throws UsageError naming the names it takes for anything else (a PE outside rows x cols when they
// are given > 0).
std::vector<std::pair<int, std::string>> ParseTraceScope(const std::string& spec, int rows = 0,
                                                         int cols = 0);

// Opens a device from `config` (the part after "backend:") and the options.
using DeviceFactory =
    std::function<std::unique_ptr<Device>(const std::string& config, const DeviceOptions&)>;
using PeRunnerFactory = std::function<std::unique_ptr<PeRunner>(const DeviceOptions&)>;

// Adds a backend; returns true (for namespace-scope registrars). Throws Error when the name is
// taken or is not a plain word (letters, digits, '-', '_').
bool RegisterBackend(const std::string& name, DeviceFactory factory);
bool RegisterPeRunner(const std::string& name, PeRunnerFactory factory);

// The registered names, sorted ("golden", "rtl").
std::vector<std::string> BackendNames();
std::vector<std::string> PeRunnerNames();
// "golden or rtl", for messages.
std::string BackendList();

// Opens "backend:config". Throws UsageError naming the known backends for an unknown backend
// or a spec without ':', and whatever the backend throws (UsageError listing the built configs
// for an unknown config name of golden and rtl).
std::unique_ptr<Device> OpenDevice(const std::string& spec, const DeviceOptions& options = {});
// Opens the PE runner `name`; UsageError naming the registered ones when none has that name.
std::unique_ptr<PeRunner> OpenPeRunner(const std::string& name, const DeviceOptions& options = {});

}  // namespace eyelet

#endif  // EYELET_BACKEND_H_
