#!/usr/bin/env bash
# tests/robust/mpi.sh: l2l under mpirun (docs/scale-out.md). At 2 and 3
# ranks, `l2l run` and `l2l train` give the same bits as one process
# (CSV files; checkpoints but their measured times), with -j threads per
# rank; a meta-training job with problems = 3 is split over the ranks; a
# rank killed mid-run or mid-training ends the job with a non-zero status
# within 10 s, naming the rank, and the same command run again finishes
# with the same results; a failure every rank meets is said once; a second
# mpirun on the OUT or the checkpoint of a running one is refused (exit 2),
# naming the first's rank 0, the one holder of the lock. Skipped (77) when
# l2l was built without MPI. (Slurm's srun: scripts/slurm-local, by hand.)
. "$(dirname "$0")/common.sh"

if ! "$L2L" --version | grep -q '^MPI: yes'; then
    say "SKIP: l2l built without MPI (configure found no Open MPI)"
    exit 77
fi
MPIRUN=$(command -v mpirun) || { say "FAIL: l2l has MPI but there is no mpirun"; exit 1; }
# As root (CI), Open MPI wants to be told; more ranks than cores, too.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Ranks on one machine talk through shared memory, not the network.
export OMPI_MCA_btl=self,vader

# Under AddressSanitizer (.ci/sanitize), LeakSanitizer reports what Open
# MPI's components allocate and never free, mostly from components already
# unloaded at exit ("<unknown module>" frames, which no suppression can
# name): ranks run without leak detection there. Our code on these paths
# is leak-checked by valgrind (.ci/sanitize runs this script under it, with
# tests/valgrind.supp naming Open MPI's frames) and by the one-process
# cases, which keep LeakSanitizer.
if grep -aq __asan_init "$L2L" 2>/dev/null; then
    mpi_asan="ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0"
fi

# mpi NP ARGS...: l2l ARGS on NP ranks; $status, $tmp/.stderr.
mpi() {
    local np=$1
    shift
    # shellcheck disable=SC2086 # the wrapper is a command line, split on purpose
    env ${mpi_asan:-} timeout -s KILL "${ROBUST_TIMEOUT:-300}" "$MPIRUN" -np "$np" ${L2L_WRAPPER:-} "$L2L" "$@" \
        >"$tmp/.stdout" 2>"$tmp/.stderr"
    status=$?
}

# quad_suite NAME RUNS STEPS OPTIMIZERS: a suite on stdout, quadratics
# with sgd and adam tuned over 4 values each, then the sections read from
# stdin, then the experiment of OPTIMIZERS.
quad_suite() {
    cat <<INI
[suite]
name = $1
seed = 3
runs = $2
tune_runs = 2
[optimizee quad]
plugin = quadratic
dim = 10
batch = 16
[optimizer sgd]
plugin = sgd
lr = logspace(0.01, 1, 4)
[optimizer adam]
plugin = adam
lr = logspace(0.001, 1, 4)
INI
    cat
    printf '[experiment quadratic]\noptimizee = quad\noptimizers = %s\nsteps = %s\n' "$4" "$3"
}

# Two learned optimizers to train (two jobs: at 3 ranks, one job gets two
# ranks and splits its 3 problems per meta-step), two tuned baselines.
quad_suite mpi 4 30 "sgd, adam, lstm, gac" >s.ini <<'INI'
[optimizer lstm]
plugin = lstm
preprocess = logsign
scale = 0.1
checkpoint = ck/lstm.l2l
train_on = quad
epochs = 6
steps = 20
unroll = 5
problems = 3
valid_every = 3
valid_problems = 5
[optimizer gac]
plugin = lstm-gac
preprocess = logsign
scale = 0.1
checkpoint = ck/gac.l2l
train_on = quad
epochs = 4
steps = 20
unroll = 5
problems = 2
valid_every = 2
valid_problems = 3
INI

# Checkpoints hold the training's measured times: the rest must be equal.
same_ckpt() {
    "$L2L" checkpoint show "$1" | grep -v ' time: ' | sed 1d >"$1.shown"
    "$L2L" checkpoint show "$2" | grep -v ' time: ' | sed 1d >"$2.shown"
    cmp "$1.shown" "$2.shown"
}
same_csv() {
    local f
    for f in summary.csv runs.csv curves.csv tuning.csv; do
        cmp "$1/$f" "$2/$f" || return 1
    done
}

run_l2l run s.ini -j 1 -q -o ref
check "one process: run trains and evaluates ($status)" test "$status" -eq 0
mv ck ref-ck

mpi 2 run s.ini -j 1 -q -o r2
check "2 ranks: run exits 0 ($status)" test "$status" -eq 0
check "2 ranks: CSV files as one process's" same_csv ref r2
check "2 ranks: lstm checkpoint as one process's (but the times)" same_ckpt ck/lstm.l2l ref-ck/lstm.l2l
check "2 ranks: lstm-gac checkpoint as one process's (but the times)" same_ckpt ck/gac.l2l ref-ck/gac.l2l
check "2 ranks: no work area left" test ! -e r2/.partial
rm -rf ck

mpi 3 train s.ini -j 2 -q -o t3
check "3 ranks: train exits 0 ($status)" test "$status" -eq 0
check "3 ranks: lstm checkpoint as one process's (but the times)" same_ckpt ck/lstm.l2l ref-ck/lstm.l2l
check "3 ranks: lstm-gac checkpoint as one process's (but the times)" same_ckpt ck/gac.l2l ref-ck/gac.l2l
check "3 ranks: no .state left" test ! -e ck/lstm.l2l.state
mpi 3 run s.ini -j 2 -q -o r3
check "3 ranks, -j 2: CSV files as one process's" same_csv ref r3
check "3 ranks: one line of messages at most (rank 0 speaks)" test "$(wc -l <"$tmp/.stderr")" -le 1

# A failure every rank meets (the same bad suite, the same bad argument) is
# said once, by rank 0, whatever the timing: the others hold their messages
# to the end and drop what a lower rank said. (mpirun adds its own lines.)
printf '[suite]\nname = bad\nbogus = 1\n' >bad.ini
mpi 3 run bad.ini -o bad
check "3 ranks, a bad suite: exit 2 ($status)" test "$status" -eq 2
# times REGEX: how many times REGEX occurs in stderr (lines written in
# pieces by several ranks can interleave: count occurrences, not lines).
times() { grep -oE "$1" "$tmp/.stderr" | wc -l; }
check "3 ranks, a bad suite: said once" test "$(times "bad.ini:3: \[suite\] unknown key 'bogus'")" -eq 1
check "3 ranks, a bad suite: its summary once" test "$(times 'bad.ini: 1 error; nothing was run')" -eq 1
check "3 ranks, a bad suite: one line each" grep -q "^bad.ini:3: \[suite\] unknown key 'bogus'$" "$tmp/.stderr"
mpi 3 train s.ini -j zz
check "3 ranks, a bad argument: exit 2 ($status)" test "$status" -eq 2
check "3 ranks, a bad argument: said once" test "$(times "l2l train: -j expects")" -eq 1

# rank_pid MPIRUN_PID RANK: the pid of that rank (its environment says).
rank_pid() {
    local p
    for p in $(pgrep -P "$1"); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Two mpirun on one OUT, or on one checkpoint: the second is refused at
# once (exit 2), naming the first's rank 0, which alone holds the lock.
# busy_case NAME READY-COMMAND LOCK-FILE ARGS-OF-FIRST -- ARGS-OF-SECOND REGEX
busy_case() {
    local name=$1 ready=$2 lockf=$3 first=() holder=""
    shift 3
    while [ "$1" != -- ]; do first+=("$1"); shift; done
    shift
    # shellcheck disable=SC2086 # empty, or one word
    env ${mpi_asan:-} "$MPIRUN" -np 2 "$L2L" "${first[@]}" >"$tmp/.stdout1" 2>"$tmp/.stderr1" &
    local pid=$!
    wait_for 60 eval "$ready" && wait_for 5 eval 'holder=$(rank_pid $pid 0)'
    check "$name: the first one at work" test -n "$holder"
    check "$name: the lock names rank 0 (pid $holder)" grep -q "^$holder\b" "$lockf"
    local re=${*: -1} ranks
    # The first one's ranks are held stopped while the second tries, so it
    # cannot finish first however fast the machine (it did, idle); mpirun
    # is interrupted before they go on.
    ranks="$holder $(rank_pid "$pid" 1)"
    # shellcheck disable=SC2086 # two pids
    kill -STOP $ranks 2>/dev/null
    mpi 2 "${@:1:$#-1}"
    check "$name: the second is refused ($status)" test "$status" -eq 2
    check "$name: naming the first's rank 0, once" \
        test "$(grep -cE "${re//PID/$holder}" "$tmp/.stderr")" -eq 1
    kill -INT "$pid" 2>/dev/null
    # shellcheck disable=SC2086 # two pids
    kill -CONT $ranks 2>/dev/null
    wait_exit "$pid" 30
    check "$name: the first one interrupted ($status)" test "$status" -ne 0 -a "$status" -ne 137
}

# A rank killed: the job ends within 10 s, naming it; the rerun finishes.
# kill_case NAME WHEN-READY-COMMAND ARGS...
kill_case() {
    local name=$1 ready=$2
    shift 2
    "$MPIRUN" -np 2 "$L2L" "$@" >"$tmp/.stdout" 2>"$tmp/.stderr" &
    local pid=$! victim=""
    wait_for 60 eval "$ready" && wait_for 5 eval 'victim=$(rank_pid $pid 1)'
    check "$name: rank 1 found running" test -n "$victim"
    local t0=$SECONDS
    [ -n "$victim" ] && kill -KILL "$victim"
    wait_exit "$pid" 30
    check "$name: non-zero exit ($status)" test "$status" -ne 0
    check "$name: ended within 10 s ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 10
    check "$name: the message names rank 1" grep -q "rank 1" "$tmp/.stderr"
}
partial_some() { [ "$(find k/.partial -type f 2>/dev/null | wc -l)" -ge 20 ]; }
quad_suite kr 400 400 "sgd, adam" >kr.ini </dev/null
run_l2l run kr.ini -j 1 -q -o kref
check "many runs, one process ($status)" test "$status" -eq 0
busy_case "two mpirun, one OUT" partial_some k/.lock run kr.ini -q -o k -- run kr.ini -q -o k \
    "^l2l: k is in use by another l2l \\(pid PID: .*\\): wait for it to finish"
rm -rf k
kill_case "run, rank 1 killed" partial_some run kr.ini -q -o k
check "run, rank 1 killed: runs kept" test -d k/.partial
check "run, rank 1 killed: no results" test ! -e k/summary.csv
mpi 2 run kr.ini -o k
check "run again: exits 0 ($status)" test "$status" -eq 0
check "run again: resumed" grep -q "resuming:" "$tmp/.stderr"
check "run again: CSV files as one process's" same_csv kref k

# learned_sgd (a test plugin): many cheap epochs, 2 problems per meta-step
printf '[suite]\nname = kt\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 10\nbatch = 16\n[optimizer lsgd]\nplugin = %s\ncheckpoint = kt/lsgd.l2l\ntrain_on = quad\nepochs = 600\nsteps = 40\nunroll = 5\nproblems = 2\nvalid_every = 5\nvalid_problems = 4\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
    "$LSGD" >kt.ini
run_l2l train kt.ini -q -o tref
check "long training, one process ($status)" test "$status" -eq 0
mv kt/lsgd.l2l lsgd-ref.l2l
state_later() { [ -e kt/lsgd.l2l.state ] && sleep 0.5; }
# (a checkpoint of its own: kt/'s stays as the kill case wants it)
sed 's,kt/lsgd,kb/lsgd,' kt.ini >kb.ini
kb_state() { [ -e kb/lsgd.l2l.state ]; }
busy_case "two mpirun, one checkpoint" kb_state kb/lsgd.l2l.lock train kb.ini -q -o ta -- train kb.ini -q -o tb \
    "^l2l: meta-training lsgd: kb/lsgd.l2l is in use by another l2l \\(pid PID: .*\\): wait for it to finish"
kill_case "train, rank 1 killed" state_later train kt.ini -q -o tk
check "train, rank 1 killed: .state kept" test -e kt/lsgd.l2l.state
mpi 2 train kt.ini -o tk
check "train again: exits 0 ($status)" test "$status" -eq 0
check "train again: resumed" grep -q "resuming meta-training" "$tmp/.stderr"
check "train again: checkpoint as one process's (but the times)" same_ckpt kt/lsgd.l2l lsgd-ref.l2l
finish
