// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Descriptor checker, differential: the walker's checker (rtl/ey_desc_check.sv) and the
// driver's CheckDesc (sw/src/desc_rules.cc) are both generated from rtl/desc_checks.def. Random
// descriptors, most of them one to three field mutations away from a legal one, go through the
// Verilated checker and through CheckDesc and must give the same error code and the same values.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "desc_check_bench.h"
#include "eyelet/desc_codec.h"
#include "eyelet/desc_rules.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"

namespace eyelet {
namespace {

uint64_t FieldMax(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// Legal descriptors on the bench's hardware: a few layer kinds, mapped by the mapper.
std::vector<Desc> LegalDescs() {
  const ArrayConfig& hw = ConfigByName("small");
  std::vector<ConvLayer> layers;
  ConvLayer conv;  // 3 x 3, pad 1, two images
  conv.x = Shape{2, 16, 13, 13};
  conv.w = Shape{24, 16, 3, 3};
  conv.conv.pad_top = conv.conv.pad_left = conv.conv.pad_bottom = conv.conv.pad_right = 1;
  layers.push_back(conv);
  ConvLayer pooled = conv;  // requantized, ReLU, 2 x 2 max pooling
  pooled.post = static_cast<uint32_t>(kPostRequant | kPostRelu | kPostBias);
  pooled.pooled = true;
  layers.push_back(pooled);
  ConvLayer strided;  // 11 x 11 stride 4 on a tall input: row groups, row bands
  strided.x = Shape{1, 3, 95, 95};
  strided.w = Shape{8, 3, 11, 11};
  strided.conv.stride_h = strided.conv.stride_w = 4;
  layers.push_back(strided);
  ConvLayer grouped;  // grouped, 5 x 5
  grouped.x = Shape{1, 8, 20, 20};
  grouped.w = Shape{8, 4, 5, 5};
  grouped.conv.groups = 2;
  layers.push_back(grouped);
  ConvLayer fc;  // an FC layer as CONV: 1 x 1 outputs
  fc.x = Shape{4, 64, 1, 1};
  fc.w = Shape{40, 64, 1, 1};
  layers.push_back(fc);
  std::vector<Desc> descs;
  uint64_t addr = 0x1000;
  for (const ConvLayer& l : layers) {
    const RsMapping m = ChooseMapping(l, hw);
    const Tiling t = ChooseTiling(l, hw, m);
    Desc d = MakeConvDesc(l, m, t, addr, addr + 0x10000, addr + 0x20000, 0);
    if (l.OutTable()) d.pp_addr = addr + 0x30000;
    descs.push_back(d);
    addr += 0x40000;
  }
  return descs;
}

// Descriptors aimed at rules random mutations seldom reach: mapped layers with a few fields
// set so that every earlier rule still passes.
std::vector<Desc> Directed() {
  const ArrayConfig& hw = ConfigByName("small");
  std::vector<Desc> descs;
  {  // nb*sb >= 65536: 255 images in chunks of 255, 300 one-row strips in one band
    ConvLayer l;
    l.x = Shape{255, 1, 300, 1};
    l.w = Shape{1, 1, 1, 1};
    const RsMapping m = ChooseMapping(l, hw);
    Desc d = MakeConvDesc(l, m, ChooseTiling(l, hw, m), 0x1000, 0x2000, 0x3000, 0);
    d.e = 1;
    d.strips = 300;
    d.sb = 300;
    d.nb = 255;
    descs.push_back(d);
  }
  {  // a filter chunk of more than half the output-path table: 300 requantized outputs
    ConvLayer l;
    l.x = Shape{1, 4, 1, 1};
    l.w = Shape{300, 4, 1, 1};
    l.post = static_cast<uint32_t>(kPostRequant);
    const RsMapping m = ChooseMapping(l, hw);
    Desc d = MakeConvDesc(l, m, ChooseTiling(l, hw, m), 0x1000, 0x2000, 0x3000, 0);
    d.pp_addr = 0x4000;
    d.mbc = d.mb;  // every filter block in one chunk
    descs.push_back(d);
  }
  {  // a filter chunk larger than the filter area: 64 x 64 x 3 x 3 weights in one chunk
    ConvLayer l;
    l.x = Shape{1, 64, 3, 3};
    l.w = Shape{64, 64, 3, 3};
    const RsMapping m = ChooseMapping(l, hw);
    Desc d = MakeConvDesc(l, m, ChooseTiling(l, hw, m), 0x1000, 0x20000, 0x3000, 0);
    d.mbc = d.mb;
    d.cbc = d.cb;
    descs.push_back(d);
  }
  return descs;
}

// A value for field `f` near its edges or anywhere in its width.
uint64_t DrawValue(const DescField& f, uint64_t now, Rng& rng) {
  const uint64_t max = FieldMax(f.bits);
  switch (rng.UniformInt(0, 6)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max;
    case 3: return (now - 1) & max;
    case 4: return (now + 1) & max;
    case 5: return now * 2 & max;
    default: return rng.Next() & max;
  }
}

TEST(DescCheckRtl, CheckerAndCheckDescAgreeOnEveryDraw) {
  DescCheckBench bench;
  const HwInfo hw = DescCheckBench::Hw();
  const std::vector<Desc> legal = LegalDescs();
  const std::vector<Desc> directed = Directed();
  Rng rng(12);
  std::array<int, kNumDescRules> fired{};
  int passed = 0;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    const bool aimed = static_cast<size_t>(i) < directed.size();
    Desc d = aimed ? directed[static_cast<size_t>(i)] : legal[static_cast<size_t>(i) % legal.size()];
    // One in eight stays legal; the others get one to three fields redrawn.
    const int mutations = aimed || i % 8 == 0 ? 0 : rng.UniformInt(1, 3);
    for (int k = 0; k < mutations; ++k) {
      const DescField& f = kDescFields[rng.UniformInt(0, std::size(kDescFields) - 1)];
      d.*(f.member) = DrawValue(f, d.*(f.member), rng);
    }
    const int rule = FirstFailingDescRule(d, hw);
    const ErrCode want = CheckDesc(d, hw);
    const DescCheckBench::Result got = bench.Check(d);
    ASSERT_EQ(static_cast<int>(got.err), static_cast<int>(want))
        << "draw " << i << ": RTL says " << ErrCodeName(static_cast<ErrCode>(got.err))
        << ", CheckDesc says " << ErrCodeName(want) << " (" << FailedDescRule(d, hw) << ")\n"
        << DescribeDesc(d);
    // The values the walker's loops read, for every descriptor it runs (one that fails a
    // rule runs nothing, and a zero field may wrap a value differently at 64 bits and at the
    // register's width).
    const DescValues values = ComputeDescValues(d, hw);
    size_t port = 0;
    const bool defined = rule < 0;
    for (const DescValueField& f : kDescValueFields) {
      if (!f.port) continue;
      ASSERT_LT(port, got.values.size());
      if (defined) {
        ASSERT_EQ(got.values[port], values.*(f.member) & FieldMax(f.bits))
            << "draw " << i << ": value " << f.name << "\n" << DescribeDesc(d);
      }
      ++port;
    }
    ASSERT_EQ(port, got.values.size());
    if (rule < 0) {
      ++passed;
    } else {
      ++fired[static_cast<size_t>(rule)];
    }
  }
  // The draws must reach every rule, and legal descriptors must pass, or the agreement above
  // says little.
  EXPECT_GE(passed, kDraws / 8);
  for (const ErrCodeInfo& e : kErrCodes) {
    const auto code = static_cast<ErrCode>(e.code);
    bool has_rule = false, hit = false;
    for (int r = 0; r < kNumDescRules; ++r) {
      if (kDescRules[r].code != code) continue;
      has_rule = true;
      hit = hit || fired[static_cast<size_t>(r)] > 0;
    }
    if (has_rule) EXPECT_TRUE(hit) << "no draw failed with " << e.name;
  }
  int rules_hit = 0;
  std::string missed;
  for (int r = 0; r < kNumDescRules; ++r) {
    if (fired[static_cast<size_t>(r)] > 0) {
      ++rules_hit;
    } else {
      missed += std::string("\n  not reached: ") + ErrCodeName(kDescRules[r].code) + ": " +
                kDescRules[r].text;
    }
  }
  EXPECT_EQ(rules_hit, kNumDescRules) << missed;
  RecordProperty("rules_hit", rules_hit);
  std::printf("rules hit: %d of %d; legal draws: %d of %d%s\n", rules_hit, kNumDescRules, passed,
              kDraws, missed.c_str());
}

}  // namespace
}  // namespace eyelet
