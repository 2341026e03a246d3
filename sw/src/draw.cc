// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/draw.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <numeric>

#include "eyelet/desc_codec.h"
#include "eyelet/error.h"

namespace eyelet {
namespace {

// Bounds on the shapes DrawConvShapes and DrawPoolShapes draw.
struct DrawBounds {
  int channels;  // C and M
  int size;      // H and W
  int kernel;    // R and S
};
constexpr int kMaxDrawnKernel = 5;
constexpr DrawBounds kConvDraw{8, 16, kMaxDrawnKernel};
constexpr DrawBounds kPoolDraw{8, 16, 3};  // the hardware pools windows of 1..3

// FC shapes DrawFcShapes draws: half of them flat (N x K x 1 x 1), half C x H x W (both run as
// K channels of 1 x 1: K stays within the channel field at these sizes).
struct FcDrawBounds {
  int batch;
  int features;  // K of a flat input
  int channels;  // C of a C x H x W input
  int size;      // its H and W
  int outputs;   // M
};
constexpr FcDrawBounds kFcDraw{8, 300, 8, 6, 32};

constexpr int kSweepMaxKernel = 11;  // S <= 11 fits the ifmap spad with q = 1
constexpr int kSweepAttempts = 200;
constexpr int kSweepFcMaxBatch = 8;
constexpr int kSweepFcMaxFeatures = 2000;  // K; the mapper takes 1 to 3 s at this size
constexpr int kSweepFcMaxOutputs = 64;     // M
constexpr int kSweepPoolMaxImages = 3;     // POOL layers: N 1..3, C 1..6, H, W 1..16
constexpr int kSweepPoolMaxChannels = 6;
constexpr int kSweepPoolMaxSize = 16;
constexpr double kSweepPostPoolChance = 1.0 / 3;  // of a requantizing path
constexpr uint64_t kSweepPathStream = 0x9057'0000'0000ull;

constexpr double kPeZeroFraction = 0.3;

int64_t DataMin(int bits) { return -(int64_t{1} << (bits - 1)); }
int64_t DataMax(int bits) { return (int64_t{1} << (bits - 1)) - 1; }

// A dimension known from a file, checked against the same dimension given as a field.
int FromFile(const std::optional<int>& flag, int file_value, const std::string& what,
             const std::string& path) {
  if (flag && *flag != file_value) {
    throw ShapeError(path + " has " + what + " = " + std::to_string(file_value) +
                     " but the command line asks for " + std::to_string(*flag) +
                     "; drop the flag or use a matching file");
  }
  return file_value;
}

// A random divisor of n greater than 1, or 1 when n has none.
int RandomDivisor(int n, Rng& rng) {
  std::vector<int> divisors;
  for (int d = 2; d <= n; ++d) {
    if (n % d == 0) divisors.push_back(d);
  }
  if (divisors.empty()) return 1;
  return divisors[static_cast<size_t>(rng.UniformInt(0, static_cast<int>(divisors.size()) - 1))];
}

// Upper bound for a drawn kernel: at most `max_kernel` and no larger than the padded input
// when that is known.
int KernelBound(const std::optional<int>& size, const std::optional<int>& pad, int max_kernel) {
  int hi = max_kernel;
  if (size) hi = std::min(hi, *size + 2 * pad.value_or(0));
  return std::max(1, hi);
}

}  // namespace

uint64_t JobSeed(uint64_t seed, int index) {
  Rng mix(seed);
  return mix.Next() ^ (static_cast<uint64_t>(index) * 0xd1342543de82ef95ull);
}

Tensor<int16_t> RandomData(const Shape& shape, int data_bits, Rng& rng) {
  Tensor<int16_t> t(shape);
  for (int16_t& v : t.data()) {
    v = static_cast<int16_t>(rng.Uniform(DataMin(data_bits), DataMax(data_bits)));
  }
  return t;
}

Tensor<int16_t> RandomSparseData(const Shape& shape, int data_bits, double zero_fraction,
                                 Rng& rng) {
  Tensor<int16_t> t(shape);
  for (int16_t& v : t.data()) {
    v = rng.Chance(zero_fraction)
            ? 0
            : static_cast<int16_t>(rng.Uniform(DataMin(data_bits), DataMax(data_bits)));
  }
  return t;
}

// With a pooling, drawn heights and widths give outputs the pooling window fits (floor mode).
ConvShapes DrawConvShapes(const LayerSpec& o, const Tensor<int16_t>* x, const Tensor<int16_t>* w,
                          Rng& rng) {
  const DrawBounds& bounds = kConvDraw;
  std::optional<int> n = o.batch, c = o.in_channels, m = o.out_channels, h = o.height, wd = o.width,
                     r = o.kernel_h, s = o.kernel_w, cpg;
  if (x != nullptr) {
    const Shape& xs = x->shape();
    n = FromFile(o.batch, xs.n, "batch N", o.input_path);
    c = FromFile(o.in_channels, xs.c, "input channels C", o.input_path);
    h = FromFile(o.height, xs.h, "height H", o.input_path);
    wd = FromFile(o.width, xs.w, "width W", o.input_path);
  }
  if (w != nullptr) {
    const Shape& ws = w->shape();
    m = FromFile(o.out_channels, ws.n, "output channels M", o.weights_path);
    r = FromFile(o.kernel_h, ws.h, "kernel height R", o.weights_path);
    s = FromFile(o.kernel_w, ws.w, "kernel width S", o.weights_path);
    cpg = ws.c;
  }

  ConvShapes setup;
  const int batch = n ? *n : rng.UniformInt(1, 2);
  int groups;
  int channels;
  if (cpg) {  // the weights fix C/G
    if (c) {
      channels = *c;
      if (channels % *cpg != 0) {
        throw ShapeError("conv: input channels C=" + std::to_string(channels) +
                         " are not a multiple of the weights' C/groups=" + std::to_string(*cpg) +
                         "; weights must be M x C/groups x R x S");
      }
      groups = channels / *cpg;
      if (o.groups && *o.groups != groups) {
        throw ShapeError("conv: --groups " + std::to_string(*o.groups) +
                         " does not match C=" + std::to_string(channels) + " with " +
                         o.weights_path + " holding C/" + "groups=" + std::to_string(*cpg) +
                         " (that is groups=" + std::to_string(groups) + ")");
      }
    } else {
      groups = o.groups.value_or(1);
      channels = groups * *cpg;
    }
  } else {
    if (c) {
      channels = *c;
    } else if (o.groups) {
      channels = *o.groups * rng.UniformInt(1, std::max(1, bounds.channels / *o.groups));
    } else {
      channels = rng.UniformInt(1, bounds.channels);
    }
    if (o.groups) {
      groups = *o.groups;
    } else {
      groups = rng.Chance(0.25) ? RandomDivisor(std::gcd(channels, m.value_or(channels)), rng) : 1;
    }
  }
  const int out_channels =
      m ? *m : groups * rng.UniformInt(1, std::max(1, bounds.channels / groups));
  const int kernel_h = r ? *r : rng.UniformInt(1, KernelBound(h, o.pad, bounds.kernel));
  int kernel_w;
  if (s) {
    kernel_w = *s;
  } else if (!r) {  // square when both are drawn
    kernel_w = std::min(kernel_h, KernelBound(wd, o.pad, bounds.kernel));
  } else {
    kernel_w = rng.UniformInt(1, KernelBound(wd, o.pad, bounds.kernel));
  }
  const int pad = o.pad ? *o.pad : rng.UniformInt(0, std::min(kernel_h, kernel_w) / 2);
  const int stride = o.stride ? *o.stride : rng.UniformInt(1, 3);
  // The fewest output rows and columns the pooling needs (1 without one): a drawn input is
  // at least (out - 1) * stride + kernel - 2 * pad.
  const PoolParams& pp = o.pool_params;
  const int out_h = o.pool ? std::max(1, pp.kernel_h - pp.pad_top - pp.pad_bottom) : 1;
  const int out_w = o.pool ? std::max(1, pp.kernel_w - pp.pad_left - pp.pad_right) : 1;
  const int height =
      h ? *h : rng.UniformInt(std::max(1, (out_h - 1) * stride + kernel_h - 2 * pad), bounds.size);
  const int width =
      wd ? *wd
         : rng.UniformInt(std::max(1, (out_w - 1) * stride + kernel_w - 2 * pad), bounds.size);

  setup.x = Shape{batch, channels, height, width};
  setup.w = Shape{out_channels, std::max(1, channels / groups), kernel_h, kernel_w};
  if (channels % groups != 0) setup.w.c = 0;  // let ConvOutputShape report the groups error
  setup.params.stride_h = setup.params.stride_w = stride;
  setup.params.pad_top = setup.params.pad_left = setup.params.pad_bottom = setup.params.pad_right =
      pad;
  setup.params.groups = groups;
  return setup;
}

FcShapes DrawFcShapes(const LayerSpec& o, const Tensor<int16_t>* x_file,
                      const Tensor<int16_t>* w_file, Rng& rng) {
  std::optional<int> n = o.batch, c = o.in_channels, h = o.height, wd = o.width, m = o.out_channels;
  std::optional<int64_t> k;
  if (x_file) {
    const Shape& xs = x_file->shape();
    n = FromFile(o.batch, xs.n, "batch N", o.input_path);
    c = FromFile(o.in_channels, xs.c, "input channels C", o.input_path);
    h = FromFile(o.height, xs.h, "height H", o.input_path);
    wd = FromFile(o.width, xs.w, "width W", o.input_path);
  }
  if (w_file) {
    const Shape& ws = w_file->shape();
    m = FromFile(o.out_channels, ws.n, "output channels M", o.weights_path);
    k = int64_t{ws.c} * ws.h * ws.w;
  }
  const int batch = n ? *n : rng.UniformInt(1, kFcDraw.batch);
  FcShapes setup;
  if (k && !c && !h && !wd) {
    if (*k > INT_MAX) throw ShapeError("fc: K = " + std::to_string(*k) + " is too large");
    setup.x = Shape{batch, static_cast<int>(*k), 1, 1};
  } else if (k) {
    setup.x = Shape{batch, c.value_or(1), h.value_or(1), wd.value_or(1)};
  } else if (!c && !h && !wd && rng.Chance(0.5)) {
    setup.x = Shape{batch, rng.UniformInt(1, kFcDraw.features), 1, 1};
  } else {
    setup.x =
        Shape{batch, c ? *c : rng.UniformInt(1, kFcDraw.channels),
              h ? *h : rng.UniformInt(1, kFcDraw.size), wd ? *wd : rng.UniformInt(1, kFcDraw.size)};
  }
  const int64_t features = int64_t{setup.x.c} * setup.x.h * setup.x.w;
  if (features > INT_MAX) {
    throw ShapeError("fc: K = C*H*W = " + std::to_string(features) + " is too large");
  }
  const int out_channels = m ? *m : rng.UniformInt(1, kFcDraw.outputs);
  setup.w = w_file ? w_file->shape() : Shape{out_channels, 1, 1, static_cast<int>(features)};
  return setup;
}

PoolShapes DrawPoolShapes(const LayerSpec& o, const Tensor<int16_t>* x_file, Rng& rng) {
  const DrawBounds& bounds = kPoolDraw;
  std::optional<int> n = o.batch, c = o.in_channels, h = o.height, wd = o.width;
  if (x_file) {
    const Shape& xs = x_file->shape();
    n = FromFile(o.batch, xs.n, "batch N", o.input_path);
    c = FromFile(o.in_channels, xs.c, "input channels C", o.input_path);
    h = FromFile(o.height, xs.h, "height H", o.input_path);
    wd = FromFile(o.width, xs.w, "width W", o.input_path);
  }
  const int batch = n ? *n : rng.UniformInt(1, 2);
  const int channels = c ? *c : rng.UniformInt(1, bounds.channels);
  PoolParams p;
  if (o.pool) {  // a whole pooling given: nothing of it is drawn
    p = o.pool_params;
  } else {
    // A pooling window must cover at least one input element, so it is larger than the pad;
    // drawn windows are at least 2 x 2 (1 x 1 would only subsample) where the input allows.
    const int min_kernel = o.pad ? *o.pad + 1 : 1;
    const int min_drawn = std::max(min_kernel, 2);
    // Draws a window size in [min_drawn, bound], or [min_kernel, bound] if the input is small.
    auto draw_window = [&](int bound) {
      return rng.UniformInt(bound >= min_drawn ? min_drawn : min_kernel,
                            std::max(min_kernel, bound));
    };
    p.kernel_h = o.kernel_h ? *o.kernel_h : draw_window(KernelBound(h, o.pad, bounds.kernel));
    if (o.kernel_w) {
      p.kernel_w = *o.kernel_w;
    } else if (!o.kernel_h) {
      p.kernel_w =
          std::max(min_kernel, std::min(p.kernel_h, KernelBound(wd, o.pad, bounds.kernel)));
    } else {
      p.kernel_w = draw_window(KernelBound(wd, o.pad, bounds.kernel));
    }
    const int pad = o.pad ? *o.pad : rng.UniformInt(0, (std::min(p.kernel_h, p.kernel_w) - 1) / 2);
    const int stride = o.stride ? *o.stride : rng.UniformInt(1, 3);
    p.stride_h = p.stride_w = stride;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    p.ceil_mode = o.pool_params.ceil_mode;
  }
  const int height =
      h ? *h : rng.UniformInt(std::max(1, p.kernel_h - p.pad_top - p.pad_bottom), bounds.size);
  const int width =
      wd ? *wd : rng.UniformInt(std::max(1, p.kernel_w - p.pad_left - p.pad_right), bounds.size);
  const PoolShapes setup{Shape{batch, channels, height, width}, p};
  PoolOutputShape(setup.x, p);  // validates before any data is drawn
  return setup;
}

std::optional<OutputPath> DrawOutputPath(const OutputPathFlags& o, const Tensor<int32_t>& acc,
                                         Rng& rng) {
  if (!o.bias && !o.requant) return std::nullopt;
  const Shape& s = acc.shape();
  int64_t largest = 1;
  for (int32_t v : acc.data()) largest = std::max<int64_t>(largest, std::abs(int64_t{v}));
  OutputPath p;
  if (o.bias) {
    for (int m = 0; m < s.c; ++m) {
      p.bias.push_back(static_cast<int32_t>(rng.Uniform(-largest / 4, largest / 4)));
    }
  }
  if (o.requant) {
    Tensor<int32_t> a = acc;
    if (o.bias) AddBias(a, p.bias);
    const auto plane = static_cast<size_t>(s.h) * s.w;
    for (int m = 0; m < s.c; ++m) {
      int64_t top = 1;
      for (int n = 0; n < s.n; ++n) {
        const int32_t* v = &a.at(n, m, 0, 0);
        for (size_t i = 0; i < plane; ++i) top = std::max<int64_t>(top, std::abs(int64_t{v[i]}));
      }
      const int64_t mult = rng.Uniform(1 << 14, (1 << 15) - 1);
      int bits = 0;
      while (bits < 63 && (top * mult) >> bits != 0) ++bits;
      p.requant.mult.push_back(static_cast<int32_t>(mult));
      p.requant.shift.push_back(std::clamp(bits - 15, 0, 62));
    }
  }
  p.relu = o.relu;
  p.leaky = o.leaky;
  if (o.leaky) {
    p.leaky_mult = static_cast<int16_t>(rng.UniformInt(1 << 12, 1 << 14));
    p.leaky_shift = 16;
  }
  return p;
}

ConvLayer DrawSweepConv(const ArrayConfig& hw, Rng& rng) {
  ConvLayer l;
  const int groups = rng.Chance(0.25) ? rng.UniformInt(2, 3) : 1;
  const int kind = rng.UniformInt(0, 7);
  int r;
  if (kind == 0) {
    r = hw.rows + rng.UniformInt(1, 3);  // taller than the array: row groups
  } else if (kind <= 2) {
    r = rng.UniformInt(1, kSweepMaxKernel);
  } else {
    r = rng.UniformInt(1, kMaxDrawnKernel);
  }
  const int s = rng.Chance(0.25) ? rng.UniformInt(1, std::min(kSweepMaxKernel, hw.ifmap_depth))
                                 : rng.UniformInt(1, kMaxDrawnKernel);
  l.conv.stride_h = rng.Chance(1.0 / 3) ? rng.UniformInt(2, 4) : 1;
  l.conv.stride_w = rng.Chance(0.25) ? rng.UniformInt(1, 4) : l.conv.stride_h;
  l.conv.pad_top = rng.UniformInt(0, r - 1);
  l.conv.pad_bottom = rng.UniformInt(0, r - 1);
  l.conv.pad_left = rng.UniformInt(0, s - 1);
  l.conv.pad_right = rng.UniformInt(0, s - 1);
  l.conv.groups = groups;
  const int cg = rng.UniformInt(1, 6);
  const int mg = rng.UniformInt(1, 8);
  const int h = std::max(1, r - l.conv.pad_top - l.conv.pad_bottom) + rng.UniformInt(0, 10);
  const int w = std::max(1, s - l.conv.pad_left - l.conv.pad_right) + rng.UniformInt(0, 12);
  l.x = Shape{rng.UniformInt(1, 4), cg * groups, h, w};
  l.w = Shape{mg * groups, cg, r, s};
  return l;
}

FcShapes DrawSweepFc(const ArrayConfig& hw, Rng& rng) {
  const int batch = rng.UniformInt(1, kSweepFcMaxBatch);
  const int outputs = rng.UniformInt(1, kSweepFcMaxOutputs);
  const int kind = rng.UniformInt(0, 3);
  FcShapes s;
  if (kind == 0) {
    s.x = Shape{batch, rng.UniformInt(1, 64), 1, 1};
  } else if (kind == 1) {
    s.x = Shape{batch, rng.UniformInt(65, kSweepFcMaxFeatures), 1, 1};
  } else if (kind == 2) {
    s.x = Shape{batch, 1, 1, rng.UniformInt(1, kSweepFcMaxFeatures)};
  } else {
    const int h = rng.UniformInt(1, hw.rows + 3);
    const int w = rng.UniformInt(1, std::min(kSweepMaxKernel, hw.ifmap_depth));
    s.x = Shape{batch, rng.UniformInt(1, std::max(1, kSweepFcMaxFeatures / (h * w))), h, w};
  }
  const int features = s.x.c * s.x.h * s.x.w;
  s.w = rng.Chance(0.5) ? Shape{outputs, 1, 1, features} : Shape{outputs, s.x.c, s.x.h, s.x.w};
  return s;
}

std::optional<PoolParams> DrawSweepPooling(int e, int f, Rng& rng) {
  const int most = static_cast<int>(kPoolMaxWindow);
  for (int attempt = 0; attempt < kSweepAttempts; ++attempt) {
    PoolParams p;
    p.kernel_h = rng.UniformInt(1, most);
    p.kernel_w = rng.UniformInt(1, most);
    p.stride_h = rng.UniformInt(1, most);
    p.stride_w = rng.UniformInt(1, most);
    p.pad_top = rng.UniformInt(0, p.kernel_h - 1);
    p.pad_bottom = rng.UniformInt(0, p.kernel_h - 1);
    p.pad_left = rng.UniformInt(0, p.kernel_w - 1);
    p.pad_right = rng.UniformInt(0, p.kernel_w - 1);
    p.ceil_mode = rng.Chance(1.0 / 3);
    try {
      PoolOutputShape(Shape{1, 1, e, f}, p);
      return p;
    } catch (const ShapeError&) {
    }
  }
  return std::nullopt;
}

PoolShapes DrawSweepPool(Rng& rng) {
  PoolShapes s;
  s.x = Shape{rng.UniformInt(1, kSweepPoolMaxImages), rng.UniformInt(1, kSweepPoolMaxChannels),
              rng.UniformInt(1, kSweepPoolMaxSize), rng.UniformInt(1, kSweepPoolMaxSize)};
  const std::optional<PoolParams> p = DrawSweepPooling(s.x.h, s.x.w, rng);
  if (p) {
    s.p = *p;
  } else {  // 1 x 1 windows fit any plane
    s.p.kernel_h = s.p.kernel_w = s.p.stride_h = s.p.stride_w = 1;
  }
  return s;
}

RsMapping DrawMapping(const ConvLayer& l, const ArrayConfig& hw, Rng& rng, bool* drawn) {
  const int cg = l.x.c / l.conv.groups;
  const int mg = l.w.n / l.conv.groups;
  const int s = l.w.w;
  for (int attempt = 0; attempt < kSweepAttempts; ++attempt) {
    RsMapping m;
    m.e = rng.UniformInt(1, std::min(hw.cols, l.Out().h));
    m.q = rng.UniformInt(1, std::max(1, std::min(cg + 1, hw.ifmap_depth / s)));
    m.p = rng.UniformInt(
        1, std::max(1, std::min({mg + 1, hw.psum_depth, hw.filter_depth / (m.q * s)})));
    m.r = rng.UniformInt(1, std::min(cg + 1, hw.rows));
    m.t = rng.UniformInt(1, std::min(mg + 1, hw.rows * hw.cols));
    m.n = l.x.n;
    if (CompleteMapping(l, hw, m).empty()) {
      *drawn = true;
      return m;
    }
  }
  *drawn = false;
  return ChooseMapping(l, hw);
}

SweepShape DrawSweepShape(const ArrayConfig& hw, const std::vector<LayerType>& types, Rng& rng) {
  SweepShape s;
  // One type draws nothing, so a conv-only sweep draws the same layers as before FC ran.
  s.type = types.size() == 1
               ? types[0]
               : types[static_cast<size_t>(rng.UniformInt(0, static_cast<int>(types.size()) - 1))];
  switch (s.type) {
    case LayerType::kFc:
      s.fc = DrawSweepFc(hw, rng);
      s.layer = FcToConvLayer(s.fc.x, s.fc.w);
      s.text = FcText(s.fc.x, s.fc.w);
      break;
    case LayerType::kPool:
      s.pool = DrawSweepPool(rng);
      s.layer = PoolToConvLayer(s.pool.x, s.pool.p);
      s.text = PoolLayerText(s.pool.x, s.pool.p);
      break;
    case LayerType::kConv:
      s.layer = DrawSweepConv(hw, rng);
      s.text = s.layer.ToString();
      break;
  }
  return s;
}

SweepChain DrawSweepChain(const ArrayConfig& hw, Rng& rng) {
  for (;;) {
    SweepChain c;
    c.x = Shape{rng.UniformInt(1, 2), rng.UniformInt(1, 6), rng.UniformInt(5, 14),
                rng.UniformInt(5, 14)};
    const int count = rng.UniformInt(2, 3);
    Shape x = c.x;
    std::string text = "chain";
    bool ok = true;
    for (int i = 0; i < count && ok; ++i) {
      const bool last = i + 1 == count;
      SweepChainLayer l;
      const int kind = i == 0 ? 0 : rng.UniformInt(0, last ? 2 : 1);  // conv, pool, fc
      l.type = kind == 0 ? LayerType::kConv : kind == 1 ? LayerType::kPool : LayerType::kFc;
      l.requant = !last || rng.Chance(0.5);
      l.relu = l.requant && rng.Chance(0.5);
      try {
        ConvLayer run;
        if (l.type == LayerType::kConv) {
          const int groups = x.c % 2 == 0 && rng.Chance(0.25) ? 2 : 1;
          const int r = rng.UniformInt(1, std::min(3, x.h));
          const int s = rng.UniformInt(1, std::min(3, x.w));
          l.conv.stride_h = l.conv.stride_w = rng.UniformInt(1, 2);
          l.conv.pad_top = l.conv.pad_bottom = rng.UniformInt(0, std::min(1, r - 1));
          l.conv.pad_left = l.conv.pad_right = rng.UniformInt(0, std::min(1, s - 1));
          l.conv.groups = groups;
          l.w = Shape{groups * rng.UniformInt(1, 4), x.c / groups, r, s};
          run = ConvLayer{x, l.w, l.conv};
          text += (i == 0 ? " conv " : " -> conv ") + run.ToString();
        } else if (l.type == LayerType::kPool) {
          const std::optional<PoolParams> p = DrawSweepPooling(x.h, x.w, rng);
          if (!p) {
            ok = false;
            break;
          }
          l.pool = *p;
          run = PoolToConvLayer(x, l.pool);
          text += " -> pool " + PoolText(l.pool);
        } else {
          l.w = Shape{rng.UniformInt(1, 16), 1, 1, static_cast<int>(x.c * x.h * x.w)};
          run = FcToConvLayer(x, l.w);
          text += " -> fc w " + l.w.ToString();
        }
        if (l.type != LayerType::kPool) run.post = l.requant ? kPostRequant : 0;
        ChooseMapping(run, hw);
        x = l.type == LayerType::kPool ? PoolOutputShape(x, l.pool) : run.Out();
        if (l.type == LayerType::kFc) x = Shape{x.n, x.c * x.h * x.w, 1, 1};
      } catch (const Error&) {
        ok = false;
      }
      c.layers.push_back(l);
    }
    if (!ok) continue;
    c.text = text;
    return c;
  }
}

LayerCase DrawSweepData(const SweepShape& s, int data_bits, Rng& rng) {
  LayerCase c;
  c.type = s.type;
  c.layer = s.layer;
  c.data_bits = data_bits;
  switch (s.type) {
    case LayerType::kPool:
      c.x = RandomSparseData(s.pool.x, data_bits, kSweepIfmapZeros, rng);
      c.pool = s.pool.p;
      break;
    case LayerType::kFc:
      c.x = RandomSparseData(s.fc.x, data_bits, kSweepIfmapZeros, rng);
      c.w = RandomSparseData(s.fc.w, data_bits, kSweepWeightZeros, rng);
      break;
    case LayerType::kConv:
      c.x = RandomSparseData(s.layer.x, data_bits, kSweepIfmapZeros, rng);
      c.w = RandomSparseData(s.layer.w, data_bits, kSweepWeightZeros, rng);
      break;
  }
  return c;
}

std::optional<OutputPath> DrawSweepOutputPath(uint64_t seed, int index, bool pools,
                                              const Tensor<int32_t>& acc) {
  Rng rng(JobSeed(seed ^ kSweepPathStream, index));
  OutputPathFlags flags;
  const int kind = rng.UniformInt(0, 4);
  flags.bias = kind != 1;
  flags.requant = kind >= 1;
  flags.relu = kind == 3;
  flags.leaky = kind == 4;
  std::optional<OutputPath> path = DrawOutputPath(flags, acc, rng);
  if (path && pools && path->Requantizes() && rng.Chance(kSweepPostPoolChance)) {
    const std::optional<PoolParams> p = DrawSweepPooling(acc.shape().h, acc.shape().w, rng);
    if (p) {
      path->pool = true;
      path->pool_params = *p;
    }
  }
  return path;
}

PeJob DrawPeJob(const PeConfig& cfg, double stall, Rng& rng) {
  PeJob j;
  const int spad = std::max(1, std::min(cfg.ifmap_depth, cfg.filter_depth));
  j.s = rng.UniformInt(1, std::min(11, spad));
  j.q = rng.UniformInt(1, std::max(1, spad / j.s));
  j.p = rng.UniformInt(1, std::max(1, std::min(cfg.psum_depth, cfg.filter_depth / (j.q * j.s))));
  j.u = rng.UniformInt(1, 4);
  j.f = rng.UniformInt(1, 16);
  j.rows = rng.UniformInt(1, 3);
  j.accumulate_in = rng.Chance(0.5);
  const int width = (j.f - 1) * j.u + j.s;
  j.weight.resize(static_cast<size_t>(j.p) * j.q * j.s);
  for (int16_t& v : j.weight) {
    v = static_cast<int16_t>(rng.Uniform(DataMin(cfg.data_bits), DataMax(cfg.data_bits)));
  }
  j.ifmap.resize(static_cast<size_t>(j.rows) * j.q * width);
  for (int16_t& v : j.ifmap) {
    v = rng.Chance(kPeZeroFraction)
            ? 0
            : static_cast<int16_t>(rng.Uniform(DataMin(cfg.data_bits), DataMax(cfg.data_bits)));
  }
  if (j.accumulate_in) {
    j.psum_in.resize(static_cast<size_t>(j.rows) * j.p * j.f);
    for (int32_t& v : j.psum_in) {
      v = static_cast<int32_t>(rng.Uniform(DataMin(cfg.acc_bits), DataMax(cfg.acc_bits)));
    }
  }
  j.in_stall = stall;
  j.out_stall = stall;
  j.stall_seed = static_cast<uint32_t>(rng.Next() >> 32);
  return j;
}

std::string PoolText(const PoolParams& p) {
  std::string s = std::to_string(p.kernel_h) + "x" + std::to_string(p.kernel_w) + "/" +
                  std::to_string(p.stride_h);
  if (p.stride_w != p.stride_h) s += "x" + std::to_string(p.stride_w);
  if (p.pad_top == p.pad_left && p.pad_top == p.pad_bottom && p.pad_top == p.pad_right) {
    if (p.pad_top > 0) s += " pad " + std::to_string(p.pad_top);
  } else {
    s += " pad " + std::to_string(p.pad_top) + "," + std::to_string(p.pad_left) + "," +
         std::to_string(p.pad_bottom) + "," + std::to_string(p.pad_right);
  }
  if (p.ceil_mode) s += " ceil";
  return s;
}

std::string FcText(const Shape& x, const Shape& w) {
  return "fc x " + x.ToString() + " w " + w.ToString();
}

std::string PoolLayerText(const Shape& x, const PoolParams& p) {
  return "pool x " + x.ToString() + " " + PoolText(p);
}

}  // namespace eyelet
