#!/bin/sh
# tests/robust/bad_suites.sh: `l2l run` on bad suite files. Each must exit
# with status 2 and a first line "FILE:LINE: ..." (or "FILE: ..." where no
# line applies) that names the key or section, the bad value and what was
# expected, and must create no results directory. Table: docs/robustness.md.
. "$(dirname "$0")/common.sh"

# Under L2L_WRAPPER (valgrind in .ci/sanitize, about 2.5 s a case on an
# idle core) only these cases run wrapped, one or two of each kind of
# mistake and each reading path (syntax, types and ranges, grids,
# references, plugin create(), not-text files, strict reading, the accepted
# variants, no file); every case still runs unwrapped, so all messages and
# statuses are checked each time, and .ci/sanitize's AddressSanitizer build
# runs them all, the 50,000-key suite included (over 300 s under valgrind
# on a loaded machine). ROBUST_WRAP_ALL=1 wraps them all.
wrapped_cases=" syntax unknown-key duplicate-section figure-comma int-type real-nan bool-type
 grid-range logspace-count create-refused empty-list missing-optimizee missing-checkpoint
 missing-plugin empty-file long-line binary section-space cr-only latin1 int-exponent
 logspace-tail accepted-crlf accepted-bom missing-file directory"
wrapped_cases=" $(echo $wrapped_cases) "
n_wrapped=0
wrapper=${L2L_WRAPPER:-}
L2L_WRAP_EVERY=1 # this script chooses its wrapped cases itself
if [ -n "$wrapper" ] && [ "${ROBUST_WRAP_ALL:-0}" != 1 ]; then
    say "under L2L_WRAPPER: only $(echo $wrapped_cases | wc -w) representative cases (ROBUST_WRAP_ALL=1: all)"
fi
# wrap NAME: sets L2L_WRAPPER for case NAME (see above).
wrap() {
    case "${ROBUST_WRAP_ALL:-0} $wrapped_cases" in
    1\ * | *" $1 "*) L2L_WRAPPER=$wrapper n_wrapped=$((n_wrapped + 1)) ;;
    *) L2L_WRAPPER= ;;
    esac
}

# bad NAME REGEX: runs the suite NAME.ini (written just before; not in a
# pipeline, so that the case counters stay in this shell). REGEX matches
# the first stderr line after "NAME.ini:" (the file is always named first).
bad() {
    wrap "$1"
    expect "$1" 2 "^$1\\.ini:$2" run "$1.ini" -o "out-$1" --quiet &&
        check "$1: no results directory" test ! -e "out-$1"
}

# Sections every case below can refer to.
Q='[optimizee quad]
plugin = quadratic
dim = 3'
S='[optimizer sgd]
plugin = sgd'
E='[experiment e]
optimizee = quad
optimizers = sgd
steps = 5'

# --- syntax
printf '[suite\nseed = 1\n' >syntax.ini; bad syntax "1: '\\[suite': expected a section header"
printf 'seed = 1\n%s\n%s\n%s\n' "$Q" "$S" "$E" >key-outside.ini; bad key-outside "1: key 'seed' outside any section"
printf '[bogus]\nx = 1\n' >unknown-section.ini; bad unknown-section "1: unknown section \\[bogus\\]"
printf '[optimizer]\nplugin = sgd\n' >unnamed-section.ini; bad unnamed-section "1: \\[optimizer\\]: expected a name"
printf '[optimizer a/b]\nplugin = sgd\n' >untame-name.ini; bad untame-name "1: \\[optimizer a/b\\]: expected a name"
printf '[suite]\nname = ../x\n%s\n%s\n%s\n' "$Q" "$S" "$E" >suite-name.ini; bad suite-name "2: \\[suite\\] name: expected a name"
printf '[suite]\nsed = 1\n%s\n%s\n%s\n' "$Q" "$S" "$E" >unknown-key.ini; bad unknown-key "2: \\[suite\\] unknown key 'sed' \\(did you mean 'seed'\\?\\)"
printf '%s\nlearning_rate = 0.1\n%s\n%s\n' "$S" "$Q" "$E" >unknown-plugin-key.ini; bad unknown-plugin-key "3: \\[optimizer sgd\\] unknown key 'learning_rate'"
# A learned optimizer's section has three tables (the plugin's, checkpoint
# keys, meta-training keys): an unknown key is still said once (two lines:
# it and the count), with the nearest name of any table.
printf '%s\n[optimizer l]\nplugin = %s\ntrain_on = quad\ncheckpoint = l.l2l\nmeta_lrr = 0.1\n[experiment e]\noptimizee = quad\noptimizers = l\nsteps = 5\n' \
    "$Q" "$LSGD" >learned-unknown-key.ini
bad learned-unknown-key "8: \\[optimizer l\\] unknown key 'meta_lrr' \\(did you mean 'meta_lr'\\?\\)" &&
    check "learned-unknown-key: said once" grep -q '1 error' .stderr
printf '[suite]\nseed = 1\nseed = 2\n%s\n%s\n%s\n' "$Q" "$S" "$E" >duplicate-key.ini; bad duplicate-key "3: \\[suite\\] seed: duplicate key \\(first set at line 2\\)"
printf '%s\n%s\n%s\n%s\n' "$Q" "$S" "$S" "$E" >duplicate-section.ini; bad duplicate-section "6: section \\[optimizer sgd\\] appears twice \\(first at line 4\\)"
# The same section spelt with more spaces: both would write rows of experiment e.
printf '%s\n%s\n%s\n[experiment  e]\noptimizee = quad\noptimizers = sgd\nsteps = 3\n' "$Q" "$S" "$E" >spaced-section.ini
bad spaced-section "10: section header '\\[experiment  e\\]': more than one space between the section kind and the name"
# A figure name is a column of experiments.csv and a file name.
printf '%s\n%s\n%s\nfigure = a,b\n' "$Q" "$S" "$E" >figure-comma.ini
bad figure-comma "10: \\[experiment e\\] figure: expected a name \\(1 to 64 letters, digits, '_', '.', '\\+' or '-', the first a letter, a digit or '_'\\), got 'a,b': ',' is not allowed"

# --- types, ranges, non-finite values
printf '[suite]\nruns = ten\n%s\n%s\n%s\n' "$Q" "$S" "$E" >int-type.ini; bad int-type "2: \\[suite\\] runs: expected a whole number in \\[1, 100000\\], got 'ten'"
printf '[suite]\nseed = -1\n%s\n%s\n%s\n' "$Q" "$S" "$E" >seed-range.ini; bad seed-range "2: \\[suite\\] seed: expected a whole number in \\[0, 9007199254740991\\], got '-1'"
printf '%s\n%s\n%s\nsteps = 2.5\n' "$Q" "$S" "$E" >duplicate-steps.ini; bad duplicate-steps "10: \\[experiment e\\] steps: duplicate key"
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers = sgd\nsteps = 2.5\n' "$Q" "$S" >int-fraction.ini; bad int-fraction "9: \\[experiment e\\] steps: expected a whole number in \\[1, 10000000\\], got '2.5'"
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers = sgd\nsteps = 0\n' "$Q" "$S" >int-range.ini; bad int-range "9: \\[experiment e\\] steps: expected a whole number in \\[1, 10000000\\], got '0'"
printf '%s\n%s\nlr = fast\n%s\n' "$Q" "$S" "$E" >real-type.ini; bad real-type "6: \\[optimizer sgd\\] lr: expected a finite real in \\[0, 1000\\], got 'fast'"
printf '%s\n%s\nlr = -1\n%s\n' "$Q" "$S" "$E" >real-range.ini; bad real-range "6: \\[optimizer sgd\\] lr: expected a finite real in \\[0, 1000\\], got '-1'"
printf '%s\n%s\nlr = nan\n%s\n' "$Q" "$S" "$E" >real-nan.ini; bad real-nan "6: \\[optimizer sgd\\] lr: expected a finite real .*got 'nan'"
printf '%s\n%s\nlr = inf\n%s\n' "$Q" "$S" "$E" >real-inf.ini; bad real-inf "6: \\[optimizer sgd\\] lr: expected a finite real .*got 'inf'"
printf '%s\n%s\nlr = 1e999\n%s\n' "$Q" "$S" "$E" >real-overflow.ini; bad real-overflow "6: \\[optimizer sgd\\] lr: expected a finite real .*got '1e999'"
printf '%s\n%s\nnesterov = maybe\n%s\n' "$Q" "$S" "$E" >bool-type.ini; bad bool-type "6: \\[optimizer sgd\\] nesterov: expected true or false, got 'maybe'"
printf '%s\ndist = cauchy\n%s\n%s\n' "$Q" "$S" "$E" >choice.ini; bad choice "4: \\[optimizee quad\\] dist: expected one of uniform\\|normal, got 'cauchy'"
printf '%s\n%s\nlr = 0.1, nan\n%s\n' "$Q" "$S" "$E" >grid-nan.ini; bad grid-nan "6: \\[optimizer sgd\\] lr: expected comma-separated reals"
printf '%s\n%s\nlr = 0.1, 2000\n%s\n' "$Q" "$S" "$E" >grid-range.ini; bad grid-range "6: \\[optimizer sgd\\] lr: grid value 2000: expected a finite real in \\[0, 1000\\]"
printf '%s\n%s\nlr = logspace(1, inf, 3)\n%s\n' "$Q" "$S" "$E" >logspace-inf.ini; bad logspace-inf "6: \\[optimizer sgd\\] lr: expected logspace\\(LO, HI, N\\)"
printf '%s\n%s\nlr = logspace(1, 0.1, 3)\n%s\n' "$Q" "$S" "$E" >logspace-order.ini; bad logspace-order "6: \\[optimizer sgd\\] lr: expected logspace\\(LO, HI, N\\) with 0 < LO < HI"
printf '%s\n%s\nlr = logspace(0.1, 1, 1000)\n%s\n' "$Q" "$S" "$E" >logspace-count.ini; bad logspace-count "6: \\[optimizer sgd\\] lr: expected logspace\\(LO, HI, N\\) .* N <= 64"
printf '%s\n%s\nmomentum = 0\nnesterov = true\n%s\n' "$Q" "$S" "$E" >create-refused.ini; bad create-refused "4: \\[optimizer sgd\\] sgd: "

# --- empty values and lists, references
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers = , ,\n' "$Q" "$S" >empty-list.ini; bad empty-list "8: \\[experiment e\\] optimizers: expected a comma-separated list"
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers =\n' "$Q" "$S" >empty-value.ini; bad empty-value "8: \\[experiment e\\] optimizers: expected a comma-separated list"
printf '%s\n[experiment e]\noptimizee = nope\noptimizers = sgd\n' "$S" >missing-optimizee.ini; bad missing-optimizee "4: \\[experiment e\\] optimizee: no section \\[optimizee nope\\]"
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers = sgd, adam\n' "$Q" "$S" >missing-optimizer.ini; bad missing-optimizer "8: \\[experiment e\\] optimizers: no section \\[optimizer adam\\]"
printf '%s\n%s\n[experiment e]\noptimizee = quad\noptimizers = sgd, sgd\n' "$Q" "$S" >listed-twice.ini; bad listed-twice "8: \\[experiment e\\] optimizers: 'sgd' listed twice"
printf '%s\n[optimizer l]\nplugin = lstm\ncheckpoint = l.ckpt\ntrain_on = nope\n[experiment e]\noptimizee = quad\noptimizers = l\n' "$Q" >missing-train-on.ini; bad missing-train-on "7: \\[optimizer l\\] train_on: no section \\[optimizee nope\\]"
printf '%s\n[optimizer l]\nplugin = lstm\ncheckpoint = l.ckpt\n[experiment e]\noptimizee = quad\noptimizers = l\n' "$Q" >missing-checkpoint.ini; bad missing-checkpoint "4: \\[optimizer l\\] checkpoint .*l\\.ckpt does not exist and no train_on"
printf '%s\n[experiment e]\noptimizers = sgd\n' "$S" >missing-key.ini; bad missing-key "3: \\[experiment e\\] missing required key 'optimizee'"
printf '[optimizer sgd]\nlr = 0.1\n' >missing-plugin.ini; bad missing-plugin "1: \\[optimizer sgd\\] missing required key 'plugin'"
printf '[suite]\nseed = 1\n' >no-experiment.ini; bad no-experiment " no \\[experiment NAME\\] section: nothing to run"

# --- not a text INI file at all
printf '' >empty-file.ini; bad empty-file " no \\[experiment NAME\\] section: nothing to run"
{ printf '[suite]\ndescription = '; i=0; while [ $i -lt 30 ]; do printf 'ten chars '; i=$((i + 1)); done; printf '\n'; } >long-line.ini
bad long-line "2: line longer than 198 characters"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000\001\000\000\000' >binary.ini; bad binary "1: a NUL byte: this is not a text INI file"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR' >binary-png.ini; bad binary-png "1: byte 1 is not valid UTF-8"

# --- read strictly (issue 16, class 5): one reading of every byte, numbers
# exactly of their type. `[suite ]` once made the seed silently 1, and
# `[optimizer  sgd]` a second section that the experiment silently ran.
printf '[suite ]\nseed = 77\n%s\n%s\n%s\n' "$Q" "$S" "$E" >section-space.ini; bad section-space "1: section header '\\[suite \\]': a space before '\\]'"
printf '%s\n[optimizer sgd]\nplugin = adam\n[optimizer  sgd]\nplugin = sgd\n%s\n' "$Q" "$E" >section-two-spaces.ini; bad section-two-spaces "6: section header '\\[optimizer  sgd\\]': more than one space"
printf '%s\n[optimizer\tsgd]\nplugin = sgd\n%s\n' "$Q" "$E" >section-tab.ini; bad section-tab "4: section header '\\[optimizer.sgd\\]': a tab after the section kind"
printf '%s\n%s\n  lr = 0.1\n%s\n' "$Q" "$S" "$E" >indented.ini; bad indented "6: indented line 'lr = 0.1'"
printf '[suite]\nseed = 1\r\nruns = 2\n%s\n%s\n%s\n' "$Q" "$S" "$E" | tr '\n' '\r' >cr-only.ini; bad cr-only "1: a carriage return inside the line"
printf '[suite]\ndescription = caf\351\n%s\n%s\n%s\n' "$Q" "$S" "$E" >latin1.ini; bad latin1 "2: byte 18 is not valid UTF-8"
printf '%s\n%s\n%s\nruns = 1e3\n' "$Q" "$S" "$E" >int-exponent.ini; bad int-exponent "10: \\[experiment e\\] runs: expected a whole number in \\[0, 100000\\], got '1e3'"
printf '%s\n%s\n%s\nruns = 0x10\n' "$Q" "$S" "$E" >int-hex.ini; bad int-hex "10: \\[experiment e\\] runs: expected a whole number .*got '0x10'"
printf '%s\n%s\n%s\nruns = 3.0\n' "$Q" "$S" "$E" >int-point.ini; bad int-point "10: \\[experiment e\\] runs: expected a whole number .*got '3.0'"
printf '%s\n%s\nlr = 3junk\n%s\n' "$Q" "$S" "$E" >real-junk.ini; bad real-junk "6: \\[optimizer sgd\\] lr: expected a finite real in \\[0, 1000\\], got '3junk'"
printf '%s\n%s\nlr = 0x10\n%s\n' "$Q" "$S" "$E" >real-hex.ini; bad real-hex "6: \\[optimizer sgd\\] lr: expected a finite real .*got '0x10'"
printf '%s\n%s\nlr = 1e-400\n%s\n' "$Q" "$S" "$E" >real-underflow.ini; bad real-underflow "6: \\[optimizer sgd\\] lr: expected a finite real .*got '1e-400'"
printf '%s\n%s\nlr = logspace(0.1, 1, 3junk\n%s\n' "$Q" "$S" "$E" >logspace-junk.ini; bad logspace-junk "6: \\[optimizer sgd\\] lr: expected logspace\\(LO, HI, N\\) .*got 'logspace\\(0.1, 1, 3junk'"
printf '%s\n%s\nlr = logspace(0.1,1,3)x\n%s\n' "$Q" "$S" "$E" >logspace-tail.ini; bad logspace-tail "6: \\[optimizer sgd\\] lr: expected logspace\\(LO, HI, N\\) .*nothing after '\\)', got 'logspace\\(0.1,1,3\\)x'"
printf '%s\n%s\nlr = 0.1,,0.2\n%s\n' "$Q" "$S" "$E" >list-empty-item.ini; bad list-empty-item "6: \\[optimizer sgd\\] lr: expected a comma-separated list of reals, got '0.1,,0.2' \\(item 2 is empty\\)"
# 10,000 optimizer sections, 50,000 keys, one mistake at the end: read
# whole (in linear time: the time is not tested) and the mistake found.
awk 'BEGIN { print "[optimizee quad]\nplugin = quadratic\ndim = 3";
    for (k = 0; k < 10000; k++) printf "[optimizer s%d]\nplugin = sgd\nlr = 0.01\nmomentum = 0.5\nnesterov = false\n", k;
    print "[experiment e]\noptimizee = quad\noptimizers = s0, s9999, s10000\nsteps = 5" }' >many-keys.ini
bad many-keys "50006: \\[experiment e\\] optimizers: no section \\[optimizer s10000\\]"
# Accepted, with the same results as the plain file: CR LF line ends, a
# UTF-8 byte order mark, tabs around keys and values, a comment after ']'.
write_good_suite plain.ini
sed 's/$/\r/' plain.ini >crlf.ini
{ printf '\357\273\277'; cat plain.ini; } >bom.ini
sed 's/ = /\t=\t/; s/^\[optimizer sgd\]$/[optimizer sgd] ; the baseline/' plain.ini >tabs.ini
for v in plain crlf bom tabs; do
    wrap "accepted-$v"
    expect "accepted-$v" 0 "" run "$v.ini" -o "out-$v" --quiet
done
for v in crlf bom tabs; do
    check "accepted-$v: the same curves as plain.ini" cmp out-plain/curves.csv "out-$v/curves.csv"
done

# --- no file
wrap missing-file
expect missing-file 2 "^nowhere\\.ini: cannot open the suite file: No such file or directory" run nowhere.ini -o out-missing
check "missing-file: no results directory" test ! -e out-missing
mkdir adir
wrap directory
expect directory 2 "^adir: not a regular file: a directory \\(expected a suite file\\)" run adir -o out-dir
check "directory: no results directory" test ! -e out-dir

# A misspelt name in wrapped_cases would silently leave its case unwrapped.
if [ "${ROBUST_WRAP_ALL:-0}" != 1 ]; then
    check "every name of wrapped_cases is a case" test "$n_wrapped" -eq "$(echo $wrapped_cases | wc -w)"
fi

finish
