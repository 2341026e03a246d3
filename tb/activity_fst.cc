// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "activity_fst.h"

#include <gtkwave/fstapi.h>

#include <algorithm>
#include <map>
#include <memory>

#include "eyelet/error.h"

namespace eyelet {

namespace {

constexpr char kCtrl[] = "TOP.ey_top.u_core.u_ctrl.";
constexpr char kWalker[] = "TOP.ey_top.u_walker.";
constexpr char kDmaRd[] = "TOP.ey_top.u_dma_rd.";
constexpr char kDmaWr[] = "TOP.ey_top.u_dma_wr.";

// The signals, in this order, then per PE (row-major) stat_mac_o and stat_skip_o.
enum Sig {
  kCtrlBusy,    // the pass controller runs a layer (its counters count)
  kPassAdv,     // the filter stream issues a pass's last weight (CNT_PASSES += 1)
  kLoadCmd,     // the load sequencer presents a DRAM read command
  kChunkValid,  // it offers a loaded chunk to the run sequencer
  kRunIdle,     // the run sequencer holds no chunk
  kStoreIdle,   // the store sequencer holds no chunk
  kRdIdle,      // the read engine has nothing in flight
  kRdWords,     // words of its command still to hand over
  kWrIdle,
  kWrWords,  // words of its command still to take
  kNumFixed
};

std::vector<std::string> SignalNames(int rows, int cols) {
  std::vector<std::string> names = {
      std::string(kCtrl) + "busy_o",
      std::string(kCtrl) + "fg_adv",
      std::string(kWalker) + "u_load_seq.rd_cmd_valid_o",
      std::string(kWalker) + "u_load_seq.chunk_valid_o",
      std::string(kWalker) + "u_run_seq.idle_o",
      std::string(kWalker) + "u_store_seq.idle_o",
      std::string(kDmaRd) + "idle_o",
      std::string(kDmaRd) + "words_q",
      std::string(kDmaWr) + "idle_o",
      std::string(kDmaWr) + "words_q",
  };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const std::string pe = "TOP.ey_top.u_core.u_array.g_row[" + std::to_string(r) + "].g_col[" +
                             std::to_string(c) + "].u_pe.";
      names.push_back(pe + "stat_mac_o");
      names.push_back(pe + "stat_skip_o");
    }
  }
  return names;
}

// Value changes of one signal: (FST time, value); the harness dumps twice a cycle, at time 2c
// after rising edge c and 2c + 1 after the falling one.
using Changes = std::vector<std::pair<uint64_t, uint64_t>>;

struct Reading {
  std::vector<Changes> changes;
  std::map<fstHandle, std::vector<size_t>> by_handle;
};

void OnValue(void* user, uint64_t time, fstHandle handle, const unsigned char* value) {
  Reading& rd = *static_cast<Reading*>(user);
  const auto it = rd.by_handle.find(handle);
  if (it == rd.by_handle.end()) return;
  uint64_t v = 0;
  for (const unsigned char* p = value; *p; ++p) v = (v << 1) | (*p == '1' ? 1 : 0);
  for (size_t i : it->second) {
    Changes& ch = rd.changes[i];
    if (!ch.empty() && ch.back().first == time) {
      ch.back().second = v;
    } else if (ch.empty() || ch.back().second != v) {
      ch.emplace_back(time, v);
    }
  }
}

void OnValueVarLen(void* user, uint64_t time, fstHandle handle, const unsigned char* value,
                   uint32_t) {
  OnValue(user, time, handle, value);
}

// The clock cycle of FST time `t`: a value dumped at 2c (after edge c) is sampled from edge
// c + 1 on; spans of cycles [a, b) below count the edges b - a that sampled it.
uint64_t CycleOf(uint64_t t) { return t / 2; }

// The spans in which `ch` is non-zero (`invert`: zero), up to `end` (a cycle).
std::vector<CycleSpan> Spans(const Changes& ch, uint64_t end, bool invert = false) {
  std::vector<CycleSpan> out;
  bool on = false;
  uint64_t begin = 0;
  for (const auto& [t, v] : ch) {
    const bool high = (v != 0) != invert;
    if (high && !on) begin = CycleOf(t);
    if (!high && on && CycleOf(t) > begin) out.push_back({begin, CycleOf(t)});
    on = high;
  }
  if (on && end > begin) out.push_back({begin, end});
  return out;
}

uint64_t Total(const std::vector<CycleSpan>& spans) {
  uint64_t n = 0;
  for (const CycleSpan& s : spans) n += s.Cycles();
  return n;
}

// Bytes moved by a DMA engine from its words-remaining register: every decrease is words
// handed over (two bytes each; a command sets it from zero). Sampled once per kSampleCycles
// (the last value of each such bucket) and at the last change.
std::vector<std::pair<uint64_t, uint64_t>> BytesMoved(const Changes& words) {
  constexpr uint64_t kSampleCycles = 256;
  std::vector<std::pair<uint64_t, uint64_t>> out;
  uint64_t bytes = 0;
  uint64_t prev = 0;
  bool merge = false;  // the last sample may move within its bucket (not the zero at the start)
  for (const auto& [t, v] : words) {
    if (out.empty() && v > prev) out.emplace_back(CycleOf(t), 0);  // the first command
    if (v < prev) {
      bytes += 2 * (prev - v);
      const uint64_t cycle = CycleOf(t);
      if (merge && out.back().first / kSampleCycles == cycle / kSampleCycles) {
        out.back() = {cycle, bytes};
      } else {
        out.emplace_back(cycle, bytes);
        merge = true;
      }
    }
    prev = v;
  }
  return out;
}

}  // namespace

std::vector<std::pair<int, std::string>> ActivityScopes(int rows, int cols) {
  std::vector<std::pair<int, std::string>> scopes;
  // A full signal path at level 1: that signal alone ($dumpvars matches the path as a prefix).
  for (const std::string& name : SignalNames(rows, cols)) scopes.emplace_back(1, name);
  return scopes;
}

ArrayActivity ReadActivityFst(const std::string& path, int rows, int cols) {
  const std::unique_ptr<void, void (*)(void*)> fst(fstReaderOpen(path.c_str()), fstReaderClose);
  if (!fst) throw FileError("cannot read the activity trace '" + path + "' (not an FST file?)");
  void* ctx = fst.get();
  const std::vector<std::string> names = SignalNames(rows, cols);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < names.size(); ++i) index[names[i]] = i;
  Reading rd;
  rd.changes.resize(names.size());
  std::vector<bool> found(names.size(), false);
  std::vector<std::string> scope;
  fstReaderIterateHierRewind(ctx);
  while (const fstHier* h = fstReaderIterateHier(ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.emplace_back(h->u.scope.name, h->u.scope.name_length);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scope.empty()) scope.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string name(h->u.var.name, h->u.var.name_length);
      name = name.substr(0, name.find(' '));  // "words_q [31:0]"
      std::string full;
      for (const std::string& s : scope) full += s + ".";
      const auto it = index.find(full + name);
      if (it == index.end()) continue;
      found[it->second] = true;
      rd.by_handle[h->u.var.handle].push_back(it->second);
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (!found[i]) {
      throw Error("activity trace '" + path + "' has no signal " + names[i] +
                  "; was it written with ActivityScopes for a " + std::to_string(rows) + "x" +
                  std::to_string(cols) + " array, and does the RTL still have that name?");
    }
  }
  fstReaderClrFacProcessMaskAll(ctx);
  for (const auto& [handle, ids] : rd.by_handle) fstReaderSetFacProcessMask(ctx, handle);
  fstReaderIterBlocks2(ctx, OnValue, OnValueVarLen, &rd, nullptr);

  ArrayActivity a;
  a.rows = rows;
  a.cols = cols;
  a.end_cycle = (fstReaderGetEndTime(ctx) + 1) / 2;
  const uint64_t end = a.end_cycle;
  const std::vector<CycleSpan> busy = Spans(rd.changes[kCtrlBusy], end);
  a.array_cycles = Total(busy);

  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  a.macs.resize(n);
  a.skipped.resize(n);
  a.idle.resize(n);
  for (size_t k = 0; k < n; ++k) {
    a.macs[k] = Total(Spans(rd.changes[kNumFixed + 2 * k], end));
    a.skipped[k] = Total(Spans(rd.changes[kNumFixed + 2 * k + 1], end));
    const uint64_t active = a.macs[k] + a.skipped[k];
    a.idle[k] = a.array_cycles > active ? a.array_cycles - active : 0;
  }

  // Passes: each cycle the pass advance is high while the controller is busy ends a pass at
  // the next edge; a run's first pass begins where the run does.
  for (const CycleSpan& adv : Spans(rd.changes[kPassAdv], end)) {
    for (uint64_t c = adv.begin; c < adv.end; ++c) {
      const auto run = std::find_if(busy.begin(), busy.end(),
                                    [&](const CycleSpan& s) { return s.begin <= c && c < s.end; });
      if (run == busy.end()) continue;  // the counter counts only while busy
      uint64_t begin = run->begin;
      if (!a.passes.empty() && a.passes.back().end > begin) begin = a.passes.back().end;
      a.passes.push_back({begin, c + 1});
    }
  }

  // Loads: from a read command (descriptor or chunk operands) to the chunk's hand-over offer.
  {
    std::vector<std::pair<uint64_t, int>> events;  // (time, signal) of every change
    for (int s : {kLoadCmd, kChunkValid}) {
      for (const auto& [t, v] : rd.changes[s]) events.emplace_back(t, s);
    }
    std::sort(events.begin(), events.end());
    uint64_t cmd = 0, valid = 0;
    size_t pos[2] = {0, 0};
    bool open = false;
    uint64_t begin = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      const uint64_t t = events[i].first;
      // Apply every change at time t, then look at the levels.
      for (int s : {kLoadCmd, kChunkValid}) {
        const Changes& ch = rd.changes[s];
        size_t& p = pos[s == kLoadCmd ? 0 : 1];
        while (p < ch.size() && ch[p].first <= t) (s == kLoadCmd ? cmd : valid) = ch[p++].second;
      }
      if (i + 1 < events.size() && events[i + 1].first == t) continue;
      if (!open && cmd) {
        open = true;
        begin = CycleOf(t);
      } else if (open && valid) {
        open = false;
        a.load.push_back({begin, CycleOf(t)});
      }
    }
  }
  a.run = Spans(rd.changes[kRunIdle], end, true);
  a.store = Spans(rd.changes[kStoreIdle], end, true);
  a.dma_rd = Spans(rd.changes[kRdIdle], end, true);
  a.dma_wr = Spans(rd.changes[kWrIdle], end, true);
  a.rd_bytes = BytesMoved(rd.changes[kRdWords]);
  a.wr_bytes = BytesMoved(rd.changes[kWrWords]);
  return a;
}

}  // namespace eyelet
