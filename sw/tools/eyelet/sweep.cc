// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet sweep`: random CONV, FC and POOL layers (eyelet/draw.h) on a device by name, each
// checked against the golden model (eyelet/layer_check.h), with the cost model's prediction
// beside the measured cycles.
#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/cost_model.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/interrupt.h"
#include "eyelet/layer_check.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

// The backends that simulate the hardware cycle by cycle: the Verilated RTL, the Verilated
// gate-level netlist (eyelet_gate, make gate) and the Verilated board system (rtl-uart). They
// take --x-init.
bool Simulated(const std::string& backend) {
  return backend == "rtl" || backend == "rtlgate" || backend == "rtl-uart";
}
// Those with the DRAM model (tb/axi_mem.h) that --mem-latency and --mem-stall set.
bool DramModel(const std::string& backend) { return backend == "rtl" || backend == "rtlgate"; }
// A layer or chain whose tensors the device's DRAM cannot hold (a board's 128 KB): neither
// passed nor failed; its line says why.
void SkipLine(std::ostream& out, int index_width, int i, const std::string& text,
              const std::string& why, Json* j) {
  out << "  " << std::setw(index_width) << i << "  " << text << "  SKIP\n      " << why << "\n";
  Json layer;
  layer["index"] = i;
  layer["layer"] = text;
  layer["skipped"] = true;
  layer["problem"] = why;
  (*j)["layers"].push_back(std::move(layer));
}

// Those whose layers print cycles: the simulations and a board.
bool Clocked(const std::string& backend) { return Simulated(backend) || backend == "uart"; }

const char kSweepSummary[] = "random CONV/FC/POOL layers on a device vs the golden model";
const char kSweepDetails[] =
    "Draws random CONV layers (batch 1..4, groups 1..3, strides 1..4 with the two axes\n"
    "sometimes different, uneven padding, kernels 1..11 and filters up to 3 rows taller than\n"
    "the array, ifmaps with ~30% zeros), maps even-numbered layers with the mapper's choice\n"
    "and odd ones with a random legal mapping (so p, q, r, t > 1 and e < E occur), runs each\n"
    "on the device --backend:--config and compares every output element with the golden\n"
    "model. Prints one line per layer (index, shape, mapping, PASS/FAIL, cycles), the first\n"
    "mismatches of a failing one, the totals, and last 'N passed, M failed' (and K skipped:\n"
    "layers larger than the device's DRAM, on a board). Exit 1 if any\n"
    "layer failed. Layer K of a seed is the same with any --count: rerun it alone with\n"
    "--index K --trace layer.fst.\n"
    "\n"
    "--types conv,fc,pool draws each layer's type at random among those listed. FC layers\n"
    "(batch 1..8, M 1..64, K up to 2000 as a flat N x K x 1 x 1 input, a 1 x 1 x K row, or\n"
    "C x H x W with H up to 3 rows taller than the array) run as the CONV layer they equal\n"
    "(K = C*H*W channels of 1 x 1, E = F = 1), are mapped and drawn a\n"
    "mapping the same way, and every output is compared with the golden FcAcc. POOL layers\n"
    "(N 1..3, C 1..6, H, W 1..16; windows and strides 1..3 per axis, pads below the window,\n"
    "ceil mode now and then) run standalone as a 1x1 CONV with the pooling fused, the\n"
    "mapper's mapping, compared with the golden MaxPool. With pool among the types, --post\n"
    "also gives a third of the requantizing output paths such a max pooling.\n"
    "\n"
    "--backend rtl (the default) runs the Verilated accelerator; --backend golden runs the\n"
    "same layers, mappings and descriptors on the golden-model device, which checks the\n"
    "device emulation and the runtime against golden.h (no cycles: it has no timing model).\n"
    "--backend rtlgate, in the eyelet_gate build of this tool only (make gate), runs the gate-\n"
    "level netlist Yosys synthesizes of the tiny config: the same layers, outputs and cycles.\n"
    "--backend uart --port /dev/ttyUSB1 runs them on a board through its UART bridge (make\n"
    "fpga); --backend rtl-uart --config up5k on that board system Verilated, every register\n"
    "access and DRAM block sent as UART frames through the bridge's pins. Their DRAM is the\n"
    "board's 128 KB: --mem-latency and --mem-stall do not apply.";

po::options_description SweepDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("backend", po::value<std::string>()->value_name("NAME")->default_value("rtl"),
       "where the layers run: rtl (the Verilated accelerator),\n"
       "golden (the golden-model device), rtl-uart (the Verilated\n"
       "board system through its UART bridge), uart (a board)")
      ("config", po::value<std::string>()->value_name("NAME")->default_value(kDefaultArrayConfig),
       ("hardware config, one of " + ConfigList()).c_str())
      ("count", po::value<int>()->value_name("N")->default_value(20), "number of layers")
      ("seed", po::value<int64_t>()->value_name("S")->default_value(1),
       "seed of the layer sequence")
      ("index", po::value<int>()->value_name("K"), "run only layer K (0-based) of the sequence")
      ("shard", po::value<std::string>()->value_name("K/N"),
       "run only the layers i with i % N == K (a soak split over\nprocesses or machines: "
       "layer i is the same in any shard)")
      ("types", po::value<std::string>()->value_name("conv,fc,pool")->default_value("conv"),
       "layer types to draw, comma-separated: conv, fc, pool")
      ("post", "send each conv and fc layer's outputs through a random\n"
       "output path: bias, requantization to int16, ReLU or leaky\n"
       "ReLU (and, with pool in --types, sometimes max pooling)")
      ("mem-latency", po::value<int>()->value_name("N")->default_value(8),
       "rtl: DRAM model: cycles from a read request to its first beat")
      ("mem-stall", po::value<double>()->value_name("P")->default_value(0.0),
       "rtl: DRAM model: chance that a ready or a due beat is held\n"
       "back in a cycle, on every AXI channel (0 .. 0.9)")
      ("x-init", po::value<int64_t>()->value_name("S"),
       "rtl: run every layer on a new device whose state that reset\n"
       "does not set (memories, flops without reset) is random,\n"
       "drawn from S and the layer number")
      ("timeout", po::value<int64_t>()->value_name("CYCLES")->default_value(
           static_cast<int64_t>(kLayerTimeoutCycles)),
       "a layer or chain still running after CYCLES clock cycles\n"
       "fails as hung; the sweep goes on")
      ("json", po::value<std::string>()->value_name("FILE.json"),
       "write every layer's result and counters as JSON");
  // clang-format on
  AddBoardOptions(d);
  // clang-format off
  d.add_options()
      ("trace-on-fail", po::value<std::string>()->value_name("DIR"),
       "rtl: rerun the first failing layer with a trace of the pass\n"
       "of its first wrong output (walker and its PE column) into\n"
       "DIR/sweep_layerK_fail.fst; default with --index: the current\n"
       "directory")
      ("fault", po::value<std::string>()->value_name("FAULT"),
       "rtl, --config small: run on the fault-injection build with\n"
       "one fault (to see wrong outputs located and blamed):\n"
       "R,C,B or pe:R,C,B  bit B of PE (R, C)'s psum output stuck at 1\n"
       "dma:ADDR,B  bit B of DRAM byte ADDR flipped as the DMA reads it\n"
       "gin:K,B  bit B of the K-th ifmap GIN word (from 0) flipped");
  // clang-format on
  AddTraceOptions(d, false);
  return d;
}

std::vector<LayerType> TypesFlag(const std::string& text, bool* chains) {
  const std::string usage =
      "--types '" + text + "' must be a comma-separated list of conv, fc, pool, chain";
  std::vector<LayerType> types;
  std::istringstream in(text);
  std::string item;
  *chains = false;
  while (std::getline(in, item, ',')) {
    if (item == "conv") {
      types.push_back(LayerType::kConv);
    } else if (item == "fc") {
      types.push_back(LayerType::kFc);
    } else if (item == "pool") {
      types.push_back(LayerType::kPool);
    } else if (item == "chain") {
      *chains = true;
    } else {
      throw UsageError(usage);
    }
  }
  if ((types.empty() && !*chains) || text.back() == ',') throw UsageError(usage);
  return types;
}

struct ChainOutcome {
  int layers = 0;                  // ChainBuilder layers (a pooling that did not fuse adds one)
  std::vector<std::string> fails;  // "layer K (conv): FAIL (...)" for each wrong layer
  DeviceCounters counters;
};

// Runs chain `sc` on `device` with data drawn from `rng`, each layer's output path drawn for
// it (a bias half the time), and compares every layer's outputs in DRAM with the golden
// model's. Throws as ChainBuilder and Device::RunChain.
ChainOutcome RunSweepChain(Device& device, const ArrayConfig& hw, const SweepChain& sc, Rng& rng,
                           uint64_t timeout) {
  device.FreeAll();
  ChainBuilder chain(device);
  const Tensor<int16_t> x = RandomSparseData(sc.x, hw.data_bits, kSweepIfmapZeros, rng);
  Tensor<int16_t> cur = x;  // the golden input of the next layer
  std::vector<int> index;
  std::vector<Tensor<int32_t>> want;
  int prev = -1;
  for (size_t i = 0; i < sc.layers.size(); ++i) {
    const SweepChainLayer& l = sc.layers[i];
    LayerCase c;  // the layer on the golden model's input `cur`
    c.type = l.type;
    c.layer.conv = l.conv;
    c.x = cur;
    c.pool = l.pool;
    c.data_bits = hw.data_bits;
    if (l.type == LayerType::kPool) {
      want.push_back(GoldenAcc(c));  // MaxPool, widened
      cur = Narrow(want.back());
      prev = chain.AddPoolAfter(prev, l.pool);
      index.push_back(prev);
      continue;
    }
    const Tensor<int16_t> w = RandomSparseData(l.w, hw.data_bits, kSweepWeightZeros, rng);
    c.w = w;
    const Tensor<int32_t> acc = GoldenAcc(c);
    OutputPathFlags flags;
    flags.bias = rng.Chance(0.5);
    flags.requant = l.requant;
    flags.relu = l.relu;
    const std::optional<OutputPath> path = DrawOutputPath(flags, acc, rng);
    const OutputPath* p = path ? &*path : nullptr;
    want.push_back(GoldenOutput(acc, p));
    if (l.type == LayerType::kFc) {
      prev = chain.AddFcAfter(prev, w, nullptr, p);
    } else if (i == 0) {
      prev = chain.AddConv(ConvLayer{sc.x, l.w, l.conv}, x, w, nullptr, p);
    } else {
      prev = chain.AddConvAfter(prev, w, l.conv, nullptr, p);
    }
    index.push_back(prev);
    if (l.requant) cur = Narrow(want.back());
  }
  device.RunChain(chain.Commit(), timeout);
  ChainOutcome out;
  out.layers = chain.size();
  out.counters = device.ReadCounters();
  for (size_t i = 0; i < index.size(); ++i) {
    const Comparison cmp = CompareOutputs(want[i], chain.ReadOutput(index[i]));
    if (!cmp.Pass()) {
      out.fails.push_back("layer " + std::to_string(i) + " (" +
                          LayerTypeName(sc.layers[i].type) + "): " + cmp.Summary());
    }
  }
  return out;
}

SweepOptions SweepOptionsFrom(const po::variables_map& vm) {
  SweepOptions o;
  o.backend = BackendFlag(vm);
  if (o.backend == "golden") {
    RejectFlags(vm, {"mem-latency", "mem-stall"}, "applies to --backend rtl only");
  }
  o.config = ConfigFlag(vm);
  o.count = vm["count"].as<int>();
  if (o.count < 0) throw UsageError("--count " + std::to_string(o.count) + " must be >= 0");
  o.seed = SeedFlag(vm);
  IntFlag(vm, "index", 0, INT_MAX, &o.index);
  if (vm.count("shard")) {
    const std::string text = vm["shard"].as<std::string>();
    int k = -1, n = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%d/%d%c", &k, &n, &extra) != 2 || n < 1 || n > 100000 ||
        k < 0 || k >= n) {
      throw UsageError("--shard '" + text + "' must be K/N with 0 <= K < N <= 100000, e.g. 0/4");
    }
    if (o.index) throw UsageError("--shard and --index do not go together: --index runs one layer");
    o.shard = k;
    o.shards = n;
  }
  o.types = TypesFlag(vm["types"].as<std::string>(), &o.chains);
  o.post = vm.count("post") > 0;
  o.trace = TraceFlags(vm, o.backend, o.config);
  o.fault = FaultFlag(vm, o.backend, o.config);
  if (vm.count("fault")) o.fault_text = vm["fault"].as<std::string>();
  if (vm.count("trace-on-fail")) {
    if (o.backend != "rtl") throw UsageError("--trace-on-fail applies to --backend rtl only");
    o.trace_on_fail = vm["trace-on-fail"].as<std::string>();
  } else if (o.index && o.backend == "rtl" && !o.trace.On()) {
    o.trace_on_fail = ".";
  }
  if (!o.trace_on_fail.empty() && !std::filesystem::is_directory(o.trace_on_fail)) {
    throw UsageError("--trace-on-fail " + o.trace_on_fail + ": not a directory; create it");
  }
  RejectFlags(vm, {"trace-pass"},
              "applies to eyelet layer and eyelet run; give --trace-from and "
              "--trace-to here");
  if (vm.count("json")) o.json_path = vm["json"].as<std::string>();
  o.mem_latency = vm["mem-latency"].as<int>();
  if (o.mem_latency < 1 || o.mem_latency > 10000) {
    throw UsageError("--mem-latency " + std::to_string(o.mem_latency) + " must be 1..10000");
  }
  o.mem_stall = vm["mem-stall"].as<double>();
  if (!(o.mem_stall >= 0.0 && o.mem_stall <= kMaxStall)) {
    throw UsageError("--mem-stall " + std::to_string(o.mem_stall) + " must be 0 .. 0.9");
  }
  const int64_t timeout = vm["timeout"].as<int64_t>();
  if (timeout < 1) throw UsageError("--timeout " + std::to_string(timeout) + " must be 1 or more");
  o.timeout = static_cast<uint64_t>(timeout);
  BoardFlags(vm, o.backend, &o.port, &o.baud);
  if (vm.count("x-init")) {
    if (!Simulated(o.backend)) {
      throw UsageError("--x-init applies to --backend rtl, rtlgate and rtl-uart only");
    }
    const int64_t x = vm["x-init"].as<int64_t>();
    if (x < 0) throw UsageError("--x-init " + std::to_string(x) + " must be 0 or more");
    o.x_init = static_cast<uint64_t>(x);
    if (o.trace.On() && !o.index) {
      throw UsageError("--x-init opens a device per layer: trace one of them with --index K");
    }
  }
  return o;
}

// The command that runs layer `index` of the sweep `o` alone: the same seed, config, types,
// output paths and DRAM model, so that the same layer, data and mapping are drawn.
std::string RerunCommand(const SweepOptions& o, int index) {
  std::ostringstream c;
  c << (o.backend == "rtlgate" ? "eyelet_gate" : "eyelet") << " sweep --backend " << o.backend
    << " --config " << o.config << " --seed " << o.seed << " --index " << index << " --types ";
  for (size_t k = 0; k < o.types.size(); ++k) {
    c << (k ? "," : "") << LayerTypeName(o.types[k]);
  }
  if (o.chains) c << (o.types.empty() ? "chain" : ",chain");
  if (o.post) c << " --post";
  if (DramModel(o.backend)) {
    c << " --mem-latency " << o.mem_latency << " --mem-stall " << o.mem_stall;
  }
  if (!o.port.empty()) c << " --port " << o.port;
  if (o.baud) c << " --baud " << o.baud;
  if (!o.fault_text.empty()) c << " --fault " << o.fault_text;
  if (o.x_init) c << " --x-init " << *o.x_init;
  if (o.timeout != kLayerTimeoutCycles) c << " --timeout " << o.timeout;
  return c.str();
}

int SweepCommand(const po::variables_map& vm, std::ostream& out) {
  return RunSweep(SweepOptionsFrom(vm), out);
}

}  // namespace

const Command kSweepCommand = {"sweep", kSweepSummary, kSweepDetails, SweepDescription,
                               SweepCommand};

}  // namespace cli

std::vector<std::string> XInitPlusargs(uint64_t x_init, int index) {
  // Verilator's seed is a positive int (0 would pick one from the clock).
  const uint64_t seed = 1 + JobSeed(x_init, index) % 0x7fff'fffeu;
  return {"+verilator+rand+reset+2", "+verilator+seed+" + std::to_string(seed)};
}

int RunSweep(const SweepOptions& o, std::ostream& out) {
  using namespace cli;
  const ArrayConfig& hw = ConfigByName(o.config);
  CheckParentDir(o.json_path);
  // With a trace, the same sweep untraced first: the time the traced one is compared with.
  double untraced_s = 0;
  if (o.trace.On()) {
    SweepOptions u = o;
    u.trace = TraceOptions{};
    u.json_path.clear();
    u.trace_on_fail.clear();
    std::ostringstream sink;
    const auto t0 = std::chrono::steady_clock::now();
    RunSweep(u, sink);
    untraced_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const auto start = std::chrono::steady_clock::now();
  const int first = o.index ? *o.index : o.shard;
  const int end = o.index ? *o.index + 1 : o.count;
  const int step = o.index ? 1 : o.shards;
  // The plusargs of layer i's device: the fault's, and under --x-init its initial state's.
  const auto plusargs_of = [&o](int i) {
    std::vector<std::string> p = o.fault;
    if (o.x_init) {
      for (std::string& a : XInitPlusargs(*o.x_init, i)) p.push_back(std::move(a));
    }
    return p;
  };
  DeviceOptions dopt = TracedDevice(o.trace, {});  // and the DRAM model's settings
  dopt.trace_from = o.trace.from;
  dopt.trace_to = o.trace.to;
  dopt.mem_latency = o.mem_latency;
  dopt.mem_stall = o.mem_stall;
  dopt.mem_seed = o.seed;
  dopt.plusargs = plusargs_of(first);
  dopt.port = o.port;
  dopt.baud = o.baud;
  const std::string spec = DeviceSpec(o.backend, hw.name, o.fault);
  std::unique_ptr<Device> device = OpenDevice(spec, dopt);
  DeviceOptions rerun_opt = dopt;  // a failing layer's traced rerun: the same DRAM model
  rerun_opt.trace_path.clear();
  rerun_opt.trace_scope.clear();
  rerun_opt.trace_from = 0;
  rerun_opt.trace_to = UINT64_MAX;
  // The first located failure, rerun traced once the sweep's device is closed (tearing a model
  // down while another of the same Verilated build lives deadlocks in Verilator's scopes).
  struct FirstFailure {
    int index;
    LayerCase ran;
    Tensor<int32_t> want;
    RsMapping mapping;
    std::optional<OutputPath> path;
    FailTrace plan;
  };
  std::optional<FirstFailure> fail;
  const bool pools = std::find(o.types.begin(), o.types.end(), LayerType::kPool) != o.types.end();
  Json j;
  j["command"] = "sweep";
  j["backend"] = o.backend;
  j["config"] = hw.name;
  j["seed"] = o.seed;
  j["mem_latency"] = o.mem_latency;
  j["mem_stall"] = o.mem_stall;
  if (o.x_init) j["x_init"] = *o.x_init;
  j["shard"] = std::to_string(o.shard) + "/" + std::to_string(o.shards);
  j["layers"] = Json::array();
  out << "sweep     " << hw.name << " " << hw.rows << "x" << hw.cols << " PE array";
  if (o.backend != "rtl") out << " (" << o.backend << " backend)";
  out << ", seed " << o.seed << ", ";
  if (o.x_init) out << "random initial state (x-init " << *o.x_init << "), ";
  if (o.index) {
    out << "layer " << first << "\n";
  } else if (o.shards > 1) {
    out << "shard " << o.shard << "/" << o.shards << " of " << o.count << " layers ("
        << (first < end ? (end - first + step - 1) / step : 0) << " here)\n";
  } else {
    out << (end - first) << " layers\n";
  }
  const int index_width = static_cast<int>(std::to_string(std::max(0, end - 1)).size());
  int passed = 0;
  int failed = 0;
  int skipped = 0;  // layers and chains larger than the device's DRAM
  int first_failure = -1;
  bool timed = false;  // whether any layer ran on a device with timing
  uint64_t cycles = 0;
  uint64_t passes = 0;
  uint64_t layer_macs = 0;
  uint64_t model_cycles = 0;  // the cost model's prediction for the same mappings and tilings
  std::vector<double> model_errors;  // (model - cycles) / cycles of each timed layer
  int chains = 0;
  uint64_t chain_cycles = 0;  // kept out of the layers' totals: the model has no chain figure
  for (int i = first; i < end; i += step) {
    ThrowIfInterrupted("between the sweep's layers");
    Rng rng(JobSeed(o.seed, i));
    if (o.x_init && i != first) {  // a new device, its state drawn for this layer
      device.reset();
      dopt.plusargs = plusargs_of(i);
      device = OpenDevice(spec, dopt);
    }
    // With chain among the types, one draw in (types + 1) is a chain (no draw without it, so
    // the layers of a sweep without chains stay the same).
    const int kinds = static_cast<int>(o.types.size());
    if (o.chains && (kinds == 0 || rng.UniformInt(0, kinds) == kinds)) {
      const SweepChain sc = DrawSweepChain(hw, rng);
      std::string problem;
      ChainOutcome co;
      try {
        co = RunSweepChain(*device, hw, sc, rng, o.timeout);
      } catch (const TimeoutError& e) {
        problem = e.what();
        if (i + step < end) device = OpenDevice(spec, dopt);
      } catch (const InterruptedError&) {
        throw;  // not the chain's failure: the sweep ends
      } catch (const DramFullError& e) {
        SkipLine(out, index_width, i, sc.text, e.what(), &j);
        ++skipped;
        continue;
      } catch (const Error& e) {
        problem = e.what();
      }
      const bool pass = problem.empty() && co.fails.empty();
      ++chains;
      chain_cycles += co.counters.cycles;
      out << "  " << std::setw(index_width) << i << "  " << sc.text << "  "
          << (pass ? "PASS" : "FAIL");
      if (Clocked(o.backend)) out << "  " << co.counters.cycles << " cycles";
      out << " (" << co.layers << " descriptors)\n";
      Json chain_json;
      chain_json["index"] = i;
      chain_json["type"] = "chain";
      chain_json["layer"] = sc.text;
      chain_json["pass"] = pass;
      std::string fails = problem;
      for (const std::string& f : co.fails) fails += (fails.empty() ? "" : "; ") + f;
      chain_json["problem"] = fails;
      chain_json["cycles"] = co.counters.cycles;
      chain_json["descs"] = co.counters.descs;
      j["layers"].push_back(std::move(chain_json));
      if (pass) {
        ++passed;
        continue;
      }
      if (failed++ == 0) first_failure = i;
      out << "      rerun " << RerunCommand(o, i) << "\n";
      if (!problem.empty()) out << "      " << problem << "\n";
      for (const std::string& f : co.fails) out << "      " << f << "\n";
      continue;
    }
    const SweepShape shape = DrawSweepShape(hw, o.types, rng);
    const ConvLayer& layer = shape.layer;
    const bool fc = shape.type == LayerType::kFc;
    const bool pool = shape.type == LayerType::kPool;
    RsMapping m;
    bool mapped = false;
    bool drawn = false;
    ArrayStats st;
    int64_t model = 0;        // predicted cycles, when the layer ran
    int64_t model_array = 0;  // the array's part of them
    Comparison cmp;
    std::string problem;
    std::string post_text;  // the output path, when --post drew one
    LayerCase ran;          // what ran, to locate and rerun a failure
    Tensor<int32_t> want, got;
    uint64_t x_addr = 0, w_addr = 0;
    std::optional<OutputPath> path;
    ConvLayer model_layer = layer;  // as the cost model sees the run
    try {
      if (pool) {  // the runtime maps it: the mapper's choice
        ran = DrawSweepData(shape, hw.data_bits, rng);
        want = GoldenAcc(ran);
        const LayerCheck check = CheckLayer(*device, hw, ran, want, nullptr, nullptr, o.timeout);
        st = check.stats;
        cmp = check.cmp;
        got = check.got;
        x_addr = check.x_addr;
        w_addr = check.w_addr;
        m = st.mapping;
        mapped = true;
      } else {
        m = i % 2 == 0 ? ChooseMapping(layer, hw) : DrawMapping(layer, hw, rng, &drawn);
        mapped = true;
        ran = DrawSweepData(shape, hw.data_bits, rng);
        const Tensor<int32_t> acc = GoldenAcc(ran);
        path = o.post ? DrawSweepOutputPath(o.seed, i, pools, acc) : std::nullopt;
        const OutputPath* p = path ? &*path : nullptr;
        if (p) {
          // The mapping was drawn before the path (the draws stay those of earlier versions):
          // a table of fewer entries than a filter block (a board's 32) needs the mapper's
          // choice for the layer with its output path.
          ConvLayer with_post = layer;
          with_post.post = p->PostBits();
          RsMapping check = m;
          if (!CompleteMapping(with_post, hw, check).empty()) {
            m = ChooseMapping(with_post, hw);
            drawn = false;
          }
        }
        want = GoldenOutput(acc, p);
        const LayerCheck check = CheckLayer(*device, hw, ran, want, &m, p, o.timeout);
        got = check.got;
        x_addr = check.x_addr;
        w_addr = check.w_addr;
        st = check.stats;
        if (path) {
          post_text = "  " + DescribeOutputPath(*path);
          if (path->pool && st.descs > 1) post_text += " (as a pool layer of its own)";
          // The model times the table loads and the int16 store of the output path, and the
          // pooled store when the pooling is fused (a pool descriptor of its own is not
          // modelled: its cycles are the RTL's only).
          model_layer.post = path->PostBits();
          if (path->pool && st.descs == 1) {
            model_layer.pooled = true;
            model_layer.pool = path->pool_params;
          }
        }
        cmp = check.cmp;
        layer_macs += static_cast<uint64_t>(layer.Macs());  // a pooling has none
      }
      RsMapping placed = m;
      placed.n = st.tiling.nb;
      CompleteMapping(model_layer, hw, placed);
      const CycleEstimate est = EstimateCycles(model_layer, hw, placed, st.tiling);
      model = est.cycles;
      model_array = est.compute_cycles;
      timed |= st.Timed();
      cycles += st.cycles;
      model_cycles += static_cast<uint64_t>(model);
      if (st.Timed() && st.cycles > 0 && model > 0) {
        model_errors.push_back(static_cast<double>(model - static_cast<int64_t>(st.cycles)) /
                               static_cast<double>(st.cycles));
      }
      passes += st.passes;
    } catch (const TimeoutError& e) {  // a hung array fails this layer; the next gets a new one
      problem = e.what();
      if (i + step < end) device = OpenDevice(spec, dopt);
    } catch (const InterruptedError&) {
      throw;  // not the layer's failure: the sweep ends
    } catch (const DramFullError& e) {  // larger than the device's DRAM (a board's)
      SkipLine(out, index_width, i, shape.text, e.what(), &j);
      ++skipped;
      continue;
    } catch (const Error& e) {  // a layer or mapping the mapper or the runtime rejects
      problem = e.what();
    }
    const bool pass = problem.empty() && cmp.Pass();
    out << "  " << std::setw(index_width) << i << "  " << shape.text << "  "
        << (!mapped ? "(no mapping)" : ShortMapping(m) + (drawn ? " (random)" : " (mapper)"))
        << post_text << "  " << (pass ? "PASS" : "FAIL");
    if (st.Timed() || !problem.empty() || Clocked(o.backend)) {
      out << "  " << st.cycles << " cycles";
      if (model > 0) out << " (model " << model << ", " << SignedPercent(model, st.cycles) << ")";
    } else if (model > 0) {
      out << "  model " << model << " cycles";
    }
    out << "\n";
    Json layer_json;
    layer_json["index"] = i;
    layer_json["type"] = LayerTypeName(shape.type);
    layer_json["layer"] = shape.text;
    layer_json["mapping"] = mapped ? m.ToString() : "";
    layer_json["pass"] = pass;
    layer_json["problem"] = problem.empty() ? (cmp.Pass() ? "" : cmp.Summary()) : problem;
    layer_json["model_cycles"] = model;
    layer_json["model_array_cycles"] = model_array;
    AddArrayStats(layer_json, st);
    j["layers"].push_back(std::move(layer_json));
    if (pass) {
      ++passed;
      continue;
    }
    if (failed++ == 0) first_failure = i;
    out << "      rerun " << RerunCommand(o, i) << "\n";
    if (fc || pool) out << "      as conv " << layer.ToString() << "\n";
    if (mapped) out << "      mapping " << m.ToString() << "\n";
    if (!problem.empty()) {
      out << "      " << problem << "\n";
    } else {
      out << "      " << cmp.Summary() << "\n";
      if (cmp.mismatches > 0) {
        for (const std::string& e : cmp.examples) out << "        " << e << "\n";
      }
      if (o.backend == "rtl") {
        const Tensor<int16_t> w = RunWeights(ran);
        const MismatchReport r =
            ExplainMismatch(ran.layer, st, hw, want, got, &w, nullptr, x_addr, w_addr);
        PrintMismatch(out, r, "      ");
        AddMismatchJson(j["layers"].back(), r);
        if (r.has_loc && !o.trace_on_fail.empty() && !fail) {  // traced after the sweep (below)
          fail = FirstFailure{i, ran, want, m, path, PlanFailTrace(r, hw)};
        }
      }
    }
  }
  const double traced_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double util = cycles == 0 ? 0.0
                                  : static_cast<double>(layer_macs) /
                                        (static_cast<double>(hw.rows) * hw.cols * cycles);
  if (timed || Clocked(o.backend)) {
    out << "total     " << cycles << " cycles (model " << model_cycles << ", "
        << SignedPercent(static_cast<int64_t>(model_cycles), cycles) << "), " << passes
        << " passes, " << layer_macs << " layer MACs, util " << Percent(util) << " (layer MACs / ("
        << hw.rows * hw.cols << " PEs x cycles))\n";
    if (!model_errors.empty()) {
      std::sort(model_errors.begin(), model_errors.end());
      const size_t n = model_errors.size();
      const auto within = std::count_if(model_errors.begin(), model_errors.end(),
                                        [](double e) { return std::abs(e) <= 0.15; });
      char line[200];
      std::snprintf(line, sizeof(line),
                    "model     per-layer error (model - RTL) / RTL: min %+.1f%%, median %+.1f%%, "
                    "max %+.1f%%; %zu of %zu layers within 15%%\n",
                    100.0 * model_errors.front(), 100.0 * model_errors[n / 2],
                    100.0 * model_errors.back(), static_cast<size_t>(within), n);
      out << line;
      j["model_error"] = {{"min", model_errors.front()},
                          {"median", model_errors[n / 2]},
                          {"max", model_errors.back()},
                          {"within_15_percent", within},
                          {"layers", n}};
    }
  } else {
    out << "total     " << layer_macs << " layer MACs; model " << model_cycles << " cycles (the "
        << o.backend << " device has no timing model)\n";
  }
  if (chains > 0) {
    out << "chains    " << chains << " chain" << (chains == 1 ? "" : "s") << " of 2-3 layers";
    if (Clocked(o.backend)) out << ", " << chain_cycles << " cycles (not in the totals above)";
    out << "\n";
  }
  if (fail) {
    device.reset();
    const bool pool_only = fail->ran.type == LayerType::kPool;
    rerun_opt.plusargs = plusargs_of(fail->index);  // the same initial state under --x-init
    out << TraceFailedPass(
        spec, rerun_opt, hw, fail->ran, fail->want, pool_only ? nullptr : &fail->mapping,
        fail->path ? &*fail->path : nullptr, fail->plan,
        o.trace_on_fail + "/sweep_layer" + std::to_string(fail->index) + "_fail.fst");
  }
  if (failed > 0) {
    out << "rerun a failing layer alone, e.g.: " << RerunCommand(o, first_failure)
        << (o.backend == "rtl" ? " (it traces the pass of its first wrong output)" : "") << "\n";
  }
  if (o.trace.On()) {
    device.reset();  // closes the trace file
    PrintTrace(out, o.trace, WindowOf(o.trace, ChainProfile{}, 0, 0, ""), traced_s, untraced_s,
               cycles, cycles);
  }
  out << passed << " passed, " << failed << " failed";
  if (skipped > 0) out << ", " << skipped << " skipped (larger than the device's DRAM)";
  out << "\n";
  j["passed"] = passed;
  j["failed"] = failed;
  j["skipped"] = skipped;
  if (!o.json_path.empty()) {
    WriteJsonReport(o.json_path, j);
    out << "json      " << o.json_path << "\n";
  }
  return failed > 0 ? kExitMismatch : kExitOk;
}

}  // namespace eyelet
