// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the convolution and max-pool window walks shared by the integer golden model and
// the float reference, so both see exactly the same windows, padding and groups.
#ifndef EYELET_SRC_WINDOWS_H_
#define EYELET_SRC_WINDOWS_H_

#include <algorithm>
#include <cstddef>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/tensor.h"

namespace eyelet {
namespace internal {

// y[n][m][e][f] = finish(init(m) + sum over the window of Acc(Prod(x) * Prod(w))), each output
// summed in the order c, r, s (so a float sum is the same bit for bit as a per-output loop);
// zero padding is never read (windows are clipped to the input, not padded with zeros).
// ConvOutputShape validates the shapes.
//
// The images are taken kImages at a time with the image index innermost (a transposed copy of
// the block, the missing images of the last block zero), so the innermost loop runs over
// kImages images of the same window position and tap: a fixed-length loop without checks or
// gathers that the compiler turns into vector instructions, whatever the stride, padding and
// groups, while each image still adds exactly its own window's taps in order.
template <typename Out, typename Acc, typename Prod, typename In, typename Init, typename Finish>
Tensor<Out> ConvWindows(const Tensor<In>& x, const Tensor<In>& w, const ConvParams& p,
                        Init init, Finish finish) {
  constexpr int kImages = 16;
  const Shape ys = ConvOutputShape(x.shape(), w.shape(), p);
  const Shape& xs = x.shape();
  const int kh = w.shape().h;
  const int kw = w.shape().w;
  const int c_per_group = xs.c / p.groups;
  const int m_per_group = ys.c / p.groups;
  const size_t x_image = static_cast<size_t>(xs.c) * xs.h * xs.w;
  const size_t y_plane = static_cast<size_t>(ys.h) * ys.w;
  const size_t w_filter = static_cast<size_t>(c_per_group) * kh * kw;

  Tensor<Out> y(ys);
  std::vector<In> block(x_image * kImages);  // block[i * kImages + b] = x[n0 + b], flat i
  for (int n0 = 0; n0 < ys.n; n0 += kImages) {
    const int images = std::min(kImages, ys.n - n0);
    std::fill(block.begin(), block.end(), In{});
    for (int b = 0; b < images; ++b) {
      const In* xn = x.data().data() + x.Index(n0 + b, 0, 0, 0);
      for (size_t i = 0; i < x_image; ++i) block[i * kImages + b] = xn[i];
    }
    for (int m = 0; m < ys.c; ++m) {
      const In* x_group =
          block.data() + static_cast<size_t>((m / m_per_group) * c_per_group) * xs.h * xs.w *
                             kImages;
      const In* w_m = w.data().data() + static_cast<size_t>(m) * w_filter;
      Out* y_m = y.data().data() + y.Index(n0, m, 0, 0);
      for (int e = 0; e < ys.h; ++e) {
        // Window rows in input coordinates are [h0, h0 + kh); keep only r with 0 <= h0+r < H.
        const int h0 = e * p.stride_h - p.pad_top;
        const int r_lo = std::max(0, -h0);
        const int r_hi = std::min(kh, xs.h - h0);
        for (int f = 0; f < ys.w; ++f) {
          const int w0 = f * p.stride_w - p.pad_left;
          const int s_lo = std::max(0, -w0);
          const int s_hi = std::min(kw, xs.w - w0);
          Acc sum[kImages];
          const Acc start = init(m);
          for (int b = 0; b < kImages; ++b) sum[b] = start;
          for (int c = 0; c < c_per_group; ++c) {
            for (int r = r_lo; r < r_hi; ++r) {
              // The window's first tap inside the input: x[c][h0 + r][w0 + s_lo].
              const In* x_tap = x_group + ((static_cast<size_t>(c) * xs.h + (h0 + r)) * xs.w +
                                           (w0 + s_lo)) * kImages;
              const In* w_row = w_m + (static_cast<size_t>(c) * kh + r) * kw;
              for (int s = s_lo; s < s_hi; ++s, x_tap += kImages) {
                const Prod wv = Prod(w_row[s]);
                const In* xv = x_tap;
#pragma GCC unroll 1  // vectorized over b; unrolled first, GCC 12 vectorizes the loop over s
                for (int b = 0; b < kImages; ++b) sum[b] += Acc(Prod(xv[b]) * wv);
              }
            }
          }
          const size_t at = static_cast<size_t>(e) * ys.w + f;
          for (int b = 0; b < images; ++b) y_m[b * ys.c * y_plane + at] = finish(sum[b]);
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
