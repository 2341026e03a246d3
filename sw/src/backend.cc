// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/backend.h"

#include <cstdio>
#include <map>

#include "eyelet/error.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/uart_device.h"

namespace eyelet {
namespace {

std::unique_ptr<Device> OpenGolden(const std::string& config, const DeviceOptions& options) {
  if (!options.trace_path.empty()) {
    throw UnsupportedError("the golden backend has no waveform to write to '" + options.trace_path +
                           "'; drop the trace or use the rtl backend");
  }
  // No timing model: the DRAM model's latency and stalls do not apply.
  return std::make_unique<GoldenDevice>(ConfigByName(config));
}

// A board over its serial port: the bridge's protocol (eyelet/uart_device.h). No waveform,
// no DRAM model: the board has its own.
std::unique_ptr<Device> OpenUart(const std::string& config, const DeviceOptions& options) {
  if (!options.trace_path.empty() || !options.activity_path.empty()) {
    throw UnsupportedError("a board has no waveform to write; trace the same layer with "
                           "--backend rtl");
  }
  return OpenUartDevice(config, options.port, options.baud);
}

// Function-local statics: registrars in other objects may run before this file's statics.
std::map<std::string, DeviceFactory>& Backends() {
  static std::map<std::string, DeviceFactory> backends{{"golden", OpenGolden},
                                                          {"uart", OpenUart}};
  return backends;
}

std::map<std::string, PeRunnerFactory>& PeRunners() {
  static std::map<std::string, PeRunnerFactory> runners;
  return runners;
}

void CheckName(const std::string& name, bool taken, const std::string& what) {
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos) {
    throw Error(what + " name '" + name + "' must be a word of letters, digits, '-' and '_'");
  }
  if (taken) throw Error(what + " '" + name + "' is registered twice; link it once");
}

template <class Map>
std::vector<std::string> Names(const Map& m) {
  std::vector<std::string> names;
  for (const auto& [name, factory] : m) names.push_back(name);
  return names;
}

// "a, b or c".
std::string OrList(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? " or " : ", ";
    s += names[i];
  }
  return s.empty() ? "(none linked)" : s;
}

}  // namespace

bool RegisterBackend(const std::string& name, DeviceFactory factory) {
  CheckName(name, Backends().count(name) > 0, "backend");
  Backends()[name] = std::move(factory);
  return true;
}

bool RegisterPeRunner(const std::string& name, PeRunnerFactory factory) {
  CheckName(name, PeRunners().count(name) > 0, "PE runner");
  PeRunners()[name] = std::move(factory);
  return true;
}

std::vector<std::string> BackendNames() { return Names(Backends()); }
std::vector<std::string> PeRunnerNames() { return Names(PeRunners()); }
std::string BackendList() {
  std::vector<std::string> names;  // the fault-injection build is opened by `--fault` only
  for (const std::string& n : BackendNames()) {
    if (n != "rtlfault") names.push_back(n);
  }
  return OrList(names);
}

std::unique_ptr<Device> OpenDevice(const std::string& spec, const DeviceOptions& options) {
  const size_t colon = spec.find(':');
  const std::string backend = spec.substr(0, colon);
  const auto it = Backends().find(backend);
  if (colon == std::string::npos || it == Backends().end()) {
    throw UsageError("unknown device '" + spec + "': give backend:config with backend " +
                     BackendList() + " (a backend outside sw/ exists once its library is linked)");
  }
  return it->second(spec.substr(colon + 1), options);
}

std::unique_ptr<PeRunner> OpenPeRunner(const std::string& name, const DeviceOptions& options) {
  const auto it = PeRunners().find(name);
  if (it == PeRunners().end()) {
    throw UsageError("unknown PE runner '" + name + "'; linked: " + OrList(PeRunnerNames()) +
                     " (the rtl one comes with the eyelet_rtl_backend library)");
  }
  return it->second(options);
}

std::vector<std::pair<int, std::string>> ParseTraceScope(const std::string& spec, int rows,
                                                         int cols) {
  constexpr int kAllLevels = 999;  // $dumpvars levels: everything below
  static const std::pair<const char*, std::vector<const char*>> kNames[] = {
      {"all", {"TOP"}},
      {"walker", {"TOP.ey_top.u_walker"}},
      {"dma", {"TOP.ey_top.u_dma_rd", "TOP.ey_top.u_dma_wr"}},
      {"csr", {"TOP.ey_top.u_csr"}},
      {"core", {"TOP.ey_top.u_core"}},
      {"ctrl", {"TOP.ey_top.u_core.u_ctrl"}},
      {"glb", {"TOP.ey_top.u_core.u_glb"}},
      {"array", {"TOP.ey_top.u_core.u_array"}},
  };
  const std::string kTakes =
      "; give walker, dma, csr, core, ctrl, glb, array, pe[R][C], pe[*][C] (a column), "
      "pe[R][*] (a row), all or a hierarchy path "
      "such as TOP.ey_top.u_walker, each optionally :LEVELS, separated by commas";
  std::vector<std::pair<int, std::string>> scopes;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? comma : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) throw UsageError("trace scope '" + spec + "' has an empty entry" + kTakes);
    int levels = kAllLevels;
    const size_t colon = item.find(':');
    if (colon != std::string::npos) {
      const std::string l = item.substr(colon + 1);
      if (l.empty() || l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos) {
        throw UsageError("trace scope '" + item + "': levels '" + l + "' is not a number" + kTakes);
      }
      levels = std::stoi(l);
      if (levels == 0) levels = kAllLevels;
      item = item.substr(0, colon);
    }
    bool known = false;
    for (const auto& [name, paths] : kNames) {
      if (item == name) {
        for (const char* p : paths) scopes.emplace_back(levels, p);
        known = true;
      }
    }
    int r = -1, c = -1;
    char tail = 0;
    // pe[*][C] (a column) and pe[R][*] (a row): every PE of it.
    int end = 0;
    const auto whole = [&](const char* format, int* v) {
      end = 0;
      return std::sscanf(item.c_str(), format, v, &end) == 1 && end > 0 &&
             static_cast<size_t>(end) == item.size();
    };
    if (!known && rows > 0 && cols > 0 &&
        (whole("pe[*][%d]%n", &c) || whole("pe[%d][*]%n", &r))) {
      const bool column = r < 0;
      const int at = column ? c : r, size = column ? cols : rows;
      if (at < 0 || at >= size) {
        throw UsageError("trace scope '" + item + "': the array has rows 0.." +
                         std::to_string(rows - 1) + " and columns 0.." + std::to_string(cols - 1));
      }
      for (int i = 0; i < (column ? rows : cols); ++i) {
        scopes.emplace_back(levels, "TOP.ey_top.u_core.u_array.g_row[" +
                                        std::to_string(column ? i : r) + "].g_col[" +
                                        std::to_string(column ? c : i) + "].u_pe");
      }
      known = true;
    }
    if (!known && std::sscanf(item.c_str(), "pe[%d][%d]%c", &r, &c, &tail) == 2) {
      if (r < 0 || c < 0 || (rows > 0 && r >= rows) || (cols > 0 && c >= cols)) {
        throw UsageError("trace scope '" + item + "': the array has rows 0.." +
                         std::to_string(rows - 1) + " and columns 0.." + std::to_string(cols - 1));
      }
      scopes.emplace_back(levels, "TOP.ey_top.u_core.u_array.g_row[" + std::to_string(r) +
                                      "].g_col[" + std::to_string(c) + "].u_pe");
      known = true;
    }
    if (!known && item.rfind("TOP", 0) == 0 && item.find_first_of(" \t") == std::string::npos) {
      scopes.emplace_back(levels, item);
      known = true;
    }
    if (!known) throw UsageError("trace scope '" + item + "' is not a unit" + kTakes);
  }
  scopes.emplace_back(1, "TOP");  // the top's ports (clock, reset, AXI, interrupt) always
  return scopes;
}

}  // namespace eyelet
