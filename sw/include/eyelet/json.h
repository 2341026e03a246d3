// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// A minimal JSON writer for machine-readable reports: objects, arrays, strings, integers,
// doubles, booleans and null, indented by two spaces. Calls must nest properly (a Key before
// every value inside an object, none inside an array); str() returns the document.
#ifndef EYELET_JSON_H_
#define EYELET_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

namespace eyelet {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(const std::string& key);
  JsonWriter& String(const std::string& v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);  // shortest round-trip form; NaN and infinities as null
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // The document, ending with a newline.
  std::string str() const { return out_ + "\n"; }

 private:
  void BeforeValue();
  JsonWriter& Close(char bracket);

  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace eyelet

#endif  // EYELET_JSON_H_
