// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the max-pool window walk shared by the integer golden model and the float
// reference (ONNX MaxPool: windows clipped to the input, so padded positions never win).
#ifndef EYELET_SRC_POOL_WINDOW_H_
#define EYELET_SRC_POOL_WINDOW_H_

#include <algorithm>
#include <cstddef>

#include "eyelet/golden.h"
#include "eyelet/tensor.h"

namespace eyelet {
namespace internal {

// y = max pool of x; better(v, best) says whether v replaces the running best of a window,
// which starts at the window's first element. PoolOutputShape guarantees every window keeps
// at least one input element.
template <typename T, typename Better>
Tensor<T> MaxPoolWindows(const Tensor<T>& x, const PoolParams& p, Better better) {
  const Shape& xs = x.shape();
  const Shape ys = PoolOutputShape(xs, p);
  Tensor<T> y(ys);
  T* out = y.data().data();
  for (int n = 0; n < ys.n; ++n) {
    for (int c = 0; c < ys.c; ++c) {
      const T* plane = x.data().data() + x.Index(n, c, 0, 0);
      for (int e = 0; e < ys.h; ++e) {
        const int h0 = e * p.stride_h - p.pad_top;
        const int h_lo = std::max(0, h0);
        const int h_hi = std::min(xs.h, h0 + p.kernel_h);
        for (int f = 0; f < ys.w; ++f) {
          const int w0 = f * p.stride_w - p.pad_left;
          const int w_lo = std::max(0, w0);
          const int w_hi = std::min(xs.w, w0 + p.kernel_w);
          T best = plane[static_cast<size_t>(h_lo) * xs.w + w_lo];
          for (int h = h_lo; h < h_hi; ++h) {
            const T* row = plane + static_cast<size_t>(h) * xs.w;
            for (int w = w_lo; w < w_hi; ++w) {
              if (better(row[w], best)) best = row[w];
            }
          }
          *out++ = best;
        }
      }
    }
  }
  return y;
}

}  // namespace internal
}  // namespace eyelet

#endif  // EYELET_SRC_POOL_WINDOW_H_
