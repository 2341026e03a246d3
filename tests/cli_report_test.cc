// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet layer --report DIR` in-process: the heat map and the timeline of a run on the
// Verilated accelerator carry the run's own counters (the --json report of the same command),
// and the flag fails before any work, writing nothing, where it cannot be honoured.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "cli_util.h"
#include "eyelet/cli.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using test::Contains;
using test::EyeletLine;

bool IsEmptyDir(const fs::path& p) { return fs::is_directory(p) && fs::is_empty(p); }

TEST(CliReport, GoldenBackendFailsClearlyAndWritesNothing) {
  test::TempDir dir;
  const test::CliResult r = EyeletLine("layer --seed 3 --report " + dir.path().string());
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "golden backend records no activity")) << r.err;
  EXPECT_TRUE(Contains(r.err, "--backend rtl")) << r.err;
  EXPECT_FALSE(Contains(r.out, "result")) << "nothing ran";
  EXPECT_TRUE(IsEmptyDir(dir.path()));
}

TEST(CliReport, MissingDirectoryFailsBeforeTheRun) {
  test::TempDir dir;
  const std::string missing = dir.File("not_there");
  const test::CliResult r =
      EyeletLine("layer --backend rtl --config tiny --seed 3 --report " + missing);
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "not a directory")) << r.err;
  EXPECT_FALSE(Contains(r.out, "result")) << "nothing ran";
  EXPECT_FALSE(fs::exists(missing));
}

TEST(CliReport, WithTraceIsAUsageError) {
  test::TempDir dir;
  const test::CliResult r = EyeletLine("layer --backend rtl --config tiny --seed 3 --trace " +
                                       dir.File("t.fst") + " --report " + dir.path().string());
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_TRUE(IsEmptyDir(dir.path()));
}

// The pictures of a real run agree with the counters the same command writes to --json.
TEST(CliReport, PicturesCarryTheRunsCounters) {
  test::TempDir dir;
  const std::string d = dir.path().string();
  const test::CliResult r = EyeletLine("layer --backend rtl --config small --seed 5 --json " +
                                       dir.File("run.json") + " --report " + d);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "report    " + d + "/heatmap.svg")) << r.out;
  const nlohmann::json counters = test::ReadJson(dir.File("run.json"));

  const std::string svg = test::ReadTextFile(dir.File("heatmap.svg"));
  static const std::regex kCell(
      "<rect data-panel=\"(\\w+)\" data-row=\"\\d+\" "
      "data-col=\"\\d+\" data-value=\"(\\d+)\"");
  std::map<std::string, uint64_t> sums;
  int cells = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kCell); it != std::sregex_iterator();
       ++it) {
    sums[(*it)[1].str()] += std::stoull((*it)[2].str());
    ++cells;
  }
  EXPECT_EQ(cells, 3 * 6 * 7);
  EXPECT_EQ(sums["macs"], counters["macs"].get<uint64_t>());
  EXPECT_EQ(sums["skipped"], counters["macs_zero_gated"].get<uint64_t>());
  EXPECT_TRUE(Contains(svg, counters["mapping"].get<std::string>())) << "the title names it";

  const nlohmann::json tl = test::ReadJson(dir.File("timeline.json"));
  uint64_t passes = 0, rd = 0, wr = 0;
  for (const auto& e : tl["traceEvents"]) {
    if (e["ph"] == "X" && e["name"].get<std::string>().rfind("pass ", 0) == 0) ++passes;
    if (e["ph"] == "C" && e["name"] == "DMA read bytes") rd = e["args"]["bytes"];
    if (e["ph"] == "C" && e["name"] == "DMA write bytes") wr = e["args"]["bytes"];
  }
  EXPECT_EQ(passes, counters["passes"].get<uint64_t>());
  EXPECT_EQ(rd, counters["dram_read_bytes"].get<uint64_t>());
  EXPECT_EQ(wr, counters["dram_write_bytes"].get<uint64_t>());
  EXPECT_TRUE(fs::exists(dir.File("activity.fst")));
}

// `eyelet run --report`: the whole network run; the bytes the DMA engines moved are the DRAM
// bytes of every layer of every chain run that the --json table splits by layer.
TEST(CliReport, NetworkRunMovesTheBytesItsLayersCounted) {
  test::TempDir dir;
  const std::string d = dir.path().string();
  const test::CliResult r = test::Eyelet(
      {"run", std::string(EY_MODELS_DIR) + "/fashion_cnn.onnx", "--input",
       std::string(EY_TEST_DATA_DIR) + "/fashion_first8_images.npy", "--count", "2", "--batch", "2",
       "--backend", "rtl", "--config", "small", "--json", dir.File("run.json"), "--report", d});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  const nlohmann::json run = test::ReadJson(dir.File("run.json"));
  uint64_t layer_bytes = 0;
  for (const auto& l : run["layers"]) layer_bytes += l["dram_bytes"].get<uint64_t>();
  const nlohmann::json tl = test::ReadJson(dir.File("timeline.json"));
  uint64_t rd = 0, wr = 0, passes = 0;
  for (const auto& e : tl["traceEvents"]) {
    if (e["ph"] == "C" && e["name"] == "DMA read bytes") rd = e["args"]["bytes"];
    if (e["ph"] == "C" && e["name"] == "DMA write bytes") wr = e["args"]["bytes"];
    if (e["ph"] == "X" && e["name"].get<std::string>().rfind("pass ", 0) == 0) ++passes;
  }
  EXPECT_EQ(rd + wr, layer_bytes);
  EXPECT_GE(passes, run["layers"].size());
  const std::string svg = test::ReadTextFile(dir.File("heatmap.svg"));
  EXPECT_TRUE(Contains(svg, "fashion_cnn.onnx, 5 layers, 2 images")) << "the title names the run";
}

}  // namespace
}  // namespace eyelet
