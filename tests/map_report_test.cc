// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The mapping report (eyelet/map_report.h): the table and JSON of a net mapped on a config.
#include "eyelet/map_report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "eyelet/mapping.h"
#include "eyelet/nets.h"
#include "test_util.h"

namespace eyelet {
namespace {

using test::Conv;

TEST(MapReport, AlexNetTableHasEveryLayer) {
  const ArrayConfig& hw = ConfigByName("eyeriss");
  const std::vector<MapRow> rows = MapNet(NetByName("alexnet"), hw, 4);
  const std::string table = FormatMapTable("alexnet", rows, hw);
  ASSERT_EQ(rows.size(), 5u);
  const int pes[] = {154, 135, 156, 156, 156};
  const int filter_spad[] = {176, 160, 192, 144, 144};
  for (int i = 0; i < 5; ++i) {
    const MapRow& r = rows[static_cast<size_t>(i)];
    const std::string name = "CONV" + std::to_string(i + 1);
    ASSERT_EQ(r.name, name);
    // Our mapping (CONV1's in row bands) and Eyeriss's in the first table, details in the
    // second.
    std::istringstream in(table);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) {
      if (line.rfind(name + " ", 0) == 0) lines.push_back(line);
    }
    ASSERT_EQ(lines.size(), 2u) << table;
    EXPECT_EQ(r.error, "");
    const std::string chunks = " " + std::to_string(r.tiling.nb) + "," +
                               std::to_string(r.tiling.mc) + "," + std::to_string(r.tiling.cc) +
                               "," + std::to_string(r.tiling.sb) + " ";
    EXPECT_NE(lines[0].find(chunks), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(" " + std::to_string(r.cost.time.cycles) + " "), std::string::npos)
        << lines[0];
    EXPECT_NE(lines[0].find(" " + std::to_string(pes[i]) + " "), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("/" + std::to_string(filter_spad[i]) + "/"), std::string::npos)
        << lines[1];
    EXPECT_NE(lines[1].find("no: "), std::string::npos) << lines[1];
  }
  EXPECT_NE(table.find(" nb,mc,cc,sb "), std::string::npos) << table;
  // Every layer maps, CONV1 in 14 bands of 1 strip, CONV2 in 2 bands of 2 strips (psums in
  // half of each psum bank), the others in one band.
  EXPECT_EQ(table.find("no mapping"), std::string::npos) << table;
  EXPECT_EQ(table.find("[1]"), std::string::npos) << table;
  EXPECT_EQ(std::vector<int>({rows[0].tiling.sb, rows[0].mapping.strips}),
            std::vector<int>({1, 14}));
  EXPECT_EQ(std::vector<int>({rows[1].tiling.sb, rows[1].mapping.strips}),
            std::vector<int>({2, 4}));
  for (size_t i = 2; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].tiling.sb, rows[i].mapping.strips) << rows[i].name;
  }
  // With a GLB that holds whole images, every layer runs in one band.
  ArrayConfig roomy = hw;
  roomy.glb_ifmap_words = roomy.glb_filter_words = 1 << 22;
  roomy.glb_psum_words = 1 << 20;
  const std::vector<MapRow> ours = MapNet(NetByName("alexnet"), roomy, 4);
  for (const MapRow& r : ours) {
    EXPECT_EQ(r.error, "") << r.name;
    EXPECT_EQ(r.tiling.sb, r.mapping.strips) << r.name;
  }
  EXPECT_EQ(FormatMapTable("alexnet", ours, roomy).find("no mapping"), std::string::npos);
}

TEST(MapReport, JsonHasTheSameRows) {
  const ArrayConfig& hw = ConfigByName("small");
  const ConvLayer l = Conv(2, 8, 12, 12, 16, 3, 3, 1, 1);
  const std::vector<MapRow> rows = {MapLayer("layer", l, hw)};
  ASSERT_EQ(rows[0].error, "");
  const std::string json = MapTableJson("one", rows, hw);
  EXPECT_NE(json.find("\"layer\": \"layer\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"cycles\": " + std::to_string(rows[0].cost.time.cycles)),
            std::string::npos);
  EXPECT_NE(json.find("\"eyeriss\": null"), std::string::npos);
  // Without Eyeriss rows the table has only our columns.
  EXPECT_EQ(FormatMapTable("one", rows, hw).find("Eyeriss"), std::string::npos);
}

}  // namespace
}  // namespace eyelet
