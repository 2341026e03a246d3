// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Running CONV, FC and max-pooling layers through any Device: map each layer for the device's
// own hardware configuration (read from its CSRs), lay its tensors and descriptor out in the
// device's DRAM, run the chain and read the outputs back. FC layers run as the CONV layer they
// equal (FcToConv), and a max pooling either fused into the output path of the layer before
// it or, standalone, as a 1x1 CONV with the pooling fused (PoolToConvLayer), so the array, the
// descriptor and the walker see CONV only. Layers chain in DRAM: a layer added "after" another
// reads that layer's output buffer, so a whole network (CONV -> ReLU -> POOL -> ... -> FC)
// runs as one descriptor chain with no host copy between layers.
#ifndef EYELET_RUNTIME_H_
#define EYELET_RUNTIME_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/tensor.h"

namespace eyelet {

// An FC layer as the CONV layer the row-stationary array runs (Eyeriss ISCA 2016, "FC layer
// from CONV layer point of view"), with the batch as the filters' reuse and E = F = 1. The
// input of K = C*H*W features becomes N x K x 1 x 1 (K channels, 1 x 1 kernels: the same
// bytes), whose filters the filter GIN moves several channels a beat (R*S = 1); only a K past
// the layer record's 13-bit channel field keeps N x C x H x W, with filters as large as the
// input (R = H, S = W). The weights (any shape with n = M and c*h*w = K, the golden FcAcc's
// rule) become M x K x 1 x 1 or M x C x H x W in the same flattened order; stride 1, no
// padding, one group. The CONV output, N x M x 1 x 1, is FcAcc's output element for element.
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
// accumulators at AccW, then requantization to int16, then ReLU or leaky ReLU, then max
// pooling. Without requantization the outputs stay int32 accumulators (plus the bias).
struct OutputPath {
  std::vector<int32_t> bias;  // empty: none; else one per output channel
  RequantParams requant;      // empty: no requantization; else 1 entry or one per channel
  bool relu = false;          // ReLU after requantization
  bool leaky = false;         // or leaky ReLU: x < 0 ? sat((x*leaky_mult + round) >> shift)
  int16_t leaky_mult = 0;
  int leaky_shift = 0;        // 0..62
  // Max pooling of each output plane after the activation (golden MaxPool with pool_params;
  // padding never wins, ceil_mode and bottom/right padding set the pooled size). Needs
  // requantization; windows and strides of 1..3 (desc_codec.h kPoolMaxWindow).
  bool pool = false;
  PoolParams pool_params;
  bool Requantizes() const { return !requant.mult.empty(); }
  // The descriptor's post bits (desc_codec.h kPost*; the pooling has fields of its own).
  uint32_t PostBits() const;
};

// The golden model's output for accumulators `acc` (N x M x E x F) through `path`: int16
// values widened to int32 when it requantizes (N x M x pooled E x pooled F when it pools).
// Throws UnsupportedError for pooling without requantization, ShapeError as MaxPool.
Tensor<int32_t> ApplyOutputPath(const Tensor<int32_t>& acc, const OutputPath& path);

// A standalone max pooling as the CONV layer the array runs it as: the N x C x H x W int16
// input read as N*C images of one channel H x W (the same DRAM bytes), one 1 x 1 filter of
// weight 1, stride 1, no padding, requantized with mult 1 and shift 0 (the identity on int16:
// PoolOutputPath) and the pooling fused. Its PooledOut(), (N*C) x 1 x Ho x Wo, lies in DRAM as
// N x C x Ho x Wo, PoolOutputShape(x, p). Throws ShapeError as PoolOutputShape,
// UnsupportedError when the window or stride is outside the hardware's 1..3 or N*C exceeds the
// descriptor's 65535 images.
ConvLayer PoolToConvLayer(const Shape& x, const PoolParams& p);
// The output path of PoolToConvLayer's layer: requantization {1}, {0} and the pooling `p`.
OutputPath PoolOutputPath(const PoolParams& p);

// A chain of CONV descriptors built in a device's DRAM, one layer after another. Buffers come
// from Device::Alloc; the builder frees nothing. The Add* calls return the index of the layer
// whose outputs are the call's result (ReadOutput, or the source of a later *After call).
//
// Pooling: an output path with `pool` fuses the pooling into the layer's descriptor when a
// mapping and tiling allow it (the walker's line buffer holds a partial pooled row per image
// and filter of the group when the layer runs in row bands: TilingError). When none does, the
// layer runs unpooled (its int16 outputs to DRAM) followed by a standalone pool layer reading
// them, and the call returns the pool layer's index (the chain grows by two; a failure of the
// second leaves the first in the chain).
class ChainBuilder {
 public:
  struct Layer {
    ConvLayer layer;     // as the array runs it (PoolToConvLayer's for a standalone pool)
    RsMapping mapping;   // completed
    Tiling tiling;
    Desc desc;  // its `next` is set by Commit (a CONV descriptor for FC and pool layers too)
    bool int16_out = false;  // requantized: y holds int16 outputs
    Shape out;               // the outputs at desc.y_addr as ReadOutput shapes them
    int src = -1;            // the layer whose outputs are its input; -1: written by the host
    bool pool_only = false;  // a standalone max pooling (AddPool*, or a pooling not fused)
  };

  // Reads the device's hardware configuration.
  explicit ChainBuilder(Device& device);

  // Maps `layer` (ChooseMapping unless `mapping` is given, then CompleteMapping and
  // ChooseTiling), allocates x, w and y and writes x and w. Returns the layer's index in the
  // chain. Throws ShapeError when x or w does not have the layer's shape, UnsupportedError
  // (before writing anything) when the layer cannot be mapped or its descriptor fails
  // CheckDesc, Error when the DRAM window is full. With `path` the outputs go through the
  // output path (its per-channel table is written beside the tensors); ShapeError when its
  // sizes do not match M or its pooling does not fit the outputs, UnsupportedError when its
  // settings are inconsistent (an activation or pooling without requantization, ReLU and leaky
  // together, a shift over 62, a pooling window or stride over 3). The pooling comes from
  // `path` only (layer.pooled is ignored); see the class comment for when it fuses.
  int AddConv(const ConvLayer& layer, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
              const RsMapping* mapping = nullptr, const OutputPath* path = nullptr);
  // The same CONV layer (ifmap = layer `src`'s outputs, whose shape is the layer's x) reading
  // its ifmap from `src`'s output buffer: no host copy. Throws Error for an index not in the
  // chain, UnsupportedError when `src` writes int32 accumulators (no requantization), and as
  // AddConv.
  int AddConvAfter(int src, const Tensor<int16_t>& w, const ConvParams& conv,
                   const RsMapping* mapping = nullptr, const OutputPath* path = nullptr);
  // Adds FC layer y = x w^T as the CONV layer FcToConv makes of it, through AddConv
  // (`mapping`, when given, is for that CONV layer; its n is the batch). ReadOutput gives
  // N x M x 1 x 1, as FcAcc. Throws ShapeError when K of x and w differ, and as AddConv, with
  // the FC layer named, when its CONV layer cannot be mapped.
  int AddFc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, const RsMapping* mapping = nullptr,
            const OutputPath* path = nullptr);
  // FC layer on layer `src`'s outputs N x C x H x W read in place as the flat K = C*H*W input
  // (FcToConvLayer's N x K x 1 x 1, or NCHW with R = H, S = W: the same DRAM layout). Throws
  // as AddFc and
  // AddConvAfter.
  int AddFcAfter(int src, const Tensor<int16_t>& w, const RsMapping* mapping = nullptr,
                 const OutputPath* path = nullptr);
  // Standalone max pooling of the int16 tensor `x` (N x C x H x W), run as PoolToConvLayer's
  // 1x1 CONV (the weight and the output-path table entry are written beside the tensors).
  // ReadOutput gives N x C x Ho x Wo, golden MaxPool's output. Throws as PoolToConvLayer, and
  // UnsupportedError when the layer cannot be mapped (a pooled row wider than the line buffer).
  int AddPool(const Tensor<int16_t>& x, const PoolParams& p);
  // The same on layer `src`'s outputs in place. Throws as AddPool and AddConvAfter.
  int AddPoolAfter(int src, const PoolParams& p);

  // Writes the descriptors, linked in AddConv order with the last one ending the chain, and
  // returns the first one's address for Device::RunChain. Throws Error on an empty chain.
  uint64_t Commit();

  // Output buffers by liveness: when on (before the first Add call), a layer's outputs go to
  // a buffer of an earlier layer that the new layer does not read (the smallest that is large
  // enough; a new one when none is), so a chain of layers each reading the one before it needs
  // about two activation buffers however long it is. A layer whose buffer was reused cannot be
  // read back (ReadOutput throws) nor be a source; keep it off to read every layer's outputs.
  void ReuseOutputs(bool on) { reuse_ = on; }
  // Writes a new host input into the first layer's x buffer (same shape as it was added
  // with), so a committed chain runs again on other data. Throws Error when the first layer
  // reads another layer, ShapeError for another shape.
  void WriteInput(const Tensor<int16_t>& x);

  const Layer& layer(int index) const { return layers_.at(static_cast<size_t>(index)); }
  int size() const { return static_cast<int>(layers_.size()); }

  // The outputs layer `index` left in DRAM (Layer::out: N x M x E x F, pooled when it pools;
  // N x C x Ho x Wo for a pool layer): accumulators, or its output path's int16 outputs
  // widened to int32.
  Tensor<int32_t> ReadOutput(int index);

 private:
  // The layer `src` as a source of int16 outputs, with `what` naming the reader for errors.
  const Layer& Source(int src, const std::string& what) const;
  // Maps `conv` with `path` (its pooling fused, or else split off into a pool layer) reading x
  // from the host (`x`) or from layer `src` (x null); returns the index of its result.
  int AddLayer(const ConvLayer& conv, const Tensor<int16_t>* x, int src, const Tensor<int16_t>& w,
               const RsMapping* mapping, const OutputPath* path, const Shape& out, bool pool_only);
  // Allocates and writes one mapped layer; returns its index.
  int Push(Layer l, const Tensor<int16_t>* x, const Tensor<int16_t>& w,
           const std::vector<int32_t>& table, const OutputPath* path);
  int AddPoolFrom(const Shape& x_shape, const Tensor<int16_t>* x, int src, const PoolParams& p);

  // A buffer for layer outputs under ReuseOutputs, and the layer whose outputs it holds.
  struct Buffer {
    uint64_t addr;
    size_t bytes;
    int owner;
  };
  // The address for the next layer's `bytes` of outputs when it reads layer `src`.
  uint64_t OutputBuffer(size_t bytes, int src);

  Device& device_;
  HwInfo hw_;
  std::vector<Layer> layers_;
  bool reuse_ = false;
  std::vector<Buffer> buffers_;
  std::vector<int> overwritten_;  // per layer: the layer that reused its buffer, or -1
};

struct LayerResult {
  Tensor<int32_t> y;        // accumulators, N x M x E x F (the output path's when given,
                            // pooled when it pools)
  DeviceCounters counters;  // of this run
  RsMapping mapping;        // completed
  Tiling tiling;
  uint64_t dram_min_bytes;  // x, w and y bytes, each moved once
  uint64_t x_addr = 0;      // where the (first) descriptor read its ifmap and weights in DRAM
  uint64_t w_addr = 0;
};

// Runs one CONV layer: FreeAll, then a ChainBuilder chain through RunChain (one layer, or two
// when its pooling does not fuse; counters are the chain's, mapping and tiling the CONV's). Throws
// as ChainBuilder::AddConv before anything runs, and as Device::RunChain when the device
// fails or times out.
LayerResult RunConv(Device& device, const ConvLayer& layer, const Tensor<int16_t>& x,
                    const Tensor<int16_t>& w, const RsMapping* mapping = nullptr,
                    uint64_t timeout_cycles = 50'000'000, const OutputPath* path = nullptr);

// Runs one standalone max pooling of the int16 tensor `x` as ChainBuilder::AddPool lays it out:
// FreeAll, then a one-layer chain. The result's y is golden MaxPool's output widened to int32;
// its mapping and tiling are the 1x1 CONV layer's. Throws as AddPool and Device::RunChain.
LayerResult RunPool(Device& device, const Tensor<int16_t>& x, const PoolParams& p,
                    uint64_t timeout_cycles = 50'000'000);

// Runs one FC layer as RunConv runs the CONV layer FcToConv makes of it (`mapping`, when
// given, is for that CONV layer). The result's y is N x M x 1 x 1, FcAcc's output; its mapping
// and tiling are the CONV layer's. Throws as ChainBuilder::AddFc before anything runs, and as
// Device::RunChain when the device fails or times out.
LayerResult RunFc(Device& device, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                  const RsMapping* mapping = nullptr, uint64_t timeout_cycles = 50'000'000,
                  const OutputPath* path = nullptr);

}  // namespace eyelet

#endif  // EYELET_RUNTIME_H_
