// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/mapping.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include "eyelet/cost_model.h"
#include "eyelet/desc_codec.h"
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

const std::vector<ArrayConfig>& BoardConfigs() {
  static const std::vector<ArrayConfig> configs = [] {
    // The iCEBreaker bitstream's accelerator (rtl/fpga/ey_icebreaker.sv): 2 x 2 PEs, 64-word
    // filter spads, 1 k-word GLB areas, a 32-entry output-path table, 64-word pooling rows,
    // the descriptor checks on one multiplier.
    ArrayConfig up5k = MakeConfig("up5k", 2, 2, 1024, 1024, 512);
    up5k.filter_depth = 64;
    up5k.filter_gin_words = 1;
    up5k.pp_words = 32;
    up5k.pool_words = 64;
    up5k.seq_check = true;
    return std::vector<ArrayConfig>{up5k};
  }();
  return configs;
}

const ArrayConfig& ConfigByName(const std::string& name) {
  std::string names;
  for (const auto* list : {&BuiltConfigs(), &BoardConfigs()}) {
    for (const ArrayConfig& c : *list) {
      if (c.name == name) return c;
      names += (names.empty() ? "" : ", ") + c.name;
    }
  }
  throw UsageError("unknown hardware config '" + name + "'; built configs are: " + names);
}

int64_t ConvLayer::Macs() const {
  const Shape o = Out();
  return static_cast<int64_t>(o.n) * o.c * o.h * o.w * w.c * w.h * w.w;
}

Shape ConvLayer::PooledOut() const { return pooled ? PoolOutputShape(Out(), pool) : Out(); }

std::string ConvLayer::ToString() const {
  std::ostringstream os;
  os << "x " << x.ToString() << " w " << w.ToString() << " stride " << conv.stride_h << "x"
     << conv.stride_w << " pad " << conv.pad_top << "," << conv.pad_left << "," << conv.pad_bottom
     << "," << conv.pad_right << " groups " << conv.groups;
  if (pooled) {
    os << " max pool " << pool.kernel_h << "x" << pool.kernel_w << " stride " << pool.stride_h
       << "x" << pool.stride_w << " pad " << pool.pad_top << "," << pool.pad_left << ","
       << pool.pad_bottom << "," << pool.pad_right << (pool.ceil_mode ? " ceil" : "");
  }
  return os.str();
}

std::string RsMapping::ToString() const {
  std::ostringstream os;
  os << "e=" << e << " p=" << p << " q=" << q << " r=" << r << " t=" << t << " n=" << n
     << " (rows/set " << rg << " x" << nrg << ", chains " << tv << "x" << th << ", passes " << mb
     << "x" << cb << "x" << nrg << ", strips " << strips;
  if (fold > 1) os << ", sets folded into " << fold << " pieces";
  os << ")";
  return os.str();
}

std::string PlaceSets(const ConvLayer& layer, const ArrayConfig& hw, bool fold_wide_sets,
                      RsMapping& m) {
  const Shape out = layer.Out();
  const int cg = layer.x.c / layer.conv.groups;
  const int mg = layer.w.n / layer.conv.groups;
  const int R = layer.w.h, S = layer.w.w;
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
  if (m.e > hw.cols && !fold_wide_sets) {
    return "PE-set width e = " + num(m.e) + " > " + num(hw.cols) + " columns";
  }
  m.fold = CeilDiv(m.e, hw.cols);
  m.nrg = CeilDiv(R, hw.rows);
  m.rg = CeilDiv(R, m.nrg);
  const int set_rows = m.rg * m.fold;
  if (m.r * set_rows > hw.rows) {
    return "a chain of r = " + num(m.r) + " sets of " + num(set_rows) + " rows" +
           (m.fold > 1 ? " (" + num(m.rg) + " rows folded " + num(m.fold) + " times)" : "") +
           " needs " + num(m.r * set_rows) + " rows > " + num(hw.rows);
  }
  const int tv_max = hw.rows / (m.r * set_rows);
  const int th_max = hw.cols / CeilDiv(m.e, m.fold);
  if (m.t > tv_max * th_max) {
    return "t = " + num(m.t) + " chains do not fit (" + num(tv_max) + " x " + num(th_max) +
           " places)";
  }
  m.tv = std::min(m.t, tv_max);
  m.th = CeilDiv(m.t, m.tv);
  m.cb = CeilDiv(cg, m.r * m.q);
  m.mb = CeilDiv(mg, m.t * m.p);
  m.strips = CeilDiv(out.h, m.e);
  m.n = std::min(m.n, layer.x.n);
  return "";
}

std::string CompleteMapping(const ConvLayer& layer, const ArrayConfig& hw, RsMapping& m) {
  const std::string why = PlaceSets(layer, hw, /*fold_wide_sets=*/false, m);
  if (!why.empty()) return why;
  const int cg = layer.x.c / layer.conv.groups;
  const int mg = layer.w.n / layer.conv.groups;
  const int R = layer.w.h, S = layer.w.w, F = layer.Out().w;
  auto num = [](int v) { return std::to_string(v); };
  if (layer.conv.stride_w > hw.max_stride) {
    return "horizontal stride " + num(layer.conv.stride_w) + " > " + num(hw.max_stride);
  }
  if (F > hw.max_width) return "ofmap width " + num(F) + " > " + num(hw.max_width);
  const int last_row = (layer.Out().h - 1) * layer.conv.stride_h - layer.conv.pad_top;
  if (last_row > layer.x.h - 1) {
    return "the last ofmap row's window starts at ifmap row " + num(last_row) +
           ", below the ifmap's " + num(layer.x.h) + " rows (reduce the bottom padding)";
  }
  const std::string pool = PoolError(layer, hw);
  if (!pool.empty()) return pool;
  const int max_id = (1 << hw.id_bits) - 2;
  if ((m.rg - 1) + (m.e - 1) * layer.conv.stride_h > max_id) {
    return "ifmap diagonal IDs exceed " + num(max_id) + " (reduce e or the stride)";
  }
  // The global buffer must hold the smallest chunk; larger layers run in chunks of images,
  // row bands, filter blocks and channel blocks. (Bands may not suit the pooling line buffer
  // where one band of larger chunks does: ChooseTiling sorts that out.)
  const Tiling smallest{1, std::min(m.t * m.p, mg), std::min(m.r * m.q, cg), 1};
  ConvLayer unpooled = layer;
  unpooled.pooled = false;
  const std::string glb = TilingError(unpooled, hw, m, smallest);
  if (!glb.empty()) return "the smallest GLB chunk does not fit: " + glb;
  // Every field of the layer record must fit its width (one group, all of its channels, so
  // the record of every chunk fits; images are run at most kMaxImagesPerRun at a time).
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

int BandStrips(const RsMapping& m, const Tiling& t) { return t.sb == 0 ? m.strips : t.sb; }

RowBand BandRows(int b, int sb, int e, int eo, int uh, int pad_top, int kr, int h) {
  RowBand band;
  band.y0 = b * sb * e;
  band.rows = std::min(sb * e, eo - band.y0);
  const int r0 = band.y0 * uh - pad_top;
  const int r1 = (band.y0 + band.rows - 1) * uh - pad_top + kr - 1;
  band.lo = std::max(r0, 0);
  band.in_rows = std::max(0, std::min(r1, h - 1) - band.lo + 1);
  return band;
}

int BandInputRowsMax(int sb, int e, int uh, int kr, int h) {
  return std::min(h, (sb * e - 1) * uh + kr);
}

int ChunkIfmapRows(const ConvLayer& layer, const RsMapping& m, int sb) {
  return sb >= m.strips ? layer.x.h
                        : BandInputRowsMax(sb, m.e, layer.conv.stride_h, layer.w.h, layer.x.h);
}

PooledRows BandPooledRows(int y0, int rows, bool last, int kh, int sh, int pt, int pool_eo) {
  // Pooled row i ends at ofmap row i*sh - pt + kh - 1 (never above row 0: pt < kh).
  const int from = y0 + pt - kh + 1;  // i*sh >= from: ends at or below y0
  const int first = from <= 0 ? 0 : CeilDiv(from, sh);
  const int to = y0 + rows - 1 + pt - kh + 1;  // i*sh <= to: ends at or above the band's end
  const int end = last ? pool_eo : (to < 0 ? 0 : std::min(pool_eo, to / sh + 1));
  const int lo = std::min(first, pool_eo);
  return PooledRows{lo, std::max(0, end - lo)};
}

int PoolVirtualRows(const ConvLayer& layer) {
  if (!layer.pooled) return 0;
  const PoolParams& p = layer.pool;
  const int last = (layer.PooledOut().h - 1) * p.stride_h - p.pad_top + p.kernel_h - 1;
  return std::max(0, last - (layer.Out().h - 1));
}

int PoolVirtualCols(const ConvLayer& layer) {
  if (!layer.pooled) return 0;
  const PoolParams& p = layer.pool;
  const int last = (layer.PooledOut().w - 1) * p.stride_w - p.pad_left + p.kernel_w - 1;
  return std::max(0, last - (layer.Out().w - 1));
}

std::string PoolError(const ConvLayer& layer, const ArrayConfig& hw) {
  if (!layer.pooled) return "";
  const PoolParams& p = layer.pool;
  auto num = [](int64_t v) { return std::to_string(v); };
  if (!layer.OutInt16()) {
    return "max pooling acts on requantized int16 outputs: give the output path "
           "requantization";
  }
  const int max = static_cast<int>(kPoolMaxWindow);
  for (const auto& [v, what] : {std::pair{p.kernel_h, "window height"},
                                std::pair{p.kernel_w, "window width"},
                                std::pair{p.stride_h, "vertical stride"},
                                std::pair{p.stride_w, "horizontal stride"}}) {
    if (v < 1 || v > max) {
      return "max pooling " + std::string(what) + " " + num(v) + " is outside the hardware's 1.." +
             num(max);
    }
  }
  const Shape pooled = layer.PooledOut();  // ShapeError for pads not below the window
  if (pooled.w > hw.pool_words) {
    return "pooling line buffer: " + num(pooled.w) + " pooled columns > " + num(hw.pool_words) +
           " words";
  }
  return "";
}

int64_t PsumBankWords(const ConvLayer& layer, const RsMapping& m, int nb, int mc, int sb) {
  const int mb = CeilDiv(mc, m.t * m.p);
  return static_cast<int64_t>(mb) * nb * sb * layer.Out().w * m.tv * m.p;
}

std::string TilingError(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                        const Tiling& t) {
  const int cg = layer.x.c / layer.conv.groups, mg = layer.w.n / layer.conv.groups;
  const int block = m.t * m.p, cblock = m.r * m.q;
  auto num = [](int64_t v) { return std::to_string(v); };
  if (t.nb < 1 || t.nb > std::min(layer.x.n, kMaxImagesPerRun)) {
    return "image chunk nb = " + num(t.nb) + " is not in 1.." +
           num(std::min(layer.x.n, kMaxImagesPerRun));
  }
  if (t.mc < 1 || t.mc > mg || (t.mc != mg && t.mc % block != 0)) {
    return "filter chunk mc = " + num(t.mc) + " is neither a multiple of t*p = " + num(block) +
           " below " + num(mg) + " nor all " + num(mg) + " filters of the group";
  }
  if (t.cc < 1 || t.cc > cg || (t.cc != cg && t.cc % cblock != 0)) {
    return "channel chunk cc = " + num(t.cc) + " is neither a multiple of r*q = " + num(cblock) +
           " below " + num(cg) + " nor all " + num(cg) + " channels of the group";
  }
  if (t.sb < 0 || t.sb > m.strips) {
    return "row band sb = " + num(t.sb) + " strips is not in 1.." + num(m.strips);
  }
  const int sb = BandStrips(m, t);
  const int rows = ChunkIfmapRows(layer, m, sb);
  const int64_t ifmap = static_cast<int64_t>(t.nb) * t.cc * rows * layer.x.w;
  if (ifmap > hw.glb_ifmap_words) {
    return "GLB ifmap area: " + num(t.nb) + " image(s) x " + num(t.cc) + " channel(s) x " +
           num(rows) + " row(s) (" + num(sb) + " of " + num(m.strips) + " strips) are " +
           num(ifmap) + " words > " + num(hw.glb_ifmap_words);
  }
  const int64_t filters = static_cast<int64_t>(t.mc) * t.cc * layer.w.h * layer.w.w;
  if (filters > hw.glb_filter_words) {
    return "GLB filter area: " + num(t.mc) + " filter(s) x " + num(t.cc) + " channel(s) are " +
           num(filters) + " words > " + num(hw.glb_filter_words);
  }
  const int64_t bank = PsumBankWords(layer, m, t.nb, t.mc, sb);
  if (bank > hw.glb_psum_words) {
    return "GLB psum bank: " + num(t.nb) + " image(s) x " + num(t.mc) + " filters x " + num(sb) +
           " strip(s) need " + num(bank) + " words per column > " + num(hw.glb_psum_words);
  }
  if (layer.OutTable() && t.mc > hw.pp_words / 2) {
    return "output-path table: " + num(t.mc) + " filters per chunk > " + num(hw.pp_words / 2) +
           " (half of its " + num(hw.pp_words) + " entries)";
  }
  if (layer.pooled) {
    const int64_t pool_fo = layer.PooledOut().w;
    if (sb >= m.strips && pool_fo > hw.pool_words) {
      return "pooling line buffer: " + num(pool_fo) + " pooled columns > " + num(hw.pool_words) +
             " words";
    }
    const int64_t line = static_cast<int64_t>(t.nb) * mg * pool_fo;
    if (sb < m.strips && line > hw.pool_words) {
      return "pooling line buffer: " + num(t.nb) + " image(s) x " + num(mg) + " filters x " +
             num(pool_fo) + " pooled columns are " + num(line) + " words > " +
             num(hw.pool_words) + " (row bands, here " + num(sb) + " of " + num(m.strips) +
             " strips, keep a partial pooled row per image and filter of the group; one band "
             "needs " + num(pool_fo) + ")";
    }
  }
  return "";
}

namespace {

// Every chunk size ceil(total/k), k >= 1, once, largest first: after size s comes ceil(total/k)
// for the first k with ceil(total/k) < s, that is k = ceil(total/(s-1)).
std::vector<int> ChunkSizes(int total) {
  std::vector<int> sizes;
  for (int s = total; s > 1; s = CeilDiv(total, CeilDiv(total, s - 1))) sizes.push_back(s);
  sizes.push_back(1);
  return sizes;
}

// The most strips per band whose ifmap rows, for nb images and cc channels, fit the GLB
// ifmap area (TilingError's rule), or 0 when not even one strip does.
int MaxBandStrips(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m, int nb,
                  int cc) {
  const int64_t row_words = static_cast<int64_t>(nb) * cc * layer.x.w;
  if (row_words * layer.x.h <= hw.glb_ifmap_words) return m.strips;
  // Bands of sb strips hold (sb*e - 1)*uh + kr rows (fewer than h here).
  const int64_t rows = hw.glb_ifmap_words / row_words;
  if (rows < layer.w.h) return 0;
  const int64_t sb = ((rows - layer.w.h) / layer.conv.stride_h + 1) / m.e;
  return static_cast<int>(std::min<int64_t>(sb, m.strips - 1));
}

// The best tiling of `m` (see ChooseTiling) into `*best` and its time into `*cost`; false when
// not even one image, one filter block, one channel block and one strip fit.
bool BestTiling(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m, Tiling* best,
                CycleEstimate* cost) {
  const int cg = layer.x.c / layer.conv.groups, mg = layer.w.n / layer.conv.groups;
  const int64_t kernel = static_cast<int64_t>(layer.w.h) * layer.w.w;  // one filter channel
  const int block = m.t * m.p;
  const int blocks = CeilDiv(mg, block);
  const int64_t strip_bank = PsumBankWords(layer, m, 1, block, 1);  // image, block, strip
  // Pooling in several bands: the line buffer holds nb*mg*pool_fo words.
  const int64_t pool_line = layer.pooled ? static_cast<int64_t>(mg) * layer.PooledOut().w : 0;
  bool found = false;
  double best_edp = 0;  // SearchCost of *cost
  // Image chunks: each number of chunks, and every size up to kSmallBatch: an uneven split
  // whose last chunk is smaller leaves a shorter last store exposed.
  constexpr int kSmallBatch = 16;
  std::vector<int> image_chunks = ChunkSizes(layer.x.n);
  for (int nb = 1; nb <= std::min(layer.x.n, kSmallBatch); ++nb) {
    if (std::find(image_chunks.begin(), image_chunks.end(), nb) == image_chunks.end()) {
      image_chunks.push_back(nb);
    }
  }
  for (int nb : image_chunks) {
    if (nb > kMaxImagesPerRun) continue;
    for (int cbc : ChunkSizes(m.cb)) {
      const int cc = std::min(cbc * m.r * m.q, cg);
      const int band_max = MaxBandStrips(layer, hw, m, nb, cc);
      // Every filter-chunk size with a different number of chunks that fits, each with the
      // fewest bands its psums leave room for, in the whole psum banks and in half of them:
      // the largest filter chunk moves the fewest bytes, a smaller one can overlap stores with
      // more loads or take fewer bands, and psums in half the banks let the next chunk run
      // beside the store (ps_pp).
      for (int mcb : ChunkSizes(blocks)) {
        const int mc = std::min(mcb * block, mg);
        if (mc * cc * kernel > hw.glb_filter_words) continue;
        if (layer.OutTable() && mc > hw.pp_words / 2) continue;
        int last_sb = 0;
        for (const int bank_words : {hw.glb_psum_words, hw.glb_psum_words / 2}) {
          const int64_t psum_strips = bank_words / (mcb * nb * strip_bank);
          int sb = static_cast<int>(std::min<int64_t>(band_max, psum_strips));
          if (sb < 1) continue;
          sb = CeilDiv(m.strips, CeilDiv(m.strips, sb));  // the same bands, evenly cut
          if (sb == last_sb) continue;
          last_sb = sb;
          if (sb < m.strips && nb * pool_line > hw.pool_words) continue;
          const Tiling t{nb, mc, cc, sb};
          const CycleEstimate c = EstimateCycles(layer, hw, m, t);
          const double edp = SearchCost(layer, c);
          if (!found || edp < best_edp ||
              (edp == best_edp && c.DramBytes() < cost->DramBytes())) {
            *best = t;
            *cost = c;
            best_edp = edp;
            found = true;
          }
        }
      }
    }
  }
  return found;
}

}  // namespace

Tiling ChooseTiling(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m) {
  Tiling t;
  CycleEstimate c;
  if (BestTiling(layer, hw, m, &t, &c)) return t;
  const int cg = layer.x.c / layer.conv.groups, mg = layer.w.n / layer.conv.groups;
  const Tiling smallest{1, std::min(m.t * m.p, mg), std::min(m.r * m.q, cg), 1};
  ConvLayer unpooled = layer;
  unpooled.pooled = false;
  const std::string glb = TilingError(unpooled, hw, m, smallest);
  if (glb.empty() && layer.pooled) {
    throw UnsupportedError("layer " + layer.ToString() + " with mapping " + m.ToString() +
                           " needs row bands on '" + hw.name +
                           "' (whole channels or all strips' psums do not fit its GLB), and no "
                           "banded tiling suits the " +
                           TilingError(layer, hw, m, smallest) +
                           "; run the pooling as a separate layer");
  }
  throw UnsupportedError("layer " + layer.ToString() + " with mapping " + m.ToString() +
                         " does not fit the GLB of '" + hw.name +
                         "' even one image, one filter block, one channel block and one strip "
                         "at a time: " + glb);
}

RsMapping ChooseMapping(const ConvLayer& layer, const ArrayConfig& hw) {
  const Shape out = layer.Out();
  const int cg = layer.x.c / layer.conv.groups;
  const int mg = layer.w.n / layer.conv.groups;
  const int S = layer.w.w;
  const int rg = CeilDiv(layer.w.h, CeilDiv(layer.w.h, hw.rows));
  RsMapping best;
  Tiling best_tiling;
  std::tuple<double, int64_t, int> best_rank;  // SearchCost, DRAM bytes, -active PEs
  bool found = false;
  // Bytes every tiling moves: the minimum (each tensor once) without the ifmaps, since an
  // ifmap row no output needs may never be loaded.
  const int64_t least_bytes =
      MinDramBytes(layer, hw) - layer.x.Size() * CeilDiv(hw.data_bits, 8);
  for (int q = 1; q <= cg && S * q <= hw.ifmap_depth; ++q) {
    for (int p = 1; p <= std::min(mg, hw.psum_depth) && p * q * S <= hw.filter_depth; ++p) {
      for (int e = 1; e <= std::min(hw.cols, out.h); ++e) {
        for (int r = 1; r <= cg && r * rg <= hw.rows; ++r) {
          for (int t = 1; t <= mg; ++t) {
            RsMapping m;
            m.e = e, m.p = p, m.q = q, m.r = r, m.t = t, m.n = layer.x.n;
            if (!CompleteMapping(layer, hw, m).empty()) break;  // larger t fits no better
            // Each PE does one MAC per cycle: its work over all passes bounds the time of every
            // tiling from below (more chunks only add passes on partial blocks).
            const int64_t work = static_cast<int64_t>(layer.x.n) * layer.conv.groups * m.strips *
                                 out.w * S * m.q * m.p * CeilDiv(mg, m.t * m.p) *
                                 CeilDiv(cg, m.r * m.q) * m.nrg;
            CycleEstimate bound;  // no tiling is faster than the work, nor moves fewer bytes
            bound.cycles = work;
            bound.dram_read_bytes = least_bytes;
            if (found && SearchCost(layer, bound) > std::get<0>(best_rank)) continue;
            Tiling tiling;
            CycleEstimate c;
            if (!BestTiling(layer, hw, m, &tiling, &c)) continue;
            const auto rank =
                std::make_tuple(SearchCost(layer, c), c.DramBytes(), -ActivePes(layer, m));
            if (!found || rank < best_rank) {
              best = m;
              best_tiling = tiling;
              best_rank = rank;
              found = true;
            }
          }
        }
      }
    }
  }
  if (!found) {
    RsMapping minimal;
    std::string why = CompleteMapping(layer, hw, minimal);
    if (why.empty() && layer.pooled) {
      ConvLayer unpooled = layer;
      unpooled.pooled = false;
      try {
        ChooseMapping(unpooled, hw);
        const int64_t mg = layer.w.n / layer.conv.groups, pool_fo = layer.PooledOut().w;
        why = "every mapping needs row bands, and in row bands the pooling line buffer of " +
              std::to_string(hw.pool_words) + " words must hold a partial pooled row per image "
              "and filter of the group (" + std::to_string(mg) + " x " + std::to_string(pool_fo) +
              " words per image); run the pooling as a separate layer";
      } catch (const UnsupportedError&) {
      }
    }
    throw UnsupportedError("layer " + layer.ToString() + " cannot be mapped on '" + hw.name +
                           "': " + (why.empty() ? "no legal mapping" : why));
  }
  best.n = best_tiling.nb;
  return best;
}

}  // namespace eyelet
