// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Ctrl-C for long runs. The `eyelet` tool installs a handler: the first SIGINT or SIGTERM only
// raises a flag, which the loops that take long poll (the Verilated device's clock loop, the
// sweep's layers, the runtime's batches) by ThrowIfInterrupted; the InterruptedError unwinds
// to the tool, which removes the files the run had begun (traces, written as the run goes) and
// exits with 130. A second signal ends the process at once. Files written whole at the end
// (reports, .npy outputs) go through WriteFileAtomically (eyelet/file_io.h): a file of that
// kind is complete or absent, never partial.
#ifndef EYELET_INTERRUPT_H_
#define EYELET_INTERRUPT_H_

#include <string>

#include "eyelet/error.h"

namespace eyelet {

// The run was interrupted (Ctrl-C, SIGTERM) before it finished.
class InterruptedError : public Error {
 public:
  using Error::Error;
};

// Installs the SIGINT and SIGTERM handlers (once per process; later calls do nothing).
void InstallInterruptHandler();
// Whether a signal has come since the start (or the last ClearInterrupt).
bool Interrupted();
// Throws InterruptedError, naming `where`, when Interrupted().
void ThrowIfInterrupted(const char* where);
// Raises the flag as a signal would (tests), and lowers it.
void RequestInterrupt();
void ClearInterrupt();

// Files the run writes as it goes (a trace): RemovePartialOutputs deletes those registered
// since the last ForgetPartialOutputs (the tool calls it when a run is interrupted, and
// ForgetPartialOutputs when a run ends any other way: a trace of a failing run is kept).
void RegisterPartialOutput(const std::string& path);
void ForgetPartialOutputs();
// Deletes them and returns how many existed.
int RemovePartialOutputs();

}  // namespace eyelet

#endif  // EYELET_INTERRUPT_H_
