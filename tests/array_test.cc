// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// PE-array layer regression: CONV layers through the Verilated ey_pe_array on every built
// config, every output element compared with the golden model's ConvAcc.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "array_bench.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;
using test::Rs;
using test::RandomTensor;
using test::SameTensor;

ArrayBench& Bench(const std::string& config) {
  static std::map<std::string, std::unique_ptr<ArrayBench>> benches;
  auto& b = benches[config];
  if (!b) b = ArrayBench::Create(config);
  return *b;
}

// Runs the layer with `m` (or the chosen mapping when m.e == 0) and compares every element.
ArrayStats RunAndCompare(const std::string& config, const ConvLayer& layer, uint32_t seed,
                         RsMapping m = RsMapping{0}) {
  Rng rng(seed);
  const Tensor<int16_t> x = RandomTensor(layer.x, rng, -32768, 32767, 0.3);
  const Tensor<int16_t> w = RandomTensor(layer.w, rng, -32768, 32767, 0.1);
  ArrayBench& bench = Bench(config);
  if (m.e == 0) m = ChooseMapping(layer, bench.config());
  SCOPED_TRACE(config + " layer " + layer.ToString() + " mapping " + m.ToString() +
               " seed " + std::to_string(seed));
  ArrayStats st;
  const Tensor<int32_t> got = bench.RunConv(layer, x, w, m, &st);
  const Tensor<int32_t> want = ConvAcc(x, w, layer.conv);
  EXPECT_TRUE(SameTensor(got, want));
  // Every MAC of the layer is done or gated exactly once; padding adds gated ones only.
  EXPECT_GE(st.macs + st.skipped, static_cast<uint64_t>(layer.Macs()));
  return st;
}

// A random layer within the limits of `hw`: R and S 1..11 (R may exceed the rows), stride
// 1..4, padding 0..R-1, batch 1..4, groups.
ConvLayer RandomLayer(Rng& rng, const ArrayConfig& hw) {
  auto uni = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  ConvLayer l;
  const int groups = uni(0, 3) == 0 ? uni(2, 3) : 1;
  const int r = uni(0, 3) == 0 ? uni(1, 11) : uni(1, 5);
  const int s = uni(0, 3) == 0 ? uni(1, std::min(11, hw.ifmap_depth)) : uni(1, 5);
  const int stride = uni(0, 2) == 0 ? uni(2, 4) : 1;
  l.conv.stride_h = stride;
  l.conv.stride_w = uni(0, 3) == 0 ? uni(1, 4) : stride;
  l.conv.pad_top = uni(0, r - 1);
  l.conv.pad_bottom = uni(0, r - 1);
  l.conv.pad_left = uni(0, s - 1);
  l.conv.pad_right = uni(0, s - 1);
  l.conv.groups = groups;
  const int cg = uni(1, 6), mg = uni(1, 8);
  const int h = std::max(1, r - l.conv.pad_top - l.conv.pad_bottom) + uni(0, 10);
  const int w = std::max(1, s - l.conv.pad_left - l.conv.pad_right) + uni(0, 12);
  l.x = Shape{uni(1, 4), cg * groups, h, w};
  l.w = Shape{mg * groups, cg, r, s};
  return l;
}

// A random legal mapping (so p, q, r, t > 1 and e < E all occur), or the mapper's choice.
RsMapping RandomMapping(Rng& rng, const ConvLayer& l, const ArrayConfig& hw) {
  auto uni = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  const int cg = l.x.c / l.conv.groups, mg = l.w.n / l.conv.groups;
  for (int attempt = 0; attempt < 200; ++attempt) {
    RsMapping m;
    m.e = uni(1, std::min(hw.cols, l.Out().h));
    m.q = uni(1, std::max(1, std::min(cg + 1, hw.ifmap_depth / l.w.w)));
    m.p = uni(1, std::max(1, std::min({mg + 1, hw.psum_depth, hw.filter_depth / (m.q * l.w.w)})));
    m.r = uni(1, std::min(cg + 1, hw.rows));
    m.t = uni(1, std::min(mg + 1, hw.rows * hw.cols));
    m.n = l.x.n;
    if (CompleteMapping(l, hw, m).empty()) return m;
  }
  return ChooseMapping(l, hw);
}

constexpr int kSweepLayers = 20;

// Layer i of sweep block `block` on `hw`: drawn from seed 0x5EED0000 + 1000 * block + i, with
// the mapper's mapping (even i) or a random legal one (odd i). The sweep runs these and its
// coverage check counts them.
struct SweepLayer {
  uint32_t seed;
  ConvLayer layer;
  RsMapping mapping;
};

SweepLayer SweepCase(const ArrayConfig& hw, int block, int i) {
  SweepLayer c;
  c.seed = 0x5EED0000u + block * 1000 + i;
  Rng rng(c.seed);
  c.layer = RandomLayer(rng, hw);
  c.mapping = (i % 2) ? RandomMapping(rng, c.layer, hw) : ChooseMapping(c.layer, hw);
  return c;
}

void Sweep(const std::string& config, int block) {
  const ArrayConfig& hw = ConfigByName(config);
  for (int i = 0; i < kSweepLayers; ++i) {
    const SweepLayer c = SweepCase(hw, block, i);
    RunAndCompare(config, c.layer, c.seed, c.mapping);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "rerun: layer seed " << c.seed << " (block " << block << ", layer " << i
                    << ")";
      return;
    }
  }
}

class ArraySweep : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ArraySweep, RandomLayersMatchGolden) {
  const auto& [config, block] = GetParam();
  Sweep(config, block);
}

INSTANTIATE_TEST_SUITE_P(Tiny, ArraySweep,
                         ::testing::Combine(::testing::Values("tiny"), ::testing::Range(0, 6)));
INSTANTIATE_TEST_SUITE_P(Small, ArraySweep,
                         ::testing::Combine(::testing::Values("small"),
                                            ::testing::Range(100, 106)));
INSTANTIATE_TEST_SUITE_P(Eyeriss, ArraySweep,
                         ::testing::Combine(::testing::Values("eyeriss"),
                                            ::testing::Range(200, 203)));

// The sweep's layers and mappings hit every coverage bin the RS dataflow has (checked without
// simulating: SweepCase draws the same layers and mappings).
TEST(ArraySweepCoverage, EveryMappingFeatureOccurs) {
  const std::vector<std::pair<std::string, std::vector<int>>> plan = {
      {"tiny", {0, 1, 2, 3, 4, 5}}, {"small", {100, 101, 102, 103, 104, 105}},
      {"eyeriss", {200, 201, 202}}};
  for (const auto& [config, blocks] : plan) {
    const ArrayConfig& hw = ConfigByName(config);
    std::map<std::string, int> bins;
    for (int block : blocks) {
      for (int i = 0; i < kSweepLayers; ++i) {
        const SweepLayer c = SweepCase(hw, block, i);
        const ConvLayer& l = c.layer;
        RsMapping m = c.mapping;
        ASSERT_EQ(CompleteMapping(l, hw, m), "");
        bins["p>1"] += m.p > 1;
        bins["q>1"] += m.q > 1;
        bins["r>1"] += m.r > 1;
        bins["t>1"] += m.t > 1;
        bins["e<E"] += m.e < l.Out().h;
        bins["stride>1"] += l.conv.stride_h > 1;
        bins["groups>1"] += l.conv.groups > 1;
        bins["batch>1"] += l.x.n > 1;
        bins["S>=8"] += l.w.w >= 8;
        if (hw.rows < 11) bins["R>rows"] += m.nrg > 1;
      }
    }
    for (const auto& [bin, count] : bins) EXPECT_GT(count, 0) << config << " bin " << bin;
  }
}

// Directed cases on every config.
class ArrayDirected : public ::testing::TestWithParam<std::string> {};

TEST_P(ArrayDirected, FilterAsTallAsTheIfmap) {  // R = H: one output row
  RunAndCompare(GetParam(), Conv(2, 3, 5, 9, 4, 5, 3, 1, 0), 11);
}
TEST_P(ArrayDirected, OneByOneFilters) {
  RunAndCompare(GetParam(), Conv(1, 5, 6, 7, 6, 1, 1, 1, 0), 12);
}
TEST_P(ArrayDirected, SingleInputChannel) {
  RunAndCompare(GetParam(), Conv(1, 1, 8, 8, 4, 3, 3, 1, 1), 13);
}
TEST_P(ArrayDirected, SingleFilter) {
  RunAndCompare(GetParam(), Conv(2, 4, 7, 7, 1, 3, 3, 2, 1), 14);
}
TEST_P(ArrayDirected, FilterWiderThanTheRowMinusPadding) {
  // S = 7 on a 4-wide row with 2 + 2 padding: every window reaches into the padding.
  RunAndCompare(GetParam(), Conv(1, 2, 6, 4, 3, 3, 7, 1, 2), 15);
}
TEST_P(ArrayDirected, FilterTallerThanTheArray) {  // R = 11 > rows on tiny and small
  RunAndCompare(GetParam(), Conv(1, 2, 13, 6, 2, 11, 2, 1, 1), 16);
}
TEST_P(ArrayDirected, StrideLargerThanTheFilter) {
  RunAndCompare(GetParam(), Conv(1, 3, 11, 11, 3, 2, 2, 4, 1), 17);
}
TEST_P(ArrayDirected, GroupedConv) {
  RunAndCompare(GetParam(), Conv(2, 6, 6, 6, 9, 3, 3, 1, 1, 3), 18);
}
TEST_P(ArrayDirected, OneSetFillsTheArray) {
  // R = rows and E = cols: the mapper's single R x e set covers every PE.
  const ArrayConfig& hw = ConfigByName(GetParam());
  const ConvLayer l = Conv(1, 1, hw.rows + hw.cols - 1, 5, 1, hw.rows, 3, 1, 0);
  RsMapping m;
  m.e = hw.cols;
  ArrayStats st = RunAndCompare(GetParam(), l, 19, m);
  EXPECT_EQ(st.active_pes, hw.rows * hw.cols);
}
TEST_P(ArrayDirected, ZeroGatingIsCounted) {
  const ConvLayer l = Conv(1, 2, 6, 6, 2, 3, 3, 1, 0);
  Tensor<int16_t> x(l.x, 0), w(l.w, 1);
  ArrayStats st;
  ArrayBench& bench = Bench(GetParam());
  const Tensor<int32_t> y = bench.RunConv(l, x, w, ChooseMapping(l, bench.config()), &st);
  for (int32_t v : y.data()) ASSERT_EQ(v, 0);
  EXPECT_EQ(st.macs, 0u);
  EXPECT_GE(st.skipped, static_cast<uint64_t>(l.Macs()));
}

// Corners of the controller named by review, each with a mapping that forces it.
TEST(ArrayCorners, DiagonalsSkippedWhenStrideExceedsTheSetHeight) {
  // R = 1, vertical stride 3, e = 3: diagonals 1, 2, 4, 5 feed no PE and are never sent.
  RunAndCompare("small", Conv(1, 2, 12, 8, 2, 1, 3, 3, 0), 41, Rs(3, 1, 1, 1, 1));
}
TEST(ArrayCorners, EveryPassStartsAFilterBlock) {
  // cb = nrg = 1 and mb = 6: the psum GIN only ever sends zeros and runs passes ahead.
  RunAndCompare("small", Conv(1, 2, 6, 6, 12, 3, 3, 1, 1), 42, Rs(4, 1, 2, 1, 2));
}
TEST(ArrayCorners, OneWordFiltersReloadedEveryPass) {
  // p = q = S = 1: the next pass's only filter word lands as the last MAC reads the bank.
  RunAndCompare("small", Conv(2, 3, 5, 5, 2, 1, 1, 1, 0), 43, Rs(5, 1, 1, 1, 1));
}
TEST(ArrayCorners, SingleBanksWithTwoChainsPerColumn) {
  // p = 13 (2p > 24 psum entries) and p*q*S = 117 (> 224 / 2): one psum and one filter bank,
  // with two chains sharing each column's lanes.
  const ConvLayer l = Conv(1, 6, 8, 8, 26, 3, 3, 1, 1);
  RsMapping m = Rs(6, 13, 3, 1, 2);
  ASSERT_EQ(CompleteMapping(l, ConfigByName("eyeriss"), m), "");
  ASSERT_EQ(m.tv, 2);
  RunAndCompare("eyeriss", l, 44, Rs(6, 13, 3, 1, 2));
}
TEST(ArrayCorners, StrideWiderThanTheIfmapSpad) {
  // U*q = 4*4 = 16 > 12 spad words: most columns stream past the window.
  ConvLayer l = Conv(1, 4, 5, 21, 2, 1, 1, 1, 0);
  l.conv.stride_w = 4;
  RunAndCompare("small", l, 45, Rs(5, 2, 4, 1, 1));
}

INSTANTIATE_TEST_SUITE_P(Configs, ArrayDirected,
                         ::testing::Values("tiny", "small", "eyeriss"));

TEST(ArrayErrors, AbortLeavesTheCoreReusable) {
  // Abort while the IDs scan, while the first filters load and deep into the passes; each
  // time the next layer must run bit-exact.
  const ConvLayer l = Conv(2, 6, 9, 9, 8, 3, 3, 1, 1);
  const uint64_t full = RunAndCompare("small", l, 49).cycles;  // one chunk: all in one run
  ASSERT_GT(full, 200u);
  for (uint64_t after : {uint64_t{5}, uint64_t{60}, full / 2, full - 20}) {
    SCOPED_TRACE("abort after " + std::to_string(after) + " cycles");
    ArrayBench& bench = Bench("small");
    bench.AbortNextRunAfter(after);
    try {
      bench.RunConv(l, Tensor<int16_t>(l.x, 1), Tensor<int16_t>(l.w, 1),
                    ChooseMapping(l, bench.config()), nullptr);
      FAIL() << "the run was not aborted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find("still busy"), std::string::npos) << e.what();
    }
    RunAndCompare("small", l, 50 + after);
  }
}

TEST(ArrayErrors, IllegalMappingIsRejectedBeforeRunning) {
  const ConvLayer l = Conv(1, 4, 6, 6, 4, 3, 3, 1, 0);
  RsMapping m;
  m.q = 5;  // 5 * 3 = 15 > 12 ifmap words
  EXPECT_THROW(Bench("tiny").RunConv(l, Tensor<int16_t>(l.x), Tensor<int16_t>(l.w), m, nullptr),
               UnsupportedError);
}

TEST(ArrayErrors, UnmappableLayerNamesTheLimit) {
  const ConvLayer l = Conv(1, 1, 20, 20, 1, 3, 13, 1, 0);  // S = 13 > 12 ifmap words
  try {
    ChooseMapping(l, ConfigByName("tiny"));
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("ifmap spad"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eyelet
