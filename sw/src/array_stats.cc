// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/array_stats.h"

namespace eyelet {

ArrayStats MakeArrayStats(const ConvLayer& layer, const LayerResult& r, int total_pes) {
  const DeviceCounters& c = r.counters;
  ArrayStats st;
  st.cycles = c.cycles;
  st.dma_stall = c.dma_stall;
  st.macs = c.macs;
  st.skipped = c.skipped;
  st.passes = c.passes;
  st.filt_words = c.filt_words;
  st.if_words = c.if_words;
  st.pin_words = c.pin_words;
  st.gon_words = c.gon_words;
  st.glb_reads = c.glb_reads;
  st.glb_writes = c.glb_writes;
  st.spad_if_writes = c.spad_if_writes;
  st.spad_if_reads = c.spad_if_reads;
  st.spad_flt_writes = c.spad_flt_writes;
  st.ln_words = c.ln_words;
  st.dram_flt_bytes = c.dram_flt_bytes;
  st.dram_rd_bytes = c.dram_rd_bytes;
  st.dram_wr_bytes = c.dram_wr_bytes;
  st.dram_min_bytes = r.dram_min_bytes;
  st.descs = c.descs;
  st.total_pes = total_pes;
  st.active_pes = ActivePes(layer, r.mapping);
  st.mapping = r.mapping;
  st.tiling = r.tiling;
  return st;
}

}  // namespace eyelet
