#!/bin/sh
# tests/robust/cli.sh: the command-line conventions. --help and --version
# on the program and on every command (standard output, status 0); the
# manual page names every command and option of the usage texts; the bash
# completion completes commands, options, suite files and plugin names;
# the plugin search path (L2L_PLUGIN_PATH first, each plugin under its own
# kind, a shadowed built-in announced); `l2l describe` giving the real
# reason; `l2l bench` writing under results/, not into the working folder;
# the mlp's data found in L2L_DATA_DIR and the user's data folder; a
# checkpoint to train in a folder we may not write trained beside the results.
. "$(dirname "$0")/common.sh"

man_page=$top_srcdir/docs/l2l.1
completion=$top_srcdir/docs/bash-completion/l2l
commands="list describe run train plot bench"

# answers NAME REGEX ARGS...: status 0, nothing on stderr, the first line
# of stdout matching REGEX.
answers() {
    local name=$1 regex=$2
    shift 2
    n_cases=$((n_cases + 1))
    run_l2l "$@"
    if [ "$status" -ne 0 ] || [ -s "$tmp/.stderr" ]; then
        fail "$name: status $status (l2l $*), expected 0 and nothing on stderr:"
        sed 's/^/    /' "$tmp/.stderr" | head -n 5
    elif ! head -n 1 "$tmp/.stdout" | grep -q -E -e "$regex"; then
        fail "$name: first line of stdout does not match /$regex/: $(head -n 1 "$tmp/.stdout")"
    else
        say "ok $name: $(head -n 1 "$tmp/.stdout")"
    fi
}

version='^l2l \(l2l-bench\) [0-9]+\.[0-9]+'
answers version "$version" --version
for what in "revision: " "plugin ABI: " "BLAS: " "OpenMP: " "sanitizers: "; do
    check "version names the $what" grep -q "^$what" "$tmp/.stdout"
done
answers help "^usage: l2l COMMAND" help
answers --help "^usage: l2l COMMAND" --help
for c in $commands; do
    answers "$c --help" "^usage: l2l $c" "$c" --help
    answers "$c -h" "^usage: l2l $c" "$c" -h
    answers "$c --version" "$version" "$c" --version
    answers "help $c" "^usage: l2l $c" help "$c"
done
answers "run --help after arguments" "^usage: l2l run" run nosuch.ini -j 0 --help
expect help-unknown 2 "^l2l help: unknown command 'nosuch'" help nosuch

# Every command and option of the usage texts in the manual page.
"$L2L" help >usage.txt 2>&1
for c in $commands; do "$L2L" "$c" --help >>usage.txt 2>&1; done
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man_page" >page.txt
for c in $commands help; do
    check "man page: command $c" grep -q -E "^\\.(B|BI|BR) \"?$c\\b" page.txt
done
opts=$(grep -o -E -e '(^|[][ ,])--?[a-z][a-z-]*' usage.txt | sed 's/^[][ ,]*//' | sort -u)
check "usage texts name options" test -n "$opts"
for o in $opts; do
    check "man page: option $o" grep -q -E -e "(^|[^a-z-])$o([^a-z-]|\$)" page.txt
done

# Bash completion, run as bash-completion would.
complete_words() { # WORD... (the last one is completed): prints COMPREPLY
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _l2l; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$completion" "$@" 2>&1
}
if command -v bash >/dev/null; then
    touch suite-a.ini notes.txt
    check "completion: commands" test "$(complete_words l2l r | tr '\n' ' ')" = "run "
    check "completion: run's options" test "$(complete_words l2l run --re | tr '\n' ' ')" = "--require-figures "
    check "completion: suite files" test "$(complete_words l2l run s | tr '\n' ' ')" = "suite-a.ini "
    check "completion: plugin names from l2l list" test "$(complete_words "$L2L" describe sg | tr '\n' ' ')" = "sgd "
    check "completion: bench sections" test "$(complete_words l2l bench --only learned,re | tr '\n' ' ')" = "learned,refs "
    rm -f suite-a.ini notes.txt
else
    say "skipped: completion (no bash)"
fi

# Plugin search path: a plugin on L2L_PLUGIN_PATH shadows the built-in one
# of the same name, and says so once; an optimizee there is listed once,
# under optimizees; describe names the real reason.
libs=$builddir/plugins
mkdir pdir
cp "$libs/optimizers/.libs/sgd.so" pdir/sgd.so
cp "$builddir/tests/plugins/.libs/linear.so" pdir/linear.so
cp "$libs/optimizees/.libs/quadratic.so" pdir/other.so
L2L_PLUGIN_PATH=$tmp/pdir
export L2L_PLUGIN_PATH
max_lines=1
expect shadow-describe 0 "^warning: l2l: optimizer plugin 'sgd' from L2L_PLUGIN_PATH: $tmp/pdir/sgd.so \\(it shadows .*/sgd.so\\)" describe sgd
check "shadow-describe: the user's plugin" grep -q "^sgd .*$tmp/pdir/sgd.so" "$tmp/.stdout"
write_good_suite good.ini
expect shadow-run 0 "^warning: l2l: optimizer plugin 'sgd' from L2L_PLUGIN_PATH" run good.ini -o out --quiet
max_lines=2
expect list-path 0 "" list
check "list: sgd from the path, shadowing" grep -q "^  sgd .*($tmp/pdir/sgd.so; shadows .*/sgd.so)" "$tmp/.stdout"
check "list: linear once" test "$(grep -c '^  linear ' "$tmp/.stdout")" -eq 1
check "list: linear under optimizees" sh -c "sed -n '/^optimizees:/,\$p' '$tmp/.stdout' | grep -q '^  linear .*$tmp/pdir/linear.so'"
check "list: nothing wrong-kind" sh -c "! grep -q 'expected an optimizer' '$tmp/.stdout'"
expect describe-optimizee 0 "" describe linear
check "describe-optimizee: an optimizee" grep -q "^linear .*(optimizee plugin" "$tmp/.stdout"
expect describe-misnamed 2 "^l2l describe: $tmp/pdir/other.so: declares the name 'quadratic', expected 'other'" describe other
unset L2L_PLUGIN_PATH
expect describe-none 2 "^l2l describe: no plugin 'nosuch' on the search path, optimizer or optimizee" describe nosuch

# l2l bench's CSV goes under results/ by default.
mkdir benchdir
(cd benchdir && "$L2L" bench --quick --only fwdbwd --sizes 100 --quiet >/dev/null 2>&1)
check "bench: results/bench/bench.csv" test -s benchdir/results/bench/bench.csv
check "bench: nothing in the working folder" test "$(ls benchdir)" = results

# The mlp's default data/mnist/... found in L2L_DATA_DIR, then in the
# user's ~/.local/share/l2l-bench/data (where l2l-get-data puts them).
put_mnist() { # DIR: a 2-image 2x2 set with 2 classes as DIR/mnist/*
    mkdir -p "$1/mnist"
    for set in train t10k; do
        printf '\0\0\10\3\0\0\0\2\0\0\0\2\0\0\0\2\1\2\3\4\5\6\7\10' >"$1/mnist/$set-images-idx3-ubyte"
        printf '\0\0\10\1\0\0\0\2\0\1' >"$1/mnist/$set-labels-idx1-ubyte"
    done
}
printf '[optimizee m]\nplugin = mlp\nhidden = 3\nclasses = 2\nbatch = 2\n[optimizer sgd]\nplugin = sgd\n[experiment e]\noptimizee = m\noptimizers = sgd\nsteps = 3\nruns = 1\n' >mlp.ini
put_mnist "$tmp/datadir"
L2L_DATA_DIR=$tmp/datadir
export L2L_DATA_DIR
expect data-dir 0 "" run mlp.ini -o out-data-dir --quiet
unset L2L_DATA_DIR
# Under a name of its own: a source tree with data (after scripts/get-data)
# is searched before the user's folder and would hide the one put there.
put_mnist "$tmp/home/.local/share/l2l-bench/data"
mv "$tmp/home/.local/share/l2l-bench/data/mnist" "$tmp/home/.local/share/l2l-bench/data/l2l-cli-test"
d=data/l2l-cli-test
sed "s|^plugin = mlp\$|plugin = mlp\ntrain_images = $d/train-images-idx3-ubyte\ntrain_labels = $d/train-labels-idx1-ubyte\ntest_images = $d/t10k-images-idx3-ubyte\ntest_labels = $d/t10k-labels-idx1-ubyte|" mlp.ini >user-mlp.ini
saved_home=$HOME saved_xdg=${XDG_DATA_HOME-}
HOME=$tmp/home
export HOME
unset XDG_DATA_HOME
expect user-data 0 "" run user-mlp.ini -o out-user-data --quiet
HOME=$saved_home
[ -z "$saved_xdg" ] || export XDG_DATA_HOME="$saved_xdg"

# A checkpoint to train whose folder we may not write goes beside the
# results (root writes anywhere: not testable then).
if [ "$(id -u)" -ne 0 ]; then
    mkdir ro
    printf '[suite]\nseed = 5\nruns = 2\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 4\n[optimizer l]\nplugin = %s\ncheckpoint = ck/l.l2l\ntrain_on = quad\nepochs = 2\nsteps = 10\nunroll = 5\nvalid_every = 2\nvalid_problems = 2\n[experiment e]\noptimizee = quad\noptimizers = l\nsteps = 10\n' \
        "$LSGD" >ro/learned.ini
    chmod a-w ro
    expect readonly-checkpoint 0 "^warning: l2l: \\[optimizer l\\] ro/ck/l.l2l is missing .*is trained into out-ro/checkpoints/l.l2l" \
        train ro/learned.ini -o out-ro --quiet
    check "readonly-checkpoint: trained beside the results" test -s out-ro/checkpoints/l.l2l
    check "readonly-checkpoint: nothing in the suite's folder" test "$(ls ro)" = learned.ini
    chmod u+w ro
else
    say "skipped: read-only checkpoint folder (running as root)"
fi
finish
