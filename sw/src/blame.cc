// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/blame.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

namespace eyelet {
namespace {

// The ifmap rows (or columns) [lo, hi] output row (column) `o` reads: stride `u`, padding `pad`
// before, `k` taps. Padding rows (< 0, >= the ifmap's) are in: the array receives their zeros
// on the ifmap GIN like any other word.
std::pair<int, int> Reads(int o, int u, int pad, int k) { return {o * u - pad, o * u - pad + k - 1}; }

std::string Range(int64_t a, int64_t b) {
  return a == b ? std::to_string(a) : std::to_string(a) + ".." + std::to_string(b);
}

}  // namespace

const char* Blame::UnitName() const {
  switch (unit) {
    case Unit::kPe: return "pe";
    case Unit::kIfmapLoad: return "ifmap_load";
    case Unit::kIfmapPass: return "ifmap_pass";
    case Unit::kFilter: return "filter";
    case Unit::kSpread: break;
  }
  return "spread";
}

std::string Blame::ToString() const {
  std::ostringstream s;
  const std::string where = std::to_string(wrong) + " wrong output" + (wrong == 1 ? "" : "s") +
                            " (final in pass" + (passes == 1 ? " " : "es ") +
                            Range(first_pass, last_pass) +
                            (passes > 1 ? ", " + std::to_string(passes) + " of them" : "") + ")";
  const std::string element = "(" + std::to_string(n) + ", " +
                              (c < 0 ? std::string("?") : std::to_string(c)) + ", " +
                              std::to_string(h) + ", " + std::to_string(w) + ")";
  switch (unit) {
    case Unit::kPe:
      if (pooled) {
        s << "PE (" << pe_row << ", " << pe_col << "): the one PE whose psum output feeds the "
          << "pooling window of each of the " << where << "; look at its MAC pipeline and "
          << "drain adder";
        break;
      }
      s << "PE (" << pe_row << ", " << pe_col << "): all " << where
        << " came out of its psum output; look at its MAC pipeline and drain adder";
      break;
    case Unit::kIfmapLoad:
      s << "the ifmap element (n, c, h, w) = " << element
        << " as loaded (the DMA read path or its GLB word): the " << where
        << " all read it, and so do all " << dependents << " outputs that read it with a "
        << "nonzero weight";
      if (delta != 0) s << "; it was off by " << delta;
      break;
    case Unit::kIfmapPass:
      s << "the ifmap " << (padding ? "padding zero" : "element") << " (n, c, h, w) = "
        << element << " as delivered"
        << (use_pass >= 0 ? " in pass " + std::to_string(use_pass) : std::string()) << " (the ifmap GIN's multicast or the PEs' ifmap spads): the " << where
        << " all took it"
        << (use_pass >= 0 && dependent_passes > 1
                ? " in that pass, while the other passes that send it (" +
                      std::to_string(dependent_passes) + " in all) give right outputs"
                : std::string());
      if (delta != 0) s << "; it was off by " << delta;
      break;
    case Unit::kFilter:
      s << "filter " << m << " (its weights as loaded or delivered): the " << where
        << " are all of that output channel and share no input position";
      break;
    case Unit::kSpread:
      s << "no single unit: the " << where << " came out of " << pes << " PEs and share "
        << (pooled ? "no PE (pooled outputs: the input and filter are not traced back)"
                   : "no input position nor filter");
      break;
  }
  return s.str();
}

namespace {

// Pooled outputs (layer.PooledOut(), or a standalone pooling's N x C x Ho x Wo): a wrong one
// came from one of its window's CONV outputs, so from one of their PEs. The PEs every wrong
// output's window shares are the suspects: one, and it is blamed; else the errors are spread.
std::optional<Blame> BlamePooled(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                                 const ArrayConfig& hw, const Tensor<int32_t>& want,
                                 const Tensor<int32_t>& got) {
  const Shape out = layer.Out();
  const Shape& s = want.shape();
  Blame b;
  std::set<std::pair<int, int>> common, all;
  std::set<int64_t> passes;
  for (int64_t i = 0; i < want.size(); ++i) {
    if (want.data()[i] == got.data()[i]) continue;
    const int w = static_cast<int>(i % s.w), h = static_cast<int>((i / s.w) % s.h);
    const int c = static_cast<int>((i / (int64_t{s.w} * s.h)) % s.c);
    const int n = static_cast<int>(i / (int64_t{s.w} * s.h * s.c));
    OutputCoord o{n, c, 0, 0};
    if (s.c != out.c) o = OutputCoord{n * s.c + c, 0, 0, 0};  // a standalone pooling
    const PoolWindow win = PooledWindow(layer, h, w);
    std::set<std::pair<int, int>> pes;
    for (o.y = win.y0; o.y < win.y0 + win.rows; ++o.y) {
      for (o.x = win.x0; o.x < win.x0 + win.cols; ++o.x) {
        const OutputLocation l = LocateOutput(layer, m, t, hw, o);
        pes.insert({l.pe_row, l.pe_col});
        passes.insert(l.pass);
      }
    }
    all.insert(pes.begin(), pes.end());
    if (b.wrong++ == 0) {
      common = pes;
    } else {
      std::set<std::pair<int, int>> both;
      for (const auto& pe : pes) {
        if (common.count(pe)) both.insert(pe);
      }
      common = both;
    }
  }
  if (b.wrong == 0) return std::nullopt;
  b.passes = static_cast<int>(passes.size());
  b.first_pass = *passes.begin();
  b.last_pass = *passes.rbegin();
  b.pes = static_cast<int>(all.size());
  if (common.size() == 1) {
    b.unit = Blame::Unit::kPe;
    b.pe_row = common.begin()->first;
    b.pe_col = common.begin()->second;
    b.pooled = true;
  }
  return b;
}

}  // namespace

std::optional<Blame> BlameOutputs(const ConvLayer& layer, const RsMapping& m, const Tiling& t,
                                  const ArrayConfig& hw, const Tensor<int32_t>& want,
                                  const Tensor<int32_t>& got, const Tensor<int16_t>* weights,
                                  bool raw) {
  const Shape out = layer.Out();
  if (want.shape() != got.shape()) return std::nullopt;
  if (want.shape() != out) {
    const Shape p = layer.PooledOut();
    const Shape& s = want.shape();
    const bool standalone = out.c == 1 && s.n * s.c == out.n && s.h == p.h && s.w == p.w;
    if (layer.pooled && (s == p || standalone)) return BlamePooled(layer, m, t, hw, want, got);
    return std::nullopt;
  }
  const ConvParams& cp = layer.conv;
  const int R = layer.w.h, S = layer.w.w, H = layer.x.h, W = layer.x.w;
  const int Hp = H + cp.pad_top + cp.pad_bottom, Wp = W + cp.pad_left + cp.pad_right;
  const int mg = out.c / cp.groups;  // filters per group
  const int cg = layer.x.c / cp.groups;

  std::vector<OutputCoord> bad;
  for (int64_t i = 0; i < want.size(); ++i) {
    if (want.data()[i] == got.data()[i]) continue;
    OutputCoord o;
    o.x = static_cast<int>(i % out.w);
    o.y = static_cast<int>((i / out.w) % out.h);
    o.m = static_cast<int>((i / (int64_t{out.w} * out.h)) % out.c);
    o.n = static_cast<int>(i / (int64_t{out.w} * out.h * out.c));
    bad.push_back(o);
  }
  if (bad.empty()) return std::nullopt;
  auto index = [&](const OutputCoord& o) {
    return ((int64_t{o.n} * out.c + o.m) * out.h + o.y) * out.w + o.x;
  };

  Blame b;
  b.wrong = static_cast<int64_t>(bad.size());
  std::set<std::pair<int, int>> pes;
  std::set<int64_t> passes;
  for (const OutputCoord& o : bad) {
    const OutputLocation l = LocateOutput(layer, m, t, hw, o);
    pes.insert({l.pe_row, l.pe_col});
    passes.insert(l.pass);
  }
  b.pes = static_cast<int>(pes.size());
  b.passes = static_cast<int>(passes.size());
  b.first_pass = *passes.begin();
  b.last_pass = *passes.rbegin();
  if (pes.size() == 1) {
    b.unit = Blame::Unit::kPe;
    b.pe_row = pes.begin()->first;
    b.pe_col = pes.begin()->second;
    return b;
  }

  // The input positions every wrong output reads: one image, one group, a rectangle.
  const int n = bad[0].n, g = bad[0].m / mg;
  int h0 = -cp.pad_top, h1 = Hp - cp.pad_top - 1, w0 = -cp.pad_left, w1 = Wp - cp.pad_left - 1;
  bool one_image = true, one_filter = true;
  for (const OutputCoord& o : bad) {
    one_image = one_image && o.n == n && o.m / mg == g;
    one_filter = one_filter && o.m == bad[0].m;
    const auto [ra, rb] = Reads(o.y, cp.stride_h, cp.pad_top, R);
    const auto [ca, cb] = Reads(o.x, cp.stride_w, cp.pad_left, S);
    h0 = std::max(h0, ra);
    h1 = std::min(h1, rb);
    w0 = std::max(w0, ca);
    w1 = std::min(w1, cb);
  }
  if (!one_image || h0 > h1 || w0 > w1) {
    if (one_filter) {
      b.unit = Blame::Unit::kFilter;
      b.m = bad[0].m;
    }
    return b;
  }

  // Resolve (c, h, w) among the candidates: every wrong output's error is the weight it puts
  // on the element times one corruption, and every output that reads it with a nonzero weight
  // and is not wrong must not exist for a load fault (it may for a one-pass delivery fault).
  struct Candidate {
    int c, h, w;
    int64_t delta;
  };
  std::vector<Candidate> fits;
  if (raw && weights != nullptr && weights->shape() == layer.w) {
    for (int c = 0; c < cg; ++c) {
      for (int h = h0; h <= h1; ++h) {
        for (int w = w0; w <= w1; ++w) {
          int64_t delta = 0;
          bool ok = true;
          for (const OutputCoord& o : bad) {
            const int kh = h - (o.y * cp.stride_h - cp.pad_top);
            const int kw = w - (o.x * cp.stride_w - cp.pad_left);
            const int64_t wt =
                weights->data()[((int64_t{o.m} * cg + c) * R + kh) * S + kw];
            const int64_t diff = int64_t{got.data()[index(o)]} - want.data()[index(o)];
            if (wt == 0 || diff % wt != 0 || (delta != 0 && diff / wt != delta)) {
              ok = false;
              break;
            }
            delta = diff / wt;
          }
          if (ok) fits.push_back({c, h, w, delta});
        }
      }
    }
  }
  b.n = n;
  b.h = h0;
  b.w = w0;
  if (fits.size() == 1) {
    b.c = g * cg + fits[0].c;
    b.h = fits[0].h;
    b.w = fits[0].w;
    b.delta = fits[0].delta;
  }

  // The pass in which output o takes the element: where the element is sent to the array for
  // it (UsePass) when its channel is known, else (unknown channel) the pass o is final in.
  auto use_pass = [&](const OutputCoord& o, int64_t* prev_run_start = nullptr) {
    if (b.c < 0) {
      const OutputLocation l = LocateOutput(layer, m, t, hw, o);
      if (prev_run_start != nullptr) *prev_run_start = 0;  // unknown: from the layer's start
      return l.pass;
    }
    return UsePass(layer, m, t, hw, o, b.c - g * cg, b.h - (o.y * cp.stride_h - cp.pad_top),
                   prev_run_start);
  };
  std::set<int64_t> used_in;
  for (const OutputCoord& o : bad) used_in.insert(use_pass(o));

  // The outputs that read position (n, h, w) (with a nonzero weight on channel c when it is
  // known), and the passes they take it in.
  std::set<int64_t> dep_passes;
  b.dependents = 0;
  for (int mm = g * mg; mm < (g + 1) * mg; ++mm) {
    for (int y = 0; y < out.h; ++y) {
      const int kh = b.h - (y * cp.stride_h - cp.pad_top);
      if (kh < 0 || kh >= R) continue;
      for (int x = 0; x < out.w; ++x) {
        const int kw = b.w - (x * cp.stride_w - cp.pad_left);
        if (kw < 0 || kw >= S) continue;
        if (b.c >= 0 &&
            weights->data()[((int64_t{mm} * cg + (b.c - g * cg)) * R + kh) * S + kw] == 0) {
          continue;
        }
        ++b.dependents;
        int64_t prev = 0;
        const int64_t p = use_pass(OutputCoord{n, mm, y, x}, &prev);
        if (dep_passes.empty() || p < *dep_passes.begin()) b.load_pass_from = prev;
        dep_passes.insert(p);
      }
    }
  }
  b.dependent_passes = static_cast<int>(dep_passes.size());
  // A padding position is never loaded: only its delivery can be wrong.
  b.padding = b.h < 0 || b.h >= H || b.w < 0 || b.w >= W;
  b.use_pass = used_in.size() == 1 ? *used_in.begin() : -1;
  b.first_use_pass = dep_passes.empty() ? b.first_pass : *dep_passes.begin();
  b.unit = b.padding || (used_in.size() == 1 && dep_passes.size() > 1) ? Blame::Unit::kIfmapPass
                                                                       : Blame::Unit::kIfmapLoad;
  return b;
}

}  // namespace eyelet
