#!/bin/sh
# tests/robust/quadratic_file.sh: the quadratic plugin's `file` option as a
# user meets it: a batched problem file (format 2, B blocks of D) replays
# in a suite, the same CSV each time; bad files and a suite whose batch or
# dim disagrees with the file are refused with SUITE:LINE, the plugin and
# FILE:LINE, exit 2, nothing run.
. "$(dirname "$0")/common.sh"

write_suite() { # NAME FILE BATCH
    cat >"$1.ini" <<INI
[suite]
seed = 4
runs = 2
tune_runs = 1
[optimizee quad]
plugin = quadratic
file = $2
dim = 2
batch = $3
[optimizer sgd]
plugin = sgd
lr = 0.05
[experiment e]
optimizee = quad
optimizers = sgd
steps = 20
INI
}

cp "$top_srcdir/tests/data/quadratic-batch.txt" good.txt
write_suite good good.txt 2
expect good 0 "" run good.ini -o out-good --quiet
check "good: summary.csv written" test -s out-good/summary.csv
# θ0 comes from the file, so step 0 is the file's loss, (8 + 0)/2 = 4.
check "good: step 0 has the file's loss 4" grep -qx 'e,quad,sgd,0,0,4' out-good/curves.csv
expect good-again 0 "" run good.ini -o out-again --quiet
check "good: the same curves again" cmp out-good/curves.csv out-again/curves.csv

bad_file() { # NAME DATA-FILE REGEX-AFTER-FILE
    cp "$top_srcdir/tests/data/$2" "$1.txt"
    write_suite "$1" "$1.txt" 2
    expect "$1" 2 "^$1\\.ini:5: \\[optimizee quad\\] quadratic: $1\\.txt:$3" run "$1.ini" -o "out-$1" --quiet
    check "$1: no results directory" test ! -e "out-$1"
}
bad_file truncated quadratic-batch-truncated.txt \
    "8: truncated: the file ends at line 8, still expected row 2 of 2 of W of block 2 of 2"
bad_file nobatch quadratic-batch-nobatch.txt "3: expected 'batch B' with B a whole number"
bad_file badcount quadratic-batch-badcount.txt "10: y of block 2: expected 2 numbers, got 3"
bad_file version quadratic-version.txt "1: format version '3' not supported"

write_suite mismatch good.txt 3
expect mismatch 2 "^mismatch\\.ini:5: \\[optimizee quad\\] quadratic: file good\\.txt has batch 2 but option batch is 3: set batch = 2$" \
    run mismatch.ini -o out-mismatch --quiet
check "mismatch: no results directory" test ! -e out-mismatch
finish
