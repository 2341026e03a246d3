// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The activity pictures (activity.h) from made-up numbers: the heat map is well-formed XML with
// one cell per PE and panel carrying that PE's number, row 0 drawn at the bottom; the timeline
// parses as JSON with the events and timestamps the numbers give. tests/activity_rtl_test.cc
// measures real runs.
#include "eyelet/activity.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <tuple>

#include "eyelet/backend.h"
#include "eyelet/error.h"
#include "test_util.h"

namespace eyelet {
namespace {

// A 3 x 4 array with a different number in every PE and panel.
ArrayActivity MadeUp() {
  ArrayActivity a;
  a.rows = 3;
  a.cols = 4;
  for (int k = 0; k < 12; ++k) {
    a.macs.push_back(1000 + k);
    a.skipped.push_back(2000 + 3 * k);
    a.idle.push_back(7 * k);
  }
  a.array_cycles = 5000;
  a.end_cycle = 6000;
  a.load = {{10, 110}, {400, 420}};
  a.run = {{120, 3000}};
  a.store = {{3000, 3500}};
  a.passes = {{130, 1000}, {1000, 2000}, {2000, 2990}};
  a.dma_rd = {{12, 100}, {401, 419}};
  a.dma_wr = {{3010, 3490}};
  a.rd_bytes = {{50, 64}, {100, 200}, {419, 236}};
  a.wr_bytes = {{3490, 512}};
  return a;
}

// Whether `xml` is well-formed as far as this test needs: every element closed in order,
// attribute values quoted, no bare '<' or '&' in text or attributes.
::testing::AssertionResult WellFormed(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      static const std::regex kEntity("&(amp|lt|gt|quot|apos|#[0-9]+);");
      std::smatch m;
      const std::string rest = xml.substr(i, 8);
      if (!std::regex_search(rest, m, kEntity) || m.position(0) != 0) {
        return ::testing::AssertionFailure() << "bare '&' at " << i;
      }
      ++i;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      const size_t e = xml.find("?>", i);
      if (e == std::string::npos) return ::testing::AssertionFailure() << "open <? at " << i;
      i = e + 2;
      continue;
    }
    size_t j = i + 1;
    bool quoted = false;
    while (j < xml.size() && (quoted || xml[j] != '>')) {
      if (xml[j] == '"') quoted = !quoted;
      if (quoted && xml[j] == '<') return ::testing::AssertionFailure() << "'<' in a value";
      ++j;
    }
    if (j == xml.size()) return ::testing::AssertionFailure() << "tag at " << i << " not closed";
    const std::string tag = xml.substr(i + 1, j - i - 1);
    if (tag.empty()) return ::testing::AssertionFailure() << "empty tag at " << i;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return ::testing::AssertionFailure()
               << "</" << name << "> closes " << (open.empty() ? "nothing" : open.back());
      }
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
    }
    i = j + 1;
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "<" << open.back() << "> not closed";
  return ::testing::AssertionSuccess();
}

TEST(ActivitySvg, IsWellFormedWithTheTitleEscaped) {
  const std::string svg = ActivitySvg(MadeUp(), "conv <1x2> & more \"quoted\"");
  EXPECT_TRUE(WellFormed(svg));
  EXPECT_NE(svg.find("conv &lt;1x2&gt; &amp; more &quot;quoted&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<1x2>"), std::string::npos);
  EXPECT_FALSE(WellFormed("<svg><g></svg>"));  // the checker can fail
  EXPECT_FALSE(WellFormed("<svg>a & b</svg>"));
}

TEST(ActivitySvg, OneCellPerPeAndPanelWithItsNumberRowZeroAtTheBottom) {
  const ArrayActivity a = MadeUp();
  const std::string svg = ActivitySvg(a, "t");
  static const std::regex kCell(
      "<rect data-panel=\"(\\w+)\" data-row=\"(\\d+)\" data-col=\"(\\d+)\" "
      "data-value=\"(\\d+)\" x=\"(\\d+)\" y=\"(\\d+)\"[^>]*/><text[^>]*>(\\d+)</text>");
  std::map<std::tuple<std::string, int, int>, std::pair<uint64_t, int>> cells;  // value, y
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kCell); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    EXPECT_EQ(m[4].str(), m[7].str()) << "the number shown is the cell's value";
    const auto key = std::make_tuple(m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str()));
    EXPECT_EQ(cells.count(key), 0u) << "one cell per PE and panel";
    cells[key] = {std::stoull(m[4].str()), std::stoi(m[6].str())};
  }
  ASSERT_EQ(cells.size(), 3u * 3u * 4u);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) {
      auto cell = [&](const char* panel, int row) {
        return cells[std::make_tuple(std::string(panel), row, c)];
      };
      EXPECT_EQ(cell("macs", r).first, 1000u + 4 * r + c);
      EXPECT_EQ(cell("skipped", r).first, 2000u + 3 * (4 * r + c));
      EXPECT_EQ(cell("idle", r).first, 7u * (4 * r + c));
      if (r > 0) {  // SVG y grows downwards: row 0 lowest on the page
        EXPECT_GT(cell("macs", r - 1).second, cell("macs", r).second);
      }
    }
  }
  // Each panel's total in its heading: 12 * 1000 + 66, 12 * 2000 + 3 * 66, 7 * 66.
  for (const char* text :
       {"MACs done: 12066 in all", "zero ifmap value: 24198 in all", "no MAC): 462 in all"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
  // One panel heading per number, axis labels.
  for (const char* text : {"MACs done", "MACs gated by a zero ifmap value", "idle cycles",
                           "PE column", "PE row (0 at the bottom)"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
}

TEST(ActivitySvg, RefusesCountsThatDoNotMatchTheArray) {
  ArrayActivity a = MadeUp();
  a.idle.pop_back();
  EXPECT_THROW(ActivitySvg(a, "t"), Error);
}

TEST(ActivityTrace, ChromeTraceEventsFromTheSpansAt200MHz) {
  const ArrayActivity a = MadeUp();
  const nlohmann::json doc = nlohmann::json::parse(ActivityTraceJson(a, "my layer"));
  EXPECT_EQ(doc["displayTimeUnit"], "ns");
  std::map<int, std::string> threads;
  std::map<int, std::vector<nlohmann::json>> spans;  // per tid
  std::map<std::string, std::vector<nlohmann::json>> counters;
  std::string process;
  for (const nlohmann::json& e : doc["traceEvents"]) {
    EXPECT_EQ(e["pid"], 1);
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "thread_name") threads[e["tid"]] = e["args"]["name"];
    if (ph == "M" && e["name"] == "process_name") process = e["args"]["name"];
    if (ph == "X") spans[e["tid"]].push_back(e);
    if (ph == "C") counters[e["name"]].push_back(e);
  }
  EXPECT_EQ(process, "my layer");
  ASSERT_EQ(threads.size(), 6u);
  auto tid_of = [&](const std::string& prefix) {
    for (const auto& [tid, name] : threads) {
      if (name.rfind(prefix, 0) == 0) return tid;
    }
    ADD_FAILURE() << "no thread " << prefix;
    return -1;
  };
  const std::pair<const char*, const std::vector<CycleSpan>*> tracks[] = {
      {"walker: load", &a.load},        {"walker: run", &a.run}, {"walker: store", &a.store},
      {"processing passes", &a.passes}, {"DMA read", &a.dma_rd}, {"DMA write", &a.dma_wr}};
  for (const auto& [name, want] : tracks) {
    const std::vector<nlohmann::json>& got = spans[tid_of(name)];
    ASSERT_EQ(got.size(), want->size()) << name;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_DOUBLE_EQ(got[i]["ts"].get<double>(), (*want)[i].begin / 200.0) << name;
      EXPECT_DOUBLE_EQ(got[i]["dur"].get<double>(), (*want)[i].Cycles() / 200.0) << name;
      EXPECT_EQ(got[i]["args"]["cycles"], (*want)[i].Cycles());
    }
  }
  const std::vector<nlohmann::json>& passes = spans[tid_of("processing passes")];
  for (size_t k = 0; k < passes.size(); ++k) {
    EXPECT_EQ(passes[k]["name"], "pass " + std::to_string(k));
  }
  ASSERT_EQ(counters["DMA read bytes"].size(), 3u);
  EXPECT_EQ(counters["DMA read bytes"].back()["args"]["bytes"], 236);
  EXPECT_DOUBLE_EQ(counters["DMA read bytes"].back()["ts"].get<double>(), 419 / 200.0);
  ASSERT_EQ(counters["DMA write bytes"].size(), 1u);
  EXPECT_EQ(counters["DMA write bytes"][0]["args"]["bytes"], 512);
}

TEST(ActivityReport, WritesBothFilesOrNamesTheOneItCannot) {
  test::TempDir dir;
  WriteActivityReport(dir.path().string(), MadeUp(), "t");
  std::ifstream svg(dir.File("heatmap.svg")), json(dir.File("timeline.json"));
  std::stringstream s, j;
  s << svg.rdbuf();
  j << json.rdbuf();
  EXPECT_TRUE(WellFormed(s.str()));
  EXPECT_NO_THROW(nlohmann::json::parse(j.str()));
  EXPECT_THROW(WriteActivityReport(dir.File("missing"), MadeUp(), "t"), FileError);
}

TEST(ActivityReport, TheGoldenDeviceRecordsNoActivity) {
  const std::unique_ptr<Device> dev = OpenDevice("golden:small");
  try {
    dev->Activity();
    FAIL() << "no throw";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--backend rtl"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eyelet
