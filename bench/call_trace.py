"""Where a device call's time goes: one NPBench kernel of `bench/peers.py`, py2omp and CuPy, data on the device.

    source .gpu/enter.sh; python3 bench/call_trace.py .gpubuild atax OUT_DIR

For the gemv-like kernels, py2omp's call took 0.2-0.4 ms more than CuPy's while the cuBLAS call it
makes is as fast as CuPy's own (docs/benchmarks.md, "Which cuBLAS call"). This times, in one process,
CuPy's code and py2omp's call (wall, synchronised, median of 20), Python's share of py2omp's call
with the status word in host and in device memory (interleaved call by call), then profiles 20 py2omp calls on
the Python side (cProfile, the top 25 entries by cumulative time) into OUT_DIR/NAME-profile.txt.
Run it again under LIBOMPTARGET_INFO=-1 with BENCH_TRACE_CALLS=1 for the offload runtime's own
account of one call (every map, allocation, copy and launch).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import cupy
import numpy as np

import runtime_shim
from peer_kernels import CASES
from runtime_shim.device import STATUS_WORD_KINDS, STATUS_WORDS

CALLS = int(os.environ.get("BENCH_TRACE_CALLS", 20))


def median_ms(call: Callable[[], Any]) -> float:
    """The median wall time of `CALLS` synchronised calls, after one warm-up."""
    call()
    cupy.cuda.Device().synchronize()
    samples = []
    for _ in range(CALLS):
        start = time.perf_counter()
        call()
        cupy.cuda.Device().synchronize()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def python_side(kernel: Any, args: tuple[Any, ...]) -> dict[str, float]:
    """Per call, without a profiler's own cost, with each kind of status word (`PY2OMP_STATUS_WORD`,
    switched call by call): the whole call and the C function alone (its ctypes call timed inside),
    medians of `CALLS` synchronised calls; their difference is Python's share."""
    inner, kind = kernel.device_function, ["host"]
    whole: dict[str, list[float]] = {k: [] for k in STATUS_WORD_KINDS}
    inside: dict[str, list[float]] = {k: [] for k in STATUS_WORD_KINDS}

    def timed(*c_args: Any) -> Any:
        start = time.perf_counter()
        value = inner(*c_args)
        inside[kind[0]].append(time.perf_counter() - start)
        return value

    kernel.device_function, was = timed, STATUS_WORDS.host
    try:
        for _ in range(CALLS + 1):
            for each in STATUS_WORD_KINDS:
                kind[0] = each
                STATUS_WORDS.use(each)
                cupy.cuda.Device().synchronize()
                start = time.perf_counter()
                kernel(*args)
                cupy.cuda.Device().synchronize()
                whole[each].append(time.perf_counter() - start)
    finally:
        kernel.device_function, STATUS_WORDS.host = inner, was
    figures = {}
    for k in STATUS_WORD_KINDS:  # the first call of each kind is a warm-up
        whole_ms, c_ms = (statistics.median(times[k][1:]) * 1e3 for times in (whole, inside))
        figures |= {f"whole_call_ms_{k}_word": whole_ms, f"c_function_ms_{k}_word": c_ms,
                    f"python_share_us_{k}_word": (whole_ms - c_ms) * 1e3}
    return figures


def main(build: Path, name: str, out: Path) -> None:
    case = CASES[name]
    rng = np.random.default_rng(42)
    args = tuple(cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in case.make(rng, case.paper))
    kernel = runtime_shim.load(build / "modules" / name).kernels[name]
    figures = {"cupy_ms": median_ms(lambda: case.peer(cupy, *args)), "py2omp_ms": median_ms(lambda: kernel(*args))}
    try:
        figures.update(python_side(kernel, args))
    except AttributeError as error:  # a kernel object without a device entry point: the profile still runs
        figures["python_side_error"] = repr(error)
    print(name, figures, flush=True)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(CALLS):
        kernel(*args)
    cupy.cuda.Device().synchronize()
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}-profile.txt").write_text(f"{figures}\n{text.getvalue()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
