// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// One CONV, FC or max-pooling layer with its data, run on any Device and checked element by
// element against the golden model (golden.h: ConvAcc, FcAcc, MaxPool, then ApplyOutputPath).
// The tools and benches draw or load a layer, hand it here, and print what comes back.
#ifndef EYELET_LAYER_CHECK_H_
#define EYELET_LAYER_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/array_stats.h"
#include "eyelet/device.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/runtime.h"
#include "eyelet/tensor.h"

namespace eyelet {

enum class LayerType { kConv, kFc, kPool };

// "conv", "fc", "pool".
const char* LayerTypeName(LayerType type);

// Device cycles a layer may take before the driver gives up on it.
constexpr uint64_t kLayerTimeoutCycles = 200'000'000;

struct LayerCase {
  LayerType type = LayerType::kConv;
  // The CONV layer the array runs: conv, the layer itself (its post bits and pooling set so the
  // mapper picks a mapping they fit); fc, FcToConvLayer's; pool, PoolToConvLayer's.
  ConvLayer layer;
  Tensor<int16_t> x;  // the input as the layer type has it (fc: N x C x H x W, K = C*H*W)
  Tensor<int16_t> w;  // conv: M x C/G x R x S; fc: M x (c*h*w = K); pool: empty
  PoolParams pool;    // pool: the pooling
  int data_bits = kDefaultDataBits;  // the range x and w must lie in
};

// The golden model's accumulators: ConvAcc (conv), FcAcc (fc), or MaxPool widened to int32
// (pool). Throws ShapeError for data outside data_bits (conv, fc; pool: CheckDataRange first).
Tensor<int32_t> GoldenAcc(const LayerCase& c);

// The weights of the CONV layer the array runs, c.layer.w: conv, c.w; fc, c.w read as
// M x C x H x W (the same order); pool, the one weight 1.
Tensor<int16_t> RunWeights(const LayerCase& c);

// The golden model's output for accumulators `acc` through `path` (null: `acc` itself):
// ApplyOutputPath's int16 values widened, pooled when the path pools.
Tensor<int32_t> GoldenOutput(const Tensor<int32_t>& acc, const OutputPath* path);

// Throws ShapeError naming `what`, the value and its [n,c,h,w] when a value of `t` lies outside
// the signed `data_bits` range.
void CheckDataRange(const Tensor<int16_t>& t, int data_bits, const std::string& what);

// The outcome of comparing a device's output with the golden one, element by element.
struct Comparison {
  int64_t compared = 0;
  int64_t mismatches = 0;             // -1: the shapes differ
  std::vector<std::string> examples;  // the first few mismatches (or the shape problem)
  bool Pass() const { return mismatches == 0; }
  // "PASS (all N outputs equal the golden model's)", "FAIL (M of N outputs differ ...)".
  std::string Summary() const;
};

// Compares `got` with `want`; lists the first `listed` mismatches as "n,c,h,w = ...: expected
// E, got G".
Comparison CompareOutputs(const Tensor<int32_t>& want, const Tensor<int32_t>& got, int listed = 5);

struct LayerCheck {
  Tensor<int32_t> got;  // the device's outputs (int16 ones widened)
  ArrayStats stats;
  Comparison cmp;
  uint64_t x_addr = 0;  // the input's and the weights' DRAM addresses (NCHW / MCRS int16)
  uint64_t w_addr = 0;
};

// Runs `c` on `device` through the runtime (RunConv; fc: the CONV layer of FcToConv; pool:
// RunPool) with `mapping` (conv, fc; null: the mapper's) and `path` (conv, fc), and compares
// the outputs with `want` (GoldenAcc through the same path). `hw` is the device's config (for
// the PE count). Throws as the runtime: UnsupportedError before anything runs, TimeoutError or
// DeviceError when the device fails.
LayerCheck CheckLayer(Device& device, const ArrayConfig& hw, const LayerCase& c,
                      const Tensor<int32_t>& want, const RsMapping* mapping, const OutputPath* path,
                      uint64_t timeout_cycles = kLayerTimeoutCycles);

}  // namespace eyelet

#endif  // EYELET_LAYER_CHECK_H_
