// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/interrupt.h"
#include "eyelet/net_run.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "eyelet/cost_model.h"
#include "eyelet/error.h"
#include "eyelet/runtime.h"

namespace eyelet {

namespace {

// Per step: the chain indices of its descriptors [first, last]; `last` holds its outputs.
struct StepDescs {
  int first = 0;
  int last = 0;
};

std::string ShapeText(const std::vector<int64_t>& dims) {
  std::vector<int64_t> d(dims.begin() + 1, dims.end());
  return DimsString(d);
}

// Adds step `s` reading layer `prev` (or the host input `x` when prev < 0).
int AddStep(ChainBuilder& chain, const QuantStep& s, int prev, const Tensor<int16_t>& x) {
  switch (s.kind) {
    case FloatStep::kPool:
      return prev < 0 ? chain.AddPool(x, s.path.pool_params)
                      : chain.AddPoolAfter(prev, s.path.pool_params);
    case FloatStep::kFc:
      return prev < 0 ? chain.AddFc(x, s.w, nullptr, &s.path)
                      : chain.AddFcAfter(prev, s.w, nullptr, &s.path);
    case FloatStep::kConv:
      break;
  }
  if (prev >= 0) return chain.AddConvAfter(prev, s.w, s.conv, nullptr, &s.path);
  ConvLayer l;
  l.x = x.shape();
  l.w = s.w.shape();
  l.conv = s.conv;
  return chain.AddConv(l, x, s.w, nullptr, &s.path);
}

// The first element where `got` differs from `want`, as "image n, c, h, w = (...)".
int64_t Compare(const Tensor<int32_t>& want, const Tensor<int32_t>& got, int image_base,
                std::string* first) {
  if (want.shape() != got.shape()) {
    if (first->empty()) {
      *first = "shape " + got.shape().ToString() + " where the golden model has " +
               want.shape().ToString();
    }
    return want.size();
  }
  int64_t bad = 0;
  const Shape& s = want.shape();
  for (int64_t i = 0; i < want.size(); ++i) {
    if (want.data()[i] == got.data()[i]) continue;
    if (bad++ == 0 && first->empty()) {
      const int64_t w = i % s.w, h = (i / s.w) % s.h, c = (i / (int64_t{s.w} * s.h)) % s.c;
      const int64_t n = i / (int64_t{s.w} * s.h * s.c);
      *first = "image " + std::to_string(image_base + n) + ", (c, h, w) = (" + std::to_string(c) +
               ", " + std::to_string(h) + ", " + std::to_string(w) + "): expected " +
               std::to_string(want.data()[i]) + ", got " + std::to_string(got.data()[i]);
    }
  }
  return bad;
}

DeviceCounters Diff(const DeviceCounters& a, const DeviceCounters& b) {
  DeviceCounters d;
  for (const CounterReg& r : kCounterRegs) d.*(r.member) = a.*(r.member) - b.*(r.member);
  return d;
}

void Accumulate(DeviceCounters& sum, const DeviceCounters& c) {
  for (const CounterReg& r : kCounterRegs) sum.*(r.member) += c.*(r.member);
}

}  // namespace

double NetLayerStats::Utilization() const {
  const uint64_t run = cycles > dma_stall ? cycles - dma_stall : 0;
  return run && total_pes ? static_cast<double>(macs + skipped) / (double(total_pes) * run) : 0;
}

double NetLayerStats::ZeroShare() const {
  return macs + skipped ? static_cast<double>(skipped) / static_cast<double>(macs + skipped) : 0;
}

bool NetRunResult::Pass() const {
  for (const NetLayerStats& l : layers) {
    if (l.mismatches != 0) return false;
  }
  return true;
}

NetRunResult RunQuantNet(Device& device, const QuantNet& net, const FTensor& images,
                         const NetRunOptions& options) {
  if (options.batch < 1) throw UsageError("batch " + std::to_string(options.batch) + " < 1");
  const Tensor<int16_t> all = QuantizeInput(net, images);  // ShapeError for a wrong shape
  const Shape in = all.shape();
  const int total = in.n;
  const int64_t per_image = in.Size() / total;
  const HwInfo hw_info = device.ReadHwInfo();
  const ArrayConfig hw = hw_info.ToArrayConfig(device.Name());
  const auto start = std::chrono::steady_clock::now();

  NetRunResult r;
  r.images = total;
  r.checked = options.check;
  r.layers.resize(net.steps.size());
  for (size_t i = 0; i < net.steps.size(); ++i) {
    const QuantStep& s = net.steps[i];
    NetLayerStats& l = r.layers[i];
    l.name = s.name;
    l.op_types = s.op_types;
    l.kind = s.kind == FloatStep::kConv ? "conv" : s.kind == FloatStep::kFc ? "fc" : "pool";
    l.out_shape = ShapeText(s.out_dims);
    l.total_pes = hw.rows * hw.cols;
  }
  std::vector<FTensor> outputs;

  device.FreeAll();
  std::unique_ptr<ChainBuilder> chain;
  std::vector<StepDescs> descs;
  uint64_t chain_addr = 0;
  std::vector<CycleEstimate> model;  // per descriptor of the chain
  int chain_batch = 0;
  for (int base = 0; base < total; base += options.batch) {
    ThrowIfInterrupted("between batches");
    const int nb = std::min(options.batch, total - base);
    Tensor<int16_t> x(Shape{nb, in.c, in.h, in.w});
    std::copy_n(all.data().begin() + base * per_image, nb * per_image, x.data().begin());
    if (nb != chain_batch) {  // (re)build the chain for this batch size
      device.FreeAll();
      chain = std::make_unique<ChainBuilder>(device);
      chain->ReuseOutputs(!options.check);
      descs.assign(net.steps.size(), StepDescs{});
      int prev = -1;
      for (size_t i = 0; i < net.steps.size(); ++i) {
        descs[i].first = chain->size();
        try {
          prev = AddStep(*chain, net.steps[i], prev, x);
        } catch (const UnsupportedError& e) {
          throw UnsupportedError("layer '" + net.steps[i].name + "' (" + net.steps[i].op_types +
                                 "): " + e.what());
        }
        descs[i].last = prev;
      }
      chain_addr = chain->Commit();
      chain_batch = nb;
      r.descs_per_chain = chain->size();
      for (size_t i = 0; i < net.steps.size(); ++i) {
        const ChainBuilder::Layer& first = chain->layer(descs[i].first);
        const RsMapping& m = first.mapping;
        r.layers[i].mapping = std::to_string(m.e) + "," + std::to_string(m.p) + "," +
                              std::to_string(m.q) + "," + std::to_string(m.r) + "," +
                              std::to_string(m.t) + " n" + std::to_string(m.n);
        r.layers[i].descs = descs[i].last - descs[i].first + 1;
        r.layers[i].first_desc = descs[i].first;
        r.layers[i].active_pes = ActivePes(first.layer, first.mapping);
      }
      // The cost model's figures of each descriptor, once per chain (every run of it adds them).
      model.assign(static_cast<size_t>(chain->size()), CycleEstimate{});
      for (int d = 0; d < chain->size(); ++d) {
        const ChainBuilder::Layer& cl = chain->layer(d);
        RsMapping placed = cl.mapping;
        placed.n = cl.tiling.nb;
        CompleteMapping(cl.layer, hw, placed);
        model[static_cast<size_t>(d)] = EstimateCycles(cl.layer, hw, placed, cl.tiling);
      }
    } else {
      chain->WriteInput(x);
    }
    ChainProfile profile;
    device.RunChainProfiled(chain_addr, options.timeout_cycles, options.poll_cycles, &profile);
    if (r.chains == 0) r.first_chain = profile;
    const std::vector<DeviceCounters>& snaps = profile.at_desc;
    const DeviceCounters run_total = device.ReadCounters();
    Accumulate(r.total, run_total);
    ++r.chains;
    const bool split = run_total.cycles > 0 && snaps.size() == static_cast<size_t>(chain->size());
    for (size_t i = 0; i < net.steps.size(); ++i) {
      NetLayerStats& l = r.layers[i];
      for (int d = descs[i].first; d <= descs[i].last; ++d) {
        const CycleEstimate& est = model[static_cast<size_t>(d)];
        l.model_cycles += est.cycles;
        l.model_dram_bytes += est.DramBytes();
        if (split) {
          const DeviceCounters c =
              d == 0 ? snaps[0]
                     : Diff(snaps[static_cast<size_t>(d)], snaps[static_cast<size_t>(d) - 1]);
          l.cycles += c.cycles;
          l.dma_stall += c.dma_stall;
          l.macs += c.macs;
          l.skipped += c.skipped;
          l.dram_bytes += c.dram_rd_bytes + c.dram_wr_bytes;
        }
      }
      l.measured = split;
    }
    const Tensor<int32_t> y = chain->ReadOutput(descs.back().last);
    if (options.check) {
      const std::vector<Tensor<int32_t>> want = RunGolden(net, x);
      for (size_t i = 0; i < net.steps.size(); ++i) {
        NetLayerStats& l = r.layers[i];
        const Tensor<int32_t> got = chain->ReadOutput(descs[i].last);
        l.checked += want[i].size();
        const int64_t bad = Compare(want[i], got, base, &l.first_mismatch);
        l.mismatches += bad;
        if (bad > 0 && !l.first_fail) {
          NetMismatch f;
          f.image_base = base;
          f.images = nb;
          f.desc = descs[i].last;
          const ChainBuilder::Layer& cl = chain->layer(f.desc);
          f.layer = cl.layer;
          f.mapping = cl.mapping;
          f.tiling = cl.tiling;
          f.x_addr = cl.desc.x_addr;
          f.w_addr = cl.desc.w_addr;
          f.weights = Tensor<int16_t>(cl.layer.w);
          device.ReadMem(cl.desc.w_addr, f.weights.data().data(),
                         f.weights.data().size() * sizeof(int16_t));
          f.want = want[i];
          f.got = got;
          f.profile = profile;
          l.first_fail = std::move(f);
        }
      }
    }
    outputs.push_back(DequantizeOutput(net, y));
    if (options.progress) {
      NetProgress p;
      p.images_done = base + nb;
      p.images_total = total;
      p.cycles = r.total.cycles;
      p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      options.progress(p);
    }
  }
  // Concatenate the batches' outputs.
  std::vector<int64_t> dims = outputs.front().dims;
  dims[0] = total;
  r.output = FTensor(dims);
  size_t at = 0;
  for (const FTensor& o : outputs) {
    std::copy(o.data.begin(), o.data.end(), r.output.data.begin() + static_cast<int64_t>(at));
    at += o.data.size();
  }
  FTensor rows = r.output;
  rows.dims = {total, r.output.Size() / total};
  r.predicted = ArgMaxRows(rows);
  return r;
}

}  // namespace eyelet
