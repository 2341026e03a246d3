// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The JSON that remains in the library (map_report.h's MapTableJson, written with nlohmann):
// a valid document whose fields are the rows' values, checked by parsing it back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "eyelet/map_report.h"
#include "eyelet/mapping.h"
#include "eyelet/nets.h"

namespace eyelet {
namespace {

using Json = nlohmann::json;

ConvLayer Conv3() {
  ConvLayer l;
  l.x = Shape{1, 32, 13, 13};
  l.w = Shape{64, 32, 3, 3};
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = 1;
  return l;
}

TEST(Json, MapTableHoldsTheRowsValues) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const MapRow row = MapLayer("conv3", Conv3(), hw);
  ASSERT_TRUE(row.error.empty()) << row.error;
  const std::string text = MapTableJson("one layer", {row}, hw);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const Json j = Json::parse(text);
  EXPECT_EQ(j["title"], "one layer");
  EXPECT_EQ(j["config"]["name"], "eyeriss");
  EXPECT_EQ(j["config"]["rows"], hw.rows);
  ASSERT_EQ(j["layers"].size(), 1u);
  const Json& r = j["layers"][0];
  EXPECT_EQ(r["layer"], "conv3");
  EXPECT_EQ(r["shape"]["c"], 32);
  EXPECT_EQ(r["shape"]["pad_top"], 1);
  EXPECT_EQ(r["macs"], Conv3().Macs());
  EXPECT_EQ(r["ours"]["e"], row.mapping.e);
  EXPECT_EQ(r["ours"]["t"], row.mapping.t);
  EXPECT_EQ(r["ours"]["tiling"]["nb"], row.tiling.nb);
  EXPECT_EQ(r["ours"]["cycles"], row.cost.time.cycles);
  EXPECT_EQ(r["ours"]["accesses"]["macs"], row.cost.access.macs);
  EXPECT_TRUE(r["eyeriss"].is_null());
  EXPECT_TRUE(r["cycles_ours_over_eyeriss"].is_null());
  // Keys keep the order they were written in (title first, layers last).
  EXPECT_EQ(nlohmann::ordered_json::parse(text).begin().key(), "title");
}

TEST(Json, MapTableNamesTheLimitOfAnUnmappableLayer) {
  const ArrayConfig& hw = ConfigByName("tiny");
  ConvLayer l;
  l.x = Shape{1, 1, 100, 1000};
  l.w = Shape{4, 1, 9, 9};
  const MapRow row = MapLayer("wide", l, hw);
  ASSERT_FALSE(row.error.empty());
  const Json j = Json::parse(MapTableJson("t", {row}, hw));
  const Json& ours = j["layers"][0]["ours"];
  EXPECT_EQ(ours.size(), 1u) << ours;
  EXPECT_EQ(ours["error"], row.error);
}

TEST(Json, MapTableOfAlexNetHasEyerissBesideOurs) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const std::vector<MapRow> rows = MapNet(NetByName("alexnet"), hw, 4);
  const Json j = Json::parse(MapTableJson("alexnet", rows, hw));
  ASSERT_EQ(j["layers"].size(), rows.size());
  int with_eyeriss = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = j["layers"][i];
    if (!rows[i].eyeriss) continue;
    ++with_eyeriss;
    EXPECT_EQ(r["eyeriss"]["paper"]["active_pes"], rows[i].published->active_pes);
    EXPECT_TRUE(r["eyeriss"]["glb_ifmap_kb"].is_number()) << r;
    if (rows[i].error.empty()) {
      EXPECT_TRUE(r["cycles_ours_over_eyeriss"].is_number()) << r;
    }
  }
  EXPECT_GT(with_eyeriss, 0);
}

}  // namespace
}  // namespace eyelet
