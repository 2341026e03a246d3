// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/locate.h"

#include <algorithm>
#include <sstream>

#include "eyelet/error.h"
#include "eyelet/walk.h"

namespace eyelet {

namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Passes of one run (ey_pass_cnt: mb x cb x nrg of the chunk).
int64_t RunPasses(const RsMapping& m, const WalkChunk& c) {
  return CeilDiv(c.mi, int64_t{m.t} * m.p) * CeilDiv(c.ci, int64_t{m.r} * m.q) * m.nrg;
}

// The run of chunk (group g, images from n0, row band b, filters from m0, channels from c0) in
// the walk, and the passes of the runs before it; false when the walk has none.
bool FindRun(const Walk& walk, const RsMapping& m, int64_t g, int64_t n0, int b, int64_t m0,
             int64_t c0, int64_t* run, int64_t* passes_before, RowBand* band,
             int64_t* passes_in_run, int64_t* prev_run_start = nullptr) {
  bool found = false;
  *run = 0;
  *passes_before = 0;
  int64_t prev = 0;
  walk.ForEachChunk([&](const WalkSegment& s, const WalkChunk& c) {
    if (s.g == g && s.n0 == n0 && s.b == b && c.m0 == m0 && c.c0 == c0) {
      found = true;
      *band = s.band;
      *passes_in_run = RunPasses(m, c);
      return false;
    }
    ++*run;
    prev = *passes_before;
    *passes_before += RunPasses(m, c);
    return true;
  });
  if (prev_run_start != nullptr) *prev_run_start = prev;
  return found;
}

}  // namespace

std::string OutputLocation::ToString() const {
  std::ostringstream s;
  s << "pass " << pass << " (run " << run << ": group " << group << ", image chunk "
    << image_chunk << ", band " << band << " rows " << band_y0 << ".."
    << band_y0 + band_rows - 1 << ", filter chunk " << filter_chunk << ", channel chunk "
    << channel_chunk << "; its pass " << pass_in_run << " of " << passes_in_run
    << "), PE (" << pe_row << ", " << pe_col << ") top of chain rows " << chain_row0 << ".."
    << chain_row0 + chain_rows - 1 << ", set rows " << set_row0 << ".."
    << set_row0 + set_rows - 1 << " cols " << set_col0 << ".." << set_col0 + set_cols - 1;
  return s.str();
}

int64_t LayerPasses(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                    const ArrayConfig& hw) {
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  int64_t passes = 0;
  walk.ForEachChunk([&](const WalkSegment&, const WalkChunk& c) {
    passes += RunPasses(m, c);
    return true;
  });
  return passes;
}

PeRole PlacePe(const ConvLayer& layer, const RsMapping& m, int row, int col) {
  PeRole p;
  const int chain_rows = m.r * m.rg;
  p.chain_slot = row / chain_rows;
  p.channel_set = row % chain_rows / m.rg;
  p.filter_row = row % m.rg;
  p.set_column = col / m.e;
  p.column_in_set = col % m.e;
  p.chain = p.set_column * m.tv + p.chain_slot;
  p.on = p.chain_slot < m.tv && p.set_column < m.th && p.chain < m.t;
  p.top = p.on && row % chain_rows == chain_rows - 1;
  const int mg = layer.w.n / layer.conv.groups;
  p.used = p.on && int64_t{p.chain} * m.p < mg && p.column_in_set < layer.Out().h;
  return p;
}

OutputLocation LocateOutput(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                            const ArrayConfig& hw, const OutputCoord& o) {
  const Shape out = layer.Out();
  if (o.n < 0 || o.n >= out.n || o.m < 0 || o.m >= out.c || o.y < 0 || o.y >= out.h ||
      o.x < 0 || o.x >= out.w) {
    throw ShapeError("output (" + std::to_string(o.n) + ", " + std::to_string(o.m) + ", " +
                     std::to_string(o.y) + ", " + std::to_string(o.x) + ") is outside the " +
                     out.ToString() + " output of " + layer.ToString());
  }
  if (m.fold != 1 || m.r * m.rg * m.tv > hw.rows || m.e * m.th > hw.cols ||
      m.tv * m.th < m.t || m.strips * m.e < out.h) {
    throw UsageError("mapping " + m.ToString() + " is not completed for " + layer.ToString() +
                     " on the " + std::to_string(hw.rows) + "x" + std::to_string(hw.cols) +
                     " array; run CompleteMapping first");
  }
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  const WalkParams& wp = walk.params();
  const int64_t g = o.m / wp.mg, mg_i = o.m % wp.mg;
  const int64_t fc = walk.FilterChunk(), tp = int64_t{m.t} * m.p;

  OutputLocation loc;
  loc.group = static_cast<int>(g);
  loc.image_chunk = static_cast<int>(o.n / wp.nb);
  loc.band = static_cast<int>(o.y / (wp.sb * wp.e));
  loc.filter_chunk = static_cast<int>(mg_i / fc);
  loc.channel_chunk = static_cast<int>(CeilDiv(wp.cg, walk.ChannelChunk()) - 1);
  const int64_t n0 = int64_t{loc.image_chunk} * wp.nb, m0 = int64_t{loc.filter_chunk} * fc;
  const int64_t c0 = int64_t{loc.channel_chunk} * walk.ChannelChunk();

  // The run and the passes before it, in the walker's order.
  int64_t run = 0, passes_before = 0, passes_in_run = 0;
  RowBand band;
  if (!FindRun(walk, m, g, n0, loc.band, m0, c0, &run, &passes_before, &band, &passes_in_run)) {
    throw Error("LocateOutput: the walk has no chunk for " + layer.ToString());
  }
  loc.band_y0 = band.y0;
  loc.band_rows = band.rows;
  loc.passes_in_run = static_cast<int>(passes_in_run);
  loc.run = run;

  // The pass: the last of the output's filter block (ey_pass_cnt order mb, cb, rgi).
  const int64_t ml = mg_i - m0;
  const int64_t cbn = CeilDiv(std::min(walk.ChannelChunk(), wp.cg - c0), int64_t{m.r} * m.q);
  loc.filter_block = static_cast<int>(ml / tp);
  loc.block_passes = static_cast<int>(cbn * m.nrg);
  loc.pass_in_run = static_cast<int>((loc.filter_block + 1) * cbn * m.nrg - 1);
  loc.pass = passes_before + loc.pass_in_run;

  // The PE: top of chain tg, set column j = y % e.
  loc.chain = static_cast<int>(ml % tp / m.p);
  loc.filter_slot = static_cast<int>(ml % m.p);
  loc.strip = (o.y - loc.band_y0) / m.e;
  const int v = loc.chain % m.tv, hs = loc.chain / m.tv, j = (o.y - loc.band_y0) % m.e;
  loc.chain_rows = m.r * m.rg;
  loc.chain_row0 = v * loc.chain_rows;
  loc.set_rows = m.rg;
  loc.set_row0 = loc.chain_row0 + (m.r - 1) * m.rg;
  loc.set_col0 = hs * m.e;
  loc.set_cols = m.e;
  loc.pe_row = loc.chain_row0 + loc.chain_rows - 1;
  loc.pe_col = loc.set_col0 + j;
  return loc;
}

int64_t UsePass(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                const ArrayConfig& hw, const OutputCoord& o, int channel, int filter_row,
                int64_t* prev_run_start) {
  LocateOutput(layer, m, t, hw, o);  // checks o and m
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  const WalkParams& wp = walk.params();
  if (channel < 0 || channel >= wp.cg || filter_row < 0 || filter_row >= layer.w.h) {
    throw ShapeError("UsePass: channel " + std::to_string(channel) + " or filter row " +
                     std::to_string(filter_row) + " is outside " + layer.ToString());
  }
  const int64_t g = o.m / wp.mg, mg_i = o.m % wp.mg;
  const int64_t fc = walk.FilterChunk(), tp = int64_t{m.t} * m.p, cc = walk.ChannelChunk();
  const int64_t m0 = mg_i / fc * fc, c0 = channel / cc * cc;
  int64_t run = 0, passes_before = 0, passes_in_run = 0;
  RowBand band;
  if (!FindRun(walk, m, g, o.n / wp.nb * wp.nb, static_cast<int>(o.y / (wp.sb * wp.e)), m0, c0,
               &run, &passes_before, &band, &passes_in_run, prev_run_start)) {
    throw Error("UsePass: the walk has no chunk for " + layer.ToString());
  }
  const int64_t cbn = CeilDiv(std::min(cc, wp.cg - c0), int64_t{m.r} * m.q);
  const int64_t mb = (mg_i - m0) / tp, cb = (channel - c0) / (int64_t{m.r} * m.q);
  return passes_before + (mb * cbn + cb) * m.nrg + filter_row / m.rg;
}

PoolWindow PooledWindow(const ConvLayer& layer, int py, int px) {
  const Shape out = layer.Out();
  const PoolParams& p = layer.pool;
  const int ya = py * p.stride_h - p.pad_top, xa = px * p.stride_w - p.pad_left;
  const int y0 = std::max(0, ya), y1 = std::min(out.h, ya + p.kernel_h);
  const int x0 = std::max(0, xa), x1 = std::min(out.w, xa + p.kernel_w);
  return PoolWindow{y0, std::max(0, y1 - y0), x0, std::max(0, x1 - x0)};
}

}  // namespace eyelet
