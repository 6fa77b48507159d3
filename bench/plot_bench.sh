#!/bin/sh
# plot_bench.sh: throughput against n from the CSV of `l2l bench`, kept
# for its old command line; `l2l plot bench.csv` draws the figure itself
# (coordinate-steps per second of every optimizer against n, log-log:
# constant cost per coordinate is a flat line) into bench.png, bench.svg
# and bench.gp (the script, holding its data).
#     bench/plot_bench.sh [bench.csv [bench.png]]
# Uses $L2L, else `l2l` on PATH; needs gnuplot (pngcairo).
set -eu
csv=${1:-bench.csv}
png=${2:-${csv%.csv}.png}
exec "${L2L:-l2l}" plot "$csv" -o "$png" --require-figures
