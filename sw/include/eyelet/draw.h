// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Random layers, mappings, output paths, PE jobs and data, drawn from eyelet/rng.h's portable
// generator, so a seed names the same case on every platform and in every tool: `eyelet layer`
// and `eyelet sweep` on every backend, `eyelet pe`, benches and tests.
//
// Streams: a run of many cases seeds case i's generator with JobSeed(seed, i), so case i can be
// rerun alone. Each function documents what it draws, in order; changing the order changes
// every case after it.
#ifndef EYELET_DRAW_H_
#define EYELET_DRAW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/layer_check.h"
#include "eyelet/mapping.h"
#include "eyelet/pe_job.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "eyelet/tensor.h"

namespace eyelet {

// The seed of case `index` of a run seeded `seed`.
uint64_t JobSeed(uint64_t seed, int index);

// Uniform signed `data_bits` values; the sparse one makes about `zero_fraction` of them 0.
Tensor<int16_t> RandomData(const Shape& shape, int data_bits, Rng& rng);
Tensor<int16_t> RandomSparseData(const Shape& shape, int data_bits, double zero_fraction, Rng& rng);

// --- One layer, `eyelet layer`: fields given are kept, the rest drawn.

// A layer's shape as given (flags or files); empty fields are drawn.
struct LayerSpec {
  std::optional<int> batch;
  std::optional<int> in_channels;
  std::optional<int> out_channels;
  std::optional<int> height;
  std::optional<int> width;
  std::optional<int> kernel_h;
  std::optional<int> kernel_w;
  std::optional<int> stride;
  std::optional<int> pad;
  std::optional<int> groups;
  // conv, fc: max pooling of the output path's outputs (drawn sizes leave room for its window);
  // pool: only pool_params.ceil_mode is read unless `pool` (then the pooling is taken whole).
  bool pool = false;
  PoolParams pool_params;
  std::string input_path;    // where a given x came from, for messages
  std::string weights_path;  // where a given w came from, for messages
};

// Drawn layers stay small so one simulates in well under a second: conv C, M <= 8, H, W <= 16,
// kernels 1..5 (they always map: S*q fits the 12-word ifmap spad with q = 1, taller R is split
// into row groups; C*H*W fits every GLB); fc batch 1..8, M <= 32, half flat with K <= 300, half
// C <= 8 x H, W <= 6; pool C <= 8, H, W <= 16, windows 1..3 (the hardware's), strides 1..3.

struct ConvShapes {
  Shape x;
  Shape w;
  ConvParams params;
};
// From x / w (either may be null) and `spec`, the rest drawn. Throws ShapeError when a file and
// a field disagree or the weights do not fit the channels and groups.
ConvShapes DrawConvShapes(const LayerSpec& spec, const Tensor<int16_t>* x, const Tensor<int16_t>* w,
                          Rng& rng);

struct FcShapes {
  Shape x;  // N x C x H x W, K = C*H*W
  Shape w;  // M x (anything with c*h*w = K)
};
// Throws ShapeError for a K too large for an int, or a file that disagrees with a field.
FcShapes DrawFcShapes(const LayerSpec& spec, const Tensor<int16_t>* x, const Tensor<int16_t>* w,
                      Rng& rng);

struct PoolShapes {
  Shape x;
  PoolParams p;
};
// Throws ShapeError when the pooling does not fit the input.
PoolShapes DrawPoolShapes(const LayerSpec& spec, const Tensor<int16_t>* x, Rng& rng);

// Which output-path stages to draw.
struct OutputPathFlags {
  bool bias = false;
  bool requant = false;
  bool relu = false;
  bool leaky = false;
};
// The output path for accumulators `acc` (N x M x E x F): biases up to a quarter of the largest
// |acc|; per channel a multiplier in [2^14, 2^15) and the shift that brings the channel's
// largest |acc + bias| to 2^14..2^15; a leaky slope of 1/16 to 1/4. No pooling (the caller adds
// its own). Empty when neither bias nor requantization is asked for.
std::optional<OutputPath> DrawOutputPath(const OutputPathFlags& flags, const Tensor<int32_t>& acc,
                                         Rng& rng);

// --- The sweep: random layers that exercise the array's corners.

constexpr double kSweepIfmapZeros = 0.3;  // exercises the PEs' zero gating
constexpr double kSweepWeightZeros = 0.1;

// A random CONV layer for `hw`: batch 1..4, groups 1..3, strides 1..4 (axes sometimes
// different), uneven padding, kernels 1..11 and now and then R up to 3 rows taller than the
// array. Every layer it draws maps.
ConvLayer DrawSweepConv(const ArrayConfig& hw, Rng& rng);
// A random FC layer for `hw`: batch 1..8, M 1..64, K up to 2000 as a flat N x K x 1 x 1 input,
// a row N x 1 x 1 x K, or C x H x W with H up to 3 rows taller than the array and W <= 11.
FcShapes DrawSweepFc(const ArrayConfig& hw, Rng& rng);
// A random pooling of an e x f plane the hardware runs (windows, strides 1..3 per axis, pads
// below the window, ceil mode now and then); empty when no draw fits the plane.
std::optional<PoolParams> DrawSweepPooling(int e, int f, Rng& rng);
// A random standalone POOL layer: N 1..3, C 1..6, H, W 1..16 and a DrawSweepPooling.
PoolShapes DrawSweepPool(Rng& rng);
// A random legal mapping of `l` (channel and filter counts may exceed the layer's, so the zero
// padding of incomplete blocks is exercised too). Falls back to the mapper's choice, and says so
// in `*drawn`, when no draw is legal.
RsMapping DrawMapping(const ConvLayer& l, const ArrayConfig& hw, Rng& rng, bool* drawn);

// Sweep layer shapes: the type (drawn among `types` only when there are several), then its
// shapes. `layer` is the CONV layer the array runs; `text` names the layer ("fc x .. w ..",
// "pool x .. 3x3/2", or the CONV layer's ToString).
struct SweepShape {
  LayerType type = LayerType::kConv;
  ConvLayer layer;
  FcShapes fc;
  PoolShapes pool;
  std::string text;
};
SweepShape DrawSweepShape(const ArrayConfig& hw, const std::vector<LayerType>& types, Rng& rng);
// A random chain of 2 or 3 layers run as one descriptor chain, each after the first reading the
// one before in DRAM (ChainBuilder's *After calls): a CONV layer (N 1..2, C 1..6, H, W 5..14,
// M 1..8, kernels 1..3, strides 1..2, pad 0..1, groups 1..2), then CONV layers, max poolings
// and, last only, an FC layer on its outputs. Every layer but the last requantizes (the next
// reads int16 values); the last does half the time. Every CONV and FC layer maps on `hw`.
struct SweepChainLayer {
  LayerType type = LayerType::kConv;  // kConv, kPool or kFc
  ConvParams conv;                    // kConv
  Shape w;                            // kConv (M x C/G x R x S) and kFc (M x K) weights
  PoolParams pool;                    // kPool
  bool requant = false;               // kConv, kFc: the output path requantizes
  bool relu = false;                  // and applies ReLU
};
struct SweepChain {
  Shape x;  // the first layer's input
  std::vector<SweepChainLayer> layers;
  std::string text;  // "chain conv x .. w .. -> pool 2x2/2 -> fc w 10x1x1x72"
};
SweepChain DrawSweepChain(const ArrayConfig& hw, Rng& rng);

// The data of a sweep layer: ifmaps with kSweepIfmapZeros, weights with kSweepWeightZeros.
LayerCase DrawSweepData(const SweepShape& shape, int data_bits, Rng& rng);
// Layer `index`'s output path with --post: one of bias alone, requantization, bias and
// requantization, + ReLU, + leaky ReLU, from its own stream (so the layers and data are those of
// a sweep without it); with `pools`, a requantizing path pools a third of the time.
std::optional<OutputPath> DrawSweepOutputPath(uint64_t seed, int index, bool pools,
                                              const Tensor<int32_t>& acc);

// --- PE jobs.

// A random job for a PE built with `cfg`: filter width, filters p, channels q, stride, output
// width, rows, psum accumulation, data with ~30% zeros, back-pressure `stall` on every stream.
PeJob DrawPeJob(const PeConfig& cfg, double stall, Rng& rng);

// --- Names of layers, as the tools print them.

// "3x3/2", "3x2/3x2 pad 1 ceil": a pooling as `--pool` spells it, with its padding (uniform
// as one number, else top,left,bottom,right) and ceil mode.
std::string PoolText(const PoolParams& p);
// "fc x 2x300x1x1 w 10x1x1x300".
std::string FcText(const Shape& x, const Shape& w);
// "pool x 2x3x9x9 3x3/2 pad 1".
std::string PoolLayerText(const Shape& x, const PoolParams& p);

}  // namespace eyelet

#endif  // EYELET_DRAW_H_
