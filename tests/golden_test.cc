// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The integer golden model (eyelet/golden.h) against a naive reference: random sweeps of
// convolution, FC, requantization, leaky ReLU, max pooling and the fused quantized layer (the
// directed cases and the errors are in golden_directed_test.cc).
//
// The random sweeps compare against a naive reference written here in a deliberately different
// style from golden.cc: double arithmetic, an explicitly padded copy of every input image
// (zeros for convolution, -inf for pooling), output sizes found by sliding the window until it
// stops fitting, and an fmod-based wrap to acc_bits. Products are at most 2^30 and no output
// sums more than 3 * 11 * 11 of them, so every double sum is exact. Each sweep case prints its
// seed and shape; rerun one with --gtest_filter=<Suite>/<Test>.<Name>/<index>.
#include "eyelet/golden.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/rng.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

// ------------------------------------------------------------------------------------------
// Helpers

using test::ConvCase;
using test::ConvKind;
using test::ElementsEqual;
using test::kNumConvKinds;
using test::MakeShape;
using test::RailTensor;
using test::RandomConvCase;
using test::RandomPoolParams;
using test::SeedTrace;

// ------------------------------------------------------------------------------------------
// Independent naive reference

struct RefResult {
  Shape shape;
  std::vector<double> values;  // C order
};

// v modulo 2^acc_bits, mapped into [-2^(acc_bits-1), 2^(acc_bits-1)).
double RefWrap(double v, int acc_bits) {
  const double modulus = std::ldexp(1.0, acc_bits);
  double r = std::fmod(v, modulus);
  if (r < 0) r += modulus;
  if (r >= modulus / 2) r -= modulus;
  return r;
}

// Round half up of v / 2^shift, exact for any double v: the floor and the fraction of a
// power-of-two scaled double are both exact.
double RefRoundShift(double v, int shift) {
  const double t = std::ldexp(v, -shift);
  const double q = std::floor(t);
  return t - q >= 0.5 ? q + 1 : q;
}

double RefSaturate(double v, int bits) {
  const double hi = std::ldexp(1.0, bits - 1) - 1;
  const double lo = -std::ldexp(1.0, bits - 1);
  return v > hi ? hi : (v < lo ? lo : v);
}

RefResult RefConv(const Tensor<int16_t>& x, const Tensor<int16_t>& w, const ConvParams& p,
                  int acc_bits) {
  const Shape xs = x.shape();
  const Shape ws = w.shape();
  const int hp = xs.h + p.pad_top + p.pad_bottom;
  const int wp = xs.w + p.pad_left + p.pad_right;
  int out_h = 0;
  while (out_h * p.stride_h + ws.h <= hp) ++out_h;
  int out_w = 0;
  while (out_w * p.stride_w + ws.w <= wp) ++out_w;
  RefResult ref;
  ref.shape = MakeShape(xs.n, ws.n, out_h, out_w);
  const int c_per_group = xs.c / p.groups;
  const int m_per_group = ws.n / p.groups;
  for (int n = 0; n < xs.n; ++n) {
    // Zero-padded copy of image n.
    std::vector<std::vector<std::vector<double>>> padded(
        xs.c, std::vector<std::vector<double>>(hp, std::vector<double>(wp, 0.0)));
    for (int c = 0; c < xs.c; ++c) {
      for (int h = 0; h < xs.h; ++h) {
        for (int ww = 0; ww < xs.w; ++ww) {
          padded[c][h + p.pad_top][ww + p.pad_left] = x.at(n, c, h, ww);
        }
      }
    }
    for (int m = 0; m < ws.n; ++m) {
      const int first_channel = (m / m_per_group) * c_per_group;
      for (int e = 0; e < out_h; ++e) {
        for (int f = 0; f < out_w; ++f) {
          double sum = 0;
          for (int c = 0; c < c_per_group; ++c) {
            for (int r = 0; r < ws.h; ++r) {
              for (int s = 0; s < ws.w; ++s) {
                sum += padded[first_channel + c][e * p.stride_h + r][f * p.stride_w + s] *
                       w.at(m, c, r, s);
              }
            }
          }
          ref.values.push_back(RefWrap(sum, acc_bits));
        }
      }
    }
  }
  return ref;
}

RefResult RefFc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, int acc_bits) {
  const Shape xs = x.shape();
  const Shape ws = w.shape();
  RefResult ref;
  ref.shape = MakeShape(xs.n, ws.n, 1, 1);
  for (int n = 0; n < xs.n; ++n) {
    // Flatten x[n] by walking its coordinates in C order.
    std::vector<double> features;
    for (int c = 0; c < xs.c; ++c) {
      for (int h = 0; h < xs.h; ++h) {
        for (int ww = 0; ww < xs.w; ++ww) features.push_back(x.at(n, c, h, ww));
      }
    }
    for (int m = 0; m < ws.n; ++m) {
      double sum = 0;
      for (size_t k = 0; k < features.size(); ++k) {
        const int kw = static_cast<int>(k % ws.w);
        const int kh = static_cast<int>(k / ws.w % ws.h);
        const int kc = static_cast<int>(k / ws.w / ws.h);
        sum += features[k] * w.at(m, kc, kh, kw);
      }
      ref.values.push_back(RefWrap(sum, acc_bits));
    }
  }
  return ref;
}

// Number of pooling windows along one axis, found by enumerating window starts: floor mode
// takes every window that fits in the padded input; ceil mode takes windows while the previous
// one left padded elements uncovered, but never one that starts in the end padding.
int RefPoolCount(int len, int kernel, int stride, int pad_begin, int pad_end, bool ceil_mode) {
  const int padded = len + pad_begin + pad_end;
  int count = 0;
  for (int o = 0;; ++o) {
    const bool take =
        ceil_mode ? (o == 0 || (o - 1) * stride + kernel < padded) && o * stride < len + pad_begin
                  : o * stride + kernel <= padded;
    if (!take) break;
    ++count;
  }
  return count;
}

RefResult RefMaxPool(const Tensor<int16_t>& x, const PoolParams& p) {
  const Shape xs = x.shape();
  const int out_h =
      RefPoolCount(xs.h, p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom, p.ceil_mode);
  const int out_w =
      RefPoolCount(xs.w, p.kernel_w, p.stride_w, p.pad_left, p.pad_right, p.ceil_mode);
  // A ceil-mode window may reach past the end padding: make the -inf canvas big enough.
  const int hp = std::max(xs.h + p.pad_top + p.pad_bottom, (out_h - 1) * p.stride_h + p.kernel_h);
  const int wp = std::max(xs.w + p.pad_left + p.pad_right, (out_w - 1) * p.stride_w + p.kernel_w);
  const double kNegInf = -std::numeric_limits<double>::infinity();
  RefResult ref;
  ref.shape = MakeShape(xs.n, xs.c, out_h, out_w);
  for (int n = 0; n < xs.n; ++n) {
    for (int c = 0; c < xs.c; ++c) {
      std::vector<std::vector<double>> padded(hp, std::vector<double>(wp, kNegInf));
      for (int h = 0; h < xs.h; ++h) {
        for (int w = 0; w < xs.w; ++w) padded[h + p.pad_top][w + p.pad_left] = x.at(n, c, h, w);
      }
      for (int e = 0; e < out_h; ++e) {
        for (int f = 0; f < out_w; ++f) {
          double best = kNegInf;
          for (int i = 0; i < p.kernel_h; ++i) {
            for (int j = 0; j < p.kernel_w; ++j) {
              best = std::max(best, padded[e * p.stride_h + i][f * p.stride_w + j]);
            }
          }
          ref.values.push_back(best);  // -inf here would be a window of padding only
        }
      }
    }
  }
  return ref;
}

Tensor<int16_t> TensorFromRef(const RefResult& r) {
  Tensor<int16_t> t(r.shape);
  for (size_t i = 0; i < r.values.size(); ++i) t.data()[i] = static_cast<int16_t>(r.values[i]);
  return t;
}

// acc -> bias -> requant -> relu -> pool, each step written out again.
RefResult RefQuantLayer(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                        const QuantLayer& layer) {
  RefResult r = layer.fc ? RefFc(x, w, layer.acc_bits) : RefConv(x, w, layer.conv, layer.acc_bits);
  const int plane = r.shape.h * r.shape.w;
  for (size_t i = 0; i < r.values.size(); ++i) {
    const size_t m = i / plane % r.shape.c;
    double v = r.values[i];
    if (!layer.bias.empty()) v = RefWrap(v + layer.bias[m], layer.acc_bits);
    const size_t q = layer.requant.mult.size() == 1 ? 0 : m;
    v = RefSaturate(RefRoundShift(v * layer.requant.mult[q], layer.requant.shift[q]),
                    layer.data_bits);
    if (layer.relu && v < 0) v = 0;
    r.values[i] = v;
  }
  if (layer.pool) r = RefMaxPool(TensorFromRef(r), layer.pool_params);
  return r;
}

constexpr uint32_t kConvSeedBase = 1000;
constexpr uint32_t kFcSeedBase = 2000;
constexpr uint32_t kPoolSeedBase = 3000;
constexpr uint32_t kLayerSeedBase = 4000;

// ------------------------------------------------------------------------------------------
// Random sweeps against the naive reference

class ConvAccSweepTest : public ::testing::TestWithParam<int> {};

TEST_P(ConvAccSweepTest, MatchesNaiveReference) {
  const uint32_t seed = kConvSeedBase + GetParam();
  Rng rng(seed);
  const ConvCase k = RandomConvCase(rng, static_cast<ConvKind>(GetParam() % kNumConvKinds));
  SCOPED_TRACE(SeedTrace(seed, k.Describe()));
  const Tensor<int16_t> x = RailTensor(k.x, rng, k.data_bits);
  const Tensor<int16_t> w = RailTensor(k.w, rng, k.data_bits);
  const RefResult ref = RefConv(x, w, k.p, k.acc_bits);
  const Tensor<int32_t> y = ConvAcc(x, w, k.p, k.data_bits, k.acc_bits);
  ASSERT_TRUE(ElementsEqual(y, ref.shape, ref.values));
  EXPECT_EQ(ConvOutputShape(k.x, k.w, k.p).ToString(), ref.shape.ToString());
}

INSTANTIATE_TEST_SUITE_P(Seeds, ConvAccSweepTest, ::testing::Range(0, 200));

class FcAccSweepTest : public ::testing::TestWithParam<int> {};

TEST_P(FcAccSweepTest, MatchesNaiveReference) {
  const uint32_t seed = kFcSeedBase + GetParam();
  Rng rng(seed);
  const Shape xs = Shape{rng.UniformInt(1, 4), rng.UniformInt(1, 8), rng.UniformInt(1, 4),
                         rng.UniformInt(1, 4)};  // a braced list: drawn in order
  const int m = rng.UniformInt(1, 16);
  const int k = xs.c * xs.h * xs.w;
  Shape ws;
  switch (rng.Next() % 3) {
    case 0:
      ws = MakeShape(m, 1, 1, k);
      break;
    case 1:
      ws = MakeShape(m, k, 1, 1);
      break;
    default:
      ws = MakeShape(m, xs.c, xs.h, xs.w);
      break;
  }
  const int data_bits = rng.Next() % 2 ? 16 : 8;
  const int acc_bits = rng.Next() % 4 == 0 ? rng.UniformInt(16, 31) : 32;
  SCOPED_TRACE(SeedTrace(seed, "x=" + xs.ToString() + " w=" + ws.ToString() +
                                   " data_bits=" + std::to_string(data_bits) +
                                   " acc_bits=" + std::to_string(acc_bits)));
  const Tensor<int16_t> x = RailTensor(xs, rng, data_bits);
  const Tensor<int16_t> w = RailTensor(ws, rng, data_bits);
  const RefResult ref = RefFc(x, w, acc_bits);
  ASSERT_TRUE(ElementsEqual(FcAcc(x, w, data_bits, acc_bits), ref.shape, ref.values));
}

INSTANTIATE_TEST_SUITE_P(Seeds, FcAccSweepTest, ::testing::Range(0, 50));

std::string DescribePool(const PoolParams& p) {
  std::ostringstream s;
  s << "kernel=" << p.kernel_h << "x" << p.kernel_w << " stride=" << p.stride_h << "x" << p.stride_w
    << " pads(t,l,b,r)=" << p.pad_top << "," << p.pad_left << "," << p.pad_bottom << ","
    << p.pad_right << " ceil_mode=" << p.ceil_mode;
  return s.str();
}

class MaxPoolSweepTest : public ::testing::TestWithParam<int> {};

TEST_P(MaxPoolSweepTest, MatchesNaiveReference) {
  const uint32_t seed = kPoolSeedBase + GetParam();
  Rng rng(seed);
  const PoolParams p = RandomPoolParams(rng);
  const int h = std::max(1, p.kernel_h - p.pad_top - p.pad_bottom) + rng.UniformInt(0, 10);
  const int w = std::max(1, p.kernel_w - p.pad_left - p.pad_right) + rng.UniformInt(0, 10);
  const Shape xs{rng.UniformInt(1, 2), rng.UniformInt(1, 3), h, w};  // drawn in order
  SCOPED_TRACE(SeedTrace(seed, "x=" + xs.ToString() + " " + DescribePool(p)));
  Tensor<int16_t> x = RailTensor(xs, rng, 16);
  if (rng.Next() % 4 == 0) {
    for (int16_t& v : x.data()) v = static_cast<int16_t>(-1 - (v & 0x7fff));  // all negative
  }
  const RefResult ref = RefMaxPool(x, p);
  ASSERT_TRUE(ElementsEqual(MaxPool(x, p), ref.shape, ref.values));
  EXPECT_EQ(PoolOutputShape(xs, p).ToString(), ref.shape.ToString());
}

INSTANTIATE_TEST_SUITE_P(Seeds, MaxPoolSweepTest, ::testing::Range(0, 100));

class QuantLayerSweepTest : public ::testing::TestWithParam<int> {};

TEST_P(QuantLayerSweepTest, MatchesNaiveReference) {
  const uint32_t seed = kLayerSeedBase + GetParam();
  Rng rng(seed);
  ConvCase k = RandomConvCase(rng, static_cast<ConvKind>(GetParam() % kNumConvKinds));
  QuantLayer layer;
  layer.fc = rng.Next() % 4 == 0;
  if (layer.fc) {
    k.x = MakeShape(k.x.n, k.x.c, std::min(k.x.h, 4), std::min(k.x.w, 4));
    k.w = MakeShape(k.w.n, k.x.c * k.x.h * k.x.w, 1, 1);
  }
  layer.conv = k.p;
  layer.data_bits = k.data_bits;
  layer.acc_bits = k.acc_bits;
  const int m = k.w.n;
  if (rng.Next() % 2 == 0) {
    for (int i = 0; i < m; ++i) layer.bias.push_back(rng.UniformInt(-(1 << 20), 1 << 20));
  }
  // |acc * mult| < 2^31 * 2^21 keeps the reference's double product exact.
  const int entries = rng.Next() % 2 == 0 ? 1 : m;
  for (int i = 0; i < entries; ++i) {
    layer.requant.mult.push_back(rng.UniformInt(-(1 << 20), 1 << 20));
    layer.requant.shift.push_back(rng.UniformInt(0, 40));
  }
  layer.relu = rng.Next() % 2 == 0;
  const Shape acc_shape =
      layer.fc ? MakeShape(k.x.n, m, 1, 1) : ConvOutputShape(k.x, k.w, layer.conv);
  layer.pool_params = RandomPoolParams(rng);
  layer.pool_params.kernel_h = std::min(layer.pool_params.kernel_h, acc_shape.h);
  layer.pool_params.kernel_w = std::min(layer.pool_params.kernel_w, acc_shape.w);
  layer.pool_params.pad_top = layer.pool_params.pad_bottom = 0;
  layer.pool_params.pad_left = layer.pool_params.pad_right = 0;
  layer.pool = rng.Next() % 2 == 0;
  SCOPED_TRACE(SeedTrace(
      seed, k.Describe() + " fc=" + std::to_string(layer.fc) +
                " bias=" + std::to_string(!layer.bias.empty()) + " requant_entries=" +
                std::to_string(entries) + " relu=" + std::to_string(layer.relu) +
                " pool=" + std::to_string(layer.pool) + " " + DescribePool(layer.pool_params)));
  const Tensor<int16_t> x = RailTensor(k.x, rng, k.data_bits);
  const Tensor<int16_t> w = RailTensor(k.w, rng, k.data_bits);
  const RefResult ref = RefQuantLayer(x, w, layer);
  ASSERT_TRUE(ElementsEqual(RunQuantLayer(x, w, layer), ref.shape, ref.values));
}

INSTANTIATE_TEST_SUITE_P(Seeds, QuantLayerSweepTest, ::testing::Range(0, 40));

TEST(GoldenRequant, RandomValuesMatchReference) {
  const uint32_t seed = 6000;
  Rng rng(seed);
  for (int i = 0; i < 5000; ++i) {
    const int32_t acc = static_cast<int32_t>(rng.Next());
    const int32_t mult = rng.UniformInt(-(1 << 21), 1 << 21);
    const int shift = rng.UniformInt(0, 62);
    const int bits = rng.Next() % 2 ? 16 : 8;
    SCOPED_TRACE(SeedTrace(seed, "iteration " + std::to_string(i) + " acc=" + std::to_string(acc) +
                                     " mult=" + std::to_string(mult) +
                                     " shift=" + std::to_string(shift)));
    const double want = RefSaturate(RefRoundShift(static_cast<double>(acc) * mult, shift), bits);
    ASSERT_EQ(RequantizeOne(acc, mult, shift, bits), want);
  }
}

TEST(GoldenLeakyRelu, RandomValuesMatchReference) {
  const uint32_t seed = 6001;
  Rng rng(seed);
  SCOPED_TRACE(SeedTrace(seed, "1 x 1 x 1 x 4096 values per mult/shift"));
  for (int trial = 0; trial < 20; ++trial) {
    const int bits = trial % 2 ? 16 : 8;
    const auto mult = static_cast<int16_t>(rng.UniformInt(-32768, 32767));
    const int shift = rng.UniformInt(0, 20);
    const Tensor<int16_t> x = RailTensor(MakeShape(1, 1, 1, 4096), rng, bits);
    std::vector<double> want;
    for (int16_t v : x.data()) {
      want.push_back(
          v >= 0 ? v : RefSaturate(RefRoundShift(static_cast<double>(v) * mult, shift), bits));
    }
    SCOPED_TRACE("mult=" + std::to_string(mult) + " shift=" + std::to_string(shift));
    ASSERT_TRUE(ElementsEqual(LeakyRelu(x, mult, shift, bits), x.shape(), want));
  }
}

// ------------------------------------------------------------------------------------------
// ConvAcc against the naive reference (RefConv) over random batches that cross ConvAcc's
// blocks of images, windows lying partly or wholly in padding, strides, groups and narrow
// wrapping accumulators.

TEST(ConvAccDifferential, MatchesTheReferenceOnRandomBatches) {
  for (uint32_t seed = 5000; seed < 5150; ++seed) {
    Rng rng(seed);
    ConvParams p;
    p.groups = rng.UniformInt(1, 3);
    const int cg = rng.UniformInt(1, 4), mg = rng.UniformInt(1, 4);
    const int kh = rng.UniformInt(1, 4), kw = rng.UniformInt(1, 4);
    p.stride_h = rng.UniformInt(1, 3);
    p.stride_w = rng.UniformInt(1, 3);
    p.pad_top = rng.UniformInt(0, kh + 1);  // may exceed the kernel: windows of padding only
    p.pad_left = rng.UniformInt(0, kw + 1);
    p.pad_bottom = rng.UniformInt(0, kh);
    p.pad_right = rng.UniformInt(0, kw);
    const int data_bits = rng.UniformInt(0, 1) ? 16 : 8;
    const int acc_bits = rng.UniformInt(16, 32);
    const Shape xs{rng.UniformInt(1, 40), cg * p.groups, rng.UniformInt(kh, kh + 9),
                   rng.UniformInt(kw, kw + 9)};
    const Shape ws{mg * p.groups, cg, kh, kw};
    SCOPED_TRACE("seed " + std::to_string(seed) + " x " + xs.ToString() + " w " + ws.ToString() +
                 " acc_bits " + std::to_string(acc_bits));
    const Tensor<int16_t> x = RailTensor(xs, rng, data_bits);  // rails: narrow accs wrap
    const Tensor<int16_t> w = RailTensor(ws, rng, data_bits);
    const RefResult ref = RefConv(x, w, p, acc_bits);
    ASSERT_TRUE(ElementsEqual(ConvAcc(x, w, p, data_bits, acc_bits), ref.shape, ref.values));
  }
}

}  // namespace
}  // namespace eyelet
