// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The golden model's RLC codec (rlc.h): words worked out by hand from the format, round trips of
// random streams at every zero fraction, the run limits, and malformed streams.
#include "eyelet/rlc.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace {

constexpr uint64_t kLast = uint64_t{1} << 63;

// One (run, level) pair's 21 bits, from the layout in rlc.h.
uint64_t Pair(uint64_t run, uint16_t level) { return run | (uint64_t{level} << 5); }

std::vector<int16_t> Zeros(int n) { return std::vector<int16_t>(static_cast<size_t>(n), 0); }

TEST(Rlc, ThePapersExampleIsOneWord) {
  // JSSC 2017 Fig. 11's stream: 0 0 12 0 0 0 0 53 0 0 22 -> (2, 12) (4, 53) (2, 22), last.
  const std::vector<int16_t> v = {0, 0, 12, 0, 0, 0, 0, 53, 0, 0, 22};
  const std::vector<uint64_t> w = RlcEncode(v.data(), 11);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], Pair(2, 12) | Pair(4, 53) << 21 | Pair(2, 22) << 42 | kLast);
  EXPECT_EQ(RlcDecode(w.data(), 1, 11), v);
}

TEST(Rlc, NegativeLevelsAreTwosComplementAndUnusedPairsAreZero) {
  // -1, then one zero before -32768, then 32767: three pairs, one word.
  const std::vector<int16_t> v = {-1, 0, -32768, 32767};
  EXPECT_EQ(RlcEncode(v.data(), 4), std::vector<uint64_t>({Pair(0, 0xffff) | Pair(1, 0x8000) << 21 |
                                                           Pair(0, 0x7fff) << 42 | kLast}));
  // A fifth value is a fourth pair: a second word, its other two pairs (0, 0).
  const std::vector<int16_t> v5 = {-1, 0, -32768, 32767, 5};
  const std::vector<uint64_t> w = RlcEncode(v5.data(), 5);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], Pair(0, 0xffff) | Pair(1, 0x8000) << 21 | Pair(0, 0x7fff) << 42);
  EXPECT_EQ(w[1], Pair(0, 5) | kLast);
  EXPECT_EQ(RlcDecode(w.data(), 2, 5), v5);
}

TEST(Rlc, RunsLongerThan31ZerosAreCutByZeroLevels) {
  // 31 zeros then 7: one pair. 32 zeros then 7: (31, 0) (0, 7). 70 zeros: (31, 0) (31, 0)
  // (5, 0), the last pair coding the last six zeros.
  std::vector<int16_t> a = Zeros(32);
  a[31] = 7;
  EXPECT_EQ(RlcEncode(a.data(), 32), std::vector<uint64_t>({Pair(31, 7) | kLast}));
  std::vector<int16_t> b = Zeros(33);
  b[32] = 7;
  EXPECT_EQ(RlcEncode(b.data(), 33),
            std::vector<uint64_t>({Pair(31, 0) | Pair(0, 7) << 21 | kLast}));
  const std::vector<int16_t> c = Zeros(70);
  EXPECT_EQ(RlcEncode(c.data(), 70),
            std::vector<uint64_t>({Pair(31, 0) | Pair(31, 0) << 21 | Pair(5, 0) << 42 | kLast}));
  EXPECT_EQ(RlcDecode(RlcEncode(c.data(), 70).data(), 1, 70), c);
  EXPECT_EQ(RlcWords(c.data(), 70), 1);
}

TEST(Rlc, RandomStreamsRoundTripAndRlcWordsCountsTheWords) {
  Rng rng(15);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = static_cast<int>(rng.Uniform(1, 300));
    const double zero = rng.Uniform(0, 100) / 100.0;
    std::vector<int16_t> v(static_cast<size_t>(n));
    for (int16_t& x : v) {
      x = rng.Uniform(0, 999) < zero * 1000 ? int16_t{0}
                                            : static_cast<int16_t>(rng.Uniform(-32768, 32767));
    }
    const std::vector<uint64_t> w = RlcEncode(v.data(), n);
    EXPECT_EQ(static_cast<int64_t>(w.size()), RlcWords(v.data(), n));
    EXPECT_EQ(RlcDecode(w.data(), static_cast<int64_t>(w.size()), n), v) << "trial " << trial;
    // Worst case: one pair per value.
    EXPECT_LE(static_cast<int64_t>(w.size()), (n + 2) / 3);
  }
}

TEST(Rlc, MalformedStreamsAreFileErrors) {
  const std::vector<int16_t> v = {1, 2, 3, 4, 5, 6, 7};
  std::vector<uint64_t> w = RlcEncode(v.data(), 7);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_THROW(RlcDecode(w.data(), 2, 7), FileError);  // words run out
  // n = 8 or 9 would read the (0, 0) pairs after the 7 as zeros (the code cannot tell; the
  // count must be known), but 10 values need more pairs than three words hold.
  EXPECT_THROW(RlcDecode(w.data(), 3, 10), FileError);  // last flag before the last value
  EXPECT_THROW(RlcDecode(w.data(), 3, 5), FileError);  // a pair after the last value
  std::vector<uint64_t> unflagged = w;
  unflagged[2] &= ~kLast;
  EXPECT_THROW(RlcDecode(unflagged.data(), 3, 7), FileError);
  std::vector<uint64_t> extra = w;
  extra.push_back(kLast);
  EXPECT_THROW(RlcDecode(extra.data(), 4, 7), FileError);  // a word after the last one
  const uint64_t long_run = Pair(31, 1) | kLast;           // 32 values where 5 are expected
  EXPECT_THROW(RlcDecode(&long_run, 1, 5), FileError);
  try {
    RlcDecode(w.data(), 2, 7);
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("the words run out"), std::string::npos) << e.what();
  }
}

TEST(Rlc, TensorsAreCodedPlaneByPlane) {
  // Two planes of 2 x 3: the first all zero (one pair (5, 0): one word), the second dense (six
  // pairs: two words). Three words, 24 bytes, where raw they are 24 bytes too.
  Tensor<int16_t> t(Shape{1, 2, 2, 3}, 0);
  for (int i = 6; i < 12; ++i) t.data()[static_cast<size_t>(i)] = static_cast<int16_t>(i);
  EXPECT_EQ(RlcTensorBytes(t), 3 * 8);
  // A 100-element all-zero plane is 4 pairs, 2 words, against 200 raw bytes.
  Tensor<int16_t> z(Shape{1, 1, 10, 10}, 0);
  EXPECT_EQ(RlcTensorBytes(z), 2 * 8);
}

}  // namespace
}  // namespace eyelet
