// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/walk.h"

#include <algorithm>

#include "eyelet/desc_codec.h"

namespace eyelet {

WalkParams WalkOfDesc(const Desc& d, int64_t glb_ifmap_words) {
  const auto i = [](uint64_t v) { return static_cast<int64_t>(v); };
  WalkParams p;
  p.n = i(d.n);
  p.groups = i(d.groups);
  p.cg = i(d.cg);
  p.mg = i(d.mg);
  p.h = i(d.h);
  p.w = i(d.w);
  p.kr = i(d.kr);
  p.ks = i(d.ks);
  p.eo = i(d.eo);
  p.fo = i(d.fo);
  p.uh = i(d.uh);
  p.pad_top = i(d.pad_top);
  p.e = i(d.e);
  p.strips = i(d.strips);
  p.nb = i(d.nb);
  p.filters_per_chunk = i(d.mbc * d.t * d.p);
  p.channels_per_chunk = i(d.cbc * d.r * d.q);
  p.sb = i(d.sb);
  p.table = (d.post & kPostTableBits) != 0;
  p.out_bytes = (d.post & kPostRequant) != 0 ? 2 : 4;
  p.pooled = d.pool_kh != 0;
  p.pool_kh = i(d.pool_kh);
  p.pool_sh = i(d.pool_sh);
  p.pool_pt = i(d.pool_pt);
  p.pool_eo = i(d.pool_eo);
  p.pool_fo = i(d.pool_fo);
  p.x_addr = d.x_addr;
  p.w_addr = d.w_addr;
  p.y_addr = d.y_addr;
  p.pp_addr = d.pp_addr;
  p.glb_ifmap_words = glb_ifmap_words;
  return p;
}

WalkParams WalkOfLayer(const ConvLayer& layer, const ArrayConfig& hw, const RsMapping& m,
                       const Tiling& t) {
  const Shape out = layer.Out();
  WalkParams p;
  p.glb_ifmap_words = hw.glb_ifmap_words;
  p.n = layer.x.n;
  p.groups = layer.conv.groups;
  p.cg = layer.x.c / layer.conv.groups;
  p.mg = layer.w.n / layer.conv.groups;
  p.h = layer.x.h;
  p.w = layer.x.w;
  p.kr = layer.w.h;
  p.ks = layer.w.w;
  p.eo = out.h;
  p.fo = out.w;
  p.uh = layer.conv.stride_h;
  p.pad_top = layer.conv.pad_top;
  p.e = m.e;
  p.strips = m.strips;
  p.nb = std::min(t.nb, layer.x.n);
  // MakeConvDesc rounds these up to whole blocks: the same for a legal tiling (TilingError).
  p.filters_per_chunk = t.mc;
  p.channels_per_chunk = t.cc;
  p.sb = std::min(BandStrips(m, t), m.strips);
  p.table = layer.OutTable();
  p.out_bytes = layer.OutInt16() ? 2 : 4;
  p.pooled = layer.pooled;
  if (layer.pooled) {
    const Shape pooled = layer.PooledOut();
    p.pool_kh = layer.pool.kernel_h;
    p.pool_sh = layer.pool.stride_h;
    p.pool_pt = layer.pool.pad_top;
    p.pool_eo = pooled.h;
    p.pool_fo = pooled.w;
  }
  return p;
}

Walk::Walk(const WalkParams& p)
    : p_(p),
      fc_(std::min(p.filters_per_chunk, p.mg)),
      cc_(std::min(p.channels_per_chunk, p.cg)),
      bands_((p.strips + p.sb - 1) / p.sb),
      ifmaps_stay_(cc_ < p.cg && p.glb_ifmap_words > 0 &&
                   p.nb * p.cg * BandIfmapWordsMax() <= p.glb_ifmap_words) {
  // Filter chunks: the first; the other full ones; a last partial one.
  const int64_t filters_full = p_.mg / fc_, filters_rest = p_.mg % fc_;
  filter_spans_.Add({0, 1});
  if (filters_full > 1) filter_spans_.Add({fc_, filters_full - 1});
  if (filters_rest > 0) filter_spans_.Add({filters_full * fc_, 1});
  // Channel chunks: the full ones but the last; the last full one; a last partial one.
  const int64_t channels_full = p_.cg / cc_, channels_rest = p_.cg % cc_;
  if (channels_full > 1) channel_spans_.Add({0, channels_full - 1});
  channel_spans_.Add({(channels_full - 1) * cc_, 1});
  if (channels_rest > 0) channel_spans_.Add({channels_full * cc_, 1});
}

int64_t Walk::BandIfmapWordsMax() const {
  if (p_.sb >= p_.strips) return p_.h * p_.w;
  const auto i = [](int64_t v) { return static_cast<int>(v); };
  return BandInputRowsMax(i(p_.sb), i(p_.e), i(p_.uh), i(p_.kr), i(p_.h)) * p_.w;
}

bool Walk::ForEachChunk(
    const std::function<bool(const WalkSegment&, const WalkChunk&)>& f) const {
  return ForEachSegment([&](const WalkSegment& s) {
    for (int64_t m0 = 0; m0 < p_.mg; m0 += fc_) {
      for (int64_t c0 = 0; c0 < p_.cg; c0 += cc_) {
        if (!f(s, Chunk(s, m0, c0))) return false;
      }
    }
    return true;
  });
}

bool Walk::ForEachTransfer(const WalkSegment& s, const WalkChunk& c,
                           const std::function<bool(const WalkTransfer&)>& f) const {
  const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
  const bool one_band = bands_ == 1;
  const uint64_t row_bytes = u(p_.w) * 2;              // one ifmap row of one channel
  const uint64_t kernel_bytes = u(p_.kr * p_.ks) * 2;  // one channel of one filter
  const uint64_t groups = u(p_.groups), g = u(s.g);
  if (c.ifmaps) {
    for (uint64_t n = u(s.n0); n < u(s.n0 + s.ni); ++n) {
      const uint64_t first = (n * groups + g) * u(p_.cg) + u(c.c0);  // its first channel
      for (uint64_t ch = 0; ch < (one_band ? 1 : u(c.ci)); ++ch) {
        const WalkTransfer t =
            one_band ? WalkTransfer{WalkTransfer::kIfmap, p_.x_addr + first * u(p_.h) * row_bytes,
                                    u(c.ci * p_.h) * row_bytes}
                     : WalkTransfer{WalkTransfer::kIfmap,
                                    p_.x_addr + ((first + ch) * u(p_.h) + u(s.load_lo)) * row_bytes,
                                    u(s.load_rows) * row_bytes};
        if (!f(t)) return false;
      }
    }
  }
  if (c.filters) {
    const uint64_t pieces = u(c.filter_transfers);
    for (uint64_t mm = 0; mm < pieces; ++mm) {
      const uint64_t filter = g * u(p_.mg) + u(c.m0) + mm;
      if (!f({WalkTransfer::kFilter, p_.w_addr + (filter * u(p_.cg) + u(c.c0)) * kernel_bytes,
              (u(c.mi) / pieces) * u(c.ci) * kernel_bytes})) {
        return false;
      }
    }
  }
  if (c.table && !f({WalkTransfer::kTable, p_.pp_addr + (g * u(p_.mg) + u(c.m0)) * kPpEntryBytes,
                     u(c.mi) * kPpEntryBytes})) {
    return false;
  }
  if (c.store) {
    // Planes of plane_rows rows of row_bytes each; this band's rows row0 .. row0+rows-1.
    const uint64_t plane_rows = u(p_.pooled ? p_.pool_eo : p_.eo);
    const uint64_t out_row_bytes = u(p_.pooled ? p_.pool_fo * 2 : p_.fo * p_.out_bytes);
    const uint64_t row0 = u(p_.pooled ? s.pooled.first : s.band.y0);
    const uint64_t rows = u(p_.pooled ? s.pooled.count : s.band.rows);
    for (uint64_t n = u(s.n0); n < u(s.n0 + s.ni) && c.store_transfers > 0; ++n) {
      const uint64_t first = (n * groups + g) * u(p_.mg) + u(c.m0);  // its first plane
      for (uint64_t mm = 0; mm < (one_band ? 1 : u(c.mi)); ++mm) {
        const WalkTransfer t =
            one_band ? WalkTransfer{WalkTransfer::kStore,
                                    p_.y_addr + first * plane_rows * out_row_bytes,
                                    u(c.mi) * plane_rows * out_row_bytes}
                     : WalkTransfer{WalkTransfer::kStore,
                                    p_.y_addr + ((first + mm) * plane_rows + row0) * out_row_bytes,
                                    rows * out_row_bytes};
        if (!f(t)) return false;
      }
    }
  }
  return true;
}

bool Walk::ForEachTransfer(const std::function<bool(const WalkTransfer&)>& f) const {
  return ForEachChunk(
      [&](const WalkSegment& s, const WalkChunk& c) { return ForEachTransfer(s, c, f); });
}

}  // namespace eyelet
