#!/usr/bin/env bash
# One batched GPU session on a lent machine (no compiler there), from the repository root:
#   here:  python bench/build_gpu.py .gpubuild/run nvptx:sm_90 examples,modules,corpus,copy_rate,bandwidth,rows,columns,overhead
#          PY2OMP_BARE=0 python bench/build_gpu.py .gpubuild/run/nobare nvptx:sm_90 modules
#          find .gpubuild/run -name '*.[ch]' -delete; tar czf .gpubuild/all.tar.gz -C .gpubuild/run .
#   there: bash bench/gpu_session.sh PART...   (carry .gpu and .gpubuild/all.tar.gz)
# The tarball keeps the carry small (the .so files compress about 4x; never strip them: the manifest
# holds each library's SHA-256). Every step's output goes to /tmp/w and, after each step, into
# $OUT/results.tgz, so a run cut short by its time limit still returns what it measured.
# PART: check (examples, NPBench, corpus against Python), peers (py2omp and CuPy, docs table and
# chart), nobare (the stencils with the OpenMP loop), bandwidth (the launch forms and the bare form's
# variants, bench/bandwidth_variants.py: 38 .so files in bandwidth/, hence its own limit), copy (copy rates),
# calls (launch cost, saxpy's transfers), bwprofile (the bandwidth variants' kernel time on the device
# against wall time per call, CuPy's beside: bench/bandwidth_profile.py), calls2 (Python's share of device calls against raw ctypes and CuPy,
# the status word in host memory and in device memory, and the parts of one call: bench/call_overhead.py gpu,
# built by build_gpu.py's part `overhead`), profile (each call's kernels, copies and driver calls from CUPTI,
# py2omp against CuPy: $PROFILE_KERNELS, default those at or above CuPy's time), forms (cuBLAS forms of trmm, doitgen, covariance), trace (where a call's time goes: $TRACE_KERNELS, default atax and mvt),
# rows (softmax's row-wise team kernel: thread counts, the max as one reduction, the exp fused with the sum,
# rows per team, hand-written ompx_bare kernels, py2omp's bare row form, against CuPy at rows of 512, 64,
# 4096, 1024 and 2048; bench/row_variants.py, built by build_gpu.py's part `rows` into rows/: 23 .so files;
# about 2 minutes for 3 shapes of 21, so about 4 now, hence its own limit),
# columns (column sums: py2omp's bare column form, the OpenMP loop of PY2OMP_BARE=0 and CuPy's a.sum(axis=0)
# at (1400, 1200), (22000, 18000), (100000, 64) and (64, 100000); bench/column_sums.py, built by build_gpu.py's
# part `columns` into columns/: 3 .so files),
# sync (the kernels whose regions are launched `nowait`, built with PY2OMP_ASYNC=0 into sync/: every
# region synchronous; `PY2OMP_ASYNC=0 python bench/build_gpu.py .gpubuild/run/sync nvptx:sm_90 modules`),
# flags (how the host waits: the CUDA context's scheduling flag against the per-call gap, each mode in a
# fresh process, bench/context_flags.py, or only those of $FLAGS_MODES; needs `bandwidth` and `examples`), rtrace (the offload
# runtime's own time trace of one call, per NPBench kernel: $TRACE_KERNELS or bench/runtime_trace.py's
# default, and runtime settings timed against the default).
source .gpu/enter.sh
REAL_OUT=$OUT; OUT=/tmp/w; mkdir -p $OUT
B=.gpubuild/b; mkdir -p $B; tar xf .gpubuild/all.tar.gz -C $B
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
step() {
  local name=$1; shift; local t0=$(date +%s)
  timeout ${LIMIT:-200} "$@" > $OUT/$name.log 2>&1
  echo "$name: rc=$? $(( $(date +%s) - t0 )) s" | tee -a $OUT/steps.txt
  (cd $OUT && tar czf $REAL_OUT/results.tgz .)
}
for part in "$@"; do
  case $part in
    check) step check env BENCH_PARTS=examples,npbench,corpus python3 bench/gpu_run.py $B $OUT/check.json ;;
    peers) step peers env BENCH_PEERS=py2omp,cupy python3 bench/peers.py $B --no-docs --json $OUT/peers.json
           python3 bench/peer_report.py $OUT/peers.json --docs > $OUT/peer_report.log 2>&1
           cp docs/peers.png docs/benchmarks.md $OUT/ ;;
    sync) step peers_sync env BENCH_PEERS=py2omp BENCH_KERNELS=correlation,covariance,floyd_warshall,gemver,go_fast,heat_3d,jacobi_1d,jacobi_2d \
              python3 bench/peers.py $B/sync --no-docs --json $OUT/peers_sync.json ;;
    nobare) step peers_nobare env BENCH_PEERS=py2omp BENCH_KERNELS=jacobi_1d,jacobi_2d,heat_3d,go_fast,conv2d,gemver \
              python3 bench/peers.py $B/nobare --no-docs --json $OUT/peers_nobare.json ;;
    bwprofile) step bwprofile python3 bench/bandwidth_profile.py $B/bandwidth $OUT/bwprofile.json ;;
    bandwidth) LIMIT=${LIMIT:-400} step bandwidth python3 bench/bandwidth_variants.py run $B/bandwidth $OUT/bandwidth.json ;;
    rows) LIMIT=${LIMIT:-500} step rows python3 bench/row_variants.py run $B/rows $OUT/rows.json ;;
    columns) step columns python3 bench/column_sums.py run $B/columns $OUT/columns.json ;;
    copy) step copy_rate env BENCH_COPY_RATE_COPIERS=4,8,16 python3 bench/copy_rate.py $B $OUT/copy_rate.json ;;
    calls) step calls env BENCH_PARTS=call_overhead,saxpy_transfers python3 bench/gpu_run.py $B $OUT/calls.json ;;
    calls2) step calls2 python3 bench/call_overhead.py gpu $B $OUT/calls2.json ;;
    forms) step forms python3 bench/product_forms.py $OUT/product_forms.json ;;
    profile) step profile python3 bench/kernel_profile.py $B $OUT/profile.json $PROFILE_KERNELS ;;
    trace) for kernel in ${TRACE_KERNELS:-atax mvt}; do step trace_$kernel python3 bench/call_trace.py $B $kernel $OUT; done ;;
    flags) step flags python3 bench/context_flags.py $B $OUT/flags.json $FLAGS_MODES ;;
    rtrace) step rtrace python3 bench/runtime_trace.py $B $OUT/rtrace.json $TRACE_KERNELS ;;
    *) echo "unknown part $part" >&2 ;;
  esac
done
(cd $OUT && tar czf $REAL_OUT/results.tgz .)
