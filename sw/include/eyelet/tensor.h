// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A dense NCHW tensor. Integer data (DataW <= 16 bits) is held in int16_t, accumulators in
// int32_t, float references in float or double. Elements are stored in C order:
// index = ((n * C + c) * H + h) * W + w.
#ifndef EYELET_TENSOR_H_
#define EYELET_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eyelet/error.h"

namespace eyelet {

struct Shape {
  int n = 1;
  int c = 1;
  int h = 1;
  int w = 1;

  int64_t Size() const {
    return static_cast<int64_t>(n) * c * h * w;
  }
  bool operator==(const Shape& o) const {
    return n == o.n && c == o.c && h == o.h && w == o.w;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string ToString() const {
    return std::to_string(n) + "x" + std::to_string(c) + "x" + std::to_string(h) + "x" +
           std::to_string(w);
  }
};

template <typename T>
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape, T fill = T{}) : shape_(shape) {
    if (shape.n <= 0 || shape.c <= 0 || shape.h <= 0 || shape.w <= 0) {
      throw ShapeError("tensor shape " + shape.ToString() + " has a zero or negative dimension");
    }
    data_.assign(static_cast<size_t>(shape.Size()), fill);
  }

  const Shape& shape() const { return shape_; }
  int64_t size() const { return static_cast<int64_t>(data_.size()); }
  std::vector<T>& data() { return data_; }
  const std::vector<T>& data() const { return data_; }

  size_t Index(int n, int c, int h, int w) const {
    return ((static_cast<size_t>(n) * shape_.c + c) * shape_.h + h) * shape_.w + w;
  }
  T& at(int n, int c, int h, int w) { return data_[Index(n, c, h, w)]; }
  const T& at(int n, int c, int h, int w) const { return data_[Index(n, c, h, w)]; }

 private:
  Shape shape_;
  std::vector<T> data_;
};

}  // namespace eyelet

#endif  // EYELET_TENSOR_H_
