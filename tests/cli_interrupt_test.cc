// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Ctrl-C (issue 17 item 6): the `eyelet` tool, run as a process of its own and sent SIGINT in
// the middle of a run, exits with 130 and a message, and leaves no output file behind: not the
// JSON report or the .npy it would have written at the end, not the trace it had begun, and
// no temporary file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"
#include "eyelet/cli.h"
#include "eyelet/interrupt.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using test::Contains;
using test::EyeletLine;
using test::TempDir;

struct Interrupted {
  int status = -1;  // waitpid's
  std::string out, err;
};

// Starts the tool with `args`, its output into files in `dir`; once `ready` holds (polled every
// 10 ms, for at most two minutes) sends SIGINT and waits for the process to end.
Interrupted RunAndInterrupt(const std::vector<std::string>& args, const TempDir& dir,
                            const std::function<bool(const std::string& out)>& ready) {
  const std::string out_path = dir.File("stdout.txt"), err_path = dir.File("stderr.txt");
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv{const_cast<char*>(EY_EYELET_BIN)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(EY_EYELET_BIN, argv.data());
    _exit(127);
  }
  Interrupted r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  bool sent = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &r.status, WNOHANG) == pid) break;  // ended on its own: the test fails
    if (ready(test::ReadTextFile(out_path))) {
      kill(pid, SIGINT);
      sent = true;
      waitpid(pid, &r.status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!sent && waitpid(pid, &r.status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &r.status, 0);
    ADD_FAILURE() << "the run never became ready to interrupt";
  }
  EXPECT_TRUE(sent) << "the tool ended before the signal";
  r.out = test::ReadTextFile(out_path);
  r.err = test::ReadTextFile(err_path);
  return r;
}

// Only the captured streams are left in the directory.
std::vector<std::string> Leftovers(const TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    if (name != "stdout.txt" && name != "stderr.txt") names.push_back(name);
  }
  return names;
}

TEST(CliInterrupt, SweepStopsBetweenLayersAndWritesNoReport) {
  TempDir dir;
  const Interrupted r = RunAndInterrupt(
      {"sweep", "--config", "tiny", "--count", "100000", "--types", "conv,fc,pool,chain", "--json",
       dir.File("sweep.json")},
      dir, [](const std::string& out) { return Contains(out, "PASS"); });
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
  EXPECT_EQ(WEXITSTATUS(r.status), kExitInterrupted) << r.err;
  EXPECT_TRUE(Contains(r.err, "interrupted")) << r.err;
  EXPECT_FALSE(Contains(r.out, " passed, ")) << r.out;
  EXPECT_EQ(Leftovers(dir), std::vector<std::string>{});
}

TEST(CliInterrupt, TracedLayerStopsInTheSimulationAndRemovesItsTrace) {
  TempDir dir;
  const std::string trace = dir.File("run.fst");
  const Interrupted r = RunAndInterrupt(
      {"layer", "--backend", "rtl", "--config", "small", "--in-channels", "64", "--out-channels",
       "64", "--height", "40", "--width", "40", "--kernel", "3", "--pad", "1", "--trace", trace,
       "--output", dir.File("y.npy"), "--json", dir.File("layer.json")},
      dir, [&](const std::string&) { return fs::exists(trace); });  // the device is open
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status);
  EXPECT_EQ(WEXITSTATUS(r.status), kExitInterrupted) << r.err;
  EXPECT_TRUE(Contains(r.err, "interrupted in the simulation")) << r.err;
  EXPECT_TRUE(Contains(r.err, "trace was removed")) << r.err;
  EXPECT_EQ(Leftovers(dir), std::vector<std::string>{});
}

// In-process: a flag raised before the run stops it at its first check (the same path a signal
// takes), and the tool's next run is not affected once it is lowered.
TEST(CliInterrupt, RaisedFlagStopsTheRunInProcess) {
  TempDir dir;
  RequestInterrupt();
  const test::CliResult r =
      EyeletLine("sweep --backend golden --config tiny --count 5 --json " + dir.File("s.json"));
  ClearInterrupt();
  EXPECT_EQ(r.code, kExitInterrupted) << r.err;
  EXPECT_TRUE(Contains(r.err, "interrupted between the sweep's layers")) << r.err;
  EXPECT_FALSE(fs::exists(dir.File("s.json")));
  EXPECT_EQ(EyeletLine("sweep --backend golden --config tiny --count 2").code, kExitOk);
}

}  // namespace
}  // namespace eyelet
