// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// `eyelet run MODEL.onnx`, in-process: usage errors, models rejected before anything runs
// (exit 3, nothing written), outputs and reports, the quantized network saved and reloaded,
// and the Verilated accelerator with every layer checked.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli_util.h"
#include "eyelet/cli.h"
#include "eyelet/npy.h"
#include "test_util.h"

namespace eyelet {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::Contains;
using test::Eyelet;
using test::ReadJson;
using test::TempDir;

const std::string kModel = std::string(EY_MODELS_DIR) + "/fashion_cnn.onnx";
const std::string kImages = std::string(EY_TEST_DATA_DIR) + "/fashion_first8_images.npy";
const std::string kMixed = std::string(EY_TEST_DATA_DIR) + "/onnx/mixed_ops.onnx";
const std::string kMixedInput = std::string(EY_TEST_DATA_DIR) + "/onnx/mixed_ops_input.npy";

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

// Input "x" (N x 1 x 4 x 4) -> Relu "relu" -> `op_type` node "late" -> "y", opset 13.
std::string TwoNodeModel(const std::string& op_type) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  for (int d : {1, 4, 4}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  g->add_output()->set_name("y");
  onnx::NodeProto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu");
  relu->add_input("x");
  relu->add_output("r");
  onnx::NodeProto* late = g->add_node();
  late->set_op_type(op_type);
  late->set_name("late");
  late->add_input("r");
  late->add_output("y");
  return m.SerializeAsString();
}

TEST(CliRun, UsageErrors) {
  EXPECT_EQ(Eyelet({"run"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"run", kModel}).code, kExitUsage);  // no images
  EXPECT_EQ(Eyelet({"run", kModel, "--input", kImages, "--dataset", "fashion-mnist"}).code,
            kExitUsage);
  const CliResult bits = Eyelet({"run", kModel, "--input", kImages, "--bits", "12"});
  EXPECT_EQ(bits.code, kExitUsage);
  EXPECT_TRUE(Contains(bits.err, "--bits must be 8 or 16")) << bits.err;
  EXPECT_EQ(Eyelet({"run", kModel, "--input", kImages, "--backend", "fpga"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"run", kModel, "--input", kImages, "--calib-method", "mse"}).code, kExitUsage);
  EXPECT_EQ(Eyelet({"run", kModel, kModel, "--input", kImages}).code, kExitUsage);
  const CliResult help = Eyelet({"help", "run"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_TRUE(Contains(help.out, "usage: eyelet run MODEL.onnx")) << help.out;
}

TEST(CliRun, RejectedModelsExitThreeAndWriteNothing) {
  TempDir dir;
  const std::string out = dir.File("logits.npy"), json = dir.File("r.json");
  const std::string q = dir.File("q");
  // Not a model at all, a truncated one, a missing file.
  WriteBytes(dir.File("garbage.onnx"), "this is not a protobuf \x01\x02\x03");
  std::ifstream in(kModel, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteBytes(dir.File("truncated.onnx"), bytes.substr(0, bytes.size() / 3));
  for (const std::string& model :
       {dir.File("garbage.onnx"), dir.File("truncated.onnx"), dir.File("missing.onnx")}) {
    const CliResult r = Eyelet(
        {"run", model, "--input", kImages, "--output", out, "--json", json, "--save-quantized", q});
    EXPECT_EQ(r.code, kExitError) << model << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "eyelet: error: ")) << r.err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(json));
    EXPECT_FALSE(fs::exists(q));
  }
  // An operator the importer does not support, after one it does: named, before anything runs.
  WriteBytes(dir.File("sigmoid.onnx"), TwoNodeModel("Sigmoid"));
  const std::string x = dir.File("x.npy");
  NpyArray a;
  a.dtype = kNpyFloat32;
  a.shape = {2, 1, 4, 4};
  a.bytes.assign(2 * 16 * 4, 0);
  WriteNpy(x, a);
  const CliResult op = Eyelet({"run", dir.File("sigmoid.onnx"), "--input", x, "--backend", "rtl",
                               "--output", out, "--json", json, "--save-quantized", q});
  EXPECT_EQ(op.code, kExitError) << op.err;
  EXPECT_TRUE(Contains(op.err, "node 'late' (Sigmoid)")) << op.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(json));
  EXPECT_FALSE(fs::exists(q));
  // The same graph with a Relu in its place runs.
  WriteBytes(dir.File("relu.onnx"), TwoNodeModel("Relu"));
  EXPECT_EQ(Eyelet({"run", dir.File("relu.onnx"), "--input", x, "--output", out}).code, kExitOk);
  EXPECT_TRUE(fs::exists(out));
  fs::remove(out);
  // Images of the wrong shape for the model.
  const CliResult shape = Eyelet({"run", kMixed, "--input", kImages, "--output", out});
  EXPECT_EQ(shape.code, kExitError) << shape.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliRun, GoldenRunWritesOutputsAndAReport) {
  TempDir dir;
  const std::string out = dir.File("logits.npy"), json = dir.File("r.json");
  const CliResult r = Eyelet({"run", kModel, "--input", kImages, "--backend", "golden", "--batch",
                              "3", "--check", "--output", out, "--json", json});
  ASSERT_EQ(r.code, kExitOk) << r.err << r.out;
  EXPECT_TRUE(Contains(r.out, "quantized top-1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "check                 PASS")) << r.out;
  const std::vector<float> logits = LoadFTensor(out).data;
  EXPECT_EQ(logits.size(), 80u);
  const nlohmann::json j = ReadJson(json);
  EXPECT_EQ(j["images"], 8);
  ASSERT_EQ(j["layers"].size(), 5u);
  EXPECT_EQ(j["layers"][0]["ops"], "Conv+Relu+MaxPool");
  EXPECT_EQ(j["layers"][3]["kind"], "fc");
  EXPECT_EQ(j["check"], true);
  for (const auto& l : j["layers"]) EXPECT_EQ(l["mismatches"], 0);
}

TEST(CliRun, SavedQuantizedNetworkGivesTheSameOutputs) {
  TempDir dir;
  const std::string q = dir.File("q"), a = dir.File("a.npy"), b = dir.File("b.npy");
  for (const char* bits : {"8", "16"}) {
    const CliResult first = Eyelet({"run", kModel, "--input", kImages, "--bits", bits,
                                    "--calib-method", "max", "--save-quantized", q, "--output", a});
    ASSERT_EQ(first.code, kExitOk) << first.err;
    EXPECT_TRUE(fs::exists(q + "/manifest.json"));
    const CliResult again =
        Eyelet({"run", kModel, "--input", kImages, "--quantized", q, "--output", b});
    ASSERT_EQ(again.code, kExitOk) << again.err;
    EXPECT_EQ(LoadFTensor(a).data, LoadFTensor(b).data) << bits << " bits";
    EXPECT_EQ(Eyelet({"run", kModel, "--input", kImages, "--quantized", q, "--bits", "8"}).code,
              kExitUsage);
  }
  // The quantized network of another model is refused.
  const CliResult other = Eyelet({"run", kMixed, "--input", kMixedInput, "--quantized", q});
  EXPECT_EQ(other.code, kExitError);
  EXPECT_TRUE(Contains(other.err, "is not")) << other.err;
}

TEST(CliRun, MixedOperatorModelOnTheAcceleratorEveryLayerPasses) {
  TempDir dir;
  const std::string json = dir.File("r.json");
  const CliResult r = Eyelet({"run", kMixed, "--input", kMixedInput, "--backend", "rtl", "--config",
                              "small", "--bits", "16", "--check", "--json", json});
  ASSERT_EQ(r.code, kExitOk) << r.err << r.out;
  EXPECT_TRUE(Contains(r.out, "device = golden       1 of 1")) << r.out;
  const nlohmann::json j = ReadJson(json);
  for (const auto& l : j["layers"]) {
    EXPECT_EQ(l["mismatches"], 0) << l["name"];
    EXPECT_GT(l["cycles"].get<uint64_t>(), 0u) << l["name"];
  }
  EXPECT_EQ(j["check"], true);

  // A waveform of one layer's pass, from the untraced run's clocks; then layers it lacks.
  const std::string fst = dir.File("l1.fst");
  const CliResult traced = Eyelet({"run", kMixed, "--input", kMixedInput, "--backend", "rtl",
                                   "--config", "small", "--trace", fst, "--trace-layer", "1",
                                   "--trace-pass", "0", "--trace-scope", "walker"});
  ASSERT_EQ(traced.code, kExitOk) << traced.err;
  EXPECT_TRUE(Contains(traced.out, "(pass 0 of ")) << traced.out;
  EXPECT_TRUE(Contains(traced.out, "of layer 1 '")) << traced.out;
  EXPECT_GT(fs::file_size(fst), 0u);
  EXPECT_EQ(Eyelet({"run", kMixed, "--input", kMixedInput, "--backend", "rtl", "--config", "small",
                    "--trace", fst, "--trace-layer", "99"})
                .code,
            kExitUsage);
  EXPECT_EQ(Eyelet({"run", kMixed, "--input", kMixedInput, "--trace", fst}).code, kExitUsage);
}

}  // namespace
}  // namespace eyelet
