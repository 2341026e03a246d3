// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The ONNX importer's parts: onnx_read.cc (tensors, attributes, messages), onnx_fold.cc
// (evaluating the constant nodes an exporter emits: Constant, shape subgraphs, weight
// transposes), onnx_ops.cc (translating the data path's operators) and onnx_import.cc
// (parsing, sorting and walking the graph). Not a public header: only those files include it.
#ifndef EYELET_SRC_ONNX_INTERNAL_H_
#define EYELET_SRC_ONNX_INTERNAL_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eyelet/network.h"

namespace eyelet {
namespace onnx_internal {

// The largest tensor a model may declare or hold (the importer's limit, 2^31 elements), and
// the largest constant folding may create (a shape subgraph's results are small; a
// ConstantOfShape over the batch sentinel is not).
constexpr int64_t kMaxTensorElements = int64_t{1} << 31;
constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;
// The values all of a model's folded nodes may create together: each node's result is bounded
// by kMaxFoldedElements, but a few-kilobyte model could chain hundreds of such nodes (found by
// fuzz/fuzz_onnx: one took 10 s to import). Shape subgraphs create tens of values, a
// ConstantOfShape over the batch sentinel a million.
constexpr int64_t kMaxFoldedTotal = int64_t{1} << 24;

// The batch size shape subgraphs are evaluated with: a prime no real dimension equals, so a
// Reshape target element equal to it is the batch (PyTorch's x.view(x.size(0), -1)).
constexpr int64_t kBatchSentinel = 1000003;

// A constant during import, in double (exact for every integer a shape holds) with the ONNX
// element type's integer-ness, so integer Div truncates as ONNX does.
struct Const {
  std::vector<int64_t> dims;
  std::vector<double> v;
  bool is_int = false;
};

// Who is asking, for messages: "<model>: node '<node>' (<op>): ...".
struct NodeCtx {
  std::string model;
  std::string node;
  std::string op;
};

// Throws ImportError "<model>: node '<node>' (<op>): <problem>; <what to do>".
[[noreturn]] void Reject(const NodeCtx& ctx, const std::string& problem,
                         const std::string& what_to_do);

// Whether an ONNX element type holds integers (so Div truncates, Cast rounds toward zero).
bool IsIntType(int32_t data_type);
// The element type's ONNX name ("FLOAT", "INT64", ...).
std::string ElemTypeName(int32_t data_type);

// Element count of `dims`; ShapeError (naming `what`) for a negative dimension or more than
// `limit` elements.
int64_t CheckedSize(const std::vector<int64_t>& dims, int64_t limit, const std::string& what);

// A TensorProto's values (raw_data or the typed field). FileError for an element type it does
// not read, external data, or a data length that does not match the dims; ShapeError for
// huge dims. `what` names the tensor in messages.
Const TensorToConst(const onnx::TensorProto& t, const std::string& what);
FTensor ConstToFTensor(const Const& c);
Const FTensorToConst(const FTensor& t);
// An integer value of a constant, clamped to +-2^62 (ONNX uses INT64_MAX for "to the end").
int64_t ToInt(double v);
std::vector<int64_t> ToInts(const Const& c);

// Attributes. The typed getters Reject a wrong attribute type.
const onnx::AttributeProto* FindAttr(const onnx::NodeProto& n, const std::string& name);
int64_t AttrInt(const NodeCtx& ctx, const onnx::NodeProto& n, const std::string& name, int64_t def);
float AttrFloat(const NodeCtx& ctx, const onnx::NodeProto& n, const std::string& name, float def);
std::vector<int64_t> AttrInts(const NodeCtx& ctx, const onnx::NodeProto& n, const std::string& name,
                              std::vector<int64_t> def = {});
std::string AttrString(const NodeCtx& ctx, const onnx::NodeProto& n, const std::string& name,
                       const std::string& def);
// "[2, 2]"; past 16 values "[1, 2, ..., (N values)]" with the first 16.
std::string IntsString(const std::vector<int64_t>& v);

// Whether EvalConstNode folds this op type.
bool IsFoldable(const std::string& op_type);
// Evaluates a foldable node whose inputs are all constants (`in[i]` null for an absent
// optional input) at default-domain opset `opset`; one Const per node output.
std::vector<Const> EvalConstNode(const NodeCtx& ctx, const onnx::NodeProto& n,
                                 const std::vector<const Const*>& in, int64_t opset);

// The data path as it is built: the ops so far and the state of the current value.
struct Chain {
  std::string model;
  int64_t opset = 0;
  int64_t declared_batch = 0;  // the input's fixed dims[0], 0 when dynamic
  std::vector<int64_t> dims;   // the current value's shape for a batch of one (after a Pad)
  int batch_axis = 0;          // as NetOp::batch_axis
  bool nonneg = false;         // the current value cannot be negative (after a Relu, ...)
  // A zero-valued Pad waiting to merge into the next Conv or pool: its pads (top, left,
  // bottom, right), the shape before it and the nodes it stands for.
  bool pad_active = false;
  int pad[4] = {0, 0, 0, 0};
  std::vector<int64_t> dims_before_pad;
  NodeCtx pad_ctx;
  std::vector<std::string> pad_folded;
  std::vector<NetOp> ops;
};

// Translates one node on the data path: input `data` of `n` is the current value, `in[i]`
// the constant inputs (null for the data input and absent ones). `used(name)` tells whether a
// node or the graph output reads a value (for Dropout's mask, MaxPool's Indices, a
// BatchNormalization's training outputs). Appends to, folds into or leaves chain.ops.
void TranslateDataNode(Chain& chain, const NodeCtx& ctx, const onnx::NodeProto& n, size_t data,
                       const std::vector<const Const*>& in,
                       const std::function<bool(const std::string&)>& used);

// Rejects a Pad still waiting when the chain ends or meets an op it cannot merge into.
void RejectPendingPad(const Chain& chain, const std::string& next);

}  // namespace onnx_internal
}  // namespace eyelet

#endif  // EYELET_SRC_ONNX_INTERNAL_H_
