#!/bin/sh
# tests/robust/second_order.sh: the meta-training key second_order. A suite
# with second_order = true meta-trains (Hessian-vector products of the
# quadratic, the LSTM's per-step backward) and evaluates; its checkpoint's
# note says so, a first-order one's does not; a bad value is refused
# before anything runs.
. "$(dirname "$0")/common.sh"

write_suite() { # FILE SECOND_ORDER
    cat >"$1" <<INI
[suite]
seed = 5
runs = 2
tune_runs = 1
[optimizee quad]
plugin = quadratic
dim = 5
batch = 4
[optimizer lstm]
plugin = lstm
layers = 1
hidden = 4
checkpoint = ck/lstm.l2l
train_on = quad
epochs = 4
steps = 20
unroll = 5
valid_every = 2
valid_problems = 2
second_order = $2
[experiment e]
optimizee = quad
optimizers = lstm
steps = 20
INI
}

write_suite second.ini true
expect "second_order = true trains and evaluates" 0 "" run second.ini -o out2 --quiet
check "summary.csv written" test -s out2/summary.csv
check "meta log written" test -s out2/meta_lstm.csv
run_l2l checkpoint show ck/lstm.l2l
check "checkpoint note says second_order=true" grep -q "second_order=true" "$tmp/.stdout"
check "meta log: 4 epochs and the initial row" test "$(tail -n +2 out2/meta_lstm.csv | wc -l)" -eq 5

mkdir first && write_suite first/first.ini false
expect "second_order = false trains and evaluates" 0 "" run first/first.ini -o out1 --quiet
run_l2l checkpoint show first/ck/lstm.l2l
check "first-order note has no second_order" eval '! grep -q second_order "$tmp/.stdout"'

write_suite bad.ini maybe
expect "second_order = maybe refused" 2 "^bad\.ini:[0-9]+: .*second_order.*maybe" run bad.ini -o outb --quiet
no_results outb "second_order = maybe"
finish
