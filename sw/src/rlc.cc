// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/rlc.h"

#include <string>

#include "eyelet/error.h"

namespace eyelet {

namespace {

constexpr int kRunBits = 5;
constexpr int kPairBits = kRunBits + 16;
constexpr uint64_t kLastFlag = uint64_t{1} << 63;

// Walks v[0..n) as (run, level) pairs, in order, calling pair(run, level).
template <typename Pair>
void Pairs(const int16_t* v, int64_t n, const Pair& pair) {
  int run = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool end = i + 1 == n;
    if (v[i] == 0 && !end && run < kRlcMaxRun) {
      ++run;
      continue;
    }
    pair(run, v[i]);  // a nonzero, the last value, or a zero after 31 zeros
    run = 0;
  }
}

uint64_t PairBits(int run, int16_t level) {
  return static_cast<uint64_t>(run) |
         (static_cast<uint64_t>(static_cast<uint16_t>(level)) << kRunBits);
}

}  // namespace

std::vector<uint64_t> RlcEncode(const int16_t* v, int64_t n) {
  std::vector<uint64_t> words;
  uint64_t word = 0;
  int k = 0;  // pairs in `word`
  Pairs(v, n, [&](int run, int16_t level) {
    word |= PairBits(run, level) << (k * kPairBits);
    if (++k == kRlcPairsPerWord) {
      words.push_back(word);
      word = 0;
      k = 0;
    }
  });
  if (k > 0) words.push_back(word);
  if (!words.empty()) words.back() |= kLastFlag;
  return words;
}

int64_t RlcWords(const int16_t* v, int64_t n) {
  int64_t pairs = 0;
  Pairs(v, n, [&](int, int16_t) { ++pairs; });
  return (pairs + kRlcPairsPerWord - 1) / kRlcPairsPerWord;
}

std::vector<int16_t> RlcDecode(const uint64_t* words, int64_t count, int64_t n) {
  std::vector<int16_t> out;
  out.reserve(static_cast<size_t>(n));
  const auto bad = [&](int64_t w, const std::string& why) {
    return FileError("RLC stream: word " + std::to_string(w) + " of " + std::to_string(count) +
                     ": " + why + " (after " + std::to_string(out.size()) + " of " +
                     std::to_string(n) + " values)");
  };
  int64_t w = 0;
  for (; w < count && static_cast<int64_t>(out.size()) < n; ++w) {
    const uint64_t word = words[w];
    const bool last = (word & kLastFlag) != 0;
    for (int k = 0; k < kRlcPairsPerWord; ++k) {
      const uint64_t p = (word >> (k * kPairBits)) & ((uint64_t{1} << kPairBits) - 1);
      if (static_cast<int64_t>(out.size()) == n) {
        if (p != 0) throw bad(w, "a pair after the last value is not (0, 0)");
        continue;
      }
      const int run = static_cast<int>(p & ((1u << kRunBits) - 1));
      if (static_cast<int64_t>(out.size()) + run + 1 > n) {
        throw bad(w, "a run of " + std::to_string(run) + " zeros and a level pass the end");
      }
      out.insert(out.end(), static_cast<size_t>(run), int16_t{0});
      out.push_back(static_cast<int16_t>(static_cast<uint16_t>(p >> kRunBits)));
    }
    const bool done = static_cast<int64_t>(out.size()) == n;
    if (last != done) {
      throw bad(w, last ? "the last-word flag comes before the last value"
                        : "the last value's word has no last-word flag");
    }
  }
  if (static_cast<int64_t>(out.size()) < n) throw bad(w, "the words run out");
  if (w < count) throw bad(w, "words follow the last one");
  return out;
}

int64_t RlcTensorBytes(const Tensor<int16_t>& t) {
  const Shape& s = t.shape();
  const int64_t plane = static_cast<int64_t>(s.h) * s.w;
  int64_t words = 0;
  for (int64_t p = 0; p < static_cast<int64_t>(s.n) * s.c; ++p) {
    words += RlcWords(t.data().data() + p * plane, plane);
  }
  return words * kRlcWordBytes;
}

}  // namespace eyelet
