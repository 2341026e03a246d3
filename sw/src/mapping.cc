// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/mapping.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>

#include "eyelet/error.h"

namespace eyelet {

namespace {

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

ArrayConfig MakeConfig(const std::string& name, int rows, int cols, int ifmap_words,
                       int filter_words, int psum_words) {
  ArrayConfig c;
  c.name = name;
  c.rows = rows;
  c.cols = cols;
  c.glb_ifmap_words = ifmap_words;
  c.glb_filter_words = filter_words;
  c.glb_psum_words = psum_words;
  return c;
}

}  // namespace

const std::vector<ArrayConfig>& BuiltConfigs() {
  static const std::vector<ArrayConfig> configs = {
      // name, rows, cols, GLB ifmap / filter / per-column psum words (CMakeLists.txt builds
      // the Verilated models with the same numbers; the bench checks them at run time).
      MakeConfig("tiny", 3, 4, 8192, 2048, 4096),
      MakeConfig("small", 6, 7, 8192, 4096, 4096),
      MakeConfig("eyeriss", 12, 14, 16384, 16384, 1024),
  };
  return configs;
}

const ArrayConfig& ConfigByName(const std::string& name) {
  std::string names;
  for (const ArrayConfig& c : BuiltConfigs()) {
    if (c.name == name) return c;
    names += (names.empty() ? "" : ", ") + c.name;
  }
  throw UsageError("unknown hardware config '" + name + "'; built configs are: " + names);
}

int64_t ConvLayer::Macs() const {
  const Shape o = Out();
  return static_cast<int64_t>(o.n) * o.c * o.h * o.w * w.c * w.h * w.w;
}

std::string ConvLayer::ToString() const {
  std::ostringstream os;
  os << "x " << x.ToString() << " w " << w.ToString() << " stride " << conv.stride_h << "x"
     << conv.stride_w << " pad " << conv.pad_top << "," << conv.pad_left << "," << conv.pad_bottom
     << "," << conv.pad_right << " groups " << conv.groups;
  return os.str();
}

std::string RsMapping::ToString() const {
  std::ostringstream os;
  os << "e=" << e << " p=" << p << " q=" << q << " r=" << r << " t=" << t << " n=" << n
     << " (rows/set " << rg << " x" << nrg << ", chains " << tv << "x" << th << ", passes " << mb
     << "x" << cb << "x" << nrg << ", strips " << strips << ")";
  return os.str();
}

std::string CompleteMapping(const ConvLayer& layer, const ArrayConfig& hw, RsMapping& m) {
  const Shape out = layer.Out();
  const int groups = layer.conv.groups;
  const int cg = layer.x.c / groups;
  const int mg = layer.w.n / groups;
  const int R = layer.w.h, S = layer.w.w, E = out.h, F = out.w;
  auto num = [](int v) { return std::to_string(v); };
  if (m.e < 1 || m.p < 1 || m.q < 1 || m.r < 1 || m.t < 1 || m.n < 1) {
    return "mapping parameters e, p, q, r, t, n must all be at least 1";
  }
  if (S * m.q > hw.ifmap_depth) {
    return "ifmap spad: S*q = " + num(S * m.q) + " words > " + num(hw.ifmap_depth) +
           " (filter width " + num(S) + (S > hw.ifmap_depth ? " is wider than the spad)" : ")");
  }
  if (m.p * m.q * S > hw.filter_depth) {
    return "filter spad: p*q*S = " + num(m.p * m.q * S) + " words > " + num(hw.filter_depth);
  }
  if (m.p > hw.psum_depth) return "psum spad: p = " + num(m.p) + " > " + num(hw.psum_depth);
  if (m.e > hw.cols) return "PE-set width e = " + num(m.e) + " > " + num(hw.cols) + " columns";
  if (layer.conv.stride_w > hw.max_stride) {
    return "horizontal stride " + num(layer.conv.stride_w) + " > " + num(hw.max_stride);
  }
  if (F > hw.max_width) return "ofmap width " + num(F) + " > " + num(hw.max_width);
  m.nrg = CeilDiv(R, hw.rows);
  m.rg = CeilDiv(R, m.nrg);
  if (m.r * m.rg > hw.rows) {
    return "a chain of r = " + num(m.r) + " sets of " + num(m.rg) + " rows needs " +
           num(m.r * m.rg) + " rows > " + num(hw.rows);
  }
  const int tv_max = hw.rows / (m.r * m.rg);
  const int th_max = hw.cols / m.e;
  if (m.t > tv_max * th_max) {
    return "t = " + num(m.t) + " chains do not fit (" + num(tv_max) + " x " + num(th_max) +
           " places)";
  }
  m.tv = std::min(m.t, tv_max);
  m.th = CeilDiv(m.t, m.tv);
  const int max_id = (1 << hw.id_bits) - 2;
  if ((m.rg - 1) + (m.e - 1) * layer.conv.stride_h > max_id) {
    return "ifmap diagonal IDs exceed " + num(max_id) + " (reduce e or the stride)";
  }
  m.cb = CeilDiv(cg, m.r * m.q);
  m.mb = CeilDiv(mg, m.t * m.p);
  m.strips = CeilDiv(E, m.e);
  m.n = std::min(m.n, layer.x.n);
  // The global buffer must hold at least one image, one filter block and the psums of one
  // image for one filter block; larger layers are run in chunks of images and filter blocks.
  const int64_t image = static_cast<int64_t>(cg) * layer.x.h * layer.x.w;
  if (image > hw.glb_ifmap_words) {
    return "GLB ifmap area: one image of one group is " + std::to_string(image) + " words > " +
           num(hw.glb_ifmap_words);
  }
  const int64_t filters = static_cast<int64_t>(m.t) * m.p * cg * R * S;
  if (filters > hw.glb_filter_words) {
    return "GLB filter area: a block of t*p = " + num(m.t * m.p) + " filters is " +
           std::to_string(filters) + " words > " + num(hw.glb_filter_words);
  }
  const int64_t bank = static_cast<int64_t>(m.strips) * F * m.tv * m.p;
  if (bank > hw.glb_psum_words) {
    return "GLB psum bank: one image's psums for one filter block need " +
           std::to_string(bank) + " words per column > " + num(hw.glb_psum_words);
  }
  // Every field of the layer record must fit its width (one group; images are run at most
  // kMaxImagesPerRun at a time).
  ConvLayer group = layer;
  group.x = Shape{std::min(layer.x.n, kMaxImagesPerRun), cg, layer.x.h, layer.x.w};
  group.w = Shape{mg, cg, R, S};
  group.conv.groups = 1;
  return LayerCfgError(group, m);
}

namespace {

LayerCfg BuildLayerCfg(const ConvLayer& layer, const RsMapping& m) {
  const Shape out = layer.Out();
  LayerCfg c;
  c.n = layer.x.n;
  c.cg = layer.x.c;
  c.h = layer.x.h;
  c.w = layer.x.w;
  c.mg = layer.w.n;
  c.kr = layer.w.h;
  c.ks = layer.w.w;
  c.eo = out.h;
  c.fo = out.w;
  c.uh = layer.conv.stride_h;
  c.uw = layer.conv.stride_w;
  c.pad_top = layer.conv.pad_top;
  c.pad_left = layer.conv.pad_left;
  c.e = m.e;
  c.p = m.p;
  c.q = m.q;
  c.r = m.r;
  c.t = m.t;
  c.rg = m.rg;
  c.nrg = m.nrg;
  c.tv = m.tv;
  c.th = m.th;
  c.cb = m.cb;
  c.mb = m.mb;
  c.strips = m.strips;
  c.wn = (out.w - 1) * layer.conv.stride_w + layer.w.w;
  c.dmax = (m.rg - 1) + (m.e - 1) * layer.conv.stride_h;
  c.hw = layer.x.h * layer.x.w;
  c.chw = layer.x.c * c.hw;
  c.rs = layer.w.h * layer.w.w;
  c.crs = layer.x.c * c.rs;
  c.lane_outer = layer.x.n * m.strips * out.w;
  return c;
}

}  // namespace

std::string LayerCfgError(const ConvLayer& layer, const RsMapping& m) {
  const LayerCfg c = BuildLayerCfg(layer, m);
  for (const LayerCfgField& f : kLayerCfgFields) {
    const uint64_t v = c.*(f.member);
    if (f.bits < 32 && v >= (1ull << f.bits)) {
      return "layer record field '" + std::string(f.name) + "' = " + std::to_string(v) +
             " does not fit its " + std::to_string(f.bits) + " bits";
    }
  }
  // The PEs count ifmap rows per pass (images x strips) in 16 bits.
  if (static_cast<int64_t>(c.n) * c.strips >= (1 << 16)) {
    return "images x strips = " + std::to_string(static_cast<int64_t>(c.n) * c.strips) +
           " rows per pass exceed the PEs' 16-bit row count";
  }
  return "";
}

LayerCfg MakeLayerCfg(const ConvLayer& layer, const RsMapping& m) {
  if (layer.conv.groups != 1) throw ShapeError("MakeLayerCfg takes one group at a time");
  const std::string err = LayerCfgError(layer, m);
  if (!err.empty()) throw UnsupportedError(err + " (layer " + layer.ToString() + ")");
  return BuildLayerCfg(layer, m);
}

int ActivePes(const ConvLayer& layer, const RsMapping& m) {
  return std::min(layer.w.h, m.rg) * std::min(m.e, layer.Out().h) * m.r * m.t;
}

int64_t PsumBankWords(const ConvLayer& layer, const RsMapping& m, int nb, int mc) {
  const int mb = CeilDiv(mc, m.t * m.p);
  return static_cast<int64_t>(mb) * nb * m.strips * layer.Out().w * m.tv * m.p;
}

Tiling ChooseTiling(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m) {
  const int groups = layer.conv.groups;
  const int cg = layer.x.c / groups, mg = layer.w.n / groups;
  const int64_t image = static_cast<int64_t>(cg) * layer.x.h * layer.x.w;
  const int64_t filter = static_cast<int64_t>(cg) * layer.w.h * layer.w.w;
  const int block = m.t * m.p;
  Tiling t;
  t.nb = std::min(layer.x.n, kMaxImagesPerRun);
  t.mc = mg;
  for (;;) {
    const bool ifm_ok = t.nb * image <= hw.glb_ifmap_words;
    const bool filt_ok = t.mc * filter <= hw.glb_filter_words;
    const bool psum_ok = PsumBankWords(layer, m, t.nb, t.mc) <= hw.glb_psum_words;
    if (ifm_ok && filt_ok && psum_ok) return t;
    if (!ifm_ok || (t.mc <= block && !psum_ok)) {
      if (t.nb == 1) {
        throw UnsupportedError(
            "layer " + layer.ToString() + " with mapping " + m.ToString() +
            " does not fit the GLB of '" + hw.name + "' even one image at a time (ifmap " +
            std::to_string(image) + " of " + std::to_string(hw.glb_ifmap_words) +
            " words, psum bank " + std::to_string(PsumBankWords(layer, m, 1, t.mc)) + " of " +
            std::to_string(hw.glb_psum_words) + " words)");
      }
      t.nb = CeilDiv(t.nb, 2);
    } else if (t.mc > block) {
      t.mc = std::max(block, (CeilDiv(t.mc, block) - 1) * block);
    } else {
      throw UnsupportedError("the filters of one block (" + std::to_string(block) + " x " +
                             std::to_string(filter) + " words) do not fit the GLB filter area of '" +
                             hw.name + "' (" + std::to_string(hw.glb_filter_words) + " words)");
    }
  }
}

namespace {

// Cycle estimate used to rank mappings. Per pass, the slowest of: the PE work (one MAC per
// cycle per PE), the ifmap GIN (one word per cycle), the busiest psum lane (one psum per cycle
// each way; a lane serves tv chains) and the filter GIN (one word per cycle). When two
// passes' filters fit the filter spad the PEs load the next pass's filters while computing;
// otherwise the load adds to every pass.
double EstimateCycles(const ConvLayer& layer, const RsMapping& m, const ArrayConfig& hw) {
  const Shape out = layer.Out();
  const int S = layer.w.w;
  const int rows_used = m.r * m.rg * m.tv;
  const double filt = static_cast<double>(rows_used) * m.th * m.p * m.q * S;
  const double work = static_cast<double>(layer.x.n) * m.strips * out.w * S * m.q * m.p;
  const int wn = (out.w - 1) * layer.conv.stride_w + S;
  const int diags = (m.rg - 1) + (m.e - 1) * layer.conv.stride_h + 1;
  const double ifm = static_cast<double>(layer.x.n) * m.strips * wn * diags * m.r * m.q;
  const double lane = static_cast<double>(layer.x.n) * m.strips * out.w * m.tv * m.p;
  const double passes = static_cast<double>(m.mb) * m.cb * m.nrg * layer.conv.groups;
  const bool prefetch = 2 * m.p * m.q * S <= hw.filter_depth;
  if (prefetch) return filt + passes * std::max({work, ifm, lane, filt});
  return passes * (filt + std::max({work, ifm, lane}));
}

}  // namespace

RsMapping ChooseMapping(const ConvLayer& layer, const ArrayConfig& hw) {
  const Shape out = layer.Out();
  const int cg = layer.x.c / layer.conv.groups;
  const int mg = layer.w.n / layer.conv.groups;
  const int S = layer.w.w;
  const int rg = CeilDiv(layer.w.h, CeilDiv(layer.w.h, hw.rows));
  RsMapping best;
  double best_cycles = std::numeric_limits<double>::infinity();
  for (int q = 1; q <= cg && S * q <= hw.ifmap_depth; ++q) {
    for (int p = 1; p <= std::min(mg, hw.psum_depth) && p * q * S <= hw.filter_depth; ++p) {
      for (int e = 1; e <= std::min(hw.cols, out.h); ++e) {
        for (int r = 1; r <= cg && r * rg <= hw.rows; ++r) {
          for (int t = 1; t <= mg; ++t) {
            RsMapping m;
            m.e = e, m.p = p, m.q = q, m.r = r, m.t = t, m.n = layer.x.n;
            if (!CompleteMapping(layer, hw, m).empty()) break;  // larger t fits no better
            const double c = EstimateCycles(layer, m, hw);
            if (c < best_cycles ||
                (c == best_cycles && ActivePes(layer, m) > ActivePes(layer, best))) {
              best = m;
              best_cycles = c;
            }
          }
        }
      }
    }
  }
  if (best_cycles == std::numeric_limits<double>::infinity()) {
    RsMapping minimal;
    const std::string why = CompleteMapping(layer, hw, minimal);
    throw UnsupportedError("layer " + layer.ToString() + " cannot be mapped on '" + hw.name +
                           "': " + (why.empty() ? "no legal mapping" : why));
  }
  return best;
}

}  // namespace eyelet
