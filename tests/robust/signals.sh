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
# spin (core/main.c): the running process has it.
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
finish
