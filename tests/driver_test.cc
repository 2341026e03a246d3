// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Driver: descriptor codec and checks, the Device common code, the golden device (CSRs,
// walker, error codes, counters) and the runtime, all against the golden model.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>
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

namespace eyelet {
namespace {

constexpr uint64_t kMemBase = 0x8000'0000;
constexpr uint64_t kMemSize = 1 << 20;

// The configuration the descriptor-check cases are written for.
ArrayConfig CheckConfig() {
  ArrayConfig c;
  c.name = "check";
  c.rows = 12;
  c.cols = 40;
  c.glb_ifmap_words = 1024;
  c.glb_filter_words = 128;
  c.glb_psum_words = 512;
  return c;
}

// A 3 x 4 array with a GLB small enough that most random layers run in chunks.
ArrayConfig SmallGlbConfig() {
  ArrayConfig c = ConfigByName("tiny");
  c.name = "tiny-glb";
  c.glb_ifmap_words = 160;
  c.glb_filter_words = 64;
  c.glb_psum_words = 48;
  return c;
}

// A 3 x 4 array whose GLB holds a few channels of an image: the layers of RandomChunkedLayer
// run in channel chunks.
ArrayConfig ChannelChunkConfig() {
  ArrayConfig c = ConfigByName("tiny");
  c.name = "tiny-channels";
  c.glb_ifmap_words = 200;
  c.glb_filter_words = 64;
  c.glb_psum_words = 48;
  return c;
}

ConvLayer Conv(Shape x, Shape w, int stride, int pad, int groups = 1) {
  ConvLayer l;
  l.x = x;
  l.w = w;
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
  l.conv.groups = groups;
  return l;
}

// Values in [-100, 100], about a third of them zero.
Tensor<int16_t> RandomTensor(const Shape& s, std::mt19937& rng) {
  Tensor<int16_t> t(s);
  std::uniform_int_distribution<int> v(-100, 100), z(0, 2);
  for (int16_t& e : t.data()) e = static_cast<int16_t>(z(rng) == 0 ? 0 : v(rng));
  return t;
}

void ExpectSameTensor(const Tensor<int32_t>& got, const Tensor<int32_t>& want,
                      const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const Shape& s = want.shape();
  for (int n = 0; n < s.n; ++n) {
    for (int c = 0; c < s.c; ++c) {
      for (int h = 0; h < s.h; ++h) {
        for (int w = 0; w < s.w; ++w) {
          ASSERT_EQ(got.at(n, c, h, w), want.at(n, c, h, w))
              << what << " at (" << n << ", " << c << ", " << h << ", " << w << ")";
        }
      }
    }
  }
}

std::string HexStr(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

// MACs whose ifmap operand is zero or padding, counted output by output.
uint64_t ZeroOperandMacs(const ConvLayer& l, const Tensor<int16_t>& x) {
  const Shape o = l.Out();
  const int cg = l.x.c / l.conv.groups, mg = l.w.n / l.conv.groups;
  uint64_t count = 0;
  for (int n = 0; n < o.n; ++n) {
    for (int m = 0; m < o.c; ++m) {
      for (int e = 0; e < o.h; ++e) {
        for (int f = 0; f < o.w; ++f) {
          for (int c = 0; c < cg; ++c) {
            for (int r = 0; r < l.w.h; ++r) {
              for (int s = 0; s < l.w.w; ++s) {
                const int h = e * l.conv.stride_h - l.conv.pad_top + r;
                const int w = f * l.conv.stride_w - l.conv.pad_left + s;
                count += h < 0 || h >= l.x.h || w < 0 || w >= l.x.w ||
                         x.at(n, (m / mg) * cg + c, h, w) == 0;
              }
            }
          }
        }
      }
    }
  }
  return count;
}

// Ifmap rows the walker reads of one channel of one image, over all row bands of `t` with the
// completed mapping `m` (golden_device.h): h with one band; with several, per band of ofmap
// rows y0..y1 the rows y0*uh - pad_top .. y1*uh - pad_top + R - 1 inside the ifmap.
uint64_t IfmapRowsRead(const ConvLayer& l, const RsMapping& m, const Tiling& t) {
  const int sb = t.sb == 0 ? m.strips : t.sb;
  if (sb >= m.strips) return static_cast<uint64_t>(l.x.h);
  const int eo = l.Out().h, uh = l.conv.stride_h, pad = l.conv.pad_top;
  uint64_t rows = 0;
  for (int y0 = 0; y0 < eo; y0 += sb * m.e) {
    const int y1 = std::min(y0 + sb * m.e, eo) - 1;
    const int first = std::max(0, y0 * uh - pad);
    const int last = std::min(l.x.h - 1, y1 * uh - pad + l.w.h - 1);
    rows += static_cast<uint64_t>(std::max(0, last - first + 1));
  }
  return rows;
}

// DRAM bytes the walker reads for one descriptor of `l` run with mapping `m` and tiling `t`
// (golden_device.h): with one channel chunk each band's ifmap rows once and the filters once
// per image chunk and band (once in all when they are one chunk too); with several channel
// chunks each band's ifmap rows once per filter chunk and the filters once per image chunk
// and band.
uint64_t ReadBytes(const ConvLayer& l, const RsMapping& m, const Tiling& t) {
  const uint64_t groups = l.conv.groups, cg = l.x.c / groups, mg = l.w.n / groups;
  const uint64_t image_chunks = (l.x.n + t.nb - 1) / t.nb, filter_chunks = (mg + t.mc - 1) / t.mc;
  const int sb = t.sb == 0 ? m.strips : t.sb;
  const uint64_t bands = (m.strips + sb - 1) / sb;
  const bool one_channel_chunk = t.cc >= static_cast<int>(cg);
  const uint64_t ifmap_loads = one_channel_chunk ? 1 : filter_chunks;
  const uint64_t filter_loads = one_channel_chunk && filter_chunks == 1 ? 1 : image_chunks * bands;
  const uint64_t image = cg * IfmapRowsRead(l, m, t) * l.x.w, filter = cg * l.w.h * l.w.w;
  return kDescBytes + groups * (ifmap_loads * l.x.n * image * 2 + filter_loads * mg * filter * 2);
}

// --- Descriptor codec -----------------------------------------------------------------------

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

// --- Descriptor checks on the golden device -----------------------------------------------------

// The base descriptor the cases below break: layer A (2 images, 2 groups of 3 channels 6 x 6,
// 4 filters 3 x 3 per group, stride 1, pad 1) with a hand-made mapping legal on CheckConfig(),
// in one row band (sb = strips = 2).
const ConvLayer kLayerA = Conv({2, 6, 6, 6}, {8, 3, 3, 3}, 1, 1, 2);

Desc BaseDesc(uint64_t x, uint64_t w, uint64_t y) {
  Desc d;
  d.magic = kDescMagic;
  d.version = kDescVersion;
  d.kind = kDescKindConv;
  d.x_addr = x, d.w_addr = w, d.y_addr = y;
  d.n = 2, d.groups = 2, d.nb = 2, d.mb = 2, d.mbc = 2, d.cbc = 2, d.sb = 2;
  d.cg = 3, d.h = 6, d.w = 6, d.mg = 4, d.kr = 3, d.ks = 3, d.eo = 6, d.fo = 6;
  d.uh = 1, d.uw = 1, d.pad_top = 1, d.pad_left = 1;
  d.e = 3, d.p = 1, d.q = 1, d.r = 2, d.t = 2;
  d.rg = 3, d.nrg = 1, d.tv = 1, d.th = 2, d.cb = 2, d.strips = 2;
  return d;
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
  std::mt19937 rng(11);
  const Tensor<int16_t> x = RandomTensor(kLayerA.x, rng), w = RandomTensor(kLayerA.w, rng);
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
  ExpectSameTensor(y, ConvAcc(x, w, kLayerA.conv), "layer A");

  // A good chain on the same device runs.
  const ConvLayer b = Conv({1, 4, 7, 5}, {3, 4, 2, 3}, 1, 0);
  const Tensor<int16_t> xb = RandomTensor(b.x, rng), wb = RandomTensor(b.w, rng);
  ExpectSameTensor(RunConv(dev, b, xb, wb).y, ConvAcc(xb, wb, b.conv), "layer B");
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
  EXPECT_EQ(dev.ReadCsr(kCsrHwWidths), 0x00102008u);
  EXPECT_EQ(dev.ReadCsr(kCsrHwAddr), 40u);
  const HwInfo hw = dev.ReadHwInfo();
  EXPECT_EQ(hw.id, 0x45594c54u);
  EXPECT_EQ(hw.version, kCsrVersionValue);
  EXPECT_EQ(hw.axi_bytes, 8);
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
}

class WrongIdDevice : public GoldenDevice {
 public:
  WrongIdDevice() : GoldenDevice(ConfigByName("tiny"), kMemBase, kMemSize) {}
  uint32_t ReadCsr(uint32_t offset) override {
    return offset == kCsrId ? 0xdeadbeef : GoldenDevice::ReadCsr(offset);
  }
};

TEST(Device, WrongIdIsNamed) {
  WrongIdDevice dev;
  try {
    dev.ReadHwInfo();
    FAIL() << "accepted a wrong ID";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0xdeadbeef"), std::string::npos) << e.what();
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
  expect_slverr([&] { dev.ReadCsr(0x07c); }, "0x7c");
  expect_slverr([&] { dev.ReadCsr(0x078); }, "0x78");
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
  std::mt19937 rng(3);
  const Tensor<int16_t> x = RandomTensor(kLayerA.x, rng), w = RandomTensor(kLayerA.w, rng);
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
  std::mt19937 rng(5);
  chain.AddConv(l, RandomTensor(l.x, rng), RandomTensor(l.w, rng));
  const uint64_t da = chain.Commit();
  Desc d = chain.layer(0).desc;
  d.next = da;  // a cycle
  dev.Write(da, PackDesc(d));
  try {
    dev.RunChain(da, 12345);
    FAIL() << "an endless chain finished";
  } catch (const TimeoutError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("12345 cycles"), std::string::npos) << what;
    EXPECT_NE(what.find("STATUS 0x1)"), std::string::npos) << what;  // busy
  }
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

TEST(Device, AllocAlignsAndFills) {
  GoldenDevice dev(ConfigByName("tiny"), kMemBase + 8, 1024);
  EXPECT_EQ(dev.Alloc(10), kMemBase + 64);
  EXPECT_EQ(dev.Alloc(1, 8), kMemBase + 64 + 16);
  EXPECT_EQ(dev.Alloc(100, 256), kMemBase + 256);
  EXPECT_EQ(dev.Alloc(1032 - 360, 8), kMemBase + 360);  // to the end of the window
  EXPECT_THROW(dev.Alloc(1, 1), Error);
  EXPECT_THROW(dev.Alloc(8, 3), Error);
  dev.FreeAll();
  EXPECT_EQ(dev.Alloc(1024, 8), kMemBase + 8);
  dev.FreeAll();
  EXPECT_THROW(dev.Alloc(1025, 8), Error);
}

// --- Runtime ------------------------------------------------------------------------------------

// Upper limits of DrawShape's draws (lower ones: 1, c_min channels per group, and 0 for pads).
struct ShapeLimits {
  int groups, n, c_per_group, h_min, h, w_min, w, m_per_group, r, s, stride;
  int c_min = 1;
};

// A random layer within `lim` whose kernel fits its padded input, or nothing (draw again).
std::optional<ConvLayer> DrawShape(const ShapeLimits& lim, std::mt19937& rng) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ConvLayer l;
  const int groups = pick(1, lim.groups);
  l.conv.groups = groups;
  l.x = Shape{pick(1, lim.n), groups * pick(lim.c_min, lim.c_per_group), pick(lim.h_min, lim.h),
              pick(lim.w_min, lim.w)};
  l.w = Shape{groups * pick(1, lim.m_per_group), l.x.c / groups, pick(1, lim.r), pick(1, lim.s)};
  l.conv.stride_h = pick(1, lim.stride);
  l.conv.stride_w = pick(1, lim.stride);
  l.conv.pad_top = pick(0, 2);
  l.conv.pad_left = pick(0, 2);
  l.conv.pad_bottom = pick(0, 2);
  l.conv.pad_right = pick(0, 2);
  if (l.w.h > l.x.h + l.conv.pad_top + l.conv.pad_bottom ||
      l.w.w > l.x.w + l.conv.pad_left + l.conv.pad_right) {
    return std::nullopt;
  }
  return l;
}

// A random small layer (groups, strides, pads, batch) that maps on SmallGlbConfig().
ConvLayer RandomLayer(std::mt19937& rng) {
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

class RandomLayerTest : public testing::TestWithParam<int> {};

TEST_P(RandomLayerTest, MatchesTheGoldenModelWithExactCounters) {
  std::mt19937 rng(1000 + GetParam());
  const ConvLayer l = RandomLayer(rng);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  SCOPED_TRACE(l.ToString() + " mapping " + r.mapping.ToString() + " nb " +
               std::to_string(r.tiling.nb) + " mc " + std::to_string(r.tiling.mc));
  ExpectSameTensor(r.y, ConvAcc(x, w, l.conv), "y");
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  EXPECT_EQ(r.dram_min_bytes, static_cast<uint64_t>(x.size() + w.size()) * 2 + y_bytes);
  EXPECT_EQ(r.counters.descs, 1u);
  EXPECT_EQ(r.counters.dram_rd_bytes, ReadBytes(l, r.mapping, r.tiling));
  EXPECT_EQ(r.counters.dram_wr_bytes, y_bytes);
  const uint64_t skipped = ZeroOperandMacs(l, x);
  EXPECT_EQ(r.counters.skipped, skipped);
  EXPECT_EQ(r.counters.macs, static_cast<uint64_t>(l.Macs()) - skipped);
  EXPECT_EQ(r.counters.cycles, 0u);
  EXPECT_EQ(r.counters.passes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Driver, RandomLayerTest, testing::Range(0, 50));

TEST(Runtime, RandomLayersRunInChunks) {
  // The layers of RandomLayerTest cover image chunks, filter chunks and split filter rows.
  int image_chunks = 0, filter_chunks = 0, row_groups = 0, grouped = 0;
  for (int i = 0; i < 50; ++i) {
    std::mt19937 rng(1000 + i);
    const ConvLayer l = RandomLayer(rng);
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
  std::mt19937 rng(9);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  EXPECT_EQ(r.tiling.nb, 1);
  EXPECT_EQ(r.tiling.mc, 2);
  EXPECT_EQ(r.counters.dram_rd_bytes, kDescBytes + 3 * 128 * 2 + 36 * 2);
  ExpectSameTensor(r.y, ConvAcc(x, w, l.conv), "outputs");
}

TEST(Runtime, CountersOfAChunkedLayerAreExact) {
  // 3 images of 2 x 8 x 8 (128 words) in a 160-word ifmap area: one image per chunk. The
  // 4 x 2 x 3 x 3 filters (72 words) do not fit the 64-word filter area, so they come in two
  // chunks and are read again for every image chunk.
  const ConvLayer l = Conv({3, 2, 8, 8}, {4, 2, 3, 3}, 1, 1);
  std::mt19937 rng(8);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  EXPECT_EQ(r.tiling.nb, 1);
  EXPECT_GT(r.tiling.mc, 0);
  EXPECT_LT(r.tiling.mc, 4);
  EXPECT_EQ(r.counters.dram_rd_bytes, kDescBytes + 3 * 128 * 2 + 3 * 72 * 2);
  EXPECT_EQ(r.counters.dram_wr_bytes, 3u * 4 * 64 * 4);
  EXPECT_EQ(r.dram_min_bytes, 3u * 128 * 2 + 72 * 2 + 3 * 4 * 64 * 4);
  EXPECT_EQ(r.counters.macs + r.counters.skipped, 3u * 4 * 64 * 18);
  ExpectSameTensor(r.y, ConvAcc(x, w, l.conv), "y");
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

// Writes x, w and the descriptor of `l` run with the completed mapping `m` and tiling `t`
// into `dev` (x at `x_addr` unless 0, y at `y_addr` unless 0) and runs it; returns the
// descriptor. Throws DeviceError as RunChain.
Desc RunTiled(GoldenDevice& dev, const ConvLayer& l, const RsMapping& m, const Tiling& t,
              const Tensor<int16_t>& x, const Tensor<int16_t>& w, uint64_t x_addr = 0,
              uint64_t y_addr = 0) {
  EXPECT_EQ(TilingError(l, dev.ReadHwInfo().ToArrayConfig("dev"), m, t), "");
  dev.FreeAll();
  if (x_addr == 0) {
    x_addr = dev.Alloc(x.size() * 2);
    dev.Write(x_addr, x.data());
  }
  const uint64_t w_addr = dev.Alloc(w.size() * 2);
  dev.Write(w_addr, w.data());
  if (y_addr == 0) y_addr = dev.Alloc(l.Out().Size() * 4);
  const uint64_t desc_addr = dev.Alloc(kDescBytes);
  const Desc d = MakeConvDesc(l, m, t, x_addr, w_addr, y_addr, 0);
  EXPECT_EQ(CheckDesc(d, dev.ReadHwInfo()), ErrCode::kNone);
  dev.Write(desc_addr, PackDesc(d));
  dev.RunChain(desc_addr, 1000);
  return d;
}

TEST(GoldenDevice, ChannelChunksMoveTheBytesOfTheContract) {
  const ArrayConfig& hw = ConfigByName("small");
  GoldenDevice dev(hw, kMemBase, kMemSize);
  std::mt19937 rng(31);
  const Tensor<int16_t> x = RandomTensor(kLayerC.x, rng), w = RandomTensor(kLayerC.w, rng);
  const Tensor<int32_t> want = ConvAcc(x, w, kLayerC.conv);
  const RsMapping m = MappingC();
  const struct {
    Tiling tiling;
    uint64_t cbc;
    uint64_t read;  // descriptor + ifmap + filter bytes
    const char* what;
  } cases[] = {
      {{3, 4, 2}, 1, kDescBytes + 900 + 432, "3 channel chunks of 2, one image and one filter chunk"},
      {{3, 2, 2}, 1, kDescBytes + 2 * 900 + 432, "2 filter chunks: the ifmaps once per filter chunk"},
      {{1, 4, 2}, 1, kDescBytes + 900 + 3 * 432, "3 image chunks: the filters once per image chunk"},
      {{2, 2, 4}, 2, kDescBytes + 2 * 900 + 2 * 432, "2 image, 2 filter, 2 channel chunks (4 + 2)"},
      {{1, 4, 6}, 3, kDescBytes + 900 + 432, "one channel chunk: the filters stay, the ifmaps once"},
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
    ExpectSameTensor(y, want, c.what);
    // The cost model counts the same bytes.
    const CycleEstimate e = EstimateCycles(kLayerC, hw, m, c.tiling);
    EXPECT_EQ(static_cast<uint64_t>(e.dram_read_bytes) + kDescBytes, c.read);
    EXPECT_EQ(e.dram_write_bytes, 1200);
  }
}

TEST(GoldenDevice, OutputsAreWrittenOnlyAfterTheLastChannelChunk) {
  // Image 0's channels 0-3 (200 bytes) lie inside the DRAM window and channels 4-5 beyond its
  // end; the outputs lie below it. In chunks of 2 channels the third chunk's ifmap read comes
  // before the first output write, so the read fails; with the ifmaps inside, the write does.
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  std::mt19937 rng(32);
  const Tensor<int16_t> x = RandomTensor(kLayerC.x, rng), w = RandomTensor(kLayerC.w, rng);
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
  std::mt19937 rng(33);
  const Tensor<int16_t> x = RandomTensor(kLayerD.x, rng), w = RandomTensor(kLayerD.w, rng);
  const Tensor<int32_t> want = ConvAcc(x, w, kLayerD.conv);
  ASSERT_EQ(want.shape(), (Shape{2, 4, 6, 4}));
  const RsMapping m = MappingD();
  // An ifmap row of one channel is 14 bytes; the filters are 4 x 3 x 3 x 3 x 2 = 216 bytes.
  const struct {
    Tiling tiling;
    uint64_t read;  // descriptor + ifmap + filter bytes
    const char* what;
  } cases[] = {
      {{2, 4, 3, 1}, kDescBytes + 2 * 3 * 13 * 14 + 216, "3 bands: each band's rows once, filters stay"},
      {{1, 4, 3, 1}, kDescBytes + 2 * 3 * 13 * 14 + 216, "2 image chunks x 3 bands: the filters stay"},
      {{2, 2, 3, 1}, kDescBytes + 2 * 3 * 13 * 14 + 3 * 216, "2 filter chunks: filters once per band"},
      {{2, 4, 1, 2}, kDescBytes + 2 * 3 * 12 * 14 + 2 * 216, "3 channel chunks: filters once per band"},
      {{1, 2, 2, 2},
       kDescBytes + 2 * (2 * 3 * 12 * 14) + 2 * 2 * 216,
       "2 image, 2 band, 2 filter, 2 channel chunks: ifmaps once per filter chunk"},
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
    EXPECT_EQ(ReadBytes(kLayerD, m, c.tiling), c.read);
    Tensor<int32_t> y(kLayerD.Out());
    y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
    ExpectSameTensor(y, want, c.what);
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
  std::mt19937 rng(34);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  const uint64_t x_addr = kMemBase + kMemSize - 88;
  dev.Write(x_addr, std::vector<int16_t>(x.data().begin(), x.data().end() - 4));
  const Desc d = RunTiled(dev, l, m, Tiling{1, 1, 1, 1}, x, w, x_addr);
  EXPECT_EQ(dev.ReadCounters().dram_rd_bytes, kDescBytes + 8 * 8 + 2 * 2);
  EXPECT_EQ(dev.ReadCounters().dram_wr_bytes, 4u * 2 * 4);
  Tensor<int32_t> y(l.Out());
  y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
  ExpectSameTensor(y, ConvAcc(x, w, l.conv), "bands of one strip");
  try {
    RunTiled(dev, l, m, Tiling{1, 1, 1, 4}, x, w, x_addr);
    ADD_FAILURE() << "one band read the whole channel";
  } catch (const DeviceError& e) {
    EXPECT_EQ(e.code(), ErrCode::kAxiRdDecerr) << e.what();
  }
}

// The small array with a GLB that holds every chunk of the layers of RandomBandedRun.
ArrayConfig BandConfig() {
  ArrayConfig c = ConfigByName("small");
  c.name = "small-bands";
  c.glb_ifmap_words = c.glb_filter_words = c.glb_psum_words = 1 << 16;
  return c;
}

struct BandedRun {
  ConvLayer layer;
  RsMapping mapping;
  Tiling tiling;
};

// A random layer (groups, strides 1 or 2, pads, batch), a random legal mapping of it on
// BandConfig() with at least 2 strips, and a random tiling: nb in 1..n, filter and channel
// chunks of random numbers of blocks, sb in 1..strips.
BandedRun RandomBandedRun(std::mt19937& rng) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
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

class RowBandTest : public testing::TestWithParam<int> {};

TEST_P(RowBandTest, MatchesTheGoldenModelAndTheCostModel) {
  std::mt19937 rng(3000 + GetParam());
  const BandedRun run = RandomBandedRun(rng);
  const ConvLayer& l = run.layer;
  const Tiling& t = run.tiling;
  SCOPED_TRACE(l.ToString() + " mapping " + run.mapping.ToString() + " nb " + std::to_string(t.nb) +
               " mc " + std::to_string(t.mc) + " cc " + std::to_string(t.cc) + " sb " +
               std::to_string(t.sb));
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  GoldenDevice dev(BandConfig(), kMemBase, kMemSize);
  const Desc d = RunTiled(dev, l, run.mapping, t, x, w);
  Tensor<int32_t> y(l.Out());
  y.data() = dev.Read<int32_t>(d.y_addr, static_cast<size_t>(y.size()));
  ExpectSameTensor(y, ConvAcc(x, w, l.conv), "y");
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  const DeviceCounters got = dev.ReadCounters();
  EXPECT_EQ(got.descs, 1u);
  EXPECT_EQ(got.dram_rd_bytes, ReadBytes(l, run.mapping, t));
  EXPECT_EQ(got.dram_wr_bytes, y_bytes);
  const CycleEstimate c = EstimateCycles(l, BandConfig(), run.mapping, t);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_read_bytes) + kDescBytes, got.dram_rd_bytes);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_write_bytes), y_bytes);
}

INSTANTIATE_TEST_SUITE_P(Driver, RowBandTest, testing::Range(0, 40));

TEST(Runtime, RowBandRunsCoverEveryCase) {
  // The runs of RowBandTest come in several bands, with stride 2, with top padding, with a
  // shorter last band, and in one band; in image, filter and channel chunks, and in groups.
  int banded = 0, strided = 0, padded = 0, short_last = 0, one_band = 0;
  int image_chunks = 0, filter_chunks = 0, channel_chunks = 0, grouped = 0;
  for (int i = 0; i < 40; ++i) {
    std::mt19937 rng(3000 + i);
    const BandedRun run = RandomBandedRun(rng);
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

// A random layer with more channels than one GLB chunk of ChannelChunkConfig() holds, that maps
// there in channel chunks.
ConvLayer RandomChunkedLayer(std::mt19937& rng) {
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

class ChannelChunkTest : public testing::TestWithParam<int> {};

TEST_P(ChannelChunkTest, MatchesTheGoldenModelWithExactCounters) {
  std::mt19937 rng(2000 + GetParam());
  const ConvLayer l = RandomChunkedLayer(rng);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  GoldenDevice dev(ChannelChunkConfig(), kMemBase, kMemSize);
  const LayerResult r = RunConv(dev, l, x, w);
  SCOPED_TRACE(l.ToString() + " mapping " + r.mapping.ToString() + " nb " +
               std::to_string(r.tiling.nb) + " mc " + std::to_string(r.tiling.mc) + " cc " +
               std::to_string(r.tiling.cc));
  ASSERT_LT(r.tiling.cc, l.w.c);
  ExpectSameTensor(r.y, ConvAcc(x, w, l.conv), "y");
  const uint64_t y_bytes = static_cast<uint64_t>(l.Out().Size()) * 4;
  EXPECT_EQ(r.counters.descs, 1u);
  EXPECT_EQ(r.counters.dram_rd_bytes, ReadBytes(l, r.mapping, r.tiling));
  EXPECT_EQ(r.counters.dram_wr_bytes, y_bytes);
  const uint64_t skipped = ZeroOperandMacs(l, x);
  EXPECT_EQ(r.counters.skipped, skipped);
  EXPECT_EQ(r.counters.macs, static_cast<uint64_t>(l.Macs()) - skipped);
  const CycleEstimate c = EstimateCycles(l, ChannelChunkConfig(), r.mapping, r.tiling);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_read_bytes) + kDescBytes, r.counters.dram_rd_bytes);
  EXPECT_EQ(static_cast<uint64_t>(c.dram_write_bytes), y_bytes);
}

INSTANTIATE_TEST_SUITE_P(Driver, ChannelChunkTest, testing::Range(0, 30));

TEST(Runtime, ChannelChunkedLayersCoverEveryChunking) {
  // The layers of ChannelChunkTest also come in several image and filter chunks, with a
  // shorter last channel chunk, and in groups.
  int image_chunks = 0, filter_chunks = 0, short_last = 0, grouped = 0;
  for (int i = 0; i < 30; ++i) {
    std::mt19937 rng(2000 + i);
    const ConvLayer l = RandomChunkedLayer(rng);
    const RsMapping m = ChooseMapping(l, ChannelChunkConfig());
    const Tiling t = ChooseTiling(l, ChannelChunkConfig(), m);
    image_chunks += t.nb < l.x.n;
    filter_chunks += t.mc < l.w.n / l.conv.groups;
    short_last += l.w.c % t.cc != 0;
    grouped += l.conv.groups > 1;
  }
  EXPECT_GE(image_chunks, 5);
  EXPECT_GE(filter_chunks, 5);
  EXPECT_GE(short_last, 5);
  EXPECT_GE(grouped, 5);
}

TEST(Runtime, ThreeLayerChain) {
  GoldenDevice dev(SmallGlbConfig(), kMemBase, kMemSize);
  const ConvLayer layers[] = {Conv({2, 3, 7, 7}, {4, 3, 3, 3}, 1, 1),
                              Conv({1, 4, 9, 6}, {6, 2, 2, 3}, 2, 0, 2),
                              Conv({3, 1, 5, 5}, {2, 1, 5, 1}, 1, 2)};
  std::mt19937 rng(21);
  std::vector<Tensor<int16_t>> xs, ws;
  ChainBuilder chain(dev);
  uint64_t rd = 0, wr = 0;
  for (const ConvLayer& l : layers) {
    xs.push_back(RandomTensor(l.x, rng));
    ws.push_back(RandomTensor(l.w, rng));
    const int i = chain.AddConv(l, xs.back(), ws.back());
    EXPECT_EQ(i, static_cast<int>(xs.size()) - 1);
    rd += ReadBytes(l, chain.layer(i).mapping, chain.layer(i).tiling);
    wr += static_cast<uint64_t>(l.Out().Size()) * 4;
  }
  ASSERT_EQ(chain.size(), 3);
  dev.RunChain(chain.Commit(), 1000);
  for (int i = 0; i < 3; ++i) {
    ExpectSameTensor(chain.ReadOutput(i), ConvAcc(xs[i], ws[i], layers[i].conv),
                     "layer " + std::to_string(i));
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
  std::mt19937 rng(2);
  const ConvLayer ok = Conv({1, 1, 4, 4}, {1, 1, 3, 3}, 1, 0);
  RunConv(dev, ok, RandomTensor(ok.x, rng), RandomTensor(ok.w, rng));
  const uint32_t status = dev.ReadCsr(kCsrStatus);
  const ConvLayer wide = Conv({1, 1, 4, 20}, {1, 1, 3, 13}, 1, 0);  // S = 13 > 12 spad words
  EXPECT_THROW(RunConv(dev, wide, RandomTensor(wide.x, rng), RandomTensor(wide.w, rng)),
               UnsupportedError);
  RsMapping bad;
  bad.e = 5;  // wider than the 4 columns
  EXPECT_THROW(RunConv(dev, ok, RandomTensor(ok.x, rng), RandomTensor(ok.w, rng), &bad),
               UnsupportedError);
  // One channel (8 x 41 = 328 words) in row bands: a band of one ofmap row reads the 4 rows of
  // its window, 164 words > 160.
  const ConvLayer big = Conv({1, 1, 8, 41}, {1, 1, 4, 1}, 1, 0);
  try {
    RunConv(dev, big, RandomTensor(big.x, rng), RandomTensor(big.w, rng));
    ADD_FAILURE() << "ran a layer whose row band does not fit the GLB";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("GLB ifmap area: 1 image(s) x 1 channel(s) x 4 row(s) "
                                         "(1 of 5 strips) are 164 words > 160"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(RunConv(dev, ok, RandomTensor(ok.w, rng), RandomTensor(ok.w, rng)), ShapeError);
  EXPECT_EQ(dev.ReadCsr(kCsrStatus), status);
  EXPECT_EQ(dev.ReadCounters().descs, 1u);
}

TEST(Runtime, GivenMappingIsUsed) {
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  const ConvLayer l = Conv({2, 4, 8, 8}, {6, 4, 3, 3}, 1, 1);
  RsMapping m;
  m.e = 2, m.p = 1, m.q = 2, m.r = 1, m.t = 3;
  std::mt19937 rng(4);
  const Tensor<int16_t> x = RandomTensor(l.x, rng), w = RandomTensor(l.w, rng);
  const LayerResult r = RunConv(dev, l, x, w, &m);
  EXPECT_EQ(r.mapping.e, 2);
  EXPECT_EQ(r.mapping.t, 3);
  EXPECT_EQ(r.mapping.cb, 2);
  EXPECT_EQ(r.mapping.mb, 2);
  ExpectSameTensor(r.y, ConvAcc(x, w, l.conv), "y");
}

TEST(GoldenDevice, OutputSizeSetsTheBottomAndRightPadding) {
  // x 7 x 7, 3 x 3 filter, stride 2, pad top/left 1: eo = fo = 4 reads one zero row/column
  // of bottom/right padding, eo = fo = 2 leaves the last ifmap rows unread.
  GoldenDevice dev(ConfigByName("small"), kMemBase, kMemSize);
  std::mt19937 rng(6);
  const Shape xs{1, 1, 7, 7}, ws{1, 1, 3, 3};
  const Tensor<int16_t> x = RandomTensor(xs, rng), w = RandomTensor(ws, rng);
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
