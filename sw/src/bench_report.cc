// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The bench report as text tables and as JSON (bench.h); the SVG chart is in bench_svg.cc.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "eyelet/bench.h"
#include "eyelet/map_report.h"

namespace eyelet {

namespace {

using Json = nlohmann::ordered_json;  // keys in the order written

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string Pct(double fraction) { return Fixed(100.0 * fraction, 1); }
std::string Mega(double v) { return Fixed(v / 1e6, 2); }
std::string Mb(int64_t bytes) { return Fixed(static_cast<double>(bytes) / 1e6, 2); }

std::string Epqrt(const RsMapping& m) {
  return std::to_string(m.e) + "," + std::to_string(m.p) + "," + std::to_string(m.q) + "," +
         std::to_string(m.r) + "," + std::to_string(m.t);
}

// Eyeriss's cells of a row: cycles (M), processing utilization, utilization with DRAM stalls,
// DRAM MB; "-" where the CSV has nothing.
std::vector<std::string> EyerissCells(const std::optional<EyerissMeasured>& m) {
  if (!m) return {"-", "-", "-", "-"};
  return {Mega(static_cast<double>(m->Cycles())), m->util_proc ? Pct(*m->util_proc) : "-",
          Pct(m->UtilTotal()), m->dram_mb ? Fixed(*m->dram_mb, 1) : "-"};
}

std::vector<std::string> PerfCells(const BenchRow& r) {
  std::vector<std::string> c = {r.name, r.source};
  if (!r.error.empty()) {
    c.insert(c.end(), {"-", "-", "-", "-", "-", "-", "-", "-"});
  } else {
    c.insert(c.end(), {r.name == "TOTAL" ? "" : Epqrt(r.mapping),
                       r.name == "TOTAL" ? "" : std::to_string(r.active_pes),
                       Mega(static_cast<double>(r.cycles)), Pct(r.UtilArray()), Pct(r.UtilTotal()),
                       Mb(r.dram_bytes), Fixed(r.DramRatio(), 2), Mb(r.dram_bytes_rlc)});
  }
  for (const std::string& s : EyerissCells(r.eyeriss)) c.push_back(s);
  return c;
}

std::vector<std::string> EnergyCells(const BenchRow& r) {
  std::vector<std::string> c = {r.name, r.source};
  if (!r.error.empty()) {
    for (int i = 0; i < kNumEnergyLevels + kNumDataTypes + 2; ++i) c.push_back("-");
    return c;
  }
  for (int l = 0; l < kNumEnergyLevels; ++l) c.push_back(Mega(r.energy.Level(l)));
  for (int t = 0; t < kNumDataTypes; ++t) c.push_back(Mega(r.energy.Type(t)));
  c.push_back(Mega(r.energy.Total()));
  c.push_back(Fixed(r.energy.Total() / static_cast<double>(std::max<int64_t>(r.layer_macs, 1)), 2));
  return c;
}

Json EyerissJson(const EyerissMeasured& m) {
  Json j;
  j["total_ms"] = m.total_ms;
  j["processing_ms"] = m.processing_ms;
  j["cycles"] = m.Cycles();
  j["processing_cycles"] = m.ProcessingCycles();
  j["macs"] = m.macs;
  j["util_total"] = m.UtilTotal();
  j["util_proc"] = m.util_proc ? Json(*m.util_proc) : Json(nullptr);
  j["dram_mb"] = m.dram_mb ? Json(*m.dram_mb) : Json(nullptr);
  if (m.glb_mb) j["glb_mb"] = *m.glb_mb;
  if (m.power_mw) j["power_mw"] = *m.power_mw;
  if (m.active_pes) j["active_pes"] = *m.active_pes;
  if (m.ifmap_zero_frac) j["ifmap_zero_frac"] = *m.ifmap_zero_frac;
  return j;
}

// per_mac: over the layer's MACs (the padding slots' energy is spread over them).
Json EnergyJson(const Energy& e, int64_t macs) {
  Json j;
  j["total"] = e.Total();
  j["per_mac"] = e.Total() / static_cast<double>(std::max<int64_t>(macs, 1));
  Json level, type, move;
  for (int l = 0; l < kNumEnergyLevels; ++l) level[EnergyLevelName(l)] = e.Level(l);
  for (int t = 0; t < kNumDataTypes; ++t) type[DataTypeName(t)] = e.Type(t);
  for (int l = kLevelRf; l < kNumEnergyLevels; ++l) {
    for (int t = 0; t < kNumDataTypes; ++t)
      move[EnergyLevelName(l)][DataTypeName(t)] = e.move[l][t];
  }
  j["by_level"] = level;
  j["by_type"] = type;
  j["by_level_and_type"] = move;
  return j;
}

Json CountsJson(const EnergyCounts& c) {
  return Json{{"macs", c.macs},
              {"skipped", c.skipped},
              {"spad_ifmap_writes", c.spad_ifmap_writes},
              {"spad_ifmap_reads", c.spad_ifmap_reads},
              {"spad_filter_writes", c.spad_filter_writes},
              {"noc_filter", c.noc_filter},
              {"noc_ifmap", c.noc_ifmap},
              {"noc_psum_in", c.noc_psum_in},
              {"noc_psum_out", c.noc_psum_out},
              {"ln_psum", c.ln_psum},
              {"dram_ifmap_bytes", c.dram_ifmap_bytes},
              {"dram_filter_bytes", c.dram_filter_bytes},
              {"dram_output_bytes", c.dram_output_bytes}};
}

Json RowJson(const BenchRow& r, bool total) {
  Json j;
  j["layer"] = r.name;
  j["source"] = r.source;
  if (!r.error.empty()) j["error"] = r.error;
  if (!total && r.error.empty()) {
    j["shape"] = r.layer.ToString();
    j["mapping"] = Json{{"e", r.mapping.e}, {"p", r.mapping.p}, {"q", r.mapping.q},
                        {"r", r.mapping.r}, {"t", r.mapping.t}, {"n", r.mapping.n}};
    j["tiling"] = Json{{"nb", r.tiling.nb},
                       {"mc", r.tiling.mc},
                       {"cc", r.tiling.cc},
                       {"sb", BandStrips(r.mapping, r.tiling)}};
    j["active_pes"] = r.active_pes;
  }
  j["layer_macs"] = r.layer_macs;
  j["macs"] = r.macs;
  j["skipped"] = r.skipped;
  j["cycles"] = r.cycles;
  j["array_cycles"] = r.array_cycles;
  j["util_array"] = r.UtilArray();
  j["util_total"] = r.UtilTotal();
  j["dram_bytes"] = r.dram_bytes;
  j["min_dram_bytes"] = r.min_dram_bytes;
  j["dram_x_min"] = r.DramRatio();
  j["dram_bytes_rlc"] = r.dram_bytes_rlc;
  j["rlc_ifmap_ratio"] = r.rlc_ifmap_ratio ? Json(*r.rlc_ifmap_ratio) : Json(nullptr);
  j["rlc_output_ratio"] = r.rlc_output_ratio ? Json(*r.rlc_output_ratio) : Json(nullptr);
  if (!total) j["counts"] = CountsJson(r.counts);
  j["energy"] = EnergyJson(r.energy, r.layer_macs);
  if (r.source != "model") {
    j["pass"] = r.pass;
    if (!total) j["check"] = r.check;
    j["wall_seconds"] = r.wall_seconds;
  }
  j["eyeriss"] = r.eyeriss ? EyerissJson(*r.eyeriss) : Json(nullptr);
  return j;
}

}  // namespace

std::string FormatBench(const BenchReport& r) {
  std::string out = "bench " + r.net + ": " + r.description + ", batch " + std::to_string(r.batch) +
                    ", config " + r.config + "\n";
  out += "Eyeriss measured: " + r.eyeriss.path + " (batch " + std::to_string(r.eyeriss.batch) +
         ", " + Fixed(kEyerissClockMhz, 0) + " MHz, " + std::to_string(kEyerissPes) + " PEs)\n";
  if (r.batch != r.eyeriss.batch) {
    out += "note: Eyeriss's figures are for batch " + std::to_string(r.eyeriss.batch) +
           ", ours for batch " + std::to_string(r.batch) + "\n";
  }
  out += "\n";
  std::vector<std::vector<std::string>> perf = {{"layer", "src", "e,p,q,r,t", "PEs", "Mcycles",
                                                 "util", "util e2e", "DRAM MB", "x min", "RLC MB",
                                                 "Ey Mcycles", "Ey util", "Ey e2e", "Ey DRAM MB"}};
  for (const BenchRow& row : r.rows) perf.push_back(PerfCells(row));
  perf.push_back(PerfCells(r.total));
  out += TextTable(perf, "llrrrrrrrrrrrr");
  out +=
      "util: the layer's MACs / (PEs x cycles the array runs); util e2e: over all busy cycles,\n"
      "DRAM waits included (Eyeriss: processing time, and total time with DRAM stalls);\n"
      "MB = 10^6 bytes; each layer's outputs go through the output path (bias, requantization,\n"
      "ReLU) and are written as 16-bit ifmaps of the next layer, as Eyeriss writes its own;\n"
      "x min: DRAM bytes over each ifmap, filter and table entry read once and each output\n"
      "written once;\n"
      "RLC MB: the same with the feature maps run-length coded (the golden model's codec, rlc.h,\n"
      "on synthetic data with Eyeriss's measured ifmap zero fraction per layer: a layer's ifmaps\n"
      "at its own, its outputs at the next layer's; the first layer's input and the last layer's\n"
      "outputs raw; the RTL does not compress yet)\n\n";

  std::vector<std::vector<std::string>> energy = {{"layer", "src"}};
  for (int l = 0; l < kNumEnergyLevels; ++l) energy[0].push_back(EnergyLevelName(l));
  for (int t = 0; t < kNumDataTypes; ++t) energy[0].push_back(DataTypeName(t));
  energy[0].push_back("total");
  energy[0].push_back("per MAC");
  for (const BenchRow& row : r.rows) energy.push_back(EnergyCells(row));
  energy.push_back(EnergyCells(r.total));
  out +=
      "normalized energy, 10^6 x one MAC's (ALU 1, RF 1, NoC 2, GLB 6, DRAM 200 per 16-bit\n"
      "access): by level, then data movement by type; per MAC: over the layer's MACs\n";
  out += TextTable(energy, "llrrrrrrrrrr");

  for (const BenchRow& row : r.rows) {
    if (row.source == "rtl") {
      out += "\nrtl " + row.name + ": " + row.check + ", simulated in " +
             Fixed(row.wall_seconds, 1) + " s";
    }
    if (!row.error.empty()) out += "\n" + row.name + " does not map: " + row.error;
  }
  if (r.total.source != "model") {
    out += "\nrtl total: " + std::string(r.AllPass() ? "every simulated layer PASS" : "FAIL") +
           ", " + Fixed(r.total.wall_seconds, 1) + " s of simulation\n";
  } else {
    out += "\n";
  }
  return out;
}

std::string BenchJson(const BenchReport& r) {
  Json j;
  j["command"] = "bench";
  j["net"] = r.net;
  j["description"] = r.description;
  j["config"] = r.config;
  j["batch"] = r.batch;
  j["eyeriss_csv"] = r.eyeriss.path;
  j["eyeriss_batch"] = r.eyeriss.batch;
  j["energy_per_access"] = Json{{"ALU", kEnergyAlu},
                                {"RF", kEnergyRf},
                                {"NoC", kEnergyNoc},
                                {"GLB", kEnergyGlb},
                                {"DRAM", kEnergyDram}};
  Json rows = Json::array();
  for (const BenchRow& row : r.rows) rows.push_back(RowJson(row, false));
  j["rows"] = rows;
  j["total"] = RowJson(r.total, true);
  return j.dump(2) + "\n";
}

}  // namespace eyelet
