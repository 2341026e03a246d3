// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/cost_model.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/desc_rules.h"
#include "eyelet/energy.h"
#include "eyelet/walk.h"

namespace eyelet {

namespace {

constexpr int64_t kPpWords = kPpEntryBytes / 2;  // 16-bit words of an output-path table entry

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

// Taps (output row, filter row) of strips [first, first + count) whose ifmap row is padding,
// over the filter-row groups' nrg * rg rows (rows past R hold no filter but still read the
// ifmap), against all of them: the ifmap rows the generator streams as zeros.
std::pair<int64_t, int64_t> PaddedRowTaps(const ConvLayer& layer, const RsMapping& m, int first,
                                          int count) {
  const int uh = layer.conv.stride_h;
  int64_t padded = 0, all = 0;
  for (int x = first * m.e; x < (first + count) * m.e; ++x) {
    for (int k = 0; k < m.nrg * m.rg; ++k) {
      const int y = x * uh + k - layer.conv.pad_top;
      padded += (y < 0 || y >= layer.x.h) ? 1 : 0;
      ++all;
    }
  }
  return {padded, all};
}

// The same across a row: (output column, filter column) taps on padding columns, and all.
std::pair<int64_t, int64_t> PaddedColTaps(const ConvLayer& layer) {
  const int uw = layer.conv.stride_w, F = layer.Out().w, S = layer.w.w;
  int64_t padded = 0;
  for (int x = 0; x < F; ++x) {
    for (int s = 0; s < S; ++s) {
      const int y = x * uw + s - layer.conv.pad_left;
      padded += (y < 0 || y >= layer.x.w) ? 1 : 0;
    }
  }
  return {padded, static_cast<int64_t>(F) * S};
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

std::vector<RunShape> Runs(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                           const Tiling& t) {
  // The walk's chunk sizes (walk.h), counted by shape instead of visited in order.
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  const WalkParams& wp = walk.params();
  const auto i = [](int64_t v) { return static_cast<int>(v); };
  const int n = i(wp.n), mg = i(wp.mg), cg = i(wp.cg);
  const int nb = i(wp.nb), mc = i(walk.FilterChunk()), cc = i(walk.ChannelChunk());
  const int sb = i(wp.sb);
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
            runs.push_back({int64_t{ni_count} * mi_count * c.count, b.bands, b.strips, b.strip0, ni,
                            mi, c.size, c.first});
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
  int64_t filter_beats;  // per pass: filter-GIN beats to every used row x set column
  int64_t work;          // per pass: MACs of one PE
  int64_t work_cycles;   // per pass: the cycles one PE takes for them
  int64_t ifmap_words;   // per pass
  int64_t lane_words;    // per pass: psums through the busiest column
};

RunModel Model(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m, int F,
               int images, int strips, int64_t blocks, int64_t channel_blocks) {
  const int S = layer.w.w;
  const int64_t wn = static_cast<int64_t>(F - 1) * layer.conv.stride_w + S;
  const int64_t rows = static_cast<int64_t>(images) * strips;  // ifmap rows per PE
  RunModel r;
  r.passes = blocks * channel_blocks * m.nrg;
  // Filter words go to the t chains there are (not the tv * th slots they are placed in), p*q*S
  // to a PE in beats of one word, or, when a filter is one weight per channel (R*S = 1), of up
  // to filter_gin_words channels (rtl/ey_filt_gen.sv).
  const int lanes = layer.w.h * S == 1 ? std::max(1, hw.filter_gin_words) : 1;
  r.filter_beats = static_cast<int64_t>(m.r) * m.rg * m.t * m.p * S * CeilDiv(m.q, lanes);
  r.work = rows * F * S * m.q * m.p;
  // An output column issues its S*q*p MACs one a cycle; its p psum entries are free again once
  // the last MAC has retired (kPePassCycles) and drained (the entries drain one a cycle as
  // their last MACs retire, so only the last one adds a cycle). With two banks of entries (2p
  // fit the psum spad) two columns share that time, else each waits for it; then the pass's
  // last MAC retires.
  const int64_t macs = static_cast<int64_t>(S) * m.q * m.p, turn = macs + kPePassCycles + 1;
  const bool dual = 2 * m.p <= hw.psum_depth;
  r.work_cycles = (dual ? rows * F * std::max(2 * macs, turn) / 2 : rows * F * turn) +
                  kPePassCycles;
  r.ifmap_words = rows * wn * Diagonals(m.rg, m.e, layer.conv.stride_h) * m.r * m.q;
  r.lane_words = rows * F * m.tv * m.fold * m.p;
  return r;
}

int64_t RunCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                  const RunModel& r) {
  // NoC IDs beside the constant products, then the clear.
  const int64_t setup = std::max(static_cast<int64_t>(hw.rows) * hw.cols, kRunConstSteps) + 1;
  const bool prefetch = 2 * m.p * m.q * layer.w.w <= hw.filter_depth;
  // A pass takes at least the time its psums need to climb the chain of r*rg PEs and leave
  // through the pipeline: the next pass's psums for the same outputs wait for them.
  const int64_t work =
      std::max(r.work_cycles, static_cast<int64_t>(m.r) * m.rg + kPePassCycles);
  if (prefetch) {  // the next pass's filters load during a pass, except during the last one
    return setup + r.filter_beats +
           (r.passes - 1) * std::max({work, r.ifmap_words, r.lane_words, r.filter_beats}) +
           std::max({work, r.ifmap_words, r.lane_words});
  }
  return setup + r.passes * (r.filter_beats + std::max({work, r.ifmap_words, r.lane_words}));
}

// The walker's timeline (rtl/ey_walker.sv): three sequencers, chunk by chunk in its order
// (group, image chunk, row band, filter chunk, channel chunk).
//  * load: starts as soon as the previous chunk is handed to the array, except that an area
//    (ifmap, filter) whose chunk does not fit half of it is loaded only once the array is done
//    with it; one word per cycle plus a fixed cost per transfer;
//  * run: the chunk goes to the array once its loads and the previous run are done, and the
//    previous store too unless an output chunk's psums fit half of each psum bank (ps_pp: the
//    run then goes beside that store, in the other halves, once the store before it is done);
//  * store: after the last channel chunk of an output chunk, beside the next chunk's loads,
//    and with ps_pp beside the next chunks' runs; the output-path table entries of the output
//    chunk after next then wait for the store (it reads the table half they go to), after
//    that chunk's ifmaps and filters.
// Times are absolute cycles; consecutive chunks and segments are mostly alike, so repeats are
// fast-forwarded once their increments are steady (this keeps the mapper's search fast).
struct Timeline {
  int64_t hand = 0;       // the last chunk went to the array
  int64_t run_end = 0;    // the array finished it
  int64_t store_end = 0;  // the last store finished
  int64_t store_start = 0;     // it started
  int64_t prev_store_end = 0;  // the store before it finished
  int64_t run_free = 0;   // the run sequencer takes a chunk (ps_pp): its last outputs handed on
  int64_t compute = 0;    // array cycles so far
  int64_t read_words = 0;
  int64_t write_words = 0;
  int64_t runs = 0;
  int64_t ifmap_words = 0;  // the part of read_words that is ifmaps, and filters
  int64_t filter_words = 0;

  int64_t End() const { return std::max(run_end, store_end); }
  Timeline Minus(const Timeline& o) const {
    return {hand - o.hand,
            run_end - o.run_end,
            store_end - o.store_end,
            store_start - o.store_start,
            prev_store_end - o.prev_store_end,
            run_free - o.run_free,
            compute - o.compute,
            read_words - o.read_words,
            write_words - o.write_words,
            runs - o.runs,
            ifmap_words - o.ifmap_words,
            filter_words - o.filter_words};
  }
  void Add(const Timeline& d, int64_t k) {
    hand += k * d.hand;
    run_end += k * d.run_end;
    store_end += k * d.store_end;
    store_start += k * d.store_start;
    prev_store_end += k * d.prev_store_end;
    run_free += k * d.run_free;
    compute += k * d.compute;
    read_words += k * d.read_words;
    write_words += k * d.write_words;
    runs += k * d.runs;
    ifmap_words += k * d.ifmap_words;
    filter_words += k * d.filter_words;
  }
};

// One chunk as the timeline sees it.
struct ChunkCost {
  int64_t load_cycles = 0;   // 0: nothing loaded
  bool load_waits = false;   // a loaded area is not double-buffered: wait for the run
  int64_t table_cycles = 0;  // of load_cycles: the output-path table entries, loaded last
  int64_t compute = 0;       // array cycles
  int64_t store_cycles = 0;  // 0: no store after it
  int64_t read_words = 0;
  int64_t write_words = 0;
  int64_t ifmap_words = 0;  // of read_words
  int64_t filter_words = 0;
};

void Advance(Timeline& tl, const ChunkCost& c, bool ps_pp) {
  int64_t load = tl.hand + kWalkerNextCycles;
  if (c.load_waits) load = std::max(load, tl.run_end);
  int64_t loaded = load + c.load_cycles;
  if (ps_pp && c.table_cycles > 0) {
    // The table half is the store's of the output chunk two back until that store ends. The
    // walker waits while any store runs as the entries are due (ey_load_seq StTableWait): the
    // one two back, and then the last chunk's if that began before the entries were due (the
    // store sequencer is idle for the cycle between two stores, and the walker goes on then).
    int64_t t0 = std::max(loaded - c.table_cycles, tl.prev_store_end);
    if (t0 > tl.store_start && t0 < tl.store_end) t0 = tl.store_end;
    loaded = t0 + c.table_cycles;
  }
  const int64_t free = ps_pp ? tl.run_free : std::max(tl.run_end, tl.store_end) + 1;
  tl.hand = std::max(loaded + kWalkerHandCycles, free);
  tl.run_end = tl.hand + kWalkerRunCycles + c.compute;
  tl.run_free = tl.run_end + 1;
  if (c.store_cycles > 0) {  // handed to the store sequencer once the store before is done
    const int64_t start = ps_pp ? std::max(tl.run_end, tl.store_end) : tl.run_end;
    tl.prev_store_end = tl.store_end;
    tl.store_start = start;
    tl.store_end = start + c.store_cycles;
    tl.run_free = start + 1;
  }
  tl.compute += c.compute;
  tl.read_words += c.read_words;
  tl.write_words += c.write_words;
  tl.ifmap_words += c.ifmap_words;
  tl.filter_words += c.filter_words;
  ++tl.runs;
}

// Runs `step` `count` times on `tl`. What a step does depends on the state relative to the last
// hand-off, and that is set by the step's own last chunks (the run it started, and the store
// after it if any: an earlier store has ended by the hand-off, or with ps_pp the one before
// it), so from the second step on every step adds the same.
template <typename Step>
void Repeat(Timeline& tl, int64_t count, const Step& step) {
  if (count == 1) {  // the common case, without the copies below
    step(tl);
    return;
  }
  Timeline before = tl;
  for (int64_t i = 0; i < std::min<int64_t>(count, 2); ++i) {
    before = tl;
    step(tl);
  }
  if (count > 2) tl.Add(tl.Minus(before), count - 2);
}

struct WalkerTime {
  int64_t cycles = 0;
  int64_t compute = 0;
  int64_t runs = 0;
  int64_t read_words = 0;
  int64_t write_words = 0;
  int64_t ifmap_words = 0;  // of read_words
  int64_t filter_words = 0;
};

// The walker's timeline for `layer` with mapping `m` in chunks `t`: Walk (walk.h) gives the
// segments and chunks in order and what each one moves; this adds their times.
WalkerTime WalkTimeline(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                        const Tiling& t) {
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  const WalkParams& wp = walk.params();
  const int fo = layer.Out().w;
  const int64_t block = static_cast<int64_t>(m.t) * m.p, cblock = static_cast<int64_t>(m.r) * m.q;
  const int band_rows_max = ChunkIfmapRows(layer, m, static_cast<int>(wp.sb));
  // Double buffering (the walker's x_pp / w_pp): a chunk fits half its area.
  const bool x_halves =
      wp.nb * walk.ChannelChunk() * band_rows_max * wp.w <= hw.glb_ifmap_words / 2;
  const bool w_halves =
      walk.FilterChunk() * walk.ChannelChunk() * wp.kr * wp.ks <= hw.glb_filter_words / 2;
  // An output chunk's psums fit half of each psum bank: runs go beside stores (ps_pp).
  const bool ps_halves =
      2 * PsumBankWords(layer, m, static_cast<int>(wp.nb), static_cast<int>(walk.FilterChunk()),
                        static_cast<int>(wp.sb)) <=
      hw.glb_psum_words;

  // Pooling: the store walks each plane's rows with vcols -inf columns after each, and the last
  // band's vrows -inf rows after them, and writes the pooled rows the band completes.
  const int vrows = PoolVirtualRows(layer), vcols = PoolVirtualCols(layer);

  // What the timeline of a segment depends on: ni images, `rows` ofmap rows in `strips`
  // strips, in_rows ifmap rows loaded; filters loaded or still in the GLB; store_rows rows
  // walked per stored plane (rows, and the -inf rows after the last band when pooled) and
  // pooled_rows pooled rows written per plane (pooled layers only).
  struct SegmentShape {
    int64_t ni, rows, strips, in_rows;
    bool filters;
    int64_t store_rows, pooled_rows;
    bool operator==(const SegmentShape& o) const {
      return ni == o.ni && rows == o.rows && strips == o.strips && in_rows == o.in_rows &&
             filters == o.filters && store_rows == o.store_rows && pooled_rows == o.pooled_rows;
    }
  };
  const auto shape_of = [&](const WalkSegment& s) {
    return SegmentShape{s.ni,          s.band.rows, s.strips,
                        s.load_rows,   s.filters,   s.band.rows + (s.last_band ? vrows : 0),
                        s.pooled.count};
  };
  struct RunMemo {
    int64_t ni, strips, mi, ci;
    int64_t cycles;
  };
  std::vector<RunMemo> runs;
  auto chunk = [&](const WalkSegment& s, const WalkChunk& wc) {
    ChunkCost c;
    int64_t transfers = 0;
    if (wc.ifmaps) {
      c.read_words += wc.ifmap_words;
      c.ifmap_words = wc.ifmap_words;
      transfers += wc.ifmap_transfers;
      // In halves, or each channel chunk in its own slot (x_res): no wait for the run.
      c.load_waits = c.load_waits || !(x_halves || walk.IfmapsStay());
    }
    if (wc.filters) {
      c.read_words += wc.filter_words;
      c.filter_words = wc.filter_words;
      transfers += wc.filter_transfers;
      c.load_waits = c.load_waits || !w_halves;
    }
    // A transfer's beats: its words at four a beat, and a part beat where it starts or ends off
    // a beat boundary (one per transfer, as an average).
    const int64_t beats = CeilDiv(c.read_words, kDramLoadWordsPerBeat) + transfers;
    const int64_t table_words = wc.table_entries * kPpWords;  // the output path's entries
    c.table_cycles = table_words + wc.table_transfers * kDramTransferCycles;
    c.read_words += table_words;
    transfers += wc.table_transfers;
    const int64_t load = beats + (transfers - wc.table_transfers) * kDramReadTransferCycles +
                         c.table_cycles;
    c.load_cycles = load > 0 ? load + kWalkerLoadCycles : 0;
    // The array's cycles depend on the run's shape only: remembered.
    c.compute = -1;
    for (const RunMemo& e : runs) {
      if (e.ni == s.ni && e.strips == s.strips && e.mi == wc.mi && e.ci == wc.ci) {
        c.compute = e.cycles;
      }
    }
    if (c.compute < 0) {
      const RunModel r = Model(layer, hw, m, fo, static_cast<int>(s.ni),
                               static_cast<int>(s.strips), CeilDiv(wc.mi, block),
                               CeilDiv(wc.ci, cblock));
      c.compute = RunCycles(layer, hw, m, r);
      runs.push_back({s.ni, s.strips, wc.mi, wc.ci, c.compute});
    }
    if (wc.store && !layer.pooled) {
      // Row by row from the psum banks.
      const int64_t out_rows = s.ni * wc.mi * s.band.rows;
      c.write_words = wc.store_words;
      c.store_cycles = c.write_words * kDramStoreCyclesPerOutput + out_rows * kStoreRowCycles +
                       wc.store_transfers * kDramTransferCycles;
    } else if (wc.store) {
      // Pooled: every row of every plane goes through the pooling unit, one element per cycle
      // with the -inf ones; the pooled rows the band completes are written.
      const int64_t walked_rows = s.ni * wc.mi * shape_of(s).store_rows;
      c.write_words = wc.store_words;
      c.store_cycles = walked_rows * (fo + vcols) * kDramStoreCyclesPerOutput +
                       walked_rows * kStoreRowCycles + wc.store_transfers * kDramTransferCycles;
    }
    return c;
  };
  // A segment. Segments repeat (image chunks, bands, groups), and what one adds depends only on its
  // shape and the state relative to the last hand-off: those are remembered.
  struct Memo {
    SegmentShape shape;
    int64_t run, store, free;  // state relative to the hand-off before the segment
    Timeline add;
  };
  std::vector<Memo> memo;
  size_t last_hit = 0;  // keys are unique: the entry that matched last is tried first
  auto segment = [&](Timeline& tl, const WalkSegment& s) {
    const SegmentShape shape = shape_of(s);
    tl.store_end = std::max(tl.store_end, tl.hand);  // an older store end does not matter
    tl.run_free = std::max(tl.run_free, tl.hand);    // nor an older free run sequencer
    const int64_t run = tl.run_end - tl.hand, store = tl.store_end - tl.hand,
                  free = tl.run_free - tl.hand;
    const auto hit = [&](size_t i) {
      const Memo& e = memo[i];
      return e.run == run && e.store == store && e.free == free && e.shape == shape;
    };
    if (last_hit < memo.size() && hit(last_hit)) {
      tl.Add(memo[last_hit].add, 1);
      return;
    }
    for (size_t i = 0; i < memo.size(); ++i) {
      if (hit(i)) {
        last_hit = i;
        tl.Add(memo[i].add, 1);
        return;
      }
    }
    // Its filter chunks and their channel chunks, alike ones fast-forwarded: the cost of each
    // span's chunks first (a chunk's cost does not depend on the timeline).
    const Timeline before = tl;
    const ChunkSpans& filter_spans = walk.FilterSpans();
    const ChunkSpans& channel_spans = walk.ChannelSpans();
    ChunkCost costs[ChunkSpans::kMax][ChunkSpans::kMax];
    for (int i = 0; i < filter_spans.size(); ++i) {
      for (int j = 0; j < channel_spans.size(); ++j) {
        costs[i][j] = chunk(s, walk.Chunk(s, filter_spans[i].first, channel_spans[j].first));
      }
    }
    for (int i = 0; i < filter_spans.size(); ++i) {
      Repeat(tl, filter_spans[i].count, [&](Timeline& x) {
        for (int j = 0; j < channel_spans.size(); ++j) {
          Repeat(x, channel_spans[j].count,
                 [&](Timeline& y) { Advance(y, costs[i][j], ps_halves); });
        }
      });
    }
    tl.store_end = std::max(tl.store_end, tl.hand);
    memo.push_back({shape, run, store, free, tl.Minus(before)});
  };

  Timeline tl;
  // The descriptor is fetched and checked (a product a cycle where the checks share one
  // multiplier).
  tl.hand = kDramDescCycles + (hw.seq_check ? kDescCheckSeqSteps : 0) - kWalkerNextCycles;
  // Runs of alike bands of one image chunk (all but those the padding cuts) are fast-forwarded
  // like runs of alike chunks.
  bool pending = false;
  WalkSegment first;
  SegmentShape first_shape{};
  int64_t same = 0;
  const auto flush = [&] {
    if (pending) Repeat(tl, same, [&](Timeline& x) { segment(x, first); });
  };
  walk.ForEachSegment([&](const WalkSegment& s) {
    const SegmentShape shape = shape_of(s);
    if (pending && s.g == first.g && s.n0 == first.n0 && shape == first_shape) {
      ++same;
      return true;
    }
    flush();
    pending = true;
    first = s;
    first_shape = shape;
    same = 1;
    return true;
  });
  flush();
  WalkerTime wt;
  wt.cycles = tl.End() + kWalkerEndCycles;
  wt.compute = tl.compute;
  wt.runs = tl.runs;
  wt.read_words = tl.read_words;
  wt.write_words = tl.write_words;
  wt.ifmap_words = tl.ifmap_words;
  wt.filter_words = tl.filter_words;
  return wt;
}

}  // namespace

double SearchCost(const ConvLayer& layer, const CycleEstimate& c) {  // the energy-delay product
  const double chip = kChipEnergyPerMac * static_cast<double>(layer.Macs());
  return static_cast<double>(c.cycles) *
         (chip + kEnergyDram * static_cast<double>(c.DramBytes()) / 2);
}

CycleEstimate EstimateCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const WalkerTime walk = WalkTimeline(layer, hw, m, t);
  CycleEstimate c;
  c.cycles = walk.cycles;
  c.compute_cycles = walk.compute;
  c.dram_cycles = walk.cycles - walk.compute;
  c.runs = walk.runs;
  c.dram_read_bytes = walk.read_words * WordBytes(hw.data_bits);
  c.dram_ifmap_bytes = walk.ifmap_words * WordBytes(hw.data_bits);
  c.dram_filter_bytes = walk.filter_words * WordBytes(hw.data_bits);
  c.dram_write_bytes =
      walk.write_words * WordBytes(layer.OutInt16() ? hw.data_bits : hw.acc_bits);
  return c;
}

CostEstimate EvaluateMapping(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t) {
  const int groups = layer.conv.groups;
  const int W = layer.x.w, R = layer.w.h, S = layer.w.w;
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
  const std::pair<int64_t, int64_t> cols = PaddedColTaps(layer);
  for (const RunShape& run : Runs(layer, hw, m, t)) {
    const int64_t blocks = CeilDiv(run.filters, block);
    const RunModel r =
        Model(layer, hw, m, F, run.images, run.strips, blocks, CeilDiv(run.channels, cblock));
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
    // What the RTL PE does (rtl/ey_pe.sv): an ifmap-spad read per (s, c) reused for its p
    // filters, a write per word the GINs deliver to it, a drain per psum it finishes.
    const int64_t ifmap_writes = r.passes * rows * wn * m.q * pes;
    const int64_t drains = r.passes * rows * F * m.p * pes;
    a.spad_ifmap_writes += k * ifmap_writes;
    a.spad_ifmap_reads += k * (macs / m.p);
    a.spad_filter_writes += k * filter_words * m.e;
    a.ln_psum += k * (drains - lane_words);
    // MACs whose ifmap value is padding: a tap on a padding row or column, or a channel past
    // the run's in a partial channel block (filters past the run's still read real ifmaps).
    const auto [pad_rows, all_rows] =
        PaddedRowTaps(layer, m, run.strip0, static_cast<int>(run.bands) * run.strips);
    const int64_t per_channel = static_cast<int64_t>(run.images) * blocks * block;
    const int64_t channel_slots = CeilDiv(run.channels, cblock) * cblock;
    const int64_t real_taps = (all_rows - pad_rows) * (cols.second - cols.first);
    a.padding_macs += run.count * per_channel *
                      (channel_slots * all_rows * cols.second - run.channels * real_taps);
  }
  for (int64_t* v : {&a.glb_reads, &a.glb_writes, &a.noc_filter, &a.noc_ifmap, &a.noc_psum_in,
                     &a.noc_psum_out, &a.spad_ifmap, &a.spad_filter, &a.spad_psum, &a.macs,
                     &a.spad_ifmap_writes, &a.spad_ifmap_reads, &a.spad_filter_writes,
                     &a.ln_psum, &a.padding_macs}) {
    *v *= groups;
  }

  ResourceUse& u = c.use;
  const Walk walk(WalkOfLayer(layer, hw, m, t));
  const int nb = static_cast<int>(walk.params().nb), mc = static_cast<int>(walk.FilterChunk());
  const int cc = static_cast<int>(walk.ChannelChunk()), sb = static_cast<int>(walk.params().sb);
  const int band_rows = ChunkIfmapRows(layer, m, sb);
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
  const Shape out = layer.PooledOut();
  return (layer.x.Size() + static_cast<int64_t>(layer.w.n) * layer.w.c * layer.w.h * layer.w.w +
          (layer.OutTable() ? static_cast<int64_t>(layer.w.n) * kPpWords : 0)) *
             WordBytes(hw.data_bits) +
         out.Size() * WordBytes(layer.OutInt16() ? hw.data_bits : hw.acc_bits);
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
