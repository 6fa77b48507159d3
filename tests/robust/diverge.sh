#!/bin/sh
# tests/robust/diverge.sh: a numeric fault is a result. SGD with lr = 1000
# on a quadratic overflows to inf within a few steps; `l2l run` must record
# each run as diverged at the step where the loss stopped being finite
# (runs.csv, curves.csv), count the divergences in summary.csv, rank a
# diverging grid value last in tuning, and go on with the rest of the suite.
# Then meta-training whose every meta-gradient and validation diverges (see
# below): rollbacks, an early stop, and a clean end.
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

# ------------------------------------------------ meta-training diverges
# learned_sgd starting at step size 10 on 5-d quadratics: θ overflows within
# an unroll of 20 steps, so every meta-gradient and every validation loss is
# non-finite from the start. Each meta-step is skipped; every 3 in a row φ is
# rolled back (to its initial value: nothing better was ever validated) and
# meta_lr halved; after 15 epochs in a row without one finite meta-gradient
# training stops. It must end cleanly: exit status 1, one message, no
# checkpoint, no .state (a resume could only repeat the failure, and a fixed
# suite would be refused the state), no results; the log keeps every epoch.
meta_suite() { # meta_suite FILE UNROLL
    printf '[suite]\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 5\nbatch = 4\n[optimizer lsgd]\nplugin = %s\nlr = 10\ncheckpoint = lsgd.ckpt\ntrain_on = quad\nepochs = 40\nsteps = 40\nunroll = %s\nmeta_lr = 0.5\nvalid_every = 2\nvalid_problems = 2\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
        "$LSGD" "$2" >"$1"
}
meta_suite meta.ini 20
gone_msg='lsgd: lsgd: no validation gave a finite loss \(8 validations, epochs 0 to 15\): φ diverged; no checkpoint written, training state removed'
for cmd in train train-again run; do
    run_l2l "${cmd%-again}" meta.ini -o "out-meta-$cmd" --quiet
    n_cases=$((n_cases + 1))
    if [ "$status" -eq 1 ] && tail -n 1 "$tmp/.stderr" | grep -q -E "^l2l: meta-training $gone_msg" &&
        ! grep -q -e resuming -e Sanitizer -e 'runtime error' "$tmp/.stderr"; then
        say "ok meta-$cmd: exit status 1: $(tail -n 1 "$tmp/.stderr")"
    else
        fail "meta-$cmd: exit status $status, stderr:"
        sed 's/^/    /' "$tmp/.stderr" | tail -n 5
    fi
    check "meta-$cmd: no checkpoint, no .state" test ! -e lsgd.ckpt -a ! -e lsgd.ckpt.state
    check "meta-$cmd: no summary.csv" test ! -e "out-meta-$cmd/summary.csv"
    [ "$cmd" = train ] && cp "$tmp/.stderr" meta-train.err
done
check "meta-train: every meta-step skipped, said per epoch" \
    test "$(grep -c 'meta-gradient not finite, step skipped' meta-train.err)" -eq 15
check "meta-train: φ rolled back 5 times, meta_lr halved" \
    test "$(grep -c 'φ rolled back to its initial value, Adam restarted, meta_lr halved' meta-train.err)" -eq 5
check "meta-train: stopped early, said why" \
    grep -q 'lsgd: 15 epochs in a row without a finite meta-gradient and never a finite validation loss: φ cannot move; stopped after epoch 15 of 40' meta-train.err
lrcol=$(col out-meta-train/meta_lsgd.csv lr)
check "meta-train: the log has epochs 0 to 15" test "$(tail -n 1 out-meta-train/meta_lsgd.csv | cut -d, -f1)" = 15
check "meta-train: the log's meta lr is 0.5 at epoch 2, 0.25 at epoch 3, 0.015625 at epoch 15" \
    test "$(field out-meta-train/meta_lsgd.csv 2 "$lrcol"),$(field out-meta-train/meta_lsgd.csv 3 "$lrcol"),$(field out-meta-train/meta_lsgd.csv 15 "$lrcol")" = "0.5,0.25,0.015625"
# The suite fixed (unrolls of 5 steps keep θ finite long enough for a finite
# meta-gradient): starts afresh, recovers, writes a checkpoint.
meta_suite fixed.ini 5
run_l2l train fixed.ini -o out-meta-fixed --quiet
check "meta-fixed: exit status 0 ($status), no new start refused" test "$status" -eq 0
check "meta-fixed: a few meta-steps skipped on the way" grep -q 'meta-gradient not finite, step skipped' "$tmp/.stderr"
check "meta-fixed: checkpoint written, no .state" test -s lsgd.ckpt -a ! -e lsgd.ckpt.state
vcol=$(col out-meta-fixed/meta_lsgd.csv valid_loss)
check "meta-fixed: validation inf at epoch 0, finite at the end" \
    test "$(field out-meta-fixed/meta_lsgd.csv 0 "$vcol")" = inf -a "$(tail -n 1 out-meta-fixed/meta_lsgd.csv | cut -d, -f"$vcol")" != inf
finish
