// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Eyeriss's run-length code for feature maps in DRAM (Chen et al., JSSC 2017, section V-B;
// ARCHITECTURE.md section 2), bit-exact: a stream of 16-bit values becomes 64-bit words of three
// (run, level) pairs and a last-word flag:
//
//   bits  4..0   run 0    zeros before level 0 (0..31)
//   bits 20..5   level 0  the value after them (two's complement)
//   bits 25..21  run 1,   bits 41..26 level 1
//   bits 46..42  run 2,   bits 62..47 level 2
//   bit  63      last     set in the stream's last word only
//
// A run longer than 31 zeros is cut into pairs (31, 0): a level may be zero, which codes one
// more zero. A stream that ends in zeros ends with a pair (r, 0) for its last r + 1 zeros. The
// pairs after the stream's last value in its last word are (0, 0) and carry nothing: the decoder
// knows how many values to produce (the tensor's size), as the hardware's load does from the
// descriptor. So a value costs 21 bits at most (1 + 1/3 of a word for three values: 64 bits per
// three 16-bit values is 1.33x raw in the worst case) and runs of zeros cost next to nothing.
//
// This is the golden model's codec (the RTL does not compress yet); RlcTensorBytes is what a
// feature map would take in DRAM coded plane by plane, so that a load can start at a plane.
#ifndef EYELET_RLC_H_
#define EYELET_RLC_H_

#include <cstdint>
#include <vector>

#include "eyelet/tensor.h"

namespace eyelet {

constexpr int kRlcPairsPerWord = 3;
constexpr int kRlcMaxRun = 31;
constexpr int kRlcWordBytes = 8;

// The code of v[0..n) (n >= 1): its words, the last one flagged.
std::vector<uint64_t> RlcEncode(const int16_t* v, int64_t n);

// Its size in words, without building it.
int64_t RlcWords(const int16_t* v, int64_t n);

// The n values coded in words[0..count). Throws FileError (error.h: malformed contents) when the
// words run out before n values, a word but the last carries the last flag, or the last word's
// unused pairs are not (0, 0).
std::vector<int16_t> RlcDecode(const uint64_t* words, int64_t count, int64_t n);

// Bytes of `t` in DRAM with each (n, c) plane coded on its own.
int64_t RlcTensorBytes(const Tensor<int16_t>& t);

}  // namespace eyelet

#endif  // EYELET_RLC_H_
