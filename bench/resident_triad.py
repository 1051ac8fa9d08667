"""STREAM triad a = b + s * c from a prebuilt library: transfers per call, resident, and zero-copy.

Needs only runtime_shim, NumPy and the built library (no compiler):

    py2omp build examples/stream_triad.py --target nvptx:sm_90 -o build/triad
    python bench/resident_triad.py build/triad --n 134217728 --calls 100

(a) every call maps its arrays (two in, one out): wall time per call and bytes moved;
(b) `--calls` calls inside `data_region`: arrays cross once, kernel GB/s = 3 * 8 * n / time per call;
(c) CuPy arrays and PyTorch CUDA tensors, if importable, passed as device pointers (zero-copy).
Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runtime_shim from this checkout

import runtime_shim  # noqa: E402


def timed(call: Callable[[], object], calls: int) -> float:
    """Seconds per call over `calls` calls, after one warm-up call."""
    call()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def report(case: str, n: int, seconds: float, triad: runtime_shim.CompiledKernel, **extra: object) -> None:
    stats = triad.stats
    print(json.dumps({
        "case": case, "n": n, "us_per_call": round(seconds * 1e6, 2),
        "kernel_GBps": round(3 * 8 * n / seconds / 1e9, 2),
        "bytes_to_device_per_call": stats.bytes_to_device // max(stats.calls, 1),
        "bytes_from_device_per_call": stats.bytes_from_device // max(stats.calls, 1), **extra,
    }), flush=True)


def bench_numpy(triad: runtime_shim.CompiledKernel, n: int, calls: int) -> None:
    a, b, c = np.empty(n), np.random.default_rng(0).standard_normal(n), np.ones(n)
    triad.stats.reset()
    report("transfers per call", n, timed(lambda: triad(a, b, c, 3.0), calls), triad)
    triad.stats.reset()
    with runtime_shim.data_region(In=[b, c], Out=[a]) as region:
        seconds = timed(lambda: triad(a, b, c, 3.0), calls)
    report("data_region", n, seconds, triad, region_bytes_to_device=region.bytes_to_device,
           region_bytes_from_device=region.bytes_from_device)
    assert np.array_equal(a, b + 3.0 * c), "wrong result inside data_region"


def bench_device(triad: runtime_shim.CompiledKernel, n: int, calls: int) -> None:
    for name, make in (("cupy", _cupy), ("torch", _torch)):
        arrays = make(n)
        if arrays is None:
            print(json.dumps({"case": f"{name} zero-copy", "skipped": f"{name} not importable with a GPU"}))
            continue
        a, b, c, sync = arrays
        sync()  # the arrays are filled on the library's stream; OpenMP launches on its own
        triad.stats.reset()
        seconds = timed(lambda: (triad(a, b, c, 3.0), sync()), calls)
        report(f"{name} zero-copy", n, seconds, triad, correct=bool((a == 4.0).all()))


def _cupy(n: int) -> tuple[object, object, object, Callable[[], object]] | None:
    try:
        import cupy
        return cupy.empty(n), cupy.ones(n), cupy.ones(n), cupy.cuda.Device().synchronize
    except Exception:  # not installed, or no GPU
        return None


def _torch(n: int) -> tuple[object, object, object, Callable[[], object]] | None:
    try:
        import torch
        if not torch.cuda.is_available():
            return None
        ones = torch.ones(n, dtype=torch.float64, device="cuda")
        return torch.empty_like(ones), ones, ones.clone(), torch.cuda.synchronize
    except ImportError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="directory with stream_triad.so and stream_triad.json")
    parser.add_argument("--n", type=int, default=1 << 27, help="doubles per array (default 2^27)")
    parser.add_argument("--calls", type=int, default=100, help="timed calls per case (default 100)")
    parser.add_argument("--no-device", action="store_true", help="skip the CuPy/PyTorch cases")
    args = parser.parse_args(argv)
    triad = runtime_shim.load(args.build).kernels["triad"]
    bench_numpy(triad, args.n, args.calls)
    if not args.no_device:
        bench_device(triad, args.n, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
