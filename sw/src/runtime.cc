// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/runtime.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/hex.h"

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
  const bool flat = (x.c > 1) + (x.h > 1) + (x.w > 1) <= 1;
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
  Tensor<int32_t> a = acc;
  if (!path.bias.empty()) AddBias(a, path.bias);
  if (!path.Requantizes()) return a;
  Tensor<int16_t> y = Requantize(a, path.requant);
  if (path.relu) y = Relu(y);
  if (path.leaky) y = LeakyRelu(y, path.leaky_mult, path.leaky_shift);
  Tensor<int32_t> out(y.shape());
  std::copy(y.data().begin(), y.data().end(), out.data().begin());
  return out;
}

namespace {

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

int ChainBuilder::AddConv(const ConvLayer& conv, const Tensor<int16_t>& x,
                          const Tensor<int16_t>& w, const RsMapping* mapping,
                          const OutputPath* path) {
  const Shape out = conv.Out();  // ShapeError for an inconsistent layer
  CheckTensor(x, conv.x, "x", conv);
  CheckTensor(w, conv.w, "w", conv);
  ConvLayer layer = conv;
  std::vector<int32_t> table;
  if (path != nullptr) {
    table = OutputTable(*path, conv.w.n, conv);
    layer.post = path->PostBits();
  }
  const ArrayConfig config = hw_.ToArrayConfig(device_.Name());
  Layer l;
  l.layer = layer;
  l.int16_out = layer.OutInt16();
  l.mapping = mapping ? *mapping : ChooseMapping(layer, config);
  const std::string why = CompleteMapping(layer, config, l.mapping);
  if (!why.empty()) {
    throw UnsupportedError("layer " + layer.ToString() + " with mapping " + l.mapping.ToString() +
                           " cannot run on " + device_.Name() + ": " + why);
  }
  l.tiling = ChooseTiling(layer, config, l.mapping);
  const uint64_t x_addr = device_.Alloc(static_cast<size_t>(x.size()) * 2);
  const uint64_t w_addr = device_.Alloc(static_cast<size_t>(w.size()) * 2);
  const uint64_t y_addr =
      device_.Alloc(static_cast<size_t>(out.Size()) * (l.int16_out ? 2 : 4));
  l.desc = MakeConvDesc(layer, l.mapping, l.tiling, x_addr, w_addr, y_addr, 0);
  if (layer.OutTable()) l.desc.pp_addr = device_.Alloc(table.size() * 4);
  if (path != nullptr && path->leaky) {
    l.desc.lk_mult = static_cast<uint16_t>(path->leaky_mult);
    l.desc.lk_shift = static_cast<uint64_t>(path->leaky_shift);
  }
  const ErrCode code = CheckDesc(l.desc, hw_);
  if (code != ErrCode::kNone) {
    throw UnsupportedError("layer " + layer.ToString() + " cannot run on " + device_.Name() +
                           ": its descriptor fails " + ErrCodeText(code) + ": " +
                           DescribeDesc(l.desc));
  }
  device_.Write(x_addr, x.data());
  device_.Write(w_addr, w.data());
  if (layer.OutTable()) device_.Write(l.desc.pp_addr, table);
  layers_.push_back(l);
  return size() - 1;
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

Tensor<int32_t> ChainBuilder::ReadOutput(int index) {
  const Layer& l = layer(index);
  Tensor<int32_t> y(l.layer.Out());
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
  chain.AddConv(layer, x, w, mapping, path);
  device.RunChain(chain.Commit(), timeout_cycles);
  LayerResult r;
  r.y = chain.ReadOutput(0);
  r.counters = device.ReadCounters();
  r.mapping = chain.layer(0).mapping;
  r.tiling = chain.layer(0).tiling;
  const ChainBuilder::Layer& l = chain.layer(0);
  r.dram_min_bytes = static_cast<uint64_t>(x.size()) * 2 + static_cast<uint64_t>(w.size()) * 2 +
                     static_cast<uint64_t>(r.y.size()) * (l.int16_out ? 2 : 4) +
                     (l.layer.OutTable() ? static_cast<uint64_t>(layer.w.n) * kPpEntryBytes : 0);
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
