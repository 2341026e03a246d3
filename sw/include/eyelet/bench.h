// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet bench`: a built-in network's CONV layers (nets.h) on a hardware config, layer by
// layer, beside the Eyeriss chip's own measured table (JSSC 2017 Tables V and VI, as
// data/eyeriss/eyeriss_{alexnet,vgg16}_measured.csv). Each row's figures come either from the
// calibrated cost model (cost_model.h) or from the layer simulated on the Verilated accelerator
// through the driver with every output checked against the golden model (layer_check.h);
// the normalized energy (energy.h) is computed from the same counts either way.
#ifndef EYELET_BENCH_H_
#define EYELET_BENCH_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/energy.h"
#include "eyelet/mapping.h"
#include "eyelet/nets.h"

namespace eyelet {

// --- Eyeriss's measured figures.

// One row of an eyeriss_*_measured.csv: a layer or "TOTAL", at the CSV's batch. Columns the
// CSV lacks (VGG-16 has no DRAM or power figures) are empty.
struct EyerissMeasured {
  std::string layer;
  double total_ms = 0;              // including DRAM stalls
  double processing_ms = 0;         // DRAM traffic assumed overlapped
  int64_t macs = 0;                 // of the batch
  std::optional<double> util_proc;  // MACs / (168 PEs x processing cycles)
  std::optional<double> dram_mb;
  std::optional<double> glb_mb;
  std::optional<double> power_mw;
  std::optional<double> ifmap_zero_frac;
  std::optional<int> active_pes;
  int64_t Cycles() const;            // total_ms at kEyerissClockMhz
  int64_t ProcessingCycles() const;  // processing_ms at kEyerissClockMhz
  double UtilTotal() const;          // MACs / (168 PEs x Cycles()): including DRAM stalls
};

struct EyerissTable {
  std::string path;
  int batch = 0;  // from the MAC column's name, macs_batchN
  std::vector<EyerissMeasured> layers;
  std::optional<EyerissMeasured> total;
  const EyerissMeasured* Find(const std::string& layer) const;  // null when absent
};

// Eyeriss v1's PE count, for its utilization.
constexpr int kEyerissPes = 168;

// Reads an eyeriss_*_measured.csv (comment lines start with '#'; the header names the
// columns). Throws FileError when it cannot be read or a row is malformed.
EyerissTable ReadEyerissMeasured(const std::string& path);
// The measured table of built-in net `net` in directory `dir` (default: the repository's
// data/eyeriss/): eyeriss_<net>_measured.csv.
std::string EyerissMeasuredPath(const std::string& net, const std::string& dir = "");

// --- Our rows.

struct BenchRow {
  std::string name;
  ConvLayer layer;
  std::string source;  // "model" or "rtl"
  std::string error;   // the layer does not map (then nothing else is set but min_dram_bytes)
  RsMapping mapping;
  Tiling tiling;
  int active_pes = 0;
  int total_pes = 0;
  int64_t layer_macs = 0;      // the layer's MACs (N M E F C/G R S), as Eyeriss counts them
  int64_t macs = 0;            // issued: done + zero-gated, padding slots included
  int64_t skipped = 0;         // zero-gated
  int64_t cycles = 0;          // busy cycles, descriptor fetch to the last store
  int64_t array_cycles = 0;    // of which the array runs (the rest waits for DRAM)
  int64_t dram_bytes = 0;      // rtl: the counters (descriptor included); model: its prediction
  int64_t min_dram_bytes = 0;  // every ifmap and filter word read once, every output written once
  // DRAM bytes if the feature maps were stored run-length coded (rlc.h): the ifmap bytes read
  // scaled by rlc_ifmap_ratio, the coded over the raw size of a synthetic ifmap with Eyeriss's
  // measured zero fraction for the layer (independent zeros), and the output bytes written by
  // rlc_output_ratio, the same for the output with the next layer's measured ifmap zero
  // fraction (this layer's ReLU outputs are that layer's ifmaps). The network's first layer
  // reads its input raw, as Eyeriss does; without a measured fraction (or 32-bit outputs,
  // which the 16-bit levels cannot code) that side stays raw (no ratio).
  std::optional<double> rlc_ifmap_ratio;
  std::optional<double> rlc_output_ratio;
  int64_t dram_bytes_rlc = 0;
  EnergyCounts counts;
  Energy energy;
  // rtl rows: the comparison with the golden model and the run's wall time.
  bool pass = true;
  std::string check;
  double wall_seconds = 0;
  std::optional<EyerissMeasured> eyeriss;  // Eyeriss's row of the same layer

  // Utilization as Eyeriss defines it: the layer's MACs (not the padding slots the PEs also
  // run) over PEs x cycles.
  double UtilArray() const;  // layer_macs / (PEs x array_cycles)
  double UtilTotal() const;  // layer_macs / (PEs x cycles): DRAM waits included
  double DramRatio() const;  // dram_bytes / min_dram_bytes
};

// Coded over raw bytes (rlc.h, RlcTensorBytes) of a tensor of shape `x` whose values are zero
// with probability `zero`, independently, and otherwise uniform over the nonzero int16 values.
double RlcRatio(const Shape& x, double zero, uint64_t seed = 1);

// The energy counts of a cost-model estimate (energy.h says which field comes from where).
EnergyCounts ModelEnergyCounts(const CostEstimate& c, const ArrayConfig& hw);

// Layer `nl` at `batch` as a network runs it on Eyelet: every CONV layer of AlexNet and VGG-16
// is followed by a ReLU, so its outputs go through the output path (bias, requantization to
// int16, ReLU) and are written as the 16-bit ifmaps of the next layer. (Eyeriss's per-layer
// figures are the CONV layers' alone: no pooling here.)
ConvLayer BenchLayer(const NetLayer& nl, int batch);

// A row from the cost model: the mapper's mapping and tiling of `layer` on `hw`.
BenchRow BenchModelRow(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw);
// A row from a run on device `spec` ("rtl:small"; hw must be its config), opened here and
// closed before returning: random data drawn from `seed`, the mapper's mapping, an output path
// drawn for the layer's post bits (bias, requantization, ReLU: DrawOutputPath), every output
// compared with the golden model (CheckLayer). Counts the RTL has come from its counters, the
// rest from the cost model for the mapping and tiling the device ran.
BenchRow BenchDeviceRow(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw,
                        const std::string& spec, uint64_t seed = 1);

struct BenchReport {
  std::string net;
  std::string description;
  std::string config;
  int batch = 1;
  EyerissTable eyeriss;
  std::vector<BenchRow> rows;
  BenchRow total;  // sums; source "model", "rtl" or "model+rtl"; its eyeriss is the TOTAL row
  bool AllPass() const;
};

// The rows of `net` at `batch` on `hw`: layers named in `rtl_layers` run on device
// `backend:hw.name` (BenchDeviceRow), the rest from the model. `progress` (may be null) gets a
// line as each simulated layer finishes.
BenchReport BenchNet(const Net& net, const ArrayConfig& hw, int batch,
                     const std::vector<std::string>& rtl_layers, const std::string& backend,
                     const EyerissTable& eyeriss, std::ostream* progress = nullptr);

// The report as text tables, as a JSON document, as an SVG chart (bench_svg.cc).
std::string FormatBench(const BenchReport& r);
std::string BenchJson(const BenchReport& r);
std::string BenchSvg(const BenchReport& r);

}  // namespace eyelet

#endif  // EYELET_BENCH_H_
