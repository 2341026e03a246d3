// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The built-in nets (eyelet/nets.h): layer shapes against the MAC counts of their CSV tables.
#include "eyelet/nets.h"

#include <gtest/gtest.h>

#include <string>

#include "eyelet/error.h"

namespace eyelet {
namespace {

TEST(Nets, LayersMatchTheCsvMacs) {
  for (const Net& net : BuiltNets()) {
    for (const NetLayer& l : net.layers) {
      EXPECT_EQ(l.Conv(1).Macs(), l.macs) << net.name << " " << l.name;
    }
  }
  EXPECT_EQ(NetByName("vgg16").layers.size(), 13u);
  try {
    NetByName("resnet");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("built-in nets are: alexnet, vgg16"), std::string::npos);
  }
}

}  // namespace
}  // namespace eyelet
