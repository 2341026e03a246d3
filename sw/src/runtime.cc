// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/runtime.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/hex.h"
#include "eyelet/layer_cfg.h"

namespace eyelet {

namespace {

template <typename T>
void CheckTensor(const Tensor<T>& t, const Shape& want, const char* name, const ConvLayer& l) {
  if (t.shape() != want || t.size() != want.Size()) {
    throw ShapeError("tensor " + std::string(name) + " has shape " + t.shape().ToString() +
                     " with " + std::to_string(t.size()) + " elements but layer " + l.ToString() +
                     " needs " + want.ToString());
  }
}

// "fc layer x NxCxHxW w MxCxHxW (K = .., M = ..), run as CONV": the prefix of an FC layer's
// errors, which come from the CONV layer it runs as.
std::string FcName(const Shape& x, const Shape& w) {
  return "fc layer x " + x.ToString() + " w " + w.ToString() +
         " (K = " + std::to_string(int64_t{x.c} * x.h * x.w) + ", M = " + std::to_string(w.n) +
         ") runs as a CONV layer: ";
}

// The most input channels a layer record holds (its cg field).
int64_t MaxLayerChannels() {
  for (const LayerCfgField& f : kLayerCfgFields) {
    if (std::string(f.name) == "cg") return (int64_t{1} << f.bits) - 1;
  }
  return 0;
}

}  // namespace

ConvLayer FcToConvLayer(const Shape& x, const Shape& w) {
  for (const Shape* s : {&x, &w}) {
    if (s->n <= 0 || s->c <= 0 || s->h <= 0 || s->w <= 0) {
      throw ShapeError("fc: shape " + s->ToString() + " has a zero or negative dimension");
    }
  }
  const int64_t k = int64_t{x.c} * x.h * x.w;
  const int64_t wk = int64_t{w.c} * w.h * w.w;
  if (k != wk) {
    throw ShapeError("fc: input " + x.ToString() + " has K = C*H*W = " + std::to_string(k) +
                     " features but weights " + w.ToString() + " have c*h*w = " +
                     std::to_string(wk) + "; weights must be M x K (e.g. M x 1 x 1 x K)");
  }
  ConvLayer l;
  const bool flat = (x.c > 1) + (x.h > 1) + (x.w > 1) <= 1 || k <= MaxLayerChannels();
  // A flat input's K is one of its dimensions, so it fits an int.
  l.x = flat ? Shape{x.n, static_cast<int>(k), 1, 1} : x;
  l.w = Shape{w.n, l.x.c, l.x.h, l.x.w};
  return l;  // stride 1, no padding, one group: ConvParams' defaults
}

FcConv FcToConv(const Tensor<int16_t>& x, const Tensor<int16_t>& w) {
  FcConv fc;
  fc.layer = FcToConvLayer(x.shape(), w.shape());
  for (const auto& [t, name] : {std::pair{&x, "x"}, std::pair{&w, "w"}}) {
    if (t->size() != t->shape().Size()) {
      throw ShapeError("fc: tensor " + std::string(name) + " has shape " + t->shape().ToString() +
                       " but holds " + std::to_string(t->size()) + " elements");
    }
  }
  fc.x = Tensor<int16_t>(fc.layer.x);
  fc.x.data() = x.data();  // C order: reshaping keeps every element where it is
  fc.w = Tensor<int16_t>(fc.layer.w);
  fc.w.data() = w.data();
  return fc;
}

uint32_t OutputPath::PostBits() const {
  return static_cast<uint32_t>((bias.empty() ? 0 : kPostBias) |
                               (Requantizes() ? kPostRequant : 0) | (relu ? kPostRelu : 0) |
                               (leaky ? kPostLeaky : 0));
}

Tensor<int32_t> ApplyOutputPath(const Tensor<int32_t>& acc, const OutputPath& path) {
  if (path.pool && !path.Requantizes()) {
    throw UnsupportedError("output path: max pooling acts on requantized int16 outputs; give "
                           "requantization parameters");
  }
  Tensor<int32_t> a = acc;
  if (!path.bias.empty()) AddBias(a, path.bias);
  if (!path.Requantizes()) return a;
  Tensor<int16_t> y = Requantize(a, path.requant);
  if (path.relu) y = Relu(y);
  if (path.leaky) y = LeakyRelu(y, path.leaky_mult, path.leaky_shift);
  if (path.pool) y = MaxPool(y, path.pool_params);
  Tensor<int32_t> out(y.shape());
  std::copy(y.data().begin(), y.data().end(), out.data().begin());
  return out;
}

namespace {

// A max pooling `p` after an output path (requantizing or not) with outputs of shape `out`:
// UnsupportedError for what the hardware does not pool, ShapeError as PoolOutputShape.
void CheckPool(const PoolParams& p, bool requantizes, const Shape& out, const std::string& where) {
  if (!requantizes) {
    throw UnsupportedError(where + "max pooling acts on requantized int16 outputs; give "
                           "requantization parameters (mult 1, shift 0 keeps int16 values)");
  }
  const int max = static_cast<int>(kPoolMaxWindow);
  if (p.kernel_h < 1 || p.kernel_h > max || p.kernel_w < 1 || p.kernel_w > max ||
      p.stride_h < 1 || p.stride_h > max || p.stride_w < 1 || p.stride_w > max) {
    throw UnsupportedError(
        where + "max pooling window " + std::to_string(p.kernel_h) + "x" +
        std::to_string(p.kernel_w) + " with stride " + std::to_string(p.stride_h) + "x" +
        std::to_string(p.stride_w) + " is outside the hardware's windows and strides of 1.." +
        std::to_string(max) + "; run the layer without pooling and pool its outputs on the host "
        "(MaxPool in golden.h), or use a smaller window and stride");
  }
  PoolOutputShape(out, p);  // ShapeError for pads not below the window, too large a window
}

// The output path's table (desc_codec.h kPpEntryBytes per channel, as 32-bit words) for m
// output channels, after checking `path` against them.
std::vector<int32_t> OutputTable(const OutputPath& path, int m, const ConvLayer& layer) {
  const std::string where = "output path of layer " + layer.ToString() + ": ";
  const auto count = static_cast<size_t>(m);
  if (!path.bias.empty() && path.bias.size() != count) {
    throw ShapeError(where + std::to_string(path.bias.size()) + " biases for " +
                     std::to_string(m) + " output channels");
  }
  const RequantParams& q = path.requant;
  if (q.mult.size() != q.shift.size() ||
      (path.Requantizes() && q.mult.size() != 1 && q.mult.size() != count)) {
    throw ShapeError(where + std::to_string(q.mult.size()) + " multipliers and " +
                     std::to_string(q.shift.size()) + " shifts; give 1 or " + std::to_string(m) +
                     " of each");
  }
  for (int s : q.shift) {
    if (s < 0 || s > 62) {
      throw UnsupportedError(where + "requantization shift " + std::to_string(s) +
                             " is outside 0..62");
    }
  }
  if ((path.relu || path.leaky) && !path.Requantizes()) {
    throw UnsupportedError(where + "ReLU and leaky ReLU act on requantized outputs; give "
                           "requantization parameters");
  }
  if (path.relu && path.leaky) {
    throw UnsupportedError(where + "ReLU and leaky ReLU are exclusive; choose one");
  }
  if (path.leaky && (path.leaky_shift < 0 || path.leaky_shift > 62)) {
    throw UnsupportedError(where + "leaky ReLU shift " + std::to_string(path.leaky_shift) +
                           " is outside 0..62");
  }
  if (path.pool) CheckPool(path.pool_params, path.Requantizes(), layer.Out(), where);
  std::vector<int32_t> table;
  table.reserve(count * kPpEntryBytes / 4);
  for (size_t i = 0; i < count; ++i) {
    const size_t k = q.mult.size() > 1 ? i : 0;
    table.push_back(path.bias.empty() ? 0 : path.bias[i]);
    table.push_back(path.Requantizes() ? q.mult[k] : 1);
    table.push_back(path.Requantizes() ? q.shift[k] : 0);
    table.push_back(0);
  }
  return table;
}

}  // namespace

ChainBuilder::ChainBuilder(Device& device) : device_(device), hw_(device.ReadHwInfo()) {}

ConvLayer PoolToConvLayer(const Shape& x, const PoolParams& p) {
  const std::string where = "max pool of " + x.ToString() + " (a 1x1 CONV over N*C images): ";
  if (x.n <= 0 || x.c <= 0 || x.h <= 0 || x.w <= 0) {
    throw ShapeError(where + "the input has a zero or negative dimension");
  }
  CheckPool(p, true, x, where);
  const int64_t images = int64_t{x.n} * x.c;
  if (images > 65535) {
    throw UnsupportedError(where + "N*C = " + std::to_string(images) +
                           " images exceed the descriptor's 65535; pool fewer images at a time");
  }
  ConvLayer l;
  l.x = Shape{static_cast<int>(images), 1, x.h, x.w};
  l.w = Shape{1, 1, 1, 1};
  l.post = static_cast<uint32_t>(kPostRequant);
  l.pooled = true;
  l.pool = p;
  return l;
}

OutputPath PoolOutputPath(const PoolParams& p) {
  OutputPath path;
  path.requant.mult = {1};
  path.requant.shift = {0};
  path.pool = true;
  path.pool_params = p;
  return path;
}

const ChainBuilder::Layer& ChainBuilder::Source(int src, const std::string& what) const {
  if (src < 0 || src >= size()) {
    throw Error(what + ": source layer " + std::to_string(src) + " is not in the chain of " +
                std::to_string(size()) + " layer(s); give the index an Add call returned");
  }
  const Layer& l = layers_[static_cast<size_t>(src)];
  if (overwritten_[static_cast<size_t>(src)] >= 0) {
    throw Error(what + ": source layer " + std::to_string(src) + "'s outputs were overwritten by "
                "layer " + std::to_string(overwritten_[static_cast<size_t>(src)]) +
                " (output buffers are reused); read a layer only from the one after it");
  }
  if (!l.int16_out) {
    throw UnsupportedError(what + ": source layer " + std::to_string(src) + " (" +
                           l.layer.ToString() +
                           ") writes int32 accumulators, but layers read int16 inputs; give it "
                           "an output path with requantization");
  }
  return l;
}

namespace {

// Maps `layer` on `config` of device `device` (ChooseMapping unless `given`), fills `m` and
// `t`; returns why it cannot run (naming the layer), or an empty string.
std::string MapLayer(const ConvLayer& layer, const ArrayConfig& config, const std::string& device,
                     const RsMapping* given, RsMapping* m, Tiling* t) {
  try {
    *m = given ? *given : ChooseMapping(layer, config);
    const std::string why = CompleteMapping(layer, config, *m);
    if (!why.empty()) {
      return "layer " + layer.ToString() + " with mapping " + m->ToString() + " cannot run on " +
             device + ": " + why;
    }
    *t = ChooseTiling(layer, config, *m);
    return "";
  } catch (const UnsupportedError& e) {
    return e.what();
  }
}

}  // namespace

int ChainBuilder::AddLayer(const ConvLayer& conv, const Tensor<int16_t>* x, int src,
                           const Tensor<int16_t>& w, const RsMapping* mapping,
                           const OutputPath* path, const Shape& out, bool pool_only) {
  conv.Out();  // ShapeError for an inconsistent layer
  if (x != nullptr) CheckTensor(*x, conv.x, "x", conv);
  CheckTensor(w, conv.w, "w", conv);
  ConvLayer layer = conv;
  layer.pooled = false;
  std::vector<int32_t> table;
  if (path != nullptr) {
    table = OutputTable(*path, conv.w.n, conv);
    layer.post = path->PostBits();
    layer.pooled = path->pool;
    layer.pool = path->pool_params;
  }
  const ArrayConfig config = hw_.ToArrayConfig(device_.Name());
  Layer l;
  l.layer = layer;
  l.int16_out = layer.OutInt16();
  l.out = layer.pooled && !pool_only ? PoolOutputShape(out, layer.pool) : out;
  l.src = src;
  l.pool_only = pool_only;
  const std::string why = MapLayer(layer, config, device_.Name(), mapping, &l.mapping, &l.tiling);
  if (why.empty()) return Push(l, x, w, table, path);
  if (layer.pooled && !pool_only) {
    // No tiling suits the pooling line buffer: the layer unpooled, then a pool layer.
    ConvLayer unpooled = layer;
    unpooled.pooled = false;
    RsMapping m;
    Tiling t;
    if (MapLayer(unpooled, config, device_.Name(), mapping, &m, &t).empty()) {
      OutputPath no_pool = *path;
      no_pool.pool = false;
      const int first = AddLayer(conv, x, src, w, mapping, &no_pool, out, false);
      return AddPoolFrom(layers_.back().out, nullptr, first, path->pool_params);
    }
  }
  throw UnsupportedError(why);
}

int ChainBuilder::Push(Layer l, const Tensor<int16_t>* x, const Tensor<int16_t>& w,
                       const std::vector<int32_t>& table, const OutputPath* path) {
  const ConvLayer& layer = l.layer;
  const uint64_t x_addr = x != nullptr ? device_.Alloc(static_cast<size_t>(x->size()) * 2)
                                       : layers_[static_cast<size_t>(l.src)].desc.y_addr;
  const uint64_t w_addr = device_.Alloc(static_cast<size_t>(w.size()) * 2);
  const size_t y_bytes = static_cast<size_t>(layer.PooledOut().Size()) * (l.int16_out ? 2 : 4);
  const uint64_t y_addr = reuse_ ? OutputBuffer(y_bytes, l.src) : device_.Alloc(y_bytes);
  l.desc = MakeConvDesc(layer, l.mapping, l.tiling, x_addr, w_addr, y_addr, 0);
  if (layer.OutTable()) l.desc.pp_addr = device_.Alloc(table.size() * 4);
  if (path != nullptr && path->leaky) {
    l.desc.lk_mult = static_cast<uint16_t>(path->leaky_mult);
    l.desc.lk_shift = static_cast<uint64_t>(path->leaky_shift);
  }
  const ErrCode code = CheckDesc(l.desc, hw_);
  if (code != ErrCode::kNone) {
    const std::string advice = ErrCodeAdvice(code);
    throw UnsupportedError("layer " + layer.ToString() + " cannot run on " + device_.Name() +
                           ": its descriptor fails " + ErrCodeText(code) + ", rule `" +
                           FailedDescRule(l.desc, hw_) + "` (rtl/desc_checks.def)" +
                           (advice.empty() ? "" : " (" + advice + ")") + ": " +
                           DescribeDesc(l.desc));
  }
  if (x != nullptr) device_.Write(x_addr, x->data());
  device_.Write(w_addr, w.data());
  if (layer.OutTable()) device_.Write(l.desc.pp_addr, table);
  layers_.push_back(l);
  overwritten_.push_back(-1);
  return size() - 1;
}

int ChainBuilder::AddConv(const ConvLayer& conv, const Tensor<int16_t>& x,
                          const Tensor<int16_t>& w, const RsMapping* mapping,
                          const OutputPath* path) {
  return AddLayer(conv, &x, -1, w, mapping, path, conv.Out(), false);
}

int ChainBuilder::AddConvAfter(int src, const Tensor<int16_t>& w, const ConvParams& conv,
                               const RsMapping* mapping, const OutputPath* path) {
  ConvLayer l;
  l.x = Source(src, "conv layer with weights " + w.shape().ToString()).out;
  l.w = w.shape();
  l.conv = conv;
  return AddLayer(l, nullptr, src, w, mapping, path, l.Out(), false);
}

int ChainBuilder::AddFc(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                        const RsMapping* mapping, const OutputPath* path) {
  const FcConv fc = FcToConv(x, w);
  try {
    return AddConv(fc.layer, fc.x, fc.w, mapping, path);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(FcName(x.shape(), w.shape()) + e.what());
  }
}

int ChainBuilder::AddFcAfter(int src, const Tensor<int16_t>& w, const RsMapping* mapping,
                             const OutputPath* path) {
  const Shape x = Source(src, "fc layer with weights " + w.shape().ToString()).out;
  const ConvLayer layer = FcToConvLayer(x, w.shape());
  if (w.size() != w.shape().Size()) {
    throw ShapeError("fc: tensor w has shape " + w.shape().ToString() + " but holds " +
                     std::to_string(w.size()) + " elements");
  }
  Tensor<int16_t> wc(layer.w);
  wc.data() = w.data();  // C order: reshaping keeps every element where it is
  try {
    return AddLayer(layer, nullptr, src, wc, mapping, path, layer.Out(), false);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(FcName(x, w.shape()) + e.what());
  }
}

int ChainBuilder::AddPoolFrom(const Shape& x_shape, const Tensor<int16_t>* x, int src,
                              const PoolParams& p) {
  const ConvLayer layer = PoolToConvLayer(x_shape, p);
  const OutputPath path = PoolOutputPath(p);
  Tensor<int16_t> w(layer.w);
  w.data() = {1};
  Tensor<int16_t> xc;
  if (x != nullptr) {
    if (x->size() != x_shape.Size()) {
      throw ShapeError("max pool: tensor x has shape " + x_shape.ToString() + " but holds " +
                       std::to_string(x->size()) + " elements");
    }
    xc = Tensor<int16_t>(layer.x);
    xc.data() = x->data();  // N x C planes are N*C images of one channel
  }
  return AddLayer(layer, x != nullptr ? &xc : nullptr, src, w, nullptr, &path,
                  PoolOutputShape(x_shape, p), true);
}

int ChainBuilder::AddPool(const Tensor<int16_t>& x, const PoolParams& p) {
  return AddPoolFrom(x.shape(), &x, -1, p);
}

int ChainBuilder::AddPoolAfter(int src, const PoolParams& p) {
  return AddPoolFrom(Source(src, "max pool").out, nullptr, src, p);
}

uint64_t ChainBuilder::Commit() {
  if (layers_.empty()) throw Error("ChainBuilder::Commit: the chain has no layers; add one first");
  const uint64_t base = device_.Alloc(layers_.size() * kDescBytes);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const uint64_t addr = base + i * kDescBytes;
    const ErrCode code = CheckDescAddr(addr, hw_);
    if (code != ErrCode::kNone) {
      throw UnsupportedError(device_.Name() + ": descriptor address " + internal::Hex(addr) +
                             " fails " + ErrCodeText(code));
    }
    Desc& d = layers_[i].desc;
    d.next = i + 1 < layers_.size() ? addr + kDescBytes : 0;
    device_.Write(addr, PackDesc(d));
  }
  return base;
}

uint64_t ChainBuilder::OutputBuffer(size_t bytes, int src) {
  const int index = size();
  Buffer* best = nullptr;
  for (Buffer& b : buffers_) {
    if (b.owner != src && b.bytes >= bytes && (best == nullptr || b.bytes < best->bytes)) {
      best = &b;
    }
  }
  if (best == nullptr) {
    buffers_.push_back(Buffer{device_.Alloc(bytes), bytes, -1});
    best = &buffers_.back();
  } else {
    overwritten_.at(static_cast<size_t>(best->owner)) = index;
  }
  best->owner = index;
  return best->addr;
}

void ChainBuilder::WriteInput(const Tensor<int16_t>& x) {
  if (layers_.empty() || layers_[0].src != -1) {
    throw Error("ChainBuilder::WriteInput: the chain's first layer does not read a host input");
  }
  const Layer& first = layers_[0];
  if (x.shape() != first.layer.x || x.size() != first.layer.x.Size()) {
    throw ShapeError("ChainBuilder::WriteInput: input " + x.shape().ToString() +
                     " does not have the first layer's input shape " +
                     first.layer.x.ToString());
  }
  device_.Write(first.desc.x_addr, x.data());
}

Tensor<int32_t> ChainBuilder::ReadOutput(int index) {
  const Layer& l = layer(index);
  const int by = overwritten_.at(static_cast<size_t>(index));
  if (by >= 0) {
    throw Error("ChainBuilder::ReadOutput: layer " + std::to_string(index) +
                "'s outputs were overwritten by layer " + std::to_string(by) +
                " (output buffers are reused); build the chain with ReuseOutputs(false) to "
                "read every layer");
  }
  Tensor<int32_t> y(l.out);
  if (l.int16_out) {
    const std::vector<int16_t> v =
        device_.Read<int16_t>(l.desc.y_addr, static_cast<size_t>(y.size()));
    std::copy(v.begin(), v.end(), y.data().begin());
  } else {
    y.data() = device_.Read<int32_t>(l.desc.y_addr, static_cast<size_t>(y.size()));
  }
  return y;
}

LayerResult RunConv(Device& device, const ConvLayer& layer, const Tensor<int16_t>& x,
                    const Tensor<int16_t>& w, const RsMapping* mapping, uint64_t timeout_cycles,
                    const OutputPath* path) {
  device.FreeAll();
  ChainBuilder chain(device);
  const int index = chain.AddConv(layer, x, w, mapping, path);
  device.RunChain(chain.Commit(), timeout_cycles);
  LayerResult r;
  r.y = chain.ReadOutput(index);
  r.counters = device.ReadCounters();
  r.mapping = chain.layer(0).mapping;
  r.tiling = chain.layer(0).tiling;
  const ChainBuilder::Layer& l = chain.layer(0);
  r.x_addr = l.desc.x_addr;
  r.w_addr = l.desc.w_addr;
  r.dram_min_bytes = static_cast<uint64_t>(x.size()) * 2 + static_cast<uint64_t>(w.size()) * 2 +
                     static_cast<uint64_t>(r.y.size()) * (l.int16_out ? 2 : 4) +
                     (l.layer.OutTable() ? static_cast<uint64_t>(layer.w.n) * kPpEntryBytes : 0);
  return r;
}

LayerResult RunPool(Device& device, const Tensor<int16_t>& x, const PoolParams& p,
                    uint64_t timeout_cycles) {
  device.FreeAll();
  ChainBuilder chain(device);
  const int index = chain.AddPool(x, p);
  device.RunChain(chain.Commit(), timeout_cycles);
  LayerResult r;
  r.y = chain.ReadOutput(index);
  r.counters = device.ReadCounters();
  r.mapping = chain.layer(index).mapping;
  r.tiling = chain.layer(index).tiling;
  r.x_addr = chain.layer(index).desc.x_addr;
  r.w_addr = chain.layer(index).desc.w_addr;
  // x and the pooled y, with the lowering's one weight and table entry.
  r.dram_min_bytes = static_cast<uint64_t>(x.size()) * 2 + 2 + kPpEntryBytes +
                     static_cast<uint64_t>(r.y.size()) * 2;
  return r;
}

LayerResult RunFc(Device& device, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                  const RsMapping* mapping, uint64_t timeout_cycles, const OutputPath* path) {
  const FcConv fc = FcToConv(x, w);
  try {
    return RunConv(device, fc.layer, fc.x, fc.w, mapping, timeout_cycles, path);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(FcName(x.shape(), w.shape()) + e.what());
  }
}

}  // namespace eyelet
