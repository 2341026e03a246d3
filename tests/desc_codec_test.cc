// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Descriptor codec (eyelet/desc_codec.h): packing and unpacking every field, the conv descriptor
// of a layer, mapping and tiling, names, and the descriptor checks (CheckDesc, CheckDescAddr).
#include "eyelet/desc_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::BaseDesc;
using test::CheckConfig;
using test::Conv;
using test::kMemBase;
using test::kMemSize;

TEST(DescCodec, EveryFieldRoundTripsAtItsMaximum) {
  Desc all;
  for (const DescField& f : kDescFields) {
    const uint64_t max = f.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << f.bits) - 1;
    Desc one;
    one.*(f.member) = max;
    const std::vector<uint64_t> words = PackDesc(one);
    ASSERT_EQ(words.size(), static_cast<size_t>(kDescWords));
    for (int i = 0; i < kDescWords; ++i) {
      EXPECT_EQ(words[i], i == f.word ? max << f.lsb : 0u) << f.name << " word " << i;
    }
    EXPECT_EQ(UnpackDesc(words.data()).*(f.member), max) << f.name;
    all.*(f.member) = max;
  }
  const std::vector<uint64_t> words = PackDesc(all);
  const Desc back = UnpackDesc(words.data());
  for (const DescField& f : kDescFields) EXPECT_EQ(back.*(f.member), all.*(f.member)) << f.name;
  // Bits outside every field are ignored.
  const std::vector<uint64_t> ones(kDescWords, ~uint64_t{0});
  EXPECT_EQ(PackDesc(UnpackDesc(ones.data())), words);
}

TEST(DescCodec, PackRejectsAnOversizeFieldByName) {
  for (const DescField& f : kDescFields) {
    if (f.bits == 64) continue;
    Desc d;
    d.*(f.member) = uint64_t{1} << f.bits;
    try {
      PackDesc(d);
      ADD_FAILURE() << f.name << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(f.name) + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(DescCodec, NamesAndDescription) {
  EXPECT_STREQ(ErrCodeName(ErrCode::kNone), "NONE");
  EXPECT_STREQ(ErrCodeName(ErrCode::kDescGlb), "DESC_GLB");
  EXPECT_STREQ(ErrCodeName(ErrCode::kAxiWrDecerr), "AXI_WR_DECERR");
  EXPECT_STREQ(ErrCodeName(static_cast<ErrCode>(200)), "UNKNOWN");
  EXPECT_EQ(ErrCodeText(ErrCode::kDescKind), "DESC_KIND (layer type is not one this build runs)");
  Desc d;
  d.magic = kDescMagic;
  d.next = 0x80001000;
  d.mbc = 7;
  const std::string s = DescribeDesc(d);
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_EQ(s.rfind("magic=0xe1e7 version=0 kind=0 next=0x80001000 x_addr=0x0", 0), 0u) << s;
  EXPECT_NE(s.find(" mbc=7 "), std::string::npos) << s;
  EXPECT_NE(s.find(" strips=0"), std::string::npos) << s;
}

TEST(DescCodec, ConvDescriptorFollowsTheLayerMappingAndTiling) {
  const ArrayConfig hw = ConfigByName("small");
  const ConvLayer l = Conv({3, 6, 9, 11}, {10, 3, 5, 3}, 2, 1, 2);  // E = 4, F = 6
  RsMapping m;
  m.e = 2, m.p = 2, m.q = 1, m.r = 1, m.t = 2;
  ASSERT_EQ(CompleteMapping(l, hw, m), "");
  Tiling t;
  t.nb = 2;
  t.mc = 4;
  t.cc = 2;
  const Desc d = MakeConvDesc(l, m, t, 0x100, 0x200, 0x300, 0x400);
  EXPECT_EQ(d.magic, kDescMagic);
  EXPECT_EQ(d.version, 4u);
  EXPECT_EQ(d.kind, 1u);
  EXPECT_EQ(d.next, 0x400u);
  EXPECT_EQ(d.x_addr, 0x100u);
  EXPECT_EQ(d.w_addr, 0x200u);
  EXPECT_EQ(d.y_addr, 0x300u);
  EXPECT_EQ(d.n, 3u);
  EXPECT_EQ(d.groups, 2u);
  EXPECT_EQ(d.nb, 2u);
  EXPECT_EQ(d.mb, 2u);   // 5 filters per group in blocks of 4
  EXPECT_EQ(d.mbc, 1u);  // 4 filters per chunk
  EXPECT_EQ(d.cbc, 2u);  // 2 channels per chunk in blocks of 1
  EXPECT_EQ(d.cg, 3u);
  EXPECT_EQ(d.h, 9u);
  EXPECT_EQ(d.w, 11u);
  EXPECT_EQ(d.mg, 5u);
  EXPECT_EQ(d.kr, 5u);
  EXPECT_EQ(d.ks, 3u);
  EXPECT_EQ(d.eo, 4u);
  EXPECT_EQ(d.fo, 6u);
  EXPECT_EQ(d.uh, 2u);
  EXPECT_EQ(d.uw, 2u);
  EXPECT_EQ(d.pad_top, 1u);
  EXPECT_EQ(d.pad_left, 1u);
  EXPECT_EQ(d.e, 2u);
  EXPECT_EQ(d.p, 2u);
  EXPECT_EQ(d.q, 1u);
  EXPECT_EQ(d.r, 1u);
  EXPECT_EQ(d.t, 2u);
  EXPECT_EQ(d.rg, 5u);
  EXPECT_EQ(d.nrg, 1u);
  EXPECT_EQ(d.tv, 1u);
  EXPECT_EQ(d.th, 2u);
  EXPECT_EQ(d.cb, 3u);
  EXPECT_EQ(d.strips, 2u);
  EXPECT_EQ(d.sb, 2u);  // t.sb = 0: one band of all strips
  t.sb = 1;
  EXPECT_EQ(MakeConvDesc(l, m, t, 0x100, 0x200, 0x300, 0x400).sb, 1u);
}

TEST(DescCodec, ConvDescriptorRejectsAFieldThatDoesNotFit) {
  const ConvLayer l = Conv({70000, 1, 1, 1}, {1, 1, 1, 1}, 1, 0);
  RsMapping m;
  ASSERT_EQ(CompleteMapping(l, ConfigByName("tiny"), m), "");
  try {
    MakeConvDesc(l, m, Tiling{}, 0, 0, 0, 0);
    FAIL() << "accepted 70000 images";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("'n' = 70000"), std::string::npos) << e.what();
  }
}

TEST(DescCodec, AddressChecks) {
  HwInfo hw;
  hw.addr_bits = 32;
  EXPECT_EQ(CheckDescAddr(0x1000, hw), ErrCode::kNone);
  EXPECT_EQ(CheckDescAddr(0x1004, hw), ErrCode::kDescAlign);
  EXPECT_EQ(CheckDescAddr((1ull << 32) - kDescBytes, hw), ErrCode::kNone);
  EXPECT_EQ(CheckDescAddr((1ull << 32) - kDescBytes + 8, hw), ErrCode::kDescRange);
  hw.addr_bits = 64;
  EXPECT_EQ(CheckDescAddr(0 - kDescBytes, hw), ErrCode::kNone);
  EXPECT_EQ(CheckDescAddr(0 - kDescBytes + 8, hw), ErrCode::kDescRange);
}

TEST(DescCodec, GlbChecksCountTheChannelsOfOneChunk) {
  const HwInfo hw = GoldenDevice(CheckConfig(), kMemBase, kMemSize).ReadHwInfo();
  // Layer A's 3 channels in blocks of r*q = 2: cbc = 2 holds all 3, cbc = 1 two of them.
  Desc d = BaseDesc(0, 0, 0);
  d.h = d.w = 14;  // 2 images x 3 channels x 196 = 1176 words > 1024
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.cbc = 1;  // 2 x 2 x 196 = 784
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d = BaseDesc(0, 0, 0);
  d.ks = 4;  // 4 filters x 3 channels x 3 x 4 = 144 words > 128
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.cbc = 1;  // 4 x 2 x 12 = 96
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.cbc = 3;  // more channel blocks than the layer has
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescMapping);
  d.cbc = 0;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescZero);
}

TEST(DescCodec, RowBandChecks) {
  const HwInfo hw = GoldenDevice(CheckConfig(), kMemBase, kMemSize).ReadHwInfo();
  // Layer A's 6 ofmap rows in 2 strips of 3: one band (sb = 2) or two (sb = 1); sb counts
  // strips, 1..strips.
  Desc d = BaseDesc(0, 0, 0);
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.sb = 1;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.sb = 0;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescZero);
  d.sb = 3;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescMapping);
  // The last ofmap row's window must start inside the ifmap: with pad_top 1, row 6 of 7 starts
  // at ifmap row 5 (the last), row 7 of 8 at row 6 (bottom padding only); with pad_top 2 at
  // row 5 again. With stride 2, row 3 of 4 starts at row 5, row 4 of 5 at row 7.
  d = BaseDesc(0, 0, 0);
  d.eo = 7, d.strips = d.sb = 3;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.eo = 8;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescMapping);
  d.pad_top = 2;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d = BaseDesc(0, 0, 0);
  d.uh = 2, d.eo = 4;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.eo = 5;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescMapping);
  // Images x strips of a band are the rows of one pass, counted in 16 bits: 255 x 257 = 65535
  // passes the mapping checks (and overflows the GLB), 255 x 258 does not.
  d = BaseDesc(0, 0, 0);
  d.n = d.nb = 255, d.e = 1, d.h = d.eo = d.strips = 258;
  d.sb = 257;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.sb = 258;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescMapping);
  // The ifmap area holds the rows of one band, 2 images x 3 channels x 6 columns = 36 words
  // per row: a band of sb strips of 3 rows reads (3*sb - 1) + 3 rows, 26 for sb = 8 (936
  // words), 29 for sb = 9 (1044 words > 1024).
  d = BaseDesc(0, 0, 0);
  d.h = d.eo = 60, d.strips = 20;
  d.sb = 8;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  d.sb = 9;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.sb = 20;  // one band: whole channels, 60 rows
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  // One band loads whole channels, h rows, even when its windows reach fewer: 6 ofmap rows
  // of a 100-row ifmap reach 8 rows (288 words) but the band holds 100 (3600 words). Two bands
  // of one strip hold 5 rows each (180 words).
  d = BaseDesc(0, 0, 0);
  d.h = 100;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.sb = 1;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
  // A psum bank holds the chunk's sb strips: mbc x nb x sb x fo = 2 x 2 x 2 x 70 = 560 words
  // > 512, with one strip 280.
  d = BaseDesc(0, 0, 0);
  d.fo = 70;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kDescGlb);
  d.sb = 1;
  EXPECT_EQ(CheckDesc(d, hw), ErrCode::kNone);
}

}  // namespace
}  // namespace eyelet
