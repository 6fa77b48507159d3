#!/bin/sh
# torch_threads.sh: which thread setting makes bench/torch_reference.py's
# PyTorch fastest on this machine. Runs every setting below once per
# round, the settings alternating within each round (so a change of the
# machine's load hits them all alike), and prints one CSV row per run:
#   round,setting,workload,seconds_median,load_1min
# workloads: the MLP meta-training trajectory (--only mlp) and one conv
# training step (--conv). Usage (from the source tree):
#   sh bench/torch_threads.sh [ROUNDS] > threads.csv
# TRAJECTORIES (3) and CALLS (20) set the work of one run; ONLY (a grep
# -E pattern over the setting names) keeps some settings.
# Medians per setting: the summary at the end (stderr). The settings are
# environment variables read when the libraries load (OpenBLAS, libgomp),
# so each run is its own process.
rounds=${1:-4}
trajectories=${TRAJECTORIES:-3}
calls=${CALLS:-20}
py=${PYTHON:-/usr/bin/python3}
ref=$(dirname "$0")/torch_reference.py
out=$(mktemp)
trap 'rm -f "$out"' EXIT
settings='t2|-|--threads 2
t2-blas1|OPENBLAS_NUM_THREADS=1|--threads 2
t2-blas1-passive|OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE|--threads 2
t2-omp2-blas1-mkl1-interop1|OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1|--threads 2 --interop-threads 1
t1|-|--threads 1
t1-blas1|OPENBLAS_NUM_THREADS=1|--threads 1
t1-blas2|OPENBLAS_NUM_THREADS=2|--threads 1'
[ -n "$ONLY" ] && settings=$(echo "$settings" | grep -E "^($ONLY)\|")
echo "round,setting,workload,seconds_median,load_1min"
r=1
while [ "$r" -le "$rounds" ]; do
    echo "$settings" | while IFS='|' read -r name envs args; do
        [ "$envs" = - ] && envs=
        for w in mlp conv; do
            if [ "$w" = mlp ]; then wargs="--only mlp --trajectories $trajectories"; else wargs="--conv --calls $calls"; fi
            # the variables of OPENBLAS_NUM_THREADS=1 runs set nothing else
            env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS -u MKL_NUM_THREADS -u OMP_WAIT_POLICY \
                $envs "$py" "$ref" $args $wargs 2>/dev/null > "$out" || { echo "$name $w failed" >&2; continue; }
            s=$(grep -E '^torch-(conv-step|trajectory-mlp),.*,seconds_median,' "$out" | cut -d, -f4)
            load=$(cut -d' ' -f1 /proc/loadavg)
            echo "$r,$name,$w,$s,$load"
        done
    done
    r=$((r + 1))
done
