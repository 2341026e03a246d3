// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/desc_codec.h"

#include <algorithm>

#include "eyelet/desc_rules.h"
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
  const int rule = FirstFailingDescRule(d, hw);
  return rule < 0 ? ErrCode::kNone : kDescRules[rule].code;
}

std::string FailedDescRule(const Desc& d, const HwInfo& hw) {
  const int rule = FirstFailingDescRule(d, hw);
  if (rule < 0) return "";
  return std::string(ErrCodeName(kDescRules[rule].code)) + ": " + kDescRules[rule].text;
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
