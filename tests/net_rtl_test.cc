// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Whole ONNX networks on the Verilated accelerator (`small` config), every layer of every
// image compared element by element with the golden model.
#include <gtest/gtest.h>

#include <cstring>

#include "eyelet/backend.h"
#include "eyelet/net_run.h"
#include "eyelet/npy.h"
#include "eyelet/onnx_import.h"
#include "eyelet/quantize.h"

namespace eyelet {
namespace {

const std::string kData = EY_TEST_DATA_DIR;

FTensor First(const FTensor& x, int n) {
  FTensor y;
  y.dims = x.dims;
  y.dims[0] = n;
  y.data.assign(x.data.begin(), x.data.begin() + x.Size() / x.dims[0] * n);
  return y;
}

NetRunResult RunOnRtl(const QuantNet& q, const FTensor& x, int batch) {
  const std::unique_ptr<Device> dev = OpenDevice("rtl:small");
  NetRunOptions o;
  o.batch = batch;
  o.check = true;
  return RunQuantNet(*dev, q, x, o);
}

TEST(NetRtl, FashionDemoEveryLayerBitExact) {
  const Network net = ImportOnnx(std::string(EY_MODELS_DIR) + "/fashion_cnn.onnx");
  const LoweredNet lowered = LowerNetwork(net);
  const FTensor x8 = LoadFTensor(kData + "/fashion_first8_images.npy");
  const QuantNet q = Quantize(lowered, Calibrate(lowered, x8, CalibOptions{}), 8, CalibOptions{});
  const FTensor x = First(x8, 2);
  const NetRunResult r = RunOnRtl(q, x, 2);
  for (const NetLayerStats& l : r.layers) {
    EXPECT_EQ(l.mismatches, 0) << l.name << ": " << l.first_mismatch;
    EXPECT_GT(l.checked, 0) << l.name;
    EXPECT_TRUE(l.measured) << l.name;  // counters split per descriptor
    EXPECT_GT(l.cycles, 0u) << l.name;
  }
  uint64_t sum = 0;
  for (const NetLayerStats& l : r.layers) sum += l.cycles;
  EXPECT_LE(sum, r.total.cycles);
  EXPECT_EQ(r.output.data, DequantizeOutput(q, RunGolden(q, QuantizeInput(q, x)).back()).data);
}

TEST(NetRtl, MixedOperatorsEveryLayerBitExact) {
  const Network net = ImportOnnx(kData + "/onnx/mixed_ops.onnx");
  const LoweredNet lowered = LowerNetwork(net);
  const FTensor x = LoadFTensor(kData + "/onnx/mixed_ops_input.npy");
  for (int bits : {8, 16}) {
    const QuantNet q =
        Quantize(lowered, Calibrate(lowered, x, CalibOptions{}), bits, CalibOptions{});
    const NetRunResult r = RunOnRtl(q, x, 1);
    EXPECT_TRUE(r.Pass()) << bits << " bits";
    for (const NetLayerStats& l : r.layers) {
      EXPECT_EQ(l.mismatches, 0) << l.name << ": " << l.first_mismatch;
    }
  }
}

}  // namespace
}  // namespace eyelet
