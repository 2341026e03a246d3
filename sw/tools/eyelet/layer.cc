// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet layer`: one CONV, FC or POOL layer, drawn from a seed or loaded from .npy files, on a
// device by name (golden or rtl), checked against the golden model (eyelet/layer_check.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/cost_model.h"
#include "eyelet/desc_codec.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/layer_check.h"
#include "eyelet/npy.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "flags.h"
#include "report.h"

namespace eyelet {
namespace cli {
namespace {

const char kLayerSummary[] = "run one layer on the golden model or the Verilated PE array";
const char kLayerDetails[] =
    "Runs one layer through the driver on a device: the golden-model device (--backend\n"
    "golden, the default) or the Verilated accelerator (--backend rtl), of the hardware\n"
    "config --config. Both run the very same descriptors: the mapper's mapping or --mapping,\n"
    "the same DRAM layout, the same chain. Every output element is compared with the golden\n"
    "model (ConvAcc, FcAcc, MaxPool and the output path) and the tool prints the shapes, MAC\n"
    "count, mapping, DRAM tiling, active PEs, MACs done and zero-gated, DRAM bytes, the\n"
    "FNV-1a checksum of the output (int32 accumulators for conv/fc, int16 for pool or with\n"
    "--requant) and PASS or FAIL (with the first mismatches); the rtl backend adds cycles,\n"
    "passes, PE utilization (layer MACs / (PEs x cycles)), the words on each network and GLB\n"
    "accesses. Exit 1 on FAIL.\n"
    "\n"
    "Shape flags left out are drawn from --seed (conv: C, M <= 8; H, W <= 16; kernel 1..5;\n"
    "fc: batch 1..8, M <= 32, half flat with K <= 300, half C <= 8 x H, W <= 6; pool: C <= 8,\n"
    "H, W <= 16, windows up to 3) or taken from --input/--weights, so `eyelet layer --seed 7`\n"
    "is the same layer every time and on every backend. An fc input is N x C x H x W with\n"
    "K = C*H*W features (--in-channels, --height, --width); its weights are M x K.\n"
    "\n"
    "--bias, --requant, --relu / --leaky and --pool KxK[/S] (conv, fc) send the outputs\n"
    "through the output path: bias, requantization to int16 (parameters drawn from the seed,\n"
    "fitted to each channel's accumulators), activation, then max pooling (--pool needs\n"
    "--requant; --pool-pad P pads all sides, --pool-ceil rounds the pooled size up as ONNX\n"
    "ceil_mode). The output shape printed and written is the pooled one.\n"
    "\n"
    "An FC layer runs as the CONV layer it equals: its K = C*H*W features as K channels of\n"
    "1 x 1 (the filter GIN moves up to four of a filter's channels a beat), one output per\n"
    "image and filter, the batch reusing the filters; a K past the 13-bit channel field keeps\n"
    "C x H x W with R = H, S = W. --mapping applies to that CONV layer. --pool fuses the\n"
    "pooling into the layer's store (or, when no tiling suits the walker's line buffer, runs it\n"
    "as a second descriptor); the hardware pools windows and strides of 1..3. A POOL layer runs\n"
    "as a 1x1 CONV of weight 1 over its N*C planes with the pooling fused.";

po::options_description LayerDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("type", po::value<std::string>()->value_name("conv|fc|pool")->default_value("conv"),
       "layer type")
      ("seed", po::value<int64_t>()->value_name("N")->default_value(1),
       "seed for every shape and value drawn at random")
      ("batch", po::value<int>()->value_name("N"), "batch N (random: conv, pool 1..2; fc 1..8)");
  AddShapeOptions(d);
  d.add_options()
      ("data-bits", po::value<int>()->value_name("8|16")->default_value(kDefaultDataBits),
       "data width of activations and weights")
      ("backend", po::value<std::string>()->value_name("golden|rtl")->default_value("golden"),
       "the golden-model device, or the Verilated accelerator")
      ("config", po::value<std::string>()->value_name("NAME"),
       ("the PE array, one of\n" + ConfigList() + "; default " + kDefaultArrayConfig)
           .c_str())
      ("mapping", po::value<std::string>()->value_name("e,p,q,r,t"),
       "mapping instead of the mapper's: PE-set width e,\n"
       "filters per PE p, channels per PE q, sets chained on\n"
       "channels r, chains on filters t (n = batch)")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "write the result and the counters as JSON")
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
       "pool: instead of --kernel and --stride. K, S <= 3")
      ("pool-pad", po::value<int>()->value_name("P"),
       "with --pool: pooling padding on all four sides (P < K)")
      ("pool-ceil", "ceil mode (ONNX ceil_mode) for the pooled size")
      ("fault", po::value<std::string>()->value_name("FAULT"),
       "rtl, --config small: run on the fault-injection build with\n"
       "one fault (to see wrong outputs located and blamed):\n"
       "R,C,B or pe:R,C,B  bit B of PE (R, C)'s psum output stuck at 1\n"
       "dma:ADDR,B  bit B of DRAM byte ADDR flipped as the DMA reads it\n"
       "gin:K,B  bit B of the K-th ifmap GIN word (from 0) flipped")
      ("trace-on-fail", po::value<std::string>()->value_name("DIR"),
       "rtl: when an output is wrong, rerun with a trace of the pass\n"
       "that produced the first wrong one (walker and its PE column)\n"
       "into DIR/layer_fail.fst (+ .gtkw)");
  // clang-format on
  AddTraceOptions(d, false);
  AddBoardOptions(d);
  AddReportOption(d);
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
  o.backend = BackendFlag(vm);
  BoardFlags(vm, o.backend, &o.port, &o.baud);
  o.config = ConfigFlag(vm);
  if (vm.count("mapping")) o.mapping = MappingFlag(vm["mapping"].as<std::string>());
  o.trace = TraceFlags(vm, o.backend, o.config);
  o.fault = FaultFlag(vm, o.backend, o.config);
  if (vm.count("trace-on-fail")) {
    if (o.backend != "rtl") throw UsageError("--trace-on-fail applies to --backend rtl only");
    if (o.trace.On()) throw UsageError("--trace-on-fail traces by itself; leave out --trace");
    o.trace_on_fail = vm["trace-on-fail"].as<std::string>();
    if (!std::filesystem::is_directory(o.trace_on_fail)) {
      throw UsageError("--trace-on-fail " + o.trace_on_fail + ": not a directory; create it");
    }
  }
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  o.report_dir = ReportFlag(vm);
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

// The hardware pools windows and strides of 1..kPoolMaxWindow.
void CheckHardwarePool(const PoolParams& p) {
  const int most = static_cast<int>(kPoolMaxWindow);
  if (p.kernel_h > most || p.kernel_w > most || p.stride_h > most || p.stride_w > most) {
    throw UnsupportedError("max pool " + PoolText(p) + ": the hardware pools windows up to " +
                           std::to_string(most) + "x" + std::to_string(most) +
                           " with strides up to " + std::to_string(most) +
                           "; use a smaller window or stride");
  }
}

void PrintHeader(std::ostream& out, const std::string& type, const LayerOptions& o) {
  const ArrayConfig& hw = ConfigByName(o.config);
  out << "layer     " << type << " (" << o.backend << " backend, " << hw.name << " " << hw.rows
      << "x" << hw.cols << " PE array, " << o.data_bits << "-bit data, seed " << o.seed << ")\n";
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

void PrintConvShapes(std::ostream& out, const LayerOptions& o, const ConvShapes& setup,
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

void PrintPoolShapes(std::ostream& out, const LayerOptions& o, const PoolShapes& setup,
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

// The descriptor's post bits for the output-path flags of `o`.
uint32_t PostBitsOf(const LayerOptions& o) {
  return static_cast<uint32_t>((o.bias ? kPostBias : 0) | (o.requant ? kPostRequant : 0) |
                               (o.relu ? kPostRelu : 0) | (o.leaky ? kPostLeaky : 0));
}

// Writes --output: int32 accumulators, or int16 outputs (`int16`).
void SaveOutput(std::ostream& out, const std::string& path, const Tensor<int32_t>& y, bool int16) {
  if (path.empty()) return;
  if (int16) {
    SaveTensor(path, Narrow(y), kNpyInt16);
  } else {
    SaveTensor(path, y, kNpyInt32);
  }
  out << "wrote     " << path << " (" << (int16 ? "int16 " : "int32 ") << y.shape().ToString()
      << ")\n";
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

// The output path the flags ask for, drawn for accumulators `acc`, with --pool's pooling.
std::optional<OutputPath> LayerOutputPath(const LayerOptions& o, const Tensor<int32_t>& acc,
                                          Rng& rng) {
  std::optional<OutputPath> path = DrawOutputPath(o, acc, rng);
  if (path) {
    path->pool = o.pool;
    path->pool_params = o.pool_params;
  }
  return path;
}

// Opens the device, runs `c` on it and checks it against `want` (traced as --trace asks:
// CheckLayerTraced; `profile` gets the polled run's profile: the traced one's, or on rtl, when an
// output is wrong, a rerun's); with --trace-on-fail, a wrong output's pass is traced afterwards.
LayerCheck RunOnDevice(const LayerOptions& o, const ArrayConfig& hw, const LayerCase& c,
                       const Tensor<int32_t>& want, const RsMapping* m, const OutputPath* path,
                       std::string* trace_line, ChainProfile* profile) {
  const std::string spec = DeviceSpec(o.backend, hw.name, o.fault);
  DeviceOptions base;
  base.plusargs = o.fault;
  base.port = o.port;
  base.baud = o.baud;
  const LayerCheck check =
      o.report_dir.empty()
          ? CheckLayerTraced(spec, base, o.trace, hw, c, want, m, path, trace_line,
                             o.trace.On() ? profile : nullptr)
          : CheckLayerReported(spec, base, hw, c, want, m, path, o.report_dir, trace_line);
  if (o.backend == "rtl" && !check.cmp.Pass() && profile->desc_clock.empty()) {
    // The clock window of a wrong output's pass: the same run again (deterministic), polled
    // every kTracePollCycles; a run that passes pays nothing for it.
    std::string unused;
    CheckLayerTraced(spec, base, TraceOptions{}, hw, c, want, m, path, &unused, profile);
  }
  if (!o.trace_on_fail.empty() && !check.cmp.Pass()) {
    const Tensor<int16_t> w = RunWeights(c);
    const MismatchReport r = ExplainMismatch(c.layer, check.stats, hw, want, check.got, &w,
                                             profile, check.x_addr, check.w_addr);
    if (r.has_loc) {
      *trace_line += TraceFailedPass(spec, base, hw, c, want, m, path, PlanFailTrace(r, hw),
                                     o.trace_on_fail + "/layer_fail.fst");
    }
  }
  return check;
}

// Prints what the device did with `layer` (the CONV layer it ran, for FC the one FcToConv
// makes), the checksum and the comparison with the golden output, writes --output and --json;
// returns kExitOk or kExitMismatch. `layer_text` names the layer in the JSON report.
int ReportLayer(const LayerOptions& o, const ArrayConfig& hw, const std::string& layer_text,
                const ConvLayer& layer, const RsMapping& m, const LayerCheck& check,
                const Tensor<int32_t>& want, const Tensor<int16_t>* weights,
                const ChainProfile& profile, const std::string& trace_line, std::ostream& out) {
  const ArrayStats& st = check.stats;
  const Comparison& cmp = check.cmp;
  const Tensor<int32_t>& got = check.got;
  const bool pool_only = o.type == LayerType::kPool;
  const std::string type = LayerTypeName(o.type);
  // A pool layer's checksum is over int16 values.
  auto checksum = [&](const Tensor<int32_t>& y) {
    return Hex64(pool_only ? Checksum(Narrow(y)) : Checksum(y));
  };
  PrintArrayStats(out, layer, m, st);
  // The cost model's prediction for the mapping and tiling that ran, as `sweep` prints it (a
  // pooling that ran as a descriptor of its own is not modelled).
  CycleEstimate model;
  if (st.Timed()) {
    ConvLayer modelled = layer;
    modelled.pooled = layer.pooled && st.descs == 1;
    RsMapping placed = st.mapping;
    placed.n = st.tiling.nb;
    CompleteMapping(modelled, hw, placed);
    model = EstimateCycles(modelled, hw, placed, st.tiling);
    out << "model     " << model.cycles << " cycles (array " << model.compute_cycles
        << ", waiting for DRAM " << model.dram_cycles << "), "
        << SignedPercent(model.cycles, st.cycles) << " from the RTL\n";
  }
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
  const MismatchReport mismatch = st.Timed() || o.backend == "rtl"
                                      ? ExplainMismatch(layer, st, hw, want, got, weights, &profile,
                                                        check.x_addr, check.w_addr)
                                      : MismatchReport{};
  PrintMismatch(out, mismatch, "");
  SaveOutput(out, o.output_path, got, o.requant || pool_only);
  out << trace_line;
  if (!o.json_path.empty()) {
    Json j;
    j["command"] = "layer";
    j["backend"] = o.backend;
    j["config"] = hw.name;
    j["type"] = type;
    j["layer"] = layer_text;
    if (type != "conv") j["as_conv"] = layer.ToString();
    if (o.pool && !pool_only) {
      j["pool"] = PoolText(o.pool_params);
      j["pool_fused"] = st.descs == 1;
    }
    j["mapping"] = m.ToString();
    j["pass"] = cmp.Pass();
    j["mismatches"] = std::max<int64_t>(cmp.mismatches, 0);
    AddMismatchJson(j, mismatch);
    j["x_addr"] = Hex64(check.x_addr);
    j["w_addr"] = Hex64(check.w_addr);
    j["checksum"] = checksum(got);
    AddArrayStats(j, st);
    if (st.Timed()) {
      j["model_cycles"] = model.cycles;
      j["model_array_cycles"] = model.compute_cycles;
    }
    WriteJsonReport(o.json_path, j);
    out << "json      " << o.json_path << "\n";
  }
  return cmp.Pass() ? kExitOk : kExitMismatch;
}

int RunConvLayer(const LayerOptions& o, const Tensor<int16_t>* x_file,
                 const Tensor<int16_t>* w_file, Rng& rng, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const ConvShapes setup = DrawConvShapes(o, x_file, w_file, rng);
  LayerCase c;
  c.type = LayerType::kConv;
  c.data_bits = o.data_bits;
  ConvLayer& layer = c.layer;
  layer = ConvLayer{setup.x, setup.w, setup.params};
  layer.post = PostBitsOf(o);         // the mapper keeps a chunk's filters within the path's table
  const Shape y_shape = layer.Out();  // validates first
  PooledShape(y_shape, o);
  layer.pooled = o.pool;  // the mapper picks a mapping the pooling fuses with
  layer.pool = o.pool_params;
  const RsMapping m = ResolveLayerMapping(o.mapping, layer, hw);
  c.x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  c.w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  const Tensor<int32_t> acc = GoldenAcc(c);  // checks the data
  const std::optional<OutputPath> path = LayerOutputPath(o, acc, rng);
  const OutputPath* p = path ? &*path : nullptr;
  const Tensor<int32_t> want = GoldenOutput(acc, p);
  std::string trace_line;
  ChainProfile profile;
  const LayerCheck check = RunOnDevice(o, hw, c, want, &m, p, &trace_line, &profile);
  PrintConvShapes(out, o, setup, y_shape);
  if (path) out << "post      " << DescribeOutputPath(*path) << "\n";
  const Tensor<int16_t> w = RunWeights(c);
  return ReportLayer(o, hw, layer.ToString(), layer, m, check, want, &w, profile, trace_line,
                     out);
}

// An FC layer runs as the CONV layer FcToConv makes of it (K channels of 1 x 1, or past the
// channel field R = H, S = W; E = F = 1), compared with the golden FcAcc.
int RunFcLayer(const LayerOptions& o, const Tensor<int16_t>* x_file, const Tensor<int16_t>* w_file,
               Rng& rng, std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const FcShapes setup = DrawFcShapes(o, x_file, w_file, rng);
  LayerCase c;
  c.type = LayerType::kFc;
  c.data_bits = o.data_bits;
  ConvLayer& layer = c.layer;
  layer = FcToConvLayer(setup.x, setup.w);  // ShapeError when K differs
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
  c.x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  c.w = w_file ? *w_file : RandomData(setup.w, o.data_bits, rng);
  const Tensor<int32_t> acc = GoldenAcc(c);  // checks the data
  const std::optional<OutputPath> path = LayerOutputPath(o, acc, rng);
  const OutputPath* p = path ? &*path : nullptr;
  const Tensor<int32_t> want = GoldenOutput(acc, p);
  std::string trace_line;
  ChainProfile profile;
  const LayerCheck check = RunOnDevice(o, hw, c, want, &m, p, &trace_line, &profile);
  PrintFcShapes(out, o, setup.x, setup.w, layer.Out());
  if (path) out << "post      " << DescribeOutputPath(*path) << "\n";
  out << "as conv   " << layer.ToString()
      << (layer.w.h * layer.w.w == 1 ? " (K channels of 1 x 1)\n" : " (R = H, S = W)\n");
  const Tensor<int16_t> w = RunWeights(c);
  return ReportLayer(o, hw, FcText(setup.x, setup.w), layer, m, check, want, &w, profile,
                     trace_line, out);
}

// A POOL layer runs as the 1x1 CONV of weight 1 PoolToConvLayer makes of it, with the pooling
// fused into its store (RunPool), compared with golden MaxPool.
int RunPoolLayer(const LayerOptions& o, const Tensor<int16_t>* x_file, Rng& rng,
                 std::ostream& out) {
  const ArrayConfig& hw = ConfigByName(o.config);
  const PoolShapes setup = DrawPoolShapes(o, x_file, rng);
  CheckHardwarePool(setup.p);
  LayerCase c;
  c.type = LayerType::kPool;
  c.data_bits = o.data_bits;
  c.pool = setup.p;
  c.layer = PoolToConvLayer(setup.x, setup.p);  // N*C images within 65535
  if (x_file) CheckDataRange(*x_file, o.data_bits, o.input_path);
  c.x = x_file ? *x_file : RandomData(setup.x, o.data_bits, rng);
  const Tensor<int32_t> want = GoldenAcc(c);
  std::string trace_line;
  ChainProfile profile;
  const LayerCheck check = RunOnDevice(o, hw, c, want, nullptr, nullptr, &trace_line, &profile);
  PrintPoolShapes(out, o, setup, want.shape());
  out << "as conv   " << c.layer.ToString()
      << " (N*C images of one channel, one 1x1 filter of weight 1, the pooling fused)\n";
  const Tensor<int16_t> w = RunWeights(c);
  return ReportLayer(o, hw, PoolLayerText(setup.x, setup.p), c.layer, check.stats.mapping, check,
                     want, &w, profile, trace_line, out);
}

// Loads a layer's input or weights. For FC a 2-D file is a matrix, N x K (input) or M x K
// (weights), so it becomes (rows, 1, 1, K) rather than the default (1, 1, rows, K).
Tensor<int16_t> LoadLayerTensor(const std::string& path, LayerType type) {
  NpyArray a = ReadNpy(path);
  if (type == LayerType::kFc && a.shape.size() == 2) a.shape = {a.shape[0], 1, 1, a.shape[1]};
  return NpyToTensorI16(a, path);
}

int LayerCommand(const po::variables_map& vm, std::ostream& out) {
  return RunLayer(LayerOptionsFrom(vm), out);
}

}  // namespace

const Command kLayerCommand = {"layer", kLayerSummary, kLayerDetails, LayerDescription,
                               LayerCommand};

}  // namespace cli

int RunLayer(const LayerOptions& o, std::ostream& out) {
  using namespace cli;
  const std::vector<std::string> backends = BackendNames();
  if (std::find(backends.begin(), backends.end(), o.backend) == backends.end()) {
    throw UnsupportedError("unknown backend '" + o.backend + "'; use " + BackendList());
  }
  ConfigByName(o.config);  // an unknown name is a usage error, before any work
  if (o.pool && o.type != LayerType::kPool && !o.requant) {
    throw UnsupportedError("--pool pools the requantized int16 outputs; add --requant");
  }
  if (o.pool) CheckHardwarePool(o.pool_params);  // before any work
  CheckParentDir(o.output_path);
  CheckParentDir(o.json_path);
  CheckReport(o.report_dir, o.backend, o.trace.On());
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
      return RunConvLayer(o, x_file, w_file, rng, out);
    case LayerType::kFc:
      return RunFcLayer(o, x_file, w_file, rng, out);
    case LayerType::kPool:
      return RunPoolLayer(o, x_file, rng, out);
  }
  throw UnsupportedError("unknown layer type");
}

}  // namespace eyelet
