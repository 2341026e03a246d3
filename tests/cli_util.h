// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// Running the `eyelet` CLI in-process in tests (tests/cli_test.cc, tests/cli_run_test.cc):
// the command's exit code and output, JSON reports, temporary directories.
#ifndef EYELET_TESTS_CLI_UTIL_H_
#define EYELET_TESTS_CLI_UTIL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eyelet/tensor.h"

namespace eyelet {
namespace test {

// A JSON report written by the tool, parsed (a parse error fails the test with the text).
nlohmann::json ReadJson(const std::string& path);

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

// RunCli on `args` (without the program name), capturing both streams.
CliResult Eyelet(std::vector<std::string> args);
// Eyelet() with the arguments of a command line split at spaces ("layer --seed 3").
CliResult EyeletLine(const std::string& line);

bool Contains(const std::string& haystack, const std::string& needle);
// A tensor of values in [lo, hi] drawn from `seed` (test_util's RandomTensor on Rng(seed)), for
// .npy files fed to the tool.
Tensor<int16_t> RandomTensor(const Shape& shape, int lo, int hi, uint32_t seed);
std::string Hex64(uint64_t v);
// The value printed after `key` on its own line ("checksum  0x...").
std::string Field(const std::string& out, const std::string& key);

}  // namespace test
}  // namespace eyelet

#endif  // EYELET_TESTS_CLI_UTIL_H_
