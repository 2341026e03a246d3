// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "array_bench.h"

#include <algorithm>
#include <vector>

#include "Vey_core_eyeriss.h"
#include "Vey_core_small.h"
#include "Vey_core_tiny.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/layer_cfg.h"
#include "harness.h"

namespace eyelet {

namespace {

// Field access on Verilated ports: plain integers up to 64 bits, VlWide beyond.
template <typename T>
void SetField(T& port, int lsb, int width, uint64_t v) {
  const uint64_t mask = (width >= 64 ? ~0ull : ((1ull << width) - 1)) << lsb;
  port = static_cast<T>((static_cast<uint64_t>(port) & ~mask) | ((v << lsb) & mask));
}
template <std::size_t N>
void SetField(VlWide<N>& port, int lsb, int width, uint64_t v) {
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    const uint32_t m = 1u << (bit % 32);
    if ((v >> b) & 1) {
      port[bit / 32] |= m;
    } else {
      port[bit / 32] &= ~m;
    }
  }
}
template <typename T>
uint64_t GetField(const T& port, int lsb, int width) {
  const uint64_t v = static_cast<uint64_t>(port) >> lsb;
  return width >= 64 ? v : (v & ((1ull << width) - 1));
}
template <std::size_t N>
uint64_t GetField(const VlWide<N>& port, int lsb, int width) {
  uint64_t v = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    v |= static_cast<uint64_t>((port[bit / 32] >> (bit % 32)) & 1) << b;
  }
  return v;
}

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

template <class Model>
class ArrayBenchImpl : public ArrayBench {
 public:
  ArrayBenchImpl(const ArrayConfig& hw, const std::string& trace) : hw_(hw) {
    h_.OpenTrace(trace);
    h_.dut().abort_i = 0;
    h_.dut().start_i = 0;
    h_.Reset();
    CheckBuild();
  }

  const ArrayConfig& config() const override { return hw_; }
  void TraceWindow(uint64_t first, uint64_t last) override { h_.TraceWindow(first, last); }
  void AbortNextRunAfter(uint64_t cycles) override { abort_after_ = cycles; }

  Tensor<int32_t> RunConv(const ConvLayer& layer, const Tensor<int16_t>& x,
                          const Tensor<int16_t>& w, const RsMapping& mapping,
                          ArrayStats* stats) override {
    if (x.shape() != layer.x || w.shape() != layer.w) {
      throw ShapeError("array bench: tensors " + x.shape().ToString() + " / " +
                       w.shape().ToString() + " do not match the layer " + layer.ToString());
    }
    const Shape out = layer.Out();  // validates the layer
    CheckRange(x, "ifmap");
    CheckRange(w, "weight");
    RsMapping m = mapping;
    const std::string err = CompleteMapping(layer, hw_, m);
    if (!err.empty()) {
      throw UnsupportedError("mapping " + mapping.ToString() + " is illegal on '" + hw_.name +
                             "': " + err);
    }
    ArrayStats local;
    ArrayStats& st = stats ? *stats : local;
    st = ArrayStats{};
    st.total_pes = hw_.rows * hw_.cols;
    st.active_pes = ActivePes(layer, m);
    Tensor<int32_t> y(out);
    const uint64_t first_cycle = h_.cycle();
    for (int g = 0; g < layer.conv.groups; ++g) RunGroup(layer, x, w, m, g, y, st);
    st.sim_cycles = h_.cycle() - first_cycle;
    return y;
  }

 private:
  // The Verilated build must be the configuration this bench believes it is.
  void CheckBuild() {
    Model& d = h_.dut();
    d.eval();
    const int want[7] = {hw_.rows,         hw_.cols,       hw_.ifmap_depth, hw_.filter_depth,
                         hw_.psum_depth,   hw_.data_bits,  hw_.acc_bits};
    const int want_glb[3] = {hw_.glb_ifmap_words, hw_.glb_filter_words, hw_.glb_psum_words};
    for (int i = 0; i < 7; ++i) {
      const int got = static_cast<int>(GetField(d.hw_params_o, (6 - i) * 16, 16));
      if (got != want[i]) {
        throw Error("Verilated model for '" + hw_.name + "' was built with parameter " +
                    std::to_string(i) + " = " + std::to_string(got) + ", the config says " +
                    std::to_string(want[i]) + "; CMakeLists.txt and mapping.cc disagree");
      }
    }
    for (int i = 0; i < 3; ++i) {
      const int got = static_cast<int>(GetField(d.hw_glb_o, (2 - i) * 32, 32));
      if (got != want_glb[i]) {
        throw Error("Verilated model for '" + hw_.name + "' has GLB size " + std::to_string(got) +
                    " words where the config says " + std::to_string(want_glb[i]) +
                    "; CMakeLists.txt and mapping.cc disagree");
      }
    }
  }

  // The golden model's data-range rule: values must fit data_bits.
  void CheckRange(const Tensor<int16_t>& t, const char* what) const {
    const int lo = -(1 << (hw_.data_bits - 1)), hi = (1 << (hw_.data_bits - 1)) - 1;
    for (int16_t v : t.data()) {
      if (v < lo || v > hi) {
        throw ShapeError(std::string(what) + " value " + std::to_string(v) + " does not fit " +
                         std::to_string(hw_.data_bits) + "-bit data; requantize the input");
      }
    }
  }

  // Psum words one column bank holds for a chunk of nb images and mc filters.
  int64_t BankWords(const ConvLayer& sl, const RsMapping& m) const {
    const Shape out = sl.Out();
    return static_cast<int64_t>(m.mb) * sl.x.n * m.strips * out.w * m.tv * m.p;
  }

  // One group: split into chunks of images and filters that fit the GLB, run each.
  void RunGroup(const ConvLayer& L, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                const RsMapping& m, int g, Tensor<int32_t>& y, ArrayStats& st) {
    const int cg = L.x.c / L.conv.groups, mg = L.w.n / L.conv.groups, N = L.x.n;
    const int R = L.w.h, S = L.w.w;
    const int block = m.t * m.p;
    int nb = std::min(N, kMaxImagesPerRun), mc = mg;
    auto sub = [&](int n, int mm) {
      ConvLayer sl = L;
      sl.x = Shape{n, cg, L.x.h, L.x.w};
      sl.w = Shape{mm, cg, R, S};
      sl.conv.groups = 1;
      return sl;
    };
    const int64_t image_words = static_cast<int64_t>(cg) * L.x.h * L.x.w;
    if (image_words > hw_.glb_ifmap_words) {
      throw UnsupportedError("one image (" + std::to_string(image_words) +
                             " words per group) does not fit the GLB ifmap area of '" +
                             hw_.name + "' (" + std::to_string(hw_.glb_ifmap_words) +
                             " words); DRAM tiling arrives with the DMA");
    }
    for (;;) {
      ConvLayer sl = sub(nb, mc);
      RsMapping sm = m;
      sm.n = nb;
      if (!CompleteMapping(sl, hw_, sm).empty()) throw Error("chunk mapping became illegal");
      const bool ifm_ok = nb * image_words <= hw_.glb_ifmap_words;
      const bool filt_ok = static_cast<int64_t>(mc) * cg * R * S <= hw_.glb_filter_words;
      const bool psum_ok = BankWords(sl, sm) <= hw_.glb_psum_words;
      if (ifm_ok && filt_ok && psum_ok) break;
      if (!ifm_ok || (mc <= block && !psum_ok)) {
        if (nb == 1) {
          throw UnsupportedError("layer " + L.ToString() + " with mapping " + m.ToString() +
                                 " does not fit the GLB of '" + hw_.name +
                                 "' even one image at a time (psum bank " +
                                 std::to_string(BankWords(sl, sm)) + " words > " +
                                 std::to_string(hw_.glb_psum_words) + ")");
        }
        nb = CeilDiv(nb, 2);
      } else if (mc > block) {
        mc = std::max(block, (CeilDiv(mc, block) - 1) * block);
      } else {
        throw UnsupportedError("the filters of one block (" + std::to_string(block) +
                               " x " + std::to_string(cg * R * S) +
                               " words) do not fit the GLB filter area of '" + hw_.name + "' (" +
                               std::to_string(hw_.glb_filter_words) + " words)");
      }
    }
    for (int n0 = 0; n0 < N; n0 += nb) {
      for (int m0 = 0; m0 < mg; m0 += mc) {
        const ConvLayer sl = sub(std::min(nb, N - n0), std::min(mc, mg - m0));
        RsMapping sm = m;
        sm.n = sl.x.n;
        CompleteMapping(sl, hw_, sm);
        RunChunk(sl, sm, x, w, g * cg, g * mg + m0, n0, y, st);
      }
    }
  }

  // Loads one chunk into the GLB, runs it on the core, reads the outputs back.
  void RunChunk(const ConvLayer& sl, const RsMapping& m, const Tensor<int16_t>& x,
                const Tensor<int16_t>& w, int c0, int m0, int n0, Tensor<int32_t>& y,
                ArrayStats& st) {
    Model& d = h_.dut();
    const Shape out = sl.Out();
    const LayerCfg cfg = MakeLayerCfg(sl, m);
    const int cg = sl.x.c, H = sl.x.h, W = sl.x.w, R = sl.w.h, S = sl.w.w;
    // GLB loads through the host port (the DMA's job later), one word per cycle.
    d.start_i = 0;
    d.host_re_i = 0;
    d.host_we_i = 1;
    d.host_area_i = 0;
    int addr = 0;
    for (int n = 0; n < sl.x.n; ++n)
      for (int c = 0; c < cg; ++c)
        for (int hh = 0; hh < H; ++hh)
          for (int ww = 0; ww < W; ++ww) {
            d.host_addr_i = addr++;
            d.host_wdata_i = static_cast<uint16_t>(x.at(n0 + n, c0 + c, hh, ww));
            h_.Tick();
          }
    d.host_area_i = 1;
    addr = 0;
    for (int mm = 0; mm < sl.w.n; ++mm)
      for (int c = 0; c < cg; ++c)
        for (int r = 0; r < R; ++r)
          for (int s = 0; s < S; ++s) {
            d.host_addr_i = addr++;
            d.host_wdata_i = static_cast<uint16_t>(w.at(m0 + mm, c, r, s));
            h_.Tick();
          }
    d.host_we_i = 0;

    for (const LayerCfgField& f : kLayerCfgFields) SetField(d.cfg_i, f.lsb, f.bits, cfg.*(f.member));
    d.start_i = 1;
    h_.Tick();
    d.start_i = 0;
    uint64_t last_sum = 0, stalled = 0;
    uint64_t prev_mac = 0, prev_filt = 0, run_cycles = 0;
    for (;;) {
      h_.Eval();
      if (d.done_o) break;
      if (abort_after_ && ++run_cycles > abort_after_) {
        d.abort_i = 1;
        h_.Tick();
        d.abort_i = 0;
        h_.Eval();
        const bool idle = !d.busy_o;
        abort_after_ = 0;
        throw Error(std::string("array run aborted by the host after ") +
                    std::to_string(run_cycles - 1) + " cycles" +
                    (idle ? "" : " (and the core is still busy)"));
      }
      const uint64_t mac = d.cnt_mac_o + static_cast<uint64_t>(d.cnt_skip_o);
      const uint64_t sum = mac + d.cnt_filt_words_o + d.cnt_if_words_o + d.cnt_pin_words_o +
                           d.cnt_gon_words_o + d.cnt_passes_o;
      if (mac != prev_mac) {
        ++st.mac_cycles;
      } else if (d.cnt_filt_words_o != prev_filt) {
        ++st.filter_cycles;
      } else {
        ++st.other_cycles;
      }
      prev_mac = mac;
      prev_filt = d.cnt_filt_words_o;
      stalled = (sum == last_sum) ? stalled + 1 : 0;
      last_sum = sum;
      if (stalled > 20000) {
        throw TimeoutError("array '" + hw_.name + "': no progress for 20000 cycles (pass " +
                           std::to_string(d.cnt_passes_o) + ", cycle " +
                           std::to_string(d.cnt_cycles_o) + ", layer " + sl.ToString() +
                           ", mapping " + m.ToString() + "); rerun with a trace");
      }
      h_.Tick();
    }
    abort_after_ = 0;  // an abort point past the end of the run does not carry over
    st.cycles += d.cnt_cycles_o;
    st.passes += d.cnt_passes_o;
    st.macs += d.cnt_mac_o;
    st.skipped += d.cnt_skip_o;
    st.filt_words += d.cnt_filt_words_o;
    st.if_words += d.cnt_if_words_o;
    st.pin_words += d.cnt_pin_words_o;
    st.gon_words += d.cnt_gon_words_o;
    st.glb_reads += d.cnt_glb_reads_o;
    st.glb_writes += d.cnt_glb_writes_o;

    // Read every column bank in the order its GON lane wrote it: filter blocks, then
    // (image, strip, column x), chain v, filter k.
    const int E = out.h, F = out.w;
    d.host_area_i = 2;
    for (int jp = 0; jp < m.th * m.e; ++jp) {
      const int hs = jp / m.e, j = jp % m.e;
      if (hs * m.tv >= m.t) continue;
      const int tvc = std::min(m.tv, m.t - hs * m.tv);
      d.host_bank_i = jp;
      int a = 0;
      for (int mb = 0; mb < m.mb; ++mb)
        for (int n = 0; n < sl.x.n; ++n)
          for (int sp = 0; sp < m.strips; ++sp)
            for (int xx = 0; xx < F; ++xx)
              for (int v = 0; v < tvc; ++v)
                for (int k = 0; k < m.p; ++k) {
                  const int mm = mb * m.t * m.p + (hs * m.tv + v) * m.p + k;
                  const int yy = sp * m.e + j;
                  const int addr_now = a++;
                  if (mm >= sl.w.n || yy >= E) continue;
                  d.host_re_i = 1;
                  d.host_addr_i = addr_now;
                  h_.Tick();
                  d.host_re_i = 0;
                  h_.Eval();
                  y.at(n0 + n, m0 + mm, yy, xx) = static_cast<int32_t>(d.host_rdata_o);
                }
    }
  }

  ArrayConfig hw_;
  Harness<Model> h_;
  uint64_t abort_after_ = 0;
};

}  // namespace

std::unique_ptr<ArrayBench> ArrayBench::Create(const std::string& config_name,
                                               const std::string& trace_path) {
  const ArrayConfig& hw = ConfigByName(config_name);
  if (hw.name == "tiny") return std::make_unique<ArrayBenchImpl<Vey_core_tiny>>(hw, trace_path);
  if (hw.name == "small") {
    return std::make_unique<ArrayBenchImpl<Vey_core_small>>(hw, trace_path);
  }
  return std::make_unique<ArrayBenchImpl<Vey_core_eyeriss>>(hw, trace_path);
}

}  // namespace eyelet
