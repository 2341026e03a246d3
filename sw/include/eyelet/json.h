// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Minimal streaming JSON writer for the CLI's --json reports: objects, arrays, strings,
// integers, doubles and booleans, with commas and string escaping handled. No parsing.
#ifndef EYELET_JSON_H_
#define EYELET_JSON_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace eyelet {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& os) : os_(os) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  // The next value is the member `key` of the enclosing object.
  JsonWriter& Key(const std::string& key) {
    Separate();
    WriteString(key);
    os_ << ':';
    after_key_ = true;
    return *this;
  }

  JsonWriter& Value(const std::string& v) {
    Separate();
    WriteString(v);
    return *this;
  }
  JsonWriter& Value(const char* v) { return Value(std::string(v)); }
  JsonWriter& Value(bool v) {
    Separate();
    os_ << (v ? "true" : "false");
    return *this;
  }
  JsonWriter& Value(int v) { return Value(static_cast<int64_t>(v)); }
  JsonWriter& Value(int64_t v) {
    Separate();
    os_ << v;
    return *this;
  }
  JsonWriter& Value(uint64_t v) {
    Separate();
    os_ << v;
    return *this;
  }
  JsonWriter& Value(double v) {
    Separate();
    if (!std::isfinite(v)) {
      os_ << "null";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.6g", v);
      os_ << buf;
    }
    return *this;
  }

  template <class T>
  JsonWriter& Member(const std::string& key, const T& v) {
    Key(key);
    return Value(v);
  }

 private:
  JsonWriter& Open(char c) {
    Separate();
    os_ << c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& Close(char c) {
    os_ << c;
    first_.pop_back();
    if (first_.empty()) os_ << '\n';
    return *this;
  }
  // A comma before every element but the first of its container; none after a key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) os_ << ',';
      first_.back() = false;
    }
  }
  void WriteString(const std::string& s) {
    os_ << '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        os_ << '\\' << ch;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        os_ << buf;
      } else {
        os_ << ch;
      }
    }
    os_ << '"';
  }

  std::ostream& os_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace eyelet

#endif  // EYELET_JSON_H_
