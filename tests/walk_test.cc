// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The walker's tiling order (walk.h) on small layers whose expected loads and stores are worked
// out by hand from the rules in walk.h.
#include "eyelet/walk.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/mapping.h"

namespace eyelet {
namespace {

// "R ifmap 0x1000 40": direction, kind, address, bytes.
std::string Show(const WalkTransfer& t) {
  static const char* const kKinds[] = {"ifmap", "filter", "table", "store"};
  std::ostringstream s;
  s << (t.IsWrite() ? "W " : "R ") << kKinds[t.kind] << " 0x" << std::hex << t.addr << std::dec
    << " " << t.bytes;
  return s.str();
}

std::vector<std::string> TransfersOf(const Walk& walk, const WalkSegment& s, const WalkChunk& c) {
  std::vector<std::string> out;
  walk.ForEachTransfer(s, c, [&](const WalkTransfer& t) {
    out.push_back(Show(t));
    return true;
  });
  return out;
}

// 2 images in chunks of 1, 4 ofmap rows (h 6, 3 x 3 filters, stride 1, no padding) in strips
// of 1 row, bands of 2 strips; 4 filters in chunks of 2, 4 channels in chunks of 2; a bias
// table; int32 outputs. 2 x 2 x 2 x 2 chunks.
WalkParams TwoOfEach() {
  WalkParams p;
  p.n = 2;
  p.nb = 1;
  p.cg = 4;
  p.channels_per_chunk = 2;
  p.mg = 4;
  p.filters_per_chunk = 2;
  p.h = 6;
  p.w = 5;
  p.kr = 3;
  p.ks = 3;
  p.eo = 4;
  p.fo = 3;
  p.e = 1;
  p.strips = 4;
  p.sb = 2;
  p.table = true;
  p.out_bytes = 4;
  p.x_addr = 0x1000;
  p.w_addr = 0x2000;
  p.y_addr = 0x3000;
  p.pp_addr = 0x4000;
  return p;
}

TEST(Walk, TwoImageChunksBandsFilterChunksChannelChunksInOrder) {
  const Walk walk(TwoOfEach());
  EXPECT_EQ(walk.Bands(), 2);
  // Band 0: ofmap rows 0-1, ifmap rows 0-3; band 1: ofmap rows 2-3, ifmap rows 2-5.
  EXPECT_EQ(walk.Band(0).y0, 0);
  EXPECT_EQ(walk.Band(0).rows, 2);
  EXPECT_EQ(walk.Band(0).lo, 0);
  EXPECT_EQ(walk.Band(0).in_rows, 4);
  EXPECT_EQ(walk.Band(1).y0, 2);
  EXPECT_EQ(walk.Band(1).lo, 2);
  EXPECT_EQ(walk.Band(1).in_rows, 4);

  // The chunk order: image chunk, band, filter chunk, channel chunk.
  std::vector<std::string> order;
  walk.ForEachChunk([&](const WalkSegment& s, const WalkChunk& c) {
    order.push_back(std::to_string(s.n0) + std::to_string(s.b) + std::to_string(c.m0) +
                    std::to_string(c.c0));
    return true;
  });
  EXPECT_EQ(order, (std::vector<std::string>{"0000", "0002", "0020", "0022", "0100", "0102",
                                             "0120", "0122", "1000", "1002", "1020", "1022",
                                             "1100", "1102", "1120", "1122"}));

  // Several channel chunks: every chunk loads its ifmap rows (per image and channel, 4 rows of
  // 5 words = 40 bytes) and its filters (per filter, 2 channels x 9 = 18 words = 36 bytes); the
  // last channel chunk loads the table (2 entries, 32 bytes) and stores (per image and filter,
  // the band's 2 rows x 3 int32 = 24 bytes).
  const WalkSegment s0 = walk.Segment(0, 0, 0);
  EXPECT_EQ(s0.ni, 1);
  EXPECT_EQ(s0.load_lo, 0);
  EXPECT_EQ(s0.load_rows, 4);
  EXPECT_TRUE(s0.filters);
  // Image 0, channels 0-1: x + ((0*4 + c)*6 + 0)*10; filters 0-1, channels 0-1:
  // w + (m*4 + 0)*18.
  EXPECT_EQ(TransfersOf(walk, s0, walk.Chunk(s0, 0, 0)),
            (std::vector<std::string>{"R ifmap 0x1000 40", "R ifmap 0x103c 40",
                                      "R filter 0x2000 36", "R filter 0x2048 36"}));
  // Channels 2-3: x + (c*6)*10 = 120, 180; w + (m*4 + 2)*18 = 36, 108; table pp + 0; outputs of
  // filters 0-1: y + ((0*4 + m)*4 + 0)*12 = 0, 48.
  EXPECT_EQ(TransfersOf(walk, s0, walk.Chunk(s0, 0, 2)),
            (std::vector<std::string>{"R ifmap 0x1078 40", "R ifmap 0x10b4 40",
                                      "R filter 0x2024 36", "R filter 0x206c 36",
                                      "R table 0x4000 32", "W store 0x3000 24",
                                      "W store 0x3030 24"}));
  // Filters 2-3: the same ifmap rows again; w + (m*4)*18 = 144, 216.
  EXPECT_EQ(TransfersOf(walk, s0, walk.Chunk(s0, 2, 0)),
            (std::vector<std::string>{"R ifmap 0x1000 40", "R ifmap 0x103c 40",
                                      "R filter 0x2090 36", "R filter 0x20d8 36"}));
  // w + (m*4 + 2)*18 = 180, 252; table pp + 2*16; y + (m*4)*12 = 96, 144.
  EXPECT_EQ(TransfersOf(walk, s0, walk.Chunk(s0, 2, 2)),
            (std::vector<std::string>{"R ifmap 0x1078 40", "R ifmap 0x10b4 40",
                                      "R filter 0x20b4 36", "R filter 0x20fc 36",
                                      "R table 0x4020 32", "W store 0x3060 24",
                                      "W store 0x3090 24"}));
  // The last chunk: image 1, band 1 (ifmap rows from 2, ofmap rows from 2), filters 2-3,
  // channels 2-3: x + ((1*4 + c)*6 + 2)*10 = 380, 440; y + ((1*4 + m)*4 + 2)*12 = 312, 360.
  const WalkSegment s3 = walk.Segment(0, 1, 1);
  EXPECT_TRUE(s3.last_band);
  EXPECT_EQ(TransfersOf(walk, s3, walk.Chunk(s3, 2, 2)),
            (std::vector<std::string>{"R ifmap 0x117c 40", "R ifmap 0x11b8 40",
                                      "R filter 0x20b4 36", "R filter 0x20fc 36",
                                      "R table 0x4020 32", "W store 0x3138 24",
                                      "W store 0x3168 24"}));

  // Word counts of a storing chunk: 2 x 4 x 5 ifmap words, 2 x 2 x 9 filter words, 2 entries,
  // 2 x 2 x 3 outputs.
  const WalkChunk c = walk.Chunk(s0, 0, 2);
  EXPECT_EQ(c.ifmap_transfers, 2);
  EXPECT_EQ(c.ifmap_words, 40);
  EXPECT_EQ(c.filter_transfers, 2);
  EXPECT_EQ(c.filter_words, 36);
  EXPECT_EQ(c.table_transfers, 1);
  EXPECT_EQ(c.table_entries, 2);
  EXPECT_EQ(c.store_transfers, 2);
  EXPECT_EQ(c.store_words, 12);

  // The whole layer: 16 chunks of 80 ifmap and 72 filter bytes, 8 stores of 48 bytes with 8
  // tables of 32 bytes.
  uint64_t read = 0, written = 0;
  walk.ForEachTransfer([&](const WalkTransfer& t) {
    (t.IsWrite() ? written : read) += t.bytes;
    return true;
  });
  EXPECT_EQ(read, 16u * 80 + 16u * 72 + 8u * 32);
  EXPECT_EQ(written, 8u * 48);
}

// One channel chunk: the ifmaps stay in the GLB across the filter chunks of a segment. One
// band: whole channels, one transfer per image. 3 images in chunks of 2, 3 channels, 5
// filters in chunks of 2 (2, 2, 1), h 4 x w 4, 3 x 3 filters, 2 x 2 int16 outputs.
TEST(Walk, OneChannelChunkKeepsTheIfmapsAcrossFilterChunks) {
  WalkParams p;
  p.n = 3;
  p.nb = 2;
  p.cg = 3;
  p.channels_per_chunk = 4;  // more than cg: one chunk
  p.mg = 5;
  p.filters_per_chunk = 2;
  p.h = 4;
  p.w = 4;
  p.kr = 3;
  p.ks = 3;
  p.eo = 2;
  p.fo = 2;
  p.e = 2;
  p.strips = 1;
  p.sb = 1;
  p.out_bytes = 2;
  p.x_addr = 0x1000;
  p.w_addr = 0x2000;
  p.y_addr = 0x3000;
  const Walk walk(p);
  EXPECT_TRUE(walk.OneChannelChunk());
  EXPECT_FALSE(walk.OneFilterChunk());
  std::vector<std::string> got;
  walk.ForEachChunk([&](const WalkSegment& s, const WalkChunk& c) {
    got.push_back("chunk " + std::to_string(s.n0) + " " + std::to_string(c.m0));
    walk.ForEachTransfer(s, c, [&](const WalkTransfer& t) {
      got.push_back(Show(t));
      return true;
    });
    return true;
  });
  // Images 0-1: per image 3 x 4 x 4 words = 96 bytes at x + n*96; filters m0.. in one
  // transfer (all channels contiguous) of mi x 27 words at w + m0*54; per image one store of
  // mi x 4 outputs x 2 bytes at y + (n*5 + m0)*8.
  EXPECT_EQ(got, (std::vector<std::string>{
                     "chunk 0 0", "R ifmap 0x1000 96", "R ifmap 0x1060 96", "R filter 0x2000 108",
                     "W store 0x3000 16", "W store 0x3028 16",  //
                     "chunk 0 2", "R filter 0x206c 108", "W store 0x3010 16", "W store 0x3038 16",
                     "chunk 0 4", "R filter 0x20d8 54", "W store 0x3020 8", "W store 0x3048 8",
                     // Image 2 alone; the filters again (several filter chunks).
                     "chunk 2 0", "R ifmap 0x10c0 96", "R filter 0x2000 108", "W store 0x3050 16",
                     "chunk 2 2", "R filter 0x206c 108", "W store 0x3060 16",  //
                     "chunk 2 4", "R filter 0x20d8 54", "W store 0x3070 8"}));
}

// Several channel chunks whose ifmaps all fit the ifmap area at once (the walker's x_res): the
// segment's first filter chunk loads each channel chunk's rows into its own slot, and the later
// filter chunks read them there.
TEST(Walk, IfmapsOfAllChannelChunksStayWhenTheyFitTheArea) {
  WalkParams p = TwoOfEach();
  p.glb_ifmap_words = 79;
  EXPECT_FALSE(Walk(p).IfmapsStay());
  p.glb_ifmap_words = 80;  // 1 image x 4 channels x 4 rows (a band's windows) x 5 columns
  const Walk walk(p);
  EXPECT_TRUE(walk.IfmapsStay());
  EXPECT_EQ(walk.BandIfmapWordsMax(), 20);
  int chunks = 0, loads = 0;
  walk.ForEachChunk([&](const WalkSegment&, const WalkChunk& c) {
    EXPECT_EQ(c.ifmaps, c.m0 == 0) << "m0 " << c.m0 << " c0 " << c.c0;
    ++chunks;
    loads += c.ifmaps ? 1 : 0;
    return true;
  });
  EXPECT_EQ(chunks, 16);  // 2 image chunks x 2 bands x 2 filter chunks x 2 channel chunks
  EXPECT_EQ(loads, 8);
  // One channel chunk keeps its ifmaps anyway, without slots.
  p.channels_per_chunk = 4;
  EXPECT_FALSE(Walk(p).IfmapsStay());
}

// One channel chunk and one filter chunk: the filters stay in the GLB across image chunks and
// bands, and each group loads its own once.
TEST(Walk, OneFilterChunkLoadsEachGroupsFiltersOnce) {
  WalkParams p;
  p.n = 2;
  p.nb = 1;
  p.groups = 2;
  p.cg = 2;
  p.channels_per_chunk = 2;
  p.mg = 2;
  p.filters_per_chunk = 2;
  p.h = 4;
  p.w = 3;
  p.kr = 1;
  p.ks = 1;
  p.eo = 4;
  p.fo = 3;
  p.e = 2;
  p.strips = 2;
  p.sb = 1;
  const Walk walk(p);
  std::vector<std::string> got;
  walk.ForEachChunk([&](const WalkSegment& s, const WalkChunk& c) {
    got.push_back(std::to_string(s.g) + std::to_string(s.n0) + std::to_string(s.b) +
                  (c.ifmaps ? " ifmaps" : "") + (c.filters ? " filters" : "") +
                  (c.store ? " store" : ""));
    return true;
  });
  EXPECT_EQ(got, (std::vector<std::string>{"000 ifmaps filters store", "001 ifmaps store",
                                           "010 ifmaps store", "011 ifmaps store",
                                           "100 ifmaps filters store", "101 ifmaps store",
                                           "110 ifmaps store", "111 ifmaps store"}));
  // Group 1's filters: w + (1*2 + 0)*2*1*1*2 = 8, all 2 x 2 words at once.
  const WalkSegment s = walk.Segment(1, 0, 0);
  EXPECT_EQ(TransfersOf(walk, s, walk.Chunk(s, 0, 0))[2], "R filter 0x8 8");
}

// Pooled stores write the pooled rows each band completes: 4 ofmap rows in bands of one row,
// 2 x 2 windows with stride 2: pooled row 0 ends at ofmap row 1, pooled row 1 at row 3.
TEST(Walk, PooledStoresWriteTheRowsEachBandCompletes) {
  WalkParams p;
  p.n = 1;
  p.cg = 1;
  p.channels_per_chunk = 1;
  p.mg = 2;
  p.filters_per_chunk = 2;
  p.h = 4;
  p.w = 4;
  p.kr = 1;
  p.ks = 1;
  p.eo = 4;
  p.fo = 4;
  p.e = 1;
  p.strips = 4;
  p.sb = 1;
  p.out_bytes = 2;
  p.pooled = true;
  p.pool_kh = 2;
  p.pool_sh = 2;
  p.pool_pt = 0;
  p.pool_eo = 2;
  p.pool_fo = 2;
  p.y_addr = 0x100;
  const Walk walk(p);
  std::vector<std::string> got;
  walk.ForEachChunk([&](const WalkSegment& s, const WalkChunk& c) {
    got.push_back("band " + std::to_string(s.b) + ": rows " + std::to_string(s.pooled.first) +
                  "+" + std::to_string(s.pooled.count) + ", " +
                  std::to_string(c.store_transfers) + " x, " + std::to_string(c.store_words) +
                  " words");
    walk.ForEachTransfer(s, c, [&](const WalkTransfer& t) {
      if (t.IsWrite()) got.push_back(Show(t));
      return true;
    });
    return true;
  });
  // Per filter m, pooled row i: y + (m*2 + i)*2*2.
  EXPECT_EQ(got, (std::vector<std::string>{
                     "band 0: rows 0+0, 0 x, 0 words", "band 1: rows 0+1, 2 x, 4 words",
                     "W store 0x100 4", "W store 0x108 4", "band 2: rows 1+0, 0 x, 0 words",
                     "band 3: rows 1+1, 2 x, 4 words", "W store 0x104 4", "W store 0x10c 4"}));
}

// The spans summarize the chunks: every chunk of a span is its first one moved by whole chunks.
TEST(Walk, SpansCoverTheChunksAlike) {
  for (const auto& [mg, fpc, cg, cpc] : std::vector<std::array<int, 4>>{
           {4, 2, 4, 2}, {5, 2, 3, 4}, {7, 2, 9, 2}, {6, 6, 5, 5}, {1, 1, 1, 1}, {9, 4, 10, 3}}) {
    WalkParams p = TwoOfEach();
    p.mg = mg;
    p.filters_per_chunk = fpc;
    p.cg = cg;
    p.channels_per_chunk = cpc;
    const Walk walk(p);
    const WalkSegment s = walk.Segment(0, 1, 0);
    const auto same = [](WalkChunk a, const WalkChunk& b) {
      a.m0 = b.m0;
      a.c0 = b.c0;
      return a.mi == b.mi && a.ci == b.ci && a.ifmaps == b.ifmaps && a.filters == b.filters &&
             a.table == b.table && a.store == b.store && a.ifmap_words == b.ifmap_words &&
             a.ifmap_transfers == b.ifmap_transfers && a.filter_words == b.filter_words &&
             a.filter_transfers == b.filter_transfers && a.table_entries == b.table_entries &&
             a.store_words == b.store_words && a.store_transfers == b.store_transfers;
    };
    int64_t m0 = 0;
    for (const ChunkSpan& fs : walk.FilterSpans()) {
      ASSERT_EQ(fs.first, m0);
      for (int64_t i = 0; i < fs.count; ++i, m0 += walk.FilterChunk()) {
        int64_t c0 = 0;
        for (const ChunkSpan& cs : walk.ChannelSpans()) {
          ASSERT_EQ(cs.first, c0);
          for (int64_t j = 0; j < cs.count; ++j, c0 += walk.ChannelChunk()) {
            EXPECT_TRUE(same(walk.Chunk(s, fs.first, cs.first), walk.Chunk(s, m0, c0)))
                << "mg " << mg << " cg " << cg << " chunk " << m0 << ", " << c0;
          }
        }
        const int64_t cc = walk.ChannelChunk();
        EXPECT_EQ(c0, (cg + cc - 1) / cc * cc);
      }
    }
    EXPECT_GE(m0, mg);
    EXPECT_LT(m0 - walk.FilterChunk(), mg);
  }
}

// A layer's walk and its descriptor's walk are the same walk.
TEST(Walk, LayerAndItsDescriptorWalkAlike) {
  const ArrayConfig& hw = ConfigByName("tiny");
  ConvLayer l;
  l.x = Shape{3, 6, 13, 11};
  l.w = Shape{10, 6, 3, 3};
  l.conv.stride_h = 2;
  l.conv.pad_top = 1;
  l.conv.pad_left = 1;
  l.post = static_cast<uint32_t>(kPostBias | kPostRequant);
  RsMapping m;
  m.e = 2;
  m.p = 2;
  m.q = 1;
  m.r = 1;
  m.t = 1;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  for (const Tiling& t : {Tiling{1, 2, 1, 1}, Tiling{2, 4, 6, 2}, Tiling{3, 10, 3, 0}}) {
    ASSERT_EQ(TilingError(l, hw, m, t), "");
    const Desc d = MakeConvDesc(l, m, t, 0x1000, 0x20000, 0x40000, 0);
    WalkParams from_layer = WalkOfLayer(l, hw, m, t);
    from_layer.x_addr = d.x_addr;
    from_layer.w_addr = d.w_addr;
    from_layer.y_addr = d.y_addr;
    from_layer.pp_addr = d.pp_addr;
    std::vector<std::string> a, b;
    Walk(from_layer).ForEachTransfer([&](const WalkTransfer& x) {
      a.push_back(Show(x));
      return true;
    });
    Walk(WalkOfDesc(d, hw.glb_ifmap_words)).ForEachTransfer([&](const WalkTransfer& x) {
      b.push_back(Show(x));
      return true;
    });
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
  }
}

}  // namespace
}  // namespace eyelet
