// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Blame (eyelet/blame.h) on faults made in software: the golden model's outputs recomputed with
// one input element, one weight or one PE's outputs broken, each as the hardware would break
// it, must be blamed on exactly that element, filter or PE. And UsePass (eyelet/locate.h) by
// hand.
#include "eyelet/blame.h"

#include <gtest/gtest.h>

#include <vector>

#include "eyelet/golden.h"
#include "eyelet/locate.h"
#include "eyelet/mapping.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;
using test::RandomTensor;

// 1 image of 4 x 6 x 6, padding 1, 4 filters of 3 x 3: a 6 x 6 ofmap. Mapping e 2, p 1, q 1,
// r 2, t 2 on the 6 x 7 array (2 filters and 2 channels a pass). Tiled by default in filter
// and channel chunks of 2: four runs of one pass each.
struct Case {
  ConvLayer layer = Conv(1, 4, 6, 6, 4, 3, 3, 1, 1);
  RsMapping m = test::Rs(2, 1, 1, 2, 2);
  Tiling t{1, 2, 2, 0};
  const ArrayConfig& hw = ConfigByName("small");
  Tensor<int16_t> x, w;
  Tensor<int32_t> want;
  explicit Case(const Tiling& tiling = Tiling{1, 2, 2, 0}) : t(tiling) {
    EXPECT_EQ(CompleteMapping(layer, hw, m), "");
    EXPECT_EQ(TilingError(layer, hw, m, t), "");
    Rng rng(7);
    x = RandomTensor(layer.x, rng, -100, 100);
    w = RandomTensor(layer.w, rng, 1, 60);  // no zero weight: every reader of a wrong input errs
    want = ConvAcc(x, w, layer.conv);
  }
  std::optional<Blame> Of(const Tensor<int32_t>& got) const {
    return BlameOutputs(layer, m, t, hw, want, got, &w, true);
  }
};

TEST(Blame, NothingWrongOrAnotherShapeIsNoBlame) {
  const Case k;
  EXPECT_FALSE(k.Of(k.want));
  Tensor<int32_t> other(Shape{1, 4, 3, 3});
  EXPECT_FALSE(BlameOutputs(k.layer, k.m, k.t, k.hw, other, other, &k.w, true));
}

// An element loaded wrong: every output that reads it is wrong by weight x corruption.
TEST(Blame, AWrongInputElementIsFoundExactlyWithItsCorruption) {
  for (const std::vector<int>& e :
       std::vector<std::vector<int>>{{0, 0, 0, 0}, {0, 1, 2, 3}, {0, 2, 5, 5}, {0, 3, 4, 0}}) {
    Case k;
    Tensor<int16_t> bad = k.x;
    bad.at(e[0], e[1], e[2], e[3]) += 5;
    const std::optional<Blame> b = k.Of(ConvAcc(bad, k.w, k.layer.conv));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->unit, Blame::Unit::kIfmapLoad) << b->ToString();
    EXPECT_EQ(b->n, e[0]);
    EXPECT_EQ(b->c, e[1]);
    EXPECT_EQ(b->h, e[2]);
    EXPECT_EQ(b->w, e[3]);
    EXPECT_EQ(b->delta, 5);
    EXPECT_EQ(b->wrong, b->dependents);
    EXPECT_FALSE(b->padding);
  }
}

// The same element delivered wrong in one pass only: with one run of two filter blocks, it is
// sent in a pass of each; only the outputs of the pass that took the bad word are wrong.
TEST(Blame, AnElementWrongInOnePassIsBlamedOnThatPass) {
  const Case k(Tiling{1, 4, 4, 0});
  const int c = 2, h = 3, wcol = 1;
  int checked = 0;
  for (int64_t bad_pass = 0; bad_pass < LayerPasses(k.layer, k.m, k.t, k.hw); ++bad_pass) {
    Tensor<int32_t> got = k.want;
    int wrong = 0;
    const Shape out = k.layer.Out();
    for (int mm = 0; mm < out.c; ++mm) {
      for (int y = 0; y < out.h; ++y) {
        for (int xo = 0; xo < out.w; ++xo) {
          const int kh = h - (y - 1), kw = wcol - (xo - 1);
          if (kh < 0 || kh > 2 || kw < 0 || kw > 2) continue;
          if (UsePass(k.layer, k.m, k.t, k.hw, {0, mm, y, xo}, c, kh) != bad_pass) continue;
          got.at(0, mm, y, xo) += 3 * k.w.at(mm, c, kh, kw);
          ++wrong;
        }
      }
    }
    if (wrong == 0) continue;  // channel 2 is in channel block 1: not sent in every pass
    const std::optional<Blame> b = k.Of(got);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->unit, Blame::Unit::kIfmapPass) << b->ToString();
    EXPECT_EQ(b->use_pass, bad_pass) << b->ToString();
    EXPECT_EQ(b->c, c);
    EXPECT_EQ(b->h, h);
    EXPECT_EQ(b->w, wcol);
    EXPECT_EQ(b->delta, 3);
    EXPECT_LT(b->wrong, b->dependents);
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // one pass of each filter block sends channel 2
}

// A stuck bit on one PE's psum output: the outputs that PE drains, and only those.
TEST(Blame, OnePesOutputsAreBlamedOnThatPe) {
  const Case k;
  Tensor<int32_t> got = k.want;
  const Shape out = k.layer.Out();
  int wrong = 0;
  for (int mm = 0; mm < out.c; ++mm) {
    for (int y = 0; y < out.h; ++y) {
      for (int xo = 0; xo < out.w; ++xo) {
        const OutputLocation l = LocateOutput(k.layer, k.m, k.t, k.hw, {0, mm, y, xo});
        if (l.pe_row != 5 || l.pe_col != 3) continue;
        got.at(0, mm, y, xo) |= 1 << 20;
        wrong += got.at(0, mm, y, xo) != k.want.at(0, mm, y, xo);
      }
    }
  }
  ASSERT_GT(wrong, 1);
  const std::optional<Blame> b = k.Of(got);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->unit, Blame::Unit::kPe) << b->ToString();
  EXPECT_EQ(b->pe_row, 5);
  EXPECT_EQ(b->pe_col, 3);
  EXPECT_EQ(b->wrong, wrong);
}

// A wrong weight: one output channel, outputs far apart (no common input position).
TEST(Blame, AWrongWeightIsBlamedOnItsFilter) {
  const Case k;
  Tensor<int16_t> bad = k.w;
  bad.at(2, 1, 1, 1) += 9;
  const std::optional<Blame> b = k.Of(ConvAcc(k.x, bad, k.layer.conv));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->unit, Blame::Unit::kFilter) << b->ToString();
  EXPECT_EQ(b->m, 2);
  EXPECT_GT(b->pes, 1);
}

// Errors everywhere (two filters and two images' worth of positions): no single unit.
TEST(Blame, ScatteredErrorsAreSpread) {
  const Case k;
  Tensor<int32_t> got = k.want;
  got.at(0, 0, 0, 0) += 1;
  got.at(0, 3, 5, 5) += 1;
  const std::optional<Blame> b = k.Of(got);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->unit, Blame::Unit::kSpread) << b->ToString();
  EXPECT_EQ(b->wrong, 2);
}

// UsePass by hand. Tiling filter and channel chunks of 2 (one block each): four runs of one
// pass, (m0 0: c0 0, 2), (m0 2: c0 0, 2). One chunk of all: one run of mb 2 x cb 2 passes,
// block-major.
TEST(Blame, UsePassByHand) {
  const Case chunked;
  EXPECT_EQ(UsePass(chunked.layer, chunked.m, chunked.t, chunked.hw, {0, 3, 1, 0}, 0, 0), 2);
  EXPECT_EQ(UsePass(chunked.layer, chunked.m, chunked.t, chunked.hw, {0, 3, 1, 0}, 3, 0), 3);
  EXPECT_EQ(UsePass(chunked.layer, chunked.m, chunked.t, chunked.hw, {0, 0, 1, 0}, 2, 2), 1);
  int64_t prev = -1;
  UsePass(chunked.layer, chunked.m, chunked.t, chunked.hw, {0, 3, 1, 0}, 3, 0, &prev);
  EXPECT_EQ(prev, 2);  // run 3's data loads while run 2 computes
  const Case one(Tiling{1, 4, 4, 0});
  EXPECT_EQ(UsePass(one.layer, one.m, one.t, one.hw, {0, 3, 1, 0}, 1, 0), 2);  // block 1, cb 0
  EXPECT_EQ(UsePass(one.layer, one.m, one.t, one.hw, {0, 3, 1, 0}, 2, 0), 3);  // block 1, cb 1
  EXPECT_EQ(UsePass(one.layer, one.m, one.t, one.hw, {0, 0, 1, 0}, 3, 2), 1);  // block 0, cb 1
  EXPECT_THROW(UsePass(one.layer, one.m, one.t, one.hw, {0, 0, 1, 0}, 4, 0), ShapeError);
}

}  // namespace
}  // namespace eyelet
