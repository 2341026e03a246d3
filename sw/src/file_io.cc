// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "eyelet/error.h"

namespace eyelet {

void WriteFileAtomically(const std::string& path, const void* data, size_t bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    throw FileError(path + ": cannot create " + tmp + ": " + std::strerror(errno) +
                    "; check that the directory exists and is writable");
  }
  bool ok = bytes == 0 || std::fwrite(data, 1, bytes, f) == bytes;
  ok = std::fflush(f) == 0 && ok;
  int saved_errno = errno;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw FileError(path + ": write error: " + std::strerror(saved_errno) +
                    "; check free disk space and permissions");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    saved_errno = errno;
    std::remove(tmp.c_str());
    throw FileError(path + ": cannot replace the file: " + std::strerror(saved_errno) +
                    "; check that the path is not a directory and is writable");
  }
}

}  // namespace eyelet
