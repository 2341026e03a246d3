// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "eyelet/idx.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

#include "eyelet/error.h"

namespace eyelet {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr size_t kMaxFileBytes = size_t{1} << 30;  // Fashion-MNIST's largest: 47 MB
constexpr int kNumClasses = 10;

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// zlib's message for the last error on `f`, without the "path: " zlib puts in front.
std::string ZlibMessage(gzFile f, const std::string& path, int* code) {
  std::string msg = gzerror(f, code);
  if (msg.compare(0, path.size() + 2, path + ": ") == 0) msg.erase(0, path.size() + 2);
  return msg;
}

// The file's bytes, gunzipped when it is gzip (zlib reads other files as they are).
std::vector<uint8_t> ReadAll(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw FileError(path + ": is a directory, expected an IDX file");
  }
  errno = 0;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) {
    throw FileError("cannot open " + path + ": " +
                    (errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  // Read through a fixed buffer, so a small file costs a small allocation (resizing the vector
  // by a 1 MiB chunk per read zeroed 1 MiB for every file, however short).
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(64 << 10);
  for (;;) {
    const int got = gzread(f.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (got < 0) {
      int code = Z_OK;
      const std::string msg = ZlibMessage(f.get(), path, &code);
      throw FileError(path + ": " +
                      (code == Z_ERRNO ? "read error: " + std::string(std::strerror(errno))
                                       : "gzip data is corrupt or truncated (zlib: " + msg + ")"));
    }
    if (got == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
    if (bytes.size() > kMaxFileBytes) {
      throw FileError(path + ": more than " + std::to_string(kMaxFileBytes >> 20) +
                      " MiB of data, too large for an IDX dataset file");
    }
  }
  // A stream cut short can end a read quietly; zlib reports it afterwards.
  int code = Z_OK;
  const std::string msg = ZlibMessage(f.get(), path, &code);
  if (code != Z_OK) {
    throw FileError(path + ": gzip data is corrupt or truncated (zlib: " + msg + ")");
  }
  return bytes;
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Checks the header of `bytes` (from `path`) against `magic` and the data size against the
// dimensions; returns the dimensions. The data starts at 4 + 4 * dims.size().
std::vector<uint32_t> CheckHeader(const std::string& path, const std::vector<uint8_t>& bytes,
                                  uint32_t magic, const char* layout) {
  const int ndim = static_cast<int>(magic & 0xff);
  if (bytes.size() < 4) {
    throw FileError(path + ": not an IDX file: " + std::to_string(bytes.size()) +
                    " bytes, fewer than the 4-byte magic number");
  }
  const uint32_t got = BigEndian32(bytes.data());
  if (got != magic) {
    std::string hint = "not an IDX file of unsigned bytes";
    if ((got & 0xffffff00u) == 0x00000800u) {
      hint = "an IDX file of unsigned bytes with " + std::to_string(got & 0xff) +
             " dimension(s), not " + std::to_string(ndim) + " (" + layout + ")";
      if (got == kLabelsMagic) hint += "; is this the labels file?";
      if (got == kImagesMagic) hint += "; is this the images file?";
    }
    throw FileError(path + ": magic number " + Hex32(got) + ", expected " + Hex32(magic) + ": " +
                    hint);
  }
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  if (bytes.size() < header) {
    throw FileError(path + ": truncated header: " + std::to_string(bytes.size()) +
                    " bytes, the magic number and " + std::to_string(ndim) + " dimension(s) need " +
                    std::to_string(header));
  }
  std::vector<uint32_t> dims(ndim);
  std::ostringstream shape;
  const uint64_t present = bytes.size() - header;
  uint64_t need = 1;
  bool overflow = false;  // three u32 sizes can multiply past 2^64
  for (int d = 0; d < ndim; ++d) {
    dims[d] = BigEndian32(bytes.data() + 4 + 4 * d);
    shape << (d ? " x " : "") << dims[d];
    overflow = overflow || __builtin_mul_overflow(need, uint64_t{dims[d]}, &need);
  }
  for (int d = 1; d < ndim; ++d) {
    if (dims[d] == 0) {
      throw FileError(path + ": header declares " + shape.str() + " (" + layout +
                      "): an image size of 0");
    }
  }
  // Only the bytes present were allocated; a declared size is never allocated, just compared.
  if (overflow || need != present) {
    throw FileError(path + ": header declares " + shape.str() + " (" + layout +
                    ") = " + (overflow ? std::string("over 2^64") : std::to_string(need)) +
                    " data bytes, but " + std::to_string(present) + " follow the " +
                    std::to_string(header) + "-byte header" +
                    (overflow || need > present ? ": the file is truncated or the header corrupt"
                                                : ": bytes after the data, the file is corrupt"));
  }
  // Image sizes must fit an int (IdxImages): with 0 images the data does not bound them.
  for (int d = 1; d < ndim; ++d) {
    if (dims[d] > static_cast<uint32_t>(INT_MAX)) {
      throw FileError(path + ": header declares " + shape.str() + " (" + layout +
                      "): an image size of more than 2^31-1");
    }
  }
  return dims;
}

// `dir`/`name`.gz, or `dir`/`name` when only that exists; throws when neither does.
std::string FindFashionFile(const std::string& dir, const std::string& name) {
  const std::filesystem::path base = std::filesystem::path(dir) / name;
  std::error_code ec;
  for (const std::string& p : {base.string() + ".gz", base.string()}) {
    if (std::filesystem::exists(p, ec)) return p;
  }
  throw FileError("Fashion-MNIST file " + base.string() +
                  ".gz not found: install Debian's dataset-fashion-mnist package "
                  "(scripts/install-deps.sh does), or give the directory that holds "
                  "{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]");
}

}  // namespace

IdxImages ReadIdxImages(const std::string& path) {
  std::vector<uint8_t> bytes = ReadAll(path);
  const std::vector<uint32_t> dims = CheckHeader(path, bytes, kImagesMagic, "images x rows x cols");
  // CheckHeader bounds rows and cols by 2^31-1; the data fits in kMaxFileBytes < 2^31 and
  // rows, cols >= 1, so the count fits an int too.
  IdxImages out;
  out.count = static_cast<int>(dims[0]);
  out.rows = static_cast<int>(dims[1]);
  out.cols = static_cast<int>(dims[2]);
  bytes.erase(bytes.begin(), bytes.begin() + 16);
  out.pixels = std::move(bytes);
  return out;
}

std::vector<uint8_t> ReadIdxLabels(const std::string& path) {
  std::vector<uint8_t> bytes = ReadAll(path);
  CheckHeader(path, bytes, kLabelsMagic, "labels");
  bytes.erase(bytes.begin(), bytes.begin() + 8);
  return bytes;
}

Dataset LoadFashionMnist(const std::string& split, int count, const std::string& dir) {
  std::string prefix;
  if (split == "train") {
    prefix = "train";
  } else if (split == "test") {
    prefix = "t10k";
  } else {
    throw Error("unknown Fashion-MNIST split '" + split + "': use \"train\" or \"test\"");
  }
  const std::string images_path = FindFashionFile(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = FindFashionFile(dir, prefix + "-labels-idx1-ubyte");
  const IdxImages images = ReadIdxImages(images_path);
  const std::vector<uint8_t> labels = ReadIdxLabels(labels_path);
  if (static_cast<size_t>(images.count) != labels.size()) {
    throw FileError(images_path + " holds " + std::to_string(images.count) + " images but " +
                    labels_path + " " + std::to_string(labels.size()) +
                    " labels: the two files must come from the same split");
  }
  const int n = count <= 0 ? images.count : std::min(count, images.count);
  const size_t plane = static_cast<size_t>(images.rows) * images.cols;

  Dataset out;
  out.images.dims = {n, 1, images.rows, images.cols};
  out.images.data.resize(static_cast<size_t>(n) * plane);
  for (size_t i = 0; i < out.images.data.size(); ++i) {
    out.images.data[i] = static_cast<float>(images.pixels[i]) / 255.0f;
  }
  out.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    if (labels[i] >= kNumClasses) {
      throw FileError(labels_path + ": label " + std::to_string(labels[i]) + " of image " +
                      std::to_string(i) + " is not a Fashion-MNIST class (0..9)");
    }
    out.labels[i] = labels[i];
  }
  return out;
}

}  // namespace eyelet
