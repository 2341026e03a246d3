// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Localization: from one output of a CONV layer (FC and pool layers run as CONV too,
// runtime.h) to the run, the processing pass and the PE that produced it, so a wrong output
// names the piece of hardware to look at (and the pass to trace with --trace-pass).
//
// Placement, as the RTL does it (rtl/ey_pass_ctrl.sv computes the NoC IDs, rtl/ey_filt_gen.sv
// and rtl/ey_ifmap_gen.sv send the streams, rtl/ey_pe_array.sv wires the psum chains), for a
// completed mapping (CompleteMapping: rg = ceil(R / nrg) filter rows per set, nrg = ceil(R /
// Rows) row groups, tv = min(t, Rows / (r*rg)) chains per set column, th = ceil(t / tv) set
// columns; fold is always 1 on our RTL):
//   * Rows and columns. Row 0 is the BOTTOM row of the array (ey_pe_array: psums flow up), so
//     PE (row i, col jp) is TOP.ey_top.u_core.u_array.g_row[i].g_col[jp].u_pe and trace scope
//     pe[i][jp]. Row i holds chain slot v = i / (r*rg), channel set cgi = (i % (r*rg)) / rg
//     and filter row ii = i % rg (of row group rgi: filter row rgi*rg + ii, zeros past R);
//     column jp holds set column hs = jp / e and set column j = jp % e. A PE is on when
//     v < tv, hs < th and its chain tg = hs*tv + v < t; the rest are switched off (IdOff).
//   * Filters. Chain tg holds filters tg*p .. tg*p + p-1 of filter block mb (the chunk's
//     filters from mb*t*p), the same ones in every PE of the chain; the filter GIN tags a
//     word (row, hs). So filter m of a chunk starting at m0 is in block (m - m0) / (t*p),
//     chain tg = (m - m0) % (t*p) / p, slot k = (m - m0) % p of the PE's psum stream.
//   * Channels. Channel set cgi of channel block cb holds channels cb*r*q + cgi*q .. + q-1 of
//     the chunk's channels (ifmap GIN tag (cgi, d)); the r channel sets of a chain are stacked
//     r*rg rows high.
//   * Ofmap rows. Set column j computes ofmap row y0 + sp*e + j of strip sp of the run's row
//     band (its ifmap diagonal d = ii + j*uh feeds filter row ii). Bands start at multiples of
//     e (b*sb*e), so ofmap row y is always on set column j = y % e, strip (y - y0) / e.
//   * Psums. Within a chain the bottom PE (cgi = 0, ii = 0) takes the psum GIN (zeros in the
//     first pass of a filter block, the bank's psums after), every other PE takes the LN from
//     the PE below, and the chain's top PE, row v*r*rg + r*rg - 1, sends the chain's sum to the
//     GON. That top PE's drain adder (its psum output) produces every psum of the chain; the
//     PEs below it only contribute to it.
//   * Pass order. Within one run (one chunk), every stream generator walks the passes with
//     rtl/ey_pass_cnt.sv: filter block mb outermost, then channel block cb, then row group rgi
//     fastest; mb = ceil(mi / (t*p)), cb = ceil(ci / (r*q)) of the chunk's mi filters and ci
//     channels. The GLB bank keeps each filter block's psums across its cb*nrg passes, so an
//     output of filter block mb is final after pass (mb + 1)*cb*nrg - 1 of its run, in the
//     run of its LAST channel chunk (earlier channel chunks' runs leave partial sums). Runs
//     follow the walker's order (walk.h: group, image chunk, row band, filter chunk, channel
//     chunk). CNT_PASSES counts the filter generator's pass ends (pass_ctrl fg_adv), summed
//     over the runs of the chain; a pass's index below is the count before it ends, counted
//     from the layer's first run (the same numbering as `--trace-pass P`).
#ifndef EYELET_LOCATE_H_
#define EYELET_LOCATE_H_

#include <cstdint>
#include <string>

#include "eyelet/mapping.h"

namespace eyelet {

// One element (n, m, y, x) of a layer's CONV output, N x M x E x F (before pooling).
struct OutputCoord {
  int n = 0;
  int m = 0;
  int y = 0;
  int x = 0;
};

// Where one output was produced.
struct OutputLocation {
  int group = 0;
  int image_chunk = 0;       // index of the image chunk (images image_chunk*nb ..)
  int band = 0;              // row band index
  int band_y0 = 0;           // the band's ofmap rows [band_y0, band_y0 + band_rows)
  int band_rows = 0;
  int filter_chunk = 0;      // index of the filter chunk in the group
  int channel_chunk = 0;     // index of the LAST channel chunk: the run after which it is final
  int64_t run = 0;           // that run's index in the layer (walker order, from 0)
  int64_t pass = 0;          // the pass in the layer that produced the final value (CNT_PASSES
                             // before it ends)
  int pass_in_run = 0;       // the same pass counted within its run
  int passes_in_run = 0;     // passes of that run (mb*cb*nrg of its chunk)
  int block_passes = 0;      // passes per filter block in that run (cb*nrg of its chunk)
  int filter_block = 0;      // in the run
  int strip = 0;             // in the band
  int chain = 0;             // tg: chain (set of filters) in the filter block, 0..t-1
  int filter_slot = 0;       // k: its slot in the PE's p filters
  int pe_row = 0;            // the PE whose psum output is the value (top of the chain)
  int pe_col = 0;
  int chain_row0 = 0;        // the chain's rows [chain_row0, chain_row0 + chain_rows): r sets
  int chain_rows = 0;
  int set_row0 = 0;          // the PE set (the chain's last channel set) of the top PE:
  int set_rows = 0;          // rows [set_row0, set_row0 + set_rows) (rg rows)
  int set_col0 = 0;          // its columns [set_col0, set_col0 + set_cols) (e columns)
  int set_cols = 0;
  std::string ToString() const;
};

// Locates output `o` of `layer` run with the completed mapping `m` in chunks `t` on an array
// of hw's shape. Throws ShapeError when `o` is outside layer.Out(), UsageError when `m` is not
// completed for `layer` (fold != 1, placement beyond hw's array).
OutputLocation LocateOutput(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                            const ArrayConfig& hw, const OutputCoord& o);

// The pass (of the layer, as OutputLocation::pass counts) in which channel `channel` (of the
// output's group, 0..C/G-1) and filter row `filter_row` (0..R-1) add into output `o`: the run
// of that channel's chunk, its channel block, filter block and row group. An input word
// delivered wrong is used in this pass; the output is final only in LocateOutput's. Throws as
// LocateOutput, and ShapeError for a channel or filter row outside the layer.
// `prev_run_start`, when given, gets the first pass of the run before that pass's run (0 for
// the first run): the walker loads a run's data while the run before it computes.
int64_t UsePass(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                const ArrayConfig& hw, const OutputCoord& o, int channel, int filter_row,
                int64_t* prev_run_start = nullptr);

// Processing passes the layer runs (what CNT_PASSES counts over its runs): the sum over the
// walker's chunks of ceil(mi/(t*p)) * ceil(ci/(r*q)) * nrg.
int64_t LayerPasses(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                    const ArrayConfig& hw);

// What PE (row, col) does under mapping `m` (the placement rules above).
struct PeRole {
  bool on = false;       // it has NoC IDs (is part of a chain)
  bool used = false;     // some stored output of the layer flows through its psum output: on,
                         // its chain holds a real filter (tg*p < Mg) and its column a real ofmap
                         // row (j < E)
  bool top = false;      // the top of its chain: its psum output is the chain's output
  int chain_slot = 0;    // v
  int channel_set = 0;   // cgi
  int filter_row = 0;    // ii (of the row group)
  int set_column = 0;    // hs
  int column_in_set = 0; // j
  int chain = 0;         // tg = hs*tv + v
};
PeRole PlacePe(const ConvLayer& layer, const RsMapping& m, int row, int col);

// The CONV outputs a pooled output (n, m, py, px) of a pooled layer is the max of: rows
// [y0, y0 + rows) and columns [x0, x0 + cols) of layer.Out() (the window clipped to the
// plane; padding never wins). A wrong pooled value comes from one of them: compare the CONV
// outputs, or locate them all (they are on `rows` set columns of the same chain).
struct PoolWindow {
  int y0 = 0;
  int rows = 0;
  int x0 = 0;
  int cols = 0;
};
PoolWindow PooledWindow(const ConvLayer& layer, int py, int px);

}  // namespace eyelet

#endif  // EYELET_LOCATE_H_
