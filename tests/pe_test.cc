// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// PE unit bench: the Verilated rtl/ey_pe.sv against the golden model, every psum compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "eyelet/golden.h"
#include "eyelet/rng.h"
#include "pe_bench.h"
#include "test_util.h"

namespace eyelet {
namespace {

// One bench (one Verilated model) for the whole test binary: jobs start from a clear.
PeBench& Bench() {
  static PeBench* bench = new PeBench();
  return *bench;
}

int Width(const PeJob& j) { return (j.f - 1) * j.u + j.s; }

// Fills weights, ifmap and psum_in with values in the data range; about `zero_frac` of the
// ifmap values are zero so that zero gating is exercised.
void FillRandom(PeJob& j, Rng& rng, int data_bits, double zero_frac) {
  const int hi = (1 << (data_bits - 1)) - 1;
  const int lo = -(1 << (data_bits - 1));
  j.weight.resize(j.passes * j.p * j.q * j.s);
  for (auto& v : j.weight) v = static_cast<int16_t>(rng.UniformInt(lo, hi));
  j.ifmap.resize(static_cast<size_t>(j.rows) * j.passes * j.q * Width(j));
  for (auto& v : j.ifmap)
    v = rng.Chance(zero_frac) ? 0 : static_cast<int16_t>(rng.UniformInt(lo, hi));
  j.psum_in.clear();
  if (j.accumulate_in) {
    j.psum_in.resize(static_cast<size_t>(j.rows) * j.passes * j.p * j.f);
    for (auto& v : j.psum_in) v = static_cast<int32_t>(rng.Uniform(INT32_MIN, INT32_MAX));
  }
}

std::string Describe(const PeJob& j) {
  std::ostringstream os;
  os << "s=" << j.s << " p=" << j.p << " q=" << j.q << " u=" << j.u << " f=" << j.f
     << " rows=" << j.rows << " passes=" << j.passes << " acc=" << j.accumulate_in << " in_stall=" << j.in_stall
     << " out_stall=" << j.out_stall;
  return os.str();
}

// MACs skipped by zero gating, counted from the data: every zero ifmap value inside a window
// skips one MAC per filter.
uint64_t ExpectedSkips(const PeJob& j) {
  uint64_t n = 0;
  const int w = Width(j);
  for (int r = 0; r < j.rows * j.passes; ++r)
    for (int x = 0; x < j.f; ++x)
      for (int c = 0; c < j.q; ++c)
        for (int s = 0; s < j.s; ++s)
          if (j.ifmap[(static_cast<size_t>(r) * j.q + c) * w + x * j.u + s] == 0) n += j.p;
  return n;
}

// Runs a job and checks every psum and both MAC counters.
PeResult RunAndCheck(const PeJob& j) {
  SCOPED_TRACE(Describe(j));
  const PeConfig cfg = Bench().config();
  PeResult res = Bench().Run(j);
  const std::vector<int32_t> ref = PeReference(j, cfg.data_bits, cfg.acc_bits);
  // The psums as a tensor of (0, row, filter, x): psum[((row * p) + filter) * f + x] (pe_bench.h).
  const Shape shape{1, j.rows * j.passes, j.p, j.f};
  Tensor<int32_t> got(shape), want(shape);
  EXPECT_EQ(res.psum.size(), want.data().size());
  EXPECT_EQ(ref.size(), want.data().size());
  std::copy_n(res.psum.begin(), std::min(res.psum.size(), got.data().size()), got.data().begin());
  std::copy_n(ref.begin(), std::min(ref.size(), want.data().size()), want.data().begin());
  EXPECT_TRUE(test::SameTensor(got, want)) << "psums as (0, row, filter, x)";
  const uint64_t ops = static_cast<uint64_t>(j.rows) * j.passes * j.f * j.p * j.q * j.s;
  EXPECT_EQ(res.macs + res.skipped, ops);
  EXPECT_EQ(res.skipped, ExpectedSkips(j));
  return res;
}

PeJob MakeJob(int s, int p, int q, int u, int f, int rows, bool acc, uint32_t seed,
              double zero_frac = 0.3, int passes = 1) {
  PeJob j;
  j.s = s, j.p = p, j.q = q, j.u = u, j.f = f, j.rows = rows, j.accumulate_in = acc;
  j.passes = passes;
  Rng rng(seed);
  FillRandom(j, rng, 16, zero_frac);
  return j;
}

TEST(Pe, SingleTapSingleFilter) { RunAndCheck(MakeJob(1, 1, 1, 1, 8, 1, false, 1)); }

TEST(Pe, HandWorkedRow) {
  // Filter row {1, 2, 3}, ifmap row {1, 0, 2, -1, 4}, stride 1: outputs
  // 1*1+2*0+3*2 = 7, 1*0+2*2+3*(-1) = 1, 1*2+2*(-1)+3*4 = 12.
  PeJob j;
  j.s = 3, j.p = 1, j.q = 1, j.u = 1, j.f = 3, j.rows = 1;
  j.weight = {1, 2, 3};
  j.ifmap = {1, 0, 2, -1, 4};
  PeResult res = RunAndCheck(j);
  EXPECT_EQ(res.psum, (std::vector<int32_t>{7, 1, 12}));
  EXPECT_EQ(res.skipped, 2u);  // the zero sits in two windows
}

TEST(Pe, ExtremeValuesWrapLikeTheGoldenModel) {
  // -32768 * -32768 summed 12 times overflows 32 bits: the PE wraps exactly like WrapAcc.
  PeJob j;
  j.s = 12, j.p = 2, j.q = 1, j.u = 1, j.f = 2, j.rows = 1, j.accumulate_in = true;
  j.weight.assign(24, -32768);
  j.ifmap.assign(13, -32768);
  j.psum_in = {INT32_MAX, INT32_MIN, -1, 1};
  RunAndCheck(j);
}

TEST(Pe, AllZeroIfmapGatesEveryMac) {
  PeJob j = MakeJob(3, 4, 2, 1, 6, 2, true, 7, 1.0);
  PeResult res = RunAndCheck(j);
  EXPECT_EQ(res.macs, 0u);
}

TEST(Pe, StrideLargerThanFilter) { RunAndCheck(MakeJob(2, 3, 2, 4, 5, 2, false, 11)); }

TEST(Pe, StrideLargerThanSpadWindow) {
  // U*q = 60 words > the 12-word ifmap spad: most of the row is streamed past.
  RunAndCheck(MakeJob(1, 2, 12, 5, 4, 2, true, 12));
}

TEST(Pe, FullSpads) {
  // S*q = 12 fills the ifmap spad, p*q*S = 216 of 224 filter words, p = 18 of 24 psums.
  RunAndCheck(MakeJob(6, 18, 2, 1, 5, 2, true, 13));
  // p = 24 fills the psum spad.
  RunAndCheck(MakeJob(3, 24, 3, 2, 4, 1, false, 14));
}

TEST(Pe, BackPressureOnEveryStream) {
  PeJob j = MakeJob(5, 4, 2, 2, 9, 3, true, 21);
  j.in_stall = 0.6;
  j.out_stall = 0.7;
  j.stall_seed = 99;
  RunAndCheck(j);
}

TEST(Pe, NoStallThroughputIsOneMacPerCycle) {
  // With p >= 4 the drain and the window prefetch hide behind the MACs: the whole job takes
  // the MAC count plus a fixed start-up (configuration, filter load, pipeline fill/drain).
  PeJob j = MakeJob(3, 16, 4, 1, 13, 3, false, 31, 0.0);
  PeResult res = RunAndCheck(j);
  const uint64_t ops = static_cast<uint64_t>(j.rows) * j.f * j.p * j.q * j.s;
  const uint64_t startup = 2 + j.q + j.u + j.p * j.q * j.s + j.s * j.q + 8;
  EXPECT_LE(res.cycles, ops + startup) << "ops " << ops;
}

TEST(Pe, TwoPsumBanksHideTheDrainForSmallP) {
  // p = 2 leaves room for two psum banks: the drain of one output column overlaps the next
  // column's MACs even with accumulation from a slow psum input.
  PeJob j = MakeJob(3, 2, 4, 1, 13, 2, true, 32, 0.0);
  PeResult res = RunAndCheck(j);
  const uint64_t ops = static_cast<uint64_t>(j.rows) * j.f * j.p * j.q * j.s;
  const uint64_t startup = 2 + j.q + j.u + j.p * j.q * j.s + j.s * j.q + 8;
  EXPECT_LE(res.cycles, ops + startup) << "ops " << ops;
}

TEST(Pe, PassesWithTwoFilterBanksPrefetchTheNextFilters) {
  // p*q*S = 96 <= 224/2: pass i+1's filters load while pass i computes, so after the first
  // load the PE never waits for filters.
  PeJob j = MakeJob(3, 8, 4, 1, 13, 1, true, 33, 0.0, 4);
  PeResult res = RunAndCheck(j);
  const uint64_t ops = static_cast<uint64_t>(j.passes) * j.rows * j.f * j.p * j.q * j.s;
  const uint64_t startup = 2 + j.q + j.u + j.p * j.q * j.s + j.s * j.q + 8;
  EXPECT_LE(res.cycles, ops + startup) << "ops " << ops;
}

TEST(Pe, PassesWithOneFilterBankReloadBetweenPasses) {
  // p*q*S = 192 > 112: one bank, reloaded after each pass; results must not change.
  PeJob j = MakeJob(3, 16, 4, 1, 5, 2, true, 34, 0.2, 3);
  PeResult res = RunAndCheck(j);
  const uint64_t ops = static_cast<uint64_t>(j.passes) * j.rows * j.f * j.p * j.q * j.s;
  // Each reload is at least p*q*S words in beats of at most EY_PE_FILT_LANES words.
  const uint64_t beats = (static_cast<uint64_t>(j.p) * j.q * j.s + EY_PE_FILT_LANES - 1) /
                         EY_PE_FILT_LANES;
  EXPECT_GE(res.cycles, ops + static_cast<uint64_t>(j.passes) * beats);
}

TEST(Pe, ManyShortPasses) {
  RunAndCheck(MakeJob(2, 3, 2, 2, 2, 1, true, 35, 0.3, 9));
  RunAndCheck(MakeJob(1, 1, 1, 1, 1, 1, false, 36, 0.0, 7));
}

// Sweep S = 1 .. 11 with strides 1 and 2, p and q as large as the spads allow (p, q > 1
// wherever S*q fits twice), several rows, psum accumulation, stalls on both sides.
class PeFilterWidth : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(PeFilterWidth, EveryPsumMatches) {
  const auto [s, u] = GetParam();
  const int q = std::max(1, 12 / s / (s <= 6 ? 2 : 1));
  const int p = std::min(24, 224 / (q * s)) / 2 + 1;
  for (int variant = 0; variant < 3; ++variant) {
    PeJob j = MakeJob(s, p, q, u, 3 + variant * 4, 1 + variant, variant != 1,
                      1000 + s * 10 + u + variant * 100);
    j.in_stall = variant == 2 ? 0.4 : 0.0;
    j.out_stall = variant == 2 ? 0.5 : 0.0;
    j.stall_seed = s * 7 + variant;
    RunAndCheck(j);
  }
}

INSTANTIATE_TEST_SUITE_P(SAndStride, PeFilterWidth,
                         ::testing::Combine(::testing::Range(1, 12), ::testing::Values(1, 2)),
                         [](const auto& info) {
                           return "S" + std::to_string(std::get<0>(info.param)) + "U" +
                                  std::to_string(std::get<1>(info.param));
                         });

// Constrained-random jobs: every legal (S, p, q, U) drawn, random stalls, 25 jobs per block.
class PeRandom : public ::testing::TestWithParam<int> {};

TEST_P(PeRandom, EveryPsumMatches) {
  const uint32_t seed = 0xE7E1E7u + GetParam();
  Rng rng(seed);
  auto uni = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  for (int i = 0; i < 25; ++i) {
    SCOPED_TRACE("block seed " + std::to_string(seed) + ", job " + std::to_string(i));
    PeJob j;
    j.s = uni(1, 11);
    j.q = uni(1, 12 / j.s);
    j.p = uni(1, std::min(24, 224 / (j.q * j.s)));
    j.u = uni(1, 4);
    j.f = uni(1, 12);
    j.rows = uni(1, 3);
    j.passes = uni(1, 3);
    j.accumulate_in = uni(0, 1);
    FillRandom(j, rng, 16, uni(0, 5) / 10.0);
    j.in_stall = uni(0, 6) / 10.0;
    j.out_stall = uni(0, 6) / 10.0;
    j.stall_seed = static_cast<uint32_t>(rng.Next());
    RunAndCheck(j);
  }
}

INSTANTIATE_TEST_SUITE_P(Blocks, PeRandom, ::testing::Range(0, 8));

TEST(Pe, IllegalJobIsRejectedBeforeRunning) {
  PeJob j = MakeJob(3, 1, 5, 1, 2, 1, false, 3);  // S*q = 15 > 12
  EXPECT_THROW(Bench().Run(j), ShapeError);
  // The bench is still usable afterwards.
  RunAndCheck(MakeJob(3, 2, 2, 1, 4, 1, false, 4));
}

}  // namespace
}  // namespace eyelet
