// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// One processing element's work (rtl/ey_pe.sv) as plain data, the golden model's answer to it,
// and the PeRunner interface a unit bench implements (the Verilated PE in tb/pe_bench.h,
// opened by name through eyelet/backend.h's OpenPeRunner), so `eyelet pe` needs no tb/ header.
//
// One PeJob is what a PE does between two clears: `passes` processing passes, each of which
// loads p*q*S filter weights (filter stationary) and runs `rows` 1-D convolutions, each of
// one ifmap row (q channels, already padded, exactly (F-1)*U + S columns) against the p
// filter rows, into p psum rows of F values. With accumulate_in set, every output psum adds a
// psum streamed in (from the PE below or the GLB in the array). Rows below are numbered
// across passes: pass i holds rows i*rows .. (i+1)*rows-1.
#ifndef EYELET_PE_JOB_H_
#define EYELET_PE_JOB_H_

#include <cstdint>
#include <string>
#include <vector>

namespace eyelet {

struct PeConfig {  // the PE's build parameters, read back from the Verilated model
  int data_bits;
  int acc_bits;
  int ifmap_depth;
  int filter_depth;
  int psum_depth;
};

struct PeJob {
  int s = 3;       // filter row width S
  int p = 1;       // filters interleaved in the filter spad
  int q = 1;       // channels interleaved in the ifmap and filter spads
  int u = 1;       // stride
  int f = 4;       // output row width F
  int rows = 1;    // ifmap rows per pass, streamed through the stationary filter
  int passes = 1;  // passes, each with its own filter weights
  bool accumulate_in = false;
  // weight[((pass * p + k) * q + c) * s + x]  (filter k, channel c, column x)
  std::vector<int16_t> weight;
  // ifmap[((row * q) + c) * width + col], width = (f-1)*u + s
  std::vector<int16_t> ifmap;
  // psum_in[((row * p) + k) * f + x], used when accumulate_in
  std::vector<int32_t> psum_in;
  // Back-pressure: probability (0..1) that the bench holds a stream's valid low or its
  // ready low in a cycle. Drawn from `stall_seed`.
  double in_stall = 0.0;
  double out_stall = 0.0;
  uint32_t stall_seed = 1;
};

struct PeResult {
  std::vector<int32_t> psum;  // psum[((row * p) + k) * f + x]
  uint64_t cycles = 0;        // from the end of reset to the last psum out
  uint64_t macs = 0;          // MACs performed (stat_mac_o strobes)
  uint64_t skipped = 0;       // MACs skipped by zero gating (stat_skip_o strobes)
};

// Something that runs PE jobs: a unit bench around one PE.
class PeRunner {
 public:
  virtual ~PeRunner() = default;
  virtual PeConfig config() const = 0;
  // Runs one job from a clear; throws TimeoutError if the PE stops making progress.
  virtual PeResult Run(const PeJob& job, uint64_t max_cycles = 10'000'000) = 0;
};

// The expected psums for a job, from the golden model's ConvAcc (so the PE is checked against
// the same reference as every layer).
std::vector<int32_t> PeReference(const PeJob& job, int data_bits, int acc_bits);

// Compares a PE result with the reference: empty when every psum matches and the MAC counters
// add up to the job's MACs, else what went wrong (the first differing psum and how many).
std::string CheckPeResult(const PeJob& job, const PeResult& res, const std::vector<int32_t>& ref);

// "job 3 (s=3 p=1 q=2 u=1 f=4 rows=2 acc_in=1)".
std::string DescribePeJob(int index, const PeJob& job);

}  // namespace eyelet

#endif  // EYELET_PE_JOB_H_
