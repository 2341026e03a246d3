// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "pe_bench.h"

#include <algorithm>
#include <random>
#include <utility>

#include "Vey_pe.h"
#include "eyelet/golden.h"
#include "harness.h"

namespace eyelet {

namespace {

// One valid/ready source: once valid is raised it stays up until the word is taken.
struct Source {
  size_t next = 0;
  bool presenting = false;
};

}  // namespace

struct PeBench::Impl {
  Harness<Vey_pe> h;
};

PeBench::PeBench(const std::string& trace_path, uint64_t trace_first, uint64_t trace_last)
    : impl_(std::make_unique<Impl>()) {
  impl_->h.OpenTrace(trace_path);
  impl_->h.TraceWindow(trace_first, trace_last);
  impl_->h.Reset();
}

PeBench::~PeBench() = default;

PeConfig PeBench::config() const {
  return PeConfig{EY_PE_DATA_W, EY_PE_ACC_W, EY_PE_IFMAP_DEPTH, EY_PE_FILTER_DEPTH,
                  EY_PE_PSUM_DEPTH};
}

static void CheckJob(const PeJob& j, const PeConfig& c) {
  auto fail = [](const std::string& m) { throw ShapeError("PE job: " + m); };
  if (j.s < 1 || j.p < 1 || j.q < 1 || j.u < 1 || j.f < 1 || j.rows < 1 || j.passes < 1) {
    fail("s, p, q, u, f, rows and passes must all be at least 1");
  }
  if (j.u > 15) fail("stride " + std::to_string(j.u) + " exceeds the 4-bit stride field (15)");
  if (j.f > 1023) fail("f " + std::to_string(j.f) + " exceeds the 10-bit width field (1023)");
  if (j.s * j.q > c.ifmap_depth) {
    fail("s*q = " + std::to_string(j.s * j.q) + " exceeds the ifmap spad (" +
         std::to_string(c.ifmap_depth) + " entries)");
  }
  if (j.p * j.q * j.s > c.filter_depth) {
    fail("p*q*s = " + std::to_string(j.p * j.q * j.s) + " exceeds the filter spad (" +
         std::to_string(c.filter_depth) + " entries)");
  }
  if (j.p > c.psum_depth) {
    fail("p = " + std::to_string(j.p) + " exceeds the psum spad (" +
         std::to_string(c.psum_depth) + " entries)");
  }
  const size_t width = static_cast<size_t>((j.f - 1) * j.u + j.s);
  const size_t rows = static_cast<size_t>(j.rows) * j.passes;
  if (j.weight.size() != static_cast<size_t>(j.passes * j.p * j.q * j.s)) {
    fail("weight size != passes*p*q*s");
  }
  if (j.ifmap.size() != rows * j.q * width) fail("ifmap size != passes*rows*q*((f-1)*u+s)");
  if (j.accumulate_in && j.psum_in.size() != rows * j.p * j.f) {
    fail("psum_in size != passes*rows*p*f");
  }
}

PeResult PeBench::Run(const PeJob& job, uint64_t max_cycles) {
  const PeConfig cfg = config();
  CheckJob(job, cfg);
  Harness<Vey_pe>& h = impl_->h;
  Vey_pe& d = h.dut();

  const int width = (job.f - 1) * job.u + job.s;
  const int rows = job.rows * job.passes;
  // Stream orders (see rtl/ey_pe.sv).
  std::vector<int16_t> filt;
  for (int ps = 0; ps < job.passes; ++ps)
    for (int x = 0; x < job.s; ++x)
      for (int k = 0; k < job.p; ++k)
        for (int c = 0; c < job.q; ++c)
          filt.push_back(job.weight[((ps * job.p + k) * job.q + c) * job.s + x]);
  // Filter beats of 1..EY_PE_FILT_LANES words (drawn), none across a pass: {first word, count}.
  std::vector<std::pair<size_t, int>> beats;
  {
    std::mt19937 draw(job.stall_seed ^ 0x5eedu);
    const size_t per_pass = static_cast<size_t>(job.p) * job.q * job.s;
    for (size_t i = 0; i < filt.size();) {
      const size_t left = per_pass - i % per_pass;
      const int n = static_cast<int>(std::min<size_t>(
          left, std::uniform_int_distribution<int>(1, EY_PE_FILT_LANES)(draw)));
      beats.emplace_back(i, n);
      i += static_cast<size_t>(n);
    }
  }
  std::vector<int16_t> ifm;
  for (int r = 0; r < rows; ++r)
    for (int col = 0; col < width; ++col)
      for (int c = 0; c < job.q; ++c) ifm.push_back(job.ifmap[(r * job.q + c) * width + col]);
  std::vector<int32_t> pin;
  const size_t n_out = static_cast<size_t>(rows) * job.p * job.f;
  if (job.accumulate_in) {
    for (int r = 0; r < rows; ++r)
      for (int x = 0; x < job.f; ++x)
        for (int k = 0; k < job.p; ++k) pin.push_back(job.psum_in[(r * job.p + k) * job.f + x]);
  }

  // Clear with the new configuration.
  d.cfg_s_i = job.s;
  d.cfg_p_i = job.p;
  d.cfg_q_i = job.q;
  d.cfg_u_i = job.u;
  d.cfg_f_i = job.f;
  d.cfg_rows_i = job.rows;
  d.cfg_acc_i = job.accumulate_in;
  d.filt_valid_i = 0;
  d.if_valid_i = 0;
  d.psum_valid_i = 0;
  d.psum_ready_i = 0;
  d.clr_i = 1;
  h.Tick();
  d.clr_i = 0;

  std::mt19937 rng(job.stall_seed);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  Source fs, is, ps;
  std::vector<int32_t> out;  // stream order: row, x, k
  out.reserve(n_out);
  PeResult res;
  const uint64_t start = h.cycle();
  uint64_t idle_cycles = 0;

  auto offer = [&](Source& s, size_t total) {
    if (!s.presenting && s.next < total && coin(rng) >= job.in_stall) s.presenting = true;
    return s.presenting;
  };

  while (out.size() < n_out) {
    d.filt_valid_i = offer(fs, beats.size());
    if (fs.presenting) {
      uint64_t data = 0;
      for (int w = 0; w < beats[fs.next].second; ++w) {
        data |= uint64_t{static_cast<uint16_t>(filt[beats[fs.next].first + w])} << (16 * w);
      }
      d.filt_data_i = data;
      d.filt_cnt_i = static_cast<uint8_t>(beats[fs.next].second);
    }
    d.if_valid_i = offer(is, ifm.size());
    if (is.presenting) d.if_data_i = static_cast<uint16_t>(ifm[is.next]);
    d.psum_valid_i = offer(ps, pin.size());
    if (ps.presenting) d.psum_data_i = static_cast<uint32_t>(pin[ps.next]);
    d.psum_ready_i = coin(rng) >= job.out_stall;
    h.Eval();

    bool progress = false;
    if (d.filt_valid_i && d.filt_ready_o) {
      ++fs.next;
      fs.presenting = false;
      progress = true;
    }
    if (d.if_valid_i && d.if_ready_o) {
      ++is.next;
      is.presenting = false;
      progress = true;
    }
    if (d.psum_valid_i && d.psum_ready_o) {
      ++ps.next;
      ps.presenting = false;
      progress = true;
    }
    if (d.psum_valid_o && d.psum_ready_i) {
      out.push_back(static_cast<int32_t>(d.psum_data_o));
      progress = true;
    }
    if (d.stat_mac_o) ++res.macs, progress = true;
    if (d.stat_skip_o) ++res.skipped, progress = true;
    h.Tick();
    idle_cycles = progress ? 0 : idle_cycles + 1;
    if (idle_cycles > 1000 || h.cycle() - start > max_cycles) {
      throw TimeoutError("PE bench: stalled after " + std::to_string(out.size()) + " of " +
                         std::to_string(n_out) + " psums at cycle " +
                         std::to_string(h.cycle()) + " (s=" + std::to_string(job.s) +
                         " p=" + std::to_string(job.p) + " q=" + std::to_string(job.q) +
                         " u=" + std::to_string(job.u) + " f=" + std::to_string(job.f) +
                         "); rerun with a trace to see where");
    }
  }
  res.cycles = h.cycle() - start;

  res.psum.assign(n_out, 0);
  size_t i = 0;
  for (int r = 0; r < rows; ++r)
    for (int x = 0; x < job.f; ++x)
      for (int k = 0; k < job.p; ++k) res.psum[(r * job.p + k) * job.f + x] = out[i++];
  return res;
}

}  // namespace eyelet
