// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// NumPy .npy reader and writer; format reference:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#include "eyelet/npy.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <type_traits>

#include "eyelet/error.h"
#include "eyelet/file_io.h"

namespace eyelet {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlign = 64;
constexpr int64_t kMaxDim = int64_t{1} << 62;
constexpr const char* kSaveHint = "write it with np.save(path, arr)";

[[noreturn]] void Fail(const std::string& name, const std::string& problem,
                       const std::string& what_to_do) {
  throw FileError(name + ": " + problem + "; " + what_to_do);
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// Printable excerpt of header text for error messages.
std::string Excerpt(const std::string& text, size_t max_chars = 80) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max_chars; ++i) {
    unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch >= 0x20 && ch < 0x7f) {
      out += static_cast<char>(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", ch);
      out += buf;
    }
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

// Describes a NumPy descr we do not read and says which astype() to save with instead.
// The item size is read only when it is 1 to 3 digits (NumPy's are 1 to 16 bytes): a file's
// descr can say '<i2147483647', whose size in bits overflows an int.
std::string DescribeDtype(const std::string& descr) {
  const std::string size = descr.size() >= 3 ? descr.substr(2) : "";
  const bool size_ok = !size.empty() && size.size() <= 3 &&
                       size.find_first_not_of("0123456789") == std::string::npos;
  if (size_ok) {
    const int bytes = std::stoi(size);
    switch (descr[1]) {
      case 'i':
        return "int" + std::to_string(8 * bytes);
      case 'u':
        return "uint" + std::to_string(8 * bytes);
      case 'f':
        return "float" + std::to_string(8 * bytes);
      case 'c':
        return "complex" + std::to_string(16 * bytes);
      case 'b':
        return "bool";
      default:
        break;
    }
  }
  return "an unsupported type";
}

std::string AstypeHint(const std::string& descr) {
  char kind = descr.size() >= 2 ? descr[1] : '?';
  if (kind == 'f' || kind == 'c') {
    return "save with np.save(path, arr.astype(np.float32)), or quantize and save "
           "arr.astype(np.int16)";
  }
  return "save with np.save(path, arr.astype(np.int16)) for data and weights or "
         "arr.astype(np.int32) for accumulators";
}

// --- Header dict parser: a tiny subset of Python literals, enough for what np.save writes
// and for hand-written variants (any key order, any spacing, trailing commas, either quote).
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : text_(text), name_(name) {}

  NpyHeader Parse() {
    NpyHeader header;
    bool have_descr = false;
    bool have_fortran = false;
    bool have_shape = false;
    SkipSpace();
    if (!Consume('{')) {
      Malformed("the header is not a Python dict (it does not start with '{')");
    }
    SkipSpace();
    while (!Consume('}')) {
      std::string key = ParseString("a dict key");
      SkipSpace();
      if (!Consume(':')) Malformed("expected ':' after key '" + key + "'");
      SkipSpace();
      if (key == "descr") {
        if (have_descr) Malformed("key 'descr' appears twice");
        have_descr = true;
        if (Peek() == '[') {
          Fail(name_, "holds a structured dtype (a list of fields)",
               "eyelet reads plain int8, int16, int32 and float32 arrays: save one field, "
               "e.g. np.save(path, arr['x'].astype(np.int16))");
        }
        header.descr = ParseString("the 'descr' value");
      } else if (key == "fortran_order") {
        if (have_fortran) Malformed("key 'fortran_order' appears twice");
        have_fortran = true;
        header.fortran_order = ParseBool("fortran_order");
      } else if (key == "shape") {
        if (have_shape) Malformed("key 'shape' appears twice");
        have_shape = true;
        header.shape = ParseShape();
      } else {
        Malformed("unexpected key '" + key +
                  "' (np.save writes only 'descr', 'fortran_order' and 'shape')");
      }
      SkipSpace();
      if (Consume(',')) {
        SkipSpace();
      } else if (Peek() != '}') {
        Malformed("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) Malformed("unexpected text after the closing '}'");
    if (!have_descr) Malformed("the header has no 'descr' key");
    if (!have_fortran) Malformed("the header has no 'fortran_order' key");
    if (!have_shape) Malformed("the header has no 'shape' key");
    return header;
  }

 private:
  [[noreturn]] void Malformed(const std::string& problem) {
    Fail(name_,
         "malformed .npy header: " + problem + " at offset " + std::to_string(pos_) +
             " of header \"" + Excerpt(text_) + "\"",
         kSaveHint);
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  bool Consume(char ch) {
    if (!AtEnd() && text_[pos_] == ch) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                        text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  std::string ParseString(const std::string& what) {
    char quote = Peek();
    if (quote != '\'' && quote != '"') Malformed("expected a quoted string for " + what);
    ++pos_;
    std::string value;
    while (true) {
      if (AtEnd()) Malformed("unterminated string in " + what);
      char ch = text_[pos_++];
      if (ch == quote) break;
      if (ch == '\\') {
        if (AtEnd()) Malformed("unterminated string in " + what);
        ch = text_[pos_++];
      }
      value += ch;
    }
    return value;
  }

  std::string ParseWord() {
    std::string word;
    while (!AtEnd()) {
      char ch = text_[pos_];
      if (ch == ',' || ch == ')' || ch == '}' || ch == ' ' || ch == '\t' || ch == '\n' ||
          ch == '\r') {
        break;
      }
      word += ch;
      ++pos_;
    }
    return word;
  }

  bool ParseBool(const std::string& key) {
    size_t start = pos_;
    std::string word = ParseWord();
    if (word == "True") return true;
    if (word == "False") return false;
    pos_ = start;
    Malformed("'" + key + "' must be True or False, not '" + Excerpt(word, 20) + "'");
  }

  std::vector<int64_t> ParseShape() {
    if (!Consume('(')) {
      Malformed("'shape' must be a tuple such as (2, 3), (3,) or ()");
    }
    std::vector<int64_t> shape;
    bool trailing_comma = false;
    SkipSpace();
    while (!Consume(')')) {
      if (AtEnd()) Malformed("unterminated 'shape' tuple");
      shape.push_back(ParseDim());
      SkipSpace();
      trailing_comma = Consume(',');
      SkipSpace();
      if (!trailing_comma && Peek() != ')') {
        Malformed("expected ',' or ')' in the 'shape' tuple");
      }
    }
    if (shape.size() == 1 && !trailing_comma) {
      // "(3)" is the integer 3 in Python, not a tuple; NumPy rejects it as well.
      Malformed("'shape' (" + std::to_string(shape[0]) + ") is not a tuple; write (" +
                std::to_string(shape[0]) + ",)");
    }
    return shape;
  }

  int64_t ParseDim() {
    size_t start = pos_;
    std::string word = ParseWord();
    std::string digits = word;
    if (!digits.empty() && (digits.back() == 'L' || digits.back() == 'l')) {
      digits.pop_back();  // Python 2 long literal, as very old NumPy wrote "(3L, 4L)"
    }
    bool negative = !digits.empty() && digits[0] == '-';
    if (negative || (!digits.empty() && digits[0] == '+')) digits.erase(0, 1);
    bool all_digits = !digits.empty();
    for (char ch : digits) all_digits = all_digits && ch >= '0' && ch <= '9';
    pos_ = start;
    if (!all_digits) {
      Malformed("shape entry '" + Excerpt(word, 20) + "' is not a non-negative integer");
    }
    if (negative && digits.find_first_not_of('0') != std::string::npos) {
      Malformed("shape entry " + word + " is negative");
    }
    int64_t value = 0;
    for (char ch : digits) {
      if (value > (kMaxDim - (ch - '0')) / 10) {
        Malformed("shape entry " + Excerpt(word, 30) + " is too large");
      }
      value = value * 10 + (ch - '0');
    }
    pos_ = start + word.size();
    return value;
  }

  const std::string& text_;
  const std::string& name_;
  size_t pos_ = 0;
};

// Validates a descr from a file: returns the canonical form or throws FileError.
std::string FileDtype(const std::string& descr, const std::string& name) {
  if (descr.size() == 3 && descr[1] == 'i' && descr[2] == '1' &&
      (descr[0] == '|' || descr[0] == '<' || descr[0] == '>' || descr[0] == '=')) {
    return kNpyInt8;  // byte order is meaningless for one byte
  }
  if (descr == kNpyInt16 || descr == kNpyInt32 || descr == kNpyFloat32) return descr;
  if (descr.size() == 3 && descr[0] == '>' &&
      (descr == ">i2" || descr == ">i4" || descr == ">f4")) {
    Fail(name, "holds big-endian data ('" + descr + "')",
         "eyelet reads little-endian files: save with "
         "np.save(path, arr.astype(arr.dtype.newbyteorder('<')))");
  }
  Fail(name, "dtype '" + Excerpt(descr, 20) + "' (" + DescribeDtype(descr) + ") is not supported",
       "eyelet reads int8, int16, int32 and float32: " + AstypeHint(descr));
}

uint64_t ReadLe(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void WriteLe(uint64_t v, int n, std::vector<uint8_t>* out) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Decodes element i of a canonical-dtype array; every supported type converts exactly to
// the target types it is loaded as.
template <typename T>
Tensor<T> ToTensor(const NpyArray& a, const std::string& path) {
  Tensor<T> t(NpyShapeToNchw(a.shape, path));
  std::vector<T>& data = t.data();
  const uint8_t* p = a.bytes.data();
  const size_t count = data.size();
  if (a.dtype == kNpyInt8) {
    for (size_t i = 0; i < count; ++i) data[i] = static_cast<T>(static_cast<int8_t>(p[i]));
  } else if (a.dtype == kNpyInt16) {
    for (size_t i = 0; i < count; ++i) {
      data[i] = static_cast<T>(static_cast<int16_t>(ReadLe(p + 2 * i, 2)));
    }
  } else if (a.dtype == kNpyInt32) {
    for (size_t i = 0; i < count; ++i) {
      data[i] = static_cast<T>(static_cast<int32_t>(ReadLe(p + 4 * i, 4)));
    }
  } else {
    for (size_t i = 0; i < count; ++i) {
      const uint32_t bits = static_cast<uint32_t>(ReadLe(p + 4 * i, 4));
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      data[i] = static_cast<T>(f);
    }
  }
  return t;
}

// Rejects a file's dtype unless it is one of `accepted`.
void RequireDtype(const NpyArray& a, const std::string& path,
                  const std::vector<std::string>& accepted, const std::string& use,
                  const std::string& hint) {
  for (const std::string& d : accepted) {
    if (a.dtype == d) return;
  }
  Fail(path, "holds " + NpyDtypeName(a.dtype) + " data but " + use, hint);
}

std::string NchwIndex(const Shape& s, int64_t i) {
  int64_t w = i % s.w;
  int64_t h = (i / s.w) % s.h;
  int64_t c = (i / s.w / s.h) % s.c;
  int64_t n = i / s.w / s.h / s.c;
  return "[" + std::to_string(n) + "," + std::to_string(c) + "," + std::to_string(h) + "," +
         std::to_string(w) + "]";
}

std::string FormatValue(double v) {
  std::ostringstream os;
  if (std::floor(v) == v && std::fabs(v) < 1e18) {
    os << static_cast<int64_t>(v);
  } else {
    os.precision(9);
    os << v;
  }
  return os.str();
}

}  // namespace

int64_t NpyArray::ElementCount() const {
  // An empty array's other dimensions may multiply past int64 (ParseNpy allows up to 2^62).
  for (int64_t d : shape) {
    if (d == 0) return 0;
  }
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count;
}

std::string CanonicalNpyDtype(const std::string& dtype) {
  if (dtype == "int8" || dtype == kNpyInt8 || dtype == "<i1") return kNpyInt8;
  if (dtype == "int16" || dtype == kNpyInt16) return kNpyInt16;
  if (dtype == "int32" || dtype == kNpyInt32) return kNpyInt32;
  if (dtype == "float32" || dtype == kNpyFloat32) return kNpyFloat32;
  throw UnsupportedError("dtype '" + dtype +
                         "' is not supported for .npy files; use int8, int16, int32 or float32");
}

int NpyItemSize(const std::string& dtype) {
  std::string d = CanonicalNpyDtype(dtype);
  if (d == kNpyInt8) return 1;
  if (d == kNpyInt16) return 2;
  return 4;
}

std::string NpyDtypeName(const std::string& dtype) {
  std::string d = CanonicalNpyDtype(dtype);
  if (d == kNpyInt8) return "int8";
  if (d == kNpyInt16) return "int16";
  if (d == kNpyInt32) return "int32";
  return "float32";
}

NpyArray ParseNpy(const std::vector<uint8_t>& image, const std::string& name) {
  const size_t size = image.size();
  if (size < kMagicSize || std::memcmp(image.data(), kMagic, kMagicSize) != 0) {
    Fail(name, "not a NumPy .npy file (it does not start with the magic \\x93NUMPY)", kSaveHint);
  }
  if (size < kMagicSize + 2) {
    Fail(name, "truncated after the magic (no format version)", kSaveHint);
  }
  const int major = image[kMagicSize];
  const int minor = image[kMagicSize + 1];
  if (major < 1 || major > 3 || minor != 0) {
    Fail(name,
         "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
             " (eyelet reads 1.0, 2.0 and 3.0)",
         kSaveHint);
  }
  const int len_bytes = major == 1 ? 2 : 4;
  const size_t len_offset = kMagicSize + 2;
  if (size < len_offset + len_bytes) {
    Fail(name, "truncated inside the header length field", kSaveHint);
  }
  const uint64_t header_len = ReadLe(image.data() + len_offset, len_bytes);
  const uint64_t data_offset = len_offset + len_bytes + header_len;
  if (data_offset > size) {
    Fail(name,
         "header length " + std::to_string(header_len) + " runs past the end of the file (" +
             std::to_string(size) + " bytes); the file is truncated",
         kSaveHint);
  }
  const std::string text(reinterpret_cast<const char*>(image.data()) + len_offset + len_bytes,
                         static_cast<size_t>(header_len));
  NpyHeader header = HeaderParser(text, name).Parse();

  NpyArray array;
  array.dtype = FileDtype(header.descr, name);
  if (header.fortran_order) {
    Fail(name, "is stored in Fortran order (fortran_order: True)",
         "eyelet reads C-order arrays: save with np.save(path, np.ascontiguousarray(arr))");
  }
  array.shape = header.shape;

  // Element count; a product beyond kMaxBytes (more than any file holds) stops counting.
  constexpr uint64_t kMaxBytes = uint64_t{1} << 62;
  const uint64_t item = static_cast<uint64_t>(NpyItemSize(array.dtype));
  const uint64_t available = size - data_offset;
  bool zero = false;
  bool huge = false;
  uint64_t count = 1;
  for (int64_t d : array.shape) {
    if (d == 0) {
      zero = true;
    } else if (count > kMaxBytes / item / static_cast<uint64_t>(d)) {
      huge = true;
    } else {
      count *= static_cast<uint64_t>(d);
    }
  }
  if (zero) {
    count = 0;
    huge = false;
  }
  if (huge || count * item > available) {
    const std::string needs =
        huge ? "more than 2^62 bytes" : std::to_string(count * item) + " bytes";
    Fail(name,
         "the data is " + std::to_string(available) + " bytes but shape " +
             ShapeString(array.shape) + " of " + NpyDtypeName(array.dtype) + " needs " + needs +
             "; the file is truncated",
         kSaveHint);
  }
  if (count * item < available) {
    Fail(name,
         std::to_string(available - count * item) + " bytes follow the " +
             std::to_string(count * item) + " bytes of data for shape " + ShapeString(array.shape) +
             " of " + NpyDtypeName(array.dtype) +
             "; the file is corrupt or holds more than one array",
         "write a single array per file with np.save(path, arr)");
  }
  array.bytes.assign(image.begin() + static_cast<std::ptrdiff_t>(data_offset), image.end());
  return array;
}

NpyArray ReadNpy(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    Fail(path, "is a directory, not a .npy file", "pass the path of a file written by np.save");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    Fail(path, std::string("cannot open: ") + std::strerror(errno),
         "check the path and permissions");
  }
  std::vector<uint8_t> image;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) image.insert(image.end(), buf, buf + n);
  const bool failed = std::ferror(f) != 0;
  const int saved_errno = errno;
  std::fclose(f);
  if (failed) {
    Fail(path, std::string("read error: ") + std::strerror(saved_errno),
         "check the file and the disk");
  }
  return ParseNpy(image, path);
}

std::vector<uint8_t> EncodeNpy(const NpyArray& array) {
  const std::string dtype = CanonicalNpyDtype(array.dtype);
  uint64_t count = 1;
  for (int64_t d : array.shape) {
    if (d < 0 || d > kMaxDim) {
      throw ShapeError("cannot write a .npy array of shape " + ShapeString(array.shape) +
                       ": dimensions must be between 0 and 2^62");
    }
    count *= static_cast<uint64_t>(d);
  }
  const uint64_t expected = count * static_cast<uint64_t>(NpyItemSize(dtype));
  if (array.bytes.size() != expected) {
    throw ShapeError("cannot write a .npy array of shape " + ShapeString(array.shape) + " of " +
                     NpyDtypeName(dtype) + ": it needs " + std::to_string(expected) +
                     " bytes of data but has " + std::to_string(array.bytes.size()));
  }
  std::string dict = "{'descr': '" + dtype +
                     "', 'fortran_order': False, 'shape': " + ShapeString(array.shape) + ", }";
  // Magic, version, length field, dict, padding spaces, '\n': a multiple of kAlign bytes.
  int major = 1;
  size_t prefix = kMagicSize + 2 + 2;
  size_t total = (prefix + dict.size() + 1 + kAlign - 1) / kAlign * kAlign;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = kMagicSize + 2 + 4;
    total = (prefix + dict.size() + 1 + kAlign - 1) / kAlign * kAlign;
  }
  const size_t header_len = total - prefix;
  std::vector<uint8_t> image(kMagic, kMagic + kMagicSize);
  image.reserve(total + array.bytes.size());
  image.push_back(static_cast<uint8_t>(major));
  image.push_back(0);
  WriteLe(header_len, major == 1 ? 2 : 4, &image);
  image.insert(image.end(), dict.begin(), dict.end());
  image.resize(total - 1, ' ');
  image.push_back('\n');
  image.insert(image.end(), array.bytes.begin(), array.bytes.end());
  return image;
}

void WriteNpy(const std::string& path, const NpyArray& array) {
  const std::vector<uint8_t> image = EncodeNpy(array);  // throws before touching the disk
  WriteFileAtomically(path, image.data(), image.size());
}

Shape NpyShapeToNchw(const std::vector<int64_t>& shape, const std::string& name) {
  if (shape.size() > 4) {
    throw ShapeError(name + ": array of shape " + ShapeString(shape) + " has rank " +
                     std::to_string(shape.size()) +
                     "; eyelet tensors are NCHW with rank at most 4: reshape it, e.g. "
                     "np.save(path, arr.reshape(n, c, h, w))");
  }
  int dims[4] = {1, 1, 1, 1};
  const size_t lead = 4 - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] <= 0 || shape[i] > INT_MAX) {
      throw ShapeError(name + ": array of shape " + ShapeString(shape) +
                       (shape[i] <= 0 ? " is empty" : " has a dimension beyond 2^31-1") +
                       "; eyelet tensors need every dimension between 1 and 2^31-1");
    }
    dims[lead + i] = static_cast<int>(shape[i]);
  }
  return Shape{dims[0], dims[1], dims[2], dims[3]};
}

Tensor<int16_t> NpyToTensorI16(const NpyArray& a, const std::string& name) {
  RequireDtype(a, name, {kNpyInt8, kNpyInt16}, "data and weights must be int8 or int16",
               a.dtype == kNpyFloat32
                   ? "quantize first, then save with np.save(path, q.astype(np.int16))"
                   : "check the value range and save with np.save(path, arr.astype(np.int16))");
  return ToTensor<int16_t>(a, name);
}

Tensor<int32_t> NpyToTensorI32(const NpyArray& a, const std::string& name) {
  RequireDtype(a, name, {kNpyInt8, kNpyInt16, kNpyInt32}, "an integer tensor is expected",
               "save with np.save(path, np.round(arr).astype(np.int32))");
  return ToTensor<int32_t>(a, name);
}

Tensor<float> NpyToTensorF32(const NpyArray& a, const std::string& name) {
  RequireDtype(a, name, {kNpyFloat32}, "a float32 tensor is expected",
               "save with np.save(path, arr.astype(np.float32))");
  return ToTensor<float>(a, name);
}

Tensor<int16_t> LoadTensorI16(const std::string& path) {
  return NpyToTensorI16(ReadNpy(path), path);
}

Tensor<int32_t> LoadTensorI32(const std::string& path) {
  return NpyToTensorI32(ReadNpy(path), path);
}

Tensor<float> LoadTensorF32(const std::string& path) { return NpyToTensorF32(ReadNpy(path), path); }

template <typename T>
void SaveTensor(const std::string& path, const Tensor<T>& t, const std::string& dtype, int rank) {
  NpyArray a;
  a.dtype = CanonicalNpyDtype(dtype);
  const Shape& s = t.shape();
  const int dims[4] = {s.n, s.c, s.h, s.w};
  if (rank < 0 || rank > 4) {
    throw ShapeError("cannot save " + path + " with rank " + std::to_string(rank) +
                     ": the rank must be 0..4");
  }
  for (int i = 0; i < 4; ++i) {
    if (i < 4 - rank && dims[i] != 1) {
      throw ShapeError("cannot save " + path + " (shape " + s.ToString() + ") with rank " +
                       std::to_string(rank) + ": the leading dimensions dropped must be 1");
    }
    if (i >= 4 - rank) a.shape.push_back(dims[i]);
  }
  const int item = NpyItemSize(a.dtype);
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (a.dtype == kNpyInt8) {
    lo = INT8_MIN;
    hi = INT8_MAX;
  } else if (a.dtype == kNpyInt16) {
    lo = INT16_MIN;
    hi = INT16_MAX;
  } else if (a.dtype == kNpyInt32) {
    lo = INT32_MIN;
    hi = INT32_MAX;
  }
  const bool to_float = a.dtype == kNpyFloat32;
  a.bytes.reserve(static_cast<size_t>(t.size()) * item);
  for (int64_t i = 0; i < t.size(); ++i) {
    const T v = t.data()[static_cast<size_t>(i)];
    const double d = static_cast<double>(v);
    bool exact;
    if (to_float) {
      exact = std::is_floating_point<T>::value || static_cast<double>(static_cast<float>(v)) == d;
    } else {
      exact = d >= lo && d <= hi && std::floor(d) == d;
    }
    if (!exact) {
      throw ShapeError("cannot save " + path + " as " + NpyDtypeName(a.dtype) + ": element " +
                       NchwIndex(s, i) + " is " + FormatValue(d) + ", which " +
                       NpyDtypeName(a.dtype) +
                       " cannot hold exactly; save as a wider type or requantize first");
    }
    if (to_float) {
      const float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof(bits));
      WriteLe(bits, 4, &a.bytes);
    } else {
      WriteLe(static_cast<uint64_t>(static_cast<int64_t>(d)), item, &a.bytes);
    }
  }
  WriteNpy(path, a);
}

template void SaveTensor<int16_t>(const std::string&, const Tensor<int16_t>&, const std::string&,
                                  int);
template void SaveTensor<int32_t>(const std::string&, const Tensor<int32_t>&, const std::string&,
                                  int);
template void SaveTensor<float>(const std::string&, const Tensor<float>&, const std::string&, int);

FTensor LoadFTensor(const std::string& path) {
  const NpyArray a = ReadNpy(path);
  if (a.dtype != kNpyFloat32) {
    throw FileError(path + ": dtype " + NpyDtypeName(a.dtype) +
                    " where float32 is needed; save it with x.astype(np.float32)");
  }
  FTensor t;
  t.dims = a.shape;
  t.data.resize(static_cast<size_t>(a.ElementCount()));
  // memcpy from an empty vector's data(), which may be null, is undefined even for 0 bytes.
  if (!t.data.empty()) std::memcpy(t.data.data(), a.bytes.data(), t.data.size() * sizeof(float));
  return t;
}

void SaveFTensor(const std::string& path, const FTensor& t) {
  NpyArray a;
  a.dtype = kNpyFloat32;
  a.shape = t.dims;
  a.bytes.resize(t.data.size() * sizeof(float));
  if (!a.bytes.empty()) std::memcpy(a.bytes.data(), t.data.data(), a.bytes.size());
  WriteNpy(path, a);
}

}  // namespace eyelet
