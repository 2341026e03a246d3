// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// ONNX import: a model file (the real ONNX schema, Debian's libonnx-dev and protobuf) becomes a
// Network (network.h). Opsets 1 to 21 of the default domain, where the operators' semantics are
// the same: the older forms' attributes (Gemm's broadcast, BatchNormalization's is_test and
// spatial, Add/Mul's broadcast and axis, Pad's paddings) are read per op, and an attribute the
// importer does not know is rejected rather than ignored. Supported: Conv (2-D; groups, strides, asymmetric pads, auto_pad; dilations 1),
// Gemm (transA 0), MatMul + Add of a bias, Relu, LeakyRelu, MaxPool, AveragePool,
// GlobalAveragePool, BatchNormalization (inference), per-channel Mul/Add, Flatten, Reshape to
// N x K, Identity, Dropout, Softmax (last). Folded at import: Constant nodes, shape subgraphs
// (Shape, Gather, Unsqueeze, Concat, ... feeding a Reshape) evaluated from the known shapes,
// zero Pads merged into the next Conv or pool (into a MaxPool only when its input cannot be
// negative, since a zero could beat it; into an AveragePool as counted padding). Anything else
// is rejected before anything runs with an ImportError naming the node, its op type, the
// attribute and what to do.
#ifndef EYELET_ONNX_IMPORT_H_
#define EYELET_ONNX_IMPORT_H_

#include <map>
#include <string>

#include "eyelet/error.h"
#include "eyelet/network.h"

namespace eyelet {

// An operator, attribute or graph form the importer does not support. what() reads
// "<model>: node '<name>' (<op_type>): <problem>; <what to do>".
class ImportError : public UnsupportedError {
 public:
  ImportError(const std::string& what, std::string node, std::string op_type)
      : UnsupportedError(what), node_(std::move(node)), op_type_(std::move(op_type)) {}
  const std::string& node() const { return node_; }
  const std::string& op_type() const { return op_type_; }

 private:
  std::string node_;
  std::string op_type_;
};

struct ImportOptions {
  // Graph inputs given as constants, by name (ONNX's node tests feed weights as inputs: the
  // suite walk binds every input but the first this way). Initializers with the same name
  // are overridden.
  std::map<std::string, FTensor> constants;
};

// Reads and imports `path`. Throws FileError when it cannot be read or is not a valid ONNX
// ModelProto (truncated, wrong field types), ImportError as above, ShapeError when a declared
// shape is inconsistent or huge (more than 2^31 elements in a tensor).
Network ImportOnnx(const std::string& path, const ImportOptions& options = {});
// The same from the serialized bytes; `name` stands for the file in messages.
Network ImportOnnxBytes(const std::string& bytes, const std::string& name,
                        const ImportOptions& options = {});

// A serialized onnx.TensorProto (the node tests' input_*.pb / output_*.pb) as an FTensor.
// float, double, int32, int64, uint8, int8, int16, uint16 and bool are converted to float;
// raw_data or the typed fields are read. Throws FileError for an unreadable file or another
// element type.
FTensor ReadTensorProtoFile(const std::string& path);

}  // namespace eyelet

#endif  // EYELET_ONNX_IMPORT_H_
