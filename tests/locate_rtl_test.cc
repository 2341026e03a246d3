// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Localization (locate.h) proven on the RTL: layers run on the `small` build with fault
// injection ("rtlfault:small", rtl/ey_pe.sv EY_FAULT), where bit B of one PE's psum output is
// stuck at 1. Every output that differs from the golden model must be located at the faulty
// PE when it is the top of its chain (the PE whose psum output is the chain's sum), inside its
// chain when it is lower down, and a PE the mapping leaves idle must change nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/cost_model.h"
#include "eyelet/golden.h"
#include "eyelet/locate.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;

constexpr uint64_t kTimeout = 20'000'000;

struct FaultCase {
  const char* name;
  ConvLayer layer;
  RsMapping mapping;  // e = 0: the mapper's choice
  bool several_chunks;
};

RsMapping Rs(int e, int p, int q, int r, int t) {
  RsMapping m = test::Rs(e, p, q, r, t);
  m.n = 255;  // capped at the batch by CompleteMapping
  return m;
}

ConvLayer Grouped(ConvLayer l, int pad_bottom) {
  l.conv.pad_bottom = pad_bottom;
  return l;
}

std::vector<FaultCase> Cases() {
  return {
      // R 3, batch 2, two chains side by side, 3 filter blocks x 2 channel blocks: 6 passes.
      {"R3Batch2SixPasses", Conv(2, 4, 8, 8, 6, 3, 3, 1, 1), Rs(3, 1, 1, 2, 2), false},
      // R 7 on 6 rows: two row groups of 4 rows (the last one's top row is padding).
      {"R7TwoRowGroups", Conv(1, 2, 10, 6, 4, 7, 3, 1, 0), Rs(2, 2, 1, 1, 2), false},
      // 1x1 kernels: chains of r = 2 sets stacked three high (tv 3) in two set columns.
      {"Chains3High", Conv(2, 8, 6, 6, 8, 1, 1, 1, 0), Rs(3, 1, 2, 2, 4), false},
      // Stride 2, two groups, the mapper's mapping.
      {"Stride2Groups2", Grouped(Conv(2, 4, 11, 9, 6, 3, 3, 2, 1, 2), 0), RsMapping{0}, false},
      // Too large for the GLB in one piece: image, channel or row-band chunks.
      {"Chunked", Conv(3, 24, 20, 20, 12, 3, 3, 1, 1), RsMapping{0}, true},
  };
}

class LocateRtl : public ::testing::TestWithParam<int> {};

struct FaultRun {
  LayerResult r;
  Tensor<int32_t> want;
};

FaultRun RunWithFault(const FaultCase& c, const RsMapping& m, const Tensor<int16_t>& x,
                 const Tensor<int16_t>& w, std::vector<std::string> plusargs) {
  DeviceOptions o;
  o.plusargs = std::move(plusargs);
  std::unique_ptr<Device> dev = OpenDevice("rtlfault:small", o);
  FaultRun run{RunConv(*dev, c.layer, x, w, &m, kTimeout), ConvAcc(x, w, c.layer.conv)};
  return run;
}

// Row-major element i of an N x M x E x F output.
OutputCoord Coord(const Shape& out, size_t i) {
  const size_t w = static_cast<size_t>(out.w), h = static_cast<size_t>(out.h);
  const size_t c = static_cast<size_t>(out.c);
  return {static_cast<int>(i / (w * h * c)), static_cast<int>(i / (w * h) % c),
          static_cast<int>(i / w % h), static_cast<int>(i % w)};
}

std::vector<std::string> FaultArgs(int row, int col, int bit) {
  return {"+ey_fault_row=" + std::to_string(row), "+ey_fault_col=" + std::to_string(col),
          "+ey_fault_bit=" + std::to_string(bit)};
}

TEST_P(LocateRtl, WrongOutputsLocateToTheFaultyPe) {
  const FaultCase c = Cases()[static_cast<size_t>(GetParam())];
  const ArrayConfig& hw = ConfigByName("small");
  RsMapping m = c.mapping.e == 0 ? ChooseMapping(c.layer, hw) : c.mapping;
  ASSERT_EQ(CompleteMapping(c.layer, hw, m), "");
  SCOPED_TRACE(std::string(c.name) + ": " + c.layer.ToString() + " " + m.ToString());
  Rng rng(static_cast<uint64_t>(1400 + GetParam()));
  const Tensor<int16_t> x = test::SparseTensor(c.layer.x, rng);
  const Tensor<int16_t> w = test::SparseTensor(c.layer.w, rng);
  const Shape out = c.layer.Out();

  // Without a fault the build is the accelerator: right outputs, and CNT_PASSES counts the
  // passes LayerPasses counts.
  const FaultRun clean = RunWithFault(c, m, x, w, {});
  ASSERT_TRUE(test::SameTensor(clean.r.y, clean.want));
  const Tiling& t = clean.r.tiling;
  EXPECT_EQ(clean.r.counters.passes, static_cast<uint64_t>(LayerPasses(c.layer, m, t, hw)));
  const int64_t runs = EstimateCycles(c.layer, hw, m, t).runs;
  if (c.several_chunks) EXPECT_GT(runs, 1);

  // The faults: the chain tops that hold outputs (first, last and one between), one PE lower
  // in a chain, one idle PE.
  std::vector<std::pair<int, int>> tops, lower, idle;
  for (int i = 0; i < hw.rows; ++i) {
    for (int j = 0; j < hw.cols; ++j) {
      const PeRole role = PlacePe(c.layer, m, i, j);
      if (role.used && role.top) tops.push_back({i, j});
      if (role.used && !role.top) lower.push_back({i, j});
      if (!role.on) idle.push_back({i, j});
    }
  }
  ASSERT_FALSE(tops.empty());
  std::vector<std::pair<int, int>> top_faults = {tops.front(), tops[tops.size() / 2],
                                                 tops.back()};
  const int bits[] = {2, 12, 20};
  int k = 0;
  for (const auto& [row, col] : top_faults) {
    const int bit = bits[k++ % 3];
    SCOPED_TRACE("fault: PE (" + std::to_string(row) + ", " + std::to_string(col) + ") bit " +
                 std::to_string(bit));
    const FaultRun run = RunWithFault(c, m, x, w, FaultArgs(row, col, bit));
    int wrong = 0;
    for (size_t i = 0; i < run.want.data().size(); ++i) {
      if (run.r.y.data()[i] == run.want.data()[i]) continue;
      const OutputLocation loc = LocateOutput(c.layer, m, t, hw, Coord(out, i));
      if (wrong++ == 0) {
        // The first wrong output names the faulty PE; the top's stuck bit is set in it (the
        // rest of the value also carries the earlier passes' corrupted psums).
        EXPECT_EQ(loc.pe_row, row) << test::Coords(out, i) << ": " << loc.ToString();
        EXPECT_EQ(loc.pe_col, col) << test::Coords(out, i) << ": " << loc.ToString();
      }
      EXPECT_NE(static_cast<uint32_t>(run.r.y.data()[i]) & (1u << bit), 0u);
      ASSERT_TRUE(loc.pe_row == row && loc.pe_col == col)
          << "wrong output " << test::Coords(out, i) << " located at " << loc.ToString();
    }
    EXPECT_GT(wrong, 0) << "the fault changed no output";
  }

  // A PE lower in a chain: its psums flow up to the top, so the wrong outputs are located in
  // its column at the top of the chain that holds it.
  if (!lower.empty()) {
    const auto [row, col] = lower[lower.size() / 2];
    SCOPED_TRACE("fault below a chain top: PE (" + std::to_string(row) + ", " +
                 std::to_string(col) + ")");
    const FaultRun run = RunWithFault(c, m, x, w, FaultArgs(row, col, 12));
    int wrong = 0;
    for (size_t i = 0; i < run.want.data().size(); ++i) {
      if (run.r.y.data()[i] == run.want.data()[i]) continue;
      ++wrong;
      const OutputLocation loc = LocateOutput(c.layer, m, t, hw, Coord(out, i));
      ASSERT_TRUE(loc.pe_col == col && row >= loc.chain_row0 &&
                  row < loc.chain_row0 + loc.chain_rows)
          << "wrong output " << test::Coords(out, i) << " located at " << loc.ToString();
    }
    EXPECT_GT(wrong, 0) << "the fault changed no output";
  }

  // A PE the mapping leaves off: nothing changes.
  if (!idle.empty()) {
    const auto [row, col] = idle.back();
    SCOPED_TRACE("fault in an idle PE (" + std::to_string(row) + ", " + std::to_string(col) +
                 ")");
    const FaultRun run = RunWithFault(c, m, x, w, FaultArgs(row, col, 12));
    EXPECT_TRUE(test::SameTensor(run.r.y, run.want));
  }
}

INSTANTIATE_TEST_SUITE_P(Small, LocateRtl, ::testing::Range(0, 5),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(Cases()[static_cast<size_t>(info.param)].name);
                         });

}  // namespace
}  // namespace eyelet
