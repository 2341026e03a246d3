// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet sweep`, in-process: random CONV, FC and POOL layers and output paths on both
// backends, reruns of one layer, a slow random DRAM model and the JSON report.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.h"
#include "eyelet/backend.h"
#include "eyelet/cli.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/npy.h"
#include "eyelet/tensor.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using test::CliResult;
using test::Contains;
using test::Eyelet;
using test::EyeletLine;
using test::Field;
using test::Hex64;
using test::RandomTensor;
using test::ReadJson;
using test::TempDir;

std::vector<std::string> LayerLines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start >= 2 && start != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(line[start]))) {
      lines.push_back(line.substr(start));
    }
  }
  return lines;
}

std::string LastLine(const std::string& out) {
  const size_t last = out.find_last_not_of('\n');
  if (last == std::string::npos) return "";
  const size_t newline = out.rfind('\n', last);
  const size_t first = newline == std::string::npos ? 0 : newline + 1;
  return out.substr(first, last + 1 - first);
}

TEST(CliSweep, RandomLayersPassOnTiny) {
  const CliResult r =
      Eyelet({"sweep", "--backend", "rtl", "--config", "tiny", "--count", "5", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "5 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
    EXPECT_TRUE(Contains(line, " cycles")) << line;
  }
  // Even layers take the mapper's choice, odd ones a random mapping (or the mapper's when none
  // of the draws was legal).
  EXPECT_TRUE(Contains(lines[0], "(mapper)")) << lines[0];
  EXPECT_TRUE(Contains(r.out, "(random)")) << r.out;
  EXPECT_FALSE(Contains(r.out, "rerun")) << r.out;
}

TEST(CliSweep, LayerKIsTheSameForAnyCountAndReruns) {
  const CliResult all = Eyelet({"sweep", "--config", "tiny", "--count", "4", "--seed", "7"});
  const CliResult fewer = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "7"});
  const CliResult one = Eyelet({"sweep", "--config", "tiny", "--seed", "7", "--index", "3"});
  ASSERT_EQ(all.code, kExitOk) << all.out << all.err;
  ASSERT_EQ(fewer.code, kExitOk) << fewer.out << fewer.err;
  ASSERT_EQ(one.code, kExitOk) << one.out << one.err;
  const std::vector<std::string> a = LayerLines(all.out), f = LayerLines(fewer.out),
                                 o = LayerLines(one.out);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(f.size(), 3u);
  ASSERT_EQ(o.size(), 1u);
  for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(a[i], f[i]);
  EXPECT_EQ(o[0], a[3]);
  EXPECT_EQ(LastLine(one.out), "1 passed, 0 failed");
  const CliResult other = Eyelet({"sweep", "--config", "tiny", "--count", "4", "--seed", "8"});
  EXPECT_NE(LayerLines(other.out), a);
}

TEST(CliSweep, ShardsTogetherRunTheSweepsLayers) {
  // `make soak` splits a sweep with --shard K/N: layer i runs in shard i % N with its own
  // number, data and mapping, so the shards' lines are the whole sweep's.
  const std::string sweep =
      "sweep --backend golden --config tiny --types conv,fc,pool --post --count 7 --seed 12";
  const CliResult all = EyeletLine(sweep);
  ASSERT_EQ(all.code, kExitOk) << all.out << all.err;
  const std::vector<std::string> want = LayerLines(all.out);
  ASSERT_EQ(want.size(), 7u);
  std::vector<std::string> got(7);
  for (int k = 0; k < 3; ++k) {
    const CliResult r = EyeletLine(sweep + " --shard " + std::to_string(k) + "/3");
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, "shard " + std::to_string(k) + "/3 of 7 layers")) << r.out;
    const std::vector<std::string> lines = LayerLines(r.out);
    ASSERT_EQ(lines.size(), k == 0 ? 3u : 2u) << r.out;
    for (size_t j = 0; j < lines.size(); ++j) got[k + 3 * j] = lines[j];
  }
  EXPECT_EQ(got, want);
  for (const char* bad : {"3/3", "-1/2", "1/0", "1", "1/2x", "a/b"}) {
    EXPECT_EQ(EyeletLine(sweep + " --shard " + bad).code, kExitUsage) << bad;
  }
  EXPECT_EQ(EyeletLine(sweep + " --shard 0/2 --index 1").code, kExitUsage);
}

TEST(CliSweep, EachFailureNamesTheCommandThatRerunsIt) {
  // A stuck-at fault fails some layers; each failing layer prints the command that runs it
  // alone (same seed, types, output paths, DRAM model and fault), and that command draws the
  // very same layer and mapping and fails it again.
  const CliResult r = EyeletLine(
      "sweep --config small --types conv,fc --post --count 6 --seed 5 --mem-latency 3 "
      "--fault 1,1,20");
  ASSERT_EQ(r.code, kExitMismatch) << r.out << r.err;
  const size_t at = r.out.find("      rerun eyelet ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const size_t end = r.out.find('\n', at);
  const std::string cmd = r.out.substr(at + 19, end - at - 19);
  EXPECT_TRUE(Contains(cmd, "--types conv,fc --post --mem-latency 3")) << cmd;
  const TempDir dir;
  const CliResult again = EyeletLine(cmd + " --trace-on-fail " + dir.path().string());
  EXPECT_EQ(again.code, kExitMismatch) << again.out << again.err;
  const std::vector<std::string> once = LayerLines(again.out);
  ASSERT_EQ(once.size(), 1u) << again.out;
  const std::vector<std::string> lines = LayerLines(r.out);
  EXPECT_NE(std::find(lines.begin(), lines.end(), once[0]), lines.end()) << once[0];
}

TEST(CliSweep, ChainsRunEveryLayerCheckedAndCatchAFault) {
  // --types chain: each layer of the sweep is a chain of 2-3 layers run as one descriptor
  // chain, each reading the one before in DRAM, every layer's outputs compared.
  const CliResult r =
      EyeletLine("sweep --backend rtl --config tiny --types chain --count 4 --seed 3");
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "4 passed, 0 failed") << r.out;
  EXPECT_TRUE(Contains(r.out, "chains    4 chains of 2-3 layers")) << r.out;
  for (const std::string& line : LayerLines(r.out)) {
    EXPECT_EQ(line.find("chain conv x "), line.find_first_not_of("0123456789 ")) << line;
    EXPECT_TRUE(Contains(line, " -> ")) << line;
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
  }
  // With conv among the types, the conv layers are those of a conv-only sweep's draws.
  const CliResult mixed =
      EyeletLine("sweep --backend golden --config tiny --types conv,chain --count 8 --seed 3");
  ASSERT_EQ(mixed.code, kExitOk) << mixed.out << mixed.err;
  EXPECT_TRUE(Contains(mixed.out, "chain conv")) << mixed.out;
  // A stuck psum bit fails a chain's layers, each named, with the rerun command.
  const CliResult bad =
      EyeletLine("sweep --config small --types chain --count 3 --seed 3 --fault 1,1,20");
  ASSERT_EQ(bad.code, kExitMismatch) << bad.out << bad.err;
  EXPECT_TRUE(Contains(bad.out, "      layer 0 (conv): FAIL (")) << bad.out;
  EXPECT_TRUE(Contains(bad.out, "--index 0 --types chain ")) << bad.out;
  EXPECT_EQ(EyeletLine("sweep --types conv,chian").code, kExitUsage);
}

TEST(CliSweep, OutputPathsPassOnTiny) {
  // --post: every layer through a random output path, every element compared; the layers are
  // those of the same sweep without --post.
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--types", "conv,fc", "--count", "10",
                              "--seed", "2", "--post"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "10 passed, 0 failed") << r.out;
  const CliResult plain =
      Eyelet({"sweep", "--config", "tiny", "--types", "conv,fc", "--count", "10", "--seed", "2"});
  const std::vector<std::string> lines = LayerLines(r.out), plain_lines = LayerLines(plain.out);
  ASSERT_EQ(lines.size(), 10u) << r.out;
  ASSERT_EQ(plain_lines.size(), 10u) << plain.out;
  int requantized = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(Contains(lines[i], "  PASS  ")) << lines[i];
    // The layer and its mapping, up to "(mapper)" or "(random)".
    const std::string layer = plain_lines[i].substr(0, plain_lines[i].find(")  ") + 1);
    EXPECT_EQ(lines[i].rfind(layer, 0), 0u) << lines[i] << "\n" << plain_lines[i];
    requantized += Contains(lines[i], "requantization to int16");
  }
  EXPECT_GE(requantized, 3) << r.out;
}

TEST(CliSweep, FcLayersPassOnTiny) {
  const CliResult r =
      Eyelet({"sweep", "--config", "tiny", "--types", "fc", "--count", "6", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "6 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  fc x ")) << line;
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
  }
  EXPECT_TRUE(Contains(lines[0], "(mapper)")) << lines[0];
  EXPECT_TRUE(Contains(r.out, "(random)")) << r.out;
}

TEST(CliSweep, ConvAndFcTogether) {
  const CliResult r =
      Eyelet({"sweep", "--config", "small", "--types", "conv,fc", "--count", "8", "--seed", "3"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "8 passed, 0 failed") << r.out;
  int fc = 0;
  for (const std::string& line : LayerLines(r.out)) fc += Contains(line, "  fc x ");
  EXPECT_GT(fc, 0) << r.out;
  EXPECT_LT(fc, 8) << r.out;
  // A conv-only sweep draws no type: its layers are those of the default --types conv.
  const CliResult conv = Eyelet({"sweep", "--config", "tiny", "--types", "conv", "--count", "2"});
  const CliResult def = Eyelet({"sweep", "--config", "tiny", "--count", "2"});
  EXPECT_EQ(conv.out, def.out);
}

TEST(CliSweep, PoolLayersPassOnTiny) {
  // Standalone POOL layers among CONV and FC ones, and with --post poolings fused into the
  // output paths of some of the others: every element compared with the golden model.
  const CliResult r = Eyelet({"sweep", "--backend", "rtl", "--config", "tiny", "--types",
                              "conv,fc,pool", "--post", "--count", "16", "--seed", "1"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "16 passed, 0 failed") << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 16u) << r.out;
  int pools = 0;
  int fused = 0;
  for (const std::string& line : lines) {
    EXPECT_TRUE(Contains(line, "  PASS  ")) << line;
    pools += Contains(line, "  pool x ");
    fused += !Contains(line, "  pool x ") && Contains(line, ", max pool ");
  }
  EXPECT_GT(pools, 0) << r.out;
  EXPECT_GT(fused, 0) << r.out;
  // Pool layers alone.
  const CliResult only =
      Eyelet({"sweep", "--config", "tiny", "--types", "pool", "--count", "8", "--seed", "2"});
  EXPECT_EQ(only.code, kExitOk) << only.out << only.err;
  EXPECT_EQ(LastLine(only.out), "8 passed, 0 failed") << only.out;
  for (const std::string& line : LayerLines(only.out)) {
    EXPECT_EQ(line.find("pool x "), line.find_first_not_of("0123456789 ")) << line;
  }
}

TEST(CliSweep, ZeroLayers) {
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--count", "0"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(LastLine(r.out), "0 passed, 0 failed") << r.out;
}

TEST(CliSweep, SlowRandomMemoryAndJsonReport) {
  TempDir dir;
  const std::string json = dir.File("sweep.json");
  const CliResult r = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "2",
                              "--mem-latency", "40", "--mem-stall", "0.4", "--json", json});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "json      " + json) << r.out;
  const Json j = ReadJson(json);
  EXPECT_EQ(j.value("command", ""), "sweep") << j;
  EXPECT_EQ(j.value("backend", ""), "rtl") << j;
  EXPECT_EQ(j.value("config", ""), "tiny") << j;
  EXPECT_EQ(j.value("seed", -1), 2) << j;
  EXPECT_EQ(j.value("mem_latency", -1), 40) << j;
  EXPECT_DOUBLE_EQ(j.value("mem_stall", -1.0), 0.4) << j;
  EXPECT_EQ(j.value("passed", -1), 3) << j;
  EXPECT_EQ(j.value("failed", -1), 0) << j;
  ASSERT_TRUE(j.contains("layers") && j["layers"].is_array()) << j;
  ASSERT_EQ(j["layers"].size(), 3u) << j;
  const std::vector<std::string> lines = LayerLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (size_t i = 0; i < 3; ++i) {
    const Json& l = j["layers"][i];
    EXPECT_EQ(l.value("index", -1), static_cast<int>(i)) << l;
    EXPECT_TRUE(l.value("pass", false)) << l;
    EXPECT_GT(l.value("dram_read_bytes", 0), 0) << l;
    // The cycles printed on the layer's line.
    EXPECT_TRUE(Contains(lines[i], "  " + std::to_string(l.value("cycles", -1)) + " cycles"))
        << lines[i] << "\n"
        << l;
  }
  // The model's spread over the three layers: the errors of their lines, sorted.
  std::vector<double> errors;
  for (size_t i = 0; i < 3; ++i) {
    const Json& l = j["layers"][i];
    const double rtl = l.value("cycles", 0.0);
    errors.push_back((l.value("model_cycles", 0.0) - rtl) / rtl);
  }
  std::sort(errors.begin(), errors.end());
  ASSERT_TRUE(j.contains("model_error")) << j;
  EXPECT_EQ(j["model_error"].value("layers", -1), 3) << j;
  EXPECT_DOUBLE_EQ(j["model_error"].value("min", 9.0), errors[0]) << j;
  EXPECT_DOUBLE_EQ(j["model_error"].value("median", 9.0), errors[1]) << j;
  EXPECT_DOUBLE_EQ(j["model_error"].value("max", 9.0), errors[2]) << j;
  const int within = static_cast<int>(
      std::count_if(errors.begin(), errors.end(), [](double e) { return std::abs(e) <= 0.15; }));
  EXPECT_TRUE(Contains(r.out, "model     per-layer error (model - RTL) / RTL: min ")) << r.out;
  EXPECT_TRUE(Contains(r.out, std::to_string(within) + " of 3 layers within 15%")) << r.out;
  // The same layers with a fast memory: same results, fewer cycles waiting for DRAM.
  const CliResult fast = Eyelet({"sweep", "--config", "tiny", "--count", "3", "--seed", "2"});
  ASSERT_EQ(fast.code, kExitOk) << fast.out << fast.err;
  EXPECT_NE(LayerLines(fast.out), LayerLines(r.out));
}

TEST(CliSweep, RandomInitialStateChangesNoOutputAndNoCycle) {
  // --x-init: every layer on a new device whose unreset state (memories, flops without a
  // reset, X the RTL could produce) is drawn at random. Every layer passes with the same
  // cycles as on one device started from zeros.
  const std::string sweep = "sweep --config tiny --types conv,fc,pool,chain --post --count 10 "
                            "--seed 11";
  const CliResult zero = EyeletLine(sweep);
  ASSERT_EQ(zero.code, kExitOk) << zero.out << zero.err;
  for (const char* x : {" --x-init 1", " --x-init 2"}) {
    const CliResult r = EyeletLine(sweep + x);
    ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, std::string("random initial state (x-init ") + (x + 10) + ")"))
        << r.out;
    EXPECT_EQ(LastLine(r.out), "10 passed, 0 failed") << r.out;
    EXPECT_EQ(LayerLines(r.out), LayerLines(zero.out));
  }
  // A failure's rerun command draws the same initial state.
  const CliResult bad =
      EyeletLine("sweep --config small --count 2 --seed 5 --fault 1,1,20 --x-init 4");
  ASSERT_EQ(bad.code, kExitMismatch) << bad.out << bad.err;
  EXPECT_TRUE(Contains(bad.out, "--fault 1,1,20 --x-init 4")) << bad.out;
  EXPECT_EQ(EyeletLine("sweep --backend golden --x-init 1").code, kExitUsage);
  EXPECT_EQ(EyeletLine("sweep --x-init -1").code, kExitUsage);
}

TEST(CliSweep, TimeoutFailsAHungLayerNamesItAndTheSweepGoesOn) {
  // --timeout: a layer still running after that many cycles fails as hung (the device is
  // soft-reset and replaced); the next layer runs and passes, and the rerun command keeps the
  // limit. Layer 1 of seed 1 takes 1,572 cycles on tiny, layer 0 988.
  const CliResult r =
      EyeletLine("sweep --config tiny --types conv,fc,pool,chain --post --count 2 --seed 1 "
                 "--timeout 1200");
  ASSERT_EQ(r.code, kExitMismatch) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "did not finish within 1200 cycles")) << r.out;
  EXPECT_TRUE(Contains(r.out, "--index 1 ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "--timeout 1200")) << r.out;
  EXPECT_EQ(LastLine(r.out), "1 passed, 1 failed") << r.out;
  EXPECT_EQ(EyeletLine("sweep --timeout 0").code, kExitUsage);
}

TEST(CliSweep, BoardSystemThroughItsUartSkipsWhatItsDramCannotHold) {
  // rtl-uart: the Verilated board system, every register access and DRAM block sent as UART
  // frames through the bridge's pins. Its DRAM is the board's 128 KB: layers 6 and 8 of seed
  // 16 (FC weights of 171 and 139 KB) are skipped, every other output is checked.
  const CliResult r = EyeletLine(
      "sweep --backend rtl-uart --config up5k --types conv,fc,pool,chain --post --count 10 "
      "--seed 16");
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(LastLine(r.out), "8 passed, 0 failed, 2 skipped (larger than the device's DRAM)")
      << r.out;
  EXPECT_TRUE(Contains(r.out, "rtl-uart:up5k: DRAM window of 131072 bytes is full")) << r.out;
  EXPECT_EQ(EyeletLine("sweep --backend rtl --port /dev/ttyUSB1").code, kExitUsage);
  const CliResult no_port = EyeletLine("sweep --backend uart --config tiny");
  EXPECT_EQ(no_port.code, kExitUsage);
  EXPECT_TRUE(Contains(no_port.err, "--port /dev/ttyUSB1")) << no_port.err;
}

TEST(CliSweep, BadMemoryFlagsAreUsageErrors) {
  EXPECT_EQ(Eyelet({"sweep", "--mem-latency", "0"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"sweep", "--mem-stall", "1.5"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"sweep", "--json", "/nonexistent/dir/x.json"}).code, kExitError);
}

TEST(CliSweep, GoldenBackendRunsTheSameLayers) {
  // The golden device runs the very same layers, mappings and output paths as the rtl one
  // (each checked against golden.h); it has no cycles to print.
  const std::string sweep = "sweep --config tiny --types conv,fc,pool --post --count 8 --seed 4";
  const CliResult g = EyeletLine(sweep + " --backend golden");
  const CliResult a = EyeletLine(sweep + " --backend rtl");
  ASSERT_EQ(g.code, kExitOk) << g.out << g.err;
  ASSERT_EQ(a.code, kExitOk) << a.out << a.err;
  EXPECT_EQ(LastLine(g.out), "8 passed, 0 failed") << g.out;
  const std::vector<std::string> gl = LayerLines(g.out), al = LayerLines(a.out);
  ASSERT_EQ(gl.size(), 8u) << g.out;
  ASSERT_EQ(al.size(), 8u) << a.out;
  for (size_t i = 0; i < gl.size(); ++i) {
    // Everything up to PASS: the layer, its mapping and its output path.
    EXPECT_EQ(gl[i].substr(0, gl[i].find("  PASS")), al[i].substr(0, al[i].find("  PASS")));
    EXPECT_FALSE(Contains(gl[i], " cycles (model")) << gl[i];
  }
  EXPECT_TRUE(Contains(g.out, "golden backend")) << g.out;
}

}  // namespace
}  // namespace eyelet
