#!/bin/sh
# tests/robust/checkpoint_status.sh: a checkpoint says whether its training
# finished, and the options that change what φ computes.
#  - an interrupted training whose .state is then deleted (as after a
#    kill -9 before the first .state, or a user following "delete it to
#    start over") leaves an unfinished checkpoint: evaluation refuses it,
#    `l2l run` and `l2l train` train it again from the start and end with
#    the φ of an uninterrupted training; never used as trained;
#  - `l2l train` with nothing to do says so;
#  - keep = last is recorded; format 1 is refused with what to do;
#  - the shipped quadratic checkpoint in a suite that changes scale, p or
#    preprocess is refused (exit 2, FILE:LINE, the option, both values).
. "$(dirname "$0")/common.sh"
LINEAR=$builddir/tests/plugins/.libs/linear.so

# suite FILE EXTRA_OPTIMIZEE_KEYS EXTRA_OPTIMIZER_KEYS
suite() {
    printf '[suite]\nname = st\nseed = 5\nruns = 2\n[optimizee lin]\nplugin = %s\nn = 6\nquad = 1\n%s\n[optimizer lsgd]\nplugin = %s\ncheckpoint = lsgd.ckpt\n%s\n[experiment e]\noptimizee = lin\noptimizers = lsgd\nsteps = 10\n' \
        "$LINEAR" "$2" "$LSGD" "$3" >"$1"
}
train_keys='train_on = lin
epochs = 30
steps = 20
unroll = 5
valid_every = 5
valid_problems = 2'
# The reference: trained without interruption.
mkdir ref
suite ref/st.ini "" "$train_keys"
expect reference 0 "" train ref/st.ini -o ref/out --quiet
shown() { "$L2L" checkpoint show "$1" | grep -v ' time: ' | sed 1d; }
shown ref/lsgd.ckpt >ref.shown
check "reference: finished" grep -q "training: finished, epoch 30 of 30" ref.shown

# Interrupted by the family's own SIGINT (deterministic), then the .state
# deleted: an unfinished checkpoint alone.
suite cut.ini "sigint_at = 700" "$train_keys"
expect cut 130 "" train cut.ini -o out-cut --quiet
check "cut: .state kept" test -e lsgd.ckpt.state
rm -f lsgd.ckpt.state
"$L2L" checkpoint show lsgd.ckpt >cut.shown
check "cut: the checkpoint says it is not finished" grep -q "training: NOT finished" cut.shown

# Evaluation alone (no train_on) refuses it.
suite eval.ini "" ""
expect eval-unfinished 2 "^eval\\.ini:[0-9]+: \\[optimizer lsgd\\] lsgd\\.ckpt: its training did not finish \\(epoch [0-9]+ of 30\\)" \
    run eval.ini -o out-eval --quiet &&
    check "eval-unfinished: no results" test ! -e out-eval/summary.csv

# l2l run trains it again from the start and evaluates the trained φ.
suite st.ini "" "$train_keys"
max_lines=8
expect rerun 0 "" run st.ini -o out-run
max_lines=2
check "rerun: says it trains again from the start" \
    grep -q "its training stopped at epoch [0-9]* of 30 and left no lsgd.ckpt.state: training it again from the start" "$tmp/.stderr"
shown lsgd.ckpt >rerun.shown
check "rerun: φ, status and cost as the uninterrupted training's" cmp rerun.shown ref.shown
check "rerun: summary.csv written" test -s out-run/summary.csv

# Nothing left to train.
expect nothing 0 "" train st.ini -o out-run
check "nothing: says there is nothing to train" grep -q "nothing to train: every learned optimizer of st.ini has a finished checkpoint" "$tmp/.stderr"

# keep = last is recorded.
rm -f lsgd.ckpt
suite last.ini "" "$train_keys
keep = last"
expect keep-last 0 "" train last.ini -o out-last --quiet
check "keep-last: recorded" sh -c "'$L2L' checkpoint show lsgd.ckpt | grep -q 'keeps the last φ'"
suite bad-keep.ini "" "$train_keys
keep = newest"
expect bad-keep 2 "^bad-keep\\.ini:[0-9]+: \\[optimizer lsgd\\] keep: expected one of best\\|last" train bad-keep.ini -o out-bk --quiet

# Format 1 (a checkpoint of the earlier layout: magic, version 1, ...):
# refused with what to do.
printf 'L2LCKPT\0\1\0\0\0' >v1.ckpt
head -c 200 /dev/zero >>v1.ckpt
sed 's/lsgd.ckpt/v1.ckpt/' eval.ini >v1.ini
expect format1 2 "^v1\\.ini:[0-9]+: \\[optimizer lsgd\\] v1\\.ckpt: checkpoint format version 1, which does not record whether its training finished" \
    run v1.ini -o out-v1 --quiet

# The shipped quadratic lstm under options that change its update.
ship() {
    sed -e "s|^checkpoint = checkpoints/|checkpoint = $top_srcdir/suites/checkpoints/|" \
        "$top_srcdir/suites/quadratic.ini" |
        awk -v key="$1" -v val="$2" '/^\[/ { sec = $0 }
            sec == "[optimizer lstm]" && $1 == key { $0 = key " = " val } { print }' >"ship-$1.ini"
}
for kv in "scale 1 0.1" "p 5 10" "preprocess logsign-ref logsign"; do
    set -- $kv
    ship "$1" "$2"
    expect "ship-$1" 2 "^ship-$1\\.ini:[0-9]+: \\[optimizer lstm\\] .*quadratic-lstm\\.l2l: trained with $1 = $3, the suite sets $1 = $2" \
        run "ship-$1.ini" -o "out-ship-$1" --quiet &&
        check "ship-$1: no results" test ! -e "out-ship-$1/summary.csv"
done
finish
