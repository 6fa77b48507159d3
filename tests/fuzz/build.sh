#!/usr/bin/env bash
# tests/fuzz/build.sh BUILDDIR: builds the libFuzzer targets fuzz_suite,
# fuzz_idx, fuzz_checkpoint and fuzz_plot_csv into BUILDDIR/tests/fuzz/.
# BUILDDIR is configured (when it has no Makefile yet) with clang,
# --enable-sanitizers (ASan + UBSan) and -fsanitize=fuzzer-no-link, so the
# core and the plugins carry the coverage instrumentation the fuzzer
# needs; only the core library and the plugins that fuzz_suite loads are
# built there. Used by .ci/fuzz; handy by hand too:
#   tests/fuzz/build.sh /tmp/build-fuzz && /tmp/build-fuzz/tests/fuzz/fuzz_idx tests/fuzz/corpus/idx
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
b=$(cd "$1" && pwd)
CC=${CC:-clang}
fuzz_cflags="-g -O1 -fsanitize=fuzzer-no-link"
if [ ! -f "$b/Makefile" ]; then
    echo "fuzz build: configure in $b (CC=$CC, sanitizers, $fuzz_cflags)"
    (cd "$b" && "$src/configure" -q --enable-sanitizers CC="$CC" CFLAGS="$fuzz_cflags")
fi
echo "fuzz build: core library and plugins"
make -s -C "$b" -j"${MAKE_JOBS:-2}" libl2lcore.la \
    plugins/optimizers/sgd.la plugins/optimizers/nag.la plugins/optimizers/rmsprop.la \
    plugins/optimizers/adam.la plugins/optimizers/lstm.la \
    plugins/optimizees/quadratic.la plugins/optimizees/mlp.la
openmp=$(sed -n 's/^OPENMP_CFLAGS = //p' "$b/Makefile")
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 $san -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -I$b -I$src/include -I$src/core/util -I$src/core/plugins -I$src/core/meta -I$src/core/suite -I$src/core/run -I$src/core/report -I$src/core/stats"
mkdir -p "$b/tests/fuzz"
cd "$b"
echo "fuzz build: targets"
$CC $cflags -I"$src/plugins/common" -o tests/fuzz/fuzz_idx \
    "$src/tests/fuzz/fuzz_idx.c" "$src/plugins/common/idx.c" -lz
# libtool adds what the core library needs (inih, BLAS, zlib, pthread, dl).
./libtool --quiet --tag=CC --mode=link $CC $cflags $openmp -o tests/fuzz/fuzz_suite \
    "$src/tests/fuzz/fuzz_suite.c" libl2lcore.la
./libtool --quiet --tag=CC --mode=link $CC $cflags $openmp -o tests/fuzz/fuzz_checkpoint \
    "$src/tests/fuzz/fuzz_checkpoint.c" "$src/tests/plugins/learned_sgd.c" libl2lcore.la
./libtool --quiet --tag=CC --mode=link $CC $cflags $openmp -o tests/fuzz/fuzz_plot_csv \
    -DFUZZ_TINY_DIR="\"$src/tests/data/results-tiny\"" "$src/tests/fuzz/fuzz_plot_csv.c" libl2lcore.la
echo "fuzz build: done: $b/tests/fuzz/fuzz_{suite,idx,checkpoint,plot_csv}"
