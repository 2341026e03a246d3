// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/cost_model.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace eyelet {

namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Bytes of a `bits`-bit word in DRAM.
int64_t WordBytes(int bits) { return CeilDiv(bits, 8); }

// The ifmap diagonals d = ii + j*uh (ii < rg, j < e) a PE set is fed: all of 0..dmax when the
// stride is at most rg, else only d % uh < rg (the generator skips the others).
bool FedDiagonal(int d, int rg, int uh) { return uh <= rg || d % uh < rg; }
int64_t Diagonals(int rg, int e, int uh) {
  return uh <= rg ? static_cast<int64_t>(rg - 1) + static_cast<int64_t>(e - 1) * uh + 1
                  : static_cast<int64_t>(e) * rg;
}

// Ifmap rows the generator reads from the GLB for strips [first, first + count) (the rest are
// padding zeros), summed over the filter-row groups.
int64_t ValidRows(const ConvLayer& layer, const RsMapping& m, int first, int count) {
  const int uh = layer.conv.stride_h, dmax = (m.rg - 1) + (m.e - 1) * uh;
  int64_t rows = 0;
  for (int rgi = 0; rgi < m.nrg; ++rgi) {
    for (int sp = first; sp < first + count; ++sp) {
      for (int d = 0; d <= dmax; ++d) {
        const int y = sp * m.e * uh + d + rgi * m.rg - layer.conv.pad_top;
        if (FedDiagonal(d, m.rg, uh) && y >= 0 && y < layer.x.h) ++rows;
      }
    }
  }
  return rows;
}

// One group of `layer` cut into runs: `count` runs of `images` images, `filters` filters and
// `channels` channels in each of `bands` row bands of `strips` strips; `first` when they are
// the first channel chunk (psums start at zero). The bands cover strips strip0.. in a row.
struct RunShape {
  int64_t count;
  int64_t bands;
  int strips;
  int strip0;
  int images;
  int filters;
  int channels;
  bool first;
};

std::vector<RunShape> Runs(const ConvLayer& layer, const RsMapping& m, const Tiling& t) {
  const int n = layer.x.n, mg = layer.w.n / layer.conv.groups, cg = layer.x.c / layer.conv.groups;
  const int nb = std::min(t.nb, n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  const int sb = std::min(BandStrips(m, t), m.strips);
  struct Part {
    int size;
    int64_t count;
    bool first;
  };
  const Part channel_parts[] = {{cc, 1, true}, {cc, cg / cc - 1, false}, {cg % cc, 1, false}};
  const int full_bands = m.strips / sb;
  const struct {
    int strips;
    int64_t bands;
    int strip0;
  } band_parts[] = {{sb, full_bands, 0}, {m.strips % sb, 1, full_bands * sb}};
  std::vector<RunShape> runs;
  for (const auto& [ni, ni_count] : {std::pair{nb, n / nb}, std::pair{n % nb, 1}}) {
    for (const auto& [mi, mi_count] : {std::pair{mc, mg / mc}, std::pair{mg % mc, 1}}) {
      for (const Part& c : channel_parts) {
        for (const auto& b : band_parts) {
          if (ni > 0 && mi > 0 && c.size > 0 && c.count > 0 && b.strips > 0) {
            runs.push_back({int64_t{ni_count} * mi_count * c.count, b.bands, b.strips, b.strip0,
                            ni, mi, c.size, c.first});
          }
        }
      }
    }
  }
  return runs;
}

// The per-run quantities of the model for a run of `images` images over `strips` strips,
// `blocks` filter blocks and `channel_blocks` channel blocks.
struct RunModel {
  int64_t passes;
  int64_t filter_words;  // per pass, as timed: every used row x set column, p*q*S each
  int64_t work;          // per pass: MACs of one PE
  int64_t ifmap_words;   // per pass
  int64_t lane_words;    // per pass: psums through the busiest column
};

RunModel Model(const ConvLayer& layer, const RsMapping& m, int images, int strips,
               int64_t blocks, int64_t channel_blocks) {
  const int S = layer.w.w, F = layer.Out().w;
  const int64_t wn = static_cast<int64_t>(F - 1) * layer.conv.stride_w + S;
  const int64_t rows = static_cast<int64_t>(images) * strips;  // ifmap rows per PE
  RunModel r;
  r.passes = blocks * channel_blocks * m.nrg;
  r.filter_words = static_cast<int64_t>(m.r) * m.rg * m.tv * m.th * m.p * m.q * S;
  r.work = rows * F * S * m.q * m.p;
  r.ifmap_words = rows * wn * Diagonals(m.rg, m.e, layer.conv.stride_h) * m.r * m.q;
  r.lane_words = rows * F * m.tv * m.fold * m.p;
  return r;
}

int64_t RunCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                  const RunModel& r) {
  const int64_t setup = static_cast<int64_t>(hw.rows) * hw.cols + 1;  // NoC IDs, clear
  const bool prefetch = 2 * m.p * m.q * layer.w.w <= hw.filter_depth;
  if (prefetch) {
    return setup + r.filter_words +
           r.passes * std::max({r.work, r.ifmap_words, r.lane_words, r.filter_words});
  }
  return setup + r.passes * (r.filter_words + std::max({r.work, r.ifmap_words, r.lane_words}));
}

// DRAM time and bytes of the walker (rtl/ey_walker.sv, golden_device.h) for one group, run by
// run in its order (image chunk, row band, filter chunk, channel chunk): a run's loads follow
// each other at one word per cycle plus a fixed cost per transfer; the store of a chunk's
// outputs (one per cycle, after its last channel chunk) runs beside the next run's loads, and
// that run waits for both.
struct WalkerDram {
  int64_t cycles = 0;
  int64_t read_words = 0;
  int64_t write_words = 0;
};

WalkerDram Walker(const ConvLayer& layer, const RsMapping& m, const Tiling& t) {
  const int n = layer.x.n, mg = layer.w.n / layer.conv.groups;
  const int cg = layer.x.c / layer.conv.groups;
  const int nb = std::min(t.nb, n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  const int sb = std::min(BandStrips(m, t), m.strips);
  const int bands = static_cast<int>(CeilDiv(m.strips, sb));
  const int eo = layer.Out().h, fo = layer.Out().w;
  const int64_t w = layer.x.w;
  const int64_t rs = static_cast<int64_t>(layer.w.h) * layer.w.w;
  const bool one_cchunk = cc >= cg, one_mchunk = mc >= mg;
  // The filter and channel chunks of one image chunk and band: what they add, given the store
  // pending when they start. Consecutive bands and image chunks are mostly alike, so the last
  // one's result is reused when its inputs repeat (this keeps the mapper's search fast).
  struct Segment {
    int64_t ni, rows, in_rows, store_in;
    bool filters;
    WalkerDram add;
    int64_t store_out;
  };
  auto run_segment = [&](Segment& sg) {
    // The loads of one run of mi filters and ci channels: cycles and words.
    auto load = [&](int64_t mi, int64_t ci, bool ifmaps, int64_t& words) {
      int64_t cycles = kDramRunCycles;
      if (ifmaps) {
        // One transfer per image (whole channels), or per image and channel (a band).
        const int64_t x = sg.ni * ci * sg.in_rows * w;
        cycles += x * kDramLoadCyclesPerWord +
                  (bands == 1 ? sg.ni : sg.ni * ci) * kDramTransferCycles;
        words += x;
      }
      if (sg.filters) {
        cycles += mi * ci * rs * kDramLoadCyclesPerWord +
                  (one_cchunk ? 1 : mi) * kDramTransferCycles;
        words += mi * ci * rs;
      }
      return cycles;
    };
    // Channel chunks of cc channels, the last one cg % cc when that is not 0. The first run of
    // a filter chunk waits for the pending store, the others only for their loads.
    const int64_t full = cg / cc, rest = cg % cc;
    int64_t store = sg.store_in;
    for (int m0 = 0; m0 < mg; m0 += mc) {
      const int64_t mi = std::min(mc, mg - m0);
      const bool ifmaps = !(one_cchunk && m0 > 0);
      int64_t words = 0, rest_words = 0;
      const int64_t first = load(mi, cc, ifmaps, words);
      sg.add.cycles += std::max(first, store) + (full - 1) * first;
      sg.add.read_words += full * words;
      if (rest > 0) {
        sg.add.cycles += load(mi, rest, ifmaps, rest_words);
        sg.add.read_words += rest_words;
      }
      // One write per image (whole planes), or per image and filter (a band's rows).
      const int64_t out = sg.ni * mi * sg.rows * fo;
      store = out * kDramStoreCyclesPerOutput +
              (bands == 1 ? sg.ni : sg.ni * mi) * kDramTransferCycles;
      sg.add.write_words += out;
    }
    sg.store_out = store;
  };
  WalkerDram d;
  Segment last{-1, 0, 0, 0, false, {}, 0};
  int64_t store = 0;
  for (int n0 = 0; n0 < n; n0 += nb) {
    for (int b = 0; b < bands; ++b) {
      const RowBand band = BandRows(b, sb, m.e, eo, layer.conv.stride_h, layer.conv.pad_top,
                                    layer.w.h, layer.x.h);
      Segment sg{std::min(nb, n - n0), band.rows, bands == 1 ? layer.x.h : band.in_rows, store,
                 !(one_cchunk && one_mchunk && (n0 > 0 || b > 0)), {}, 0};
      if (sg.ni != last.ni || sg.rows != last.rows || sg.in_rows != last.in_rows ||
          sg.store_in != last.store_in || sg.filters != last.filters) {
        run_segment(sg);
        last = sg;
      }
      d.cycles += last.add.cycles;
      d.read_words += last.add.read_words;
      d.write_words += last.add.write_words;
      store = last.store_out;
    }
  }
  d.cycles += store;
  return d;
}

}  // namespace

CycleEstimate EstimateCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const int groups = layer.conv.groups;
  const int64_t block = static_cast<int64_t>(m.t) * m.p, cblock = static_cast<int64_t>(m.r) * m.q;
  CycleEstimate c;
  for (const RunShape& run : Runs(layer, m, t)) {
    const RunModel r = Model(layer, m, run.images, run.strips, CeilDiv(run.filters, block),
                             CeilDiv(run.channels, cblock));
    c.compute_cycles += run.count * run.bands * RunCycles(layer, hw, m, r);
    c.runs += run.count * run.bands;
  }
  const WalkerDram walker = Walker(layer, m, t);
  c.compute_cycles *= groups;
  c.runs *= groups;
  c.dram_cycles = kDramDescCycles + groups * walker.cycles;
  c.cycles = c.compute_cycles + c.dram_cycles;
  c.dram_read_bytes = groups * walker.read_words * WordBytes(hw.data_bits);
  c.dram_write_bytes = groups * walker.write_words * WordBytes(hw.acc_bits);
  return c;
}

CostEstimate EvaluateMapping(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const int groups = layer.conv.groups;
  const int cg = layer.x.c / groups, mg = layer.w.n / groups;
  const int H = layer.x.h, W = layer.x.w, R = layer.w.h, S = layer.w.w;
  const int F = layer.Out().w;
  const int64_t block = static_cast<int64_t>(m.t) * m.p, cblock = static_cast<int64_t>(m.r) * m.q;
  const int64_t pes = static_cast<int64_t>(m.rg) * m.e * m.r * m.t;  // PEs that compute
  const int64_t wn = static_cast<int64_t>(F - 1) * layer.conv.stride_w + S;
  // Ifmap columns the generator reads from the GLB (the rest are padding zeros).
  const int64_t valid_cols =
      std::max<int64_t>(0, std::min<int64_t>(wn, W + layer.conv.pad_left) - layer.conv.pad_left);

  CostEstimate c;
  c.time = EstimateCycles(layer, hw, m, t);
  AccessCounts& a = c.access;
  for (const RunShape& run : Runs(layer, m, t)) {
    const int64_t blocks = CeilDiv(run.filters, block);
    const RunModel r =
        Model(layer, m, run.images, run.strips, blocks, CeilDiv(run.channels, cblock));
    const int64_t rows = static_cast<int64_t>(run.images) * run.strips;
    const int64_t filter_words = r.passes * m.t * m.r * m.rg * m.p * m.q * S;
    const int64_t ifmap_words = r.passes * r.ifmap_words;
    const int64_t lane_words = r.passes * rows * F * m.e * m.t * m.p;
    const int64_t macs = r.passes * r.work * pes;
    const int64_t k = run.count * run.bands;  // runs of this shape
    a.noc_filter += k * filter_words;
    a.noc_ifmap += k * ifmap_words;
    a.noc_psum_in += k * lane_words;
    a.noc_psum_out += k * lane_words;
    // Psums come from the GLB in every pass but the first of a filter block in the first
    // channel chunk (later chunks start on the psums the earlier ones left). The ifmap rows
    // read are those of the run's band, summed here over the bands.
    const int64_t psum_passes = r.passes - (run.first ? blocks : 0);
    const int64_t valid_rows = ValidRows(layer, m, run.strip0, run.bands * run.strips);
    a.glb_reads += k * (static_cast<int64_t>(run.filters) * run.channels * R * S +
                        psum_passes * rows * F * m.e * m.t * m.p) +
                   run.count * blocks * run.images * run.channels * valid_rows * valid_cols;
    a.glb_writes += k * lane_words;
    a.macs += k * macs;
    a.spad_ifmap += k * (r.passes * rows * wn * m.q * pes + macs);
    a.spad_filter += k * (filter_words * m.e + macs);
    a.spad_psum += k * (2 * macs + 2 * lane_words);
  }
  for (int64_t* v : {&a.glb_reads, &a.glb_writes, &a.noc_filter, &a.noc_ifmap, &a.noc_psum_in,
                     &a.noc_psum_out, &a.spad_ifmap, &a.spad_filter, &a.spad_psum, &a.macs}) {
    *v *= groups;
  }

  ResourceUse& u = c.use;
  const int nb = std::min(t.nb, layer.x.n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  const int sb = std::min(BandStrips(m, t), m.strips);
  const int band_rows =
      sb == m.strips ? H : BandInputRowsMax(sb, m.e, layer.conv.stride_h, R, H);
  u.active_pes = ActivePes(layer, m);
  u.ifmap_spad = m.q * S;
  u.filter_spad = m.p * m.q * S;
  u.psum_spad = m.p;
  u.glb_ifmap_words = static_cast<int64_t>(nb) * cc * band_rows * W;
  u.glb_filter_words = static_cast<int64_t>(mc) * cc * R * S;
  u.glb_psum_words = PsumBankWords(layer, m, nb, mc, sb);
  return c;
}

int64_t MinDramBytes(const ConvLayer& layer, const ArrayConfig& hw) {
  const Shape out = layer.Out();
  return (layer.x.Size() + static_cast<int64_t>(layer.w.n) * layer.w.c * layer.w.h * layer.w.w) *
             WordBytes(hw.data_bits) +
         out.Size() * WordBytes(hw.acc_bits);
}

EyerissEvaluation EvaluateEyerissMapping(const ConvLayer& layer, const ArrayConfig& hw,
                                         const EyerissMapping& em) {
  EyerissEvaluation ev;
  RsMapping m;
  m.e = em.e, m.p = em.p, m.q = em.q, m.r = em.r, m.t = em.t, m.n = em.n;
  const int cg = layer.x.c / layer.conv.groups, mg = layer.w.n / layer.conv.groups;
  ev.tiling = Tiling{std::max(1, std::min(em.n, layer.x.n)), std::max(1, std::min(em.m, mg)), cg};
  RsMapping ours = m;
  ev.our_rtl_limit = CompleteMapping(layer, hw, ours);
  if (ev.our_rtl_limit.empty()) {
    Tiling one_block = ev.tiling;
    one_block.cc = std::min(m.r * m.q, cg);
    one_block.sb = 1;
    ev.our_rtl_limit = TilingError(layer, hw, ours, one_block);
  }

  ev.eyeriss_limit = PlaceSets(layer, hw, /*fold_wide_sets=*/true, m);
  ev.mapping = m;
  if (!ev.eyeriss_limit.empty()) return ev;  // the sets do not fit: nothing to cost
  const int64_t bytes = WordBytes(hw.data_bits);
  const int64_t uh = layer.conv.stride_h, R = layer.w.h;
  const int64_t hp = layer.x.h + layer.conv.pad_top + layer.conv.pad_bottom;
  const int64_t wp = layer.x.w + layer.conv.pad_left + layer.conv.pad_right;
  const int64_t nb = ev.tiling.nb, mc = ev.tiling.mc;
  ev.glb_ifmap_bytes = nb * m.q * m.r * std::min(hp, (m.e - 1) * uh + R) * wp * bytes;
  ev.glb_psum_bytes = nb * mc * m.e * layer.Out().w * bytes;
  ev.glb_filter_bytes = static_cast<int64_t>(m.t) * m.p * m.q * m.r * m.rg * layer.w.w * bytes;
  if (ev.glb_ifmap_bytes + ev.glb_psum_bytes > kEyerissGlbFmapBytes) {
    ev.eyeriss_limit = "Eyeriss GLB: ifmap " + std::to_string(ev.glb_ifmap_bytes) + " + psum " +
                       std::to_string(ev.glb_psum_bytes) + " bytes > " +
                       std::to_string(kEyerissGlbFmapBytes);
  } else if (ev.glb_filter_bytes > kEyerissGlbFilterBytes) {
    ev.eyeriss_limit = "Eyeriss filter GLB: one pass's filters are " +
                       std::to_string(ev.glb_filter_bytes) + " bytes > " +
                       std::to_string(kEyerissGlbFilterBytes);
  }
  ev.cost = EvaluateMapping(layer, hw, m, ev.tiling);
  return ev;
}

}  // namespace eyelet
