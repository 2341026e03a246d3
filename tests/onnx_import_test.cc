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
#include "onnx_graph.h"

namespace eyelet {
namespace {

using namespace onnx_graph;  // Graph, FloatTensor, Attr*, Ramp, ExpectRejected (onnx_graph.h)

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

}  // namespace
}  // namespace eyelet
