// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Bit-exact integer reference for every layer Eyelet runs in hardware. The RTL follows these
// rules bit for bit; nothing here includes Verilator headers.
//
// Numeric rules (the contract with the RTL):
//
//  * Data (activations, weights) are signed two's-complement integers of `data_bits` bits
//    (8 or 16; DataW in the RTL), held in int16_t. Inputs outside [-2^(b-1), 2^(b-1)-1] are a
//    ShapeError (the caller quantized wrongly), never silently wrapped.
//  * Products are exact (data_bits x data_bits -> 2*data_bits). Accumulation is done at
//    `acc_bits` bits (AccW, 32 by default) in two's complement and WRAPS modulo 2^acc_bits on
//    overflow, exactly like the RTL adders; the result is sign-extended into int32_t.
//    The order of accumulation therefore does not matter.
//  * Bias is added at acc_bits and wraps the same way.
//  * Requantization, per layer (one mult/shift) or per output channel (one per channel):
//        y = sat_b( (acc * mult + round) >> shift ),   round = shift > 0 ? 1 << (shift-1) : 0
//    acc is the wrapped acc_bits value, mult a signed 32-bit integer, shift in [0, 62]; the
//    product and the sum are exact in 64 bits (|acc*mult| <= 2^62, round <= 2^61), `>>` is an
//    arithmetic shift (floor). So ties round towards +infinity ("round half up"):
//    2.5 -> 3, -2.5 -> -2. sat_b clamps to [-2^(b-1), 2^(b-1)-1] for b = data_bits.
//  * ReLU: y = max(x, 0). Leaky ReLU: y = x >= 0 ? x : (x * mult + round) >> shift with the
//    same round/shift rule as requantization and mult a signed 16-bit value, then sat_b.
//  * Max pooling (ONNX MaxPool, no dilation): padded positions never win (they act as -inf).
//    Output size along an axis with input L, kernel k, stride s, pads pb/pe:
//        floor mode: (L + pb + pe - k) / s + 1
//        ceil mode:  ceil((L + pb + pe - k) / s) + 1, minus one if the last window would
//                    start at or beyond L + pb (i.e. lie wholly in the end padding).
//    A window that covers no input element at all is a ShapeError (pads >= kernel).
//  * Convolution: NCHW input x[N][C][H][W], weights w[M][C/groups][R][S], output
//    y[N][M][E][F] with E = (H + pad_top + pad_bottom - R) / stride_h + 1 (floor), likewise F.
//    Padding is zeros. Output channel m of group g = m / (M/groups) reads input channels
//    g*(C/groups) ... (g+1)*(C/groups)-1.
//  * Fully connected: x is N x K (any C,H,W flattened in C order to K = C*H*W), weights
//    M x K (a tensor of shape M x 1 x 1 x K, or any shape with n = M and c*h*w = K);
//    y is N x M x 1 x 1.
#ifndef EYELET_GOLDEN_H_
#define EYELET_GOLDEN_H_

#include <cstdint>
#include <type_traits>
#include <vector>

#include "eyelet/tensor.h"

namespace eyelet {

constexpr int kDefaultDataBits = 16;
constexpr int kDefaultAccBits = 32;

struct ConvParams {
  int stride_h = 1;
  int stride_w = 1;
  int pad_top = 0;
  int pad_left = 0;
  int pad_bottom = 0;
  int pad_right = 0;
  int groups = 1;
};

struct PoolParams {
  int kernel_h = 2;
  int kernel_w = 2;
  int stride_h = 2;
  int stride_w = 2;
  int pad_top = 0;
  int pad_left = 0;
  int pad_bottom = 0;
  int pad_right = 0;
  bool ceil_mode = false;
};

// One (mult, shift) for the whole layer (size 1) or one per output channel (size M).
struct RequantParams {
  std::vector<int32_t> mult;
  std::vector<int> shift;
};

// Output shape of a convolution; throws ShapeError naming the offending parameter.
Shape ConvOutputShape(const Shape& x, const Shape& w, const ConvParams& p);
Shape PoolOutputShape(const Shape& x, const PoolParams& p);

// Raw accumulators (no bias, no requantization), wrapped to acc_bits.
Tensor<int32_t> ConvAcc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, const ConvParams& p,
                        int data_bits = kDefaultDataBits, int acc_bits = kDefaultAccBits);
Tensor<int32_t> FcAcc(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                      int data_bits = kDefaultDataBits, int acc_bits = kDefaultAccBits);

// acc[n][m][..] += bias[m], wrapped to acc_bits. bias.size() must equal C of acc.
void AddBias(Tensor<int32_t>& acc, const std::vector<int32_t>& bias,
             int acc_bits = kDefaultAccBits);

// The single-value rules above, exposed for tests and for the RTL benches.
int32_t WrapAcc(int64_t v, int acc_bits);
int32_t Saturate(int64_t v, int data_bits);
int32_t RequantizeOne(int32_t acc, int32_t mult, int shift, int data_bits);
// RequantizeOne for every shift a 6-bit field holds, [0, 63], as the RTL's output path computes
// it from its table (rtl/ey_walker.sv): the 64-bit sum acc * mult + round wraps modulo 2^64
// before the floor shift. It cannot wrap for shift <= 62, where this equals RequantizeOne; for
// shift 63 (round = 2^62) the result is -1 when acc * mult = 2^62 (acc = mult = -2^31) and 0
// otherwise. ShapeError for data_bits or shift outside their ranges.
int32_t RequantizeWrapping(int32_t acc, int32_t mult, int shift, int data_bits);

Tensor<int16_t> Requantize(const Tensor<int32_t>& acc, const RequantParams& q,
                           int data_bits = kDefaultDataBits);
Tensor<int16_t> Relu(const Tensor<int16_t>& x);
Tensor<int16_t> LeakyRelu(const Tensor<int16_t>& x, int16_t mult, int shift,
                          int data_bits = kDefaultDataBits);
Tensor<int16_t> MaxPool(const Tensor<int16_t>& x, const PoolParams& p);

// A whole quantized CONV/FC layer as the hardware's output path runs it:
// acc -> (+bias) -> requantize -> (ReLU) -> (max pool).
struct QuantLayer {
  bool fc = false;        // FC instead of CONV (conv params then ignored)
  ConvParams conv;
  std::vector<int32_t> bias;  // empty: no bias
  RequantParams requant;      // must hold 1 or M entries
  bool relu = false;
  bool pool = false;
  PoolParams pool_params;
  int data_bits = kDefaultDataBits;
  int acc_bits = kDefaultAccBits;
};
Tensor<int16_t> RunQuantLayer(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                              const QuantLayer& layer);

// FNV-1a 64-bit over the little-endian bytes of the elements: a printable checksum that is the
// same on every backend for the same tensor. (Offset basis 14695981039346656037 =
// 0xcbf29ce484222325, prime 2^40 + 2^8 + 0xb3; tests/golden_test.cc checks the published
// test vectors.)
template <typename T>
uint64_t Checksum(const Tensor<T>& t) {
  static_assert(std::is_integral_v<T>, "Checksum hashes two's-complement integer tensors only");
  uint64_t h = 0xcbf29ce484222325ull;
  for (T v : t.data()) {
    auto u = static_cast<uint64_t>(static_cast<int64_t>(v));
    for (size_t b = 0; b < sizeof(T); ++b) {
      h ^= (u >> (8 * b)) & 0xff;
      h *= 1099511628211ull;
    }
  }
  return h;
}

}  // namespace eyelet

#endif  // EYELET_GOLDEN_H_
