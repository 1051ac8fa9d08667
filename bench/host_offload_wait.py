"""How host-offload regions fare on a loaded machine, by libomp's wait settings (runtime_shim/host_offload.py).

A C program of the shape of tests/test_staging.py's four-thread call: each round starts `threads`
new threads (new libomp root threads, as new Python threads are), each calls a saxpy target region
(100003 floats) ten times; with `locked`, a mutex lets one region run at a time. Each run lasts
`seconds` beside `load` busy processes; it reports the rounds done and the longest time between
two progress lines (ten rounds apart).

    PYTHONPATH=$PWD python bench/host_offload_wait.py [seconds] [load]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from translator.targets import parse_target
from translator.toolchain.discover import find_toolchain

SOURCE = r"""
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define N 100003
static pthread_mutex_t regions = PTHREAD_MUTEX_INITIALIZER;
static int locked;
static void saxpy(float a, const float *x, float *y, int64_t n) {
    #pragma omp target teams distribute parallel for num_teams((n + 255) / 256) thread_limit(256) \
        map(to: x[0:n]) map(tofrom: y[0:n])
    for (int64_t i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}
static void *worker(void *unused) {
    float *x = malloc(N * sizeof(float)), *y = calloc(N, sizeof(float));
    for (int i = 0; i < N; i++) x[i] = 1;
    for (int k = 0; k < 10; k++) {
        if (locked) pthread_mutex_lock(&regions);
        saxpy(0.5f, x, y, N);
        if (locked) pthread_mutex_unlock(&regions);
    }
    if (y[N - 1] != 5.0f) { fprintf(stderr, "wrong result %f\n", y[N - 1]); exit(1); }
    free(x); free(y);
    return unused;
}
int main(int argc, char **argv) {
    int threads = atoi(argv[1]);
    locked = atoi(argv[2]);
    for (int r = 1;; r++) {
        pthread_t t[16];
        for (int i = 0; i < threads; i++) pthread_create(&t[i], 0, worker, 0);
        for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
        if (r % 10 == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            printf("%d %.3f\n", r, ts.tv_sec + ts.tv_nsec * 1e-9);
            fflush(stdout);
        }
    }
}
"""

CONFIGS = [("default", {}, 0), ("KMP_BLOCKTIME=0", {"KMP_BLOCKTIME": "0"}, 0),
           ("OMP_WAIT_POLICY=passive", {"OMP_WAIT_POLICY": "passive"}, 0), ("one region at a time", {}, 1)]


def build(folder: Path) -> Path:
    toolchain = find_toolchain()
    assert toolchain is not None, "no clang-19"
    source, program = folder / "roots.c", folder / "roots"
    source.write_text(SOURCE)
    flags = [f for f in toolchain.flags(parse_target("host-offload")) if f != "-shared"]  # a program, not a library
    subprocess.run([toolchain.clang, *flags, str(source), "-o", str(program), "-lpthread"], check=True)
    return program


def run(program: Path, env: dict[str, str], locked: int, seconds: float) -> tuple[int, float]:
    """(rounds done, longest gap in seconds between progress lines) of one timed run."""
    child = subprocess.Popen([str(program), "4", str(locked)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "KMP_WARNINGS": "0", **env})
    time.sleep(seconds)
    child.kill()
    lines = [line.split() for line in child.communicate()[0].splitlines()]
    stamps = [(int(r), float(t)) for r, t in lines]
    gaps = [b[1] - a[1] for a, b in zip(stamps, stamps[1:])]
    return (stamps[-1][0] if stamps else 0), max(gaps, default=seconds)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 40
    load = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        program = build(Path(folder))
        for busy in sorted({0, load}):
            loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
            try:
                for name, env, locked in CONFIGS:
                    rounds, gap = run(program, env, locked, seconds)
                    print(f"{busy} busy, {name}: {rounds} rounds in {seconds:g} s, longest gap {gap:.2f} s", flush=True)
            finally:
                for loop in loops:
                    loop.kill()


if __name__ == "__main__":
    main()
