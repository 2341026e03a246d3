// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// GTKWave save files (.gtkw) for Eyelet's FST traces: the trace's own signals (read from the
// FST's hierarchy with the FST reader Verilator ships), grouped and named for people:
//   CSRs and interrupt   the AXI4-Lite port, irq_o, the CSR block's control and status
//   Walker               the walker and its sequencers (check, load, run, store): states,
//                        handshakes, busy/done
//   Pass controller      its state, pass counters, start/done
//   DMA read / DMA write the AXI4 master's channels and the engines' states
//   NoC                  the GIN, GON and local-network handshakes of the array
//   PE (r, c)            every signal of the first traced PE (or the one asked for): spads,
//                        MAC pipeline, psum ports
// Groups whose signals are not in the trace (a scoped trace) are left out. Markers A and B are
// put at the first and last traced clock cycles (a pass's start and end with --trace-pass),
// and the view starts at A.
#ifndef EYELET_TB_GTKW_H_
#define EYELET_TB_GTKW_H_

#include <cstdint>
#include <string>
#include <vector>

namespace eyelet {

struct GtkwOptions {
  uint64_t first_cycle = 0;       // marker A (clock cycle; the trace has two times per cycle)
  uint64_t last_cycle = 0;        // marker B; 0: none
  int pe_row = -1, pe_col = -1;   // the PE to show; -1: the first one in the trace
};

// The save file's path for a trace: FILE.fst -> FILE.gtkw (FILE.fst.gtkw for other names).
std::string GtkwPathFor(const std::string& fst_path);

// Every signal of the trace as GTKWave names it ("TOP.ey_top.u_walker.state_q[2:0]"). Throws
// FileError when the trace cannot be read.
std::vector<std::string> TraceSignals(const std::string& fst_path);

// Reads `fst_path`'s hierarchy and writes `gtkw_path`. Returns the number of signals listed.
// Throws FileError when the trace cannot be read or the file written.
int WriteGtkw(const std::string& fst_path, const std::string& gtkw_path, const GtkwOptions& o);

}  // namespace eyelet

#endif  // EYELET_TB_GTKW_H_
