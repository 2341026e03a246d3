// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// ONNX graphs built in tests with the ONNX protobuf classes (onnx_import_test.cc,
// onnx_malformed_test.cc): tensors, a model under construction, node attributes, and the
// expectations both use.
#ifndef EYELET_TESTS_ONNX_GRAPH_H_
#define EYELET_TESTS_ONNX_GRAPH_H_

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/network.h"
#include "eyelet/onnx_import.h"

namespace eyelet {
namespace onnx_graph {

using onnx::NodeProto;
using onnx::TensorProto;

constexpr int64_t kDyn = -1;  // a dim_param "N" in Graph::Input

inline onnx::TensorProto FloatTensor(const std::string& name, const std::vector<int64_t>& dims,
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

inline void AttrI(NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void AttrF(NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void AttrIs(NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t i : v) a->add_ints(i);
}
inline void AttrS(NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
inline void AttrT(NodeProto* n, const std::string& name, const TensorProto& t) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = t;
}

inline FTensor Ramp(std::vector<int64_t> dims, float step = 0.25f, float start = -1.0f) {
  FTensor t(std::move(dims));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = start + step * static_cast<float>(i % 13);
  return t;
}

inline std::vector<float> Values(size_t n, float step, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

inline void ExpectClose(const FTensor& got, const FTensor& want) {
  ASSERT_EQ(got.dims, want.dims);
  for (size_t i = 0; i < want.data.size(); ++i) {
    EXPECT_NEAR(got.data[i], want.data[i], 1e-4 + 1e-4 * std::fabs(want.data[i])) << i;
  }
}

// Expects ImportError whose message names each of `parts`.
inline void ExpectRejected(const Graph& g, std::initializer_list<std::string> parts,
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

}  // namespace onnx_graph
}  // namespace eyelet

#endif  // EYELET_TESTS_ONNX_GRAPH_H_
