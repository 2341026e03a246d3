// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` command-line tool as a library, so tests run it in-process. sw/tools/eyelet.cc
// is only `return RunCli(argc, argv, std::cout, std::cerr);`.
//
//   eyelet [--help | help [COMMAND] | --version]
//   eyelet layer [options]   one CONV/FC/POOL layer through the golden model
//   eyelet pe [options]      random 1-D row-stationary jobs through the Verilated PE
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

#include "eyelet/golden.h"

namespace eyelet {

constexpr int kExitOk = 0;
constexpr int kExitMismatch = 1;
constexpr int kExitUsage = 2;
constexpr int kExitError = 3;

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

enum class LayerType { kConv, kFc, kPool };

// `eyelet layer`. Shape fields left empty are drawn from `seed` (C, M <= 16, H, W <= 32,
// kernel 1..5) or taken from the --input / --weights tensors; stride and pad apply to both
// axes, pad to all four sides.
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
  std::string backend = "golden";
  std::string input_path;    // .npy, int8 or int16; empty: random
  std::string weights_path;  // .npy, int8 or int16; empty: random
  std::string output_path;   // .npy: int32 accumulators (conv, fc) or int16 (pool)
};

// Runs one layer and prints its shapes, MAC count and output checksum to `out`. Throws
// eyelet::Error (ShapeError, FileError, UnsupportedError) when the layer cannot be run.
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

}  // namespace eyelet

#endif  // EYELET_CLI_H_
