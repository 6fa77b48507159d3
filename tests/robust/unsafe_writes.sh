#!/bin/bash
# tests/robust/unsafe_writes.sh: files written safely (docs/robustness.md,
# "Files written unsafely").
#  - symlinks planted at every name a writer used to take for its
#    temporary file (OUT/.NAME.tmp, .partial/NAME.tmp, figures/...) and at
#    the outputs themselves (runs.csv, meta_NAME.csv, a gnuplot log): no
#    file they point to is written or created, the outputs end regular
#    files;
#  - `l2l run suite.ini -o .` in the suite's folder, the same folder by
#    another name, a hard link, a checkpoint or data file where an output
#    goes: refused (exit 2) before any work, naming both paths;
#  - OUT/suite.ini run again, from elsewhere: the same checkpoint, no
#    meta-training, the same CSV files;
#  - meta_NAME.csv of an earlier suite or checkpoint: removed, not in the
#    report; the log of the checkpoint in use is kept;
#  - temporary files and figures an earlier run left: removed.
. "$(dirname "$0")/common.sh"

echo precious >victim
cp victim victim.ref
gone=$tmp/created-by-l2l # a dangling symlink's target: must not appear
intact() { cmp -s victim victim.ref && [ ! -e "$gone" ]; }
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }

write_good_suite good.ini

# ---------------------------------------------- symlinks at temporary names
mkdir -p out/.partial out/figures/data
for f in experiments.csv optimizers.csv curves.csv runs.csv tuning.csv timing.csv manifest.ini \
    suite.ini summary.csv index.html report.md; do
    ln -s "$tmp/victim" "out/.$f.tmp"
    ln -s "$gone" "out/figures/.$f.tmp"
done
ln -s "$tmp/victim" out/.partial/fingerprint.tmp
for t in eval-0-0-0 eval-0-0-1 tune-0-0-0-0; do ln -s "$gone" "out/.partial/$t.tmp"; done
ln -s "$tmp/victim" out/runs.csv # an output itself
expect symlinks 0 "" run good.ini -o out --quiet
check "symlinks: the file they point to is unchanged, none created" intact
check "symlinks: runs.csv is a regular file again" regular out/runs.csv
check "symlinks: summary.csv written" test -s out/summary.csv
# The figures: a symlink at each figure's data, script and log names, with
# a gnuplot that fails (so that its log is kept).
printf '#!/bin/sh\necho "broken gnuplot" >&2\nexit 1\n' >fakegp && chmod +x fakegp
for gp in out/figures/*.gp; do
    b=$(basename "$gp" .gp)
    for x in log png svg; do ln -sf "$tmp/victim" "out/figures/$b.$x"; done
    ln -sf "$gone" "out/figures/.$b.gp.tmp"
done
for d in out/figures/data/*.csv; do ln -sf "$tmp/victim" "out/figures/data/.$(basename "$d").tmp"; done
L2L_GNUPLOT=$tmp/fakegp run_l2l plot out
n_cases=$((n_cases + 1))
if [ "$status" -eq 1 ] && grep -q "gnuplot failed" .stderr; then
    say "ok plot-symlinks: $(head -n 1 .stderr)"
else
    fail "plot-symlinks: status $status: $(cat .stderr)"
fi
check "plot-symlinks: the file they point to is unchanged, none created" intact
log=$(ls out/figures/*.log | head -n 1)
check "plot-symlinks: the gnuplot log is a regular file ($log)" regular "$log"

# meta-training: a symlink at the log (an output) and at the checkpoint's
# and state's old temporary names.
cat >learn.ini <<INI
[suite]
name = learn
seed = 5
runs = 2
[optimizee quad]
plugin = quadratic
dim = 3
batch = 4
[optimizer lsgd]
plugin = $LSGD
checkpoint = ckpts/lsgd.ckpt
train_on = quad
epochs = 10
steps = 20
unroll = 5
valid_every = 5
valid_problems = 2
[experiment e]
optimizee = quad
optimizers = lsgd
steps = 10
INI
mkdir -p out-learn ckpts
ln -s "$tmp/victim" out-learn/meta_lsgd.csv
ln -s "$gone" ckpts/lsgd.ckpt.tmp
ln -s "$gone" ckpts/lsgd.ckpt.state.tmp
expect learn-symlinks 0 "" run learn.ini -o out-learn --quiet
check "learn-symlinks: the file they point to is unchanged, none created" intact
check "learn-symlinks: meta_lsgd.csv is a regular file with the log" \
    sh -c "[ -f out-learn/meta_lsgd.csv ] && [ ! -L out-learn/meta_lsgd.csv ] && grep -q '^epoch,' out-learn/meta_lsgd.csv"
check "learn-symlinks: no temporary file left" sh -c '! ls -A out-learn ckpts | grep -q "\.[A-Za-z0-9]\{6\}\.tmp$"'

# ------------------------------------------------- never overwrite an input
mkdir sd
cp good.ini sd/suite.ini
cp sd/suite.ini suite.ref
cd sd || exit 99
expect dot-over-suite 2 "^l2l: the output \./suite\.ini would replace the suite file suite\.ini: choose another output directory" \
    run suite.ini -o . --quiet
check "dot-over-suite: the suite is unchanged" cmp suite.ini ../suite.ref
check "dot-over-suite: nothing written" test "$(ls -A)" = suite.ini
cd .. || exit 99
expect other-name 2 "^l2l: the output sd/\.\./sd/suite\.ini would replace the suite file sd/suite\.ini" \
    run sd/suite.ini -o sd/../sd --quiet
ln -s sd sd-link
expect symlinked-dir 2 "^l2l: the output sd-link/suite\.ini would replace the suite file sd/suite\.ini" \
    run sd/suite.ini -o sd-link --quiet
mkdir hl && ln sd/suite.ini hl/suite.ini
expect hard-link 2 "^l2l: the output hl/suite\.ini would replace the suite file sd/suite\.ini" \
    run sd/suite.ini -o hl --quiet
check "overwrite cases: the suite is unchanged" cmp sd/suite.ini suite.ref
# Another name for the suite in the same folder is no input clash.
cp good.ini sd/mine.ini
expect dot-other-suite 0 "" run sd/mine.ini -o sd --quiet
check "dot-other-suite: the suite is unchanged, results beside it" \
    sh -c 'cmp -s sd/mine.ini good.ini && test -s sd/summary.csv'
# A checkpoint where an output goes (the top of OUT, figures/).
mkdir -p ck/figures
cp ckpts/lsgd.ckpt ck/runs.csv
sed -e 's|^checkpoint = .*|checkpoint = ck/runs.csv|' -e '/^train_on/d' learn.ini >ck.ini
expect checkpoint-as-output 2 "^l2l: the output ck/runs\.csv would replace the checkpoint of \[optimizer lsgd\], ck/runs\.csv" \
    run ck.ini -o ck --quiet
cp ckpts/lsgd.ckpt ck/figures/lsgd.ckpt
sed -e 's|^checkpoint = .*|checkpoint = ck/figures/lsgd.ckpt|' -e '/^train_on/d' learn.ini >ck2.ini
expect checkpoint-in-figures 2 "^l2l: the output ck/figures/lsgd\.ckpt would replace the checkpoint" \
    run ck2.ini -o ck --quiet
check "checkpoint cases: both checkpoints are unchanged" \
    sh -c 'cmp -s ck/runs.csv ckpts/lsgd.ckpt && cmp -s ck/figures/lsgd.ckpt ckpts/lsgd.ckpt'
# A data file (an optimizee's file option) where an output goes.
mkdir df && printf 'quadratic 1\ndim 1\nW 2\ny 1\ntheta0 0\n' >df/tuning.csv
sed -e 's/^dim = 3$/dim = 1\nfile = df\/tuning.csv/' -e 's/^batch = 2$/batch = 1/' good.ini >df.ini
expect data-as-output 2 "^l2l: the output df/tuning\.csv would replace the file of \[optimizee quad\] file, df/tuning\.csv" \
    run df.ini -o df --quiet

# --------------------------------------- the recorded suite can be run again
mkdir -p elsewhere/s
sed 's|^checkpoint = .*|checkpoint = ck-rel/lsgd.ckpt|' learn.ini >elsewhere/s/learn.ini
expect record-first 0 "" run elsewhere/s/learn.ini -o rec --quiet
cp elsewhere/s/ck-rel/lsgd.ckpt ckpt.ref
check "record: suite.ini names the checkpoint by an absolute path" \
    grep -qx "checkpoint = $tmp/elsewhere/s/ck-rel/lsgd.ckpt" rec/suite.ini
run_l2l run rec/suite.ini -o rec2 # not quiet: it would say it meta-trains
check "record-rerun: exit status 0 ($status)" test "$status" -eq 0
check "record-rerun: no meta-training" sh -c '! grep -q "meta-train" .stderr && test ! -e rec2/meta_lsgd.csv && test ! -e rec/ck-rel'
check "record-rerun: the checkpoint is unchanged" cmp elsewhere/s/ck-rel/lsgd.ckpt ckpt.ref
for f in curves.csv runs.csv summary.csv tuning.csv; do
    check "record-rerun: $f equals the first run's" cmp rec/$f rec2/$f
done
mkdir away && cd away || exit 99
expect record-rerun-elsewhere 0 "" run ../rec/suite.ini -o ../rec3 --quiet
cd .. || exit 99
check "record-rerun-elsewhere: no new checkpoint, same runs" \
    sh -c 'test ! -e away/ck-rel && test ! -e rec/ck-rel && cmp -s rec/runs.csv rec3/runs.csv'
# A data file given relative to the working folder: recorded absolute.
printf 'quadratic 1\ndim 1\nW 2\ny 1\ntheta0 0\n' >prob.txt
sed -e 's/^dim = 3$/dim = 1\nfile = prob.txt/' -e 's/^batch = 2$/batch = 1/' good.ini >file.ini
expect record-data 0 "" run file.ini -o recd --quiet
check "record-data: suite.ini names the data file by an absolute path" grep -qx "file = $tmp/prob.txt" recd/suite.ini
cd away || exit 99
expect record-data-rerun 0 "" run ../recd/suite.ini -o ../recd2 --quiet
cd .. || exit 99
check "record-data-rerun: same runs" cmp recd/runs.csv recd2/runs.csv

# ----------------------------------------------- what an earlier run left
# out-learn holds meta_lsgd.csv of lsgd as trained above; a log of an
# optimizer this suite does not have is planted beside it.
printf 'epoch,meta_loss,valid_loss,best_valid_loss\n0,1,1,1\n1,0.5,0.5,0.5\n' >out-learn/meta_ghost.csv
expect stale-other-suite 0 "" run good.ini -o out-learn --quiet
check "stale-other-suite: meta_ghost.csv and meta_lsgd.csv removed" \
    sh -c 'test ! -e out-learn/meta_ghost.csv && test ! -e out-learn/meta_lsgd.csv'
check "stale-other-suite: no meta-training in the report" \
    sh -c '! grep -q -i -e "meta-training" -e ghost out-learn/index.html out-learn/report.md'
# The same suite again: the log of its checkpoint is kept and shown.
rm ckpts/lsgd.ckpt
expect same-suite-trained 0 "" run learn.ini -o out-same --quiet
expect same-suite-again 0 "" run learn.ini -o out-same --quiet
check "same-suite-again: meta_lsgd.csv kept and in the report" \
    sh -c 'test -s out-same/meta_lsgd.csv && grep -q "meta_lsgd" out-same/index.html'
# The checkpoint trained again elsewhere (another seed): that log is stale.
rm ckpts/lsgd.ckpt
expect retrain-elsewhere 0 "" run learn.ini -o out-else --seed 9 --quiet
expect stale-checkpoint 0 "" run learn.ini -o out-same --quiet
check "stale-checkpoint: the old log is removed" test ! -e out-same/meta_lsgd.csv
check "stale-checkpoint: no meta-training in the report" sh -c '! grep -q "meta_lsgd" out-same/index.html'
# Temporary files of a killed writer, figures of an earlier suite.
touch out/.runs.csv.Ab12Cd.tmp out/figures/.x.gp.Zz99Yy.tmp out/figures/data/.d.csv.Qq11Rr.tmp
touch out/figures/old-suite.png out/figures/old-suite.gp out/figures/data/old-suite.csv
expect leftovers 0 "" run good.ini -o out --quiet
check "leftovers: temporary files removed" \
    sh -c '! ls -A out out/figures out/figures/data | grep -q "\.tmp$"'
check "leftovers: an earlier suite's figures removed" \
    sh -c 'test ! -e out/figures/old-suite.png -a ! -e out/figures/old-suite.gp -a ! -e out/figures/data/old-suite.csv'
check "the planted symlinks' target is still unchanged" intact
finish
