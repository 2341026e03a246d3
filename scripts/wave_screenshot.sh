#!/bin/sh
# Screenshot of a trace in a real GTKWave window, for the README: opens FILE.fst with its save
# file FILE.gtkw (written beside every Eyelet trace, tb/gtkw.h) on a virtual X display and
# grabs the screen. Needs Debian's gtkwave, xvfb, xauth and imagemagick (not in
# install-deps.sh: documentation only).
#   scripts/wave_screenshot.sh build/wave/conv3_pass5.fst docs/gtkwave_pass.png
set -eu
fst=$1
png=$2
gtkw=${fst%.fst}.gtkw
[ -f "$fst" ] && [ -f "$gtkw" ] || { echo "wave_screenshot: need $fst and $gtkw" >&2; exit 2; }
xvfb-run -a -s "-screen 0 1600x1000x24" sh -c "
  gtkwave '$fst' '$gtkw' >/dev/null 2>&1 &
  sleep 6
  import -window root '$png'
  kill \$! 2>/dev/null || true"
echo "wrote $png"
