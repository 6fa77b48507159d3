#!/bin/sh
# tests/robust/sets.sh: sets of φ (`set.NAME = PATTERNS` in a learned
# optimizer's section). A suite with two sets meta-trains and evaluates and
# its checkpoint names both; a suite whose sets differ from the
# checkpoint's is refused (exit 2, FILE:LINE, both lists of sets), as is
# the shipped-style one-set checkpoint under two sets; bad set keys are
# refused before anything runs.
. "$(dirname "$0")/common.sh"

write_suite() { # FILE SET-LINES
    cat >"$1" <<INI
[suite]
seed = 5
runs = 2
tune_runs = 1
[optimizee mlp]
plugin = mlp
hidden = 3
batch = 4
train_images = $data/train-images-idx3-ubyte
train_labels = $data/train-labels-idx1-ubyte
test_images = $data/train-images-idx3-ubyte
test_labels = $data/train-labels-idx1-ubyte
[optimizer lstm]
plugin = lstm
layers = 1
hidden = 4
checkpoint = ck/lstm.l2l
train_on = mlp
epochs = 2
steps = 10
unroll = 5
valid_every = 2
valid_problems = 2
$2
[experiment e]
optimizee = mlp
optimizers = lstm
steps = 10
INI
}

# A tiny IDX data set (16 images of 4x4, labels 0-2) for the mlp.
data=$tmp/idx
mkdir -p "$data"
{
    printf '\000\000\010\003\000\000\000\020\000\000\000\004\000\000\000\004'
    LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) printf "%c", (i * 37 + 11) % 255 + 1 }'
} >"$data/train-images-idx3-ubyte"
{
    printf '\000\000\010\001\000\000\000\020'
    printf '\000\001\002\000\001\002\000\001\002\000\001\002\000\001\002\000'
} >"$data/train-labels-idx1-ubyte"

write_suite two.ini "set.weights = w*
set.biases = *"
expect "two sets train and evaluate" 0 "" run two.ini -o out2 --quiet
check "summary.csv written" test -s out2/summary.csv
run_l2l checkpoint show ck/lstm.l2l
check "checkpoint names set weights" grep -q "weights" "$tmp/.stdout"
check "checkpoint names set biases" grep -q "biases" "$tmp/.stdout"
check "checkpoint note records the sets" grep -q "sets=weights:w\*|biases:\*" "$tmp/.stdout"
cp ck/lstm.l2l two.l2l

write_suite one.ini ""
expect "one set against a two-set checkpoint refused" 2 \
    "^one\.ini:[0-9]+: .*ck/lstm\.l2l: 2 sets of φ in the file \(weights \(w\*\), biases \(\*\)\), 1 in the suite \(all \(\*\)\)" \
    run one.ini -o out1 --quiet
no_results out1 "one set against two"

write_suite renamed.ini "set.weights = w*
set.fc = *"
expect "a renamed set refused" 2 "^renamed\.ini:[0-9]+: .*set 2 is biases \(\*\) in the file, fc \(\*\) in the suite" \
    run renamed.ini -o outr --quiet
write_suite repatterned.ini "set.weights = w0
set.biases = *"
expect "other patterns refused" 2 "^repatterned\.ini:[0-9]+: .*set 1 is weights \(w\*\) in the file, weights \(w0\) in the suite" \
    run repatterned.ini -o outp --quiet

# The other way round: a one-set checkpoint (as every shipped one) under two sets.
mkdir one && write_suite one/one.ini ""
expect "one set trains" 0 "" run one/one.ini -o out1b --quiet
cp one/ck/lstm.l2l ck/lstm.l2l
write_suite two2.ini "set.weights = w*"
expect "two sets against a one-set checkpoint refused" 2 \
    "^two2\.ini:[0-9]+: .*1 sets of φ in the file \(all \(\*\)\), 2 in the suite \(weights \(w\*\), rest \(\*\)\)" \
    run two2.ini -o outt --quiet

write_suite late.ini "set.all = *
set.w = w*"
expect "a set after the catch-all refused" 2 "^late\.ini:[0-9]+: .*set\.w comes after set\.all" run late.ini -o outl --quiet
write_suite empty.ini "set.w ="
expect "a set without patterns refused" 2 "^empty\.ini:[0-9]+: .*set\.w: expected comma-separated patterns" \
    run empty.ini -o oute --quiet
write_suite dup.ini "set.w = w*
set.w = b*"
expect "a set named twice refused" 2 "^dup\.ini:[0-9]+: " run dup.ini -o outd --quiet
write_suite badname.ini "set.-x = w*"
expect "a bad set name refused" 2 "^badname\.ini:[0-9]+: .*set\.-x" run badname.ini -o outn --quiet
cat >hand.ini <<INI
[optimizee quad]
plugin = quadratic
[optimizer sgd]
plugin = sgd
set.x = *
[experiment e]
optimizee = quad
optimizers = sgd
INI
expect "set. in a hand-designed optimizer refused" 2 "^hand\.ini:5: \[optimizer sgd\] unknown key 'set\.x'" \
    run hand.ini -o outh --quiet
finish
