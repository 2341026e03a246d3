// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The bench report as an SVG chart (bench.h BenchSvg): three panels over the layers, ours
// beside Eyeriss's measured figures: PE utilization, DRAM traffic, and our normalized energy
// stacked by level. Plain SVG 1.1 written by hand, like the activity heat map (activity.cc).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "eyelet/activity.h"
#include "eyelet/bench.h"

namespace eyelet {

namespace {

constexpr int kMargin = 20;
constexpr int kTitleH = 48;
constexpr int kAxisW = 56;      // tick labels left of a panel
constexpr int kPanelH = 200;    // the plot area of a panel
constexpr int kPanelGap = 96;   // the panel's title above, layer names and legend below
constexpr int kGroupW = 72;     // per layer
constexpr int kLegendW = 150;   // right of the panels
constexpr int kMinWidth = 720;  // the title's

const double kMissing = std::numeric_limits<double>::quiet_NaN();

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;  // one per layer; NaN: no figure (nothing drawn)
};

std::string Num(double v) {
  char buf[32];
  if (v >= 1 && v == std::floor(v)) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.4g", v);
  }
  return buf;
}

// The smallest 1, 2 or 5 times a power of ten at or above v (1 for v <= 0).
double NiceCeil(double v) {
  if (!(v > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v * (1 - 1e-12)) return m * p;
  }
  return 10 * p;
}

// One panel of bars at (x0, y0) (top left of the plot area): per layer, the series side by
// side, or stacked when `stacked`; a grid with five steps, the layer names below, the legend
// right of it.
void BarPanel(std::ostringstream& s, int x0, int y0, const std::string& title,
              const std::vector<std::string>& layers, const std::vector<Series>& series,
              bool stacked) {
  const int w = static_cast<int>(layers.size()) * kGroupW;
  double top = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    double sum = 0;
    for (const Series& se : series) {
      const double v = se.values[i];
      if (std::isnan(v)) continue;
      sum = stacked ? sum + v : std::max(sum, v);
    }
    top = std::max(top, sum);
  }
  top = NiceCeil(top);
  const auto y_of = [&](double v) { return y0 + kPanelH - v / top * kPanelH; };
  s << "<text x=\"" << x0 << "\" y=\"" << y0 - 12 << "\" font-size=\"14\" font-weight=\"bold\">"
    << XmlEscape(title) << "</text>\n";
  for (int k = 0; k <= 5; ++k) {
    const double v = top * k / 5;
    const double y = y_of(v);
    s << "<line x1=\"" << x0 << "\" y1=\"" << y << "\" x2=\"" << x0 + w << "\" y2=\"" << y
      << "\" stroke=\"" << (k == 0 ? "#000000" : "#dddddd") << "\"/>\n"
      << "<text x=\"" << x0 - 6 << "\" y=\"" << y + 4 << "\" font-size=\"11\" text-anchor=\"end\">"
      << Num(v) << "</text>\n";
  }
  const int n = static_cast<int>(series.size());
  const double bar_w = stacked ? 36.0 : 56.0 / n;
  for (size_t i = 0; i < layers.size(); ++i) {
    const double gx = x0 + static_cast<double>(i) * kGroupW;
    double base = 0;
    for (int k = 0; k < n; ++k) {
      const double v = series[k].values[i];
      if (std::isnan(v)) continue;
      const double bx = stacked ? gx + (kGroupW - bar_w) / 2 : gx + 8 + k * bar_w;
      const double lo = stacked ? base : 0;
      const double y_top = y_of(lo + v), y_bottom = y_of(lo);
      s << "<rect x=\"" << bx << "\" y=\"" << y_top << "\" width=\"" << bar_w - 1 << "\" height=\""
        << std::max(0.0, y_bottom - y_top) << "\" fill=\"" << series[k].color << "\"><title>"
        << XmlEscape(layers[i] + " " + series[k].name + ": " + Num(v)) << "</title></rect>\n";
      if (stacked) base += v;
    }
    s << "<text x=\"" << gx + kGroupW / 2.0 << "\" y=\"" << y0 + kPanelH + 16
      << "\" font-size=\"11\" text-anchor=\"middle\">" << XmlEscape(layers[i]) << "</text>\n";
  }
  for (int k = 0; k < n; ++k) {
    const int ly = y0 + 8 + 18 * k;
    s << "<rect x=\"" << x0 + w + 16 << "\" y=\"" << ly << "\" width=\"12\" height=\"12\" fill=\""
      << series[k].color << "\"/>\n"
      << "<text x=\"" << x0 + w + 34 << "\" y=\"" << ly + 10 << "\" font-size=\"11\">"
      << XmlEscape(series[k].name) << "</text>\n";
  }
}

double Or(const std::optional<double>& v) { return v ? *v : kMissing; }

}  // namespace

std::string BenchSvg(const BenchReport& r) {
  std::vector<std::string> layers;
  Series util{"ours, array", "#1f77b4", {}}, util_e2e{"ours, end to end", "#aec7e8", {}};
  Series ey_util{"Eyeriss, processing", "#d62728", {}}, ey_e2e{"Eyeriss, total", "#ff9896", {}};
  Series dram{"ours", "#1f77b4", {}}, ey_dram{"Eyeriss", "#d62728", {}};
  const char* const level_colors[kNumEnergyLevels] = {"#8c564b", "#2ca02c", "#9467bd", "#ff7f0e",
                                                      "#7f7f7f"};
  std::vector<Series> energy;
  for (int l = 0; l < kNumEnergyLevels; ++l) {
    energy.push_back({EnergyLevelName(l), level_colors[l], {}});
  }
  for (const BenchRow& row : r.rows) {
    layers.push_back(row.name);
    const bool ok = row.error.empty();
    util.values.push_back(ok ? 100 * row.UtilArray() : kMissing);
    util_e2e.values.push_back(ok ? 100 * row.UtilTotal() : kMissing);
    dram.values.push_back(ok ? static_cast<double>(row.dram_bytes) / 1e6 : kMissing);
    const std::optional<EyerissMeasured>& e = row.eyeriss;
    ey_util.values.push_back(e ? 100 * Or(e->util_proc) : kMissing);
    ey_e2e.values.push_back(e ? 100 * e->UtilTotal() : kMissing);
    ey_dram.values.push_back(e ? Or(e->dram_mb) : kMissing);
    for (int l = 0; l < kNumEnergyLevels; ++l) {
      energy[l].values.push_back(ok ? row.energy.Level(l) / 1e6 : kMissing);
    }
  }
  const int plot_w = static_cast<int>(layers.size()) * kGroupW;
  const int width = std::max(kMinWidth, kMargin + kAxisW + plot_w + kLegendW + kMargin);
  const int height = kMargin + kTitleH + 3 * (kPanelGap + kPanelH) + kMargin;
  const std::string title = "eyelet bench " + r.net + ", batch " + std::to_string(r.batch) +
                            ", config " + r.config + " (Eyeriss measured: batch " +
                            std::to_string(r.eyeriss.batch) + ")";
  std::ostringstream s;
  s << SvgOpen(width, height, title) << "<text x=\"" << kMargin << "\" y=\"" << kMargin + 16
    << "\" font-size=\"16\" font-weight=\"bold\">" << XmlEscape(title) << "</text>\n";
  const int x0 = kMargin + kAxisW;
  int y0 = kMargin + kTitleH + kPanelGap - 40;
  BarPanel(s, x0, y0, "PE utilization, %", layers, {util, util_e2e, ey_util, ey_e2e}, false);
  y0 += kPanelH + kPanelGap;
  BarPanel(s, x0, y0, "DRAM traffic, MB (10^6 bytes)", layers, {dram, ey_dram}, false);
  y0 += kPanelH + kPanelGap;
  BarPanel(s, x0, y0, "our normalized energy by level, 10^6 x one MAC", layers, energy, true);
  s << "</svg>\n";
  return s.str();
}

}  // namespace eyelet
