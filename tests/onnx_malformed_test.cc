// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The ONNX importer on malformed input: truncated, mutated and garbage bytes, missing
// initializers, cycles, huge or unknown shapes, wrong data lengths and element types, and the
// file readers: each is an eyelet::Error naming the problem, never a crash.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/network.h"
#include "eyelet/onnx_import.h"
#include "eyelet/rng.h"
#include "onnx_graph.h"

namespace eyelet {
namespace {

using namespace onnx_graph;
using onnx::NodeProto;
using onnx::TensorProto;

// --- Malformed files ---------------------------------------------------------------------------

Graph SmallNet() {
  Graph g;
  g.Input("x", {kDyn, 1, 4, 4});
  g.Init("w", {2, 1, 3, 3}, Values(18, 0.1f, -0.9f), true);
  g.Init("fc", {3, 8}, Values(24, 0.05f, -0.6f));
  g.Node("Conv", {"x", "w"}, {"c"}, "conv");
  g.Node("Relu", {"c"}, {"r"}, "relu");
  g.Node("Flatten", {"r"}, {"f"}, "flat");
  AttrI(g.Node("Gemm", {"f", "fc"}, {"y"}, "fc"), "transB", 1);
  g.Output("y");
  return g;
}

// Runs `f`; anything but success or an eyelet::Error fails the test.
template <typename F>
void ExpectOnlyEyeletErrors(F f, const std::string& what) {
  try {
    f();
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": a non-eyelet exception: " << e.what();
  } catch (...) {
    ADD_FAILURE() << what << ": something that is not an exception";
  }
}

TEST(OnnxMalformed, TruncatedBytesAreAFileErrorOrAnImportError) {
  const std::string bytes = SmallNet().Bytes();
  ASSERT_NO_THROW(ImportOnnxBytes(bytes, "m.onnx"));
  EXPECT_THROW(ImportOnnxBytes(bytes.substr(0, bytes.size() / 2), "m.onnx"), FileError);
  for (size_t len = 0; len < bytes.size(); ++len) {
    ExpectOnlyEyeletErrors([&] { ImportOnnxBytes(bytes.substr(0, len), "m.onnx"); },
                           "truncated to " + std::to_string(len));
  }
}

TEST(OnnxMalformed, GarbageAndMutatedBytesNeverCrash) {
  EXPECT_THROW(ImportOnnxBytes("this is not a protobuf \xff\xff\xff", "junk.onnx"), FileError);
  EXPECT_THROW(ImportOnnxBytes("", "empty.onnx"), FileError);
  // A TensorProto is not a model.
  EXPECT_THROW(ImportOnnxBytes(FloatTensor("t", {2}, {1, 2}).SerializeAsString(), "t.onnx"), Error);
  const std::string bytes = SmallNet().Bytes();
  Rng rng(1313);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string m = bytes;
    const int flips = 1 + static_cast<int>(rng.Next() % 4);
    for (int f = 0; f < flips; ++f) {
      m[rng.Next() % m.size()] = static_cast<char>(rng.Next() & 0xff);
    }
    ExpectOnlyEyeletErrors([&] { ImportOnnxBytes(m, "mutated.onnx"); },
                           "mutation " + std::to_string(trial));
  }
}

TEST(OnnxMalformed, MissingInitializerNamesTheInput) {
  Graph g;
  g.Input("x", {1, 1, 4, 4});
  g.Node("Conv", {"x", "weights_gone"}, {"y"}, "conv");
  g.Output("y");
  ExpectRejected(g, {"'conv'", "(Conv)", "'weights_gone'", "initializer"});
  // A graph input that is neither bound nor an initializer (not the first) has no value.
  Graph h;
  h.Input("x", {1, 1, 4, 4});
  h.Input("w", {1, 1, 3, 3});
  h.Node("Conv", {"x", "w"}, {"y"}, "conv");
  h.Output("y");
  ExpectRejected(h, {"'conv'", "'w'", "ImportOptions::constants"});
}

TEST(OnnxMalformed, CycleIsRejected) {
  Graph g;
  g.Input("x", {1, 4});
  g.Node("Relu", {"b"}, {"a"}, "r1");
  g.Node("Relu", {"a"}, {"b"}, "r2");
  g.Node("Relu", {"x"}, {"y"}, "r0");
  g.Output("y");
  ExpectRejected(g, {"cycle"});
}

TEST(OnnxMalformed, HugeOrUnknownShapesAreShapeErrors) {
  Graph g;
  g.Input("x", {kDyn, 4096, 4096, 4096});
  g.Node("Relu", {"x"}, {"y"}, "r");
  g.Output("y");
  EXPECT_THROW(g.Import(), ShapeError);
  Graph h;
  h.Input("x", {kDyn, kDyn, 4});
  h.Node("Relu", {"x"}, {"y"}, "r");
  h.Output("y");
  EXPECT_THROW(h.Import(), ShapeError);
  Graph w;  // an initializer declaring 2^33 elements
  w.Input("x", {1, 2});
  TensorProto* t = w.g()->add_initializer();
  t->set_name("B");
  t->set_data_type(TensorProto::FLOAT);
  t->add_dims(int64_t{1} << 32);
  t->add_dims(2);
  w.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  w.Output("y");
  EXPECT_THROW(w.Import(), ShapeError);
}

TEST(OnnxMalformed, WrongDataLengthsAndElementTypesAreFileErrors) {
  Graph raw;
  raw.Input("x", {1, 2});
  TensorProto* t = raw.g()->add_initializer();
  *t = FloatTensor("B", {2, 2}, {1, 2, 3, 4}, true);
  t->mutable_raw_data()->resize(10);
  raw.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  raw.Output("y");
  EXPECT_THROW(raw.Import(), FileError);
  Graph typed;
  typed.Input("x", {1, 2});
  typed.Init("B", {2, 2}, {1, 2, 3});
  typed.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  typed.Output("y");
  EXPECT_THROW(typed.Import(), FileError);
  Graph str;
  str.Input("x", {1, 2});
  TensorProto* s = str.g()->add_initializer();
  s->set_name("B");
  s->set_data_type(TensorProto::STRING);
  s->add_dims(1);
  s->add_string_data("hello");
  str.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  str.Output("y");
  EXPECT_THROW(str.Import(), FileError);
  Graph in;
  in.Input("x", {1, 2}, TensorProto::INT32);
  in.Node("Relu", {"x"}, {"y"}, "r");
  in.Output("y");
  ExpectRejected(in, {"'x'", "INT32", "float"});
}

// An initializer's dims are a size field from the file: the data it holds is checked against
// them before anything is allocated, so 2^31 declared elements with none present cost nothing
// (they took 16 GiB of doubles before the count was compared).
TEST(OnnxMalformed, DeclaredElementsWithoutDataAreAFileErrorBeforeAnyAllocation) {
  for (const bool raw : {false, true}) {
    Graph g;
    g.Input("x", {1, 2});
    TensorProto* t = g.g()->add_initializer();
    t->set_name("B");
    t->set_data_type(TensorProto::FLOAT);
    t->add_dims(int64_t{1} << 30);
    t->add_dims(2);
    if (raw) t->set_raw_data(std::string(8, '\0'));
    g.Node("MatMul", {"x", "B"}, {"y"}, "mm");
    g.Output("y");
    try {
      g.Import();
      ADD_FAILURE() << "accepted";
    } catch (const FileError& e) {
      const std::string want = raw ? "raw_data holds 2 values" : "float_data holds 0 values";
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  }
}

// Found by fuzz/fuzz_onnx: a few-kilobyte model chaining constant nodes of 2^24 values each took
// 10 s to import; folding stops at 2^24 values in all, naming the node that passes the limit.
TEST(OnnxMalformed, ConstantFoldingHasATotalBudget) {
  Graph g;
  g.Input("x", {kDyn, 2});
  g.Init("s", {1}, {8388608.0f});
  for (int i = 0; i < 3; ++i) {
    g.Node("ConstantOfShape", {"s"}, {"c" + std::to_string(i)}, "big" + std::to_string(i));
  }
  g.Node("Relu", {"x"}, {"y"}, "r");
  g.Output("y");
  ExpectRejected(g, {"'big2'", "ConstantOfShape", "constant folding", "16777216"});
}

// Found by fuzz/fuzz_onnx: the product of a Reshape target's known dimensions overflowed int64
// (UBSan) in the folded Reshape of a constant and in the data path's Reshape.
TEST(OnnxMalformed, ReshapeTargetsWhoseProductOverflowAreRejected) {
  Graph folded;
  folded.Input("x", {kDyn, 2});
  folded.Init("c", {4}, {1, 2, 3, 4});
  folded.Init("t", {3}, {4611686018427387904.0f, 2, -1});
  folded.Node("Reshape", {"c", "t"}, {"r"}, "fold");
  folded.Node("Relu", {"x"}, {"y"}, "relu");
  folded.Output("y");
  ExpectRejected(folded, {"'fold'", "Reshape", "does not hold"});
  Graph data;
  data.Input("x", {kDyn, 8});
  data.Init("t", {5}, {-1, 1000000, 1000000, 1000000, 1000000});
  data.Node("Reshape", {"x", "t"}, {"y"}, "view");
  data.Output("y");
  ExpectRejected(data, {"'view'", "Reshape", "does not fit"});
}

TEST(OnnxMalformed, ReadTensorProtoFileReadsTypesAndRejectsJunk) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/eyelet_tensor.pb";
  TensorProto t;
  t.set_data_type(TensorProto::INT64);
  t.add_dims(3);
  for (int64_t v : {-1, 0, 7}) t.add_int64_data(v);
  {
    std::ofstream f(good, std::ios::binary);
    f << t.SerializeAsString();
  }
  const FTensor r = ReadTensorProtoFile(good);
  EXPECT_EQ(r.dims, (std::vector<int64_t>{3}));
  EXPECT_EQ(r.data, (std::vector<float>{-1, 0, 7}));
  EXPECT_THROW(ReadTensorProtoFile(dir + "/no_such_file.pb"), FileError);
  const std::string bad = dir + "/eyelet_bad.pb";
  {
    std::ofstream f(bad, std::ios::binary);
    f << "\x0a\xff\xff\xff";  // a length past the end
  }
  EXPECT_THROW(ReadTensorProtoFile(bad), FileError);
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

TEST(OnnxMalformed, ImportOnnxReadsFilesAndNamesThem) {
  const std::string path = ::testing::TempDir() + "/eyelet_small.onnx";
  {
    std::ofstream f(path, std::ios::binary);
    f << SmallNet().Bytes();
  }
  const Network net = ImportOnnx(path);
  EXPECT_EQ(net.ops.size(), 4u);
  EXPECT_EQ(net.input_name, "x");
  EXPECT_EQ(net.output_name, "y");
  EXPECT_EQ(net.opset, 13);
  std::remove(path.c_str());
  try {
    ImportOnnx(path);
    ADD_FAILURE() << "read a missing file";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

}  // namespace
}  // namespace eyelet
