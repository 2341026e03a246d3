// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The integer golden model (eyelet/golden.h): convolution, FC, accumulator wrap, bias,
// requantization, ReLU, max pooling, the fused quantized layer, the checksum and the errors.
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
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "eyelet/error.h"
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
using test::ExpectShapeError;
using test::HasElements;
using test::kNumConvKinds;
using test::MakeShape;
using test::MakeTensor;
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
// Hand-worked convolutions

TEST(GoldenConv, PaddingCornersWithOnesKernel) {
  // 3x3 input 1..9, 3x3 kernel of ones, pad 1: each output sums the in-bounds neighbourhood.
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 3, 3), {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor<int16_t> w(MakeShape(1, 1, 3, 3), 1);
  ConvParams p;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  EXPECT_TRUE(HasElements(ConvAcc(x, w, p), MakeShape(1, 1, 3, 3),
                          {12, 21, 16,  //
                           27, 45, 33,  //
                           24, 39, 28}));
}

TEST(GoldenConv, AsymmetricPadding) {
  // Padded input (pad top 2, right 1):   kernel [[1, 2],
  //   0 0 0 0                                    [3, 4]]
  //   0 0 0 0
  //   1 2 3 0
  //   4 5 6 0
  //   7 8 9 0
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 3, 3), {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const auto w = MakeTensor<int16_t>(MakeShape(1, 1, 2, 2), {1, 2, 3, 4});
  ConvParams p;
  p.pad_top = 2;
  p.pad_right = 1;
  EXPECT_TRUE(HasElements(ConvAcc(x, w, p), MakeShape(1, 1, 4, 3),
                          {0, 0, 0,     //
                           11, 18, 9,   //
                           37, 47, 21,  //
                           67, 77, 33}));
}

TEST(GoldenConv, StrideLargerThanKernelSkipsInputs) {
  // x[h][w] = 5h + w; 1x1 kernel of 2 with stride 3 reads x[0][0], x[0][3], x[3][0], x[3][3].
  Tensor<int16_t> x(MakeShape(1, 1, 5, 5));
  for (int i = 0; i < 25; ++i) x.data()[i] = static_cast<int16_t>(i);
  const Tensor<int16_t> w(MakeShape(1, 1, 1, 1), 2);
  ConvParams p;
  p.stride_h = p.stride_w = 3;
  EXPECT_TRUE(HasElements(ConvAcc(x, w, p), MakeShape(1, 1, 2, 2), {0, 6, 30, 36}));

  // 2x2 identity-diagonal kernel, stride 3 x 4: out[e][0] = x[3e][0] + x[3e+1][1].
  const auto diag = MakeTensor<int16_t>(MakeShape(1, 1, 2, 2), {1, 0, 0, 1});
  p.stride_w = 4;
  EXPECT_TRUE(HasElements(ConvAcc(x, diag, p), MakeShape(1, 1, 2, 1), {6, 36}));
}

TEST(GoldenConv, GroupsReadOnlyTheirChannels) {
  // C = 4, M = 2, groups = 2: output 0 reads channels 0-1, output 1 reads channels 2-3.
  const auto x = MakeTensor<int16_t>(MakeShape(1, 4, 1, 2), {1, 2, 3, 4, 5, 6, 7, 8});
  const auto w = MakeTensor<int16_t>(MakeShape(2, 2, 1, 1), {10, 100, 1000, -1});
  ConvParams p;
  p.groups = 2;
  EXPECT_TRUE(HasElements(ConvAcc(x, w, p), MakeShape(1, 2, 1, 2), {310, 420, 4993, 5992}));
}

TEST(GoldenConv, DepthwiseWithPadding) {
  // groups = C = M = 2, 1x2 kernels, pad left 1: y[c][f] = w0 * x[c][f-1] + w1 * x[c][f].
  const auto x = MakeTensor<int16_t>(MakeShape(1, 2, 1, 3), {1, 2, 3, -1, -2, -3});
  const auto w = MakeTensor<int16_t>(MakeShape(2, 1, 1, 2), {1, 10, 2, 3});
  ConvParams p;
  p.groups = 2;
  p.pad_left = 1;
  EXPECT_TRUE(HasElements(ConvAcc(x, w, p), MakeShape(1, 2, 1, 3), {10, 21, 32, -3, -8, -13}));
}

TEST(GoldenConv, PointwiseWithBatch) {
  const auto x = MakeTensor<int16_t>(MakeShape(2, 2, 1, 2), {1, 2, 3, 4,  // n = 0
                                                             -1, 0, 5, -2});
  const auto w = MakeTensor<int16_t>(MakeShape(3, 2, 1, 1), {1, 1, 2, -1, 0, 3});
  EXPECT_TRUE(HasElements(ConvAcc(x, w, ConvParams{}), MakeShape(2, 3, 1, 2),
                          {4, 6, -1, 0, 9, 12,  //
                           4, -2, -7, 2, 15, -6}));
}

TEST(GoldenConv, KernelAsTallAsInputGivesOneRow) {
  //  1  2  3  4      kernel [[1, 0],
  //  5  6  7  8              [0, 1],
  //  9 10 11 12              [1, 1]]
  const auto x =
      MakeTensor<int16_t>(MakeShape(1, 1, 3, 4), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  const auto w = MakeTensor<int16_t>(MakeShape(1, 1, 3, 2), {1, 0, 0, 1, 1, 1});
  EXPECT_TRUE(HasElements(ConvAcc(x, w, ConvParams{}), MakeShape(1, 1, 1, 3), {26, 30, 34}));
}

TEST(GoldenConv, RailValuesMultiplyExactly) {
  // (-32768)^2 = 2^30 and (-128)^2 = 2^14 fit; 2^30 + 32767 * -32768 = 32768.
  const auto x = MakeTensor<int16_t>(MakeShape(1, 2, 1, 1), {-32768, 32767});
  const auto w = MakeTensor<int16_t>(MakeShape(1, 2, 1, 1), {-32768, -32768});
  EXPECT_TRUE(HasElements(ConvAcc(x, w, ConvParams{}, 16, 32), MakeShape(1, 1, 1, 1), {32768}));
  const auto x8 = MakeTensor<int16_t>(MakeShape(1, 2, 1, 1), {-128, 127});
  const auto w8 = MakeTensor<int16_t>(MakeShape(1, 2, 1, 1), {-128, -128});
  EXPECT_TRUE(HasElements(ConvAcc(x8, w8, ConvParams{}, 8, 16), MakeShape(1, 1, 1, 1), {128}));
}

TEST(GoldenAccumulator, ConvOverflowWraps) {
  // 3 * 30000 * 30000 = 2,700,000,000 > 2^31 - 1.
  const Tensor<int16_t> x(MakeShape(1, 3, 1, 1), 30000);
  const Tensor<int16_t> w(MakeShape(1, 3, 1, 1), 30000);
  // 2,700,000,000 - 2^32 = -1,594,967,296.
  EXPECT_TRUE(
      HasElements(ConvAcc(x, w, ConvParams{}, 16, 32), MakeShape(1, 1, 1, 1), {-1594967296}));
  // mod 2^24: 2,700,000,000 - 160 * 2^24 = 15,645,440 >= 2^23, so 15,645,440 - 2^24 = -1,131,776.
  EXPECT_TRUE(HasElements(ConvAcc(x, w, ConvParams{}, 16, 24), MakeShape(1, 1, 1, 1), {-1131776}));
}

TEST(GoldenAccumulator, FcOverflowWraps) {
  // Row sums: 2 * 2^30 = 2^31 wraps to -2^31; 2^31 - 1 just fits; 4 * 2^30 = 2^32 wraps to 0.
  const auto x = MakeTensor<int16_t>(MakeShape(1, 5, 1, 1), {-32768, -32768, -32768, -32768, 1});
  const auto w = MakeTensor<int16_t>(MakeShape(3, 1, 1, 5), {-32768, -32768, 0, 0, 0,   //
                                                             -32768, -32768, 0, 0, -1,  //
                                                             -32768, -32768, -32768, -32768, 0});
  EXPECT_TRUE(HasElements(FcAcc(x, w), MakeShape(1, 3, 1, 1), {-2147483648LL, 2147483647, 0}));
}

TEST(GoldenAccumulator, WrapAccRules) {
  EXPECT_EQ(WrapAcc(int64_t{1} << 31, 32), -2147483647 - 1);
  EXPECT_EQ(WrapAcc((int64_t{1} << 31) - 1, 32), 2147483647);
  EXPECT_EQ(WrapAcc(-(int64_t{1} << 31) - 1, 32), 2147483647);
  EXPECT_EQ(WrapAcc((int64_t{1} << 40) + 5, 32), 5);
  EXPECT_EQ(WrapAcc(40000, 16), -25536);
  EXPECT_EQ(WrapAcc(-1, 16), -1);
  EXPECT_EQ(WrapAcc(32768, 16), -32768);
  EXPECT_EQ(WrapAcc(-32769, 16), 32767);
  EXPECT_EQ(WrapAcc(2699999995, 20), -83205);  // 2,699,999,995 mod 2^20 = 965,371 - 2^20
}

TEST(GoldenAccumulator, BiasWraps) {
  auto acc = MakeTensor<int32_t>(MakeShape(2, 2, 1, 1), {2147483000, -5, 7, -2147483000});
  AddBias(acc, {1000, -1000});
  EXPECT_TRUE(HasElements(acc, MakeShape(2, 2, 1, 1), {-2147483296, -1005, 1007, 2147483296}));
  auto acc16 = MakeTensor<int32_t>(MakeShape(1, 1, 1, 2), {32000, -100});
  AddBias(acc16, {1000}, 16);
  EXPECT_TRUE(HasElements(acc16, MakeShape(1, 1, 1, 2), {-32536, 900}));
}

// ------------------------------------------------------------------------------------------
// Requantization, ReLU

TEST(GoldenRequant, TiesRoundTowardsPlusInfinity) {
  EXPECT_EQ(RequantizeOne(5, 1, 1, 16), 3);    // 2.5
  EXPECT_EQ(RequantizeOne(-5, 1, 1, 16), -2);  // -2.5
  EXPECT_EQ(RequantizeOne(3, 1, 1, 16), 2);    // 1.5
  EXPECT_EQ(RequantizeOne(-3, 1, 1, 16), -1);  // -1.5
  EXPECT_EQ(RequantizeOne(-1, 1, 1, 16), 0);   // -0.5
  EXPECT_EQ(RequantizeOne(6, 1, 2, 16), 2);    // 1.5
  EXPECT_EQ(RequantizeOne(-6, 1, 2, 16), -1);  // -1.5
  EXPECT_EQ(RequantizeOne(-7, 1, 2, 16), -2);  // -1.75
  EXPECT_EQ(RequantizeOne(-5, 1, 2, 16), -1);  // -1.25
  EXPECT_EQ(RequantizeOne(5, 1, 2, 16), 1);    // 1.25
}

TEST(GoldenRequant, ShiftZeroIsPlainProduct) {
  EXPECT_EQ(RequantizeOne(123, 3, 0, 16), 369);
  EXPECT_EQ(RequantizeOne(-5, -7, 0, 16), 35);
  EXPECT_EQ(RequantizeOne(-1, 1, 0, 8), -1);
}

TEST(GoldenRequant, LargeShift) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(RequantizeOne(kMin, kMin, 62, 16), 1);         // 2^62 / 2^62
  EXPECT_EQ(RequantizeOne(kMax, kMin, 62, 16), -1);        // -0.99999...
  EXPECT_EQ(RequantizeOne(kMax, kMax, 62, 16), 1);         // 0.99999...
  EXPECT_EQ(RequantizeOne(kMin, kMax, 62, 16), -1);        // -0.99999...
  EXPECT_EQ(RequantizeOne(1, kMax, 62, 16), 0);            // ~2^-31
  EXPECT_EQ(RequantizeOne(512, 1 << 30, 40, 16), 1);       // 0.5 exactly
  EXPECT_EQ(RequantizeOne(-512, 1 << 30, 40, 16), 0);      // -0.5 exactly
  EXPECT_EQ(RequantizeOne(-513, 1 << 30, 40, 16), -1);     // -0.50098
  EXPECT_EQ(RequantizeOne(1000, 1 << 30, 40, 16), 1);      // 0.977
  EXPECT_EQ(RequantizeOne(kMax, 1 << 30, 31, 16), 32767);  // saturates
}

TEST(GoldenRequant, NegativeMultiplier) {
  EXPECT_EQ(RequantizeOne(10, -3, 2, 16), -7);  // -7.5
  EXPECT_EQ(RequantizeOne(-10, -3, 2, 16), 8);  // 7.5
  EXPECT_EQ(RequantizeOne(7, -1, 0, 8), -7);
}

TEST(GoldenRequant, SaturatesAtBothRails) {
  EXPECT_EQ(RequantizeOne(1000, 1, 0, 8), 127);
  EXPECT_EQ(RequantizeOne(-1000, 1, 0, 8), -128);
  EXPECT_EQ(RequantizeOne(127, 1, 0, 8), 127);
  EXPECT_EQ(RequantizeOne(128, 1, 0, 8), 127);
  EXPECT_EQ(RequantizeOne(-128, 1, 0, 8), -128);
  EXPECT_EQ(RequantizeOne(-129, 1, 0, 8), -128);
  EXPECT_EQ(RequantizeOne(255, 1, 1, 8), 127);    // 127.5 rounds to 128, clamps
  EXPECT_EQ(RequantizeOne(-257, 1, 1, 8), -128);  // -128.5 rounds to -128
  EXPECT_EQ(RequantizeOne(40000, 1, 0, 16), 32767);
  EXPECT_EQ(RequantizeOne(-40000, 1, 0, 16), -32768);
  EXPECT_EQ(RequantizeOne(32767, 1, 0, 16), 32767);
  EXPECT_EQ(RequantizeOne(32768, 1, 0, 16), 32767);
  EXPECT_EQ(RequantizeOne(-32768, 1, 0, 16), -32768);
  EXPECT_EQ(RequantizeOne(-32769, 1, 0, 16), -32768);
  EXPECT_EQ(Saturate(int64_t{1} << 40, 16), 32767);
  EXPECT_EQ(Saturate(-(int64_t{1} << 40), 8), -128);
  EXPECT_EQ(Saturate(5, 4), 5);
  EXPECT_EQ(Saturate(8, 4), 7);
  EXPECT_EQ(Saturate(-9, 4), -8);
}

TEST(GoldenRequant, PerLayerAndPerChannel) {
  // Batch 2, two channels of two values; the per-channel index is c, not n.
  const auto acc = MakeTensor<int32_t>(MakeShape(2, 2, 1, 2), {10, -10, 7, 9,  //
                                                               1, 2, 3, 4});
  RequantParams per_layer;
  per_layer.mult = {3};
  per_layer.shift = {1};
  // 15, -15, 10.5 -> 11, 13.5 -> 14 | 1.5 -> 2, 3, 4.5 -> 5, 6
  EXPECT_TRUE(HasElements(Requantize(acc, per_layer), acc.shape(), {15, -15, 11, 14, 2, 3, 5, 6}));
  RequantParams per_channel;
  per_channel.mult = {1, -5};
  per_channel.shift = {0, 2};
  // channel 1: -35/4 = -8.75 -> -9, -45/4 = -11.25 -> -11, -15/4 -> -4, -20/4 = -5
  EXPECT_TRUE(
      HasElements(Requantize(acc, per_channel), acc.shape(), {10, -10, -9, -11, 1, 2, -4, -5}));
  RequantParams saturating;
  saturating.mult = {100, -100};
  saturating.shift = {0, 0};
  EXPECT_TRUE(HasElements(Requantize(acc, saturating, 8), acc.shape(),
                          {127, -128, -128, -128, 100, 127, -128, -128}));
}

TEST(GoldenRelu, ClampsNegativesToZero) {
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 1, 6), {-3, 0, 5, -32768, 32767, -1});
  EXPECT_TRUE(HasElements(Relu(x), x.shape(), {0, 0, 5, 0, 32767, 0}));
}

TEST(GoldenLeakyRelu, RoundsLikeRequantization) {
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 1, 7), {5, 0, -1, -2, -3, -5, -100});
  // slope 1/2: -0.5 -> 0, -1, -1.5 -> -1, -2.5 -> -2, -50
  EXPECT_TRUE(HasElements(LeakyRelu(x, 1, 1), x.shape(), {5, 0, 0, -1, -1, -2, -50}));
  // slope 13/128: -100 * 13 / 128 = -10.156 -> -10; -5 * 13 / 128 = -0.51 -> -1
  EXPECT_TRUE(HasElements(LeakyRelu(x, 13, 7), x.shape(), {5, 0, 0, 0, 0, -1, -10}));
}

TEST(GoldenLeakyRelu, Saturates) {
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 1, 3), {-1, -32768, 3});
  EXPECT_TRUE(HasElements(LeakyRelu(x, -32768, 0, 16), x.shape(), {32767, 32767, 3}));
  const auto x8 = MakeTensor<int16_t>(MakeShape(1, 1, 1, 3), {-1, -128, 100});
  EXPECT_TRUE(HasElements(LeakyRelu(x8, 200, 0, 8), x8.shape(), {-128, -128, 100}));
}

// ------------------------------------------------------------------------------------------
// Max pooling

// Pools a single row of values with a 1 x k window.
Tensor<int16_t> Pool1d(const std::vector<int64_t>& values, int k, int s, int pad_begin, int pad_end,
                       bool ceil_mode) {
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 1, static_cast<int>(values.size())), values);
  PoolParams p;
  p.kernel_h = 1;
  p.stride_h = 1;
  p.kernel_w = k;
  p.stride_w = s;
  p.pad_left = pad_begin;
  p.pad_right = pad_end;
  p.ceil_mode = ceil_mode;
  return MaxPool(x, p);
}

TEST(GoldenMaxPool, CeilModeAddsPartialWindow) {
  // L = 5, k = 2, s = 2: floor keeps [0,2), [2,4); ceil adds [4,6), which covers x[4] only.
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 0, 0, false), MakeShape(1, 1, 1, 2), {5, 8}));
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 0, 0, true), MakeShape(1, 1, 1, 3), {5, 8, 3}));
  // Pads 0/1 make the third window fit in both modes.
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 0, 1, false), MakeShape(1, 1, 1, 3), {5, 8, 3}));
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 0, 1, true), MakeShape(1, 1, 1, 3), {5, 8, 3}));
}

TEST(GoldenMaxPool, CeilModeDropsWindowWhollyInEndPadding) {
  // L = 5, k = 2, s = 2, pads 1/1: ceil((5 + 2 - 2) / 2) + 1 = 4, but the fourth window starts
  // at padded index 6 = L + pad_begin (pure end padding), so it is dropped: 3 outputs.
  // Windows in input coordinates: [-1,1), [1,3), [3,5).
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 1, 1, true), MakeShape(1, 1, 1, 3), {1, 5, 8}));
  EXPECT_TRUE(
      HasElements(Pool1d({1, 5, 2, 8, 3}, 2, 2, 1, 1, false), MakeShape(1, 1, 1, 3), {1, 5, 8}));
  // L = 3, k = 3, s = 2, pads 1/2: ceil(3 / 2) + 1 = 3, third window starts at 4 = L + 1.
  EXPECT_TRUE(HasElements(Pool1d({4, -7, 2}, 3, 2, 1, 2, true), MakeShape(1, 1, 1, 2), {4, 2}));
  // L = 4, k = 2, s = 3, pad 0/1: ceil(3 / 3) + 1 = 2, second window [3,5) keeps x[3].
  EXPECT_TRUE(HasElements(Pool1d({1, 2, 3, 4}, 2, 3, 0, 1, true), MakeShape(1, 1, 1, 2), {2, 4}));
  // L = 4, k = 2, s = 3, pads 1/1: ceil(4 / 3) + 1 = 3, the third window starts at 6 > L + 1.
  // Windows in input coordinates: [-1,1), [2,4).
  EXPECT_TRUE(HasElements(Pool1d({1, 2, 3, 4}, 2, 3, 1, 1, true), MakeShape(1, 1, 1, 2), {1, 4}));
}

TEST(GoldenMaxPool, CeilModeKeepsWindowPastEndPadding) {
  // L = 6, k = 3, s = 2, pads 1/1: windows [-1,2), [1,4), [3,6) and, in ceil mode, [5,8).
  const std::vector<int64_t> x = {4, -1, 7, 2, 0, 9};
  EXPECT_TRUE(HasElements(Pool1d(x, 3, 2, 1, 1, false), MakeShape(1, 1, 1, 3), {4, 7, 9}));
  EXPECT_TRUE(HasElements(Pool1d(x, 3, 2, 1, 1, true), MakeShape(1, 1, 1, 4), {4, 7, 9, 9}));
}

TEST(GoldenMaxPool, PaddingNeverWins) {
  EXPECT_TRUE(HasElements(Pool1d({-5, -3, -9}, 2, 1, 1, 1, false), MakeShape(1, 1, 1, 4),
                          {-5, -3, -3, -9}));
  EXPECT_TRUE(HasElements(Pool1d({-32768, -32768}, 2, 1, 1, 1, true), MakeShape(1, 1, 1, 3),
                          {-32768, -32768, -32768}));
}

TEST(GoldenMaxPool, TwoDimensional) {
  // x[h][w] = 4h + w; 3x3 window, stride 1, pad 1: out[e][f] = x[min(e+1,3)][min(f+1,3)].
  Tensor<int16_t> x(MakeShape(1, 1, 4, 4));
  for (int i = 0; i < 16; ++i) x.data()[i] = static_cast<int16_t>(i);
  PoolParams p;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 1;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  EXPECT_TRUE(HasElements(MaxPool(x, p), MakeShape(1, 1, 4, 4),
                          {5, 6, 7, 7,      //
                           9, 10, 11, 11,   //
                           13, 14, 15, 15,  //
                           13, 14, 15, 15}));

  // x[h][w] = 5h + w, 2x2 window, stride 3: windows at rows/cols {0,1} and {3,4}.
  Tensor<int16_t> y(MakeShape(1, 1, 5, 5));
  for (int i = 0; i < 25; ++i) y.data()[i] = static_cast<int16_t>(i);
  PoolParams q;
  q.stride_h = q.stride_w = 3;
  EXPECT_TRUE(HasElements(MaxPool(y, q), MakeShape(1, 1, 2, 2), {6, 9, 21, 24}));
  q.ceil_mode = true;  // ceil(3 / 3) + 1 = 2: no change
  EXPECT_TRUE(HasElements(MaxPool(y, q), MakeShape(1, 1, 2, 2), {6, 9, 21, 24}));

  // 1x1 window, stride 1 is the identity.
  PoolParams one;
  one.kernel_h = one.kernel_w = one.stride_h = one.stride_w = 1;
  EXPECT_TRUE(ElementsEqual(MaxPool(y, one), y.shape(), y.data()));
}

TEST(GoldenMaxPool, ChannelsAndBatchPoolIndependently) {
  const auto x = MakeTensor<int16_t>(MakeShape(2, 2, 2, 2), {1, 2, 3, 4,      //
                                                             -1, -2, -3, -4,  //
                                                             9, 0, 0, 0,      //
                                                             0, 0, 0, -7});
  EXPECT_TRUE(HasElements(MaxPool(x, PoolParams{}), MakeShape(2, 2, 1, 1), {4, -1, 9, 0}));
}

// ------------------------------------------------------------------------------------------
// Whole layer

TEST(GoldenQuantLayer, ConvBiasRequantReluPool) {
  // acc channel 0 = 3x + 1 = [4, 7, 10, 13], channel 1 = -3x - 2 = [-5, -8, -11, -14];
  // shift 1 rounds half up: [2, 4, 5, 7] and [-2, -4, -5, -7]; pool 2x2 -> 7 and -2.
  const auto x = MakeTensor<int16_t>(MakeShape(1, 1, 2, 2), {1, 2, 3, 4});
  const auto w = MakeTensor<int16_t>(MakeShape(2, 1, 1, 1), {3, -3});
  QuantLayer layer;
  layer.bias = {1, -2};
  layer.requant.mult = {1};
  layer.requant.shift = {1};
  EXPECT_TRUE(
      HasElements(RunQuantLayer(x, w, layer), MakeShape(1, 2, 2, 2), {2, 4, 5, 7, -2, -4, -5, -7}));
  layer.pool = true;
  EXPECT_TRUE(HasElements(RunQuantLayer(x, w, layer), MakeShape(1, 2, 1, 1), {7, -2}));
  layer.relu = true;
  EXPECT_TRUE(HasElements(RunQuantLayer(x, w, layer), MakeShape(1, 2, 1, 1), {7, 0}));
}

TEST(GoldenQuantLayer, FullyConnected) {
  // acc = [1*1 + 2*2 + 3*3, -(1 + 2 + 3)] = [14, -6]; bias [2, 0]; per channel (1, 2) and (3, 0).
  const auto x = MakeTensor<int16_t>(MakeShape(1, 3, 1, 1), {1, 2, 3});
  const auto w = MakeTensor<int16_t>(MakeShape(2, 1, 1, 3), {1, 2, 3, -1, -1, -1});
  QuantLayer layer;
  layer.fc = true;
  layer.conv.stride_h = 99;  // ignored for FC
  layer.bias = {2, 0};
  layer.requant.mult = {1, 3};
  layer.requant.shift = {2, 0};
  layer.data_bits = 8;
  EXPECT_TRUE(HasElements(RunQuantLayer(x, w, layer), MakeShape(1, 2, 1, 1), {4, -18}));
  layer.relu = true;
  EXPECT_TRUE(HasElements(RunQuantLayer(x, w, layer), MakeShape(1, 2, 1, 1), {4, 0}));
}

TEST(GoldenChecksum, IsFnv1aOverLittleEndianBytes) {
  // FNV-1a 64 of the bytes 01 00 ff ff (int16 1, -1), computed from the definition with the
  // published offset basis and prime (not the constants golden.h uses).
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : {0x01, 0x00, 0xff, 0xff}) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  EXPECT_EQ(Checksum(MakeTensor<int16_t>(MakeShape(1, 1, 1, 2), {1, -1})), h);
  EXPECT_NE(Checksum(MakeTensor<int16_t>(MakeShape(1, 1, 1, 2), {-1, 1})), h);
}

// The published FNV-1a 64 test vectors (Fowler, Noll, Vo; the FNV reference test suite,
// draft-eastlake-fnv): the offset basis for no bytes, and the hashes of "a" and "foobar".
// Bytes go in as a uint8 tensor; a default tensor holds none.
Tensor<uint8_t> Bytes(const std::string& s) {
  Tensor<uint8_t> t(MakeShape(1, 1, 1, static_cast<int>(s.size())));
  for (size_t i = 0; i < s.size(); ++i) t.data()[i] = static_cast<uint8_t>(s[i]);
  return t;
}

TEST(GoldenChecksum, MatchesThePublishedFnv1a64Vectors) {
  EXPECT_EQ(Checksum(Tensor<uint8_t>{}), 0xcbf29ce484222325ull);
  EXPECT_EQ(Checksum(Bytes("a")), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Checksum(Bytes("foobar")), 0x85944171f73967e8ull);
  // int16 elements hash their bytes low first: "fo", "ob", "ar" as little-endian words.
  EXPECT_EQ(Checksum(MakeTensor<int16_t>(MakeShape(1, 1, 1, 3), {0x6f66, 0x626f, 0x7261})),
            0x85944171f73967e8ull);
  // int32 too: "foob" as one word.
  EXPECT_EQ(Checksum(MakeTensor<int32_t>(MakeShape(1, 1, 1, 1), {0x626f6f66})),
            Checksum(Bytes("foob")));
}

// ------------------------------------------------------------------------------------------
// Error paths

Tensor<int16_t> Ones(int n, int c, int h, int w) {
  return Tensor<int16_t>(MakeShape(n, c, h, w), 1);
}

TEST(GoldenErrors, ConvShapes) {
  const Tensor<int16_t> x = Ones(1, 6, 5, 5);
  ConvParams p;
  p.groups = 4;
  ExpectShapeError([&] { ConvAcc(x, Ones(4, 1, 3, 3), p); }, "groups");  // C=6 % 4
  p.groups = 3;
  ExpectShapeError([&] { ConvAcc(x, Ones(4, 2, 3, 3), p); }, "groups");  // M=4 % 3
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 3, 3, 3), p); }, "C/groups");
  p.groups = 0;
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 3, 3), p); }, "groups");
  p = ConvParams{};
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 5, 3, 3), p); }, "C/groups");
  p.stride_h = 0;
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 3, 3), p); }, "stride");
  p = ConvParams{};
  p.stride_w = -1;
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 3, 3), p); }, "stride");
  for (int* pad : {&p.pad_top, &p.pad_left, &p.pad_bottom, &p.pad_right}) {
    p = ConvParams{};
    *pad = -1;
    ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 3, 3), p); }, "pads");
  }
  p = ConvParams{};
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 6, 3), p); }, "kernel R");
  ExpectShapeError([&] { ConvAcc(x, Ones(3, 6, 3, 6), p); }, "kernel S");
  p.pad_bottom = 1;  // 6 <= 5 + 1 now fits
  EXPECT_EQ(ConvAcc(x, Ones(3, 6, 6, 3), p).shape().ToString(), "1x3x1x3");
  ExpectShapeError([&] { ConvOutputShape(x.shape(), MakeShape(3, 6, 8, 3), p); }, "kernel R");
  ExpectShapeError([&] { ConvOutputShape(x.shape(), MakeShape(3, 6, 3, 0), p); }, "kernel S");
}

TEST(GoldenErrors, DataAndAccumulatorWidths) {
  const Tensor<int16_t> x = Ones(1, 1, 3, 3);
  const Tensor<int16_t> w = Ones(1, 1, 1, 1);
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 1, 32); }, "data_bits");
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 17, 32); }, "data_bits");
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 16, 15); }, "acc_bits");
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 16, 33); }, "acc_bits");
  ExpectShapeError([&] { FcAcc(x, Ones(2, 9, 1, 1), 0, 32); }, "data_bits");
  ExpectShapeError([&] { FcAcc(x, Ones(2, 9, 1, 1), 8, 64); }, "acc_bits");
  ExpectShapeError([&] { WrapAcc(0, 8); }, "acc_bits");
  ExpectShapeError([&] { Saturate(0, 32); }, "data_bits");
  ExpectShapeError([&] { RequantizeOne(0, 1, 0, 1); }, "data_bits");
  Tensor<int32_t> acc(MakeShape(1, 1, 1, 1));
  ExpectShapeError([&] { AddBias(acc, {1}, 40); }, "acc_bits");
  // Widths 2..16 are all accepted.
  EXPECT_EQ(ConvAcc(x, w, ConvParams{}, 2, 16).shape().ToString(), "1x1x3x3");
  EXPECT_EQ(Saturate(100, 2), 1);
  EXPECT_EQ(Saturate(-100, 2), -2);
}

TEST(GoldenErrors, DataOutsideRange) {
  auto x = MakeTensor<int16_t>(MakeShape(1, 1, 1, 2), {127, 128});
  const Tensor<int16_t> w = Ones(1, 1, 1, 1);
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 8); }, "128");
  ExpectShapeError([&] { ConvAcc(Ones(1, 1, 1, 2), x, ConvParams{}, 8); }, "weights");
  EXPECT_NO_THROW(ConvAcc(x, w, ConvParams{}, 16));
  x.data()[1] = -129;
  ExpectShapeError([&] { ConvAcc(x, w, ConvParams{}, 8); }, "-129");
  ExpectShapeError([&] { FcAcc(x, Ones(1, 1, 1, 2), 8); }, "input x");
  ExpectShapeError([&] { LeakyRelu(x, 1, 1, 8); }, "input x");
}

TEST(GoldenErrors, FcShapes) {
  ExpectShapeError([] { FcAcc(Ones(2, 3, 2, 2), Ones(4, 1, 1, 11)); }, "K=");
  ExpectShapeError([] { FcAcc(Ones(2, 3, 2, 2), Ones(4, 3, 2, 1)); }, "K=");
  EXPECT_EQ(FcAcc(Ones(2, 3, 2, 2), Ones(4, 2, 2, 3)).shape().ToString(), "2x4x1x1");
}

TEST(GoldenErrors, BiasAndRequantSizes) {
  Tensor<int32_t> acc(MakeShape(1, 3, 2, 2));
  ExpectShapeError([&] { AddBias(acc, {1, 2}); }, "bias");
  ExpectShapeError([&] { AddBias(acc, {}); }, "bias");
  RequantParams q;
  ExpectShapeError([&] { Requantize(acc, q); }, "mult");  // empty
  q.mult = {1, 2};
  q.shift = {0, 0};
  ExpectShapeError([&] { Requantize(acc, q); }, "mult");  // 2 for M = 3
  q.mult = {1, 2, 3};
  ExpectShapeError([&] { Requantize(acc, q); }, "shift");  // 3 mults, 2 shifts
  q.shift = {0, 63, 0};
  ExpectShapeError([&] { Requantize(acc, q); }, "shift[1]");
  q.shift = {0, -1, 0};
  ExpectShapeError([&] { Requantize(acc, q); }, "shift[1]");
  ExpectShapeError([] { RequantizeOne(1, 1, 63, 16); }, "shift");
  ExpectShapeError([] { RequantizeOne(1, 1, -1, 16); }, "shift");
  EXPECT_EQ(RequantizeOne(1, 1, 62, 16), 0);
  ExpectShapeError([] { LeakyRelu(Ones(1, 1, 1, 1), 1, 63); }, "shift");
  ExpectShapeError([] { LeakyRelu(Ones(1, 1, 1, 1), 1, 1, 17); }, "data_bits");

  QuantLayer layer;
  ExpectShapeError([&] { RunQuantLayer(Ones(1, 1, 2, 2), Ones(2, 1, 1, 1), layer); }, "mult");
  layer.requant.mult = {1};
  layer.requant.shift = {0};
  layer.bias = {1, 2, 3};
  ExpectShapeError([&] { RunQuantLayer(Ones(1, 1, 2, 2), Ones(2, 1, 1, 1), layer); }, "bias");
  layer.bias.clear();
  layer.pool = true;
  layer.pool_params.kernel_h = 3;
  ExpectShapeError([&] { RunQuantLayer(Ones(1, 1, 2, 2), Ones(2, 1, 1, 1), layer); }, "kernel_h");
}

TEST(GoldenErrors, PoolParameters) {
  const Tensor<int16_t> x = Ones(1, 1, 4, 4);
  PoolParams p;
  p.kernel_h = 2;
  p.pad_top = 2;
  ExpectShapeError([&] { MaxPool(x, p); }, "smaller than kernel_h");
  p = PoolParams{};
  p.pad_right = 2;
  ExpectShapeError([&] { MaxPool(x, p); }, "smaller than kernel_w");
  p = PoolParams{};
  p.pad_left = -1;
  ExpectShapeError([&] { MaxPool(x, p); }, "negative");
  p = PoolParams{};
  p.kernel_w = 0;
  ExpectShapeError([&] { MaxPool(x, p); }, "kernel_w");
  p = PoolParams{};
  p.stride_h = 0;
  ExpectShapeError([&] { MaxPool(x, p); }, "stride_h");
  p = PoolParams{};
  p.kernel_h = 5;
  ExpectShapeError([&] { MaxPool(x, p); }, "kernel_h");
  p.ceil_mode = true;
  ExpectShapeError([&] { PoolOutputShape(x.shape(), p); }, "kernel_h");
}

TEST(GoldenErrors, TensorStorageMustMatchShape) {
  const Tensor<int16_t> empty;  // shape 1x1x1x1, no elements
  ExpectShapeError([&] { ConvAcc(empty, Ones(1, 1, 1, 1), ConvParams{}); }, "holds 0");
  ExpectShapeError([&] { MaxPool(empty, PoolParams{}); }, "holds 0");
  ExpectShapeError([&] { Relu(empty); }, "holds 0");
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
    SCOPED_TRACE("seed " + std::to_string(seed) + " x " + xs.ToString() + " w " +
                 ws.ToString() + " acc_bits " + std::to_string(acc_bits));
    const Tensor<int16_t> x = RailTensor(xs, rng, data_bits);  // rails: narrow accs wrap
    const Tensor<int16_t> w = RailTensor(ws, rng, data_bits);
    const RefResult ref = RefConv(x, w, p, acc_bits);
    ASSERT_TRUE(ElementsEqual(ConvAcc(x, w, p, data_bits, acc_bits), ref.shape, ref.values));
  }
}

}  // namespace
}  // namespace eyelet
