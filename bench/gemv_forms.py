"""Which cuBLAS call computes a row-major matrix-vector product fastest (issue 12 item 2).

    source .gpu/enter.sh; python3 bench/gemv_forms.py [OUT.json]     # on the GPU machine (CuPy only)

py2omp calls `cublasDgemv` for `A @ x` and `A.T @ y` (A row-major, so cuBLAS sees A^T: op T for
`A @ x`, op N for `A.T @ y`); the gemv-like NPBench kernels (atax, bicg, mvt, gemver) stayed 1.1-1.3x
CuPy's time. This times, on the same device arrays in one process, CuPy's own `A @ x` / `A.T @ y`
and each cuBLAS form that computes them: dgemv with either op, and dgemm with n = 1, at NPBench's
atax and mvt sizes; median of 10 after a warm-up, with the range, each result checked against CuPy's.
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any, Callable

import cupy as cp
import numpy as np
from cupy.cuda import cublas

ONE, ZERO = np.array(1.0), np.array(0.0)
SIZES = ((18000, 22000), (16000, 16000))


def timed(run: Callable[[], Any], repeats: int = 10) -> list[float]:
    run()
    cp.cuda.Device().synchronize()
    samples = []
    for _ in range(repeats):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        run()
        stop.record()
        stop.synchronize()
        samples.append(cp.cuda.get_elapsed_time(start, stop))
    return samples


def forms(A: Any, x: Any, y: Any, out_m: Any, out_n: Any) -> dict[str, tuple[Callable[[], Any], Any, Any]]:
    """name -> (run, result array, expected) for `A @ x` (length m) and `A.T @ y` (length n)."""
    h = cp.cuda.device.get_cublas_handle()
    m, n = A.shape
    a, one, zero = A.data.ptr, ONE.ctypes.data, ZERO.ctypes.data
    ax, aty = A @ x, A.T @ y
    return {
        "cupy A@x": (lambda: cp.matmul(A, x, out=out_m), out_m, ax),
        "gemv T A@x": (lambda: cublas.dgemv(h, cublas.CUBLAS_OP_T, n, m, one, a, n, x.data.ptr, 1, zero,
                                            out_m.data.ptr, 1), out_m, ax),
        "gemm n=1 A@x": (lambda: cublas.dgemm(h, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N, m, 1, n, one, a, n,
                                              x.data.ptr, n, zero, out_m.data.ptr, m), out_m, ax),
        "cupy A.T@y": (lambda: cp.matmul(A.T, y, out=out_n), out_n, aty),
        "gemv N A.T@y": (lambda: cublas.dgemv(h, cublas.CUBLAS_OP_N, n, m, one, a, n, y.data.ptr, 1, zero,
                                              out_n.data.ptr, 1), out_n, aty),
        "gemm n=1 A.T@y": (lambda: cublas.dgemm(h, cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_N, n, 1, m, one, a, n,
                                                y.data.ptr, m, zero, out_n.data.ptr, n), out_n, aty),
    }


def main(out: str | None) -> None:
    rows = []
    for m, n in SIZES:
        rng = cp.random.default_rng(0)
        A, x, y = rng.random((m, n)), rng.random(n), rng.random(m)
        out_m, out_n = cp.empty(m), cp.empty(n)
        for name, (run, result, expected) in forms(A, x, y, out_m, out_n).items():
            samples = timed(run)
            error = float(cp.abs(result - expected).max() / cp.abs(expected).max())
            rows.append({"m": m, "n": n, "form": name, "ms": statistics.median(samples), "min": min(samples),
                         "max": max(samples), "error": error})
            print(f"| {m} x {n} | {name} | {statistics.median(samples):.3f} ({min(samples):.3f}-{max(samples):.3f}) "
                  f"| {error:.0e} |")
    if out:
        with open(out, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
