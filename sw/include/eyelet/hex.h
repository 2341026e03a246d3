// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Internal: hexadecimal numbers in messages ("0x1f").
#ifndef EYELET_HEX_H_
#define EYELET_HEX_H_

#include <cstdint>
#include <cstdio>
#include <string>

namespace eyelet {
namespace internal {

inline std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace internal
}  // namespace eyelet

#endif  // EYELET_HEX_H_
