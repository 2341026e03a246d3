// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Exceptions for "could not do the job": every message says what was wrong and what to do.
// `main` catches eyelet::Error and maps it to an exit code; expected outcomes (a comparison
// that fails, a layer that does not map) are return values, not exceptions.
#ifndef EYELET_ERROR_H_
#define EYELET_ERROR_H_

#include <stdexcept>
#include <string>

#include "eyelet/error_codes.h"

namespace eyelet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A file could not be opened, read or written, or its contents are malformed.
class FileError : public Error {
 public:
  using Error::Error;
};

// Tensor shapes or layer parameters that are inconsistent or out of range.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A layer or configuration the hardware (or this version of the software) does not support.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// A simulated or real device did not finish within its cycle or time budget.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// The device reported a failure: an error code in STATUS for descriptor `desc_index` of the
// chain, or (code kNone, desc_index -1) an error response to a register access.
class DeviceError : public Error {
 public:
  DeviceError(const std::string& what, ErrCode code, int desc_index)
      : Error(what), code_(code), desc_index_(desc_index) {}
  ErrCode code() const { return code_; }
  int desc_index() const { return desc_index_; }

 private:
  ErrCode code_;
  int desc_index_;
};

// The device's DRAM window cannot hold what a run asks for (Device::Alloc): a capacity limit
// of the device (a board's 128 KB), not a fault. A sweep counts such a layer as skipped.
class DramFullError : public Error {
 public:
  using Error::Error;
};

// A command line that cannot be parsed: main prints the usage and exits with code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace eyelet

#endif  // EYELET_ERROR_H_
