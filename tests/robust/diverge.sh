#!/bin/sh
# tests/robust/diverge.sh: a numeric fault is a result. SGD with lr = 1000
# on a quadratic overflows to inf within a few steps; `l2l run` must record
# each run as diverged at the step where the loss stopped being finite
# (runs.csv, curves.csv), count the divergences in summary.csv, rank a
# diverging grid value last in tuning, and go on with the rest of the suite.
. "$(dirname "$0")/common.sh"

cat >div.ini <<'INI'
[suite]
seed = 7
runs = 3
tune_runs = 2
[optimizee quad]
plugin = quadratic
dim = 5
batch = 2
[optimizer huge]
plugin = sgd
lr = 1000
[optimizer ok]
plugin = sgd
lr = 0.01
[optimizer tuned]
plugin = sgd
lr = 1000, 0.01
[experiment e]
optimizee = quad
optimizers = huge, ok, tuned
steps = 200
[experiment after]
optimizee = quad
optimizers = ok
steps = 5
INI
expect run 0 "" run div.ini -o out --quiet
check "summary.csv written" test -s out/summary.csv

# field FILE KEY COLUMN: column COLUMN (1-based) of the line of FILE whose
# first fields are KEY (comma-separated), e.g. "e,quad,huge".
field() { grep "^$2," "$1" | head -n 1 | cut -d, -f"$3"; }
col() { head -n 1 "$1" | tr ',' '\n' | grep -n -x "$2" | cut -d: -f1; }

div=$(col out/summary.csv diverged)
fin=$(col out/summary.csv final_median)
check "summary: huge diverged in 3 of 3 runs" test "$(field out/summary.csv e,quad,huge "$div")" = 3
check "summary: huge final_median is inf" test "$(field out/summary.csv e,quad,huge "$fin")" = inf
check "summary: ok diverged in 0 runs" test "$(field out/summary.csv e,quad,ok "$div")" = 0
check "summary: the next experiment ran" test "$(field out/summary.csv after,quad,ok "$div")" = 0

step=$(col out/runs.csv diverged_step)
final=$(col out/runs.csv final_loss)
for r in 0 1 2; do
    s=$(field out/runs.csv "e,quad,huge,$r" "$step")
    check "runs: huge run $r has a diverged_step ('$s')" test -n "$s"
    check "runs: huge run $r final_loss inf" test "$(field out/runs.csv "e,quad,huge,$r" "$final")" = inf
    # curves.csv stops at that step, with a non-finite loss there.
    last=$(grep "^e,quad,huge,$r," out/curves.csv | tail -n 1)
    check "curves: huge run $r ends at step $s with a non-finite loss ($last)" \
        sh -c "printf '%s\n' '$last' | grep -q -E '^e,quad,huge,$r,$s,(inf|-inf|nan)\$'"
    check "runs: ok run $r did not diverge" test -z "$(field out/runs.csv "e,quad,ok,$r" "$step")"
done

# Tuning: the diverging value has mean +inf, counts its divergences, and
# is not chosen; the finite one is.
check "tuning: lr=1000 mean_final_loss inf, 2 diverged, not chosen" \
    grep -q -x 'e,quad,tuned,lr,1000,inf,2,0' out/tuning.csv
check "tuning: lr=0.01 chosen" grep -q -E '^e,quad,tuned,lr,0\.01,[0-9.e+-]+,0,1$' out/tuning.csv
check "summary: tuned uses lr=0.01" grep -q '^e,quad,tuned,.*"lr=0.01\*' out/summary.csv
finish
