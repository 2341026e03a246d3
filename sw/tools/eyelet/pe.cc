// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet pe`: random 1-D row-stationary jobs (eyelet/draw.h) through a PE runner opened by
// name (the Verilated PE, registered by the rtl backend), each checked against the golden
// model (eyelet/pe_job.h).
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
  if (vm.count("trace")) o.trace_path = vm["trace"].as<std::string>();
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

int RunPe(const PeOptions& o, std::ostream& out) {
  DeviceOptions d;
  d.trace_path = o.trace_path;
  const std::unique_ptr<PeRunner> pe = OpenPeRunner("rtl", d);
  const PeConfig cfg = pe->config();
  out << "PE: " << cfg.data_bits << "-bit data, " << cfg.acc_bits << "-bit psums, spads ifmap "
      << cfg.ifmap_depth << " / filter " << cfg.filter_depth << " / psum " << cfg.psum_depth
      << ", stall " << o.stall << ", seed " << o.seed << "\n";
  const int first = o.job ? *o.job : 0;
  const int end = o.job ? *o.job + 1 : o.count;
  int passed = 0;
  int failed = 0;
  int first_failure = -1;
  uint64_t cycles = 0;
  uint64_t macs = 0;
  uint64_t skipped = 0;
  for (int i = first; i < end; ++i) {
    Rng rng(JobSeed(o.seed, i));
    const PeJob job = DrawPeJob(cfg, o.stall, rng);
    std::string problem;
    try {
      const PeResult res = pe->Run(job);
      cycles += res.cycles;
      macs += res.macs;
      skipped += res.skipped;
      problem = CheckPeResult(job, res, PeReference(job, cfg.data_bits, cfg.acc_bits));
    } catch (const TimeoutError& e) {  // a hung PE is a failing job; the next one clears it
      problem = e.what();
    }
    if (problem.empty()) {
      ++passed;
    } else {
      if (failed++ == 0) first_failure = i;
      out << "FAIL " << DescribePeJob(i, job) << ": " << problem << "\n";
    }
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
