// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/activity.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "eyelet/error.h"
#include "eyelet/file_io.h"

namespace eyelet {

namespace {

// Geometry of the heat map, in SVG user units (pixels).
constexpr int kCellW = 52;
constexpr int kCellH = 30;
constexpr int kMargin = 20;
constexpr int kTitleH = 56;
constexpr int kAxisW = 52;      // row numbers and the row axis label, left of each panel
constexpr int kPanelGap = 36;   // between panels
constexpr int kBelowGrid = 96;  // column numbers, column axis label, legend

struct Rgb {
  double r, g, b;
};

// A perceptually ordered scale (viridis' end points and three stops between), t in [0, 1].
Rgb ScaleColor(double t) {
  static const Rgb kStops[] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  constexpr int kN = sizeof(kStops) / sizeof(kStops[0]);
  t = std::clamp(t, 0.0, 1.0) * (kN - 1);
  const int i = std::min(static_cast<int>(t), kN - 2);
  const double f = t - i;
  const Rgb& a = kStops[i];
  const Rgb& b = kStops[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

std::string Hex(const Rgb& c) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "#%02x%02x%02x", static_cast<int>(c.r + 0.5),
                static_cast<int>(c.g + 0.5), static_cast<int>(c.b + 0.5));
  return buf;
}

// Dark cells get white numbers.
const char* TextColor(const Rgb& c) {
  return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140 ? "#ffffff" : "#000000";
}

struct Panel {
  const char* key;    // data-panel attribute
  const char* label;  // heading
  const std::vector<uint64_t>* values;
};

}  // namespace

std::string SvgOpen(int width, int height, const std::string& title) {
  std::ostringstream s;
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << width
    << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height
    << "\" font-family=\"sans-serif\">\n"
    << "<title>" << XmlEscape(title) << "</title>\n"
    << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height
    << "\" fill=\"#ffffff\"/>\n";
  return s.str();
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string ActivitySvg(const ArrayActivity& a, const std::string& title) {
  const size_t n = static_cast<size_t>(a.rows) * static_cast<size_t>(a.cols);
  if (a.rows <= 0 || a.cols <= 0 || a.macs.size() != n || a.skipped.size() != n ||
      a.idle.size() != n) {
    throw Error("activity of a " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
                " array without one count per PE in each of macs, skipped, idle");
  }
  const Panel panels[] = {{"macs", "MACs done", &a.macs},
                          {"skipped", "MACs gated by a zero ifmap value", &a.skipped},
                          {"idle", "idle cycles (array running, no MAC)", &a.idle}};
  const int grid_w = a.cols * kCellW;
  const int grid_h = a.rows * kCellH;
  const int panel_w = kAxisW + grid_w;
  const int width = 2 * kMargin + 3 * panel_w + 2 * kPanelGap;
  const int height = kTitleH + 24 + grid_h + kBelowGrid + kMargin;
  std::ostringstream s;
  s << SvgOpen(width, height, title) << "<text x=\"" << kMargin << "\" y=\"" << kMargin + 8
    << "\" font-size=\"16\" "
    << "font-weight=\"bold\">" << XmlEscape(title) << "</text>\n"
    << "<text x=\"" << kMargin << "\" y=\"" << kMargin + 28 << "\" font-size=\"12\">" << a.rows
    << " x " << a.cols << " PEs, " << a.array_cycles
    << " cycles of the array running; each cell: one PE, its count over the run</text>\n";
  const int grid_y = kTitleH + 24;
  for (int p = 0; p < 3; ++p) {
    const Panel& panel = panels[p];
    const std::vector<uint64_t>& v = *panel.values;
    const uint64_t lo = *std::min_element(v.begin(), v.end());
    const uint64_t hi = *std::max_element(v.begin(), v.end());
    const uint64_t sum = std::accumulate(v.begin(), v.end(), uint64_t{0});
    const int x0 = kMargin + p * (panel_w + kPanelGap) + kAxisW;  // the grid's left edge
    s << "<g id=\"panel-" << panel.key << "\">\n"
      << "<text x=\"" << x0 << "\" y=\"" << grid_y - 8 << "\" font-size=\"13\" "
      << "font-weight=\"bold\">" << panel.label << ": " << sum << " in all</text>\n";
    for (int r = 0; r < a.rows; ++r) {
      // Row 0 at the bottom: psums flow up the array.
      const int y = grid_y + (a.rows - 1 - r) * kCellH;
      s << "<text x=\"" << x0 - 6 << "\" y=\"" << y + kCellH / 2 + 4
        << "\" font-size=\"11\" text-anchor=\"end\">" << r << "</text>\n";
      for (int c = 0; c < a.cols; ++c) {
        const uint64_t value = a.At(v, r, c);
        const double t = hi > lo ? static_cast<double>(value - lo) / static_cast<double>(hi - lo)
                                 : (hi > 0 ? 1.0 : 0.0);
        const Rgb color = ScaleColor(t);
        const int x = x0 + c * kCellW;
        // One rect per PE carrying its numbers as data attributes, its count written over it.
        s << "<rect data-panel=\"" << panel.key << "\" data-row=\"" << r << "\" data-col=\"" << c
          << "\" data-value=\"" << value << "\" x=\"" << x << "\" y=\"" << y << "\" width=\""
          << kCellW << "\" height=\"" << kCellH << "\" fill=\"" << Hex(color)
          << "\" stroke=\"#ffffff\"/>"
          << "<text x=\"" << x + kCellW / 2 << "\" y=\"" << y + kCellH / 2 + 4
          << "\" font-size=\"10\" text-anchor=\"middle\" fill=\"" << TextColor(color)
          << "\" stroke=\"none\">" << value << "</text>\n";
      }
    }
    const int below = grid_y + grid_h;
    for (int c = 0; c < a.cols; ++c) {
      s << "<text x=\"" << x0 + c * kCellW + kCellW / 2 << "\" y=\"" << below + 14
        << "\" font-size=\"11\" text-anchor=\"middle\">" << c << "</text>\n";
    }
    s << "<text x=\"" << x0 + grid_w / 2 << "\" y=\"" << below + 30
      << "\" font-size=\"12\" text-anchor=\"middle\">PE column</text>\n"
      << "<text transform=\"translate(" << x0 - 38 << " " << grid_y + grid_h / 2
      << ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">PE row (0 at the bottom)"
      << "</text>\n";
    // Legend: the panel's scale from its smallest to its largest count.
    const int ly = below + 44;
    const int steps = 20;
    const double sw = static_cast<double>(grid_w) / steps;
    for (int i = 0; i < steps; ++i) {
      char xs[32], ws[32];
      std::snprintf(xs, sizeof(xs), "%.1f", x0 + i * sw);
      std::snprintf(ws, sizeof(ws), "%.1f", sw + 0.5);
      s << "<rect x=\"" << xs << "\" y=\"" << ly << "\" width=\"" << ws
        << "\" height=\"12\" fill=\"" << Hex(ScaleColor((i + 0.5) / steps)) << "\"/>\n";
    }
    s << "<text x=\"" << x0 << "\" y=\"" << ly + 26 << "\" font-size=\"11\">" << lo << "</text>\n"
      << "<text x=\"" << x0 + grid_w << "\" y=\"" << ly + 26
      << "\" font-size=\"11\" text-anchor=\"end\">" << hi << "</text>\n"
      << "<text x=\"" << x0 + grid_w / 2 << "\" y=\"" << ly + 26
      << "\" font-size=\"11\" text-anchor=\"middle\">scale (lowest .. highest of the panel)"
      << "</text>\n"
      << "</g>\n";
  }
  s << "</svg>\n";
  return s.str();
}

std::string ActivityTraceJson(const ArrayActivity& a, const std::string& title, double clock_mhz) {
  using Json = nlohmann::ordered_json;
  constexpr int kPid = 1;
  enum Track { kLoad = 1, kRun, kStore, kPasses, kDmaRd, kDmaWr };
  auto us = [&](uint64_t cycle) { return static_cast<double>(cycle) / clock_mhz; };
  Json events = Json::array();
  events.push_back({{"name", "process_name"},
                    {"ph", "M"},
                    {"pid", kPid},
                    {"tid", 0},
                    {"args", {{"name", title}}}});
  const std::pair<Track, const char*> names[] = {{kLoad, "walker: load sequencer"},
                                                 {kRun, "walker: run sequencer"},
                                                 {kStore, "walker: store sequencer"},
                                                 {kPasses, "processing passes"},
                                                 {kDmaRd, "DMA read"},
                                                 {kDmaWr, "DMA write"}};
  for (const auto& [tid, name] : names) {
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", kPid},
                      {"tid", tid},
                      {"args", {{"name", name}}}});
    events.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", kPid},
                      {"tid", tid},
                      {"args", {{"sort_index", tid}}}});
  }
  auto spans = [&](Track tid, const char* cat, const std::vector<CycleSpan>& v,
                   const std::string& name, bool numbered) {
    for (size_t i = 0; i < v.size(); ++i) {
      events.push_back({{"name", numbered ? name + " " + std::to_string(i) : name},
                        {"cat", cat},
                        {"ph", "X"},
                        {"ts", us(v[i].begin)},
                        {"dur", us(v[i].Cycles())},
                        {"pid", kPid},
                        {"tid", tid},
                        {"args", {{"first_cycle", v[i].begin}, {"cycles", v[i].Cycles()}}}});
    }
  };
  spans(kLoad, "walker", a.load, "load", false);
  spans(kRun, "walker", a.run, "run", false);
  spans(kStore, "walker", a.store, "store", false);
  spans(kPasses, "array", a.passes, "pass", true);
  spans(kDmaRd, "dma", a.dma_rd, "read", false);
  spans(kDmaWr, "dma", a.dma_wr, "write", false);
  auto counter = [&](Track tid, const char* name,
                     const std::vector<std::pair<uint64_t, uint64_t>>& v) {
    for (const auto& [cycle, bytes] : v) {
      events.push_back({{"name", name},
                        {"ph", "C"},
                        {"ts", us(cycle)},
                        {"pid", kPid},
                        {"tid", tid},
                        {"args", {{"bytes", bytes}}}});
    }
  };
  counter(kDmaRd, "DMA read bytes", a.rd_bytes);
  counter(kDmaWr, "DMA write bytes", a.wr_bytes);
  Json doc;
  doc["traceEvents"] = std::move(events);
  doc["displayTimeUnit"] = "ns";
  doc["otherData"] = {{"title", title},
                      {"clock_mhz", clock_mhz},
                      {"array", std::to_string(a.rows) + "x" + std::to_string(a.cols)},
                      {"array_cycles", a.array_cycles},
                      {"end_cycle", a.end_cycle},
                      {"dram_read_bytes", a.RdBytes()},
                      {"dram_write_bytes", a.WrBytes()}};
  return doc.dump(1) + "\n";
}

void WriteActivityReport(const std::string& dir, const ArrayActivity& a, const std::string& title) {
  // Both texts first, so a failure to draw writes nothing.
  const std::pair<std::string, std::string> files[] = {
      {dir + "/heatmap.svg", ActivitySvg(a, title)},
      {dir + "/timeline.json", ActivityTraceJson(a, title)}};
  for (const auto& [path, text] : files) WriteFileAtomically(path, text);
}

}  // namespace eyelet
