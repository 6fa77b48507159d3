#!/bin/sh
# tests/robust/plot_inconsistent.sh: `l2l plot` on a results directory
# whose files disagree with each other: curves.csv cut short (at a line
# end, inside a line), with a row twice, a row missing, the whole file
# twice, rows of a run that runs.csv lacks; runs.csv cut short or with a
# run twice; an experiment or optimizer twice; summary.csv cut short or
# with a row twice; experiments.csv changed (steps, runs); runs.csv saying
# a run diverged that did not, or another final loss. Each must exit with
# status 2 and one line naming the file and line of the first
# inconsistency, and write no report (figures are drawn from part of the
# data otherwise). The untouched directory plots with exit 0.
. "$(dirname "$0")/common.sh"

cat >two.ini <<'INI'
[suite]
seed = 3
runs = 2
tune_runs = 1
[optimizee quad]
plugin = quadratic
dim = 3
batch = 2
[optimizer sgd]
plugin = sgd
lr = 0.01
[optimizer tuned]
plugin = sgd
lr = 0.1, 0.01
[experiment e]
optimizee = quad
optimizers = sgd, tuned
steps = 10
INI
L2L_GNUPLOT=/nonexistent
export L2L_GNUPLOT # figures are not the point: the report is written without them
expect good-run 0 "" run two.ini -o good --quiet
rm -f good/index.html good/report.md
cp -R good same
expect good-plot 0 "^warning: l2l: gnuplot not found" plot same
check "good-plot: report written" test -s same/index.html

# plot_case NAME REGEX COMMAND: copies good/ to NAME/, runs COMMAND in
# it, then `l2l plot NAME`: exit 2, the first line matches ^NAME/REGEX.
plot_case() {
    rm -rf "$1"
    cp -R good "$1"
    (cd "$1" && eval "$3")
    expect "$1" 2 "^$1/$2" plot "$1" &&
        check "$1: no report written" test ! -e "$1/index.html" -a ! -e "$1/report.md"
}

plot_case curves-cut 'curves.csv:30: run 0 of optimizer tuned in experiment e has steps 0 to 6, expected 0 to 10 \(runs.csv:4; experiments.csv\); cut short\?' \
    'head -n 30 ../good/curves.csv >curves.csv'
plot_case curves-cut-in-line 'curves.csv: the last line has no end of line: the file was cut short' \
    'head -c -3 ../good/curves.csv >curves.csv'
plot_case curves-cut-in-number 'curves.csv:45: run 1 of optimizer tuned in experiment e ends with loss [0-9.e-]+, but runs.csv:5 says final_loss [0-9.e-]+' \
    '{ head -c -3 ../good/curves.csv; echo; } >curves.csv'
plot_case curves-row-twice 'curves.csv:46: step 0 of run 0 of optimizer sgd in experiment e appears twice' \
    'sed -n 2p ../good/curves.csv >>curves.csv'
plot_case curves-row-missing 'curves.csv:5: step 4 of run 0 of optimizer sgd in experiment e follows step 2: steps missing' \
    'sed -i 5d curves.csv'
plot_case curves-twice 'curves.csv:46: step 0 of run 0 of optimizer sgd in experiment e appears twice' \
    'tail -n +2 ../good/curves.csv >>curves.csv'
plot_case curves-optimizer-missing 'curves.csv:23: no rows for run 0 of optimizer tuned in experiment e \(runs.csv:4\)' \
    'grep -v ",tuned," ../good/curves.csv >curves.csv'
plot_case runs-cut 'curves.csv:24: run 0 of optimizer tuned in experiment e is not in runs.csv' \
    'head -n 3 ../good/runs.csv >runs.csv'
plot_case runs-cut-in-optimizer 'runs.csv:4: no row for run 1 of optimizer tuned in experiment e \(experiments.csv: 2 runs\)' \
    'head -n 4 ../good/runs.csv >runs.csv'
plot_case runs-row-twice 'runs.csv:6: run 0 of optimizer sgd in experiment e appears twice \(first at line 2\)' \
    'sed -n 2p ../good/runs.csv >>runs.csv'
plot_case experiment-twice "experiments.csv:3: experiment 'e' listed twice" \
    'sed -n 2p ../good/experiments.csv >>experiments.csv'
plot_case optimizer-twice "optimizers.csv:4: optimizer 'sgd' listed twice" \
    'sed -n 2p ../good/optimizers.csv >>optimizers.csv'
plot_case summary-cut 'summary.csv:2: no row for experiment e, optimizer tuned \(runs.csv has its runs\)' \
    'head -n 2 ../good/summary.csv >summary.csv'
plot_case summary-row-twice 'summary.csv:4: experiment e, optimizer sgd: appears twice' \
    'sed -n 2p ../good/summary.csv >>summary.csv'
plot_case more-steps 'curves.csv:45: run 0 of optimizer sgd in experiment e has steps 0 to 10, expected 0 to 12' \
    'sed -i "s/^e,quad,10,2,/e,quad,12,2,/" experiments.csv'
plot_case more-runs 'runs.csv:5: no row for run 2 of optimizer sgd in experiment e \(experiments.csv: 3 runs\)' \
    'sed -i "s/^e,quad,10,2,/e,quad,10,3,/" experiments.csv'
plot_case not-diverged 'curves.csv:45: run 0 of optimizer sgd in experiment e: runs.csv:2 says it diverged at step 4; curves.csv has steps 0 to 10' \
    'sed -i "2s/,\$/,4/" runs.csv'
plot_case other-final-loss 'curves.csv:45: run 0 of optimizer sgd in experiment e ends with loss [0-9.e-]+, but runs.csv:2 says final_loss 0.5' \
    'sed -i "2s/^\(e,quad,sgd,0,\)[^,]*,/\10.5,/" runs.csv'
# Files the report quotes but does not check: the copy of suite.ini (read
# for the judgment's settings) and manifest.ini. A FIFO in place of either
# must not block `l2l plot` (both were read with a plain fopen once, and the
# first hung), a huge one (sparse: refused from its size, before anything is
# read) must not be read whole, and one with a NUL byte would be cut short
# silently: each is an error naming the file. Missing, they are not: the
# report is written with the defaults.
for f in suite.ini manifest.ini; do
    plot_case "fifo-$f" "$f: not a regular file: a FIFO" "rm $f && mkfifo $f"
    plot_case "huge-$f" "$f: [0-9]+ bytes, more than the [0-9]+ a file this program writes can have" \
        "truncate -s 100M $f"
    plot_case "nul-$f" "$f: a NUL byte at offset 7: not a text file" "printf '; seed \\000 = 1\\n' >$f"
    rm -rf "missing-$f"
    cp -R good "missing-$f"
    rm "missing-$f/$f"
    ROBUST_TIMEOUT=60 expect "missing-$f" 0 "^warning: l2l: gnuplot not found" plot "missing-$f" &&
        check "missing-$f: report written" test -s "missing-$f/index.html"
done

finish
