// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
#include "cli_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "eyelet/cli.h"
#include "eyelet/rng.h"
#include "test_util.h"

namespace eyelet {
namespace test {

// A JSON report written by the tool, parsed (a parse error fails the test with the text).
nlohmann::json ReadJson(const std::string& path) {
  std::ifstream f(path);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(text.empty()) << path;
  EXPECT_EQ(text.back(), '\n') << path;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << path << ": " << e.what() << "\n" << text;
    return nlohmann::json();
  }
}

CliResult Eyelet(std::vector<std::string> args) {
  args.insert(args.begin(), "eyelet");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCli(static_cast<int>(args.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// Eyelet() with the arguments of a command line split at spaces ("layer --seed 3").
CliResult EyeletLine(const std::string& line) {
  std::vector<std::string> args;
  std::istringstream in(line);
  std::string arg;
  while (in >> arg) args.push_back(arg);
  return Eyelet(args);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// The value printed after `key` on its own line ("checksum  0x...").
std::string Field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + " ", 0) == 0) {
      const size_t start = line.find_first_not_of(' ', key.size());
      return start == std::string::npos ? "" : line.substr(start);
    }
  }
  return "";
}

Tensor<int16_t> RandomTensor(const Shape& shape, int lo, int hi, uint32_t seed) {
  Rng rng(seed);
  return RandomTensor(shape, rng, lo, hi);
}

}  // namespace test
}  // namespace eyelet
