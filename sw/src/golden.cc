// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Bit-exact integer golden model. The numeric rules are written out in eyelet/golden.h; this
// file follows them with plain loops. Products (at most 2^30 in magnitude) are exact in
// int32_t; they are summed modulo 2^32 in uint32_t and the sum wrapped to acc_bits once per
// output: wrapping is a ring homomorphism and 2^acc_bits divides 2^32 (acc_bits <= 32), so
// this equals wrapping after every add (as the RTL does), for any number of terms. 32-bit
// lanes also let the compiler vectorize the loops (twice the lanes of int64_t).
#include "eyelet/golden.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "eyelet/error.h"
#include "windows.h"

namespace eyelet {
namespace {

constexpr int kMinDataBits = 2;
constexpr int kMaxDataBits = 16;
constexpr int kMinAccBits = 16;
constexpr int kMaxAccBits = 32;
constexpr int kMaxShift = 62;

void CheckDataBits(int data_bits, const char* where) {
  if (data_bits < kMinDataBits || data_bits > kMaxDataBits) {
    throw ShapeError(std::string(where) + ": data_bits=" + std::to_string(data_bits) +
                     " is outside [" + std::to_string(kMinDataBits) + ", " +
                     std::to_string(kMaxDataBits) + "]; use 8 or 16 (the DataW of the build)");
  }
}

void CheckAccBits(int acc_bits, const char* where) {
  if (acc_bits < kMinAccBits || acc_bits > kMaxAccBits) {
    throw ShapeError(std::string(where) + ": acc_bits=" + std::to_string(acc_bits) +
                     " is outside [" + std::to_string(kMinAccBits) + ", " +
                     std::to_string(kMaxAccBits) + "]; use the AccW of the build (32 by default)");
  }
}

void CheckShift(int shift, const std::string& name, const char* where) {
  if (shift < 0 || shift > kMaxShift) {
    throw ShapeError(std::string(where) + ": " + name + "=" + std::to_string(shift) +
                     " is outside [0, " + std::to_string(kMaxShift) +
                     "]; choose mult and shift with scale = mult / 2^shift in that range");
  }
}

// A tensor whose element count does not match its shape (default-constructed, or resized
// through data()) would make the loops below read out of bounds.
template <typename T>
void CheckStorage(const Tensor<T>& t, const char* name, const char* where) {
  if (t.size() != t.shape().Size()) {
    throw ShapeError(std::string(where) + ": tensor " + name + " has shape " +
                     t.shape().ToString() + " but holds " + std::to_string(t.size()) +
                     " elements; construct it with Tensor(shape) and keep data() that size");
  }
}

int64_t DataMin(int data_bits) { return -(int64_t{1} << (data_bits - 1)); }
int64_t DataMax(int data_bits) { return (int64_t{1} << (data_bits - 1)) - 1; }

void CheckDataRange(const Tensor<int16_t>& t, int data_bits, const char* name, const char* where) {
  const int64_t lo = DataMin(data_bits);
  const int64_t hi = DataMax(data_bits);
  const std::vector<int16_t>& d = t.data();
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] < lo || d[i] > hi) {
      throw ShapeError(
          std::string(where) + ": " + name + " holds " + std::to_string(d[i]) + " at flat index " +
          std::to_string(i) + ", outside the " + std::to_string(data_bits) + "-bit range [" +
          std::to_string(lo) + ", " + std::to_string(hi) +
          "]; quantize the tensor to data_bits=" + std::to_string(data_bits) + " first");
    }
  }
}

int32_t WrapUnchecked(int64_t v, int acc_bits) {
  const uint64_t modulus = uint64_t{1} << acc_bits;
  const uint64_t u = static_cast<uint64_t>(v) & (modulus - 1);
  const bool negative = (u >> (acc_bits - 1)) != 0;
  return static_cast<int32_t>(negative ? static_cast<int64_t>(u) - static_cast<int64_t>(modulus)
                                       : static_cast<int64_t>(u));
}

int32_t SaturateUnchecked(int64_t v, int data_bits) {
  return static_cast<int32_t>(std::clamp(v, DataMin(data_bits), DataMax(data_bits)));
}

// floor(v / 2^shift) without relying on `>>` of a negative value (implementation-defined
// before C++20): for v < 0, floor(v / 2^s) = -floor((-v - 1) / 2^s) - 1 = ~(~v >> s).
int64_t ShiftRightFloor(int64_t v, int shift) { return v >= 0 ? v >> shift : ~(~v >> shift); }

// The int64_t whose two's-complement bits are u, without converting an unsigned value above
// INT64_MAX (implementation-defined before C++20): for those, -(~u) - 1.
int64_t FromTwosComplement(uint64_t u) {
  return u >> 63 == 0 ? static_cast<int64_t>(u) : -static_cast<int64_t>(~u) - 1;
}

// (v + round) >> shift with round = 2^(shift-1) for shift > 0: round half towards +infinity.
// The sum wraps modulo 2^64 as the RTL's 64-bit adder does (only a shift of 63 makes it wrap:
// RequantizeWrapping); it is summed unsigned because a signed overflow would be undefined.
int64_t RoundShift(int64_t v, int shift) {
  const uint64_t round = shift > 0 ? uint64_t{1} << (shift - 1) : 0;
  return ShiftRightFloor(FromTwosComplement(static_cast<uint64_t>(v) + round), shift);
}

int32_t RequantizeUnchecked(int32_t acc, int32_t mult, int shift, int data_bits) {
  return SaturateUnchecked(RoundShift(static_cast<int64_t>(acc) * mult, shift), data_bits);
}

void CheckRequantParams(const RequantParams& q, int channels, const char* where) {
  const size_t m = static_cast<size_t>(channels);
  if (q.mult.size() != 1 && q.mult.size() != m) {
    throw ShapeError(std::string(where) + ": requant mult has " + std::to_string(q.mult.size()) +
                     " entries for " + std::to_string(channels) +
                     " output channels; give 1 (per layer) or one per output channel");
  }
  if (q.shift.size() != q.mult.size()) {
    throw ShapeError(std::string(where) + ": requant shift has " + std::to_string(q.shift.size()) +
                     " entries but mult has " + std::to_string(q.mult.size()) +
                     "; give one shift per mult");
  }
  for (size_t i = 0; i < q.shift.size(); ++i) {
    CheckShift(q.shift[i], "requant shift[" + std::to_string(i) + "]", where);
  }
}

void CheckBiasSize(size_t bias_size, int channels, const char* where) {
  if (bias_size != static_cast<size_t>(channels)) {
    throw ShapeError(std::string(where) + ": bias has " + std::to_string(bias_size) +
                     " entries but there are " + std::to_string(channels) +
                     " output channels; give one bias per output channel");
  }
}

// Output length of one pooling axis (see golden.h). `axis` is "h" or "w" for messages.
int PoolOutputLength(int len, int kernel, int stride, int pad_begin, int pad_end, bool ceil_mode,
                     const char* axis) {
  const std::string a(axis);
  if (kernel < 1) {
    throw ShapeError("max pool: kernel_" + a + "=" + std::to_string(kernel) +
                     " must be at least 1");
  }
  if (stride < 1) {
    throw ShapeError("max pool: stride_" + a + "=" + std::to_string(stride) +
                     " must be at least 1");
  }
  if (pad_begin < 0 || pad_end < 0) {
    throw ShapeError("max pool: pads along " + a + " (" + std::to_string(pad_begin) + ", " +
                     std::to_string(pad_end) + ") must not be negative");
  }
  if (pad_begin >= kernel || pad_end >= kernel) {
    throw ShapeError("max pool: pads along " + a + " (" + std::to_string(pad_begin) + ", " +
                     std::to_string(pad_end) + ") must be smaller than kernel_" + a + "=" +
                     std::to_string(kernel) +
                     ", otherwise a window covers only padding; reduce the padding");
  }
  const int64_t padded = int64_t{len} + pad_begin + pad_end;
  if (kernel > padded) {
    throw ShapeError("max pool: kernel_" + a + "=" + std::to_string(kernel) +
                     " is larger than the padded input (" + std::to_string(padded) +
                     "); use a smaller kernel or more padding");
  }
  const int64_t span = padded - kernel;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // ONNX / PyTorch: in ceil mode drop a last window that starts in the end padding.
  if (ceil_mode && (out - 1) * stride >= int64_t{len} + pad_begin) --out;
  return static_cast<int>(out);
}

// Output length of one convolution axis; the caller has checked stride and pads.
int ConvOutputLength(int len, int kernel, int stride, int pad_begin, int pad_end,
                     const char* kernel_name) {
  if (kernel < 1) {
    throw ShapeError(std::string("conv: kernel ") + kernel_name + "=" + std::to_string(kernel) +
                     " must be at least 1");
  }
  const int64_t padded = int64_t{len} + pad_begin + pad_end;
  if (kernel > padded) {
    throw ShapeError(std::string("conv: kernel ") + kernel_name + "=" + std::to_string(kernel) +
                     " is larger than the padded input (" + std::to_string(padded) +
                     "); pad the input or use a smaller kernel");
  }
  return static_cast<int>((padded - kernel) / stride + 1);
}

// Validates an FC layer and returns K (x is N x K, w is M x K after flattening).
int64_t CheckFcShapes(const Shape& x, const Shape& w) {
  const int64_t k = int64_t{x.c} * x.h * x.w;
  const int64_t wk = int64_t{w.c} * w.h * w.w;
  if (k != wk) {
    throw ShapeError("fc: input " + x.ToString() + " has K=C*H*W=" + std::to_string(k) +
                     " features but weights " + w.ToString() + " have c*h*w=" + std::to_string(wk) +
                     "; weights must be M x K (e.g. M x 1 x 1 x K)");
  }
  return k;
}

}  // namespace

Shape ConvOutputShape(const Shape& x, const Shape& w, const ConvParams& p) {
  if (p.groups < 1) {
    throw ShapeError("conv: groups=" + std::to_string(p.groups) + " must be at least 1");
  }
  if (x.c % p.groups != 0) {
    throw ShapeError("conv: input channels C=" + std::to_string(x.c) +
                     " are not divisible by groups=" + std::to_string(p.groups) +
                     "; use a group count that divides both C and M");
  }
  if (w.n % p.groups != 0) {
    throw ShapeError("conv: output channels M=" + std::to_string(w.n) +
                     " are not divisible by groups=" + std::to_string(p.groups) +
                     "; use a group count that divides both C and M");
  }
  if (w.c != x.c / p.groups) {
    throw ShapeError("conv: weight channels " + std::to_string(w.c) +
                     " != input C/groups = " + std::to_string(x.c) + "/" +
                     std::to_string(p.groups) + "; weights must be M x C/groups x R x S");
  }
  if (p.stride_h < 1 || p.stride_w < 1) {
    throw ShapeError("conv: stride (h=" + std::to_string(p.stride_h) +
                     ", w=" + std::to_string(p.stride_w) + ") must be at least 1 on each axis");
  }
  if (p.pad_top < 0 || p.pad_left < 0 || p.pad_bottom < 0 || p.pad_right < 0) {
    throw ShapeError("conv: pads (top=" + std::to_string(p.pad_top) + ", left=" +
                     std::to_string(p.pad_left) + ", bottom=" + std::to_string(p.pad_bottom) +
                     ", right=" + std::to_string(p.pad_right) + ") must not be negative");
  }
  Shape y;
  y.n = x.n;
  y.c = w.n;
  y.h = ConvOutputLength(x.h, w.h, p.stride_h, p.pad_top, p.pad_bottom, "R");
  y.w = ConvOutputLength(x.w, w.w, p.stride_w, p.pad_left, p.pad_right, "S");
  return y;
}

Shape PoolOutputShape(const Shape& x, const PoolParams& p) {
  Shape y = x;
  y.h = PoolOutputLength(x.h, p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom, p.ceil_mode, "h");
  y.w = PoolOutputLength(x.w, p.kernel_w, p.stride_w, p.pad_left, p.pad_right, p.ceil_mode, "w");
  return y;
}

Tensor<int32_t> ConvAcc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, const ConvParams& p,
                        int data_bits, int acc_bits) {
  constexpr const char* kWhere = "ConvAcc";
  CheckDataBits(data_bits, kWhere);
  CheckAccBits(acc_bits, kWhere);
  CheckStorage(x, "x", kWhere);
  CheckStorage(w, "w", kWhere);
  ConvOutputShape(x.shape(), w.shape(), p);  // shape errors before range errors
  CheckDataRange(x, data_bits, "input x", kWhere);
  CheckDataRange(w, data_bits, "weights w", kWhere);
  return internal::ConvWindows<int32_t, uint32_t, int32_t>(
      x, w, p, [](int) { return uint32_t{0}; },
      [acc_bits](uint32_t sum) { return WrapUnchecked(int64_t{sum}, acc_bits); });
}

Tensor<int32_t> FcAcc(const Tensor<int16_t>& x, const Tensor<int16_t>& w, int data_bits,
                      int acc_bits) {
  constexpr const char* kWhere = "FcAcc";
  CheckDataBits(data_bits, kWhere);
  CheckAccBits(acc_bits, kWhere);
  CheckStorage(x, "x", kWhere);
  CheckStorage(w, "w", kWhere);
  const int64_t k = CheckFcShapes(x.shape(), w.shape());
  CheckDataRange(x, data_bits, "input x", kWhere);
  CheckDataRange(w, data_bits, "weights w", kWhere);

  Shape ys;
  ys.n = x.shape().n;
  ys.c = w.shape().n;
  Tensor<int32_t> y(ys);
  for (int n = 0; n < ys.n; ++n) {
    const int16_t* xn = x.data().data() + n * k;
    for (int m = 0; m < ys.c; ++m) {
      const int16_t* wm = w.data().data() + m * k;
      uint32_t sum = 0;  // modulo 2^32, see the top of the file
      for (int64_t i = 0; i < k; ++i) sum += static_cast<uint32_t>(int32_t{xn[i]} * wm[i]);
      y.at(n, m, 0, 0) = WrapUnchecked(int64_t{sum}, acc_bits);
    }
  }
  return y;
}

void AddBias(Tensor<int32_t>& acc, const std::vector<int32_t>& bias, int acc_bits) {
  constexpr const char* kWhere = "AddBias";
  CheckAccBits(acc_bits, kWhere);
  CheckStorage(acc, "acc", kWhere);
  const Shape& s = acc.shape();
  CheckBiasSize(bias.size(), s.c, kWhere);
  const size_t plane = static_cast<size_t>(s.h) * s.w;
  int32_t* a = acc.data().data();
  for (int n = 0; n < s.n; ++n) {
    for (int c = 0; c < s.c; ++c) {
      const int64_t b = bias[c];
      for (size_t i = 0; i < plane; ++i, ++a) *a = WrapUnchecked(*a + b, acc_bits);
    }
  }
}

int32_t WrapAcc(int64_t v, int acc_bits) {
  CheckAccBits(acc_bits, "WrapAcc");
  return WrapUnchecked(v, acc_bits);
}

int32_t Saturate(int64_t v, int data_bits) {
  CheckDataBits(data_bits, "Saturate");
  return SaturateUnchecked(v, data_bits);
}

int32_t RequantizeOne(int32_t acc, int32_t mult, int shift, int data_bits) {
  CheckDataBits(data_bits, "RequantizeOne");
  CheckShift(shift, "shift", "RequantizeOne");
  return RequantizeUnchecked(acc, mult, shift, data_bits);
}

int32_t RequantizeWrapping(int32_t acc, int32_t mult, int shift, int data_bits) {
  CheckDataBits(data_bits, "RequantizeWrapping");
  if (shift < 0 || shift > kMaxShift + 1) {
    throw ShapeError("RequantizeWrapping: shift=" + std::to_string(shift) + " is outside [0, " +
                     std::to_string(kMaxShift + 1) + "], the range of a 6-bit shift field");
  }
  return RequantizeUnchecked(acc, mult, shift, data_bits);
}

Tensor<int16_t> Requantize(const Tensor<int32_t>& acc, const RequantParams& q, int data_bits) {
  constexpr const char* kWhere = "Requantize";
  CheckDataBits(data_bits, kWhere);
  CheckStorage(acc, "acc", kWhere);
  const Shape& s = acc.shape();
  CheckRequantParams(q, s.c, kWhere);
  const bool per_channel = q.mult.size() > 1;
  const size_t plane = static_cast<size_t>(s.h) * s.w;
  Tensor<int16_t> y(s);
  const int32_t* a = acc.data().data();
  int16_t* out = y.data().data();
  for (int n = 0; n < s.n; ++n) {
    for (int c = 0; c < s.c; ++c) {
      const int32_t mult = q.mult[per_channel ? c : 0];
      const int shift = q.shift[per_channel ? c : 0];
      for (size_t i = 0; i < plane; ++i) {
        *out++ = static_cast<int16_t>(RequantizeUnchecked(*a++, mult, shift, data_bits));
      }
    }
  }
  return y;
}

Tensor<int16_t> Relu(const Tensor<int16_t>& x) {
  CheckStorage(x, "x", "Relu");
  Tensor<int16_t> y(x.shape());
  std::transform(x.data().begin(), x.data().end(), y.data().begin(),
                 [](int16_t v) { return std::max<int16_t>(v, 0); });
  return y;
}

Tensor<int16_t> LeakyRelu(const Tensor<int16_t>& x, int16_t mult, int shift, int data_bits) {
  constexpr const char* kWhere = "LeakyRelu";
  CheckDataBits(data_bits, kWhere);
  CheckShift(shift, "shift", kWhere);
  CheckStorage(x, "x", kWhere);
  CheckDataRange(x, data_bits, "input x", kWhere);
  Tensor<int16_t> y(x.shape());
  std::transform(x.data().begin(), x.data().end(), y.data().begin(), [&](int16_t v) {
    if (v >= 0) return v;
    return static_cast<int16_t>(SaturateUnchecked(RoundShift(int64_t{v} * mult, shift), data_bits));
  });
  return y;
}

Tensor<int16_t> MaxPool(const Tensor<int16_t>& x, const PoolParams& p) {
  CheckStorage(x, "x", "MaxPool");
  return internal::MaxPoolWindows(x, p, [](int16_t v, int16_t best) { return v > best; });
}

Tensor<int16_t> RunQuantLayer(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                              const QuantLayer& layer) {
  constexpr const char* kWhere = "RunQuantLayer";
  // Check the cheap things first so a bad layer fails before the convolution runs.
  const int channels = w.shape().n;
  if (!layer.bias.empty()) CheckBiasSize(layer.bias.size(), channels, kWhere);
  CheckRequantParams(layer.requant, channels, kWhere);
  if (layer.pool) {
    Shape acc_shape;
    if (layer.fc) {
      CheckFcShapes(x.shape(), w.shape());
      acc_shape.n = x.shape().n;
      acc_shape.c = channels;
    } else {
      acc_shape = ConvOutputShape(x.shape(), w.shape(), layer.conv);
    }
    PoolOutputShape(acc_shape, layer.pool_params);
  }

  Tensor<int32_t> acc = layer.fc ? FcAcc(x, w, layer.data_bits, layer.acc_bits)
                                 : ConvAcc(x, w, layer.conv, layer.data_bits, layer.acc_bits);
  if (!layer.bias.empty()) AddBias(acc, layer.bias, layer.acc_bits);
  Tensor<int16_t> y = Requantize(acc, layer.requant, layer.data_bits);
  if (layer.relu) y = Relu(y);
  if (layer.pool) y = MaxPool(y, layer.pool_params);
  return y;
}

}  // namespace eyelet
