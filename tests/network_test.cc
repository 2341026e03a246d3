// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The float reference of imported networks (eyelet/network.h) on cases small enough to work
// out by hand from the ONNX operator specification: each expected value is written out in
// the test with the sum it comes from.
#include "eyelet/network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <limits>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/rng.h"

namespace eyelet {
namespace {

FTensor T(std::vector<int64_t> dims, std::vector<float> data) {
  FTensor t(std::move(dims));
  EXPECT_EQ(t.data.size(), data.size());
  t.data = std::move(data);
  return t;
}

NetOp Op(OpKind kind) {
  NetOp op;
  op.kind = kind;
  op.name = "op";
  return op;
}

void ExpectData(const FTensor& got, const std::vector<int64_t>& dims,
                const std::vector<float>& want) {
  EXPECT_EQ(got.dims, dims);
  ASSERT_EQ(got.data.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got.data[i], want[i], 1e-6) << "element " << i;
  }
}

TEST(NetworkFloat, ConvSumsWindowsWithBiasAndAsymmetricPads) {
  // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 0] [0 -1]], bias 10, pad top 1, right 1.
  NetOp op = Op(OpKind::kConv);
  op.w = T({1, 1, 2, 2}, {1, 0, 0, -1});
  op.bias = {10};
  op.conv.pad_top = 1;
  op.conv.pad_right = 1;
  const FTensor x = T({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // Padded rows: [0 0 0 0], [1 2 3 0], [4 5 6 0], [7 8 9 0]; out 3 x 3, y = a - d + 10.
  // row 0: 0-2, 0-3, 0-0; row 1: 1-5, 2-6, 3-0; row 2: 4-8, 5-9, 6-0.
  ExpectData(RunFloatOp(op, x), {1, 1, 3, 3}, {8, 7, 10, 6, 6, 13, 6, 6, 16});
}

TEST(NetworkFloat, ConvStridesAndDepthwiseGroups) {
  // Two channels, groups 2: channel 0 sums its 2 x 2 window, channel 1 doubles the corner.
  NetOp op = Op(OpKind::kConv);
  op.w = T({2, 1, 2, 2}, {1, 1, 1, 1, 2, 0, 0, 0});
  op.conv.groups = 2;
  op.conv.stride_h = op.conv.stride_w = 2;
  const FTensor x = T({1, 2, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8,  //
                                     1, 1, 2, 2, 3, 3, 4, 4});
  // ch 0: 1+2+5+6 = 14, 3+4+7+8 = 22; ch 1: 2*1, 2*2.
  ExpectData(RunFloatOp(op, x), {1, 2, 1, 2}, {14, 22, 2, 4});
}

TEST(NetworkFloat, GemmIsRowsTimesWeightsTransposedPlusBias) {
  NetOp op = Op(OpKind::kGemm);
  op.w = T({3, 2}, {1, 2, 3, 4, -1, 0});
  op.bias = {0.5f, 0, -1};
  // Rows [1 1] and [2 -1]: (1+2+.5, 3+4, -1-1) and (2-2+.5, 6-4, -2-1).
  ExpectData(RunFloatOp(op, T({2, 2}, {1, 1, 2, -1})), {2, 3}, {3.5f, 7, -2, 0.5f, 2, -3});
  EXPECT_THROW(RunFloatOp(op, T({1, 3}, {1, 2, 3})), ShapeError);
}

TEST(NetworkFloat, CeilModeDropsAWindowThatStartsInTheEndPadding) {
  NetOp op = Op(OpKind::kMaxPool);
  op.pool = PoolParams{};  // 2 x 2, stride 2
  op.pool.ceil_mode = true;
  // Width 5: windows at 0, 2, 4 (the last one partial): ceil((5-2)/2)+1 = 3.
  EXPECT_EQ(OpOutDims(op, {1, 1, 2, 5}), (std::vector<int64_t>{1, 1, 1, 3}));
  // Width 4 with a right pad of 1: ceil((4+1-2)/2)+1 = 3, but the third window would start at
  // 4, in the padding: 2.
  op.pool.pad_right = 1;
  EXPECT_EQ(OpOutDims(op, {1, 1, 2, 4}), (std::vector<int64_t>{1, 1, 1, 2}));
  op.pool.ceil_mode = false;
  EXPECT_EQ(OpOutDims(op, {1, 1, 2, 4}), (std::vector<int64_t>{1, 1, 1, 2}));
}

TEST(NetworkFloat, MaxPoolPaddingNeverWinsAndNaNPropagates) {
  NetOp op = Op(OpKind::kMaxPool);
  op.pool.pad_top = op.pool.pad_left = op.pool.pad_bottom = op.pool.pad_right = 1;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // 2 x 2 input, each 2 x 2 window (stride 2, pad 1) holds one element and three pads.
  const FTensor y = RunFloatOp(op, T({1, 1, 2, 2}, {-1, -2, nan, -4}));
  ASSERT_EQ(y.dims, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(y.data[0], -1);
  EXPECT_EQ(y.data[1], -2);
  EXPECT_TRUE(std::isnan(y.data[2]));
  EXPECT_EQ(y.data[3], -4);
}

TEST(NetworkFloat, AveragePoolCountsPadsOnlyWithCountIncludePad) {
  NetOp op = Op(OpKind::kAvgPool);
  op.pool.pad_top = op.pool.pad_left = op.pool.pad_bottom = op.pool.pad_right = 1;
  const FTensor x = T({1, 1, 2, 2}, {4, 8, 12, 16});
  ExpectData(RunFloatOp(op, x), {1, 1, 2, 2}, {4, 8, 12, 16});  // one element per window
  op.count_include_pad = true;
  ExpectData(RunFloatOp(op, x), {1, 1, 2, 2}, {1, 2, 3, 4});  // divided by 4
  // 3 x 3 window, stride 1, no pad, ceil mode over 1 x 4: (1+2+3)/3, (2+3+4)/3, ...
  NetOp row = Op(OpKind::kAvgPool);
  row.pool = PoolParams{1, 3, 1, 2, 0, 0, 0, 0, true};
  // Width 4, k 3, s 2, ceil: windows at 0 and 2; the second covers 2..4, clipped to 2..3.
  ExpectData(RunFloatOp(row, T({1, 1, 1, 4}, {1, 2, 3, 4})), {1, 1, 1, 2}, {2, 3.5f});
}

TEST(NetworkFloat, GlobalAveragePoolAndAffine) {
  const FTensor x = T({1, 2, 1, 2}, {1, 3, -2, 6});
  ExpectData(RunFloatOp(Op(OpKind::kGlobalAvgPool), x), {1, 2, 1, 1}, {2, 2});
  NetOp aff = Op(OpKind::kAffine);
  aff.scale = {2, -1};
  aff.shift = {1, 0.5f};
  ExpectData(RunFloatOp(aff, x), {1, 2, 1, 2}, {3, 7, 2.5f, -5.5f});
}

TEST(NetworkFloat, ReluAndLeakyRelu) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const FTensor x = T({1, 4}, {-2, 0, 3, nan});
  const FTensor r = RunFloatOp(Op(OpKind::kRelu), x);
  EXPECT_EQ(r.data[0], 0);
  EXPECT_EQ(r.data[2], 3);
  EXPECT_TRUE(std::isnan(r.data[3]));
  NetOp leaky = Op(OpKind::kLeakyRelu);
  leaky.alpha = 0.1f;
  EXPECT_FLOAT_EQ(RunFloatOp(leaky, x).data[0], -0.2f);
}

TEST(NetworkFloat, SoftmaxOneAxisAndCoerced) {
  // 1 x 2 x 2: over axis 1, each column [a; b] -> e^a / (e^a + e^b).
  const FTensor x = T({1, 2, 2}, {0, 0, std::log(3.0f), 0});
  NetOp op = Op(OpKind::kSoftmax);
  op.axis = 1;
  ExpectData(RunFloatOp(op, x), {1, 2, 2}, {0.25f, 0.5f, 0.75f, 0.5f});
  // Coerced at axis 1: one softmax over all four: 1, 1, 3, 1 over 6.
  op.softmax_coerced = true;
  ExpectData(RunFloatOp(op, x), {1, 2, 2}, {1 / 6.0f, 1 / 6.0f, 0.5f, 1 / 6.0f});
  // Large values do not overflow.
  op.softmax_coerced = false;
  op.axis = 2;
  ExpectData(RunFloatOp(op, T({1, 1, 2}, {1000, 1000})), {1, 1, 2}, {0.5f, 0.5f});
}

TEST(NetworkFloat, FlattenAxesAndBatchScaling) {
  const FTensor x(std::vector<int64_t>{2, 3, 4, 5});
  NetOp op = Op(OpKind::kFlatten);
  op.axis = 0;
  EXPECT_EQ(RunFloatOp(op, x).dims, (std::vector<int64_t>{1, 120}));
  op.axis = 2;
  EXPECT_EQ(RunFloatOp(op, x).dims, (std::vector<int64_t>{6, 20}));
  op.axis = 4;
  EXPECT_EQ(RunFloatOp(op, x).dims, (std::vector<int64_t>{120, 1}));
  // Imported for a batch of one: axis 0 gives 1 x 60 and grows along dims[1].
  op.axis = 0;
  op.out_dims = {1, 60};
  op.batch_axis = 1;
  EXPECT_EQ(op.OutDims(2), (std::vector<int64_t>{1, 120}));
  op.axis = 2;
  op.out_dims = {3, 20};
  op.batch_axis = 0;
  EXPECT_EQ(op.OutDims(2), (std::vector<int64_t>{6, 20}));
}

TEST(NetworkFloat, RunFloatChainsOpsAndChecksTheInputShape) {
  Network net;
  net.name = "net";
  net.input_dims = {1, 1, 2, 2};
  NetOp flat = Op(OpKind::kFlatten);
  NetOp fc = Op(OpKind::kGemm);
  fc.w = T({1, 4}, {1, 1, 1, 1});
  NetOp relu = Op(OpKind::kRelu);
  net.ops = {flat, fc, relu};
  std::vector<FTensor> per_op;
  const FTensor y = RunFloat(net, T({2, 1, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -4}), &per_op);
  ExpectData(y, {2, 1}, {10, 0});
  ASSERT_EQ(per_op.size(), 3u);
  ExpectData(per_op[1], {2, 1}, {10, -10});
  EXPECT_THROW(RunFloat(net, FTensor({1, 1, 2, 3})), ShapeError);
  EXPECT_EQ(net.InputDims(5), (std::vector<int64_t>{5, 1, 2, 2}));
}

TEST(NetworkFloat, ArgMaxRowsTakesTheFirstOnTies) {
  EXPECT_EQ(ArgMaxRows(T({2, 3}, {1, 3, 3, -1, -2, -1})), (std::vector<int>{1, 0}));
  EXPECT_THROW(ArgMaxRows(FTensor({2, 3, 1})), ShapeError);
}

TEST(NetworkFloat, ShapesAreCheckedAndNamed) {
  EXPECT_EQ(DimsSize({}), 1);
  EXPECT_EQ(DimsString({1, 3, 28, 28}), "1x3x28x28");
  EXPECT_THROW(DimsSize({-1, 2}), ShapeError);
  EXPECT_THROW(DimsSize({1 << 20, 1 << 20, 2}), ShapeError);
  EXPECT_STREQ(OpKindName(OpKind::kGlobalAvgPool), "GlobalAveragePool");
  NetOp conv = Op(OpKind::kConv);
  conv.w = FTensor({4, 3, 5, 5});
  EXPECT_THROW(OpOutDims(conv, {1, 3, 4, 4}), ShapeError);  // 5 x 5 window over 4 x 4
  EXPECT_THROW(OpOutDims(conv, {1, 2, 8, 8}), ShapeError);  // 2 channels for 3
  EXPECT_EQ(OpOutDims(conv, {1, 3, 8, 8}), (std::vector<int64_t>{1, 4, 4, 4}));
}

// Conv against the per-output loop it replaced (bias, then x * w over the window in the order
// c, i, j in double, padding skipped, one rounding), bit for bit: random batches crossing Conv's
// blocks of images, padding beyond the kernel, strides, groups, and -0.0 biases and inputs
// whose sign a stray +0.0 addition would flip.
FTensor PerOutputConv(const NetOp& op, const FTensor& x, const std::vector<int64_t>& od) {
  const ConvParams& p = op.conv;
  const int64_t h = x.dims[2], wd = x.dims[3], cg = op.w.dims[1], r = op.w.dims[2],
                s = op.w.dims[3], mg = od[1] / p.groups;
  FTensor y(od);
  size_t at = 0;
  for (int64_t n = 0; n < od[0]; ++n) {
    for (int64_t m = 0; m < od[1]; ++m) {
      for (int64_t oy = 0; oy < od[2]; ++oy) {
        for (int64_t ox = 0; ox < od[3]; ++ox) {
          double acc = op.bias.empty() ? 0.0 : op.bias[m];
          for (int64_t c = 0; c < cg; ++c) {
            for (int64_t i = 0; i < r; ++i) {
              const int64_t iy = oy * p.stride_h - p.pad_top + i;
              if (iy < 0 || iy >= h) continue;
              for (int64_t j = 0; j < s; ++j) {
                const int64_t ix = ox * p.stride_w - p.pad_left + j;
                if (ix < 0 || ix >= wd) continue;
                acc += static_cast<double>(
                           x.data[((n * x.dims[1] + (m / mg) * cg + c) * h + iy) * wd + ix]) *
                       op.w.data[((m * cg + c) * r + i) * s + j];
              }
            }
          }
          y.data[at++] = static_cast<float>(acc);
        }
      }
    }
  }
  return y;
}

TEST(NetworkFloat, ConvMatchesThePerOutputLoopBitForBit) {
  for (uint32_t seed = 6000; seed < 6150; ++seed) {
    Rng rng(seed);
    NetOp op = Op(OpKind::kConv);
    ConvParams& p = op.conv;
    p.groups = rng.UniformInt(1, 3);
    const int64_t cg = rng.UniformInt(1, 4), mg = rng.UniformInt(1, 4);
    const int64_t kh = rng.UniformInt(1, 4), kw = rng.UniformInt(1, 4);
    p.stride_h = rng.UniformInt(1, 3);
    p.stride_w = rng.UniformInt(1, 3);
    p.pad_top = rng.UniformInt(0, static_cast<int>(kh) + 1);
    p.pad_left = rng.UniformInt(0, static_cast<int>(kw) + 1);
    p.pad_bottom = rng.UniformInt(0, static_cast<int>(kh));
    p.pad_right = rng.UniformInt(0, static_cast<int>(kw));
    // Values of many magnitudes (so the order of the additions shows), exact and negative zeros.
    auto value = [&rng]() {
      const int kind = rng.UniformInt(0, 9);
      if (kind == 0) return 0.0f;
      if (kind == 1) return -0.0f;
      const float v = std::ldexp(static_cast<float>(rng.UniformInt(1, 1 << 20)),
                                 rng.UniformInt(-30, 10));
      return kind % 2 == 0 ? -v : v;
    };
    op.w = FTensor({mg * p.groups, cg, kh, kw});
    for (float& v : op.w.data) v = value();
    if (rng.UniformInt(0, 3) > 0) {
      op.bias.resize(static_cast<size_t>(mg * p.groups));
      for (float& v : op.bias) v = rng.UniformInt(0, 2) == 0 ? -0.0f : value();
    }
    FTensor x({rng.UniformInt(1, 40), cg * p.groups, rng.UniformInt(static_cast<int>(kh), 12),
               rng.UniformInt(static_cast<int>(kw), 12)});
    for (float& v : x.data) v = value();
    SCOPED_TRACE("seed " + std::to_string(seed) + " x " + x.ShapeString() + " w " +
                 op.w.ShapeString());
    const FTensor got = RunFloatOp(op, x);
    const FTensor want = PerOutputConv(op, x, OpOutDims(op, x.dims));
    ASSERT_EQ(got.dims, want.dims);
    ASSERT_EQ(0, std::memcmp(got.data.data(), want.data.data(), got.data.size() * sizeof(float)));
  }
}

}  // namespace
}  // namespace eyelet
