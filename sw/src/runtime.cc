// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/runtime.h"

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

}  // namespace

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

}  // namespace eyelet
