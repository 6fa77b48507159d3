#!/bin/sh
# tests/robust/judgment.sh: horizons, traces, cost and provenance.
#  - `horizons` and `trace` leave every results file of the suite without
#    them the same bytes, and their own files the same for -j 1 and -j 2;
#  - horizons.csv has a row per optimizer, run and horizon, k x steps, and
#    its k = 1 rows are runs.csv's; the traced run is run 0 of curves.csv;
#  - provenance.csv says training distribution or transfer (another
#    optimizee's options, other steps) and the report marks transfers;
#  - timing_break_even.csv, from a doctored timing_cost.csv, agrees with
#    the break-even computed here by awk from targets.csv;
#  - bad horizons and trace values are refused with FILE:LINE.
. "$(dirname "$0")/common.sh"

suite() { # FILE EXTRA_KEYS_OF_EXPERIMENT_a
    cat >"$1" <<INI
[suite]
name = judge
seed = 3
runs = 4
tune_runs = 2
[optimizee quad]
plugin = quadratic
dim = 5
batch = 4
[optimizee small]
plugin = quadratic
dim = 3
batch = 4
[optimizer sgd]
plugin = sgd
lr = 0.01, 0.1
[optimizer nag]
plugin = nag
lr = 0.03
[optimizer adam]
plugin = adam
lr = 0.1
[optimizer lsgd]
plugin = $LSGD
checkpoint = lsgd.ckpt
train_on = quad
epochs = 20
steps = 20
unroll = 5
valid_every = 5
valid_problems = 2
[experiment a]
optimizee = quad
optimizers = sgd, nag, adam, lsgd
steps = 20
$2
[experiment b]
optimizee = small
optimizers = sgd, lsgd
steps = 20
[experiment c]
optimizee = quad
optimizers = sgd, lsgd
steps = 30
[experiment t]
optimizee = quad
optimizers = sgd, adam, lsgd
steps = 20
target = 0.9
INI
}
suite plain.ini ""
suite judge.ini "horizons = 1, 2, 3
trace = true"
expect train 0 "" train plain.ini -o train --quiet
expect plain 0 "" run plain.ini -o plain --quiet -j 2
expect judge-j1 0 "" run judge.ini -o j1 --quiet -j 1
expect judge-j2 0 "" run judge.ini -o j2 --quiet -j 2
for f in curves.csv runs.csv tuning.csv summary.csv experiments.csv optimizers.csv \
    comparisons.csv targets.csv budget.csv provenance.csv; do
    check "$f: the same bytes with horizons and trace" cmp -s "plain/$f" "j2/$f"
done
for f in horizons.csv trace.csv trace_pairs.csv; do
    check "$f written" test -s "j1/$f"
    check "$f: the same bytes for -j 1 and -j 2" cmp -s "j1/$f" "j2/$f"
    check "$f: none without the keys" test ! -e "plain/$f"
done
# 4 optimizers x 4 runs x 3 horizons, steps 20, 40, 60
check "horizons.csv: 48 rows" test "$(wc -l <j1/horizons.csv)" -eq 49
check "horizons.csv: k x steps" test "$(cut -d, -f4,5 j1/horizons.csv | sort -u | tr '\n' ' ')" = "1,20 2,40 3,60 horizon,steps "
check "horizons.csv: k = 1 is runs.csv" test "$(grep '^a,' j1/horizons.csv | awk -F, '$4 == 1 {print $3","$6","$7}')" = \
    "$(grep '^a,' j1/runs.csv | cut -d, -f3-5 | sed 's/,$//')"
check "horizons.csv: longer runs end lower (sgd, run 0)" awk -F, '$3 == "sgd" && $6 == 0 {v[$4] = $7} END {exit !(v[3] < v[2] && v[2] < v[1])}' j1/horizons.csv
# 4 optimizers x 20 steps; the quadratic of dim 5, batch 4 has 20 parameters, all sampled
check "trace.csv: 80 rows" test "$(wc -l <j1/trace.csv)" -eq 81
check "trace_pairs.csv: 1600 rows" test "$(wc -l <j1/trace_pairs.csv)" -eq 1601
check "trace.csv: the losses of run 0" test "$(awk -F, 'NR > 1 {print $3","$4","$5}' j1/trace.csv)" = \
    "$(awk -F, '$1 == "a" && $4 == 0 && $5 < 20 {print $3","$5","$6}' j1/curves.csv)"
check "trace.csv: sgd moves along -grad" awk -F, '$3 == "sgd" {if ($8 < 0.999999 || $9 != 0) bad = 1} END {exit bad}' j1/trace.csv
check "figures horizon_a, trace_a, trace_pairs_a" test -s j1/figures/horizon_a.gp -a -s j1/figures/trace_a.gp -a -s j1/figures/trace_pairs_a.gp
check "provenance: a is the training distribution" grep -q '^a,quad,lsgd,judge,quad,[^,]*,20,20,3,training,$' j1/provenance.csv
check "provenance: b is a transfer (dim)" grep -q '^b,small,lsgd,.*,transfer,"dim = 3, trained on 5"$' j1/provenance.csv
check "provenance: c is a transfer (steps)" grep -q '^c,quad,lsgd,.*,transfer,"30 steps, trained on 20"$' j1/provenance.csv
check "report marks transfers" grep -q -E '^- lsgd / [a-z]+ at step 30: .*\(\*\*transfer\*\*: 30 steps, trained on 20\)' j1/report.md
check "report: cost table" grep -q '^| lsgd |' j1/report.md

# The reference reaches its own target (its median final loss) at the
# last step at the latest.
check "targets.csv: every reference reaches its target" test -z "$(awk -F, 'NR > 1 && $3 == $4 && $6 == ""' j1/targets.csv)"
# Break-even from a doctored timing_cost.csv: 0.02 CPU-s per step for the
# baselines, 0.001 for lsgd, 3 CPU-s of meta-training; in experiment t
# (target 0.9) lsgd reaches the target, in a, b and c it never does.
awk -F, 'BEGIN {OFS = ","} NR > 1 {$10 = 20; $11 = 4; $12 = ($3 == "lsgd" ? 0.08 : 1.6); if ($3 == "lsgd") $18 = 3} {print}' \
    j2/timing_cost.csv >cost.tmp && mv cost.tmp j2/timing_cost.csv
expect replot 0 "" plot j2
awk -F, 'NR == FNR {if (FNR > 1) {t[$1","$3] = $6; ref[$1] = $4}; next}
    FNR > 1 && $3 == "lsgd" {
        tl = t[$1",lsgd"]; tr = t[$1","ref[$1]]
        if (tl == "" || tr * 0.02 - tl * 0.001 <= 0) want = "never"; else want = sprintf("%.6g", 3 / (tr * 0.02 - tl * 0.001))
        if ($15 != want) {print $1": break_even "$15", want "want; bad = 1}
        n++
    } END {exit bad || n != 4}' j2/targets.csv j2/timing_break_even.csv >be.out
check "break-even as computed by hand ($(cat be.out))" test ! -s be.out -a "$(grep -c ',lsgd,' j2/timing_break_even.csv)" -eq 4
check "break-even: never in a, b and c, a number in t" test "$(grep ',lsgd,' j2/timing_break_even.csv | sed 's/.*,//' | tr '\n' ' ' | sed 's/[0-9][0-9.e+-]*/N/')" = "never never never N "

# Bad values, refused before any work
for bad in "0" "2, 1" "1, 1" "1, x" "1, 600000" "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"; do
    suite bad.ini "horizons = $bad"
    expect "bad horizons '$bad'" 2 "^bad.ini:[0-9]+: \[experiment a\] horizons: '$bad': expected up to 16 increasing whole multiples of steps from 1" run bad.ini -o bad
    check "bad horizons '$bad': nothing written" test ! -e bad
done
suite bad.ini "trace = maybe"
expect "bad trace" 2 "^bad.ini:[0-9]+: .*trace.*maybe" run bad.ini -o bad
finish
