// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The layer record (eyelet/layer_cfg.h): fields derived from the layer and mapping, the
// packed layout.
#include "eyelet/layer_cfg.h"

#include <gtest/gtest.h>

#include "eyelet/error.h"
#include "eyelet/mapping.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;

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
