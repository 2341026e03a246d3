// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <utility>

#include "eyelet/backend.h"
#include "eyelet/desc_codec.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/layer_check.h"
#include "eyelet/map_report.h"
#include "eyelet/rlc.h"
#include "eyelet/rng.h"
#include "eyelet/walk.h"

#ifndef EYELET_DATA_DIR
#define EYELET_DATA_DIR "data"
#endif

namespace eyelet {

namespace {

double Ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

}  // namespace

// --- Eyeriss's measured figures.

int64_t EyerissMeasured::Cycles() const {
  return std::llround(total_ms * kEyerissClockMhz * 1000.0);
}

int64_t EyerissMeasured::ProcessingCycles() const {
  return std::llround(processing_ms * kEyerissClockMhz * 1000.0);
}

double EyerissMeasured::UtilTotal() const {
  return Ratio(static_cast<double>(macs), static_cast<double>(kEyerissPes) * Cycles());
}

const EyerissMeasured* EyerissTable::Find(const std::string& layer) const {
  for (const EyerissMeasured& m : layers) {
    if (m.layer == layer) return &m;
  }
  return nullptr;
}

EyerissTable ReadEyerissMeasured(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileError("cannot read Eyeriss's measured table " + path);
  EyerissTable t;
  t.path = path;
  std::vector<std::string> header;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = SplitCsv(line);
    const std::string where = path + ":" + std::to_string(line_no);
    if (header.empty()) {
      header = cells;
      if (header.empty() || header[0] != "layer") {
        throw FileError(where + ": the header must start with 'layer'");
      }
      for (const std::string& h : header) {
        if (h.rfind("macs_batch", 0) == 0) t.batch = std::atoi(h.c_str() + 10);
      }
      if (t.batch <= 0) throw FileError(where + ": no macs_batchN column");
      continue;
    }
    if (cells.size() != header.size()) {
      throw FileError(where + ": " + std::to_string(cells.size()) + " cells, the header has " +
                      std::to_string(header.size()));
    }
    EyerissMeasured m;
    m.layer = cells[0];
    for (size_t i = 1; i < cells.size(); ++i) {
      if (cells[i].empty()) continue;
      char* end = nullptr;
      const double v = std::strtod(cells[i].c_str(), &end);
      if (end == cells[i].c_str() || *end != '\0') {
        throw FileError(where + ": '" + cells[i] + "' in column " + header[i] + " is no number");
      }
      const std::string& h = header[i];
      if (h == "total_ms") {
        m.total_ms = v;
      } else if (h == "processing_ms") {
        m.processing_ms = v;
      } else if (h.rfind("macs_batch", 0) == 0) {
        m.macs = std::llround(v);
      } else if (h == "active_pes") {
        m.active_pes = static_cast<int>(v);
      } else {
        const std::pair<const char*, std::optional<double>*> optional_columns[] = {
            {"util_proc", &m.util_proc},
            {"dram_mb", &m.dram_mb},
            {"glb_mb", &m.glb_mb},
            {"power_mw", &m.power_mw},
            {"ifmap_zero_frac", &m.ifmap_zero_frac}};
        for (const auto& [name, field] : optional_columns) {
          if (h == name) *field = v;
        }
      }
    }
    if (m.total_ms <= 0 || m.macs <= 0) {
      throw FileError(where + ": " + m.layer + " has no total_ms or MAC count");
    }
    if (m.layer == "TOTAL") {
      t.total = m;
    } else {
      t.layers.push_back(m);
    }
  }
  if (header.empty()) throw FileError(path + " has no header line");
  return t;
}

std::string EyerissMeasuredPath(const std::string& net, const std::string& dir) {
  const std::string d = dir.empty() ? std::string(EYELET_DATA_DIR) + "/eyeriss" : dir;
  return d + "/eyeriss_" + net + "_measured.csv";
}

// --- Our rows.

double BenchRow::UtilArray() const {
  return Ratio(static_cast<double>(layer_macs), static_cast<double>(total_pes) * array_cycles);
}

double BenchRow::UtilTotal() const {
  return Ratio(static_cast<double>(layer_macs), static_cast<double>(total_pes) * cycles);
}

double BenchRow::DramRatio() const {
  return Ratio(static_cast<double>(dram_bytes), static_cast<double>(min_dram_bytes));
}

EnergyCounts ModelEnergyCounts(const CostEstimate& c, const ArrayConfig& hw) {
  const AccessCounts& a = c.access;
  EnergyCounts e;
  e.macs = a.macs - a.padding_macs;  // the data's own zeros are not predicted
  e.skipped = a.padding_macs;
  e.spad_ifmap_writes = a.spad_ifmap_writes;
  e.spad_ifmap_reads = a.spad_ifmap_reads;
  e.spad_filter_writes = a.spad_filter_writes;
  e.noc_filter = a.noc_filter;
  e.noc_ifmap = a.noc_ifmap;
  e.noc_psum_in = a.noc_psum_in;
  e.noc_psum_out = a.noc_psum_out;
  e.ln_psum = a.ln_psum;
  e.dram_ifmap_bytes = c.time.dram_ifmap_bytes;
  e.dram_filter_bytes = c.time.dram_filter_bytes;
  e.dram_output_bytes = c.time.dram_write_bytes;
  e.data_bits = hw.data_bits;
  e.acc_bits = hw.acc_bits;
  return e;
}

double RlcRatio(const Shape& x, double zero, uint64_t seed) {
  Rng rng(seed);
  Tensor<int16_t> t(x, 0);
  const int64_t threshold = std::llround(zero * 1e6);
  for (int16_t& v : t.data()) {
    if (rng.Uniform(0, 999999) < threshold) continue;
    const int64_t u = rng.Uniform(-32768, 32766);
    v = static_cast<int16_t>(u >= 0 ? u + 1 : u);  // never 0
  }
  return static_cast<double>(RlcTensorBytes(t)) / static_cast<double>(2 * x.Size());
}

ConvLayer BenchLayer(const NetLayer& nl, int batch) {
  ConvLayer l = nl.Conv(batch);
  l.post = kPostBias | kPostRequant | kPostRelu;
  return l;
}

BenchRow BenchModelRow(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw) {
  const MapRow m = MapLayer(name, layer, hw);
  BenchRow r;
  r.name = name;
  r.layer = layer;
  r.source = "model";
  r.total_pes = hw.rows * hw.cols;
  r.min_dram_bytes = m.min_dram_bytes;
  r.layer_macs = layer.Macs();
  r.error = m.error;
  if (!r.error.empty()) return r;
  r.mapping = m.mapping;
  r.tiling = m.tiling;
  r.active_pes = m.cost.use.active_pes;
  r.macs = m.cost.access.macs;
  r.skipped = m.cost.access.padding_macs;
  r.cycles = m.cost.time.cycles;
  r.array_cycles = m.cost.time.compute_cycles;
  r.dram_bytes = m.cost.time.DramBytes();
  r.counts = ModelEnergyCounts(m.cost, hw);
  r.energy = EstimateEnergy(r.counts);
  return r;
}

BenchRow BenchDeviceRow(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw,
                        const std::string& spec, uint64_t seed) {
  BenchRow r = BenchModelRow(name, layer, hw);  // the mapper's mapping; an unmappable layer
  if (!r.error.empty()) return r;               // is reported, not run
  LayerCase c;
  c.type = LayerType::kConv;
  c.layer = layer;
  c.data_bits = hw.data_bits;
  Rng rng(seed);
  c.x = RandomData(layer.x, hw.data_bits, rng);
  c.w = RandomData(layer.w, hw.data_bits, rng);
  const Tensor<int32_t> acc = GoldenAcc(c);
  OutputPathFlags flags;
  flags.bias = (layer.post & kPostBias) != 0;
  flags.requant = (layer.post & kPostRequant) != 0;
  flags.relu = (layer.post & kPostRelu) != 0;
  flags.leaky = (layer.post & kPostLeaky) != 0;
  const std::optional<OutputPath> path = DrawOutputPath(flags, acc, rng);
  const OutputPath* p = path ? &*path : nullptr;
  const Tensor<int32_t> want = GoldenOutput(acc, p);
  const auto start = std::chrono::steady_clock::now();
  LayerCheck check;
  {
    const std::unique_ptr<Device> device = OpenDevice(spec);
    check = CheckLayer(*device, hw, c, want, &r.mapping, p);
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ArrayStats& st = check.stats;
  r.source = "rtl";
  r.pass = check.cmp.Pass();
  r.check = check.cmp.Summary();
  r.mapping = st.mapping;
  r.tiling = st.tiling;
  r.active_pes = st.active_pes;
  r.macs = static_cast<int64_t>(st.macs + st.skipped);
  r.skipped = static_cast<int64_t>(st.skipped);
  r.cycles = static_cast<int64_t>(st.cycles);
  r.array_cycles = static_cast<int64_t>(st.ArrayCycles());
  r.dram_bytes = static_cast<int64_t>(st.dram_rd_bytes + st.dram_wr_bytes);
  // Every count from the RTL's counters (widths from the config).
  EnergyCounts& e = r.counts;
  e = EnergyCounts{};
  e.data_bits = hw.data_bits;
  e.acc_bits = hw.acc_bits;
  e.macs = static_cast<int64_t>(st.macs);
  e.skipped = static_cast<int64_t>(st.skipped);
  e.noc_filter = static_cast<int64_t>(st.filt_words);
  e.noc_ifmap = static_cast<int64_t>(st.if_words);
  e.noc_psum_in = static_cast<int64_t>(st.pin_words);
  e.noc_psum_out = static_cast<int64_t>(st.gon_words);
  e.spad_ifmap_writes = static_cast<int64_t>(st.spad_if_writes);
  e.spad_ifmap_reads = static_cast<int64_t>(st.spad_if_reads);
  e.spad_filter_writes = static_cast<int64_t>(st.spad_flt_writes);
  e.ln_psum = static_cast<int64_t>(st.ln_words);
  // Reads: descriptors and the output path's table entries (control, not counted), weights
  // (CNT_DRAM_FLT_BYTES) and ifmaps. The table's bytes are the walk's (walk.h), as the walker
  // moved them for this mapping and tiling.
  uint64_t table_bytes = 0;
  Walk(WalkOfLayer(layer, hw, st.mapping, st.tiling)).ForEachTransfer([&](const WalkTransfer& t) {
    if (t.kind == WalkTransfer::kTable) table_bytes += t.bytes;
    return true;
  });
  e.dram_filter_bytes = static_cast<int64_t>(st.dram_flt_bytes);
  e.dram_ifmap_bytes = static_cast<int64_t>(st.dram_rd_bytes - st.dram_flt_bytes -
                                            st.descs * kDescBytes - table_bytes);
  e.dram_output_bytes = static_cast<int64_t>(st.dram_wr_bytes);
  r.energy = EstimateEnergy(e);
  return r;
}

bool BenchReport::AllPass() const {
  for (const BenchRow& r : rows) {
    if (!r.pass) return false;
  }
  return true;
}

BenchReport BenchNet(const Net& net, const ArrayConfig& hw, int batch,
                     const std::vector<std::string>& rtl_layers, const std::string& backend,
                     const EyerissTable& eyeriss, std::ostream* progress) {
  BenchReport rep;
  rep.net = net.name;
  rep.description = net.description;
  rep.config = hw.name;
  rep.batch = batch;
  rep.eyeriss = eyeriss;
  BenchRow& t = rep.total;
  t.name = "TOTAL";
  t.total_pes = hw.rows * hw.cols;
  bool any_rtl = false, any_model = false;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const NetLayer& nl = net.layers[i];
    const bool rtl = std::find(rtl_layers.begin(), rtl_layers.end(), nl.name) != rtl_layers.end();
    const ConvLayer layer = BenchLayer(nl, batch);
    BenchRow r = rtl ? BenchDeviceRow(nl.name, layer, hw, backend + ":" + hw.name)
                     : BenchModelRow(nl.name, layer, hw);
    if (const EyerissMeasured* m = eyeriss.Find(nl.name)) r.eyeriss = *m;
    r.dram_bytes_rlc = r.dram_bytes;
    if (i > 0 && r.error.empty() && r.eyeriss && r.eyeriss->ifmap_zero_frac) {
      r.rlc_ifmap_ratio = RlcRatio(r.layer.x, *r.eyeriss->ifmap_zero_frac);
      r.dram_bytes_rlc -=
          std::llround(static_cast<double>(r.counts.dram_ifmap_bytes) * (1.0 - *r.rlc_ifmap_ratio));
    }
    const EyerissMeasured* next =
        i + 1 < net.layers.size() ? eyeriss.Find(net.layers[i + 1].name) : nullptr;
    if (r.error.empty() && layer.OutInt16() && next && next->ifmap_zero_frac) {
      r.rlc_output_ratio = RlcRatio(layer.PooledOut(), *next->ifmap_zero_frac);
      r.dram_bytes_rlc -= std::llround(static_cast<double>(r.counts.dram_output_bytes) *
                                       (1.0 - *r.rlc_output_ratio));
    }
    if (rtl && progress) {
      *progress << "simulated " << nl.name << " in " << std::lround(r.wall_seconds)
                << " s: " << r.check << std::endl;  // minutes apart: seen as they come
    }
    (r.source == "rtl" ? any_rtl : any_model) = true;
    t.layer_macs += r.layer_macs;
    t.macs += r.macs;
    t.skipped += r.skipped;
    t.cycles += r.cycles;
    t.array_cycles += r.array_cycles;
    t.dram_bytes += r.dram_bytes;
    t.min_dram_bytes += r.min_dram_bytes;
    t.dram_bytes_rlc += r.dram_bytes_rlc;
    t.energy += r.energy;
    t.wall_seconds += r.wall_seconds;
    t.pass = t.pass && r.pass;
    if (!r.error.empty()) t.error = "a layer does not map";
    rep.rows.push_back(std::move(r));
  }
  t.source = any_rtl && any_model ? "model+rtl" : any_rtl ? "rtl" : "model";
  t.eyeriss = eyeriss.total;
  return rep;
}

}  // namespace eyelet
