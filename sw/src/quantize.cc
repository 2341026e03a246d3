// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Lowering, calibration and quantization of an imported network (quantize.h).
#include "eyelet/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "eyelet/error.h"

namespace eyelet {

namespace {

constexpr int kPoolMax = 3;  // the pooling unit's largest window and stride (desc_codec.h)
// The largest accumulator magnitude a layer may reach with every input at its rail and its
// bias added: the 32-bit accumulator's range less a margin for the rounding of the steps.
constexpr double kAccLimit = 2147483648.0 - 65536.0;  // 2^31 - 2^16

std::string NodeLabel(const NetOp& op) { return "node '" + op.name + "' (" + op.op_type + ")"; }

// The NCHW Shape of batch-`n` dims: 4-D as is, 2-D N x K as N x K x 1 x 1.
Shape ToShape(const std::vector<int64_t>& dims, int64_t n) {
  auto at = [&](size_t i) -> int {
    const int64_t v = i < dims.size() ? dims[i] : 1;
    if (v <= 0 || v > std::numeric_limits<int>::max()) {
      throw ShapeError("dimension " + std::to_string(v) + " of " + DimsString(dims) +
                       " is out of range");
    }
    return static_cast<int>(v);
  };
  if (dims.size() != 2 && dims.size() != 4) {
    throw ShapeError("the accelerator runs 4-D (N x C x H x W) or 2-D (N x K) tensors, not " +
                     DimsString(dims));
  }
  return Shape{static_cast<int>(n), at(1), at(2), at(3)};
}

std::vector<int64_t> WithBatch(std::vector<int64_t> dims, int64_t n) {
  if (!dims.empty()) dims[0] = n;
  return dims;
}

// Factors of a window/stride k > 3 into parts of at most 3 (largest first): 4 -> {2, 2},
// 6 -> {3, 2}, 9 -> {3, 3}; empty when k has a prime factor over 3.
std::vector<int> PoolFactors(int k) {
  std::vector<int> f;
  for (int p : {3, 2}) {
    while (k % p == 0 && k > 1) {
      f.push_back(p);
      k /= p;
    }
  }
  if (k != 1) return {};
  std::sort(f.rbegin(), f.rend());
  return f;
}

// The pooling stages a MaxPool runs as: itself when the unit takes it, else non-overlapping
// windows of at most 3 whose composition is the same pooling. Throws UnsupportedError.
std::vector<PoolParams> SplitPool(const NetOp& op) {
  const PoolParams& p = op.pool;
  if (p.kernel_h <= kPoolMax && p.kernel_w <= kPoolMax && p.stride_h <= kPoolMax &&
      p.stride_w <= kPoolMax) {
    return {p};
  }
  const bool square_steps = p.kernel_h == p.stride_h && p.kernel_w == p.stride_w;
  const bool no_pad = p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
  const std::vector<int> fh = PoolFactors(p.kernel_h), fw = PoolFactors(p.kernel_w);
  if (!square_steps || !no_pad || fh.empty() || fw.empty()) {
    throw UnsupportedError(
        NodeLabel(op) + ": max pooling window " + std::to_string(p.kernel_h) + "x" +
        std::to_string(p.kernel_w) + " stride " + std::to_string(p.stride_h) + "x" +
        std::to_string(p.stride_w) +
        " is beyond the pooling unit's windows and strides of 1..3 "
        "and cannot be split into smaller ones (that needs kernel == stride, no padding and "
        "sizes whose prime factors are 2 and 3); use windows of at most 3, or a kernel equal "
        "to the stride such as 2, 4 or 6");
  }
  std::vector<PoolParams> stages;
  for (size_t i = 0; i < std::max(fh.size(), fw.size()); ++i) {
    PoolParams s;
    s.kernel_h = s.stride_h = i < fh.size() ? fh[i] : 1;
    s.kernel_w = s.stride_w = i < fw.size() ? fw[i] : 1;
    s.ceil_mode = p.ceil_mode;
    stages.push_back(s);
  }
  return stages;
}

// Pooled dims of NCHW `in` (batch 1) by `p` (ONNX MaxPool rule, as golden PoolOutputShape).
std::vector<int64_t> PooledDims(const std::vector<int64_t>& in, const PoolParams& p) {
  const Shape s = PoolOutputShape(ToShape(in, 1), p);
  return {1, s.c, s.h, s.w};
}

class Lowering {
 public:
  explicit Lowering(const Network& net) : net_(net) {
    out_.name = net.name;
    out_.input_dims = net.input_dims;
    dims_ = net.input_dims;
  }

  LoweredNet Run() {
    for (size_t i = 0; i < net_.ops.size(); ++i) Add(static_cast<int>(i));
    if (out_.steps.empty()) {
      throw UnsupportedError(net_.name +
                             ": the network has no layer for the accelerator "
                             "(no Conv, Gemm, pooling or activation); nothing to run");
    }
    return std::move(out_);
  }

 private:
  void Add(int i) {
    const NetOp& op = net_.ops[static_cast<size_t>(i)];
    if (out_.softmax) {
      throw UnsupportedError(NodeLabel(op) +
                             " follows the Softmax; Softmax runs on the host "
                             "and only as the network's last operator: move it to the end");
    }
    switch (op.kind) {
      case OpKind::kConv:
        return AddConv(i, op, op.w, op.bias, op.conv);
      case OpKind::kGemm:
        return AddFc(i, op);
      case OpKind::kAvgPool:
        return AddAvgPool(i, op);
      case OpKind::kGlobalAvgPool:
        return AddGlobalAvgPool(i, op);
      case OpKind::kAffine:
        return AddAffine(i, op);
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
        return AddActivation(i, op);
      case OpKind::kMaxPool:
        return AddMaxPool(i, op);
      case OpKind::kFlatten:
        return AddFlatten(op);
      case OpKind::kSoftmax:
        return AddSoftmax(i, op);
    }
  }

  FloatStep& NewStep(FloatStep::Kind kind, int i, const NetOp& op) {
    FloatStep s;
    s.kind = kind;
    s.name = op.name;
    s.op_types = op.op_type;
    s.ops = {i};
    s.in_dims = dims_;
    out_.steps.push_back(std::move(s));
    return out_.steps.back();
  }

  // Records op i as joined to the last step.
  void Join(int i, const NetOp& op) {
    FloatStep& s = out_.steps.back();
    s.name += "+" + op.name;
    s.op_types += "+" + op.op_type;
    s.ops.push_back(i);
  }

  void Need4d(const NetOp& op) const {
    if (dims_.size() != 4) {
      throw UnsupportedError(NodeLabel(op) + ": input " + DimsString(dims_) +
                             " is not 4-D "
                             "(N x C x H x W); the array runs it on feature maps only");
    }
  }

  void AddConv(int i, const NetOp& op, const FTensor& w, const std::vector<float>& bias,
               const ConvParams& conv) {
    Need4d(op);
    FloatStep& s = NewStep(FloatStep::kConv, i, op);
    s.w = w;
    s.bias = bias;
    s.conv = conv;
    dims_ = op.out_dims;
    s.out_dims = dims_;
  }

  void AddFc(int i, const NetOp& op) {
    if (dims_.size() != 2) {
      throw UnsupportedError(NodeLabel(op) + ": input " + DimsString(dims_) +
                             " is not 2-D; "
                             "flatten the feature maps (Flatten or Reshape to N x K) first");
    }
    FloatStep& s = NewStep(FloatStep::kFc, i, op);
    s.w = op.w;
    s.bias = op.bias;
    dims_ = op.out_dims;
    s.out_dims = dims_;
  }

  // A depthwise CONV of C filters k_h x k_w, every tap `value`.
  static FTensor ConstantDepthwise(int64_t c, int64_t kh, int64_t kw, float value) {
    return FTensor({c, 1, kh, kw}, value);
  }

  void AddAvgPool(int i, const NetOp& op) {
    Need4d(op);
    const PoolParams& p = op.pool;
    const bool padded = p.pad_top || p.pad_left || p.pad_bottom || p.pad_right;
    if (padded && !op.count_include_pad) {
      throw UnsupportedError(NodeLabel(op) +
                             ": count_include_pad = 0 with padding divides the "
                             "edge windows by fewer elements, which a constant-weight "
                             "convolution cannot; export with count_include_pad=1 or no padding");
    }
    ConvParams conv;
    conv.stride_h = p.stride_h;
    conv.stride_w = p.stride_w;
    conv.pad_top = p.pad_top;
    conv.pad_left = p.pad_left;
    conv.pad_bottom = p.pad_bottom;
    conv.pad_right = p.pad_right;
    conv.groups = static_cast<int>(dims_[1]);
    const FTensor w = ConstantDepthwise(dims_[1], p.kernel_h, p.kernel_w,
                                        1.0f / static_cast<float>(p.kernel_h * p.kernel_w));
    const Shape conv_out = ConvOutputShape(ToShape(dims_, 1), ToShape(w.dims, w.dims[0]), conv);
    if (conv_out.h != op.out_dims[2] || conv_out.w != op.out_dims[3]) {
      throw UnsupportedError(NodeLabel(op) +
                             ": ceil_mode adds partial windows at the bottom or "
                             "right edge, which ONNX averages over fewer elements; a "
                             "constant-weight convolution cannot; export with ceil_mode=0");
    }
    AddConv(i, op, w, {}, conv);
  }

  void AddGlobalAvgPool(int i, const NetOp& op) {
    Need4d(op);
    ConvParams conv;
    conv.groups = static_cast<int>(dims_[1]);
    AddConv(i, op,
            ConstantDepthwise(dims_[1], dims_[2], dims_[3],
                              1.0f / static_cast<float>(dims_[2] * dims_[3])),
            {}, conv);
  }

  // True when the last step can still absorb a linear per-channel op or an activation.
  bool LastIsOpenConv() const {
    if (out_.steps.empty()) return false;
    const FloatStep& s = out_.steps.back();
    return s.kind != FloatStep::kPool && !s.relu && !s.leaky && !s.pool && dims_ == s.out_dims;
  }

  void AddAffine(int i, const NetOp& op) {
    const int64_t c = dims_.size() >= 2 ? dims_[1] : 0;
    if (static_cast<int64_t>(op.scale.size()) != c || static_cast<int64_t>(op.shift.size()) != c) {
      throw UnsupportedError(NodeLabel(op) + ": per-channel scale/shift of " +
                             std::to_string(op.scale.size()) + " values on input " +
                             DimsString(dims_) + "; they must have one value per channel");
    }
    if (LastIsOpenConv()) {  // fold: w[m] *= scale[m], b[m] = b[m]*scale[m] + shift[m]
      FloatStep& s = out_.steps.back();
      const int64_t per = s.w.Size() / c;
      for (int64_t m = 0; m < c; ++m) {
        for (int64_t k = 0; k < per; ++k) s.w.data[static_cast<size_t>(m * per + k)] *= op.scale[m];
      }
      if (s.bias.empty()) s.bias.assign(static_cast<size_t>(c), 0.0f);
      for (int64_t m = 0; m < c; ++m) {
        s.bias[m] = s.bias[m] * op.scale[m] + op.shift[m];
      }
      Join(i, op);
      return;
    }
    // Its own step: a grouped 1 x 1 CONV with weight scale[c] and bias shift[c].
    FTensor w({c, 1, 1, 1});
    std::copy(op.scale.begin(), op.scale.end(), w.data.begin());
    AddChannelwise(i, op, w, op.shift);
  }

  // A step of one 1 x 1 filter per channel (groups = C): a per-channel affine op, or the
  // identity (weight 1) for an activation with no step to join. A 2-D N x K input runs as
  // N x K x 1 x 1 and stays N x K for an FC after it (the same bytes).
  void AddChannelwise(int i, const NetOp& op, const FTensor& w, const std::vector<float>& bias) {
    const std::vector<int64_t> in = dims_;
    const int64_t c = dims_.size() >= 2 ? dims_[1] : 0;
    if (dims_.size() == 2) dims_ = {1, c, 1, 1};
    Need4d(op);
    ConvParams conv;
    conv.groups = static_cast<int>(c);
    NetOp as_conv = op;
    as_conv.out_dims = dims_;
    AddConv(i, as_conv, w, bias, conv);
    if (in.size() == 2) {
      dims_ = in;
      out_.steps.back().in_dims = in;
      out_.steps.back().out_dims = in;
    }
  }

  void AddActivation(int i, const NetOp& op) {
    const bool can_join = !out_.steps.empty() && out_.steps.back().kind != FloatStep::kPool &&
                          !out_.steps.back().relu && !out_.steps.back().leaky;
    if (can_join) {
      Join(i, op);
    } else {
      const int64_t c = dims_.size() >= 2 ? dims_[1] : 0;
      AddChannelwise(i, op, FTensor({c, 1, 1, 1}, 1.0f), {});
    }
    FloatStep& s = out_.steps.back();
    if (op.kind == OpKind::kRelu) {
      s.relu = true;
    } else {
      if (!(std::fabs(op.alpha) < 2.0f)) {
        throw UnsupportedError(NodeLabel(op) + ": alpha = " + std::to_string(op.alpha) +
                               " is outside (-2, 2), the output path's leaky slope range");
      }
      s.leaky = true;
      s.alpha = op.alpha;
    }
  }

  void AddMaxPool(int i, const NetOp& op) {
    Need4d(op);
    const std::vector<PoolParams> stages = SplitPool(op);
    for (size_t k = 0; k < stages.size(); ++k) {
      const bool can_join = !out_.steps.empty() && out_.steps.back().kind == FloatStep::kConv &&
                            !out_.steps.back().pool && out_.steps.back().out_dims == dims_;
      if (can_join) {
        Join(i, op);
        FloatStep& s = out_.steps.back();
        s.pool = true;
        s.pool_params = stages[k];
        dims_ = PooledDims(dims_, stages[k]);
        s.out_dims = dims_;
      } else {
        FloatStep& s = NewStep(FloatStep::kPool, i, op);
        if (k > 0) s.name += "#" + std::to_string(k);
        s.pool = true;
        s.pool_params = stages[k];
        dims_ = PooledDims(dims_, stages[k]);
        s.out_dims = dims_;
      }
    }
    if (dims_ != op.out_dims) {
      throw UnsupportedError(NodeLabel(op) + ": the pooling stages give " + DimsString(dims_) +
                             " where the model says " + DimsString(op.out_dims));
    }
  }

  void AddFlatten(const NetOp& op) {
    if (op.axis != 1) {
      throw UnsupportedError(NodeLabel(op) + ": axis " + std::to_string(op.axis) +
                             " mixes the batch with the features; only axis 1 (N x K) runs "
                             "before an FC layer");
    }
    dims_ = op.out_dims;
  }

  void AddSoftmax(int i, const NetOp& op) {
    if (static_cast<size_t>(i) + 1 != net_.ops.size()) {
      throw UnsupportedError(NodeLabel(op) +
                             ": Softmax runs on the host and only as the "
                             "network's last operator");
    }
    const int rank = static_cast<int>(dims_.size());
    const int axis = op.axis < 0 ? op.axis + rank : op.axis;
    if (rank != 2 || axis != 1) {
      throw UnsupportedError(NodeLabel(op) + ": Softmax over axis " + std::to_string(op.axis) +
                             " of " + DimsString(dims_) +
                             "; the host applies it to the N x K "
                             "class scores only (axis 1 of a 2-D output)");
    }
    out_.softmax = true;
    out_.softmax_axis = 1;
  }

  const Network& net_;
  LoweredNet out_;
  std::vector<int64_t> dims_;  // the current tensor, batch 1
};

// A NetOp that runs step `s`'s main operation in float (network.h's reference).
NetOp MainOp(const FloatStep& s) {
  NetOp op;
  op.name = s.name;
  op.op_type = s.op_types;
  if (s.kind == FloatStep::kConv) {
    op.kind = OpKind::kConv;
    op.w = s.w;
    op.bias = s.bias;
    op.conv = s.conv;
  } else if (s.kind == FloatStep::kFc) {
    op.kind = OpKind::kGemm;
    op.w = s.w;
    op.bias = s.bias;
  } else {
    op.kind = OpKind::kMaxPool;
    op.pool = s.pool_params;
  }
  return op;
}

FTensor Reshaped(FTensor t, const std::vector<int64_t>& dims) {
  t.dims = dims;
  return t;
}

// q = round half away from zero, saturated to [-2^(bits-1), 2^(bits-1) - 1].
int32_t QuantizeValue(double x, double scale, int bits) {
  const double lim = std::ldexp(1.0, bits - 1);
  const double r = std::round(x / scale);
  return static_cast<int32_t>(std::clamp(r, -lim, lim - 1));
}

double ScaleOf(double range, int bits) {
  const double qmax = std::ldexp(1.0, bits - 1) - 1;
  return range > 0 && std::isfinite(range) ? range / qmax : 1.0;
}

// real multiplier `m` > 0 as mult * 2^-shift, mult in [2^29, 2^30), shift in [0, 62].
void FitRequant(double m, const std::string& where, int32_t* mult, int* shift) {
  if (!(m > 0) || !std::isfinite(m)) {
    throw UnsupportedError(where + ": requantization multiplier " + std::to_string(m) +
                           " is not a positive number");
  }
  int e = 0;
  std::frexp(m, &e);  // m = f * 2^e, f in [0.5, 1)
  int s = 30 - e;
  if (s < 0) {
    throw UnsupportedError(where + ": requantization multiplier " + std::to_string(m) +
                           " is over 2^30, beyond the output path's int32 multiplier; the "
                           "activation ranges are inconsistent (recalibrate)");
  }
  s = std::min(s, 62);
  int64_t q = std::llround(std::ldexp(m, s));
  if (q >= (int64_t{1} << 30)) {  // rounding reached 2^30
    q >>= 1;
    s -= 1;
  }
  *mult = static_cast<int32_t>(q);
  *shift = s;
}

}  // namespace

LoweredNet LowerNetwork(const Network& net) { return Lowering(net).Run(); }

std::vector<FTensor> RunSteps(const LoweredNet& net, const FTensor& x) {
  std::vector<FTensor> outs;
  FTensor cur = x;
  const int64_t n = x.dims.empty() ? 0 : x.dims[0];
  if (WithBatch(net.input_dims, n) != x.dims) {
    throw ShapeError("input " + x.ShapeString() + " does not have the network's input shape " +
                     DimsString(WithBatch(net.input_dims, -1)).replace(0, 2, "N"));
  }
  for (const FloatStep& s : net.steps) {
    cur = RunFloatOp(MainOp(s), Reshaped(std::move(cur), WithBatch(s.in_dims, n)));
    if (s.kind != FloatStep::kPool) {
      if (s.relu) {
        NetOp r;
        r.kind = OpKind::kRelu;
        cur = RunFloatOp(r, cur);
      }
      if (s.leaky) {
        NetOp r;
        r.kind = OpKind::kLeakyRelu;
        r.alpha = s.alpha;
        cur = RunFloatOp(r, cur);
      }
      if (s.pool) {
        NetOp p;
        p.kind = OpKind::kMaxPool;
        p.pool = s.pool_params;
        cur = RunFloatOp(p, cur);
      }
    }
    cur = Reshaped(std::move(cur), WithBatch(s.out_dims, n));
    outs.push_back(cur);
  }
  return outs;
}

CalibOptions DefaultCalib(int bits) {
  CalibOptions o;
  if (bits >= 16) o.method = CalibMethod::kMax;
  return o;
}

CalibMethod ParseCalibMethod(const std::string& name) {
  if (name == "max") return CalibMethod::kMax;
  if (name == "percentile") return CalibMethod::kPercentile;
  throw UsageError("calibration method '" + name + "' is not one of: max, percentile");
}

const char* CalibMethodName(CalibMethod m) { return m == CalibMethod::kMax ? "max" : "percentile"; }

std::vector<double> Calibrate(const LoweredNet& net, const FTensor& images,
                              const CalibOptions& options) {
  if (images.dims.empty() || images.dims[0] <= 0) {
    throw ShapeError("calibration: no images");
  }
  const int64_t total = images.dims[0];
  const int64_t per_image = images.Size() / total;
  constexpr int64_t kBatch = 64;
  const size_t tensors = net.steps.size() + 1;
  // Batches of images: the input and each step's output, |x| of every element.
  auto for_each_batch = [&](auto&& visit) {
    for (int64_t b = 0; b < total; b += kBatch) {
      const int64_t nb = std::min(kBatch, total - b);
      FTensor x(WithBatch(images.dims, nb));
      std::copy_n(images.data.begin() + b * per_image, nb * per_image, x.data.begin());
      const std::vector<FTensor> outs = RunSteps(net, x);
      visit(0, x);
      for (size_t i = 0; i < outs.size(); ++i) visit(i + 1, outs[i]);
    }
  };
  std::vector<double> max(tensors, 0.0);
  for_each_batch([&](size_t i, const FTensor& t) {
    for (float v : t.data) max[i] = std::max(max[i], static_cast<double>(std::fabs(v)));
  });
  if (options.method == CalibMethod::kMax) return max;
  if (!(options.percentile > 0 && options.percentile <= 100)) {
    throw UsageError("calibration percentile " + std::to_string(options.percentile) +
                     " is outside (0, 100]");
  }
  // Percentile of |x| from a fine histogram over [0, max] per tensor.
  constexpr int kBins = 1 << 14;
  std::vector<std::vector<int64_t>> hist(tensors, std::vector<int64_t>(kBins, 0));
  std::vector<int64_t> count(tensors, 0);
  for_each_batch([&](size_t i, const FTensor& t) {
    if (max[i] <= 0) return;
    const double inv = kBins / max[i];
    for (float v : t.data) {
      const int bin = std::min(kBins - 1, static_cast<int>(std::fabs(v) * inv));
      ++hist[i][static_cast<size_t>(bin)];
    }
    count[i] += static_cast<int64_t>(t.data.size());
  });
  std::vector<double> range(tensors, 0.0);
  for (size_t i = 0; i < tensors; ++i) {
    if (max[i] <= 0) continue;
    const double want = options.percentile / 100.0 * static_cast<double>(count[i]);
    int64_t seen = 0;
    int bin = 0;
    for (; bin < kBins; ++bin) {
      seen += hist[i][static_cast<size_t>(bin)];
      if (static_cast<double>(seen) >= want) break;
    }
    range[i] = std::min(max[i], (bin + 1) * max[i] / kBins);
  }
  return range;
}

QuantNet Quantize(const LoweredNet& net, const std::vector<double>& ranges, int bits,
                  const CalibOptions& calib) {
  if (bits != 8 && bits != 16) {
    throw UnsupportedError("quantization to " + std::to_string(bits) + " bits; give 8 or 16");
  }
  if (ranges.size() != net.steps.size() + 1) {
    throw ShapeError("quantization: " + std::to_string(ranges.size()) +
                     " activation ranges "
                     "for " +
                     std::to_string(net.steps.size()) + " steps (need steps + 1)");
  }
  QuantNet q;
  q.name = net.name;
  q.bits = bits;
  q.calib = calib;
  q.input_dims = net.input_dims;
  q.softmax = net.softmax;
  q.softmax_axis = net.softmax_axis;
  q.input_scale = ScaleOf(ranges[0], bits);
  const double qmax = std::ldexp(1.0, bits - 1) - 1;
  double s_in = q.input_scale;
  for (size_t i = 0; i < net.steps.size(); ++i) {
    const FloatStep& f = net.steps[i];
    QuantStep s;
    s.kind = f.kind;
    s.name = f.name;
    s.op_types = f.op_types;
    s.in_dims = f.in_dims;
    s.out_dims = f.out_dims;
    s.conv = f.conv;
    s.in_scale = s_in;
    const std::string where = "layer '" + f.name + "'";
    if (f.kind == FloatStep::kPool) {  // max pooling keeps the scale
      s.path = PoolOutputPath(f.pool_params);
      s.out_scale = s_in;
      s.acc_scale = {s_in};
      q.steps.push_back(std::move(s));
      continue;
    }
    const int64_t m_count = f.w.dims.at(0);
    const int64_t per = f.w.Size() / m_count;
    const Shape wshape = f.kind == FloatStep::kFc
                             ? Shape{static_cast<int>(m_count), static_cast<int>(per), 1, 1}
                             : ToShape(f.w.dims, m_count);
    s.w = Tensor<int16_t>(wshape);
    s.acc_scale.resize(static_cast<size_t>(m_count));
    const bool last = i + 1 == net.steps.size();
    const bool keep_acc = last && !f.relu && !f.leaky && !f.pool;
    const double s_out = keep_acc ? 0.0 : ScaleOf(ranges[i + 1], bits);
    if (!keep_acc) {
      s.path.requant.mult.resize(static_cast<size_t>(m_count));
      s.path.requant.shift.resize(static_cast<size_t>(m_count));
    }
    if (!f.bias.empty()) s.path.bias.resize(static_cast<size_t>(m_count));
    for (int64_t m = 0; m < m_count; ++m) {
      double wmax = 0;
      for (int64_t k = 0; k < per; ++k) {
        wmax = std::max(wmax, static_cast<double>(std::fabs(f.w.data[m * per + k])));
      }
      // Weight steps: the full `bits` unless the worst-case accumulator (every input at the
      // rail, plus the bias) would pass kAccLimit; then fewer, per channel (16-bit activations).
      double l1 = 0;
      for (int64_t k = 0; k < per; ++k) l1 += std::fabs(f.w.data[m * per + k]);
      const double in_rail = std::ldexp(1.0, bits - 1);
      const double b_acc = f.bias.empty() ? 0.0 : std::fabs(f.bias[m]) / s_in;  // x w_rail/wmax
      const double w_rail =
          wmax > 0 ? std::min(qmax, std::floor(kAccLimit * wmax / (in_rail * l1 + b_acc))) : qmax;
      if (w_rail < 1) {
        throw UnsupportedError(where + ": channel " + std::to_string(m) + "'s " +
                               std::to_string(per) +
                               " weights cannot be quantized so that its "
                               "accumulator stays within 32 bits at " +
                               std::to_string(bits) + "-bit activations; use --bits 8");
      }
      const double s_w = wmax > 0 ? wmax / w_rail : 1.0;
      for (int64_t k = 0; k < per; ++k) {
        s.w.data()[static_cast<size_t>(m * per + k)] =
            static_cast<int16_t>(QuantizeValue(f.w.data[m * per + k], s_w, bits));
      }
      const double acc_scale = s_in * s_w;
      s.acc_scale[m] = acc_scale;
      if (!f.bias.empty()) {
        const double b = std::round(f.bias[m] / acc_scale);
        if (!(std::fabs(b) < 2147483647.0)) {
          throw UnsupportedError(where + ": bias " + std::to_string(f.bias[m]) + " of channel " +
                                 std::to_string(m) +
                                 " does not fit the 32-bit accumulator at "
                                 "scale " +
                                 std::to_string(acc_scale));
        }
        s.path.bias[m] = static_cast<int32_t>(b);
      }
      if (!keep_acc) {
        FitRequant(acc_scale / s_out, where, &s.path.requant.mult[m], &s.path.requant.shift[m]);
      }
    }
    s.out_scale = s_out;
    s.path.relu = f.relu;
    if (f.leaky) {
      s.path.leaky = true;
      s.path.leaky_shift = 14;
      s.path.leaky_mult = static_cast<int16_t>(std::lround(std::ldexp(f.alpha, 14)));
    }
    s.path.pool = f.pool;
    s.path.pool_params = f.pool_params;
    q.steps.push_back(std::move(s));
    s_in = s_out;
  }
  return q;
}

Tensor<int16_t> QuantizeInput(const QuantNet& net, const FTensor& images) {
  const int64_t n = images.dims.empty() ? 0 : images.dims[0];
  if (n <= 0 || WithBatch(net.input_dims, n) != images.dims) {
    throw ShapeError("input " + images.ShapeString() +
                     " does not have the network's input "
                     "shape " +
                     DimsString(WithBatch(net.input_dims, -1)).replace(0, 2, "N"));
  }
  Tensor<int16_t> x(ToShape(images.dims, n));
  for (size_t i = 0; i < images.data.size(); ++i) {
    if (std::isnan(images.data[i])) {
      throw ShapeError("input element " + std::to_string(i) + " is NaN");
    }
    x.data()[i] = static_cast<int16_t>(QuantizeValue(images.data[i], net.input_scale, net.bits));
  }
  return x;
}

FTensor DequantizeOutput(const QuantNet& net, const Tensor<int32_t>& y) {
  const QuantStep& last = net.steps.back();
  const Shape& s = y.shape();
  FTensor out(WithBatch(last.out_dims, s.n));
  if (out.Size() != y.size()) {
    throw ShapeError("output " + s.ToString() + " does not have the last layer's shape " +
                     DimsString(WithBatch(last.out_dims, s.n)));
  }
  const int64_t plane = int64_t{s.h} * s.w;
  for (int64_t i = 0; i < y.size(); ++i) {
    const int64_t c = (i / plane) % s.c;
    const double scale = last.Requantizes() ? last.out_scale : last.acc_scale[c];
    out.data[i] = static_cast<float>(y.data()[i] * scale);
  }
  if (net.softmax) {
    NetOp sm;
    sm.kind = OpKind::kSoftmax;
    sm.axis = net.softmax_axis;
    out = RunFloatOp(sm, out);
  }
  return out;
}

std::vector<Tensor<int32_t>> RunGolden(const QuantNet& net, const Tensor<int16_t>& x) {
  std::vector<Tensor<int32_t>> outs;
  Tensor<int16_t> cur = x;
  for (size_t i = 0; i < net.steps.size(); ++i) {
    const QuantStep& s = net.steps[i];
    Tensor<int32_t> y;
    if (s.kind == FloatStep::kPool) {
      const Tensor<int16_t> p = MaxPool(cur, s.path.pool_params);
      y = Tensor<int32_t>(p.shape());
      std::copy(p.data().begin(), p.data().end(), y.data().begin());
    } else {
      const Tensor<int32_t> acc =
          s.kind == FloatStep::kFc ? FcAcc(cur, s.w) : ConvAcc(cur, s.w, s.conv);
      y = ApplyOutputPath(acc, s.path);
    }
    if (i + 1 < net.steps.size()) {
      if (!s.Requantizes()) {
        throw UnsupportedError("layer '" + s.name + "' keeps int32 accumulators but is not last");
      }
      cur = Tensor<int16_t>(y.shape());
      std::copy(y.data().begin(), y.data().end(), cur.data().begin());
    }
    outs.push_back(std::move(y));
  }
  return outs;
}

}  // namespace eyelet
