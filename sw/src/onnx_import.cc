// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// ONNX import (onnx_import.h): the graph is sorted, its constant nodes folded (onnx_fold.cc)
// and its data path, which must be a straight chain from one input to one output, translated
// op by op into a Network. Everything the importer cannot honour is rejected here, before
// anything runs, with the node, its op type, the attribute and what to do.
#include "eyelet/onnx_import.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "onnx_internal.h"

namespace eyelet {
namespace {

using namespace onnx_internal;  // NOLINT: the importer's own internal namespace
using onnx::ModelProto;
using onnx::NodeProto;
using onnx::TensorProto;

constexpr int64_t kMinOpset = 1;
constexpr int64_t kMaxOpset = 21;

std::string NodeName(const NodeProto& n, size_t index) {
  return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
}

// Topological order of the nodes (Kahn's algorithm, stable: a sorted graph keeps its order).
// Rejects an input nothing defines, a value defined twice and cycles.
std::vector<size_t> SortNodes(const std::string& model, const onnx::GraphProto& g,
                              const std::set<std::string>& available) {
  const int n = g.node_size();
  std::map<std::string, size_t> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string& out : g.node(i).output()) {
      if (out.empty()) continue;
      if (available.count(out) || !producer.emplace(out, i).second) {
        NodeCtx ctx{model, NodeName(g.node(i), i), g.node(i).op_type()};
        Reject(ctx, "output '" + out + "' is defined twice", "fix the model");
      }
    }
  }
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> users(n);
  for (int i = 0; i < n; ++i) {
    for (const std::string& in : g.node(i).input()) {
      if (in.empty() || available.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        NodeCtx ctx{model, NodeName(g.node(i), i), g.node(i).op_type()};
        Reject(ctx, "input '" + in + "' is not defined by any node, initializer or graph input",
               "add the missing initializer or fix the model");
      }
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::vector<size_t> order;
  std::vector<size_t> ready;
  for (int i = n - 1; i >= 0; --i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    const size_t i = ready.back();
    ready.pop_back();
    order.push_back(i);
    std::vector<size_t> now;
    for (size_t u : users[i]) {
      if (--pending[u] == 0) now.push_back(u);
    }
    std::sort(now.rbegin(), now.rend());
    ready.insert(ready.end(), now.begin(), now.end());
    std::sort(ready.rbegin(), ready.rend());
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i) {
      if (pending[i] > 0) {
        NodeCtx ctx{model, NodeName(g.node(i), i), g.node(i).op_type()};
        Reject(ctx, "is part of a cycle (its inputs depend on its own output)",
               "an ONNX graph must be acyclic: fix the model");
      }
    }
  }
  return order;
}

// The data input's shape for a batch of one, and its declared batch (0 when dynamic).
std::vector<int64_t> InputDims(const std::string& model, const onnx::ValueInfoProto& vi,
                               int64_t* declared_batch) {
  const std::string what = model + ": input '" + vi.name() + "'";
  if (!vi.type().has_tensor_type()) {
    throw ImportError(what + " is not a tensor; Eyelet's data input is a float tensor", vi.name(),
                      "input");
  }
  const onnx::TypeProto::Tensor& tt = vi.type().tensor_type();
  if (tt.elem_type() != TensorProto::FLOAT && tt.elem_type() != TensorProto::DOUBLE) {
    throw ImportError(what + " has element type " + ElemTypeName(tt.elem_type()) +
                          "; Eyelet imports float networks: export the model with a float input",
                      vi.name(), "input");
  }
  if (!tt.has_shape() || tt.shape().dim_size() == 0) {
    throw ShapeError(what +
                     " declares no shape (or a scalar); export the model with the input's "
                     "shape (N x C x H x W with N the batch)");
  }
  std::vector<int64_t> dims;
  *declared_batch = 0;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const onnx::TensorShapeProto::Dimension& d = tt.shape().dim(i);
    const bool known = d.has_dim_value() && d.dim_value() > 0;
    if (i == 0) {
      if (known) *declared_batch = d.dim_value();
      dims.push_back(1);
    } else if (!known) {
      throw ShapeError(what + " has an unknown or non-positive dimension " + std::to_string(i) +
                       " ('" + (d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value())) +
                       "'); only the batch (dimension 0) may be dynamic: export with fixed sizes");
    } else {
      dims.push_back(d.dim_value());
    }
  }
  CheckedSize(dims, kMaxTensorElements, what);
  std::vector<int64_t> declared = dims;
  declared[0] = std::max<int64_t>(*declared_batch, 1);
  CheckedSize(declared, kMaxTensorElements, what);
  return dims;
}

// The default-domain opset the model imports.
int64_t DefaultOpset(const std::string& model, const ModelProto& m) {
  for (const onnx::OperatorSetIdProto& o : m.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (o.version() < kMinOpset || o.version() > kMaxOpset) {
        throw ImportError(model + ": opset " + std::to_string(o.version()) +
                              " is not supported (Eyelet reads opsets " +
                              std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
                              "); convert the model with onnx.version_converter",
                          "", "");
      }
      return o.version();
    }
  }
  throw ImportError(model +
                        ": the model imports no default-domain (ai.onnx) opset; export it "
                        "with the standard ONNX operators",
                    "", "");
}

Network Import(const ModelProto& m, const std::string& model, const ImportOptions& options) {
  if (!m.has_graph()) {
    throw FileError(model +
                    ": not an ONNX model (no graph); give a .onnx file written by "
                    "torch.onnx.export or onnx.save");
  }
  const onnx::GraphProto& g = m.graph();
  Chain chain;
  chain.model = model;
  chain.opset = DefaultOpset(model, m);

  // Constants: initializers (read on first use), overridden by the bound ones.
  std::map<std::string, const TensorProto*> inits;
  for (const TensorProto& t : g.initializer()) inits[t.name()] = &t;
  std::map<std::string, Const> consts;
  for (const auto& [name, t] : options.constants) {
    if (static_cast<int64_t>(t.data.size()) != DimsSize(t.dims)) {
      throw ShapeError(model + ": the constant bound to '" + name + "' holds " +
                       std::to_string(t.data.size()) + " values for the shape " + t.ShapeString());
    }
    consts[name] = FTensorToConst(t);
  }
  const auto find_const = [&](const std::string& name) -> const Const* {
    auto it = consts.find(name);
    if (it != consts.end()) return &it->second;
    auto in = inits.find(name);
    if (in == inits.end()) return nullptr;
    Const c = TensorToConst(*in->second, model + ": initializer '" + name + "'");
    return &consts.emplace(name, std::move(c)).first->second;
  };

  // The data input: the first graph input that has no value.
  const onnx::ValueInfoProto* data_in = nullptr;
  std::set<std::string> available;
  for (const onnx::ValueInfoProto& vi : g.input()) {
    available.insert(vi.name());
    if (data_in == nullptr && !inits.count(vi.name()) && !options.constants.count(vi.name())) {
      data_in = &vi;
    }
  }
  for (const auto& [name, t] : inits) available.insert(name);
  if (data_in == nullptr) {
    throw ImportError(model +
                          ": every graph input is an initializer or bound; Eyelet needs one "
                          "data input: leave the image input unbound",
                      "", "");
  }
  chain.dims = InputDims(model, *data_in, &chain.declared_batch);
  const std::vector<int64_t> input_dims = chain.dims;
  if (g.output_size() < 1) {
    throw ImportError(model + ": the graph has no output; export the network's result", "", "");
  }
  // The first output is the chain's end; more are rejected after the walk, so that a node
  // whose extra outputs they are (a training-mode BatchNormalization) can say why first.
  const std::string& output = g.output(0).name();

  std::set<std::string> used;
  for (const onnx::ValueInfoProto& vi : g.output()) used.insert(vi.name());
  for (const NodeProto& n : g.node()) used.insert(n.input().begin(), n.input().end());
  const auto is_used = [&](const std::string& name) { return !name.empty() && used.count(name); };

  int64_t folded = 0;  // values EvalConstNode has created, against kMaxFoldedTotal
  std::set<std::string> dynamic = {data_in->name()};
  std::string tail = data_in->name();
  for (size_t index : SortNodes(model, g, available)) {
    const NodeProto& n = g.node(static_cast<int>(index));
    const NodeCtx ctx{model, NodeName(n, index), n.op_type()};
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      Reject(ctx, "domain '" + n.domain() + "' is not supported (only the default ONNX domain)",
             "export the model with standard ONNX operators");
    }
    std::vector<size_t> data_inputs;
    std::vector<const Const*> in;
    for (int i = 0; i < n.input_size(); ++i) {
      const std::string& name = n.input(i);
      in.push_back(nullptr);
      if (name.empty()) continue;
      if (dynamic.count(name)) {
        data_inputs.push_back(i);
        continue;
      }
      in.back() = find_const(name);
      if (in.back() == nullptr) {
        Reject(ctx, "input '" + name + "' is a graph input with no value",
               "store it as an initializer, or bind it with ImportOptions::constants");
      }
    }
    if (data_inputs.empty()) {
      if (!IsFoldable(n.op_type())) {
        Reject(ctx, "computes on constants only and is not an operator Eyelet folds",
               "fold it before export (onnx-simplifier) or remove it");
      }
      std::vector<Const> out = EvalConstNode(ctx, n, in, chain.opset);
      for (const Const& c : out) folded += static_cast<int64_t>(c.v.size());
      if (folded > kMaxFoldedTotal) {
        Reject(ctx,
               "constant folding has created more than " + std::to_string(kMaxFoldedTotal) +
                   " values by this node",
               "fold the constants before export (onnx-simplifier) or remove them");
      }
      for (int i = 0; i < n.output_size() && i < static_cast<int>(out.size()); ++i) {
        consts[n.output(i)] = std::move(out[i]);
      }
      continue;
    }
    // Shape and Size read only the data's shape: constants, evaluated with the batch sentinel.
    if ((n.op_type() == "Shape" || n.op_type() == "Size") && n.output_size() == 1) {
      if (chain.batch_axis != 0) {
        Reject(ctx, "reads the shape after a Flatten with axis 0", "use Flatten with axis 1");
      }
      Const shape;  // dims only: Shape reads nothing else
      shape.dims = chain.dims;
      shape.dims[0] *= kBatchSentinel;
      if (n.op_type() == "Size") {
        Const size;
        size.is_int = true;
        size.v = {static_cast<double>(CheckedSize(shape.dims, int64_t{1} << 62, model))};
        consts[n.output(0)] = size;
      } else {
        consts[n.output(0)] = EvalConstNode(ctx, n, {&shape}, chain.opset)[0];
      }
      continue;
    }
    if (data_inputs.size() > 1) {
      Reject(ctx,
             "reads the data twice ('" + n.input(data_inputs[0]) + "' and '" +
                 n.input(data_inputs[1]) + "')",
             "Eyelet runs a straight chain of single-input layers: remove residual or "
             "element-wise connections between data tensors");
    }
    const std::string& x = n.input(data_inputs[0]);
    if (x != tail) {
      Reject(ctx, "reads '" + x + "', which another node reads too: the graph branches",
             "Eyelet runs a straight chain: export a network without branches");
    }
    TranslateDataNode(chain, ctx, n, data_inputs[0], in, is_used);
    if (n.output_size() < 1 || n.output(0).empty()) Reject(ctx, "has no output", "fix the model");
    tail = n.output(0);
    for (const std::string& out : n.output()) {
      if (!out.empty()) dynamic.insert(out);
    }
  }
  if (chain.pad_active) RejectPendingPad(chain, "the end of the graph");
  if (g.output_size() != 1) {
    throw ImportError(model + ": the graph has " + std::to_string(g.output_size()) +
                          " outputs; Eyelet runs a chain with one output: export only the "
                          "network's result",
                      "", "");
  }
  if (!dynamic.count(output)) {
    throw ImportError(model + ": the graph output '" + output +
                          "' does not depend on the data input '" + data_in->name() +
                          "'; export a network that computes on its input",
                      "", "");
  }
  if (output != tail) {
    throw ImportError(model + ": the graph output '" + output + "' is not the end of the chain ('" +
                          tail + "'): the graph branches; export a straight chain",
                      "", "");
  }
  for (size_t i = 0; i + 1 < chain.ops.size(); ++i) {
    if (chain.ops[i].kind == OpKind::kSoftmax) {
      Reject({model, chain.ops[i].name, chain.ops[i].op_type},
             "is followed by " + chain.ops[i + 1].name + " (" + chain.ops[i + 1].op_type + ")",
             "Softmax runs only as the last op: remove the ops after it");
    }
  }
  Network net;
  net.name = g.name().empty() ? model : g.name();
  net.input_name = data_in->name();
  net.input_dims = input_dims;
  net.output_name = output;
  net.opset = chain.opset;
  net.ops = std::move(chain.ops);
  return net;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw FileError(path + ": cannot open it; check the path");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw FileError(path + ": cannot read it");
  return ss.str();
}

// Protobuf's parse with no size warning: a model may be up to 2 GiB.
template <typename Msg>
bool Parse(const std::string& bytes, Msg* msg) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return false;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(INT32_MAX);
  return msg->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

}  // namespace

Network ImportOnnxBytes(const std::string& bytes, const std::string& name,
                        const ImportOptions& options) {
  try {
    ModelProto m;
    if (!Parse(bytes, &m)) {
      throw FileError(name +
                      ": not a valid ONNX model (the protobuf does not parse: truncated or "
                      "another kind of file); give a .onnx file written by "
                      "torch.onnx.export or onnx.save");
    }
    return Import(m, name, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // A safety net: nothing but eyelet::Error leaves the importer.
    throw FileError(name + ": the model could not be imported (" + e.what() + ")");
  }
}

Network ImportOnnx(const std::string& path, const ImportOptions& options) {
  return ImportOnnxBytes(ReadFile(path), path, options);
}

FTensor ReadTensorProtoFile(const std::string& path) {
  const std::string bytes = ReadFile(path);
  TensorProto t;
  if (!Parse(bytes, &t)) {
    throw FileError(path + ": not a serialized onnx.TensorProto (it does not parse)");
  }
  try {
    return ConstToFTensor(TensorToConst(t, path));
  } catch (const ShapeError& e) {
    throw FileError(e.what());
  }
}

}  // namespace eyelet
