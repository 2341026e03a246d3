// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Cost model of a CONV layer (FC is CONV with H = R, W = S, E = F = 1) run with an RS mapping
// and a DRAM tiling: cycles, accesses at every level (DRAM, GLB, NoC, spads, MACs) and the
// resources the mapping holds. The mapper ranks mappings by it, and Eyeriss's published
// mappings are evaluated by the same model for comparison.
//
// Time is the walker's timeline (rtl/ey_walker.sv), chunk by chunk: a chunk's loads start when
// the previous chunk goes to the array (they overlap its run when the chunk fits half of its
// GLB area, else they wait for the run to end), the chunk runs once its loads, the previous run
// and the previous store are done, and its outputs are stored after its last channel chunk,
// beside the next chunk's loads. Its parts:
//  * compute: per run of the pass controller (one chunk of nb images, mc filters and cc
//    channels in one row band, so ceil(cc/(r*q)) channel blocks per filter block, each PE
//    taking images x the band's strips ifmap rows), the Rows*Cols+1 cycles of
//    NoC-ID setup, then per pass the slowest of the PE work (one MAC per cycle per PE), the
//    ifmap GIN (one word per cycle), the busiest psum lane (one psum per cycle; a lane serves
//    tv chains, fold of them when the set is folded) and the filter GIN (one beat per cycle:
//    a word, or with R*S = 1 up to filter_gin_words of a PE's channels).
//    When two passes' filters fit the filter spad the PEs load the next pass's filters while
//    computing, else the load adds to every pass. This structure was calibrated on our RTL
//    (CONV3 shape, C 32, M 64 on 12 x 14: 21,498 cycles measured); on seven layers run on the
//    Verilated core its cycles are within 2 % and its NoC, GLB and MAC counts equal the core's
//    counters (tests/mapping_test.cc, MatchesTheRtlCounters).
//  * DRAM traffic: the walker's chunks and transfers as Walk (walk.h) lists them: which chunk
//    loads ifmaps, filters and the output-path table, which stores, and how many words and
//    transfers each moves. Every output is stored once, after the last channel chunk, as an
//    AccW-bit accumulator (int16 when requantized). Rates below; dram_cycles is what the array
//    waits for (CNT_DMA_STALL).
//  * pooling (ConvLayer::pooled): the store of a band walks, per stored plane (image x
//    filter), its ofmap rows plus, in the last band, the PoolVirtualRows -inf rows that close
//    the bottom windows, each of fo + PoolVirtualCols elements (one per cycle) plus the cost
//    per row; it writes the pooled rows the band completes (Walk's stores).
#ifndef EYELET_COST_MODEL_H_
#define EYELET_COST_MODEL_H_

#include <cstdint>
#include <string>

#include "eyelet/mapping.h"

namespace eyelet {

// Walker timing (rtl/ey_walker.sv with the default AXI memory model of tb/axi_mem.h, 8 cycles
// read latency), calibrated on the AlexNet-shaped layers of `make bench`: ifmap and filter loads
// move one 64-bit AXI beat (four 16-bit words) per cycle into the GLB, a transfer's first and
// last beats partly; the output-path table and the descriptor one word per cycle; stores one
// AccW-bit output per cycle out of the GLB.
constexpr int64_t kDramLoadWordsPerBeat = 4;      // ifmap and filter words per load cycle
constexpr int64_t kDramStoreCyclesPerOutput = 1;  // AccW-bit outputs out of the GLB
constexpr int64_t kDramTransferCycles = 14;       // per store or table transfer
constexpr int64_t kDramReadTransferCycles = 10;   // per ifmap or filter load transfer
constexpr int64_t kDramDescCycles = 60;           // per descriptor: fetch (40 words) and checks
constexpr int64_t kStoreRowCycles = 1;            // per output row stored: its first address
constexpr int64_t kWalkerNextCycles = 3;          // hand-off to the next chunk's first load
constexpr int64_t kWalkerLoadCycles = 1;          // per chunk that loads: the load state
constexpr int64_t kWalkerHandCycles = 2;          // last load word to the hand-off
constexpr int64_t kWalkerRunCycles = 3;           // hand-off to the array's start, done seen
constexpr int64_t kWalkerEndCycles = 4;           // last store or run to the chain's end
// The array (rtl/ey_pe.sv, rtl/ey_pass_ctrl.sv), calibrated on `eyelet sweep`'s small layers.
constexpr int64_t kPePassCycles = 3;  // per pass: a PE's last MAC retires (S1-S3) and drains
// A run's constant products (rtl/ey_run_consts.sv, Steps), one a cycle beside the NoC IDs'
// Rows*Cols cycles: the run starts after the longer of the two.
constexpr int64_t kRunConstSteps = 18;

// The time part of the model, cheap enough for the mapper's search.
struct CycleEstimate {
  int64_t compute_cycles = 0;    // pass controller busy cycles, summed over runs
  int64_t dram_cycles = 0;       // cycles - compute_cycles: the array waits for DRAM
  int64_t cycles = 0;            // the walker's busy cycles, descriptor fetch to the last store
  int64_t runs = 0;              // pass-controller runs: groups x image chunks x bands x filter
                                 // chunks x channel chunks
  int64_t dram_read_bytes = 0;   // ifmaps and filters
  int64_t dram_write_bytes = 0;  // outputs (pooled ones when the layer pools)
  int64_t dram_ifmap_bytes = 0;   // of dram_read_bytes: ifmaps; filters (the rest: the output
  int64_t dram_filter_bytes = 0;  // path's table entries)
  int64_t DramBytes() const { return dram_read_bytes + dram_write_bytes; }
};

// What the mapper minimizes: the predicted cycles (EstimateCycles in cost_model.h) times the
// energy the choice changes (the energy-delay product): DRAM accesses at kEnergyDram each
// (energy.h) and everything on chip at kChipEnergyPerMac per MAC of the layer. Smaller chunks
// can hide more loads and stores behind the array (a store beside the next run needs an
// output chunk in half the psum banks) but reload more from DRAM; fewest cycles alone would
// take any such trade.
constexpr double kChipEnergyPerMac = 8.8;  // `eyelet bench --net alexnet`: energy / MAC but DRAM
double SearchCost(const ConvLayer& layer, const CycleEstimate& c);

// Words or accesses over the whole layer (all groups). NoC and GLB counts follow the pass
// controller's counters (zeros sent for padding are NoC words but not GLB reads; the DRAM
// walker's GLB traffic is the DRAM traffic). Spad and MAC counts assume no zero gating.
struct AccessCounts {
  int64_t glb_reads = 0;     // filter, ifmap and psum words the controller reads
  int64_t glb_writes = 0;    // psum words the GON writes
  int64_t noc_filter = 0;    // filter GIN words
  int64_t noc_ifmap = 0;     // ifmap GIN words
  int64_t noc_psum_in = 0;   // psum GIN words (zeros in the first pass of a filter block)
  int64_t noc_psum_out = 0;  // GON words
  int64_t spad_ifmap = 0;    // writes from the GIN + one read per MAC
  int64_t spad_filter = 0;   // writes from the GIN + one read per MAC
  int64_t spad_psum = 0;     // a read and a write per MAC + psums in and out
  int64_t macs = 0;          // MACs the active PEs run, zero padding included
  // The same spad traffic split the way the RTL PE (rtl/ey_pe.sv) does it, for the energy
  // estimate (energy.h). Counted over the MACs issued (zero-gated ones included).
  int64_t spad_ifmap_writes = 0;   // words the ifmap GIN delivers, summed over receiving PEs
  int64_t spad_ifmap_reads = 0;    // one per (s, c) of a window, reused for the p filters: macs / p
  int64_t spad_filter_writes = 0;  // words the filter GIN delivers, summed over receiving PEs
  int64_t ln_psum = 0;  // psums a PE drains to the PE above on the local network (every
                        // drain but the top PE's, which go on the GON)
  int64_t padding_macs = 0;  // of macs, those whose ifmap value is a padding zero the
                            // generator streams: the PE gates them whatever the data (CNT_SKIP
                            // of a layer whose ifmaps hold no zeros)
};

// What a mapping holds: PEs, words of each spad per PE, GLB words of the largest chunk.
struct ResourceUse {
  int active_pes = 0;
  int ifmap_spad = 0;   // q*S
  int filter_spad = 0;  // p*q*S
  int psum_spad = 0;    // p
  int64_t glb_ifmap_words = 0;
  int64_t glb_filter_words = 0;
  int64_t glb_psum_words = 0;  // per column bank
};

struct CostEstimate {
  CycleEstimate time;
  AccessCounts access;
  ResourceUse use;
};

// The time part of EvaluateMapping. `m` must have its placement fields filled (CompleteMapping
// or PlaceSets); legality is not checked here (CompleteMapping and TilingError do that).
CycleEstimate EstimateCycles(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t);
// The whole model for `layer` (all groups) run with mapping `m` in chunks `t` on `hw`. Every
// image of a chunk goes through each pass, so m.n is not used: the chunk's nb is.
CostEstimate EvaluateMapping(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                             const Tiling& t);
// DRAM bytes when every ifmap and filter word is read once and every output written once.
int64_t MinDramBytes(const ConvLayer& layer, const ArrayConfig& hw);

// --- Eyeriss's own mappings, evaluated by the same model.

// A mapping as Eyeriss publishes it (JSSC 2017 Table III): m ofmap channels whose psums the
// GLB keeps, n images per pass, and the RS parameters.
struct EyerissMapping {
  int m = 1;
  int n = 1;
  int e = 1;
  int p = 1;
  int q = 1;
  int r = 1;
  int t = 1;
};

// Eyeriss's GLB budget (ARCHITECTURE.md section 2): ifmaps and psums share 100 kB, filters have
// 8 kB (one pass's filters; the next pass's are fetched meanwhile).
constexpr int64_t kEyerissGlbFmapBytes = 100 * 1024;
constexpr int64_t kEyerissGlbFilterBytes = 8 * 1024;

struct EyerissEvaluation {
  RsMapping mapping;  // placed on hw's array the Eyeriss way (fold > 1 when e > cols)
  // {n, m, all channels}: the same walker, with Eyeriss's chunks. Eyeriss's GLB holds ifmap
  // strips, not whole images, so it never splits the channels: its DRAM traffic is costed as
  // one channel chunk (ifmaps read once), whatever our GLB could hold.
  Tiling tiling;
  CostEstimate cost;  // by the same model as our mapper's choices
  // The GLB as Eyeriss uses it: the current strip's ifmap rows ((e-1)*U + R of them, padded
  // width) of n*q*r channels, n*m psum planes of e rows at the data width, one pass's filters.
  int64_t glb_ifmap_bytes = 0;
  int64_t glb_psum_bytes = 0;
  int64_t glb_filter_bytes = 0;
  std::string eyeriss_limit;  // the Eyeriss limit (spads, array, GLB budget) it breaks, or ""
  // Why our RTL on hw cannot run it with chunks of n images and m filters, even split into
  // channel chunks of one block (r*q channels) and row bands of one strip, or "".
  std::string our_rtl_limit;
};

// Evaluates Eyeriss's mapping `em` of `layer` on `hw` (Eyeriss's array and spads: the
// `eyeriss` config). Both limits are reported, neither stops the evaluation.
EyerissEvaluation EvaluateEyerissMapping(const ConvLayer& layer, const ArrayConfig& hw,
                                         const EyerissMapping& em);

}  // namespace eyelet

#endif  // EYELET_COST_MODEL_H_
