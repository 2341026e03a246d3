// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Device::Activity on the Verilated accelerator: what the activity trace measures per PE and
// per unit against independent truth: the RTL's own counters of the same run (CNT_MACS,
// CNT_SKIPPED, CNT_PASSES, DRAM bytes), the MACs the layer and its input imply PE by PE under
// the mapping's placement (locate.h PlacePe), and PEs the mapping leaves off doing nothing.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>

#include "eyelet/activity.h"
#include "eyelet/backend.h"
#include "eyelet/layer_check.h"
#include "eyelet/locate.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

struct Measured {
  LayerCheck check;
  ArrayActivity act;
};

Measured RunMeasured(const std::string& config, const LayerCase& c, const RsMapping* m,
                     const std::string& fst) {
  DeviceOptions o;
  o.activity_path = fst;
  const std::unique_ptr<Device> dev = OpenDevice("rtl:" + config, o);
  Measured r;
  r.check = CheckLayer(*dev, ConfigByName(config), c, GoldenAcc(c), m, nullptr);
  r.act = dev->Activity();
  return r;
}

uint64_t Sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), 0ull); }

// What holds for every run: the per-PE sums are the counters, the units' spans are ordered
// and inside the trace, the passes are the counter's.
void ExpectAgreesWithCounters(const Measured& r, const ArrayConfig& hw) {
  const ArrayStats& st = r.check.stats;
  const ArrayActivity& a = r.act;
  ASSERT_TRUE(r.check.cmp.Pass()) << r.check.cmp.Summary();
  ASSERT_EQ(a.rows, hw.rows);
  ASSERT_EQ(a.cols, hw.cols);
  EXPECT_EQ(Sum(a.macs), st.macs);
  EXPECT_EQ(Sum(a.skipped), st.skipped);
  EXPECT_EQ(a.passes.size(), st.passes);
  EXPECT_EQ(a.RdBytes(), st.dram_rd_bytes);
  EXPECT_EQ(a.WrBytes(), st.dram_wr_bytes);
  EXPECT_EQ(a.array_cycles, st.ArrayCycles());
  for (size_t k = 0; k < a.macs.size(); ++k) {
    EXPECT_EQ(a.macs[k] + a.skipped[k] + a.idle[k], a.array_cycles) << "PE " << k;
  }
  for (const auto* spans : {&a.load, &a.run, &a.store, &a.passes, &a.dma_rd, &a.dma_wr}) {
    EXPECT_FALSE(spans->empty());
    for (size_t i = 0; i < spans->size(); ++i) {
      EXPECT_LT((*spans)[i].begin, (*spans)[i].end);
      EXPECT_LE((*spans)[i].end, a.end_cycle);
      if (i > 0) EXPECT_LE((*spans)[i - 1].end, (*spans)[i].begin);
    }
  }
}

// 1 image of 4 x 6 x 6, 4 filters of 3 x 3 (a 4 x 4 ofmap), about a third of the input zero,
// mapping e 4, p 2, q 2, r 1, t 1 on the 6 x 7 array: one PE set of 3 rows x 4 columns, 4
// passes (2 filter blocks x 2 channel blocks). PE (filter row i, set column j) convolves
// ifmap row j + i with filter row i for every filter and channel: all M*C*F*S of its MACs
// happen, and those whose ifmap value is zero are gated.
TEST(ActivityRtl, EachPeDoesTheMacsItsPlaceImplies) {
  const ArrayConfig& hw = ConfigByName("small");
  LayerCase c;
  c.layer = test::Conv(1, 4, 6, 6, 4, 3, 3, 1, 0);
  Rng rng(11);
  c.x = test::SparseTensor(c.layer.x, rng);
  c.w = test::SparseTensor(c.layer.w, rng);
  RsMapping m = test::Rs(4, 2, 2, 1, 1);
  test::TempDir dir;
  const Measured r = RunMeasured("small", c, &m, dir.File("a.fst"));
  ExpectAgreesWithCounters(r, hw);
  EXPECT_EQ(r.act.passes.size(), 4u);
  const ConvLayer& l = c.layer;
  const int mm = l.w.n, cc = l.x.c, f = l.Out().w, s = l.w.w;
  int on = 0;
  for (int row = 0; row < hw.rows; ++row) {
    for (int col = 0; col < hw.cols; ++col) {
      const PeRole role = PlacePe(l, r.check.stats.mapping, row, col);
      const uint64_t macs = r.act.At(r.act.macs, row, col);
      const uint64_t skipped = r.act.At(r.act.skipped, row, col);
      if (!role.on) {
        EXPECT_EQ(macs + skipped, 0u) << "PE (" << row << ", " << col << ") is off";
        continue;
      }
      ++on;
      const int y = role.column_in_set + role.filter_row;  // the ifmap row it reads
      uint64_t zeros = 0;
      for (int ch = 0; ch < cc; ++ch) {
        for (int x = 0; x < f; ++x) {
          for (int k = 0; k < s; ++k) zeros += c.x.at(0, ch, y, x + k) == 0;
        }
      }
      EXPECT_EQ(skipped, mm * zeros) << "PE (" << row << ", " << col << ")";
      EXPECT_EQ(macs + skipped, uint64_t(mm) * cc * f * s) << "PE (" << row << ", " << col << ")";
    }
  }
  EXPECT_EQ(on, 3 * 4);
}

// Layers the mapper maps (channel and filter chunks, batches, strides) on the small arrays.
class ActivityRtlLayers : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ActivityRtlLayers, PerPeSumsAndUnitsAgreeWithTheCounters) {
  const auto& [config, seed] = GetParam();
  const ArrayConfig& hw = ConfigByName(config);
  Rng rng(static_cast<uint64_t>(seed));
  LayerCase c;
  c.layer =
      seed % 2 ? test::Conv(2, 5, 9, 8, 6, 3, 3, 1, 1) : test::Conv(1, 3, 11, 10, 7, 3, 2, 2, 0);
  c.x = test::SparseTensor(c.layer.x, rng);
  c.w = test::SparseTensor(c.layer.w, rng);
  test::TempDir dir;
  const Measured r = RunMeasured(config, c, nullptr, dir.File("a.fst"));
  ExpectAgreesWithCounters(r, hw);
  RsMapping m = r.check.stats.mapping;
  for (int row = 0; row < hw.rows; ++row) {
    for (int col = 0; col < hw.cols; ++col) {
      if (!PlacePe(c.layer, m, row, col).on) {
        EXPECT_EQ(r.act.At(r.act.macs, row, col) + r.act.At(r.act.skipped, row, col), 0u)
            << "PE (" << row << ", " << col << ") is off";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, ActivityRtlLayers,
                         ::testing::Combine(::testing::Values("tiny", "small"),
                                            ::testing::Values(1, 2)));

// One case on the 12 x 14 build, for its hierarchy names.
INSTANTIATE_TEST_SUITE_P(Eyeriss, ActivityRtlLayers,
                         ::testing::Values(std::make_tuple(std::string("eyeriss"), 2)));

TEST(ActivityRtl, ADeviceOpenedWithoutItRecordsNothing) {
  const std::unique_ptr<Device> dev = OpenDevice("rtl:tiny");
  EXPECT_THROW(dev->Activity(), UsageError);
  DeviceOptions both;
  both.activity_path = "/tmp/a.fst";
  both.trace_path = "/tmp/b.fst";
  EXPECT_THROW(OpenDevice("rtl:tiny", both), UsageError);
}

}  // namespace
}  // namespace eyelet
