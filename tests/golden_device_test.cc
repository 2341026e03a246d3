// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The golden device (eyelet/golden_device.h): CSRs, interrupt, the descriptor walker and its
// error codes, and the DRAM bytes it moves per channel chunk and row band, all against the
// golden model (ConvAcc) and hand-derived byte counts.
#include "eyelet/golden_device.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/runtime.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::BandConfig;
using test::BaseDesc;
using test::CheckConfig;
using test::Conv;
using test::DrawShape;
using test::HexStr;
using test::kMemBase;
using test::kMemSize;
using test::LayerA;
using test::ReadBytes;
using test::RunTiled;
using test::SameTensor;
using test::SparseTensor;
using test::WithGlb;

const ConvLayer kLayerA = LayerA();

struct BadDesc {
  const char* name;
  ErrCode code;
  int index;  // of the failing descriptor in the chain: good A -> bad copy of A -> ...
  void (*mutate)(Desc&);
};

constexpr uint64_t kOutside = 0x1000;                    // below the DRAM window
constexpr uint64_t kTop = (1ull << 32) - 8;              // last aligned 8 bytes of 32-bit space
constexpr uint64_t kMemLast = kMemBase + kMemSize - 64;  // 64 bytes before the window ends

const BadDesc kBadDescs[] = {
    {"MagicWrong", ErrCode::kDescMagic, 1, [](Desc& d) { d.magic = 0xE1E6; }},
    {"VersionWrong", ErrCode::kDescMagic, 1, [](Desc& d) { d.version = 1; }},
    {"KindZero", ErrCode::kDescKind, 1, [](Desc& d) { d.kind = 0; }},
    {"KindTwo", ErrCode::kDescKind, 1, [](Desc& d) { d.kind = 2; }},
    {"ZeroN", ErrCode::kDescZero, 1, [](Desc& d) { d.n = 0; }},
    {"ZeroGroups", ErrCode::kDescZero, 1, [](Desc& d) { d.groups = 0; }},
    {"ZeroNb", ErrCode::kDescZero, 1, [](Desc& d) { d.nb = 0; }},
    {"ZeroMb", ErrCode::kDescZero, 1, [](Desc& d) { d.mb = 0; }},
    {"ZeroMbc", ErrCode::kDescZero, 1, [](Desc& d) { d.mbc = 0; }},
    {"ZeroCbc", ErrCode::kDescZero, 1, [](Desc& d) { d.cbc = 0; }},
    {"ZeroCg", ErrCode::kDescZero, 1, [](Desc& d) { d.cg = 0; }},
    {"ZeroH", ErrCode::kDescZero, 1, [](Desc& d) { d.h = 0; }},
    {"ZeroW", ErrCode::kDescZero, 1, [](Desc& d) { d.w = 0; }},
    {"ZeroMg", ErrCode::kDescZero, 1, [](Desc& d) { d.mg = 0; }},
    {"ZeroKr", ErrCode::kDescZero, 1, [](Desc& d) { d.kr = 0; }},
    {"ZeroKs", ErrCode::kDescZero, 1, [](Desc& d) { d.ks = 0; }},
    {"ZeroEo", ErrCode::kDescZero, 1, [](Desc& d) { d.eo = 0; }},
    {"ZeroFo", ErrCode::kDescZero, 1, [](Desc& d) { d.fo = 0; }},
    {"ZeroUh", ErrCode::kDescZero, 1, [](Desc& d) { d.uh = 0; }},
    {"ZeroUw", ErrCode::kDescZero, 1, [](Desc& d) { d.uw = 0; }},
    {"ZeroE", ErrCode::kDescZero, 1, [](Desc& d) { d.e = 0; }},
    {"ZeroP", ErrCode::kDescZero, 1, [](Desc& d) { d.p = 0; }},
    {"ZeroQ", ErrCode::kDescZero, 1, [](Desc& d) { d.q = 0; }},
    {"ZeroR", ErrCode::kDescZero, 1, [](Desc& d) { d.r = 0; }},
    {"ZeroT", ErrCode::kDescZero, 1, [](Desc& d) { d.t = 0; }},
    {"ZeroRg", ErrCode::kDescZero, 1, [](Desc& d) { d.rg = 0; }},
    {"ZeroNrg", ErrCode::kDescZero, 1, [](Desc& d) { d.nrg = 0; }},
    {"ZeroTv", ErrCode::kDescZero, 1, [](Desc& d) { d.tv = 0; }},
    {"ZeroTh", ErrCode::kDescZero, 1, [](Desc& d) { d.th = 0; }},
    {"ZeroCb", ErrCode::kDescZero, 1, [](Desc& d) { d.cb = 0; }},
    {"ZeroStrips", ErrCode::kDescZero, 1, [](Desc& d) { d.strips = 0; }},
    {"ZeroSb", ErrCode::kDescZero, 1, [](Desc& d) { d.sb = 0; }},
    {"ImageChunkAboveN", ErrCode::kDescMapping, 1, [](Desc& d) { d.nb = 3; }},
    {"FilterChunkAboveMb", ErrCode::kDescMapping, 1, [](Desc& d) { d.mbc = 3; }},
    {"ChannelChunkAboveCb", ErrCode::kDescMapping, 1, [](Desc& d) { d.cbc = 3; }},
    {"TooFewFilterBlocks", ErrCode::kDescMapping, 1, [](Desc& d) { d.mb = d.mbc = 1; }},
    {"OneFilterBlockTooMany", ErrCode::kDescMapping, 1, [](Desc& d) { d.mb = 3; }},
    {"TooFewChannelBlocks", ErrCode::kDescMapping, 1, [](Desc& d) { d.cb = 1; }},
    {"OneChannelBlockTooMany", ErrCode::kDescMapping, 1, [](Desc& d) { d.cb = 3; }},
    {"TooFewFilterRows", ErrCode::kDescMapping, 1, [](Desc& d) { d.rg = 2; }},
    {"OneRowGroupTooMany", ErrCode::kDescMapping, 1, [](Desc& d) { d.nrg = 2; }},
    {"TooFewStrips", ErrCode::kDescMapping, 1, [](Desc& d) { d.strips = 1; }},
    {"OneStripTooMany", ErrCode::kDescMapping, 1, [](Desc& d) { d.strips = 3; }},
    {"TooFewChains", ErrCode::kDescMapping, 1, [](Desc& d) { d.th = 1; }},
    {"OneChainColumnTooMany", ErrCode::kDescMapping, 1, [](Desc& d) { d.th = 3; }},
    {"IfmapRowTooWide", ErrCode::kDescMapping, 1, [](Desc& d) { d.fo = 1023, d.uw = 3; }},
    {"BandAboveStrips", ErrCode::kDescMapping, 1, [](Desc& d) { d.sb = 3; }},
    // With pad_top 1 the window of ofmap row 7 starts at ifmap row 6, below the 6 rows.
    {"LastRowInBottomPadding", ErrCode::kDescMapping, 1,
     [](Desc& d) { d.eo = 8, d.strips = d.sb = 3; }},
    // 255 images x 258 strips of one row per band.
    {"TooManyRowsPerPass", ErrCode::kDescMapping, 1,
     [](Desc& d) { d.n = d.nb = 255, d.e = 1, d.h = d.strips = d.eo = d.sb = 258; }},
    {"TooManyRows", ErrCode::kDescArray, 1, [](Desc& d) { d.rg = 7; }},
    {"TooManyColumns", ErrCode::kDescArray, 1, [](Desc& d) { d.e = 21, d.strips = d.sb = 1; }},
    // 2 + 17 x 15 = 257 diagonals; 76 ifmap rows reach the window of ofmap row 5 (row 74).
    {"TooManyDiagonals", ErrCode::kDescArray, 1,
     [](Desc& d) { d.e = 18, d.strips = d.sb = 1, d.uh = 15, d.h = 76; }},
    {"IfmapSpad", ErrCode::kDescSpad, 1, [](Desc& d) { d.ks = 13; }},
    {"FilterSpad", ErrCode::kDescSpad, 1, [](Desc& d) { d.p = 19, d.mb = d.mbc = 1, d.ks = 12; }},
    {"PsumSpad", ErrCode::kDescSpad, 1, [](Desc& d) { d.p = 25, d.mb = d.mbc = 1; }},
    // One band loads whole channels: 2 images x 3 channels x 100 x 6 = 3600 words, though
    // the windows of the 6 ofmap rows reach only 8 rows.
    {"GlbIfmap", ErrCode::kDescGlb, 1, [](Desc& d) { d.h = 100; }},
    // One channel block (r*q = 2 channels) of 2 images is 2 x 2 x 100 x 6 = 2400 words.
    {"GlbIfmapOfAChannelChunk", ErrCode::kDescGlb, 1, [](Desc& d) { d.h = 100, d.cbc = 1; }},
    // Bands of 9 strips of 3 rows read 29 ifmap rows: 2 x 3 x 29 x 6 = 1044 words.
    {"GlbIfmapOfABand", ErrCode::kDescGlb, 1,
     [](Desc& d) { d.h = d.eo = 60, d.strips = 20, d.sb = 9; }},
    {"GlbFilter", ErrCode::kDescGlb, 1, [](Desc& d) { d.ks = 4; }},
    // 4 filters x 2 channels x 3 x 9 = 216 words.
    {"GlbFilterOfAChannelChunk", ErrCode::kDescGlb, 1, [](Desc& d) { d.ks = 9, d.cbc = 1; }},
    // mbc x nb x sb x fo = 2 x 2 x 2 x 70 = 560 psum words per bank.
    {"GlbPsum", ErrCode::kDescGlb, 1, [](Desc& d) { d.fo = 70; }},
    {"IfmapUnaligned", ErrCode::kDescAlign, 1, [](Desc& d) { d.x_addr += 2; }},
    {"WeightsUnaligned", ErrCode::kDescAlign, 1, [](Desc& d) { d.w_addr += 4; }},
    {"OutputsUnaligned", ErrCode::kDescAlign, 1, [](Desc& d) { d.y_addr += 4; }},
    {"NextUnaligned", ErrCode::kDescAlign, 1, [](Desc& d) { d.next = kMemBase + 4; }},
    {"IfmapBeyondAddressSpace", ErrCode::kDescRange, 1, [](Desc& d) { d.x_addr = kTop; }},
    {"WeightsBeyondAddressSpace", ErrCode::kDescRange, 1, [](Desc& d) { d.w_addr = kTop; }},
    {"OutputsBeyondAddressSpace", ErrCode::kDescRange, 1, [](Desc& d) { d.y_addr = kTop; }},
    {"NextBeyondAddressSpace", ErrCode::kDescRange, 2, [](Desc& d) { d.next = kTop; }},
    {"IfmapOutsideMemory", ErrCode::kAxiRdDecerr, 1, [](Desc& d) { d.x_addr = kOutside; }},
    {"IfmapEndsOutsideMemory", ErrCode::kAxiRdDecerr, 1, [](Desc& d) { d.x_addr = kMemLast; }},
    {"WeightsOutsideMemory", ErrCode::kAxiRdDecerr, 1, [](Desc& d) { d.w_addr = kOutside; }},
    {"NextOutsideMemory", ErrCode::kAxiRdDecerr, 2, [](Desc& d) { d.next = kOutside; }},
    {"OutputsOutsideMemory", ErrCode::kAxiWrDecerr, 1, [](Desc& d) { d.y_addr = kOutside; }},
    {"OutputsEndOutsideMemory", ErrCode::kAxiWrDecerr, 1, [](Desc& d) { d.y_addr = kMemLast; }},
};

class BadDescTest : public testing::TestWithParam<BadDesc> {};

TEST_P(BadDescTest, StopsTheChainWithItsCodeAndTheDeviceRunsOn) {
  const BadDesc& bad = GetParam();
  GoldenDevice dev(CheckConfig(), kMemBase, kMemSize);
  ASSERT_EQ(CheckDesc(BaseDesc(0, 0, 0), dev.ReadHwInfo()), ErrCode::kNone);
  Rng rng(11);
  const Tensor<int16_t> x = SparseTensor(kLayerA.x, rng), w = SparseTensor(kLayerA.w, rng);
  const uint64_t xa = dev.Alloc(x.size() * 2), wa = dev.Alloc(w.size() * 2);
  const uint64_t ya = dev.Alloc(kLayerA.Out().Size() * 4), da = dev.Alloc(2 * kDescBytes);
  dev.Write(xa, x.data());
  dev.Write(wa, w.data());
  Desc good = BaseDesc(xa, wa, ya), broken = BaseDesc(xa, wa, ya);
  good.next = da + kDescBytes;
  bad.mutate(broken);
  dev.Write(da, PackDesc(good));
  dev.Write(da + kDescBytes, PackDesc(broken));
  try {
    dev.RunChain(da, 1000);
    FAIL() << "chain ran to its end";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), bad.code) << e.what();
    EXPECT_EQ(e.desc_index(), bad.index) << e.what();
    const std::string what = e.what();
    EXPECT_NE(what.find(ErrCodeText(bad.code)), std::string::npos) << what;
    EXPECT_NE(what.find("descriptor " + std::to_string(bad.index)), std::string::npos) << what;
  }
  EXPECT_EQ(dev.ReadCsr(kCsrStatus),
            static_cast<uint32_t>(bad.index) << 16 | static_cast<uint32_t>(bad.code) << 8);
  EXPECT_EQ(dev.ReadCsr(kCsrIrq), 0u);  // cleared by RunChain
  EXPECT_EQ(dev.ReadCounters().descs, static_cast<uint64_t>(bad.index));
  // The first descriptor's outputs stay.
  Tensor<int32_t> y(kLayerA.Out());
  y.data() = dev.Read<int32_t>(ya, y.size());
  EXPECT_TRUE(SameTensor(y, ConvAcc(x, w, kLayerA.conv))) << "layer A";

  // A good chain on the same device runs.
  const ConvLayer b = Conv({1, 4, 7, 5}, {3, 4, 2, 3}, 1, 0);
  const Tensor<int16_t> xb = SparseTensor(b.x, rng), wb = SparseTensor(b.w, rng);
  EXPECT_TRUE(SameTensor(RunConv(dev, b, xb, wb).y, ConvAcc(xb, wb, b.conv))) << "layer B";
}

INSTANTIATE_TEST_SUITE_P(Driver, BadDescTest, testing::ValuesIn(kBadDescs),
                         [](const testing::TestParamInfo<BadDesc>& info) {
                           return std::string(info.param.name);
                         });

TEST(GoldenDevice, DescriptorAddressIsCheckedBeforeTheFetch) {
  GoldenDevice dev(CheckConfig(), kMemBase, kMemSize);
  const std::pair<uint64_t, ErrCode> cases[] = {{kMemBase + 4, ErrCode::kDescAlign},
                                                {kTop, ErrCode::kDescRange},
                                                {kOutside, ErrCode::kAxiRdDecerr},
                                                {kMemBase + kMemSize - 8, ErrCode::kAxiRdDecerr}};
  for (const auto& [addr, code] : cases) {
    try {
      dev.RunChain(addr, 1000);
      ADD_FAILURE() << "ran from " << addr;
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_EQ(e.desc_index(), 0);
    }
    const DeviceCounters c = dev.ReadCounters();
    EXPECT_EQ(c.descs, 0u);
    EXPECT_EQ(c.dram_rd_bytes, 0u);
  }
}

// --- Golden device CSRs -------------------------------------------------------------------------

TEST(GoldenDevice, HardwareInfoComesFromTheConfig) {
  const ArrayConfig& small = ConfigByName("small");
  GoldenDevice dev(small, kMemBase, kMemSize, 40);
  EXPECT_EQ(dev.Name(), "golden:small");
  EXPECT_EQ(dev.ReadCsr(kCsrId), 0x45594c54u);
  EXPECT_EQ(dev.ReadCsr(kCsrVersion), kCsrVersionValue);
  EXPECT_EQ(dev.ReadCsr(kCsrHwArray), 0x00060007u);
  EXPECT_EQ(dev.ReadCsr(kCsrHwSpad), 0x0c1800e0u);  // 12, 24, 224
  EXPECT_EQ(dev.ReadCsr(kCsrHwWidths), 0x04102008u);  // filter GIN 4 words, 16, 32, 8
  EXPECT_EQ(dev.ReadCsr(kCsrHwAddr), 40u);
  const HwInfo hw = dev.ReadHwInfo();
  EXPECT_EQ(hw.id, 0x45594c54u);
  EXPECT_EQ(hw.version, kCsrVersionValue);
  EXPECT_EQ(hw.axi_bytes, 8);
  EXPECT_EQ(hw.filter_gin_words, 4);
  EXPECT_EQ(hw.addr_bits, 40);
  const ArrayConfig c = hw.ToArrayConfig("again");
  EXPECT_EQ(c.name, "again");
  EXPECT_EQ(c.rows, small.rows);
  EXPECT_EQ(c.cols, small.cols);
  EXPECT_EQ(c.ifmap_depth, small.ifmap_depth);
  EXPECT_EQ(c.filter_depth, small.filter_depth);
  EXPECT_EQ(c.psum_depth, small.psum_depth);
  EXPECT_EQ(c.data_bits, small.data_bits);
  EXPECT_EQ(c.acc_bits, small.acc_bits);
  EXPECT_EQ(c.glb_ifmap_words, small.glb_ifmap_words);
  EXPECT_EQ(c.glb_filter_words, small.glb_filter_words);
  EXPECT_EQ(c.glb_psum_words, small.glb_psum_words);
  EXPECT_EQ(c.filter_gin_words, small.filter_gin_words);
}

// A device whose filter GIN is narrower than the config's (or whose filter spads differ) is
// refused by name: the mapper would time, and the cost model count, beats it does not have.
TEST(GoldenDevice, DeviceConfigCheckNamesTheFilterGinWidth) {
  const ArrayConfig& small = ConfigByName("small");
  GoldenDevice same(small, kMemBase, kMemSize);
  EXPECT_NO_THROW(CheckDeviceConfig(same, small, "fix it"));
  ArrayConfig narrow = small;
  narrow.filter_gin_words = 1;
  GoldenDevice dev(narrow, kMemBase, kMemSize);
  try {
    CheckDeviceConfig(dev, small, "rebuild it");
    FAIL() << "a 1-word filter GIN passed as small's";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "golden:small: the hardware of 'small' reports 224-word filter spads and a filter "
              "GIN of 1 words a beat, where 'small' has 224 and 4; rebuild it");
  }
}

TEST(GoldenDevice, BadRegisterAccessesAnswerSlverrAndChangeNothing) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase, kMemSize);
  dev.WriteCsr(kCsrDescBaseLo, 0x1234);
  auto expect_slverr = [](auto access, const std::string& offset) {
    try {
      access();
      ADD_FAILURE() << "no error at " << offset;
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), ErrCode::kNone);
      EXPECT_EQ(e.desc_index(), -1);
      EXPECT_NE(std::string(e.what()).find("SLVERR at offset " + offset), std::string::npos)
          << e.what();
    }
  };
  expect_slverr([&] { dev.ReadCsr(0x090); }, "0x90");
  expect_slverr([&] { dev.ReadCsr(kCsrCntDramFltBytes + 4); }, "0x8c");
  expect_slverr([&] { dev.ReadCsr(kCsrDescBaseLo + 1); }, "0x31");
  expect_slverr([&] { dev.ReadCsr(0x1000); }, "0x1000");
  expect_slverr([&] { dev.WriteCsr(0xffc, 1); }, "0xffc");
  expect_slverr([&] { dev.WriteCsr(kCsrDescBaseLo + 2, 1); }, "0x32");
  for (const CsrInfo& c : kCsrs) {
    if (std::string(c.access) != "ro") continue;
    const uint32_t before = dev.ReadCsr(c.offset);
    expect_slverr([&] { dev.WriteCsr(c.offset, ~before); }, HexStr(c.offset));
    EXPECT_EQ(dev.ReadCsr(c.offset), before) << c.name;
  }
  EXPECT_EQ(dev.ReadCsr(kCsrDescBaseLo), 0x1234u);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), 0u);
}

TEST(GoldenDevice, ControlStatusAndInterrupt) {
  GoldenDevice dev(CheckConfig(), kMemBase, kMemSize);
  Rng rng(3);
  const Tensor<int16_t> x = SparseTensor(kLayerA.x, rng), w = SparseTensor(kLayerA.w, rng);
  const uint64_t xa = dev.Alloc(x.size() * 2), wa = dev.Alloc(w.size() * 2);
  const uint64_t ya = dev.Alloc(kLayerA.Out().Size() * 4), da = dev.Alloc(kDescBytes);
  dev.Write(xa, x.data());
  dev.Write(wa, w.data());
  dev.Write(da, PackDesc(BaseDesc(xa, wa, ya)));
  dev.WriteCsr(kCsrDescBaseLo, static_cast<uint32_t>(da));
  dev.WriteCsr(kCsrDescBaseHi, 0);
  EXPECT_EQ(dev.ReadCsr(kCsrDescBaseLo), static_cast<uint32_t>(da));
  // Start without the interrupt enable: done and the IRQ event, but the line stays low.
  dev.WriteCsr(kCsrCtrl, kCtrlStart);
  EXPECT_EQ(dev.ReadCsr(kCsrCtrl), 0u);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), kStatusDone);
  EXPECT_EQ(dev.ReadCsr(kCsrIrq), kIrqDone);
  EXPECT_FALSE(dev.WaitIrq(100));
  dev.WriteCsr(kCsrCtrl, kCtrlIrqEnable);
  EXPECT_EQ(dev.ReadCsr(kCsrCtrl), kCtrlIrqEnable);
  EXPECT_TRUE(dev.WaitIrq(100));
  dev.WriteCsr(kCsrIrq, kIrqError);  // the other bit: nothing cleared
  EXPECT_TRUE(dev.WaitIrq(100));
  dev.WriteCsr(kCsrIrq, kIrqDone);
  EXPECT_FALSE(dev.WaitIrq(100));
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), kStatusDone);  // done stays until the next start
  // A failing run: error event, code and index, done clear; start clears the error.
  dev.WriteCsr(kCsrDescBaseLo, static_cast<uint32_t>(da + 8));
  dev.WriteCsr(kCsrCtrl, kCtrlIrqEnable | kCtrlStart);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), static_cast<uint32_t>(ErrCode::kDescMagic) << 8);
  EXPECT_EQ(dev.ReadCsr(kCsrIrq), kIrqError);
  EXPECT_TRUE(dev.WaitIrq(100));
  dev.WriteCsr(kCsrDescBaseLo, static_cast<uint32_t>(da));
  dev.WriteCsr(kCsrCtrl, kCtrlIrqEnable | kCtrlStart);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), kStatusDone);
  EXPECT_EQ(dev.ReadCsr(kCsrIrq), kIrqDone | kIrqError);  // a start does not clear IRQ
  // Soft reset clears STATUS and IRQ and keeps the enable and DESC_BASE; a start in the same
  // write is ignored.
  dev.WriteCsr(kCsrCtrl, kCtrlIrqEnable | kCtrlSoftReset | kCtrlStart);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), 0u);
  EXPECT_EQ(dev.ReadCsr(kCsrIrq), 0u);
  EXPECT_EQ(dev.ReadCsr(kCsrCtrl), kCtrlIrqEnable);
  EXPECT_EQ(dev.ReadCsr(kCsrDescBaseLo), static_cast<uint32_t>(da));
  EXPECT_EQ(dev.ReadCounters().descs, 1u);  // of the last run
}

TEST(GoldenDevice, EndlessChainTimesOutAndIsSoftReset) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase, kMemSize);
  const ConvLayer l = Conv({1, 1, 1, 1}, {1, 1, 1, 1}, 1, 0);
  ChainBuilder chain(dev);
  Rng rng(5);
  chain.AddConv(l, SparseTensor(l.x, rng), SparseTensor(l.w, rng));
  const uint64_t da = chain.Commit();
  Desc d = chain.layer(0).desc;
  d.next = da;  // a cycle
  dev.Write(da, PackDesc(d));
  // The driver refuses it before the start (Device::CheckChainEnds) ...
  try {
    dev.RunChain(da, 12345);
    FAIL() << "an endless chain started";
  } catch (const TimeoutError&) {
    FAIL() << "an endless chain started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("loops"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dev.ReadCounters().descs, 0u);
  // ... started by hand, the device walks it to its chain limit and stays busy: no interrupt.
  dev.WriteCsr(kCsrDescBaseLo, static_cast<uint32_t>(da));
  dev.WriteCsr(kCsrDescBaseHi, static_cast<uint32_t>(da >> 32));
  dev.WriteCsr(kCsrCtrl, kCtrlIrqEnable | kCtrlStart);
  EXPECT_FALSE(dev.WaitIrq(12345));
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), kStatusBusy);
  dev.SoftReset();
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), 0u);
  EXPECT_EQ(dev.ReadCounters().descs, static_cast<uint64_t>(GoldenDevice::kMaxChain));
  // Busy ignores a start; soft reset ends the run.
  dev.WriteCsr(kCsrCtrl, kCtrlStart);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), kStatusBusy);
  EXPECT_EQ(dev.ReadCsr(kCsrCntDescs), static_cast<uint32_t>(GoldenDevice::kMaxChain));
  dev.WriteCsr(kCsrCtrl, kCtrlStart);  // ignored while busy
  EXPECT_EQ(dev.ReadCsr(kCsrCntDescs), static_cast<uint32_t>(GoldenDevice::kMaxChain));
  dev.SoftReset();
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), 0u);
  d.next = 0;
  dev.Write(da, PackDesc(d));
  dev.RunChain(da, 1);
  EXPECT_EQ(dev.ReadCounters().descs, 1u);
}

TEST(GoldenDevice, HostAccessOutsideTheWindowThrows) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase, kMemSize);
  uint8_t b[16] = {};
  EXPECT_THROW(dev.WriteMem(kMemBase - 1, b, 2), Error);
  EXPECT_THROW(dev.WriteMem(kMemBase + kMemSize - 8, b, 16), Error);
  EXPECT_THROW(dev.ReadMem(kMemBase + kMemSize, b, 1), Error);
  dev.WriteMem(kMemBase + kMemSize - 16, b, 16);
  dev.Write<int32_t>(kMemBase, {-2, 0x01020304});
  EXPECT_EQ(dev.Read<uint8_t>(kMemBase, 8),
            (std::vector<uint8_t>{0xfe, 0xff, 0xff, 0xff, 0x04, 0x03, 0x02, 0x01}));
  EXPECT_EQ(dev.Read<int16_t>(kMemBase, 2), (std::vector<int16_t>{-2, -1}));
}

TEST(GoldenDevice, ConfigurationsItCannotModelAreRejected) {
  ArrayConfig c = ConfigByName("tiny");
  c.data_bits = 8;
  EXPECT_THROW(GoldenDevice{c}, UnsupportedError);
  EXPECT_THROW(GoldenDevice(ConfigByName("tiny"), 0xffff'0000, 1 << 20, 32), UnsupportedError);
  EXPECT_THROW(GoldenDevice(ConfigByName("tiny"), 0, 1 << 20, 0), UnsupportedError);
}

// --- Channel chunks -----------------------------------------------------------------------------

// Layer C: 3 images of 6 channels 5 x 5 (900 bytes in all), 4 filters 3 x 3 (432 bytes), pad 1,
// so 3 x 4 x 5 x 5 outputs (1200 bytes). Its mapping on `small` has channel blocks of
// r*q = 2 and filter blocks of t*p = 2: cb = 3, mb = 2.
const ConvLayer kLayerC = Conv({3, 6, 5, 5}, {4, 6, 3, 3}, 1, 1);

RsMapping MappingC() {
  RsMapping m;
  m.e = 3, m.p = 1, m.q = 1, m.r = 2, m.t = 2;
  EXPECT_EQ(CompleteMapping(kLayerC, ConfigByName("small"), m), "");
  return m;
}

TEST(GoldenDevice, ChannelChunksMoveTheBytesOfTheContract) {
  // An ifmap area of 256 words holds every chunk below but not all 6 channels of 2 or 3
  // images (300, 450 words): with several filter chunks the ifmaps come again for each.
  const ArrayConfig hw = WithGlb("small", "small-256", 256, 4096, 4096);
  GoldenDevice dev(hw, kMemBase, kMemSize);
  Rng rng(31);
  const Tensor<int16_t> x = SparseTensor(kLayerC.x, rng), w = SparseTensor(kLayerC.w, rng);
  const Tensor<int32_t> want = ConvAcc(x, w, kLayerC.conv);
  const RsMapping m = MappingC();
  const struct {
    Tiling tiling;
    uint64_t cbc;
    uint64_t read;  // descriptor + ifmap + filter bytes
    const char* what;
  } cases[] = {
      {{3, 4, 2},
       1,
       kDescBytes + 900 + 432,
       "3 channel chunks of 2, one image and one filter chunk"},
      {{3, 2, 2},
       1,
       kDescBytes + 2 * 900 + 432,
       "2 filter chunks: the ifmaps once per filter chunk"},
      {{1, 4, 2},
       1,
       kDescBytes + 900 + 3 * 432,
       "3 image chunks: the filters once per image chunk"},
      {{2, 2, 4}, 2, kDescBytes + 2 * 900 + 2 * 432, "2 image, 2 filter, 2 channel chunks (4 + 2)"},
      {{1, 4, 6},
       3,
       kDescBytes + 900 + 432,
       "one channel chunk: the filters stay, the ifmaps once"},
      {{1, 2, 6}, 3, kDescBytes + 900 + 3 * 432, "one channel chunk, 2 filter chunks"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Desc d = RunTiled(dev, kLayerC, m, c.tiling, x, w);
    EXPECT_EQ(d.cbc, c.cbc);
    const DeviceCounters got = dev.ReadCounters();
    EXPECT_EQ(got.descs, 1u);
    EXPECT_EQ(got.dram_rd_bytes, c.read);
    EXPECT_EQ(got.dram_wr_bytes, 1200u);  // every output once, after the last channel chunk
    Tensor<int32_t> y(kLayerC.Out());
    y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
    EXPECT_TRUE(SameTensor(y, want)) << c.what;
    // The cost model counts the same bytes.
    const CycleEstimate e = EstimateCycles(kLayerC, hw, m, c.tiling);
    EXPECT_EQ(static_cast<uint64_t>(e.dram_read_bytes) + kDescBytes, c.read);
    EXPECT_EQ(e.dram_write_bytes, 1200);
  }
  // On `small` (8,192 ifmap words) all channels of the chunk's images fit at once: each
  // channel chunk keeps its slot (x_res) and the ifmaps are read once.
  const ArrayConfig& small = ConfigByName("small");
  GoldenDevice wide(small, kMemBase, kMemSize);
  for (const Tiling& t : {Tiling{3, 2, 2}, Tiling{2, 2, 4}}) {
    SCOPED_TRACE("small, nb " + std::to_string(t.nb) + " cc " + std::to_string(t.cc));
    const Desc d = RunTiled(wide, kLayerC, m, t, x, w);
    EXPECT_EQ(wide.ReadCounters().dram_rd_bytes, kDescBytes + 900 + 432 * (t.nb == 2 ? 2 : 1));
    Tensor<int32_t> y(kLayerC.Out());
    y.data() = wide.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
    EXPECT_TRUE(SameTensor(y, want));
    EXPECT_EQ(static_cast<uint64_t>(EstimateCycles(kLayerC, small, m, t).dram_read_bytes) +
                  kDescBytes,
              wide.ReadCounters().dram_rd_bytes);
  }
}

TEST(GoldenDevice, OutputsAreWrittenOnlyAfterTheLastChannelChunk) {
  // Image 0's channels 0-3 (200 bytes) lie inside the DRAM window and channels 4-5 beyond its
  // end; the outputs lie below it. In chunks of 2 channels the third chunk's ifmap read comes
  // before the first output write, so the read fails; with the ifmaps inside, the write does.
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  Rng rng(32);
  const Tensor<int16_t> x = SparseTensor(kLayerC.x, rng), w = SparseTensor(kLayerC.w, rng);
  const RsMapping m = MappingC();
  const std::pair<uint64_t, ErrCode> cases[] = {{kMemBase + kMemSize - 256, ErrCode::kAxiRdDecerr},
                                                {0, ErrCode::kAxiWrDecerr}};
  for (const auto& [x_addr, code] : cases) {
    try {
      RunTiled(dev, kLayerC, m, Tiling{1, 4, 2}, x, w, x_addr, kOutside);
      ADD_FAILURE() << "ran with x at " << HexStr(x_addr);
    } catch (const DeviceError& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_EQ(e.desc_index(), 0);
    }
  }
}

// --- Row bands ----------------------------------------------------------------------------------

// Layer D: 2 images of 3 channels 11 x 7, 4 filters 3 x 3, stride 2, pad 1: 6 x 4 outputs per
// filter. Its mapping on `small` has sets of e = 2 ofmap rows (3 strips), filter blocks of
// t*p = 2 and channel blocks of r*q = 1. Bands of one strip read ifmap rows 0-3 (row -1 is
// padding), 3-7 and 7-10 (the window of ofmap row 5, rows 9-11, ends in padding): 13 rows per
// channel; bands of 2 strips rows 0-7 and 7-10, 12 rows; one band all 11.
const ConvLayer kLayerD = Conv({2, 3, 11, 7}, {4, 3, 3, 3}, 2, 1);

RsMapping MappingD() {
  RsMapping m;
  m.e = 2, m.p = 1, m.q = 1, m.r = 1, m.t = 2;
  EXPECT_EQ(CompleteMapping(kLayerD, ConfigByName("small"), m), "");
  EXPECT_EQ(m.strips, 3);
  return m;
}

TEST(GoldenDevice, RowBandsMoveTheBytesOfTheContract) {
  const ArrayConfig& hw = ConfigByName("small");
  GoldenDevice dev(hw, kMemBase, kMemSize);
  Rng rng(33);
  const Tensor<int16_t> x = SparseTensor(kLayerD.x, rng), w = SparseTensor(kLayerD.w, rng);
  const Tensor<int32_t> want = ConvAcc(x, w, kLayerD.conv);
  ASSERT_EQ(want.shape(), (Shape{2, 4, 6, 4}));
  const RsMapping m = MappingD();
  // An ifmap row of one channel is 14 bytes; the filters are 4 x 3 x 3 x 3 x 2 = 216 bytes.
  const struct {
    Tiling tiling;
    uint64_t read;  // descriptor + ifmap + filter bytes
    const char* what;
  } cases[] = {
      {{2, 4, 3, 1},
       kDescBytes + 2 * 3 * 13 * 14 + 216,
       "3 bands: each band's rows once, filters stay"},
      {{1, 4, 3, 1},
       kDescBytes + 2 * 3 * 13 * 14 + 216,
       "2 image chunks x 3 bands: the filters stay"},
      {{2, 2, 3, 1},
       kDescBytes + 2 * 3 * 13 * 14 + 3 * 216,
       "2 filter chunks: filters once per band"},
      {{2, 4, 1, 2},
       kDescBytes + 2 * 3 * 12 * 14 + 2 * 216,
       "3 channel chunks: filters once per band"},
      {{1, 2, 2, 2},
       kDescBytes + 2 * 3 * 12 * 14 + 2 * 2 * 216,
       "2 image, 2 band, 2 filter, 2 channel chunks: the channel chunks in slots, ifmaps once"},
      {{2, 4, 3, 3}, kDescBytes + 2 * 3 * 11 * 14 + 216, "one band: whole channels"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Desc d = RunTiled(dev, kLayerD, m, c.tiling, x, w);
    EXPECT_EQ(d.sb, static_cast<uint64_t>(c.tiling.sb));
    const DeviceCounters got = dev.ReadCounters();
    EXPECT_EQ(got.descs, 1u);
    EXPECT_EQ(got.dram_rd_bytes, c.read);
    EXPECT_EQ(got.dram_wr_bytes, 2u * 4 * 6 * 4 * 4);  // every output row once
    EXPECT_EQ(ReadBytes(kLayerD, m, c.tiling, hw), c.read);
    Tensor<int32_t> y(kLayerD.Out());
    y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
    EXPECT_TRUE(SameTensor(y, want)) << c.what;
    // The cost model counts the same bytes.
    const CycleEstimate e = EstimateCycles(kLayerD, hw, m, c.tiling);
    EXPECT_EQ(static_cast<uint64_t>(e.dram_read_bytes) + kDescBytes, c.read);
    EXPECT_EQ(e.dram_write_bytes, 768);
  }
}

TEST(GoldenDevice, BandsReadOnlyTheRowsTheirWindowsReach) {
  // x 1 x 1 x 12 x 4, a 2 x 1 filter, stride 3: ofmap rows 0-3 read ifmap rows 0-1, 3-4, 6-7
  // and 9-10, never row 11. The ifmap ends 8 bytes (row 11) beyond the DRAM window. In bands
  // of one strip (e = 1) the layer runs and reads 8 rows; in one band the walker loads the
  // whole channel and the read fails.
  const ConvLayer l = Conv({1, 1, 12, 4}, {1, 1, 2, 1}, 3, 0);
  const ArrayConfig& hw = ConfigByName("small");
  RsMapping m;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  ASSERT_EQ(m.strips, 4);
  GoldenDevice dev(hw, kMemBase, kMemSize);
  Rng rng(34);
  const Tensor<int16_t> x = SparseTensor(l.x, rng), w = SparseTensor(l.w, rng);
  const uint64_t x_addr = kMemBase + kMemSize - 88;
  dev.Write(x_addr, std::vector<int16_t>(x.data().begin(), x.data().end() - 4));
  const Desc d = RunTiled(dev, l, m, Tiling{1, 1, 1, 1}, x, w, x_addr);
  EXPECT_EQ(dev.ReadCounters().dram_rd_bytes, kDescBytes + 8 * 8 + 2 * 2);
  EXPECT_EQ(dev.ReadCounters().dram_wr_bytes, 4u * 2 * 4);
  Tensor<int32_t> y(l.Out());
  y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
  EXPECT_TRUE(SameTensor(y, ConvAcc(x, w, l.conv))) << "bands of one strip";
  try {
    RunTiled(dev, l, m, Tiling{1, 1, 1, 4}, x, w, x_addr);
    ADD_FAILURE() << "one band read the whole channel";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), ErrCode::kAxiRdDecerr) << e.what();
  }
}

struct BandedRun {
  ConvLayer layer;
  RsMapping mapping;
  Tiling tiling;
  Tensor<int16_t> x, w;
};

// A random layer (groups, strides 1 or 2, pads, batch), a random legal mapping of it on
// BandConfig() with at least 2 strips, and a random tiling: nb in 1..n, filter and channel
// chunks of random numbers of blocks, sb in 1..strips.
BandedRun RandomBandedRun(Rng& rng) {
  auto pick = [&rng](int lo, int hi) { return rng.UniformInt(lo, hi); };
  const ArrayConfig hw = BandConfig();
  for (;;) {
    const std::optional<ConvLayer> drawn = DrawShape({2, 3, 4, 4, 16, 3, 9, 5, 4, 3, 2}, rng);
    if (!drawn) continue;
    BandedRun run;
    ConvLayer& l = run.layer;
    l = *drawn;
    const int groups = l.conv.groups;
    RsMapping& m = run.mapping;
    m.e = pick(1, 6), m.p = pick(1, 3), m.q = pick(1, 2), m.r = pick(1, 2), m.t = pick(1, 3);
    if (!CompleteMapping(l, hw, m).empty() || m.strips < 2) continue;
    const auto chunk = [&](int block, int total) {
      return std::min(total, block * pick(1, (total + block - 1) / block));
    };
    run.tiling = Tiling{pick(1, l.x.n), chunk(m.t * m.p, l.w.n / groups), chunk(m.r * m.q, l.w.c),
                        pick(1, m.strips)};
    if (TilingError(l, hw, m, run.tiling).empty()) return run;
  }
}

constexpr int kBandedRuns = 40;

// Case i of RowBandTest (seed 3600 + i): what the sweep runs and its coverage check reads. (The
// base is one whose draws cover every case RowBandRunsCoverEveryCase asks for.)
BandedRun BandedRunCase(int i) {
  Rng rng(3600 + i);
  BandedRun run = RandomBandedRun(rng);
  run.x = SparseTensor(run.layer.x, rng);
  run.w = SparseTensor(run.layer.w, rng);
  return run;
}

class RowBandTest : public testing::TestWithParam<int> {};

TEST_P(RowBandTest, MatchesTheGoldenModelAndTheCostModel) {
  const BandedRun run = BandedRunCase(GetParam());
  const ConvLayer& l = run.layer;
  const Tensor<int16_t>& x = run.x;
  const Tensor<int16_t>& w = run.w;
  const Tiling& t = run.tiling;
  SCOPED_TRACE(l.ToString() + " mapping " + run.mapping.ToString() + " nb " + std::to_string(t.nb) +
               " mc " + std::to_string(t.mc) + " cc " + std::to_string(t.cc) + " sb " +
               std::to_string(t.sb));
  GoldenDevice dev(BandConfig(), kMemBase, kMemSize);
  const Desc d = RunTiled(dev, l, run.mapping, t, x, w);
  Tensor<int32_t> y(l.Out());
  y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
  EXPECT_TRUE(SameTensor(y, ConvAcc(x, w, l.conv))) << "y";
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  const DeviceCounters got = dev.ReadCounters();
  EXPECT_EQ(got.descs, 1u);
  EXPECT_EQ(got.dram_rd_bytes, ReadBytes(l, run.mapping, t, BandConfig()));
  EXPECT_EQ(got.dram_wr_bytes, y_bytes);
  const CycleEstimate c = EstimateCycles(l, BandConfig(), run.mapping, t);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_read_bytes) + kDescBytes, got.dram_rd_bytes);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_write_bytes), y_bytes);
}

INSTANTIATE_TEST_SUITE_P(Driver, RowBandTest, testing::Range(0, kBandedRuns));

TEST(GoldenDevice, RowBandRunsCoverEveryCase) {
  // The runs of RowBandTest come in several bands, with stride 2, with top padding, with a
  // shorter last band, and in one band; in image, filter and channel chunks, and in groups.
  int banded = 0, strided = 0, padded = 0, short_last = 0, one_band = 0;
  int image_chunks = 0, filter_chunks = 0, channel_chunks = 0, grouped = 0;
  for (int i = 0; i < kBandedRuns; ++i) {
    const BandedRun run = BandedRunCase(i);
    const ConvLayer& l = run.layer;
    const int sb = run.tiling.sb, strips = run.mapping.strips;
    banded += sb < strips;
    strided += sb < strips && l.conv.stride_h == 2;
    padded += sb < strips && l.conv.pad_top > 0;
    short_last += sb < strips && l.Out().h % (sb * run.mapping.e) != 0;
    one_band += sb == strips;
    image_chunks += run.tiling.nb < l.x.n;
    filter_chunks += run.tiling.mc < l.w.n / l.conv.groups;
    channel_chunks += run.tiling.cc < l.w.c;
    grouped += l.conv.groups > 1;
  }
  EXPECT_GE(banded, 25);
  EXPECT_GE(strided, 10);
  EXPECT_GE(padded, 10);
  EXPECT_GE(short_last, 10);
  EXPECT_GE(one_band, 3);
  EXPECT_GE(image_chunks, 10);
  EXPECT_GE(filter_chunks, 10);
  EXPECT_GE(channel_chunks, 10);
  EXPECT_GE(grouped, 10);
}

TEST(GoldenDevice, OutputSizeSetsTheBottomAndRightPadding) {
  // x 7 x 7, 3 x 3 filter, stride 2, pad top/left 1: eo = fo = 4 reads one zero row/column
  // of bottom/right padding, eo = fo = 2 leaves the last ifmap rows unread.
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  Rng rng(6);
  const Shape xs{1, 1, 7, 7}, ws{1, 1, 3, 3};
  const Tensor<int16_t> x = SparseTensor(xs, rng), w = SparseTensor(ws, rng);
  const uint64_t xa = dev.Alloc(49 * 2), wa = dev.Alloc(9 * 2), ya = dev.Alloc(16 * 4);
  const uint64_t da = dev.Alloc(kDescBytes);
  dev.Write(xa, x.data());
  dev.Write(wa, w.data());
  ConvParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  p.pad_bottom = p.pad_right = 1;
  const Tensor<int32_t> want = ConvAcc(x, w, p);  // 4 x 4
  ASSERT_EQ(want.shape(), (Shape{1, 1, 4, 4}));
  for (int eo : {4, 2}) {
    Desc d;
    d.magic = kDescMagic, d.version = kDescVersion, d.kind = kDescKindConv;
    d.x_addr = xa, d.w_addr = wa, d.y_addr = ya;
    d.n = d.groups = d.nb = d.mb = d.mbc = d.cbc = d.cg = 1;
    d.h = d.w = 7, d.mg = 1, d.kr = d.ks = 3, d.eo = d.fo = eo, d.uh = d.uw = 2;
    d.pad_top = d.pad_left = 1;
    d.e = eo, d.p = d.q = d.r = d.t = 1, d.rg = 3, d.nrg = 1, d.tv = d.th = 1, d.cb = 1;
    d.strips = d.sb = 1;
    dev.Write(da, PackDesc(d));
    dev.RunChain(da, 1000);
    const std::vector<int32_t> y = dev.Read<int32_t>(ya, eo * eo);
    for (int e = 0; e < eo; ++e) {
      for (int f = 0; f < eo; ++f) EXPECT_EQ(y[e * eo + f], want.at(0, 0, e, f)) << eo;
    }
  }
}

}  // namespace
}  // namespace eyelet
