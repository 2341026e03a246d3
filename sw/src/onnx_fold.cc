// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The constant side of the ONNX importer: the evaluation of the nodes exporters put around
// the data path (Constant, the Shape/Gather/Unsqueeze/Concat/... subgraphs PyTorch emits for a
// Reshape's target, a Transpose of a weight). Semantics follow the ONNX operator specification;
// only what those subgraphs need, every other op is left to onnx_import.cc to reject.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>
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

// Row-major strides of `dims`.
std::vector<int64_t> Strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

Const MakeConst(const NodeCtx& ctx, std::vector<int64_t> dims, bool is_int) {
  Const c;
  c.v.assign(static_cast<size_t>(
                 CheckedSize(dims, kMaxFoldedElements,
                             ctx.model + ": node '" + ctx.node + "' (" + ctx.op + ") result")),
             0.0);
  c.dims = std::move(dims);
  c.is_int = is_int;
  return c;
}

int64_t NormAxis(const NodeCtx& ctx, int64_t axis, int64_t rank) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    Reject(ctx,
           "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank),
           "fix the model");
  }
  return a;
}

const Const& Need(const NodeCtx& ctx, const std::vector<const Const*>& in, size_t i) {
  if (i >= in.size() || in[i] == nullptr) {
    Reject(ctx, "input " + std::to_string(i) + " is missing", "fix the model");
  }
  return *in[i];
}

// NumPy broadcasting of `a` and `b` through `f`.
Const Broadcast(const NodeCtx& ctx, const std::vector<const Const*>& ins, bool is_int,
                const std::function<double(const std::vector<double>&)>& f) {
  size_t rank = 0;
  for (const Const* c : ins) rank = std::max(rank, c->dims.size());
  std::vector<int64_t> out(rank, 1);
  for (const Const* c : ins) {
    for (size_t i = 0; i < c->dims.size(); ++i) {
      int64_t& o = out[rank - c->dims.size() + i];
      const int64_t d = c->dims[i];
      if (d != 1 && o != 1 && d != o) {
        Reject(ctx, "shapes do not broadcast (" + DimsString(c->dims) + ")", "fix the model");
      }
      if (d != 1) o = d;
    }
  }
  Const r = MakeConst(ctx, out, is_int);
  const std::vector<int64_t> os = Strides(out);
  std::vector<std::vector<int64_t>> is;
  for (const Const* c : ins) {
    std::vector<int64_t> s(rank, 0), cs = Strides(c->dims);
    for (size_t i = 0; i < c->dims.size(); ++i) {
      if (c->dims[i] != 1) s[rank - c->dims.size() + i] = cs[i];
    }
    is.push_back(s);
  }
  std::vector<double> args(ins.size());
  for (size_t k = 0; k < r.v.size(); ++k) {
    for (size_t j = 0; j < ins.size(); ++j) {
      int64_t off = 0, rem = static_cast<int64_t>(k);
      for (size_t i = 0; i < rank; ++i) {
        off += (rem / os[i]) * is[j][i];
        rem %= os[i];
      }
      args[j] = ins[j]->v[off];
    }
    r.v[k] = f(args);
  }
  return r;
}

Const Gather(const NodeCtx& ctx, const NodeProto& n, const Const& d, const Const& idx) {
  if (d.dims.empty()) Reject(ctx, "gathers from a scalar", "fix the model");
  const int64_t r = static_cast<int64_t>(d.dims.size());
  const int64_t axis = NormAxis(ctx, AttrInt(ctx, n, "axis", 0), r);
  std::vector<int64_t> od(d.dims.begin(), d.dims.begin() + axis);
  od.insert(od.end(), idx.dims.begin(), idx.dims.end());
  od.insert(od.end(), d.dims.begin() + axis + 1, d.dims.end());
  Const out = MakeConst(ctx, od, d.is_int);
  const int64_t outer =
      CheckedSize({d.dims.begin(), d.dims.begin() + axis}, kMaxTensorElements, ctx.node);
  const int64_t inner =
      CheckedSize({d.dims.begin() + axis + 1, d.dims.end()}, kMaxTensorElements, ctx.node);
  const int64_t len = d.dims[axis], ni = static_cast<int64_t>(idx.v.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < ni; ++j) {
      int64_t k = ToInt(idx.v[j]);
      if (k < 0) k += len;
      if (k < 0 || k >= len) Reject(ctx, "index " + std::to_string(k) + " out of range", "fix");
      for (int64_t i = 0; i < inner; ++i) {
        out.v[(o * ni + j) * inner + i] = d.v[(o * len + k) * inner + i];
      }
    }
  }
  return out;
}

Const Slice(const NodeCtx& ctx, const NodeProto& n, const std::vector<const Const*>& in,
            int64_t opset) {
  const Const& d = Need(ctx, in, 0);
  const int64_t r = static_cast<int64_t>(d.dims.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = AttrInts(ctx, n, "starts");
    ends = AttrInts(ctx, n, "ends");
    axes = AttrInts(ctx, n, "axes");
  } else {
    starts = ToInts(Need(ctx, in, 1));
    ends = ToInts(Need(ctx, in, 2));
    if (in.size() > 3 && in[3] != nullptr) axes = ToInts(*in[3]);
    if (in.size() > 4 && in[4] != nullptr) steps = ToInts(*in[4]);
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    Reject(ctx, "starts, ends, axes and steps differ in length", "fix the model");
  }
  std::vector<int64_t> st(r, 0), step(r, 1), od = d.dims;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t a = NormAxis(ctx, axes[i], r), len = d.dims[a];
    const int64_t s = steps[i];
    if (s == 0) Reject(ctx, "a step of 0", "fix the model");
    int64_t b = starts[i] < 0 ? starts[i] + len : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + len : ends[i];
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, len);
      e = std::clamp<int64_t>(e, 0, len);
      od[a] = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, len - 1);
      e = std::clamp<int64_t>(e, -1, len - 1);
      od[a] = b > e ? (b - e - s - 1) / -s : 0;
    }
    st[a] = b;
    step[a] = s;
  }
  Const out = MakeConst(ctx, od, d.is_int);
  const std::vector<int64_t> os = Strides(od), is = Strides(d.dims);
  for (size_t k = 0; k < out.v.size(); ++k) {
    int64_t off = 0, rem = static_cast<int64_t>(k);
    for (int64_t i = 0; i < r; ++i) {
      off += (st[i] + (rem / os[i]) * step[i]) * is[i];
      rem %= os[i];
    }
    out.v[k] = d.v[off];
  }
  return out;
}

Const Transpose(const NodeCtx& ctx, const NodeProto& n, const Const& d) {
  const size_t r = d.dims.size();
  std::vector<int64_t> perm = AttrInts(ctx, n, "perm");
  if (perm.empty()) {
    for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted.size() != r || sorted[i] != static_cast<int64_t>(i)) {
      Reject(ctx, "perm " + IntsString(perm) + " is not a permutation", "fix the model");
    }
  }
  std::vector<int64_t> od(r);
  for (size_t i = 0; i < r; ++i) od[i] = d.dims[perm[i]];
  Const out = MakeConst(ctx, od, d.is_int);
  const std::vector<int64_t> os = Strides(od), is = Strides(d.dims);
  for (size_t k = 0; k < out.v.size(); ++k) {
    int64_t off = 0, rem = static_cast<int64_t>(k);
    for (size_t i = 0; i < r; ++i) {
      off += (rem / os[i]) * is[perm[i]];
      rem %= os[i];
    }
    out.v[k] = d.v[off];
  }
  return out;
}

// Unsqueeze and Squeeze: axes from the attribute (opset < 13) or the second input.
std::vector<int64_t> AxesArg(const NodeCtx& ctx, const NodeProto& n,
                             const std::vector<const Const*>& in, int64_t opset) {
  if (opset < 13) return AttrInts(ctx, n, "axes");
  if (in.size() > 1 && in[1] != nullptr) return ToInts(*in[1]);
  return {};
}

Const Reshape(const NodeCtx& ctx, const Const& d, const std::vector<int64_t>& target,
              bool allowzero) {
  std::vector<int64_t> od = target;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < od.size(); ++i) {
    if (od[i] == 0 && !allowzero) {
      if (i >= d.dims.size()) Reject(ctx, "a 0 past the input's rank", "fix the model");
      od[i] = d.dims[i];
    }
    if (od[i] == -1) {
      if (infer >= 0) Reject(ctx, "two -1 in the target shape", "fix the model");
      infer = static_cast<int64_t>(i);
    } else if (od[i] < 0) {
      Reject(ctx, "target " + IntsString(target) + " has a negative dimension", "fix the model");
    } else if (__builtin_mul_overflow(known, od[i], &known)) {  // a target's product past int64
      Reject(ctx, "target " + IntsString(target) + " does not hold " + DimsString(d.dims),
             "fix the model");
    }
  }
  const int64_t total = static_cast<int64_t>(d.v.size());
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      Reject(ctx, "cannot infer the -1 of " + IntsString(target), "fix the model");
    }
    od[infer] = total / known;
  }
  if (CheckedSize(od, kMaxFoldedElements, ctx.node) != total) {
    Reject(ctx, "target " + IntsString(target) + " does not hold " + DimsString(d.dims),
           "fix the model");
  }
  Const out = d;
  out.dims = od;
  return out;
}

const std::set<std::string>& FoldableOps() {
  static const std::set<std::string> ops = {
      "Constant", "Identity",        "Shape",   "Size",      "Gather", "Unsqueeze", "Squeeze",
      "Concat",   "Slice",           "Cast",    "Add",       "Sub",    "Mul",       "Div",
      "Neg",      "ConstantOfShape", "Reshape", "Transpose", "Equal",  "Where",     "Expand",
      "Range",    "Flatten",         "Floor",   "Ceil",      "Sqrt",   "Reciprocal"};
  return ops;
}

}  // namespace

bool IsFoldable(const std::string& op_type) { return FoldableOps().count(op_type) > 0; }

std::vector<Const> EvalConstNode(const NodeCtx& ctx, const NodeProto& n,
                                 const std::vector<const Const*>& in, int64_t opset) {
  const std::string& op = n.op_type();
  const auto unary = [&](const std::function<double(double)>& f) {
    const Const& a = Need(ctx, in, 0);
    Const r = a;
    for (double& v : r.v) v = f(v);
    return r;
  };
  if (op == "Constant") {
    if (n.attribute_size() != 1) Reject(ctx, "needs exactly one value attribute", "fix the model");
    const AttributeProto& a = n.attribute(0);
    Const c;
    if (a.name() == "value") {
      c = TensorToConst(a.t(), ctx.model + ": node '" + ctx.node + "' value");
    } else if (a.name() == "value_float") {
      c.v = {a.f()};
    } else if (a.name() == "value_floats") {
      c.dims = {a.floats_size()};
      c.v.assign(a.floats().begin(), a.floats().end());
    } else if (a.name() == "value_int") {
      c.v = {static_cast<double>(a.i())};
      c.is_int = true;
    } else if (a.name() == "value_ints") {
      c.dims = {a.ints_size()};
      for (int64_t i : a.ints()) c.v.push_back(static_cast<double>(i));
      c.is_int = true;
    } else {
      Reject(ctx, "attribute '" + a.name() + "' (a sparse or string constant) is not read",
             "give the constant as a dense numeric 'value'");
    }
    return {c};
  }
  if (op == "Identity") return {Need(ctx, in, 0)};
  if (op == "Shape" || op == "Size") {
    const Const& a = Need(ctx, in, 0);
    Const r;
    r.is_int = true;
    if (op == "Size") {
      r.v = {static_cast<double>(a.v.size())};
      return {r};
    }
    const int64_t rank = static_cast<int64_t>(a.dims.size());
    int64_t b = AttrInt(ctx, n, "start", 0), e = AttrInt(ctx, n, "end", rank);
    b = std::clamp<int64_t>(b < 0 ? b + rank : b, 0, rank);
    e = std::clamp<int64_t>(e < 0 ? e + rank : e, 0, rank);
    for (int64_t i = b; i < e; ++i) r.v.push_back(static_cast<double>(a.dims[i]));
    r.dims = {static_cast<int64_t>(r.v.size())};
    return {r};
  }
  if (op == "Gather") return {Gather(ctx, n, Need(ctx, in, 0), Need(ctx, in, 1))};
  if (op == "Unsqueeze") {
    const Const& a = Need(ctx, in, 0);
    std::vector<int64_t> axes = AxesArg(ctx, n, in, opset);
    const int64_t r = static_cast<int64_t>(a.dims.size() + axes.size());
    std::vector<bool> is_new(r, false);
    for (int64_t ax : axes) is_new[NormAxis(ctx, ax, r)] = true;
    Const out = a;
    out.dims.clear();
    size_t j = 0;
    for (int64_t i = 0; i < r; ++i) out.dims.push_back(is_new[i] ? 1 : a.dims[j++]);
    if (j != a.dims.size()) Reject(ctx, "repeated axes " + IntsString(axes), "fix the model");
    return {out};
  }
  if (op == "Squeeze") {
    const Const& a = Need(ctx, in, 0);
    std::vector<int64_t> axes = AxesArg(ctx, n, in, opset);
    const int64_t r = static_cast<int64_t>(a.dims.size());
    std::vector<bool> drop(r, false);
    for (int64_t ax : axes) drop[NormAxis(ctx, ax, r)] = true;
    Const out = a;
    out.dims.clear();
    for (int64_t i = 0; i < r; ++i) {
      if (axes.empty() ? a.dims[i] == 1 : drop[i]) {
        if (a.dims[i] != 1)
          Reject(ctx, "squeezes an axis of size " + std::to_string(a.dims[i]), "fix the model");
        continue;
      }
      out.dims.push_back(a.dims[i]);
    }
    return {out};
  }
  if (op == "Concat") {
    const Const& a = Need(ctx, in, 0);
    const int64_t r = static_cast<int64_t>(a.dims.size());
    const AttributeProto* ax = FindAttr(n, "axis");
    if (ax == nullptr && opset >= 4) Reject(ctx, "has no axis", "fix the model");
    const int64_t axis = NormAxis(ctx, ax == nullptr ? 1 : ax->i(), r);
    std::vector<int64_t> od = a.dims;
    od[axis] = 0;
    for (size_t j = 0; j < in.size(); ++j) {
      const Const& c = Need(ctx, in, j);
      for (int64_t i = 0; i < r; ++i) {
        if (static_cast<int64_t>(c.dims.size()) != r || (i != axis && c.dims[i] != a.dims[i])) {
          Reject(ctx,
                 "inputs of shapes " + DimsString(a.dims) + " and " + DimsString(c.dims) +
                     " do not concatenate",
                 "fix the model");
        }
      }
      od[axis] += c.dims[axis];
    }
    Const out = MakeConst(ctx, od, a.is_int);
    const int64_t outer =
        CheckedSize({od.begin(), od.begin() + axis}, kMaxFoldedElements, ctx.node);
    size_t k = 0;
    for (int64_t o = 0; o < outer; ++o) {
      for (const Const* c : in) {
        const int64_t chunk = static_cast<int64_t>(c->v.size()) / std::max<int64_t>(outer, 1);
        for (int64_t i = 0; i < chunk; ++i) out.v[k++] = c->v[o * chunk + i];
      }
    }
    return {out};
  }
  if (op == "Slice") return {Slice(ctx, n, in, opset)};
  if (op == "Cast") {
    const Const& a = Need(ctx, in, 0);
    const AttributeProto* to = FindAttr(n, "to");
    if (to == nullptr || to->type() == AttributeProto::STRING) {
      Reject(ctx, "the 'to' attribute is missing or a string (opset 1)",
             "re-export at opset 6 or later");
    }
    Const r = a;
    r.is_int = IsIntType(static_cast<int32_t>(to->i()));
    for (double& v : r.v) {
      if (to->i() == TensorProto::BOOL) {
        v = v != 0.0;
      } else if (r.is_int) {
        v = std::trunc(v);
      } else if (to->i() == TensorProto::FLOAT) {
        v = static_cast<float>(v);
      }
    }
    return {r};
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Equal") {
    const Const& a = Need(ctx, in, 0);
    const Const& b = Need(ctx, in, 1);
    if (opset < 7 && AttrInt(ctx, n, "broadcast", 0) != 0 && b.dims != a.dims) {
      Reject(ctx, "an opset " + std::to_string(opset) + " broadcast of constants",
             "re-export at opset 7 or later");
    }
    const bool is_int = op == "Equal" || (a.is_int && b.is_int);
    const bool int_div = op == "Div" && is_int;
    return {Broadcast(ctx, {&a, &b}, is_int, [&](const std::vector<double>& x) {
      if (op == "Add") return x[0] + x[1];
      if (op == "Sub") return x[0] - x[1];
      if (op == "Mul") return x[0] * x[1];
      if (op == "Equal") return x[0] == x[1] ? 1.0 : 0.0;
      if (int_div) {
        if (x[1] == 0.0) Reject(ctx, "an integer division by zero", "fix the model");
        return std::trunc(x[0] / x[1]);
      }
      return x[0] / x[1];
    })};
  }
  if (op == "Where") {
    const Const& x = Need(ctx, in, 1);
    return {Broadcast(ctx, {&Need(ctx, in, 0), &x, &Need(ctx, in, 2)}, x.is_int,
                      [](const std::vector<double>& v) { return v[0] != 0.0 ? v[1] : v[2]; })};
  }
  if (op == "Expand") {
    const std::vector<int64_t> shape = ToInts(Need(ctx, in, 1));
    Const ones = MakeConst(ctx, shape, true);
    return {Broadcast(ctx, {&Need(ctx, in, 0), &ones}, Need(ctx, in, 0).is_int,
                      [](const std::vector<double>& v) { return v[0]; })};
  }
  if (op == "Neg") return {unary([](double v) { return -v; })};
  if (op == "Floor") return {unary([](double v) { return std::floor(v); })};
  if (op == "Ceil") return {unary([](double v) { return std::ceil(v); })};
  if (op == "Sqrt") return {unary([](double v) { return std::sqrt(v); })};
  if (op == "Reciprocal") return {unary([](double v) { return 1.0 / v; })};
  if (op == "ConstantOfShape") {
    Const value;
    value.v = {0.0};
    if (const AttributeProto* a = FindAttr(n, "value")) {
      value = TensorToConst(a->t(), ctx.model + ": node '" + ctx.node + "' value");
      if (value.v.size() != 1) Reject(ctx, "value holds more than one element", "fix the model");
    }
    Const out = MakeConst(ctx, ToInts(Need(ctx, in, 0)), value.is_int);
    std::fill(out.v.begin(), out.v.end(), value.v[0]);
    return {out};
  }
  if (op == "Range") {
    const double start = Need(ctx, in, 0).v.at(0), limit = Need(ctx, in, 1).v.at(0),
                 delta = Need(ctx, in, 2).v.at(0);
    if (delta == 0.0) Reject(ctx, "a delta of 0", "fix the model");
    const int64_t count = std::max<int64_t>(ToInt(std::ceil((limit - start) / delta)), 0);
    Const out = MakeConst(ctx, {count}, Need(ctx, in, 0).is_int);
    for (int64_t i = 0; i < count; ++i) out.v[i] = start + i * delta;
    return {out};
  }
  if (op == "Reshape") {
    const Const& a = Need(ctx, in, 0);
    const std::vector<int64_t> target =
        opset < 5 ? AttrInts(ctx, n, "shape") : ToInts(Need(ctx, in, 1));
    return {Reshape(ctx, a, target, AttrInt(ctx, n, "allowzero", 0) != 0)};
  }
  if (op == "Flatten") {
    const Const& a = Need(ctx, in, 0);
    const int64_t r = static_cast<int64_t>(a.dims.size());
    int64_t axis = AttrInt(ctx, n, "axis", 1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) Reject(ctx, "axis out of range", "fix the model");
    Const out = a;
    out.dims = {CheckedSize({a.dims.begin(), a.dims.begin() + axis}, kMaxTensorElements, ctx.node),
                CheckedSize({a.dims.begin() + axis, a.dims.end()}, kMaxTensorElements, ctx.node)};
    return {out};
  }
  if (op == "Transpose") return {Transpose(ctx, n, Need(ctx, in, 0))};
  Reject(ctx, "is not an operator Eyelet folds", "remove it");
}

}  // namespace onnx_internal
}  // namespace eyelet
