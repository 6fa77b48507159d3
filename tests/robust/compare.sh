#!/bin/sh
# tests/robust/compare.sh: the comparison files (comparisons.csv,
# targets.csv, profiles.csv, profile_scores.csv, budget.csv) are the same
# bytes for -j 1 and -j 2 and when `l2l plot` redoes them from the results
# files; the suite keys reference, report_steps and target are honoured and
# checked; `l2l compare` passes identical results (0), catches an optimizer
# made worse in runs.csv or in curves.csv (1), reports an improvement (0),
# and refuses bad input (2).
. "$(dirname "$0")/common.sh"

cat >cmp.ini <<'INI'
[suite]
name = cmp
seed = 11
runs = 8
tune_runs = 2
[optimizee quad]
plugin = quadratic
dim = 5
batch = 4
[optimizer sgd]
plugin = sgd
lr = 0.01, 0.03, 0.1, 1000
[optimizer nag]
plugin = nag
lr = 0.01, 0.03
[optimizer adam]
plugin = adam
lr = 0.1
[experiment a]
optimizee = quad
optimizers = sgd, nag, adam
steps = 40
[experiment b]
optimizee = quad
optimizers = sgd, nag, adam
steps = 20
report_steps = 7, 13
INI
STATS="comparisons.csv targets.csv profiles.csv profile_scores.csv budget.csv"

expect run-j1 0 "" run cmp.ini -o j1 --quiet -j 1
expect run-j2 0 "" run cmp.ini -o j2 --quiet -j 2
for f in $STATS; do
    check "$f written" test -s "j1/$f"
    check "$f same bytes for -j 1 and -j 2" cmp -s "j1/$f" "j2/$f"
done
check "timing_targets.csv written" test -s j1/timing_targets.csv
check "figures profile_cmp and budget_a" test -s j2/figures/profile_cmp.gp -a -s j2/figures/budget_a.gp
check "report sentence" grep -q -E "^- sgd / [a-z]+ at step 40: [0-9.]+ \[[0-9.]+, [0-9.]+\], wins [0-9.]+ of 8, p = " j1/report.md
check "report_steps 7 and 13 compared" test "$(grep -c -E '^b,quad,[a-z]+,[a-z]+,(7|13),' j1/comparisons.csv)" -eq 4
rm -f j2/comparisons.csv j2/budget.csv
expect replot 0 "" plot j2
for f in $STATS; do
    check "$f redone by l2l plot" cmp -s "j1/$f" "j2/$f"
done

expect same 0 "" compare j1 j2
check "same: nothing worse" grep -q "^l2l compare: 0 worse" .stdout

# An optimizer made worse: nag's losses multiplied in runs.csv (final
# loss) and curves.csv (every step) alike, so that the files stay
# consistent with each other (l2l refuses results whose curves.csv and
# runs.csv disagree: a doctored runs.csv alone is caught as bad input).
worse() { # DIR FACTOR
    rm -rf "$1" && cp -r j1 "$1"
    awk -F, -v OFS=, -v k="$2" 'NR > 1 && $3 == "nag" && $5 != "inf" { $5 = $5 * k } 1' \
        j1/runs.csv >"$1/runs.csv"
    awk -F, -v OFS=, -v k="$2" 'NR > 1 && $3 == "nag" && $6 != "inf" { $6 = $6 * k } 1' \
        j1/curves.csv >"$1/curves.csv"
}
worse worse2 2
expect worse 1 "" compare j1 worse2
check "worse: the table names nag's final loss" grep -q -E "^WORSE +a +nag +final" .stdout
check "worse: the table names nag at a step" grep -q -E "^WORSE +a +nag +step 40" .stdout
rm -rf runs2 && cp -r j1 runs2
awk -F, -v OFS=, 'NR > 1 && $3 == "nag" && $5 != "inf" { $5 = $5 * 2 } 1' j1/runs.csv >runs2/runs.csv
expect runs-alone 2 "^runs2/curves.csv:[0-9]+: run 0 of optimizer nag in experiment a ends with loss" compare j1 runs2
worse better 0.5
expect runs-better 0 "" compare j1 better
check "runs-better: reported" grep -q -E "^better +a +nag +final" .stdout
worse slight 1.01
expect within-tolerance 0 "" compare j1 slight
expect tighter-tolerance 1 "" compare j1 slight --tolerance 0

# Manifests that differ (another seed): compared unpaired, each side
# resampled on its own. The same losses pass; nag's doubled are caught.
# (Two real runs with different seeds also differ in their tuned values.)
rm -rf seed12 && cp -r j1 seed12
sed -i 's/^seed = 11$/seed = 12/' seed12/manifest.ini
expect unpaired 0 "unpaired \(the manifests differ\)" compare j1 seed12
worse seed12w 2
cp seed12/manifest.ini seed12w/
expect unpaired-worse 1 "unpaired" compare j1 seed12w
check "unpaired-worse: the table names nag" grep -q -E "^WORSE +a +nag +final" .stdout

expect no-dir 2 "^l2l: cannot open nosuch/experiments.csv" compare j1 nosuch
expect one-dir 2 "^l2l compare: expected two results directories" compare j1
expect bad-tolerance 2 "^l2l compare: --tolerance 'abc'" compare j1 j2 --tolerance abc

# Suite keys: a reference honoured; bad ones refused before any work.
sed 's/^steps = 20$/steps = 20\nreference = adam\ntarget = 0.5/' cmp.ini >ref.ini
expect reference 0 "" run ref.ini -o ref --quiet
check "reference = adam used" test "$(grep -c '^b,quad,[a-z]*,adam,' ref/comparisons.csv)" -eq 10
check "target = 0.5 used" grep -q '^b,quad,sgd,adam,0.5,' ref/targets.csv
sed 's/^steps = 20$/steps = 20\nreference = lstm/' cmp.ini >bad1.ini
expect bad-reference 2 "^bad1.ini:[0-9]+: \[experiment b\] reference: 'lstm' is not in this experiment's optimizers" run bad1.ini -o bad1
sed 's/^report_steps = 7, 13$/report_steps = 7, 99/' cmp.ini >bad2.ini
expect bad-report-steps 2 "^bad2.ini:[0-9]+: \[experiment b\] report_steps: '7, 99': expected" run bad2.ini -o bad2
sed 's/^steps = 20$/steps = 20\ntarget = low/' cmp.ini >bad3.ini
expect bad-target 2 "^bad3.ini:[0-9]+: \[experiment b\] target: 'low': expected a finite loss" run bad3.ini -o bad3
# A reference that diverges in every run sets no target, and every pair
# is a win for the other side, outside the ratio.
cat >div.ini <<'INI'
[suite]
seed = 5
runs = 4
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
[experiment e]
optimizee = quad
optimizers = huge, ok
steps = 30
reference = huge
INI
expect div 0 "" run div.ini -o div --quiet
check "diverged reference: no target" test "$(wc -l <div/targets.csv)" -eq 1
check "diverged reference: ok wins every run, no ratio" grep -q '^e,quad,ok,huge,30,4,,,,1,.*,4,4,0,0,normal$' div/comparisons.csv

# A results directory whose suite.ini was edited: l2l plot checks the keys.
sed -i 's/^report_steps = 7, 13$/report_steps = 7, 13\ntarget = abc/' j1/suite.ini
expect plot-bad-target 2 "^j1/suite.ini: \[experiment b\] target: 'abc': expected a finite loss" plot j1
finish
