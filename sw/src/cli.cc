// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet` subcommands: flag parsing into options structs (Boost.Program_options) and the
// work behind them. See eyelet/cli.h for the exit codes.
#include "eyelet/cli.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/npy.h"
#include "eyelet/tensor.h"
#include "pe_bench.h"

namespace eyelet {
namespace {

namespace po = boost::program_options;

constexpr int kMaxDimFlag = 1 << 16;  // sanity bound on every shape flag
constexpr int kMaxRandomChannels = 16;
constexpr int kMaxRandomSize = 32;
constexpr int kMaxRandomKernel = 5;
constexpr double kMaxStall = 0.9;
constexpr double kPeZeroFraction = 0.3;

// --- Random numbers: SplitMix64, so a seed draws the same layer on every platform and
// standard library (std::uniform_int_distribution is not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi]; lo when hi <= lo.
  int64_t Uniform(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(Next() % span);
  }
  int UniformInt(int lo, int hi) { return static_cast<int>(Uniform(lo, hi)); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

int64_t DataMin(int bits) { return -(int64_t{1} << (bits - 1)); }
int64_t DataMax(int bits) { return (int64_t{1} << (bits - 1)) - 1; }

Tensor<int16_t> RandomData(const Shape& shape, int data_bits, Rng& rng) {
  Tensor<int16_t> t(shape);
  for (int16_t& v : t.data()) {
    v = static_cast<int16_t>(rng.Uniform(DataMin(data_bits), DataMax(data_bits)));
  }
  return t;
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// --- Flag parsing shared by the subcommands.

po::variables_map ParseFlags(const std::vector<std::string>& args,
                             const po::options_description& desc) {
  // Words without a --name land in a hidden option so the error can name them.
  constexpr const char* kStray = "unexpected-argument";
  po::options_description all;
  all.add(desc).add_options()(kStray, po::value<std::vector<std::string>>(), "");
  po::positional_options_description positional;
  positional.add(kStray, -1);
  po::variables_map vm;
  try {
    // No abbreviations: `--str` must not silently mean `--stride`.
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(positional).style(style).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  if (vm.count(kStray)) {
    throw UsageError("unexpected argument '" + vm[kStray].as<std::vector<std::string>>()[0] +
                     "'; every value follows its --option");
  }
  return vm;
}

uint64_t SeedFlag(const po::variables_map& vm) {
  const int64_t seed = vm["seed"].as<int64_t>();
  if (seed < 0) {
    throw UsageError("--seed " + std::to_string(seed) + " must not be negative");
  }
  return static_cast<uint64_t>(seed);
}

// Copies an optional integer flag into `field` after checking its range.
void IntFlag(const po::variables_map& vm, const std::string& name, int lo, int hi,
             std::optional<int>* field) {
  if (!vm.count(name)) return;
  const int v = vm[name].as<int>();
  if (v < lo || v > hi) {
    throw UsageError("--" + name + " " + std::to_string(v) + " must be between " +
                     std::to_string(lo) + " and " + std::to_string(hi));
  }
  *field = v;
}

void RejectFlags(const po::variables_map& vm, const std::vector<std::string>& names,
                 const std::string& why) {
  for (const std::string& name : names) {
    if (vm.count(name)) throw UsageError("--" + name + " " + why);
  }
}

// --- eyelet layer

const char kLayerSummary[] = "run one CONV, FC or POOL layer through the golden model";
const char kLayerDetails[] =
    "Runs one layer through the bit-exact golden model and prints its shapes, MAC count and\n"
    "the FNV-1a checksum of the output (int32 accumulators for conv/fc, int16 for pool).\n"
    "Shape flags left out are drawn from --seed (C, M <= 16; H, W <= 32; kernel 1..5) or\n"
    "taken from --input/--weights, so `eyelet layer --seed 7` is the same layer every time.";

po::options_description LayerDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("type", po::value<std::string>()->value_name("conv|fc|pool")->default_value("conv"),
       "layer type")
      ("seed", po::value<int64_t>()->value_name("N")->default_value(1),
       "seed for every shape and value drawn at random")
      ("batch", po::value<int>()->value_name("N"), "batch N (random: 1..2)")
      ("in-channels", po::value<int>()->value_name("C"), "input channels C")
      ("out-channels", po::value<int>()->value_name("M"), "output channels M (conv, fc)")
      ("height", po::value<int>()->value_name("H"), "input height H")
      ("width", po::value<int>()->value_name("W"), "input width W")
      ("kernel", po::value<int>()->value_name("K"),
       "kernel R = S (conv) or pooling window K x K (pool)")
      ("kernel-h", po::value<int>()->value_name("R"), "kernel height R")
      ("kernel-w", po::value<int>()->value_name("S"), "kernel width S")
      ("stride", po::value<int>()->value_name("U"), "stride on both axes")
      ("pad", po::value<int>()->value_name("P"), "padding on all four sides")
      ("groups", po::value<int>()->value_name("G"), "conv groups; must divide C and M")
      ("data-bits", po::value<int>()->value_name("8|16")->default_value(kDefaultDataBits),
       "data width of activations and weights")
      ("backend", po::value<std::string>()->value_name("golden")->default_value("golden"),
       "where the layer runs (rtl arrives with the PE array)")
      ("input", po::value<std::string>()->value_name("FILE.npy"),
       "input tensor (int8/int16, NCHW) instead of random data")
      ("weights", po::value<std::string>()->value_name("FILE.npy"),
       "weights (int8/int16): M x C/G x R x S for conv; M x K for fc\n"
       "(and a 2-D fc input is N x K)")
      ("output", po::value<std::string>()->value_name("FILE.npy"),
       "write the output: int32 accumulators (conv, fc) or int16 (pool)");
  // clang-format on
  return d;
}

LayerOptions LayerOptionsFrom(const po::variables_map& vm) {
  LayerOptions o;
  const std::string type = vm["type"].as<std::string>();
  if (type == "conv") {
    o.type = LayerType::kConv;
  } else if (type == "fc") {
    o.type = LayerType::kFc;
  } else if (type == "pool") {
    o.type = LayerType::kPool;
  } else {
    throw UsageError("--type must be conv, fc or pool, not '" + type + "'");
  }
  o.seed = SeedFlag(vm);
  IntFlag(vm, "batch", 1, kMaxDimFlag, &o.batch);
  IntFlag(vm, "in-channels", 1, kMaxDimFlag, &o.in_channels);
  IntFlag(vm, "out-channels", 1, kMaxDimFlag, &o.out_channels);
  IntFlag(vm, "height", 1, kMaxDimFlag, &o.height);
  IntFlag(vm, "width", 1, kMaxDimFlag, &o.width);
  if (vm.count("kernel") && (vm.count("kernel-h") || vm.count("kernel-w"))) {
    throw UsageError("give --kernel, or --kernel-h and --kernel-w, not both");
  }
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o.kernel_h);
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o.kernel_w);
  IntFlag(vm, "kernel-h", 1, kMaxDimFlag, &o.kernel_h);
  IntFlag(vm, "kernel-w", 1, kMaxDimFlag, &o.kernel_w);
  IntFlag(vm, "stride", 1, kMaxDimFlag, &o.stride);
  IntFlag(vm, "pad", 0, kMaxDimFlag, &o.pad);
  IntFlag(vm, "groups", 1, kMaxDimFlag, &o.groups);
  o.data_bits = vm["data-bits"].as<int>();
  if (o.data_bits != 8 && o.data_bits != 16) {
    throw UsageError("--data-bits must be 8 or 16, not " + std::to_string(o.data_bits));
  }
  o.backend = vm["backend"].as<std::string>();
  if (o.backend != "golden" && o.backend != "rtl") {
    throw UsageError("--backend must be golden, not '" + o.backend + "'");
  }
  if (vm.count("input")) o.input_path = vm["input"].as<std::string>();
  if (vm.count("weights")) o.weights_path = vm["weights"].as<std::string>();
  if (vm.count("output")) o.output_path = vm["output"].as<std::string>();
  if (o.type == LayerType::kFc) {
    RejectFlags(vm, {"kernel", "kernel-h", "kernel-w", "stride", "pad", "groups"},
                "does not apply to --type fc");
  } else if (o.type == LayerType::kPool) {
    RejectFlags(vm, {"out-channels", "groups", "weights"}, "does not apply to --type pool");
  }
  return o;
}

// A dimension known from a file, checked against the same dimension given as a flag.
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

// Upper bound for a drawn kernel: at most kMaxRandomKernel and no larger than the padded input
// when that is known.
int KernelBound(const std::optional<int>& size, const std::optional<int>& pad) {
  int hi = kMaxRandomKernel;
  if (size) hi = std::min(hi, *size + 2 * pad.value_or(0));
  return std::max(1, hi);
}

struct ConvSetup {
  Shape x;
  Shape w;
  ConvParams params;
};

ConvSetup ResolveConv(const LayerOptions& o, const Tensor<int16_t>* x, const Tensor<int16_t>* w,
                      Rng& rng) {
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

  ConvSetup setup;
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
      channels = *o.groups * rng.UniformInt(1, std::max(1, kMaxRandomChannels / *o.groups));
    } else {
      channels = rng.UniformInt(1, kMaxRandomChannels);
    }
    if (o.groups) {
      groups = *o.groups;
    } else {
      groups = rng.Chance(0.25) ? RandomDivisor(std::gcd(channels, m.value_or(channels)), rng) : 1;
    }
  }
  const int out_channels =
      m ? *m : groups * rng.UniformInt(1, std::max(1, kMaxRandomChannels / groups));
  const int kernel_h = r ? *r : rng.UniformInt(1, KernelBound(h, o.pad));
  int kernel_w;
  if (s) {
    kernel_w = *s;
  } else if (!r) {
    kernel_w = std::min(kernel_h, KernelBound(wd, o.pad));  // square when both are drawn
  } else {
    kernel_w = rng.UniformInt(1, KernelBound(wd, o.pad));
  }
  const int pad = o.pad ? *o.pad : rng.UniformInt(0, std::min(kernel_h, kernel_w) / 2);
  const int stride = o.stride ? *o.stride : rng.UniformInt(1, 3);
  const int height = h ? *h : rng.UniformInt(std::max(1, kernel_h - 2 * pad), kMaxRandomSize);
  const int width = wd ? *wd : rng.UniformInt(std::max(1, kernel_w - 2 * pad), kMaxRandomSize);

  setup.x = Shape{batch, channels, height, width};
  setup.w = Shape{out_channels, std::max(1, channels / groups), kernel_h, kernel_w};
  if (channels % groups != 0) setup.w.c = 0;  // let ConvOutputShape report the groups error
  setup.params.stride_h = setup.params.stride_w = stride;
  setup.params.pad_top = setup.params.pad_left = setup.params.pad_bottom = setup.params.pad_right =
      pad;
  setup.params.groups = groups;
  return setup;
}

void PrintHeader(std::ostream& out, const std::string& type, const LayerOptions& o) {
  out << "layer     " << type << " (golden backend, " << o.data_bits << "-bit data, seed " << o.seed
      << ")\n";
}

std::string Source(const std::string& path) { return path.empty() ? "" : "  (" + path + ")"; }

int RunConv(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
            Rng& rng, std::ostream& out) {
  const ConvSetup setup = ResolveConv(o, x_file, w_file, rng);
  const Shape y_shape = ConvOutputShape(setup.x, setup.w, setup.params);  // validates first
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  const Tensor<int32_t> y = ConvAcc(x, w, setup.params, o.data_bits);
  const uint64_t macs = static_cast<uint64_t>(y_shape.Size()) * setup.w.c * setup.w.h * setup.w.w;
  PrintHeader(out, "conv", o);
  out << "input     " << x.shape().ToString() << Source(o.input_path) << "\n"
      << "weights   " << w.shape().ToString() << Source(o.weights_path) << "\n"
      << "output    " << y.shape().ToString() << "\n"
      << "stride    " << setup.params.stride_h << "\n"
      << "pad       " << setup.params.pad_top << "\n"
      << "groups    " << setup.params.groups << "\n"
      << "macs      " << macs << "\n"
      << "checksum  " << Hex64(Checksum(y)) << "\n";
  if (!o.output_path.empty()) {
    SaveTensor(o.output_path, y, kNpyInt32);
    out << "wrote     " << o.output_path << " (int32 " << y.shape().ToString() << ")\n";
  }
  return kExitOk;
}

int RunFc(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
          Rng& rng, std::ostream& out) {
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
  const int batch = n ? *n : rng.UniformInt(1, 2);
  Shape xs;
  if (k && !c && !h && !wd) {
    if (*k > INT_MAX) throw ShapeError("fc: K = " + std::to_string(*k) + " is too large");
    xs = Shape{batch, static_cast<int>(*k), 1, 1};
  } else if (k) {
    xs = Shape{batch, c.value_or(1), h.value_or(1), wd.value_or(1)};
  } else {
    xs = Shape{batch, c ? *c : rng.UniformInt(1, kMaxRandomChannels),
               h ? *h : rng.UniformInt(1, kMaxRandomSize),
               wd ? *wd : rng.UniformInt(1, kMaxRandomSize)};
  }
  const int64_t features = int64_t{xs.c} * xs.h * xs.w;
  if (features > INT_MAX) {
    throw ShapeError("fc: K = C*H*W = " + std::to_string(features) + " is too large");
  }
  const int out_channels = m ? *m : rng.UniformInt(1, kMaxRandomChannels);
  const Shape ws = w_file ? w_file->shape() : Shape{out_channels, 1, 1, static_cast<int>(features)};
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(xs, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(ws, o.data_bits, rng);
  const Tensor<int32_t> y = FcAcc(x, w, o.data_bits);
  const uint64_t macs = static_cast<uint64_t>(y.size()) * static_cast<uint64_t>(features);
  PrintHeader(out, "fc", o);
  out << "input     " << x.shape().ToString() << Source(o.input_path) << "\n"
      << "weights   " << w.shape().ToString() << Source(o.weights_path) << "\n"
      << "output    " << y.shape().ToString() << "\n"
      << "macs      " << macs << "\n"
      << "checksum  " << Hex64(Checksum(y)) << "\n";
  if (!o.output_path.empty()) {
    SaveTensor(o.output_path, y, kNpyInt32);
    out << "wrote     " << o.output_path << " (int32 " << y.shape().ToString() << ")\n";
  }
  return kExitOk;
}

// MaxPool does not look at data_bits, so check loaded data against it here, like ConvAcc does.
void CheckDataRange(const Tensor<int16_t>& t, int data_bits, const std::string& path) {
  const Shape& s = t.shape();
  for (size_t i = 0; i < t.data().size(); ++i) {
    const int v = t.data()[i];
    if (v < DataMin(data_bits) || v > DataMax(data_bits)) {
      const size_t hw = static_cast<size_t>(s.h) * s.w;
      throw ShapeError(path + ": value " + std::to_string(v) + " at [" +
                       std::to_string(i / hw / s.c) + "," + std::to_string(i / hw % s.c) + "," +
                       std::to_string(i / s.w % s.h) + "," + std::to_string(i % s.w) +
                       "] is outside the " + std::to_string(data_bits) +
                       "-bit data range; requantize it or use --data-bits 16");
    }
  }
}

int RunPool(const LayerOptions& o, const Tensor<int16_t>* x_file, Rng& rng, std::ostream& out) {
  std::optional<int> n = o.batch, c = o.in_channels, h = o.height, wd = o.width;
  if (x_file) {
    const Shape& xs = x_file->shape();
    n = FromFile(o.batch, xs.n, "batch N", o.input_path);
    c = FromFile(o.in_channels, xs.c, "input channels C", o.input_path);
    h = FromFile(o.height, xs.h, "height H", o.input_path);
    wd = FromFile(o.width, xs.w, "width W", o.input_path);
  }
  const int batch = n ? *n : rng.UniformInt(1, 2);
  const int channels = c ? *c : rng.UniformInt(1, kMaxRandomChannels);
  // A pooling window must cover at least one input element, so it is larger than the pad;
  // drawn windows are at least 2 x 2 (1 x 1 would only subsample) where the input allows.
  const int min_kernel = o.pad ? *o.pad + 1 : 1;
  const int min_drawn = std::max(min_kernel, 2);
  PoolParams p;
  // Draws a window size in [min_drawn, bound], or [min_kernel, bound] if the input is small.
  auto draw_window = [&](int bound) {
    return rng.UniformInt(bound >= min_drawn ? min_drawn : min_kernel, std::max(min_kernel, bound));
  };
  p.kernel_h = o.kernel_h ? *o.kernel_h : draw_window(KernelBound(h, o.pad));
  if (o.kernel_w) {
    p.kernel_w = *o.kernel_w;
  } else if (!o.kernel_h) {
    p.kernel_w = std::max(min_kernel, std::min(p.kernel_h, KernelBound(wd, o.pad)));
  } else {
    p.kernel_w = draw_window(KernelBound(wd, o.pad));
  }
  const int pad = o.pad ? *o.pad : rng.UniformInt(0, (std::min(p.kernel_h, p.kernel_w) - 1) / 2);
  const int stride = o.stride ? *o.stride : rng.UniformInt(1, 3);
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  const int height = h ? *h : rng.UniformInt(std::max(1, p.kernel_h - 2 * pad), kMaxRandomSize);
  const int width = wd ? *wd : rng.UniformInt(std::max(1, p.kernel_w - 2 * pad), kMaxRandomSize);
  const Shape xs{batch, channels, height, width};
  PoolOutputShape(xs, p);  // validates before any data is drawn
  if (x_file) CheckDataRange(*x_file, o.data_bits, o.input_path);
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(xs, o.data_bits, rng);
  const Tensor<int16_t> y = MaxPool(x, p);
  PrintHeader(out, "pool", o);
  out << "input     " << x.shape().ToString() << Source(o.input_path) << "\n"
      << "window    " << p.kernel_h << "x" << p.kernel_w << "\n"
      << "output    " << y.shape().ToString() << "\n"
      << "stride    " << stride << "\n"
      << "pad       " << pad << "\n"
      << "macs      0\n"
      << "checksum  " << Hex64(Checksum(y)) << "\n";
  if (!o.output_path.empty()) {
    SaveTensor(o.output_path, y, kNpyInt16);
    out << "wrote     " << o.output_path << " (int16 " << y.shape().ToString() << ")\n";
  }
  return kExitOk;
}

// Loads a layer's input or weights. For FC a 2-D file is a matrix, N x K (input) or M x K
// (weights), so it becomes (rows, 1, 1, K) rather than the default (1, 1, rows, K).
Tensor<int16_t> LoadLayerTensor(const std::string& path, LayerType type) {
  NpyArray a = ReadNpy(path);
  if (type == LayerType::kFc && a.shape.size() == 2) a.shape = {a.shape[0], 1, 1, a.shape[1]};
  return NpyToTensorI16(a, path);
}

int LayerCommand(const std::vector<std::string>& args, std::ostream& out);
int PeCommand(const std::vector<std::string>& args, std::ostream& out);

// --- eyelet pe

const char kPeSummary[] = "run random 1-D row-stationary jobs through the Verilated PE";
const char kPeDetails[] =
    "Draws random jobs (filter width, filters p, channels q, stride, output width, rows,\n"
    "psum accumulation, data with ~30% zeros), runs each through the Verilated PE with\n"
    "random back-pressure, and compares every psum with the golden model. Prints each\n"
    "failing job, then 'N passed, M failed' and the cycle and MAC totals. Exit 1 if any\n"
    "job failed. Job K of a seed is the same with any --count: rerun it alone with\n"
    "--job K --trace job.fst.";

po::options_description PeDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("count", po::value<int>()->value_name("N")->default_value(20), "number of jobs")
      ("seed", po::value<int64_t>()->value_name("S")->default_value(1),
       "seed of the job sequence")
      ("job", po::value<int>()->value_name("K"), "run only job K (0-based) of the sequence")
      ("trace", po::value<std::string>()->value_name("FILE.fst"),
       "write an FST waveform of the run")
      ("stall", po::value<double>()->value_name("P")->default_value(0.2, "0.2"),
       "probability (0..0.9) of back-pressure on each stream in a cycle");
  // clang-format on
  return d;
}

PeOptions PeOptionsFrom(const po::variables_map& vm) {
  PeOptions o;
  o.count = vm["count"].as<int>();
  if (o.count < 0) throw UsageError("--count " + std::to_string(o.count) + " must be >= 0");
  o.seed = SeedFlag(vm);
  IntFlag(vm, "job", 0, INT_MAX, &o.job);
  if (vm.count("trace")) o.trace_path = vm["trace"].as<std::string>();
  o.stall = vm["stall"].as<double>();
  if (!(o.stall >= 0.0 && o.stall <= kMaxStall)) {  // also rejects NaN
    std::ostringstream os;
    os << "--stall " << o.stall << " must be between 0 and " << kMaxStall;
    throw UsageError(os.str());
  }
  return o;
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

std::string DescribeJob(int index, const PeJob& j) {
  std::ostringstream os;
  os << "job " << index << " (s=" << j.s << " p=" << j.p << " q=" << j.q << " u=" << j.u
     << " f=" << j.f << " rows=" << j.rows << " acc_in=" << j.accumulate_in << ")";
  return os.str();
}

// Compares a PE result with the reference; returns an empty string or what went wrong.
std::string CheckPeResult(const PeJob& j, const PeResult& res, const std::vector<int32_t>& ref) {
  std::ostringstream os;
  if (res.psum.size() != ref.size()) {
    os << "returned " << res.psum.size() << " psums, expected " << ref.size();
    return os.str();
  }
  size_t first = ref.size();
  size_t bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (res.psum[i] != ref[i]) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad > 0) {
    const size_t pf = static_cast<size_t>(j.p) * j.f;
    os << "psum[" << first << "] (row " << first / pf << ", filter " << (first / j.f) % j.p
       << ", x " << first % j.f << "): expected " << ref[first] << ", got " << res.psum[first]
       << " (" << bad << " of " << ref.size() << " psums differ)";
    return os.str();
  }
  const uint64_t ops = static_cast<uint64_t>(j.rows) * j.f * j.p * j.q * j.s;
  if (res.macs + res.skipped != ops) {
    os << "MAC counters: " << res.macs << " done + " << res.skipped << " skipped != " << ops
       << " MACs in the job";
  }
  return os.str();
}

// Mixes the run seed and a job index into the seed of that job's generator.
uint64_t JobSeed(uint64_t seed, int index) {
  Rng mix(seed);
  return mix.Next() ^ (static_cast<uint64_t>(index) * 0xd1342543de82ef95ull);
}

// --- Command table and usage.

struct Command {
  const char* name;
  const char* summary;
  const char* details;
  po::options_description (*describe)();
  int (*run)(const std::vector<std::string>& args, std::ostream& out);
};

const Command kCommands[] = {
    {"layer", kLayerSummary, kLayerDetails, LayerDescription, LayerCommand},
    {"pe", kPeSummary, kPeDetails, PeDescription, PeCommand},
};

const Command* FindCommand(const std::string& name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

void PrintMainUsage(std::ostream& os) {
  os << "usage: eyelet <command> [options]\n"
        "\n"
        "Eyelet: a row-stationary DNN accelerator (RTL, golden model and tools).\n"
        "\n"
        "commands:\n";
  for (const Command& c : kCommands) {
    std::string name = c.name;
    name.resize(8, ' ');
    os << "  " << name << c.summary << "\n";
  }
  os << "  help    show the options of a command: eyelet help <command>\n"
        "\n"
        "Run 'eyelet <command> --help' for a command's options. Exit codes: 0 ok, 1 a\n"
        "comparison failed, 2 usage error, 3 error while running the job.\n";
}

void PrintCommandUsage(const Command& c, std::ostream& os) {
  os << "usage: eyelet " << c.name << " [options]\n\n" << c.details << "\n\n" << c.describe();
}

int LayerCommand(const std::vector<std::string>& args, std::ostream& out) {
  const po::variables_map vm = ParseFlags(args, LayerDescription());
  if (vm.count("help")) {
    PrintCommandUsage(*FindCommand("layer"), out);
    return kExitOk;
  }
  return RunLayer(LayerOptionsFrom(vm), out);
}

int PeCommand(const std::vector<std::string>& args, std::ostream& out) {
  const po::variables_map vm = ParseFlags(args, PeDescription());
  if (vm.count("help")) {
    PrintCommandUsage(*FindCommand("pe"), out);
    return kExitOk;
  }
  return RunPe(PeOptionsFrom(vm), out);
}

}  // namespace

int RunLayer(const LayerOptions& o, std::ostream& out) {
  if (o.backend == "rtl") {
    throw UnsupportedError(
        "the rtl backend for whole layers arrives with the PE array; use `eyelet pe` for the "
        "RTL PE bench");
  }
  if (o.backend != "golden") {
    throw UnsupportedError("unknown backend '" + o.backend + "'; use golden");
  }
  if (!o.output_path.empty()) {  // fail before the work, not after it
    const std::filesystem::path dir = std::filesystem::path(o.output_path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
      throw FileError(o.output_path + ": directory " + dir.string() +
                      " does not exist; create it first");
    }
  }
  if (o.type == LayerType::kPool && !o.weights_path.empty()) {
    throw UnsupportedError("a pooling layer has no weights; drop --weights");
  }
  std::optional<Tensor<int16_t>> x;
  std::optional<Tensor<int16_t>> w;
  if (!o.input_path.empty()) x = LoadLayerTensor(o.input_path, o.type);
  if (!o.weights_path.empty()) w = LoadLayerTensor(o.weights_path, o.type);
  Rng rng(o.seed);
  const Tensor<int16_t>* x_file = x ? &*x : nullptr;
  const Tensor<int16_t>* w_file = w ? &*w : nullptr;
  switch (o.type) {
    case LayerType::kConv:
      return RunConv(o, x_file, w_file, rng, out);
    case LayerType::kFc:
      return RunFc(o, x_file, w_file, rng, out);
    case LayerType::kPool:
      return RunPool(o, x_file, rng, out);
  }
  throw UnsupportedError("unknown layer type");
}

int RunPe(const PeOptions& o, std::ostream& out) {
  PeBench bench(o.trace_path);
  const PeConfig cfg = bench.config();
  out << "PE: " << cfg.data_bits << "-bit data, " << cfg.acc_bits << "-bit psums, spads ifmap "
      << cfg.ifmap_depth << " / filter " << cfg.filter_depth << " / psum " << cfg.psum_depth
      << ", stall " << o.stall << ", seed " << o.seed << "\n";
  const int first = o.job ? *o.job : 0;
  const int end = o.job ? *o.job + 1 : o.count;
  int passed = 0;
  int failed = 0;
  int first_failure = -1;
  uint64_t cycles = 0;
  uint64_t macs = 0;
  uint64_t skipped = 0;
  for (int i = first; i < end; ++i) {
    Rng rng(JobSeed(o.seed, i));
    const PeJob job = DrawPeJob(cfg, o.stall, rng);
    std::string problem;
    try {
      const PeResult res = bench.Run(job);
      cycles += res.cycles;
      macs += res.macs;
      skipped += res.skipped;
      problem = CheckPeResult(job, res, PeReference(job, cfg.data_bits, cfg.acc_bits));
    } catch (const TimeoutError& e) {  // a hung PE is a failing job; the next one clears it
      problem = e.what();
    }
    if (problem.empty()) {
      ++passed;
    } else {
      if (failed++ == 0) first_failure = i;
      out << "FAIL " << DescribeJob(i, job) << ": " << problem << "\n";
    }
  }
  out << passed << " passed, " << failed << " failed\n";
  char util[32];
  std::snprintf(util, sizeof(util), "%.1f%%",
                cycles == 0 ? 0.0 : 100.0 * static_cast<double>(macs + skipped) / cycles);
  out << "cycles " << cycles << ", macs " << macs << ", skipped by zero gating " << skipped
      << ", MAC utilization (macs+skipped)/cycles " << util << "\n";
  if (failed > 0) {
    out << "rerun a failing job alone, e.g.: eyelet pe --seed " << o.seed << " --stall " << o.stall
        << " --job " << first_failure << " --trace job" << first_failure << ".fst\n";
  }
  return failed > 0 ? kExitMismatch : kExitOk;
}

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  if (args.empty()) {
    PrintMainUsage(err);
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    if (args.size() == 1) {
      PrintMainUsage(out);
      return kExitOk;
    }
    const Command* c = FindCommand(args[1]);
    if (c != nullptr && args.size() == 2) {
      PrintCommandUsage(*c, out);
      return kExitOk;
    }
    if (c == nullptr) {
      err << "eyelet: no help for '" << args[1] << "': not a command\n\n";
    } else {
      err << "eyelet: help takes one command name, not '" << args[2] << "' as well\n\n";
    }
    PrintMainUsage(err);
    return kExitUsage;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    err << "eyelet: unknown " << (name[0] == '-' ? "option" : "command") << " '" << name << "'\n\n";
    PrintMainUsage(err);
    return kExitUsage;
  }
  try {
    return command->run(std::vector<std::string>(args.begin() + 1, args.end()), out);
  } catch (const UsageError& e) {
    err << "eyelet " << command->name << ": " << e.what() << "\n\n";
    PrintCommandUsage(*command, err);
    return kExitUsage;
  } catch (const Error& e) {
    err << "eyelet: error: " << e.what() << "\n";
    return kExitError;
  } catch (const std::exception& e) {
    err << "eyelet: error: internal: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace eyelet
