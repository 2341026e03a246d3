// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Running CONV layers through any Device: map each layer for the device's own hardware
// configuration (read from its CSRs), lay its tensors and descriptor out in the device's
// DRAM, run the chain and read the accumulators back.
#ifndef EYELET_RUNTIME_H_
#define EYELET_RUNTIME_H_

#include <cstdint>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/mapping.h"
#include "eyelet/tensor.h"

namespace eyelet {

// A chain of CONV descriptors built in a device's DRAM, one layer after another. Buffers come
// from Device::Alloc; the builder frees nothing.
class ChainBuilder {
 public:
  struct Layer {
    ConvLayer layer;
    RsMapping mapping;  // completed
    Tiling tiling;
    Desc desc;  // its `next` is set by Commit
  };

  // Reads the device's hardware configuration.
  explicit ChainBuilder(Device& device);

  // Maps `layer` (ChooseMapping unless `mapping` is given, then CompleteMapping and
  // ChooseTiling), allocates x, w and y and writes x and w. Returns the layer's index in the
  // chain. Throws ShapeError when x or w does not have the layer's shape, UnsupportedError
  // (before writing anything) when the layer cannot be mapped or its descriptor fails
  // CheckDesc, Error when the DRAM window is full.
  int AddConv(const ConvLayer& layer, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
              const RsMapping* mapping = nullptr);

  // Writes the descriptors, linked in AddConv order with the last one ending the chain, and
  // returns the first one's address for Device::RunChain. Throws Error on an empty chain.
  uint64_t Commit();

  const Layer& layer(int index) const { return layers_.at(static_cast<size_t>(index)); }
  int size() const { return static_cast<int>(layers_.size()); }

  // The accumulators layer `index` left in DRAM (N x M x E x F).
  Tensor<int32_t> ReadOutput(int index);

 private:
  Device& device_;
  HwInfo hw_;
  std::vector<Layer> layers_;
};

struct LayerResult {
  Tensor<int32_t> y;        // accumulators, N x M x E x F
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
                    uint64_t timeout_cycles = 50'000'000);

}  // namespace eyelet

#endif  // EYELET_RUNTIME_H_
