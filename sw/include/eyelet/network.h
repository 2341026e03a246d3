// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// An imported network (onnx_import.h) as Eyelet sees it: one data input, a straight chain of
// operators each reading the previous one's output (the first reads the input), float
// weights with everything the exporter emits around them already folded (Constant nodes, shape
// subgraphs, zero Pads, Identity, Dropout, batch normalization into the Conv or Gemm before
// it). The float reference (RunFloat, ONNX semantics) runs it on the host; the compiler
// (net_compile.h) quantizes it and turns it into one descriptor chain.
//
// Tensors are N-dimensional here (ONNX's node tests use 1-D to 5-D shapes); the batch is
// dims[0]. A network's shapes are inferred at import with the batch dimension left dynamic:
// NetOp::out_dims holds the shape for one image (dims[0] == 1) and OutDims() rescales it.
// (A Flatten with axis 0 or axis > 1 mixes the batch into another dimension: NetOp::batch_axis
// says which dimension of out_dims grows with the batch.)
//
// RunFloat is written from the ONNX operator specification, independently of golden.h's
// integer model. tests/onnx_suite_test.cc checks it against ONNX's own node tests with the
// tolerance kOnnxAbsTol + kOnnxRelTol * |expected| per element.
#ifndef EYELET_NETWORK_H_
#define EYELET_NETWORK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/golden.h"

namespace eyelet {

// A dense float tensor, row-major (C order) over `dims`.
struct FTensor {
  std::vector<int64_t> dims;
  std::vector<float> data;

  FTensor() = default;
  explicit FTensor(std::vector<int64_t> d, float fill = 0.0f);
  int64_t Size() const;  // the product of dims (1 for a scalar, dims = {})
  std::string ShapeString() const;  // "1x3x28x28"
};

// The product of `dims`; throws ShapeError for a negative one or an overflow past 2^40.
int64_t DimsSize(const std::vector<int64_t>& dims);
std::string DimsString(const std::vector<int64_t>& dims);

enum class OpKind {
  kConv,           // 2-D convolution: w M x C/groups x R x S, bias (M or empty), conv
  kGemm,           // fully connected: y = flatten(x) w^T + bias; w M x K (transB and alpha
                   // applied at import; beta applied to bias), x is N x K (2-D)
  kRelu,
  kLeakyRelu,      // alpha
  kMaxPool,        // pool (kernel, strides, pads, ceil_mode); padded positions never win
  kAvgPool,        // pool and count_include_pad (ONNX AveragePool)
  kGlobalAvgPool,  // mean over each H x W plane: N x C x 1 x 1
  kAffine,         // y[n][c][..] = x[n][c][..] * scale[c] + shift[c] (a batch normalization or
                   // Mul/Add by per-channel constants that nothing before it could absorb)
  kFlatten,        // to 2-D: prod(dims[..axis-1]) x prod(dims[axis..]) (ONNX Flatten; axis 1,
                   // N x K, is the usual one; a Reshape to N x K imports as this too)
  kSoftmax,        // over `axis` (ONNX opset >= 13 semantics: one axis; older opsets' coerced
                   // 2-D form is rewritten at import to the same thing when it is equal, and
                   // kept as `softmax_coerced` when it is not)
};

// The ONNX-ish name of a kind: "Conv", "Gemm", "Relu", ...
const char* OpKindName(OpKind k);

struct NetOp {
  OpKind kind = OpKind::kRelu;
  std::string name;     // the ONNX node's name, or "<op_type>_<node index>" when it has none
  std::string op_type;  // the ONNX op type of the node it came from ("MatMul" for MatMul+Add)
  // The nodes folded into this one (a Pad before, an Add bias after a MatMul, a
  // BatchNormalization after a Conv), "name (OpType)" each, for the per-layer table.
  std::vector<std::string> folded;
  std::vector<int64_t> out_dims;  // output shape for a batch of one (dims[0] == 1)

  // kConv, kGemm
  FTensor w;
  std::vector<float> bias;  // empty: none
  ConvParams conv;          // kConv: strides, asymmetric pads, groups
  // kLeakyRelu
  float alpha = 0.01f;
  // kMaxPool, kAvgPool
  PoolParams pool;
  bool count_include_pad = false;  // kAvgPool
  // kAffine
  std::vector<float> scale, shift;
  // kFlatten, kSoftmax: non-negative (normalized at import)
  int axis = 1;
  // kSoftmax from opsets < 13 where the coerced form differs from one axis: the softmax runs
  // over all of dims[axis..] at once (each prod(dims[..axis-1]) row of the 2-D view).
  bool softmax_coerced = false;
  // The dimension of out_dims that grows with the batch: 0, except after a Flatten with axis 0
  // (which makes 1 x N*K, so 1).
  int batch_axis = 0;

  // out_dims with dims[batch_axis] multiplied by `batch` (for batch_axis 0 and out_dims[0] == 1:
  // dims[0] set to `batch`).
  std::vector<int64_t> OutDims(int64_t batch) const;
};

struct Network {
  std::string name;        // the graph's name, or the file's stem
  std::string input_name;  // the ONNX graph input that carries the data
  std::vector<int64_t> input_dims;  // for a batch of one (dims[0] == 1)
  std::string output_name;
  int64_t opset = 0;  // the default-domain opset the model imports
  std::vector<NetOp> ops;

  std::vector<int64_t> InputDims(int64_t batch) const;
};

// ONNX semantics on the host, in float with double accumulation (each output element summed
// in double and rounded once). `x` must have the network's input shape with any batch. When
// `per_op` is given it receives every op's output (per_op->at(i) is ops[i]'s). Throws
// ShapeError when x's shape is not the network's input shape.
FTensor RunFloat(const Network& net, const FTensor& x, std::vector<FTensor>* per_op = nullptr);

// One op on its input, as RunFloat runs it.
FTensor RunFloatOp(const NetOp& op, const FTensor& x);

// The shape `op` makes of an input of shape `in` (ONNX's output-size rules: floor or ceil
// pooling with the last window starting inside the input or the left padding). Throws
// ShapeError when `in` does not suit the op (rank, channels, K, a window larger than the
// padded input).
std::vector<int64_t> OpOutDims(const NetOp& op, const std::vector<int64_t>& in);

// The suite's tolerance (tests/onnx_suite_test.cc): |got - want| <= abs + rel * |want| per
// element; NaN matches NaN and infinities match themselves.
constexpr double kOnnxAbsTol = 1e-4;
constexpr double kOnnxRelTol = 1e-4;

// Index of the largest value in each row of a N x K tensor (the first one on ties).
std::vector<int> ArgMaxRows(const FTensor& logits);

}  // namespace eyelet

#endif  // EYELET_NETWORK_H_
