// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The integer golden model (eyelet/golden.h), case by case: convolution corners, accumulator
// wrap, requantization, ReLU, max pooling, the fused quantized layer, the checksum, and the
// errors on bad shapes, widths and parameters. The random sweeps against a naive reference are
// in golden_test.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

// ------------------------------------------------------------------------------------------
// Helpers

using test::ElementsEqual;
using test::ExpectShapeError;
using test::HasElements;
using test::MakeShape;
using test::MakeTensor;

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

}  // namespace
}  // namespace eyelet
