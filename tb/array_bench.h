// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Layer bench for the Verilated accelerator core (rtl/ey_core.sv: pass controller, global
// buffer, PE array) on one built hardware config. Plain C++ interface; the Verilator headers
// stay inside array_bench.cc.
//
// The bench plays the host: it splits a layer into groups and into chunks of images and
// filters that fit the GLB, loads each chunk's ifmap and filters through the GLB host port,
// hands the controller the layer record (MakeLayerCfg), waits for done and reads the outputs
// from the psum banks. Everything between start and done is the RTL's own doing.
#ifndef EYELET_TB_ARRAY_BENCH_H_
#define EYELET_TB_ARRAY_BENCH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "eyelet/mapping.h"
#include "eyelet/tensor.h"

namespace eyelet {

struct ArrayStats {
  uint64_t cycles = 0;       // controller busy cycles (GLB loading by the host excluded)
  uint64_t sim_cycles = 0;   // every simulated clock cycle, GLB loads and readout included
  uint64_t macs = 0;         // MACs done by the PEs (zero-gated ones excluded)
  uint64_t skipped = 0;      // MACs skipped by zero gating
  uint64_t passes = 0;
  uint64_t filt_words = 0;   // words moved on each network
  uint64_t if_words = 0;
  uint64_t pin_words = 0;
  uint64_t gon_words = 0;
  uint64_t glb_reads = 0;    // global-buffer words read (filters, ifmaps, psums) and written
  uint64_t glb_writes = 0;
  uint64_t mac_cycles = 0;     // cycles in which at least one PE did (or gated) a MAC
  uint64_t filter_cycles = 0;  // cycles without MACs in which the filter GIN moved a word
  uint64_t other_cycles = 0;   // the rest: pipeline fill, waiting for ifmaps, psum drain
  int active_pes = 0;        // PEs holding a filter row of a PE set
  int total_pes = 0;
  // MACs of the layer (incl. zero-gated ones) per PE per cycle.
  double Utilization() const {
    return cycles ? static_cast<double>(macs + skipped) / (static_cast<double>(total_pes) * cycles)
                  : 0.0;
  }
};

class ArrayBench {
 public:
  virtual ~ArrayBench() = default;
  // `config_name` must be one of BuiltConfigs(); trace_path empty for no FST trace.
  static std::unique_ptr<ArrayBench> Create(const std::string& config_name,
                                            const std::string& trace_path = "");
  virtual const ArrayConfig& config() const = 0;
  // Runs a CONV layer (all groups) and returns the raw accumulators (as golden ConvAcc).
  // Throws ShapeError / UnsupportedError for an illegal layer or mapping, TimeoutError when the
  // array stops making progress.
  virtual Tensor<int32_t> RunConv(const ConvLayer& layer, const Tensor<int16_t>& x,
                                  const Tensor<int16_t>& w, const RsMapping& mapping,
                                  ArrayStats* stats) = 0;
  // Limits the FST trace to cycles [first, last] of this bench.
  virtual void TraceWindow(uint64_t first, uint64_t last) = 0;
  // The next RunConv pulses the core's abort (soft reset) `cycles` after its start and then
  // throws eyelet::Error; the bench is usable again right after. For recovery tests.
  virtual void AbortNextRunAfter(uint64_t cycles) = 0;
};

}  // namespace eyelet

#endif  // EYELET_TB_ARRAY_BENCH_H_
