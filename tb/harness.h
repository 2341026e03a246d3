// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Clock-owning harness around one Verilated model (after Verilator's
// examples/make_tracing_c/sim_main.cpp and Ibex's VerilatorSimCtrl). The model must have
// `clk_i` and `rst_ni` ports. Benches set inputs, call Eval() to settle combinational outputs
// and sample handshakes, then Tick() for one rising edge.
//
// Tracing is switched on at run time: OpenTrace(path) starts an FST file (the model is always
// built with --trace-fst); TraceWindow() limits dumping to a cycle window.
//
// In a coverage build (EY_COVERAGE: the models Verilated with --coverage, VM_COVERAGE set) the
// harness writes its model's coverage counts when it is destroyed, to a file of its own in
// $EY_COVERAGE_DIR (default EY_COVERAGE_DIR_DEFAULT, the build's coverage/runs):
// <model>-<pid>-<n>.dat, for `verilator_coverage` to merge (scripts/coverage.sh).
#ifndef EYELET_TB_HARNESS_H_
#define EYELET_TB_HARNESS_H_

#include <verilated.h>
#include <verilated_fst_c.h>
#if VM_COVERAGE
#include <unistd.h>
#include <verilated_cov.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#endif

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/interrupt.h"
#include "fst_enables.h"

namespace eyelet {

template <typename Model>
class Harness {
 public:
  // `plusargs` ("+ey_fault_row=2", ...) are the simulation's command line, which the model's
  // $value$plusargs and $test$plusargs read in its initial blocks: they are set before the
  // model is constructed.
  explicit Harness(const std::vector<std::string>& plusargs = {})
      : context_(std::make_unique<VerilatedContext>()) {
    context_->traceEverOn(true);
    // Always set, also empty: a model that reads plusargs aborts when it was never set.
    std::vector<const char*> argv{"eyelet"};
    for (const std::string& a : plusargs) argv.push_back(a.c_str());
    context_->commandArgs(static_cast<int>(argv.size()), argv.data());
    model_ = std::make_unique<Model>(context_.get(), "TOP");
    model_->clk_i = 0;
    model_->rst_ni = 0;
    model_->eval();
  }

  ~Harness() {
    model_->final();
    if (trace_) trace_->close();
#if VM_COVERAGE
    WriteCoverage();
#endif
  }

  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  Model& dut() { return *model_; }
  uint64_t cycle() const { return cycle_; }

  // Opens an FST trace of the scopes given as (levels, hierarchy) pairs ($dumpvars: levels 0
  // is everything below; "TOP.ey_top.u_walker"), or of everything when there are none.
  void OpenTrace(const std::string& path,
                 const std::vector<std::pair<int, std::string>>& scopes = {}) {
    if (path.empty()) return;
    trace_ = std::make_unique<VerilatedFstC>();
    for (const auto& [levels, hier] : scopes) trace_->dumpvars(levels, hier);
    model_->trace(trace_.get(), 99);
    trace_->open(path.c_str());
    if (!trace_->isOpen()) {
      trace_.reset();
      throw FileError("cannot open trace file '" + path + "'; check the directory exists");
    }
    if (!scopes.empty()) FixFstEnables(*trace_);
    RegisterPartialOutput(path);  // removed when the run is interrupted
  }

  // Closes the trace file (it is complete on disk afterwards); no more dumps.
  void CloseTrace() {
    if (trace_) trace_->close();
    trace_.reset();
  }

  // Dump only cycles in [first, last]; the default is every cycle.
  void TraceWindow(uint64_t first, uint64_t last) {
    trace_first_ = first;
    trace_last_ = last;
  }

  void Eval() { model_->eval(); }

  // One clock period: the rising edge, then the falling edge. Inputs set before the call are
  // sampled at the rising edge.
  void Tick() {
    model_->clk_i = 1;
    model_->eval();
    Dump();
    context_->timeInc(1);
    model_->clk_i = 0;
    model_->eval();
    Dump();
    context_->timeInc(1);
    ++cycle_;
  }

  // Holds rst_ni low for `cycles` edges, then releases it.
  void Reset(int cycles = 2) {
    model_->rst_ni = 0;
    for (int i = 0; i < cycles; ++i) Tick();
    model_->rst_ni = 1;
    model_->eval();
  }

  // Ticks until pred() holds (checked before each edge); throws TimeoutError after max_cycles.
  void RunUntil(const std::function<bool()>& pred, uint64_t max_cycles, const std::string& what) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
      model_->eval();
      if (pred()) return;
      Tick();
    }
    throw TimeoutError(what + ": no progress after " + std::to_string(max_cycles) +
                       " cycles (cycle " + std::to_string(cycle_) +
                       "); rerun with a trace to see where it stalls");
  }

 private:
  void Dump() {
    if (trace_ && cycle_ >= trace_first_ && cycle_ <= trace_last_) {
      trace_->dump(context_->time());
    }
  }

#if VM_COVERAGE
  // A destructor must not throw: a directory that cannot be made is reported, not raised.
  void WriteCoverage() {
    static std::atomic<int> written{0};  // this process's files, for unique names
    const char* env = std::getenv("EY_COVERAGE_DIR");
    const std::filesystem::path dir = env && *env ? env : EY_COVERAGE_DIR_DEFAULT;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      VL_PRINTF("eyelet: cannot create coverage directory '%s': %s\n", dir.c_str(),
                ec.message().c_str());
      return;
    }
    const std::string file = (dir / (std::string(model_->modelName()) + "-" +
                                     std::to_string(::getpid()) + "-" +
                                     std::to_string(written++) + ".dat"))
                                 .string();
    context_->coveragep()->write(file.c_str());
  }
#endif

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  uint64_t cycle_ = 0;
  uint64_t trace_first_ = 0;
  uint64_t trace_last_ = std::numeric_limits<uint64_t>::max();
};

}  // namespace eyelet

#endif  // EYELET_TB_HARNESS_H_
