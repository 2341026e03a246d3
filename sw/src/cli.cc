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
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "array_bench.h"
#include "eyelet/error.h"
#include "eyelet/cost_model.h"
#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/device.h"
#include "eyelet/golden.h"
#include "eyelet/golden_device.h"
#include "eyelet/map_report.h"
#include "eyelet/json.h"
#include "eyelet/mapping.h"
#include "eyelet/nets.h"
#include "eyelet/npy.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "eyelet/tensor.h"
#include "pe_bench.h"
#include "rtl_device.h"

namespace eyelet {
namespace {

namespace po = boost::program_options;

constexpr int kMaxDimFlag = 1 << 16;  // sanity bound on every shape flag
constexpr int kMaxRandomChannels = 16;
constexpr int kMaxRandomSize = 32;
constexpr int kMaxRandomKernel = 5;
constexpr double kMaxStall = 0.9;
constexpr double kPeZeroFraction = 0.3;

// Bounds on the shapes `eyelet layer` draws. The rtl backend draws smaller layers so that a
// default run simulates in well under a second; kernels <= 5 always map (S*q fits the 12-word
// ifmap spad with q = 1, taller R is split into row groups) and C*H*W fits every GLB.
struct DrawBounds {
  int channels;  // C and M
  int size;      // H and W
  int kernel;    // R and S
};
constexpr DrawBounds kGoldenDraw{kMaxRandomChannels, kMaxRandomSize, kMaxRandomKernel};
constexpr DrawBounds kRtlDraw{8, 16, kMaxRandomKernel};
// POOL layers on the rtl backend: the hardware pools windows of 1..3 (kPoolMaxWindow).
constexpr DrawBounds kRtlPoolDraw{8, 16, 3};

// FC shapes `eyelet layer --backend rtl` draws: half of them flat (N x K x 1 x 1), half
// C x H x W (run with R = H, S = W filters, which always fit the spads at these sizes).
struct FcDrawBounds {
  int batch;
  int features;  // K of a flat input
  int channels;  // C of a C x H x W input
  int size;      // its H and W
  int outputs;   // M
};
constexpr FcDrawBounds kRtlFcDraw{8, 300, 8, 6, 32};

// `eyelet sweep` layers and data, and `eyelet layer --backend rtl` output.
constexpr int kSweepMaxKernel = 11;  // S <= 11 fits the ifmap spad with q = 1
constexpr int kSweepMappingAttempts = 200;
constexpr int kSweepFcMaxBatch = 8;
constexpr int kSweepFcMaxFeatures = 2000;  // K; the mapper takes 1 to 3 s at this size
constexpr int kSweepFcMaxOutputs = 64;     // M
constexpr double kSweepIfmapZeros = 0.3;  // exercises the PEs' zero gating
constexpr double kSweepWeightZeros = 0.1;
constexpr int kSweepPoolMaxImages = 3;  // POOL layers: N 1..3, C 1..6, H, W 1..16
constexpr int kSweepPoolMaxChannels = 6;
constexpr int kSweepPoolMaxSize = 16;
constexpr double kSweepPostPoolChance = 1.0 / 3;  // of a requantizing --post path
constexpr int kMismatchesListed = 5;

int64_t DataMin(int bits) { return -(int64_t{1} << (bits - 1)); }
int64_t DataMax(int bits) { return (int64_t{1} << (bits - 1)) - 1; }

Tensor<int16_t> RandomData(const Shape& shape, int data_bits, Rng& rng) {
  Tensor<int16_t> t(shape);
  for (int16_t& v : t.data()) {
    v = static_cast<int16_t>(rng.Uniform(DataMin(data_bits), DataMax(data_bits)));
  }
  return t;
}

// As RandomData, with about `zero_fraction` of the values 0.
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

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// "12.3%"
std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * fraction);
  return buf;
}

// How far `model` is from `measured`, as "+1.2%".
std::string SignedPercent(int64_t model, uint64_t measured) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%+.1f%%",
                measured == 0 ? 0.0
                              : 100.0 * (static_cast<double>(model) - static_cast<double>(measured)) /
                                    static_cast<double>(measured));
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

// "tiny (3x4), small (6x7), eyeriss (12x14)", for help texts.
std::string ConfigList() {
  std::string list;
  for (const ArrayConfig& c : BuiltConfigs()) {
    if (!list.empty()) list += ", ";
    list += c.name + " (" + std::to_string(c.rows) + "x" + std::to_string(c.cols) + ")";
  }
  return list;
}

// --config: a built hardware config (ConfigByName throws UsageError naming them all).
std::string ConfigFlag(const po::variables_map& vm) {
  const std::string name =
      vm.count("config") ? vm["config"].as<std::string>() : kDefaultArrayConfig;
  return ConfigByName(name).name;
}

// --mapping e,p,q,r,t: five positive integers. Whether they fit the layer and the array is
// CompleteMapping's call, made when the layer is known.
RsMapping MappingFlag(const std::string& text) {
  const std::string what = "--mapping '" + text +
                           "' must be five positive integers e,p,q,r,t (PE-set width, filters "
                           "per PE, channels per PE, sets chained on channels, chains on "
                           "filters), e.g. 4,2,1,1,2";
  std::vector<int> v;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty() || item.size() > 5 ||
        item.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(what);
    }
    v.push_back(std::stoi(item));
    if (v.back() < 1) throw UsageError(what);
  }
  if (v.size() != 5 || text.back() == ',') throw UsageError(what);
  RsMapping m;
  m.e = v[0];
  m.p = v[1];
  m.q = v[2];
  m.r = v[3];
  m.t = v[4];
  return m;
}

// The --mapping spelling of a mapping's free parameters.
std::string MappingArg(const RsMapping& m) {
  std::ostringstream os;
  os << m.e << "," << m.p << "," << m.q << "," << m.r << "," << m.t;
  return os.str();
}

// --pool KxK[/S]: a max-pooling window (R x S rectangles too) and a stride on both axes, the
// window's own size on each axis when /S is left out. No padding, floor mode (--pool-pad and
// --pool-ceil set those).
PoolParams PoolFlag(const std::string& text) {
  const std::string what = "--pool '" + text +
                           "' must be a window KxK of positive sizes with an optional stride /S, "
                           "e.g. 3x3/2 (3x3 alone has stride 3)";
  auto number = [&](const std::string& item) {
    if (item.empty() || item.size() > 5 ||
        item.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError(what);
    }
    const int v = std::stoi(item);
    if (v < 1 || v > kMaxDimFlag) throw UsageError(what);
    return v;
  };
  const size_t slash = text.find('/');
  const std::string window = text.substr(0, slash);
  const size_t x = window.find('x');
  if (x == std::string::npos) throw UsageError(what);
  PoolParams p;
  p.kernel_h = number(window.substr(0, x));
  p.kernel_w = number(window.substr(x + 1));
  if (slash == std::string::npos) {
    p.stride_h = p.kernel_h;
    p.stride_w = p.kernel_w;
  } else {
    p.stride_h = p.stride_w = number(text.substr(slash + 1));
  }
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 0;
  p.ceil_mode = false;
  return p;
}

// "3x3/2", "3x2/3x2 pad 1 ceil": a pooling as --pool spells it, with its padding (uniform as
// one number, else top,left,bottom,right) and ceil mode.
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

// The rtl backend pools in hardware: windows and strides of 1..kPoolMaxWindow.
void CheckHardwarePool(const PoolParams& p) {
  const int most = static_cast<int>(kPoolMaxWindow);
  if (p.kernel_h > most || p.kernel_w > most || p.stride_h > most || p.stride_w > most) {
    throw UnsupportedError("max pool " + PoolText(p) + ": the hardware pools windows up to " +
                           std::to_string(most) + "x" + std::to_string(most) +
                           " with strides up to " + std::to_string(most) +
                           "; use a smaller window or stride, or --backend golden");
  }
}

// Fails before the work, not after it, when `path` (to be written) is in a missing directory.
void CheckParentDir(const std::string& path) {
  if (path.empty()) return;
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    throw FileError(path + ": directory " + dir.string() + " does not exist; create it first");
  }
}

// The layer shape flags `layer` and `map` share (batch aside, whose help differs).
void AddShapeOptions(po::options_description& d) {
  // clang-format off
  d.add_options()
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
      ("groups", po::value<int>()->value_name("G"), "conv groups; must divide C and M");
  // clang-format on
}

// Copies the shape flags of AddShapeOptions into `o` after checking their ranges.
void ShapeFlags(const po::variables_map& vm, LayerOptions* o) {
  IntFlag(vm, "in-channels", 1, kMaxDimFlag, &o->in_channels);
  IntFlag(vm, "out-channels", 1, kMaxDimFlag, &o->out_channels);
  IntFlag(vm, "height", 1, kMaxDimFlag, &o->height);
  IntFlag(vm, "width", 1, kMaxDimFlag, &o->width);
  if (vm.count("kernel") && (vm.count("kernel-h") || vm.count("kernel-w"))) {
    throw UsageError("give --kernel, or --kernel-h and --kernel-w, not both");
  }
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o->kernel_h);
  IntFlag(vm, "kernel", 1, kMaxDimFlag, &o->kernel_w);
  IntFlag(vm, "kernel-h", 1, kMaxDimFlag, &o->kernel_h);
  IntFlag(vm, "kernel-w", 1, kMaxDimFlag, &o->kernel_w);
  IntFlag(vm, "stride", 1, kMaxDimFlag, &o->stride);
  IntFlag(vm, "pad", 0, kMaxDimFlag, &o->pad);
  IntFlag(vm, "groups", 1, kMaxDimFlag, &o->groups);
}

// --- eyelet layer

const char kLayerSummary[] = "run one layer through the golden model or the Verilated PE array";
const char kLayerDetails[] =
    "Runs one layer through the bit-exact golden model and prints its shapes, MAC count and\n"
    "the FNV-1a checksum of the output (int32 accumulators for conv/fc, int16 for pool).\n"
    "Shape flags left out are drawn from --seed (C, M <= 16; H, W <= 32; kernel 1..5; fc:\n"
    "batch 1..2) or taken from --input/--weights, so `eyelet layer --seed 7` is the same\n"
    "layer every time. An fc input is N x C x H x W with K = C*H*W features (--in-channels,\n"
    "--height, --width); its weights are M x K.\n"
    "\n"
    "--bias, --requant, --relu / --leaky and --pool KxK[/S] (conv, fc) send the outputs\n"
    "through the output path: bias, requantization to int16 (parameters drawn from the seed,\n"
    "fitted to each channel's accumulators), activation, then max pooling (--pool needs\n"
    "--requant; --pool-pad P pads all sides, --pool-ceil rounds the pooled size up as ONNX\n"
    "ceil_mode). The output shape printed and written is the pooled one.\n"
    "\n"
    "--backend rtl runs the layer through the driver on the Verilated accelerator of\n"
    "--config instead, with the mapper's mapping or --mapping, compares every output element\n"
    "with the golden model and prints PASS or FAIL (with the first mismatches), the mapping,\n"
    "DRAM tiling, cycles, passes, PE utilization (layer MACs / (PEs x cycles)), active PEs,\n"
    "MACs done and zero-gated, the words on each network, GLB accesses and DRAM bytes. Exit\n"
    "1 on FAIL. An FC layer runs as the CONV layer it equals: R = H, S = W, one output per\n"
    "image and filter, the batch reusing the filters; a flat input (at most one of C, H, W\n"
    "above 1) as K channels of 1 x 1, and --mapping applies to that CONV layer. --pool fuses\n"
    "the pooling into the layer's store (or, when no tiling suits the walker's line buffer,\n"
    "runs it as a second descriptor); the hardware pools windows and strides of 1..3. A POOL\n"
    "layer runs as a 1x1 CONV of weight 1 over its N*C planes with the pooling fused. Drawn\n"
    "shapes are smaller here (conv: C, M <= 8; H, W <= 16; fc: batch 1..8, M <= 32, half flat\n"
    "with K <= 300, half C <= 8 x H, W <= 6; pool: C <= 8, H, W <= 16, windows up to 3), so\n"
    "the same seed draws a different layer than on the golden backend; give shape flags to\n"
    "run the same one.";

po::options_description LayerDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("type", po::value<std::string>()->value_name("conv|fc|pool")->default_value("conv"),
       "layer type")
      ("seed", po::value<int64_t>()->value_name("N")->default_value(1),
       "seed for every shape and value drawn at random")
      ("batch", po::value<int>()->value_name("N"), "batch N (random: 1..2)");
  AddShapeOptions(d);
  d.add_options()
      ("data-bits", po::value<int>()->value_name("8|16")->default_value(kDefaultDataBits),
       "data width of activations and weights")
      ("backend", po::value<std::string>()->value_name("golden|rtl")->default_value("golden"),
       "the golden model, or the Verilated accelerator")
      ("config", po::value<std::string>()->value_name("NAME"),
       ("rtl: the PE array, one of\n" + ConfigList() + "; default " + kDefaultArrayConfig)
           .c_str())
      ("mapping", po::value<std::string>()->value_name("e,p,q,r,t"),
       "rtl: mapping instead of the mapper's: PE-set width e,\n"
       "filters per PE p, channels per PE q, sets chained on\n"
       "channels r, chains on filters t (n = batch)")
      ("trace", po::value<std::string>()->value_name("FILE.fst"),
       "rtl: write an FST waveform of the run")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "rtl: write the result and the counters as JSON")
      ("input", po::value<std::string>()->value_name("FILE.npy"),
       "input tensor (int8/int16, NCHW) instead of random data")
      ("weights", po::value<std::string>()->value_name("FILE.npy"),
       "weights (int8/int16): M x C/G x R x S for conv; M x K for fc\n"
       "(and a 2-D fc input is N x K)")
      ("output", po::value<std::string>()->value_name("FILE.npy"),
       "write the output: int32 accumulators (conv, fc) or int16\n"
       "(pool; conv, fc with --requant)")
      ("bias", "conv, fc: add a random bias per output channel")
      ("requant", "conv, fc: requantize to int16, a random multiplier and\n"
       "shift per output channel fitted to its accumulators")
      ("relu", "conv, fc: ReLU after --requant")
      ("leaky", "conv, fc: leaky ReLU (random slope) after --requant")
      ("pool", po::value<std::string>()->value_name("KxK[/S]"),
       "max pooling, e.g. 3x3/2 (stride K when /S is left out):\n"
       "conv, fc: of the --requant outputs, after the activation;\n"
       "pool: instead of --kernel and --stride. rtl: K, S <= 3")
      ("pool-pad", po::value<int>()->value_name("P"),
       "with --pool: pooling padding on all four sides (P < K)")
      ("pool-ceil", "ceil mode (ONNX ceil_mode) for the pooled size");
  // clang-format on
  return d;
}

// --pool, --pool-pad and --pool-ceil into `o` (after the type and the output-path flags).
void PoolFlags(const po::variables_map& vm, LayerOptions* o) {
  if (vm.count("pool")) {
    o->pool = true;
    o->pool_params = PoolFlag(vm["pool"].as<std::string>());
    if (vm.count("pool-pad")) {
      const int pad = vm["pool-pad"].as<int>();
      const int most = std::min(o->pool_params.kernel_h, o->pool_params.kernel_w) - 1;
      if (pad < 0 || pad > most) {
        throw UsageError("--pool-pad " + std::to_string(pad) + " must be between 0 and " +
                         std::to_string(most) + ": a window of --pool " +
                         vm["pool"].as<std::string>() + " must cover an input element");
      }
      PoolParams& p = o->pool_params;
      p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
    }
  } else if (vm.count("pool-pad")) {
    throw UsageError("--pool-pad goes with --pool KxK[/S]");
  }
  o->pool_params.ceil_mode = vm.count("pool-ceil") > 0;
  if (o->type == LayerType::kPool) {
    if (o->pool) {
      RejectFlags(vm, {"kernel", "kernel-h", "kernel-w", "stride", "pad"},
                  "and --pool both set the pooling; give one of them");
    }
    return;
  }
  if (vm.count("pool-ceil") && !o->pool) throw UsageError("--pool-ceil goes with --pool KxK[/S]");
  if (o->pool && !o->requant) {
    throw UsageError("--pool pools the requantized int16 outputs; add --requant");
  }
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
  ShapeFlags(vm, &o);
  o.data_bits = vm["data-bits"].as<int>();
  if (o.data_bits != 8 && o.data_bits != 16) {
    throw UsageError("--data-bits must be 8 or 16, not " + std::to_string(o.data_bits));
  }
  o.backend = vm["backend"].as<std::string>();
  if (o.backend == "golden") {
    RejectFlags(vm, {"config", "mapping", "trace", "json"}, "applies to --backend rtl only");
  } else if (o.backend == "rtl") {
    o.config = ConfigFlag(vm);
    if (vm.count("mapping")) o.mapping = MappingFlag(vm["mapping"].as<std::string>());
    if (vm.count("trace")) o.trace_path = vm["trace"].as<std::string>();
    if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  } else {
    throw UsageError("--backend must be golden or rtl, not '" + o.backend + "'");
  }
  if (vm.count("input")) o.input_path = vm["input"].as<std::string>();
  if (vm.count("weights")) o.weights_path = vm["weights"].as<std::string>();
  if (vm.count("output")) o.output_path = vm["output"].as<std::string>();
  if (o.type == LayerType::kFc) {
    RejectFlags(vm, {"kernel", "kernel-h", "kernel-w", "stride", "pad", "groups"},
                "does not apply to --type fc");
  } else if (o.type == LayerType::kPool) {
    RejectFlags(vm, {"out-channels", "groups", "weights", "bias", "requant", "relu", "leaky"},
                "does not apply to --type pool");
  }
  o.bias = vm.count("bias") > 0;
  o.requant = vm.count("requant") > 0;
  o.relu = vm.count("relu") > 0;
  o.leaky = vm.count("leaky") > 0;
  if ((o.relu || o.leaky) && !o.requant) {
    throw UsageError("--relu and --leaky act on requantized int16 outputs; add --requant");
  }
  if (o.relu && o.leaky) throw UsageError("give --relu or --leaky, not both");
  PoolFlags(vm, &o);
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

// Upper bound for a drawn kernel: at most `max_kernel` and no larger than the padded input
// when that is known.
int KernelBound(const std::optional<int>& size, const std::optional<int>& pad,
                int max_kernel = kMaxRandomKernel) {
  int hi = max_kernel;
  if (size) hi = std::min(hi, *size + 2 * pad.value_or(0));
  return std::max(1, hi);
}

struct ConvSetup {
  Shape x;
  Shape w;
  ConvParams params;
};

// The shapes of a CONV layer from the files and flags, the rest drawn within `bounds`. With
// --pool, drawn heights and widths give outputs the pooling window fits (floor mode).
ConvSetup ResolveConv(const LayerOptions& o, const Tensor<int16_t>* x, const Tensor<int16_t>* w,
                      const DrawBounds& bounds, Rng& rng) {
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

void PrintHeader(std::ostream& out, const std::string& type, const LayerOptions& o) {
  out << "layer     " << type << " (";
  if (o.backend == "rtl") {
    const ArrayConfig& hw = ConfigByName(o.config);
    out << "rtl backend, " << hw.name << " " << hw.rows << "x" << hw.cols << " PE array, ";
  } else {
    out << "golden backend, ";
  }
  out << o.data_bits << "-bit data, seed " << o.seed << ")\n";
}

std::string Source(const std::string& path) { return path.empty() ? "" : "  (" + path + ")"; }

// The layer's output shape `y` (conv, fc), pooled when `o` pools: ShapeError naming --pool when
// the pooling does not fit it.
Shape PooledShape(const Shape& y, const LayerOptions& o) {
  if (!o.pool) return y;
  try {
    return PoolOutputShape(y, o.pool_params);
  } catch (const ShapeError& e) {
    throw ShapeError("--pool " + PoolText(o.pool_params) + " on the outputs " + y.ToString() +
                     ": " + e.what());
  }
}

// "output" with the shape written: the pooled one, naming the layer's own when it pools.
std::string OutputText(const Shape& y, const LayerOptions& o) {
  if (!o.pool) return y.ToString();
  return PooledShape(y, o).ToString() + " (max pool of " + y.ToString() + ")";
}

void PrintConvShapes(std::ostream& out, const LayerOptions& o, const ConvSetup& setup,
                     const Shape& y_shape) {
  const uint64_t macs = static_cast<uint64_t>(y_shape.Size()) * setup.w.c * setup.w.h * setup.w.w;
  PrintHeader(out, "conv", o);
  out << "input     " << setup.x.ToString() << Source(o.input_path) << "\n"
      << "weights   " << setup.w.ToString() << Source(o.weights_path) << "\n"
      << "output    " << OutputText(y_shape, o) << "\n"
      << "stride    " << setup.params.stride_h << "\n"
      << "pad       " << setup.params.pad_top << "\n"
      << "groups    " << setup.params.groups << "\n"
      << "macs      " << macs << "\n";
}

// The descriptor's post bits for the output-path flags of `o`.
uint32_t PostBitsOf(const LayerOptions& o) {
  return static_cast<uint32_t>((o.bias ? kPostBias : 0) | (o.requant ? kPostRequant : 0) |
                               (o.relu ? kPostRelu : 0) | (o.leaky ? kPostLeaky : 0));
}

// int16 outputs held widened in `y`, as int16.
Tensor<int16_t> Narrow(const Tensor<int32_t>& y) {
  Tensor<int16_t> narrow(y.shape());
  std::transform(y.data().begin(), y.data().end(), narrow.data().begin(),
                 [](int32_t v) { return static_cast<int16_t>(v); });
  return narrow;
}

// Writes --output: int32 accumulators, or the output path's int16 outputs (`int16`).
void SaveConvOutput(std::ostream& out, const std::string& path, const Tensor<int32_t>& y,
                    bool int16 = false) {
  if (path.empty()) return;
  if (int16) {
    SaveTensor(path, Narrow(y), kNpyInt16);
  } else {
    SaveTensor(path, y, kNpyInt32);
  }
  out << "wrote     " << path << " (" << (int16 ? "int16 " : "int32 ") << y.shape().ToString()
      << ")\n";
}

// The output path --bias, --requant, --relu, --leaky and --pool ask for, for accumulators `acc`
// (N x M x E x F): biases up to a quarter of the largest |acc|; per channel a multiplier in
// [2^14, 2^15) and the shift that brings the channel's largest |acc + bias| to 2^14..2^15;
// a leaky slope of 1/16 to 1/4; the pooling as given. Empty when none is asked for.
std::optional<OutputPath> DrawOutputPath(const LayerOptions& o, const Tensor<int32_t>& acc,
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
  p.pool = o.pool;
  p.pool_params = o.pool_params;
  return p;
}

// "bias, requantization to int16 (per channel), ReLU".
std::string DescribeOutputPath(const OutputPath& p) {
  std::string s;
  if (!p.bias.empty()) s = "bias";
  if (p.Requantizes()) s += std::string(s.empty() ? "" : ", ") + "requantization to int16";
  if (p.relu) s += ", ReLU";
  if (p.leaky) {
    s += ", leaky ReLU (slope " + std::to_string(p.leaky_mult) + " / 2^" +
         std::to_string(p.leaky_shift) + ")";
  }
  if (p.pool) s += ", max pool " + PoolText(p.pool_params);
  return s;
}

int RunConv(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
            Rng& rng, std::ostream& out) {
  const ConvSetup setup = ResolveConv(o, x_file, w_file, kGoldenDraw, rng);
  const Shape y_shape = ConvOutputShape(setup.x, setup.w, setup.params);  // validates first
  PooledShape(y_shape, o);
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  Tensor<int32_t> y = ConvAcc(x, w, setup.params, o.data_bits);
  const std::optional<OutputPath> path = DrawOutputPath(o, y, rng);
  PrintConvShapes(out, o, setup, y_shape);
  if (path) {
    y = ApplyOutputPath(y, *path);
    out << "post      " << DescribeOutputPath(*path) << "\n";
  }
  out << "checksum  " << Hex64(Checksum(y)) << "\n";
  SaveConvOutput(out, o.output_path, y, o.requant);
  return kExitOk;
}

// --- The rtl backend: CONV layers on the Verilated PE array, checked against the golden model.

// The outcome of comparing an array output with the golden one, element by element.
struct Comparison {
  int64_t compared = 0;
  int64_t mismatches = 0;             // -1: the shapes differ
  std::vector<std::string> examples;  // the first few mismatches (or the shape problem)
  bool Pass() const { return mismatches == 0; }
  std::string Summary() const {
    if (mismatches < 0) return "FAIL (" + examples.front() + ")";
    if (mismatches == 0) {
      return "PASS (all " + std::to_string(compared) + " outputs equal the golden model's)";
    }
    return "FAIL (" + std::to_string(mismatches) + " of " + std::to_string(compared) +
           " outputs differ from the golden model)";
  }
};

Comparison CompareWithGolden(const Tensor<int32_t>& want, const Tensor<int32_t>& got) {
  Comparison c;
  if (got.shape() != want.shape()) {
    c.mismatches = -1;
    c.examples.push_back("the array returned " + got.shape().ToString() + ", expected " +
                         want.shape().ToString());
    return c;
  }
  const Shape& s = want.shape();
  c.compared = want.size();
  for (int n = 0; n < s.n; ++n) {
    for (int ch = 0; ch < s.c; ++ch) {
      for (int h = 0; h < s.h; ++h) {
        for (int w = 0; w < s.w; ++w) {
          const int32_t expected = want.at(n, ch, h, w);
          const int32_t actual = got.at(n, ch, h, w);
          if (expected == actual) continue;
          if (c.mismatches++ < kMismatchesListed) {
            std::ostringstream os;
            os << "n,c,h,w = " << n << "," << ch << "," << h << "," << w << ": expected "
               << expected << ", got " << actual;
            c.examples.push_back(os.str());
          }
        }
      }
    }
  }
  return c;
}

// The accelerator's figures for one layer, as `key  value` lines.
void PrintArrayStats(std::ostream& out, const ConvLayer& layer, const RsMapping& m,
                     const ArrayStats& st) {
  const double util = st.ArrayCycles() == 0 || st.total_pes == 0
                          ? 0.0
                          : static_cast<double>(layer.Macs()) /
                                (static_cast<double>(st.total_pes) * st.ArrayCycles());
  const double stall = st.cycles == 0 ? 0.0 : static_cast<double>(st.dma_stall) / st.cycles;
  const uint64_t dram = st.dram_rd_bytes + st.dram_wr_bytes;
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.2fx",
                st.dram_min_bytes == 0 ? 0.0 : static_cast<double>(dram) / st.dram_min_bytes);
  out << "mapping   " << m.ToString() << "\n"
      << "tiling    " << st.tiling.nb << " images x " << st.tiling.mc << " filters x "
      << st.tiling.cc << " channels x " << BandStrips(m, st.tiling)
      << " strips per GLB chunk\n"
      << "cycles    " << st.cycles << " busy: array " << st.ArrayCycles() << ", waiting for DRAM "
      << st.dma_stall << " (" << Percent(stall) << ")\n"
      << "passes    " << st.passes << "\n"
      << "util      " << Percent(util) << " (layer MACs / (" << st.total_pes
      << " PEs x array cycles))\n"
      << "pes       " << st.active_pes << " of " << st.total_pes << " active\n"
      << "pe macs   " << st.macs << " done, " << st.skipped << " zero-gated\n"
      << "noc       filter " << st.filt_words << ", ifmap " << st.if_words << ", psum in "
      << st.pin_words << ", psum out " << st.gon_words << " words\n"
      << "glb       " << st.glb_reads << " words read, " << st.glb_writes << " written\n"
      << "dram      " << st.dram_rd_bytes << " bytes read, " << st.dram_wr_bytes
      << " written; " << ratio << " the minimum " << st.dram_min_bytes
      << " (each tensor moved once)\n";
}

// The same figures as JSON members of the enclosing object.
void WriteArrayStats(JsonWriter& j, const ArrayStats& st) {
  j.Key("cycles").Int(static_cast<int64_t>(st.cycles))
      .Key("array_cycles").Int(static_cast<int64_t>(st.ArrayCycles()))
      .Key("dma_stall_cycles").Int(static_cast<int64_t>(st.dma_stall))
      .Key("passes").Int(static_cast<int64_t>(st.passes))
      .Key("utilization").Double(st.Utilization())
      .Key("active_pes").Int(static_cast<int64_t>(st.active_pes))
      .Key("total_pes").Int(static_cast<int64_t>(st.total_pes))
      .Key("macs").Int(static_cast<int64_t>(st.macs))
      .Key("macs_zero_gated").Int(static_cast<int64_t>(st.skipped))
      .Key("noc_filter_words").Int(static_cast<int64_t>(st.filt_words))
      .Key("noc_ifmap_words").Int(static_cast<int64_t>(st.if_words))
      .Key("noc_psum_in_words").Int(static_cast<int64_t>(st.pin_words))
      .Key("noc_psum_out_words").Int(static_cast<int64_t>(st.gon_words))
      .Key("glb_reads").Int(static_cast<int64_t>(st.glb_reads))
      .Key("glb_writes").Int(static_cast<int64_t>(st.glb_writes))
      .Key("dram_read_bytes").Int(static_cast<int64_t>(st.dram_rd_bytes))
      .Key("dram_write_bytes").Int(static_cast<int64_t>(st.dram_wr_bytes))
      .Key("dram_min_bytes").Int(static_cast<int64_t>(st.dram_min_bytes))
      .Key("tiling_images").Int(static_cast<int64_t>(st.tiling.nb))
      .Key("tiling_filters").Int(static_cast<int64_t>(st.tiling.mc))
      .Key("tiling_channels").Int(static_cast<int64_t>(st.tiling.cc));
}

// Writes `text` to `path` in one go (after the work is done, so a failed run leaves no
// partial report behind).
void WriteReport(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) throw FileError("cannot write the JSON report '" + path + "'");
}

// The mapping to run `layer` with: --mapping completed and checked, or the mapper's choice.
RsMapping ResolveMapping(const std::optional<RsMapping>& given, const ConvLayer& layer,
                         const ArrayConfig& hw) {
  if (!given) return ChooseMapping(layer, hw);  // throws UnsupportedError naming the limit
  RsMapping m = *given;
  m.n = layer.x.n;
  const std::string why = CompleteMapping(layer, hw, m);
  if (!why.empty()) {
    throw UnsupportedError("--mapping " + MappingArg(*given) + " does not fit layer " +
                           layer.ToString() + " on '" + hw.name + "': " + why +
                           "; change it or leave --mapping out to use the mapper's choice");
  }
  return m;
}

// The mapping of `layer` as ResolveMapping gives it; for a pooled layer one with which the
// pooling fuses into the layer's store, or failing that the unpooled layer's (the runtime then
// runs the pooling as a layer of its own after it).
RsMapping ResolveLayerMapping(const std::optional<RsMapping>& given, const ConvLayer& layer,
                              const ArrayConfig& hw) {
  if (!layer.pooled) return ResolveMapping(given, layer, hw);
  try {
    return ResolveMapping(given, layer, hw);
  } catch (const UnsupportedError& fused) {
    ConvLayer unpooled = layer;
    unpooled.pooled = false;
    try {
      return ResolveMapping(given, unpooled, hw);
    } catch (const UnsupportedError&) {
      throw fused;
    }
  }
}

// Prints what the array did with `layer` (the CONV layer it ran, for FC the one FcToConv
// makes), the checksum and the comparison with the golden output, writes --output and --json;
// returns kExitOk or kExitMismatch. `layer_text` names the layer in the JSON report.
int ReportRtlLayer(const LayerOptions& o, const ArrayConfig& hw, const std::string& type,
                   const std::string& layer_text, const ConvLayer& layer, const RsMapping& m,
                   const ArrayStats& st, const Tensor<int32_t>& want, const Tensor<int32_t>& got,
                   std::ostream& out) {
  const Comparison cmp = CompareWithGolden(want, got);
  const bool pool_only = o.type == LayerType::kPool;
  // A pool layer's checksum is over int16 values, as on the golden backend.
  auto checksum = [&](const Tensor<int32_t>& y) {
    return Hex64(pool_only ? Checksum(Narrow(y)) : Checksum(y));
  };
  PrintArrayStats(out, layer, m, st);
  if (o.pool && !pool_only) {
    out << "pooling   "
        << (st.descs > 1 ? "a pool layer of its own after the layer (it did not fuse with "
                           "this mapping and tiling)"
                         : "fused into the layer's store")
        << ", " << st.descs << " descriptor" << (st.descs == 1 ? "" : "s") << "\n";
  }
  out << "checksum  " << checksum(got);
  if (!cmp.Pass()) out << " (golden " << checksum(want) << ")";
  out << "\n";
  out << "result    " << cmp.Summary() << "\n";
  if (cmp.mismatches > 0) {
    for (const std::string& e : cmp.examples) out << "          " << e << "\n";
  }
  SaveConvOutput(out, o.output_path, got, o.requant || pool_only);
  if (!o.trace_path.empty()) out << "trace     " << o.trace_path << "\n";
  if (!o.json_path.empty()) {
    JsonWriter j;
    j.BeginObject()
        .Key("command").String("layer")
        .Key("backend").String("rtl")
        .Key("config").String(hw.name)
        .Key("type").String(type)
        .Key("layer").String(layer_text);
    if (type != "conv") j.Key("as_conv").String(layer.ToString());
    if (o.pool && !pool_only) {
      j.Key("pool").String(PoolText(o.pool_params)).Key("pool_fused").Bool(st.descs == 1);
    }
    j.Key("mapping").String(m.ToString())
        .Key("pass").Bool(cmp.Pass())
        .Key("mismatches").Int(std::max<int64_t>(cmp.mismatches, 0))
        .Key("checksum").String(checksum(got));
    WriteArrayStats(j, st);
    j.EndObject();
    WriteReport(o.json_path, j.str());
    out << "json      " << o.json_path << "\n";
  }
  return cmp.Pass() ? kExitOk : kExitMismatch;
}

int RunConvRtl(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
               Rng& rng, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const ConvSetup setup = ResolveConv(o, x_file, w_file, kRtlDraw, rng);
  ConvLayer layer{setup.x, setup.w, setup.params};
  layer.post = PostBitsOf(o);  // the mapper keeps a chunk's filters within the path's table
  const Shape y_shape = layer.Out();  // validates first
  PooledShape(y_shape, o);
  layer.pooled = o.pool;  // the mapper picks a mapping the pooling fuses with
  layer.pool = o.pool_params;
  const RsMapping m = ResolveLayerMapping(o.mapping, layer, hw);
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  Tensor<int32_t> want = ConvAcc(x, w, setup.params, o.data_bits);  // checks the data
  const std::optional<OutputPath> path = DrawOutputPath(o, want, rng);
  if (path) want = ApplyOutputPath(want, *path);
  const std::unique_ptr<ArrayBench> bench = ArrayBench::Create(hw.name, o.trace_path);
  ArrayStats st;
  const Tensor<int32_t> got = bench->RunConv(layer, x, w, m, &st, path ? &*path : nullptr);
  PrintConvShapes(out, o, setup, y_shape);
  if (path) out << "post      " << DescribeOutputPath(*path) << "\n";
  return ReportRtlLayer(o, hw, "conv", layer.ToString(), layer, m, st, want, got, out);
}

// The input and weight shapes of an FC layer.
struct FcSetup {
  Shape x;  // N x C x H x W, K = C*H*W
  Shape w;  // M x (anything with c*h*w = K)
};

// The FC shapes of `o`: from the files and flags, the rest drawn (golden: batch 1..2,
// C, M <= 16, H, W <= 32; rtl: kRtlFcDraw). Throws ShapeError for a K too large for an int.
FcSetup ResolveFc(const LayerOptions& o, const Tensor<int16_t>* x_file,
                  const Tensor<int16_t>* w_file, bool rtl, Rng& rng) {
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
  const int batch = n ? *n : rng.UniformInt(1, rtl ? kRtlFcDraw.batch : 2);
  FcSetup setup;
  if (k && !c && !h && !wd) {
    if (*k > INT_MAX) throw ShapeError("fc: K = " + std::to_string(*k) + " is too large");
    setup.x = Shape{batch, static_cast<int>(*k), 1, 1};
  } else if (k) {
    setup.x = Shape{batch, c.value_or(1), h.value_or(1), wd.value_or(1)};
  } else if (!rtl) {
    setup.x = Shape{batch, c ? *c : rng.UniformInt(1, kMaxRandomChannels),
                    h ? *h : rng.UniformInt(1, kMaxRandomSize),
                    wd ? *wd : rng.UniformInt(1, kMaxRandomSize)};
  } else if (!c && !h && !wd && rng.Chance(0.5)) {
    setup.x = Shape{batch, rng.UniformInt(1, kRtlFcDraw.features), 1, 1};
  } else {
    setup.x = Shape{batch, c ? *c : rng.UniformInt(1, kRtlFcDraw.channels),
                    h ? *h : rng.UniformInt(1, kRtlFcDraw.size),
                    wd ? *wd : rng.UniformInt(1, kRtlFcDraw.size)};
  }
  const int64_t features = int64_t{setup.x.c} * setup.x.h * setup.x.w;
  if (features > INT_MAX) {
    throw ShapeError("fc: K = C*H*W = " + std::to_string(features) + " is too large");
  }
  const int out_channels =
      m ? *m : rng.UniformInt(1, rtl ? kRtlFcDraw.outputs : kMaxRandomChannels);
  setup.w = w_file ? w_file->shape() : Shape{out_channels, 1, 1, static_cast<int>(features)};
  return setup;
}

// `y` is the FC layer's output shape before any pooling.
void PrintFcShapes(std::ostream& out, const LayerOptions& o, const Shape& x, const Shape& w,
                   const Shape& y) {
  const uint64_t macs = static_cast<uint64_t>(y.Size()) * static_cast<uint64_t>(x.c) * x.h * x.w;
  PrintHeader(out, "fc", o);
  out << "input     " << x.ToString() << Source(o.input_path) << "\n"
      << "weights   " << w.ToString() << Source(o.weights_path) << "\n"
      << "output    " << OutputText(y, o) << "\n"
      << "macs      " << macs << "\n";
}

int RunFc(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
          Rng& rng, std::ostream& out) {
  const FcSetup setup = ResolveFc(o, x_file, w_file, /*rtl=*/false, rng);
  PooledShape(Shape{setup.x.n, setup.w.n, 1, 1}, o);  // validates the pooling first
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  Tensor<int32_t> y = FcAcc(x, w, o.data_bits);
  const std::optional<OutputPath> path = DrawOutputPath(o, y, rng);
  PrintFcShapes(out, o, x.shape(), w.shape(), y.shape());
  if (path) {
    y = ApplyOutputPath(y, *path);
    out << "post      " << DescribeOutputPath(*path) << "\n";
  }
  out << "checksum  " << Hex64(Checksum(y)) << "\n";
  SaveConvOutput(out, o.output_path, y, o.requant);
  return kExitOk;
}

// "fc x 2x300x1x1 w 10x1x1x300": an FC layer by its own shapes.
std::string FcText(const Shape& x, const Shape& w) {
  return "fc x " + x.ToString() + " w " + w.ToString();
}

// An FC layer on the array: the CONV layer FcToConv makes of it (R = H, S = W, E = F = 1;
// a flat input as K channels of 1 x 1), through the driver like any CONV layer, compared with
// the golden FcAcc.
int RunFcRtl(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
             Rng& rng, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const FcSetup setup = ResolveFc(o, x_file, w_file, /*rtl=*/true, rng);
  ConvLayer layer = FcToConvLayer(setup.x, setup.w);  // ShapeError when K differs
  layer.post = PostBitsOf(o);
  PooledShape(layer.Out(), o);
  layer.pooled = o.pool;
  layer.pool = o.pool_params;
  RsMapping m;
  try {
    m = ResolveLayerMapping(o.mapping, layer, hw);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(FcText(setup.x, setup.w) + " (run as a CONV layer): " + e.what());
  }
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  Tensor<int32_t> want = FcAcc(x, w, o.data_bits);  // checks the data
  const std::optional<OutputPath> path = DrawOutputPath(o, want, rng);
  if (path) want = ApplyOutputPath(want, *path);
  const FcConv fc = FcToConv(x, w);
  const std::unique_ptr<ArrayBench> bench = ArrayBench::Create(hw.name, o.trace_path);
  ArrayStats st;
  const Tensor<int32_t> got =
      bench->RunConv(fc.layer, fc.x, fc.w, m, &st, path ? &*path : nullptr);
  PrintFcShapes(out, o, setup.x, setup.w, layer.Out());
  if (path) out << "post      " << DescribeOutputPath(*path) << "\n";
  out << "as conv   " << layer.ToString() << " (R = H, S = W)\n";
  return ReportRtlLayer(o, hw, "fc", FcText(setup.x, setup.w), layer, m, st, want, got, out);
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

// The input shape and pooling of a POOL layer.
struct PoolSetup {
  Shape x;
  PoolParams p;
};

// The shapes of `o`'s POOL layer from the file and flags, the rest drawn within `bounds`
// (C <= channels, H, W <= size, windows <= kernel, strides 1..3). Throws ShapeError when the
// pooling does not fit the input.
PoolSetup ResolvePool(const LayerOptions& o, const Tensor<int16_t>* x_file,
                      const DrawBounds& bounds, Rng& rng) {
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
  if (o.pool) {  // --pool: nothing of the pooling is drawn
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
  const PoolSetup setup{Shape{batch, channels, height, width}, p};
  PoolOutputShape(setup.x, p);  // validates before any data is drawn
  return setup;
}

void PrintPoolShapes(std::ostream& out, const LayerOptions& o, const PoolSetup& setup,
                     const Shape& y) {
  const PoolParams& p = setup.p;
  PrintHeader(out, "pool", o);
  out << "input     " << setup.x.ToString() << Source(o.input_path) << "\n"
      << "window    " << p.kernel_h << "x" << p.kernel_w << "\n"
      << "output    " << y.ToString() << "\n"
      << "stride    " << p.stride_h;
  if (p.stride_w != p.stride_h) out << "x" << p.stride_w;
  out << "\n"
      << "pad       " << p.pad_top << "\n";
  if (p.ceil_mode) out << "mode      ceil\n";
  out << "macs      0\n";
}

int RunPool(const LayerOptions& o, const Tensor<int16_t>* x_file, Rng& rng, std::ostream& out) {
  const PoolSetup setup = ResolvePool(o, x_file, kGoldenDraw, rng);
  if (x_file) CheckDataRange(*x_file, o.data_bits, o.input_path);
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> y = MaxPool(x, setup.p);
  PrintPoolShapes(out, o, setup, y.shape());
  out << "checksum  " << Hex64(Checksum(y)) << "\n";
  if (!o.output_path.empty()) {
    SaveTensor(o.output_path, y, kNpyInt16);
    out << "wrote     " << o.output_path << " (int16 " << y.shape().ToString() << ")\n";
  }
  return kExitOk;
}

// "pool x 2x3x9x9 3x3/2 pad 1": a POOL layer by its input and pooling.
std::string PoolLayerText(const Shape& x, const PoolParams& p) {
  return "pool x " + x.ToString() + " " + PoolText(p);
}

// A POOL layer on the accelerator: the 1x1 CONV of weight 1 PoolToConvLayer makes of it, with
// the pooling fused into its store (RunPool), compared with golden MaxPool.
int RunPoolRtl(const LayerOptions& o, const Tensor<int16_t>* x_file, Rng& rng, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const PoolSetup setup = ResolvePool(o, x_file, kRtlPoolDraw, rng);
  CheckHardwarePool(setup.p);
  const ConvLayer layer = PoolToConvLayer(setup.x, setup.p);  // N*C images within 65535
  if (x_file) CheckDataRange(*x_file, o.data_bits, o.input_path);
  const Tensor<int16_t> x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int16_t> pooled = MaxPool(x, setup.p);
  Tensor<int32_t> want(pooled.shape());
  std::copy(pooled.data().begin(), pooled.data().end(), want.data().begin());
  const std::unique_ptr<ArrayBench> bench = ArrayBench::Create(hw.name, o.trace_path);
  ArrayStats st;
  const Tensor<int32_t> got = bench->RunPool(x, setup.p, &st);
  PrintPoolShapes(out, o, setup, want.shape());
  out << "as conv   " << layer.ToString()
      << " (N*C images of one channel, one 1x1 filter of weight 1, the pooling fused)\n";
  return ReportRtlLayer(o, hw, "pool", PoolLayerText(setup.x, setup.p), layer, st.mapping, st, want,
                        got, out);
}

// Loads a layer's input or weights. For FC a 2-D file is a matrix, N x K (input) or M x K
// (weights), so it becomes (rows, 1, 1, K) rather than the default (1, 1, rows, K).
Tensor<int16_t> LoadLayerTensor(const std::string& path, LayerType type) {
  NpyArray a = ReadNpy(path);
  if (type == LayerType::kFc && a.shape.size() == 2) a.shape = {a.shape[0], 1, 1, a.shape[1]};
  return NpyToTensorI16(a, path);
}

int LayerCommand(const po::variables_map& vm, std::ostream& out);
int PeCommand(const po::variables_map& vm, std::ostream& out);
int SweepCommand(const po::variables_map& vm, std::ostream& out);
int InfoCommand(const po::variables_map& vm, std::ostream& out);
int MapCommand(const po::variables_map& vm, std::ostream& out);

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

// --- eyelet sweep

const char kSweepSummary[] =
    "random CONV/FC/POOL layers on the Verilated array vs the golden model";
const char kSweepDetails[] =
    "Draws random CONV layers (batch 1..4, groups 1..3, strides 1..4 with the two axes\n"
    "sometimes different, uneven padding, kernels 1..11 and filters up to 3 rows taller than\n"
    "the array, ifmaps with ~30% zeros), maps even-numbered layers with the mapper's choice\n"
    "and odd ones with a random legal mapping (so p, q, r, t > 1 and e < E occur), runs each\n"
    "on the Verilated PE array of --config and compares every output element with the\n"
    "golden model. Prints one line per layer (index, shape, mapping, PASS/FAIL, cycles), the\n"
    "first mismatches of a failing one, the totals, and last 'N passed, M failed'. Exit 1 if\n"
    "any layer failed. Layer K of a seed is the same with any --count: rerun it alone with\n"
    "--index K --trace layer.fst.\n"
    "\n"
    "--types conv,fc,pool draws each layer's type at random among those listed. FC layers\n"
    "(batch 1..8, M 1..64, K up to 2000 as a flat N x K x 1 x 1 input, a 1 x 1 x K row, or\n"
    "C x H x W with H up to 3 rows taller than the array) run as the CONV layer they equal\n"
    "(R = H, S = W, E = F = 1; a flat input as K channels of 1 x 1), are mapped and drawn a\n"
    "mapping the same way, and every output is compared with the golden FcAcc. POOL layers\n"
    "(N 1..3, C 1..6, H, W 1..16; windows and strides 1..3 per axis, pads below the window,\n"
    "ceil mode now and then) run standalone as a 1x1 CONV with the pooling fused, the\n"
    "mapper's mapping, compared with the golden MaxPool. With pool among the types, --post\n"
    "also gives a third of the requantizing output paths such a max pooling.\n"
    "\n"
    "Only --backend rtl is accepted (--backend golden is a usage error: the sweep checks a\n"
    "backend against the golden model, so the golden model has nothing to be checked\n"
    "against; run golden-model layers with `eyelet layer`).";

po::options_description SweepDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("backend", po::value<std::string>()->value_name("rtl")->default_value("rtl"),
       "where the layers run: the Verilated PE array (the only choice)")
      ("config", po::value<std::string>()->value_name("NAME")->default_value(kDefaultArrayConfig),
       ("hardware config, one of " + ConfigList()).c_str())
      ("count", po::value<int>()->value_name("N")->default_value(20), "number of layers")
      ("seed", po::value<int64_t>()->value_name("S")->default_value(1),
       "seed of the layer sequence")
      ("index", po::value<int>()->value_name("K"), "run only layer K (0-based) of the sequence")
      ("types", po::value<std::string>()->value_name("conv,fc,pool")->default_value("conv"),
       "layer types to draw, comma-separated: conv, fc, pool")
      ("post", "send each conv and fc layer's outputs through a random\n"
       "output path: bias, requantization to int16, ReLU or leaky\n"
       "ReLU (and, with pool in --types, sometimes max pooling)")
      ("trace", po::value<std::string>()->value_name("FILE.fst"),
       "write an FST waveform of the run")
      ("mem-latency", po::value<int>()->value_name("N")->default_value(8),
       "DRAM model: cycles from a read request to its first beat")
      ("mem-stall", po::value<double>()->value_name("P")->default_value(0.0),
       "DRAM model: chance that a ready or a due beat is held back in a\n"
       "cycle, on every AXI channel (0 .. 0.9)")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "write every layer's result and counters as JSON");
  // clang-format on
  return d;
}

std::vector<LayerType> TypesFlag(const std::string& text) {
  std::vector<LayerType> types;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item == "conv") {
      types.push_back(LayerType::kConv);
    } else if (item == "fc") {
      types.push_back(LayerType::kFc);
    } else if (item == "pool") {
      types.push_back(LayerType::kPool);
    } else {
      throw UsageError("--types '" + text + "' must be a comma-separated list of conv, fc, pool");
    }
  }
  if (types.empty() || text.back() == ',') {
    throw UsageError("--types '" + text + "' must be a comma-separated list of conv, fc, pool");
  }
  return types;
}

SweepOptions SweepOptionsFrom(const po::variables_map& vm) {
  SweepOptions o;
  o.backend = vm["backend"].as<std::string>();
  if (o.backend == "golden") {
    throw UsageError(
        "--backend golden: a sweep checks a backend against the golden model, so there is "
        "nothing to compare; use --backend rtl, or `eyelet layer` for golden-model layers");
  }
  if (o.backend != "rtl") throw UsageError("--backend must be rtl, not '" + o.backend + "'");
  o.config = ConfigFlag(vm);
  o.count = vm["count"].as<int>();
  if (o.count < 0) throw UsageError("--count " + std::to_string(o.count) + " must be >= 0");
  o.seed = SeedFlag(vm);
  IntFlag(vm, "index", 0, INT_MAX, &o.index);
  o.types = TypesFlag(vm["types"].as<std::string>());
  o.post = vm.count("post") > 0;
  if (vm.count("trace")) o.trace_path = vm["trace"].as<std::string>();
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  o.mem_latency = vm["mem-latency"].as<int>();
  if (o.mem_latency < 1 || o.mem_latency > 10000) {
    throw UsageError("--mem-latency " + std::to_string(o.mem_latency) + " must be 1..10000");
  }
  o.mem_stall = vm["mem-stall"].as<double>();
  if (!(o.mem_stall >= 0.0 && o.mem_stall <= kMaxStall)) {
    throw UsageError("--mem-stall " + std::to_string(o.mem_stall) + " must be 0 .. 0.9");
  }
  return o;
}

// A random CONV layer for `hw` (see kSweepDetails). Every layer it draws maps: S <= 11 fits
// the ifmap spad, taller R is split into row groups, and C/G x H x W stays far below the GLB.
ConvLayer DrawSweepLayer(const ArrayConfig& hw, Rng& rng) {
  ConvLayer l;
  const int groups = rng.Chance(0.25) ? rng.UniformInt(2, 3) : 1;
  const int kind = rng.UniformInt(0, 7);
  int r;
  if (kind == 0) {
    r = hw.rows + rng.UniformInt(1, 3);  // taller than the array: row groups
  } else if (kind <= 2) {
    r = rng.UniformInt(1, kSweepMaxKernel);
  } else {
    r = rng.UniformInt(1, kMaxRandomKernel);
  }
  const int s = rng.Chance(0.25) ? rng.UniformInt(1, std::min(kSweepMaxKernel, hw.ifmap_depth))
                                 : rng.UniformInt(1, kMaxRandomKernel);
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

// A random FC layer for `hw` (see kSweepDetails): batch 1..8, M 1..64, and K up to
// kSweepFcMaxFeatures as a flat N x K x 1 x 1 input, a row vector N x 1 x 1 x K (also flat),
// or C x H x W with H up to 3 rows taller than the array (row groups) and W <= 11 (S fits the
// ifmap spad with q = 1), so every layer maps. Weights are M x 1 x 1 x K or M x C x H x W.
FcSetup DrawSweepFc(const ArrayConfig& hw, Rng& rng) {
  const int batch = rng.UniformInt(1, kSweepFcMaxBatch);
  const int outputs = rng.UniformInt(1, kSweepFcMaxOutputs);
  const int kind = rng.UniformInt(0, 3);
  FcSetup s;
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

// A random pooling of an e x f plane the hardware runs: windows and strides 1..3 on each
// axis, pads below the window on each side, ceil mode now and then; empty when none of the
// draws fits the plane.
std::optional<PoolParams> DrawSweepPooling(int e, int f, Rng& rng) {
  const int most = static_cast<int>(kPoolMaxWindow);
  for (int attempt = 0; attempt < kSweepMappingAttempts; ++attempt) {
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

// A random standalone POOL layer (see kSweepDetails): its input shape and pooling.
PoolSetup DrawSweepPool(Rng& rng) {
  PoolSetup s;
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

// A random legal mapping of `l` (channel and filter counts may exceed the layer's, so the
// zero padding of incomplete blocks is exercised too). Falls back to the mapper's choice, and
// says so in `*drawn`, when no draw is legal.
RsMapping DrawMapping(const ConvLayer& l, const ArrayConfig& hw, Rng& rng, bool* drawn) {
  const int cg = l.x.c / l.conv.groups;
  const int mg = l.w.n / l.conv.groups;
  const int s = l.w.w;
  for (int attempt = 0; attempt < kSweepMappingAttempts; ++attempt) {
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

// "e=4 p=2 q=1 r=1 t=2": the free parameters of a mapping.
std::string ShortMapping(const RsMapping& m) {
  std::ostringstream os;
  os << "e=" << m.e << " p=" << m.p << " q=" << m.q << " r=" << m.r << " t=" << m.t;
  return os.str();
}

// --- eyelet info

const char kInfoSummary[] = "print a device's hardware configuration, read from its CSRs";
const char kInfoDetails[] =
    "Opens the device (--backend rtl: the Verilated accelerator of --config; golden: the\n"
    "golden-model device with the same configuration) and prints what its read-only CSRs\n"
    "report: ID and CSR map version, PE array, scratchpad depths, data, psum, AXI and\n"
    "address widths, global-buffer areas, output-path table, pooling line buffer, and the\n"
    "DRAM window the driver uses. The driver\n"
    "maps layers from these registers, so one driver serves every build.";

po::options_description InfoDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("config", po::value<std::string>()->value_name("NAME")->default_value(kDefaultArrayConfig),
       ("hardware config, one of " + ConfigList()).c_str())
      ("backend", po::value<std::string>()->value_name("rtl|golden")->default_value("rtl"),
       "the Verilated accelerator or the golden-model device")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "also write the configuration as JSON");
  // clang-format on
  return d;
}

// --- eyelet map

const char kMapSummary[] = "predict the mapping and cost of CONV layers, beside Eyeriss's";
const char kMapDetails[] =
    "Maps every CONV layer of a built-in network (--net) or one layer given by shape flags\n"
    "(--layer) onto the PE array of --config and prints one row per layer: the mapper's\n"
    "choice (e,p,q,r,t; n images per pass; DRAM tiling nb images x mc filters x cc\n"
    "channels x sb ofmap strips per GLB chunk), active PEs, predicted cycles (the array's,\n"
    "plus DRAM transfers that do not overlap with them) and DRAM traffic against its\n"
    "minimum. Nothing is simulated.\n"
    "\n"
    "Where Eyeriss published a mapping of the layer (--net alexnet, batch 4 in the paper),\n"
    "it is evaluated by the same model beside ours, and a second table shows its active\n"
    "PEs, spad use, GLB use computed the Eyeriss way beside the paper's figures, whether it\n"
    "fits Eyeriss's own limits and why our RTL could not run it. A layer our mapper cannot\n"
    "map shows the limit that fails; with --layer that is an error (exit 3).";

// "alexnet, vgg16", for the help text.
std::string NetList() {
  std::string list;
  for (const Net& n : BuiltNets()) list += (list.empty() ? "" : ", ") + n.name;
  return list;
}

po::options_description MapDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("net", po::value<std::string>()->value_name("NAME"),
       ("the CONV layers of a built-in network: " + NetList()).c_str())
      ("layer", po::bool_switch(), "one layer, from the shape flags below")
      ("type", po::value<std::string>()->value_name("conv|fc")->default_value("conv"),
       "--layer: conv, or fc (C x H x W inputs, M outputs)")
      ("batch", po::value<int>()->value_name("N")->default_value(1), "images N");
  AddShapeOptions(d);
  d.add_options()
      ("config", po::value<std::string>()->value_name("NAME")->default_value("eyeriss"),
       ("hardware config, one of " + ConfigList()).c_str())
      ("json", po::value<std::string>()->value_name("FILE"), "also write the rows as JSON");
  // clang-format on
  return d;
}

// --layer: the layer the shape flags describe (nothing is drawn at random).
ConvLayer MapLayerFlags(const po::variables_map& vm, int batch) {
  LayerOptions s;
  ShapeFlags(vm, &s);
  const std::string type = vm["type"].as<std::string>();
  ConvLayer l;
  if (type == "fc") {
    RejectFlags(vm, {"kernel", "kernel-h", "kernel-w", "stride", "pad", "groups"},
                "does not apply to --type fc");
    if (!s.in_channels || !s.out_channels) {
      throw UsageError(
          "--layer --type fc needs --in-channels and --out-channels (--height and "
          "--width default to 1)");
    }
    // The CONV layer the runtime runs the FC layer as (R = H, S = W; a flat input as K
    // channels of 1 x 1).
    const Shape x{batch, *s.in_channels, s.height.value_or(1), s.width.value_or(1)};
    return FcToConvLayer(x, Shape{*s.out_channels, x.c, x.h, x.w});
  }
  if (type != "conv") throw UsageError("--type must be conv or fc, not '" + type + "'");
  if (!s.in_channels || !s.out_channels || !s.height || !s.width || !s.kernel_h || !s.kernel_w) {
    throw UsageError(
        "--layer needs --in-channels, --out-channels, --height, --width and "
        "--kernel (or --kernel-h and --kernel-w)");
  }
  const int groups = s.groups.value_or(1);
  l.x = Shape{batch, *s.in_channels, *s.height, *s.width};
  l.w = Shape{*s.out_channels, *s.in_channels / groups, *s.kernel_h, *s.kernel_w};
  if (*s.in_channels % groups != 0) l.w.c = 0;  // let ConvOutputShape report the groups error
  l.conv.stride_h = l.conv.stride_w = s.stride.value_or(1);
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = s.pad.value_or(0);
  l.conv.groups = groups;
  return l;
}

MapOptions MapOptionsFrom(const po::variables_map& vm) {
  MapOptions o;
  const bool layer = vm["layer"].as<bool>();
  if ((vm.count("net") > 0) == layer) {
    throw UsageError("give either --net NAME or --layer with shape flags");
  }
  std::optional<int> batch;
  IntFlag(vm, "batch", 1, kMaxDimFlag, &batch);
  o.batch = *batch;
  if (layer) {
    o.layer = MapLayerFlags(vm, o.batch);
  } else {
    o.net = NetByName(vm["net"].as<std::string>()).name;  // UsageError listing the nets
    RejectFlags(vm,
                {"in-channels", "out-channels", "height", "width", "kernel", "kernel-h", "kernel-w",
                 "stride", "pad", "groups"},
                "applies to --layer only");
    if (!vm["type"].defaulted()) throw UsageError("--type applies to --layer only");
  }
  o.config = ConfigByName(vm["config"].as<std::string>()).name;
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  return o;
}

// --- Command table and usage.

struct Command {
  const char* name;
  const char* summary;
  const char* details;
  po::options_description (*describe)();
  int (*run)(const po::variables_map& vm, std::ostream& out);  // after parsing and --help
};

const Command kCommands[] = {
    {"layer", kLayerSummary, kLayerDetails, LayerDescription, LayerCommand},
    {"pe", kPeSummary, kPeDetails, PeDescription, PeCommand},
    {"sweep", kSweepSummary, kSweepDetails, SweepDescription, SweepCommand},
    {"info", kInfoSummary, kInfoDetails, InfoDescription, InfoCommand},
    {"map", kMapSummary, kMapDetails, MapDescription, MapCommand},
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

int LayerCommand(const po::variables_map& vm, std::ostream& out) {
  return RunLayer(LayerOptionsFrom(vm), out);
}

int PeCommand(const po::variables_map& vm, std::ostream& out) {
  return RunPe(PeOptionsFrom(vm), out);
}

int SweepCommand(const po::variables_map& vm, std::ostream& out) {
  return RunSweep(SweepOptionsFrom(vm), out);
}

int InfoCommand(const po::variables_map& vm, std::ostream& out) {
  InfoOptions o;
  o.config = ConfigFlag(vm);
  o.backend = vm["backend"].as<std::string>();
  if (o.backend != "rtl" && o.backend != "golden") {
    throw UsageError("--backend must be rtl or golden, not '" + o.backend + "'");
  }
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  return RunInfo(o, out);
}

int MapCommand(const po::variables_map& vm, std::ostream& out) {
  return RunMap(MapOptionsFrom(vm), out);
}

}  // namespace

int RunLayer(const LayerOptions& o, std::ostream& out) {
  if (o.backend != "golden" && o.backend != "rtl") {
    throw UnsupportedError("unknown backend '" + o.backend + "'; use golden or rtl");
  }
  const bool rtl = o.backend == "rtl";
  if (rtl) ConfigByName(o.config);  // an unknown name is a usage error, before any work
  if (o.pool && o.type != LayerType::kPool && !o.requant) {
    throw UnsupportedError("--pool pools the requantized int16 outputs; add --requant");
  }
  if (rtl && o.pool) CheckHardwarePool(o.pool_params);  // before any work
  CheckParentDir(o.output_path);
  CheckParentDir(o.trace_path);
  CheckParentDir(o.json_path);
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
      return rtl ? RunConvRtl(o, x_file, w_file, rng, out) : RunConv(o, x_file, w_file, rng, out);
    case LayerType::kFc:
      return rtl ? RunFcRtl(o, x_file, w_file, rng, out) : RunFc(o, x_file, w_file, rng, out);
    case LayerType::kPool:
      return rtl ? RunPoolRtl(o, x_file, rng, out) : RunPool(o, x_file, rng, out);
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

// With --post, layer i's output path: one of bias alone, requantization, bias and
// requantization, + ReLU, + leaky ReLU, from its own stream (the layers and data stay those of
// a sweep without --post). With pool among the types, a requantizing path also pools now and
// then (DrawSweepPooling; drawn after the rest, so the paths are otherwise those without it).
std::optional<OutputPath> SweepOutputPath(const SweepOptions& o, int i, const Tensor<int32_t>& acc) {
  if (!o.post) return std::nullopt;
  Rng rng(JobSeed(o.seed ^ 0x9057'0000'0000ull, i));
  LayerOptions flags;
  const int kind = rng.UniformInt(0, 4);
  flags.bias = kind != 1;
  flags.requant = kind >= 1;
  flags.relu = kind == 3;
  flags.leaky = kind == 4;
  std::optional<OutputPath> path = DrawOutputPath(flags, acc, rng);
  const bool pools = std::find(o.types.begin(), o.types.end(), LayerType::kPool) != o.types.end();
  if (path && pools && path->Requantizes() && rng.Chance(kSweepPostPoolChance)) {
    const std::optional<PoolParams> p = DrawSweepPooling(acc.shape().h, acc.shape().w, rng);
    if (p) {
      path->pool = true;
      path->pool_params = *p;
    }
  }
  return path;
}

int RunSweep(const SweepOptions& o, std::ostream& out) {
  if (o.backend != "rtl") {
    throw UnsupportedError("a sweep runs on --backend rtl only, not '" + o.backend + "'");
  }
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.trace_path);
  CheckParentDir(o.json_path);
  AxiMemConfig mem;
  mem.read_latency = o.mem_latency;
  mem.ready_prob = 1.0 - o.mem_stall;
  mem.valid_prob = 1.0 - o.mem_stall;
  mem.seed = o.seed;
  std::unique_ptr<ArrayBench> bench = ArrayBench::Create(hw.name, o.trace_path, mem);
  JsonWriter j;
  j.BeginObject()
      .Key("command").String("sweep")
      .Key("config").String(hw.name)
      .Key("seed").Int(static_cast<int64_t>(o.seed))
      .Key("mem_latency").Int(static_cast<int64_t>(o.mem_latency))
      .Key("mem_stall").Double(o.mem_stall)
      .Key("layers")
      .BeginArray();
  const int first = o.index ? *o.index : 0;
  const int end = o.index ? *o.index + 1 : o.count;
  out << "sweep     " << hw.name << " " << hw.rows << "x" << hw.cols << " PE array, seed " << o.seed
      << ", ";
  if (end - first == 1) {
    out << "layer " << first << "\n";
  } else {
    out << (end - first) << " layers\n";
  }
  const int index_width = static_cast<int>(std::to_string(std::max(0, end - 1)).size());
  int passed = 0;
  int failed = 0;
  int first_failure = -1;
  uint64_t cycles = 0;
  uint64_t passes = 0;
  uint64_t layer_macs = 0;
  uint64_t model_cycles = 0;  // the cost model's prediction for the same mappings and tilings
  for (int i = first; i < end; ++i) {
    Rng rng(JobSeed(o.seed, i));
    // One type draws nothing, so a conv-only sweep draws the same layers as before FC ran.
    const LayerType type =
        o.types.size() == 1
            ? o.types[0]
            : o.types[static_cast<size_t>(rng.UniformInt(0, static_cast<int>(o.types.size()) - 1))];
    const bool fc = type == LayerType::kFc;
    const bool pool = type == LayerType::kPool;
    const FcSetup fc_shapes = fc ? DrawSweepFc(hw, rng) : FcSetup{};
    const PoolSetup pool_shapes = pool ? DrawSweepPool(rng) : PoolSetup{};
    // An FC layer runs as the CONV layer FcToConv makes of it, a POOL layer as the 1x1 CONV of
    // PoolToConvLayer.
    const ConvLayer layer = fc     ? FcToConvLayer(fc_shapes.x, fc_shapes.w)
                            : pool ? PoolToConvLayer(pool_shapes.x, pool_shapes.p)
                                   : DrawSweepLayer(hw, rng);
    const std::string layer_text = fc     ? FcText(fc_shapes.x, fc_shapes.w)
                                   : pool ? PoolLayerText(pool_shapes.x, pool_shapes.p)
                                          : layer.ToString();
    RsMapping m;
    bool mapped = false;
    bool drawn = false;
    ArrayStats st;
    int64_t model = 0;  // predicted cycles, when the layer ran
    Comparison cmp;
    std::string problem;
    std::string post_text;  // the output path, when --post drew one
    ConvLayer model_layer = layer;  // as the cost model sees the run
    try {
      if (pool) {  // the runtime maps it: the mapper's choice
        const Tensor<int16_t> x =
            RandomSparseData(pool_shapes.x, hw.data_bits, kSweepIfmapZeros, rng);
        const Tensor<int16_t> pooled = MaxPool(x, pool_shapes.p);
        Tensor<int32_t> want(pooled.shape());
        std::copy(pooled.data().begin(), pooled.data().end(), want.data().begin());
        cmp = CompareWithGolden(want, bench->RunPool(x, pool_shapes.p, &st));
        m = st.mapping;
        mapped = true;
      } else {
        m = i % 2 == 0 ? ChooseMapping(layer, hw) : DrawMapping(layer, hw, rng, &drawn);
        mapped = true;
        Tensor<int32_t> want;
        Tensor<int32_t> got;
        std::optional<OutputPath> path;
        if (fc) {
          const Tensor<int16_t> x =
              RandomSparseData(fc_shapes.x, hw.data_bits, kSweepIfmapZeros, rng);
          const Tensor<int16_t> w =
              RandomSparseData(fc_shapes.w, hw.data_bits, kSweepWeightZeros, rng);
          want = FcAcc(x, w, hw.data_bits);
          path = SweepOutputPath(o, i, want);
          const FcConv as_conv = FcToConv(x, w);
          got = bench->RunConv(layer, as_conv.x, as_conv.w, m, &st, path ? &*path : nullptr);
        } else {
          const Tensor<int16_t> x = RandomSparseData(layer.x, hw.data_bits, kSweepIfmapZeros, rng);
          const Tensor<int16_t> w = RandomSparseData(layer.w, hw.data_bits, kSweepWeightZeros, rng);
          want = ConvAcc(x, w, layer.conv, hw.data_bits);
          path = SweepOutputPath(o, i, want);
          got = bench->RunConv(layer, x, w, m, &st, path ? &*path : nullptr);
        }
        if (path) {
          want = ApplyOutputPath(want, *path);
          post_text = "  " + DescribeOutputPath(*path);
          if (path->pool && st.descs > 1) post_text += " (as a pool layer of its own)";
          if (path->pool && st.descs == 1) {  // fused: the model times the pooled store
            model_layer.post = path->PostBits();
            model_layer.pooled = true;
            model_layer.pool = path->pool_params;
          }
        }
        cmp = CompareWithGolden(want, got);
        layer_macs += static_cast<uint64_t>(layer.Macs());  // a pooling has none
      }
      RsMapping placed = m;
      placed.n = st.tiling.nb;
      CompleteMapping(model_layer, hw, placed);
      model = EstimateCycles(model_layer, hw, placed, st.tiling).cycles;
      cycles += st.cycles;
      model_cycles += static_cast<uint64_t>(model);
      passes += st.passes;
    } catch (const TimeoutError& e) {  // a hung array fails this layer; the next gets a new one
      problem = e.what();
      if (i + 1 < end) bench = ArrayBench::Create(hw.name, o.trace_path, mem);
    } catch (const Error& e) {  // a layer or mapping the mapper or the bench rejects
      problem = e.what();
    }
    const bool pass = problem.empty() && cmp.Pass();
    out << "  " << std::setw(index_width) << i << "  " << layer_text << "  "
        << (!mapped ? "(no mapping)" : ShortMapping(m) + (drawn ? " (random)" : " (mapper)"))
        << post_text << "  " << (pass ? "PASS" : "FAIL") << "  " << st.cycles << " cycles";
    if (model > 0) out << " (model " << model << ", " << SignedPercent(model, st.cycles) << ")";
    out << "\n";
    j.BeginObject()
        .Key("index").Int(static_cast<int64_t>(i))
        .Key("type").String(fc ? "fc" : pool ? "pool" : "conv")
        .Key("layer").String(layer_text)
        .Key("mapping").String(mapped ? m.ToString() : "")
        .Key("pass").Bool(pass)
        .Key("problem").String(problem.empty() ? (cmp.Pass() ? "" : cmp.Summary()) : problem)
        .Key("model_cycles").Int(model);
    WriteArrayStats(j, st);
    j.EndObject();
    if (pass) {
      ++passed;
      continue;
    }
    if (failed++ == 0) first_failure = i;
    if (fc || pool) out << "      as conv " << layer.ToString() << "\n";
    if (mapped) out << "      mapping " << m.ToString() << "\n";
    if (!problem.empty()) {
      out << "      " << problem << "\n";
    } else {
      out << "      " << cmp.Summary() << "\n";
      if (cmp.mismatches > 0) {
        for (const std::string& e : cmp.examples) out << "        " << e << "\n";
      }
    }
  }
  const double util = cycles == 0 ? 0.0
                                  : static_cast<double>(layer_macs) /
                                        (static_cast<double>(hw.rows) * hw.cols * cycles);
  out << "total     " << cycles << " cycles (model " << model_cycles << ", "
      << SignedPercent(static_cast<int64_t>(model_cycles), cycles) << "), " << passes
      << " passes, " << layer_macs << " layer MACs, util " << Percent(util)
      << " (layer MACs / (" << hw.rows * hw.cols << " PEs x cycles))\n";
  if (failed > 0) {
    out << "rerun a failing layer alone, e.g.: eyelet sweep --backend rtl --config " << hw.name
        << " --seed " << o.seed << " --index " << first_failure << " --trace layer" << first_failure
        << ".fst\n";
  }
  out << passed << " passed, " << failed << " failed\n";
  j.EndArray().Key("passed").Int(static_cast<int64_t>(passed)).Key("failed").Int(static_cast<int64_t>(failed)).EndObject();
  if (!o.json_path.empty()) {
    WriteReport(o.json_path, j.str());
    out << "json      " << o.json_path << "\n";
  }
  return failed > 0 ? kExitMismatch : kExitOk;
}

int RunInfo(const InfoOptions& o, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.json_path);
  std::unique_ptr<Device> dev;
  if (o.backend == "rtl") {
    dev = RtlDevice::Create(hw.name);
  } else if (o.backend == "golden") {
    dev = std::make_unique<GoldenDevice>(hw);
  } else {
    throw UsageError("--backend must be rtl or golden, not '" + o.backend + "'");
  }
  const HwInfo info = dev->ReadHwInfo();
  char id[16];
  std::snprintf(id, sizeof(id), "0x%08x", info.id);
  out << "device    " << dev->Name() << "\n"
      << "id        " << id << ", CSR map " << (info.version >> 16) << "."
      << (info.version & 0xffff) << "\n"
      << "array     " << info.rows << " x " << info.cols << " PEs\n"
      << "spads     ifmap " << info.ifmap_depth << ", filter " << info.filter_depth << ", psum "
      << info.psum_depth << " words per PE\n"
      << "widths    data " << info.data_bits << " bits, psums " << info.acc_bits << " bits, AXI "
      << info.axi_bytes * 8 << " bits, addresses " << info.addr_bits << " bits\n"
      << "glb       ifmap " << info.glb_ifmap_words << ", filter " << info.glb_filter_words
      << " words, psum " << info.glb_psum_words << " words x " << info.cols << " banks\n"
      << "post      output-path table " << info.pp_words << " entries (" << info.pp_words / 2
      << " filters per chunk)\n"
      << "pool      line buffer " << info.pool_words
      << " words (max pooling, windows and strides up to " << kPoolMaxWindow << ")\n"
      << "dram      " << dev->MemSize() << " bytes at 0x" << std::hex << dev->MemBase()
      << std::dec << "\n";
  if (!o.json_path.empty()) {
    JsonWriter j;
    j.BeginObject()
        .Key("device").String(dev->Name())
        .Key("id").Int(static_cast<int64_t>(static_cast<uint64_t>(info.id)))
        .Key("version").Int(static_cast<int64_t>(static_cast<uint64_t>(info.version)))
        .Key("rows").Int(static_cast<int64_t>(info.rows))
        .Key("cols").Int(static_cast<int64_t>(info.cols))
        .Key("ifmap_spad").Int(static_cast<int64_t>(info.ifmap_depth))
        .Key("filter_spad").Int(static_cast<int64_t>(info.filter_depth))
        .Key("psum_spad").Int(static_cast<int64_t>(info.psum_depth))
        .Key("data_bits").Int(static_cast<int64_t>(info.data_bits))
        .Key("acc_bits").Int(static_cast<int64_t>(info.acc_bits))
        .Key("axi_bits").Int(static_cast<int64_t>(info.axi_bytes * 8))
        .Key("addr_bits").Int(static_cast<int64_t>(info.addr_bits))
        .Key("glb_ifmap_words").Int(static_cast<int64_t>(info.glb_ifmap_words))
        .Key("glb_filter_words").Int(static_cast<int64_t>(info.glb_filter_words))
        .Key("glb_psum_words").Int(static_cast<int64_t>(info.glb_psum_words))
        .Key("pp_words").Int(static_cast<int64_t>(info.pp_words))
        .Key("pool_words").Int(static_cast<int64_t>(info.pool_words))
        .EndObject();
    WriteReport(o.json_path, j.str());
    out << "json      " << o.json_path << "\n";
  }
  return kExitOk;
}

int RunMap(const MapOptions& o, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.json_path);
  std::vector<MapRow> rows;
  std::string title;
  if (o.layer) {
    o.layer->Out();  // validates the shape first
    rows.push_back(MapLayer("layer", *o.layer, hw));
    if (!rows[0].error.empty()) throw UnsupportedError(rows[0].error);
    title = "layer " + o.layer->ToString();
  } else {
    const Net& net = NetByName(o.net);
    rows = MapNet(net, hw, o.batch);
    title = net.name + ": " + net.description + ", batch " + std::to_string(o.batch);
  }
  out << FormatMapTable(title, rows, hw);
  if (!o.json_path.empty()) {
    WriteReport(o.json_path, MapTableJson(title, rows, hw));
    out << "\njson      " << o.json_path << "\n";
  }
  return kExitOk;
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
    const po::variables_map vm =
        ParseFlags(std::vector<std::string>(args.begin() + 1, args.end()), command->describe());
    if (vm.count("help")) {
      PrintCommandUsage(*command, out);
      return kExitOk;
    }
    return command->run(vm, out);
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
