// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// AXI4 slave memory model, driven cycle by cycle by a scripted master: data against a shadow
// memory, responses, timing, outstanding limits and the protocol checks.
#include "axi_mem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/rng.h"

namespace eyelet {
namespace {

constexpr uint64_t kBase = 0x8000'0000;
constexpr uint64_t kSize = 1 << 20;

AxiMemConfig SmallConfig() {
  AxiMemConfig c;
  c.size = kSize;
  return c;
}

struct WriteReq {
  uint64_t addr = 0;
  uint32_t len = 0;  // AWLEN
  std::vector<uint64_t> data;
  std::vector<uint32_t> strb;
  uint64_t aw_not_before = 0;  // cycle before which the master keeps AWVALID low
};

struct ReadResult {
  uint64_t addr = 0;
  uint32_t len = 0;
  std::vector<uint64_t> data;
  std::vector<uint32_t> resp;
  uint64_t ar_cycle = 0, first_cycle = 0, last_cycle = 0;  // handshake cycles
};

struct WriteResult {
  uint32_t resp = 0;
  uint64_t aw_cycle = 0, first_w_cycle = 0, last_w_cycle = 0, b_cycle = 0;
};

struct MasterKnobs {
  double valid_prob = 1, rready_prob = 1, bready_prob = 1;
  uint64_t seed = 7;
};

// Scripted AXI4 master: issues its queued reads and writes in order, raises AR / AW / W VALID
// with probability valid_prob and holds it until the handshake, sends W data independently
// of AW (so it may lead), and drives RREADY / BREADY at random. Its VALIDs live in the pins.
class Master {
 public:
  explicit Master(const MasterKnobs& k = {}) : k_(k), rng_(k.seed) {}

  void Read(uint64_t addr, uint32_t len) {
    reads.emplace_back();
    reads.back().addr = addr;
    reads.back().len = len;
  }
  void Write(const WriteReq& w) {
    wreqs_.push_back(w);
    writes.emplace_back();
  }
  // Every request answered.
  bool Done() const { return r_done_ == reads.size() && b_done_ == writes.size(); }

  void Drive(AxiPins& p) {
    if (!p.arvalid && ar_next_ < reads.size() && Coin(k_.valid_prob)) {
      p.arvalid = true;
      p.araddr = reads[ar_next_].addr;
      p.arlen = reads[ar_next_].len;
      p.arsize = 3;
      p.arburst = 1;
    }
    if (!p.awvalid && aw_next_ < wreqs_.size() && cycle_ >= wreqs_[aw_next_].aw_not_before &&
        Coin(k_.valid_prob)) {
      p.awvalid = true;
      p.awaddr = wreqs_[aw_next_].addr;
      p.awlen = wreqs_[aw_next_].len;
      p.awsize = 3;
      p.awburst = 1;
    }
    if (!p.wvalid && w_burst_ < wreqs_.size() && Coin(k_.valid_prob)) {
      const WriteReq& w = wreqs_[w_burst_];
      p.wvalid = true;
      p.wdata = w.data[w_beat_];
      p.wstrb = w.strb[w_beat_];
      p.wlast = w_beat_ == w.len;
    }
    p.rready = Coin(k_.rready_prob);
    p.bready = Coin(k_.bready_prob);
  }

  // Takes the handshakes of the cycle and drops each VALID that was accepted. Checks that the
  // memory holds an R beat or a B response until it is taken.
  void Sample(AxiPins& p) {
    if (prev_.rvalid && !prev_.rready) {
      EXPECT_TRUE(p.rvalid && p.rdata == prev_.rdata && p.rresp == prev_.rresp &&
                  p.rlast == prev_.rlast)
          << "R beat changed before RREADY in cycle " << cycle_;
    }
    if (prev_.bvalid && !prev_.bready) {
      EXPECT_TRUE(p.bvalid && p.bresp == prev_.bresp)
          << "B response changed before BREADY in cycle " << cycle_;
    }
    prev_ = p;
    if (p.arvalid && p.arready) {
      reads[ar_next_++].ar_cycle = cycle_;
      p.arvalid = false;
    }
    if (p.rvalid && p.rready) {
      ReadResult& r = reads.at(r_done_);
      if (r.data.empty()) r.first_cycle = cycle_;
      r.data.push_back(p.rdata);
      r.resp.push_back(p.rresp);
      const bool last = r.data.size() == r.len + 1;
      EXPECT_EQ(p.rlast, last) << "RLAST on beat " << r.data.size() << " of " << r.len + 1;
      if (last) {
        r.last_cycle = cycle_;
        ++r_done_;
      }
    }
    if (p.awvalid && p.awready) {
      writes[aw_next_++].aw_cycle = cycle_;
      p.awvalid = false;
    }
    if (p.wvalid && p.wready) {
      if (w_beat_ == 0) writes[w_burst_].first_w_cycle = cycle_;
      if (w_beat_ == wreqs_[w_burst_].len) {
        writes[w_burst_++].last_w_cycle = cycle_;
        w_beat_ = 0;
      } else {
        ++w_beat_;
      }
      p.wvalid = false;
    }
    if (p.bvalid && p.bready) {
      writes.at(b_done_).resp = p.bresp;
      writes[b_done_++].b_cycle = cycle_;
    }
    max_reads_in_flight = std::max(max_reads_in_flight, ar_next_ - r_done_);
    max_writes_in_flight = std::max(max_writes_in_flight, aw_next_ - b_done_);
    ++cycle_;
  }

  std::vector<ReadResult> reads;
  std::vector<WriteResult> writes;
  size_t max_reads_in_flight = 0, max_writes_in_flight = 0;

 private:
  bool Coin(double prob) { return rng_.Chance(prob); }

  MasterKnobs k_;
  Rng rng_;
  std::vector<WriteReq> wreqs_;
  AxiPins prev_;
  uint64_t cycle_ = 0;
  size_t ar_next_ = 0, r_done_ = 0, aw_next_ = 0, b_done_ = 0, w_burst_ = 0, w_beat_ = 0;
};

// Runs until every request is answered and the memory is idle; returns the cycles taken.
uint64_t RunToIdle(AxiMem& mem, Master& m, AxiPins& p, uint64_t max_cycles = 2'000'000) {
  for (uint64_t n = 0; n < max_cycles; ++n) {
    if (m.Done() && mem.Idle()) return n;
    mem.Drive(p);
    m.Drive(p);
    mem.Sample(p);
    m.Sample(p);
  }
  ADD_FAILURE() << "no progress after " << max_cycles << " cycles";
  return max_cycles;
}

uint64_t RunToIdle(AxiMem& mem, Master& m) {
  AxiPins p;
  return RunToIdle(mem, m, p);
}

WriteReq Burst(uint64_t addr, uint32_t len, uint64_t seed) {
  Rng rng(seed);
  WriteReq w;
  w.addr = addr;
  w.len = len;
  for (uint32_t i = 0; i <= len; ++i) {
    w.data.push_back(rng.Next());
    w.strb.push_back(0xff);
  }
  return w;
}

// The shadow memory's view of a write, and of the beats of a read (aligned start addresses).
void Apply(std::vector<uint8_t>& shadow, const WriteReq& w) {
  for (uint32_t i = 0; i <= w.len; ++i)
    for (int b = 0; b < 8; ++b)
      if (w.strb[i] >> b & 1) shadow[w.addr - kBase + 8 * i + b] = w.data[i] >> (8 * b) & 0xff;
}

std::vector<uint64_t> Beats(const std::vector<uint8_t>& shadow, uint64_t addr, uint32_t len) {
  std::vector<uint64_t> out(len + 1);
  std::memcpy(out.data(), &shadow[addr - kBase], 8 * out.size());
  return out;
}

std::vector<uint8_t> Backdoor(const AxiMem& mem, uint64_t addr, size_t bytes) {
  std::vector<uint8_t> out(bytes);
  mem.Read(addr, out.data(), bytes);
  return out;
}

TEST(AxiMem, SingleBeatWriteThenRead) {
  AxiMem mem(SmallConfig());
  Master m;
  const WriteReq w = Burst(kBase + 0x40, 0, 1);
  m.Write(w);
  RunToIdle(mem, m);
  m.Read(kBase + 0x40, 0);
  RunToIdle(mem, m);
  EXPECT_EQ(m.writes[0].resp, 0u);
  ASSERT_EQ(m.reads[0].data.size(), 1u);
  EXPECT_EQ(m.reads[0].data[0], w.data[0]);
  EXPECT_EQ(m.reads[0].resp[0], 0u);
  uint64_t v = 0;
  mem.Read(kBase + 0x40, &v, 8);
  EXPECT_EQ(v, w.data[0]);
  EXPECT_TRUE(mem.Idle());
}

TEST(AxiMem, FullBurstOf256Beats) {
  AxiMem mem(SmallConfig());
  Master m;
  const WriteReq w = Burst(kBase + 0x3000, 255, 2);
  m.Write(w);
  RunToIdle(mem, m);
  m.Read(kBase + 0x3000, 255);
  RunToIdle(mem, m);
  EXPECT_EQ(m.reads[0].data, w.data);
  EXPECT_EQ(m.reads[0].resp, std::vector<uint32_t>(256, 0));
  const AxiMem::Stats& s = mem.stats();
  EXPECT_EQ(s.write_bursts, 1u);
  EXPECT_EQ(s.write_beats, 256u);
  EXPECT_EQ(s.bytes_written, 2048u);
  EXPECT_EQ(s.read_bursts, 1u);
  EXPECT_EQ(s.read_beats, 256u);
  EXPECT_EQ(s.error_bursts, 0u);
}

TEST(AxiMem, ByteStrobesWriteOnlyTheirLanes) {
  AxiMem mem(SmallConfig());
  std::vector<uint8_t> shadow(kSize);
  for (size_t i = 0; i < 64; ++i) shadow[i] = static_cast<uint8_t>(0xa0 + i);
  mem.Write(kBase, shadow.data(), 64);
  WriteReq w = Burst(kBase, 7, 3);
  w.strb = {0x01, 0x3c, 0x80, 0x00, 0xa5, 0xff, 0x18, 0xfe};
  Master m;
  m.Write(w);
  RunToIdle(mem, m);
  Apply(shadow, w);
  EXPECT_EQ(Backdoor(mem, kBase, 64), std::vector<uint8_t>(shadow.begin(), shadow.begin() + 64));
  EXPECT_EQ(mem.stats().bytes_written, 1u + 4 + 1 + 0 + 4 + 8 + 2 + 7);
}

TEST(AxiMem, UnalignedStartAddressSkipsLowerLanesOfTheFirstBeat) {
  AxiMem mem(SmallConfig());
  const WriteReq w = Burst(kBase + 0x103, 1, 4);
  Master m;
  m.Write(w);
  RunToIdle(mem, m);
  m.Read(kBase + 0x105, 0);
  RunToIdle(mem, m);
  std::vector<uint8_t> want(16);
  for (int b = 3; b < 8; ++b) want[b] = w.data[0] >> (8 * b) & 0xff;
  for (int b = 0; b < 8; ++b) want[8 + b] = w.data[1] >> (8 * b) & 0xff;
  EXPECT_EQ(Backdoor(mem, kBase + 0x100, 16), want);
  EXPECT_EQ(m.reads[0].data[0], w.data[0] & ~0xffffffull);  // the whole aligned beat
}

TEST(AxiMem, WriteDataMayComeBeforeItsAddress) {
  AxiMemConfig c = SmallConfig();
  c.write_latency = 3;
  AxiMem mem(c);
  Master m;
  WriteReq a = Burst(kBase + 0x800, 15, 5), b = Burst(kBase + 0x900, 3, 6);
  a.aw_not_before = 40;  // all 16 beats of `a` and the 4 of `b` wait in the memory
  m.Write(a);
  m.Write(b);
  RunToIdle(mem, m);
  EXPECT_EQ(mem.stats().max_early_w, 20u);
  EXPECT_LT(m.writes[1].last_w_cycle, m.writes[0].aw_cycle);
  EXPECT_EQ(m.writes[0].aw_cycle, 40u);
  EXPECT_EQ(m.writes[0].b_cycle, 40u + 3);  // complete when the AW came
  EXPECT_EQ(m.writes[1].b_cycle, 41u + 3);
  std::vector<uint8_t> shadow(kSize);
  Apply(shadow, a);
  Apply(shadow, b);
  EXPECT_EQ(Backdoor(mem, kBase + 0x800, 0x120),
            std::vector<uint8_t>(shadow.begin() + 0x800, shadow.begin() + 0x920));
}

TEST(AxiMem, EarlyWriteDataIsLimited) {
  AxiMemConfig c = SmallConfig();
  c.max_early_w = 4;
  AxiMem mem(c);
  Master m;
  WriteReq w = Burst(kBase, 9, 7);
  w.aw_not_before = 30;
  m.Write(w);
  RunToIdle(mem, m);
  EXPECT_EQ(mem.stats().max_early_w, 4u);
  EXPECT_EQ(mem.stats().w_stalls, 31u - 4);  // WREADY low from cycle 4 through the AW's, 30
  EXPECT_EQ(m.writes[0].resp, 0u);
  std::vector<uint8_t> shadow(kSize);
  Apply(shadow, w);
  EXPECT_EQ(Backdoor(mem, kBase, 80), std::vector<uint8_t>(shadow.begin(), shadow.begin() + 80));
}

TEST(AxiMem, OutstandingLimitsHold) {
  AxiMemConfig c = SmallConfig();
  c.max_reads = 3;
  c.max_writes = 2;
  c.read_latency = 30;
  c.write_latency = 30;
  AxiMem mem(c);
  Master m;
  for (int i = 0; i < 10; ++i) {
    m.Read(kBase + 0x1000 * i, 3);
    m.Write(Burst(kBase + 0x80000 + 0x1000 * i, 3, i));
  }
  RunToIdle(mem, m);
  EXPECT_EQ(m.max_reads_in_flight, 3u);
  EXPECT_EQ(m.max_writes_in_flight, 2u);
  EXPECT_EQ(mem.stats().max_reads_in_flight, 3u);
  EXPECT_EQ(mem.stats().max_writes_in_flight, 2u);
  EXPECT_GT(mem.stats().ar_stalls, 0u);
  EXPECT_GT(mem.stats().aw_stalls, 0u);
}

struct RandomCase {
  const char* name;
  AxiMemConfig mem;
  MasterKnobs master;
};

class AxiMemRandom : public ::testing::TestWithParam<RandomCase> {};

// Rounds of random writes to one 32 KB region while random reads go to the other, so every
// read has one right answer; the regions swap each round. 200 bursts in all.
TEST_P(AxiMemRandom, MatchesShadowMemory) {
  const RandomCase& rc = GetParam();
  AxiMem mem(rc.mem);
  Master m(rc.master);
  Rng rng(rc.mem.seed + 100);
  auto uni = [&](uint64_t lo, uint64_t hi) {
    return static_cast<uint64_t>(rng.Uniform(static_cast<int64_t>(lo), static_cast<int64_t>(hi)));
  };
  // A burst of 1..16 or 1..256 beats inside one page of the 32 KB region at `region`.
  auto random_burst = [&](uint64_t region, uint32_t* len) {
    *len = static_cast<uint32_t>(uni(0, 1) ? uni(0, 15) : uni(0, 255));
    const uint64_t page = uni(0, 7);  // drawn before the offset
    return region + 0x1000 * page + 8 * uni(0, 511 - *len);
  };
  std::vector<uint8_t> shadow(kSize);
  AxiPins p;
  for (int round = 0; round < 10; ++round) {
    const uint64_t wregion = kBase + 0x8000 * (round % 2);
    const uint64_t rregion = kBase + 0x8000 * ((round + 1) % 2);
    const size_t first_read = m.reads.size();
    std::vector<WriteReq> ws;
    for (int i = 0; i < 10; ++i) {
      uint32_t len;
      const uint64_t addr = random_burst(wregion, &len);
      WriteReq w = Burst(addr, len, rng.Next());
      for (uint32_t& s : w.strb) s = static_cast<uint32_t>(uni(0, 3) ? uni(0, 255) : 0xff);
      if (uni(0, 4) == 0) w.aw_not_before = mem.cycle() + uni(0, 200);
      m.Write(w);
      ws.push_back(w);
      const uint64_t raddr = random_burst(rregion, &len);
      m.Read(raddr, len);
    }
    RunToIdle(mem, m, p);
    for (const WriteReq& w : ws) Apply(shadow, w);
    for (size_t i = first_read; i < m.reads.size(); ++i) {
      const ReadResult& r = m.reads[i];
      EXPECT_EQ(r.data, Beats(shadow, r.addr, r.len)) << "round " << round << " read " << i;
      EXPECT_EQ(r.resp, std::vector<uint32_t>(r.len + 1, 0));
    }
  }
  for (const WriteResult& w : m.writes) EXPECT_EQ(w.resp, 0u);
  EXPECT_EQ(Backdoor(mem, kBase, 0x10000),
            std::vector<uint8_t>(shadow.begin(), shadow.begin() + 0x10000));
  const AxiMem::Stats& s = mem.stats();
  EXPECT_EQ(s.read_bursts, 100u);
  EXPECT_EQ(s.write_bursts, 100u);
  EXPECT_LE(m.max_reads_in_flight, static_cast<size_t>(rc.mem.max_reads));
  EXPECT_LE(m.max_writes_in_flight, static_cast<size_t>(rc.mem.max_writes));
  EXPECT_EQ(s.max_reads_in_flight, m.max_reads_in_flight);
  EXPECT_EQ(s.max_writes_in_flight, m.max_writes_in_flight);
}

AxiMemConfig Stalling(double ready, double valid, int gap, int rlat, int wlat, int reads,
                      int writes, uint64_t seed) {
  AxiMemConfig c = SmallConfig();
  c.ready_prob = ready;
  c.valid_prob = valid;
  c.beat_gap = gap;
  c.read_latency = rlat;
  c.write_latency = wlat;
  c.max_reads = reads;
  c.max_writes = writes;
  c.seed = seed;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Stalls, AxiMemRandom,
    ::testing::Values(
        RandomCase{"Stall30", Stalling(0.3, 0.3, 0, 8, 2, 8, 8, 11), {0.5, 0.3, 0.3, 12}},
        RandomCase{"NoStallOneInFlight", Stalling(1, 1, 0, 1, 1, 1, 1, 21), {1, 1, 1, 22}},
        RandomCase{
            "Stall30Gap2Limits", Stalling(0.3, 0.3, 2, 20, 5, 3, 2, 31), {0.7, 0.5, 0.2, 32}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AxiMem, SameSeedSameCycles) {
  auto run = [](uint64_t seed) {
    AxiMem mem(Stalling(0.3, 0.3, 1, 4, 2, 4, 4, seed));
    Master m({0.5, 0.5, 0.5, 3});
    for (int i = 0; i < 8; ++i) {
      m.Write(Burst(kBase + 0x1000 * i, 31, i));
      m.Read(kBase + 0x10000 + 0x1000 * i, 31);
    }
    return RunToIdle(mem, m);
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST(AxiMem, DecodeErrorOutsideTheWindow) {
  AxiMemConfig c = SmallConfig();
  c.size = kSize - 0x800;  // ends mid-page, so a burst can straddle the end
  AxiMem mem(c);
  const uint64_t end = kBase + c.size;
  const std::vector<uint8_t> before = Backdoor(mem, end - 64, 64);
  Master m;
  m.Read(kBase - 0x1000, 3);       // below
  m.Read(end - 8, 1);              // only its last beat is outside
  m.Read(end, 0);                  // above
  m.Write(Burst(end - 24, 3, 8));  // only its last beat is outside
  m.Write(Burst(kBase - 8, 0, 9));
  RunToIdle(mem, m);
  for (const ReadResult& r : m.reads) {
    EXPECT_EQ(r.resp, std::vector<uint32_t>(r.len + 1, 3)) << std::hex << r.addr;
    EXPECT_EQ(r.data, std::vector<uint64_t>(r.len + 1, 0)) << std::hex << r.addr;
  }
  EXPECT_EQ(m.writes[0].resp, 3u);
  EXPECT_EQ(m.writes[1].resp, 3u);
  EXPECT_EQ(Backdoor(mem, end - 64, 64), before);
  EXPECT_EQ(mem.stats().error_bursts, 5u);
  EXPECT_EQ(mem.stats().bytes_written, 0u);
}

TEST(AxiMem, SlaveErrorRange) {
  AxiMemConfig c = SmallConfig();
  c.slverr = {{kBase + 0x1100, kBase + 0x1110}};
  AxiMem mem(c);
  const std::vector<uint8_t> pattern(0x40, 0x5a);
  mem.Write(kBase + 0x10f0, pattern.data(), pattern.size());
  Master m;
  m.Write(Burst(kBase + 0x1108, 3, 10));  // its first beat is inside: all of it dropped
  m.Write(Burst(kBase + 0x1110, 0, 11));  // just after it: stored
  m.Read(kBase + 0x10f0, 1);              // ends where the range begins: OKAY
  m.Read(kBase + 0x10f8, 1);              // its last beat is inside
  RunToIdle(mem, m);
  EXPECT_EQ(m.writes[0].resp, 2u);
  EXPECT_EQ(m.writes[1].resp, 0u);
  EXPECT_EQ(m.reads[0].resp, std::vector<uint32_t>(2, 0));
  EXPECT_EQ(m.reads[0].data, std::vector<uint64_t>(2, 0x5a5a5a5a5a5a5a5aull));
  EXPECT_EQ(m.reads[1].resp, std::vector<uint32_t>(2, 2));
  EXPECT_EQ(m.reads[1].data, std::vector<uint64_t>(2, 0));
  EXPECT_EQ(Backdoor(mem, kBase + 0x1108, 8), std::vector<uint8_t>(8, 0x5a));
  EXPECT_EQ(Backdoor(mem, kBase + 0x1118, 16), std::vector<uint8_t>(16, 0x5a));
  uint64_t v = 0;
  mem.Read(kBase + 0x1110, &v, 8);
  EXPECT_EQ(v, Burst(0, 0, 11).data[0]);
  EXPECT_EQ(mem.stats().error_bursts, 2u);
}

TEST(AxiMem, SlaveErrorOnTheNthBurst) {
  AxiMemConfig c = SmallConfig();
  c.slverr_read_burst = 1;
  c.slverr_write_burst = 2;
  AxiMem mem(c);
  Master m;
  for (int k = 0; k < 3; ++k) {
    m.Read(kBase + 0x100 * k, 1);
    m.Write(Burst(kBase + 0x1000 + 0x100 * k, 1, 20 + k));
  }
  RunToIdle(mem, m);
  EXPECT_EQ(m.reads[0].resp, std::vector<uint32_t>(2, 0));
  EXPECT_EQ(m.reads[1].resp, std::vector<uint32_t>(2, 2));
  EXPECT_EQ(m.reads[2].resp, std::vector<uint32_t>(2, 0));
  EXPECT_EQ(m.writes[0].resp, 0u);
  EXPECT_EQ(m.writes[1].resp, 0u);
  EXPECT_EQ(m.writes[2].resp, 2u);
  EXPECT_EQ(Backdoor(mem, kBase + 0x1200, 16), std::vector<uint8_t>(16, 0));  // dropped
  EXPECT_EQ(mem.stats().error_bursts, 2u);
  EXPECT_GT(mem.stats().first_error_cycle, 0u);
}

class AxiMemLatency : public ::testing::TestWithParam<int> {};

TEST_P(AxiMemLatency, FirstBeatAndResponseComeExactlyOnTime) {
  AxiMemConfig c = SmallConfig();
  c.read_latency = GetParam();
  c.write_latency = GetParam();
  AxiMem mem(c);
  Master m;
  m.Read(kBase, 3);
  m.Read(kBase + 0x100, 0);
  m.Write(Burst(kBase + 0x200, 3, 12));
  RunToIdle(mem, m);
  const int lat = GetParam();
  EXPECT_EQ(m.reads[0].ar_cycle, 0u);
  EXPECT_EQ(m.reads[0].first_cycle, 0u + lat);
  EXPECT_EQ(m.reads[0].last_cycle, 3u + lat);
  // The second burst was taken in cycle 1; it follows the first without a gap.
  EXPECT_EQ(m.reads[1].ar_cycle, 1u);
  EXPECT_EQ(m.reads[1].first_cycle, 4u + lat);
  EXPECT_EQ(m.writes[0].last_w_cycle, 3u);
  EXPECT_EQ(m.writes[0].b_cycle, 3u + lat);
}

INSTANTIATE_TEST_SUITE_P(Latencies, AxiMemLatency, ::testing::Values(1, 2, 8, 13));

class AxiMemBeatGap : public ::testing::TestWithParam<int> {};

TEST_P(AxiMemBeatGap, LimitsTheBeatRate) {
  AxiMemConfig c = SmallConfig();
  c.beat_gap = GetParam();
  AxiMem mem(c);
  Master m;
  m.Write(Burst(kBase, 255, 13));
  m.Read(kBase + 0x1000, 255);
  RunToIdle(mem, m);
  // On each channel the last of 256 beats comes 255 * (1 + gap) cycles after the first.
  const uint64_t span = 255u * (1 + GetParam());
  EXPECT_EQ(m.reads[0].last_cycle - m.reads[0].first_cycle, span);
  EXPECT_EQ(m.writes[0].last_w_cycle - m.writes[0].first_w_cycle, span);
}

INSTANTIATE_TEST_SUITE_P(Gaps, AxiMemBeatGap, ::testing::Values(0, 1, 3));

// The master's pins in one cycle, starting from all low.
using Step = std::function<void(AxiPins&)>;

// A protocol violation: steps for consecutive cycles; the last one must throw a ProtocolError
// whose message contains `message`, the ones before it must not.
struct Violation {
  const char* name;
  std::function<void(AxiMemConfig&)> config;
  std::vector<Step> cycles;
  const char* message;
};

class AxiMemProtocol : public ::testing::TestWithParam<Violation> {};

TEST_P(AxiMemProtocol, Throws) {
  const Violation& v = GetParam();
  AxiMemConfig c = SmallConfig();
  if (v.config) v.config(c);
  AxiMem mem(c);
  for (size_t i = 0; i < v.cycles.size(); ++i) {
    AxiPins p;
    v.cycles[i](p);
    mem.Drive(p);
    if (i + 1 < v.cycles.size()) {
      ASSERT_NO_THROW(mem.Sample(p)) << "cycle " << i;
      continue;
    }
    try {
      mem.Sample(p);
      ADD_FAILURE() << "no ProtocolError";
    } catch (const ProtocolError& e) {
      EXPECT_NE(std::string(e.what()).find(v.message), std::string::npos) << e.what();
    }
  }
}

Step Ar(uint64_t addr, uint32_t len = 0, uint32_t size = 3, uint32_t burst = 1) {
  return [=](AxiPins& p) {
    p.arvalid = true;
    p.araddr = addr;
    p.arlen = len;
    p.arsize = size;
    p.arburst = burst;
  };
}
Step Aw(uint64_t addr, uint32_t len = 0, uint32_t size = 3, uint32_t burst = 1) {
  return [=](AxiPins& p) {
    p.awvalid = true;
    p.awaddr = addr;
    p.awlen = len;
    p.awsize = size;
    p.awburst = burst;
  };
}
Step W(uint64_t data, bool last) {
  return [=](AxiPins& p) {
    p.wvalid = true;
    p.wdata = data;
    p.wstrb = 0xff;
    p.wlast = last;
  };
}
Step Both(Step a, Step b) {
  return [=](AxiPins& p) {
    a(p);
    b(p);
  };
}
const Step kIdle = [](AxiPins&) {};

INSTANTIATE_TEST_SUITE_P(
    Violations, AxiMemProtocol,
    ::testing::Values(
        Violation{"ArSize",
                  {},
                  {Ar(kBase, 0, 2)},
                  "AR channel, cycle 0: ARADDR=0x80000000 ARLEN=0 ARSIZE=2"},
        Violation{"ArBurstWrap", {}, {kIdle, Ar(kBase, 3, 3, 2)}, "AR channel, cycle 1"},
        Violation{"ArLen", {}, {Ar(kBase, 256)}, "at most 256 beats"},
        Violation{"ArCrosses4K", {}, {Ar(kBase + 0xff8, 1)}, "crosses a 4 KB boundary"},
        Violation{"AwSize", {}, {Aw(kBase, 0, 4)}, "AW channel, cycle 0"},
        Violation{"AwBurstFixed", {}, {Aw(kBase, 0, 3, 0)}, "only BURST 1 (INCR)"},
        Violation{"AwCrosses4K",
                  {},
                  {Aw(kBase + 0x808, 255)},
                  "AWLEN=255 AWSIZE=3 AWBURST=1: the burst crosses"},
        Violation{"WlastEarly",
                  {},
                  {Both(Aw(kBase, 1), W(1, true))},
                  "W channel, cycle 0: WLAST=1 on beat 1 of 2"},
        Violation{"WlastMissing",
                  {},
                  {Aw(kBase, 1), W(1, false), W(2, false)},
                  "cycle 2: WLAST=0 on beat 2 of 2"},
        Violation{"WlastWrongBeforeAw",
                  {},
                  {W(1, true), Aw(kBase, 1)},
                  "W channel, cycle 0: WLAST=1 on beat 1 of 2"},
        // max_reads = 1 keeps ARREADY low for the second request.
        Violation{"ArValidDropped",
                  [](AxiMemConfig& c) { c.max_reads = 1; },
                  {Ar(kBase), Ar(kBase + 8), kIdle},
                  "AR channel, cycle 2: ARVALID dropped"},
        Violation{"ArChanged",
                  [](AxiMemConfig& c) { c.max_reads = 1; },
                  {Ar(kBase), Ar(kBase + 8), Ar(kBase + 16)},
                  "ARADDR=0x80000008 ARLEN=0 ARSIZE=3 ARBURST=1 became ARADDR=0x80000010"},
        Violation{"AwValidDropped",
                  [](AxiMemConfig& c) { c.max_writes = 1; },
                  {Aw(kBase), Aw(kBase + 8), kIdle},
                  "AW channel, cycle 2: AWVALID dropped"},
        Violation{"AwChanged",
                  [](AxiMemConfig& c) { c.max_writes = 1; },
                  {Aw(kBase), Aw(kBase + 8), Aw(kBase + 8, 1)},
                  "request changed while waiting for AWREADY"},
        // beat_gap = 2 keeps WREADY low for two cycles after a beat.
        Violation{"WValidDropped",
                  [](AxiMemConfig& c) { c.beat_gap = 2; },
                  {Both(Aw(kBase, 1), W(1, false)), W(2, true), kIdle},
                  "W channel, cycle 2: WVALID dropped"},
        Violation{"WChanged",
                  [](AxiMemConfig& c) { c.beat_gap = 2; },
                  {Both(Aw(kBase, 1), W(1, false)), W(2, true), W(3, true)},
                  "WDATA=0x2 WSTRB=0xff WLAST=1 became WDATA=0x3"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AxiMem, BackdoorOutsideTheWindowThrows) {
  AxiMem mem(SmallConfig());
  uint8_t buf[16] = {};
  EXPECT_THROW(mem.Write(kBase - 1, buf, 2), Error);
  EXPECT_THROW(mem.Write(kBase + kSize - 8, buf, 16), Error);
  EXPECT_THROW(mem.Read(kBase + kSize, buf, 1), Error);
  EXPECT_NO_THROW(mem.Write(kBase + kSize - 16, buf, 16));
  EXPECT_NO_THROW(mem.Read(kBase, buf, 16));
}

TEST(AxiMem, RejectsUnusableConfig) {
  AxiMemConfig c = SmallConfig();
  c.read_latency = 0;
  EXPECT_THROW(AxiMem{c}, Error);
  c = SmallConfig();
  c.ready_prob = 0;
  EXPECT_THROW(AxiMem{c}, Error);
  c = SmallConfig();
  c.base = kBase + 4;
  EXPECT_THROW(AxiMem{c}, Error);
}

}  // namespace
}  // namespace eyelet
