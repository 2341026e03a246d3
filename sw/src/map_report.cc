// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/map_report.h"

#include <algorithm>
#include <cstdio>

#include "eyelet/error.h"
#include "eyelet/json.h"

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

void WriteTiling(JsonWriter& j, const RsMapping& m, const Tiling& t) {
  j.Key("tiling").BeginObject().Key("nb").Int(t.nb).Key("mc").Int(t.mc).Key("cc").Int(t.cc);
  j.Key("sb").Int(BandStrips(m, t));
  j.EndObject();
}

// Columns padded to their widest cell, two spaces apart; `align` has one letter per column,
// 'l' or 'r'. The first row is the header, underlined.
std::string Table(std::vector<std::vector<std::string>> rows, const std::string& align) {
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

void WriteMapping(JsonWriter& j, const RsMapping& m) {
  j.Key("e").Int(m.e).Key("p").Int(m.p).Key("q").Int(m.q).Key("r").Int(m.r).Key("t").Int(m.t);
  j.Key("n").Int(m.n).Key("rg").Int(m.rg).Key("nrg").Int(m.nrg).Key("fold").Int(m.fold);
  j.Key("tv").Int(m.tv).Key("th").Int(m.th).Key("cb").Int(m.cb).Key("mb").Int(m.mb);
  j.Key("strips").Int(m.strips);
}

void WriteCost(JsonWriter& j, const CostEstimate& c) {
  const CycleEstimate& t = c.time;
  j.Key("cycles").Int(t.cycles).Key("compute_cycles").Int(t.compute_cycles);
  j.Key("dram_cycles").Int(t.dram_cycles).Key("runs").Int(t.runs);
  j.Key("dram_read_bytes").Int(t.dram_read_bytes).Key("dram_write_bytes").Int(t.dram_write_bytes);
  const AccessCounts& a = c.access;
  j.Key("accesses").BeginObject();
  j.Key("glb_reads").Int(a.glb_reads).Key("glb_writes").Int(a.glb_writes);
  j.Key("noc_filter").Int(a.noc_filter).Key("noc_ifmap").Int(a.noc_ifmap);
  j.Key("noc_psum_in").Int(a.noc_psum_in).Key("noc_psum_out").Int(a.noc_psum_out);
  j.Key("spad_ifmap").Int(a.spad_ifmap).Key("spad_filter").Int(a.spad_filter);
  j.Key("spad_psum").Int(a.spad_psum).Key("macs").Int(a.macs);
  j.EndObject();
  const ResourceUse& u = c.use;
  j.Key("use").BeginObject();
  j.Key("active_pes").Int(u.active_pes).Key("ifmap_spad").Int(u.ifmap_spad);
  j.Key("filter_spad").Int(u.filter_spad).Key("psum_spad").Int(u.psum_spad);
  j.Key("glb_ifmap_words").Int(u.glb_ifmap_words).Key("glb_filter_words").Int(u.glb_filter_words);
  j.Key("glb_psum_words_per_column").Int(u.glb_psum_words);
  j.EndObject();
}

// Our predicted cycles over Eyeriss's, when both exist.
std::optional<double> CycleRatio(const MapRow& row) {
  if (!row.error.empty() || !row.eyeriss || row.eyeriss->cost.time.cycles == 0) {
    return std::nullopt;
  }
  return static_cast<double>(row.cost.time.cycles) / row.eyeriss->cost.time.cycles;
}

}  // namespace

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
  out += "cycles = compute + DRAM transfers the array waits for (loads overlap the run before "
         "when a chunk fits half its GLB area; " +
         std::to_string(kDramLoadCyclesPerWord) + " cycle per word loaded, " +
         std::to_string(kDramStoreCyclesPerOutput) + " per " + std::to_string(hw.acc_bits) +
         "-bit output stored, " + std::to_string(kDramTransferCycles) +
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
      cells.insert(cells.end(), {Epqrt(r.mapping), std::to_string(r.mapping.n), Chunks(r.mapping, r.tiling),
                                 std::to_string(r.cost.use.active_pes), std::to_string(c.cycles),
                                 Fixed(c.DramBytes() / 1e6, 2),
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
  out += Table(t, align);

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
    out += Table(e, "lrrrrrlrrl");
  }
  if (!notes.empty()) out += "\n";
  for (size_t i = 0; i < notes.size(); ++i) {
    out += "[" + std::to_string(i + 1) + "] " + notes[i] + "\n";
  }
  return out;
}

std::string MapTableJson(const std::string& title, const std::vector<MapRow>& rows,
                         const ArrayConfig& hw) {
  JsonWriter j;
  j.BeginObject().Key("title").String(title);
  j.Key("config").BeginObject().Key("name").String(hw.name);
  j.Key("rows").Int(hw.rows).Key("cols").Int(hw.cols);
  j.Key("ifmap_spad").Int(hw.ifmap_depth).Key("filter_spad").Int(hw.filter_depth);
  j.Key("psum_spad").Int(hw.psum_depth);
  j.Key("glb_ifmap_words").Int(hw.glb_ifmap_words).Key("glb_filter_words").Int(hw.glb_filter_words);
  j.Key("glb_psum_words_per_column").Int(hw.glb_psum_words);
  j.EndObject();
  j.Key("model").BeginObject();
  j.Key("dram_load_cycles_per_word").Int(kDramLoadCyclesPerWord);
  j.Key("dram_store_cycles_per_output").Int(kDramStoreCyclesPerOutput);
  j.Key("dram_cycles_per_transfer").Int(kDramTransferCycles);
  j.EndObject();
  j.Key("layers").BeginArray();
  for (const MapRow& r : rows) {
    const ConvLayer& l = r.layer;
    j.BeginObject().Key("layer").String(r.name);
    j.Key("shape").BeginObject();
    j.Key("n").Int(l.x.n).Key("c").Int(l.x.c).Key("h").Int(l.x.h).Key("w").Int(l.x.w);
    j.Key("m").Int(l.w.n).Key("r").Int(l.w.h).Key("s").Int(l.w.w);
    j.Key("stride_h").Int(l.conv.stride_h).Key("stride_w").Int(l.conv.stride_w);
    j.Key("pad_top").Int(l.conv.pad_top).Key("pad_left").Int(l.conv.pad_left);
    j.Key("pad_bottom").Int(l.conv.pad_bottom).Key("pad_right").Int(l.conv.pad_right);
    j.Key("groups").Int(l.conv.groups);
    j.EndObject();
    j.Key("macs").Int(l.Macs()).Key("min_dram_bytes").Int(r.min_dram_bytes);
    j.Key("ours").BeginObject();
    if (r.error.empty()) {
      WriteMapping(j, r.mapping);
      WriteTiling(j, r.mapping, r.tiling);
      WriteCost(j, r.cost);
    } else {
      j.Key("error").String(r.error);
    }
    j.EndObject();
    j.Key("eyeriss");
    if (r.eyeriss) {
      const EyerissEvaluation& ev = *r.eyeriss;
      const EyerissPublished& pub = *r.published;
      j.BeginObject();
      WriteMapping(j, ev.mapping);
      j.Key("m").Int(pub.mapping.m);
      WriteTiling(j, ev.mapping, ev.tiling);
      WriteCost(j, ev.cost);
      j.Key("glb_ifmap_kb").Double(ev.glb_ifmap_bytes / 1024.0);
      j.Key("glb_psum_kb").Double(ev.glb_psum_bytes / 1024.0);
      j.Key("glb_filter_kb").Double(ev.glb_filter_bytes / 1024.0);
      j.Key("eyeriss_limit").String(ev.eyeriss_limit);
      j.Key("our_rtl_limit").String(ev.our_rtl_limit);
      j.Key("paper").BeginObject();
      j.Key("active_pes").Int(pub.active_pes).Key("filter_spad").Int(pub.filter_spad);
      j.Key("glb_ifmap_kb").Double(pub.glb_ifmap_kb).Key("glb_psum_kb").Double(pub.glb_psum_kb);
      j.Key("processing_ms").Double(pub.processing_ms);
      j.EndObject();
      j.EndObject();
    } else {
      j.Null();
    }
    j.Key("cycles_ours_over_eyeriss");
    const std::optional<double> ratio = CycleRatio(r);
    if (ratio) {
      j.Double(*ratio);
    } else {
      j.Null();
    }
    j.EndObject();
  }
  j.EndArray().EndObject();
  return j.str();
}

}  // namespace eyelet
