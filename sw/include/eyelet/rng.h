// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The one random-number policy of Eyelet's drawers, tools and tests: SplitMix64 (Steele,
// Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014), so a seed draws
// the same layer and the same data on every platform and standard library
// (std::uniform_int_distribution and std::mt19937's distributions are not specified bit for
// bit across libraries).
#ifndef EYELET_RNG_H_
#define EYELET_RNG_H_

#include <cstdint>

namespace eyelet {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi]; lo when hi <= lo. (The modulo's bias, at most span / 2^64, is part
  // of the policy: changing it changes every draw.)
  int64_t Uniform(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(Next() % span);
  }
  int UniformInt(int lo, int hi) { return static_cast<int>(Uniform(lo, hi)); }
  // True with probability p (53 random bits against p).
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

}  // namespace eyelet

#endif  // EYELET_RNG_H_
