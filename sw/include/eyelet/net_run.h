// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A quantized network (quantize.h) on a Device: every step becomes one descriptor of ONE chain
// (two when a max pooling cannot fuse into its layer's output path and runs standalone), built
// by ChainBuilder for a batch of images: the host writes the quantized images, the device runs
// the chain, the host reads the last layer's outputs and dequantizes them (and applies a
// final Softmax). No host work between layers. Output buffers are reused by liveness
// (ChainBuilder::ReuseOutputs) unless every layer is checked. Batches of the same size rerun
// the committed chain with new input (ChainBuilder::WriteInput).
//
// With `check`, every layer's outputs are compared element by element with the integer golden
// model (RunGolden) on the same quantized images; the first mismatch names the layer, its
// nodes and (n, c, h, w) with the image index in the whole run.
//
// Figures per layer: on a device that counts time (the Verilated RTL), the counters are
// snapshot at each descriptor boundary (Device::RunChainProfiled, polled every poll_cycles):
// measured cycles, stalls, MACs, zero-gated MACs and DRAM bytes per layer. The cost model's
// cycles and DRAM bytes stand beside them (and alone on the golden device, which has no
// timing).
#ifndef EYELET_NET_RUN_H_
#define EYELET_NET_RUN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eyelet/device.h"
#include "eyelet/mapping.h"
#include "eyelet/tensor.h"
#include "eyelet/network.h"
#include "eyelet/quantize.h"

namespace eyelet {

struct NetProgress {
  int images_done = 0;
  int images_total = 0;
  uint64_t cycles = 0;  // simulated accelerator cycles so far (0 without timing)
  double seconds = 0;   // host wall time so far
};

struct NetRunOptions {
  int batch = 8;                                     // images per chain run
  bool check = false;                                // compare every layer with the golden model
  uint64_t timeout_cycles = 500'000'000;             // per chain run
  uint64_t poll_cycles = 256;                        // counter snapshots' granularity
  std::function<void(const NetProgress&)> progress;  // after each batch, when set
};

// What a checked layer's first wrong batch left to explain it with (eyelet/blame.h, locate.h):
// the CONV layer its last descriptor ran (a standalone pooling's PoolToConvLayer), that
// descriptor's completed mapping, tiling, weights and DRAM addresses, its outputs and the golden
// model's for that batch, and the chain run's profile.
struct NetMismatch {
  int image_base = 0;  // the batch's first image in the whole run
  int images = 0;      // and its size
  int desc = 0;        // the descriptor (in the chain) whose outputs differ
  ConvLayer layer;
  RsMapping mapping;
  Tiling tiling;
  Tensor<int16_t> weights;  // as the device read them (layer.w)
  uint64_t x_addr = 0;
  uint64_t w_addr = 0;
  Tensor<int32_t> want, got;
  ChainProfile profile;
};

// One step of the network, summed over every image run.
struct NetLayerStats {
  std::string name;  // the ONNX nodes it covers, '+'-joined
  std::string op_types;
  std::string kind;       // "conv", "fc" or "pool"
  std::string out_shape;  // per image, C x H x W or K
  std::string mapping;    // its (first) descriptor's RS mapping, "e,p,q,r,t nN" (N images/pass)
  int descs = 0;          // descriptors per chain: 2 when its pooling ran standalone
  int first_desc = 0;     // index of its first descriptor in the chain
  int active_pes = 0;
  int total_pes = 0;
  bool measured = false;  // the device's counters split per layer (else model figures only)
  uint64_t cycles = 0, dma_stall = 0, macs = 0, skipped = 0, dram_bytes = 0;
  int64_t model_cycles = 0;  // the cost model's prediction, summed over the chains run
  int64_t model_dram_bytes = 0;
  int64_t checked = 0;  // output elements compared with the golden model
  int64_t mismatches = 0;
  std::string first_mismatch;  // "image n, c, h, w = (..): expected E, got G"
  std::optional<NetMismatch> first_fail;  // the first batch with a mismatch
  // MACs (zero-gated included) per PE per cycle of the array's run (cycles - stalls).
  double Utilization() const;
  double ZeroShare() const;  // zero-gated share of the MACs
};

struct NetRunResult {
  FTensor output;              // N x classes: dequantized logits, or probabilities with Softmax
  std::vector<int> predicted;  // argmax per image
  std::vector<NetLayerStats> layers;
  DeviceCounters total;  // summed over the chain runs
  int images = 0;
  int chains = 0;  // chain runs
  int descs_per_chain = 0;
  ChainProfile first_chain;  // the first chain run's profile (descriptor and pass clocks)
  bool checked = false;
  bool Pass() const;  // every compared element equal (true when nothing was checked)
};

// Runs `images` (N x the network's input shape, float) through `net` on `device` (FreeAll
// first). Throws as ChainBuilder (UnsupportedError before anything runs when a layer cannot be
// mapped), ShapeError for images of the wrong shape, TimeoutError/DeviceError from the device.
NetRunResult RunQuantNet(Device& device, const QuantNet& net, const FTensor& images,
                         const NetRunOptions& options);

}  // namespace eyelet

#endif  // EYELET_NET_RUN_H_
