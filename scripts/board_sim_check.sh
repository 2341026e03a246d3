#!/usr/bin/env bash
# The uart backend end to end without a board: eyelet_board_sim serves the Verilated up5k board
# system on a pseudo-terminal, and the eyelet tool talks to it as to a board's serial port
# (termios, framing, CRCs, resends): `eyelet info`, then a sweep of COUNT random layers, output
# paths and chains, every output checked against the golden model.
# Usage: board_sim_check.sh BUILD_DIR [COUNT] [SEED]
set -euo pipefail
build=${1:?usage: board_sim_check.sh BUILD_DIR [COUNT] [SEED]}
count=${2:-6}
seed=${3:-21}
dir=$(mktemp -d)
"$build/eyelet_board_sim" --port-file "$dir/port" > "$dir/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  [ -s "$dir/port" ] && break
  kill -0 $sim 2>/dev/null || { cat "$dir/sim.log" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$dir/port")
"$build/eyelet" info --backend uart --config up5k --port "$port"
"$build/eyelet" sweep --backend uart --config up5k --port "$port" --count "$count" \
  --seed "$seed" --types conv,fc,pool,chain --post
