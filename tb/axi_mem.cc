// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "axi_mem.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace eyelet {
namespace {

constexpr uint32_t kSize8Bytes = 3;
constexpr uint32_t kBurstIncr = 1;
constexpr uint64_t kPage = 4096;

std::string Hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string Request(const char* ch, uint64_t addr, uint32_t len, uint32_t size, uint32_t burst) {
  const std::string c(ch);
  return c + "ADDR=" + Hex(addr) + " " + c + "LEN=" + std::to_string(len) + " " + c +
         "SIZE=" + std::to_string(size) + " " + c + "BURST=" + std::to_string(burst);
}

std::string WPayload(uint64_t data, uint32_t strb, bool last) {
  return "WDATA=" + Hex(data) + " WSTRB=" + Hex(strb) + " WLAST=" + std::to_string(last);
}

}  // namespace

AxiMem::AxiMem(const AxiMemConfig& config) : cfg_(config), rng_(config.seed) {
  auto bad = [](const std::string& what) {
    throw Error("AxiMemConfig: " + what + "; fix the bench's memory configuration");
  };
  if (cfg_.size == 0 || cfg_.base % 8 != 0 || cfg_.size % 8 != 0 ||
      cfg_.base + cfg_.size < cfg_.base) {
    bad("window [" + Hex(cfg_.base) + ", +" + Hex(cfg_.size) +
        ") must be non-empty, 8-byte aligned and below 2^64");
  }
  if (cfg_.read_latency < 1 || cfg_.write_latency < 1) {
    bad("read_latency " + std::to_string(cfg_.read_latency) + " and write_latency " +
        std::to_string(cfg_.write_latency) + " must be at least 1");
  }
  if (cfg_.beat_gap < 0) bad("beat_gap " + std::to_string(cfg_.beat_gap) + " is negative");
  if (!(cfg_.ready_prob > 0 && cfg_.ready_prob <= 1) ||
      !(cfg_.valid_prob > 0 && cfg_.valid_prob <= 1)) {
    bad("ready_prob and valid_prob must be in (0, 1]");
  }
  if (cfg_.max_reads < 1 || cfg_.max_writes < 1 || cfg_.max_early_w < 1) {
    bad("max_reads, max_writes and max_early_w must be at least 1");
  }
  mem_.reset(static_cast<uint8_t*>(std::calloc(cfg_.size, 1)));
  if (!mem_) bad("window of " + std::to_string(cfg_.size) + " bytes: out of memory");
  Plan();
}

void AxiMem::Drive(AxiPins& p) const {
  p.arready = ar_ready_;
  p.awready = aw_ready_;
  p.wready = w_ready_;
  p.rvalid = r_valid_;
  p.rdata = r_data_;
  p.rresp = static_cast<uint32_t>(r_resp_);
  p.rlast = r_last_;
  p.bvalid = b_valid_;
  p.bresp = b_valid_ ? static_cast<uint32_t>(writes_.front().resp) : 0;
}

void AxiMem::Sample(const AxiPins& in) {
  AxiPins p = in;
  Drive(p);
  CheckHandshakes(p);
  if (p.arvalid) CheckRequest("AR", p.araddr, p.arlen, p.arsize, p.arburst);
  if (p.awvalid) CheckRequest("AW", p.awaddr, p.awlen, p.awsize, p.awburst);

  stats_.ar_stalls += p.arvalid && !p.arready;
  stats_.aw_stalls += p.awvalid && !p.awready;
  stats_.w_stalls += p.wvalid && !p.wready;
  stats_.r_stalls += p.rvalid && !p.rready;
  stats_.b_stalls += p.bvalid && !p.bready;

  if (p.rvalid && p.rready) {
    ++stats_.read_beats;
    r_valid_ = false;
    r_data_ = 0;
    r_resp_ = AxiResp::kOkay;
    r_last_ = false;
    r_next_ = cycle_ + 1 + cfg_.beat_gap;
    if (++reads_.front().beat > reads_.front().len) reads_.pop_front();
  }
  if (p.arvalid && p.arready) {
    AxiResp resp = Classify(p.araddr, p.arlen);
    if (static_cast<int64_t>(stats_.read_bursts) == cfg_.slverr_read_burst) {
      resp = AxiResp::kSlvErr;
    }
    reads_.push_back({p.araddr, p.arlen, resp, cycle_ + cfg_.read_latency});
    ++stats_.read_bursts;
    CountResp(resp);
    stats_.max_reads_in_flight = std::max<uint64_t>(stats_.max_reads_in_flight, reads_.size());
  }

  if (p.bvalid && p.bready) {
    writes_.pop_front();
    b_valid_ = false;
  }
  // This cycle's AW before its W beat: buffered beats are older and fill the new burst first.
  if (p.awvalid && p.awready) {
    AxiResp resp = Classify(p.awaddr, p.awlen);
    if (static_cast<int64_t>(stats_.write_bursts) == cfg_.slverr_write_burst) {
      resp = AxiResp::kSlvErr;
    }
    writes_.push_back({p.awaddr, p.awlen, resp});
    ++stats_.write_bursts;
    CountResp(resp);
    stats_.max_writes_in_flight = std::max<uint64_t>(stats_.max_writes_in_flight, writes_.size());
    // Buffered beats exist only when every earlier burst has all its data.
    while (!early_w_.empty() && !writes_.back().Complete()) {
      PutBeat(writes_.back(), early_w_.front());
      early_w_.pop_front();
    }
  }
  if (p.wvalid && p.wready) {
    ++stats_.write_beats;
    w_next_ = cycle_ + 1 + cfg_.beat_gap;
    const WBeat w{p.wdata, p.wstrb, p.wlast, cycle_};
    auto open = std::find_if(writes_.begin(), writes_.end(),
                             [](const WriteBurst& b) { return !b.Complete(); });
    if (open != writes_.end()) {
      PutBeat(*open, w);
    } else {
      early_w_.push_back(w);
      stats_.max_early_w = std::max<uint64_t>(stats_.max_early_w, early_w_.size());
    }
  }

  prev_ = p;
  ++cycle_;
  Plan();
}

void AxiMem::Write(uint64_t addr, const void* data, size_t bytes) {
  CheckHost("Write", addr, bytes);
  if (bytes) std::memcpy(&mem_[addr - cfg_.base], data, bytes);
}

void AxiMem::Read(uint64_t addr, void* data, size_t bytes) const {
  CheckHost("Read", addr, bytes);
  if (bytes) std::memcpy(data, &mem_[addr - cfg_.base], bytes);
}

void AxiMem::Fail(const char* channel, uint64_t cycle, const std::string& what) const {
  throw ProtocolError(std::string("AXI ") + channel + " channel, cycle " + std::to_string(cycle) +
                      ": " + what);
}

void AxiMem::CheckRequest(const char* ch, uint64_t addr, uint32_t len, uint32_t size,
                          uint32_t burst) const {
  const char* why = nullptr;
  if (len > 255) {
    why = "AXI4 bursts have at most 256 beats (LEN 255)";
  } else if (size != kSize8Bytes) {
    why = "only SIZE 3 (8-byte beats) is supported";
  } else if (burst != kBurstIncr) {
    why = "only BURST 1 (INCR) is supported";
  } else if ((addr % kPage & ~7ull) + 8ull * (len + 1) > kPage) {
    why = "the burst crosses a 4 KB boundary";
  }
  if (why) Fail(ch, cycle_, Request(ch, addr, len, size, burst) + ": " + why);
}

void AxiMem::CheckHandshakes(const AxiPins& p) const {
  if (cycle_ == 0) return;
  const AxiPins& q = prev_;
  if (q.arvalid && !q.arready) {
    if (!p.arvalid) {
      Fail("AR", cycle_,
           "ARVALID dropped before ARREADY (" +
               Request("AR", q.araddr, q.arlen, q.arsize, q.arburst) + ")");
    }
    if (p.araddr != q.araddr || p.arlen != q.arlen || p.arsize != q.arsize ||
        p.arburst != q.arburst) {
      Fail("AR", cycle_,
           "request changed while waiting for ARREADY: " +
               Request("AR", q.araddr, q.arlen, q.arsize, q.arburst) + " became " +
               Request("AR", p.araddr, p.arlen, p.arsize, p.arburst));
    }
  }
  if (q.awvalid && !q.awready) {
    if (!p.awvalid) {
      Fail("AW", cycle_,
           "AWVALID dropped before AWREADY (" +
               Request("AW", q.awaddr, q.awlen, q.awsize, q.awburst) + ")");
    }
    if (p.awaddr != q.awaddr || p.awlen != q.awlen || p.awsize != q.awsize ||
        p.awburst != q.awburst) {
      Fail("AW", cycle_,
           "request changed while waiting for AWREADY: " +
               Request("AW", q.awaddr, q.awlen, q.awsize, q.awburst) + " became " +
               Request("AW", p.awaddr, p.awlen, p.awsize, p.awburst));
    }
  }
  if (q.wvalid && !q.wready) {
    if (!p.wvalid) {
      Fail("W", cycle_,
           "WVALID dropped before WREADY (" + WPayload(q.wdata, q.wstrb, q.wlast) + ")");
    }
    if (p.wdata != q.wdata || p.wstrb != q.wstrb || p.wlast != q.wlast) {
      Fail("W", cycle_,
           "beat changed while waiting for WREADY: " + WPayload(q.wdata, q.wstrb, q.wlast) +
               " became " + WPayload(p.wdata, p.wstrb, p.wlast));
    }
  }
}

void AxiMem::CountResp(AxiResp resp) {
  if (resp == AxiResp::kOkay) return;
  if (stats_.error_bursts++ == 0) stats_.first_error_cycle = cycle_;
}

AxiResp AxiMem::Classify(uint64_t addr, uint32_t len) const {
  // Bytes [addr, end) with end = the burst's 8-byte-aligned start + 8 * beats.
  const uint64_t off = addr - cfg_.base;
  if (addr < cfg_.base || off >= cfg_.size || (off & ~7ull) + 8ull * (len + 1) > cfg_.size) {
    return AxiResp::kDecErr;
  }
  const uint64_t end = (addr & ~7ull) + 8ull * (len + 1);
  for (const auto& [b, e] : cfg_.slverr) {
    if (addr < e && b < end) return AxiResp::kSlvErr;
  }
  return AxiResp::kOkay;
}

void AxiMem::CheckHost(const char* what, uint64_t addr, size_t bytes) const {
  if (addr < cfg_.base || bytes > cfg_.size || addr - cfg_.base > cfg_.size - bytes) {
    throw Error(std::string("AxiMem::") + what + " of " + std::to_string(bytes) + " bytes at " +
                Hex(addr) + " is outside the memory window [" + Hex(cfg_.base) + ", " +
                Hex(cfg_.base + cfg_.size) + "); check the buffer addresses");
  }
}

void AxiMem::PutBeat(WriteBurst& b, const WBeat& w) {
  const bool last = b.beats == b.len;
  if (w.last != last) {
    Fail("W", w.cycle,
         "WLAST=" + std::to_string(w.last) + " on beat " + std::to_string(b.beats + 1) + " of " +
             std::to_string(b.len + 1) + " of the burst AWADDR=" + Hex(b.addr) +
             " AWLEN=" + std::to_string(b.len));
  }
  if (b.resp == AxiResp::kOkay) {
    const uint64_t beat_addr = (b.addr & ~7ull) + 8ull * b.beats;
    // Lanes below an unaligned start address are not part of the first beat.
    const uint32_t strb = b.beats == 0 ? w.strb & (0xffu << (b.addr & 7)) : w.strb;
    for (int i = 0; i < 8; ++i) {
      if (strb >> i & 1) {
        mem_[beat_addr - cfg_.base + i] = static_cast<uint8_t>(w.data >> (8 * i));
        ++stats_.bytes_written;
      }
    }
  }
  ++b.beats;
  if (last) b.due = cycle_ + cfg_.write_latency;
}

bool AxiMem::Coin(double prob) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < prob; }

void AxiMem::Plan() {
  ar_ready_ = reads_.size() < static_cast<size_t>(cfg_.max_reads) && Coin(cfg_.ready_prob);
  aw_ready_ = writes_.size() < static_cast<size_t>(cfg_.max_writes) && Coin(cfg_.ready_prob);
  w_ready_ = cycle_ >= w_next_ && early_w_.size() < static_cast<size_t>(cfg_.max_early_w) &&
             Coin(cfg_.ready_prob);
  if (!r_valid_ && !reads_.empty() && cycle_ >= reads_.front().due && cycle_ >= r_next_ &&
      Coin(cfg_.valid_prob)) {
    const ReadBurst& b = reads_.front();
    r_valid_ = true;
    r_resp_ = b.resp;
    r_last_ = b.beat == b.len;
    r_data_ = 0;
    if (b.resp == AxiResp::kOkay) {
      const uint64_t at = (b.addr & ~7ull) + 8ull * b.beat - cfg_.base;
      for (int i = 7; i >= 0; --i) r_data_ = r_data_ << 8 | mem_[at + i];
    }
  }
  if (!b_valid_ && !writes_.empty() && writes_.front().Complete() &&
      cycle_ >= writes_.front().due && Coin(cfg_.valid_prob)) {
    b_valid_ = true;
  }
}

}  // namespace eyelet
