"""Kernel time on the device against wall time per call: the bandwidth variants beside CuPy's kernel.

    source .gpu/enter.sh; python3 bench/bandwidth_profile.py BUILD/bandwidth OUT.json [VARIANT ...]

`bench/bandwidth_variants.py` times back-to-back calls in wall time: as emitted, the triad on 2^27
doubles ran at 0.90 of CuPy's ElementwiseKernel and the jacobi step at 0.87 (H100, 2026-12-06), and
no variant of the kernel's code passed 0.91. This tells apart the two places the rest can be: the
kernel's own time on the device (CUPTI, through `torch.profiler`), and what lies between kernels in a
run of calls (the offload runtime launches each region and waits for it; CuPy queues its launches).
For each variant (default `emitted`, `bare_once`, `current`) and CuPy's kernel, on the same CuPy
arrays, `BENCH_PROFILE_CALLS` (20) back-to-back calls after a warm-up: the kernels' mean duration, the
wall time per call, and their difference. (Its `BENCH_CTX_SCHED` setting of the CUDA context's
scheduling flag is gone: it set the flag without activating the context, so the offload runtime,
loading the libraries first, replaced it with blocking waits; bench/context_flags.py measures that.)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from bandwidth_variants import CupyMemory, Loaded, calls_of, problem
from kernel_profile import CALLS as ROUNDS, trace_events

CALLS = int(os.environ.get("BENCH_PROFILE_CALLS", 20))
SIZES = {"triad": 2**27, "jacobi_step": 11586}
DEFAULT = ("emitted", "bare_once", "current")


def kernel_and_wall(call: Callable[[], object], sync: Callable[[], object]) -> dict[str, float]:
    """The mean device duration of the kernels `CALLS` calls ran, and the wall time per call."""
    for _ in range(3):
        call()
    sync()
    events, _ = trace_events(lambda: [call() for _ in range(CALLS)])
    kernels = [float(e["dur"]) for e in events if e.get("cat") == "kernel"]  # ROUNDS rounds of CALLS calls
    sync()
    start = time.perf_counter()
    for _ in range(CALLS):
        call()
    sync()
    wall = (time.perf_counter() - start) / CALLS * 1e6
    kernel = statistics.fmean(kernels) if kernels else float("nan")
    per_call = len(kernels) / (CALLS * ROUNDS)
    return {"kernel_us": kernel, "kernels_per_call": per_call, "wall_us": wall, "between_us": wall - kernel * per_call}


def main(folder: Path, out: Path, names: list[str]) -> None:
    import cupy

    memory = CupyMemory(cupy)
    loaded = {name: Loaded(folder / f"{name}.so") for name in names or DEFAULT}
    results: dict[str, Any] = {}
    for kernel, n in SIZES.items():
        case = problem(kernel, n, np.random.default_rng(0))
        arrays = [memory.put(a) for a in case.inputs]
        calls = calls_of(memory, loaded, case, arrays)
        results[kernel] = {name: kernel_and_wall(call, memory.sync) for name, call in sorted(calls.items())}
        for name, f in results[kernel].items():
            print(f"{kernel} {name}: kernel {f['kernel_us']:.1f} us ({f['kernels_per_call']:g} a call), wall "
                  f"{f['wall_us']:.1f} us a call, between kernels {f['between_us']:.1f} us", flush=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
