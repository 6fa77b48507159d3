#!/bin/sh
# tests/robust/signals.sh: real SIGINT and SIGTERM sent to a running `l2l`.
#  - `l2l run` interrupted in tuning (SIGTERM) and in evaluation (SIGINT,
#    also in the middle of one trajectory of 5 million steps):
#    non-zero exit, a message, no summary.csv (nothing looks complete);
#    the same command run again completes.
#  - `l2l run -j 2` interrupted (SIGINT) once some evaluation runs are kept
#    in OUT/.partial: the same command (with -j 1) says it resumes with
#    K > 0 runs done, and every CSV but timing.csv is byte for byte that of
#    an uninterrupted run; the work area is then gone. Kept runs of another
#    suite are discarded, and said so.
#  - `l2l train` interrupted (SIGTERM) once its .state file exists: the
#    state is kept; the same command resumes, and the checkpoint it ends
#    with is byte for byte the one of a run that was never interrupted.
#  - `l2l run` interrupted (SIGINT) while meta-training: state kept, no
#    summary.csv; the same command resumes and completes.
#  - A signal after the CSV files are written: while gnuplot draws (a fake
#    gnuplot signals l2l: SIGTERM to l2l alone, SIGINT to both), or just
#    before (the test optimizee faulty_obj raises it in close()): exit 130,
#    no summary.csv, index.html, report.md, image, log or temporary file;
#    every run kept, so the same command finishes at once. `l2l plot`
#    interrupted the same way: exit 130, no report, the CSV files intact.
#  - A running `l2l` has GOMP_SPINCOUNT=3000 in its environment (it starts
#    itself again with it unless the user chose a wait policy or a count).
# Every wait is bounded; the bounds only turn a hang into a failure.
. "$(dirname "$0")/common.sh"

# start NAME ARGS...: l2l ARGS in the background, stderr in NAME.err; sets $pid.
start() {
    local name=$1
    shift
    "$L2L" "$@" >"$name.out" 2>"$name.err" &
    pid=$!
}

# interrupt NAME SIGNAL WHAT: sends SIGNAL to $pid once WHAT (a command)
# succeeds, then waits for the process; checks it stopped because of the
# signal (non-zero, not killed by the bound) and did not finish first.
interrupt() {
    local name=$1 sig=$2
    shift 2
    n_cases=$((n_cases + 1))
    if ! wait_for 120 "$@"; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid"
        fail "$name: never reached the point to interrupt ($*); stderr:"
        sed 's/^/    /' "$name.err"
        return 1
    fi
    kill -s "$sig" "$pid" 2>/dev/null
    wait_exit "$pid" 120
    if [ "$status" -eq 0 ]; then
        fail "$name: exit status 0: finished before SIG$sig arrived? (make the job longer)"
        return 1
    fi
    if [ "$status" -eq 137 ]; then
        fail "$name: still running 120 s after SIG$sig"
        return 1
    fi
    say "ok $name: SIG$sig, exit status $status: $(tail -n 1 "$name.err")"
}

grep_err() { grep -q -s -e "$2" "$1.err"; }

# ---------------------------------------------------------------- l2l run
cat >long.ini <<'INI'
[suite]
seed = 11
runs = 10
tune_runs = 10
[optimizee quad]
plugin = quadratic
dim = 10
batch = 128
[optimizer sgd]
plugin = sgd
lr = 0.01
[optimizer tuned]
plugin = sgd
lr = 0.001, 0.01
[experiment e]
optimizee = quad
optimizers = sgd, tuned
steps = 2000
INI
start run-term run long.ini -o out-run -j 2
interrupt run-term TERM grep_err run-term "l2l: tuning:"
check "run-term: says it was interrupted" grep_err run-term "interrupted: no results were written"
no_results out-run run-term

start run-int run long.ini -o out-run
interrupt run-int INT grep_err run-int "l2l: evaluation:"
check "run-int: says it was interrupted" grep_err run-int "interrupted: no results were written"
no_results out-run run-int

# One trajectory of 5 million steps (minutes of work): the signal stops it
# at the next step, not at its end.
sed -e 's/^runs = 10$/runs = 1/' -e 's/^steps = 2000$/steps = 5000000/' -e 's/^optimizers = sgd, tuned$/optimizers = sgd/' \
    long.ini >one-long.ini
start run-int-long run one-long.ini -o out-long
# Unless the user chose them, l2l starts itself again with a short OpenMP
# spin (core/cli/main.c): the running process has it.
if [ -z "${OMP_WAIT_POLICY:-}" ] && [ -z "${GOMP_SPINCOUNT:-}" ] &&
    wait_for 120 grep_err run-int-long "l2l: evaluation: 1 runs"; then
    check "run-int-long: runs with GOMP_SPINCOUNT=3000" \
        sh -c "tr '\\000' '\\n' </proc/$pid/environ | grep -qx GOMP_SPINCOUNT=3000"
fi
interrupt run-int-long INT grep_err run-int-long "l2l: evaluation: 1 runs"
no_results out-long run-int-long

expect run-again 0 "" run long.ini -o out-run -j 2 --quiet
check "run-again: summary.csv written" test -s out-run/summary.csv
check "run-again: 20 evaluation runs in runs.csv" test "$(grep -c '^e,quad,' out-run/runs.csv)" -eq 20

# ------------------------------------- l2l run resumed after an interruption
# 8 tuning and 12 evaluation runs of 5000 steps (a few seconds in all).
sed -e 's/^runs = 10$/runs = 6/' -e 's/^tune_runs = 10$/tune_runs = 4/' -e 's/^steps = 2000$/steps = 5000/' \
    long.ini >resume.ini
expect resume-reference 0 "" run resume.ini -o ref-resume -j 2 --quiet
kept_eval() { test "$(ls out-resume/.partial 2>/dev/null | grep -c '^eval-')" -ge "$1"; }
start resume-int run resume.ini -o out-resume -j 2
interrupt resume-int INT kept_eval 2
check "resume-int: says how many runs are kept" \
    grep_err resume-int "interrupted: no results were written; [0-9]* of 20 runs are kept in out-resume/.partial"
no_results out-resume resume-int
check "resume-int: nothing in the work area looks like a result" \
    sh -c '! ls -A out-resume/.partial | grep -q -e "\.csv" -e "\.tmp"'
cp -R out-resume/.partial stale-partial
start resume-again run resume.ini -o out-resume -j 1
wait_exit "$pid" 300
check "resume-again: exit status 0 ($status)" test "$status" -eq 0
k=$(sed -n 's/^l2l: resuming: \([0-9]*\) of 20 runs already done.*/\1/p' resume-again.err)
check "resume-again: says it resumed with K > 0 of 20 runs done (K = ${k:-none})" test "${k:-0}" -gt 0
check "resume-again: no kept run refused (none \"done again\")" sh -c '! grep -q "done again" resume-again.err'
for f in curves.csv runs.csv tuning.csv summary.csv experiments.csv optimizers.csv manifest.ini suite.ini; do
    check "resume-again: $f equals the uninterrupted run's" cmp out-resume/$f ref-resume/$f
done
check "resume-again: work area removed" test ! -e out-resume/.partial
# Kept runs of another suite in the output directory: discarded, said so.
write_good_suite good.ini
mkdir out-stale && cp -R stale-partial out-stale/.partial
expect stale 0 "^warning: l2l: out-stale/\.partial: [0-9]+ kept runs are of another suite, seed, plugin, checkpoint or l2l version: discarded" \
    run good.ini -o out-stale --quiet
check "stale: results complete, work area removed" test -s out-stale/summary.csv -a ! -e out-stale/.partial

# -------------------------------------------------------------- l2l train
# learned_sgd meta-trained long enough to be interrupted; the .state file
# appears at the first validation (epoch 0) and is rewritten every 5 epochs.
learned_suite() {
    printf '[suite]\nname = learn\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 4\n[optimizer lsgd]\nplugin = %s\ncheckpoint = lsgd.ckpt\ntrain_on = quad\nepochs = 1000\nsteps = 40\nunroll = 5\nvalid_every = 5\nvalid_problems = 2\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
        "$LSGD" >"$1"
}
mkdir ref
learned_suite ref/learn.ini
expect train-reference 0 "" train ref/learn.ini -o ref/out --quiet
check "train-reference: checkpoint written" test -s ref/lsgd.ckpt

learned_suite learn.ini
start train-term train learn.ini -o out-train
interrupt train-term TERM test -e lsgd.ckpt.state
check "train-term: says where the state is" grep_err train-term "interrupted in epoch [0-9]*; state saved in lsgd.ckpt.state"
check "train-term: .state kept" test -s lsgd.ckpt.state
start train-again train learn.ini -o out-train
wait_exit "$pid" 300
check "train-again: exit status 0 ($status)" test "$status" -eq 0
check "train-again: resumed" grep_err train-again "resuming meta-training from lsgd.ckpt.state after epoch"
check "train-again: .state removed" test ! -e lsgd.ckpt.state
# Checkpoints hold the training's measured wall and CPU times: the rest
# (φ's CRC, status, epochs, trajectories, note) must be equal.
same_ckpt() {
    "$L2L" checkpoint show "$1" | grep -v ' time: ' | sed 1d >"$1.shown"
    "$L2L" checkpoint show "$2" | grep -v ' time: ' | sed 1d >"$2.shown"
    cmp "$1.shown" "$2.shown"
}
check "train-again: the checkpoint equals the uninterrupted run's (but the times)" same_ckpt lsgd.ckpt ref/lsgd.ckpt
# The per-epoch logs agree except for the wall time column.
no_seconds() { awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "seconds") s = k }
    { line = ""; for (k = 1; k <= NF; k++) if (k != s) line = line (line == "" ? "" : ",") $k; print line }' "$1"; }
no_seconds out-train/meta_lsgd.csv >resumed.log
no_seconds ref/out/meta_lsgd.csv >reference.log
check "train-again: meta_lsgd.csv equals the uninterrupted run's (but seconds)" cmp resumed.log reference.log

# ------------------------------------------- l2l run while meta-training
rm -f lsgd.ckpt lsgd.ckpt.state
start run-train-int run learn.ini -o out-learn
interrupt run-train-int INT test -e lsgd.ckpt.state
check "run-train-int: .state kept" test -s lsgd.ckpt.state
no_results out-learn run-train-int
expect run-train-again 0 "" run learn.ini -o out-learn --quiet
check "run-train-again: summary.csv written" test -s out-learn/summary.csv
check "run-train-again: .state removed" test ! -e lsgd.ckpt.state
check "run-train-again: the checkpoint equals the uninterrupted run's (but the times)" same_ckpt lsgd.ckpt ref/lsgd.ckpt

# ----------------------------- signals after the CSV files, while drawing
# A fake gnuplot (L2L_GNUPLOT) that signals its parent, l2l, while the
# figures are drawn: SIGTERM to l2l alone (gnuplot goes on until l2l stops
# it), or SIGINT to both, as Ctrl-C reaches the whole process group.
printf '#!/bin/sh\nkill -TERM $PPID\nexec sleep 30\n' >gp-term
printf '#!/bin/sh\nkill -INT $PPID\nkill -INT $$\nexec sleep 30\n' >gp-int
chmod +x gp-term gp-int
write_good_suite good.ini
# late NAME DIR: the case NAME left nothing in DIR that looks complete nor
# any image, and kept every run for the same command to finish.
late() {
    no_results "$2" "$1"
    check "$1: no image left" test -z "$(find "$2" -name '*.png' -o -name '*.svg')"
    check "$1: no gnuplot log left" test -z "$(find "$2" -name '*.log')"
    check "$1: every run kept in .partial" test "$(ls "$2/.partial" | grep -c '^eval-')" -eq 2
}
for sig in term int; do
    L2L_GNUPLOT=$tmp/gp-$sig
    export L2L_GNUPLOT
    expect "figures-$sig" 130 "^l2l: interrupted while writing the results: no summary.csv, index.html or report.md left; every run is kept in out-gp-$sig/.partial" \
        run good.ini -o "out-gp-$sig" --quiet
    unset L2L_GNUPLOT
    late "figures-$sig" "out-gp-$sig"
    run_l2l run good.ini -o "out-gp-$sig"
    check "figures-$sig-again: exit status 0 ($status)" test "$status" -eq 0
    check "figures-$sig-again: every run was kept" grep -q "^l2l: resuming: 2 of 2 runs already done" "$tmp/.stderr"
    check "figures-$sig-again: complete" test -s "out-gp-$sig/summary.csv" -a -s "out-gp-$sig/index.html" -a ! -e "out-gp-$sig/.partial"
done
# `l2l plot` interrupted while drawing: its report goes, the CSV files stay.
cp -R out-gp-term replot
L2L_GNUPLOT=$tmp/gp-int
export L2L_GNUPLOT
expect replot-int 130 "^l2l plot: interrupted: no index.html or report.md left" plot replot
unset L2L_GNUPLOT
check "replot-int: no report" test ! -e replot/index.html -a ! -e replot/report.md
check "replot-int: CSV files untouched" cmp replot/curves.csv out-gp-term/curves.csv
check "replot-int: no temporary file" test -z "$(find replot -name '*.tmp')"
# A signal once the CSV files are written, before the figures: the test
# optimizee raises it in close(), which the core calls just then.
printf '[suite]\nseed = 3\nruns = 2\n[optimizee quad]\nplugin = %s\nclose_signal = %s\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = quad\noptimizers = sgd\nsteps = 10\n' \
    "$builddir/tests/plugins/.libs/faulty_obj.so" 15 >close-term.ini
sed 's/^close_signal = 15$/close_signal = 2/' close-term.ini >close-int.ini
for sig in term int; do
    expect "close-$sig" 130 "^l2l: interrupted while writing the results" run "close-$sig.ini" -o "out-close-$sig" --quiet
    late "close-$sig" "out-close-$sig"
done
finish
