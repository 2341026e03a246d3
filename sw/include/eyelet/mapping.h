// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Hardware configurations and the row-stationary (RS) mapping of a CONV layer onto a PE array.
//
// A PE set is Rg x e PEs: Rg filter rows (Rg = R, or R split into groups of at most Rows
// rows) by e ofmap rows. Each PE holds p filters x q channels of one filter row. Sets are
// placed in the array as follows (Eyeriss JSSC 2017 section V, with our own fold):
//   * r sets on different channel groups are stacked vertically and chained through the LN,
//     so their psums add up on the way to the top of the chain;
//   * chains are stacked vertically (tv per column of sets) and side by side (th across),
//     t = tv * th chains in all, each on a different group of p filters;
// Passes loop over filter blocks (t*p filters), channel blocks (r*q channels) and filter-row
// groups; psums of one block accumulate across channel blocks and row groups through the
// global buffer. Ofmap rows are strip-mined e at a time, and n images go through each pass
// with the filters stationary. Channel, filter and filter-row counts that do not divide
// evenly are padded with zeros (the padding costs cycles, never correctness).
#ifndef EYELET_MAPPING_H_
#define EYELET_MAPPING_H_

#include <string>
#include <vector>

#include "eyelet/golden.h"
#include "eyelet/layer_cfg.h"
#include "eyelet/tensor.h"

namespace eyelet {

struct ArrayConfig {
  std::string name;
  int rows = 12;
  int cols = 14;
  int ifmap_depth = 12;
  int filter_depth = 224;
  int psum_depth = 24;
  // Filter words a filter-GIN beat carries (ey_top FiltLanes, HW_WIDTHS.FILT_GIN): a layer
  // with R*S = 1 (FC, 1x1) moves up to this many of a PE's channels a cycle.
  int filter_gin_words = 4;
  int data_bits = 16;
  int acc_bits = 32;
  int max_stride = 15;   // StrideW = 4
  int max_width = 1023;  // DimW = 10
  int id_bits = 8;       // NoC IDs
  // Global buffer areas, in words (ey_glb parameters).
  int glb_ifmap_words = 16384;
  int glb_filter_words = 4096;
  int glb_psum_words = 1024;  // per column bank
  int pp_words = 512;         // output-path table entries (ey_walker PpWords): two halves
  int pool_words = 4096;      // pooling line-buffer words (ey_walker PoolWords, HW_POOL)
  // The descriptor checks share one multiplier (ey_top SeqCheck, the board builds):
  // kDescCheckSeqSteps cycles more per descriptor (eyelet/desc_rules.h).
  bool seq_check = false;
};

// The built configurations: "tiny" (3 x 4), "small" (6 x 7) and "eyeriss" (12 x 14).
const std::vector<ArrayConfig>& BuiltConfigs();
// The configs of board bitstreams (rtl/fpga/ey_icebreaker.sv: "up5k"): the mapper, the golden
// device and the uart backend know them; nothing Verilates them (the rtl backends refuse them).
const std::vector<ArrayConfig>& BoardConfigs();
// Throws UsageError listing the names when `name` is not one of them.
const ArrayConfig& ConfigByName(const std::string& name);

struct ConvLayer {
  Shape x;            // N x C x H x W
  Shape w;            // M x C/groups x R x S
  ConvParams conv;
  // The output path's settings (the descriptor's post bits, desc_codec.h kPost*): with bias or
  // requantization a chunk's filters must fit half the output-path table, and requantized
  // outputs are int16.
  uint32_t post = 0;
  // Max pooling fused after the output path (needs requantization; windows and strides 1..3,
  // desc_codec.h kPoolMaxWindow): each output plane of Out() pooled as golden MaxPool with
  // `pool` (its bottom/right padding and ceil_mode only set PooledOut's size). With several
  // row bands the walker's line buffer keeps a partial pooled row per image and filter of the
  // group: TilingError.
  bool pooled = false;
  PoolParams pool = PoolParams{};
  bool OutTable() const { return (post & 3u) != 0; }
  bool OutInt16() const { return (post & 2u) != 0; }
  // The CONV output, N x M x E x F (before pooling).
  Shape Out() const { return ConvOutputShape(x, w, conv); }
  // What the layer writes to DRAM: PoolOutputShape(Out(), pool) when pooled, else Out().
  Shape PooledOut() const;
  int64_t Macs() const;
  std::string ToString() const;
};

struct RsMapping {
  int e = 1;    // PE-set width: ofmap rows per strip
  int p = 1;    // filters per PE
  int q = 1;    // channels per PE
  int r = 1;    // sets on different channels, chained vertically
  int t = 1;    // sets on different filters (chains)
  int n = 1;    // images per pass (filters stationary across them)
  // Derived by Complete():
  int rg = 1;   // filter rows per set (R split into row groups of rg rows)
  int nrg = 1;  // number of filter-row groups
  int fold = 1;  // pieces a set wider than the array is folded into (Eyeriss only; ours 1)
  int tv = 1;   // chains stacked vertically per set column
  int th = 1;   // set columns side by side
  int cb = 1;   // channel blocks (passes over channels)
  int mb = 1;   // filter blocks
  int strips = 1;
  std::string ToString() const;
};

// Fills the placement fields of `m` for `layer` (per group: rg, nrg, fold, tv, th, cb, mb,
// strips; n is capped at the batch) and checks the limits of any RS array of hw's shape: spad
// capacities, array rows and columns. With `fold_wide_sets` a set wider than the array is
// folded into fold = ceil(e/cols) pieces stacked vertically (Eyeriss's 5 x 27 CONV2 set as
// 5 x 14 + 5 x 13); without it, e > cols is an error. Returns an empty string when the sets
// fit, else a message naming the limit.
std::string PlaceSets(const ConvLayer& layer, const ArrayConfig& hw, bool fold_wide_sets,
                      RsMapping& m);

// Fills the derived fields of `m` for `layer` (per group) and checks every limit of our RTL:
// spad capacities, array rows/columns (no folding), ID widths, stride and width fields, the
// last ofmap row's window starting inside the ifmap (rows of bottom padding only have no
// band to load), the pooling (PoolError), the GLB holding the smallest chunk (one channel
// block of one image, one filter block, one row band of one strip: TilingError of
// {1, min(t*p, Mg), min(r*q, Cg), 1} without the pooling line buffer, which ChooseTiling
// checks), and the layer record's fields for the whole group (which bound those of every
// chunk).
// Returns an empty string when legal, else a message naming the limit that fails.
std::string CompleteMapping(const ConvLayer& layer, const ArrayConfig& hw, RsMapping& m);

// Searches every legal (e, p, q, r, t) and, for each, every DRAM tiling (ChooseTiling), and
// returns the mapping with the lowest SearchCost (cost_model.h), ties broken by fewer DRAM bytes, then more
// active PEs; its n is the tiling's nb. Throws
// UnsupportedError naming the limit when no mapping exists (for a pooled layer that maps
// unpooled, the pooling line buffer).
RsMapping ChooseMapping(const ConvLayer& layer, const ArrayConfig& hw);

// The layer record the pass controller runs from, for one group of `layer` (groups must be
// 1: the caller slices groups) with a completed mapping. Throws UnsupportedError when a
// field does not fit its width in rtl/layer_cfg.def.
LayerCfg MakeLayerCfg(const ConvLayer& layer, const RsMapping& m);
// Why the record of `layer` (one group) cannot hold it, or an empty string.
std::string LayerCfgError(const ConvLayer& layer, const RsMapping& m);

// DRAM tiling of one group: the GLB holds cc channels of nb images and the same cc channels of
// mc filters at a time (mc a multiple of t*p or all of the group's filters, cc a multiple of
// r*q or all of its channels), for one row band of sb ofmap strips (sb*e ofmap rows and the
// ifmap rows their windows read; sb = m.strips is one band, the whole image). The layer runs
// as ceil(N/nb) x ceil(strips/sb) x ceil(Mg/mc) x ceil(Cg/cc) chunks, the channel chunks of
// one image, band and filter chunk accumulating onto the same psums; each band is a separate
// run of the array over its strips. The walker's order and what it keeps in the GLB between
// chunks: walk.h.
struct Tiling {
  int nb = 1;
  int mc = 1;
  int cc = 1;
  int sb = 0;  // strips per row band, 1..strips; 0 stands for all strips (one band)
};
// The strips per band of `t` for the completed mapping `m`: t.sb, or m.strips when it is 0.
int BandStrips(const RsMapping& m, const Tiling& t);

// Row band `b` of a layer whose eo ofmap rows are cut into strips of e rows, sb strips per
// band (the walker's contract, rtl/desc.def): ofmap rows [y0, y0 + rows), and the ifmap rows
// [lo, lo + in_rows) their windows read inside the h ifmap rows (in_rows is 0 when the band
// reads only padding).
struct RowBand {
  int y0;
  int rows;
  int lo;
  int in_rows;
};
RowBand BandRows(int b, int sb, int e, int eo, int uh, int pad_top, int kr, int h);
// Ifmap rows one band of sb strips holds at most in the GLB: min(h, (sb*e - 1)*uh + kr).
int BandInputRowsMax(int sb, int e, int uh, int kr, int h);
// Ifmap rows per channel a chunk of `layer` holds in the GLB with bands of sb strips and the
// completed mapping `m`: all h with one band (sb >= m.strips, the walker loads whole
// channels), else BandInputRowsMax.
int ChunkIfmapRows(const ConvLayer& layer, const RsMapping& m, int sb);

// The pooled rows [first, first + count) the store of the row band of ofmap rows
// [y0, y0 + rows) emits, pooling with window height kh, stride sh and top padding pt into
// pool_eo rows (the walker's contract, rtl/desc.def): pooled row i is complete when the store
// passes ofmap row i*sh - pt + kh - 1, so a band emits the rows whose windows end inside it,
// and the last band (`last`) also those ending below the ofmap. count may be 0.
struct PooledRows {
  int first;
  int count;
};
PooledRows BandPooledRows(int y0, int rows, bool last, int kh, int sh, int pt, int pool_eo);
// The -inf rows and columns the store streams after the ofmap's last row (the last band) and
// after each row's last column to close the bottom and right pooling windows:
// max(0, (pool_eo-1)*sh - pt + kh - 1 - (eo-1)), and the same along the width. 0 unpooled.
int PoolVirtualRows(const ConvLayer& layer);
int PoolVirtualCols(const ConvLayer& layer);
// Why the pooling of `layer` does not fit the hardware (window or stride outside 1..3, no
// requantization, its pads not below the window, pool_fo above hw's line buffer), or an empty
// string (also when it is not pooled).
std::string PoolError(const ConvLayer& layer, const ArrayConfig& hw);

// Why the GLB of `hw` cannot hold chunks `t` of `layer` (one group) with the completed mapping
// `m`, naming the area (ifmap, filter, psum bank), or an empty string. mc must be a multiple of
// t*p or all of the group's filters, cc a multiple of r*q or all of its channels; nb at most
// kMaxImagesPerRun; sb 0 or 1..strips. The ifmap area holds h rows per channel with one band
// (the walker loads whole channels), BandInputRowsMax rows with several. A pooled layer in
// several bands needs nb*Mg*pool_fo words of pooling line buffer (pool_fo with one band):
// at most hw.pool_words.
std::string TilingError(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                        const Tiling& t);
// The tiling that fits the GLB with the lowest SearchCost (cost_model.h), ties broken by fewer DRAM bytes.
// Searched: every image-chunk size and channel-chunk size that gives a different number of
// chunks (the smallest size for k chunks leaves the most room), and every image-chunk size up
// to 16 (an uneven split with a smaller last chunk leaves less of the last store exposed),
// each with every filter-chunk size of a different chunk count up to the most filter blocks
// that fit, each with the fewest row bands that fit, in the whole psum banks and in half of
// them: the most strips whose ifmap rows and psums fit, cut into bands of even size (one band
// when whole channels and all strips' psums fit); a pooled layer's tilings in several bands also
// keep the line buffer's nb*Mg*pool_fo words within hw.pool_words. `m` must be completed for
// `layer`; the result's sb is explicit (never 0). Throws UnsupportedError naming the GLB area
// when not even one image, one filter block, one channel block and one strip fit, or the line
// buffer when the layer needs row bands that the line buffer cannot serve.
Tiling ChooseTiling(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m);
// Psum words one GLB column bank needs for a chunk of nb images, mc filters and sb strips.
int64_t PsumBankWords(const ConvLayer& layer, const RsMapping& m, int nb, int mc, int sb);

// Images one run of the controller takes at most (the record's 8-bit image count).
constexpr int kMaxImagesPerRun = 255;

// Active PEs of a mapping (PEs holding a real filter row of some set).
int ActivePes(const ConvLayer& layer, const RsMapping& m);

}  // namespace eyelet

#endif  // EYELET_MAPPING_H_
