#!/bin/sh
# plot_bench.sh: throughput against n from the CSV of `l2l bench`, until
# `l2l plot` draws it: coordinate-steps per second of the learned
# optimizers (evaluation and meta-training) and of the hand-designed ones,
# log-log, with the line of constant cost per coordinate (linear in n)
# being a horizontal line.
#     bench/plot_bench.sh [bench.csv [bench.png]]
# Needs gnuplot (with the pngcairo terminal).
set -eu
csv=${1:-bench.csv}
png=${2:-${csv%.csv}.png}
if [ ! -r "$csv" ]; then
    echo "plot_bench: cannot read $csv (write it with: l2l bench -o $csv)" >&2
    exit 2
fi
if ! head -n 1 "$csv" | grep -qx 'benchmark,n,metric,value,unit'; then
    echo "plot_bench: $csv: expected the header benchmark,n,metric,value,unit" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one two-column file (n, coordinate-steps/s) per benchmark
series=""
for b in lstm-eval lstm-meta lstm-gac-eval lstm-gac-meta sgd nag rmsprop adam; do
    awk -F, -v b="$b" '$1 == b && $3 == "coord_steps_per_s" { print $2, $4 }' "$csv" \
        | sort -n > "$tmp/$b.dat"
    if [ -s "$tmp/$b.dat" ]; then
        series="$series${series:+, }'$tmp/$b.dat' using 1:2 with linespoints title '$b'"
    fi
done
if [ -z "$series" ]; then
    echo "plot_bench: $csv has no coord_steps_per_s rows" >&2
    exit 2
fi
gnuplot <<EOF
set terminal pngcairo size 900,600
set output '$png'
set title 'l2l bench: throughput against n ($csv)'
set logscale xy
set xlabel 'n (coordinates)'
set ylabel 'coordinate-steps per second'
set key outside right
set grid
plot $series
EOF
echo "plot_bench: wrote $png"
