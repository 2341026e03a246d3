// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` command-line tool as a library, so tests run it in-process. sw/tools/eyelet.cc
// is only `return RunCli(argc, argv, std::cout, std::cerr);`.
//
//   eyelet [--help | help [COMMAND] | --version]
//   eyelet layer [options]   one CONV/FC/POOL layer through the golden model or through the
//                            Verilated accelerator (--backend rtl)
//   eyelet pe [options]      random 1-D row-stationary jobs through the Verilated PE
//   eyelet sweep [options]   random CONV, FC and POOL layers through the Verilated accelerator
//   eyelet map [options]     the mapper's choice and predicted cost of CONV layers (a built-in
//                            net or one layer), beside Eyeriss's published mapping
//
// Exit codes (kExit*): 0 success; 1 the job ran but a comparison failed; 2 usage error (the
// problem, then the subcommand's usage, on `err`); 3 an eyelet::Error while running the job
// ("eyelet: error: <message>" on `err`).
//
// Each subcommand parses its flags (Boost.Program_options, inside cli.cc) into an options
// struct below and hands it to a Run* function that does the work and prints to `out`.
#ifndef EYELET_CLI_H_
#define EYELET_CLI_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/mapping.h"

namespace eyelet {

constexpr int kExitOk = 0;
constexpr int kExitMismatch = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

enum class LayerType { kConv, kFc, kPool };

// The hardware config the rtl backend uses when none is given: quick to simulate.
constexpr const char kDefaultArrayConfig[] = "small";

// `eyelet layer`. Shape fields left empty are drawn from `seed` (golden backend: C, M <= 16,
// H, W <= 32; rtl backend: C, M <= 8, H, W <= 16; kernel 1..5; rtl FC: batch 1..8, M <= 32,
// flat K <= 300 or C <= 8 x H, W <= 6; rtl pool: C <= 8, H, W <= 16, windows and strides
// 1..3) or taken from the --input / --weights tensors; stride and pad apply to both axes, pad
// to all four sides. An FC layer on the rtl backend runs as the CONV layer FcToConv
// (eyelet/runtime.h) makes of it, `mapping` is for that layer; a POOL layer as the 1x1 CONV
// PoolToConvLayer makes of it (the mapper's mapping).
struct LayerOptions {
  LayerType type = LayerType::kConv;
  uint64_t seed = 1;
  std::optional<int> batch;
  std::optional<int> in_channels;
  std::optional<int> out_channels;
  std::optional<int> height;
  std::optional<int> width;
  std::optional<int> kernel_h;
  std::optional<int> kernel_w;
  std::optional<int> stride;
  std::optional<int> pad;
  std::optional<int> groups;
  int data_bits = kDefaultDataBits;
  // The output path (conv, fc): per-channel bias, requantization to int16, ReLU or leaky ReLU,
  // with parameters drawn from the seed and the accumulators' range.
  bool bias = false;
  bool requant = false;
  bool relu = false;
  bool leaky = false;
  // Max pooling of the output path's int16 outputs (conv, fc: needs `requant`), after the
  // activation; `pool_params` is the window, stride, padding and ceil mode. The rtl backend
  // pools in hardware: windows and strides 1..3. For kPool only pool_params.ceil_mode is read
  // (the window, stride and pad are the shape fields above).
  bool pool = false;
  PoolParams pool_params;
  std::string backend = "golden";  // "golden" or "rtl" (the Verilated accelerator)
  std::string input_path;          // .npy, int8 or int16; empty: random
  std::string weights_path;        // .npy, int8 or int16; empty: random
  // .npy: int32 accumulators (conv, fc) or int16 (pool; conv, fc with `requant`, pooled when
  // `pool`); with the rtl backend the array's output, written even when it differs from the
  // golden model's.
  std::string output_path;
  // rtl backend only:
  std::string config = kDefaultArrayConfig;  // one of BuiltConfigs()
  std::optional<RsMapping> mapping;          // e, p, q, r, t set (n = batch); empty: the mapper's
  std::string trace_path;                    // FST file of the run; empty: no trace
  std::string json_path;                     // JSON report of the run; empty: none
};

// Runs one layer and prints its shapes, MAC count and output checksum to `out`. With the rtl
// backend it also compares every output element with the golden model and prints PASS or FAIL
// with the mapping and the array's statistics; returns kExitOk or kExitMismatch. Throws
// eyelet::Error (ShapeError, FileError, UnsupportedError, TimeoutError) when the layer cannot be
// run (UnsupportedError, before any work, for a pooling window or stride over 3 on the rtl
// backend), UsageError for an unknown config.
int RunLayer(const LayerOptions& opts, std::ostream& out);

// `eyelet pe`. Job i draws from a generator seeded by (seed, i), so one job can be rerun
// alone with `job` (and traced) without running the ones before it.
struct PeOptions {
  int count = 20;
  uint64_t seed = 1;
  std::optional<int> job;  // run only job number `job` of the seed's sequence
  std::string trace_path;  // FST file for the whole run; empty: no trace
  double stall = 0.2;      // probability of holding valid/ready low in a cycle
};

// Runs the jobs through the Verilated PE, prints one line per failing job and a summary to
// `out`; returns kExitOk or kExitMismatch.
int RunPe(const PeOptions& opts, std::ostream& out);

// `eyelet sweep`. Layer i draws its shape, mapping and data from a generator seeded by
// (seed, i), so one layer can be rerun alone with `index` (and traced).
struct SweepOptions {
  std::string backend = "rtl";  // only "rtl": the sweep compares a backend with the golden model
  std::string config = kDefaultArrayConfig;
  int count = 20;
  uint64_t seed = 1;
  std::optional<int> index;  // run only layer number `index` of the seed's sequence
  std::string trace_path;    // FST file for the whole run; empty: no trace
  std::vector<LayerType> types = {LayerType::kConv};  // kConv, kFc, kPool; one drawn per layer
  // Each CONV and FC layer through a random output path (bias, requant, activation, and now
  // and then, when it requantizes, a max pooling).
  bool post = false;
  std::string json_path;     // JSON report of every layer; empty: none
  int mem_latency = 8;       // DRAM model read latency, cycles
  double mem_stall = 0.0;    // DRAM model: chance of holding back a ready / due beat per cycle
};

struct InfoOptions {
  std::string config = kDefaultArrayConfig;
  std::string backend = "rtl";  // "rtl" (the Verilated build's CSRs) or "golden"
  std::string json_path;
};

int RunInfo(const InfoOptions& opts, std::ostream& out);

// Runs the layers on the Verilated PE array, compares each with the golden model, prints one
// line per layer and ends with "N passed, M failed"; returns kExitOk or kExitMismatch. POOL
// layers run standalone (RunPool), windows and strides 1..3.
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

}  // namespace eyelet

#endif  // EYELET_CLI_H_
