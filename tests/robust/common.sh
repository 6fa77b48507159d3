# tests/robust/common.sh: sourced by the robustness tests (tests/robust/*.sh).
# They run the built `l2l` as a user would and check exit statuses, messages
# and what is (not) left on disk. `make check` runs them from the top build
# directory; by hand: cd BUILDDIR && SRCDIR/tests/robust/NAME.sh
# (L2L_BUILDDIR overrides the build directory).
set -u

robust_name=$(basename "$0" .sh)
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(cd "${L2L_BUILDDIR:-.}" && pwd)
L2L=$builddir/l2l
LSGD=$builddir/tests/plugins/.libs/learned_sgd.so
if [ ! -x "$L2L" ]; then
    echo "$robust_name: no $L2L: run from the top build directory after make" >&2
    exit 99 # a hard error for the automake harness
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/l2l-$robust_name.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
unset L2L_PLUGIN_PATH || true

n_cases=0
max_lines=2 # lines `expect` allows on stderr
n_failed=0
say() { printf '%s: %s\n' "$robust_name" "$*"; }
fail() {
    printf '%s: FAIL: %s\n' "$robust_name" "$*"
    n_failed=$((n_failed + 1))
}
# Ends the test: status 0 only when every case passed.
finish() {
    say "$n_cases cases, $n_failed failed"
    [ "$n_failed" -eq 0 ]
    exit $?
}

# Runs `l2l ARGS...` with stderr in $tmp/.stderr and stdout in $tmp/.stdout;
# sets $status. The timeout only turns a hang into a failed case (status
# 137); it measures nothing. L2L_WRAPPER, a command line put in front of
# l2l (.ci/sanitize: valgrind with --error-exitcode), runs the cases under
# it: a report then changes the status or adds lines to stderr, and the
# case fails. L2L_WRAP_EVERY=N wraps only the 1st, (N+1)th, (2N+1)th ...
# l2l run of the script (default 1: every one; ROBUST_WRAP_ALL=1 too), as
# valgrind costs about a second a run before l2l does anything; the others
# run unwrapped, so every case's status and message is still checked.
n_runs=0
run_l2l() {
    local wrapper=${L2L_WRAPPER:-}
    n_runs=$((n_runs + 1))
    if [ "${ROBUST_WRAP_ALL:-0}" != 1 ] && [ $(((n_runs - 1) % ${L2L_WRAP_EVERY:-1})) -ne 0 ]; then
        wrapper=
    fi
    # shellcheck disable=SC2086 # the wrapper is a command line, split on purpose
    timeout -s KILL "${ROBUST_TIMEOUT:-300}" $wrapper "$L2L" "$@" >"$tmp/.stdout" 2>"$tmp/.stderr"
    status=$?
    return 0
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.05 s until it
# succeeds (returns 0) or SECONDS have passed (returns 1).
wait_for() {
    local tries=$(($1 * 20))
    shift
    while [ "$tries" -gt 0 ]; do
        "$@" && return 0
        sleep 0.05
        tries=$((tries - 1))
    done
    return 1
}

# wait_exit PID SECONDS: waits for background PID, killing it after
# SECONDS; sets $status (137 when it had to be killed).
wait_exit() {
    if ! wait_for "$2" eval "! kill -0 $1 2>/dev/null"; then
        kill -KILL "$1" 2>/dev/null
    fi
    wait "$1"
    status=$?
}

# expect NAME STATUS REGEX [ARGS...]: runs l2l ARGS, checks the exit status,
# that its first line on stderr matches the extended regular expression
# REGEX (anchored by the caller), that stderr has at most $max_lines lines
# and that none of them is a sanitizer report.
expect() {
    local name=$1 want=$2 regex=$3
    shift 3
    n_cases=$((n_cases + 1))
    run_l2l "$@"
    local first
    first=$(head -n 1 "$tmp/.stderr")
    if [ "$status" -ne "$want" ]; then
        fail "$name: exit status $status, expected $want (l2l $*); stderr:"
        sed 's/^/    /' "$tmp/.stderr" | head -n 20
        return 1
    fi
    if grep -q -E 'Sanitizer|runtime error:' "$tmp/.stderr"; then
        fail "$name: sanitizer report:"
        sed 's/^/    /' "$tmp/.stderr" | head -n 40
        return 1
    fi
    if ! printf '%s\n' "$first" | grep -q -E -e "$regex"; then
        fail "$name: first line of stderr does not match /$regex/: $first"
        return 1
    fi
    # One problem, one line (a suite adds "FILE: 1 error; nothing was run").
    if [ "$(wc -l <"$tmp/.stderr")" -gt "$max_lines" ]; then
        fail "$name: more than $max_lines lines on stderr:"
        sed 's/^/    /' "$tmp/.stderr" | head -n 20
        return 1
    fi
    say "ok $name: $first"
    return 0
}

# no_results DIR CASE: nothing that looks like a complete result in DIR
# (summary.csv, index.html, report.md), no temporary file in it or below.
no_results() {
    n_cases=$((n_cases + 1))
    local f
    for f in summary.csv index.html report.md; do
        if [ -e "$1/$f" ]; then
            fail "$2: $1/$f exists: an incomplete run looks complete"
            return 1
        fi
    done
    if [ -n "$(find "$1" -name '*.tmp' 2>/dev/null)" ]; then
        fail "$2: temporary files left in $1: $(find "$1" -name '*.tmp' | tr '\n' ' ')"
        return 1
    fi
    return 0
}

# check CASE COMMAND...: one more case, passed when COMMAND succeeds.
check() {
    local name=$1
    shift
    n_cases=$((n_cases + 1))
    if "$@"; then
        say "ok $name"
    else
        fail "$name"
    fi
}

# A small good suite: a quadratic, SGD, one experiment.
write_good_suite() {
    cat >"$1" <<'INI'
[suite]
seed = 3
runs = 2
tune_runs = 1
[optimizee quad]
plugin = quadratic
dim = 3
batch = 2
[optimizer sgd]
plugin = sgd
lr = 0.01
[experiment e]
optimizee = quad
optimizers = sgd
steps = 10
INI
}
