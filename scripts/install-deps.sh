#!/usr/bin/env bash
# Installs the Debian 12 packages Eyelet needs. Idempotent: prints nothing and exits 0
# when everything is already present. Run as root (or with sudo available). --fpga adds the
# place-and-route tools of make fpga.
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build pkg-config
  verilator            # 5.006: RTL -> C++ (lint and simulation)
  yosys                # 0.23: synthesis smoke checks
  libgtest-dev googletest
  libboost-program-options-dev
  nlohmann-json3-dev   # 3.11: JSON reports (eyelet --json, map_report)
  zlib1g-dev           # FST tracing in Verilator; gzip IDX datasets (sw/src/idx.cc)
  gtkwave              # 3.3: opens the traces; its fst2vcd reads them in tests/cli_debug_test.cc
  dataset-fashion-mnist  # the demo's data: /usr/share/datasets/fashion-mnist (eyelet/idx.h)
  libonnx-dev          # 1.12: onnx.proto and its C++ classes (onnx-ml.pb.h): the importer
  libprotobuf-dev      # 3.21: the protobuf runtime and headers those classes need
  protobuf-compiler    # protoc 3.21, should a build regenerate the classes from onnx.proto
  libonnx-testdata     # ONNX's node tests, /usr/share/libonnx-testdata/data/node: importer cases
  clang                # 14: the sanitizer and fuzzing build (make test-asan, make fuzz)
  libclang-rt-14-dev   # its ASan, UBSan and libFuzzer runtimes
  llvm                 # llvm-symbolizer: source lines in sanitizer reports
  lcov                 # 1.16: genhtml, the HTML report of make coverage
)
# make fpga also needs the open iCE40 place and route: scripts/install-deps.sh --fpga.
if [ "${1:-}" = "--fpga" ]; then
  pkgs+=(
    nextpnr-ice40        # 0.4: place and route for the iCE40 UP5K (make fpga)
    fpga-icestorm        # icepack (bitstream), icetime, iceprog (programming)
    fpga-icestorm-chipdb # the device database nextpnr-ice40 needs ("Can't find chipdb file")
  )
fi
# python3-torch and python3-onnx are not listed: only scripts/train_fashion_mnist.py and
# scripts/make_onnx_fixtures.py need them, to retrain or regenerate the committed models.

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
