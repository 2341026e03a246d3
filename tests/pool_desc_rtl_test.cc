// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Max pooling in the Verilated accelerator's output path, at the descriptor level: a CONV
// layer with a requantizing output path is laid out by the runtime, then its descriptor gets
// the pool_* fields (and, for some layers, one-strip row bands, so pooling windows straddle
// bands and the line buffer carries rows between them). Every pooled output is compared with
// the golden model's MaxPool of the output path's outputs (golden.h), and the golden device
// must write the same outputs and move the same DRAM bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "pool_cases.h"
#include "rtl_device.h"
#include "test_util.h"

namespace eyelet {
namespace {

using pool_cases::DrawPool;
using pool_cases::kTimeout;
using pool_cases::Pick;
using test::SameTensor;
using test::SparseTensor;
using test::Widen;

struct PoolRun {
  Tensor<int32_t> y;  // the pooled outputs
  int bands = 1;
  DeviceCounters counters;
};

// Lays `l` out through `path` (requantizing), patches the pooling (and `sb`, when not 0) into
// its descriptor and runs it on `dev`.
PoolRun RunPooled(Device& dev, const ConvLayer& l, const Tensor<int16_t>& x,
              const Tensor<int16_t>& w, const OutputPath& path, const PoolParams& pool,
              int sb) {
  dev.FreeAll();
  ChainBuilder chain(dev);
  chain.AddConv(l, x, w, nullptr, &path);
  const uint64_t head = chain.Commit();
  Desc d = chain.layer(0).desc;
  const Shape ps = PoolOutputShape(l.Out(), pool);
  d.pool_kh = pool.kernel_h;
  d.pool_kw = pool.kernel_w;
  d.pool_sh = pool.stride_h;
  d.pool_sw = pool.stride_w;
  d.pool_pt = pool.pad_top;
  d.pool_pl = pool.pad_left;
  d.pool_eo = ps.h;
  d.pool_fo = ps.w;
  if (sb != 0) d.sb = sb;
  const int bands = static_cast<int>((d.strips + d.sb - 1) / d.sb);
  dev.Write(head, PackDesc(d));
  dev.RunChain(head, kTimeout);
  PoolRun r;
  r.bands = bands;
  Tensor<int16_t> y(ps);
  y.data() = dev.Read<int16_t>(d.y_addr, static_cast<size_t>(ps.Size()));
  r.y = Widen(y);
  r.counters = dev.ReadCounters();
  return r;
}

class DriverPoolDesc : public testing::TestWithParam<const char*> {};

TEST_P(DriverPoolDesc, RandomPoolingsMatchTheGoldenModel) {
  const ArrayConfig& hw = ConfigByName(GetParam());
  RtlDeviceOptions o;
  o.mem.read_latency = 10;
  o.mem.ready_prob = 0.7;
  o.mem.valid_prob = 0.8;
  auto dev = RtlDevice::Create(GetParam(), o);
  GoldenDevice golden(hw);
  Rng rng(std::string(GetParam()) == "tiny" ? 21 : 22);
  int banded = 0;  // layers whose pooling windows straddle row bands
  for (int i = 0; i < 24; ++i) {
    ConvLayer l;
    for (;;) {
      const int r = Pick(rng, 1, 3), pad = Pick(rng, 0, r - 1);
      l = ConvLayer{};
      l.x = Shape{Pick(rng, 1, 2), Pick(rng, 1, 4), Pick(rng, r, 24), Pick(rng, r, 14)};
      l.w = Shape{Pick(rng, 1, 9), l.x.c, r, r};
      l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = pad;
      try {
        l.Out();
        l.post = kPostRequant;
        ChooseMapping(l, hw);
        break;
      } catch (const Error&) {
      }
    }
    const Shape o_shape = l.Out();
    const PoolParams pool = DrawPool(o_shape.h, o_shape.w, rng);
    OutputPath path;
    for (int m = 0; m < l.w.n; ++m) {
      path.bias.push_back(Pick(rng, -(1 << 20), 1 << 20));
      path.requant.mult.push_back(Pick(rng, -(1 << 12), 1 << 12));
      path.requant.shift.push_back(Pick(rng, 18, 30));
    }
    path.relu = i % 3 == 0;
    const int sb = i % 2 == 1 ? 1 : 0;  // odd layers: one-strip row bands
    SCOPED_TRACE("layer " + std::to_string(i) + " " + l.ToString() + " pool " +
                 std::to_string(pool.kernel_h) + "x" + std::to_string(pool.kernel_w) + "/" +
                 std::to_string(pool.stride_h) + "," + std::to_string(pool.stride_w) + " pads " +
                 std::to_string(pool.pad_top) + "," + std::to_string(pool.pad_left) + "," +
                 std::to_string(pool.pad_bottom) + "," + std::to_string(pool.pad_right) +
                 (pool.ceil_mode ? " ceil" : "") + " sb " + std::to_string(sb));
    const Tensor<int16_t> x = SparseTensor(l.x, rng, 32767), w = SparseTensor(l.w, rng, 32767);
    const Tensor<int32_t> out = ApplyOutputPath(ConvAcc(x, w, l.conv), path);
    Tensor<int16_t> out16(out.shape());
    std::transform(out.data().begin(), out.data().end(), out16.data().begin(),
                   [](int32_t v) { return static_cast<int16_t>(v); });
    const Tensor<int16_t> pooled = MaxPool(out16, pool);
    const Tensor<int32_t> want = Widen(pooled);
    const PoolRun r = RunPooled(*dev, l, x, w, path, pool, sb);
    EXPECT_TRUE(SameTensor(r.y, want));
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(want.size()) * 2);
    const PoolRun g = RunPooled(golden, l, x, w, path, pool, sb);
    EXPECT_TRUE(SameTensor(g.y, want));
    EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
    banded += r.bands > 1;
  }
  EXPECT_GE(banded, 6) << "too few layers ran in several row bands";
}

INSTANTIATE_TEST_SUITE_P(Configs, DriverPoolDesc, testing::Values("tiny", "small"));

TEST(DriverPoolDescErrors, BadPoolingSettingsStopWithDescPool) {
  auto rtl = RtlDevice::Create("tiny");
  Rng rng(9);
  // 1 x 1 convolution of a 8 x 600 plane, 8 filters: 1 x 1 pooled rows of 600 words, so 8
  // planes in one-strip bands need 4800 line-buffer words (> 4096); one band needs 600.
  ConvLayer l;
  l.x = Shape{1, 1, 8, 600};
  l.w = Shape{8, 1, 1, 1};
  l.post = kPostRequant;
  const Tensor<int16_t> x = SparseTensor(l.x, rng, 32767), w = SparseTensor(l.w, rng, 32767);
  OutputPath path;
  path.requant.mult = {1};
  path.requant.shift = {0};
  struct Case {
    const char* name;
    void (*mutate)(Desc&);
  };
  const Case cases[] = {
      {"pooling without requantization", [](Desc& d) { d.post = 0; }},
      {"window height 4", [](Desc& d) { d.pool_kh = 4; }},
      {"window width 0", [](Desc& d) { d.pool_kw = 0; }},
      {"vertical stride 0", [](Desc& d) { d.pool_sh = 0; }},
      {"horizontal stride 4", [](Desc& d) { d.pool_sw = 4; }},
      {"top padding = window", [](Desc& d) { d.pool_pt = d.pool_kh; }},
      {"left padding = window", [](Desc& d) { d.pool_pl = d.pool_kw; }},
      {"no pooled rows", [](Desc& d) { d.pool_eo = 0; }},
      {"a window below the ofmap", [](Desc& d) { d.pool_eo = d.eo / 2 + 2; }},
      {"a window right of the ofmap", [](Desc& d) { d.pool_fo = d.fo / 2 + 2; }},
      {"line buffer: 8 planes in bands", [](Desc& d) {
         d.sb = 1;
         d.pool_kh = d.pool_kw = d.pool_sh = d.pool_sw = 1;
         d.pool_eo = d.eo;
         d.pool_fo = d.fo;
       }},
  };
  // The RTL and the golden device (the driver's CheckDesc semantics) must agree.
  GoldenDevice golden(ConfigByName("tiny"));
  for (Device* device : {static_cast<Device*>(rtl.get()), static_cast<Device*>(&golden)}) {
    Device& dev = *device;
    SCOPED_TRACE(device == &golden ? "golden device" : "RTL");
    dev.FreeAll();
    ChainBuilder chain(dev);
    chain.AddConv(l, x, w, nullptr, &path);
    const uint64_t head = chain.Commit();
    Desc good = chain.layer(0).desc;
    good.pool_kh = good.pool_kw = good.pool_sh = good.pool_sw = 2;
    good.pool_eo = good.eo / 2;
    good.pool_fo = good.fo / 2;
    ASSERT_GT(good.strips, 1u) << "the layer must have several strips for the band case";
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      Desc d = good;
      c.mutate(d);
      dev.Write(head, PackDesc(d));
      try {
        dev.RunChain(head, kTimeout);
        ADD_FAILURE() << "ran without an error";
      } catch (const DeviceError& e) {
        EXPECT_EQ(e.code(), ErrCode::kDescPool) << e.what();
      }
    }
    // The device still runs a good descriptor: 2 x 2 / 2 pooling of the 8 x 600 planes.
    dev.Write(head, PackDesc(good));
    dev.RunChain(head, kTimeout);
    Tensor<int16_t> y(Shape{1, 8, 4, 300});
    y.data() = dev.Read<int16_t>(good.y_addr, 8 * 4 * 300);
    Tensor<int16_t> want(y.shape());
    for (int m = 0; m < 8; ++m) {
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 300; ++j) {
          int32_t best = -32768;
          for (int a = 0; a < 2; ++a) {
            for (int b = 0; b < 2; ++b) {
              const int64_t acc = int64_t{x.at(0, 0, 2 * i + a, 2 * j + b)} * w.at(m, 0, 0, 0);
              best = std::max(best, Saturate(acc, 16));
            }
          }
          want.at(0, m, i, j) = static_cast<int16_t>(best);
        }
      }
    }
    EXPECT_TRUE(SameTensor(y, want)) << "pooled outputs";
  }
}

}  // namespace
}  // namespace eyelet
