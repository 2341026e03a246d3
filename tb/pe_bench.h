// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Unit bench for one Verilated processing element (rtl/ey_pe.sv, with its own configuration
// unit: rtl/ey_pe_unit.sv): a PeRunner (eyelet/pe_job.h describes the jobs), registered as PE
// runner "rtl" by tb/rtl_backend.cc. Plain C++ interface: the Verilator headers stay inside
// pe_bench.cc.
#ifndef EYELET_TB_PE_BENCH_H_
#define EYELET_TB_PE_BENCH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eyelet/pe_job.h"

namespace eyelet {

class PeBench : public PeRunner {
 public:
  // trace_path: empty for no trace, else an FST file written for this bench's lifetime, of
  // clock cycles [trace_first, trace_last] only.
  explicit PeBench(const std::string& trace_path = "", uint64_t trace_first = 0,
                   uint64_t trace_last = UINT64_MAX);
  ~PeBench();
  PeBench(const PeBench&) = delete;
  PeBench& operator=(const PeBench&) = delete;

  PeConfig config() const override;
  // Runs one job from a clear; throws TimeoutError if the PE stops making progress.
  PeResult Run(const PeJob& job, uint64_t max_cycles = 10'000'000) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eyelet

#endif  // EYELET_TB_PE_BENCH_H_
