// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/backend.h"

#include <map>

#include "eyelet/error.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"

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

// Function-local statics: registrars in other objects may run before this file's statics.
std::map<std::string, DeviceFactory>& Backends() {
  static std::map<std::string, DeviceFactory> backends{{"golden", OpenGolden}};
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
std::string BackendList() { return OrList(BackendNames()); }

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

}  // namespace eyelet
