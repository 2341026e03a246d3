// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` command-line tool as a library, so tests run it in-process. Its sources are one
// file per command under sw/tools/eyelet/ (main.cc is only
// `return RunCli(argc, argv, std::cout, std::cerr);`); each parses its flags into an options
// struct below and calls the library. Devices are opened by name (eyelet/backend.h): the
// golden backend is always there, the rtl one when eyelet_rtl_backend is linked.
//
//   eyelet [--help | help [COMMAND]]
//   eyelet run MODEL.onnx    an ONNX network, quantized, on a device as one descriptor chain
//                            per batch, beside the float model (eyelet/net_run.h)
//   eyelet layer [options]   one CONV/FC/POOL layer on a device (golden model or Verilated
//                            accelerator), checked against the golden model
//   eyelet pe [options]      random 1-D row-stationary jobs through the Verilated PE
//   eyelet sweep [options]   random CONV, FC and POOL layers on a device vs the golden model
//   eyelet info [options]    a device's hardware configuration, read from its CSRs
//   eyelet map [options]     the mapper's choice and predicted cost of CONV layers (a built-in
//                            net or one layer), beside Eyeriss's published mapping
//   eyelet bench [options]   a built-in net's CONV layers (cost model or simulated), their
//                            utilization, DRAM traffic and energy beside Eyeriss's measurements
//
// Exit codes (kExit*): 0 success; 1 the job ran but a comparison failed; 2 usage error (the
// problem, then the subcommand's usage, on `err`); 3 an eyelet::Error while running the job
// ("eyelet: error: <message>" on `err`); 130 interrupted (Ctrl-C, SIGTERM: eyelet/interrupt.h;
// a trace the run had begun is removed, reports and outputs are written whole or not at all).
//
// Each subcommand parses its flags (Boost.Program_options) into an options struct below and
// hands it to a Run* function that calls the library and prints to `out`.
#ifndef EYELET_CLI_H_
#define EYELET_CLI_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eyelet/draw.h"
#include "eyelet/golden.h"
#include "eyelet/layer_check.h"
#include "eyelet/mapping.h"

namespace eyelet {

constexpr int kExitOk = 0;
constexpr int kExitMismatch = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;
constexpr int kExitInterrupted = 130;  // Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

// The hardware config a device has when none is given: quick to simulate.
constexpr const char kDefaultArrayConfig[] = "small";

// A waveform request (--trace FILE.fst and its window flags), rtl only. The window is in the
// device's clock cycles (what `eyelet` prints as the traced window); --trace-layer and
// --trace-pass pick it from an untraced run first (the simulation is deterministic, so the
// traced rerun reaches the same cycles), and the command prints the window, the file's size
// and the traced run's wall time against the untraced one's.
struct TraceOptions {
  std::string path;          // empty: no trace
  uint64_t from = 0;         // --trace-from CYCLE
  uint64_t to = UINT64_MAX;  // --trace-to CYCLE
  std::string scope;         // --trace-scope (eyelet/backend.h ParseTraceScope); empty: all
  std::optional<int> layer;  // --trace-layer K: layer K of a network (run)
  std::optional<int> pass;   // --trace-pass P: pass P of the layer (counted from 0)
  int pass_from = -1;        // >= 0: passes pass_from..P instead (a failure's load and its use)
  bool On() const { return !path.empty(); }
};

// `eyelet layer`. The shape fields (LayerSpec) left empty are drawn from `seed` (eyelet/draw.h:
// conv C, M <= 8, H, W <= 16, kernel 1..5; fc batch 1..8, M <= 32, flat K <= 300 or C <= 8 x
// H, W <= 6; pool C <= 8, H, W <= 16, windows and strides 1..3) or taken from the --input /
// --weights tensors; stride and pad apply to both axes, pad to all four sides. Every backend
// draws the same layer and data for a seed and runs the same descriptors: an FC layer as the
// CONV layer FcToConv (eyelet/runtime.h) makes of it (`mapping` is for that layer), a POOL
// layer as the 1x1 CONV PoolToConvLayer makes of it (the mapper's mapping).
// The output path (conv, fc; OutputPathFlags): per-channel bias, requantization to int16, ReLU
// or leaky ReLU, with parameters drawn from the seed and the accumulators' range; `pool` with
// `pool_params` (LayerSpec) max-pools its int16 outputs after the activation (needs `requant`;
// windows and strides 1..3, the hardware's). For kPool only pool_params.ceil_mode is read
// unless `pool` is set (the window, stride and pad are the shape fields).
struct LayerOptions : LayerSpec, OutputPathFlags {
  LayerType type = LayerType::kConv;
  uint64_t seed = 1;
  int data_bits = kDefaultDataBits;
  std::string backend = "golden";  // a registered backend (BackendNames()): golden, rtl
  std::string port;  // uart: the board's serial port and baud rate (0: the default)
  int baud = 0;
  // .npy: int32 accumulators (conv, fc) or int16 (pool; conv, fc with `requant`, pooled when
  // `pool`); the device's output, written even when it differs from the golden model's.
  std::string output_path;
  std::string config = kDefaultArrayConfig;  // one of BuiltConfigs()
  std::optional<RsMapping> mapping;          // e, p, q, r, t set (n = batch); empty: the mapper's
  TraceOptions trace;                        // rtl: FST of the run (or of a window of it)
  // rtl: when an output is wrong, rerun traced into this directory: the pass that produced the
  // first wrong output, scoped to the walker and that PE's column. Empty: no rerun.
  std::string trace_on_fail;
  // rtl, config small: run on the fault-injection build instead ("rtlfault:small") with these
  // plusargs (a stuck-at-1 bit on one PE's psum output: --fault). Empty: none.
  std::vector<std::string> fault;
  std::string json_path;  // JSON report of the run; empty: none
  // rtl: measure the run's activity and draw it into this directory (heatmap.svg,
  // timeline.json, from activity.fst); empty: none
  std::string report_dir;
};
// Runs one layer on the device `backend:config` and prints its shapes, MAC count, the mapping
// and the device's statistics (the timing ones only from a device that has timing), the output
// checksum, and PASS or FAIL from comparing every output element with the golden model;
// returns kExitOk or kExitMismatch. Throws eyelet::Error (ShapeError, FileError,
// UnsupportedError, TimeoutError) when the layer cannot be run (UnsupportedError, before any
// work, for a pooling window or stride over 3), UsageError for an unknown backend or config.
int RunLayer(const LayerOptions& opts, std::ostream& out);

// `eyelet pe`. Job i draws from a generator seeded by (seed, i), so one job can be rerun
// alone with `job` (and traced) without running the ones before it.
struct PeOptions {
  int count = 20;
  uint64_t seed = 1;
  std::optional<int> job;  // run only job number `job` of the seed's sequence
  TraceOptions trace;      // FST file of the run (--trace-from/--trace-to: a window of it)
  double stall = 0.2;      // probability of holding valid/ready low in a cycle
};

// Runs the jobs through the Verilated PE, prints one line per failing job and a summary to
// `out`; returns kExitOk or kExitMismatch.
int RunPe(const PeOptions& opts, std::ostream& out);

// `eyelet sweep`. Layer i draws its shape, mapping and data from a generator seeded by
// (seed, i), so one layer can be rerun alone with `index` (and traced).
struct SweepOptions {
  std::string backend = "rtl";  // a registered backend; golden checks GoldenDevice against golden.h
  std::string config = kDefaultArrayConfig;
  int count = 20;
  uint64_t seed = 1;
  std::optional<int> index;  // run only layer number `index` of the seed's sequence
  // Run only the layers i < count with i % shards == shard (a soak spread over processes or
  // machines: every layer keeps its number, data and seed, so the shards together run the
  // same layers as one sweep).
  int shard = 0;
  int shards = 1;
  TraceOptions trace;        // rtl: FST of the run (or of a window of it)
  // rtl: a failing layer's first wrong output is located, and the first failing layer rerun
  // with a trace of that output's pass into DIR/sweep_layerK_fail.fst (on by default, DIR ".",
  // for a single layer: `index`). Empty: no rerun.
  std::string trace_on_fail;
  std::vector<std::string> fault;  // --fault: the fault-injection build's plusargs
  std::string fault_text;          // --fault as given (for the suggested rerun)
  std::vector<LayerType> types = {LayerType::kConv};  // kConv, kFc, kPool; one drawn per layer
  bool chains = false;  // --types ..,chain: a layer may also be a chain of 2-3 (DrawSweepChain)
  // Each CONV and FC layer through a random output path (bias, requant, activation, and now
  // and then, when it requantizes, a max pooling).
  bool post = false;
  std::string json_path;   // JSON report of every layer; empty: none
  int mem_latency = 8;     // rtl: DRAM model read latency, cycles
  double mem_stall = 0.0;  // rtl: DRAM model: chance of holding back a ready / due beat per cycle
  // rtl: every layer (or chain) on a device of its own whose state reset does not set (flops
  // without a reset, memories, X the RTL could produce) is drawn at random from a seed derived
  // from (x_init, layer number): Verilator's +verilator+rand+reset+2 and +verilator+seed+N
  // (the builds use --x-assign unique --x-initial unique). Empty: zeros, one device for all.
  std::optional<uint64_t> x_init;
  // Cycles a layer or chain may run before it counts as hung (TimeoutError: the layer fails
  // and the sweep goes on with a new device).
  uint64_t timeout = kLayerTimeoutCycles;
  // uart: the board's serial port and baud rate (0: the bitstream's default).
  std::string port;
  int baud = 0;
};

// The plusargs that draw the initial state of sweep layer `index` under --x-init `x_init`.
std::vector<std::string> XInitPlusargs(uint64_t x_init, int index);

// `eyelet info`.
struct InfoOptions {
  std::string config = kDefaultArrayConfig;
  std::string backend = "rtl";  // "rtl" (the Verilated build's CSRs), "golden", "uart", ...
  std::string json_path;
  std::string port;  // uart: the board's serial port and baud rate (0: the default)
  int baud = 0;
};

// Opens the device and prints what its CSRs report; returns kExitOk.
int RunInfo(const InfoOptions& opts, std::ostream& out);

// Runs the layers on the device, compares each with the golden model, prints one line per
// layer and ends with "N passed, M failed"; returns kExitOk or kExitMismatch. POOL layers run
// standalone (RunPool), windows and strides 1..3.
int RunSweep(const SweepOptions& opts, std::ostream& out);

// `eyelet map`: the CONV layers of a built-in net (BuiltNets()), or one layer.
struct MapOptions {
  std::string net;                 // a built-in net; empty when `layer` is set
  std::optional<ConvLayer> layer;  // one layer, batch included
  int batch = 1;                   // images, for `net`
  std::string config = "eyeriss";  // one of BuiltConfigs()
  std::string json_path;           // also write the rows as JSON; empty: no
};

// Prints the mapping table (eyelet/map_report.h) of the net or the layer to `out` and writes
// the JSON file; returns kExitOk. Throws UnsupportedError naming the limit when `layer` has no
// legal mapping, UsageError for an unknown net or config, FileError when the JSON file cannot
// be written.
int RunMap(const MapOptions& opts, std::ostream& out);

// `eyelet bench`: a built-in net's CONV layers beside Eyeriss's measured table (eyelet/bench.h).
struct BenchOptions {
  std::string net;                 // a built-in net (BuiltNets())
  std::optional<int> batch;        // images; empty: the batch of Eyeriss's measured table
  std::string config = "eyeriss";  // one of BuiltConfigs()
  std::vector<std::string> rtl;    // layers simulated on the Verilated accelerator
  std::string json_path;           // every row and the totals as JSON; empty: none
  std::string svg_path;            // the chart; empty: none
  std::string eyeriss_dir;         // eyeriss_<net>_measured.csv's directory; empty: data/eyeriss
};

// Prints the bench tables (cycles, utilization, DRAM traffic and normalized energy per layer
// and in total, each row's source, Eyeriss's measured figures beside them) and writes the JSON
// and SVG files; returns kExitOk, or kExitMismatch when a simulated layer's output differs from
// the golden model. Throws UsageError for an unknown net, config or layer, FileError when a
// file cannot be read or written.
int RunBench(const BenchOptions& opts, std::ostream& out);

}  // namespace eyelet

#endif  // EYELET_CLI_H_
