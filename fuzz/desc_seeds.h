// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Legal descriptors for the descriptor fuzzers: fuzz/make_seeds.cc writes them as seed files
// (fuzz_desc, fuzz_desc_rtl) and fuzz_desc_rtl mutates them in place. One list, so the seeds
// and the target's bases stay the same layers.
#ifndef EYELET_FUZZ_DESC_SEEDS_H_
#define EYELET_FUZZ_DESC_SEEDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/mapping.h"

namespace eyelet {

struct SeedLayer {
  std::string name;  // "layer<index>_v<variant>", the seed file's name after the config's
  ConvLayer layer;
};

inline ConvLayer SeedConv(int n, int c, int h, int w, int m, int k, int stride, int pad,
                          int groups) {
  ConvLayer l;
  l.x = Shape{n, c, h, w};
  l.w = Shape{m, c / groups, k, k};
  l.conv.stride_h = l.conv.stride_w = stride;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
  l.conv.groups = groups;
  return l;
}

// A few shapes (3 x 3 pad 1, grouped, a wide 13 x 13, 5 x 5 pad 2, stride 2, FC as 1 x 1, and
// 11 x 11 stride 4 on a tall input: row groups and row bands), each plain (v0), with bias,
// requantization and ReLU (v1), and those pooled 2 x 2 (v2, where the output has 2 x 2).
inline std::vector<SeedLayer> SeedLayers() {
  const std::vector<ConvLayer> shapes = {
      SeedConv(1, 3, 8, 8, 4, 3, 1, 1, 1),     SeedConv(2, 6, 6, 6, 8, 3, 1, 1, 2),
      SeedConv(1, 16, 13, 13, 32, 3, 1, 1, 1), SeedConv(1, 1, 28, 28, 8, 5, 1, 2, 1),
      SeedConv(1, 3, 15, 15, 4, 3, 2, 0, 1),   SeedConv(4, 64, 1, 1, 10, 1, 1, 0, 1),
      SeedConv(1, 3, 95, 95, 8, 11, 4, 0, 1),
  };
  std::vector<SeedLayer> out;
  for (size_t i = 0; i < shapes.size(); ++i) {
    for (int variant = 0; variant < 3; ++variant) {
      ConvLayer l = shapes[i];
      if (variant >= 1) l.post = static_cast<uint32_t>(kPostBias | kPostRequant | kPostRelu);
      if (variant == 2) {
        if (l.Out().h < 2 || l.Out().w < 2) continue;
        l.pooled = true;
      }
      out.push_back({"layer" + std::to_string(i) + "_v" + std::to_string(variant), l});
    }
  }
  return out;
}

// The descriptor of `l` as the mapper and tiler choose it for `hw`, tensors at fixed
// addresses; throws Error when the layer does not map on `hw`.
inline Desc SeedDesc(const ConvLayer& l, const ArrayConfig& hw) {
  const RsMapping m = ChooseMapping(l, hw);
  const Tiling t = ChooseTiling(l, hw, m);
  Desc d = MakeConvDesc(l, m, t, 0x1000, 0x10'0000, 0x20'0000, 0);
  if (l.OutTable()) d.pp_addr = 0x30'0000;
  return d;
}

// Near-misses aimed at late rules that random field changes seldom reach, on the `small`
// config (the same two layers as Directed() in tests/desc_check_rtl_test.cc): nb * sb >= 65536 (255
// images in one chunk, 300 one-row strips in one band), and a filter chunk of more than half
// the output-path table (300 requantized filters, mbc = mb). Each passes every earlier rule.
inline std::vector<Desc> AimedDescs(const ArrayConfig& hw) {
  std::vector<Desc> out;
  {
    ConvLayer l = SeedConv(255, 1, 300, 1, 1, 1, 1, 0, 1);
    const RsMapping m = ChooseMapping(l, hw);
    Desc d = MakeConvDesc(l, m, ChooseTiling(l, hw, m), 0x1000, 0x10'0000, 0x20'0000, 0);
    d.e = 1;
    d.strips = 300;
    d.sb = 300;
    d.nb = 255;
    out.push_back(d);
  }
  {
    ConvLayer l = SeedConv(1, 4, 1, 1, 300, 1, 1, 0, 1);
    l.post = static_cast<uint32_t>(kPostRequant);
    const RsMapping m = ChooseMapping(l, hw);
    Desc d = MakeConvDesc(l, m, ChooseTiling(l, hw, m), 0x1000, 0x10'0000, 0x20'0000, 0);
    d.pp_addr = 0x30'0000;
    d.mbc = d.mb;
    out.push_back(d);
  }
  return out;
}

// fuzz_desc_rtl's bases on `hw`, in this order (its inputs name them by index): the seed
// layers that map on `hw`, then AimedDescs(hw).
inline std::vector<Desc> DescBases(const ArrayConfig& hw) {
  std::vector<Desc> out;
  for (const SeedLayer& s : SeedLayers()) {
    try {
      out.push_back(SeedDesc(s.layer, hw));
    } catch (const Error&) {
      // does not map on this config: not a base
    }
  }
  for (const Desc& d : AimedDescs(hw)) out.push_back(d);
  return out;
}

}  // namespace eyelet

#endif  // EYELET_FUZZ_DESC_SEEDS_H_
