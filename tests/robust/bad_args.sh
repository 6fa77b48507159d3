#!/bin/sh
# tests/robust/bad_args.sh: bad command lines. Each must exit with status 2
# and one line saying what was expected, before any work starts.
. "$(dirname "$0")/common.sh"

write_good_suite good.ini
max_lines=30 # the usage text
expect no-command 2 "^usage: l2l COMMAND"
max_lines=2
expect unknown-command 2 "^l2l: unknown command 'frobnicate' \\(try \`l2l help\`\\)" frobnicate
expect run-no-suite 2 "^l2l run: expected a suite file" run
expect train-no-suite 2 "^l2l train: expected a suite file" train
expect two-suites 2 "^l2l run: one suite file at a time \\(got 'good.ini' and 'other.ini'\\)" run good.ini other.ini
expect unknown-option 2 "^l2l run: unknown option '--frobnicate'" run good.ini --frobnicate
expect jobs-zero 2 "^l2l run: -j expects a whole number in \\[1, 64\\], got '0'" run good.ini -j 0
expect jobs-text 2 "^l2l run: -j expects a whole number in \\[1, 64\\], got 'many'" run good.ini -j many
expect jobs-glued 2 "^l2l run: -j expects a whole number in \\[1, 64\\], got '2x'" run good.ini -j2x
expect jobs-too-many 2 "^l2l run: --jobs expects a whole number in \\[1, 64\\], got '65'" run good.ini --jobs 65
expect jobs-missing 2 "^l2l run: -j expects a whole number in \\[1, 64\\], got '\\(nothing\\)'" run good.ini -j
expect seed-negative 2 "^l2l run: --seed expects a whole number in \\[0, 9007199254740991\\], got '-1'" run good.ini --seed -1
expect seed-overflow 2 "^l2l run: --seed expects a whole number .*got '99999999999999999999'" run good.ini --seed 99999999999999999999
expect seed-text 2 "^l2l train: --seed expects a whole number .*got '1x'" train good.ini --seed 1x
# strictly whole numbers (issue 16, class 5): no exponent, sign or hex
expect jobs-exponent 2 "^l2l run: -j expects a whole number in \\[1, 64\\], got '1e1'" run good.ini -j 1e1
expect seed-plus 2 "^l2l run: --seed expects a whole number .*got '\\+5'" run good.ini --seed +5
expect seed-hex 2 "^l2l run: --seed expects a whole number .*got '0x10'" run good.ini --seed 0x10
expect seed-space 2 "^l2l run: --seed expects a whole number .*got ' 5'" run good.ini --seed " 5"
expect output-missing 2 "^l2l run: -o expects a directory" run good.ini -o
expect output-empty 2 "^l2l run: -o expects a directory" run good.ini -o ""
expect describe-nothing 2 "^l2l describe: expected one plugin name" describe
expect describe-unknown 2 "^l2l describe: no plugin 'nosuch' on the search path" describe nosuch
expect list-extra 2 "^l2l list: takes no arguments" list extra
expect plot-nothing 2 "^l2l plot: expected a results directory" plot
expect plot-not-results 2 "^l2l: cannot open nowhere/experiments.csv: No such file or directory" plot nowhere
check "nothing was written" test -z "$(ls | grep -v -x good.ini)"
# Figures required but gnuplot missing: refused before any run, not after.
write_good_suite figs.ini
L2L_GNUPLOT=/nonexistent/gnuplot
export L2L_GNUPLOT
expect require-figures 2 "^l2l run: --require-figures, but gnuplot is not found at /nonexistent/gnuplot: .*nothing was run" \
    run figs.ini -o out-figs --require-figures --quiet
unset L2L_GNUPLOT
check "require-figures: no results directory" test ! -e out-figs
finish
