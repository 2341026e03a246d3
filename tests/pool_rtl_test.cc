// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Max pooling on the Verilated accelerator through the runtime (the bodies of pool_cases.h,
// which tests/pool_test.cc runs on the golden device): random CONV + bias + requantization +
// ReLU + max pooling layers fused into one descriptor, the same with random mappings and
// tilings in row bands (windows straddling bands, bands that close no pooled row, -inf rows
// below the ofmap), standalone pools, each on the small configs with a stalling DRAM and
// compared element by element with the golden model (and the golden device's DRAM bytes);
// then the LeNet-5-shaped chain (conv -> relu -> pool -> conv -> relu -> pool -> fc -> relu
// -> fc -> fc) as one descriptor chain on the default 12 x 14 `eyeriss` configuration.
#include <gtest/gtest.h>

#include <string>

#include "eyelet/golden_device.h"
#include "eyelet/mapping.h"
#include "pool_cases.h"
#include "rtl_device.h"

namespace eyelet {
namespace {

RtlDeviceOptions StallingDram() {
  RtlDeviceOptions o;
  o.mem.read_latency = 12;
  o.mem.ready_prob = 0.8;
  o.mem.valid_prob = 0.8;
  return o;
}

class DriverPool : public testing::TestWithParam<const char*> {};

TEST_P(DriverPool, RandomFusedPoolingsMatchTheGoldenModel) {
  const ArrayConfig& hw = ConfigByName(GetParam());
  auto dev = RtlDevice::Create(GetParam(), StallingDram());
  GoldenDevice golden(hw);
  pool_cases::RandomPooledLayers(*dev, hw, std::string(GetParam()) == "tiny" ? 51 : 52, 30,
                                 &golden);
}

TEST_P(DriverPool, RandomPoolingsInRowBandsMatchTheGoldenAndTheCostModel) {
  const ArrayConfig& hw = ConfigByName(GetParam());
  auto dev = RtlDevice::Create(GetParam(), StallingDram());
  GoldenDevice golden(hw);
  // Seeds whose 40 draws meet RandomBandedPooledLayers' coverage counts on each config.
  pool_cases::RandomBandedPooledLayers(*dev, hw, std::string(GetParam()) == "tiny" ? 253 : 54,
                                       40, &golden);
}

TEST_P(DriverPool, RandomStandalonePoolsMatchTheGoldenModel) {
  auto dev = RtlDevice::Create(GetParam(), StallingDram());
  pool_cases::RandomStandalonePools(*dev, std::string(GetParam()) == "tiny" ? 55 : 56, 30);
}

INSTANTIATE_TEST_SUITE_P(Configs, DriverPool, testing::Values("tiny", "small"));

TEST(DriverPoolChain, LeNet5RunsAsOneChainOnTheEyerissConfig) {
  auto dev = RtlDevice::Create("eyeriss");
  pool_cases::LeNetChain(*dev, 2, 57);
}

}  // namespace
}  // namespace eyelet
