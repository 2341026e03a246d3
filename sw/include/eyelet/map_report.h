// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// What `eyelet map` reports: per CONV layer, our mapper's choice on a hardware config with its
// predicted cost, and, where Eyeriss published a mapping of the layer, that mapping evaluated
// by the same cost model. As a table for people and as JSON for machines.
#ifndef EYELET_MAP_REPORT_H_
#define EYELET_MAP_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/mapping.h"
#include "eyelet/nets.h"

namespace eyelet {

struct MapRow {
  std::string name;
  ConvLayer layer;
  std::string error;  // why our mapper finds no legal mapping on the config, or ""
  RsMapping mapping;  // our mapper's choice (when error is empty)
  Tiling tiling;
  CostEstimate cost;
  int64_t min_dram_bytes = 0;
  std::optional<EyerissPublished> published;  // Eyeriss's mapping of the layer, if published
  std::optional<EyerissEvaluation> eyeriss;   // ... evaluated on the config
};

// One row for `layer` on `hw`; a layer without a legal mapping gets the reason in `error`.
MapRow MapLayer(const std::string& name, const ConvLayer& layer, const ArrayConfig& hw,
                const std::optional<EyerissPublished>& published = std::nullopt);
// One row per layer of `net` with `batch` images.
std::vector<MapRow> MapNet(const Net& net, const ArrayConfig& hw, int batch);

// The rows as text tables under the line `title`: our mappings (with Eyeriss's beside them
// when any row has one), then Eyeriss's mappings in detail (spads, GLB use the Eyeriss way
// beside the published figures, legality on Eyeriss and on our RTL), then why layers have no
// mapping of ours.
std::string FormatMapTable(const std::string& title, const std::vector<MapRow>& rows,
                           const ArrayConfig& hw);
// Columns padded to their widest cell, two spaces apart; `align` has one letter per column,
// 'l' or 'r'. The first row is the header, underlined. (Shared with the bench report.)
std::string TextTable(std::vector<std::vector<std::string>> rows, const std::string& align);
// The same rows as a JSON document.
std::string MapTableJson(const std::string& title, const std::vector<MapRow>& rows,
                         const ArrayConfig& hw);

}  // namespace eyelet

#endif  // EYELET_MAP_REPORT_H_
