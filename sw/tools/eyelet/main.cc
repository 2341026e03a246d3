// Copyright Eyelet contributors. SPDX-License-Identifier: Apache-2.0
//
// The `eyelet` command-line tool; everything lives in eyelet/cli.h so tests run it in-process.
// The rtl backend is linked beside (eyelet_rtl_backend) and registers itself.
#include <iostream>

#include "eyelet/cli.h"
#include "eyelet/interrupt.h"

int main(int argc, char** argv) {
  eyelet::InstallInterruptHandler();  // Ctrl-C stops the run cleanly (eyelet/interrupt.h)
  return eyelet::RunCli(argc, argv, std::cout, std::cerr);
}
