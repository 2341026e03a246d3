// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The float references (eyelet/float_ref.h): convolution, FC, max pooling and ReLU in float
// against the integer golden model on integer data, and hand-worked fractions, NaN,
// quantization rounding and saturation.
#include "eyelet/float_ref.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/rng.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

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

constexpr uint32_t kFloatSeedBase = 5000;

Tensor<float> ToFloat(const Tensor<int16_t>& t) {
  Tensor<float> f(t.shape());
  for (size_t i = 0; i < t.data().size(); ++i) f.data()[i] = t.data()[i];
  return f;
}

class FloatRefSweepTest : public ::testing::TestWithParam<int> {};

// 8-bit values, at most 363 products of 2^14: every float result is an exact integer.
TEST_P(FloatRefSweepTest, AgreesWithGoldenOnIntegers) {
  const uint32_t seed = kFloatSeedBase + GetParam();
  Rng rng(seed);
  ConvCase k = RandomConvCase(rng, static_cast<ConvKind>(GetParam() % kNumConvKinds));
  k.data_bits = 8;
  k.acc_bits = 32;
  SCOPED_TRACE(SeedTrace(seed, k.Describe()));
  const Tensor<int16_t> x = RailTensor(k.x, rng, 8);
  const Tensor<int16_t> w = RailTensor(k.w, rng, 8);
  std::vector<int32_t> bias;
  std::vector<float> bias_f;
  for (int m = 0; m < k.w.n; ++m) {
    bias.push_back(rng.UniformInt(-1000, 1000));
    bias_f.push_back(static_cast<float>(bias.back()));
  }

  Tensor<int32_t> acc = ConvAcc(x, w, k.p, 8, 32);
  const Tensor<float> conv = ConvFloat(ToFloat(x), ToFloat(w), k.p);
  ASSERT_TRUE(ElementsEqual(conv, acc.shape(), acc.data()));
  AddBias(acc, bias);
  const Tensor<float> conv_b = ConvFloat(ToFloat(x), ToFloat(w), k.p, &bias_f);
  ASSERT_TRUE(ElementsEqual(conv_b, acc.shape(), acc.data()));

  const Tensor<int16_t> fc_w = RailTensor(MakeShape(k.w.n, k.x.c, k.x.h, k.x.w), rng, 8);
  const Tensor<int32_t> fc = FcAcc(x, fc_w, 8, 32);
  ASSERT_TRUE(ElementsEqual(FcFloat(ToFloat(x), ToFloat(fc_w)), fc.shape(), fc.data()));

  const PoolParams p = RandomPoolParams(rng);
  if (p.kernel_h <= k.x.h + p.pad_top + p.pad_bottom &&
      p.kernel_w <= k.x.w + p.pad_left + p.pad_right) {
    const Tensor<int16_t> pooled = MaxPool(x, p);
    ASSERT_TRUE(ElementsEqual(MaxPoolFloat(ToFloat(x), p), pooled.shape(), pooled.data()));
  }
  const Tensor<int16_t> relu = Relu(x);
  ASSERT_TRUE(ElementsEqual(ReluFloat(ToFloat(x)), relu.shape(), relu.data()));
}

INSTANTIATE_TEST_SUITE_P(Seeds, FloatRefSweepTest, ::testing::Range(0, 30));

TEST(FloatRef, ConvWithFractionsAndBias) {
  Tensor<float> x(MakeShape(1, 1, 2, 2));
  x.data() = {0.5f, -1.5f, 2.0f, 0.25f};
  Tensor<float> w(MakeShape(1, 1, 2, 2));
  w.data() = {2.0f, 1.0f, -1.0f, 4.0f};
  const std::vector<float> bias = {0.125f};
  // 1 - 1.5 - 2 + 1 + 0.125, one output
  EXPECT_TRUE(ElementsEqual(ConvFloat(x, w, ConvParams{}, &bias), MakeShape(1, 1, 1, 1),
                            std::vector<double>{-1.375}));
  const std::vector<float> bad_bias = {1.0f, 2.0f};
  ExpectShapeError([&] { ConvFloat(x, w, ConvParams{}, &bad_bias); }, "bias");
  ExpectShapeError([&] { FcFloat(x, Tensor<float>(MakeShape(2, 1, 1, 3))); }, "K=");
  ExpectShapeError([&] { ConvFloat(x, Tensor<float>(MakeShape(1, 1, 3, 1)), ConvParams{}); },
                   "kernel R");
}

TEST(FloatRef, MaxPoolPaddingAndNan) {
  Tensor<float> x(MakeShape(1, 1, 1, 3));
  x.data() = {-5.5f, -3.25f, -9.0f};
  PoolParams p;
  p.kernel_h = p.stride_h = 1;
  p.kernel_w = 2;
  p.stride_w = 1;
  p.pad_left = p.pad_right = 1;
  EXPECT_TRUE(ElementsEqual(MaxPoolFloat(x, p), MakeShape(1, 1, 1, 4),
                            std::vector<double>{-5.5, -3.25, -3.25, -9.0}));
  x.data()[1] = std::numeric_limits<float>::quiet_NaN();
  const Tensor<float> y = MaxPoolFloat(x, p);
  EXPECT_EQ(y.data()[0], -5.5f);
  EXPECT_TRUE(std::isnan(y.data()[1]));
  EXPECT_TRUE(std::isnan(y.data()[2]));
  EXPECT_EQ(y.data()[3], -9.0f);
}

TEST(FloatRef, QuantizeRoundsHalfAwayFromZeroAndSaturates) {
  Tensor<float> x(MakeShape(1, 1, 1, 10));
  const float inf = std::numeric_limits<float>::infinity();
  x.data() = {1.25f, -1.25f, 0.74f, -0.74f, 0.0f, 100.0f, -100.0f, 63.75f, inf, -inf};
  // x / 0.5 = 2.5, -2.5, 1.48, -1.48, 0, 200, -200, 127.5, inf, -inf
  EXPECT_TRUE(
      HasElements(Quantize(x, 0.5, 8), x.shape(), {3, -3, 1, -1, 0, 127, -128, 127, 127, -128}));
  EXPECT_TRUE(HasElements(Quantize(x, 0.5, 16), x.shape(),
                          {3, -3, 1, -1, 0, 200, -200, 128, 32767, -32768}));
  ExpectShapeError([&] { Quantize(x, 0.0, 8); }, "scale");
  ExpectShapeError([&] { Quantize(x, -1.0, 8); }, "scale");
  ExpectShapeError([&] { Quantize(x, 0.5, 17); }, "data_bits");
  x.data()[3] = std::numeric_limits<float>::quiet_NaN();
  ExpectShapeError([&] { Quantize(x, 0.5, 8); }, "NaN");
}

TEST(FloatRef, QuantizeDequantizeRoundTrip) {
  // Every 8-bit and 16-bit code survives Dequantize -> Quantize.
  for (int bits : {8, 16}) {
    const int lo = -(1 << (bits - 1));
    const int count = 1 << bits;
    Tensor<int16_t> q(MakeShape(1, 1, 1, count));
    for (int i = 0; i < count; ++i) q.data()[i] = static_cast<int16_t>(lo + i);
    for (double scale : {0.037, 1.0 / 1024, 3.0}) {
      SCOPED_TRACE("bits=" + std::to_string(bits) + " scale=" + std::to_string(scale));
      ASSERT_TRUE(ElementsEqual(Quantize(Dequantize(q, scale), scale, bits), q.shape(), q.data()));
    }
  }
  // Accumulators dequantize exactly when the scale is a power of two.
  const auto acc = MakeTensor<int32_t>(MakeShape(1, 1, 1, 3), {-1000000, 0, 12345});
  EXPECT_TRUE(ElementsEqual(Dequantize(acc, 0.25), acc.shape(),
                            std::vector<double>{-250000.0, 0.0, 3086.25}));
  // Floats in range come back within half a step.
  const uint32_t seed = 7000;
  Rng rng(seed);
  SCOPED_TRACE(SeedTrace(seed, "1000 floats in [-3.9, 3.9], scale 1/32, 8 bits"));
  Tensor<float> x(MakeShape(1, 1, 1, 1000));
  for (float& v : x.data()) v = static_cast<float>(rng.UniformInt(-390000, 390000)) / 100000.0f;
  const Tensor<float> back = Dequantize(Quantize(x, 1.0 / 32, 8), 1.0 / 32);
  for (size_t i = 0; i < x.data().size(); ++i) {
    ASSERT_LE(std::fabs(back.data()[i] - x.data()[i]), 1.0 / 64) << "element " << i;
  }
}

}  // namespace
}  // namespace eyelet
