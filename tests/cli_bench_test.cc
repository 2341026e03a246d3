// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet bench`: usage errors, the JSON report against Eyeriss's published table, and a
// simulated row (BenchDeviceRow) whose counts are the RTL counters and the cost model's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_util.h"
#include "eyelet/backend.h"
#include "eyelet/bench.h"
#include "eyelet/cli.h"
#include "eyelet/desc_codec.h"
#include "eyelet/golden.h"
#include "eyelet/rng.h"
#include "eyelet/runtime.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using test::CliResult;
using test::Contains;
using test::Conv;
using test::Eyelet;

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/bench_" + std::to_string(getpid()) + "_" + name;
}

TEST(CliBench, UsageErrorsExitTwoAndWriteNothing) {
  const std::string json = TempPath("usage.json"), svg = TempPath("usage.svg");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--net", "resnet50"}, "unknown net 'resnet50'"},
      {{"--net", "alexnet", "--batch", "0"}, "--batch"},
      {{"--net", "alexnet", "--batch", "-2"}, "--batch"},
      {{"--net", "alexnet", "--batch", "four"}, "--batch"},
      {{"--net", "alexnet", "--config", "huge"}, "huge"},
      {{"--net", "alexnet", "--rtl", "CONV9"}, "no layer 'CONV9'"},
      {{"--batch", "4"}, "--net is required"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"bench", "--json", json, "--svg", svg};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliResult r = Eyelet(args);
    SCOPED_TRACE(r.err);
    EXPECT_EQ(r.code, kExitUsage);
    EXPECT_TRUE(Contains(r.err, c.message)) << c.message;
    EXPECT_TRUE(Contains(r.err, "usage: eyelet bench"));
    EXPECT_FALSE(fs::exists(json));
    EXPECT_FALSE(fs::exists(svg));
  }
}

// Eyeriss's figures in the JSON are JSSC 2017 Table V's (typed from the paper).
TEST(CliBench, AlexNetJsonHasARowPerLayerWithEyerissFigures) {
  const std::string json = TempPath("alexnet.json"), svg = TempPath("alexnet.svg");
  const CliResult r = Eyelet({"bench", "--net", "alexnet", "--json", json, "--svg", svg});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "batch 4, config eyeriss"));  // Eyeriss's batch by default
  const Json j = test::ReadJson(json);
  EXPECT_EQ(j["command"], "bench");
  EXPECT_EQ(j["batch"], 4);
  const std::vector<std::string> names = {"CONV1", "CONV2", "CONV3", "CONV4", "CONV5"};
  const double total_ms[] = {20.9, 41.9, 23.6, 18.4, 10.5};
  const double dram_mb[] = {5.0, 4.0, 3.0, 2.1, 1.3};
  const double util_proc[] = {0.761, 0.680, 0.817, 0.834, 0.890};
  ASSERT_EQ(j["rows"].size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const Json& row = j["rows"][i];
    SCOPED_TRACE(names[i]);
    EXPECT_EQ(row["layer"], names[i]);
    EXPECT_EQ(row["source"], "model");
    EXPECT_GT(row["cycles"].get<int64_t>(), 0);
    EXPECT_GT(row["energy"]["total"].get<double>(), 0);
    EXPECT_EQ(row["eyeriss"]["total_ms"], total_ms[i]);
    EXPECT_EQ(row["eyeriss"]["dram_mb"], dram_mb[i]);
    EXPECT_EQ(row["eyeriss"]["util_proc"], util_proc[i]);
  }
  EXPECT_EQ(j["total"]["eyeriss"]["cycles"], 23'060'000);
  EXPECT_EQ(j["total"]["eyeriss"]["dram_mb"], 15.4);
  EXPECT_TRUE(fs::exists(svg));
  fs::remove(json);
  fs::remove(svg);
}

TEST(CliBench, GivenBatchIsNotedAgainstEyeriss) {
  const CliResult r = Eyelet({"bench", "--net", "vgg16", "--batch", "1", "--config", "small"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.out, "Eyeriss's figures are for batch 3, ours for batch 1"));
  EXPECT_TRUE(Contains(r.out, "CONV5-3"));
}

// A layer simulated on the Verilated `small` build: its output checked, its spad, NoC, MAC and
// DRAM counts (the RTL counters) equal to the cost model's for the mapping it ran.
TEST(BenchRtl, SimulatedRowCountsAreTheRtlCountersAndTheModels) {
  const ArrayConfig& hw = ConfigByName("small");
  ConvLayer l = Conv(2, 4, 10, 10, 8, 3, 3, 1, 1);
  l.post = kPostBias | kPostRequant | kPostRelu;  // as bench runs a network's layers
  const BenchRow row = BenchDeviceRow("small-conv", l, hw, "rtl:small", 3);
  ASSERT_EQ(row.error, "");
  EXPECT_EQ(row.source, "rtl");
  EXPECT_TRUE(row.pass) << row.check;
  const CostEstimate m = EvaluateMapping(l, hw, row.mapping, row.tiling);
  EXPECT_EQ(row.counts.macs + row.counts.skipped, m.access.macs);
  EXPECT_EQ(row.macs, m.access.macs);
  EXPECT_EQ(row.counts.noc_filter, m.access.noc_filter);
  EXPECT_EQ(row.counts.noc_ifmap, m.access.noc_ifmap);
  EXPECT_EQ(row.counts.noc_psum_in, m.access.noc_psum_in);
  EXPECT_EQ(row.counts.noc_psum_out, m.access.noc_psum_out);
  EXPECT_EQ(row.counts.spad_ifmap_writes, m.access.spad_ifmap_writes);
  EXPECT_EQ(row.counts.spad_ifmap_reads, m.access.spad_ifmap_reads);
  EXPECT_EQ(row.counts.spad_filter_writes, m.access.spad_filter_writes);
  EXPECT_EQ(row.counts.ln_psum, m.access.ln_psum);
  // DRAM: the counters' bytes less the descriptor are the model's ifmap + filter + table bytes,
  // and the ifmap and filter bytes are the model's (the table's are control).
  EXPECT_EQ(row.dram_bytes, m.time.DramBytes() + static_cast<int64_t>(kDescBytes));
  EXPECT_EQ(row.counts.dram_ifmap_bytes, m.time.dram_ifmap_bytes);
  EXPECT_EQ(row.counts.dram_filter_bytes, m.time.dram_filter_bytes);
  EXPECT_EQ(row.counts.dram_output_bytes, m.time.dram_write_bytes);
  // Cycles are the calibrated model's business (cost_model_test.cc); here only roughly.
  EXPECT_NEAR(static_cast<double>(row.cycles), static_cast<double>(m.time.cycles),
              0.1 * static_cast<double>(row.cycles));
  // With every count equal, so is the energy (random data: zero gating is counted as run).
  EXPECT_GE(row.counts.skipped, m.access.padding_macs);  // padding, and the data's zeros
  EnergyCounts model = ModelEnergyCounts(m, hw);
  model.macs += model.skipped - row.counts.skipped;
  model.skipped = row.counts.skipped;
  EXPECT_DOUBLE_EQ(row.energy.Total(), EstimateEnergy(model).Total());
}

// With no zero in the data, the MACs the PEs gate are those on padding: the cost model's
// padding_macs (taps on padding rows and columns, rows past the last output row, channels past
// a partial channel block; filters past a partial filter block read real ifmaps) equal CNT_SKIP.
TEST(BenchRtl, PaddingMacsAreTheZeroGatedMacsOfDenseData) {
  ConvLayer grouped = Conv(2, 8, 12, 12, 6, 3, 3, 1, 1);
  grouped.w.c = 4;
  grouped.conv.groups = 2;
  struct Case {
    const char* config;
    ConvLayer layer;
    RsMapping mapping;
  };
  const Case cases[] = {
      {"small", Conv(2, 4, 10, 10, 8, 3, 3, 1, 1), test::Rs(5, 2, 2, 1, 2)},
      {"tiny", Conv(1, 3, 17, 15, 5, 2, 3, 3, 1), test::Rs(3, 2, 1, 1, 1)},  // stride 3
      {"tiny", Conv(2, 3, 9, 8, 4, 5, 5, 1, 1), test::Rs(2, 1, 1, 1, 2)},    // 2 filter-row groups
      {"small", Conv(1, 4, 12, 12, 24, 5, 5, 1, 2), test::Rs(4, 12, 2, 1, 1)},
      {"tiny", grouped, test::Rs(2, 3, 1, 1, 1)},
      {"small", Conv(1, 5, 9, 11, 6, 3, 3, 2, 1), test::Rs(3, 4, 2, 1, 1)},  // partial blocks
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.config) + " " + c.layer.ToString());
    const ArrayConfig& hw = ConfigByName(c.config);
    Rng rng(11);
    const Tensor<int16_t> x = test::RandomTensor(c.layer.x, rng, 1, 300);  // no zeros
    const Tensor<int16_t> w = test::RandomTensor(c.layer.w, rng, -300, 300);
    RsMapping m = c.mapping;
    m.n = c.layer.x.n;
    const std::unique_ptr<Device> dev = OpenDevice(std::string("rtl:") + c.config);
    const LayerResult r = RunConv(*dev, c.layer, x, w, &m);
    EXPECT_TRUE(test::SameTensor(r.y, ConvAcc(x, w, c.layer.conv)));
    const CostEstimate model = EvaluateMapping(c.layer, hw, r.mapping, r.tiling);
    EXPECT_EQ(model.access.padding_macs, static_cast<int64_t>(r.counters.skipped));
    EXPECT_EQ(model.access.macs - model.access.padding_macs, static_cast<int64_t>(r.counters.macs));
  }
}

}  // namespace
}  // namespace eyelet
