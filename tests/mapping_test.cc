// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The mapper and the tiler (eyelet/mapping.h): legal row-stationary mappings, every limit
// named, chosen mappings and tilings on random layers, GLB areas, row bands and folded sets.
#include "eyelet/mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/error.h"
#include "eyelet/nets.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;
using test::WithGlb;

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
  // GLB limits, for the smallest chunk: one filter block of one channel block is 24 filters
  // x 1 channel x 10 x 9 = 2160 words > 2048 on tiny.
  m = RsMapping{};
  m.p = 24;
  EXPECT_EQ(Why(Conv(1, 2, 12, 12, 24, 10, 9, 1, 0), "tiny", m),
            "the smallest GLB chunk does not fit: GLB filter area: 24 filter(s) x 1 channel(s) "
            "are 2160 words > 2048");
  // One channel of one image is 1 x 100 x 100 = 10000 words > 8192 on tiny: it maps in row
  // bands. One band of one strip (e = 1) of a 1000-column image with 9 filter rows is
  // 9 x 1000 = 9000 words > 8192: no band fits.
  EXPECT_EQ(Why(Conv(1, 16, 100, 100, 1, 3, 3, 1, 1), "tiny", RsMapping{}), "");
  EXPECT_EQ(Why(Conv(1, 16, 100, 1000, 1, 9, 3, 1, 0), "tiny", RsMapping{}),
            "the smallest GLB chunk does not fit: GLB ifmap area: 1 image(s) x 1 channel(s) x 9 "
            "row(s) (1 of 92 strips) are 9000 words > 8192");
  // Larger images and filter blocks map in channel chunks: 16 x 32 x 32 = 16384 words and
  // 8 filters x 64 channels x 3 x 3 = 4608 words do not fit tiny whole.
  EXPECT_EQ(Why(Conv(1, 16, 32, 32, 1, 3, 3, 1, 1), "tiny", RsMapping{}), "");
  m = RsMapping{};
  m.p = 8;
  EXPECT_EQ(Why(Conv(1, 64, 4, 4, 8, 3, 3, 1, 1), "tiny", m), "");
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
  Rng rng(7);
  auto uni = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  for (const ArrayConfig& hw : BuiltConfigs()) {
    for (int i = 0; i < 100; ++i) {
      const int r = uni(1, 11), s = uni(1, 11);
      // A braced list is evaluated left to right, function arguments are not: the draws come
      // in the same order with every compiler.
      const int d[] = {uni(1, 4),  uni(1, 16), r + uni(0, 12), s + uni(0, 12),
                       uni(1, 32), uni(1, 4),  uni(0, r - 1)};
      const ConvLayer l = Conv(d[0], d[1], d[2], d[3], d[4], r, s, d[5], d[6]);
      SCOPED_TRACE(hw.name + " " + l.ToString());
      RsMapping m = ChooseMapping(l, hw);
      EXPECT_EQ(CompleteMapping(l, hw, m), "");
      EXPECT_GE(ActivePes(l, m), 1);
      EXPECT_LE(ActivePes(l, m), hw.rows * hw.cols);
    }
  }
}

// Every legal tiling of a completed mapping: nb in 1..N, mc a multiple of t*p or all filters,
// cc a multiple of r*q or all channels.
std::vector<Tiling> LegalTilings(const ConvLayer& l, const ArrayConfig& hw, const RsMapping& m) {
  const int mg = l.w.n / l.conv.groups, cg = l.w.c;
  std::vector<Tiling> all;
  for (int nb = 1; nb <= std::min(l.x.n, kMaxImagesPerRun); ++nb) {
    for (int mc = 1; mc <= mg; ++mc) {
      for (int cc = 1; cc <= cg; ++cc) {
        if (TilingError(l, hw, m, Tiling{nb, mc, cc}).empty()) all.push_back(Tiling{nb, mc, cc});
      }
    }
  }
  return all;
}

TEST(Tiling, ChosenTilingFitsAndNoLegalTilingIsMuchCheaper) {
  Rng rng(11);
  auto uni = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  std::vector<ArrayConfig> configs = BuiltConfigs();
  // The tiny array with a GLB that holds a few channels of the layers below.
  configs.push_back(WithGlb("tiny", "tiny-channels", 600, 300, 400));
  int channel_chunked = 0;
  double worst = 0.0;  // chosen SearchCost / the least of any legal tiling
  for (const ArrayConfig& hw : configs) {
    for (int i = 0; i < 60; ++i) {
      const int r = uni(1, 5), s = uni(1, 5), groups = uni(1, 2);
      const int d[] = {uni(1, 9),           groups * uni(1, 16), r + uni(0, 14), s + uni(0, 14),
                       groups * uni(1, 40), uni(1, 2),           uni(0, r - 1)};  // in order
      ConvLayer l = Conv(d[0], d[1], d[2], d[3], d[4], r, s, d[5], d[6]);
      l.w.c = l.x.c / groups;
      l.conv.groups = groups;
      SCOPED_TRACE(hw.name + " " + l.ToString());
      RsMapping m;
      try {
        m = ChooseMapping(l, hw);
      } catch (const UnsupportedError& e) {  // one channel of an image too large for the GLB
        EXPECT_NE(std::string(e.what()).find("GLB"), std::string::npos) << e.what();
        continue;
      }
      const Tiling t = ChooseTiling(l, hw, m);
      EXPECT_EQ(TilingError(l, hw, m, t), "");
      EXPECT_EQ(m.n, t.nb);
      channel_chunked += t.cc < l.w.c;
      // The search tries, per image, filter and channel dimension, the chunk sizes that give
      // each possible number of chunks. An uneven split with the same number of chunks can
      // overlap a store with a little more load and win by a little; nothing wins by more.
      const double best = SearchCost(l, EstimateCycles(l, hw, m, t));
      for (const Tiling& other : LegalTilings(l, hw, m)) {
        const double c = SearchCost(l, EstimateCycles(l, hw, m, other));
        EXPECT_LE(best, 1.03 * c)
            << "nb " << other.nb << " mc " << other.mc << " cc " << other.cc << " sb " << other.sb
            << " beats nb " << t.nb << " mc " << t.mc << " cc " << t.cc << " sb " << t.sb;
        worst = std::max(worst, best / c);
      }
    }
  }
  EXPECT_GE(channel_chunked, 20);
  std::printf("chosen tiling / legal tiling of least SearchCost, worst case: %.4f\n", worst);
}

TEST(Tiling, ErrorsNameTheGlbArea) {
  // A mapping completed for a roomy GLB, asked to tile on the small GLBs of tiny.
  ArrayConfig roomy = ConfigByName("tiny");
  roomy.glb_ifmap_words = roomy.glb_filter_words = roomy.glb_psum_words = 1 << 20;
  const ArrayConfig& tiny = ConfigByName("tiny");
  auto expect_area = [&](const ConvLayer& l, RsMapping m, const std::string& area) {
    SCOPED_TRACE(l.ToString());
    ASSERT_EQ(CompleteMapping(l, roomy, m), "");
    const Tiling smallest{1, std::min(m.t * m.p, l.w.n), std::min(m.r * m.q, l.w.c), 1};
    EXPECT_NE(TilingError(l, tiny, m, smallest).find(area), std::string::npos);
    try {
      ChooseTiling(l, tiny, m);
      FAIL() << "expected UnsupportedError";
    } catch (const UnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find(area), std::string::npos) << e.what();
    }
  };
  RsMapping m;
  // One strip band: 9 rows x 1000 = 9000 > 8192 words.
  expect_area(Conv(2, 2, 12, 1000, 4, 9, 3, 1, 0), m, "GLB ifmap area");
  m.p = 24;
  expect_area(Conv(1, 2, 12, 12, 24, 10, 9, 1, 0), m, "GLB filter area");  // 2160 > 2048 words
  m = RsMapping{};
  m.p = 5;
  expect_area(Conv(1, 1, 3, 900, 5, 3, 3, 1, 0), m, "GLB psum bank");  // 4490 > 4096 words
  // Chunks that break the rules name them too.
  RsMapping ok;
  const ConvLayer l = Conv(4, 5, 6, 6, 6, 3, 3, 1, 1);
  ok.p = 2, ok.q = 2;  // filter blocks of 2, channel blocks of 2
  ASSERT_EQ(CompleteMapping(l, tiny, ok), "");
  EXPECT_NE(TilingError(l, tiny, ok, Tiling{5, 6, 5}).find("image chunk"), std::string::npos);
  EXPECT_NE(TilingError(l, tiny, ok, Tiling{1, 3, 5}).find("filter chunk"), std::string::npos);
  EXPECT_EQ(TilingError(l, tiny, ok, Tiling{1, 6, 3}),
            "channel chunk cc = 3 is neither a multiple of r*q = 2 below 5 nor all 5 channels of "
            "the group");
  EXPECT_NE(TilingError(l, tiny, ok, Tiling{1, 6, 6}).find("channel chunk"), std::string::npos);
  EXPECT_NE(TilingError(l, tiny, ok, Tiling{1, 6, 0}).find("channel chunk"), std::string::npos);
  EXPECT_EQ(TilingError(l, tiny, ok, Tiling{4, 4, 4}), "");
  EXPECT_EQ(TilingError(l, tiny, ok, Tiling{4, 6, 5}), "");
  // The GLB areas count the channels of one chunk: 8 whole channels of 100 x 100 words do
  // not fit 65536, 4 do, and so do 8 channels in row bands of up to 79 strips (e = 1, 81
  // rows), cut evenly into two bands of 50. Fastest of all are chunks of 2 whole channels:
  // 20000 words fit half the area, so each chunk loads while the array runs the one before.
  ArrayConfig glb = roomy;
  glb.glb_ifmap_words = 1 << 16;
  const ConvLayer wide = Conv(1, 8, 100, 100, 6, 3, 3, 1, 1);
  RsMapping wm = ok;
  ASSERT_EQ(CompleteMapping(wide, glb, wm), "");
  ASSERT_EQ(wm.strips, 100);
  EXPECT_EQ(TilingError(wide, glb, wm, Tiling{1, 6, 8}),
            "GLB ifmap area: 1 image(s) x 8 channel(s) x 100 row(s) (100 of 100 strips) are "
            "80000 words > 65536");
  EXPECT_EQ(TilingError(wide, glb, wm, Tiling{1, 6, 4}), "");
  EXPECT_EQ(TilingError(wide, glb, wm, Tiling{1, 6, 8, 79}), "");  // 81 rows: 64800 words
  EXPECT_EQ(TilingError(wide, glb, wm, Tiling{1, 6, 8, 80}),
            "GLB ifmap area: 1 image(s) x 8 channel(s) x 82 row(s) (80 of 100 strips) are "
            "65600 words > 65536");
  const Tiling chosen = ChooseTiling(wide, glb, wm);
  // All 8 channels in two bands of 50 strips, the filters in chunks of 4: a chunk's psums fit
  // half of each psum bank, so the next chunk runs while its outputs are stored.
  EXPECT_EQ(std::vector<int>({chosen.nb, chosen.mc, chosen.cc, chosen.sb}),
            std::vector<int>({1, 4, 8, 50}));
  for (const Tiling& other : {Tiling{1, 6, 4}, Tiling{1, 6, 8, 50}, Tiling{1, 4, 2, 100}}) {
    EXPECT_LT(SearchCost(wide, EstimateCycles(wide, glb, wm, chosen)),
              SearchCost(wide, EstimateCycles(wide, glb, wm, other)));
  }
}

// {y0, rows, lo, in_rows} of BandRows.
std::vector<int> Band(int b, int sb, int e, int eo, int uh, int pad_top, int kr, int h) {
  const RowBand band = BandRows(b, sb, e, eo, uh, pad_top, kr, h);
  return {band.y0, band.rows, band.lo, band.in_rows};
}

TEST(Tiling, BandRowsOfHandWorkedBands) {
  // 11 ifmap rows, 3 x 3 filter, stride 2, pad 1: 6 ofmap rows, whose windows start at rows
  // -1, 1, 3, 5, 7, 9. Strips of e = 2 rows, one per band: rows 0-1 read -1..3 (the padding
  // row is not loaded), rows 2-3 read 3..7, rows 4-5 read 7..11, clipped at row 10.
  EXPECT_EQ(Band(0, 1, 2, 6, 2, 1, 3, 11), std::vector<int>({0, 2, 0, 4}));
  EXPECT_EQ(Band(1, 1, 2, 6, 2, 1, 3, 11), std::vector<int>({2, 2, 3, 5}));
  EXPECT_EQ(Band(2, 1, 2, 6, 2, 1, 3, 11), std::vector<int>({4, 2, 7, 4}));
  // Two strips per band: rows 0-3 read -1..7, the last band only 2 rows (4-5), 7..10.
  EXPECT_EQ(Band(0, 2, 2, 6, 2, 1, 3, 11), std::vector<int>({0, 4, 0, 8}));
  EXPECT_EQ(Band(1, 2, 2, 6, 2, 1, 3, 11), std::vector<int>({4, 2, 7, 4}));
  // A short last band of one row: 5 ofmap rows of a 7-row ifmap, 3 x 3, stride 1, no pad.
  EXPECT_EQ(Band(1, 2, 2, 5, 1, 0, 3, 7), std::vector<int>({4, 1, 4, 3}));
  // AlexNet CONV1 (227 rows, 11 x 11, stride 4): bands of 2 strips of 2 rows read
  // (4 - 1) x 4 + 11 = 23 rows; the last band, rows 52-54, reads rows 208-226.
  EXPECT_EQ(Band(0, 2, 2, 55, 4, 0, 11, 227), std::vector<int>({0, 4, 0, 23}));
  EXPECT_EQ(Band(6, 2, 2, 55, 4, 0, 11, 227), std::vector<int>({24, 4, 96, 23}));
  EXPECT_EQ(Band(13, 2, 2, 55, 4, 0, 11, 227), std::vector<int>({52, 3, 208, 19}));
  // Top padding of 4 rows and a 3-row filter: the windows of ofmap rows 0 and 1 are all
  // padding, row 2's reaches ifmap row 0.
  EXPECT_EQ(Band(0, 1, 1, 6, 1, 4, 3, 4), std::vector<int>({0, 1, 0, 0}));
  EXPECT_EQ(Band(1, 1, 1, 6, 1, 4, 3, 4), std::vector<int>({1, 1, 0, 0}));
  EXPECT_EQ(Band(2, 1, 1, 6, 1, 4, 3, 4), std::vector<int>({2, 1, 0, 1}));
  // The most rows a band holds: (sb*e - 1)*uh + kr, at most h.
  EXPECT_EQ(BandInputRowsMax(1, 2, 2, 3, 11), 5);
  EXPECT_EQ(BandInputRowsMax(2, 2, 2, 3, 11), 9);
  EXPECT_EQ(BandInputRowsMax(3, 2, 2, 3, 11), 11);  // 13 rows clipped at h
  EXPECT_EQ(BandInputRowsMax(2, 2, 4, 11, 227), 23);
  EXPECT_EQ(BandInputRowsMax(1, 7, 4, 11, 227), 35);
  EXPECT_EQ(BandInputRowsMax(5, 1, 1, 3, 100), 7);
}

TEST(Tiling, BandsOnlyWhenWholeChannelsDoNotFit) {
  // One channel of 40 x 50 = 2000 words, 3 x 3 filter, pad 1: 40 ofmap rows in 10 strips of
  // e = 4; 2 filters in blocks of one.
  const ConvLayer l = Conv(1, 1, 40, 50, 2, 3, 3, 1, 1);
  ArrayConfig hw = ConfigByName("tiny");
  hw.glb_ifmap_words = 2000;
  RsMapping m;
  m.e = 4;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  ASSERT_EQ(m.strips, 10);
  // The whole channel fits: one band (the filters in chunks of one: the second runs beside
  // the first's store, in the other halves of the psum banks).
  Tiling t = ChooseTiling(l, hw, m);
  EXPECT_EQ(std::vector<int>({t.nb, t.mc, t.cc, t.sb}), std::vector<int>({1, 1, 1, 10}));
  // One word less holds 39 rows, a band of 9 strips (36 ofmap rows) reads 38: the bands are
  // cut evenly, 2 of 5 strips.
  hw.glb_ifmap_words = 1999;
  EXPECT_EQ(TilingError(l, hw, m, Tiling{1, 2, 1, 10}),
            "GLB ifmap area: 1 image(s) x 1 channel(s) x 40 row(s) (10 of 10 strips) are 2000 "
            "words > 1999");
  EXPECT_EQ(TilingError(l, hw, m, Tiling{1, 2, 1, 9}), "");
  t = ChooseTiling(l, hw, m);
  EXPECT_EQ(std::vector<int>({t.nb, t.mc, t.cc, t.sb}), std::vector<int>({1, 1, 1, 5}));
  // A band of one strip reads 4 - 1 + 3 = 6 rows, 300 words: with 299 no band fits, and the
  // mapper names the ifmap area.
  hw.glb_ifmap_words = 300;
  t = ChooseTiling(l, hw, m);
  EXPECT_EQ(std::vector<int>({t.nb, t.mc, t.cc, t.sb}), std::vector<int>({1, 2, 1, 1}));
  hw.glb_ifmap_words = 299;
  const std::string why =
      "GLB ifmap area: 1 image(s) x 1 channel(s) x 6 row(s) (1 of 10 strips) are 300 words > "
      "299";
  EXPECT_EQ(TilingError(l, hw, m, Tiling{1, 1, 1, 1}), why);
  try {
    ChooseTiling(l, hw, m);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("one strip at a time: " + why), std::string::npos)
        << e.what();
  }
  RsMapping again;
  again.e = 4;
  EXPECT_EQ(CompleteMapping(l, hw, again), "the smallest GLB chunk does not fit: " + why);
  // Bands also split psums that do not fit a bank: 10 strips x 50 columns of one filter
  // block are 500 words.
  hw.glb_ifmap_words = 2000;
  hw.glb_psum_words = 499;
  EXPECT_EQ(TilingError(l, hw, m, Tiling{1, 1, 1, 10}),
            "GLB psum bank: 1 image(s) x 1 filters x 10 strip(s) need 500 words per column > "
            "499");
  t = ChooseTiling(l, hw, m);
  EXPECT_EQ(TilingError(l, hw, m, t), "");
  EXPECT_LT(t.sb, m.strips);
}

TEST(Mapping, WideSetsFoldOnlyWhenAsked) {
  const ConvLayer l = NetByName("alexnet").layers[1].Conv(1);
  RsMapping m;
  m.e = 27;
  EXPECT_NE(PlaceSets(l, ConfigByName("eyeriss"), false, m).find("PE-set width e = 27"),
            std::string::npos);
  EXPECT_EQ(PlaceSets(l, ConfigByName("eyeriss"), true, m), "");
  EXPECT_EQ(m.fold, 2);
  // Folded 5-row sets need 10 rows: two chains do not fit in 12.
  m.r = 2;
  EXPECT_NE(PlaceSets(l, ConfigByName("eyeriss"), true, m).find("folded 2 times"),
            std::string::npos);
}

}  // namespace
}  // namespace eyelet
