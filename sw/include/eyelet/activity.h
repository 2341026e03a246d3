// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// What the array and the walker did during a run, cycle by cycle, as measured on the
// Verilated accelerator (Device::Activity: the rtl backend traces a few signals of the run into
// an FST file and reads it back, tb/activity_fst.h), and the two pictures drawn from it:
//   * a heat map of the PE array (SVG): per PE the MACs done, the MACs gated by a zero ifmap
//     value and the idle cycles, PE row 0 at the bottom (psums flow up, eyelet/locate.h);
//   * a timeline (Chrome trace-event JSON, for Perfetto or chrome://tracing): one track per
//     walker sequencer, the processing passes, the DMA engines and the bytes they moved.
// The data is plain numbers, so the pictures are drawn and tested without a simulator.
#ifndef EYELET_ACTIVITY_H_
#define EYELET_ACTIVITY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace eyelet {

// Clock cycles [begin, end) of the device's clock (Device::ClockCycle's count).
struct CycleSpan {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t Cycles() const { return end - begin; }
};

struct ArrayActivity {
  int rows = 0;
  int cols = 0;
  // Per PE, index row * cols + col (row 0 at the bottom), over the whole run: cycles in which
  // a MAC retired (the PE's stat_mac_o: what CNT_MACS sums over the array), cycles in which a
  // MAC was gated by a zero ifmap value (stat_skip_o, CNT_SKIPPED), and idle cycles: cycles of
  // array_cycles in which it did neither.
  std::vector<uint64_t> macs;
  std::vector<uint64_t> skipped;
  std::vector<uint64_t> idle;
  uint64_t array_cycles = 0;  // cycles the pass controller was busy (a run of the array)
  uint64_t end_cycle = 0;     // the last cycle traced

  // Busy spans of the walker's sequencers: load (from a chunk's first DRAM read command, or
  // the descriptor fetch, to the chunk being ready for the run sequencer), run (the run
  // sequencer holds a chunk: it starts the array and waits for it) and store (the store
  // sequencer holds a computed chunk's outputs).
  std::vector<CycleSpan> load;
  std::vector<CycleSpan> run;
  std::vector<CycleSpan> store;
  // Processing passes as CNT_PASSES counts them: pass k ends in the cycle the filter stream
  // issues the last weight of pass k and begins where pass k - 1 ended (the run's start for a
  // run's first pass), so the spans tile the run. The array computes pass k's MACs until pass
  // k + 1's filters are in (the windows of --trace-pass span both).
  std::vector<CycleSpan> passes;
  // The DMA engines: busy spans (a command in flight) and the bytes moved so far, sampled as
  // (cycle, bytes since the start): the read engine's words handed to the walker, the write
  // engine's words taken from it, two bytes each.
  std::vector<CycleSpan> dma_rd;
  std::vector<CycleSpan> dma_wr;
  std::vector<std::pair<uint64_t, uint64_t>> rd_bytes;
  std::vector<std::pair<uint64_t, uint64_t>> wr_bytes;
  uint64_t RdBytes() const { return rd_bytes.empty() ? 0 : rd_bytes.back().second; }
  uint64_t WrBytes() const { return wr_bytes.empty() ? 0 : wr_bytes.back().second; }

  uint64_t At(const std::vector<uint64_t>& v, int row, int col) const {
    return v[static_cast<size_t>(row) * static_cast<size_t>(cols) + static_cast<size_t>(col)];
  }
};

// The clock the timeline's microseconds count: the 200 MHz of Eyeriss and of the README's
// figures.
constexpr double kReportClockMhz = 200.0;

// `s` with &, <, > and " escaped for SVG text and attributes (shared by the SVG writers).
std::string XmlEscape(const std::string& s);

// The start of an SVG document of width x height user units: the XML declaration, the <svg>
// element (sans-serif), its <title> and a white background; the caller adds "</svg>\n".
std::string SvgOpen(int width, int height, const std::string& title);

// The heat map: three panels (MACs done, zero-gated MACs, idle cycles), Rows x Cols cells each
// with its number, colored on its panel's scale (legend under the panel), PE row 0 at the
// bottom. `title` names the layer and mapping. Plain SVG 1.1 text.
std::string ActivitySvg(const ArrayActivity& a, const std::string& title);

// The timeline as Chrome trace-event JSON: {"traceEvents": [...], "displayTimeUnit": "ns"},
// "M" events naming the process (`title`) and one thread per unit (load, run, store, passes,
// DMA read, DMA write), "X" events for the busy spans and passes ("pass k"), "C" events of the
// bytes each DMA engine moved; timestamps in microseconds at `clock_mhz` (cycle / clock_mhz).
std::string ActivityTraceJson(const ArrayActivity& a, const std::string& title,
                              double clock_mhz = kReportClockMhz);

// Writes DIR/heatmap.svg and DIR/timeline.json. Throws FileError naming a file it cannot write.
void WriteActivityReport(const std::string& dir, const ArrayActivity& a, const std::string& title);

}  // namespace eyelet

#endif  // EYELET_ACTIVITY_H_
