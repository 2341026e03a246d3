// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Layer bench for the Verilated accelerator (rtl/ey_top.sv) on one built hardware config. It
// runs CONV layers exactly as a host program would: through the driver (RtlDevice) and the
// runtime (RunConv: map, tile, write tensors and a descriptor into DRAM, ring the doorbell,
// wait for the interrupt, read the outputs). Nothing reaches the array by a back door. Plain
// C++ interface; the Verilator headers stay inside tb/*.cc. Its statistics are the library's
// (eyelet/array_stats.h) plus the simulated cycles only a bench counts.
#ifndef EYELET_TB_ARRAY_BENCH_H_
#define EYELET_TB_ARRAY_BENCH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "axi_mem.h"
#include "eyelet/array_stats.h"
#include "eyelet/mapping.h"
#include "eyelet/runtime.h"
#include "eyelet/tensor.h"

namespace eyelet {

class ArrayBench {
 public:
  virtual ~ArrayBench() = default;
  // `config_name` must be one of BuiltConfigs(); trace_path empty for no FST trace; `mem`
  // sets the DRAM model's latency, bandwidth and random stalls.
  static std::unique_ptr<ArrayBench> Create(const std::string& config_name,
                                            const std::string& trace_path = "",
                                            const AxiMemConfig& mem = AxiMemConfig{});
  virtual const ArrayConfig& config() const = 0;
  // Runs a CONV layer (all groups) and returns the raw accumulators (as golden ConvAcc).
  // Throws ShapeError / UnsupportedError for an illegal layer or mapping, TimeoutError when the
  // accelerator does not finish, DeviceError when it reports an error.
  // With `path`, the outputs go through the output path (int16 outputs widened when it
  // requantizes).
  virtual Tensor<int32_t> RunConv(const ConvLayer& layer, const Tensor<int16_t>& x,
                                  const Tensor<int16_t>& w, const RsMapping& mapping,
                                  ArrayStats* stats, const OutputPath* path = nullptr) = 0;
  // Runs a standalone max pooling of `x` (N x C x H x W) as eyelet::RunPool does (the 1x1
  // CONV of PoolToConvLayer with the pooling fused) and returns the pooled outputs,
  // N x C x Ho x Wo as golden MaxPool, widened to int32. Throws as RunConv (UnsupportedError
  // for a window or stride over 3).
  virtual Tensor<int32_t> RunPool(const Tensor<int16_t>& x, const PoolParams& p,
                                  ArrayStats* stats) = 0;
  // Limits the FST trace to cycles [first, last] of this bench.
  virtual void TraceWindow(uint64_t first, uint64_t last) = 0;
  // The next RunConv or RunPool gives the accelerator only `cycles` cycles: it times out, the
  // driver soft-resets the device and throws TimeoutError; the bench is usable again right after.
  virtual void AbortNextRunAfter(uint64_t cycles) = 0;
};

}  // namespace eyelet

#endif  // EYELET_TB_ARRAY_BENCH_H_
