// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Running CONV and FC layers through any Device: map each layer for the device's own hardware
// configuration (read from its CSRs), lay its tensors and descriptor out in the device's
// DRAM, run the chain and read the accumulators back. FC layers run as the CONV layer they
// equal (FcToConv), so the array, the descriptor and the walker see CONV only.
#ifndef EYELET_RUNTIME_H_
#define EYELET_RUNTIME_H_

#include <cstdint>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/tensor.h"

namespace eyelet {

// An FC layer as the CONV layer the row-stationary array runs (Eyeriss ISCA 2016, "FC layer
// from CONV layer point of view"): filters as large as the input, so R = H, S = W and
// E = F = 1, with the batch as the filters' reuse. The input keeps its N x C x H x W shape,
// except a flat one (at most one of C, H, W above 1: N x K x 1 x 1, or an N x K matrix read
// as N x 1 x 1 x K), which becomes N x K x 1 x 1 (K channels, 1 x 1 kernels). The weights
// (any shape with n = M and c*h*w = K, the golden FcAcc's rule) become M x C x H x W in the
// same flattened order; stride 1, no padding, one group. The CONV output, N x M x 1 x 1, is
// FcAcc's output element for element.
struct FcConv {
  ConvLayer layer;
  Tensor<int16_t> x;  // the input reshaped to layer.x (same data)
  Tensor<int16_t> w;  // the weights reshaped to layer.w (same data)
};
// The CONV layer of an FC layer with input shape `x` and weight shape `w`. Throws ShapeError
// when their K = C*H*W differ (or a shape is not positive).
ConvLayer FcToConvLayer(const Shape& x, const Shape& w);
// The same with the tensors reshaped (copied). Throws ShapeError as FcToConvLayer, and when a
// tensor does not hold as many elements as its shape says.
FcConv FcToConv(const Tensor<int16_t>& x, const Tensor<int16_t>& w);

// The output path of a layer (rtl/ey_walker.sv; golden.h's rules): bias added to the
// accumulators at AccW, then requantization to int16, then ReLU or leaky ReLU. Without
// requantization the outputs stay int32 accumulators (plus the bias).
struct OutputPath {
  std::vector<int32_t> bias;  // empty: none; else one per output channel
  RequantParams requant;      // empty: no requantization; else 1 entry or one per channel
  bool relu = false;          // ReLU after requantization
  bool leaky = false;         // or leaky ReLU: x < 0 ? sat((x*leaky_mult + round) >> shift)
  int16_t leaky_mult = 0;
  int leaky_shift = 0;        // 0..62
  bool Requantizes() const { return !requant.mult.empty(); }
  // The descriptor's post bits (desc_codec.h kPost*).
  uint32_t PostBits() const;
};

// The golden model's output for accumulators `acc` (N x M x E x F) through `path`: int16
// values widened to int32 when it requantizes.
Tensor<int32_t> ApplyOutputPath(const Tensor<int32_t>& acc, const OutputPath& path);

// A chain of CONV descriptors built in a device's DRAM, one layer after another. Buffers come
// from Device::Alloc; the builder frees nothing.
class ChainBuilder {
 public:
  struct Layer {
    ConvLayer layer;
    RsMapping mapping;  // completed
    Tiling tiling;
    Desc desc;  // its `next` is set by Commit (a CONV descriptor for FC layers too)
    bool int16_out = false;  // requantized: y holds int16 outputs
  };

  // Reads the device's hardware configuration.
  explicit ChainBuilder(Device& device);

  // Maps `layer` (ChooseMapping unless `mapping` is given, then CompleteMapping and
  // ChooseTiling), allocates x, w and y and writes x and w. Returns the layer's index in the
  // chain. Throws ShapeError when x or w does not have the layer's shape, UnsupportedError
  // (before writing anything) when the layer cannot be mapped or its descriptor fails
  // CheckDesc, Error when the DRAM window is full. With `path` the outputs go through the
  // output path (its per-channel table is written beside the tensors); ShapeError when its
  // sizes do not match M, UnsupportedError when its settings are inconsistent (an activation
  // without requantization, ReLU and leaky together, a shift over 62).
  int AddConv(const ConvLayer& layer, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
              const RsMapping* mapping = nullptr, const OutputPath* path = nullptr);
  // Adds FC layer y = x w^T as the CONV layer FcToConv makes of it, through AddConv
  // (`mapping`, when given, is for that CONV layer; its n is the batch). ReadOutput gives
  // N x M x 1 x 1, as FcAcc. Throws ShapeError when K of x and w differ, and as AddConv, with
  // the FC layer named, when its CONV layer cannot be mapped.
  int AddFc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, const RsMapping* mapping = nullptr,
            const OutputPath* path = nullptr);

  // Writes the descriptors, linked in AddConv order with the last one ending the chain, and
  // returns the first one's address for Device::RunChain. Throws Error on an empty chain.
  uint64_t Commit();

  const Layer& layer(int index) const { return layers_.at(static_cast<size_t>(index)); }
  int size() const { return static_cast<int>(layers_.size()); }

  // The outputs layer `index` left in DRAM (N x M x E x F): accumulators, or its output path's
  // int16 outputs widened to int32.
  Tensor<int32_t> ReadOutput(int index);

 private:
  Device& device_;
  HwInfo hw_;
  std::vector<Layer> layers_;
};

struct LayerResult {
  Tensor<int32_t> y;        // accumulators, N x M x E x F (the output path's when given)
  DeviceCounters counters;  // of this run
  RsMapping mapping;        // completed
  Tiling tiling;
  uint64_t dram_min_bytes;  // x, w and y bytes, each moved once
};

// Runs one CONV layer: FreeAll, then a one-layer ChainBuilder chain through RunChain. Throws
// as ChainBuilder::AddConv before anything runs, and as Device::RunChain when the device
// fails or times out.
LayerResult RunConv(Device& device, const ConvLayer& layer, const Tensor<int16_t>& x,
                    const Tensor<int16_t>& w, const RsMapping* mapping = nullptr,
                    uint64_t timeout_cycles = 50'000'000, const OutputPath* path = nullptr);

// Runs one FC layer as RunConv runs the CONV layer FcToConv makes of it (`mapping`, when
// given, is for that CONV layer). The result's y is N x M x 1 x 1, FcAcc's output; its mapping
// and tiling are the CONV layer's. Throws as ChainBuilder::AddFc before anything runs, and as
// Device::RunChain when the device fails or times out.
LayerResult RunFc(Device& device, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                  const RsMapping* mapping = nullptr, uint64_t timeout_cycles = 50'000'000,
                  const OutputPath* path = nullptr);

}  // namespace eyelet

#endif  // EYELET_RUNTIME_H_
