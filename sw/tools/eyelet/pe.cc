// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet pe`: random 1-D row-stationary jobs (eyelet/draw.h) through a PE runner opened by
// name (the Verilated PE, registered by the rtl backend), each checked against the golden
// model (eyelet/pe_job.h).
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/draw.h"
#include "eyelet/error.h"
#include "eyelet/pe_job.h"
#include "eyelet/rng.h"
#include "flags.h"

namespace eyelet {
namespace cli {
namespace {

const char kPeSummary[] = "run random 1-D row-stationary jobs through the Verilated PE";
const char kPeDetails[] =
    "Draws random jobs (filter width, filters p, channels q, stride, output width, rows,\n"
    "psum accumulation, data with ~30% zeros), runs each through the Verilated PE with\n"
    "random back-pressure, and compares every psum with the golden model. Prints each\n"
    "failing job, then 'N passed, M failed' and the cycle and MAC totals. Exit 1 if any\n"
    "job failed. Job K of a seed is the same with any --count: rerun it alone with\n"
    "--job K --trace job.fst.";

po::options_description PeDescription() {
  po::options_description d("options", 100, 50);
  // clang-format off
  d.add_options()
      ("help,h", "print this help")
      ("count", po::value<int>()->value_name("N")->default_value(20), "number of jobs")
      ("seed", po::value<int64_t>()->value_name("S")->default_value(1),
       "seed of the job sequence")
      ("job", po::value<int>()->value_name("K"), "run only job K (0-based) of the sequence")
      ("trace", po::value<std::string>()->value_name("FILE.fst"),
       "write an FST waveform of the run")
      ("trace-from", po::value<uint64_t>()->value_name("CYCLE"),
       "--trace: first clock cycle dumped")
      ("trace-to", po::value<uint64_t>()->value_name("CYCLE"), "--trace: last clock cycle dumped")
      ("stall", po::value<double>()->value_name("P")->default_value(0.2, "0.2"),
       "probability (0..0.9) of back-pressure on each stream in a cycle");
  // clang-format on
  return d;
}

PeOptions PeOptionsFrom(const po::variables_map& vm) {
  PeOptions o;
  o.count = vm["count"].as<int>();
  if (o.count < 0) throw UsageError("--count " + std::to_string(o.count) + " must be >= 0");
  o.seed = SeedFlag(vm);
  IntFlag(vm, "job", 0, INT_MAX, &o.job);
  o.trace = TraceFlags(vm, "rtl", "");
  o.stall = vm["stall"].as<double>();
  if (!(o.stall >= 0.0 && o.stall <= kMaxStall)) {  // also rejects NaN
    std::ostringstream os;
    os << "--stall " << o.stall << " must be between 0 and " << kMaxStall;
    throw UsageError(os.str());
  }
  return o;
}

int PeCommand(const po::variables_map& vm, std::ostream& out) {
  return RunPe(PeOptionsFrom(vm), out);
}

}  // namespace

const Command kPeCommand = {"pe", kPeSummary, kPeDetails, PeDescription, PeCommand};

}  // namespace cli

namespace {

// The jobs' totals and failures, as RunPe prints them.
struct PeRun {
  int passed = 0;
  int failed = 0;
  int first_failure = -1;
  uint64_t cycles = 0;
  uint64_t macs = 0;
  uint64_t skipped = 0;
  std::string failures;  // a line per failing job
};

PeRun RunJobs(const PeOptions& o, PeRunner& pe) {
  const PeConfig cfg = pe.config();
  PeRun r;
  const int first = o.job ? *o.job : 0;
  const int end = o.job ? *o.job + 1 : o.count;
  for (int i = first; i < end; ++i) {
    Rng rng(JobSeed(o.seed, i));
    const PeJob job = DrawPeJob(cfg, o.stall, rng);
    std::string problem;
    try {
      const PeResult res = pe.Run(job);
      r.cycles += res.cycles;
      r.macs += res.macs;
      r.skipped += res.skipped;
      problem = CheckPeResult(job, res, PeReference(job, cfg.data_bits, cfg.acc_bits));
    } catch (const TimeoutError& e) {  // a hung PE is a failing job; the next one clears it
      problem = e.what();
    }
    if (problem.empty()) {
      ++r.passed;
    } else {
      if (r.failed++ == 0) r.first_failure = i;
      r.failures += "FAIL " + DescribePeJob(i, job) + ": " + problem + "\n";
    }
  }
  return r;
}

}  // namespace

int RunPe(const PeOptions& o, std::ostream& out) {
  // With a trace, an untraced run first: the time the trace is compared with.
  double untraced_s = 0;
  if (o.trace.On()) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::unique_ptr<PeRunner> pe = OpenPeRunner("rtl", DeviceOptions{});
    RunJobs(o, *pe);
    untraced_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  DeviceOptions d;
  d.trace_path = o.trace.path;
  d.trace_from = o.trace.from;
  d.trace_to = o.trace.to;
  const auto t0 = std::chrono::steady_clock::now();
  PeRun r;
  PeConfig cfg;
  {
    const std::unique_ptr<PeRunner> pe = OpenPeRunner("rtl", d);
    cfg = pe->config();
    r = RunJobs(o, *pe);
  }  // the trace is complete once the runner is closed
  const double traced_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << "PE: " << cfg.data_bits << "-bit data, " << cfg.acc_bits << "-bit psums, spads ifmap "
      << cfg.ifmap_depth << " / filter " << cfg.filter_depth << " / psum " << cfg.psum_depth
      << ", stall " << o.stall << ", seed " << o.seed << "\n";
  out << r.failures;
  const int passed = r.passed, failed = r.failed, first_failure = r.first_failure;
  const uint64_t cycles = r.cycles, macs = r.macs, skipped = r.skipped;
  if (o.trace.On()) {
    cli::PrintTrace(out, o.trace, cli::WindowOf(o.trace, ChainProfile{}, 0, 0, ""), traced_s,
                    untraced_s, cycles, cycles);
  }
  out << passed << " passed, " << failed << " failed\n";
  char util[32];
  std::snprintf(util, sizeof(util), "%.1f%%",
                cycles == 0 ? 0.0 : 100.0 * static_cast<double>(macs + skipped) / cycles);
  out << "cycles " << cycles << ", macs " << macs << ", skipped by zero gating " << skipped
      << ", MAC utilization (macs+skipped)/cycles " << util << "\n";
  if (failed > 0) {
    out << "rerun a failing job alone, e.g.: eyelet pe --seed " << o.seed << " --stall " << o.stall
        << " --job " << first_failure << " --trace job" << first_failure << ".fst\n";
  }
  return failed > 0 ? kExitMismatch : kExitOk;
}

}  // namespace eyelet
