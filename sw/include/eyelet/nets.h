// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Built-in CONV layer tables of the networks Eyeriss was measured on, as in
// /work/shared/eyeriss/{alexnet,vgg16}_conv.csv, and Eyeriss's published AlexNet mapping
// (eyeriss_alexnet_mapping.csv, JSSC 2017 Table III).
#ifndef EYELET_NETS_H_
#define EYELET_NETS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/mapping.h"

namespace eyelet {

// Eyeriss's mapping of a layer at batch 4 and the figures published with it
// (eyeriss_alexnet_mapping.csv; processing time from eyeriss_alexnet_measured.csv).
struct EyerissPublished {
  EyerissMapping mapping;
  int active_pes;
  double glb_ifmap_kb;  // kB = 1024 bytes
  double glb_psum_kb;
  int filter_spad;       // words used, p*q*S
  double processing_ms;  // measured at 200 MHz, batch 4, DRAM traffic assumed overlapped
};

// Eyeriss's core clock, for turning its published times into cycles.
constexpr double kEyerissClockMhz = 200.0;

// One CONV layer, with the CSV's columns: C is per group, H and W include the padding.
struct NetLayer {
  std::string name;
  int h, w, c, m, groups, r, s, stride, pad;
  int64_t macs;  // per image
  std::optional<EyerissPublished> eyeriss;
  // The layer for a batch of `batch` images (the ifmap without its padding).
  ConvLayer Conv(int batch) const;
};

struct Net {
  std::string name;
  std::string description;
  std::vector<NetLayer> layers;
};

// "alexnet" (the original two-group AlexNet, 227 x 227 input) and "vgg16".
const std::vector<Net>& BuiltNets();
// Throws UsageError listing the nets when `name` is not one of them.
const Net& NetByName(const std::string& name);

}  // namespace eyelet

#endif  // EYELET_NETS_H_
