// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The ONNX importer (eyelet/onnx_import.h) on small graphs built here with the ONNX protobuf
// classes: each operator and attribute form, the folds (BatchNormalization and per-channel
// constants into the Conv or Gemm before, Pads into the next Conv or pool, shape subgraphs
// into a Reshape's target), each rejection's message, and malformed files. Folded networks
// are checked against the same computation run op by op with RunFloatOp.
#include "eyelet/onnx_import.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/network.h"
#include "eyelet/rng.h"

namespace eyelet {
namespace {

using onnx::NodeProto;
using onnx::TensorProto;

constexpr int64_t kDyn = -1;  // a dim_param "N" in Graph::Input

onnx::TensorProto FloatTensor(const std::string& name, const std::vector<int64_t>& dims,
                              const std::vector<float>& v, bool raw = false) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  if (raw) {
    t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  } else {
    for (float f : v) t.add_float_data(f);
  }
  return t;
}

// A model under construction, default domain at `opset`.
class Graph {
 public:
  explicit Graph(int64_t opset = 13) {
    m_.set_ir_version(8);
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g()->set_name("g");
  }
  onnx::GraphProto* g() { return m_.mutable_graph(); }
  onnx::ModelProto& model() { return m_; }

  void Input(const std::string& name, const std::vector<int64_t>& dims,
             int elem = TensorProto::FLOAT) {
    auto* tt = g()->add_input()->mutable_type()->mutable_tensor_type();
    g()->mutable_input(g()->input_size() - 1)->set_name(name);
    tt->set_elem_type(elem);
    for (int64_t d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (d == kDyn) {
        dim->set_dim_param("N");
      } else {
        dim->set_dim_value(d);
      }
    }
  }
  void Output(const std::string& name) { g()->add_output()->set_name(name); }
  void Init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v,
            bool raw = false) {
    *g()->add_initializer() = FloatTensor(name, dims, v, raw);
  }
  void InitInts(const std::string& name, const std::vector<int64_t>& v) {
    TensorProto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t i : v) t->add_int64_data(i);
  }
  NodeProto* Node(const std::string& op, std::initializer_list<std::string> in,
                  std::initializer_list<std::string> out, const std::string& name = "") {
    NodeProto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }
  std::string Bytes() const { return m_.SerializeAsString(); }
  Network Import(const ImportOptions& options = {}) const {
    return ImportOnnxBytes(Bytes(), "model.onnx", options);
  }

 private:
  onnx::ModelProto m_;
};

void AttrI(NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void AttrF(NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void AttrIs(NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t i : v) a->add_ints(i);
}
void AttrS(NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
void AttrT(NodeProto* n, const std::string& name, const TensorProto& t) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}

FTensor Ramp(std::vector<int64_t> dims, float step = 0.25f, float start = -1.0f) {
  FTensor t(std::move(dims));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = start + step * static_cast<float>(i % 13);
  return t;
}

std::vector<float> Values(size_t n, float step, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

void ExpectClose(const FTensor& got, const FTensor& want) {
  ASSERT_EQ(got.dims, want.dims);
  for (size_t i = 0; i < want.data.size(); ++i) {
    EXPECT_NEAR(got.data[i], want.data[i], 1e-4 + 1e-4 * std::fabs(want.data[i])) << i;
  }
}

// Expects ImportError whose message names each of `parts`.
void ExpectRejected(const Graph& g, std::initializer_list<std::string> parts,
                    const ImportOptions& options = {}) {
  try {
    g.Import(options);
    ADD_FAILURE() << "imported, expected an ImportError naming " << *parts.begin();
  } catch (const ImportError& e) {
    for (const std::string& p : parts) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "'" << p << "' missing from: " << e.what();
    }
  }
}

// --- Operators and attribute forms -----------------------------------------------------------

TEST(OnnxImport, ConvWithBiasStridesAndAsymmetricPads) {
  Graph g;
  g.Input("x", {kDyn, 2, 5, 6});
  g.Init("w", {3, 2, 3, 2}, Values(36, 0.1f, -1.5f));
  g.Init("b", {3}, {0.5f, -1, 2});
  NodeProto* n = g.Node("Conv", {"x", "w", "b"}, {"y"}, "conv1");
  AttrIs(n, "strides", {2, 1});
  AttrIs(n, "pads", {1, 0, 0, 2});
  AttrIs(n, "kernel_shape", {3, 2});
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  const NetOp& op = net.ops[0];
  EXPECT_EQ(op.kind, OpKind::kConv);
  EXPECT_EQ(op.name, "conv1");
  EXPECT_EQ(net.input_dims, (std::vector<int64_t>{1, 2, 5, 6}));
  EXPECT_EQ(op.conv.stride_h, 2);
  EXPECT_EQ(op.conv.stride_w, 1);
  EXPECT_EQ(op.conv.pad_top, 1);
  EXPECT_EQ(op.conv.pad_left, 0);
  EXPECT_EQ(op.conv.pad_bottom, 0);
  EXPECT_EQ(op.conv.pad_right, 2);
  // E = (5 + 1 - 3) / 2 + 1 = 2, F = (6 + 2 - 2) / 1 + 1 = 7.
  EXPECT_EQ(op.out_dims, (std::vector<int64_t>{1, 3, 2, 7}));
  EXPECT_EQ(op.bias, (std::vector<float>{0.5f, -1, 2}));
  EXPECT_EQ(RunFloat(net, Ramp({3, 2, 5, 6})).dims, (std::vector<int64_t>{3, 3, 2, 7}));
}

TEST(OnnxImport, ConvAutoPadSameUpperSameLowerValid) {
  struct Case {
    const char* auto_pad;
    int top, bottom;
  };
  // Height 5, kernel 2, stride 1: SAME pads 1 in total, at the end (UPPER) or start (LOWER).
  for (const Case& c : {Case{"SAME_UPPER", 0, 1}, Case{"SAME_LOWER", 1, 0}, Case{"VALID", 0, 0}}) {
    Graph g;
    g.Input("x", {1, 1, 5, 5});
    g.Init("w", {1, 1, 2, 2}, {1, 1, 1, 1});
    AttrS(g.Node("Conv", {"x", "w"}, {"y"}, "c"), "auto_pad", c.auto_pad);
    g.Output("y");
    const NetOp op = g.Import().ops.at(0);
    EXPECT_EQ(op.conv.pad_top, c.top) << c.auto_pad;
    EXPECT_EQ(op.conv.pad_bottom, c.bottom) << c.auto_pad;
    EXPECT_EQ(op.conv.pad_left, c.top) << c.auto_pad;
    EXPECT_EQ(op.out_dims[2], std::string(c.auto_pad) == "VALID" ? 4 : 5);
  }
}

TEST(OnnxImport, DepthwiseConvKeepsItsGroups) {
  Graph g;
  g.Input("x", {1, 4, 3, 3});
  g.Init("w", {4, 1, 3, 3}, Values(36, 0.05f, -0.5f));
  AttrI(g.Node("Conv", {"x", "w"}, {"y"}, "dw"), "group", 4);
  g.Output("y");
  const Network net = g.Import();
  EXPECT_EQ(net.ops.at(0).conv.groups, 4);
  EXPECT_TRUE(net.ops[0].bias.empty());
}

TEST(OnnxImport, GemmFoldsAlphaIntoWeightsAndBetaIntoBias) {
  Graph g;
  g.Input("x", {kDyn, 3});
  g.Init("B", {2, 3}, {1, 2, 3, 4, 5, 6});  // transB: M x K
  g.Init("C", {2}, {1, -1});
  NodeProto* n = g.Node("Gemm", {"x", "B", "C"}, {"y"}, "fc");
  AttrI(n, "transB", 1);
  AttrF(n, "alpha", 2.0f);
  AttrF(n, "beta", 0.5f);
  g.Output("y");
  const Network net = g.Import();
  const NetOp& op = net.ops.at(0);
  EXPECT_EQ(op.w.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(op.w.data, (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(op.bias, (std::vector<float>{0.5f, -0.5f}));
  // Without transB the weights are K x M and are transposed.
  Graph h;
  h.Input("x", {1, 3});
  h.Init("B", {3, 2}, {1, 4, 2, 5, 3, 6});
  h.Node("Gemm", {"x", "B"}, {"y"}, "fc");
  h.Output("y");
  EXPECT_EQ(h.Import().ops.at(0).w.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  const FTensor x = Ramp({2, 3});
  const FTensor y = RunFloat(net, x);
  // Row 0 of Ramp: -1, -0.75, -0.5: 2 * (-1 - 1.5 - 1.5) + 0.5 = -7.5.
  EXPECT_FLOAT_EQ(y.data[0], -7.5f);
}

TEST(OnnxImport, GemmRejectsTransAAndARowDependentBias) {
  Graph g;
  g.Input("x", {3, 2});
  g.Init("B", {3, 2}, Values(6, 1, 0));
  AttrI(g.Node("Gemm", {"x", "B"}, {"y"}, "fc7"), "transA", 1);
  g.Output("y");
  ExpectRejected(g, {"model.onnx", "'fc7'", "(Gemm)", "transA", "transA=0"});
  Graph h;
  h.Input("x", {2, 3});
  h.Init("B", {3, 2}, Values(6, 1, 0));
  h.Init("C", {2, 2}, {1, 2, 3, 4});
  h.Node("Gemm", {"x", "B", "C"}, {"y"}, "fc8");
  h.Output("y");
  ExpectRejected(h, {"'fc8'", "(Gemm)", "C of shape 2x2", "row"});
}

TEST(OnnxImport, MatMulThenAddIsOneGemmWithBias) {
  Graph g;
  g.Input("x", {kDyn, 3});
  g.Init("W", {3, 2}, {1, 4, 2, 5, 3, 6});
  g.Init("bias", {2}, {10, 20});
  g.Node("MatMul", {"x", "W"}, {"h"}, "mm");
  g.Node("Add", {"h", "bias"}, {"y"}, "add");
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  EXPECT_EQ(net.ops[0].kind, OpKind::kGemm);
  EXPECT_EQ(net.ops[0].op_type, "MatMul");
  EXPECT_EQ(net.ops[0].folded, (std::vector<std::string>{"add (Add)"}));
  EXPECT_EQ(net.ops[0].w.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(net.ops[0].bias, (std::vector<float>{10, 20}));
  // Without the Add: no bias.
  Graph h;
  h.Input("x", {1, 3});
  h.Init("W", {3, 2}, Values(6, 1, 0));
  h.Node("MatMul", {"x", "W"}, {"y"}, "mm");
  h.Output("y");
  EXPECT_TRUE(h.Import().ops.at(0).bias.empty());
}

// Conv -> BatchNormalization folds into the conv; checked against conv then BN run apart.
TEST(OnnxImport, BatchNormFoldsIntoTheConvBefore) {
  Graph g;
  g.Input("x", {kDyn, 2, 4, 4});
  g.Init("w", {3, 2, 3, 3}, Values(54, 0.03f, -0.8f));
  g.Init("b", {3}, {0.1f, 0.2f, -0.3f});
  const std::vector<float> gamma = {1.5f, -0.5f, 2}, beta = {0.1f, 0, -1}, mean = {0.2f, -1, 3},
                           var = {4, 0.25f, 1};
  g.Init("gamma", {3}, gamma);
  g.Init("beta", {3}, beta);
  g.Init("mean", {3}, mean);
  g.Init("var", {3}, var);
  AttrIs(g.Node("Conv", {"x", "w", "b"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
  AttrF(g.Node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}, "bn"), "epsilon",
        0.01f);
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  EXPECT_EQ(net.ops[0].folded, (std::vector<std::string>{"bn (BatchNormalization)"}));

  NetOp conv;
  conv.kind = OpKind::kConv;
  conv.w = FTensor({3, 2, 3, 3});
  conv.w.data = Values(54, 0.03f, -0.8f);
  conv.bias = {0.1f, 0.2f, -0.3f};
  conv.conv.pad_top = conv.conv.pad_left = conv.conv.pad_bottom = conv.conv.pad_right = 1;
  NetOp bn;
  bn.kind = OpKind::kAffine;
  for (int c = 0; c < 3; ++c) {
    const float s = gamma[c] / std::sqrt(var[c] + 0.01f);
    bn.scale.push_back(s);
    bn.shift.push_back(beta[c] - mean[c] * s);
  }
  const FTensor x = Ramp({2, 2, 4, 4});
  ExpectClose(RunFloat(net, x), RunFloatOp(bn, RunFloatOp(conv, x)));
}

TEST(OnnxImport, BatchNormFoldsIntoGemmAndStandsAloneAsAffine) {
  Graph g;
  g.Input("x", {1, 2});
  g.Init("B", {2, 2}, {1, 2, 3, 4});
  g.Init("s", {2}, {2, 3});
  g.Init("bb", {2}, {1, 1});
  g.Init("m", {2}, {0, 1});
  g.Init("v", {2}, {1, 1});
  g.Node("Gemm", {"x", "B"}, {"h"}, "fc");
  AttrF(g.Node("BatchNormalization", {"h", "s", "bb", "m", "v"}, {"y"}, "bn"), "epsilon", 0);
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  // w^T = [[1 3] [2 4]] scaled by 2 and 3; bias 0 * s + bb - m * s = (1, -2).
  EXPECT_EQ(net.ops[0].w.data, (std::vector<float>{2, 6, 6, 12}));
  EXPECT_EQ(net.ops[0].bias, (std::vector<float>{1, -2}));

  Graph h;
  h.Input("x", {kDyn, 2, 3, 3});
  h.Init("s", {2}, {2, 3});
  h.Init("bb", {2}, {1, 1});
  h.Init("m", {2}, {0, 1});
  h.Init("v", {2}, {1, 1});
  AttrF(h.Node("BatchNormalization", {"x", "s", "bb", "m", "v"}, {"y"}, "bn"), "epsilon", 0);
  h.Output("y");
  const Network alone = h.Import();
  ASSERT_EQ(alone.ops.size(), 1u);
  EXPECT_EQ(alone.ops[0].kind, OpKind::kAffine);
  EXPECT_EQ(alone.ops[0].scale, (std::vector<float>{2, 3}));
  EXPECT_EQ(alone.ops[0].shift, (std::vector<float>{1, -2}));
}

TEST(OnnxImport, BatchNormTrainingModeIsRejected) {
  Graph g(15);
  g.Input("x", {1, 2, 2, 2});
  for (const char* p : {"s", "b", "m", "v"}) g.Init(p, {2}, {1, 1});
  AttrI(g.Node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"}, "bn2"), "training_mode", 1);
  g.Output("y");
  ExpectRejected(g, {"'bn2'", "(BatchNormalization)", "training_mode", "eval"});
}

TEST(OnnxImport, PerChannelMulAndAddAfterReluBecomeOneAffine) {
  Graph g;
  g.Input("x", {kDyn, 3, 2, 2});
  g.Init("k", {3, 1, 1}, {2, 3, 4});
  g.Init("t", {1, 3, 1, 1}, {1, 2, 3});
  g.Init("half", {}, {0.5f});
  g.Node("Relu", {"x"}, {"r"}, "relu");
  g.Node("Mul", {"r", "k"}, {"m"}, "mul");
  g.Node("Sub", {"t", "m"}, {"s"}, "sub");  // t - x: scale -1
  g.Node("Div", {"s", "half"}, {"y"}, "div");
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 2u);
  EXPECT_EQ(net.ops[1].kind, OpKind::kAffine);
  // ((x * k) * -1 + t) * 2
  EXPECT_EQ(net.ops[1].scale, (std::vector<float>{-4, -6, -8}));
  EXPECT_EQ(net.ops[1].shift, (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(net.ops[1].folded.size(), 2u);
  // A constant that is not per channel is rejected, and so is c / x.
  Graph h;
  h.Input("x", {1, 3, 2, 2});
  h.Init("k", {2}, {1, 2});
  h.Node("Mul", {"x", "k"}, {"y"}, "mul9");
  h.Output("y");
  ExpectRejected(h, {"'mul9'", "(Mul)", "not per-channel"});
}

TEST(OnnxImport, ZeroPadMergesIntoTheNextConvAndAllZeroPadIsDropped) {
  Graph g;  // opset 13: pads as an input
  g.Input("x", {1, 1, 3, 3});
  g.InitInts("pads", {0, 0, 1, 2, 0, 0, 0, 1});
  g.InitInts("nopads", {0, 0, 0, 0, 0, 0, 0, 0});
  g.Init("w", {1, 1, 2, 2}, {1, 2, 3, 4});
  g.Node("Pad", {"x", "nopads"}, {"p0"}, "pad0");
  g.Node("Pad", {"p0", "pads"}, {"p"}, "pad1");
  AttrIs(g.Node("Conv", {"p", "w"}, {"y"}, "conv"), "pads", {1, 0, 0, 0});
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  const ConvParams& p = net.ops[0].conv;
  EXPECT_EQ(p.pad_top, 2);
  EXPECT_EQ(p.pad_left, 2);
  EXPECT_EQ(p.pad_bottom, 0);
  EXPECT_EQ(p.pad_right, 1);
  EXPECT_EQ(net.ops[0].folded, (std::vector<std::string>{"pad1 (Pad)"}));
  // Opset 2's attribute form, and a Pad with no Conv or pool after it.
  Graph h(9);
  h.Input("x", {1, 1, 3, 3});
  AttrIs(h.Node("Pad", {"x"}, {"y"}, "pad2"), "pads", {0, 0, 1, 1, 0, 0, 1, 1});
  h.Output("y");
  ExpectRejected(h, {"'pad2'", "(Pad)", "no Conv or pool"});
}

TEST(OnnxImport, ZeroPadMergesIntoPoolsOnlyWhereTheResultIsTheSame) {
  // MaxPool: only after a Relu (zeros never beat a non-negative input).
  for (bool relu : {true, false}) {
    Graph g(9);
    g.Input("x", {1, 1, 4, 4});
    std::string in = "x";
    if (relu) {
      g.Node("Relu", {"x"}, {"r"}, "relu");
      in = "r";
    }
    AttrIs(g.Node("Pad", {in}, {"p"}, "pad"), "pads", {0, 0, 1, 1, 0, 0, 1, 1});
    AttrIs(g.Node("MaxPool", {"p"}, {"y"}, "pool"), "kernel_shape", {2, 2});
    g.Output("y");
    if (relu) {
      const Network net = g.Import();
      EXPECT_EQ(net.ops.back().pool.pad_top, 1);
      EXPECT_EQ(net.ops.back().pool.pad_right, 1);
    } else {
      ExpectRejected(g, {"'pool'", "(MaxPool)", "Pad 'pad'", "negative"});
    }
  }
  // AveragePool: the Pad's zeros are counted, so count_include_pad becomes 1.
  Graph g(9);
  g.Input("x", {1, 1, 4, 4});
  AttrIs(g.Node("Pad", {"x"}, {"p"}, "pad"), "pads", {0, 0, 1, 1, 0, 0, 1, 1});
  NodeProto* n = g.Node("AveragePool", {"p"}, {"y"}, "avg");
  AttrIs(n, "kernel_shape", {3, 3});
  g.Output("y");
  const Network net = g.Import();
  EXPECT_TRUE(net.ops.at(0).count_include_pad);
  // Checked against the padded input pooled without padding.
  const FTensor x = Ramp({1, 1, 4, 4});
  FTensor padded({1, 1, 6, 6});
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) padded.data[(i + 1) * 6 + j + 1] = x.data[i * 4 + j];
  }
  NetOp plain = net.ops[0];
  plain.pool.pad_top = plain.pool.pad_left = plain.pool.pad_bottom = plain.pool.pad_right = 0;
  ExpectClose(RunFloat(net, x), RunFloatOp(plain, padded));
}

TEST(OnnxImport, MaxPoolAttributesAndRejections) {
  Graph g(12);
  g.Input("x", {1, 1, 5, 5});
  NodeProto* n = g.Node("MaxPool", {"x"}, {"y"}, "mp");
  AttrIs(n, "kernel_shape", {3, 3});
  AttrIs(n, "strides", {2, 2});
  AttrI(n, "ceil_mode", 1);
  AttrIs(n, "pads", {0, 0, 1, 1});
  g.Output("y");
  const NetOp op = g.Import().ops.at(0);
  EXPECT_TRUE(op.pool.ceil_mode);
  EXPECT_EQ(op.out_dims, (std::vector<int64_t>{1, 1, 3, 3}));  // ceil((5+1-3)/2)+1
  // Any valid window size is accepted: the compiler, not the importer, knows the pool unit.
  Graph big(12);
  big.Input("x", {1, 1, 9, 9});
  AttrIs(big.Node("MaxPool", {"x"}, {"y"}, "mp"), "kernel_shape", {7, 7});
  big.Output("y");
  EXPECT_EQ(big.Import().ops.at(0).pool.kernel_h, 7);

  Graph dil(12);
  dil.Input("x", {1, 1, 5, 5});
  NodeProto* d = dil.Node("MaxPool", {"x"}, {"y"}, "pool3");
  AttrIs(d, "kernel_shape", {2, 2});
  AttrIs(d, "dilations", {2, 2});
  dil.Output("y");
  ExpectRejected(dil, {"'pool3'", "(MaxPool)", "dilations [2, 2]", "dilated"});
  Graph idx(12);
  idx.Input("x", {1, 1, 4, 4});
  AttrIs(idx.Node("MaxPool", {"x"}, {"y", "i"}, "pool4"), "kernel_shape", {2, 2});
  idx.Output("y");
  ExpectRejected(idx, {"'pool4'", "(MaxPool)", "Indices"});
  Graph so(12);
  so.Input("x", {1, 1, 4, 4});
  NodeProto* s = so.Node("MaxPool", {"x"}, {"y"}, "pool5");
  AttrIs(s, "kernel_shape", {2, 2});
  AttrI(s, "storage_order", 1);
  so.Output("y");
  ExpectRejected(so, {"'pool5'", "(MaxPool)", "storage_order"});
}

TEST(OnnxImport, ConvDilationsAreRejectedNamingNodeOpAndAttribute) {
  Graph g;
  g.Input("x", {1, 1, 8, 8});
  g.Init("w", {1, 1, 3, 3}, Values(9, 1, 0));
  AttrIs(g.Node("Conv", {"x", "w"}, {"y"}, "conv3"), "dilations", {2, 2});
  g.Output("y");
  ExpectRejected(g, {"model.onnx: node 'conv3' (Conv): dilations [2, 2] are not supported",
                     "re-export the model without dilated convolutions"});
  try {
    g.Import();
  } catch (const ImportError& e) {
    EXPECT_EQ(e.node(), "conv3");
    EXPECT_EQ(e.op_type(), "Conv");
  }
}

// PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
TEST(OnnxImport, ShapeSubgraphReshapeIsAFlattenWithADynamicBatch) {
  Graph g(11);
  g.Input("x", {kDyn, 2, 3, 3});
  g.Init("w", {4, 2, 2, 2}, Values(32, 0.1f, -1.6f));
  g.Init("fcw", {5, 16}, Values(80, 0.01f, -0.4f));
  g.Node("Conv", {"x", "w"}, {"c"}, "conv");
  g.Node("Shape", {"c"}, {"shape"}, "shape");
  TensorProto zero;
  zero.set_data_type(TensorProto::INT64);
  zero.add_int64_data(0);
  AttrT(g.Node("Constant", {}, {"zero"}, "k0"), "value", zero);
  AttrI(g.Node("Gather", {"shape", "zero"}, {"n"}, "gather"), "axis", 0);
  AttrIs(g.Node("Unsqueeze", {"n"}, {"n1"}, "unsq"), "axes", {0});
  auto* minus1 = g.Node("Constant", {}, {"m1"}, "k1");
  AttrIs(minus1, "value_ints", {-1});
  AttrI(g.Node("Concat", {"n1", "m1"}, {"target"}, "cat"), "axis", 0);
  g.Node("Reshape", {"c", "target"}, {"flat"}, "view");
  AttrI(g.Node("Gemm", {"flat", "fcw"}, {"y"}, "fc"), "transB", 1);
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 3u);
  EXPECT_EQ(net.ops[1].kind, OpKind::kFlatten);
  EXPECT_EQ(net.ops[1].op_type, "Reshape");
  EXPECT_EQ(net.ops[1].out_dims, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(net.ops[2].OutDims(7), (std::vector<int64_t>{7, 5}));
  EXPECT_EQ(RunFloat(net, Ramp({3, 2, 3, 3})).dims, (std::vector<int64_t>{3, 5}));
}

TEST(OnnxImport, ReshapeToTheSameShapeIsDroppedAndOthersAreRejected) {
  Graph g;
  g.Input("x", {kDyn, 2, 3});
  g.InitInts("same", {-1, 2, 3});
  g.InitInts("other", {0, 3, 2});
  g.Node("Reshape", {"x", "same"}, {"s"}, "r0");
  g.Node("Relu", {"s"}, {"y"}, "relu");
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 1u);
  EXPECT_EQ(net.ops[0].kind, OpKind::kRelu);
  Graph h;
  h.Input("x", {kDyn, 2, 3});
  h.InitInts("other", {0, 3, 2});
  h.Node("Reshape", {"x", "other"}, {"y"}, "r1");
  h.Output("y");
  ExpectRejected(h, {"'r1'", "(Reshape)", "[0, 3, 2]", "N x K"});
}

TEST(OnnxImport, ConstantNodeWeightsAndRawDataReadLikeTypedFields) {
  const std::vector<float> w = Values(18, 0.125f, -1);
  for (bool raw : {false, true}) {
    Graph g;
    g.Input("x", {1, 2, 3, 3});
    AttrT(g.Node("Constant", {}, {"w"}, "wk"), "value", FloatTensor("", {1, 2, 3, 3}, w, raw));
    auto* b = g.Node("Constant", {}, {"b"}, "bk");
    auto* a = b->add_attribute();
    a->set_name("value_floats");
    a->set_type(onnx::AttributeProto::FLOATS);
    a->add_floats(0.75f);
    g.Node("Conv", {"x", "w", "b"}, {"y"}, "conv");
    g.Output("y");
    const Network net = g.Import();
    EXPECT_EQ(net.ops.at(0).w.data, w) << "raw " << raw;
    EXPECT_EQ(net.ops[0].bias, (std::vector<float>{0.75f}));
  }
  // A double initializer reads the same values.
  Graph g;
  g.Input("x", {1, 2});
  TensorProto* d = g.g()->add_initializer();
  d->set_name("B");
  d->set_data_type(TensorProto::DOUBLE);
  d->add_dims(2);
  d->add_dims(1);
  d->add_double_data(0.5);
  d->add_double_data(-2);
  g.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  g.Output("y");
  EXPECT_EQ(g.Import().ops.at(0).w.data, (std::vector<float>{0.5f, -2}));
}

TEST(OnnxImport, SoftmaxAxisFollowsTheOpsetAndMustBeLast) {
  Graph old(11);  // axis 1 coerces 1 x 2 x 3 to 1 x 6
  old.Input("x", {kDyn, 2, 3});
  old.Node("Softmax", {"x"}, {"y"}, "sm");
  old.Output("y");
  const NetOp a = old.Import().ops.at(0);
  EXPECT_EQ(a.axis, 1);
  EXPECT_TRUE(a.softmax_coerced);
  Graph now(13);  // default axis -1
  now.Input("x", {kDyn, 2, 3});
  now.Node("Softmax", {"x"}, {"y"}, "sm");
  now.Output("y");
  const NetOp b = now.Import().ops.at(0);
  EXPECT_EQ(b.axis, 2);
  EXPECT_FALSE(b.softmax_coerced);
  Graph two(11);  // axis 1 of a 2-D input: the same either way
  two.Input("x", {kDyn, 10});
  two.Node("Softmax", {"x"}, {"y"}, "sm");
  two.Output("y");
  EXPECT_FALSE(two.Import().ops.at(0).softmax_coerced);
  Graph mid;
  mid.Input("x", {1, 4});
  mid.Node("Softmax", {"x"}, {"s"}, "sm5");
  mid.Node("Relu", {"s"}, {"y"}, "relu");
  mid.Output("y");
  ExpectRejected(mid, {"'sm5'", "(Softmax)", "last"});
}

TEST(OnnxImport, FlattenAxesIdentityAndDropout) {
  Graph g;
  g.Input("x", {kDyn, 2, 3, 4});
  g.Node("Identity", {"x"}, {"i"}, "id");
  g.Node("Dropout", {"i"}, {"d"}, "drop");
  AttrI(g.Node("Flatten", {"d"}, {"f"}, "flat"), "axis", 2);
  g.Node("LeakyRelu", {"f"}, {"y"}, "leaky");
  g.Output("y");
  const Network net = g.Import();
  ASSERT_EQ(net.ops.size(), 2u);
  EXPECT_EQ(net.ops[0].axis, 2);
  EXPECT_EQ(net.ops[0].out_dims, (std::vector<int64_t>{2, 12}));
  EXPECT_FLOAT_EQ(net.ops[1].alpha, 0.01f);
  EXPECT_EQ(RunFloat(net, Ramp({3, 2, 3, 4})).dims, (std::vector<int64_t>{6, 12}));
  Graph mask;
  mask.Input("x", {1, 4});
  mask.Node("Dropout", {"x"}, {"d", "m"}, "drop2");
  mask.Node("Mul", {"d", "m"}, {"y"}, "mul");
  mask.Output("y");
  ExpectRejected(mask, {"'drop2'", "(Dropout)", "mask"});
}

TEST(OnnxImport, UnsupportedGraphsAreRejectedWithWhatToDo) {
  Graph op;
  op.Input("x", {1, 4});
  op.Node("Sigmoid", {"x"}, {"y"}, "sig1");
  op.Output("y");
  ExpectRejected(op, {"'sig1'", "(Sigmoid)", "not supported", "re-export"});
  Graph branch;
  branch.Input("x", {1, 4});
  branch.Node("Relu", {"x"}, {"a"}, "r");
  branch.Node("Add", {"x", "a"}, {"y"}, "res");
  branch.Output("y");
  ExpectRejected(branch, {"'res'", "(Add)", "twice"});
  Graph opset(22);
  opset.Input("x", {1, 4});
  opset.Node("Relu", {"x"}, {"y"}, "r");
  opset.Output("y");
  ExpectRejected(opset, {"opset 22"});
  Graph conv1d;
  conv1d.Input("x", {1, 2, 8});
  conv1d.Init("w", {1, 2, 3}, Values(6, 1, 0));
  conv1d.Node("Conv", {"x", "w"}, {"y"}, "c1");
  conv1d.Output("y");
  ExpectRejected(conv1d, {"'c1'", "(Conv)", "3-D", "2-D convolutions"});
  Graph attr;
  attr.Input("x", {1, 4});
  AttrI(attr.Node("Relu", {"x"}, {"y"}, "r2"), "bogus", 1);
  attr.Output("y");
  ExpectRejected(attr, {"'r2'", "(Relu)", "attribute 'bogus'"});
}

TEST(OnnxImport, BoundConstantsOverrideInitializers) {
  Graph g;
  g.Input("x", {1, 2});
  g.Input("B", {2, 1});
  g.Init("B", {2, 1}, {1, 1});
  g.Node("MatMul", {"x", "B"}, {"y"}, "mm");
  g.Output("y");
  ImportOptions options;
  FTensor b({2, 1});
  b.data = {3, 4};
  options.constants["B"] = b;
  EXPECT_EQ(g.Import(options).ops.at(0).w.data, (std::vector<float>{3, 4}));
  EXPECT_EQ(g.Import().ops.at(0).w.data, (std::vector<float>{1, 1}));
}

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
