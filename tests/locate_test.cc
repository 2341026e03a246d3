// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Localization (locate.h): two layers worked out by hand from the placement rules of
// ey_pass_ctrl.sv, and random layers, mappings and tilings checked against the cost model's
// pass count and against the placement's own invariants. tests/locate_rtl_test.cc proves the
// answers on the RTL with injected faults.
#include "eyelet/locate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "eyelet/cost_model.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;

// 1 image of 4 x 6 x 6, 4 filters of 3 x 3, no padding: a 4 x 4 ofmap. Mapping e 2, p 1, q 1,
// r 2, t 2 on the 6 x 7 array: rg 3, a chain of r*rg = 6 rows, so tv 1, th 2 (chain 0 in
// columns 0-1, chain 1 in columns 2-3), cb 2, mb 2, strips 2.
struct HandLayer {
  ConvLayer layer = Conv(1, 4, 6, 6, 4, 3, 3, 1, 0);
  RsMapping m = test::Rs(2, 1, 1, 2, 2);
  const ArrayConfig& hw = ConfigByName("small");
  HandLayer() {
    EXPECT_EQ(CompleteMapping(layer, hw, m), "");
    EXPECT_EQ(m.rg, 3);
    EXPECT_EQ(m.tv, 1);
    EXPECT_EQ(m.th, 2);
    EXPECT_EQ(m.cb, 2);
    EXPECT_EQ(m.mb, 2);
  }
};

TEST(Locate, OneRunByHand) {
  HandLayer h;
  const Tiling t{1, 4, 4, 0};
  ASSERT_EQ(TilingError(h.layer, h.hw, h.m, t), "");
  // One run of mb 2 x cb 2 x nrg 1 passes: (mb 0: cb 0, 1), (mb 1: cb 0, 1).
  EXPECT_EQ(LayerPasses(h.layer, h.m, t, h.hw), 4);
  // Filter 3: block 1 (filters 2, 3), chain 1 (set column 1, columns 2-3); row 3: strip 1,
  // set column j = 1; final after the last pass of block 1, pass 3. The chain's top is row 5.
  const OutputLocation a = LocateOutput(h.layer, h.m, t, h.hw, {0, 3, 3, 2});
  EXPECT_EQ(a.run, 0);
  EXPECT_EQ(a.pass, 3);
  EXPECT_EQ(a.filter_block, 1);
  EXPECT_EQ(a.chain, 1);
  EXPECT_EQ(a.strip, 1);
  EXPECT_EQ(a.pe_row, 5);
  EXPECT_EQ(a.pe_col, 3);
  EXPECT_EQ(a.chain_row0, 0);
  EXPECT_EQ(a.chain_rows, 6);
  EXPECT_EQ(a.set_row0, 3);
  EXPECT_EQ(a.set_rows, 3);
  EXPECT_EQ(a.set_col0, 2);
  EXPECT_EQ(a.set_cols, 2);
  // Filter 0, row 0: block 0, final after pass 1, chain 0, column 0.
  const OutputLocation b = LocateOutput(h.layer, h.m, t, h.hw, {0, 0, 0, 3});
  EXPECT_EQ(b.pass, 1);
  EXPECT_EQ(b.pe_row, 5);
  EXPECT_EQ(b.pe_col, 0);
  // Filter 2 is chain 0 of block 1.
  EXPECT_EQ(LocateOutput(h.layer, h.m, t, h.hw, {0, 2, 2, 0}).pe_col, 0);
}

TEST(Locate, ChunksByHand) {
  HandLayer h;
  // Filter chunks of 2 (one block), channel chunks of 2 (one block): four runs of one pass,
  // (m0 0: c0 0, 2), (m0 2: c0 0, 2).
  const Tiling t{1, 2, 2, 0};
  ASSERT_EQ(TilingError(h.layer, h.hw, h.m, t), "");
  EXPECT_EQ(LayerPasses(h.layer, h.m, t, h.hw), 4);
  const OutputLocation a = LocateOutput(h.layer, h.m, t, h.hw, {0, 3, 1, 0});
  EXPECT_EQ(a.filter_chunk, 1);
  EXPECT_EQ(a.channel_chunk, 1);
  EXPECT_EQ(a.run, 3);
  EXPECT_EQ(a.pass, 3);
  EXPECT_EQ(a.pass_in_run, 0);
  EXPECT_EQ(a.pe_row, 5);
  EXPECT_EQ(a.pe_col, 3);  // filter 3 is chain 1 of its chunk's block
  const OutputLocation b = LocateOutput(h.layer, h.m, t, h.hw, {0, 0, 1, 0});
  EXPECT_EQ(b.run, 1);
  EXPECT_EQ(b.pass, 1);
  EXPECT_EQ(b.pe_col, 1);
}

TEST(Locate, OutsideTheOutputIsAShapeError) {
  HandLayer h;
  EXPECT_THROW(LocateOutput(h.layer, h.m, Tiling{1, 4, 4, 0}, h.hw, {0, 4, 0, 0}), ShapeError);
  EXPECT_THROW(LocateOutput(h.layer, h.m, Tiling{1, 4, 4, 0}, h.hw, {0, 0, 4, 0}), ShapeError);
}

// A random legal tiling of `l` (some draws split every axis), else the mapper's.
Tiling DrawTiling(const ConvLayer& l, const ArrayConfig& hw, const RsMapping& m, Rng& rng) {
  const int mg = l.w.n / l.conv.groups, cg = l.x.c / l.conv.groups;
  for (int attempt = 0; attempt < 20; ++attempt) {
    Tiling t;
    t.nb = rng.UniformInt(1, l.x.n);
    t.mc = std::min(rng.UniformInt(1, m.mb) * m.t * m.p, mg);
    t.cc = std::min(rng.UniformInt(1, m.cb) * m.r * m.q, cg);
    t.sb = rng.UniformInt(1, m.strips);
    if (TilingError(l, hw, m, t).empty()) return t;
  }
  return ChooseTiling(l, hw, m);
}

struct Case {
  ConvLayer layer;
  RsMapping m;
  Tiling t;
};

// Random CONV layers of the sweep (batch, groups, strides, padding, tall kernels) with drawn
// mappings and tilings, on every built config.
std::vector<std::pair<const ArrayConfig*, Case>> RandomCases(int per_config) {
  std::vector<std::pair<const ArrayConfig*, Case>> cases;
  Rng rng(14);
  for (const ArrayConfig& hw : BuiltConfigs()) {
    for (int i = 0; i < per_config; ++i) {
      Case c;
      c.layer = DrawSweepConv(hw, rng);
      bool drawn = false;
      c.m = DrawMapping(c.layer, hw, rng, &drawn);
      c.t = DrawTiling(c.layer, hw, c.m, rng);
      cases.push_back({&hw, c});
    }
  }
  return cases;
}

TEST(Locate, PassCountEqualsTheCostModels) {
  int chunked = 0, row_groups = 0, grouped = 0, banded = 0;
  for (const auto& [hw, c] : RandomCases(40)) {
    chunked += EstimateCycles(c.layer, *hw, c.m, c.t).runs > c.layer.conv.groups;
    row_groups += c.m.nrg > 1;
    grouped += c.layer.conv.groups > 1;
    banded += BandStrips(c.m, c.t) < c.m.strips;
    SCOPED_TRACE(hw->name + " " + c.layer.ToString() + " " + c.m.ToString());
    // The cost model counts t*r*rg*p*q*S filter GIN words per pass (the filter generator
    // sends exactly those before each fg_adv), summed over the groups as the walk is.
    const CostEstimate cost = EvaluateMapping(c.layer, *hw, c.m, c.t);
    const int64_t per_pass = int64_t{c.m.t} * c.m.r * c.m.rg * c.m.p * c.m.q * c.layer.w.w;
    EXPECT_EQ(LayerPasses(c.layer, c.m, c.t, *hw) * per_pass, cost.access.noc_filter);
  }
  // The draws cover runs of several chunks, row groups, groups and row bands.
  EXPECT_GE(chunked, 20);
  EXPECT_GE(row_groups, 5);
  EXPECT_GE(grouped, 10);
  EXPECT_GE(banded, 10);
}

TEST(Locate, EveryOutputMapsToAnActiveTopPeOfItsChain) {
  for (const auto& [hw, c] : RandomCases(12)) {
    SCOPED_TRACE(hw->name + " " + c.layer.ToString() + " " + c.m.ToString());
    const Shape out = c.layer.Out();
    const int64_t passes = LayerPasses(c.layer, c.m, c.t, *hw);
    const int64_t runs = EstimateCycles(c.layer, *hw, c.m, c.t).runs;
    std::set<std::pair<int, int>> pes;
    int64_t last_run = -1, last_pass = -1;
    // (pass, y, n, x) -> PE of each filter: filters of different chains differ.
    std::map<std::tuple<int64_t, int, int, int>, std::map<int, std::pair<int, int>>> by_pass;
    for (int n = 0; n < out.n; ++n) {
      for (int mm = 0; mm < out.c; ++mm) {
        for (int y = 0; y < out.h; ++y) {
          for (int x = 0; x < out.w; x += std::max(1, out.w - 1)) {
            const OutputLocation loc = LocateOutput(c.layer, c.m, c.t, *hw, {n, mm, y, x});
            ASSERT_GE(loc.pe_row, 0);
            ASSERT_LT(loc.pe_row, hw->rows);
            ASSERT_GE(loc.pe_col, 0);
            ASSERT_LT(loc.pe_col, hw->cols);
            const PeRole role = PlacePe(c.layer, c.m, loc.pe_row, loc.pe_col);
            EXPECT_TRUE(role.used && role.top) << loc.ToString();
            EXPECT_EQ(role.chain, loc.chain);
            EXPECT_EQ(role.column_in_set, y % c.m.e);
            EXPECT_GE(loc.pe_row, loc.chain_row0);
            EXPECT_LT(loc.pe_row, loc.chain_row0 + loc.chain_rows);
            EXPECT_GE(loc.pe_col, loc.set_col0);
            EXPECT_LT(loc.pe_col, loc.set_col0 + loc.set_cols);
            EXPECT_GE(y, loc.band_y0);
            EXPECT_LT(y, loc.band_y0 + loc.band_rows);
            EXPECT_GE(loc.pass, 0);
            EXPECT_LT(loc.pass, passes);
            EXPECT_LT(loc.pass_in_run, loc.passes_in_run);
            // The value is final at the end of a filter block: cb*nrg passes per block.
            EXPECT_EQ((loc.pass_in_run + 1) % loc.block_passes, 0);
            EXPECT_EQ(loc.passes_in_run % loc.block_passes, 0);
            EXPECT_EQ(loc.block_passes % c.m.nrg, 0);
            pes.insert({loc.pe_row, loc.pe_col});
            last_run = std::max(last_run, loc.run);
            last_pass = std::max(last_pass, loc.pass);
            auto& filters = by_pass[{loc.pass, y, n, x}];
            filters[mm] = {loc.pe_row, loc.pe_col};
          }
        }
      }
    }
    // The last run of the walk stores; the layer's last pass finishes some output.
    EXPECT_EQ(last_run + 1, runs);
    EXPECT_EQ(last_pass + 1, passes);
    // The PEs outputs come from are exactly the used chain tops; all inside ActivePes's count.
    int tops = 0, on = 0;
    for (int i = 0; i < hw->rows; ++i) {
      for (int j = 0; j < hw->cols; ++j) {
        const PeRole role = PlacePe(c.layer, c.m, i, j);
        on += role.on && role.column_in_set < std::min(c.m.e, out.h);
        if (role.used && role.top) {
          ++tops;
          EXPECT_TRUE(pes.count({i, j})) << "used chain top (" << i << ", " << j << ") idle";
        }
      }
    }
    EXPECT_EQ(static_cast<int>(pes.size()), tops);
    EXPECT_EQ(on, ActivePes(c.layer, c.m));
    // In one pass, the same output position of two filters comes from one PE exactly when
    // they share a chain (its p filter slots), else from different PEs.
    for (const auto& [key, filters] : by_pass) {
      for (const auto& [m1, pe1] : filters) {
        for (const auto& [m2, pe2] : filters) {
          if (m1 >= m2) continue;
          const bool same_chain =
              LocateOutput(c.layer, c.m, c.t, *hw, {std::get<2>(key), m1, std::get<1>(key), 0})
                  .chain ==
              LocateOutput(c.layer, c.m, c.t, *hw, {std::get<2>(key), m2, std::get<1>(key), 0})
                  .chain;
          EXPECT_EQ(pe1 == pe2, same_chain) << "filters " << m1 << ", " << m2;
        }
      }
    }
  }
}

TEST(Locate, PooledWindowIsClippedToThePlane) {
  ConvLayer l = Conv(1, 1, 7, 7, 1, 1, 1, 1, 0);  // 7 x 7 CONV output
  l.pooled = true;
  l.pool = PoolParams{3, 3, 2, 2, 1, 1, 1, 1, false};
  const PoolWindow a = PooledWindow(l, 0, 0);  // rows -1..1: 0..1
  EXPECT_EQ(a.y0, 0);
  EXPECT_EQ(a.rows, 2);
  EXPECT_EQ(a.x0, 0);
  EXPECT_EQ(a.cols, 2);
  const PoolWindow b = PooledWindow(l, 2, 3);  // rows 3..5, cols 5..7: 5..6
  EXPECT_EQ(b.y0, 3);
  EXPECT_EQ(b.rows, 3);
  EXPECT_EQ(b.x0, 5);
  EXPECT_EQ(b.cols, 2);
}

}  // namespace
}  // namespace eyelet
