// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// RequantizeWrapping (golden.h): the requantization of a 6-bit table shift as the RTL's 64-bit
// adder computes it. Expected values worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>

#include "eyelet/error.h"
#include "eyelet/golden.h"

namespace eyelet {
namespace {

constexpr int32_t kMin = INT32_MIN;
constexpr int32_t kMax = INT32_MAX;

TEST(GoldenRequantWrapping, EqualsRequantizeOneUpToShift62) {
  EXPECT_EQ(RequantizeWrapping(5, 1, 1, 16), 3);     // 2.5 rounds up
  EXPECT_EQ(RequantizeWrapping(-5, 1, 1, 16), -2);   // -2.5 rounds up
  EXPECT_EQ(RequantizeWrapping(-7, 1, 2, 16), -2);   // -1.75
  EXPECT_EQ(RequantizeWrapping(123, 3, 0, 16), 369);
  EXPECT_EQ(RequantizeWrapping(40000, 1, 0, 16), 32767);
  EXPECT_EQ(RequantizeWrapping(-1000, 1, 0, 8), -128);
  EXPECT_EQ(RequantizeWrapping(kMin, kMin, 62, 16), 1);   // 2^62 / 2^62
  EXPECT_EQ(RequantizeWrapping(kMax, kMin, 62, 16), -1);  // -0.99999...
  for (const int shift : {0, 1, 17, 31, 40, 62}) {
    for (const int32_t acc : {kMin, -77777, -1, 0, 1, 99999, kMax}) {
      for (const int32_t mult : {kMin, -3, 1, 1 << 30, kMax}) {
        ASSERT_EQ(RequantizeWrapping(acc, mult, shift, 16), RequantizeOne(acc, mult, shift, 16))
            << acc << " * " << mult << " >> " << shift;
      }
    }
  }
}

TEST(GoldenRequantWrapping, Shift63WrapsTheSum) {
  // round = 2^62; acc * mult lies in [-2^62 + 2^31, 2^62], so the sum lies in [2^31, 2^63]:
  // below 2^63 it floors to 0, and 2^63 wraps to -2^63, which floors to -1.
  EXPECT_EQ(RequantizeWrapping(kMin, kMin, 63, 16), -1);
  EXPECT_EQ(RequantizeWrapping(kMax, kMax, 63, 16), 0);   // (2^31-1)^2 + 2^62 < 2^63
  EXPECT_EQ(RequantizeWrapping(kMin, kMax, 63, 16), 0);   // -2^62 + 2^31 + 2^62
  EXPECT_EQ(RequantizeWrapping(0, 0, 63, 16), 0);
  EXPECT_EQ(RequantizeWrapping(-1, 1, 63, 8), 0);
}

TEST(GoldenRequantWrapping, ShiftAndDataBitsOutsideTheirRanges) {
  EXPECT_THROW(RequantizeWrapping(1, 1, 64, 16), ShapeError);
  EXPECT_THROW(RequantizeWrapping(1, 1, -1, 16), ShapeError);
  EXPECT_THROW(RequantizeWrapping(1, 1, 0, 17), ShapeError);
}

}  // namespace
}  // namespace eyelet
