// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/golden_device.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "eyelet/csr_map.h"
#include "eyelet/desc_codec.h"
#include "eyelet/error.h"
#include "eyelet/golden.h"
#include "eyelet/hex.h"

namespace eyelet {

using internal::Hex;

namespace {

constexpr int kAxiDataBytes = 8;

void CheckFits(int v, int lo, int hi, const char* what, const std::string& config) {
  if (v < lo || v > hi) {
    throw UnsupportedError("golden device for '" + config + "': " + what + " = " +
                           std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
  }
}

}  // namespace

GoldenDevice::GoldenDevice(const ArrayConfig& hw, uint64_t mem_base, uint64_t mem_size,
                           int addr_bits)
    : hw_(hw), mem_base_(mem_base) {
  CheckFits(hw.rows, 1, 0xffff, "rows (HW_ARRAY)", hw.name);
  CheckFits(hw.cols, 1, 0xffff, "cols (HW_ARRAY)", hw.name);
  CheckFits(hw.ifmap_depth, 1, 0xff, "ifmap_depth (HW_SPAD)", hw.name);
  CheckFits(hw.psum_depth, 1, 0xff, "psum_depth (HW_SPAD)", hw.name);
  CheckFits(hw.filter_depth, 1, 0xffff, "filter_depth (HW_SPAD)", hw.name);
  CheckFits(hw.data_bits, 16, 16, "data_bits (DRAM tensors are int16)", hw.name);
  CheckFits(hw.acc_bits, 16, 32, "acc_bits", hw.name);
  CheckFits(hw.glb_ifmap_words, 1, 0x7fffffff, "glb_ifmap_words", hw.name);
  CheckFits(hw.glb_filter_words, 1, 0x7fffffff, "glb_filter_words", hw.name);
  CheckFits(hw.glb_psum_words, 1, 0x7fffffff, "glb_psum_words", hw.name);
  CheckFits(hw.pp_words, 2, 0x7fffffff, "pp_words", hw.name);
  CheckFits(hw.pool_words, 1, 0x7fffffff, "pool_words", hw.name);
  CheckFits(addr_bits, 1, 64, "addr_bits", hw.name);
  const bool below = addr_bits == 64 ? mem_size == 0 || mem_size - 1 <= ~mem_base
                                     : mem_base >> addr_bits == 0 &&
                                           mem_size <= (uint64_t{1} << addr_bits) - mem_base;
  if (!below) {
    throw UnsupportedError("golden device: DRAM window " + Hex(mem_base) + " + " + Hex(mem_size) +
                           " does not lie below 2^" + std::to_string(addr_bits));
  }
  mem_.assign(mem_size, 0);
  info_.id = kCsrIdValue;
  info_.version = kCsrVersionValue;
  info_.rows = hw.rows;
  info_.cols = hw.cols;
  info_.ifmap_depth = hw.ifmap_depth;
  info_.filter_depth = hw.filter_depth;
  info_.psum_depth = hw.psum_depth;
  info_.data_bits = hw.data_bits;
  info_.acc_bits = hw.acc_bits;
  info_.axi_bytes = kAxiDataBytes;
  info_.addr_bits = addr_bits;
  info_.glb_ifmap_words = hw.glb_ifmap_words;
  info_.glb_filter_words = hw.glb_filter_words;
  info_.glb_psum_words = hw.glb_psum_words;
  info_.pp_words = hw.pp_words;
  info_.pool_words = hw.pool_words;
}

uint32_t GoldenDevice::ReadCsr(uint32_t offset) {
  const auto u = [](int v) { return static_cast<uint32_t>(v); };
  switch (offset) {
    case kCsrId:
      return info_.id;
    case kCsrVersion:
      return info_.version;
    case kCsrHwArray:
      return u(info_.rows) << kHwArrayRowsShift | u(info_.cols) << kHwArrayColsShift;
    case kCsrHwSpad:
      return u(info_.ifmap_depth) << kHwSpadIfmapShift | u(info_.psum_depth) << kHwSpadPsumShift |
             u(info_.filter_depth) << kHwSpadFilterShift;
    case kCsrHwWidths:
      return u(info_.data_bits) << kHwWidthsDataWShift | u(info_.acc_bits) << kHwWidthsAccWShift |
             u(info_.axi_bytes) << kHwWidthsAxiBytesShift;
    case kCsrHwGlbIfmap:
      return u(info_.glb_ifmap_words);
    case kCsrHwGlbFilter:
      return u(info_.glb_filter_words);
    case kCsrHwGlbPsum:
      return u(info_.glb_psum_words);
    case kCsrHwPp:
      return u(info_.pp_words);
    case kCsrHwPool:
      return u(info_.pool_words);
    case kCsrCtrl:
      return irq_en_ ? kCtrlIrqEnable : 0;
    case kCsrStatus:
      return (busy_ ? kStatusBusy : 0) | (done_ ? kStatusDone : 0) |
             uint32_t{err_code_} << kStatusCodeShift | uint32_t{err_desc_} << kStatusDescShift;
    case kCsrIrq:
      return irq_;
    case kCsrHwAddr:
      return u(info_.addr_bits);
    case kCsrDescBaseLo:
      return static_cast<uint32_t>(desc_base_);
    case kCsrDescBaseHi:
      return static_cast<uint32_t>(desc_base_ >> 32);
    default:
      break;
  }
  for (const CounterReg& c : kCounterRegs) {
    if (c.offset == offset) return static_cast<uint32_t>(cnt_.*(c.member));
  }
  throw DeviceError(
      Name() + ": SLVERR at offset " + Hex(offset) + " (read of an offset outside the CSR map)",
      ErrCode::kNone, -1);
}

void GoldenDevice::WriteCsr(uint32_t offset, uint32_t value) {
  switch (offset) {
    case kCsrCtrl:
      irq_en_ = (value & kCtrlIrqEnable) != 0;
      if (value & kCtrlSoftReset) {
        busy_ = done_ = false;
        irq_ = 0;
        err_code_ = 0;
        err_desc_ = 0;
      } else if ((value & kCtrlStart) && !busy_) {
        RunChainNow();
      }
      return;
    case kCsrIrq:
      irq_ &= ~(value & (kIrqDone | kIrqError));
      return;
    case kCsrDescBaseLo:
      desc_base_ = (desc_base_ & ~0xffffffffull) | value;
      return;
    case kCsrDescBaseHi:
      desc_base_ = (desc_base_ & 0xffffffffull) | uint64_t{value} << 32;
      return;
    default:
      break;
  }
  const bool mapped = std::any_of(std::begin(kCsrs), std::end(kCsrs),
                                  [offset](const CsrInfo& c) { return c.offset == offset; });
  throw DeviceError(Name() + ": SLVERR at offset " + Hex(offset) + " (write of " + Hex(value) +
                        (mapped ? " to a read-only register)" : " outside the CSR map)"),
                    ErrCode::kNone, -1);
}

bool GoldenDevice::InWindow(uint64_t addr, uint64_t bytes) const {
  return addr >= mem_base_ && bytes <= mem_.size() && addr - mem_base_ <= mem_.size() - bytes;
}

void GoldenDevice::WriteMem(uint64_t addr, const void* data, size_t bytes) {
  if (!InWindow(addr, bytes)) {
    throw Error(Name() + ": host write of " + std::to_string(bytes) + " bytes at " + Hex(addr) +
                " leaves the DRAM window " + Hex(mem_base_) + " + " + Hex(mem_.size()));
  }
  if (bytes != 0) std::memcpy(mem_.data() + (addr - mem_base_), data, bytes);
}

void GoldenDevice::ReadMem(uint64_t addr, void* data, size_t bytes) {
  if (!InWindow(addr, bytes)) {
    throw Error(Name() + ": host read of " + std::to_string(bytes) + " bytes at " + Hex(addr) +
                " leaves the DRAM window " + Hex(mem_base_) + " + " + Hex(mem_.size()));
  }
  if (bytes != 0) std::memcpy(data, mem_.data() + (addr - mem_base_), bytes);
}

bool GoldenDevice::WaitIrq(uint64_t /*timeout_cycles*/) { return irq_en_ && irq_ != 0; }

void GoldenDevice::RunChainNow() {
  cnt_ = DeviceCounters{};
  done_ = false;
  err_code_ = 0;
  err_desc_ = 0;
  busy_ = true;
  uint64_t addr = desc_base_;
  for (int i = 0; i < kMaxChain; ++i) {
    Desc d;
    const ErrCode code = RunDesc(addr, d);
    if (code != ErrCode::kNone) {
      busy_ = false;
      err_code_ = static_cast<uint8_t>(code);
      err_desc_ = static_cast<uint16_t>(i);
      irq_ |= kIrqError;
      return;
    }
    ++cnt_.descs;
    if (d.next == 0) {
      busy_ = false;
      done_ = true;
      irq_ |= kIrqDone;
      return;
    }
    addr = d.next;
  }
  // An endless chain: busy until a soft reset.
}

ErrCode GoldenDevice::RunDesc(uint64_t addr, Desc& d) {
  ErrCode code = CheckDescAddr(addr, info_);
  if (code != ErrCode::kNone) return code;
  if (!InWindow(addr, kDescBytes)) return ErrCode::kAxiRdDecerr;
  const std::vector<uint64_t> words = Read<uint64_t>(addr, kDescWords);
  cnt_.dram_rd_bytes += kDescBytes;
  d = UnpackDesc(words.data());
  code = CheckDesc(d, info_);
  if (code != ErrCode::kNone) return code;
  code = Transfers(d);
  if (code != ErrCode::kNone) return code;
  Compute(d);
  return ErrCode::kNone;
}

ErrCode GoldenDevice::Transfers(const Desc& d) {
  const uint64_t row_bytes = d.w * 2;             // one ifmap row of one channel
  const uint64_t kernel_bytes = d.kr * d.ks * 2;  // one channel of one filter
  const bool table = (d.post & kPostTableBits) != 0;
  const uint64_t out_row_bytes = d.fo * ((d.post & kPostRequant) != 0 ? 2 : 4);  // one output
                                                                                   // row
  const uint64_t chunk_filters = d.mbc * d.t * d.p;
  const uint64_t chunk_channels = d.cbc * d.r * d.q;
  const uint64_t bands = (d.strips + d.sb - 1) / d.sb;
  const bool one_channel_chunk = d.cbc >= d.cb;
  const bool pooled = d.pool_kh != 0;
  const uint64_t pooled_row_bytes = d.pool_fo * 2;  // one pooled output row
  const auto move = [this](uint64_t addr, uint64_t bytes, uint64_t& counter) {
    if (!InWindow(addr, bytes)) return false;
    counter += bytes;
    return true;
  };
  for (uint64_t g = 0; g < d.groups; ++g) {
    for (uint64_t n0 = 0; n0 < d.n; n0 += d.nb) {
      const uint64_t ncur = std::min(d.nb, d.n - n0);
      for (uint64_t b = 0; b < bands; ++b) {
        const RowBand band =
            BandRows(static_cast<int>(b), static_cast<int>(d.sb), static_cast<int>(d.e),
                     static_cast<int>(d.eo), static_cast<int>(d.uh), static_cast<int>(d.pad_top),
                     static_cast<int>(d.kr), static_cast<int>(d.h));
        const auto y0 = static_cast<uint64_t>(band.y0), ecur = static_cast<uint64_t>(band.rows);
        const auto lo = static_cast<uint64_t>(band.lo), hb = static_cast<uint64_t>(band.in_rows);
        for (uint64_t m0 = 0; m0 < d.mg; m0 += chunk_filters) {
          const uint64_t fcur = std::min(chunk_filters, d.mg - m0);
          for (uint64_t c0 = 0; c0 < d.cg; c0 += chunk_channels) {
            const uint64_t ccur = std::min(chunk_channels, d.cg - c0);
            // A single channel chunk stays in the GLB across filter chunks. One band: per
            // image, its ccur whole channels; several: per image and channel, the band's rows.
            if (!(one_channel_chunk && m0 > 0)) {
              for (uint64_t n = n0; n < n0 + ncur; ++n) {
                const uint64_t first = (n * d.groups + g) * d.cg + c0;
                for (uint64_t c = 0; c < (bands == 1 ? 1 : ccur); ++c) {
                  const bool ok =
                      bands == 1
                          ? move(d.x_addr + first * d.h * row_bytes, ccur * d.h * row_bytes,
                                 cnt_.dram_rd_bytes)
                          : move(d.x_addr + ((first + c) * d.h + lo) * row_bytes, hb * row_bytes,
                                 cnt_.dram_rd_bytes);
                  if (!ok) return ErrCode::kAxiRdDecerr;
                }
              }
            }
            // All of a group's filters, all channels in one chunk, stay across image chunks
            // and bands.
            const bool filters = !(one_channel_chunk && d.mbc >= d.mb && (n0 > 0 || b > 0));
            if (filters) {
              // One transfer per filter, or one for the chunk when its rows are contiguous.
              const uint64_t pieces = ccur == d.cg ? 1 : fcur;
              for (uint64_t mm = 0; mm < pieces; ++mm) {
                if (!move(d.w_addr + ((g * d.mg + m0 + mm) * d.cg + c0) * kernel_bytes,
                          (fcur / pieces) * ccur * kernel_bytes, cnt_.dram_rd_bytes)) {
                  return ErrCode::kAxiRdDecerr;
                }
              }
            }
            // The output-path table of the chunk's filters, with them, for the chunk that
            // stores (its last channel chunk).
            if (table && filters && c0 + ccur >= d.cg &&
                !move(d.pp_addr + (g * d.mg + m0) * kPpEntryBytes, fcur * kPpEntryBytes,
                      cnt_.dram_rd_bytes)) {
              return ErrCode::kAxiRdDecerr;
            }
            if (c0 + ccur < d.cg) continue;  // outputs only after the last channel chunk
            // One band: per image, the fcur filters' whole planes; several: per image and
            // filter, the band's rows, or pooled, the pooled rows the band completes (none: no
            // transfer).
            uint64_t row0 = y0, rows = ecur;
            if (pooled) {
              const PooledRows pr = BandPooledRows(
                  band.y0, band.rows, b + 1 == bands, static_cast<int>(d.pool_kh),
                  static_cast<int>(d.pool_sh), static_cast<int>(d.pool_pt),
                  static_cast<int>(d.pool_eo));
              row0 = static_cast<uint64_t>(pr.first);
              rows = static_cast<uint64_t>(pr.count);
              if (bands > 1 && rows == 0) continue;
            }
            const uint64_t plane_rows = pooled ? d.pool_eo : d.eo;
            const uint64_t row_bytes = pooled ? pooled_row_bytes : out_row_bytes;
            for (uint64_t n = n0; n < n0 + ncur; ++n) {
              const uint64_t first = (n * d.groups + g) * d.mg + m0;
              for (uint64_t mm = 0; mm < (bands == 1 ? 1 : fcur); ++mm) {
                const bool ok =
                    bands == 1
                        ? move(d.y_addr + first * plane_rows * row_bytes,
                               fcur * plane_rows * row_bytes, cnt_.dram_wr_bytes)
                        : move(d.y_addr + ((first + mm) * plane_rows + row0) * row_bytes,
                               rows * row_bytes, cnt_.dram_wr_bytes);
                if (!ok) return ErrCode::kAxiWrDecerr;
              }
            }
          }
        }
      }
    }
  }
  return ErrCode::kNone;
}

namespace {

// The walker's rounding shift: (v + round) >> shift in 64-bit two's complement, round = 1 <<
// (shift - 1) for shift > 0 (golden.h's rule for shift <= 62; a 6-bit shift of 63 wraps as
// the RTL does).
int64_t RoundShift(int64_t v, int shift) {
  const uint64_t round = shift > 0 ? uint64_t{1} << (shift - 1) : 0;
  return static_cast<int64_t>(static_cast<uint64_t>(v) + round) >> shift;
}

int32_t Sat16(int64_t v) { return static_cast<int32_t>(std::clamp<int64_t>(v, -32768, 32767)); }

// The pooling after the output path (descriptor pool_*): each eo x fo plane of the int16
// outputs `y` max-pooled into pool_eo x pool_fo.
std::vector<int16_t> MaxPoolPlanes(const Desc& d, const std::vector<int16_t>& y) {
  const int eo = static_cast<int>(d.eo), fo = static_cast<int>(d.fo);
  const int kh = static_cast<int>(d.pool_kh), kw = static_cast<int>(d.pool_kw);
  const int sh = static_cast<int>(d.pool_sh), sw = static_cast<int>(d.pool_sw);
  const int pt = static_cast<int>(d.pool_pt), pl = static_cast<int>(d.pool_pl);
  const int peo = static_cast<int>(d.pool_eo), pfo = static_cast<int>(d.pool_fo);
  const size_t planes = y.size() / (static_cast<size_t>(eo) * fo);
  std::vector<int16_t> pooled;
  pooled.reserve(planes * peo * pfo);
  for (size_t p = 0; p < planes; ++p) {
    const int16_t* plane = y.data() + p * eo * fo;
    for (int i = 0; i < peo; ++i) {
      for (int j = 0; j < pfo; ++j) {
        // Positions outside the ofmap are -inf: below every int16. CheckDesc makes every window
        // start inside it (and end there, as pool_pt < pool_kh and pool_pl < pool_kw).
        int32_t best = INT32_MIN;
        for (int a = 0; a < kh; ++a) {
          const int row = i * sh - pt + a;
          if (row < 0 || row >= eo) continue;
          for (int b = 0; b < kw; ++b) {
            const int col = j * sw - pl + b;
            if (col >= 0 && col < fo) best = std::max<int32_t>(best, plane[row * fo + col]);
          }
        }
        pooled.push_back(static_cast<int16_t>(best));
      }
    }
  }
  return pooled;
}

}  // namespace

void GoldenDevice::OutputPath(const Desc& d, const std::vector<int32_t>& y) {
  const uint64_t channels = d.groups * d.mg, plane = d.eo * d.fo;
  const std::vector<int32_t> table =
      Read<int32_t>(d.pp_addr, static_cast<size_t>(channels * kPpEntryBytes / 4));
  const bool requant = (d.post & kPostRequant) != 0;
  std::vector<int32_t> acc(y.size());
  std::vector<int16_t> out(requant ? y.size() : 0);
  for (size_t i = 0; i < y.size(); ++i) {
    const size_t m = static_cast<size_t>((i / plane) % channels);
    const int32_t bias = (d.post & kPostBias) != 0 ? table[4 * m] : 0;
    acc[i] = WrapAcc(int64_t{y[i]} + bias, hw_.acc_bits);
    if (!requant) continue;
    const int shift = table[4 * m + 2] & 0x3f;
    int32_t v = Sat16(RoundShift(int64_t{acc[i]} * table[4 * m + 1], shift));
    if ((d.post & kPostRelu) != 0) v = std::max(v, 0);
    if ((d.post & kPostLeaky) != 0 && v < 0) {
      v = Sat16(RoundShift(int64_t{v} * static_cast<int16_t>(d.lk_mult),
                           static_cast<int>(d.lk_shift)));
    }
    out[i] = static_cast<int16_t>(v);
  }
  if (d.pool_kh != 0) {
    Write(d.y_addr, MaxPoolPlanes(d, out));
  } else if (requant) {
    Write(d.y_addr, out);
  } else {
    Write(d.y_addr, acc);
  }
}


void GoldenDevice::Compute(const Desc& d) {
  const int n = static_cast<int>(d.n), groups = static_cast<int>(d.groups);
  const int cg = static_cast<int>(d.cg), mg = static_cast<int>(d.mg);
  const int h = static_cast<int>(d.h), w = static_cast<int>(d.w);
  const int kr = static_cast<int>(d.kr), ks = static_cast<int>(d.ks);
  const int eo = static_cast<int>(d.eo), fo = static_cast<int>(d.fo);
  const int uh = static_cast<int>(d.uh), uw = static_cast<int>(d.uw);
  const int pt = static_cast<int>(d.pad_top), pl = static_cast<int>(d.pad_left);

  Tensor<int16_t> x(Shape{n, groups * cg, h, w});
  if (d.sb >= d.strips) {
    x.data() = Read<int16_t>(d.x_addr, static_cast<size_t>(x.size()));
  } else {
    // Several bands load only the rows their windows reach: the others may lie outside the
    // DRAM window, and no output reads them (they stay zero here).
    const int sb = static_cast<int>(d.sb), strips = static_cast<int>(d.strips);
    std::vector<bool> loaded(static_cast<size_t>(h), false);
    for (int b = 0; b * sb < strips; ++b) {
      const RowBand band = BandRows(b, sb, static_cast<int>(d.e), eo, uh, pt, kr, h);
      std::fill_n(loaded.begin() + band.lo, band.in_rows, true);
    }
    for (int i = 0; i < n; ++i) {
      for (int c = 0; c < groups * cg; ++c) {
        for (int row = 0; row < h; ++row) {
          if (!loaded[static_cast<size_t>(row)]) continue;
          const uint64_t first = ((static_cast<uint64_t>(i) * groups * cg + c) * h + row) * w;
          const std::vector<int16_t> words =
              Read<int16_t>(d.x_addr + first * 2, static_cast<size_t>(w));
          std::copy(words.begin(), words.end(), &x.at(i, c, row, 0));
        }
      }
    }
  }
  Tensor<int16_t> wt(Shape{groups * mg, cg, kr, ks});
  wt.data() = Read<int16_t>(d.w_addr, static_cast<size_t>(wt.size()));
  // Bottom and right zero padding so that at least eo x fo outputs exist; a larger ifmap
  // gives more, and only the first eo x fo are the layer's.
  ConvParams cp;
  cp.stride_h = uh;
  cp.stride_w = uw;
  cp.pad_top = pt;
  cp.pad_left = pl;
  cp.pad_bottom = std::max(0, (eo - 1) * uh + kr - h - pt);
  cp.pad_right = std::max(0, (fo - 1) * uw + ks - w - pl);
  cp.groups = groups;
  const Tensor<int32_t> full = ConvAcc(x, wt, cp, hw_.data_bits, hw_.acc_bits);
  std::vector<int32_t> y;
  y.reserve(static_cast<size_t>(n) * groups * mg * eo * fo);
  for (int i = 0; i < n; ++i) {
    for (int m = 0; m < groups * mg; ++m) {
      for (int e = 0; e < eo; ++e) {
        const int32_t* row = &full.at(i, m, e, 0);
        y.insert(y.end(), row, row + fo);
      }
    }
  }
  if ((d.post & kPostTableBits) == 0) {
    Write(d.y_addr, y);
  } else {
    OutputPath(d, y);
  }

  // MACs by ifmap operand: each ifmap tap of an output position serves the mg filters of its
  // group.
  uint64_t zero_taps = 0;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < groups * cg; ++c) {
      for (int e = 0; e < eo; ++e) {
        for (int r = 0; r < kr; ++r) {
          const int row = e * uh - pt + r;
          if (row < 0 || row >= h) {
            zero_taps += static_cast<uint64_t>(fo) * ks;
            continue;
          }
          for (int f = 0; f < fo; ++f) {
            for (int s = 0; s < ks; ++s) {
              const int col = f * uw - pl + s;
              zero_taps += col < 0 || col >= w || x.at(i, c, row, col) == 0;
            }
          }
        }
      }
    }
  }
  const uint64_t all = d.n * d.groups * d.mg * d.eo * d.fo * d.cg * d.kr * d.ks;
  cnt_.skipped += zero_taps * d.mg;
  cnt_.macs += all - zero_taps * d.mg;
}

}  // namespace eyelet
