// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/runtime.h"

#include <string>
#include <utility>

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

ChainBuilder::ChainBuilder(Device& device) : device_(device), hw_(device.ReadHwInfo()) {}

int ChainBuilder::AddConv(const ConvLayer& layer, const Tensor<int16_t>& x,
                          const Tensor<int16_t>& w, const RsMapping* mapping) {
  const Shape out = layer.Out();  // ShapeError for an inconsistent layer
  CheckTensor(x, layer.x, "x", layer);
  CheckTensor(w, layer.w, "w", layer);
  const ArrayConfig config = hw_.ToArrayConfig(device_.Name());
  Layer l;
  l.layer = layer;
  l.mapping = mapping ? *mapping : ChooseMapping(layer, config);
  const std::string why = CompleteMapping(layer, config, l.mapping);
  if (!why.empty()) {
    throw UnsupportedError("layer " + layer.ToString() + " with mapping " + l.mapping.ToString() +
                           " cannot run on " + device_.Name() + ": " + why);
  }
  l.tiling = ChooseTiling(layer, config, l.mapping);
  const uint64_t x_addr = device_.Alloc(static_cast<size_t>(x.size()) * 2);
  const uint64_t w_addr = device_.Alloc(static_cast<size_t>(w.size()) * 2);
  const uint64_t y_addr = device_.Alloc(static_cast<size_t>(out.Size()) * 4);
  l.desc = MakeConvDesc(layer, l.mapping, l.tiling, x_addr, w_addr, y_addr, 0);
  const ErrCode code = CheckDesc(l.desc, hw_);
  if (code != ErrCode::kNone) {
    throw UnsupportedError("layer " + layer.ToString() + " cannot run on " + device_.Name() +
                           ": its descriptor fails " + ErrCodeText(code) + ": " +
                           DescribeDesc(l.desc));
  }
  device_.Write(x_addr, x.data());
  device_.Write(w_addr, w.data());
  layers_.push_back(l);
  return size() - 1;
}

int ChainBuilder::AddFc(const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                        const RsMapping* mapping) {
  const FcConv fc = FcToConv(x, w);
  try {
    return AddConv(fc.layer, fc.x, fc.w, mapping);
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
  y.data() = device_.Read<int32_t>(l.desc.y_addr, static_cast<size_t>(y.size()));
  return y;
}

LayerResult RunConv(Device& device, const ConvLayer& layer, const Tensor<int16_t>& x,
                    const Tensor<int16_t>& w, const RsMapping* mapping, uint64_t timeout_cycles) {
  device.FreeAll();
  ChainBuilder chain(device);
  chain.AddConv(layer, x, w, mapping);
  device.RunChain(chain.Commit(), timeout_cycles);
  LayerResult r;
  r.y = chain.ReadOutput(0);
  r.counters = device.ReadCounters();
  r.mapping = chain.layer(0).mapping;
  r.tiling = chain.layer(0).tiling;
  r.dram_min_bytes = static_cast<uint64_t>(x.size()) * 2 + static_cast<uint64_t>(w.size()) * 2 +
                     static_cast<uint64_t>(r.y.size()) * 4;
  return r;
}

LayerResult RunFc(Device& device, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                  const RsMapping* mapping, uint64_t timeout_cycles) {
  const FcConv fc = FcToConv(x, w);
  try {
    return RunConv(device, fc.layer, fc.x, fc.w, mapping, timeout_cycles);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(FcName(x.shape(), w.shape()) + e.what());
  }
}

}  // namespace eyelet
