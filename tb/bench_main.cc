// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// eyelet_bench: performance figures of the Verilated PE array (not a test: it prints numbers).
//   * an AlexNet-CONV3-shaped layer (13 x 13 output, 3 x 3 filters, C and M reduced) on the
//     12 x 14 `eyeriss` config, run through the driver like any host program: utilization =
//     layer MACs / (PEs x array cycles), the cycles spent waiting for DRAM, and the DRAM bytes
//     against the minimum;
//   * Verilated simulation speed in cycles per second on one core.
// Every layer is also checked against the golden model, so a figure never comes from a wrong
// result.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "array_bench.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"

namespace eyelet {
namespace {

Tensor<int16_t> Random(const Shape& s, std::mt19937& rng, double zero_frac) {
  Tensor<int16_t> t(s);
  std::uniform_int_distribution<int> val(-128, 127);
  std::uniform_real_distribution<double> coin(0, 1);
  for (auto& v : t.data()) v = coin(rng) < zero_frac ? 0 : static_cast<int16_t>(val(rng));
  return t;
}

int RunOne(ArrayBench& bench, const std::string& name, const ConvLayer& l, double zero_frac) {
  std::mt19937 rng(1);
  const Tensor<int16_t> x = Random(l.x, rng, zero_frac);
  const Tensor<int16_t> w = Random(l.w, rng, 0.0);
  const RsMapping m = ChooseMapping(l, bench.config());
  ArrayStats st;
  const auto t0 = std::chrono::steady_clock::now();
  const Tensor<int32_t> y = bench.RunConv(l, x, w, m, &st);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const bool ok = y.data() == ConvAcc(x, w, l.conv).data();
  const double pes = st.total_pes;
  std::printf("%s on %s (%dx%d): %s\n", name.c_str(), bench.config().name.c_str(),
              bench.config().rows, bench.config().cols, ok ? "PASS" : "FAIL");
  std::printf("  layer      %s, %lld MACs\n", l.ToString().c_str(),
              static_cast<long long>(l.Macs()));
  std::printf("  mapping    %s, %d active PEs of %d\n", m.ToString().c_str(), st.active_pes,
              st.total_pes);
  const double array_cycles = static_cast<double>(st.ArrayCycles());
  std::printf("  cycles     %llu busy: array %llu in %llu passes, waiting for DRAM %llu (%.1f %%)\n",
              static_cast<unsigned long long>(st.cycles),
              static_cast<unsigned long long>(st.ArrayCycles()),
              static_cast<unsigned long long>(st.passes),
              static_cast<unsigned long long>(st.dma_stall), 100.0 * st.dma_stall / st.cycles);
  std::printf("  util       %.1f %% (layer MACs / (%d PEs x array cycles)); %.1f %% of active "
              "PEs; %.1f %% over all busy cycles\n",
              100.0 * l.Macs() / (pes * array_cycles), st.total_pes,
              100.0 * l.Macs() / (static_cast<double>(st.active_pes) * array_cycles),
              100.0 * l.Macs() / (pes * st.cycles));
  std::printf("  DRAM       %llu bytes read, %llu written: %.2fx the minimum %llu (tiling %d "
              "images x %d filters x %d channels)\n",
              static_cast<unsigned long long>(st.dram_rd_bytes),
              static_cast<unsigned long long>(st.dram_wr_bytes),
              static_cast<double>(st.dram_rd_bytes + st.dram_wr_bytes) / st.dram_min_bytes,
              static_cast<unsigned long long>(st.dram_min_bytes), st.tiling.nb, st.tiling.mc,
              st.tiling.cc);
  std::printf("  PE work    %llu MACs + %llu zero-gated (padding and zeros)\n",
              static_cast<unsigned long long>(st.macs),
              static_cast<unsigned long long>(st.skipped));
  std::printf("  NoC words  filter %llu, ifmap %llu, psum in %llu, psum out %llu\n",
              static_cast<unsigned long long>(st.filt_words),
              static_cast<unsigned long long>(st.if_words),
              static_cast<unsigned long long>(st.pin_words),
              static_cast<unsigned long long>(st.gon_words));
  std::printf("  sim speed  %.0f cycles/s (%llu cycles simulated incl. DRAM transfers and CSR "
              "accesses, %.2f s wall, one core)\n",
              st.sim_cycles / secs, static_cast<unsigned long long>(st.sim_cycles), secs);
  return ok ? 0 : 1;
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
    return fails ? 1 : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "eyelet_bench: error: %s\n", e.what());
    return 3;
  }
}
