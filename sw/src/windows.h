// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the convolution and max-pool window walks shared by the integer golden model and
// the float reference, so both see exactly the same windows, padding and groups.
#ifndef EYELET_SRC_WINDOWS_H_
#define EYELET_SRC_WINDOWS_H_

#include <algorithm>
#include <cstddef>

#include "eyelet/golden.h"
#include "eyelet/tensor.h"

namespace eyelet {
namespace internal {

// y[n][m][e][f] = finish(init(m) + sum over the window of Acc(x) * Acc(w)), summed in that
// order; zero padding is never read (windows are clipped to the input), so padded taps add
// nothing. ConvOutputShape validates the shapes.
template <typename Out, typename Acc, typename In, typename Init, typename Finish>
Tensor<Out> ConvWindows(const Tensor<In>& x, const Tensor<In>& w, const ConvParams& p,
                        Init init, Finish finish) {
  const Shape ys = ConvOutputShape(x.shape(), w.shape(), p);
  const Shape& xs = x.shape();
  const int kh = w.shape().h;
  const int kw = w.shape().w;
  const int c_per_group = xs.c / p.groups;
  const int m_per_group = ys.c / p.groups;
  const size_t x_plane = static_cast<size_t>(xs.h) * xs.w;
  const size_t w_plane = static_cast<size_t>(kh) * kw;

  Tensor<Out> y(ys);
  Out* out = y.data().data();
  for (int n = 0; n < ys.n; ++n) {
    for (int m = 0; m < ys.c; ++m) {
      const int c0 = (m / m_per_group) * c_per_group;
      const In* x_group = x.data().data() + x.Index(n, c0, 0, 0);
      const In* w_filter = w.data().data() + w.Index(m, 0, 0, 0);
      for (int e = 0; e < ys.h; ++e) {
        // Window rows in input coordinates are [h0, h0 + kh); keep only r with 0 <= h0+r < H.
        const int h0 = e * p.stride_h - p.pad_top;
        const int r_lo = std::max(0, -h0);
        const int r_hi = std::min(kh, xs.h - h0);
        for (int f = 0; f < ys.w; ++f) {
          const int w0 = f * p.stride_w - p.pad_left;
          const int s_lo = std::max(0, -w0);
          const int s_hi = std::min(kw, xs.w - w0);
          const int len = s_hi - s_lo;  // may be <= 0 when the window lies in padding
          Acc sum = init(m);
          for (int c = 0; c < c_per_group && len > 0; ++c) {
            const In* xc = x_group + c * x_plane;
            const In* wc = w_filter + c * w_plane;
            for (int r = r_lo; r < r_hi; ++r) {
              const In* x_row = xc + static_cast<ptrdiff_t>(h0 + r) * xs.w + w0 + s_lo;
              const In* w_row = wc + static_cast<ptrdiff_t>(r) * kw + s_lo;
              for (int i = 0; i < len; ++i) sum += Acc(x_row[i]) * Acc(w_row[i]);
            }
          }
          *out++ = finish(sum);
        }
      }
    }
  }
  return y;
}

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

#endif  // EYELET_SRC_WINDOWS_H_
