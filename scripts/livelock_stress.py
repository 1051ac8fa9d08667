"""Stress for the host-offload livelock in libomp (not a test: it runs for minutes and counts hangs).

Each run is a fresh Python process that loads the host-offload libraries of two test kernels and
does `--rounds` rounds of: saxpy called from four Python threads at once (staged, as
tests/test_staging.py's four-thread test stages it, and through the maps), then jacobi_step split
over the four virtual devices (`kernel.on`, as tests/test_multi.py's stencil test). Beside the runs,
`--load` busy processes keep the cores oversubscribed, as a loaded CI machine is. A run that has not
finished after `--timeout` seconds is a hang: its stacks (`py-spy dump --native`) go to
`--dumps/hang-<n>.txt` and it is killed. The summary line says how many of `--runs` hung.

    PYTHONPATH=$PWD python scripts/livelock_stress.py --runs 40 --load 3

On the 2-core machine (2026-12-06) no run hung. Before `KMP_BLOCKTIME=0` (runtime_shim/host_offload.py):
0 of 30 (3 busy), 0 of 40 (two at a time, 2 busy), 0 of 12 pytest runs of tests/test_staging.py and
tests/test_multi.py (two at a time, 2 busy, `--tests`); after it: 0 of 40 (two at a time, 2 busy).
What the load does show is the slowness around it: runs of 30 rounds beside 3 busy processes took
5.5 s against 4.7 with the setting.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N = 100_003


def _one_run(rounds: int) -> None:
    """The child: `rounds` rounds of the four-thread calls and the split call, each checked exactly."""
    from runtime_shim import staging
    from tests.kernels import multi, staging as staged_kernels

    saxpy = staged_kernels.saxpy.library("host-offload").saxpy
    jacobi = multi.jacobi_step
    jacobi._target_spec = "host-offload"
    split = jacobi.on([0, 1, 2, 3])
    staging.SETTINGS.kinds = frozenset({"host-offload"})
    staging.SETTINGS.min_bytes = staging.SETTINGS.chunk_bytes = 64 << 10
    staging.SETTINGS.buffers = 3
    rng = np.random.default_rng(14)
    for _ in range(rounds):
        for stages in (True, False):
            staging.SETTINGS.enabled = stages
            pairs = [(rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32))
                     for _ in range(4)]
            expected = [np.float32(0.5) * x + y for x, y in pairs]  # exact: a product by 0.5 rounds nothing
            threads = [threading.Thread(target=saxpy, args=(0.5, x, y)) for x, y in pairs]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert all(np.array_equal(y, want) for (_, y), want in zip(pairs, expected))
        A, B = rng.random((37, 19)), rng.random((37, 19))
        want = B.copy()
        jacobi.py_func(A, want)
        split(A, B)
        assert np.array_equal(B, want)


def _build() -> None:
    """Build both libraries once, outside the timed runs (the first build takes a while)."""
    subprocess.run([sys.executable, __file__, "--child", "--rounds", "1"], check=True)


def _dump(pid: int, path: Path) -> None:
    result = subprocess.run(["py-spy", "dump", "--native", "--pid", str(pid)], capture_output=True, text=True,
                            timeout=120)
    path.write_text(result.stdout + result.stderr)


def _stress(command: list[str], runs: int, timeout: float, parallel: int, dumps: Path) -> int:
    """`runs` runs, `parallel` at a time (as pytest-xdist's workers run side by side); the hangs."""
    hangs = 0
    dumps.mkdir(parents=True, exist_ok=True)
    for first in range(0, runs, parallel):
        start = time.monotonic()
        children = {n: subprocess.Popen(command) for n in range(first, min(first + parallel, runs))}
        for n, child in children.items():
            try:
                child.wait(max(0.0, timeout - (time.monotonic() - start)))
                status = "ok" if child.returncode == 0 else f"exit {child.returncode}"
            except subprocess.TimeoutExpired:
                hangs += 1
                _dump(child.pid, dumps / f"hang-{n}.txt")
                child.kill()
                child.wait()
                status = "HANG"
            print(f"run {n}: {status} in {time.monotonic() - start:.1f} s", flush=True)
    return hangs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=20, help="rounds of calls in each run")
    parser.add_argument("--load", type=int, default=3, help="busy processes beside the runs")
    parser.add_argument("--parallel", type=int, default=1, help="runs side by side")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds after which a run is a hang")
    parser.add_argument("--dumps", type=Path, default=Path(tempfile.gettempdir(), "py2omp-livelock-dumps"))
    parser.add_argument("--tests", nargs="*", default=[],
                        help="each run is pytest on these test files instead (a process that has run more)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PY2OMP_CACHE_DIR", str(Path(tempfile.gettempdir(), "py2omp-livelock-cache")))
    sys.path.insert(0, str(ROOT))
    if args.child:
        _one_run(args.rounds)
        return
    _build()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    try:
        child = [sys.executable, __file__, "--child", "--rounds", str(args.rounds)]
        tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.tests]
        hangs = _stress(tests if args.tests else child, args.runs, args.timeout, args.parallel, args.dumps)
    finally:
        for process in busy:
            process.kill()
    print(f"{hangs} of {args.runs} runs hung (timeout {args.timeout:g} s, {args.load} busy processes, "
          f"{args.parallel} runs at a time, "
          f"{args.rounds} rounds a run, KMP_BLOCKTIME given: {os.environ.get('KMP_BLOCKTIME', 'none')})")


if __name__ == "__main__":
    main()
