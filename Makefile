# Eyelet front door. `make run` and `make test` are the two commands a new user needs: both
# install missing Debian packages first (scripts/install-deps.sh) and build what they need.
BUILD   ?= build
JOBS    ?= 2
RTL_TOP ?= ey_top
RTL_SRC := $(shell grep '^rtl/' rtl/eyelet.f)

.PHONY: all deps configure build run test bench lint synth wave clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: an AlexNet-CONV3-shaped layer (C 32, M 64, 13 x 13, 3 x 3, pad 1) through the
# driver into the Verilated 12 x 14 accelerator (descriptor and tensors in DRAM, AXI DMA),
# every output compared with the golden model; then a sweep of random CONV, FC and POOL layers
# (CONV and FC through random output paths, some with max pooling) on the small array with a
# slow, stalling DRAM model, and random rows through the PE unit bench.
run: build
	$(BUILD)/eyelet layer --backend rtl --config eyeriss --batch 1 --in-channels 32 \
	  --out-channels 64 --height 13 --width 13 --kernel 3 --stride 1 --pad 1 --groups 1 --seed 1
	$(BUILD)/eyelet sweep --backend rtl --config small --count 20 --seed 1 --mem-latency 20 \
	  --mem-stall 0.2 --types conv,fc,pool --post
	$(BUILD)/eyelet pe --count 200 --seed 1

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Performance figures (utilization, simulation speed); each layer is checked against the golden
# model as it runs.
bench: build
	$(BUILD)/eyelet_bench eyeriss

lint: deps
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module $(RTL_TOP)
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module ey_pe
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/eyelet.f --top-module ey_csr

synth: deps
	@mkdir -p $(BUILD)
	constraints/synth_smoke.sh $(BUILD)/synth ey_pe
	constraints/synth_smoke.sh $(BUILD)/synth ey_csr
	constraints/synth_smoke.sh $(BUILD)/synth ey_top -set Rows 3 -set Cols 4 \
	  -set IfmapWords 256 -set FilterWords 256 -set PsumWords 128 -set FilterDepth 64 -set PpWords 32 \
	  -set PoolWords 64

# An FST of one PE job, for GTKWave (`gtkwave build/pe.fst`).
wave: build
	$(BUILD)/eyelet pe --count 1 --seed 1 --trace $(BUILD)/pe.fst
	@echo "trace written to $(BUILD)/pe.fst"

clean:
	rm -rf $(BUILD)
