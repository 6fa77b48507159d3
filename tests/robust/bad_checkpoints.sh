#!/bin/sh
# tests/robust/bad_checkpoints.sh: a learned optimizer (the test plugin
# learned_sgd, loaded by path) whose checkpoint is bad: truncated (header
# and body), not a checkpoint, empty, a directory, wrong version, wrong
# checksum, another plugin's, another shape, non-finite φ, trailing bytes;
# and a corrupt meta-training .state. Each must exit with status 2 with one
# line naming the checkpoint file and what is wrong, and leave no results.
# (A directory is refused when the suite is read, by `l2l run` and `l2l
# train` alike, naming the suite file, line and key.)
. "$(dirname "$0")/common.sh"

# suite NAME CHECKPOINT [EXTRA KEYS]
suite() {
    printf '[suite]\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 4\n[optimizer lsgd]\nplugin = %s\ncheckpoint = %s\n%s\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
        "$LSGD" "$2" "${3:-}" >"$1.ini"
}

# A good checkpoint, meta-trained for a few epochs.
suite train "$tmp/good.ckpt" 'train_on = quad
epochs = 4
steps = 10
unroll = 5
valid_every = 2
valid_problems = 2'
expect train-good 0 "" train train.ini -o out-train --quiet
check "train-good: checkpoint written, no .state left" test -s good.ckpt -a ! -e good.ckpt.state
suite good "$tmp/good.ckpt"
expect run-good 0 "" run good.ini -o out-good --quiet
check "run-good: summary.csv written" test -s out-good/summary.csv
size=$(wc -c <good.ckpt)

# crc_fix FILE: rewrites the trailing CRC-32 of FILE so that the loader
# gets past the checksum (gzip's trailer holds the same CRC-32, little-endian).
crc_fix() {
    head -c $(($(wc -c <"$1") - 4)) "$1" >"$1.body"
    { cat "$1.body"; gzip -c -n <"$1.body" | tail -c 8 | head -c 4; } >"$1"
    rm -f "$1.body"
}

# ckpt_case NAME REGEX [EXTRA KEYS]: runs with checkpoint NAME.ckpt.
ckpt_case() {
    suite "$1" "$tmp/$1.ckpt" "${3:-}"
    expect "$1" 2 "^$1\\.ini:8: \\[optimizer lsgd\\] $tmp/$1\\.ckpt: $2" run "$1.ini" -o "out-$1" --quiet &&
        check "$1: no results directory" test ! -e "out-$1"
}

head -c 100 good.ckpt >short-header.ckpt
ckpt_case short-header "truncated: 100 bytes, ends before record 4 of 7"
head -c $((size - 6)) good.ckpt >short-body.ckpt
ckpt_case short-body "truncated: $((size - 6)) bytes, record 7 of 7 \\('PHIS', 32 bytes\\) runs past the end"
echo "phi = 1, 2" >text.ckpt
ckpt_case text "not an l2l-bench checkpoint \\(no L2LCKPT magic at the start\\)"
: >empty.ckpt
ckpt_case empty "not an l2l-bench checkpoint"
# A directory where the checkpoint should be: refused when the suite is
# read (it would pass for a trained checkpoint), naming the file, line, key.
mkdir dir.ckpt
suite dir "$tmp/dir.ckpt"
expect dir 2 "^dir\.ini:10: \[optimizer lsgd\] checkpoint: $tmp/dir\.ckpt is a directory, expected a checkpoint file" \
    run dir.ini -o out-dir --quiet &&
    check "dir: no results directory" test ! -e out-dir
suite dir-train "$tmp/dir.ckpt" 'train_on = quad
epochs = 2'
expect dir-train 2 "^dir-train\.ini:10: \[optimizer lsgd\] checkpoint: $tmp/dir\.ckpt is a directory, expected a checkpoint file" \
    train dir-train.ini -o out-dir-train --quiet &&
    check "dir-train: nothing trained or written" test ! -e out-dir-train -a -z "$(ls -A dir.ckpt)"
{ head -c 8 good.ckpt; printf '\143\0\0\0'; tail -c +13 good.ckpt; } >version.ckpt
crc_fix version.ckpt
ckpt_case version "checkpoint format version 99, this l2l reads version 2"
{ head -c 8 good.ckpt; printf '\1\0\0\0'; tail -c +13 good.ckpt; } >version1.ckpt
crc_fix version1.ckpt
ckpt_case version1 "checkpoint format version 1, which does not record whether its training finished"
# Format 2 at fixed offsets for this plugin: magic 8, version 4, 7 records
# (4); PLUG (12 + 15 bytes), SHAP (12 + 8), OPTS (12 + 18), STAT (12 + ...):
# the plugin name at byte 32, STAT's finished flag at byte 105.
{ head -c 105 good.ckpt; printf '\0'; tail -c +107 good.ckpt; } >unfinished.ckpt
crc_fix unfinished.ckpt
ckpt_case unfinished "its training did not finish \\(epoch 4 of 4\\)"
{ head -c 16 good.ckpt; printf 'PLUX'; tail -c +21 good.ckpt; } >record.ckpt
crc_fix record.ckpt
ckpt_case record "record 'PLUX' is not known to this l2l"
{ head -c 40 good.ckpt; printf 'X'; tail -c +42 good.ckpt; } >checksum.ckpt
ckpt_case checksum "checksum mismatch: the file is corrupt"
{ head -c 32 good.ckpt; printf 'learned_sgX'; tail -c +44 good.ckpt; } >plugin.ckpt
crc_fix plugin.ckpt
ckpt_case plugin "written by plugin 'learned_sgX', not 'learned_sgd'"
cp good.ckpt shape.ckpt
ckpt_case shape "terms is 2 in the file, 1 in the suite" "terms = 1"
# φ is the last 8 bytes before the CRC: φ[0] NaN, then φ[1] +inf.
{ head -c $((size - 12)) good.ckpt; printf '\0\0\300\177'; tail -c 8 good.ckpt; } >nan.ckpt
crc_fix nan.ckpt
ckpt_case nan "φ\\[0\\] of set all is nan: not a usable checkpoint"
{ head -c $((size - 8)) good.ckpt; printf '\0\0\200\177'; tail -c 4 good.ckpt; } >inf.ckpt
crc_fix inf.ckpt
ckpt_case inf "φ\\[1\\] of set all is inf: not a usable checkpoint"
{ cat good.ckpt; printf 'tail'; } >trailing.ckpt
crc_fix trailing.ckpt
ckpt_case trailing "corrupt: 4 bytes after the end of the checkpoint"
check "good.ckpt untouched by the refusals" test "$(wc -c <good.ckpt)" -eq "$size"

# A corrupt .state beside an unfinished checkpoint: meta-training refuses
# to resume.
cp unfinished.ckpt state.ckpt
echo junk >state.ckpt.state
suite state "$tmp/state.ckpt" 'train_on = quad
epochs = 4
steps = 10
unroll = 5'
expect state 2 "^l2l: meta-training lsgd: $tmp/state\\.ckpt\\.state: not an l2l-bench training state" \
    train state.ini -o out-state --quiet
check "state: checkpoint and .state left as they were" \
    cmp -s unfinished.ckpt state.ckpt
check "state: .state left" test "$(cat state.ckpt.state)" = junk

# A bad checkpoint beside an optimizer still to meta-train: refused before
# the meta-training, not after it (no checkpoint, log or results made).
cp short-body.ckpt second.ckpt
suite second "$tmp/fresh.ckpt" 'train_on = quad
epochs = 4
steps = 10
unroll = 5'
printf '[optimizer lsgd2]\nplugin = %s\ncheckpoint = %s\n' "$LSGD" "$tmp/second.ckpt" >>second.ini
sed -i 's/^optimizers = lsgd$/optimizers = lsgd, lsgd2/' second.ini
expect before-training 2 "^second\\.ini:[0-9]+: \\[optimizer lsgd2\\] $tmp/second\\.ckpt: truncated" run second.ini -o out-second --quiet &&
    check "before-training: nothing meta-trained, no results directory" test ! -e fresh.ckpt -a ! -e fresh.ckpt.state -a ! -e out-second
finish
