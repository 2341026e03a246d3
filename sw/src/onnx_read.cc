// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Reading ONNX protobufs for the importer: a TensorProto's values (raw_data, little-endian, or
// the typed field, checked against the dims and the element type), node attributes with their
// types checked, and the messages every part of the importer raises.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/onnx_import.h"
#include "onnx_internal.h"

namespace eyelet {
namespace onnx_internal {
namespace {

using onnx::AttributeProto;
using onnx::NodeProto;
using onnx::TensorProto;

// Little-endian element of `size` bytes at `p` as a double.
double RawValue(const char* p, int32_t type) {
  switch (type) {
    case TensorProto::FLOAT: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case TensorProto::DOUBLE: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      return static_cast<uint8_t>(*p);
    case TensorProto::INT8:
      return static_cast<int8_t>(*p);
    case TensorProto::UINT16: {
      uint16_t u;
      std::memcpy(&u, p, 2);
      return u;
    }
    case TensorProto::INT16: {
      int16_t i;
      std::memcpy(&i, p, 2);
      return i;
    }
    case TensorProto::INT32: {
      int32_t i;
      std::memcpy(&i, p, 4);
      return i;
    }
    case TensorProto::UINT32: {
      uint32_t u;
      std::memcpy(&u, p, 4);
      return u;
    }
    case TensorProto::INT64: {
      int64_t i;
      std::memcpy(&i, p, 8);
      return static_cast<double>(i);
    }
    case TensorProto::UINT64: {
      uint64_t u;
      std::memcpy(&u, p, 8);
      return static_cast<double>(u);
    }
    default:
      return 0.0;
  }
}

int ElemBytes(int32_t type) {
  switch (type) {
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 8;
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::BOOL:
      return 1;
    case TensorProto::UINT16:
    case TensorProto::INT16:
      return 2;
    default:
      return 0;  // not read
  }
}

}  // namespace

bool IsIntType(int32_t t) {
  return t != TensorProto::FLOAT && t != TensorProto::DOUBLE && t != TensorProto::FLOAT16 &&
         t != TensorProto::BFLOAT16;
}

void Reject(const NodeCtx& ctx, const std::string& problem, const std::string& what_to_do) {
  throw ImportError(
      ctx.model + ": node '" + ctx.node + "' (" + ctx.op + "): " + problem + "; " + what_to_do,
      ctx.node, ctx.op);
}

std::string ElemTypeName(int32_t data_type) {
  if (TensorProto::DataType_IsValid(data_type)) {
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(data_type));
  }
  return "type " + std::to_string(data_type);
}

int64_t CheckedSize(const std::vector<int64_t>& dims, int64_t limit, const std::string& what) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ShapeError(what + ": shape " + IntsString(dims) + " has a negative dimension");
    if (d != 0 && p > limit / d) {
      throw ShapeError(what + ": shape " + IntsString(dims) + " has more than " +
                       std::to_string(limit) + " elements");
    }
    p *= d;
  }
  if (p > limit) {
    throw ShapeError(what + ": shape " + IntsString(dims) + " has more than " +
                     std::to_string(limit) + " elements");
  }
  return p;
}

Const TensorToConst(const TensorProto& t, const std::string& what) {
  Const c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = CheckedSize(c.dims, kMaxTensorElements, what);
  const int32_t type = t.data_type();
  c.is_int = IsIntType(type);
  if (t.data_location() == TensorProto::EXTERNAL) {
    throw FileError(what +
                    ": the data is stored outside the model (external data); save the "
                    "model with its weights inside (onnx.save(..., "
                    "save_as_external_data=False))");
  }
  const int bytes = ElemBytes(type);
  if (bytes == 0) {
    throw FileError(what + ": element type " + ElemTypeName(type) +
                    " is not read (float, double and integer types are); convert the tensor");
  }
  // The dims are a size field from the file: each branch compares them with the values present
  // before allocating (a model declaring 2^31 elements and holding none cost 16 GiB).
  const auto wrong_count = [&](int64_t got, const char* field) {
    throw FileError(what + ": " + field + " holds " + std::to_string(got) + " values for the " +
                    ElemTypeName(type) + " shape " + IntsString(c.dims) + " (" + std::to_string(n) +
                    " values); the file is corrupt");
  };
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (static_cast<int64_t>(raw.size()) != n * bytes) {
      wrong_count(static_cast<int64_t>(raw.size()) / bytes, "raw_data");
    }
    c.v.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) c.v[i] = RawValue(raw.data() + i * bytes, type);
    return c;
  }
  const auto check_count = [&](int64_t got, const char* field) {
    if (got != n) wrong_count(got, field);
    c.v.resize(static_cast<size_t>(n));
  };
  switch (type) {
    case TensorProto::FLOAT:
      check_count(t.float_data_size(), "float_data");
      for (int64_t i = 0; i < n; ++i) c.v[i] = t.float_data(static_cast<int>(i));
      break;
    case TensorProto::DOUBLE:
      check_count(t.double_data_size(), "double_data");
      for (int64_t i = 0; i < n; ++i) c.v[i] = t.double_data(static_cast<int>(i));
      break;
    case TensorProto::INT64:
      check_count(t.int64_data_size(), "int64_data");
      for (int64_t i = 0; i < n; ++i)
        c.v[i] = static_cast<double>(t.int64_data(static_cast<int>(i)));
      break;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      check_count(t.uint64_data_size(), "uint64_data");
      for (int64_t i = 0; i < n; ++i)
        c.v[i] = static_cast<double>(t.uint64_data(static_cast<int>(i)));
      break;
    default:  // int32, int16, int8, uint16, uint8, bool: int32_data
      check_count(t.int32_data_size(), "int32_data");
      for (int64_t i = 0; i < n; ++i) c.v[i] = t.int32_data(static_cast<int>(i));
      break;
  }
  return c;
}

FTensor ConstToFTensor(const Const& c) {
  FTensor t;
  t.dims = c.dims;
  t.data.assign(c.v.begin(), c.v.end());
  return t;
}

Const FTensorToConst(const FTensor& t) {
  Const c;
  c.dims = t.dims;
  c.v.assign(t.data.begin(), t.data.end());
  return c;
}

int64_t ToInt(double v) {
  constexpr double kLim = 4611686018427387904.0;  // 2^62
  if (std::isnan(v)) return 0;
  return static_cast<int64_t>(std::clamp(v, -kLim, kLim));
}

std::vector<int64_t> ToInts(const Const& c) {
  std::vector<int64_t> r;
  for (double v : c.v) r.push_back(ToInt(v));
  return r;
}

std::string IntsString(const std::vector<int64_t>& v) {
  // A message names a few values: a folded constant can hold 2^24 of them.
  constexpr size_t kMaxShown = 16;
  std::string s = "[";
  for (size_t i = 0; i < v.size() && i < kMaxShown; ++i) {
    s += (i ? ", " : "") + std::to_string(v[i]);
  }
  if (v.size() > kMaxShown) s += ", ... (" + std::to_string(v.size()) + " values)";
  return s + "]";
}

const AttributeProto* FindAttr(const NodeProto& n, const std::string& name) {
  for (const AttributeProto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

namespace {
const AttributeProto* TypedAttr(const NodeCtx& ctx, const NodeProto& n, const std::string& name,
                                AttributeProto::AttributeType type) {
  const AttributeProto* a = FindAttr(n, name);
  if (a == nullptr) return nullptr;
  // Old exporters left the type unset; the field that is filled decides then.
  if (a->type() != type && a->type() != AttributeProto::UNDEFINED) {
    Reject(ctx,
           "attribute '" + name + "' has type " + AttributeProto::AttributeType_Name(a->type()) +
               ", expected " + AttributeProto::AttributeType_Name(type),
           "fix the model");
  }
  return a;
}
}  // namespace

int64_t AttrInt(const NodeCtx& ctx, const NodeProto& n, const std::string& name, int64_t def) {
  const AttributeProto* a = TypedAttr(ctx, n, name, AttributeProto::INT);
  return a == nullptr ? def : a->i();
}

float AttrFloat(const NodeCtx& ctx, const NodeProto& n, const std::string& name, float def) {
  const AttributeProto* a = TypedAttr(ctx, n, name, AttributeProto::FLOAT);
  return a == nullptr ? def : a->f();
}

std::vector<int64_t> AttrInts(const NodeCtx& ctx, const NodeProto& n, const std::string& name,
                              std::vector<int64_t> def) {
  const AttributeProto* a = TypedAttr(ctx, n, name, AttributeProto::INTS);
  if (a == nullptr) return def;
  return {a->ints().begin(), a->ints().end()};
}

std::string AttrString(const NodeCtx& ctx, const NodeProto& n, const std::string& name,
                       const std::string& def) {
  const AttributeProto* a = TypedAttr(ctx, n, name, AttributeProto::STRING);
  return a == nullptr ? def : a->s();
}

}  // namespace onnx_internal
}  // namespace eyelet
