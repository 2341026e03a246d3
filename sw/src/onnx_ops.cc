// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The data path's ONNX operators as Network ops (onnx_internal.h's TranslateDataNode): one
// function per operator, each checking every attribute against what the array and the float
// reference honour, across the opsets whose semantics agree (1 to 21; the older forms'
// attributes -- Gemm's broadcast, BatchNormalization's is_test and spatial, Add's axis, Pad's
// paddings -- are read too). Per-channel affine steps fold into the Conv or Gemm before them;
// zero Pads merge into the next Conv or pool.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/onnx_import.h"
#include "onnx_internal.h"

namespace eyelet {
namespace onnx_internal {
namespace {

using onnx::NodeProto;

constexpr int64_t kMaxWindow = 1 << 16;  // kernels, strides and pads past this are nonsense
constexpr const char* kFixModel = "fix the model";

// The attributes each operator may carry; anything else is rejected rather than ignored.
const std::map<std::string, std::set<std::string>>& KnownAttrs() {
  static const std::map<std::string, std::set<std::string>> known = {
      {"Conv", {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
      {"Gemm", {"alpha", "beta", "transA", "transB", "broadcast"}},
      {"MatMul", {}},
      {"Relu", {"consumed_inputs"}},
      {"LeakyRelu", {"alpha", "consumed_inputs"}},
      {"MaxPool",
       {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}},
      {"AveragePool",
       {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads",
        "strides"}},
      {"GlobalAveragePool", {}},
      {"BatchNormalization",
       {"epsilon", "momentum", "spatial", "is_test", "training_mode", "consumed_inputs"}},
      {"Add", {"broadcast", "axis", "consumed_inputs"}},
      {"Sub", {"broadcast", "axis", "consumed_inputs"}},
      {"Mul", {"broadcast", "axis", "consumed_inputs"}},
      {"Div", {"broadcast", "axis", "consumed_inputs"}},
      {"Flatten", {"axis"}},
      {"Reshape", {"shape", "allowzero", "consumed_inputs"}},
      {"Identity", {}},
      {"Dropout", {"ratio", "is_test", "seed", "consumed_inputs"}},
      {"Softmax", {"axis"}},
      {"Pad", {"mode", "pads", "paddings", "value"}},
  };
  return known;
}

void CheckAttrs(const NodeCtx& ctx, const NodeProto& n) {
  const std::set<std::string>& known = KnownAttrs().at(n.op_type());
  for (const onnx::AttributeProto& a : n.attribute()) {
    if (!known.count(a.name())) {
      Reject(ctx, "attribute '" + a.name() + "' is not one Eyelet knows for " + n.op_type(),
             "re-export the model without it");
    }
  }
}

const Const& ConstIn(const NodeCtx& ctx, const NodeProto& n, const std::vector<const Const*>& in,
                     size_t i, const std::string& role) {
  if (i >= in.size() || in[i] == nullptr) {
    const std::string name = i < static_cast<size_t>(n.input_size()) ? n.input(i) : "";
    Reject(ctx, role + (name.empty() ? " is missing" : " '" + name + "' is not a constant"),
           "give the " + role + " as an initializer");
  }
  return *in[i];
}

const Const* OptConst(const std::vector<const Const*>& in, size_t i) {
  return i < in.size() ? in[i] : nullptr;
}

// The data must be input `want` of the node (Gemm's A, MatMul's left operand, ...).
void NeedDataAt(const NodeCtx& ctx, size_t data, size_t want, const std::string& why) {
  if (data != want) Reject(ctx, why, "re-export with the data as input " + std::to_string(want));
}

void NeedRank(const NodeCtx& ctx, const Chain& c, size_t rank, const std::string& what_to_do) {
  if (c.dims.size() != rank) {
    Reject(ctx,
           "the input is " + std::to_string(c.dims.size()) + "-D (" + DimsString(c.dims) +
               "), Eyelet runs it on " + std::to_string(rank) + "-D tensors",
           what_to_do);
  }
}

// Ops the batch folded into rows (Flatten with axis 0) would change the meaning of.
void NeedBatchMajor(const NodeCtx& ctx, const Chain& c) {
  if (c.batch_axis != 0) {
    Reject(ctx, "follows a Flatten with axis 0, which folds the batch into the rows",
           "flatten with axis 1 instead");
  }
}

int SmallInt(const NodeCtx& ctx, int64_t v, const std::string& what, int64_t lo) {
  if (v < lo || v > kMaxWindow) {
    Reject(ctx, what + " " + std::to_string(v) + " is out of range", kFixModel);
  }
  return static_cast<int>(v);
}

// Kernel-window attributes shared by Conv and the pools: strides, pads, auto_pad, dilations.
struct Window {
  int k[2], s[2], pb[2], pe[2];
};

Window ReadWindow(const NodeCtx& ctx, const NodeProto& n, const Chain& c, int kh, int kw,
                  bool dilations_allowed) {
  Window w{{kh, kw}, {1, 1}, {0, 0}, {0, 0}};
  const std::vector<int64_t> strides = AttrInts(ctx, n, "strides", {1, 1});
  if (strides.size() != 2)
    Reject(ctx, "strides " + IntsString(strides) + " are not 2-D", kFixModel);
  if (dilations_allowed) {
    const std::vector<int64_t> dil = AttrInts(ctx, n, "dilations", {1, 1});
    if (dil != std::vector<int64_t>{1, 1}) {
      Reject(ctx, "dilations " + IntsString(dil) + " are not supported (the array runs dilation 1)",
             "re-export the model without dilated " +
                 std::string(n.op_type() == "Conv" ? "convolutions" : "pooling"));
    }
  }
  const std::vector<int64_t> pads = AttrInts(ctx, n, "pads", {0, 0, 0, 0});
  if (pads.size() != 4) Reject(ctx, "pads " + IntsString(pads) + " are not 2-D", kFixModel);
  for (int i = 0; i < 2; ++i) {
    w.s[i] = SmallInt(ctx, strides[i], "stride", 1);
    w.pb[i] = SmallInt(ctx, pads[i], "pad", 0);
    w.pe[i] = SmallInt(ctx, pads[i + 2], "pad", 0);
  }
  const std::string auto_pad = AttrString(ctx, n, "auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") return w;
  if (FindAttr(n, "pads") != nullptr && pads != std::vector<int64_t>{0, 0, 0, 0}) {
    Reject(ctx, "has both pads and auto_pad " + auto_pad, "give only one of them");
  }
  for (int i = 0; i < 2; ++i) {
    w.pb[i] = w.pe[i] = 0;
    if (auto_pad == "VALID") continue;
    const int64_t len = c.dims[2 + i];
    const int64_t out = (len + w.s[i] - 1) / w.s[i];
    const int64_t total = std::max<int64_t>((out - 1) * w.s[i] + w.k[i] - len, 0);
    if (auto_pad == "SAME_UPPER") {
      w.pb[i] = static_cast<int>(total / 2);
    } else if (auto_pad == "SAME_LOWER") {
      w.pb[i] = static_cast<int>(total - total / 2);
    } else {
      Reject(ctx, "auto_pad '" + auto_pad + "' is not an ONNX value",
             "use NOTSET, SAME_UPPER, SAME_LOWER or VALID");
    }
    w.pe[i] = static_cast<int>(total) - w.pb[i];
  }
  return w;
}

// Appends `op` reading the current value and makes its output the current value. The shape
// error of an op that does not fit its input names the node.
void Append(Chain& c, const NodeCtx& ctx, NetOp op) {
  op.name = ctx.node;
  op.op_type = ctx.op;
  const std::vector<int64_t> in = c.pad_active ? c.dims_before_pad : c.dims;
  try {
    op.out_dims = OpOutDims(op, in);
  } catch (const ShapeError& e) {
    throw ShapeError(ctx.model + ": node '" + ctx.node + "' (" + ctx.op + "): " + e.what());
  }
  if (c.pad_active) {
    op.folded.insert(op.folded.begin(), c.pad_folded.begin(), c.pad_folded.end());
    c.pad_active = false;
    c.pad_folded.clear();
    std::fill(c.pad, c.pad + 4, 0);
  }
  op.batch_axis = c.batch_axis;
  c.dims = op.out_dims;
  c.ops.push_back(std::move(op));
}

// y = x * scale[ch] + shift[ch]: folded into the Conv or Gemm (or affine step) just before,
// otherwise a kAffine op.
void ApplyAffine(Chain& c, const NodeCtx& ctx, const std::vector<double>& scale,
                 const std::vector<double>& shift) {
  const std::string folded = ctx.node + " (" + ctx.op + ")";
  c.nonneg = false;
  if (!c.ops.empty()) {
    NetOp& last = c.ops.back();
    if (last.kind == OpKind::kConv || last.kind == OpKind::kGemm) {
      const int64_t m_out = last.w.dims[0], per = last.w.Size() / std::max<int64_t>(m_out, 1);
      if (last.bias.empty()) last.bias.assign(m_out, 0.0f);
      for (int64_t m = 0; m < m_out; ++m) {
        for (int64_t i = 0; i < per; ++i) {
          float& w = last.w.data[m * per + i];
          w = static_cast<float>(w * scale[m]);
        }
        last.bias[m] = static_cast<float>(last.bias[m] * scale[m] + shift[m]);
      }
      last.folded.push_back(folded);
      return;
    }
    if (last.kind == OpKind::kAffine) {
      for (size_t ch = 0; ch < scale.size(); ++ch) {
        last.scale[ch] = static_cast<float>(last.scale[ch] * scale[ch]);
        last.shift[ch] = static_cast<float>(last.shift[ch] * scale[ch] + shift[ch]);
      }
      last.folded.push_back(folded);
      return;
    }
  }
  NetOp op;
  op.kind = OpKind::kAffine;
  op.scale.assign(scale.begin(), scale.end());
  op.shift.assign(shift.begin(), shift.end());
  Append(c, ctx, std::move(op));
}

void Conv(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
          const std::vector<const Const*>& in) {
  NeedDataAt(ctx, data, 0, "the data is not the Conv's X input");
  NeedRank(ctx, c, 4,
           "the array runs 2-D convolutions (N x C x H x W): 1-D and 3-D ones are "
           "not supported");
  const Const& w = ConstIn(ctx, n, in, 1, "weight");
  if (w.dims.size() != 4) {
    Reject(ctx, "weights of shape " + DimsString(w.dims) + " are not 4-D", kFixModel);
  }
  const std::vector<int64_t> ks = AttrInts(ctx, n, "kernel_shape", {w.dims[2], w.dims[3]});
  if (ks != std::vector<int64_t>{w.dims[2], w.dims[3]}) {
    Reject(ctx,
           "kernel_shape " + IntsString(ks) + " differs from the weights " + DimsString(w.dims),
           kFixModel);
  }
  const Window win = ReadWindow(ctx, n, c, SmallInt(ctx, w.dims[2], "kernel", 1),
                                SmallInt(ctx, w.dims[3], "kernel", 1), true);
  NetOp op;
  op.kind = OpKind::kConv;
  op.w = ConstToFTensor(w);
  if (const Const* b = OptConst(in, 2)) {
    if (b->dims.size() != 1 || b->dims[0] != w.dims[0]) {
      Reject(ctx,
             "bias of shape " + DimsString(b->dims) + " for " + std::to_string(w.dims[0]) +
                 " output channels",
             kFixModel);
    }
    op.bias.assign(b->v.begin(), b->v.end());
  } else if (n.input_size() > 2 && !n.input(2).empty()) {
    ConstIn(ctx, n, in, 2, "bias");
  }
  op.conv.groups = SmallInt(ctx, AttrInt(ctx, n, "group", 1), "group", 1);
  op.conv.stride_h = win.s[0];
  op.conv.stride_w = win.s[1];
  op.conv.pad_top = win.pb[0] + c.pad[0];
  op.conv.pad_left = win.pb[1] + c.pad[1];
  op.conv.pad_bottom = win.pe[0] + c.pad[2];
  op.conv.pad_right = win.pe[1] + c.pad[3];
  c.nonneg = false;
  Append(c, ctx, std::move(op));
}

void Pool(Chain& c, const NodeCtx& ctx, const NodeProto& n, bool is_max) {
  NeedRank(ctx, c, 4,
           "the pool unit pools 2-D planes (N x C x H x W): 1-D and 3-D pooling are "
           "not supported");
  const std::vector<int64_t> ks = AttrInts(ctx, n, "kernel_shape");
  if (ks.size() != 2) Reject(ctx, "kernel_shape " + IntsString(ks) + " is not 2-D", kFixModel);
  const bool dil = is_max ? c.opset >= 10 : c.opset >= 19;
  if (!dil && FindAttr(n, "dilations")) {
    Reject(ctx, "has dilations, which opset " + std::to_string(c.opset) + " does not define",
           kFixModel);
  }
  const Window win = ReadWindow(ctx, n, c, SmallInt(ctx, ks[0], "kernel", 1),
                                SmallInt(ctx, ks[1], "kernel", 1), dil);
  if (AttrInt(ctx, n, "storage_order", 0) != 0) {
    Reject(ctx, "storage_order 1 (column-major Indices) is not supported",
           "re-export without storage_order");
  }
  if (n.output_size() > 1 && !n.output(1).empty()) {
    Reject(ctx, "has a second output (Indices)",
           "Eyelet's pool unit returns only the values: re-export without return_indices");
  }
  NetOp op;
  op.kind = is_max ? OpKind::kMaxPool : OpKind::kAvgPool;
  op.pool.kernel_h = win.k[0];
  op.pool.kernel_w = win.k[1];
  op.pool.stride_h = win.s[0];
  op.pool.stride_w = win.s[1];
  op.pool.pad_top = win.pb[0];
  op.pool.pad_left = win.pb[1];
  op.pool.pad_bottom = win.pe[0];
  op.pool.pad_right = win.pe[1];
  op.pool.ceil_mode = AttrInt(ctx, n, "ceil_mode", 0) != 0;
  op.count_include_pad = !is_max && AttrInt(ctx, n, "count_include_pad", 0) != 0;
  if (c.pad_active) {
    // A zero Pad's values are real input elements: they may win a max (only when nothing
    // negative competes) and are always counted by an average.
    const std::string merged = "the Pad '" + c.pad_ctx.node + "' before it";
    if (op.pool.ceil_mode) {
      Reject(ctx, "ceil_mode with " + merged + " cannot merge (the last window's rule changes)",
             "fold the Pad into the pool's pads before export");
    }
    if (is_max && !c.nonneg) {
      Reject(ctx,
             merged +
                 " pads with zeros that can beat negative inputs, which MaxPool's own "
                 "pads never do",
             "put a Relu before the Pad, or fold the Pad into the pool's pads before export");
    }
    const bool own_pads = win.pb[0] || win.pb[1] || win.pe[0] || win.pe[1];
    if (!is_max && own_pads && !op.count_include_pad) {
      Reject(ctx, merged + " pads with zeros that count_include_pad=0 would leave out",
             "export with count_include_pad=1 or without the Pad");
    }
    if (!is_max) op.count_include_pad = true;
    op.pool.pad_top += c.pad[0];
    op.pool.pad_left += c.pad[1];
    op.pool.pad_bottom += c.pad[2];
    op.pool.pad_right += c.pad[3];
  }
  Append(c, ctx, std::move(op));
}

void Gemm(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
          const std::vector<const Const*>& in, bool matmul) {
  NeedDataAt(ctx, data, 0,
             std::string("the data is the ") + (matmul ? "right operand" : "B input") +
                 " and the weights the left");
  NeedRank(ctx, c, 2,
           matmul ? "only a 2-D MatMul with a constant right operand (a fully "
                    "connected layer) is supported; flatten the input first"
                  : "ONNX Gemm takes 2-D inputs: insert a Flatten before it");
  if (AttrInt(ctx, n, "transA", 0) != 0) {
    Reject(ctx, "transA=1 is not supported (the data must be rows of A)",
           "re-export with transA=0 (transpose the data before the Gemm)");
  }
  const bool trans_b = !matmul && AttrInt(ctx, n, "transB", 0) != 0;
  const double alpha = matmul ? 1.0 : AttrFloat(ctx, n, "alpha", 1.0f);
  const double beta = matmul ? 1.0 : AttrFloat(ctx, n, "beta", 1.0f);
  const Const& b = ConstIn(ctx, n, in, 1, "weight");
  if (b.dims.size() != 2) {
    Reject(ctx, "the weight is " + DimsString(b.dims) + ", not 2-D",
           "only a 2-D constant weight (a fully connected layer) is supported");
  }
  const int64_t k = trans_b ? b.dims[1] : b.dims[0], m_out = trans_b ? b.dims[0] : b.dims[1];
  if (k != c.dims[1]) {
    Reject(ctx,
           "the weight " + DimsString(b.dims) + (trans_b ? " (transB)" : "") +
               " does not fit the input " + DimsString(c.dims),
           kFixModel);
  }
  NetOp op;
  op.kind = OpKind::kGemm;
  op.w = FTensor({m_out, k});
  for (int64_t m = 0; m < m_out; ++m) {
    for (int64_t i = 0; i < k; ++i) {
      op.w.data[m * k + i] = static_cast<float>(alpha * b.v[trans_b ? m * k + i : i * m_out + m]);
    }
  }
  const Const* cb = matmul ? nullptr : OptConst(in, 2);
  if (!matmul && cb == nullptr && n.input_size() > 2 && !n.input(2).empty()) {
    ConstIn(ctx, n, in, 2, "bias C");
  }
  if (cb != nullptr && beta != 0.0) {
    // C broadcasts to rows x M: it must be the same for every row.
    if (cb->dims.size() > 2) Reject(ctx, "C is " + DimsString(cb->dims), kFixModel);
    const int64_t cols = cb->dims.empty() ? 1 : cb->dims.back();
    const int64_t rows = cb->dims.size() == 2 ? cb->dims[0] : 1;
    if (cols != 1 && cols != m_out) {
      Reject(ctx,
             "C of shape " + DimsString(cb->dims) + " does not broadcast to " +
                 std::to_string(m_out) + " outputs",
             kFixModel);
    }
    for (int64_t r = 1; r < rows; ++r) {
      if (!std::equal(cb->v.begin(), cb->v.begin() + cols, cb->v.begin() + r * cols)) {
        Reject(ctx, "C of shape " + DimsString(cb->dims) + " differs from row to row",
               "the bias must be the same for every row: give C as a vector of " +
                   std::to_string(m_out));
      }
    }
    op.bias.resize(m_out);
    for (int64_t m = 0; m < m_out; ++m) {
      op.bias[m] = static_cast<float>(beta * cb->v[cols == 1 ? 0 : m]);
    }
  }
  c.nonneg = false;
  Append(c, ctx, std::move(op));
}

void BatchNorm(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
               const std::vector<const Const*>& in,
               const std::function<bool(const std::string&)>& used) {
  NeedDataAt(ctx, data, 0, "the data is not the X input");
  if (c.opset < 7 && AttrInt(ctx, n, "is_test", 0) == 0) {
    Reject(ctx, "is_test 0 (training mode, the statistics of the batch itself)",
           "export the model in eval mode (model.eval())");
  }
  if (c.opset >= 14 && AttrInt(ctx, n, "training_mode", 0) != 0) {
    Reject(ctx, "training_mode 1 (the statistics of the batch itself)",
           "export the model in eval mode (model.eval())");
  }
  if (c.opset < 9 && AttrInt(ctx, n, "spatial", 1) == 0) {
    Reject(ctx, "spatial 0 (statistics per element, not per channel) is not supported",
           "export with per-channel statistics");
  }
  for (int i = 1; i < n.output_size(); ++i) {
    if (used(n.output(i))) {
      Reject(ctx, "its training output '" + n.output(i) + "' (running statistics) is used",
             "export the model in eval mode (model.eval())");
    }
  }
  if (c.dims.size() < 2) {
    Reject(ctx, "the input is 1-D (only the batch)", "normalize a tensor with channels");
  }
  NeedBatchMajor(ctx, c);
  const int64_t ch = c.dims[1];
  const char* roles[] = {"scale", "B", "mean", "var"};
  const Const* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = &ConstIn(ctx, n, in, i + 1, roles[i]);
    if (static_cast<int64_t>(p[i]->v.size()) != ch) {
      Reject(ctx,
             std::string(roles[i]) + " of shape " + DimsString(p[i]->dims) + " for " +
                 std::to_string(ch) + " channels",
             kFixModel);
    }
  }
  const double eps = AttrFloat(ctx, n, "epsilon", 1e-5f);
  std::vector<double> scale(ch), shift(ch);
  for (int64_t i = 0; i < ch; ++i) {
    scale[i] = p[0]->v[i] / std::sqrt(p[3]->v[i] + eps);
    shift[i] = p[1]->v[i] - p[2]->v[i] * scale[i];
  }
  ApplyAffine(c, ctx, scale, shift);
}

// Mul/Add/Sub/Div of the data and a per-channel constant (or a scalar).
void Arith(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
           const std::vector<const Const*>& in) {
  const std::string& op = n.op_type();
  const Const& k = ConstIn(ctx, n, in, 1 - data, "the other operand");
  const size_t r = c.dims.size();
  const std::string shapes = "C, C x 1 x 1, 1 x C x 1 x 1 or a scalar";
  if (r < 2) {
    Reject(ctx, "the input is 1-D (only the batch)",
           "a per-channel constant needs a tensor with channels (N x C x ...)");
  }
  NeedBatchMajor(ctx, c);
  if (k.dims.size() > r) {
    Reject(ctx, "the constant " + DimsString(k.dims) + " has more dimensions than the data",
           "use a per-channel constant (" + shapes + ")");
  }
  // Align the constant's dims with the data's: NumPy (from the right), or opset < 7's axis.
  std::vector<int64_t> al(r, 1);
  size_t first = r - k.dims.size();
  if (c.opset < 7) {
    if (AttrInt(ctx, n, "broadcast", 0) == 0 && k.dims.size() != r) {
      Reject(ctx, "shapes differ without broadcast=1", kFixModel);
    }
    if (const onnx::AttributeProto* a = FindAttr(n, "axis")) {
      const int64_t ax = a->i() < 0 ? a->i() + static_cast<int64_t>(r) : a->i();
      if (ax < 0 || ax + k.dims.size() > r) Reject(ctx, "axis out of range", kFixModel);
      first = static_cast<size_t>(ax);
    }
  }
  for (size_t i = 0; i < k.dims.size(); ++i) al[first + i] = k.dims[i];
  const int64_t ch = c.dims[1];
  bool per_channel = al[0] == 1 && (al[1] == 1 || al[1] == ch);
  for (size_t i = 2; i < r; ++i) per_channel = per_channel && al[i] == 1;
  if (!per_channel) {
    Reject(ctx,
           "the constant of shape " + DimsString(k.dims) +
               " is not per-channel for the "
               "data " +
               DimsString(c.dims),
           "Eyelet folds per-channel constants (" + shapes + ") only");
  }
  std::vector<double> v(ch);
  for (int64_t i = 0; i < ch; ++i) v[i] = k.v[al[1] == 1 ? 0 : i];
  std::vector<double> scale(ch, 1.0), shift(ch, 0.0);
  for (int64_t i = 0; i < ch; ++i) {
    if (op == "Mul") {
      scale[i] = v[i];
    } else if (op == "Add") {
      shift[i] = v[i];
    } else if (op == "Sub") {
      scale[i] = data == 0 ? 1.0 : -1.0;
      shift[i] = data == 0 ? -v[i] : v[i];
    } else {  // Div
      if (data != 0) {
        Reject(ctx, "divides a constant by the data", "only division by a constant folds");
      }
      if (v[i] == 0.0) Reject(ctx, "divides by a constant 0", kFixModel);
      scale[i] = 1.0 / v[i];
    }
  }
  ApplyAffine(c, ctx, scale, shift);
}

void Flatten(Chain& c, const NodeCtx& ctx, const NodeProto& n) {
  NeedBatchMajor(ctx, c);
  const int64_t r = static_cast<int64_t>(c.dims.size());
  int64_t axis = AttrInt(ctx, n, "axis", 1);
  if (axis < -r || axis > r) {
    Reject(ctx, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r),
           kFixModel);
  }
  if (axis < 0) axis += r;
  NetOp op;
  op.kind = OpKind::kFlatten;
  op.axis = static_cast<int>(axis);
  Append(c, ctx, std::move(op));
  if (axis == 0) c.ops.back().batch_axis = c.batch_axis = 1;
}

void Reshape(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
             const std::vector<const Const*>& in) {
  NeedDataAt(ctx, data, 0, "the data is the shape input");
  NeedBatchMajor(ctx, c);
  const std::vector<int64_t> target =
      c.opset < 5 ? AttrInts(ctx, n, "shape") : ToInts(ConstIn(ctx, n, in, 1, "shape"));
  const bool allowzero = AttrInt(ctx, n, "allowzero", 0) != 0;
  const std::string what_to_do =
      "Eyelet imports a Reshape only to N x K (a flatten) or to the same shape: use Flatten";
  if (target.empty() || c.dims[0] != 1) Reject(ctx, "target " + IntsString(target), what_to_do);
  std::vector<int64_t> t = target;
  const bool batch_first = t[0] == kBatchSentinel || t[0] == -1 || (t[0] == 0 && !allowzero) ||
                           (c.declared_batch > 0 && t[0] == c.declared_batch);
  if (!batch_first) {
    Reject(ctx,
           "target " + IntsString(target) + " does not keep the batch first" +
               (t[0] == 1 ? " (a fixed 1 while the batch is dynamic)" : ""),
           "reshape with x.view(x.size(0), -1) or use Flatten");
  }
  if (t[0] != -1) t[0] = 1;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == 0 && !allowzero && i < c.dims.size()) t[i] = c.dims[i];
    if (t[i] == -1 && infer < 0) {
      infer = static_cast<int64_t>(i);
    } else if (t[i] < 0 || t[i] >= kBatchSentinel) {
      Reject(ctx, "target " + IntsString(target) + " mixes the batch into another dimension",
             what_to_do);
    } else if (__builtin_mul_overflow(known, t[i], &known)) {  // a target's product past int64
      Reject(ctx, "target " + IntsString(target) + " does not fit " + DimsString(c.dims),
             kFixModel);
    }
  }
  const int64_t total = CheckedSize(c.dims, kMaxTensorElements, ctx.model);
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      Reject(ctx, "target " + IntsString(target) + " does not fit " + DimsString(c.dims),
             kFixModel);
    }
    t[infer] = total / known;
  }
  if (t[0] != 1 || CheckedSize(t, kMaxTensorElements, ctx.model) != total) {
    Reject(ctx,
           "target " + IntsString(target) +
               " does not keep the batch first or does not "
               "fit " +
               DimsString(c.dims),
           what_to_do);
  }
  if (t == c.dims) return;  // to the same shape: nothing to do
  if (t.size() != 2) {
    Reject(ctx, "target " + IntsString(target) + " (" + DimsString(t) + " per image) is not N x K",
           what_to_do);
  }
  NetOp op;
  op.kind = OpKind::kFlatten;
  op.axis = 1;
  Append(c, ctx, std::move(op));
}

void Dropout(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
             const std::vector<const Const*>& in,
             const std::function<bool(const std::string&)>& used) {
  NeedDataAt(ctx, data, 0, "the data is not the Dropout's input");
  if (c.opset < 7 && AttrInt(ctx, n, "is_test", 0) == 0) {
    Reject(ctx, "is_test 0 (training mode drops at random)",
           "export the model in eval mode (model.eval())");
  }
  if (const Const* training = OptConst(in, 2)) {
    const Const* ratio = OptConst(in, 1);
    if (!training->v.empty() && training->v[0] != 0.0 &&
        !(ratio != nullptr && !ratio->v.empty() && ratio->v[0] == 0.0)) {
      Reject(ctx, "training_mode true (drops at random)",
             "export the model in eval mode (model.eval())");
    }
  } else if (n.input_size() > 2 && !n.input(2).empty()) {
    ConstIn(ctx, n, in, 2, "training_mode");
  }
  if (n.output_size() > 1 && used(n.output(1))) {
    Reject(ctx, "its mask output '" + n.output(1) + "' is used",
           "Eyelet drops Dropout at inference: export without using the mask");
  }
}

void Softmax(Chain& c, const NodeCtx& ctx, const NodeProto& n) {
  const int64_t r = static_cast<int64_t>(c.dims.size());
  int64_t axis = AttrInt(ctx, n, "axis", c.opset < 13 ? 1 : -1);
  if (axis < -r || axis >= r) {
    Reject(ctx, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r),
           kFixModel);
  }
  if (axis < 0) axis += r;
  NetOp op;
  op.kind = OpKind::kSoftmax;
  op.axis = static_cast<int>(axis);
  // Opsets before 13 take the softmax over all of dims[axis..] at once; that is one axis when
  // the dimensions after `axis` are all 1.
  if (c.opset < 13) {
    for (int64_t i = axis + 1; i < r; ++i)
      op.softmax_coerced = op.softmax_coerced || c.dims[i] != 1;
    if (c.batch_axis != 0 && c.batch_axis > axis) op.softmax_coerced = true;
  }
  Append(c, ctx, std::move(op));
  c.nonneg = true;
}

void Pad(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
         const std::vector<const Const*>& in) {
  NeedDataAt(ctx, data, 0, "the data is not the Pad's input");
  const std::string mode = AttrString(ctx, n, "mode", "constant");
  if (mode != "constant") {
    Reject(ctx,
           "mode '" + mode +
               "' is not supported (only zero padding merges into a Conv or "
               "pool)",
           "use zero padding");
  }
  std::vector<int64_t> pads;
  double value = 0.0;
  if (c.opset < 11) {
    pads = AttrInts(ctx, n, c.opset < 2 ? "paddings" : "pads");
    value = AttrFloat(ctx, n, "value", 0.0f);
  } else {
    pads = ToInts(ConstIn(ctx, n, in, 1, "pads"));
    if (const Const* v = OptConst(in, 2)) value = v->v.empty() ? 0.0 : v->v[0];
    if (OptConst(in, 3) != nullptr) {
      Reject(ctx, "the axes input is not supported", "give pads for every axis");
    }
  }
  if (value != 0.0) {
    Reject(ctx, "pads with the value " + std::to_string(value) + ", not 0",
           "only zero padding merges into a Conv or pool");
  }
  NeedRank(ctx, c, 4, "only padding of N x C x H x W tensors merges into a Conv or pool");
  if (pads.size() != 8) Reject(ctx, "pads " + IntsString(pads) + " are not 4-D", kFixModel);
  if (pads[0] || pads[1] || pads[4] || pads[5]) {
    Reject(ctx, "pads " + IntsString(pads) + " pad the batch or channel dimensions",
           "pad only H and W");
  }
  for (int64_t p : pads) {
    if (p < 0)
      Reject(ctx, "pads " + IntsString(pads) + " crop (negative pads)",
             "crop before export instead");
  }
  if (!std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; })) return;
  if (!c.pad_active) {
    c.dims_before_pad = c.dims;
    c.pad_ctx = ctx;
  }
  c.pad_active = true;
  c.pad_folded.push_back(ctx.node + " (Pad)");
  const int64_t add[4] = {pads[2], pads[3], pads[6], pads[7]};
  for (int i = 0; i < 4; ++i) c.pad[i] += SmallInt(ctx, add[i], "pad", 0);
  c.dims[2] += pads[2] + pads[6];
  c.dims[3] += pads[3] + pads[7];
}

}  // namespace

void RejectPendingPad(const Chain& c, const std::string& next) {
  Reject(c.pad_ctx, "a zero Pad followed by " + next + " has no Conv or pool to merge into",
         "Eyelet merges zero Pads into the next Conv, MaxPool or AveragePool only: pad inside "
         "that layer instead");
}

void TranslateDataNode(Chain& c, const NodeCtx& ctx, const NodeProto& n, size_t data,
                       const std::vector<const Const*>& in,
                       const std::function<bool(const std::string&)>& used) {
  const std::string& op = n.op_type();
  if (!KnownAttrs().count(op)) {
    Reject(ctx, "operator " + op + " is not supported on the data path",
           "Eyelet imports Conv, Gemm, MatMul, Relu, LeakyRelu, MaxPool, AveragePool, "
           "GlobalAveragePool, BatchNormalization, per-channel Add/Sub/Mul/Div, Flatten, "
           "Reshape, Identity, Dropout, Softmax and zero Pad: re-export without it");
  }
  CheckAttrs(ctx, n);
  const bool keeps_pad = op == "Conv" || op == "MaxPool" || op == "AveragePool" ||
                         op == "Identity" || op == "Dropout" || op == "Pad";
  if (c.pad_active && !keeps_pad) RejectPendingPad(c, "node '" + ctx.node + "' (" + op + ")");
  const bool elementwise =
      op == "Relu" || op == "LeakyRelu" || op == "Softmax" || op == "Identity" || op == "Dropout";
  if (!elementwise) NeedBatchMajor(ctx, c);
  if (op == "Conv") {
    Conv(c, ctx, n, data, in);
  } else if (op == "Gemm" || op == "MatMul") {
    Gemm(c, ctx, n, data, in, op == "MatMul");
  } else if (op == "Relu" || op == "LeakyRelu") {
    NetOp r;
    r.kind = op == "Relu" ? OpKind::kRelu : OpKind::kLeakyRelu;
    r.alpha = AttrFloat(ctx, n, "alpha", 0.01f);
    const bool nonneg = op == "Relu" || (c.nonneg && r.alpha >= 0.0f);
    Append(c, ctx, std::move(r));
    c.nonneg = nonneg;
  } else if (op == "MaxPool" || op == "AveragePool") {
    NeedDataAt(ctx, data, 0, "the data is not the pool's input");
    Pool(c, ctx, n, op == "MaxPool");
  } else if (op == "GlobalAveragePool") {
    NeedRank(ctx, c, 4, "the pool unit averages 2-D planes (N x C x H x W)");
    NetOp g;
    g.kind = OpKind::kGlobalAvgPool;
    Append(c, ctx, std::move(g));
  } else if (op == "BatchNormalization") {
    BatchNorm(c, ctx, n, data, in, used);
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    Arith(c, ctx, n, data, in);
  } else if (op == "Flatten") {
    Flatten(c, ctx, n);
  } else if (op == "Reshape") {
    Reshape(c, ctx, n, data, in);
  } else if (op == "Dropout") {
    Dropout(c, ctx, n, data, in, used);
  } else if (op == "Softmax") {
    Softmax(c, ctx, n);
  } else if (op == "Pad") {
    Pad(c, ctx, n, data, in);
  }
  // Identity: nothing to do.
}

}  // namespace onnx_internal
}  // namespace eyelet
