#!/bin/sh
# tests/example_plugin.sh: builds examples/optimizee-rosenbrock the way a
# user outside the tree would, with its own Makefile, then checks that
# `l2l` finds it through L2L_PLUGIN_PATH, that it exports one symbol, that
# its gradient matches central differences, and that a suite can use it.
#
#   tests/example_plugin.sh
#       (run by `make check` from the top build directory) uses the header
#       of the source tree (L2L_CFLAGS=-I$srcdir/include) and ./l2l.
#   tests/example_plugin.sh --install PREFIX BUILDDIR
#       the full user path: configure --prefix=PREFIX in BUILDDIR, make
#       install, build the example with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
#       and pkg-config --cflags l2l-bench, run PREFIX/bin/l2l.
# Nothing is written into the source tree; scratch files go to a temporary
# folder that is removed at the end.
set -eu

say() { printf 'example_plugin: %s\n' "$*"; }
die() { printf 'example_plugin: FAIL: %s\n' "$*" >&2; exit 1; }

srcdir=$(cd "$(dirname "$0")/.." && pwd)
example=$srcdir/examples/optimizee-rosenbrock
# A make that runs us passes its jobserver and variables down; the example
# is a separate project, so its make starts clean.
unset MAKEFLAGS MFLAGS MAKELEVEL || true

if [ "${1:-}" = --install ]; then
    [ $# -eq 3 ] || die "usage: $0 --install PREFIX BUILDDIR"
    prefix=$2
    mkdir -p "$3"
    builddir=$(cd "$3" && pwd)
    say "configure --prefix=$prefix in $builddir, make install"
    (cd "$builddir" && "$srcdir/configure" -q --prefix="$prefix" && make -s -j2 install) ||
        die "configure or make install failed in $builddir"
    l2l=$prefix/bin/l2l
    PKG_CONFIG_PATH=$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
    export PKG_CONFIG_PATH
    say "pkg-config --cflags l2l-bench: '$(pkg-config --cflags l2l-bench)'"
    inc=$(pkg-config --cflags l2l-bench) || die "pkg-config does not know l2l-bench"
    flags=          # the example's Makefile asks pkg-config itself
    tmpbase=$builddir
else
    [ $# -eq 0 ] || die "usage: $0 [--install PREFIX BUILDDIR]"
    [ -x ./l2l ] || die "run from the top build directory (no ./l2l in $(pwd))"
    l2l=$(pwd)/l2l
    inc="-I$srcdir/include"
    flags="L2L_CFLAGS=$inc"
    mkdir -p tests
    tmpbase=$(pwd)/tests
fi

tmp=$(mktemp -d "$tmpbase/example-rosenbrock.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 1. Build with the example's own Makefile; warnings are errors here.
say "building rosenbrock.so with $example/Makefile"
# shellcheck disable=SC2086
make -s -C "$tmp" -f "$example/Makefile" CFLAGS="-O2 -Werror" $flags ||
    die "the example does not build"
[ -f "$tmp/rosenbrock.so" ] || die "no rosenbrock.so after make"

# 2. One exported symbol, the vtable.
if command -v nm >/dev/null 2>&1; then
    syms=$(nm -D --defined-only "$tmp/rosenbrock.so" | awk '$2 ~ /^[A-Z]$/ && $2 != "A" {print $3}' | sort | tr '\n' ' ')
    say "exported symbols: $syms"
    [ "$syms" = "l2l_optimizee " ] || die "expected exactly l2l_optimizee to be exported, got: $syms"
fi

# 3. l2l finds it on L2L_PLUGIN_PATH and prints its options.
say "L2L_PLUGIN_PATH=$tmp $l2l describe rosenbrock"
out=$(L2L_PLUGIN_PATH=$tmp "$l2l" describe rosenbrock) || die "l2l describe rosenbrock failed"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q "^rosenbrock 1.0 (optimizee plugin, $tmp/rosenbrock.so)" ||
    die "describe does not name the plugin and its path"
printf '%s\n' "$out" | grep -q "^  init_std " || die "describe does not list option init_std"
L2L_PLUGIN_PATH=$tmp "$l2l" list | grep -q "^  rosenbrock " || die "l2l list does not show rosenbrock"

# 4. Its gradient against central differences, through the vtable alone
# (dlopen, as the core does), and f = 0, ∇f = 0 at the minimum (1, …, 1).
cat >"$tmp/fdcheck.c" <<'EOF'
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <l2l/plugin.h>
int main(int argc, char **argv)
{
    void *h = dlopen(argv[argc - 1], RTLD_NOW);
    const struct l2l_optimizee_ops *o = h ? dlsym(h, "l2l_optimizee") : NULL;
    if (!o || o->abi_version != L2L_ABI_VERSION) { printf("cannot load %s\n", argv[argc - 1]); return 1; }
    struct l2l_value v[2];
    memset(v, 0, sizeof v);
    v[0].i = 7;     /* dim */
    v[1].r = 1.0;   /* init_std */
    char err[L2L_ERRLEN];
    void *fam = o->open(v, err, sizeof err);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 1);
    float x[7], g[7], ones[7];
    void *p = fam ? o->problem_new(fam, &rng, x, err, sizeof err) : NULL;
    if (!p || o->n_params(fam) != 7) { printf("open/problem_new: %s\n", err); return 1; }
    double f, fp, fm, worst = 0, gmax = 0;
    o->loss_grad(p, x, &f, g);
    for (int k = 0; k < 7; k++) {
        /* quartic in x: h trades truncation (h²) against rounding (1e-16/h) */
        float t = x[k], tp = t + 1e-3f, tm = t - 1e-3f;
        x[k] = tp; o->loss_grad(p, x, &fp, NULL);
        x[k] = tm; o->loss_grad(p, x, &fm, NULL);
        x[k] = t;
        double fd = (fp - fm) / ((double)tp - (double)tm);
        worst = fmax(worst, fabs(fd - g[k]));
        gmax = fmax(gmax, fabs(fd));
    }
    for (int k = 0; k < 7; k++) ones[k] = 1;
    double fmin;
    o->loss_grad(p, ones, &fmin, g);
    double gmin = 0;
    for (int k = 0; k < 7; k++) gmin = fmax(gmin, fabs(g[k]));
    printf("f(x0) = %.6g, grad vs central differences: maxdiff %.3g, relative %.3g (tolerance 1e-4); "
           "f(1..1) = %g, |grad|max %g\n", f, worst, worst / gmax, fmin, gmin);
    o->problem_free(p);
    o->close(fam);
    return !(worst <= 1e-4 * gmax && fmin == 0 && gmin == 0);
}
EOF
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L $inc -o "$tmp/fdcheck" "$tmp/fdcheck.c" -ldl -lm ||
    die "cannot build the gradient check"
"$tmp/fdcheck" "$tmp/rosenbrock.so" || die "gradient check failed"

# 5. The example's tiny suite, run by l2l with the plugin on the path.
say "L2L_PLUGIN_PATH=$tmp $l2l run $example/rosenbrock.ini -o $tmp/results --quiet"
L2L_PLUGIN_PATH=$tmp "$l2l" run "$example/rosenbrock.ini" -o "$tmp/results" --quiet ||
    die "l2l run of the example suite failed"
ls "$tmp/results"
say "PASS"
