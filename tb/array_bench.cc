// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "array_bench.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "Vey_array_eyeriss.h"
#include "Vey_array_small.h"
#include "Vey_array_tiny.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
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

int CeilLog2(int v) {
  int b = 0;
  while ((1 << b) < v) ++b;
  return b;
}

struct TagWord {
  uint32_t row;
  uint32_t col;
  int16_t data;
};
struct LaneWord {
  uint32_t row;
  int32_t data;
};
struct GonPull {
  uint32_t row;
  int64_t dest;  // index into the psum buffer, -1: computed by an idle column, dropped
};

template <class Model>
class ArrayBenchImpl : public ArrayBench {
 public:
  ArrayBenchImpl(const ArrayConfig& hw, const std::string& trace) : hw_(hw) {
    h_.OpenTrace(trace);
    h_.Reset();
  }

  const ArrayConfig& config() const override { return hw_; }
  void TraceWindow(uint64_t first, uint64_t last) override { h_.TraceWindow(first, last); }

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
    for (int g = 0; g < layer.conv.groups; ++g) RunGroup(layer, x, w, m, g, y, st);
    return y;
  }

 private:
  static constexpr uint32_t kOff = 0xff;

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

  // One group of the layer: every pass of the mapping.
  void RunGroup(const ConvLayer& L, const Tensor<int16_t>& x, const Tensor<int16_t>& w,
                const RsMapping& m, int g, Tensor<int32_t>& y, ArrayStats& st) {
    const Shape out = L.Out();
    const int cg = L.x.c / L.conv.groups, mg = L.w.n / L.conv.groups;
    const int R = L.w.h, S = L.w.w, E = out.h, F = out.w, N = L.x.n;
    const int uh = L.conv.stride_h, uw = L.conv.stride_w;
    const int wn = (F - 1) * uw + S;  // ifmap columns each PE row needs
    // Psums of the current filter block between passes (the GLB psum area).
    std::vector<int32_t> glb(static_cast<size_t>(N) * m.t * m.p * E * F, 0);
    auto glb_index = [&](int n, int mm, int yy, int xx) {
      return ((static_cast<int64_t>(n) * m.t * m.p + mm) * E + yy) * F + xx;
    };
    auto X = [&](int n, int c, int h, int ww) -> int16_t {
      if (c >= cg || h < 0 || h >= L.x.h || ww < 0 || ww >= L.x.w) return 0;
      return x.at(n, g * cg + c, h, ww);
    };
    auto Wt = [&](int mm, int c, int r, int s) -> int16_t {
      if (mm >= mg || c >= cg || r >= R) return 0;
      return w.at(g * mg + mm, c, r, s);
    };

    // Diagonals (ifmap rows within a strip) that feed at least one PE of a set.
    std::vector<int> diags;
    for (int d = 0; d <= (m.rg - 1) + (m.e - 1) * uh; ++d) {
      for (int j = 0; j < m.e; ++j) {
        if (d - j * uh >= 0 && d - j * uh < m.rg) {
          diags.push_back(d);
          break;
        }
      }
    }

    for (int mb = 0; mb < m.mb; ++mb) {
      for (int cb = 0; cb < m.cb; ++cb) {
        for (int rgi = 0; rgi < m.nrg; ++rgi) {
          const bool first = cb == 0 && rgi == 0;
          const bool last = cb == m.cb - 1 && rgi == m.nrg - 1;
          Configure(m, uh, uw, first, S, F);
          ++st.passes;

          // Filters: one X-bus (physical row) at a time, multicast along the set row.
          std::deque<TagWord> filt;
          for (int v = 0; v < m.tv; ++v) {
            for (int cgi = 0; cgi < m.r; ++cgi) {
              for (int i = 0; i < m.rg; ++i) {
                const int row = v * m.r * m.rg + cgi * m.rg + i;
                for (int hs = 0; hs < m.th; ++hs) {
                  const int tg = hs * m.tv + v;
                  if (tg >= m.t) continue;
                  for (int s = 0; s < S; ++s)
                    for (int cc = 0; cc < m.q; ++cc)
                      for (int k = 0; k < m.p; ++k) {
                        const int mm = mb * m.t * m.p + tg * m.p + k;
                        const int c = cb * m.r * m.q + cgi * m.q + cc;
                        filt.push_back({static_cast<uint32_t>(row), static_cast<uint32_t>(hs),
                                        Wt(mm, c, rgi * m.rg + i, s)});
                      }
                }
              }
            }
          }
          // Ifmaps: column by column across every diagonal and channel set (lock step).
          std::deque<TagWord> ifm;
          for (int n = 0; n < N; ++n) {
            for (int sp = 0; sp < m.strips; ++sp) {
              const int y0 = sp * m.e;
              for (int col = 0; col < wn; ++col) {
                for (int d : diags) {
                  const int hrow = y0 * uh + d + rgi * m.rg - L.conv.pad_top;
                  for (int cgi = 0; cgi < m.r; ++cgi)
                    for (int cc = 0; cc < m.q; ++cc) {
                      const int c = cb * m.r * m.q + cgi * m.q + cc;
                      ifm.push_back({static_cast<uint32_t>(cgi), static_cast<uint32_t>(d),
                                     X(n, c, hrow, col - L.conv.pad_left)});
                    }
                }
              }
            }
          }
          // Psum GIN lanes (earlier passes' psums) and GON pulls, per physical column.
          std::vector<std::deque<LaneWord>> pin(hw_.cols);
          std::vector<std::deque<GonPull>> gon(hw_.cols);
          for (int jp = 0; jp < m.th * m.e; ++jp) {
            const int hs = jp / m.e, j = jp % m.e;
            for (int n = 0; n < N; ++n)
              for (int sp = 0; sp < m.strips; ++sp) {
                const int yy = sp * m.e + j;
                for (int xx = 0; xx < F; ++xx)
                  for (int v = 0; v < m.tv; ++v) {
                    const int tg = hs * m.tv + v;
                    if (tg >= m.t) continue;
                    const uint32_t bottom = v * m.r * m.rg;
                    const uint32_t top = bottom + m.r * m.rg - 1;
                    for (int k = 0; k < m.p; ++k) {
                      const int ml = tg * m.p + k;  // filter within the block
                      const bool real = yy < E && mb * m.t * m.p + ml < mg;
                      const int64_t idx = real ? glb_index(n, ml, yy, xx) : -1;
                      if (!first) pin[jp].push_back({bottom, real ? glb[idx] : 0});
                      gon[jp].push_back({top, idx});
                    }
                  }
              }
          }
          st.glb_reads += filt.size() + ifm.size();
          RunPass(filt, ifm, pin, gon, glb, st);

          if (last) {
            for (int n = 0; n < N; ++n)
              for (int ml = 0; ml < m.t * m.p; ++ml) {
                const int mm = mb * m.t * m.p + ml;
                if (mm >= mg) continue;
                for (int yy = 0; yy < E; ++yy)
                  for (int xx = 0; xx < F; ++xx)
                    y.at(n, g * mg + mm, yy, xx) = glb[glb_index(n, ml, yy, xx)];
              }
          }
        }
      }
    }
  }

  // Loads the per-pass configuration and clears the array.
  void Configure(const RsMapping& m, int uh, int uw, bool first, int S, int F) {
    Model& d = h_.dut();
    const int id = hw_.id_bits;
    d.cfg_s_i = S;
    d.cfg_p_i = m.p;
    d.cfg_q_i = m.q;
    d.cfg_u_i = uw;
    d.cfg_f_i = F;
    for (int i = 0; i < hw_.rows; ++i) {
      const int chain_rows = m.r * m.rg;
      const bool used = i / chain_rows < m.tv;
      SetField(d.cfg_filt_row_id_i, i * id, id, used ? i : kOff);
      SetField(d.cfg_if_row_id_i, i * id, id, used ? (i % chain_rows) / m.rg : kOff);
      for (int jp = 0; jp < hw_.cols; ++jp) {
        const int k = i * hw_.cols + jp;
        const int hs = jp / m.e, j = jp % m.e;
        const int v = i / chain_rows, cgi = (i % chain_rows) / m.rg, ii = i % m.rg;
        const bool on = used && hs < m.th && hs * m.tv + v < m.t;
        const bool ln = on && (cgi > 0 || ii > 0);
        SetField(d.cfg_filt_col_id_i, k * id, id, on ? hs : kOff);
        SetField(d.cfg_if_col_id_i, k * id, id, on ? ii + j * uh : kOff);
        SetField(d.cfg_psum_ln_i, k, 1, ln);
        SetField(d.cfg_acc_i, k, 1, on && (ln || !first));
      }
    }
    d.filt_valid_i = 0;
    d.if_valid_i = 0;
    d.pin_valid_i = 0;
    d.gon_ready_i = 0;
    d.clr_i = 1;
    h_.Tick();
    d.clr_i = 0;
  }

  void RunPass(std::deque<TagWord>& filt, std::deque<TagWord>& ifm,
               std::vector<std::deque<LaneWord>>& pin, std::vector<std::deque<GonPull>>& gon,
               std::vector<int32_t>& glb, ArrayStats& st) {
    Model& d = h_.dut();
    const int row_w = std::max(1, CeilLog2(hw_.rows));
    const int acc_w = hw_.acc_bits;
    const uint64_t start = h_.cycle();
    uint64_t stalled = 0;
    auto pending = [&] {
      if (!filt.empty() || !ifm.empty()) return true;
      for (int j = 0; j < hw_.cols; ++j)
        if (!pin[j].empty() || !gon[j].empty()) return true;
      return false;
    };
    while (pending()) {
      d.filt_valid_i = !filt.empty();
      if (!filt.empty()) {
        d.filt_row_i = filt.front().row;
        d.filt_col_i = filt.front().col;
        d.filt_data_i = static_cast<uint16_t>(filt.front().data);
      }
      d.if_valid_i = !ifm.empty();
      if (!ifm.empty()) {
        d.if_row_i = ifm.front().row;
        d.if_col_i = ifm.front().col;
        d.if_data_i = static_cast<uint16_t>(ifm.front().data);
      }
      for (int j = 0; j < hw_.cols; ++j) {
        SetField(d.pin_valid_i, j, 1, !pin[j].empty());
        if (!pin[j].empty()) {
          SetField(d.pin_row_i, j * row_w, row_w, pin[j].front().row);
          SetField(d.pin_data_i, j * acc_w, acc_w, static_cast<uint32_t>(pin[j].front().data));
        }
        SetField(d.gon_ready_i, j, 1, !gon[j].empty());
        SetField(d.gon_row_i, j * row_w, row_w, gon[j].empty() ? 0 : gon[j].front().row);
      }
      h_.Eval();

      bool progress = false;
      if (d.filt_valid_i && d.filt_ready_o) {
        filt.pop_front();
        ++st.filt_words;
        progress = true;
      }
      if (d.if_valid_i && d.if_ready_o) {
        ifm.pop_front();
        ++st.if_words;
        progress = true;
      }
      for (int j = 0; j < hw_.cols; ++j) {
        if (!pin[j].empty() && GetField(d.pin_ready_o, j, 1)) {
          pin[j].pop_front();
          ++st.pin_words;
          ++st.glb_reads;
          progress = true;
        }
        if (!gon[j].empty() && GetField(d.gon_valid_o, j, 1)) {
          const int64_t dest = gon[j].front().dest;
          if (dest >= 0) {
            glb[dest] = static_cast<int32_t>(GetField(d.gon_data_o, j * acc_w, acc_w));
            ++st.glb_writes;
          }
          gon[j].pop_front();
          ++st.gon_words;
          progress = true;
        }
      }
      st.macs += d.stat_mac_o;
      st.skipped += d.stat_skip_o;
      if (d.stat_mac_o || d.stat_skip_o) {
        progress = true;
        ++st.mac_cycles;
      } else if (!filt.empty()) {
        ++st.filter_cycles;
      } else {
        ++st.other_cycles;
      }
      h_.Tick();
      stalled = progress ? 0 : stalled + 1;
      if (stalled > 10000) {
        size_t pin_left = 0, gon_left = 0;
        for (int j = 0; j < hw_.cols; ++j) pin_left += pin[j].size(), gon_left += gon[j].size();
        throw TimeoutError("array '" + hw_.name + "': no progress for 10000 cycles at cycle " +
                           std::to_string(h_.cycle()) + " (pass " + std::to_string(st.passes) +
                           "; words left: filter " + std::to_string(filt.size()) + ", ifmap " +
                           std::to_string(ifm.size()) + ", psum in " + std::to_string(pin_left) +
                           ", psum out " + std::to_string(gon_left) +
                           "); rerun with --trace to see where it stalls");
      }
    }
    st.cycles += h_.cycle() - start + 1;  // + the clear cycle
    ++st.other_cycles;
  }

  ArrayConfig hw_;
  Harness<Model> h_;
};

}  // namespace

std::unique_ptr<ArrayBench> ArrayBench::Create(const std::string& config_name,
                                               const std::string& trace_path) {
  const ArrayConfig& hw = ConfigByName(config_name);
  if (hw.name == "tiny") return std::make_unique<ArrayBenchImpl<Vey_array_tiny>>(hw, trace_path);
  if (hw.name == "small") {
    return std::make_unique<ArrayBenchImpl<Vey_array_small>>(hw, trace_path);
  }
  return std::make_unique<ArrayBenchImpl<Vey_array_eyeriss>>(hw, trace_path);
}

}  // namespace eyelet
