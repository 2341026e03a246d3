// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The bench report's parts without a simulator (eyelet/bench.h): Eyeriss's measured tables as
// read from data/eyeriss/, model rows equal to the cost model, totals, JSON and SVG.
#include "eyelet/bench.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "eyelet/desc.h"
#include "eyelet/error.h"
#include "eyelet/map_report.h"
#include "test_util.h"

namespace eyelet {
namespace {

using Json = nlohmann::json;

// The figures below are JSSC 2017's Tables V and VI (ARCHITECTURE.md section 2), typed from
// the paper, not from the reader's output.
TEST(EyerissMeasured, AlexNetTableAsPublished) {
  const EyerissTable t = ReadEyerissMeasured(EyerissMeasuredPath("alexnet"));
  EXPECT_EQ(t.batch, 4);
  ASSERT_EQ(t.layers.size(), 5u);
  EXPECT_EQ(t.layers[0].layer, "CONV1");
  EXPECT_DOUBLE_EQ(t.layers[0].total_ms, 20.9);
  EXPECT_DOUBLE_EQ(*t.layers[0].dram_mb, 5.0);
  EXPECT_DOUBLE_EQ(*t.layers[4].util_proc, 0.890);
  EXPECT_EQ(t.layers[1].macs, 4 * 223948800LL);  // CONV2, 4 images
  ASSERT_TRUE(t.total);
  EXPECT_EQ(t.total->Cycles(), 23'060'000);  // 115.3 ms at 200 MHz
  EXPECT_DOUBLE_EQ(*t.total->dram_mb, 15.4);
  EXPECT_DOUBLE_EQ(*t.total->util_proc, 0.766);
  EXPECT_NEAR(t.total->UtilTotal(), 0.687, 0.0005);  // 68.7 % including DRAM stalls
  EXPECT_EQ(t.Find("CONV3")->active_pes, 156);
  EXPECT_EQ(t.Find("FC1"), nullptr);
}

TEST(EyerissMeasured, Vgg16TableHasNoDramColumn) {
  const EyerissTable t = ReadEyerissMeasured(EyerissMeasuredPath("vgg16"));
  EXPECT_EQ(t.batch, 3);
  ASSERT_EQ(t.layers.size(), 13u);
  EXPECT_EQ(t.layers[12].layer, "CONV5-3");
  ASSERT_TRUE(t.total);
  EXPECT_DOUBLE_EQ(*t.total->util_proc, 0.318);
  EXPECT_FALSE(t.total->dram_mb);
  EXPECT_FALSE(t.layers[0].dram_mb);
}

std::string TempCsv(const std::string& text) {
  const std::string path = testing::TempDir() + "/eyeriss_bad_" + std::to_string(getpid()) + ".csv";
  std::ofstream(path) << text;
  return path;
}

TEST(EyerissMeasured, MalformedTablesAreFileErrors) {
  EXPECT_THROW(ReadEyerissMeasured("/nonexistent/eyeriss_x_measured.csv"), FileError);
  for (const std::string& text :
       {std::string("# only a comment\n"), std::string("name,total_ms\nCONV1,1\n"),
        std::string("layer,total_ms,macs_batch4\nCONV1,1\n"),
        std::string("layer,total_ms,macs_batch4\nCONV1,abc,100\n"),
        std::string("layer,total_ms\nCONV1,1\n")}) {
    SCOPED_TRACE(text);
    const std::string path = TempCsv(text);
    EXPECT_THROW(ReadEyerissMeasured(path), FileError);
    std::remove(path.c_str());
  }
}

// Every model row's figures are the cost model's for the mapper's mapping and tiling.
TEST(BenchRows, ModelRowsAreTheCostModels) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const Net& net = NetByName("alexnet");
  const EyerissTable ey = ReadEyerissMeasured(EyerissMeasuredPath("alexnet"));
  const BenchReport r = BenchNet(net, hw, 4, {}, "rtl", ey);
  ASSERT_EQ(r.rows.size(), 5u);
  int64_t cycles = 0, dram = 0;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const BenchRow& row = r.rows[i];
    SCOPED_TRACE(row.name);
    const MapRow m = MapLayer(row.name, BenchLayer(net.layers[i], 4), hw);
    EXPECT_EQ(row.layer.post, kPostBias | kPostRequant | kPostRelu);  // int16 ReLU outputs
    ASSERT_EQ(row.error, "");
    EXPECT_EQ(row.source, "model");
    EXPECT_EQ(row.cycles, m.cost.time.cycles);
    EXPECT_EQ(row.array_cycles, m.cost.time.compute_cycles);
    EXPECT_EQ(row.dram_bytes, m.cost.time.DramBytes());
    EXPECT_EQ(row.min_dram_bytes, m.min_dram_bytes);
    EXPECT_EQ(row.macs, m.cost.access.macs);
    EXPECT_EQ(row.counts.noc_filter, m.cost.access.noc_filter);
    EXPECT_EQ(row.counts.noc_ifmap, m.cost.access.noc_ifmap);
    EXPECT_EQ(row.counts.noc_psum_in, m.cost.access.noc_psum_in);
    EXPECT_EQ(row.counts.noc_psum_out, m.cost.access.noc_psum_out);
    EXPECT_EQ(row.counts.dram_output_bytes, m.cost.time.dram_write_bytes);
    EXPECT_EQ(row.counts.skipped, m.cost.access.padding_macs);
    EXPECT_EQ(row.counts.macs, m.cost.access.macs - m.cost.access.padding_macs);
    EXPECT_DOUBLE_EQ(row.energy.Total(), EstimateEnergy(ModelEnergyCounts(m.cost, hw)).Total());
    EXPECT_EQ(row.layer_macs, 4 * net.layers[i].macs);  // the CSV's MACs per image
    EXPECT_DOUBLE_EQ(row.UtilTotal(),
                     static_cast<double>(row.layer_macs) / (168.0 * m.cost.time.cycles));
    ASSERT_TRUE(row.eyeriss);
    EXPECT_EQ(row.eyeriss->layer, row.name);
    cycles += row.cycles;
    dram += row.dram_bytes;
  }
  EXPECT_EQ(r.total.cycles, cycles);
  EXPECT_EQ(r.total.dram_bytes, dram);
  EXPECT_EQ(r.total.source, "model");
  EXPECT_DOUBLE_EQ(*r.total.eyeriss->dram_mb, 15.4);
  EXPECT_TRUE(r.AllPass());
}

TEST(BenchRows, RlcRatiosOfSyntheticIfmaps) {
  // No zeros: a pair per value, three values a 64-bit word: 4/3 of the raw bytes when each
  // plane's size is a multiple of 3 (6 x 6 = 36 values, 12 words of 8 bytes against 72 bytes).
  EXPECT_DOUBLE_EQ(RlcRatio(Shape{2, 3, 6, 6}, 0.0), 96.0 / 72.0);
  // All zeros: a 36-value plane is (31, 0) (3, 0): one word against 72 bytes.
  EXPECT_DOUBLE_EQ(RlcRatio(Shape{2, 3, 6, 6}, 1.0), 8.0 / 72.0);
  // In between it falls as the zero fraction rises.
  const Shape x{1, 16, 27, 27};
  EXPECT_GT(RlcRatio(x, 0.3), RlcRatio(x, 0.6));
  EXPECT_GT(RlcRatio(x, 0.6), RlcRatio(x, 0.8));
}

TEST(BenchRows, RlcCutsTheFeatureMapBytesButTheFirstInputAndTheLastOutput) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const EyerissTable ey = ReadEyerissMeasured(EyerissMeasuredPath("alexnet"));
  const BenchReport r = BenchNet(NetByName("alexnet"), hw, 4, {}, "rtl", ey);
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_FALSE(r.rows[0].rlc_ifmap_ratio.has_value());  // CONV1 reads the image raw
  int64_t sum = r.rows[0].dram_bytes_rlc;
  for (size_t i = 1; i < r.rows.size(); ++i) {
    const BenchRow& row = r.rows[i];
    ASSERT_TRUE(row.rlc_ifmap_ratio.has_value()) << row.name;
    EXPECT_DOUBLE_EQ(*row.rlc_ifmap_ratio, RlcRatio(row.layer.x, *row.eyeriss->ifmap_zero_frac));
    sum += row.dram_bytes_rlc;
  }
  // Each layer's int16 ReLU outputs are coded at the next layer's measured ifmap zero
  // fraction; CONV5's, with no next layer in the table, stay raw.
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const BenchRow& row = r.rows[i];
    SCOPED_TRACE(row.name);
    int64_t want = row.dram_bytes;
    if (i > 0) {
      want -= std::llround(static_cast<double>(row.counts.dram_ifmap_bytes) *
                           (1.0 - *row.rlc_ifmap_ratio));
    }
    if (i + 1 < r.rows.size()) {
      ASSERT_TRUE(row.rlc_output_ratio.has_value());
      EXPECT_DOUBLE_EQ(*row.rlc_output_ratio,
                       RlcRatio(row.layer.Out(), *r.rows[i + 1].eyeriss->ifmap_zero_frac));
      want -= std::llround(static_cast<double>(row.counts.dram_output_bytes) *
                           (1.0 - *row.rlc_output_ratio));
    } else {
      EXPECT_FALSE(row.rlc_output_ratio.has_value());
    }
    EXPECT_EQ(row.dram_bytes_rlc, want);
    EXPECT_LT(row.dram_bytes_rlc, row.dram_bytes);
  }
  EXPECT_EQ(r.total.dram_bytes_rlc, sum);
}

TEST(BenchRows, JsonHasEveryRowAndTotal) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const EyerissTable ey = ReadEyerissMeasured(EyerissMeasuredPath("vgg16"));
  const BenchReport r = BenchNet(NetByName("vgg16"), hw, 3, {}, "rtl", ey);
  const Json j = Json::parse(BenchJson(r));
  EXPECT_EQ(j["net"], "vgg16");
  EXPECT_EQ(j["batch"], 3);
  ASSERT_EQ(j["rows"].size(), 13u);
  double energy = 0;
  for (size_t i = 0; i < 13; ++i) {
    const Json& row = j["rows"][i];
    EXPECT_EQ(row["layer"], r.rows[i].name);
    EXPECT_EQ(row["source"], "model");
    EXPECT_EQ(row["cycles"], r.rows[i].cycles);
    EXPECT_TRUE(row["eyeriss"]["dram_mb"].is_null());  // not in the VGG-16 table
    energy += row["energy"]["total"].get<double>();
  }
  EXPECT_EQ(j["rows"][0]["eyeriss"]["total_ms"], 76.2);  // CONV1-1, Table VI
  EXPECT_EQ(j["total"]["eyeriss"]["util_proc"], 0.318);
  EXPECT_NEAR(j["total"]["energy"]["total"].get<double>(), energy, 1e-6 * energy);
  // The SVG draws a bar group per layer and is well-formed enough to end.
  const std::string svg = BenchSvg(r);
  EXPECT_NE(svg.find("CONV5-3"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

}  // namespace
}  // namespace eyelet
