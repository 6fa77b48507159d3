#!/bin/sh
# tests/robust/write_errors.sh: output that cannot be written is reported
# with the path and the system's reason, and the exit status is not 0.
# Tests run as root in CI, where permission bits stop nothing, so the
# unwritable places are:
#   -o /dev/null/x            a path through a character device (ENOTDIR)
#   -o FILE, -o FILE/sub      a regular file where a directory is expected
#   -o /proc/self/x           a directory of procfs where nothing can be made
#   a read-only bind mount    (EROFS) in a private mount namespace
#   a full 64 KiB tmpfs       (ENOSPC) in a private mount namespace, filled
#                             by curves.csv, or by the kept runs (.partial)
#   checkpoint = /dev/null/x  meta-training cannot save its state and φ
# The mounts need `unshare -m` (root) or `unshare -rm` (user namespaces);
# where neither works those cases are skipped, and said so. As a non-root
# user, a chmod 0555 directory is tried as well.
. "$(dirname "$0")/common.sh"

write_good_suite good.ini
# A run whose curves.csv is larger than 64 KiB (for the full disk), while
# its two kept runs in OUT/.partial (8 bytes a step) take about 36 KiB.
sed -e '/^tune_runs = /d' -e 's/^steps = 10$/steps = 2000/' good.ini >big.ini
# 20 kept runs of one 4 KiB page or more each: the work area fills 64 KiB.
sed -e 's/^runs = 2$/runs = 20/' -e 's/^steps = 2000$/steps = 200/' big.ini >many.ini

expect dev-null 1 "^l2l: cannot create directory /dev/null/x: Not a directory" run good.ini -o /dev/null/x --quiet
touch afile
expect into-file 1 "^l2l: cannot create directory afile/sub: Not a directory" run good.ini -o afile/sub --quiet
expect is-file 1 "^l2l: afile: cannot lock \\(afile/\\.lock\\): Not a directory" run good.ini -o afile --quiet
check "is-file: afile still an empty file" test -f afile -a ! -s afile
expect procfs 1 "^l2l: cannot create directory /proc/self/x: No such file or directory" run good.ini -o /proc/self/x --quiet

# Meta-training that cannot write its checkpoint and .state.
printf '[suite]\nseed = 5\n[optimizee quad]\nplugin = quadratic\ndim = 3\nbatch = 2\n[optimizer lsgd]\nplugin = %s\ncheckpoint = /dev/null/lsgd.ckpt\ntrain_on = quad\nepochs = 2\nsteps = 10\nunroll = 5\nvalid_problems = 2\n[experiment e]\noptimizee = quad\noptimizers = lsgd\n' \
    "$LSGD" >ckpt.ini
expect checkpoint-dir 1 "^l2l: meta-training lsgd: /dev/null/lsgd\\.ckpt(\\.state)?: .*Not a directory" train ckpt.ini -o out-ckpt --quiet

# A private mount namespace for a read-only bind and a tiny tmpfs.
ns=
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    ns="unshare -m"
elif unshare -rm true 2>/dev/null; then
    ns="unshare -rm"
fi
if [ -n "$ns" ]; then
    mkdir ro-src ro full
    # mounted_run NAME MOUNT-COMMANDS L2L-ARGS: runs l2l after the mounts,
    # inside the namespace (the mounts vanish with it).
    mounted_run() {
        local name=$1 mounts=$2
        shift 2
        n_cases=$((n_cases + 1))
        $ns sh -c "$mounts && exec \"\$0\" \"\$@\"" "$L2L" "$@" >"$name.out" 2>"$name.err"
        status=$?
    }
    mounted_run read-only "mount --bind ro-src ro && mount -o remount,bind,ro ro" run good.ini -o ro/out --quiet
    if grep -q "cannot create directory ro/out: Read-only file system" read-only.err && [ "$status" -eq 1 ]; then
        say "ok read-only: $(head -n 1 read-only.err)"
    else
        fail "read-only: status $status: $(cat read-only.err)"
    fi
    check "read-only: nothing written" test -z "$(ls -A ro-src)"
    mounted_run full-disk "mount -t tmpfs -o size=64k tmpfs full" run big.ini -o full/out --quiet
    if grep -q "^l2l: cannot write full/out/[a-z]*\\.csv: No space left on device" full-disk.err && [ "$status" -eq 1 ]; then
        say "ok full-disk: $(head -n 1 full-disk.err)"
    else
        fail "full-disk: status $status: $(cat full-disk.err)"
    fi
    # The same run, with a look at what the full disk held at the end.
    mounted_run full-disk-listing "mount -t tmpfs -o size=64k tmpfs full && \"\$0\" \"\$@\"; ls -A full/out full/out/.partial" run big.ini -o full/out --quiet
    check "full-disk: no summary.csv, no temporary file left" \
        sh -c '! grep -q -e summary.csv -e "\\.tmp" full-disk-listing.out'
    mounted_run full-partial "mount -t tmpfs -o size=64k tmpfs full && \"\$0\" \"\$@\"; ls -A full/out full/out/.partial" run many.ini -o full/out --quiet
    if grep -q "^l2l: cannot write full/out/\\.partial/eval-[0-9-]*: No space left on device" full-partial.err && [ "$status" -eq 1 ]; then
        say "ok full-partial: $(head -n 1 full-partial.err)"
    else
        fail "full-partial: status $status: $(cat full-partial.err)"
    fi
    check "full-partial: no summary.csv, no temporary file left" \
        sh -c '! grep -q -e summary.csv -e "\\.tmp" full-partial.out'
else
    say "skipped read-only and full-disk: no private mount namespace (unshare -m / -rm) here"
fi

if [ "$(id -u)" -ne 0 ]; then
    mkdir locked && chmod 0555 locked
    expect chmod-555 1 "^l2l: cannot create directory locked/out: Permission denied" run good.ini -o locked/out --quiet
fi
finish
