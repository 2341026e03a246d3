// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Layer descriptors (rtl/desc.def) as they lie in DRAM: packing into 64-bit words, unpacking,
// building one from a mapped layer, and the checks the walker (rtl/ey_walker.sv) applies
// before it runs one. CheckDescAddr and CheckDesc are the contract with the RTL: the walker
// raises the same code for the same descriptor, the first failing check winning.
#ifndef EYELET_DESC_CODEC_H_
#define EYELET_DESC_CODEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/desc.h"
#include "eyelet/device.h"
#include "eyelet/error_codes.h"
#include "eyelet/mapping.h"

namespace eyelet {

constexpr uint64_t kDescMagic = 0xE1E7;
constexpr uint64_t kDescVersion = 4;
constexpr uint64_t kDescKindConv = 1;
constexpr uint64_t kDescBytes = kDescWords * 8;

// Bits of the descriptor's `post` field (the output path, rtl/ey_walker.sv).
constexpr uint64_t kPostBias = 1;       // add the table's bias (at AccW)
constexpr uint64_t kPostRequant = 2;    // requantize with the table's mult, shift: int16 outputs
constexpr uint64_t kPostRelu = 4;       // then ReLU
constexpr uint64_t kPostLeaky = 8;      // or leaky ReLU with lk_mult, lk_shift
constexpr uint64_t kPostTableBits = kPostBias | kPostRequant;  // the table at pp_addr is read
// One table entry per output channel (g*mg + m): bias int32 at byte 0, mult int32 at 4,
// shift (0..62) at 8, bytes 9-15 unused.
constexpr uint64_t kPpEntryBytes = 16;
// Max pooling after the output path (the descriptor's pool_* fields): windows and strides of
// 1..kPoolMaxWindow rows and columns, padding below the window; pool_kh = 0 is no pooling.
constexpr uint64_t kPoolMaxWindow = 3;

// The kDescWords little-endian words of `d`. Throws Error naming the first field whose value
// does not fit its width.
std::vector<uint64_t> PackDesc(const Desc& d);
// The fields of kDescWords words (bits outside every field are ignored).
Desc UnpackDesc(const uint64_t* words);

// Checks the walker makes before fetching a descriptor at `addr`: DESC_ALIGN when addr is not
// a multiple of 8, DESC_RANGE when addr + kDescBytes > 2^hw.addr_bits; else kNone.
ErrCode CheckDescAddr(uint64_t addr, const HwInfo& hw);

// Checks the walker makes on a fetched descriptor, in this order (first failure wins):
//   DESC_MAGIC    magic != 0xE1E7 or version != 4
//   DESC_KIND     kind != 1 (CONV)
//   DESC_POST     post has ReLU or leaky without requantization, or both; lk_shift > 62
//   DESC_POOL     only with pooling (pool_kh != 0): post bit 1 (requantization) clear;
//                 pool_kh, pool_kw, pool_sh or pool_sw outside 1..3; pool_pt >= pool_kh or
//                 pool_pl >= pool_kw; pool_eo or pool_fo 0; a window starting past the ofmap,
//                 (pool_eo-1)*pool_sh >= eo + pool_pt or (pool_fo-1)*pool_sw >= fo + pool_pl;
//                 the line buffer: pool_fo (one band, sb >= strips) or nb*mg*pool_fo (several
//                 bands) > hw.pool_words
//   DESC_ZERO     any size, stride, mapping or chunk field is 0 (all but the addresses and
//                 pads; sb included)
//   DESC_MAPPING  nb > n; mbc > mb; cbc > cb; mb blocks of t*p filters, cb blocks of r*q
//                 channels, nrg groups of rg filter rows, strips of e ofmap rows, th columns
//                 of tv chains do not cover mg, cg, kr, eo, t exactly (too few, or one too
//                 many); (fo-1)*uw + ks > 2047; sb > strips; (eo-1)*uh > h - 1 + pad_top
//                 (the last ofmap row's window starts below the ifmap); nb*sb >= 65536
//   DESC_ARRAY    rg*r*tv > rows; e*th > cols; (rg-1) + (e-1)*uh > 254
//   DESC_SPAD     ks*q > ifmap_depth; p*q*ks > filter_depth; p > psum_depth
//   DESC_GLB      with cc = min(cbc*r*q, cg) the channels of a chunk and hbmax the
//                 ifmap rows of a row band (h with one band, sb >= strips; else
//                 min(h, (sb*e - 1)*uh + kr)): nb*cc*hbmax*w >
//                 glb_ifmap_words; min(mbc*t*p, mg)*cc*kr*ks > glb_filter_words;
//                 mbc*nb*sb*fo*tv*p > glb_psum_words; with the table read (post bit 0
//                 or 1), min(mbc*t*p, mg) > pp_words / 2
//   DESC_ALIGN    x_addr, w_addr, y_addr or next not a multiple of 8; pp_addr when the
//                 table is read
//   DESC_RANGE    x, w or y tensor (y int16 with post bit 1, else int32; with pooling
//                 n*groups*mg*pool_eo*pool_fo int16) ends beyond 2^hw.addr_bits; the table
//                 (groups*mg entries) when it is read
// `d` holds values that fit their fields (as UnpackDesc returns them), so the arithmetic is
// exact: no product of fields overflows 64 bits.
ErrCode CheckDesc(const Desc& d, const HwInfo& hw);

// "DESC_GLB" and so on; "UNKNOWN" for a code errors.def does not list.
const char* ErrCodeName(ErrCode code);
// "DESC_GLB (a chunk overflows a global-buffer area ...)": the name and meaning.
std::string ErrCodeText(ErrCode code);
// What to do about descriptor error `code`, for the driver's message (Device::RunChain), or an
// empty string where the meaning says it (the mapping and GLB codes: map with ChooseMapping).
std::string ErrCodeAdvice(ErrCode code);

// Every field on one line, addresses in hex: "magic=0xe1e7 version=4 kind=1 next=0x0 ...".
std::string DescribeDesc(const Desc& d);

// The CONV descriptor of `layer` (per-group sizes, as MakeLayerCfg) with a completed mapping
// `m` and the tiling `tiling` of ChooseTiling: nb = tiling.nb, mb = m.mb,
// mbc = ceil(tiling.mc / (t*p)), cb = m.cb, cbc = ceil(tiling.cc / (r*q)),
// sb = BandStrips(m, tiling); eo and fo are the layer's output size (before pooling). A pooled
// layer (layer.pooled) gets its pooling window, stride and top/left padding in pool_kh ..
// pool_pl and its pooled size (ConvLayer::PooledOut) in pool_eo, pool_fo; pool_kh stays 0
// otherwise. Throws UnsupportedError naming the first field that does not fit its width.
Desc MakeConvDesc(const ConvLayer& layer, const RsMapping& m, const Tiling& tiling, uint64_t x_addr,
                  uint64_t w_addr, uint64_t y_addr, uint64_t next);

}  // namespace eyelet

#endif  // EYELET_DESC_CODEC_H_
