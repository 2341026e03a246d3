// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Max pooling after the output path: the descriptor's pool check (DESC_POOL), the mapper's
// line-buffer limit, the cost model's pooled store, the golden device's pooled outputs and
// transfers, the runtime's fused and standalone pooling and a LeNet-5 chain in DRAM. The
// device-level bodies live in pool_cases.h so that they also run on the RTL backend.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/runtime.h"
#include "pool_cases.h"

namespace eyelet {
namespace {

using test::SameTensor;
using test::SparseTensor;
using test::Widen;

constexpr uint64_t kMemBase = 0x8000'0000;
constexpr uint64_t kMemSize = 4 << 20;

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// --- The descriptor's pool check ----------------------------------------------------------------

// The small array with a 32-word line buffer.
ArrayConfig PoolCheckConfig() {
  ArrayConfig c = ConfigByName("small");
  c.name = "small-pool32";
  c.pool_words = 32;
  return c;
}

// Layer P: 2 images of 3 channels 8 x 8, 4 filters 3 x 3, pad 1 (8 x 8 outputs), requantized,
// max pool 2x2/2 (4 x 4), mapped with e = 4 (2 strips), all of it in one chunk and band.
ConvLayer LayerP() {
  ConvLayer l;
  l.x = Shape{2, 3, 8, 8};
  l.w = Shape{4, 3, 3, 3};
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = 1;
  l.post = kPostRequant;
  l.pooled = true;
  return l;
}

Desc PooledDesc(uint64_t y_addr = 0x1000) {
  const ConvLayer l = LayerP();
  RsMapping m;
  m.e = 4, m.p = 2, m.q = 1, m.r = 1, m.t = 2;
  EXPECT_EQ(CompleteMapping(l, PoolCheckConfig(), m), "");
  return MakeConvDesc(l, m, Tiling{2, 4, 3, 2}, 0x1000, 0x1000, y_addr, 0);
}

HwInfo PoolCheckHw() { return GoldenDevice(PoolCheckConfig(), kMemBase, kMemSize).ReadHwInfo(); }

TEST(PoolDesc, MakeConvDescFillsThePoolingFields) {
  const Desc d = PooledDesc();
  EXPECT_EQ(d.version, 4u);
  EXPECT_EQ(d.pool_kh, 2u);
  EXPECT_EQ(d.pool_kw, 2u);
  EXPECT_EQ(d.pool_sh, 2u);
  EXPECT_EQ(d.pool_sw, 2u);
  EXPECT_EQ(d.pool_pt, 0u);
  EXPECT_EQ(d.pool_pl, 0u);
  EXPECT_EQ(d.pool_eo, 4u);
  EXPECT_EQ(d.pool_fo, 4u);
  EXPECT_EQ(d.strips, 2u);
  EXPECT_EQ(d.sb, 2u);
  ConvLayer l = LayerP();
  l.pool.kernel_h = l.pool.stride_h = 3;
  l.pool.pad_top = 1;
  l.pool.ceil_mode = true;  // rows (8 + 1 - 3) / 3 + 1 = 3 (ceil the same)
  l.pool.pad_left = 1;
  l.pool.pad_right = 1;  // columns (8 + 2 - 2) / 2 + 1 = 5
  RsMapping m;
  m.e = 4, m.p = 2, m.t = 2;
  ASSERT_EQ(CompleteMapping(l, PoolCheckConfig(), m), "");
  const Desc e = MakeConvDesc(l, m, Tiling{2, 4, 3, 2}, 0, 0, 0, 0);
  EXPECT_EQ(e.pool_kh, 3u);
  EXPECT_EQ(e.pool_sh, 3u);
  EXPECT_EQ(e.pool_pt, 1u);
  EXPECT_EQ(e.pool_pl, 1u);
  EXPECT_EQ(e.pool_eo, 3u);
  EXPECT_EQ(e.pool_fo, 5u);
  // Unpooled: pool_kh stays 0, and DescribeDesc lists the fields.
  l.pooled = false;
  const Desc u = MakeConvDesc(l, m, Tiling{2, 4, 3, 2}, 0, 0, 0, 0);
  EXPECT_EQ(u.pool_kh, 0u);
  EXPECT_EQ(u.pool_eo, 0u);
  EXPECT_TRUE(Has(DescribeDesc(d), " pool_kh=2 pool_kw=2 pool_sh=2 pool_sw=2 pool_pt=0 "
                                   "pool_pl=0 pool_eo=4 pool_fo=4"))
      << DescribeDesc(d);
}

struct PoolCase {
  const char* name;
  ErrCode code;
  void (*mutate)(Desc&);
};

const PoolCase kPoolCases[] = {
    {"Good", ErrCode::kNone, [](Desc&) {}},
    {"NoRequantization", ErrCode::kDescPool, [](Desc& d) { d.post = kPostBias; }},
    {"NoOutputPath", ErrCode::kDescPool, [](Desc& d) { d.post = 0; }},
    {"WindowHeight4", ErrCode::kDescPool, [](Desc& d) { d.pool_kh = 4; }},
    {"WindowWidth0", ErrCode::kDescPool, [](Desc& d) { d.pool_kw = 0; }},
    {"WindowWidth4", ErrCode::kDescPool, [](Desc& d) { d.pool_kw = 4; }},
    {"VerticalStride0", ErrCode::kDescPool, [](Desc& d) { d.pool_sh = 0; }},
    {"VerticalStride4", ErrCode::kDescPool, [](Desc& d) { d.pool_sh = 4; }},
    {"HorizontalStride0", ErrCode::kDescPool, [](Desc& d) { d.pool_sw = 0; }},
    {"HorizontalStride4", ErrCode::kDescPool, [](Desc& d) { d.pool_sw = 4; }},
    {"TopPadOfTheWindow", ErrCode::kDescPool, [](Desc& d) { d.pool_pt = 2; }},
    {"LeftPadOfTheWindow", ErrCode::kDescPool, [](Desc& d) { d.pool_pl = 2; }},
    {"TopPadBelowTheWindow", ErrCode::kNone, [](Desc& d) { d.pool_pt = 1; }},
    {"ZeroPooledRows", ErrCode::kDescPool, [](Desc& d) { d.pool_eo = 0; }},
    {"ZeroPooledColumns", ErrCode::kDescPool, [](Desc& d) { d.pool_fo = 0; }},
    // Window i starts at ofmap row 2i - pt: row 8 (past the 8 rows) for i = 4 with pt = 0,
    // row 7 with pt = 1 (ceil mode with one row of -inf padding at the bottom).
    {"WindowStartsBelowTheOfmap", ErrCode::kDescPool, [](Desc& d) { d.pool_eo = 5; }},
    {"LastWindowStartsOnTheLastRow", ErrCode::kNone, [](Desc& d) { d.pool_eo = 5, d.pool_pt = 1; }},
    {"WindowStartsRightOfTheOfmap", ErrCode::kDescPool, [](Desc& d) { d.pool_fo = 5; }},
    {"LastWindowStartsOnTheLastColumn", ErrCode::kNone,
     [](Desc& d) { d.pool_fo = 5, d.pool_pl = 1; }},
    // Stride 3, window 1: windows start at rows 0, 3, 6 of 8; a fourth would start at 9.
    {"StrideThreeThreeRows", ErrCode::kNone,
     [](Desc& d) { d.pool_kh = 1, d.pool_sh = 3, d.pool_eo = 3; }},
    {"StrideThreeFourRows", ErrCode::kDescPool,
     [](Desc& d) { d.pool_kh = 1, d.pool_sh = 3, d.pool_eo = 4; }},
    // One band: the line buffer holds pool_fo = 4 words; two bands nb*mg*pool_fo =
    // 2 x 4 x 4 = 32 words, all of the 32-word buffer; one image more is not possible (n = 2),
    // so the filters: 5 filters would be 40 words.
    {"TwoBandsFillTheLineBuffer", ErrCode::kNone, [](Desc& d) { d.sb = 1; }},
    {"TwoBandsOverflowTheLineBuffer", ErrCode::kDescPool,
     [](Desc& d) { d.sb = 1, d.mg = 5, d.mb = 2; }},
    {"OneBandOfFiveFilters", ErrCode::kNone, [](Desc& d) { d.mg = 5, d.mb = 2; }},
    {"OneBandTooWideForTheLineBuffer", ErrCode::kDescPool,
     [](Desc& d) { d.fo = d.w = 80, d.pool_fo = 33; }},
    // Order: the output-path check comes first, the pool check before the zero check.
    {"PostBeforePool", ErrCode::kDescPost, [](Desc& d) { d.post = kPostRelu, d.pool_kh = 4; }},
    {"PoolBeforeZero", ErrCode::kDescPool, [](Desc& d) { d.pool_kh = 4, d.n = 0; }},
    {"PoolBeforeMapping", ErrCode::kDescPool, [](Desc& d) { d.pool_kh = 4, d.nb = 3; }},
    // Without pooling the other pool fields are not looked at.
    {"NoPoolingIgnoresTheRest", ErrCode::kNone,
     [](Desc& d) { d.pool_kh = 0, d.pool_kw = 9, d.pool_eo = 0, d.post = kPostBias; }},
};

class PoolDescTest : public testing::TestWithParam<PoolCase> {};

TEST_P(PoolDescTest, CheckDescAndTheGoldenDeviceAgree) {
  const PoolCase& c = GetParam();
  Desc d = PooledDesc();
  c.mutate(d);
  EXPECT_EQ(CheckDesc(d, PoolCheckHw()), c.code) << DescribeDesc(d);
  if (c.code != ErrCode::kDescPool) return;
  // The golden device stops the chain with it, naming the code and what it means.
  GoldenDevice dev(PoolCheckConfig(), kMemBase, kMemSize);
  const uint64_t a = dev.Alloc(kDescBytes);
  dev.Write(a, PackDesc(d));
  try {
    dev.RunChain(a, 1000);
    ADD_FAILURE() << "the chain ran";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), ErrCode::kDescPool);
    EXPECT_EQ(e.desc_index(), 0);
    EXPECT_TRUE(Has(e.what(), "DESC_POOL (the pooling settings are wrong")) << e.what();
    EXPECT_TRUE(Has(e.what(), "line buffer")) << e.what();
    EXPECT_TRUE(Has(e.what(), "; " + ErrCodeAdvice(ErrCode::kDescPool))) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Checks, PoolDescTest, testing::ValuesIn(kPoolCases),
                         [](const testing::TestParamInfo<PoolCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(PoolDesc, RangeCheckCountsThePooledOutputs) {
  // 2 x 4 x 4 x 4 pooled int16 outputs are 256 bytes; unpooled they would be 1024.
  HwInfo hw = PoolCheckHw();
  hw.addr_bits = 32;
  const uint64_t top = uint64_t{1} << 32;
  EXPECT_EQ(CheckDesc(PooledDesc(top - 256), hw), ErrCode::kNone);
  EXPECT_EQ(CheckDesc(PooledDesc(top - 248), hw), ErrCode::kDescRange);
  Desc d = PooledDesc(top - 256);
  d.pool_kh = 0;  // unpooled: 1024 bytes
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescRange);
  d.y_addr = top - 1024;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
}

TEST(PoolDesc, HwPoolIsReadFromItsRegister) {
  for (const ArrayConfig& c : BuiltConfigs()) EXPECT_EQ(c.pool_words, 4096) << c.name;
  GoldenDevice dev(PoolCheckConfig(), kMemBase, kMemSize);
  EXPECT_EQ(dev.ReadCsr(kCsrHwPool), 32u);
  EXPECT_EQ(dev.ReadCsr(kCsrVersion), 0x00020001u);
  const HwInfo hw = dev.ReadHwInfo();
  EXPECT_EQ(hw.pool_words, 32);
  EXPECT_EQ(hw.ToArrayConfig("x").pool_words, 32);
  ArrayConfig zero = PoolCheckConfig();
  zero.pool_words = 0;
  EXPECT_THROW(GoldenDevice(zero, kMemBase, kMemSize), UnsupportedError);
}

// --- Mapper, tiling and cost model ----------------------------------------------------------------

TEST(PoolMapping, BandPooledRowsOfHandWorkedBands) {
  // 2x2/2, no padding, 8 ofmap rows: pooled row i ends at row 2i + 1. Bands of 3 rows
  // (0-2, 3-5, 6-7) complete rows 0, 1-2 and 3.
  EXPECT_EQ(BandPooledRows(0, 3, false, 2, 2, 0, 4).first, 0);
  EXPECT_EQ(BandPooledRows(0, 3, false, 2, 2, 0, 4).count, 1);
  EXPECT_EQ(BandPooledRows(3, 3, false, 2, 2, 0, 4).first, 1);
  EXPECT_EQ(BandPooledRows(3, 3, false, 2, 2, 0, 4).count, 2);
  EXPECT_EQ(BandPooledRows(6, 2, true, 2, 2, 0, 4).first, 3);
  EXPECT_EQ(BandPooledRows(6, 2, true, 2, 2, 0, 4).count, 1);
  // Bands of one row: rows 0, 2, 4, 6 complete nothing.
  EXPECT_EQ(BandPooledRows(2, 1, false, 2, 2, 0, 4).count, 0);
  EXPECT_EQ(BandPooledRows(3, 1, false, 2, 2, 0, 4).first, 1);
  // 3x3/2 with pad 1 and ceil mode on 8 rows: 4 pooled rows ending at rows 1, 3, 5, 7; with
  // 9 rows (ceil mode adds a window over rows 7-9): 5 rows, the last ending below the ofmap,
  // emitted by the last band.
  EXPECT_EQ(BandPooledRows(0, 2, false, 3, 2, 1, 5).count, 1);
  EXPECT_EQ(BandPooledRows(6, 3, true, 3, 2, 1, 5).first, 3);
  EXPECT_EQ(BandPooledRows(6, 3, true, 3, 2, 1, 5).count, 2);
  EXPECT_EQ(BandPooledRows(6, 3, false, 3, 2, 1, 5).count, 1);
  // Stride 3, window 1: rows 0, 3, 6 complete rows 0, 1, 2; rows 1-2 nothing.
  EXPECT_EQ(BandPooledRows(1, 2, false, 1, 3, 0, 3).count, 0);
  EXPECT_EQ(BandPooledRows(0, 4, false, 1, 3, 0, 3).count, 2);
}

TEST(PoolMapping, VirtualRowsAndColumnsCloseTheBottomAndRightWindows) {
  ConvLayer l = LayerP();  // 8 x 8 ofmap, 2x2/2: windows end at row 7
  EXPECT_EQ(PoolVirtualRows(l), 0);
  EXPECT_EQ(PoolVirtualCols(l), 0);
  l.pool.kernel_h = l.pool.kernel_w = 3;  // floor: 3 windows ending at 2, 4, 6
  EXPECT_EQ(PoolVirtualRows(l), 0);
  l.pool.ceil_mode = true;  // ceil: a 4th window over rows 6-8
  EXPECT_EQ(l.PooledOut().h, 4);
  EXPECT_EQ(PoolVirtualRows(l), 1);
  EXPECT_EQ(PoolVirtualCols(l), 1);
  l.pooled = false;
  EXPECT_EQ(PoolVirtualRows(l), 0);
}

// The tiny array with a GLB whose psum banks force row bands for LayerP-shaped layers, and a
// line buffer of 16 words.
ArrayConfig LineBufferConfig() {
  ArrayConfig c = ConfigByName("tiny");
  c.name = "tiny-line16";
  c.glb_psum_words = 24;
  c.pool_words = 16;
  return c;
}

// x 1 x 2 x 12 x 12, 4 filters 3 x 3 pad 1 (12 x 12), requantized, max pool 2x2/2 (6 x 6):
// in row bands the line buffer would need 4 filters x 6 columns = 24 words per image.
ConvLayer LayerL() {
  ConvLayer l;
  l.x = Shape{1, 2, 12, 12};
  l.w = Shape{4, 2, 3, 3};
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = 1;
  l.post = kPostRequant;
  l.pooled = true;
  return l;
}

TEST(PoolMapping, TilingErrorNamesTheLineBuffer) {
  const ArrayConfig hw = PoolCheckConfig();  // 32 words
  ConvLayer l = LayerP();
  RsMapping m;
  m.e = 4, m.p = 2, m.t = 2;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  EXPECT_EQ(TilingError(l, hw, m, Tiling{2, 4, 3, 1}), "");  // 2 x 4 x 4 = 32
  l.x.n = 3;
  const std::string why = TilingError(l, hw, m, Tiling{3, 4, 3, 1});  // 48 words
  EXPECT_TRUE(Has(why, "pooling line buffer: 3 image(s) x 4 filters x 4 pooled columns are 48 "
                       "words > 32"))
      << why;
  EXPECT_EQ(TilingError(l, hw, m, Tiling{3, 4, 3, 2}), "");  // one band: 4 words
  l.pooled = false;
  EXPECT_EQ(TilingError(l, hw, m, Tiling{3, 4, 3, 1}), "");
}

TEST(PoolMapping, CompleteMappingChecksThePooling) {
  const ArrayConfig hw = PoolCheckConfig();
  RsMapping m;
  m.e = 4, m.p = 2, m.t = 2;
  ConvLayer l = LayerP();
  l.post = kPostBias;
  EXPECT_TRUE(Has(CompleteMapping(l, hw, m), "requantization"));
  l = LayerP();
  l.pool.kernel_w = 4;
  EXPECT_TRUE(Has(CompleteMapping(l, hw, m), "window width 4 is outside the hardware's 1..3"));
  l = LayerP();
  l.pool.stride_h = 5;
  EXPECT_TRUE(Has(CompleteMapping(l, hw, m), "vertical stride 5"));
  // 33 pooled columns do not fit the 32-word line buffer even in one band.
  l = LayerP();
  l.x.w = 66;
  EXPECT_TRUE(Has(CompleteMapping(l, hw, m), "pooling line buffer: 33 pooled columns > 32"));
}

TEST(PoolMapping, ChosenTilingsRespectTheLineBuffer) {
  // On the small array with an 8192-word ifmap area, 4 images of 8 channels 40 x 40 need row
  // bands; with a 320-word line buffer only bands of nb*8*20 <= 320 words, nb <= 2, qualify.
  ArrayConfig hw = ConfigByName("small");
  hw.pool_words = 320;
  ConvLayer l;
  l.x = Shape{4, 8, 40, 40};
  l.w = Shape{8, 8, 3, 3};
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = 1;
  l.post = kPostRequant;
  const RsMapping m_unpooled = ChooseMapping(l, hw);
  l.pooled = true;
  const RsMapping m = ChooseMapping(l, hw);
  const Tiling t = ChooseTiling(l, hw, m);
  EXPECT_EQ(TilingError(l, hw, m, t), "");
  if (t.sb < m.strips) {
    EXPECT_LE(t.nb * 8 * 20, 320);
  }
  // Bands are in every tiling of the unpooled layer's mapping too; pooled, with the line
  // buffer, each qualifies.
  RsMapping mu = m_unpooled;
  ASSERT_EQ(CompleteMapping(l, hw, mu), "");
  const Tiling tu = ChooseTiling(l, hw, mu);
  EXPECT_EQ(TilingError(l, hw, mu, tu), "");
}

TEST(PoolMapping, NoBandedTilingNamesTheLineBuffer) {
  const ArrayConfig hw = LineBufferConfig();
  const ConvLayer l = LayerL();
  ConvLayer unpooled = l;
  unpooled.pooled = false;
  const RsMapping mu = ChooseMapping(unpooled, hw);
  const Tiling tu = ChooseTiling(unpooled, hw, mu);
  ASSERT_LT(tu.sb, mu.strips) << "the layer needs row bands";
  try {
    ChooseMapping(l, hw);
    ADD_FAILURE() << "mapped with the line buffer overflowing";
  } catch (const UnsupportedError& e) {
    EXPECT_TRUE(Has(e.what(), "pooling line buffer of 16 words")) << e.what();
    EXPECT_TRUE(Has(e.what(), "(4 x 6 words per image)")) << e.what();
  }
  RsMapping m = mu;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  try {
    ChooseTiling(l, hw, m);
    ADD_FAILURE() << "tiled with the line buffer overflowing";
  } catch (const UnsupportedError& e) {
    EXPECT_TRUE(Has(e.what(), "needs row bands")) << e.what();
    EXPECT_TRUE(Has(e.what(), "pooling line buffer: 1 image(s) x 4 filters x 6 pooled columns "
                              "are 24 words > 16"))
        << e.what();
  }
}

TEST(PoolCostModel, StoreWalksTheRowsWithTheVirtualOnesAndWritesThePooledRows) {
  // LayerP on `small` with e = 4 (2 strips), one image chunk, filter chunk and channel chunk.
  const ArrayConfig hw = PoolCheckConfig();
  ConvLayer l = LayerP();
  RsMapping m;
  m.e = 4, m.p = 2, m.t = 2;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  ConvLayer u = l;
  u.pooled = false;
  for (int sb : {2, 1}) {
    SCOPED_TRACE("sb " + std::to_string(sb));
    const Tiling t{2, 4, 3, sb};
    const CycleEstimate pooled = EstimateCycles(l, hw, m, t), plain = EstimateCycles(u, hw, m, t);
    // Reads are the same; writes 2 x 4 x 4 x 4 int16 instead of 2 x 4 x 8 x 8.
    EXPECT_EQ(pooled.dram_read_bytes, plain.dram_read_bytes);
    EXPECT_EQ(pooled.dram_write_bytes, 256);
    EXPECT_EQ(plain.dram_write_bytes, 1024);
    EXPECT_EQ(pooled.compute_cycles, plain.compute_cycles);
    // The store walks the same 8 x 8 elements per plane; it writes 512 fewer words in the
    // same transfers (one band: one per image; two bands: each band completes 2 pooled rows,
    // one per image and filter), and its end is the layer's end.
    EXPECT_EQ(plain.cycles - pooled.cycles, 0) << "the store walks every element either way";
  }
  // Ceil mode with a 3x3 window adds a -inf row and column: 9 x 9 elements per plane walked,
  // 2 x 4 planes, so the store is 2 x 4 x (81 + 9 - 64 - 8) = 144 cycles longer.
  l.pool.kernel_h = l.pool.kernel_w = 3;
  l.pool.ceil_mode = true;
  const Tiling one{2, 4, 3, 2};
  EXPECT_EQ(EstimateCycles(l, hw, m, one).cycles - EstimateCycles(u, hw, m, one).cycles, 144);
  EXPECT_EQ(EstimateCycles(l, hw, m, one).dram_write_bytes, 2 * 4 * 4 * 4 * 2);
  EXPECT_EQ(MinDramBytes(l, hw) - MinDramBytes(u, hw), (2 * 4 * 16 - 2 * 4 * 64) * 2);
}

// --- Golden device and runtime ----------------------------------------------------------------------

TEST(PoolRuntime, RandomPooledLayersMatchTheGoldenModel) {
  const ArrayConfig& hw = ConfigByName("small");
  GoldenDevice dev(hw, kMemBase, kMemSize);
  pool_cases::RandomPooledLayers(dev, hw, 41, 40);
}

// The small array with a GLB roomy enough for any chunk of the random layers.
ArrayConfig RoomyConfig() {
  ArrayConfig c = ConfigByName("small");
  c.name = "small-roomy";
  c.glb_ifmap_words = c.glb_filter_words = c.glb_psum_words = 1 << 16;
  return c;
}

TEST(PoolRuntime, RandomPooledLayersInRowBandsMatchTheGoldenAndTheCostModel) {
  GoldenDevice dev(RoomyConfig(), kMemBase, kMemSize);
  pool_cases::RandomBandedPooledLayers(dev, RoomyConfig(), 42, 60);
}

TEST(PoolRuntime, GoldenDeviceWritesOnlyThePooledRowsEachBandCompletes) {
  // LayerP in bands of one strip of 4 rows: 2x2/2 completes pooled rows 0-1 in the first band
  // and 2-3 in the second; one write per image, filter and band of 2 x 4 words.
  const ArrayConfig hw = PoolCheckConfig();
  GoldenDevice dev(hw, kMemBase, kMemSize);
  Rng rng(5);
  pool_cases::PooledLayer d;
  d.layer = LayerP();
  d.x = SparseTensor(d.layer.x, rng);
  d.w = SparseTensor(d.layer.w, rng);
  d.path.requant.mult = {1};
  d.path.requant.shift = {4};
  d.path.pool = true;
  d.layer.pool = d.path.pool_params;
  const Tensor<int32_t> want = pool_cases::GoldenPooled(d);
  for (int sb : {1, 2}) {
    const LayerResult r = pool_cases::RunPooledTiled(dev, d, Tiling{2, 4, 3, sb});
    EXPECT_TRUE(SameTensor(r.y, want)) << "sb " + std::to_string(sb);
    EXPECT_EQ(r.counters.dram_wr_bytes, 256u);
  }
  // A window that starts in one band and ends in the next: 3x3/2 pad 1 over bands of 4 rows
  // (pooled row 2 covers ofmap rows 3-5).
  d.path.pool_params.kernel_h = d.path.pool_params.kernel_w = 3;
  d.path.pool_params.pad_top = d.path.pool_params.pad_left = 1;
  d.layer.pool = d.path.pool_params;
  EXPECT_TRUE(SameTensor(pool_cases::RunPooledTiled(dev, d, Tiling{2, 4, 3, 1}).y,
                         pool_cases::GoldenPooled(d)))
      << "3x3/2 pad 1 across bands";
}

TEST(PoolRuntime, PooledOutputsLandOnlyInTheirBuffer) {
  // The pooled y buffer (2 x 4 x 4 x 4 int16) is all the layer writes: every other DRAM byte
  // keeps its value, whatever the tiling.
  GoldenDevice dev(PoolCheckConfig(), kMemBase, 1 << 16);
  Rng rng(6);
  pool_cases::PooledLayer d;
  d.layer = LayerP();
  d.x = SparseTensor(d.layer.x, rng);
  d.w = SparseTensor(d.layer.w, rng);
  d.path.requant.mult = {3};
  d.path.requant.shift = {5};
  d.path.relu = true;
  d.path.pool = true;
  for (int sb : {1, 2}) {
    dev.FreeAll();
    std::vector<uint8_t> fill(1 << 16, 0xa5);
    dev.WriteMem(kMemBase, fill.data(), fill.size());
    ChainBuilder chain(dev);
    const int i = chain.AddConv(d.layer, d.x, d.w, nullptr, &d.path);
    const uint64_t head = chain.Commit();
    Desc desc = chain.layer(i).desc;
    desc.sb = sb;
    dev.Write(head, PackDesc(desc));
    std::vector<uint8_t> before(1 << 16), after(1 << 16);
    dev.ReadMem(kMemBase, before.data(), before.size());
    dev.RunChain(head, pool_cases::kTimeout);
    dev.ReadMem(kMemBase, after.data(), after.size());
    const uint64_t y = desc.y_addr - kMemBase;
    for (size_t b = 0; b < after.size(); ++b) {
      if (b >= y && b < y + 256) continue;
      ASSERT_EQ(after[b], before[b]) << "byte " << b << " outside y changed, sb " << sb;
    }
    EXPECT_TRUE(SameTensor(chain.ReadOutput(i), pool_cases::GoldenPooled(d))) << "y";
  }
}

TEST(PoolRuntime, OutputPathPoolingErrors) {
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  Rng rng(7);
  ConvLayer l = LayerP();
  l.post = 0;
  l.pooled = false;
  const Tensor<int16_t> x = SparseTensor(l.x, rng), w = SparseTensor(l.w, rng);
  ChainBuilder chain(dev);
  OutputPath p;
  p.bias = {1, 2, 3, 4};
  p.pool = true;
  try {
    chain.AddConv(l, x, w, nullptr, &p);
    ADD_FAILURE() << "pooled int32 accumulators";
  } catch (const UnsupportedError& e) {
    EXPECT_TRUE(Has(e.what(), "max pooling acts on requantized int16 outputs")) << e.what();
  }
  EXPECT_THROW(ApplyOutputPath(ConvAcc(x, w, l.conv), p), UnsupportedError);
  p.requant.mult = {1};
  p.requant.shift = {8};
  p.pool_params.kernel_h = p.pool_params.stride_h = 4;
  try {
    chain.AddConv(l, x, w, nullptr, &p);
    ADD_FAILURE() << "pooled with a 4x2 window";
  } catch (const UnsupportedError& e) {
    EXPECT_TRUE(Has(e.what(), "window 4x2 with stride 4x2 is outside the hardware's windows "
                              "and strides of 1..3"))
        << e.what();
    EXPECT_TRUE(Has(e.what(), "pool its outputs on the host")) << e.what();
  }
  p.pool_params = PoolParams{};
  p.pool_params.pad_top = 2;  // not below the 2-row window
  EXPECT_THROW(chain.AddConv(l, x, w, nullptr, &p), ShapeError);
  EXPECT_EQ(chain.size(), 0);
  // ApplyOutputPath pools after the activation.
  p.pool_params = PoolParams{};
  p.relu = true;
  QuantLayer q;
  q.conv = l.conv;
  q.bias = p.bias;
  q.requant = p.requant;
  q.relu = q.pool = true;
  EXPECT_TRUE(SameTensor(ApplyOutputPath(ConvAcc(x, w, l.conv), p), Widen(RunQuantLayer(x, w, q))))
      << "ApplyOutputPath";
}

TEST(PoolRuntime, PoolingThatCannotFuseRunsAsAStandalonePoolLayer) {
  // LayerL on LineBufferConfig needs row bands, whose line buffer would need 24 words of 16:
  // the runtime runs it unpooled, then a pool layer on its int16 outputs.
  GoldenDevice dev(LineBufferConfig(), kMemBase, kMemSize);
  Rng rng(8);
  pool_cases::PooledLayer d;
  d.layer = LayerL();
  d.x = SparseTensor(d.layer.x, rng);
  d.w = SparseTensor(d.layer.w, rng);
  d.path.bias = {100, -200, 300, -400};
  d.path.requant.mult = {1, 2, 3, -1};
  d.path.requant.shift = {5, 5, 6, 4};
  d.path.relu = true;
  d.path.pool = true;
  d.layer.pool = d.path.pool_params;
  ChainBuilder chain(dev);
  const int i = chain.AddConv(d.layer, d.x, d.w, nullptr, &d.path);
  ASSERT_EQ(chain.size(), 2);
  EXPECT_EQ(i, 1);
  EXPECT_FALSE(chain.layer(0).layer.pooled);
  EXPECT_TRUE(chain.layer(0).int16_out);
  EXPECT_EQ(chain.layer(0).out, (Shape{1, 4, 12, 12}));
  EXPECT_TRUE(chain.layer(1).pool_only);
  EXPECT_EQ(chain.layer(1).src, 0);
  EXPECT_EQ(chain.layer(1).out, (Shape{1, 4, 6, 6}));
  EXPECT_EQ(chain.layer(1).desc.x_addr, chain.layer(0).desc.y_addr);
  dev.RunChain(chain.Commit(), pool_cases::kTimeout);
  EXPECT_TRUE(SameTensor(chain.ReadOutput(i), pool_cases::GoldenPooled(d))) << "pooled";
  // Through RunConv the same, transparently.
  const LayerResult r = RunConv(dev, d.layer, d.x, d.w, nullptr, pool_cases::kTimeout, &d.path);
  EXPECT_TRUE(SameTensor(r.y, pool_cases::GoldenPooled(d))) << "RunConv";
  EXPECT_EQ(r.counters.descs, 2u);
  // With a large enough line buffer it fuses.
  ArrayConfig roomy = LineBufferConfig();
  roomy.pool_words = 24;
  GoldenDevice dev2(roomy, kMemBase, kMemSize);
  ChainBuilder fused(dev2);
  EXPECT_EQ(fused.AddConv(d.layer, d.x, d.w, nullptr, &d.path), 0);
  EXPECT_EQ(fused.size(), 1);
  EXPECT_TRUE(fused.layer(0).layer.pooled);
}

TEST(PoolRuntime, StandalonePoolLowering) {
  PoolParams p;
  p.kernel_h = 3;
  p.stride_h = 1;
  p.pad_top = 1;
  const ConvLayer l = PoolToConvLayer(Shape{2, 3, 7, 9}, p);
  EXPECT_EQ(l.x, (Shape{6, 1, 7, 9}));
  EXPECT_EQ(l.w, (Shape{1, 1, 1, 1}));
  EXPECT_EQ(l.Out(), (Shape{6, 1, 7, 9}));
  EXPECT_EQ(l.PooledOut(), (Shape{6, 1, 6, 4}));  // (7 + 1 - 3) + 1, (9 - 2) / 2 + 1
  EXPECT_EQ(PoolOutputShape(Shape{2, 3, 7, 9}, p), (Shape{2, 3, 6, 4}));
  EXPECT_EQ(l.post, kPostRequant);
  EXPECT_TRUE(l.pooled);
  EXPECT_EQ(l.conv.stride_h, 1);
  EXPECT_EQ(l.conv.pad_top, 0);
  const OutputPath path = PoolOutputPath(p);
  EXPECT_EQ(path.requant.mult, std::vector<int32_t>{1});
  EXPECT_EQ(path.requant.shift, std::vector<int>{0});
  EXPECT_TRUE(path.pool);
  EXPECT_TRUE(path.bias.empty());
  EXPECT_FALSE(path.relu || path.leaky);
  // The identity requantization keeps every int16, the rails included.
  Rng rng(9);
  Tensor<int16_t> x = SparseTensor(Shape{2, 3, 7, 9}, rng, 32767);
  x.data()[0] = -32768;
  x.data()[1] = 32767;
  Tensor<int16_t> one(l.w);
  one.data() = {1};
  Tensor<int16_t> xc(l.x);
  xc.data() = x.data();
  Tensor<int32_t> planes = ApplyOutputPath(ConvAcc(xc, one, l.conv), path);
  EXPECT_EQ(planes.data(), Widen(MaxPool(x, p)).data());
  // The descriptor of the lowering: kind CONV, one filter, the pooling.
  GoldenDevice dev(ConfigByName("tiny"), kMemBase, kMemSize);
  ChainBuilder chain(dev);
  const int i = chain.AddPool(x, p);
  const Desc& d = chain.layer(i).desc;
  EXPECT_EQ(d.kind, kDescKindConv);
  EXPECT_EQ(d.n, 6u);
  EXPECT_EQ(d.cg, 1u);
  EXPECT_EQ(d.mg, 1u);
  EXPECT_EQ(d.kr, 1u);
  EXPECT_EQ(d.post, kPostRequant);
  EXPECT_EQ(d.pool_kh, 3u);
  EXPECT_EQ(d.pool_eo, 6u);
  EXPECT_EQ(d.pool_fo, 4u);
  EXPECT_EQ(dev.Read<int16_t>(d.w_addr, 1), std::vector<int16_t>{1});
  EXPECT_EQ(dev.Read<int32_t>(d.pp_addr, 4), (std::vector<int32_t>{0, 1, 0, 0}));
  dev.RunChain(chain.Commit(), pool_cases::kTimeout);
  EXPECT_TRUE(SameTensor(chain.ReadOutput(i), Widen(MaxPool(x, p)))) << "AddPool";
  // Limits: windows over 3, too many images.
  p.kernel_w = 4;
  EXPECT_THROW(PoolToConvLayer(Shape{1, 1, 8, 8}, p), UnsupportedError);
  try {
    PoolToConvLayer(Shape{300, 300, 4, 4}, PoolParams{});
    ADD_FAILURE() << "accepted 90000 images";
  } catch (const UnsupportedError& e) {
    EXPECT_TRUE(Has(e.what(), "N*C = 90000")) << e.what();
  }
}

TEST(PoolRuntime, RandomStandalonePoolsMatchMaxPool) {
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  pool_cases::RandomStandalonePools(dev, 43, 30);
}

TEST(PoolRuntime, ChainedLayersReadTheirSourceInPlace) {
  // conv -> standalone pool -> conv -> fc, one chain, against the golden model step by step.
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  Rng rng(10);
  ChainBuilder chain(dev);
  const Tensor<int16_t> x = SparseTensor(Shape{2, 3, 10, 10}, rng);
  const Tensor<int16_t> w1 = SparseTensor(Shape{5, 3, 3, 3}, rng);
  ConvLayer l1;
  l1.x = x.shape();
  l1.w = w1.shape();
  OutputPath p1;
  p1.requant.mult = {1};
  p1.requant.shift = {6};
  p1.leaky = true;
  p1.leaky_mult = 77;
  p1.leaky_shift = 8;
  const int a = chain.AddConv(l1, x, w1, nullptr, &p1);
  const Tensor<int32_t> y1 = ApplyOutputPath(ConvAcc(x, w1, l1.conv), p1);  // 2 x 5 x 8 x 8
  Tensor<int16_t> y1s(y1.shape());
  std::copy(y1.data().begin(), y1.data().end(), y1s.data().begin());
  PoolParams pp;
  pp.kernel_h = pp.kernel_w = 3;
  pp.ceil_mode = true;  // 8 -> 4 with a -inf row and column
  const int b = chain.AddPoolAfter(a, pp);
  const Tensor<int16_t> y2 = MaxPool(y1s, pp);
  ASSERT_EQ(y2.shape(), (Shape{2, 5, 4, 4}));
  const Tensor<int16_t> w3 = SparseTensor(Shape{4, 5, 2, 2}, rng);
  ConvParams c3;
  c3.stride_h = c3.stride_w = 2;
  OutputPath p3;
  p3.bias = {1000, -1000, 0, 5};
  p3.requant.mult = {1, 1, 2, 2};
  p3.requant.shift = {5, 5, 5, 5};
  const int c = chain.AddConvAfter(b, w3, c3, nullptr, &p3);
  const Tensor<int32_t> y3 = ApplyOutputPath(ConvAcc(y2, w3, c3), p3);  // 2 x 4 x 2 x 2
  Tensor<int16_t> y3s(y3.shape());
  std::copy(y3.data().begin(), y3.data().end(), y3s.data().begin());
  const Tensor<int16_t> w4 = SparseTensor(Shape{3, 4, 2, 2}, rng);  // M x C x H x W weights
  const int e = chain.AddFcAfter(c, w4);  // int32 accumulators
  EXPECT_EQ(chain.layer(e).layer.w, (Shape{3, 16, 1, 1}));  // 4 x 2 x 2 read as 16 channels
  dev.RunChain(chain.Commit(), pool_cases::kTimeout);
  EXPECT_EQ(dev.ReadCounters().descs, 4u);
  EXPECT_TRUE(SameTensor(chain.ReadOutput(a), y1)) << "conv + leaky";
  EXPECT_TRUE(SameTensor(chain.ReadOutput(b), Widen(y2))) << "pool";
  EXPECT_TRUE(SameTensor(chain.ReadOutput(c), y3)) << "strided conv";
  EXPECT_TRUE(SameTensor(chain.ReadOutput(e), FcAcc(y3s, w4))) << "fc";
  // A layer after int32 accumulators, or after a layer not in the chain, is refused.
  try {
    chain.AddPoolAfter(e, pp);
    ADD_FAILURE() << "pooled int32 accumulators";
  } catch (const UnsupportedError& err) {
    EXPECT_TRUE(Has(err.what(), "source layer 3")) << err.what();
    EXPECT_TRUE(Has(err.what(), "int32 accumulators")) << err.what();
  }
  EXPECT_THROW(chain.AddFcAfter(e, w4), UnsupportedError);
  EXPECT_THROW(chain.AddConvAfter(7, w3, c3), Error);
  EXPECT_THROW(chain.AddConvAfter(-1, w3, c3), Error);
  // Weights whose channels do not match the source's.
  EXPECT_THROW(chain.AddConvAfter(b, SparseTensor(Shape{4, 3, 2, 2}, rng), c3), ShapeError);
  EXPECT_THROW(chain.AddFcAfter(b, SparseTensor(Shape{3, 1, 1, 79}, rng)), ShapeError);
  EXPECT_EQ(chain.size(), 4);
}

TEST(PoolRuntime, LeNet5RunsAsOneChainOnEyeriss) {
  GoldenDevice dev(ConfigByName("eyeriss"), kMemBase, kMemSize);
  pool_cases::LeNetChain(dev, 2, 44);
}

}  // namespace
}  // namespace eyelet
