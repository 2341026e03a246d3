// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The Fashion-MNIST demo model (models/fashion_cnn.onnx) through the importer, the float
// reference, quantization and the golden model, on the full test split; and the untrained
// mixed-operator model (tests/data/onnx/mixed_ops.onnx) beside torch's output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "eyelet/backend.h"
#include "eyelet/idx.h"
#include "eyelet/net_run.h"
#include "eyelet/npy.h"
#include "eyelet/onnx_import.h"
#include "eyelet/quantize.h"

namespace eyelet {
namespace {

const std::string kModel = std::string(EY_MODELS_DIR) + "/fashion_cnn.onnx";
const std::string kData = EY_TEST_DATA_DIR;

int Correct(const std::vector<int>& pred, const std::vector<int>& labels) {
  int ok = 0;
  for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == labels[i];
  return ok;
}

std::vector<int> Predict(const FTensor& y) {
  FTensor rows = y;
  rows.dims = {y.dims[0], y.Size() / y.dims[0]};
  return ArgMaxRows(rows);
}

TEST(FashionDemo, FloatReferenceMatchesTorchsLogits) {
  const Network net = ImportOnnx(kModel);
  const FTensor x = LoadFTensor(kData + "/fashion_first8_images.npy");
  const FTensor want = LoadFTensor(kData + "/fashion_cnn_first8_logits.npy");
  const FTensor got = RunFloat(net, x);
  ASSERT_EQ(got.dims, want.dims);
  for (size_t i = 0; i < got.data.size(); ++i) {
    EXPECT_NEAR(got.data[i], want.data[i], 1e-4) << "element " << i;
  }
}

// The numbers the issue asks for: quantized top-1 within 1.0 point of float at 8 bits and
// within 0.2 at 16, on all 10,000 test images, with 1,000 training images for calibration
// (the default calibration for each width).
TEST(FashionDemo, QuantizedAccuracyOnTheFullTestSplit) {
  Dataset test, train;
  try {
    test = LoadFashionMnist("test");
    train = LoadFashionMnist("train", 1000);
  } catch (const FileError& e) {
    GTEST_SKIP() << e.what();
  }
  const Network net = ImportOnnx(kModel);
  const LoweredNet lowered = LowerNetwork(net);
  ASSERT_EQ(lowered.steps.size(), 5u);  // conv+relu+pool, conv+relu, conv+relu, fc+relu, fc
  const int n = static_cast<int>(test.images.dims[0]);
  ASSERT_EQ(n, 10000);
  const int float_ok = Correct(Predict(RunFloat(net, test.images)), test.labels);
  EXPECT_NEAR(float_ok, 9103, 3);  // 91.03 % in torch (models/fashion_cnn.md)
  for (int bits : {8, 16}) {
    const CalibOptions calib = DefaultCalib(bits);
    const QuantNet q = Quantize(lowered, Calibrate(lowered, train.images, calib), bits, calib);
    const FTensor y = DequantizeOutput(q, RunGolden(q, QuantizeInput(q, test.images)).back());
    const int ok = Correct(Predict(y), test.labels);
    const double drop = 100.0 * (float_ok - ok) / n;
    std::printf("fashion_cnn: float %.2f %%, %d-bit %.2f %% (drop %.2f points)\n",
                100.0 * float_ok / n, bits, 100.0 * ok / n, drop);
    EXPECT_LE(drop, bits == 8 ? 1.0 : 0.2) << bits << " bits";
  }
}

TEST(FashionDemo, GoldenDeviceRunsTheChainAsTheGoldenModel) {
  const Network net = ImportOnnx(kModel);
  const LoweredNet lowered = LowerNetwork(net);
  const FTensor x = LoadFTensor(kData + "/fashion_first8_images.npy");
  const QuantNet q = Quantize(lowered, Calibrate(lowered, x, CalibOptions{}), 8, CalibOptions{});
  const std::unique_ptr<Device> dev = OpenDevice("golden:eyeriss");
  NetRunOptions o;
  o.batch = 4;
  o.check = true;
  const NetRunResult r = RunQuantNet(*dev, q, x, o);
  EXPECT_TRUE(r.Pass());
  EXPECT_EQ(r.descs_per_chain, 5);  // the 2x2 max pooling fused into conv1's output path
  EXPECT_EQ(r.output.data, DequantizeOutput(q, RunGolden(q, QuantizeInput(q, x)).back()).data);
}

TEST(MixedOps, FloatReferenceMatchesTorchAndEveryStepRunsQuantized) {
  const Network net = ImportOnnx(kData + "/onnx/mixed_ops.onnx");
  const FTensor x = LoadFTensor(kData + "/onnx/mixed_ops_input.npy");
  const FTensor want = LoadFTensor(kData + "/onnx/mixed_ops_output.npy");
  const FTensor got = RunFloat(net, x);
  ASSERT_EQ(got.Size(), want.Size());
  for (size_t i = 0; i < got.data.size(); ++i) EXPECT_NEAR(got.data[i], want.data[i], 1e-5);

  const LoweredNet lowered = LowerNetwork(net);
  const QuantNet q = Quantize(lowered, Calibrate(lowered, x, CalibOptions{}), 16, CalibOptions{});
  const std::unique_ptr<Device> dev = OpenDevice("golden:small");
  NetRunOptions o;
  o.check = true;
  const NetRunResult r = RunQuantNet(*dev, q, x, o);
  EXPECT_TRUE(r.Pass());
  // 16-bit probabilities stay close to float's.
  for (size_t i = 0; i < want.data.size(); ++i) {
    EXPECT_NEAR(r.output.data[i], want.data[i], 0.02) << "element " << i;
  }
}

}  // namespace
}  // namespace eyelet
