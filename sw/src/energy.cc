// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/energy.h"

namespace eyelet {

const char* EnergyLevelName(int level) {
  static const char* const kNames[kNumEnergyLevels] = {"ALU", "RF", "NoC", "GLB", "DRAM"};
  return level >= 0 && level < kNumEnergyLevels ? kNames[level] : "?";
}

const char* DataTypeName(int type) {
  static const char* const kNames[kNumDataTypes] = {"ifmap", "filter", "psum"};
  return type >= 0 && type < kNumDataTypes ? kNames[type] : "?";
}

double Energy::Level(int level) const {
  if (level == kLevelAlu) return alu;
  double sum = 0;
  for (int t = 0; t < kNumDataTypes; ++t) sum += move[level][t];
  return sum;
}

double Energy::Type(int type) const {
  double sum = 0;
  for (int l = 0; l < kNumEnergyLevels; ++l) sum += move[l][type];
  return sum;
}

double Energy::Total() const {
  double sum = 0;
  for (int l = 0; l < kNumEnergyLevels; ++l) sum += Level(l);
  return sum;
}

Energy& Energy::operator+=(const Energy& o) {
  alu += o.alu;
  for (int l = 0; l < kNumEnergyLevels; ++l) {
    for (int t = 0; t < kNumDataTypes; ++t) move[l][t] += o.move[l][t];
  }
  return *this;
}

int64_t AccessesPerWord(int bits) { return bits <= 16 ? 1 : (bits + 15) / 16; }

Energy EstimateEnergy(const EnergyCounts& c) {
  const double d = static_cast<double>(AccessesPerWord(c.data_bits));
  const double a = static_cast<double>(AccessesPerWord(c.acc_bits));
  const auto f = [](int64_t v) { return static_cast<double>(v); };
  const int64_t issued = c.macs + c.skipped;
  Energy e;
  e.alu = kEnergyAlu * f(c.macs);

  double(&rf)[kNumDataTypes] = e.move[kLevelRf];
  rf[kTypeIfmap] = kEnergyRf * d * f(c.spad_ifmap_writes + c.spad_ifmap_reads);
  rf[kTypeFilter] = kEnergyRf * d * f(c.spad_filter_writes + c.macs);
  rf[kTypePsum] = kEnergyRf * a * f(2 * issued);

  double(&noc)[kNumDataTypes] = e.move[kLevelNoc];
  noc[kTypeIfmap] = kEnergyNoc * d * f(c.noc_ifmap);
  noc[kTypeFilter] = kEnergyNoc * d * f(c.noc_filter);
  noc[kTypePsum] = kEnergyNoc * a * f(c.noc_psum_in + c.noc_psum_out + c.ln_psum);

  // DMA words are counted in 16-bit units of the bytes moved (an AccW output is a words).
  double(&glb)[kNumDataTypes] = e.move[kLevelGlb];
  glb[kTypeIfmap] = kEnergyGlb * (d * f(c.noc_ifmap) + f(c.dram_ifmap_bytes) / 2);
  glb[kTypeFilter] = kEnergyGlb * (d * f(c.noc_filter) + f(c.dram_filter_bytes) / 2);
  glb[kTypePsum] =
      kEnergyGlb * (a * f(c.noc_psum_in + c.noc_psum_out) + f(c.dram_output_bytes) / 2);

  double(&dram)[kNumDataTypes] = e.move[kLevelDram];
  dram[kTypeIfmap] = kEnergyDram * f(c.dram_ifmap_bytes) / 2;
  dram[kTypeFilter] = kEnergyDram * f(c.dram_filter_bytes) / 2;
  dram[kTypePsum] = kEnergyDram * f(c.dram_output_bytes) / 2;
  return e;
}

}  // namespace eyelet
