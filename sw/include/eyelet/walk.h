// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The descriptor walker's tiling order (rtl/ey_walker.sv), written once: which chunks a CONV
// layer runs in, in which order, and what each one loads from and stores to DRAM. The golden
// device (its transfers, DRAM byte counters and address-range errors) and the cost model (its
// timeline, chunk by chunk) both walk a layer through this unit.
//
// The loop nest, outermost first:
//   for each group g (0 .. groups-1),
//    image chunk (images n0 .. n0+ni-1, ni = min(nb, n - n0)),
//    row band b (bands = ceil(strips/sb); ofmap rows y0 = b*sb*e .., rows = min(sb*e, eo - y0)
//      of them, in min(sb, strips - b*sb) strips; their windows read the ifmap rows
//      lo .. lo+in_rows-1: BandRows in mapping.h),
//    filter chunk (filters m0 .., mi = min(fc, mg - m0), fc = min(filters_per_chunk, mg)),
//    channel chunk (channels c0 .., ci = min(cc, cg - c0), cc = min(channels_per_chunk, cg)):
//   one chunk, one run of the array. A segment is one (group, image chunk, band): the filter
//   and channel chunks inside it. Per chunk, in this order:
//   a. ifmaps, unless m0 > 0 and the segment's ifmap rows stay in the GLB across its filter
//      chunks: with one channel chunk (cc == cg), or when the ifmap area holds the rows of all
//      cg channels of nb images at once (IfmapsStay: several channel chunks and nb*cg*hbmw
//      words within glb_ifmap_words, hbmw = w times the most ifmap rows a band loads; the
//      walker's x_res), each channel chunk in its own slot. The rows loaded per channel are
//      load_lo .. load_lo+load_rows-1: all h rows from 0 with one band (whole channels), the
//      band's lo, in_rows with several. Transfers: with one band one per image n of
//      ci*h*w words at x_addr + ((n*groups + g)*cg + c0)*h*w*2; with several one per image n
//      and channel c < ci of in_rows*w words at
//      x_addr + (((n*groups + g)*cg + c0 + c)*h + lo)*w*2.
//   b. filters, unless there is one channel chunk and one filter chunk (fc == mg) and
//      (n0 > 0 or b > 0): then all of the group's filters stay in the GLB across its image
//      chunks and bands (a new group loads its own). The chunk's mi filters, channels
//      c0 .. c0+ci-1: one transfer per filter mm < mi of ci*kr*ks words at
//      w_addr + ((g*mg + m0 + mm)*cg + c0)*kr*ks*2, or, when ci == cg (contiguous, the same
//      bytes), one transfer of mi*cg*kr*ks words at w_addr + (g*mg + m0)*cg*kr*ks*2.
//   c. the output-path table (post bit 0 or 1), with the filters (b. loads them) for the chunk
//      that stores: one transfer of mi entries (kPpEntryBytes each) at
//      pp_addr + (g*mg + m0)*kPpEntryBytes.
//   d. run (later channel chunks accumulate onto the earlier ones' psums).
//   e. store, after the last channel chunk (c0 + ci == cg) only. Unpooled, out_bytes per
//      output (4, or 2 when requantized): with one band one transfer per image n of
//      mi*eo*fo words at y_addr + ((n*groups + g)*mg + m0)*eo*fo*out_bytes; with several one
//      per image n and filter mm < mi of rows*fo words at
//      y_addr + (((n*groups + g)*mg + m0 + mm)*eo + y0)*fo*out_bytes. Pooled (pool_kh != 0)
//      the band's pooled rows first .. first+count-1 (BandPooledRows in mapping.h: those whose
//      windows end in the band, and in the last band all the rest; with one band all pool_eo),
//      int16: with one band one transfer per image n of mi*pool_eo*pool_fo words at
//      y_addr + ((n*groups + g)*mg + m0)*pool_eo*pool_fo*2; with several one per image n and
//      filter mm < mi of count*pool_fo words at
//      y_addr + (((n*groups + g)*mg + m0 + mm)*pool_eo + first)*pool_fo*2, and none when
//      count = 0.
// Word counts are of DRAM elements: int16 ifmap and filter words, table entries, outputs.
#ifndef EYELET_WALK_H_
#define EYELET_WALK_H_

#include <algorithm>
#include <cstdint>
#include <functional>

#include "eyelet/desc.h"
#include "eyelet/mapping.h"

namespace eyelet {

// What the walker tiles: one layer's dimensions per group, its chunk sizes and where its
// tensors lie in DRAM (the descriptor's fields, desc.h).
struct WalkParams {
  int64_t n = 1;       // images
  int64_t groups = 1;
  int64_t cg = 1;      // input channels per group
  int64_t mg = 1;      // filters per group
  int64_t h = 1;       // ifmap rows
  int64_t w = 1;       // ifmap columns
  int64_t kr = 1;      // filter rows
  int64_t ks = 1;      // filter columns
  int64_t eo = 1;      // ofmap rows
  int64_t fo = 1;      // ofmap columns
  int64_t uh = 1;      // vertical stride
  int64_t pad_top = 0;
  int64_t e = 1;       // ofmap rows per strip
  int64_t strips = 1;  // strips of e rows covering eo
  int64_t nb = 1;      // images per chunk
  int64_t filters_per_chunk = 1;   // mbc*t*p (more than mg: one chunk)
  int64_t channels_per_chunk = 1;  // cbc*r*q (more than cg: one chunk)
  int64_t sb = 1;      // strips per band (strips or more: one band)
  bool table = false;  // the output-path table is read (post bit 0 or 1)
  int64_t out_bytes = 4;  // bytes of an unpooled output: 4, or 2 when requantized
  bool pooled = false;    // pool_kh != 0
  int64_t pool_kh = 0;
  int64_t pool_sh = 1;
  int64_t pool_pt = 0;
  int64_t pool_eo = 0;
  int64_t pool_fo = 0;
  // The GLB ifmap area's words (0: not known; no IfmapsStay). Not a descriptor field: the
  // hardware's, as the descriptor rules' GLB_IFMAP_WORDS.
  int64_t glb_ifmap_words = 0;
  uint64_t x_addr = 0;
  uint64_t w_addr = 0;
  uint64_t y_addr = 0;
  uint64_t pp_addr = 0;
};

// The walk of a descriptor (its fields as they are: CheckDesc it first) on hardware whose
// ifmap area holds glb_ifmap_words.
WalkParams WalkOfDesc(const Desc& d, int64_t glb_ifmap_words);
// The walk of `layer` (all groups) with the completed mapping `m` in chunks `t` on `hw`, as
// MakeConvDesc would describe it; the addresses are 0.
WalkParams WalkOfLayer(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                       const Tiling& t);

// One image chunk of one group in one row band.
struct WalkSegment {
  int64_t g = 0;
  int64_t n0 = 0;      // first image
  int64_t ni = 0;      // images
  int64_t b = 0;       // band
  bool last_band = false;
  RowBand band{};      // ofmap rows y0, rows; the ifmap rows lo, in_rows their windows read
  int64_t strips = 0;  // strips in the band
  int64_t load_lo = 0;    // ifmap rows loaded per channel: from load_lo,
  int64_t load_rows = 0;  // load_rows of them (0, h with one band; lo, in_rows with several)
  bool filters = false;   // its chunks load their filters (else they are still in the GLB)
  PooledRows pooled{};    // the pooled rows its stores write (0, 0 unpooled)
};

// One chunk (one run of the array) of a segment and its DRAM traffic, in elements.
struct WalkChunk {
  int64_t m0 = 0;  // first filter of the group
  int64_t mi = 0;  // filters
  int64_t c0 = 0;  // first channel of the group
  int64_t ci = 0;  // channels
  bool ifmaps = false;   // a. loads the segment's ifmap rows of its channels
  bool filters = false;  // b. loads its filters
  bool table = false;    // c. loads its filters' output-path entries
  bool store = false;    // e. stores its outputs (the last channel chunk)
  int64_t ifmap_transfers = 0;
  int64_t ifmap_words = 0;
  int64_t filter_transfers = 0;
  int64_t filter_words = 0;
  int64_t table_transfers = 0;
  int64_t table_entries = 0;
  int64_t store_transfers = 0;
  int64_t store_words = 0;  // outputs written (pooled ones when pooled)
};

// One DMA transfer of a chunk.
struct WalkTransfer {
  enum Kind { kIfmap, kFilter, kTable, kStore };
  Kind kind;
  uint64_t addr;
  uint64_t bytes;
  bool IsWrite() const { return kind == kStore; }
};

// `count` consecutive filter (or channel) chunks from the one at `first` (m0 or c0) that
// Walk::Chunk describes alike in everything but m0 (c0) and so their addresses.
struct ChunkSpan {
  int64_t first;
  int64_t count;
};
// At most three spans along one axis, in order (no heap: the mapper walks many tilings).
class ChunkSpans {
 public:
  static constexpr int kMax = 3;
  void Add(ChunkSpan s) { spans_[size_++] = s; }
  int size() const { return size_; }
  const ChunkSpan& operator[](int i) const { return spans_[i]; }
  const ChunkSpan* begin() const { return spans_; }
  const ChunkSpan* end() const { return spans_ + size_; }

 private:
  ChunkSpan spans_[kMax] = {};
  int size_ = 0;
};

class Walk {
 public:
  explicit Walk(const WalkParams& p);

  const WalkParams& params() const { return p_; }
  int64_t Bands() const { return bands_; }
  int64_t FilterChunk() const { return fc_; }   // fc
  int64_t ChannelChunk() const { return cc_; }  // cc
  bool OneChannelChunk() const { return cc_ >= p_.cg; }
  bool OneFilterChunk() const { return fc_ >= p_.mg; }
  // w times the most ifmap rows a band loads per channel (the descriptor rules' hbmw).
  int64_t BandIfmapWordsMax() const;
  // Several channel chunks whose ifmaps (all cg channels of nb images) fit the ifmap area at
  // once: each keeps its own slot, loaded by a segment's first filter chunk only (x_res).
  bool IfmapsStay() const { return ifmaps_stay_; }

  // Row band b (BandRows).
  RowBand Band(int64_t b) const;
  // The segment of group g, the image chunk from image n0 and band b.
  WalkSegment Segment(int64_t g, int64_t n0, int64_t b) const;
  // The chunk of segment s with filters from m0 and channels from c0.
  WalkChunk Chunk(const WalkSegment& s, int64_t m0, int64_t c0) const;

  // The filter chunks of a segment as spans (the first; the other full ones; a last partial
  // one), and its channel chunks (the full ones but the last; the last full one; a last partial
  // one). Empty spans are left out. For models that fast-forward repeated chunks.
  const ChunkSpans& FilterSpans() const { return filter_spans_; }
  const ChunkSpans& ChannelSpans() const { return channel_spans_; }

  // Calls f for every segment, chunk, or DMA transfer in the walker's order until f returns
  // false; returns whether the walk completed.
  template <typename F>  // bool f(const WalkSegment&)
  bool ForEachSegment(const F& f) const {
    for (int64_t g = 0; g < p_.groups; ++g) {
      for (int64_t n0 = 0; n0 < p_.n; n0 += p_.nb) {
        for (int64_t b = 0; b < bands_; ++b) {
          if (!f(Segment(g, n0, b))) return false;
        }
      }
    }
    return true;
  }
  bool ForEachChunk(const std::function<bool(const WalkSegment&, const WalkChunk&)>& f) const;
  bool ForEachTransfer(const WalkSegment& s, const WalkChunk& c,
                       const std::function<bool(const WalkTransfer&)>& f) const;
  bool ForEachTransfer(const std::function<bool(const WalkTransfer&)>& f) const;

 private:
  WalkParams p_;
  int64_t fc_;
  int64_t cc_;
  int64_t bands_;
  bool ifmaps_stay_;
  ChunkSpans filter_spans_;
  ChunkSpans channel_spans_;
};

// Inline: the cost model calls these for every segment of every tiling the mapper tries.
inline RowBand Walk::Band(int64_t b) const {
  const auto i = [](int64_t v) { return static_cast<int>(v); };
  return BandRows(i(b), i(p_.sb), i(p_.e), i(p_.eo), i(p_.uh), i(p_.pad_top), i(p_.kr), i(p_.h));
}

inline WalkSegment Walk::Segment(int64_t g, int64_t n0, int64_t b) const {
  WalkSegment s;
  s.g = g;
  s.n0 = n0;
  s.ni = std::min(p_.nb, p_.n - n0);
  s.b = b;
  s.last_band = b + 1 == bands_;
  s.band = Band(b);
  s.strips = std::min(p_.sb, p_.strips - b * p_.sb);
  s.load_lo = bands_ == 1 ? 0 : s.band.lo;
  s.load_rows = bands_ == 1 ? p_.h : s.band.in_rows;
  s.filters = !(OneChannelChunk() && OneFilterChunk() && (n0 > 0 || b > 0));
  if (p_.pooled) {
    s.pooled = BandPooledRows(s.band.y0, s.band.rows, s.last_band, static_cast<int>(p_.pool_kh),
                              static_cast<int>(p_.pool_sh), static_cast<int>(p_.pool_pt),
                              static_cast<int>(p_.pool_eo));
  }
  return s;
}

inline WalkChunk Walk::Chunk(const WalkSegment& s, int64_t m0, int64_t c0) const {
  WalkChunk c;
  c.m0 = m0;
  c.mi = std::min(fc_, p_.mg - m0);
  c.c0 = c0;
  c.ci = std::min(cc_, p_.cg - c0);
  const bool one_band = bands_ == 1;
  c.ifmaps = !((OneChannelChunk() || ifmaps_stay_) && m0 > 0);
  c.filters = s.filters;
  c.store = c0 + c.ci >= p_.cg;
  c.table = p_.table && c.filters && c.store;
  if (c.ifmaps) {
    c.ifmap_transfers = one_band ? s.ni : s.ni * c.ci;
    c.ifmap_words = s.ni * c.ci * s.load_rows * p_.w;
  }
  if (c.filters) {
    c.filter_transfers = c.ci == p_.cg ? 1 : c.mi;
    c.filter_words = c.mi * c.ci * p_.kr * p_.ks;
  }
  if (c.table) {
    c.table_transfers = 1;
    c.table_entries = c.mi;
  }
  if (c.store) {
    const int64_t planes = s.ni * c.mi;
    if (!p_.pooled) {
      c.store_transfers = one_band ? s.ni : planes;
      c.store_words = planes * s.band.rows * p_.fo;
    } else {
      c.store_transfers = one_band ? s.ni : (s.pooled.count > 0 ? planes : 0);
      c.store_words = planes * s.pooled.count * p_.pool_fo;
    }
  }
  return c;
}

}  // namespace eyelet

#endif  // EYELET_WALK_H_
