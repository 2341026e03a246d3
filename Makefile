# Eyelet front door. `make run` and `make test` are the two commands a new user needs: both
# install missing Debian packages first (scripts/install-deps.sh) and build what they need.
BUILD   ?= build
JOBS    ?= 2
RTL_TOP ?= ey_top
RTL_SRC := $(shell grep '^rtl/' rtl/eyelet.f)
GATE_NETLIST := $(BUILD)/gate/ey_top_tiny.v

.PHONY: all deps configure build run test asan-build test-asan fuzz bench soak coverage lint synth wave \
  fpga fpga-report fpga-area fpga-baseline gate clean

all: build

deps:
	@scripts/install-deps.sh

# Reconfigured when an RTL file list changes: a renamed file would otherwise stop ninja's own
# regeneration of build.ninja with "missing and no known rule to make it".
$(BUILD)/build.ninja: rtl/eyelet.f rtl/fpga/system.f | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: the Fashion-MNIST demo CNN (models/fashion_cnn.onnx, trained by
# scripts/train_fashion_mnist.py) imported from ONNX, quantized to 8 bits with 1,000 training
# images for calibration, and run as one descriptor chain per batch: first all 10,000 test
# images on the golden-model device (float vs quantized accuracy), then 32 test images
# through the Verilated 12 x 14 accelerator with every layer's outputs compared element by
# element with the golden model (per-layer cycles, utilization, DRAM bytes; PASS/FAIL).
DEMO_MODEL ?= models/fashion_cnn.onnx
run: build
	$(BUILD)/eyelet run $(DEMO_MODEL) --dataset fashion-mnist --backend golden --batch 100
	$(BUILD)/eyelet run $(DEMO_MODEL) --dataset fashion-mnist --count 32 --batch 16 \
	  --backend rtl --config eyeriss --check

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Hardening: one clang build directory with AddressSanitizer and UndefinedBehaviorSanitizer
# (any report fails the test or fuzz run) and the libFuzzer targets; of the RTL only the
# descriptor checker is Verilated there, for fuzz_desc_rtl (EY_VERILATED=OFF: no RTL tests, CLI
# tests, eyelet tool or benches). -O1 with line tables keeps the build short and the reports
# readable; asserts stay on.
ASAN_BUILD ?= build-asan
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
	  -DEY_SANITIZE=ON -DEY_FUZZ=ON -DEY_VERILATED=OFF

asan-build: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# ASAN_GTEST_FILTER picks tests (GoogleTest syntax). ASAN_SKIP_SLOW=1 (CI) leaves out
# ASAN_SLOW_TESTS: the mapper searches and demo runs that take 20 s to 10 minutes each under the
# sanitizers (a single `make test-asan` runs them; `make test` runs them too).
ASAN_SLOW_TESTS := Tiling.ChosenTilingFitsAndNoLegalTilingIsMuchCheaper \
  BenchRows.JsonHasEveryRowAndTotal BenchRows.ModelRowsAreTheCostModels \
  BenchRows.RlcCutsTheFeatureMapBytesButTheFirstInputAndTheLastOutput \
  Mapping.ChosenMappingsAreLegalOnRandomLayers MapReport.AlexNetTableHasEveryLayer \
  Eyeriss.AlexNetConv2To5MapOnOurEyerissBuildInChannelChunks \
  Eyeriss.OnOurEyerissBuildTheMapperBeatsEyerissOnConv2To5 \
  Json.MapTableOfAlexNetHasEyerissBesideOurs PoolRuntime.LeNet5RunsAsOneChainOnEyeriss \
  FashionDemo.QuantizedAccuracyOnTheFullTestSplit \
  FashionDemo.GoldenDeviceRunsTheChainAsTheGoldenModel
empty :=
space := $(empty) $(empty)
ifeq ($(ASAN_SKIP_SLOW),1)
ASAN_GTEST_FILTER ?= -$(subst $(space),:,$(strip $(ASAN_SLOW_TESTS)))
else
ASAN_GTEST_FILTER ?= *
endif
test-asan: asan-build
	scripts/test-asan.sh $(ASAN_BUILD) $(JOBS) '$(ASAN_GTEST_FILTER)'

# Each libFuzzer target for FUZZ_SECONDS from its seeds (fuzz/corpus/<target>) and what earlier
# runs found (build-asan/fuzz/corpus/<target>); prints executions, seconds and crashes per
# target and fails on any crash, leak, timeout or out-of-memory (scripts/fuzz.sh). FUZZ_RUNS=N
# stops each target after N inputs. desc_rtl is the differential one: descriptor words through
# the Verilated checker and CheckDesc, which must agree.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_TARGETS ?= npy onnx idx desc desc_rtl manifest uart
fuzz: asan-build
	FUZZ_RUNS=$(FUZZ_RUNS) scripts/fuzz.sh $(ASAN_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Performance figures (utilization, simulation speed); each layer is checked against the golden
# model as it runs. Then the demo network on the accelerator: cycles, utilization and DRAM bytes
# per layer, cycles and simulated time per image. Last, AlexNet CONV1-5 by the cost model beside
# the Eyeriss chip's measured table (cycles, utilization, DRAM traffic, normalized energy).
CONV3 := layer --backend rtl --config eyeriss --batch 1 --in-channels 32 --out-channels 64 \
  --height 13 --width 13 --kernel 3 --stride 1 --pad 1 --groups 1 --seed 1
bench: build
	$(BUILD)/eyelet_bench eyeriss
	$(BUILD)/eyelet $(CONV3) --trace $(BUILD)/conv3_all.fst | grep '^trace'
	$(BUILD)/eyelet $(CONV3) --trace $(BUILD)/conv3_pass5.fst --trace-pass 5 | grep '^trace'
	$(BUILD)/eyelet $(CONV3) --trace $(BUILD)/conv3_pass5_col.fst --trace-pass 5 \
	  --trace-scope 'walker,pe[*][0]' | grep '^trace'
	@mkdir -p $(BUILD)/conv3_report
	$(BUILD)/eyelet $(CONV3) --report $(BUILD)/conv3_report | grep -A1 '^report'
	$(BUILD)/eyelet run $(DEMO_MODEL) --dataset fashion-mnist --count 32 --batch 16 \
	  --backend rtl --config eyeriss --check
	$(BUILD)/eyelet bench --net alexnet --batch 4 --config eyeriss

# The soak: 10,000 random CONV/FC/POOL layers with random output paths on the tiny and small
# builds under six DRAM models, each checked against the golden model, spread over the cores;
# prints `N passed, M failed` and the command that reruns each failure. Not part of `make test`
# (about half an hour here). SOAK_LAYERS, SOAK_JOBS, SOAK_SHARD/SOAK_SHARDS (a cluster's share):
# see scripts/soak.sh.
soak: build
	scripts/soak.sh

# RTL coverage (docs/coverage.md): a build directory of its own, COV_BUILD, configured with
# EY_COVERAGE=ON (every Verilated model with --coverage and the RTL's cover points; tiny and small
# only, so the main build never carries coverage), where only the tool and the RTL tests are
# built; then the regression (the directed RTL tests and COV_LAYERS random layers under the
# soak's DRAM models), the merged counts, annotated sources, an HTML report and a summary per
# module with every cover point's hits (scripts/coverage.sh). Not in CI.
COV_BUILD ?= build-cov
$(COV_BUILD)/build.ninja: | deps
	cmake -S . -B $(COV_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DEY_COVERAGE=ON

coverage: deps $(COV_BUILD)/build.ninja
	cmake --build $(COV_BUILD) -j $(JOBS) --target eyelet eyelet_rtl_tests
	COV_JOBS=$(JOBS) scripts/coverage.sh $(COV_BUILD)

# Besides Verilator: a typed parameter set to an unsized fill literal ('1) is refused, because
# Yosys 0.23 evaluates `localparam logic [7:0] X = '1` as 1 (the gate-level check found one).
lint: deps
	@if grep -nE "(localparam|parameter)[^;]*=[[:space:]]*'[01xzXZ]([^0-9a-zA-Z_]|$$)" rtl/*.sv rtl/*.svh; then \
	  echo "lint: a parameter set to an unsized fill literal: Yosys 0.23 reads '1 there as 1;" \
	    "write {W{1'b1}}"; exit 1; fi
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module $(RTL_TOP)
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module ey_pe_unit
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module ey_csr
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f -f rtl/fpga/system.f \
	  rtl/fpga/ey_icebreaker.sv --top-module ey_icebreaker

# The whole accelerator's synthesis is the gate-level netlist of the `tiny` config (below):
# flattened, generic gates, `check -assert`; `make gate` simulates it.
synth: deps $(GATE_NETLIST)
	@mkdir -p $(BUILD)
	constraints/synth_smoke.sh $(BUILD)/synth ey_pe_unit
	constraints/synth_smoke.sh $(BUILD)/synth ey_csr
	constraints/synth_smoke.sh $(BUILD)/synth ey_uart_bridge
	constraints/synth_smoke.sh $(BUILD)/synth ey_axi_sram -set Words 64

# The iCEBreaker bitstream (constraints/fpga_build.sh): the board system (rtl/fpga/: the up5k
# accelerator, its SPRAM DRAM, the UART bridge) synthesized for the iCE40 UP5K, utilization
# printed, then nextpnr-ice40 place and route with constraints/icebreaker.pcf, its Fmax, and
# icepack's $(FPGA_DIR)/board/ey_icebreaker.bin. Installs nextpnr-ice40 and icestorm first.
# Today the up5k config is about 4x the UP5K's LUTs and the build stops after synthesis,
# naming the resources that are over (README.md, section FPGA).
fpga:
	@scripts/install-deps.sh --fpga
	constraints/fpga_build.sh $(FPGA_DIR)/board

# FPGA resource estimates (constraints/fpga_synth.sh, scripts/fpga_report.py): Yosys 0.23 maps
# the whole accelerator with its hierarchy kept, and the report prints LUTs, flip-flops, block
# RAMs and DSPs per unit (PEs, array networks, GLB, pass controller, each walker part, output
# path, pooling, counters, DMA, CSRs) and in total against the device: the `up5k` config on an
# iCE40 UP5K, the `eyeriss` 12 x 14 config on a Zynq-7020 and an ECP5-85F. Estimates before place
# and route; about 40 minutes here (about 120 s, 1,258 s, 856 s), not in CI. Tables and JSON in
# $(BUILD)/fpga.
FPGA_DIR ?= $(BUILD)/fpga
fpga-report: deps
	constraints/fpga_synth.sh $(FPGA_DIR) ice40 up5k
	constraints/fpga_synth.sh $(FPGA_DIR) xc7 eyeriss
	constraints/fpga_synth.sh $(FPGA_DIR) ecp5 eyeriss
	python3 scripts/fpga_report.py $(FPGA_DIR)/ice40_up5k.stat $(FPGA_DIR)/xc7_eyeriss.stat \
	  $(FPGA_DIR)/ecp5_eyeriss.stat --json $(FPGA_DIR)/fpga_report.json \
	  --check constraints/area_baseline.json

# The area check CI runs: the iCE40 `up5k` config per unit against the recorded baseline
# (constraints/area_baseline.json); fails when a unit grows by more than FPGA_MARGIN percent.
# fpga-baseline records the current figures after an intended change.
FPGA_MARGIN ?= 5
fpga-area: deps
	constraints/fpga_synth.sh $(FPGA_DIR) ice40 up5k
	python3 scripts/fpga_report.py $(FPGA_DIR)/ice40_up5k.stat \
	  --check constraints/area_baseline.json --margin $(FPGA_MARGIN)
fpga-baseline: deps
	constraints/fpga_synth.sh $(FPGA_DIR) ice40 up5k
	python3 scripts/fpga_report.py $(FPGA_DIR)/ice40_up5k.stat \
	  --write-baseline constraints/area_baseline.json

# Gate-level check (scripts/gate_check.sh): Yosys synthesizes the `tiny` accelerator to generic
# gates (constraints/gate_netlist.sh), Verilator builds the netlist into eyelet_gate (backend
# rtlgate), and GATE_LAYERS random layers, output paths and chains from random initial state
# run on it and on the RTL: outputs equal to the golden model's, cycles equal to the RTL's.
GATE_LAYERS ?= 12
GATE_SEED ?= 1
$(GATE_NETLIST): $(RTL_SRC) $(wildcard rtl/*.svh) constraints/gate_netlist.sh | deps
	constraints/gate_netlist.sh $@ tiny
gate: build $(GATE_NETLIST)
	cmake -S . -B $(BUILD) -DEY_GATE=ON
	cmake --build $(BUILD) -j $(JOBS) --target eyelet_gate
	scripts/gate_check.sh $(BUILD) $(GATE_LAYERS) $(GATE_SEED)

# A waveform of one processing pass of the CONV3-shaped layer on the 12 x 14 accelerator,
# scoped to the walker, the DMA, the pass controller, the CSRs and PE (0, 0), with its GTKWave
# save file (signals grouped, markers at the pass's ends): `gtkwave build/wave/conv3_pass5.fst
# build/wave/conv3_pass5.gtkw`. Another layer or window: make wave WAVE="layer ... --trace ...".
WAVE ?= $(CONV3) --trace $(BUILD)/wave/conv3_pass5.fst --trace-pass 5 \
  --trace-scope walker,dma,ctrl,csr,pe[0][0]
wave: build
	@mkdir -p $(BUILD)/wave
	$(BUILD)/eyelet $(WAVE) | grep '^trace'
	@echo "open it with gtkwave FILE.fst FILE.gtkw (the save file is written beside the trace)"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(COV_BUILD)
