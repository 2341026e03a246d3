// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace eyelet {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_installed{false};

std::mutex& OutputsMutex() {
  static std::mutex m;
  return m;
}
std::vector<std::string>& Outputs() {
  static std::vector<std::string> paths;
  return paths;
}

extern "C" void OnSignal(int sig) {
  if (g_interrupted.load()) {  // the second one: as if there were no handler
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_interrupted.store(true);
}

}  // namespace

void InstallInterruptHandler() {
  if (g_installed.exchange(true)) return;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

bool Interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

void ThrowIfInterrupted(const char* where) {
  if (!Interrupted()) return;
  throw InterruptedError(std::string("interrupted ") + where +
                         " (Ctrl-C or SIGTERM); nothing of the unfinished run was kept");
}

void RequestInterrupt() { g_interrupted.store(true); }
void ClearInterrupt() { g_interrupted.store(false); }

void RegisterPartialOutput(const std::string& path) {
  std::lock_guard<std::mutex> lock(OutputsMutex());
  Outputs().push_back(path);
}

void ForgetPartialOutputs() {
  std::lock_guard<std::mutex> lock(OutputsMutex());
  Outputs().clear();
}

int RemovePartialOutputs() {
  std::lock_guard<std::mutex> lock(OutputsMutex());
  int removed = 0;
  for (const std::string& p : Outputs()) removed += std::remove(p.c_str()) == 0;
  Outputs().clear();
  return removed;
}

}  // namespace eyelet
