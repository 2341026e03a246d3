// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Mapping and layer-record checks that need no simulation.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "eyelet/error.h"
#include "eyelet/layer_cfg.h"
#include "eyelet/mapping.h"

namespace eyelet {
namespace {

ConvLayer Conv(int n, int c, int h, int w, int m, int r, int s, int stride, int pad) {
  ConvLayer l;
  l.x = Shape{n, c, h, w};
  l.w = Shape{m, c, r, s};
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
  return l;
}

std::string Why(const ConvLayer& l, const std::string& config, RsMapping m) {
  return CompleteMapping(l, ConfigByName(config), m);
}

TEST(Mapping, DerivedFieldsOfASplitFilter) {
  // R = 11 on 3 rows: 4 row groups of 3 rows (one zero row of padding).
  RsMapping m;
  m.e = 4;
  ASSERT_EQ(Why(Conv(1, 2, 20, 20, 2, 11, 3, 1, 0), "tiny", m), "");
  m = RsMapping{};
  m.e = 4;
  CompleteMapping(Conv(1, 2, 20, 20, 2, 11, 3, 1, 0), ConfigByName("tiny"), m);
  EXPECT_EQ(m.nrg, 4);
  EXPECT_EQ(m.rg, 3);
  EXPECT_EQ(m.strips, 3);  // E = 10 rows in strips of 4
}

TEST(Mapping, EveryLimitIsNamed) {
  const ConvLayer l = Conv(1, 8, 10, 10, 8, 3, 3, 1, 1);
  RsMapping m;
  m.q = 5;
  EXPECT_NE(Why(l, "tiny", m).find("ifmap spad"), std::string::npos);
  m = RsMapping{};
  m.p = 25;
  EXPECT_NE(Why(l, "eyeriss", m).find("psum spad"), std::string::npos);
  m = RsMapping{};
  m.p = 20, m.q = 4;  // 240 filter words
  EXPECT_NE(Why(l, "eyeriss", m).find("filter spad"), std::string::npos);
  m = RsMapping{};
  m.e = 5;
  EXPECT_NE(Why(l, "tiny", m).find("columns"), std::string::npos);
  m = RsMapping{};
  m.r = 2;
  EXPECT_NE(Why(l, "tiny", m).find("chain"), std::string::npos);
  m = RsMapping{};
  m.t = 5;
  EXPECT_NE(Why(l, "tiny", m).find("chains do not fit"), std::string::npos);
  // GLB limits: a block of 8 filters x 64 channels x 3 x 3 = 4608 words > 2048 on tiny.
  m = RsMapping{};
  m.p = 8;
  EXPECT_NE(Why(Conv(1, 64, 4, 4, 8, 3, 3, 1, 1), "tiny", m).find("GLB filter area"),
            std::string::npos);
  // One image of 16 x 32 x 32 = 16384 words > 8192 on tiny.
  EXPECT_NE(Why(Conv(1, 16, 32, 32, 1, 3, 3, 1, 1), "tiny", RsMapping{}).find("GLB ifmap"),
            std::string::npos);
  // 1000 output columns x p = 2 psums per chain = 2000 words > a 1024-word bank.
  m = RsMapping{};
  m.p = 2;
  EXPECT_NE(Why(Conv(1, 1, 3, 1002, 2, 3, 3, 1, 0), "eyeriss", m).find("GLB psum bank"),
            std::string::npos);
}

TEST(Mapping, LayersTheRecordCannotHoldAreRejectedByName) {
  // R = 46 on 3 rows needs 16 filter-row groups; the record's nrg field has 4 bits.
  EXPECT_NE(Why(Conv(1, 1, 46, 2, 1, 46, 1, 1, 0), "tiny", RsMapping{}).find("'nrg'"),
            std::string::npos);
  // 64 rows of padding do not fit the 6-bit pad field.
  ConvLayer l = Conv(1, 1, 4, 4, 1, 1, 1, 1, 0);
  l.conv.pad_top = 64;
  EXPECT_NE(Why(l, "small", RsMapping{}).find("'pad_top'"), std::string::npos);
  EXPECT_THROW(ChooseMapping(l, ConfigByName("small")), UnsupportedError);
}

TEST(Mapping, UnmappableLayerThrowsWithTheLimit) {
  try {
    ChooseMapping(Conv(1, 1, 20, 20, 1, 3, 13, 1, 0), ConfigByName("eyeriss"));
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("ifmap spad"), std::string::npos) << e.what();
  }
}

TEST(Mapping, ChosenMappingsAreLegalOnRandomLayers) {
  std::mt19937 rng(7);
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (const ArrayConfig& hw : BuiltConfigs()) {
    for (int i = 0; i < 100; ++i) {
      const int r = uni(1, 11), s = uni(1, 11);
      const ConvLayer l = Conv(uni(1, 4), uni(1, 16), r + uni(0, 12), s + uni(0, 12),
                               uni(1, 32), r, s, uni(1, 4), uni(0, r - 1));
      SCOPED_TRACE(hw.name + " " + l.ToString());
      RsMapping m = ChooseMapping(l, hw);
      EXPECT_EQ(CompleteMapping(l, hw, m), "");
      EXPECT_GE(ActivePes(l, m), 1);
      EXPECT_LE(ActivePes(l, m), hw.rows * hw.cols);
    }
  }
}

TEST(LayerCfg, RecordFieldsFollowTheLayerAndMapping) {
  const ConvLayer l = Conv(2, 5, 9, 11, 6, 3, 4, 2, 1);
  RsMapping m;
  m.e = 2, m.p = 3, m.q = 2, m.r = 1, m.t = 2;
  ASSERT_EQ(CompleteMapping(l, ConfigByName("small"), m), "");
  const LayerCfg c = MakeLayerCfg(l, m);
  const Shape o = l.Out();  // 2 x 6 x 5 x 5
  EXPECT_EQ(c.eo, static_cast<uint32_t>(o.h));
  EXPECT_EQ(c.fo, static_cast<uint32_t>(o.w));
  EXPECT_EQ(c.wn, static_cast<uint32_t>((o.w - 1) * 2 + 4));
  EXPECT_EQ(c.dmax, static_cast<uint32_t>((m.rg - 1) + (m.e - 1) * 2));
  EXPECT_EQ(c.chw, 5u * 9 * 11);
  EXPECT_EQ(c.crs, 5u * 3 * 4);
  EXPECT_EQ(c.lane_outer, static_cast<uint32_t>(2 * m.strips * o.w));
  EXPECT_EQ(c.mb, 1u);
  EXPECT_EQ(c.cb, 3u);
  // The packed layout covers every bit exactly once, first field most significant.
  int bits = 0, next_lsb = kLayerCfgBits;
  for (const LayerCfgField& f : kLayerCfgFields) {
    EXPECT_EQ(f.lsb + f.bits, next_lsb) << f.name;
    next_lsb = f.lsb;
    bits += f.bits;
  }
  EXPECT_EQ(bits, kLayerCfgBits);
  EXPECT_EQ(next_lsb, 0);
}

TEST(LayerCfg, GroupedLayerMustBeSlicedFirst) {
  ConvLayer l = Conv(1, 4, 6, 6, 4, 3, 3, 1, 0);
  l.conv.groups = 2;
  l.w.c = 2;
  EXPECT_THROW(MakeLayerCfg(l, RsMapping{}), ShapeError);
}

}  // namespace
}  // namespace eyelet
