// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The output path of the Verilated accelerator (rtl/ey_walker.sv, descriptor `post` bits):
// bias at AccW, requantization to int16 per output channel, ReLU and leaky ReLU, on random
// layers through the driver. Every output element is compared with the golden model's
// AddBias / Requantize / Relu / LeakyRelu (golden.h), and the golden device must move the same
// DRAM bytes.
#include <gtest/gtest.h>

#include <string>

#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "rtl_device.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::FullRangeTensor;
using test::SameTensor;

constexpr uint64_t kTimeout = 20'000'000;

// A random CONV layer the mapper maps on `hw`: up to 3 images, 6 channels, 16 filters, 12 x 12,
// kernels up to 4, stride 1-2, some padding.
ConvLayer DrawConv(const ArrayConfig& hw, Rng& rng) {
  auto pick = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  for (;;) {
    ConvLayer l;
    const int r = pick(1, 4), s = pick(1, 4), pad = pick(0, std::min(r, s) - 1);
    l.x = Shape{pick(1, 3), pick(1, 6), pick(r, 12), pick(s, 12)};
    l.w = Shape{pick(1, 16), l.x.c, r, s};
    l.conv.stride_h = l.conv.stride_w = pick(1, 2);
    l.conv.pad_top = l.conv.pad_left = l.conv.pad_right = pad;
    l.conv.pad_bottom = pick(0, pad);
    try {
      l.Out();
      ChooseMapping(l, hw);
      return l;
    } catch (const Error&) {
    }
  }
}

// Random settings for m channels: shifts that land the accumulators of random 16-bit data
// around the int16 range (so rounding, both rails and both signs occur), and now and then
// extreme biases (wrapping) and multipliers. Kinds: 0 bias alone, 1 requantization, 2 bias and
// requantization, 3 + ReLU, 4 + leaky ReLU.
OutputPath RandomPath(int kind, int m, Rng& rng) {
  auto pick = [&](int lo, int hi) { return rng.UniformInt(lo, hi); };
  OutputPath p;
  for (int i = 0; i < m; ++i) {
    const bool wild = pick(0, 7) == 0;
    if (kind != 1)
      p.bias.push_back(wild ? static_cast<int32_t>(rng.Next()) : pick(-(1 << 24), 1 << 24));
    if (kind == 0) continue;
    p.requant.mult.push_back(wild ? static_cast<int32_t>(rng.Next()) : pick(-(1 << 12), 1 << 12));
    p.requant.shift.push_back(wild ? pick(0, 62) : pick(18, 36));
  }
  if (kind >= 1 && pick(0, 3) == 0) {  // one mult and shift for the layer
    p.requant.mult.resize(1);
    p.requant.shift.resize(1);
  }
  p.relu = kind == 3;
  p.leaky = kind == 4;
  p.leaky_mult = static_cast<int16_t>(pick(-32768, 32767));
  p.leaky_shift = pick(0, 20);
  return p;
}

// Runs `l` through `path` on `dev` as the runtime lays it out; with `tiling_from`, in that
// descriptor's chunks (of the same mapping).
LayerResult RunWithPath(Device& dev, const ConvLayer& l, const Tensor<int16_t>& x,
                        const Tensor<int16_t>& w, const OutputPath& path,
                        const RsMapping* mapping = nullptr, const Desc* tiling_from = nullptr) {
  if (tiling_from == nullptr) return RunConv(dev, l, x, w, mapping, kTimeout, &path);
  dev.FreeAll();
  ChainBuilder chain(dev);
  chain.AddConv(l, x, w, mapping, &path);
  const uint64_t head = chain.Commit();
  Desc d = chain.layer(0).desc;
  d.nb = tiling_from->nb;
  d.mbc = tiling_from->mbc;
  d.cbc = tiling_from->cbc;
  d.sb = tiling_from->sb;
  EXPECT_EQ(CheckDesc(d, dev.ReadHwInfo()), ErrCode::kNone) << DescribeDesc(d);
  dev.Write(head, PackDesc(d));
  dev.RunChain(head, kTimeout);
  LayerResult r;
  r.y = chain.ReadOutput(0);
  r.counters = dev.ReadCounters();
  return r;
}

class DriverPost : public testing::TestWithParam<const char*> {};

TEST_P(DriverPost, RandomOutputPathsMatchTheGoldenModel) {
  const ArrayConfig& hw = ConfigByName(GetParam());
  RtlDeviceOptions o;
  o.mem.read_latency = 10;
  o.mem.ready_prob = 0.8;
  o.mem.valid_prob = 0.8;
  auto dev = RtlDevice::Create(GetParam(), o);
  GoldenDevice golden(hw);
  Rng rng(std::string(GetParam()) == "tiny" ? 3 : 4);
  for (int i = 0; i < 15; ++i) {
    const ConvLayer l = DrawConv(hw, rng);
    const Tensor<int16_t> x = FullRangeTensor(l.x, rng), w = FullRangeTensor(l.w, rng);
    const OutputPath p = RandomPath(i % 5, l.w.n, rng);
    SCOPED_TRACE("layer " + std::to_string(i) + " " + l.ToString() + " post bits " +
                 std::to_string(p.PostBits()));
    const Tensor<int32_t> want = ApplyOutputPath(ConvAcc(x, w, l.conv), p);
    const LayerResult r = RunWithPath(*dev, l, x, w, p);
    EXPECT_TRUE(SameTensor(r.y, want));
    const LayerResult g = RunWithPath(golden, l, x, w, p);
    EXPECT_TRUE(SameTensor(g.y, want));
    EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, DriverPost, testing::Values("tiny", "small"));

TEST(DriverPostTiling, ChunksAndBandsEachStoreTheirFiltersWithTheirTable) {
  // Several filter chunks (each its table half), channel chunks (the table with the last),
  // image chunks and row bands, with requantization and ReLU, on the small array.
  auto dev = RtlDevice::Create("small");
  GoldenDevice golden(ConfigByName("small"));
  Rng rng(12);
  ConvLayer l;
  l.x = Shape{3, 12, 40, 30};
  l.w = Shape{20, 12, 3, 3};
  l.conv.pad_top = l.conv.pad_bottom = l.conv.pad_left = l.conv.pad_right = 1;
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng), w = FullRangeTensor(l.w, rng);
  const OutputPath p = RandomPath(3, l.w.n, rng);  // bias, requantization, ReLU
  const Tensor<int32_t> want = ApplyOutputPath(ConvAcc(x, w, l.conv), p);
  RsMapping m;
  m.e = 5, m.p = 2, m.q = 1, m.r = 1, m.t = 2, m.n = 3;
  ConvLayer lp = l;
  lp.post = p.PostBits();
  ASSERT_EQ(CompleteMapping(lp, ConfigByName("small"), m), "");
  for (const Tiling& t : {Tiling{2, 8, 4, 2}, Tiling{1, 4, 12, 2}, Tiling{1, 20, 6, 3}}) {
    SCOPED_TRACE("tiling " + std::to_string(t.nb) + "," + std::to_string(t.mc) + "," +
                 std::to_string(t.cc) + "," + std::to_string(t.sb));
    ASSERT_EQ(TilingError(lp, ConfigByName("small"), m, t), "");
    const Desc tiled = MakeConvDesc(lp, m, t, 0, 0, 0, 0);
    const LayerResult r = RunWithPath(*dev, l, x, w, p, &m, &tiled);
    EXPECT_TRUE(SameTensor(r.y, want));
    const LayerResult g = RunWithPath(golden, l, x, w, p, &m, &tiled);
    EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(l.Out().Size()) * 2);
  }
}

TEST(DriverPostErrors, BadOutputPathSettingsStopWithTheirCode) {
  auto dev = RtlDevice::Create("tiny");
  GoldenDevice golden(ConfigByName("tiny"));
  Rng rng(8);
  ConvLayer l;
  l.x = Shape{1, 2, 6, 6};
  l.w = Shape{3, 2, 3, 3};
  const Tensor<int16_t> x = FullRangeTensor(l.x, rng), w = FullRangeTensor(l.w, rng);
  const OutputPath p = RandomPath(1, 3, rng);  // requantization only
  struct Case {
    const char* name;
    ErrCode code;
    void (*mutate)(Desc&);
  };
  const Case cases[] = {
      {"ReLU without requantization", ErrCode::kDescPost, [](Desc& d) { d.post = kPostRelu; }},
      {"ReLU and leaky", ErrCode::kDescPost,
       [](Desc& d) { d.post = kPostRequant | kPostRelu | kPostLeaky; }},
      {"leaky shift 63", ErrCode::kDescPost, [](Desc& d) { d.lk_shift = 63; }},
      {"table unaligned", ErrCode::kDescAlign, [](Desc& d) { d.pp_addr += 4; }},
      {"table beyond 4 GB", ErrCode::kDescRange, [](Desc& d) { d.pp_addr = 0xfffffff8; }},
      {"table outside DRAM", ErrCode::kAxiRdDecerr, [](Desc& d) { d.pp_addr = 0x1000; }},
  };
  for (Device* device : {static_cast<Device*>(dev.get()), static_cast<Device*>(&golden)}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(device->Name() + ": " + c.name);
      device->FreeAll();
      ChainBuilder chain(*device);
      chain.AddConv(l, x, w, nullptr, &p);
      const uint64_t head = chain.Commit();
      Desc d = chain.layer(0).desc;
      c.mutate(d);
      EXPECT_EQ(CheckDesc(d, device->ReadHwInfo()),
                c.code == ErrCode::kAxiRdDecerr ? ErrCode::kNone : c.code);
      device->Write(head, PackDesc(d));
      try {
        device->RunChain(head, kTimeout);
        ADD_FAILURE() << "the chain ran";
      } catch (const DeviceError& e) {
        EXPECT_EQ(e.code(), c.code) << e.what();
        EXPECT_EQ(e.desc_index(), 0);
      }
    }
    // The next good chain still runs.
    const LayerResult r = RunWithPath(*device, l, x, w, p);
    EXPECT_TRUE(SameTensor(r.y, ApplyOutputPath(ConvAcc(x, w, l.conv), p)));
  }
}

}  // namespace
}  // namespace eyelet
