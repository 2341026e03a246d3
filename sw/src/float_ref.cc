// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Float references for the layers in golden.h; see eyelet/float_ref.h. The loop structure
// mirrors golden.cc, with double accumulation instead of integer wrap.
#include "eyelet/float_ref.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "eyelet/error.h"
#include "windows.h"

namespace eyelet {
namespace {

template <typename T>
void CheckStorage(const Tensor<T>& t, const char* name, const char* where) {
  if (t.size() != t.shape().Size()) {
    throw ShapeError(std::string(where) + ": tensor " + name + " has shape " +
                     t.shape().ToString() + " but holds " + std::to_string(t.size()) +
                     " elements; construct it with Tensor(shape) and keep data() that size");
  }
}

void CheckBias(const std::vector<float>* bias, int channels, const char* where) {
  if (bias != nullptr && bias->size() != static_cast<size_t>(channels)) {
    throw ShapeError(std::string(where) + ": bias has " + std::to_string(bias->size()) +
                     " entries but there are " + std::to_string(channels) +
                     " output channels; give one bias per output channel");
  }
}

void CheckScale(double scale, const char* where) {
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    throw ShapeError(std::string(where) + ": scale=" + std::to_string(scale) +
                     " must be positive and finite");
  }
}

template <typename T>
Tensor<float> DequantizeImpl(const Tensor<T>& q, double scale) {
  CheckScale(scale, "Dequantize");
  CheckStorage(q, "q", "Dequantize");
  Tensor<float> x(q.shape());
  std::transform(q.data().begin(), q.data().end(), x.data().begin(),
                 [scale](T v) { return static_cast<float>(static_cast<double>(v) * scale); });
  return x;
}

}  // namespace

Tensor<float> ConvFloat(const Tensor<float>& x, const Tensor<float>& w, const ConvParams& p,
                        const std::vector<float>* bias) {
  constexpr const char* kWhere = "ConvFloat";
  CheckStorage(x, "x", kWhere);
  CheckStorage(w, "w", kWhere);
  const Shape ys = ConvOutputShape(x.shape(), w.shape(), p);
  CheckBias(bias, ys.c, kWhere);

  // The bias starts the double sum; one rounding to float per output.
  return internal::ConvWindows<float, double, double>(
      x, w, p, [bias](int m) { return bias != nullptr ? double{(*bias)[m]} : 0.0; },
      [](double sum) { return static_cast<float>(sum); });
}

Tensor<float> FcFloat(const Tensor<float>& x, const Tensor<float>& w,
                      const std::vector<float>* bias) {
  constexpr const char* kWhere = "FcFloat";
  CheckStorage(x, "x", kWhere);
  CheckStorage(w, "w", kWhere);
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  const int64_t k = int64_t{xs.c} * xs.h * xs.w;
  if (int64_t{ws.c} * ws.h * ws.w != k) {
    throw ShapeError("FcFloat: input " + xs.ToString() + " has K=C*H*W=" + std::to_string(k) +
                     " features but weights " + ws.ToString() +
                     " do not have c*h*w=K; weights must be M x K (e.g. M x 1 x 1 x K)");
  }
  CheckBias(bias, ws.n, kWhere);

  Shape ys;
  ys.n = xs.n;
  ys.c = ws.n;
  Tensor<float> y(ys);
  for (int n = 0; n < ys.n; ++n) {
    const float* xn = x.data().data() + n * k;
    for (int m = 0; m < ys.c; ++m) {
      const float* wm = w.data().data() + m * k;
      double sum = bias != nullptr ? (*bias)[m] : 0.0;
      for (int64_t i = 0; i < k; ++i) sum += double{xn[i]} * wm[i];
      y.at(n, m, 0, 0) = static_cast<float>(sum);
    }
  }
  return y;
}

Tensor<float> MaxPoolFloat(const Tensor<float>& x, const PoolParams& p) {
  CheckStorage(x, "x", "MaxPoolFloat");
  // A NaN replaces the best and then sticks: `v > NaN` is false for every v.
  return internal::MaxPoolWindows(
      x, p, [](float v, float best) { return std::isnan(v) || v > best; });
}

Tensor<float> ReluFloat(const Tensor<float>& x) {
  CheckStorage(x, "x", "ReluFloat");
  Tensor<float> y(x.shape());
  std::transform(x.data().begin(), x.data().end(), y.data().begin(),
                 [](float v) { return v > 0.0f || std::isnan(v) ? v : 0.0f; });
  return y;
}

Tensor<int16_t> Quantize(const Tensor<float>& x, double scale, int data_bits) {
  constexpr const char* kWhere = "Quantize";
  CheckScale(scale, kWhere);
  CheckStorage(x, "x", kWhere);
  if (data_bits < 2 || data_bits > 16) {
    throw ShapeError(std::string(kWhere) + ": data_bits=" + std::to_string(data_bits) +
                     " is outside [2, 16]; use 8 or 16 (the DataW of the build)");
  }
  const double lo = -std::ldexp(1.0, data_bits - 1);
  const double hi = std::ldexp(1.0, data_bits - 1) - 1.0;
  Tensor<int16_t> q(x.shape());
  const std::vector<float>& d = x.data();
  for (size_t i = 0; i < d.size(); ++i) {
    if (std::isnan(d[i])) {
      throw ShapeError(std::string(kWhere) + ": element " + std::to_string(i) +
                       " is NaN; a NaN cannot be quantized, check the producer of this tensor");
    }
    // std::round rounds half away from zero; clamp in double so +-inf saturate too.
    const double v = std::clamp(std::round(static_cast<double>(d[i]) / scale), lo, hi);
    q.data()[i] = static_cast<int16_t>(v);
  }
  return q;
}

Tensor<float> Dequantize(const Tensor<int16_t>& q, double scale) {
  return DequantizeImpl(q, scale);
}

Tensor<float> Dequantize(const Tensor<int32_t>& q, double scale) {
  return DequantizeImpl(q, scale);
}

}  // namespace eyelet
