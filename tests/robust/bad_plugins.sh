#!/bin/sh
# tests/robust/bad_plugins.sh: suites naming plugins that cannot be used:
# missing, not a shared object, not an l2l-bench plugin, a wrong ABI
# version, a missing hook, the wrong kind, a wrong declared name, and
# plugins whose create() or open() refuses the options, a name with a comma,
# a default that does not parse. Each must exit with status 2, name the
# suite line and the plugin file, and write nothing. Then hooks that fail
# while running: exit status 3, one line naming plugin, hook, step and run.
. "$(dirname "$0")/common.sh"

plugins=$builddir/tests/plugins/.libs
quad_so=$builddir/plugins/optimizees/.libs/quadratic.so
E='[experiment e]
optimizee = quad
optimizers = opt'

# plugin_case NAME PLUGIN REGEX [EXTRA KEYS]: [optimizer opt] uses PLUGIN.
plugin_case() {
    printf '[optimizee quad]\nplugin = quadratic\ndim = 3\n[optimizer opt]\nplugin = %s\n%s\n%s\n' \
        "$2" "${4:-}" "$E" >"$1.ini"
    expect "$1" 2 "^$1\\.ini:$3" run "$1.ini" -o "out-$1" --quiet &&
        check "$1: no results directory" test ! -e "out-$1"
}

plugin_case not-found nosuch "5: \\[optimizer opt\\] plugin: no optimizer plugin 'nosuch' on the search path"
plugin_case missing-file /nonexistent/x.so "5: \\[optimizer opt\\] plugin: cannot load plugin: /nonexistent/x.so: cannot open shared object file"
echo "not a shared object" >"$tmp/text.so"
plugin_case not-elf "$tmp/text.so" "5: \\[optimizer opt\\] plugin: cannot load plugin: $tmp/text.so: (file too short|invalid ELF header)"
mkdir "$tmp/dir.so"
plugin_case directory "$tmp/dir.so" "5: \\[optimizer opt\\] plugin: cannot load plugin: $tmp/dir.so"
plugin_case no-symbol "$plugins/broken_nosym.so" "5: \\[optimizer opt\\] plugin: .*broken_nosym.so: exports neither 'l2l_optimizer' nor 'l2l_optimizee': not an l2l-bench plugin"
plugin_case wrong-abi "$plugins/broken_abi.so" "5: \\[optimizer opt\\] plugin: .*broken_abi.so: bad plugin ABI version 1 \\(want 2\\)"
plugin_case missing-hook "$plugins/broken_nostep.so" "5: \\[optimizer opt\\] plugin: .*broken_nostep.so: no step \\(a required member of the plugin vtable is NULL\\)"
plugin_case wrong-kind-name quadratic "5: \\[optimizer opt\\] plugin: no optimizer plugin 'quadratic'"
plugin_case wrong-kind-path "$quad_so" "5: \\[optimizer opt\\] plugin: .*quadratic.so: is an optimizee plugin, expected an optimizer"
plugin_case create-fails nag "4: \\[optimizer opt\\] nag: momentum must be in \\(0, 1\\]" "momentum = 0"
# What a plugin declares and the results repeat is checked when it loads,
# not found out when the results are read back (a comma in optimizers.csv).
plugin_case comma-name "$plugins/comma_name.so" "5: \\[optimizer opt\\] plugin: .*comma_name.so: the vtable's name: expected a name \\(1 to 64 letters.*got 'sgd,fast'"
plugin_case bad-default "$plugins/bad_default.so" "5: \\[optimizer opt\\] plugin: .*bad_default.so: plugin 'faulty_opt': default of option 'lr': expected a finite real in \\[0, 10\\], got 'fast'"
expect describe-bad-default 2 "^l2l describe: .*bad_default.so: plugin 'faulty_opt': default of option 'lr'" describe "$plugins/bad_default.so"

# A plugin directory from L2L_PLUGIN_PATH with a renamed and a broken plugin.
mkdir "$tmp/pdir"
cp "$builddir/plugins/optimizers/.libs/sgd.so" "$tmp/pdir/renamed.so"
cp "$plugins/broken_abi.so" "$tmp/pdir/old.so"
L2L_PLUGIN_PATH=$tmp/pdir
export L2L_PLUGIN_PATH
plugin_case wrong-name renamed "5: \\[optimizer opt\\] plugin: .*renamed.so: declares the name 'sgd', expected 'renamed'"
plugin_case path-wrong-abi old "5: \\[optimizer opt\\] plugin: .*old.so: bad plugin ABI version 1 \\(want 2\\)"
expect describe-broken 2 "^l2l describe: .*old.so: bad plugin ABI version 1 \\(want 2\\)" describe old
# `l2l list` shows broken plugins as broken and goes on.
expect list-broken 0 "" list
check "list-broken: says which are broken" grep -q "old .*(broken: .*bad plugin ABI version 1 (want 2)" "$tmp/.stdout"
check "list-broken: still lists sgd" grep -q "^  sgd " "$tmp/.stdout"
unset L2L_PLUGIN_PATH

# An optimizee whose open() fails: found when the run starts, before any
# result is written.
printf '[optimizee quad]\nplugin = quadratic\nfile = %s/none.txt\ndim = 2\nbatch = 1\n[optimizer opt]\nplugin = sgd\n%s\n' \
    "$tmp" "$E" >open-fails.ini
expect open-fails 2 "^open-fails\\.ini:1: \\[optimizee quad\\] quadratic: cannot open $tmp/none.txt: No such file or directory" \
    run open-fails.ini -o out-open-fails --quiet
check "open-fails: no results directory" test ! -e out-open-fails

# A hook that fails while running: exit status 3 (not 1, a write error; not
# 2, bad input), one line naming the optimizer or optimizee, its plugin,
# the hook, the step and the run, and the plugin's own message when it
# gave one; no summary.csv.
hook_case() {
    printf '[suite]\nseed = 3\nruns = 2\n[optimizee quad]\nplugin = %s\n%s\n[optimizer opt]\nplugin = %s\n%s\n%s\nsteps = 10\n' \
        "$2" "$3" "$4" "$5" "$E" >"$1.ini"
    expect "$1" 3 "^l2l: $6" run "$1.ini" -o "out-$1" --quiet
    no_results "out-$1" "$1"
}
hook_case step-fails quadratic "dim = 3" "$plugins/faulty_opt.so" "fail_step = 4" \
    "optimizer 'opt' \\(plugin faulty_opt\\): step failed at step 3 in evaluation run 0 of experiment e$"
hook_case create-fails-later quadratic "dim = 3" "$plugins/faulty_opt.so" "max_n = 2" \
    "optimizer 'opt' \\(plugin faulty_opt\\): create failed in evaluation run 0 of experiment e: cannot take [0-9]+ parameters \\(max_n = 2\\)$"
hook_case tuning-step-fails quadratic "dim = 3" "$plugins/faulty_opt.so" "fail_step = 2
lr = 0.1, 0.01" "optimizer 'opt' \\(plugin faulty_opt\\): step failed at step 1 in tuning run 0 \\(lr = 0.1\\) of experiment e$"
hook_case problem-new-fails "$plugins/faulty_obj.so" "fail = problem_new" sgd "" \
    "optimizee 'quad' \\(plugin faulty_obj\\): problem_new failed in evaluation run 0 of experiment e: no problem today \\(fail = problem_new\\)$"
hook_case loss-grad-fails "$plugins/faulty_obj.so" "fail = loss_grad
fail_at = 6" sgd "" "optimizee 'quad' \\(plugin faulty_obj\\): loss_grad failed at step 5 in evaluation run 0 of experiment e$"
hook_case evaluate-fails "$plugins/faulty_obj.so" "fail = evaluate" sgd "" \
    "optimizee 'quad' \\(plugin faulty_obj\\): evaluate failed in evaluation run 0 of experiment e$"
# The same while meta-training (the meta-trainer names plugin and hook).
printf '[suite]\nseed = 5\n[optimizee quad]\nplugin = %s\nfail = loss_grad\nfail_at = 3\n[optimizer lsgd]\nplugin = %s\ncheckpoint = mt.ckpt\ntrain_on = quad\nepochs = 4\nsteps = 10\nunroll = 5\n[experiment e]\noptimizee = quad\noptimizers = lsgd\nsteps = 10\n' \
    "$plugins/faulty_obj.so" "$LSGD" >meta-loss-grad-fails.ini
expect meta-loss-grad-fails 3 "^l2l: meta-training lsgd: faulty_obj: loss_grad failed during validation$" \
    train meta-loss-grad-fails.ini -o out-meta --quiet
check "meta-loss-grad-fails: no checkpoint" test ! -e mt.ckpt
finish
