#!/bin/bash
# tests/robust/concurrent.sh: two l2l at once (docs/robustness.md,
# "Concurrent invocations"). A first l2l is started on a job long enough
# to be caught in the middle (one trajectory of 5 million steps; a
# meta-training of 1,000 epochs); the test waits for a sign that it is at
# work (a line on stderr, a .state file), never for a time.
#  - `l2l run` (another seed) or `l2l plot` into the OUT of a running
#    `l2l run`: refused at once, exit 2, naming OUT and the other process's
#    pid and command; the first one's work area untouched; the lock gone
#    when the first is interrupted;
#  - a lock file left by a killed l2l (SIGKILL) blocks nobody;
#  - `l2l train` or `l2l run` on a checkpoint being meta-trained (by
#    `l2l train` or by `l2l run`), into another OUT: refused at once,
#    exit 2, naming the checkpoint and the process;
#  - a checkpoint in a read-only folder (chmod a-w, and a read-only bind
#    mount where a mount namespace is at hand) is evaluated: no lock taken.
. "$(dirname "$0")/common.sh"

# start NAME ARGS...: l2l ARGS in the background, stderr in NAME.err; sets $pid.
start() {
    local name=$1
    shift
    "$L2L" "$@" >"$name.out" 2>"$name.err" &
    pid=$!
}
grep_err() { grep -q -s -e "$2" "$1.err"; }
# at_work NAME COMMAND...: waits until COMMAND succeeds (the first l2l is
# at work) or gives up, killing it.
at_work() {
    local name=$1
    shift
    n_cases=$((n_cases + 1))
    if wait_for 120 "$@"; then
        say "ok $name: at work"
        return 0
    fi
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    fail "$name: never got to work ($*); stderr:"
    sed 's/^/    /' "$name.err"
    return 1
}
# stop PID SIGNAL: sends SIGNAL and waits; sets $status.
stop() {
    kill -s "$2" "$1" 2>/dev/null
    wait_exit "$1" 120
}

write_good_suite good.ini
cat >long.ini <<'INI'
[suite]
seed = 11
runs = 1
tune_runs = 1
[optimizee quad]
plugin = quadratic
dim = 10
batch = 128
[optimizer sgd]
plugin = sgd
lr = 0.01
[experiment e]
optimizee = quad
optimizers = sgd
steps = 5000000
INI

# ------------------------------------------------------ two l2l run, one OUT
start first run long.ini -o shared
first=$pid
if at_work first grep_err first "l2l: evaluation:"; then
    fp_before=$(cksum <shared/.partial/fingerprint)
    expect second-run 2 "^l2l: shared is in use by another l2l \\(pid $first: l2l run long\\.ini -o shared\\): wait for it to finish, or choose another output directory \\(-o\\)$" \
        run good.ini -o shared --seed 7 --quiet
    expect second-plot 2 "^l2l: shared is in use by another l2l \\(pid $first: " plot shared
    expect second-train 2 "^l2l: shared is in use by another l2l \\(pid $first: " train good.ini -o shared --quiet
    check "second-run: the first one's work area is untouched" \
        test "$(cksum <shared/.partial/fingerprint)" = "$fp_before"
    check "second-run: nothing of the second one's in OUT" test ! -e shared/summary.csv
    stop "$first" INT
    check "first: interrupted as usual (exit $status)" test "$status" -eq 130
    check "first: its lock is gone" test ! -e shared/.lock
fi
expect after-first 0 "" run good.ini -o shared --quiet
check "after-first: results complete" test -s shared/summary.csv

# A lock file left by a killed l2l does not block.
start killed run long.ini -o stale
if at_work killed grep_err killed "l2l: evaluation:"; then
    stop "$pid" KILL
    check "killed: its lock file is left behind" test -e stale/.lock
    expect stale-lock 0 "" run good.ini -o stale --quiet
    check "stale-lock: results complete, lock file gone" test -s stale/summary.csv -a ! -e stale/.lock
fi

# ------------------------------------------ two meta-trainings, one checkpoint
learned_suite() { # NAME EPOCHS
    printf '[suite]\nname = learn\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 4\n[optimizer lsgd]\nplugin = %s\ncheckpoint = lsgd.ckpt\ntrain_on = quad\nepochs = %s\nsteps = 40\nunroll = 5\nvalid_every = 5\nvalid_problems = 2\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
        "$LSGD" "$2" >"$1"
}
learned_suite learn.ini 1000000
start trainer train learn.ini -o out-a
trainer=$pid
if at_work trainer test -e lsgd.ckpt.state; then
    expect train-twice 2 "^l2l: meta-training lsgd: lsgd\\.ckpt is in use by another l2l \\(pid $trainer: l2l train learn\\.ini -o out-a\\): wait for it to finish$" \
        train learn.ini -o out-b --seed 9 --quiet
    expect run-while-training 2 "^l2l: meta-training lsgd: lsgd\\.ckpt is in use by another l2l \\(pid $trainer: " \
        run learn.ini -o out-c --quiet
    check "train-twice: no results directory of the refused ones" test ! -e out-b -a ! -e out-c
    stop "$trainer" TERM
    check "trainer: interrupted, state saved (exit $status)" \
        sh -c "test $status -ne 0 -a $status -ne 137 && test -s lsgd.ckpt.state"
    check "trainer: its locks are gone" test ! -e lsgd.ckpt.lock -a ! -e out-a/.lock
fi
# `l2l run` meta-training the missing checkpoint holds the same lock.
rm -f lsgd.ckpt lsgd.ckpt.state
start runner run learn.ini -o out-r1
runner=$pid
if at_work runner test -e lsgd.ckpt.state; then
    expect train-while-run 2 "^l2l: meta-training lsgd: lsgd\\.ckpt is in use by another l2l \\(pid $runner: l2l run learn\\.ini -o out-r1\\)" \
        train learn.ini -o out-r2 --quiet
    stop "$runner" INT
    check "runner: its locks are gone" test ! -e lsgd.ckpt.lock -a ! -e out-r1/.lock
fi

# ---------------------------------- a read-only checkpoint is only read
mkdir ro-src
learned_suite ro-src/train.ini 10
expect ro-train 0 "" train ro-src/train.ini -o out-ro-train --quiet
sed -e '/^train_on/d' ro-src/train.ini >ro-src/eval.ini
chmod a-w ro-src/lsgd.ckpt ro-src
expect ro-chmod 0 "" run ro-src/eval.ini -o out-ro --quiet
check "ro-chmod: results complete, no lock file beside the checkpoint" \
    test -s out-ro/summary.csv -a ! -e ro-src/lsgd.ckpt.lock
ns=
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    ns="unshare -m"
elif unshare -rm true 2>/dev/null; then
    ns="unshare -rm"
fi
if [ -n "$ns" ]; then
    mkdir ro
    n_cases=$((n_cases + 1))
    $ns sh -c 'mount --bind ro-src ro && mount -o remount,bind,ro ro && exec "$0" "$@"' \
        "$L2L" run ro/eval.ini -o out-ro-mount --quiet >ro-mount.out 2>ro-mount.err
    status=$?
    if [ "$status" -eq 0 ] && [ -s out-ro-mount/summary.csv ]; then
        say "ok ro-mount: evaluated from a read-only mount"
    else
        fail "ro-mount: status $status: $(cat ro-mount.err)"
    fi
else
    say "skipped ro-mount: no private mount namespace (unshare -m / -rm) here"
fi
chmod u+w ro-src
finish
