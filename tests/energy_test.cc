// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The normalized energy model (eyelet/energy.h) on counts worked out by hand, and the cost
// model's spad, local-network and DRAM-split counts it uses, derived by hand for one layer.
#include "eyelet/energy.h"

#include <gtest/gtest.h>

#include "eyelet/cost_model.h"
#include "eyelet/mapping.h"
#include "eyelet/nets.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;

EnergyCounts HandCounts() {
  EnergyCounts c;
  c.macs = 100;
  c.skipped = 20;
  c.spad_ifmap_writes = 30;
  c.spad_ifmap_reads = 40;
  c.spad_filter_writes = 50;
  c.noc_filter = 7;
  c.noc_ifmap = 11;
  c.noc_psum_in = 13;
  c.noc_psum_out = 17;
  c.ln_psum = 19;
  c.dram_ifmap_bytes = 200;
  c.dram_filter_bytes = 60;
  c.dram_output_bytes = 80;
  c.data_bits = 16;
  c.acc_bits = 32;
  return c;
}

TEST(Energy, EveryLevelAndTypeOfHandCounts) {
  const Energy e = EstimateEnergy(HandCounts());
  // ALU: the 100 MACs done (the 20 gated ones skip the multiply).
  EXPECT_DOUBLE_EQ(e.alu, 100);
  // RF, cost 1: ifmap 30 writes + 40 reads; filter 50 writes + 100 reads (gated MACs skip
  // theirs); psum a read and a write per issued MAC (120), 32-bit words = 2 accesses each.
  EXPECT_DOUBLE_EQ(e.move[kLevelRf][kTypeIfmap], 70);
  EXPECT_DOUBLE_EQ(e.move[kLevelRf][kTypeFilter], 150);
  EXPECT_DOUBLE_EQ(e.move[kLevelRf][kTypePsum], 480);
  // NoC, cost 2: ifmap 11 and filter 7 words; psum 13 in + 17 out + 19 LN, 2 accesses each.
  EXPECT_DOUBLE_EQ(e.move[kLevelNoc][kTypeIfmap], 22);
  EXPECT_DOUBLE_EQ(e.move[kLevelNoc][kTypeFilter], 14);
  EXPECT_DOUBLE_EQ(e.move[kLevelNoc][kTypePsum], 196);
  // GLB, cost 6: ifmap 11 GIN reads + 100 DMA writes; filter 7 + 30; psum (13 + 17) x 2 and
  // the 40 16-bit units of the outputs the DMA stores.
  EXPECT_DOUBLE_EQ(e.move[kLevelGlb][kTypeIfmap], 666);
  EXPECT_DOUBLE_EQ(e.move[kLevelGlb][kTypeFilter], 222);
  EXPECT_DOUBLE_EQ(e.move[kLevelGlb][kTypePsum], 600);
  // DRAM, cost 200 per 2 bytes.
  EXPECT_DOUBLE_EQ(e.move[kLevelDram][kTypeIfmap], 20000);
  EXPECT_DOUBLE_EQ(e.move[kLevelDram][kTypeFilter], 6000);
  EXPECT_DOUBLE_EQ(e.move[kLevelDram][kTypePsum], 8000);
  // Nothing moves at the ALU level.
  for (int t = 0; t < kNumDataTypes; ++t) EXPECT_EQ(e.move[kLevelAlu][t], 0) << t;

  EXPECT_DOUBLE_EQ(e.Level(kLevelAlu), 100);
  EXPECT_DOUBLE_EQ(e.Level(kLevelRf), 700);
  EXPECT_DOUBLE_EQ(e.Level(kLevelNoc), 232);
  EXPECT_DOUBLE_EQ(e.Level(kLevelGlb), 1488);
  EXPECT_DOUBLE_EQ(e.Level(kLevelDram), 34000);
  EXPECT_DOUBLE_EQ(e.Type(kTypeIfmap), 20758);
  EXPECT_DOUBLE_EQ(e.Type(kTypeFilter), 6386);
  EXPECT_DOUBLE_EQ(e.Type(kTypePsum), 9276);
  EXPECT_DOUBLE_EQ(e.Total(), 36520);
}

TEST(Energy, ZeroGatingSavesTheMultiplyAndTheFilterReadOnly) {
  EnergyCounts dense = HandCounts();
  dense.macs = 120;
  dense.skipped = 0;
  const Energy d = EstimateEnergy(dense), g = EstimateEnergy(HandCounts());
  EXPECT_DOUBLE_EQ(d.alu - g.alu, 20);
  EXPECT_DOUBLE_EQ(d.move[kLevelRf][kTypeFilter] - g.move[kLevelRf][kTypeFilter], 20);
  EXPECT_DOUBLE_EQ(d.Total() - g.Total(), 40);
}

TEST(Energy, WordsWiderThan16BitsAreSeveralAccesses) {
  EXPECT_EQ(AccessesPerWord(8), 1);
  EXPECT_EQ(AccessesPerWord(16), 1);
  EXPECT_EQ(AccessesPerWord(24), 2);
  EXPECT_EQ(AccessesPerWord(32), 2);
  EnergyCounts c = HandCounts();
  c.acc_bits = 16;
  const Energy e = EstimateEnergy(c);
  EXPECT_DOUBLE_EQ(e.move[kLevelRf][kTypePsum], 240);
  EXPECT_DOUBLE_EQ(e.move[kLevelNoc][kTypePsum], 98);
  EXPECT_DOUBLE_EQ(e.move[kLevelGlb][kTypePsum], 6 * (30 + 40));
}

TEST(Energy, SumsAddEveryCell) {
  Energy a = EstimateEnergy(HandCounts());
  a += EstimateEnergy(HandCounts());
  EXPECT_DOUBLE_EQ(a.Total(), 2 * 36520);
  EXPECT_DOUBLE_EQ(a.move[kLevelGlb][kTypeFilter], 444);
}

// A layer of the RTL snapshot (cost_model_test.cc) on `small`: 2 images of 4 x 10 x 10, 8
// filters 3 x 3, pad 1; mapping e 5, p 2, q 2, r 1, t 2 in one chunk. By hand: 3 filter rows
// x 5 columns x 2 sets = 30 PEs; passes = 2 channel blocks (4 / (r q)) x 2 filter blocks
// (8 / (t p)) = 4; each PE takes 2 images x 2 strips (10 / e) = 4 rows per pass, each of
// W = 12 padded columns x q = 2 channels, and F = 10 outputs x S = 3 x q = 2 x p = 2 MACs.
TEST(CostModel, SpadLocalNetworkAndDramSplitCountsByHand) {
  const ArrayConfig& hw = ConfigByName("small");
  const ConvLayer l = Conv(2, 4, 10, 10, 8, 3, 3, 1, 1);
  RsMapping m;
  m.e = 5, m.p = 2, m.q = 2, m.r = 1, m.t = 2, m.n = 2;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  const Tiling t{2, 8, 4};
  ASSERT_EQ(TilingError(l, hw, m, t), "");
  const CostEstimate c = EvaluateMapping(l, hw, m, t);
  const int64_t pes = 30, passes = 4, rows = 4;
  EXPECT_EQ(c.access.macs, passes * rows * 10 * 3 * 2 * 2 * pes);  // 57,600 (the RTL's)
  EXPECT_EQ(c.access.spad_ifmap_writes, passes * rows * 12 * 2 * pes);
  EXPECT_EQ(c.access.spad_ifmap_reads, c.access.macs / 2);           // one read per (s, c), p = 2
  EXPECT_EQ(c.access.spad_filter_writes, passes * 2 * 2 * 3 * pes);  // p q S words per PE
  // Every psum a PE finishes is drained; the top PE of each 3-PE chain drains onto the GON,
  // the two below it onto the local network.
  EXPECT_EQ(c.access.ln_psum, 2 * c.access.noc_psum_out);
  // One chunk: every ifmap and filter word is read once.
  EXPECT_EQ(c.time.dram_ifmap_bytes, 2 * 4 * 10 * 10 * 2);
  EXPECT_EQ(c.time.dram_filter_bytes, 8 * 4 * 3 * 3 * 2);
  EXPECT_EQ(c.time.dram_read_bytes, c.time.dram_ifmap_bytes + c.time.dram_filter_bytes);
}

// Channel chunks reload the ifmaps per filter chunk: the split still adds up to the reads.
TEST(CostModel, DramSplitAddsUpOverChunks) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  for (const char* name : {"CONV1", "CONV2", "CONV3"}) {
    SCOPED_TRACE(name);
    ConvLayer l;
    for (const NetLayer& nl : NetByName("alexnet").layers) {
      if (nl.name == name) l = nl.Conv(4);
    }
    const RsMapping m = ChooseMapping(l, hw);
    const CostEstimate c = EvaluateMapping(l, hw, m, ChooseTiling(l, hw, m));
    EXPECT_GT(c.time.dram_ifmap_bytes, 0);
    EXPECT_GT(c.time.dram_filter_bytes, 0);
    EXPECT_EQ(c.time.dram_read_bytes, c.time.dram_ifmap_bytes + c.time.dram_filter_bytes);
    EXPECT_GE(c.time.dram_ifmap_bytes, static_cast<int64_t>(l.x.n) * l.x.c * l.x.h * l.x.w * 2);
  }
}

}  // namespace
}  // namespace eyelet
