#!/bin/sh
# tests/robust/resources.sh: inputs that would hang l2l or eat the machine
# (issue 16, class 6). Every file l2l reads must be a regular file: a FIFO
# (as suite, data, checkpoint, kept run of .partial), /dev/zero, a
# directory are refused at once, naming the file and what it is. Sizes are
# checked before reading: a sparse 15 GB checkpoint, a gzip bomb behind an
# IDX header. Running out of memory says so on stderr, exit status 4.
# Each case runs under `timeout` (ROBUST_TIMEOUT) only to turn a hang into
# a failure, and the big ones under `ulimit -v` so that reading a huge file
# into memory fails instead of swapping.
. "$(dirname "$0")/common.sh"
ROBUST_TIMEOUT=${ROBUST_TIMEOUT_SHORT:-60}

# An l2l built with AddressSanitizer (.ci/sanitize) reserves terabytes of
# shadow memory at start: under ulimit -v it cannot start at all.
asan_l2l=
grep -aq __asan_init "$L2L" 2>/dev/null && asan_l2l=1

# with_limit KB NAME STATUS REGEX ARGS...: expect, under ulimit -v KB
# (not under L2L_WRAPPER, valgrind, nor with an ASan build: both need more
# address space than that; the cases still run, without the limit).
with_limit() {
    local kb=$1
    shift
    if [ -n "${L2L_WRAPPER:-}" ] || [ -n "$asan_l2l" ]; then
        expect "$@"
        return
    fi
    (ulimit -v "$kb" || fail "$1: ulimit -v $kb refused"; expect "$@"; echo "$n_cases $n_failed" >"$tmp/.counts")
    read -r n_cases n_failed <"$tmp/.counts"
}

# --- the suite file
mkfifo suite.fifo
expect fifo-suite 2 "^suite\\.fifo: not a regular file: a FIFO \\(expected a suite file\\)" run suite.fifo -o out-fifo
check "fifo-suite: no results directory" test ! -e out-fifo
expect dev-zero-suite 2 "^/dev/zero: not a regular file: a character device \\(expected a suite file\\)" run /dev/zero -o out-zero
check "dev-zero-suite: no results directory" test ! -e out-zero

# --- IDX data of the mlp optimizee (plugins/optimizees/idx.c)
images() { printf '\0\0\10\3\0\0\0\2\0\0\0\2\0\0\0\2\1\2\3\4\5\6\7\10'; }
labels() { printf '\0\0\10\1\0\0\0\2\0\1'; }
images >img
labels >lab
# data_case NAME TRAIN_IMAGES TRAIN_LABELS REGEX
data_case() {
    printf '[optimizee m]\nplugin = mlp\nhidden = 3\nclasses = 2\nbatch = 2\ntrain_images = %s\ntrain_labels = %s\ntest_images = %s/img\ntest_labels = %s/lab\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = m\noptimizers = sgd\nsteps = 3\nruns = 1\n' \
        "$2" "$3" "$tmp" "$tmp" >"$1.ini"
    with_limit 2000000 "$1" 2 "^$1\\.ini:1: \\[optimizee m\\] mlp: $4" run "$1.ini" -o "out-$1" --quiet
    check "$1: no results directory" test ! -e "out-$1"
}
mkfifo img.fifo lab.fifo
data_case fifo-images "$tmp/img.fifo" "$tmp/lab" "$tmp/img\\.fifo: not a regular file: a FIFO"
data_case fifo-labels "$tmp/img" "$tmp/lab.fifo" "$tmp/lab\\.fifo: not a regular file: a FIFO"
data_case dev-zero-images /dev/zero "$tmp/lab" "/dev/zero: not a regular file: a character device"
# A gzip bomb: a header for 8 bytes of pixels, then 200 MB of zeros (about
# 200 KB compressed). Inflating stops 64 KiB past the claimed size.
{ images; head -c 200000000 /dev/zero; } | gzip -1 -c -n >bomb.gz
data_case gzip-bomb "$tmp/bomb.gz" "$tmp/lab" "$tmp/bomb\\.gz: expected 8 bytes of image data, found more than 65544"
# A header claiming 2^24 images of 5x5 (400 MiB, past the 256 MiB the
# reader takes), its pixels a bomb too, and as many labels: refused from
# the header, before a pixel is inflated.
{ printf '\0\0\10\3\1\0\0\0\0\0\0\5\0\0\0\5'; head -c 419430400 /dev/zero; } | gzip -1 -c -n >claim.gz
{ printf '\0\0\10\1\1\0\0\0'; head -c 16777216 /dev/zero; } | gzip -1 -c -n >claimlab.gz
data_case gzip-claim "$tmp/claim.gz" "$tmp/claimlab.gz" "$tmp/claim\\.gz: header declares more than 268435456 bytes of image data"
# More labels than images: refused from the image header, before its pixels.
printf '\0\0\10\1\0\0\0\3\0\1\1' >lab3
data_case count-first "$tmp/bomb.gz" "$tmp/lab3" "$tmp/lab3: 3 labels for 2 images in $tmp/bomb\\.gz"

# --- checkpoints of a learned optimizer (test plugin learned_sgd)
ckpt_suite() {
    printf '[suite]\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 4\n[optimizer lsgd]\nplugin = %s\ncheckpoint = %s\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
        "$LSGD" "$2" >"$1.ini"
}
mkfifo ck.fifo
ckpt_suite fifo-ckpt ck.fifo
expect fifo-ckpt 2 "^fifo-ckpt\\.ini:10: \\[optimizer lsgd\\] checkpoint: .*ck\\.fifo is not a regular file" run fifo-ckpt.ini -o out-fifo-ckpt --quiet
truncate -s 15G sparse.ckpt
ckpt_suite sparse-ckpt sparse.ckpt
with_limit 2000000 sparse-ckpt 2 "sparse\\.ckpt: 16106127360 bytes, more than the 4294967296" run sparse-ckpt.ini -o out-sparse --quiet
check "sparse-ckpt: no results directory" test ! -e out-sparse/summary.csv
rm -f sparse.ckpt
truncate -s 3G zeros.ckpt
ckpt_suite zeros-ckpt zeros.ckpt
with_limit 2000000 zeros-ckpt 2 "zeros\\.ckpt: not an l2l-bench checkpoint \\(no L2LCKPT magic at the start\\)" run zeros-ckpt.ini -o out-zeros --quiet
rm -f zeros.ckpt

# --- the work area of an interrupted run: a kept run that is a FIFO is
# done again (with a warning), a fingerprint that is a FIFO starts over.
write_good_suite good.ini
mkdir -p out-keep/curves.csv # results cannot be written: the kept runs stay
expect keep-runs 1 "" run good.ini -o out-keep --quiet
check "keep-runs: kept runs in .partial" test -f out-keep/.partial/eval-0-0-0
rmdir out-keep/curves.csv
rm out-keep/.partial/eval-0-0-0 && mkfifo out-keep/.partial/eval-0-0-0
expect fifo-kept-run 0 "^warning: l2l: out-keep/\\.partial/eval-0-0-0: not a regular file: a FIFO; that run is done again" \
    run good.ini -o out-keep --quiet
check "fifo-kept-run: results complete, work area removed" test -s out-keep/summary.csv -a ! -e out-keep/.partial
expect reference 0 "" run good.ini -o out-ref --quiet
check "fifo-kept-run: the same results as a run from scratch" cmp out-keep/curves.csv out-ref/curves.csv
mkdir -p out-fp/curves.csv
expect keep-runs-2 1 "" run good.ini -o out-fp --quiet
rmdir out-fp/curves.csv
rm out-fp/.partial/fingerprint && mkfifo out-fp/.partial/fingerprint
expect fifo-fingerprint 0 "" run good.ini -o out-fp --quiet
check "fifo-fingerprint: results complete" test -s out-fp/summary.csv

# --- `l2l plot` on results whose CSV files are FIFOs or devices
cp -R out-ref plot-fifo && rm plot-fifo/runs.csv && mkfifo plot-fifo/runs.csv
expect plot-fifo 2 "^l2l: plot-fifo/runs\\.csv: not a regular file: a FIFO" plot plot-fifo
cp -R out-ref plot-opt && rm plot-opt/timing.csv && mkfifo plot-opt/timing.csv
expect plot-optional-fifo 2 "^l2l: plot-opt/timing\\.csv: not a regular file: a FIFO" plot plot-opt

# --- out of memory: said on stderr, exit status 4 (not 1 with nothing said)
printf '[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 2\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = quad\noptimizers = sgd\nsteps = 10000000\nruns = 100000\n' >huge-runs.ini
if [ -n "${L2L_WRAPPER:-}" ] || [ -n "$asan_l2l" ]; then
    say "out-of-memory: skipped under L2L_WRAPPER or AddressSanitizer (it needs ulimit -v)"
else
    with_limit 2000000 out-of-memory 4 "^l2l: out of memory \\(experiment e: 100000 runs of 10000000 steps" \
        run huge-runs.ini -o out-oom --quiet
    check "out-of-memory: no summary.csv" test ! -e out-oom/summary.csv
fi

finish
