// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/desc_codec.h"

#include <algorithm>

#include "eyelet/error.h"
#include "eyelet/hex.h"

namespace eyelet {

namespace {

uint64_t FieldMask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// The first field of `d` whose value does not fit its width, or nullptr.
const DescField* OversizeField(const Desc& d) {
  for (const DescField& f : kDescFields) {
    if ((d.*(f.member) & ~FieldMask(f.bits)) != 0) return &f;
  }
  return nullptr;
}

std::string OversizeMessage(const Desc& d, const DescField& f) {
  return "descriptor field '" + std::string(f.name) + "' = " + std::to_string(d.*(f.member)) +
         " does not fit its " + std::to_string(f.bits) + " bits";
}

// addr + bytes <= 2^addr_bits, without overflow (addr_bits is clamped to [0, 64]).
bool EndsWithin(uint64_t addr, uint64_t bytes, int addr_bits) {
  const int bits = std::clamp(addr_bits, 0, 64);
  if (bits == 64) return bytes == 0 || addr <= ~uint64_t{0} - (bytes - 1);
  const uint64_t limit = uint64_t{1} << bits;
  return bytes <= limit && addr <= limit - bytes;
}

// `count` blocks of `size` cover `total` with none left over: count*size >= total and
// (count-1)*size < total. count and size are nonzero here.
bool Covers(uint64_t count, uint64_t size, uint64_t total) {
  return count * size >= total && (count - 1) * size < total;
}

}  // namespace

std::vector<uint64_t> PackDesc(const Desc& d) {
  if (const DescField* f = OversizeField(d)) throw Error("PackDesc: " + OversizeMessage(d, *f));
  std::vector<uint64_t> words(kDescWords, 0);
  for (const DescField& f : kDescFields) words[f.word] |= d.*(f.member) << f.lsb;
  return words;
}

Desc UnpackDesc(const uint64_t* words) {
  Desc d;
  for (const DescField& f : kDescFields)
    d.*(f.member) = (words[f.word] >> f.lsb) & FieldMask(f.bits);
  return d;
}

ErrCode CheckDescAddr(uint64_t addr, const HwInfo& hw) {
  if (addr % 8 != 0) return ErrCode::kDescAlign;
  if (!EndsWithin(addr, kDescBytes, hw.addr_bits)) return ErrCode::kDescRange;
  return ErrCode::kNone;
}

ErrCode CheckDesc(const Desc& d, const HwInfo& hw) {
  if (d.magic != kDescMagic || d.version != kDescVersion) return ErrCode::kDescMagic;
  if (d.kind != kDescKindConv) return ErrCode::kDescKind;
  const bool table = (d.post & kPostTableBits) != 0, requant = (d.post & kPostRequant) != 0;
  if (((d.post & (kPostRelu | kPostLeaky)) != 0 && !requant) ||
      (d.post & (kPostRelu | kPostLeaky)) == (kPostRelu | kPostLeaky) || d.lk_shift > 62) {
    return ErrCode::kDescPost;
  }
  if (d.pool_kh != 0) {
    const auto in_range = [](uint64_t v) { return v >= 1 && v <= kPoolMaxWindow; };
    // Line-buffer words: one pooled row with one band; with several, a partial pooled row per
    // image and filter of the group survives from one band to the next.
    const uint64_t line = d.sb >= d.strips ? d.pool_fo : d.nb * d.mg * d.pool_fo;
    if (!requant || !in_range(d.pool_kh) || !in_range(d.pool_kw) || !in_range(d.pool_sh) ||
        !in_range(d.pool_sw) || d.pool_pt >= d.pool_kh || d.pool_pl >= d.pool_kw ||
        d.pool_eo == 0 || d.pool_fo == 0 || (d.pool_eo - 1) * d.pool_sh >= d.eo + d.pool_pt ||
        (d.pool_fo - 1) * d.pool_sw >= d.fo + d.pool_pl ||
        line > static_cast<uint64_t>(hw.pool_words)) {
      return ErrCode::kDescPool;
    }
  }
  for (uint64_t v : {d.n,  d.groups, d.nb, d.mb, d.mbc, d.cbc, d.sb, d.cg, d.h,  d.w,
                     d.mg, d.kr,     d.ks, d.eo, d.fo,  d.uh,  d.uw, d.e,  d.p,  d.q,
                     d.r,  d.t,      d.rg, d.nrg, d.tv, d.th,  d.cb, d.strips}) {
    if (v == 0) return ErrCode::kDescZero;
  }
  if (d.nb > d.n || d.mbc > d.mb || d.cbc > d.cb || !Covers(d.mb, d.t * d.p, d.mg) ||
      !Covers(d.cb, d.r * d.q, d.cg) || !Covers(d.nrg, d.rg, d.kr) ||
      !Covers(d.strips, d.e, d.eo) || !Covers(d.th, d.tv, d.t) || (d.fo - 1) * d.uw + d.ks > 2047 ||
      d.sb > d.strips || (d.eo - 1) * d.uh > d.h - 1 + d.pad_top || d.nb * d.sb >= 65536) {
    return ErrCode::kDescMapping;
  }
  const auto rows = static_cast<uint64_t>(hw.rows), cols = static_cast<uint64_t>(hw.cols);
  if (d.rg * d.r * d.tv > rows || d.e * d.th > cols || (d.rg - 1) + (d.e - 1) * d.uh > 254) {
    return ErrCode::kDescArray;
  }
  if (d.ks * d.q > static_cast<uint64_t>(hw.ifmap_depth) ||
      d.p * d.q * d.ks > static_cast<uint64_t>(hw.filter_depth) ||
      d.p > static_cast<uint64_t>(hw.psum_depth)) {
    return ErrCode::kDescSpad;
  }
  const uint64_t chunk_filters = std::min(d.mbc * d.t * d.p, d.mg);
  const uint64_t chunk_channels = std::min(d.cbc * d.r * d.q, d.cg);
  // One band loads whole channels; several load the rows their windows read.
  const uint64_t band_rows =
      d.sb >= d.strips ? d.h : std::min(d.h, (d.sb * d.e - 1) * d.uh + d.kr);
  if (d.nb * chunk_channels * band_rows * d.w > static_cast<uint64_t>(hw.glb_ifmap_words) ||
      chunk_filters * chunk_channels * d.kr * d.ks > static_cast<uint64_t>(hw.glb_filter_words) ||
      d.mbc * d.nb * d.sb * d.fo * d.tv * d.p > static_cast<uint64_t>(hw.glb_psum_words) ||
      (table && chunk_filters > static_cast<uint64_t>(hw.pp_words / 2))) {
    return ErrCode::kDescGlb;
  }
  if (d.x_addr % 8 != 0 || d.w_addr % 8 != 0 || d.y_addr % 8 != 0 || d.next % 8 != 0 ||
      (table && d.pp_addr % 8 != 0)) {
    return ErrCode::kDescAlign;
  }
  if (!EndsWithin(d.x_addr, d.n * d.groups * d.cg * d.h * d.w * 2, hw.addr_bits) ||
      !EndsWithin(d.w_addr, d.groups * d.mg * d.cg * d.kr * d.ks * 2, hw.addr_bits) ||
      !EndsWithin(d.y_addr,
                  d.pool_kh != 0 ? d.n * d.groups * d.mg * d.pool_eo * d.pool_fo * 2
                                 : d.n * d.groups * d.mg * d.eo * d.fo * (requant ? 2 : 4),
                  hw.addr_bits) ||
      (table && !EndsWithin(d.pp_addr, d.groups * d.mg * kPpEntryBytes, hw.addr_bits))) {
    return ErrCode::kDescRange;
  }
  return ErrCode::kNone;
}

const char* ErrCodeName(ErrCode code) {
  for (const ErrCodeInfo& e : kErrCodes) {
    if (e.code == static_cast<uint8_t>(code)) return e.name;
  }
  return "UNKNOWN";
}

std::string ErrCodeText(ErrCode code) {
  for (const ErrCodeInfo& e : kErrCodes) {
    if (e.code == static_cast<uint8_t>(code)) return std::string(e.name) + " (" + e.meaning + ")";
  }
  return "UNKNOWN (error code " + std::to_string(static_cast<int>(code)) +
         " is not in rtl/errors.def)";
}

std::string ErrCodeAdvice(ErrCode code) {
  switch (code) {
    case ErrCode::kDescPost:
      return "set ReLU or leaky ReLU only with requantization, never both, and lk_shift at most "
             "62";
    case ErrCode::kDescPool:
      return "pool only requantized outputs with windows and strides of 1..3 and padding below "
             "the window, size pool_eo / pool_fo with PoolOutputShape, and keep the line buffer "
             "(HW_POOL words) above pool_fo, or nb*mg*pool_fo in row bands: ChainBuilder picks "
             "such a tiling or runs the pooling as a separate layer (AddPoolAfter)";
    default:
      return "";
  }
}

std::string DescribeDesc(const Desc& d) {
  std::string s;
  for (const DescField& f : kDescFields) {
    const uint64_t v = d.*(f.member);
    const bool hex = f.bits == 64 || f.member == &Desc::magic;  // addresses and the magic
    s += (s.empty() ? "" : " ") + std::string(f.name) + "=" +
         (hex ? internal::Hex(v) : std::to_string(v));
  }
  return s;
}

Desc MakeConvDesc(const ConvLayer& layer, const RsMapping& m, const Tiling& tiling, uint64_t x_addr,
                  uint64_t w_addr, uint64_t y_addr, uint64_t next) {
  const Shape out = layer.Out();
  const int groups = layer.conv.groups;
  const int block = m.t * m.p, cblock = m.r * m.q;
  Desc d;
  d.magic = kDescMagic;
  d.version = kDescVersion;
  d.kind = kDescKindConv;
  d.next = next;
  d.x_addr = x_addr;
  d.w_addr = w_addr;
  d.y_addr = y_addr;
  d.n = layer.x.n;
  d.groups = groups;
  d.nb = tiling.nb;
  d.mb = m.mb;
  d.mbc = (tiling.mc + block - 1) / block;
  d.cbc = (tiling.cc + cblock - 1) / cblock;
  d.sb = BandStrips(m, tiling);
  d.cg = layer.x.c / groups;
  d.h = layer.x.h;
  d.w = layer.x.w;
  d.mg = layer.w.n / groups;
  d.kr = layer.w.h;
  d.ks = layer.w.w;
  d.eo = out.h;
  d.fo = out.w;
  d.uh = layer.conv.stride_h;
  d.uw = layer.conv.stride_w;
  d.pad_top = layer.conv.pad_top;
  d.pad_left = layer.conv.pad_left;
  d.e = m.e;
  d.p = m.p;
  d.q = m.q;
  d.r = m.r;
  d.t = m.t;
  d.rg = m.rg;
  d.nrg = m.nrg;
  d.tv = m.tv;
  d.th = m.th;
  d.cb = m.cb;
  d.strips = m.strips;
  d.post = layer.post;
  if (layer.pooled) {
    const Shape pooled = layer.PooledOut();
    d.pool_kh = layer.pool.kernel_h;
    d.pool_kw = layer.pool.kernel_w;
    d.pool_sh = layer.pool.stride_h;
    d.pool_sw = layer.pool.stride_w;
    d.pool_pt = layer.pool.pad_top;
    d.pool_pl = layer.pool.pad_left;
    d.pool_eo = pooled.h;
    d.pool_fo = pooled.w;
  }
  if (const DescField* f = OversizeField(d)) {
    throw UnsupportedError("layer " + layer.ToString() + ": " + OversizeMessage(d, *f));
  }
  return d;
}

}  // namespace eyelet
