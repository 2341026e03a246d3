// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Max pooling through the driver, written against the Device interface so the same bodies run
// on every backend: tests/pool_test.cc runs them on the golden device; an RTL test file runs
// them on RtlDevice::Create(config) the way tests/post_rtl_test.cc sets its device up, with a
// GoldenDevice of the same config as `reference` to compare the DRAM traffic with.
// Every pooled output is compared element by element with the golden model run layer by layer
// (RunQuantLayer, MaxPool, ApplyOutputPath in golden.h / runtime.h).
#ifndef EYELET_TESTS_POOL_CASES_H_
#define EYELET_TESTS_POOL_CASES_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "test_util.h"

namespace eyelet {
namespace pool_cases {

constexpr uint64_t kTimeout = 20'000'000;

inline int Pick(Rng& rng, int lo, int hi) { return rng.UniformInt(lo, hi); }

// A random pooling of an e x f plane: windows and strides 1..3, pads below the window, ceil
// mode now and then (golden PoolOutputShape's rules).
inline PoolParams DrawPool(int e, int f, Rng& rng) {
  for (;;) {
    PoolParams p;
    p.kernel_h = Pick(rng, 1, 3);
    p.kernel_w = Pick(rng, 1, 3);
    p.stride_h = Pick(rng, 1, 3);
    p.stride_w = Pick(rng, 1, 3);
    p.pad_top = Pick(rng, 0, p.kernel_h - 1);
    p.pad_bottom = Pick(rng, 0, p.kernel_h - 1);
    p.pad_left = Pick(rng, 0, p.kernel_w - 1);
    p.pad_right = Pick(rng, 0, p.kernel_w - 1);
    p.ceil_mode = Pick(rng, 0, 2) == 0;
    try {
      PoolOutputShape(Shape{1, 1, e, f}, p);
      return p;
    } catch (const ShapeError&) {
    }
  }
}

// A requantization that lands the accumulators `acc` around +-8000 (both signs, rounding, and
// the rails now and then): per channel mult 1..3 and the shift that fits the largest one.
inline RequantParams FitRequant(const Tensor<int32_t>& acc, int channels, Rng& rng) {
  int64_t most = 1;
  for (int32_t v : acc.data()) most = std::max<int64_t>(most, std::llabs(v));
  int shift = 0;
  while ((most >> shift) > 8000) ++shift;
  RequantParams q;
  for (int m = 0; m < channels; ++m) {
    const int mult = Pick(rng, 1, 3);  // then the sign: two statements, so drawn in order
    q.mult.push_back(Pick(rng, 0, 5) == 0 ? -mult : mult);
    q.shift.push_back(shift);
  }
  return q;
}

// A random pooled CONV layer the mapper maps (pooling fused) on `hw`: up to 2 images, 2 groups,
// 4 channels and 6 filters per group, 3..14 rows and columns, kernels 1..3, strides 1..2.
struct PooledLayer {
  ConvLayer layer;     // with the output path's post bits and its pooling
  OutputPath path;     // bias (mostly), requantization, ReLU / leaky / none, the pooling
  Tensor<int16_t> x, w;
};

inline PooledLayer DrawPooledLayer(const ArrayConfig& hw, Rng& rng) {
  for (;;) {
    PooledLayer d;
    ConvLayer& l = d.layer;
    const int r = Pick(rng, 1, 3), s = Pick(rng, 1, 3), groups = Pick(rng, 1, 3) == 1 ? 2 : 1;
    l.conv.groups = groups;
    l.x = Shape{Pick(rng, 1, 2), groups * Pick(rng, 1, 4), Pick(rng, 3, 14), Pick(rng, 3, 14)};
    l.w = Shape{groups * Pick(rng, 1, 6), l.x.c / groups, r, s};
    l.conv.stride_h = Pick(rng, 1, 2);
    l.conv.stride_w = Pick(rng, 1, 2);
    l.conv.pad_top = Pick(rng, 0, r - 1);
    l.conv.pad_bottom = Pick(rng, 0, r - 1);
    l.conv.pad_left = Pick(rng, 0, s - 1);
    l.conv.pad_right = Pick(rng, 0, s - 1);
    try {
      const Shape out = l.Out();
      d.x = test::SparseTensor(l.x, rng);
      d.w = test::SparseTensor(l.w, rng);
      OutputPath& p = d.path;
      if (Pick(rng, 0, 3) != 0) {
        for (int m = 0; m < l.w.n; ++m) p.bias.push_back(Pick(rng, -20000, 20000));
      }
      Tensor<int32_t> acc = ConvAcc(d.x, d.w, l.conv);
      if (!p.bias.empty()) AddBias(acc, p.bias);
      p.requant = FitRequant(acc, l.w.n, rng);
      const int act = Pick(rng, 0, 2);
      p.relu = act == 1;
      p.leaky = act == 2;
      p.leaky_mult = static_cast<int16_t>(Pick(rng, -300, 300));
      p.leaky_shift = Pick(rng, 0, 10);
      p.pool = true;
      p.pool_params = DrawPool(out.h, out.w, rng);
      l.post = p.PostBits();
      l.pooled = true;
      l.pool = p.pool_params;
      ChooseMapping(l, hw);
      return d;
    } catch (const Error&) {
    }
  }
}

// What the golden model computes for `d`, layer by layer: RunQuantLayer (conv, bias,
// requantization, ReLU, max pool) without leaky ReLU, else ApplyOutputPath's steps.
inline Tensor<int32_t> GoldenPooled(const PooledLayer& d) {
  if (d.path.leaky) return ApplyOutputPath(ConvAcc(d.x, d.w, d.layer.conv), d.path);
  QuantLayer q;
  q.conv = d.layer.conv;
  q.bias = d.path.bias;
  q.requant = d.path.requant;
  q.relu = d.path.relu;
  q.pool = true;
  q.pool_params = d.path.pool_params;
  return test::Widen(RunQuantLayer(d.x, d.w, q));
}

// `count` random pooled layers through RunConv on `dev` (the pooling fused into the layer's
// descriptor), each compared with the golden model; with `reference`, the same run there must
// move the same DRAM bytes. The bytes written are the pooled outputs', once.
inline void RandomPooledLayers(Device& dev, const ArrayConfig& hw, uint32_t seed, int count,
                               Device* reference = nullptr) {
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const PooledLayer d = DrawPooledLayer(hw, rng);
    SCOPED_TRACE("layer " + std::to_string(i) + " " + d.layer.ToString() + " post " +
                 std::to_string(d.layer.post));
    const LayerResult r = RunConv(dev, d.layer, d.x, d.w, nullptr, kTimeout, &d.path);
    EXPECT_TRUE(test::SameTensor(r.y, GoldenPooled(d))) << "pooled outputs";
    EXPECT_EQ(r.counters.descs, 1u);
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(d.layer.PooledOut().Size()) * 2);
    if (reference != nullptr) {
      const LayerResult g = RunConv(*reference, d.layer, d.x, d.w, nullptr, kTimeout, &d.path);
      EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
      EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
    }
  }
}

// A pooled layer laid out by the runtime with `mapping` (the mapper's when null), then run in
// the chunks of tiling `t`: the descriptor's nb, mbc, cbc, sb patched. Returns the outputs and
// the counters.
inline LayerResult RunPooledTiled(Device& dev, const PooledLayer& d, const Tiling& t,
                                  const RsMapping* mapping = nullptr) {
  dev.FreeAll();
  ChainBuilder chain(dev);
  const int index = chain.AddConv(d.layer, d.x, d.w, mapping, &d.path);
  EXPECT_EQ(index, 0);  // fused
  const uint64_t head = chain.Commit();
  const ChainBuilder::Layer& l = chain.layer(0);
  const Desc tiled = MakeConvDesc(l.layer, l.mapping, t, 0, 0, 0, 0);
  Desc desc = l.desc;
  desc.nb = tiled.nb;
  desc.mbc = tiled.mbc;
  desc.cbc = tiled.cbc;
  desc.sb = tiled.sb;
  EXPECT_EQ(CheckDesc(desc, dev.ReadHwInfo()), ErrCode::kNone) << DescribeDesc(desc);
  dev.Write(head, PackDesc(desc));
  dev.RunChain(head, kTimeout);
  LayerResult r;
  r.y = chain.ReadOutput(0);
  r.counters = dev.ReadCounters();
  r.mapping = l.mapping;
  r.tiling = t;
  return r;
}

// `count` random pooled layers, each with a random legal mapping and tiling, mostly in row bands (so pooling windows straddle bands and the line buffer carries rows from
// one band to the next), compared with the golden model; the golden cost model must count the
// bytes `dev` moves, and with `reference` the reference device too.
inline void RandomBandedPooledLayers(Device& dev, const ArrayConfig& hw, uint32_t seed, int count,
                                     Device* reference = nullptr) {
  Rng rng(seed);
  int banded = 0, empty_bands = 0, straddling = 0, virtual_rows = 0;
  for (int i = 0; i < count; ++i) {
    PooledLayer d;
    RsMapping m;
    Tiling t;
    for (;;) {
      d = DrawPooledLayer(hw, rng);
      // A random legal mapping, mostly of several strips (the mapper's often has one).
      m = RsMapping{};
      m.e = Pick(rng, 1, std::min(hw.cols, d.layer.Out().h));
      m.p = Pick(rng, 1, 3), m.q = Pick(rng, 1, 2), m.r = Pick(rng, 1, 2), m.t = Pick(rng, 1, 3);
      if (!CompleteMapping(d.layer, hw, m).empty() || (m.strips < 2 && Pick(rng, 0, 3) != 0)) {
        continue;
      }
      const int cg = d.layer.x.c / d.layer.conv.groups, mg = d.layer.w.n / d.layer.conv.groups;
      auto chunk = [&](int block, int total) {
        return std::min(total, block * Pick(rng, 1, (total + block - 1) / block));
      };
      t = Tiling{Pick(rng, 1, d.layer.x.n), chunk(m.t * m.p, mg), chunk(m.r * m.q, cg),
                 Pick(rng, 1, m.strips)};
      if (TilingError(d.layer, hw, m, t).empty()) break;
    }
    banded += t.sb < m.strips;
    if (t.sb < m.strips) {
      // Bands that complete no pooled row, windows that straddle two bands, -inf rows below.
      const PoolParams& p = d.layer.pool;
      const int eo = d.layer.Out().h, rows = t.sb * m.e, pooled_rows = d.layer.PooledOut().h;
      bool empty = false, straddles = false;
      for (int y0 = 0; y0 < eo; y0 += rows) {
        const int n = std::min(rows, eo - y0);
        const PooledRows pr =
            BandPooledRows(y0, n, y0 + n >= eo, p.kernel_h, p.stride_h, p.pad_top, pooled_rows);
        empty = empty || pr.count == 0;
        for (int i = pr.first; i < pr.first + pr.count; ++i) {
          straddles = straddles || i * p.stride_h - p.pad_top < y0;
        }
      }
      empty_bands += empty;
      straddling += straddles;
      virtual_rows += PoolVirtualRows(d.layer) > 0;
    }
    SCOPED_TRACE("layer " + std::to_string(i) + " " + d.layer.ToString() + " mapping " +
                 m.ToString() + " tiling " + std::to_string(t.nb) + "," + std::to_string(t.mc) +
                 "," + std::to_string(t.cc) + "," + std::to_string(t.sb));
    const LayerResult r = RunPooledTiled(dev, d, t, &m);
    EXPECT_TRUE(test::SameTensor(r.y, GoldenPooled(d))) << "pooled outputs";
    const CycleEstimate c = EstimateCycles(d.layer, hw, m, t);
    EXPECT_EQ(static_cast<uint64_t>(c.dram_write_bytes), r.counters.dram_wr_bytes);
    EXPECT_EQ(static_cast<uint64_t>(c.dram_read_bytes) + kDescBytes, r.counters.dram_rd_bytes);
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(d.layer.PooledOut().Size()) * 2);
    if (reference != nullptr) {
      const LayerResult g = RunPooledTiled(*reference, d, t, &m);
      EXPECT_EQ(r.counters.dram_rd_bytes, g.counters.dram_rd_bytes);
      EXPECT_EQ(r.counters.dram_wr_bytes, g.counters.dram_wr_bytes);
    }
  }
  EXPECT_GE(banded, count / 2) << "too few runs in row bands";
  EXPECT_GE(straddling, count / 6) << "too few windows straddling two bands";
  EXPECT_GE(empty_bands, count / 20) << "too few bands that complete no pooled row";
  EXPECT_GE(virtual_rows, count / 20) << "too few -inf rows below the ofmap in banded runs";
}

// `count` random standalone max poolings (RunPool: a 1x1 CONV of weight 1 with the pooling
// fused) of random int16 tensors, compared with golden MaxPool.
inline void RandomStandalonePools(Device& dev, uint32_t seed, int count) {
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const Shape xs{Pick(rng, 1, 3), Pick(rng, 1, 5), Pick(rng, 1, 16), Pick(rng, 1, 16)};
    const PoolParams p = DrawPool(xs.h, xs.w, rng);
    const Tensor<int16_t> x = test::SparseTensor(xs, rng, 32767);
    SCOPED_TRACE("pool " + std::to_string(i) + " of " + xs.ToString() + " window " +
                 std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + " stride " +
                 std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w));
    const LayerResult r = RunPool(dev, x, p, kTimeout);
    EXPECT_TRUE(test::SameTensor(r.y, test::Widen(MaxPool(x, p)))) << "pooled";
    EXPECT_EQ(r.counters.descs, 1u);
    EXPECT_EQ(r.counters.dram_wr_bytes, static_cast<uint64_t>(r.y.size()) * 2);
  }
}

// LeNet-5's layers, all requantized (fitted to the accumulators of the previous layer's golden
// outputs), as ONE descriptor chain in which every layer reads the one before it from DRAM:
// conv 5x5 6 filters pad 2 on N x 1 x 28 x 28 -> ReLU -> max pool 2x2/2 -> conv 5x5 16 -> ReLU
// -> max pool 2x2/2 -> fc 120 -> ReLU -> fc 84 -> fc 10. Each layer's outputs are compared with
// the golden model run layer by layer. The chain has 5 descriptors when both poolings fuse.
inline void LeNetChain(Device& dev, int batch, uint32_t seed) {
  Rng rng(seed);
  dev.FreeAll();
  ChainBuilder chain(dev);
  const Tensor<int16_t> x = test::SparseTensor(Shape{batch, 1, 28, 28}, rng, 127);
  PoolParams pool;  // 2x2, stride 2
  std::vector<Tensor<int32_t>> want;
  std::vector<int> index;

  // conv1
  const Tensor<int16_t> w1 = test::SparseTensor(Shape{6, 1, 5, 5}, rng, 64);
  ConvParams c1;
  c1.pad_top = c1.pad_left = c1.pad_bottom = c1.pad_right = 2;
  OutputPath p1;
  p1.requant = FitRequant(ConvAcc(x, w1, c1), 6, rng);
  p1.relu = true;
  p1.pool = true;
  p1.pool_params = pool;
  ConvLayer l1;
  l1.x = x.shape();
  l1.w = w1.shape();
  l1.conv = c1;
  index.push_back(chain.AddConv(l1, x, w1, nullptr, &p1));
  QuantLayer q1;
  q1.conv = c1;
  q1.requant = p1.requant;
  q1.relu = q1.pool = true;
  q1.pool_params = pool;
  const Tensor<int16_t> y1 = RunQuantLayer(x, w1, q1);  // N x 6 x 14 x 14
  want.push_back(test::Widen(y1));

  // conv2
  const Tensor<int16_t> w2 = test::SparseTensor(Shape{16, 6, 5, 5}, rng, 64);
  ConvParams c2;
  OutputPath p2;
  p2.requant = FitRequant(ConvAcc(y1, w2, c2), 16, rng);
  p2.relu = true;
  p2.pool = true;
  p2.pool_params = pool;
  index.push_back(chain.AddConvAfter(index.back(), w2, c2, nullptr, &p2));
  QuantLayer q2 = q1;
  q2.conv = c2;
  q2.requant = p2.requant;
  const Tensor<int16_t> y2 = RunQuantLayer(y1, w2, q2);  // N x 16 x 5 x 5
  want.push_back(test::Widen(y2));

  // fc 120 -> ReLU, fc 84, fc 10 on the flat 400 / 120 / 84 features.
  Tensor<int16_t> in = y2;
  const int sizes[] = {120, 84, 10};
  for (int k = 0; k < 3; ++k) {
    const int64_t features = in.shape().c * in.shape().h * in.shape().w;
    const Tensor<int16_t> w =
        test::SparseTensor(Shape{sizes[k], 1, 1, static_cast<int>(features)}, rng, 64);
    OutputPath p;
    p.requant = FitRequant(FcAcc(in, w), sizes[k], rng);
    p.relu = k == 0;
    index.push_back(chain.AddFcAfter(index.back(), w, nullptr, &p));
    QuantLayer q;
    q.fc = true;
    q.requant = p.requant;
    q.relu = p.relu;
    in = RunQuantLayer(in, w, q);  // N x M x 1 x 1
    want.push_back(test::Widen(in));
  }

  EXPECT_EQ(chain.size(), 5) << "both poolings fused";
  for (int i = 1; i < chain.size(); ++i) {
    EXPECT_EQ(chain.layer(i).desc.x_addr, chain.layer(i - 1).desc.y_addr)
        << "layer " << i << " reads the previous layer's outputs in place";
    EXPECT_EQ(chain.layer(i).src, i - 1);
  }
  dev.RunChain(chain.Commit(), kTimeout);
  EXPECT_EQ(dev.ReadCounters().descs, static_cast<uint64_t>(chain.size()));
  const char* names[] = {"conv1+relu+pool", "conv2+relu+pool", "fc120+relu", "fc84", "fc10"};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(test::SameTensor(chain.ReadOutput(index[i]), want[i])) << names[i];
  }
}

}  // namespace pool_cases
}  // namespace eyelet

#endif  // EYELET_TESTS_POOL_CASES_H_
