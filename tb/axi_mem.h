// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Cycle-level AXI4 slave memory (the accelerator's DRAM) for the Verilated benches. Plain C++:
// once per clock cycle the bench calls Drive() before eval(), copies AxiPins to and from the
// model's ports, and calls Sample() after eval(), before the rising edge.
//
// It serves what the accelerator's master issues: 64-bit data, one ID (everything in order),
// INCR bursts of 1..256 eight-byte beats inside one 4 KB page, WSTRB. Anything else, and any
// VALID or payload that moves while waiting for READY (AR, AW, W), throws ProtocolError.
//
// Timing model. Cycle n is the n-th Sample() (from 0); Drive() shows the state for it.
//  * AR taken in cycle c: its first R beat is offered from cycle c + read_latency. Bursts are
//    served in AR order and their latencies overlap (a pipelined memory).
//  * W beats pair with AW bursts in AW order and may come before their AW (up to max_early_w
//    beats). A write is complete in the cycle both its AW and its last W beat are taken; its B
//    is offered from that cycle + write_latency, in AW order.
//  * After a beat on R, or on W, the next beat on that channel comes beat_gap + 1 cycles later
//    at the earliest.
//  * Each cycle ARREADY / AWREADY / WREADY is offered with probability ready_prob (and never at
//    the max_reads / max_writes / max_early_w limits); a due R beat or B is raised with
//    probability valid_prob and then held until taken.
//  * Write data reaches memory when a beat is paired with its burst; R data is read from memory
//    in the cycle the beat is first offered.
#ifndef EYELET_TB_AXI_MEM_H_
#define EYELET_TB_AXI_MEM_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "axi.h"
#include "eyelet/error.h"

namespace eyelet {

// The master broke the AXI protocol or left the supported subset; the message names the
// channel, the cycle and the values.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

struct AxiPins {
  // master -> slave
  bool arvalid = false;
  uint64_t araddr = 0;
  uint32_t arlen = 0, arsize = 0, arburst = 0;
  bool rready = false;
  bool awvalid = false;
  uint64_t awaddr = 0;
  uint32_t awlen = 0, awsize = 0, awburst = 0;
  bool wvalid = false;
  uint64_t wdata = 0;
  uint32_t wstrb = 0;
  bool wlast = false;
  bool bready = false;
  // slave -> master
  bool arready = false;
  bool rvalid = false;
  uint64_t rdata = 0;
  uint32_t rresp = 0;
  bool rlast = false;
  bool awready = false;
  bool wready = false;
  bool bvalid = false;
  uint32_t bresp = 0;
};

struct AxiMemConfig {
  uint64_t base = 0x8000'0000;  // memory window [base, base + size), both multiples of 8
  uint64_t size = 64ull << 20;
  int read_latency = 8;     // cycles from the AR handshake to the first R beat (at least 1)
  int write_latency = 2;    // cycles from the completed write to the B response (at least 1)
  int beat_gap = 0;         // idle cycles forced between data beats on R and on W
  double ready_prob = 1.0;  // chance that ARREADY / AWREADY / WREADY is offered in a cycle
  double valid_prob = 1.0;  // chance that a due R beat / B response is raised in a cycle
  int max_reads = 8;        // read bursts taken and not finished; ARREADY is low at the limit
  int max_writes = 8;       // write bursts taken (AW) and not answered (B handshake)
  int max_early_w = 256;    // W beats held ahead of their AW; WREADY is low at the limit
  uint64_t seed = 1;        // std::mt19937_64 seed for the ready / valid draws
  std::vector<std::pair<uint64_t, uint64_t>> slverr;  // [begin, end) ranges answering SLVERR
  // Faults at a point in time: the read (write) burst with this number, counting AR (AW)
  // handshakes from 0 since construction, is answered SLVERR wherever it points; -1: none.
  int64_t slverr_read_burst = -1;
  int64_t slverr_write_burst = -1;
};

class AxiMem {
 public:
  // All counts are since construction; "stall" cycles have VALID high and READY low.
  struct Stats {
    uint64_t read_bursts = 0;           // AR handshakes
    uint64_t read_beats = 0;            // R handshakes
    uint64_t write_bursts = 0;          // AW handshakes
    uint64_t write_beats = 0;           // W handshakes
    uint64_t bytes_written = 0;         // strobed bytes stored (error bursts store none)
    uint64_t error_bursts = 0;          // read and write bursts answered SLVERR or DECERR
    uint64_t first_error_cycle = 0;     // the AR or AW handshake of the first of them
    uint64_t max_reads_in_flight = 0;   // peak read bursts taken and not finished
    uint64_t max_writes_in_flight = 0;  // peak write bursts taken and not answered
    uint64_t max_early_w = 0;           // peak W beats held ahead of their AW
    uint64_t ar_stalls = 0, aw_stalls = 0, w_stalls = 0;  // the memory held the master
    uint64_t r_stalls = 0, b_stalls = 0;                  // the master held the memory
  };

  // Throws eyelet::Error on an unusable configuration.
  explicit AxiMem(const AxiMemConfig& config);

  // Sets the slave -> master fields of `p` for this cycle from the model's state only.
  void Drive(AxiPins& p) const;
  // Takes this cycle's handshakes (master fields of `p`, the model's own outputs) and advances
  // one cycle. Throws ProtocolError; the model is unusable afterwards.
  void Sample(const AxiPins& p);

  // Backdoor access for the host; throws eyelet::Error outside the window.
  void Write(uint64_t addr, const void* data, size_t bytes);
  void Read(uint64_t addr, void* data, size_t bytes) const;

  const Stats& stats() const { return stats_; }
  uint64_t cycle() const { return cycle_; }  // Sample() calls so far
  // Nothing in flight: no read or write burst, no buffered W beat.
  bool Idle() const { return reads_.empty() && writes_.empty() && early_w_.empty(); }

 private:
  struct ReadBurst {
    uint64_t addr;
    uint32_t len;  // AxLEN: beats - 1
    AxiResp resp;
    uint64_t due;  // cycle of the first R beat at the earliest
    uint32_t beat = 0;
  };
  struct WriteBurst {
    uint64_t addr;
    uint32_t len;
    AxiResp resp;
    uint32_t beats = 0;  // W beats paired so far
    uint64_t due = 0;    // cycle of the B response at the earliest, once complete
    bool Complete() const { return beats == len + 1; }
  };
  struct WBeat {
    uint64_t data;
    uint32_t strb;
    bool last;
    uint64_t cycle;  // of the W handshake
  };

  [[noreturn]] void Fail(const char* channel, uint64_t cycle, const std::string& what) const;
  void CheckRequest(const char* channel, uint64_t addr, uint32_t len, uint32_t size,
                    uint32_t burst) const;
  void CheckHandshakes(const AxiPins& p) const;
  AxiResp Classify(uint64_t addr, uint32_t len) const;
  // Counts an accepted burst's response into the statistics.
  void CountResp(AxiResp resp);
  void CheckHost(const char* what, uint64_t addr, size_t bytes) const;
  void PutBeat(WriteBurst& b, const WBeat& w);
  bool Coin(double prob);
  void Plan();

  AxiMemConfig cfg_;
  // The window's bytes, from calloc: a large block comes as untouched zero pages, so a
  // 64 MiB window costs nothing until a page is used (a std::vector zeroed it all, a fifth of
  // a short layer's run time).
  struct FreeBytes {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], FreeBytes> mem_;
  std::mt19937_64 rng_;
  Stats stats_;
  uint64_t cycle_ = 0;
  AxiPins prev_;  // last cycle's pins, slave fields as driven, for the stability checks

  std::deque<ReadBurst> reads_;    // taken, not finished, in AR order
  std::deque<WriteBurst> writes_;  // taken, B not taken, in AW order
  std::deque<WBeat> early_w_;      // W beats ahead of their AW

  // Outputs for the current cycle, planned at the end of the previous Sample().
  bool ar_ready_ = false;
  bool aw_ready_ = false;
  bool w_ready_ = false;
  bool r_valid_ = false;
  uint64_t r_data_ = 0;
  AxiResp r_resp_ = AxiResp::kOkay;
  bool r_last_ = false;
  bool b_valid_ = false;
  uint64_t r_next_ = 0;  // first cycle the next R beat may be offered (beat_gap)
  uint64_t w_next_ = 0;  // first cycle WREADY may be offered again (beat_gap)
};

}  // namespace eyelet

#endif  // EYELET_TB_AXI_MEM_H_
