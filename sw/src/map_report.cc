// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/map_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "eyelet/error.h"

namespace eyelet {

namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string Kb(int64_t bytes) { return Fixed(bytes / 1024.0, 1); }

// "e,p,q,r,t"
std::string Epqrt(const RsMapping& m) {
  return std::to_string(m.e) + "," + std::to_string(m.p) + "," + std::to_string(m.q) + "," +
         std::to_string(m.r) + "," + std::to_string(m.t);
}

// "nb,mc,cc,sb"
std::string Chunks(const RsMapping& m, const Tiling& t) {
  return std::to_string(t.nb) + "," + std::to_string(t.mc) + "," + std::to_string(t.cc) + "," +
         std::to_string(BandStrips(m, t));
}

using Json = nlohmann::ordered_json;  // keys in the order written

void WriteTiling(Json& j, const RsMapping& m, const Tiling& t) {
  j["tiling"] = Json{{"nb", t.nb}, {"mc", t.mc}, {"cc", t.cc}, {"sb", BandStrips(m, t)}};
}


void WriteMapping(Json& j, const RsMapping& m) {
  j["e"] = m.e;
  j["p"] = m.p;
  j["q"] = m.q;
  j["r"] = m.r;
  j["t"] = m.t;
  j["n"] = m.n;
  j["rg"] = m.rg;
  j["nrg"] = m.nrg;
  j["fold"] = m.fold;
  j["tv"] = m.tv;
  j["th"] = m.th;
  j["cb"] = m.cb;
  j["mb"] = m.mb;
  j["strips"] = m.strips;
}

void WriteCost(Json& j, const CostEstimate& c) {
  const CycleEstimate& t = c.time;
  j["cycles"] = t.cycles;
  j["compute_cycles"] = t.compute_cycles;
  j["dram_cycles"] = t.dram_cycles;
  j["runs"] = t.runs;
  j["dram_read_bytes"] = t.dram_read_bytes;
  j["dram_write_bytes"] = t.dram_write_bytes;
  const AccessCounts& a = c.access;
  j["accesses"] = Json{{"glb_reads", a.glb_reads},     {"glb_writes", a.glb_writes},
                       {"noc_filter", a.noc_filter},   {"noc_ifmap", a.noc_ifmap},
                       {"noc_psum_in", a.noc_psum_in}, {"noc_psum_out", a.noc_psum_out},
                       {"spad_ifmap", a.spad_ifmap},   {"spad_filter", a.spad_filter},
                       {"spad_psum", a.spad_psum},     {"macs", a.macs}};
  const ResourceUse& u = c.use;
  j["use"] = Json{{"active_pes", u.active_pes},
                  {"ifmap_spad", u.ifmap_spad},
                  {"filter_spad", u.filter_spad},
                  {"psum_spad", u.psum_spad},
                  {"glb_ifmap_words", u.glb_ifmap_words},
                  {"glb_filter_words", u.glb_filter_words},
                  {"glb_psum_words_per_column", u.glb_psum_words}};
}

// Our predicted cycles over Eyeriss's, when both exist.
std::optional<double> CycleRatio(const MapRow& row) {
  if (!row.error.empty() || !row.eyeriss || row.eyeriss->cost.time.cycles == 0) {
    return std::nullopt;
  }
  return static_cast<double>(row.cost.time.cycles) / row.eyeriss->cost.time.cycles;
}

}  // namespace

std::string TextTable(std::vector<std::vector<std::string>> rows, const std::string& align) {
  std::vector<size_t> width(align.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  rows.insert(rows.begin() + 1, rule);
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      line += (i ? "  " : "") + (align[i] == 'l' ? row[i] + pad : pad + row[i]);
    }
    out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  }
  return out;
}

MapRow MapLayer(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw,
                const std::optional<EyerissPublished>& published) {
  MapRow row;
  row.name = name;
  row.layer = layer;
  row.min_dram_bytes = MinDramBytes(layer, hw);
  row.published = published;
  try {
    row.mapping = ChooseMapping(layer, hw);
    row.tiling = ChooseTiling(layer, hw, row.mapping);
    row.cost = EvaluateMapping(layer, hw, row.mapping, row.tiling);
  } catch (const UnsupportedError& e) {
    row.error = e.what();
  }
  if (published) row.eyeriss = EvaluateEyerissMapping(layer, hw, published->mapping);
  return row;
}

std::vector<MapRow> MapNet(const Net& net, const ArrayConfig& hw, int batch) {
  std::vector<MapRow> rows;
  for (const NetLayer& l : net.layers)
    rows.push_back(MapLayer(l.name, l.Conv(batch), hw, l.eyeriss));
  return rows;
}

std::string FormatMapTable(const std::string& title, const std::vector<MapRow>& rows,
                           const ArrayConfig& hw) {
  const bool with_eyeriss =
      std::any_of(rows.begin(), rows.end(), [](const MapRow& r) { return r.eyeriss.has_value(); });
  std::string out = title + "\n";
  out += "config '" + hw.name + "': " + std::to_string(hw.rows) + " x " + std::to_string(hw.cols) +
         " PEs, spads ifmap/filter/psum " + std::to_string(hw.ifmap_depth) + "/" +
         std::to_string(hw.filter_depth) + "/" + std::to_string(hw.psum_depth) +
         " words, GLB ifmap " + std::to_string(hw.glb_ifmap_words) + " / filter " +
         std::to_string(hw.glb_filter_words) + " / psum " + std::to_string(hw.cols) + " x " +
         std::to_string(hw.glb_psum_words) + " words\n";
  out +=
      "cycles = compute + DRAM transfers the array waits for (loads overlap the run before "
      "when a chunk fits half its GLB area; " +
      std::to_string(kDramLoadWordsPerBeat) + " words loaded per cycle and " +
      std::to_string(kDramReadTransferCycles) + " per transfer, " +
      std::to_string(kDramStoreCyclesPerOutput) + " per " + std::to_string(hw.acc_bits) +
      "-bit output stored and " + std::to_string(kDramTransferCycles) +
      " per transfer); DRAM MB = 10^6 bytes\n\n";

  std::vector<std::vector<std::string>> t = {
      {"layer", "e,p,q,r,t", "n", "nb,mc,cc,sb", "PEs", "cycles", "DRAM MB", "x min"}};
  std::string align = "lrrrrrrr";
  if (with_eyeriss) {
    for (const char* h : {"Eyeriss e,p,q,r,t", "n", "m", "PEs", "cycles", "ours/Eyeriss"}) {
      t[0].push_back(h);
    }
    align += "rrrrrr";
  }
  std::vector<std::string> notes;
  for (const MapRow& r : rows) {
    std::vector<std::string> cells = {r.name};
    if (r.error.empty()) {
      const CycleEstimate& c = r.cost.time;
      cells.insert(cells.end(), {Epqrt(r.mapping), std::to_string(r.mapping.n),
                                 Chunks(r.mapping, r.tiling), std::to_string(r.cost.use.active_pes),
                                 std::to_string(c.cycles), Fixed(c.DramBytes() / 1e6, 2),
                                 Fixed(static_cast<double>(c.DramBytes()) / r.min_dram_bytes, 2)});
    } else {
      notes.push_back(r.error);
      cells.insert(cells.end(), {"no mapping [" + std::to_string(notes.size()) + "]", "-", "-", "-",
                                 "-", "-", "-"});
    }
    if (with_eyeriss && r.eyeriss) {
      const EyerissEvaluation& ev = *r.eyeriss;
      const std::optional<double> ratio = CycleRatio(r);
      cells.insert(cells.end(),
                   {Epqrt(ev.mapping), std::to_string(ev.tiling.nb), std::to_string(ev.tiling.mc),
                    std::to_string(ev.cost.use.active_pes), std::to_string(ev.cost.time.cycles),
                    ratio ? Fixed(*ratio, 2) : "-"});
    } else if (with_eyeriss) {
      cells.insert(cells.end(), 6, "-");
    }
    t.push_back(cells);
  }
  out += TextTable(t, align);

  if (with_eyeriss) {
    out += "\nEyeriss's published mappings on '" + hw.name + "' (GLB the Eyeriss way, paper in " +
           "brackets; Eyeriss budget " + std::to_string(kEyerissGlbFmapBytes / 1024) +
           " kB ifmap+psum, " + std::to_string(kEyerissGlbFilterBytes / 1024) +
           " kB filters; paper cycles = measured processing time x " + Fixed(kEyerissClockMhz, 0) +
           " MHz)\n\n";
    std::vector<std::vector<std::string>> e = {
        {"layer", "PEs", "spads if/filt/psum", "GLB ifmap kB", "GLB psum kB", "filters kB",
         "on Eyeriss", "compute cycles", "paper cycles", "on our RTL"}};
    for (const MapRow& r : rows) {
      if (!r.eyeriss) continue;
      const EyerissEvaluation& ev = *r.eyeriss;
      const ResourceUse& u = ev.cost.use;
      e.push_back({r.name, std::to_string(u.active_pes),
                   std::to_string(u.ifmap_spad) + "/" + std::to_string(u.filter_spad) + "/" +
                       std::to_string(u.psum_spad),
                   Kb(ev.glb_ifmap_bytes) + " (" + Fixed(r.published->glb_ifmap_kb, 1) + ")",
                   Kb(ev.glb_psum_bytes) + " (" + Fixed(r.published->glb_psum_kb, 1) + ")",
                   Kb(ev.glb_filter_bytes), ev.eyeriss_limit.empty() ? "fits" : ev.eyeriss_limit,
                   std::to_string(ev.cost.time.compute_cycles),
                   Fixed(r.published->processing_ms * kEyerissClockMhz * 1e3, 0),
                   ev.our_rtl_limit.empty() ? "runs" : "no: " + ev.our_rtl_limit});
    }
    out += TextTable(e, "lrrrrrlrrl");
  }
  if (!notes.empty()) out += "\n";
  for (size_t i = 0; i < notes.size(); ++i) {
    out += "[" + std::to_string(i + 1) + "] " + notes[i] + "\n";
  }
  return out;
}

std::string MapTableJson(const std::string& title, const std::vector<MapRow>& rows,
                         const ArrayConfig& hw) {
  Json j;
  j["title"] = title;
  j["config"] = Json{{"name", hw.name},
                     {"rows", hw.rows},
                     {"cols", hw.cols},
                     {"ifmap_spad", hw.ifmap_depth},
                     {"filter_spad", hw.filter_depth},
                     {"psum_spad", hw.psum_depth},
                     {"glb_ifmap_words", hw.glb_ifmap_words},
                     {"glb_filter_words", hw.glb_filter_words},
                     {"glb_psum_words_per_column", hw.glb_psum_words}};
  j["model"] = Json{{"dram_load_words_per_cycle", kDramLoadWordsPerBeat},
                    {"dram_store_cycles_per_output", kDramStoreCyclesPerOutput},
                    {"dram_cycles_per_transfer", kDramTransferCycles}};
  j["layers"] = Json::array();
  for (const MapRow& r : rows) {
    const ConvLayer& l = r.layer;
    Json row;
    row["layer"] = r.name;
    row["shape"] = Json{{"n", l.x.n},
                        {"c", l.x.c},
                        {"h", l.x.h},
                        {"w", l.x.w},
                        {"m", l.w.n},
                        {"r", l.w.h},
                        {"s", l.w.w},
                        {"stride_h", l.conv.stride_h},
                        {"stride_w", l.conv.stride_w},
                        {"pad_top", l.conv.pad_top},
                        {"pad_left", l.conv.pad_left},
                        {"pad_bottom", l.conv.pad_bottom},
                        {"pad_right", l.conv.pad_right},
                        {"groups", l.conv.groups}};
    row["macs"] = l.Macs();
    row["min_dram_bytes"] = r.min_dram_bytes;
    Json ours = Json::object();
    if (r.error.empty()) {
      WriteMapping(ours, r.mapping);
      WriteTiling(ours, r.mapping, r.tiling);
      WriteCost(ours, r.cost);
    } else {
      ours["error"] = r.error;
    }
    row["ours"] = std::move(ours);
    if (r.eyeriss) {
      const EyerissEvaluation& ev = *r.eyeriss;
      const EyerissPublished& pub = *r.published;
      Json e;
      WriteMapping(e, ev.mapping);
      e["m"] = pub.mapping.m;
      WriteTiling(e, ev.mapping, ev.tiling);
      WriteCost(e, ev.cost);
      e["glb_ifmap_kb"] = ev.glb_ifmap_bytes / 1024.0;
      e["glb_psum_kb"] = ev.glb_psum_bytes / 1024.0;
      e["glb_filter_kb"] = ev.glb_filter_bytes / 1024.0;
      e["eyeriss_limit"] = ev.eyeriss_limit;
      e["our_rtl_limit"] = ev.our_rtl_limit;
      e["paper"] = Json{{"active_pes", pub.active_pes},
                        {"filter_spad", pub.filter_spad},
                        {"glb_ifmap_kb", pub.glb_ifmap_kb},
                        {"glb_psum_kb", pub.glb_psum_kb},
                        {"processing_ms", pub.processing_ms}};
      row["eyeriss"] = std::move(e);
    } else {
      row["eyeriss"] = nullptr;
    }
    const std::optional<double> ratio = CycleRatio(r);
    row["cycles_ours_over_eyeriss"] = ratio ? Json(*ratio) : Json(nullptr);
    j["layers"].push_back(std::move(row));
  }
  return j.dump(2) + "\n";
}

}  // namespace eyelet
