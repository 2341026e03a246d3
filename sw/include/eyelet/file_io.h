// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Output files written whole: into PATH.tmp, then renamed over PATH, so PATH is either the
// complete new file or what was there before (a failed write, a full disk, an interrupted or
// killed process never leave a partial one).
#ifndef EYELET_FILE_IO_H_
#define EYELET_FILE_IO_H_

#include <cstddef>
#include <string>

namespace eyelet {

// Writes `bytes` bytes of `data` to `path` atomically. Throws FileError naming the path, the
// system's reason and what to do; the temporary file is removed.
void WriteFileAtomically(const std::string& path, const void* data, size_t bytes);
inline void WriteFileAtomically(const std::string& path, const std::string& text) {
  WriteFileAtomically(path, text.data(), text.size());
}

}  // namespace eyelet

#endif  // EYELET_FILE_IO_H_
