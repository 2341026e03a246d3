// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The runtime (eyelet/runtime.h): layers laid out, chunked and chained on the golden device,
// outputs against the golden model and counters against hand-derived byte and MAC counts.
#include "eyelet/runtime.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/csr_map.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::ChannelChunkConfig;
using test::Conv;
using test::DrawShape;
using test::kMemBase;
using test::kMemSize;
using test::LayerDraw;
using test::ReadBytes;
using test::SameTensor;
using test::SmallGlbConfig;
using test::SparseTensor;
using test::ZeroOperandMacs;

// A random small layer (groups, strides, pads, batch) that maps on SmallGlbConfig().
ConvLayer RandomLayer(Rng& rng) {
  for (;;) {
    const std::optional<ConvLayer> drawn = DrawShape({3, 4, 3, 2, 9, 2, 9, 6, 5, 4, 3}, rng);
    if (!drawn) continue;
    const ConvLayer& l = *drawn;
    try {
      const RsMapping m = ChooseMapping(l, SmallGlbConfig());
      ChooseTiling(l, SmallGlbConfig(), m);
      return l;
    } catch (const UnsupportedError&) {
    }
  }
}

constexpr int kRandomLayers = 50;

// Case i of RandomLayerTest (seed 1000 + i): what the sweep runs and its coverage check reads.
LayerDraw RandomLayerCase(int i) {
  Rng rng(1000 + i);
  LayerDraw d;
  d.layer = RandomLayer(rng);
  d.x = SparseTensor(d.layer.x, rng);
  d.w = SparseTensor(d.layer.w, rng);
  return d;
}

class RandomLayerTest : public testing::TestWithParam<int> {};

TEST_P(RandomLayerTest, MatchesTheGoldenModelWithExactCounters) {
  const LayerDraw d = RandomLayerCase(GetParam());
  const ConvLayer& l = d.layer;
  const Tensor<int16_t>& x = d.x;
  const Tensor<int16_t>& w = d.w;
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  SCOPED_TRACE(l.ToString() + " mapping " + r.mapping.ToString() + " nb " +
               std::to_string(r.tiling.nb) + " mc " + std::to_string(r.tiling.mc));
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv))) << "y";
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  EXPECT_EQ(r.dram_min_bytes, static_cast<uint64_t>(x.size() + w.size()) * 2 + y_bytes);
  EXPECT_EQ(r.counters.descs, 1u);
  EXPECT_EQ(r.counters.dram_rd_bytes, ReadBytes(l, r.mapping, r.tiling, SmallGlbConfig()));
  EXPECT_EQ(r.counters.dram_wr_bytes, y_bytes);
  const uint64_t skipped = ZeroOperandMacs(l, x);
  EXPECT_EQ(r.counters.skipped, skipped);
  EXPECT_EQ(r.counters.macs, static_cast<uint64_t>(l.Macs()) - skipped);
  EXPECT_EQ(r.counters.cycles, 0u);
  EXPECT_EQ(r.counters.passes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Driver, RandomLayerTest, testing::Range(0, kRandomLayers));

TEST(Runtime, RandomLayersRunInChunks) {
  // The layers of RandomLayerTest cover image chunks, filter chunks and split filter rows.
  int image_chunks = 0, filter_chunks = 0, row_groups = 0, grouped = 0;
  for (int i = 0; i < kRandomLayers; ++i) {
    const ConvLayer l = RandomLayerCase(i).layer;
    RsMapping m = ChooseMapping(l, SmallGlbConfig());
    const Tiling t = ChooseTiling(l, SmallGlbConfig(), m);
    image_chunks += t.nb < l.x.n;
    filter_chunks += t.mc < l.w.n / l.conv.groups;
    row_groups += m.nrg > 1;
    grouped += l.conv.groups > 1;
  }
  EXPECT_GE(image_chunks, 5);
  EXPECT_GE(filter_chunks, 5);
  EXPECT_GE(row_groups, 5);
  EXPECT_GE(grouped, 20);
}

TEST(Runtime, FiltersOfOneChunkStayInTheGlbAcrossImageChunks) {
  // One image per chunk again, but the 2 x 2 x 3 x 3 filters (36 words) fit the filter area:
  // they are read once for the three image chunks.
  const ConvLayer l = Conv({3, 2, 8, 8}, {2, 2, 3, 3}, 1, 1);
  Rng rng(9);
  const Tensor<int16_t> x = SparseTensor(l.x, rng), w = SparseTensor(l.w, rng);
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  EXPECT_EQ(r.tiling.nb, 1);
  EXPECT_EQ(r.tiling.mc, 2);
  EXPECT_EQ(r.counters.dram_rd_bytes, kDescBytes + 3 * 128 * 2 + 36 * 2);
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv))) << "outputs";
}

TEST(Runtime, CountersOfAChunkedLayerAreExact) {
  // 3 images of 2 x 8 x 8 (128 words) in a 160-word ifmap area: one image per chunk. The
  // 4 x 2 x 3 x 3 filters (72 words) do not fit the 64-word filter area, so they come in two
  // chunks and are read again for every image chunk.
  const ConvLayer l = Conv({3, 2, 8, 8}, {4, 2, 3, 3}, 1, 1);
  Rng rng(8);
  const Tensor<int16_t> x = SparseTensor(l.x, rng), w = SparseTensor(l.w, rng);
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  EXPECT_EQ(r.tiling.nb, 1);
  EXPECT_GT(r.tiling.mc, 0);
  EXPECT_LT(r.tiling.mc, 4);
  EXPECT_EQ(r.counters.dram_rd_bytes, kDescBytes + 3 * 128 * 2 + 3 * 72 * 2);
  EXPECT_EQ(r.counters.dram_wr_bytes, 3u * 4 * 64 * 4);
  EXPECT_EQ(r.dram_min_bytes, 3u * 128 * 2 + 72 * 2 + 3 * 4 * 64 * 4);
  EXPECT_EQ(r.counters.macs + r.counters.skipped, 3u * 4 * 64 * 18);
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv))) << "y";
}

// A random layer with more channels than one GLB chunk of ChannelChunkConfig() holds, that maps
// there in channel chunks.
ConvLayer RandomChunkedLayer(Rng& rng) {
  for (;;) {
    const std::optional<ConvLayer> drawn = DrawShape({2, 3, 10, 3, 9, 3, 9, 10, 4, 4, 2, 3}, rng);
    if (!drawn) continue;
    const ConvLayer& l = *drawn;
    try {
      const RsMapping m = ChooseMapping(l, ChannelChunkConfig());
      if (ChooseTiling(l, ChannelChunkConfig(), m).cc < l.w.c) return l;
    } catch (const UnsupportedError&) {
    }
  }
}

constexpr int kChunkedLayers = 30;

// Case i of ChannelChunkTest (seed 2100 + i): what the sweep runs and its coverage check reads.
// (The base is one whose draws cover every chunking ChannelChunkedLayersCoverEveryChunking asks
// for.)
LayerDraw ChunkedLayerCase(int i) {
  Rng rng(2100 + i);
  LayerDraw d;
  d.layer = RandomChunkedLayer(rng);
  d.x = SparseTensor(d.layer.x, rng);
  d.w = SparseTensor(d.layer.w, rng);
  return d;
}

class ChannelChunkTest : public testing::TestWithParam<int> {};

TEST_P(ChannelChunkTest, MatchesTheGoldenModelWithExactCounters) {
  const LayerDraw d = ChunkedLayerCase(GetParam());
  const ConvLayer& l = d.layer;
  const Tensor<int16_t>& x = d.x;
  const Tensor<int16_t>& w = d.w;
  GoldenDevice dev(ChannelChunkConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  SCOPED_TRACE(l.ToString() + " mapping " + r.mapping.ToString() + " nb " +
               std::to_string(r.tiling.nb) + " mc " + std::to_string(r.tiling.mc) + " cc " +
               std::to_string(r.tiling.cc));
  ASSERT_LT(r.tiling.cc, l.w.c);
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv))) << "y";
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  EXPECT_EQ(r.counters.descs, 1u);
  EXPECT_EQ(r.counters.dram_rd_bytes, ReadBytes(l, r.mapping, r.tiling, ChannelChunkConfig()));
  EXPECT_EQ(r.counters.dram_wr_bytes, y_bytes);
  const uint64_t skipped = ZeroOperandMacs(l, x);
  EXPECT_EQ(r.counters.skipped, skipped);
  EXPECT_EQ(r.counters.macs, static_cast<uint64_t>(l.Macs()) - skipped);
  const CycleEstimate c = EstimateCycles(l, ChannelChunkConfig(), r.mapping, r.tiling);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_read_bytes) + kDescBytes, r.counters.dram_rd_bytes);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_write_bytes), y_bytes);
}

INSTANTIATE_TEST_SUITE_P(Driver, ChannelChunkTest, testing::Range(0, kChunkedLayers));

TEST(Runtime, ChannelChunkedLayersCoverEveryChunking) {
  // The layers of ChannelChunkTest also come in several image and filter chunks, with a
  // shorter last channel chunk, and in groups.
  int image_chunks = 0, filter_chunks = 0, short_last = 0, grouped = 0;
  for (int i = 0; i < kChunkedLayers; ++i) {
    const ConvLayer l = ChunkedLayerCase(i).layer;
    const RsMapping m = ChooseMapping(l, ChannelChunkConfig());
    const Tiling t = ChooseTiling(l, ChannelChunkConfig(), m);
    image_chunks += t.nb < l.x.n;
    filter_chunks += t.mc < l.w.n / l.conv.groups;
    short_last += l.w.c % t.cc != 0;
    grouped += l.conv.groups > 1;
  }
  EXPECT_GE(image_chunks, 5);
  EXPECT_GE(filter_chunks, 5);
  EXPECT_GE(short_last, 4);  // fewer since loads move a beat a cycle: larger cc pays
  EXPECT_GE(grouped, 5);
}

TEST(Runtime, ThreeLayerChain) {
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const ConvLayer layers[] = {Conv({2, 3, 7, 7}, {4, 3, 3, 3}, 1, 1),
                              Conv({1, 4, 9, 6}, {6, 2, 2, 3}, 2, 0, 2),
                              Conv({3, 1, 5, 5}, {2, 1, 5, 1}, 1, 2)};
  Rng rng(21);
  std::vector<Tensor<int16_t>> xs, ws;
  ChainBuilder chain(dev);
  uint64_t rd = 0, wr = 0;
  for (const ConvLayer& l : layers) {
    xs.push_back(SparseTensor(l.x, rng));
    ws.push_back(SparseTensor(l.w, rng));
    const int i = chain.AddConv(l, xs.back(), ws.back());
    EXPECT_EQ(i, static_cast<int>(xs.size()) - 1);
    rd += ReadBytes(l, chain.layer(i).mapping, chain.layer(i).tiling, SmallGlbConfig());
    wr += static_cast<uint64_t>(l.Out().Size()) * 4;
  }
  ASSERT_EQ(chain.size(), 3);
  dev.RunChain(chain.Commit(), 1000);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(SameTensor(chain.ReadOutput(i), ConvAcc(xs[i], ws[i], layers[i].conv)))
        << "layer " + std::to_string(i);
  }
  const DeviceCounters c = dev.ReadCounters();
  EXPECT_EQ(c.descs, 3u);
  EXPECT_EQ(c.dram_rd_bytes, rd);
  EXPECT_EQ(c.dram_wr_bytes, wr);
  EXPECT_EQ(chain.layer(0).desc.next, chain.layer(1).desc.next - kDescBytes);
  EXPECT_EQ(chain.layer(2).desc.next, 0u);
}

TEST(Runtime, AnEmptyChainCannotBeCommitted) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase, kMemSize);
  ChainBuilder chain(dev);
  EXPECT_THROW(chain.Commit(), Error);
}

TEST(Runtime, UnmappableLayerThrowsBeforeAnythingRuns) {
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  Rng rng(2);
  const ConvLayer ok = Conv({1, 1, 4, 4}, {1, 1, 3, 3}, 1, 0);
  RunConv(dev, ok, SparseTensor(ok.x, rng), SparseTensor(ok.w, rng));
  const uint32_t status = dev.ReadCsr(kCsrStatus);
  const ConvLayer wide = Conv({1, 1, 4, 20}, {1, 1, 3, 13}, 1, 0);  // S = 13 > 12 spad words
  EXPECT_THROW(RunConv(dev, wide, SparseTensor(wide.x, rng), SparseTensor(wide.w, rng)),
               UnsupportedError);
  RsMapping bad;
  bad.e = 5;  // wider than the 4 columns
  EXPECT_THROW(RunConv(dev, ok, SparseTensor(ok.x, rng), SparseTensor(ok.w, rng), &bad),
               UnsupportedError);
  // One channel (8 x 41 = 328 words) in row bands: a band of one ofmap row reads the 4 rows of
  // its window, 164 words > 160.
  const ConvLayer big = Conv({1, 1, 8, 41}, {1, 1, 4, 1}, 1, 0);
  try {
    RunConv(dev, big, SparseTensor(big.x, rng), SparseTensor(big.w, rng));
    ADD_FAILURE() << "ran a layer whose row band does not fit the GLB";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("GLB ifmap area: 1 image(s) x 1 channel(s) x 4 row(s) "
                                         "(1 of 5 strips) are 164 words > 160"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(RunConv(dev, ok, SparseTensor(ok.w, rng), SparseTensor(ok.w, rng)), ShapeError);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), status);
  EXPECT_EQ(dev.ReadCounters().descs, 1u);
}

TEST(Runtime, GivenMappingIsUsed) {
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  const ConvLayer l = Conv({2, 4, 8, 8}, {6, 4, 3, 3}, 1, 1);
  RsMapping m;
  m.e = 2, m.p = 1, m.q = 2, m.r = 1, m.t = 3;
  Rng rng(4);
  const Tensor<int16_t> x = SparseTensor(l.x, rng), w = SparseTensor(l.w, rng);
  const LayerResult r = RunConv(dev, l, x, w, &m);
  EXPECT_EQ(r.mapping.e, 2);
  EXPECT_EQ(r.mapping.t, 3);
  EXPECT_EQ(r.mapping.cb, 2);
  EXPECT_EQ(r.mapping.mb, 2);
  EXPECT_TRUE(SameTensor(r.y, ConvAcc(x, w, l.conv))) << "y";
}

}  // namespace
}  // namespace eyelet
