// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` command-line tool; everything lives in eyelet/cli.h so tests run it in-process.
// The rtl backend is linked beside (eyelet_rtl_backend) and registers itself.
#include <iostream>

#include "eyelet/cli.h"

int main(int argc, char** argv) { return eyelet::RunCli(argc, argv, std::cout, std::cerr); }
