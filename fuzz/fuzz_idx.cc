// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target: the IDX reader (the Fashion-MNIST images and labels, plain or gzip). The
// reader takes a path, so each input is written to one scratch file and read as images and as
// labels; FileError is the only documented error (idx.h), and an accepted file's sizes must
// match its data.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "eyelet/error.h"
#include "eyelet/idx.h"

namespace {

// A per-process scratch file (libFuzzer's -fork and -jobs run several processes).
const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/eyelet_fuzz_idx." +
           std::to_string(getpid());
  }();
  return path;
}

void WriteScratch(const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(ScratchPath().c_str(), "wb");
  if (f == nullptr || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) {
    std::perror("fuzz_idx: cannot write the scratch file");
    std::exit(1);
  }
}

void RemoveScratch() { std::remove(ScratchPath().c_str()); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::atexit(RemoveScratch);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eyelet;
  WriteScratch(data, size);
  try {
    const IdxImages im = ReadIdxImages(ScratchPath());
    if (im.count < 0 || im.rows <= 0 || im.cols <= 0 ||
        im.pixels.size() != static_cast<size_t>(im.count) * im.rows * im.cols) {
      std::abort();
    }
  } catch (const FileError&) {
  }
  try {
    ReadIdxLabels(ScratchPath());
  } catch (const FileError&) {
  }
  return 0;
}
