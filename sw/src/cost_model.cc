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

// One group of `layer` cut into runs: `count` runs of `images` images, `filters` filters and
// `channels` channels; `first` when they are the first channel chunk (psums start at zero).
struct RunShape {
  int64_t count;
  int images;
  int filters;
  int channels;
  bool first;
};

std::vector<RunShape> Runs(const ConvLayer& layer, const Tiling& t) {
  const int n = layer.x.n, mg = layer.w.n / layer.conv.groups, cg = layer.x.c / layer.conv.groups;
  const int nb = std::min(t.nb, n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  struct Part {
    int size;
    int64_t count;
    bool first;
  };
  const Part channel_parts[] = {{cc, 1, true}, {cc, cg / cc - 1, false}, {cg % cc, 1, false}};
  std::vector<RunShape> runs;
  for (const auto& [ni, ni_count] : {std::pair{nb, n / nb}, std::pair{n % nb, 1}}) {
    for (const auto& [mi, mi_count] : {std::pair{mc, mg / mc}, std::pair{mg % mc, 1}}) {
      for (const Part& c : channel_parts) {
        if (ni > 0 && mi > 0 && c.size > 0 && c.count > 0) {
          runs.push_back({int64_t{ni_count} * mi_count * c.count, ni, mi, c.size, c.first});
        }
      }
    }
  }
  return runs;
}

// The per-run quantities of the model for a run of `images` images, `blocks` filter blocks and
// `channel_blocks` channel blocks.
struct RunModel {
  int64_t passes;
  int64_t filter_words;  // per pass, as timed: every used row x set column, p*q*S each
  int64_t work;          // per pass: MACs of one PE
  int64_t ifmap_words;   // per pass
  int64_t lane_words;    // per pass: psums through the busiest column
};

RunModel Model(const ConvLayer& layer, const RsMapping& m, int images, int64_t blocks,
               int64_t channel_blocks) {
  const int S = layer.w.w, F = layer.Out().w;
  const int64_t wn = static_cast<int64_t>(F - 1) * layer.conv.stride_w + S;
  const int64_t rows = static_cast<int64_t>(images) * m.strips;  // ifmap rows per PE
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

// DRAM time of the walker (rtl/ey_walker.sv) for one group, run by run in its order (image
// chunk, filter chunk, channel chunk): a run's loads follow each other at one word per cycle
// plus a fixed cost per transfer; the store of a chunk's outputs (one per cycle, after its
// last channel chunk) runs beside the next run's loads, and that run waits for both.
int64_t WalkerDramCycles(const ConvLayer& layer, const Tiling& t) {
  const int n = layer.x.n, mg = layer.w.n / layer.conv.groups;
  const int cg = layer.x.c / layer.conv.groups;
  const int nb = std::min(t.nb, n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  const int64_t hw = static_cast<int64_t>(layer.x.h) * layer.x.w;
  const int64_t rs = static_cast<int64_t>(layer.w.h) * layer.w.w;
  const int64_t ef = static_cast<int64_t>(layer.Out().h) * layer.Out().w;
  const bool one_cchunk = cc >= cg, one_mchunk = mc >= mg;
  int64_t cycles = 0, store = 0;
  for (int n0 = 0; n0 < n; n0 += nb) {
    const int64_t ni = std::min(nb, n - n0);
    for (int m0 = 0; m0 < mg; m0 += mc) {
      const int64_t mi = std::min(mc, mg - m0);
      for (int c0 = 0; c0 < cg; c0 += cc) {
        const int64_t ci = std::min(cc, cg - c0);
        int64_t load = kDramRunCycles;
        if (!(one_cchunk && m0 > 0)) {
          load += ni * (ci * hw * kDramLoadCyclesPerWord + kDramTransferCycles);
        }
        if (!(one_cchunk && one_mchunk && n0 > 0)) {
          load += mi * ci * rs * kDramLoadCyclesPerWord +
                  (one_cchunk ? 1 : mi) * kDramTransferCycles;
        }
        cycles += std::max(load, store);
        store = c0 + ci == cg ? ni * (mi * ef * kDramStoreCyclesPerOutput + kDramTransferCycles)
                              : 0;
      }
    }
  }
  return cycles + store;
}

}  // namespace

CycleEstimate EstimateCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const int groups = layer.conv.groups;
  const int cg = layer.x.c / groups, mg = layer.w.n / groups;
  const Shape out = layer.Out();
  const int64_t block = static_cast<int64_t>(m.t) * m.p, cblock = static_cast<int64_t>(m.r) * m.q;
  CycleEstimate c;
  for (const RunShape& run : Runs(layer, t)) {
    const RunModel r =
        Model(layer, m, run.images, CeilDiv(run.filters, block), CeilDiv(run.channels, cblock));
    c.compute_cycles += run.count * RunCycles(layer, hw, m, r);
    c.runs += run.count;
  }
  // The walker's loads (golden_device.h): with one channel chunk, an image chunk's ifmaps stay
  // in the GLB across filter chunks, and the filters across image chunks when they are one
  // chunk too; with several channel chunks every run loads its ifmap and filter chunk.
  const int64_t image_chunks = CeilDiv(layer.x.n, std::min(t.nb, layer.x.n));
  const int64_t filter_chunks = CeilDiv(mg, std::min(t.mc, mg));
  const bool one_channel_chunk = t.cc >= cg;
  const int64_t ifmap_loads = one_channel_chunk ? 1 : filter_chunks;
  const int64_t filter_loads = one_channel_chunk && filter_chunks == 1 ? 1 : image_chunks;
  const int64_t ifmap = ifmap_loads * layer.x.n * cg * layer.x.h * layer.x.w;
  const int64_t filters = filter_loads * mg * cg * layer.w.h * layer.w.w;
  const int64_t outputs = static_cast<int64_t>(layer.x.n) * mg * out.h * out.w;
  c.compute_cycles *= groups;
  c.runs *= groups;
  c.dram_cycles = kDramDescCycles + groups * WalkerDramCycles(layer, t);
  c.cycles = c.compute_cycles + c.dram_cycles;
  c.dram_read_bytes = groups * (ifmap + filters) * WordBytes(hw.data_bits);
  c.dram_write_bytes = groups * outputs * WordBytes(hw.acc_bits);
  return c;
}

CostEstimate EvaluateMapping(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const int groups = layer.conv.groups;
  const int cg = layer.x.c / groups, mg = layer.w.n / groups;
  const int H = layer.x.h, W = layer.x.w, R = layer.w.h, S = layer.w.w;
  const int uh = layer.conv.stride_h, F = layer.Out().w;
  const int64_t block = static_cast<int64_t>(m.t) * m.p, cblock = static_cast<int64_t>(m.r) * m.q;
  const int64_t pes = static_cast<int64_t>(m.rg) * m.e * m.r * m.t;  // PEs that compute
  const int64_t wn = static_cast<int64_t>(F - 1) * layer.conv.stride_w + S;
  // Ifmap rows and columns the generator reads from the GLB (the rest are padding zeros).
  int64_t valid_rows = 0;
  const int dmax = (m.rg - 1) + (m.e - 1) * uh;
  for (int rgi = 0; rgi < m.nrg; ++rgi) {
    for (int sp = 0; sp < m.strips; ++sp) {
      for (int d = 0; d <= dmax; ++d) {
        const int y = sp * m.e * uh + d + rgi * m.rg - layer.conv.pad_top;
        if (FedDiagonal(d, m.rg, uh) && y >= 0 && y < H) ++valid_rows;
      }
    }
  }
  const int64_t valid_cols =
      std::max<int64_t>(0, std::min<int64_t>(wn, W + layer.conv.pad_left) - layer.conv.pad_left);

  CostEstimate c;
  c.time = EstimateCycles(layer, hw, m, t);
  AccessCounts& a = c.access;
  for (const RunShape& run : Runs(layer, t)) {
    const int64_t blocks = CeilDiv(run.filters, block);
    const RunModel r = Model(layer, m, run.images, blocks, CeilDiv(run.channels, cblock));
    const int64_t rows = static_cast<int64_t>(run.images) * m.strips;
    const int64_t filter_words = r.passes * m.t * m.r * m.rg * m.p * m.q * S;
    const int64_t ifmap_words = r.passes * r.ifmap_words;
    const int64_t lane_words = r.passes * rows * F * m.e * m.t * m.p;
    const int64_t macs = r.passes * r.work * pes;
    a.noc_filter += run.count * filter_words;
    a.noc_ifmap += run.count * ifmap_words;
    a.noc_psum_in += run.count * lane_words;
    a.noc_psum_out += run.count * lane_words;
    // Psums come from the GLB in every pass but the first of a filter block in the first
    // channel chunk (later chunks start on the psums the earlier ones left).
    const int64_t psum_passes = r.passes - (run.first ? blocks : 0);
    a.glb_reads += run.count * (static_cast<int64_t>(run.filters) * run.channels * R * S +
                                blocks * run.images * run.channels * valid_rows * valid_cols +
                                psum_passes * rows * F * m.e * m.t * m.p);
    a.glb_writes += run.count * lane_words;
    a.macs += run.count * macs;
    a.spad_ifmap += run.count * (r.passes * rows * wn * m.q * pes + macs);
    a.spad_filter += run.count * (filter_words * m.e + macs);
    a.spad_psum += run.count * (2 * macs + 2 * lane_words);
  }
  for (int64_t* v : {&a.glb_reads, &a.glb_writes, &a.noc_filter, &a.noc_ifmap, &a.noc_psum_in,
                     &a.noc_psum_out, &a.spad_ifmap, &a.spad_filter, &a.spad_psum, &a.macs}) {
    *v *= groups;
  }

  ResourceUse& u = c.use;
  const int nb = std::min(t.nb, layer.x.n), mc = std::min(t.mc, mg), cc = std::min(t.cc, cg);
  u.active_pes = ActivePes(layer, m);
  u.ifmap_spad = m.q * S;
  u.filter_spad = m.p * m.q * S;
  u.psum_spad = m.p;
  u.glb_ifmap_words = static_cast<int64_t>(nb) * cc * H * W;
  u.glb_filter_words = static_cast<int64_t>(mc) * cc * R * S;
  u.glb_psum_words = PsumBankWords(layer, m, nb, mc);
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
