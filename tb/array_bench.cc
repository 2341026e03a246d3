// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "array_bench.h"

#include "eyelet/error.h"
#include "eyelet/layer_check.h"
#include "eyelet/runtime.h"
#include "rtl_device.h"

namespace eyelet {

namespace {

// Device cycles a layer may take before the driver gives up on it.
constexpr uint64_t kLayerTimeout = kLayerTimeoutCycles;

class ArrayBenchImpl : public ArrayBench {
 public:
  ArrayBenchImpl(const std::string& config, const std::string& trace, const AxiMemConfig& mem)
      : hw_(ConfigByName(config)) {
    RtlDeviceOptions o;
    o.mem = mem;
    o.trace_path = trace;
    dev_ = RtlDevice::Create(config, o);
  }

  const ArrayConfig& config() const override { return hw_; }
  void TraceWindow(uint64_t first, uint64_t last) override { dev_->TraceWindow(first, last); }
  void AbortNextRunAfter(uint64_t cycles) override { timeout_ = cycles; }

  Tensor<int32_t> RunConv(const ConvLayer& layer, const Tensor<int16_t>& x,
                          const Tensor<int16_t>& w, const RsMapping& mapping, ArrayStats* stats,
                          const OutputPath* path) override {
    const uint64_t first = dev_->ClockCycle();
    LayerResult r = eyelet::RunConv(*dev_, layer, x, w, &mapping, TakeTimeout(), path);
    if (stats) Fill(layer, r, first, stats);
    return std::move(r.y);
  }

  Tensor<int32_t> RunPool(const Tensor<int16_t>& x, const PoolParams& p,
                          ArrayStats* stats) override {
    const uint64_t first = dev_->ClockCycle();
    LayerResult r = eyelet::RunPool(*dev_, x, p, TakeTimeout());
    if (stats) Fill(PoolToConvLayer(x.shape(), p), r, first, stats);
    return std::move(r.y);
  }

 private:
  uint64_t TakeTimeout() {
    const uint64_t timeout = timeout_ ? timeout_ : kLayerTimeout;
    timeout_ = 0;
    return timeout;
  }

  // The statistics of run `r` of `layer` (the CONV layer the array ran), which began at
  // simulation cycle `first`.
  void Fill(const ConvLayer& layer, const LayerResult& r, uint64_t first, ArrayStats* stats) {
    *stats = MakeArrayStats(layer, r, hw_.rows * hw_.cols);
    stats->sim_cycles = dev_->ClockCycle() - first;
  }

  ArrayConfig hw_;
  std::unique_ptr<RtlDevice> dev_;
  uint64_t timeout_ = 0;
};

}  // namespace

std::unique_ptr<ArrayBench> ArrayBench::Create(const std::string& config_name,
                                               const std::string& trace_path,
                                               const AxiMemConfig& mem) {
  return std::make_unique<ArrayBenchImpl>(config_name, trace_path, mem);
}

}  // namespace eyelet
