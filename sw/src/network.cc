// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The float reference of an imported network (network.h), written from the ONNX operator
// specification (https://onnx.ai/onnx/operators/) and not from golden.h's integer model, so
// the two can be checked against each other. Every dot product and mean is summed in double
// and rounded to float once.
#include "eyelet/network.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "eyelet/error.h"

namespace eyelet {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 40;

[[noreturn]] void Fail(const NetOp& op, const std::string& problem) {
  throw ShapeError(std::string(OpKindName(op.kind)) + " '" + op.name + "': " + problem);
}

void NeedRank(const NetOp& op, const std::vector<int64_t>& in, size_t rank) {
  if (in.size() != rank) {
    Fail(op, "needs a " + std::to_string(rank) + "-D input, got " + DimsString(in));
  }
}

// Output length of a window of `k` sliding by `s` over `len` with pads `pb`, `pe`. ONNX's
// ceil mode adds a last partial window only when it starts inside the input or the left
// padding (the same rule as PyTorch's pooling).
int64_t WindowCount(const NetOp& op, int64_t len, int k, int s, int pb, int pe, bool ceil_mode) {
  if (k < 1 || s < 1 || pb < 0 || pe < 0) {
    Fail(op, "kernel " + std::to_string(k) + ", stride " + std::to_string(s) + ", pads " +
                 std::to_string(pb) + "/" + std::to_string(pe) + " are out of range");
  }
  const int64_t span = len + pb + pe - k;
  if (span < 0) {
    Fail(op, "a window of " + std::to_string(k) + " is larger than the padded input of " +
                 std::to_string(len + pb + pe));
  }
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= len + pb) --out;
  return out;
}

// Normalizes a possibly negative axis against `rank` ([-rank, rank] when `inclusive`).
int NormAxis(const NetOp& op, int axis, size_t rank, bool inclusive) {
  const int r = static_cast<int>(rank);
  const int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r || (a == r && !inclusive)) {
    Fail(op, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  }
  return a;
}

int64_t Prod(const std::vector<int64_t>& d, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= d[i];
  return p;
}

// Each output starts at its bias and adds x * w over its window in the order c, i, j, skipping
// the padding. The images are taken kImages at a time with the image index innermost (a
// transposed copy of the block; the missing images of the last block are zero and their sums
// dropped), so the innermost loop is a fixed-length, check-free loop over images that the
// compiler vectorizes; each image still sees the same additions in the same order.
FTensor Conv(const NetOp& op, const FTensor& x, const std::vector<int64_t>& od) {
  constexpr int64_t kImages = 16;
  const ConvParams& p = op.conv;
  const int64_t n_img = x.dims[0], c_in = x.dims[1], h = x.dims[2], wd = x.dims[3];
  const int64_t m_out = od[1], e = od[2], f = od[3];
  const int64_t cg = op.w.dims[1], r = op.w.dims[2], s = op.w.dims[3];
  const int64_t mg = m_out / p.groups;
  const int64_t image = c_in * h * wd;
  FTensor y(od);
  std::vector<float> block(static_cast<size_t>(image * kImages));  // [c][y][x][image]
  for (int64_t n0 = 0; n0 < n_img; n0 += kImages) {
    const int64_t images = std::min(kImages, n_img - n0);
    std::fill(block.begin(), block.end(), 0.0f);
    for (int64_t b = 0; b < images; ++b) {
      const float* xn = &x.data[(n0 + b) * image];
      for (int64_t i = 0; i < image; ++i) block[i * kImages + b] = xn[i];
    }
    for (int64_t m = 0; m < m_out; ++m) {
      const float* xg = &block[(m / mg) * cg * h * wd * kImages];
      const float* wm = &op.w.data[m * cg * r * s];
      const double bias = op.bias.empty() ? 0.0 : op.bias[m];
      for (int64_t oy = 0; oy < e; ++oy) {
        const int64_t y0 = oy * p.stride_h - p.pad_top;  // window rows y0 + i, 0 <= y < h
        const int64_t i_lo = std::max<int64_t>(0, -y0), i_hi = std::min(r, h - y0);
        for (int64_t ox = 0; ox < f; ++ox) {
          const int64_t x0 = ox * p.stride_w - p.pad_left;
          const int64_t j_lo = std::max<int64_t>(0, -x0), j_hi = std::min(s, wd - x0);
          double acc[kImages];
          for (int64_t b = 0; b < kImages; ++b) acc[b] = bias;
          for (int64_t c = 0; c < cg; ++c) {
            for (int64_t i = i_lo; i < i_hi; ++i) {
              const float* wp = wm + (c * r + i) * s;
              for (int64_t j = j_lo; j < j_hi; ++j) {
                const double wv = wp[j];
                const float* xv = xg + ((c * h + y0 + i) * wd + x0 + j) * kImages;
#pragma GCC unroll 1  // vectorized over b (unrolled first, GCC 12 vectorizes the loop over j)
                for (int64_t b = 0; b < kImages; ++b) acc[b] += static_cast<double>(xv[b]) * wv;
              }
            }
          }
          for (int64_t b = 0; b < images; ++b) {
            y.data[(((n0 + b) * m_out + m) * e + oy) * f + ox] = static_cast<float>(acc[b]);
          }
        }
      }
    }
  }
  return y;
}

// Four outputs at a time share the loads of x and overlap their (separate, in-order) sums.
FTensor Gemm(const NetOp& op, const FTensor& x, const std::vector<int64_t>& od) {
  const int64_t rows = x.dims[0], k = x.dims[1], m_out = od[1];
  FTensor y(od);
  auto bias = [&](int64_t m) { return op.bias.empty() ? 0.0 : static_cast<double>(op.bias[m]); };
  for (int64_t n = 0; n < rows; ++n) {
    const float* xp = &x.data[n * k];
    float* yp = &y.data[n * m_out];
    int64_t m = 0;
    for (; m + 4 <= m_out; m += 4) {
      const float* w0 = &op.w.data[m * k];
      const float* w1 = w0 + k;
      const float* w2 = w1 + k;
      const float* w3 = w2 + k;
      double a0 = bias(m), a1 = bias(m + 1), a2 = bias(m + 2), a3 = bias(m + 3);
      for (int64_t i = 0; i < k; ++i) {
        const double xv = xp[i];
        a0 += xv * w0[i];
        a1 += xv * w1[i];
        a2 += xv * w2[i];
        a3 += xv * w3[i];
      }
      yp[m] = static_cast<float>(a0);
      yp[m + 1] = static_cast<float>(a1);
      yp[m + 2] = static_cast<float>(a2);
      yp[m + 3] = static_cast<float>(a3);
    }
    for (; m < m_out; ++m) {
      const float* wp = &op.w.data[m * k];
      double acc = bias(m);
      for (int64_t i = 0; i < k; ++i) acc += static_cast<double>(xp[i]) * wp[i];
      yp[m] = static_cast<float>(acc);
    }
  }
  return y;
}

// MaxPool (padded positions never win, a NaN in a window wins) or AveragePool (the divisor
// counts the padding when count_include_pad, clipped at the end padding as ONNX and PyTorch
// do for ceil mode's last window; otherwise only the input elements).
FTensor Pool(const NetOp& op, const FTensor& x, const std::vector<int64_t>& od) {
  const PoolParams& p = op.pool;
  const bool is_max = op.kind == OpKind::kMaxPool;
  const int64_t planes = x.dims[0] * x.dims[1], h = x.dims[2], wd = x.dims[3];
  const int64_t e = od[2], f = od[3];
  FTensor y(od);
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* xp = &x.data[pl * h * wd];
    for (int64_t oy = 0; oy < e; ++oy) {
      const int64_t y0 = oy * p.stride_h - p.pad_top;
      const int64_t y1 = std::min<int64_t>(y0 + p.kernel_h, h + p.pad_bottom);
      for (int64_t ox = 0; ox < f; ++ox) {
        const int64_t x0 = ox * p.stride_w - p.pad_left;
        const int64_t x1 = std::min<int64_t>(x0 + p.kernel_w, wd + p.pad_right);
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        bool nan = false;
        for (int64_t iy = std::max<int64_t>(y0, 0); iy < std::min(y1, h); ++iy) {
          for (int64_t ix = std::max<int64_t>(x0, 0); ix < std::min(x1, wd); ++ix) {
            const float v = xp[iy * wd + ix];
            if (std::isnan(v)) nan = true;
            if (is_max) {
              acc = std::max<double>(acc, v);
            } else {
              acc += v;
            }
            ++count;
          }
        }
        float out;
        if (nan) {
          out = std::numeric_limits<float>::quiet_NaN();
        } else if (is_max) {
          out = static_cast<float>(acc);
        } else {
          const int64_t div = op.count_include_pad ? (y1 - y0) * (x1 - x0) : count;
          out = div > 0 ? static_cast<float>(acc / div) : 0.0f;
        }
        y.data[(pl * e + oy) * f + ox] = out;
      }
    }
  }
  return y;
}

FTensor GlobalAvgPool(const FTensor& x, const std::vector<int64_t>& od) {
  const int64_t planes = x.dims[0] * x.dims[1];
  const int64_t area = Prod(x.dims, 2, x.dims.size());
  FTensor y(od);
  for (int64_t pl = 0; pl < planes; ++pl) {
    double acc = 0.0;
    for (int64_t i = 0; i < area; ++i) acc += x.data[pl * area + i];
    y.data[pl] = static_cast<float>(acc / static_cast<double>(area));
  }
  return y;
}

FTensor Affine(const NetOp& op, const FTensor& x) {
  const int64_t n_img = x.dims[0], c_n = x.dims[1];
  const int64_t area = Prod(x.dims, 2, x.dims.size());
  FTensor y(x.dims);
  for (int64_t n = 0; n < n_img; ++n) {
    for (int64_t c = 0; c < c_n; ++c) {
      const double sc = op.scale[c], sh = op.shift[c];
      const int64_t base = (n * c_n + c) * area;
      for (int64_t i = 0; i < area; ++i) {
        y.data[base + i] = static_cast<float>(x.data[base + i] * sc + sh);
      }
    }
  }
  return y;
}

// Softmax over the `len` consecutive groups of `inner` elements of each of `outer` blocks
// (for one axis: outer = prod(dims[..axis-1]), len = dims[axis], inner = prod(dims[axis+1..]);
// coerced: inner = 1, len = prod(dims[axis..])). exp(x - max) in double: no overflow.
FTensor Softmax(const FTensor& x, int64_t outer, int64_t len, int64_t inner) {
  FTensor y(x.dims);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * len * inner + in;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < len; ++i) mx = std::max<double>(mx, x.data[base + i * inner]);
      double sum = 0.0;
      for (int64_t i = 0; i < len; ++i) sum += std::exp(x.data[base + i * inner] - mx);
      for (int64_t i = 0; i < len; ++i) {
        y.data[base + i * inner] =
            static_cast<float>(std::exp(x.data[base + i * inner] - mx) / sum);
      }
    }
  }
  return y;
}

}  // namespace

FTensor::FTensor(std::vector<int64_t> d, float fill)
    : dims(std::move(d)), data(static_cast<size_t>(DimsSize(dims)), fill) {}

int64_t FTensor::Size() const { return DimsSize(dims); }

std::string FTensor::ShapeString() const { return DimsString(dims); }

int64_t DimsSize(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ShapeError("shape " + DimsString(dims) + " has a negative dimension");
    if (d != 0 && p > kMaxElements / d) {
      throw ShapeError("shape " + DimsString(dims) + " has more than 2^40 elements");
    }
    p *= d;
  }
  return p;
}

std::string DimsString(const std::vector<int64_t>& dims) {
  if (dims.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += "x";
    s += std::to_string(dims[i]);
  }
  return s;
}

const char* OpKindName(OpKind k) {
  switch (k) {
    case OpKind::kConv:
      return "Conv";
    case OpKind::kGemm:
      return "Gemm";
    case OpKind::kRelu:
      return "Relu";
    case OpKind::kLeakyRelu:
      return "LeakyRelu";
    case OpKind::kMaxPool:
      return "MaxPool";
    case OpKind::kAvgPool:
      return "AveragePool";
    case OpKind::kGlobalAvgPool:
      return "GlobalAveragePool";
    case OpKind::kAffine:
      return "Affine";
    case OpKind::kFlatten:
      return "Flatten";
    case OpKind::kSoftmax:
      return "Softmax";
  }
  return "?";
}

std::vector<int64_t> NetOp::OutDims(int64_t batch) const {
  std::vector<int64_t> d = out_dims;
  if (!d.empty()) d[batch_axis] *= batch;
  return d;
}

std::vector<int64_t> Network::InputDims(int64_t batch) const {
  std::vector<int64_t> d = input_dims;
  if (!d.empty()) d[0] = batch;
  return d;
}

std::vector<int64_t> OpOutDims(const NetOp& op, const std::vector<int64_t>& in) {
  DimsSize(in);
  switch (op.kind) {
    case OpKind::kConv: {
      NeedRank(op, in, 4);
      const ConvParams& p = op.conv;
      if (op.w.dims.size() != 4) Fail(op, "weights " + DimsString(op.w.dims) + " are not 4-D");
      const int64_t m = op.w.dims[0];
      if (p.groups < 1 || in[1] % p.groups != 0 || m % p.groups != 0 ||
          op.w.dims[1] * p.groups != in[1]) {
        Fail(op, "weights " + DimsString(op.w.dims) + " with " + std::to_string(p.groups) +
                     " groups do not fit the input " + DimsString(in));
      }
      if (!op.bias.empty() && static_cast<int64_t>(op.bias.size()) != m) {
        Fail(op, std::to_string(op.bias.size()) + " biases for " + std::to_string(m) +
                     " output channels");
      }
      const int64_t e = WindowCount(op, in[2], static_cast<int>(op.w.dims[2]), p.stride_h,
                                    p.pad_top, p.pad_bottom, false);
      const int64_t f = WindowCount(op, in[3], static_cast<int>(op.w.dims[3]), p.stride_w,
                                    p.pad_left, p.pad_right, false);
      return {in[0], m, e, f};
    }
    case OpKind::kGemm: {
      NeedRank(op, in, 2);
      if (op.w.dims.size() != 2 || op.w.dims[1] != in[1]) {
        Fail(op, "weights " + DimsString(op.w.dims) + " do not fit the input " + DimsString(in));
      }
      if (!op.bias.empty() && static_cast<int64_t>(op.bias.size()) != op.w.dims[0]) {
        Fail(op, std::to_string(op.bias.size()) + " biases for " + std::to_string(op.w.dims[0]) +
                     " outputs");
      }
      return {in[0], op.w.dims[0]};
    }
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
      return in;
    case OpKind::kMaxPool:
    case OpKind::kAvgPool: {
      NeedRank(op, in, 4);
      const PoolParams& p = op.pool;
      return {in[0], in[1],
              WindowCount(op, in[2], p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom, p.ceil_mode),
              WindowCount(op, in[3], p.kernel_w, p.stride_w, p.pad_left, p.pad_right, p.ceil_mode)};
    }
    case OpKind::kGlobalAvgPool: {
      if (in.size() < 3) Fail(op, "needs an input of rank 3 or more, got " + DimsString(in));
      std::vector<int64_t> d(in.size(), 1);
      d[0] = in[0];
      d[1] = in[1];
      return d;
    }
    case OpKind::kAffine:
      if (in.size() < 2 || static_cast<int64_t>(op.scale.size()) != in[1] ||
          op.shift.size() != op.scale.size()) {
        Fail(op, std::to_string(op.scale.size()) + " channel scales and " +
                     std::to_string(op.shift.size()) + " shifts for the input " + DimsString(in));
      }
      return in;
    case OpKind::kFlatten: {
      const int a = NormAxis(op, op.axis, in.size(), true);
      return {Prod(in, 0, a), Prod(in, a, in.size())};
    }
    case OpKind::kSoftmax:
      NormAxis(op, op.axis, in.size(), false);
      return in;
  }
  Fail(op, "unknown op kind");
}

FTensor RunFloatOp(const NetOp& op, const FTensor& x) {
  if (static_cast<int64_t>(x.data.size()) != x.Size()) {
    Fail(op, "the input holds " + std::to_string(x.data.size()) + " values for the shape " +
                 x.ShapeString());
  }
  const std::vector<int64_t> od = OpOutDims(op, x.dims);
  switch (op.kind) {
    case OpKind::kConv:
      return Conv(op, x, od);
    case OpKind::kGemm:
      return Gemm(op, x, od);
    case OpKind::kRelu: {
      FTensor y = x;
      for (float& v : y.data) v = v < 0.0f ? 0.0f : v;  // NaN < 0 is false: NaN stays
      return y;
    }
    case OpKind::kLeakyRelu: {
      FTensor y = x;
      for (float& v : y.data) v = v < 0.0f ? v * op.alpha : v;
      return y;
    }
    case OpKind::kMaxPool:
    case OpKind::kAvgPool:
      return Pool(op, x, od);
    case OpKind::kGlobalAvgPool:
      return GlobalAvgPool(x, od);
    case OpKind::kAffine:
      return Affine(op, x);
    case OpKind::kFlatten: {
      FTensor y = x;
      y.dims = od;
      return y;
    }
    case OpKind::kSoftmax: {
      const int a = NormAxis(op, op.axis, x.dims.size(), false);
      const int64_t outer = Prod(x.dims, 0, a);
      if (op.softmax_coerced) return Softmax(x, outer, Prod(x.dims, a, x.dims.size()), 1);
      return Softmax(x, outer, x.dims[a], Prod(x.dims, a + 1, x.dims.size()));
    }
  }
  Fail(op, "unknown op kind");
}

FTensor RunFloat(const Network& net, const FTensor& x, std::vector<FTensor>* per_op) {
  if (x.dims.size() != net.input_dims.size() || x.dims.empty() ||
      !std::equal(x.dims.begin() + 1, x.dims.end(), net.input_dims.begin() + 1)) {
    throw ShapeError(net.name + ": the input is " + x.ShapeString() + ", the network takes " +
                     DimsString(net.InputDims(x.dims.empty() ? 1 : x.dims[0])));
  }
  if (per_op != nullptr) per_op->clear();
  FTensor cur = x;
  for (const NetOp& op : net.ops) {
    cur = RunFloatOp(op, cur);
    if (per_op != nullptr) per_op->push_back(cur);
  }
  return cur;
}

std::vector<int> ArgMaxRows(const FTensor& logits) {
  if (logits.dims.size() != 2) {
    throw ShapeError("ArgMaxRows needs N x K logits, got " + logits.ShapeString());
  }
  const int64_t rows = logits.dims[0], k = logits.dims[1];
  std::vector<int> out(static_cast<size_t>(rows), 0);
  for (int64_t n = 0; n < rows; ++n) {
    for (int64_t i = 1; i < k; ++i) {
      if (logits.data[n * k + i] > logits.data[n * k + out[n]]) out[n] = static_cast<int>(i);
    }
  }
  return out;
}

}  // namespace eyelet
