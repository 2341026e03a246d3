// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// What a device did with one layer, as people and reports read it: the device's counters of
// the run (DeviceCounters), the PEs the mapping keeps busy and the utilization they give.
// Computed from the counters and the mapping only, so every backend (and every tool: the CLI,
// tb/bench_main.cc, tb/array_bench.h) reports the same figures the same way.
#ifndef EYELET_ARRAY_STATS_H_
#define EYELET_ARRAY_STATS_H_

#include <cstdint>

#include "eyelet/mapping.h"
#include "eyelet/runtime.h"

namespace eyelet {

struct ArrayStats {
  uint64_t cycles = 0;      // accelerator busy cycles: descriptor fetch, DMA and compute
  uint64_t dma_stall = 0;   // busy cycles in which the array was not running (DRAM moves)
  uint64_t sim_cycles = 0;  // every simulated clock cycle of the run, CSR traffic included
                            // (set by benches that count them; 0 otherwise)
  uint64_t macs = 0;        // MACs done by the PEs (zero-gated ones excluded)
  uint64_t skipped = 0;     // MACs skipped by zero gating
  uint64_t passes = 0;
  uint64_t filt_words = 0;  // words moved on each network
  uint64_t if_words = 0;
  uint64_t pin_words = 0;
  uint64_t gon_words = 0;
  uint64_t glb_reads = 0;  // global-buffer words read (filters, ifmaps, psums) and written
  uint64_t glb_writes = 0;
  // Spad and LN accesses summed over the PEs (CNT_SPAD_*, CNT_LN_WORDS): ifmap-spad writes and
  // reads, filter-spad writes, psums moved up the local network.
  uint64_t spad_if_writes = 0;
  uint64_t spad_if_reads = 0;
  uint64_t spad_flt_writes = 0;
  uint64_t ln_words = 0;
  uint64_t dram_rd_bytes = 0;  // DRAM traffic of the run (descriptor included)
  uint64_t dram_wr_bytes = 0;
  uint64_t dram_flt_bytes = 0;  // of dram_rd_bytes, the weights
  uint64_t dram_min_bytes = 0;  // ifmap + weights + outputs, each moved once
  uint64_t descs = 0;           // descriptors run: 2 when a pooling did not fuse into the layer
  int active_pes = 0;           // PEs holding a filter row of a PE set
  int total_pes = 0;
  RsMapping mapping;  // completed, as the (first) descriptor ran it
  Tiling tiling;
  uint64_t ArrayCycles() const { return cycles - dma_stall; }
  // MACs of the layer (incl. zero-gated ones) per PE per cycle, over the array's run cycles.
  double Utilization() const {
    const uint64_t c = ArrayCycles();
    return c ? static_cast<double>(macs + skipped) / (static_cast<double>(total_pes) * c) : 0.0;
  }
  // Whether the device counts time (the golden device has no timing model: cycles, passes, the
  // NoC and GLB counters stay 0).
  bool Timed() const { return cycles > 0; }
};

// The figures of run `r` of `layer` (the CONV layer the array ran: FcToConvLayer's for FC,
// PoolToConvLayer's for a pooling) on an array of `total_pes` PEs.
ArrayStats MakeArrayStats(const ConvLayer& layer, const LayerResult& r, int total_pes);

}  // namespace eyelet

#endif  // EYELET_ARRAY_STATS_H_
