#!/bin/sh
# tests/call_cycles.sh: no call cycles between files (issue 17). From the
# built objects' symbols (nm), file A calls file B when A uses a global
# symbol B defines; no two files may reach each other that way, in core/
# (all layers together) nor within one plugin. Fails naming each cycle.
# Run by `make check` from the top build directory. (scripts/call-cycles
# is the same check in Python, with the symbols of each edge.)
objects() { # DIR: the objects of DIR, the shared build's (.libs) if any
    if ls "$1"/.libs/*.o >/dev/null 2>&1; then ls "$1"/.libs/*.o; else ls "$1"/*.o; fi
}

# cycles LABEL OBJECT...: the edges "A B" (A calls B) through tsort, which
# names the files of each loop it finds; exits 1 if any.
cycles() {
    label=$1
    shift
    [ $# -gt 0 ] || return 0
    # nm -A: "PATH:ADDRESS TYPE SYMBOL", or "PATH: U SYMBOL" for a use
    nm -A "$@" | sed 's|^[^ ]*/||; s|:| |' | awk '
        NF == 4 && $3 ~ /^[TDBR]$/ { def[$4] = $1; print $1, $1 }
        NF == 3 && $2 == "U" { n++; from[n] = $1; sym[n] = $3 }
        END { for (i = 1; i <= n; i++) if ((sym[i] in def) && def[sym[i]] != from[i]) print from[i], def[sym[i]] }' |
        tsort >/dev/null 2>"$tmp" || true
    if grep -q 'loop' "$tmp"; then
        echo "call_cycles: $label: files that call each other:"
        sed 's/^/  /' "$tmp"
        return 1
    fi
}

tmp=$(mktemp) || exit 99
trap 'rm -f "$tmp"' EXIT
status=0
core=
for d in core/*/; do core="$core $(objects "${d%/}")"; done
[ -n "$core" ] || { echo "call_cycles: no objects under core/: run from the top build directory after make" >&2; exit 99; }
# shellcheck disable=SC2086 # lists of paths without spaces
cycles core $core || status=1
# One plugin at a time: its objects share a prefix (lstm_la-, conv_la-, ...).
n_plugins=0
for d in plugins/optimizers plugins/optimizees; do
    for p in $(objects "$d" | sed 's|.*/||; s|_la-.*||' | sort -u); do
        # shellcheck disable=SC2046
        cycles "$p" $(objects "$d" | grep "/${p}_la-") || status=1
        n_plugins=$((n_plugins + 1))
    done
done
echo "call_cycles: core/ ($(echo $core | wc -w) files) and $n_plugins plugins checked"
exit $status
