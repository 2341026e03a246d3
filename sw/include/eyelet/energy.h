// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Normalized energy of a layer from its access counts, with the costs of the Eyeriss tutorial's
// RS analysis (Chen, Emer, Sze, ISCA 2016; ARCHITECTURE.md section 2): per 16-bit access, ALU
// (one MAC) 1, RF (a spad) 1, NoC (PE to PE, GIN, GON) 2, GLB 6, DRAM 200. The result is in units
// of one MAC's energy, broken down by level and, for data movement, by data type.
//
// A plain function of counts, so the same estimate serves the Verilated accelerator's counters
// and the cost model's prediction (bench.h fills EnergyCounts from either).
#ifndef EYELET_ENERGY_H_
#define EYELET_ENERGY_H_

#include <cstdint>

namespace eyelet {

// Relative energy per 16-bit access.
constexpr double kEnergyAlu = 1.0;
constexpr double kEnergyRf = 1.0;
constexpr double kEnergyNoc = 2.0;
constexpr double kEnergyGlb = 6.0;
constexpr double kEnergyDram = 200.0;

// What a layer did. Each count is the RTL's CSR counter (csr_map.def) on an rtl run, else the
// cost model's field (cost_model.h).
struct EnergyCounts {
  // MACs done (multiplier used) and gated by a zero ifmap: CNT_MAC and CNT_SKIP; model:
  // AccessCounts::macs - padding_macs and padding_macs (zeros in the data are not predicted).
  int64_t macs = 0;
  int64_t skipped = 0;
  // Spads: CNT_SPAD_IF_WR, CNT_SPAD_IF_RD, CNT_SPAD_FLT_WR / AccessCounts::spad_*. Per issued MAC the PE (rtl/ey_pe.sv) reads the filter
  // spad unless the MAC is gated, and reads and writes its psum entry even when gated (adding 0;
  // the first MAC of an output skips the read, the drain reads the entry once: one read per
  // MAC in all); the ifmap spad is read once per (s, c) and the value reused for p filters.
  int64_t spad_ifmap_writes = 0;
  int64_t spad_ifmap_reads = 0;    // model: issued MACs / p (the zero test needs the value)
  int64_t spad_filter_writes = 0;
  // NoC words per network: CNT_FILT_WORDS, CNT_IF_WORDS, CNT_PIN_WORDS, CNT_GON_WORDS /
  // AccessCounts::noc_*; ln_psum: CNT_LN_WORDS / AccessCounts::ln_psum.
  int64_t noc_filter = 0;
  int64_t noc_ifmap = 0;
  int64_t noc_psum_in = 0;
  int64_t noc_psum_out = 0;
  int64_t ln_psum = 0;
  // DRAM bytes of each type: filters CNT_DRAM_FLT_BYTES, ifmaps CNT_DRAM_RD_BYTES less those
  // and the descriptors, outputs CNT_DRAM_WR_BYTES / CycleEstimate::dram_ifmap_bytes,
  // dram_filter_bytes, dram_write_bytes. Other reads (descriptors, the output path's table) are
  // control, not counted.
  int64_t dram_ifmap_bytes = 0;
  int64_t dram_filter_bytes = 0;
  int64_t dram_output_bytes = 0;
  int data_bits = 16;  // ifmap and filter words
  int acc_bits = 32;   // psums (spads, NoC, GLB); a wider word is several 16-bit accesses
};

enum EnergyLevel { kLevelAlu, kLevelRf, kLevelNoc, kLevelGlb, kLevelDram, kNumEnergyLevels };
enum DataType { kTypeIfmap, kTypeFilter, kTypePsum, kNumDataTypes };

// "ALU", "RF", "NoC", "GLB", "DRAM"; "ifmap", "filter", "psum".
const char* EnergyLevelName(int level);
const char* DataTypeName(int type);

struct Energy {
  double alu = 0;  // MACs (not a data type)
  // [level][type] for the levels that move data (kLevelRf .. kLevelDram; row kLevelAlu is 0).
  double move[kNumEnergyLevels][kNumDataTypes] = {};
  double Level(int level) const;
  double Type(int type) const;  // data movement of one type, all levels
  double Total() const;
  Energy& operator+=(const Energy& o);
};

// The 16-bit accesses at each level, from `c`:
//  * ALU: one per MAC done (gated MACs skip the multiply; their add of 0 is not counted, nor
//    the drain's add of the psum from below, one per psum against S*q MACs).
//  * RF ifmap: spad writes + reads; filter: writes + one read per MAC done; psum: a read and a
//    write per issued MAC (macs + skipped), AccW bits each.
//  * NoC ifmap, filter: the GIN words; psum: psum GIN + GON + LN words, AccW bits each.
//  * GLB: each GIN word is a GLB read, each GON word a GLB write, each word the DMA loads a
//    GLB write and each output the DMA stores a GLB read (psum words AccW bits). This counts
//    the Eyeriss way: our GLB counters (CNT_GLB_READS) skip the padding zeros and the first
//    pass's zero psums the generators make without a read, which this counts.
//  * DRAM: bytes / 2 of each type (outputs are psums).
Energy EstimateEnergy(const EnergyCounts& c);

// 16-bit accesses per word of `bits` bits (at least one).
int64_t AccessesPerWord(int bits);

}  // namespace eyelet

#endif  // EYELET_ENERGY_H_
