// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// eyelet_bench: performance figures of the Verilated PE array (not a test: it prints numbers).
//   * an AlexNet-CONV3-shaped layer (13 x 13 output, 3 x 3 filters, C and M reduced) on the
//     12 x 14 `eyeriss` config, run through the driver like any host program: utilization =
//     layer MACs / (PEs x array cycles), the cycles spent waiting for DRAM, and the DRAM bytes
//     against the minimum;
//   * AlexNet CONV1-5 with their filter shapes, strides, padding and groups, channels (and
//     CONV1's input size) scaled down so the whole table simulates in seconds: RTL cycles
//     beside the cost model's prediction for the same mapping and tiling, and DRAM bytes
//     against the minimum (every tensor moved once);
//   * Verilated simulation speed in cycles per second on one core.
// Every layer is also checked against the golden model, so a figure never comes from a wrong
// result.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "array_bench.h"
#include "eyelet/cost_model.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/runtime.h"

namespace eyelet {
namespace {

Tensor<int16_t> Random(const Shape& s, std::mt19937& rng, double zero_frac) {
  Tensor<int16_t> t(s);
  std::uniform_int_distribution<int> val(-128, 127);
  std::uniform_real_distribution<double> coin(0, 1);
  for (auto& v : t.data()) v = coin(rng) < zero_frac ? 0 : static_cast<int16_t>(val(rng));
  return t;
}

int RunOne(ArrayBench& bench, const std::string& name, const ConvLayer& l, double zero_frac,
           ArrayStats* stats = nullptr) {
  std::mt19937 rng(1);
  const Tensor<int16_t> x = Random(l.x, rng, zero_frac);
  const Tensor<int16_t> w = Random(l.w, rng, 0.0);
  const RsMapping m = ChooseMapping(l, bench.config());
  ArrayStats st;
  const auto t0 = std::chrono::steady_clock::now();
  const Tensor<int32_t> y = bench.RunConv(l, x, w, m, &st);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const bool ok = y.data() == ConvAcc(x, w, l.conv).data();
  const double pes = st.total_pes;
  std::printf("%s on %s (%dx%d): %s\n", name.c_str(), bench.config().name.c_str(),
              bench.config().rows, bench.config().cols, ok ? "PASS" : "FAIL");
  std::printf("  layer      %s, %lld MACs\n", l.ToString().c_str(),
              static_cast<long long>(l.Macs()));
  std::printf("  mapping    %s, %d active PEs of %d\n", m.ToString().c_str(), st.active_pes,
              st.total_pes);
  const double array_cycles = static_cast<double>(st.ArrayCycles());
  std::printf(
      "  cycles     %llu busy: array %llu in %llu passes, waiting for DRAM %llu (%.1f %%)\n",
      static_cast<unsigned long long>(st.cycles), static_cast<unsigned long long>(st.ArrayCycles()),
      static_cast<unsigned long long>(st.passes), static_cast<unsigned long long>(st.dma_stall),
      100.0 * st.dma_stall / st.cycles);
  std::printf(
      "  util       %.1f %% (layer MACs / (%d PEs x array cycles)); %.1f %% of active "
      "PEs; %.1f %% over all busy cycles\n",
      100.0 * l.Macs() / (pes * array_cycles), st.total_pes,
      100.0 * l.Macs() / (static_cast<double>(st.active_pes) * array_cycles),
      100.0 * l.Macs() / (pes * st.cycles));
  std::printf(
      "  DRAM       %llu bytes read, %llu written: %.2fx the minimum %llu (tiling %d "
      "images x %d filters x %d channels)\n",
      static_cast<unsigned long long>(st.dram_rd_bytes),
      static_cast<unsigned long long>(st.dram_wr_bytes),
      static_cast<double>(st.dram_rd_bytes + st.dram_wr_bytes) / st.dram_min_bytes,
      static_cast<unsigned long long>(st.dram_min_bytes), st.tiling.nb, st.tiling.mc, st.tiling.cc);
  std::printf("  PE work    %llu MACs + %llu zero-gated (padding and zeros)\n",
              static_cast<unsigned long long>(st.macs),
              static_cast<unsigned long long>(st.skipped));
  std::printf(
      "  NoC words  filter %llu, ifmap %llu, psum in %llu, psum out %llu\n",
      static_cast<unsigned long long>(st.filt_words), static_cast<unsigned long long>(st.if_words),
      static_cast<unsigned long long>(st.pin_words), static_cast<unsigned long long>(st.gon_words));
  std::printf(
      "  sim speed  %.0f cycles/s (%llu cycles simulated incl. DRAM transfers and CSR "
      "accesses, %.2f s wall, one core)\n",
      st.sim_cycles / secs, static_cast<unsigned long long>(st.sim_cycles), secs);
  if (stats) *stats = st;
  return ok ? 0 : 1;
}

ConvLayer Layer(Shape x, Shape w, int stride, int pad, int groups) {
  ConvLayer l;
  l.x = x;
  l.w = w;
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_bottom = l.conv.pad_left = l.conv.pad_right = pad;
  l.conv.groups = groups;
  return l;
}

// One table row per layer: RTL against the model, DRAM against its minimum.
int AlexNetTable(ArrayBench& bench) {
  const ArrayConfig& hw = bench.config();
  struct Row {
    const char* name;
    ConvLayer layer;
  };
  const Row rows[] = {
      {"CONV1", Layer({1, 3, 115, 115}, {16, 3, 11, 11}, 4, 0, 1)},
      {"CONV2", Layer({1, 48, 27, 27}, {32, 24, 5, 5}, 1, 2, 2)},
      {"CONV3", Layer({1, 64, 13, 13}, {64, 64, 3, 3}, 1, 1, 1)},
      {"CONV4", Layer({1, 96, 13, 13}, {64, 48, 3, 3}, 1, 1, 2)},
      {"CONV5", Layer({1, 96, 13, 13}, {64, 48, 3, 3}, 1, 1, 2)},
  };
  std::printf(
      "\nAlexNet CONV layers, scaled (batch 1; CONV1 input 115 x 115, M 16; others C and M "
      "reduced) on %s (%dx%d), through the driver:\n",
      hw.name.c_str(), hw.rows, hw.cols);
  std::printf("%-6s %-26s %-12s %-12s %9s %9s %9s %9s %7s %6s %6s\n", "layer", "x / w", "e,p,q,r,t",
              "nb,mc,cc,sb", "RTL cyc", "model", "RTL arr", "model arr", "error", "DRAM", "util");
  int fails = 0;
  for (const Row& r : rows) {
    std::mt19937 rng(2);
    const ConvLayer& l = r.layer;
    const Tensor<int16_t> x = Random(l.x, rng, 0.0);
    const Tensor<int16_t> w = Random(l.w, rng, 0.0);
    const RsMapping m = ChooseMapping(l, hw);
    ArrayStats st;
    const Tensor<int32_t> y = bench.RunConv(l, x, w, m, &st);
    const bool ok = y.data() == ConvAcc(x, w, l.conv).data();
    fails += !ok;
    const CycleEstimate e = EstimateCycles(l, hw, m, st.tiling);
    char shape[64], map[32], tiling[32];
    std::snprintf(shape, sizeof(shape), "%dx%dx%d / %dx%dx%d", l.x.c, l.x.h, l.x.w, l.w.n, l.w.h,
                  l.w.w);
    std::snprintf(map, sizeof(map), "%d,%d,%d,%d,%d", m.e, m.p, m.q, m.r, m.t);
    std::snprintf(tiling, sizeof(tiling), "%d,%d,%d,%d", st.tiling.nb, st.tiling.mc, st.tiling.cc,
                  BandStrips(m, st.tiling));
    std::printf("%-6s %-26s %-12s %-12s %9llu %9lld %9llu %9lld %+6.1f%% %5.2fx %5.1f%%%s\n",
                r.name, shape, map, tiling, static_cast<unsigned long long>(st.cycles),
                static_cast<long long>(e.cycles), static_cast<unsigned long long>(st.ArrayCycles()),
                static_cast<long long>(e.compute_cycles),
                100.0 * (static_cast<double>(e.cycles) - st.cycles) / st.cycles,
                static_cast<double>(st.dram_rd_bytes + st.dram_wr_bytes) / st.dram_min_bytes,
                100.0 * st.Utilization(), ok ? "" : "  FAIL");
  }
  std::printf(
      "(RTL cyc: accelerator busy cycles incl. descriptor fetch and DMA; model: the "
      "mapper's prediction for the same mapping and tiling; arr: array cycles alone; "
      "error: (model - RTL) / RTL; DRAM: bytes moved / minimum; util: MACs / (PEs x "
      "array cycles))\n");
  return fails;
}

// Bias (random, +-2^20), requantization (mult 20000 + channel, `shift`) and ReLU for m
// channels: the output path the bench's layers run through.
OutputPath ReluPath(int m, int shift, std::mt19937& rng) {
  OutputPath path;
  std::uniform_int_distribution<int32_t> bias(-(1 << 20), 1 << 20);
  for (int i = 0; i < m; ++i) {
    path.bias.push_back(bias(rng));
    path.requant.mult.push_back(20000 + i);
    path.requant.shift.push_back(shift);
  }
  path.relu = true;
  return path;
}

// The output path's cost: the same layer and mapping with int32 accumulators out, and with
// bias, requantization to int16 and ReLU in the walker's store.
int OutputPathCost(ArrayBench& bench, const ConvLayer& l) {
  std::mt19937 rng(5);
  const Tensor<int16_t> x = Random(l.x, rng, 0.0);
  const Tensor<int16_t> w = Random(l.w, rng, 0.0);
  const Tensor<int32_t> acc = ConvAcc(x, w, l.conv);
  const OutputPath path = ReluPath(l.w.n, 30, rng);
  const RsMapping m = ChooseMapping(l, bench.config());
  ArrayStats plain, post;
  const bool ok =
      bench.RunConv(l, x, w, m, &plain).data() == acc.data() &&
      bench.RunConv(l, x, w, m, &post, &path).data() == ApplyOutputPath(acc, path).data();
  std::printf(
      "\nOutput path (bias, requantization to int16, ReLU in the store) on %s:\n"
      "  %s: %llu busy cycles with int32 outputs, %llu with the output path (%+.2f%%); "
      "DRAM %llu -> %llu bytes%s\n",
      bench.config().name.c_str(), l.ToString().c_str(),
      static_cast<unsigned long long>(plain.cycles), static_cast<unsigned long long>(post.cycles),
      100.0 * (static_cast<double>(post.cycles) - plain.cycles) / plain.cycles,
      static_cast<unsigned long long>(plain.dram_rd_bytes + plain.dram_wr_bytes),
      static_cast<unsigned long long>(post.dram_rd_bytes + post.dram_wr_bytes), ok ? "" : "  FAIL");
  return ok ? 0 : 1;
}

// Max pooling fused into the store: AlexNet CONV1 (batch 1, 227 x 227 x 3 -> 96 x 55 x 55,
// 11 x 11, stride 4) with bias, requantization and ReLU, then the same with 3 x 3 / 2 max
// pooling after the ReLU (ONNX MaxPool, 27 x 27 out), on the same mapping. Both outputs are
// checked against the golden model.
int FusedPoolCost(ArrayBench& bench) {
  ConvLayer l;
  l.x = Shape{1, 3, 227, 227};
  l.w = Shape{96, 3, 11, 11};
  l.conv.stride_h = l.conv.stride_w = 4;
  std::mt19937 rng(7);
  const Tensor<int16_t> x = Random(l.x, rng, 0.0);
  const Tensor<int16_t> w = Random(l.w, rng, 0.0);
  const OutputPath path = ReluPath(l.w.n, 31, rng);
  OutputPath pooled = path;
  pooled.pool = true;
  pooled.pool_params.kernel_h = pooled.pool_params.kernel_w = 3;
  pooled.pool_params.stride_h = pooled.pool_params.stride_w = 2;
  const Tensor<int32_t> acc = ConvAcc(x, w, l.conv);
  ConvLayer lp = l;
  lp.post = path.PostBits();
  const RsMapping m = ChooseMapping(lp, bench.config());
  ArrayStats conv, fused;
  const bool ok =
      bench.RunConv(l, x, w, m, &conv, &path).data() == ApplyOutputPath(acc, path).data() &&
      bench.RunConv(l, x, w, m, &fused, &pooled).data() == ApplyOutputPath(acc, pooled).data();
  const Shape ys = PoolOutputShape(l.Out(), pooled.pool_params);
  const uint64_t bound = static_cast<uint64_t>(l.x.Size() + l.w.Size() + ys.Size()) * 2;
  std::printf(
      "\nMax pooling fused into the store on %s: AlexNet CONV1 (batch 1) with bias, "
      "requantization and ReLU, then + 3x3/2 max pooling\n"
      "  mapping %s, tiling nb,mc,cc,sb %d,%d,%d,%d\n"
      "  cycles  %llu busy without pooling, %llu with (%+.2f%%)\n"
      "  DRAM    without pooling read %llu, wrote %llu (int16 %s); with: read %llu, wrote "
      "%llu (int16 %s)\n"
      "          input + weights + pooled output = %llu bytes; the fused layer moves "
      "%.3fx that%s\n",
      bench.config().name.c_str(), m.ToString().c_str(), fused.tiling.nb, fused.tiling.mc,
      fused.tiling.cc, fused.tiling.sb, static_cast<unsigned long long>(conv.cycles),
      static_cast<unsigned long long>(fused.cycles),
      100.0 * (static_cast<double>(fused.cycles) - conv.cycles) / conv.cycles,
      static_cast<unsigned long long>(conv.dram_rd_bytes),
      static_cast<unsigned long long>(conv.dram_wr_bytes), l.Out().ToString().c_str(),
      static_cast<unsigned long long>(fused.dram_rd_bytes),
      static_cast<unsigned long long>(fused.dram_wr_bytes), ys.ToString().c_str(),
      static_cast<unsigned long long>(bound),
      static_cast<double>(fused.dram_rd_bytes + fused.dram_wr_bytes) / bound, ok ? "" : "  FAIL");
  return ok ? 0 : 1;
}

// FC at batch 4 on the array (as the CONV layer FcToConvLayer makes of it), with its utilization
// and what limits it: each weight is used once per image of the batch, so unless the batch is
// large the layer is bound by moving the K*M weights: into the GLB at four 16-bit words (one
// AXI beat) per cycle, and from the GLB into the PEs on the filter GIN at filter_gin_words a
// cycle (an FC filter is one weight per channel, so a beat carries that many of a PE's
// channels), whatever the number of PEs; the MACs on the active PEs are the third bound.
// Which of an FC layer's three bounds (cycles each) is the largest.
const char* FcLimit(double gin, double dram, double compute) {
  return gin >= dram && gin >= compute ? "filter GIN"
         : dram >= compute             ? "DRAM -> GLB weight stream"
                                       : "PE array compute";
}

int FcCost(ArrayBench& bench, int k, int m_out, int batch) {
  const ConvLayer l = FcToConvLayer(Shape{batch, k, 1, 1}, Shape{m_out, k, 1, 1});
  char name[64];
  std::snprintf(name, sizeof(name), "FC %d -> %d, batch %d", k, m_out, batch);
  std::printf("\n");
  ArrayStats st;
  const int fails = RunOne(bench, name, l, 0.0, &st);
  const double weight_words = static_cast<double>(k) * m_out;
  const double dram = weight_words / static_cast<double>(kDramLoadWordsPerBeat);
  const int lanes = bench.config().filter_gin_words;
  const double gin = static_cast<double>(st.filt_words) / lanes;  // lanes words a cycle
  const double compute = static_cast<double>(l.Macs()) / std::max(1, st.active_pes);
  const double busy = static_cast<double>(st.cycles);
  const char* limit = FcLimit(gin, dram, compute);
  std::printf(
      "  limit      %s: the %.0f weight words (each used by the %d images of the batch only) "
      "load from DRAM at %lld words per cycle, >= %.0f cycles (%.0f %% of the busy cycles); "
      "the filter GIN carries %lld words into the PEs at %d a cycle, >= %.0f (%.0f %%); the MACs "
      "on the %d active PEs need >= %.0f (%.0f %%)\n",
      limit, weight_words, batch, static_cast<long long>(kDramLoadWordsPerBeat), dram,
      100.0 * dram / busy, static_cast<long long>(st.filt_words), lanes, gin, 100.0 * gin / busy,
      st.active_pes, compute, 100.0 * compute / busy);
  return fails;
}

// FC 4096 -> 4096 at batch 4 by the cost model alone (its ~19.7 M cycles would take about
// 26 minutes to simulate at 12,500 cycles/s): the mapper's choice, its predicted cycles and
// utilization. FcCost measures the model against the RTL on the 1024 -> 1024 layer just before.
void FcModel(const ArrayConfig& hw, int k, int m_out, int batch) {
  const ConvLayer l = FcToConvLayer(Shape{batch, k, 1, 1}, Shape{m_out, k, 1, 1});
  const RsMapping m = ChooseMapping(l, hw);
  const Tiling t = ChooseTiling(l, hw, m);
  const CycleEstimate c = EstimateCycles(l, hw, m, t);
  const int pes = ActivePes(l, m);
  const double cycles = static_cast<double>(c.cycles);
  const double weights = static_cast<double>(int64_t{k} * m_out);
  const double gin = weights / std::max(1, hw.filter_gin_words);  // every weight once
  const double dram = weights / static_cast<double>(kDramLoadWordsPerBeat);
  const double compute = static_cast<double>(l.Macs()) / std::max(1, pes);
  std::printf(
      "\nFC %d -> %d, batch %d on %s, cost model (not simulated): mapping %s, %d active "
      "PEs, tiling nb,mc,cc,sb %d,%d,%d,%d\n"
      "  predicted  %lld busy cycles (array %lld), utilization %.2f %% of %d PEs; DRAM "
      "%lld bytes (%.2fx the minimum)\n"
      "  limit      %s: %.0f weight words into the PEs at %d words per cycle are %.0f %% of "
      "the predicted cycles (loading them from DRAM at four a cycle, %.0f %%; the MACs on the "
      "active PEs, %.0f %%)\n",
      k, m_out, batch, hw.name.c_str(), m.ToString().c_str(), pes, t.nb, t.mc, t.cc, t.sb,
      static_cast<long long>(c.cycles), static_cast<long long>(c.compute_cycles),
      100.0 * static_cast<double>(l.Macs()) /
          (static_cast<double>(hw.rows) * hw.cols * static_cast<double>(c.cycles)),
      hw.rows * hw.cols, static_cast<long long>(c.DramBytes()),
      static_cast<double>(c.DramBytes()) / static_cast<double>(MinDramBytes(l, hw)),
      FcLimit(gin, dram, compute), weights, hw.filter_gin_words, 100.0 * gin / cycles,
      100.0 * dram / cycles,
      100.0 * compute / cycles);
}

}  // namespace
}  // namespace eyelet

int main(int argc, char** argv) {
  using namespace eyelet;
  try {
    const std::string config = argc > 1 ? argv[1] : "eyeriss";
    auto bench = ArrayBench::Create(config);
    int fails = 0;
    // AlexNet CONV3: 256 -> 384 channels, 13 x 13 output, 3 x 3, pad 1. Reduced to C = 32,
    // M = 64 and batch 1 so the run stays short.
    ConvLayer conv3;
    conv3.x = Shape{1, 32, 13, 13};
    conv3.w = Shape{64, 32, 3, 3};
    conv3.conv.pad_top = conv3.conv.pad_bottom = conv3.conv.pad_left = conv3.conv.pad_right = 1;
    fails += RunOne(*bench, "AlexNet-CONV3-shaped", conv3, 0.0);
    fails += AlexNetTable(*bench);
    fails += OutputPathCost(*bench, conv3);
    if (config == "eyeriss") fails += FusedPoolCost(*bench);
    fails += FcCost(*bench, 1024, 1024, 4);
    FcModel(bench->config(), 4096, 4096, 4);
    return fails ? 1 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "eyelet_bench: error: %s\n", e.what());
    return 3;
  }
}
