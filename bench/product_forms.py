"""Which cuBLAS form of trmm, doitgen and covariance's product is fastest, and what a device
allocation per call costs (issue 12 item 2: the three kernels at 2.1-2.3x CuPy's time on an H100).

    source .gpu/enter.sh; python3 bench/product_forms.py [OUT.json]     # on the GPU machine (CuPy only)

On the same device arrays in one process, at NPBench's "paper" sizes: CuPy's code of
bench/peer_kernels.py beside the cuBLAS calls py2omp makes (trmm and doitgen's dgemm into a scratch
buffer then copied over B and A, covariance's dsyrk) and the alternatives (trmm in place or out of place alone, a
dgemm on a masked copy, doitgen's scratch allocated per call through the driver instead of CuPy's
pool, covariance's dgemm). Median of 10 after a warm-up, with the range; every form's result is
checked against CuPy's.
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any, Callable

import cupy as cp
import numpy as np
from cupy.cuda import cublas
from gemv_forms import ONE, ZERO, timed

RIGHT, UPPER, TRANS, NO_TRANS, UNIT = 1, 1, 1, 0, 1


def _cublas_dtrmm() -> Callable[..., int]:
    """cublasDtrmm_v2 from the cuBLAS CuPy loaded (CuPy has no binding of it), raising on a nonzero status."""
    import ctypes
    import glob
    import os

    loaded = [line.split()[-1] for line in open(f"/proc/{os.getpid()}/maps") if "libcublas.so" in line]
    library = ctypes.CDLL(loaded[0] if loaded else (glob.glob("/usr/local/cuda/lib64/libcublas.so*") or ["libcublas.so"])[0])
    function = library.cublasDtrmm_v2
    function.argtypes = [ctypes.c_void_p] + [ctypes.c_int] * 6 + [ctypes.c_void_p] * 2 + [ctypes.c_int, ctypes.c_void_p,
                                                                                         ctypes.c_int, ctypes.c_void_p,
                                                                                         ctypes.c_int]

    def call(*args: Any) -> int:
        status = function(*args)
        if status != 0:
            raise RuntimeError(f"cublasDtrmm_v2 returned {status}")
        return status
    return call


def trmm_forms(rng: np.random.Generator, m: int = 1000, n: int = 1200) -> dict[str, Any]:
    """B = alpha * (B + tril(A, -1).T @ B): row-major B is column-major B^T, multiplied from the right."""
    h, alpha = cp.cuda.device.get_cublas_handle(), np.array(1.5)
    A, B0 = cp.asarray(rng.random((m, m))), cp.asarray(rng.random((m, n)))
    B, C = B0.copy(), cp.empty_like(B0)
    expected = 1.5 * (B0 + cp.tril(A, -1).T @ B0)

    def cupy_form() -> None:
        B[:] = 1.5 * (B + cp.tril(A, -1).T @ B)

    dtrmm = _cublas_dtrmm()

    def in_place() -> None:
        dtrmm(h, RIGHT, UPPER, TRANS, UNIT, n, m, alpha.ctypes.data, A.data.ptr, m, B.data.ptr, n, B.data.ptr, n)

    def out_of_place() -> None:
        dtrmm(h, RIGHT, UPPER, TRANS, UNIT, n, m, alpha.ctypes.data, A.data.ptr, m, B.data.ptr, n, C.data.ptr, n)

    def copied_back() -> None:
        out_of_place()
        cp.cuda.runtime.memcpyAsync(B.data.ptr, C.data.ptr, B.nbytes, cp.cuda.runtime.memcpyDeviceToDevice,
                                    cp.cuda.get_current_stream().ptr)

    def masked_gemm() -> None:
        T = cp.tril(A, -1) + cp.eye(m)
        cublas.dgemm(h, NO_TRANS, TRANS, n, m, m, alpha.ctypes.data, B.data.ptr, n, T.data.ptr, m,
                     ZERO.ctypes.data, C.data.ptr, n)

    rows = {}
    for name, run, result in (("cupy", cupy_form, B), ("dtrmm in place (py2omp before 2026-12-06)", in_place, B),
                              ("dtrmm out of place", out_of_place, C),
                              ("dtrmm into a kept scratch + copy over B (py2omp)", copied_back, B),
                              ("dgemm on a masked copy", masked_gemm, C)):
        B[:] = B0
        run()
        error = float(cp.abs(result - expected).max() / cp.abs(expected).max())
        rows[name] = {"ms": timed(run), "error": error}
    return rows


def doitgen_forms(rng: np.random.Generator, r: int = 220, q: int = 250, p: int = 270) -> dict[str, Any]:
    h = cp.cuda.device.get_cublas_handle()
    A0, C4 = cp.asarray(rng.random((r, q, p))), cp.asarray(rng.random((p, p)))
    expected = (A0.reshape(-1, p) @ C4).reshape(A0.shape)
    A, scratch, rows_ = A0.copy(), cp.empty_like(A0), r * q
    nbytes = A.nbytes

    def cupy_form() -> None:
        A[:] = (A.reshape(-1, p) @ C4).reshape(A.shape)

    def product_into(target: int) -> None:
        cublas.dgemm(h, NO_TRANS, NO_TRANS, p, rows_, p, ONE.ctypes.data, C4.data.ptr, p, A.data.ptr, p,
                     ZERO.ctypes.data, target, p)
        cp.cuda.runtime.memcpyAsync(A.data.ptr, target, nbytes, cp.cuda.runtime.memcpyDeviceToDevice,
                                    cp.cuda.get_current_stream().ptr)

    def pooled() -> None:
        product_into(scratch.data.ptr)

    def allocated() -> None:
        target = cp.cuda.runtime.malloc(nbytes)
        product_into(target)
        cp.cuda.runtime.deviceSynchronize()
        cp.cuda.runtime.free(target)

    rows = {}
    for name, run in (("cupy", cupy_form), ("dgemm into a kept scratch + copy (py2omp: templates/pool.c.j2)", pooled),
                      ("dgemm into a scratch cudaMalloc'd per call + copy (py2omp before its cache)", allocated)):
        A[:] = A0
        run()
        error = float(cp.abs(A - expected).max() / cp.abs(expected).max())
        rows[name] = {"ms": timed(lambda: (A.__setitem__(slice(None), A0), run())[1]), "error": error}
    rows["the reset A[:] = A0 alone"] = {"ms": timed(lambda: A.__setitem__(slice(None), A0)), "error": 0.0}
    return rows


def covariance_forms(rng: np.random.Generator, m: int = 1200, n: int = 1400) -> dict[str, Any]:
    """data (n x m) row-major is data^T column-major; data.T @ data is then X X^T with X = data^T."""
    h = cp.cuda.device.get_cublas_handle()
    data = cp.asarray(rng.random((n, m)))
    data -= data.mean(axis=0)
    expected = data.T @ data
    out = cp.empty((m, m))

    def mirrored() -> None:
        cublas.dsyrk(h, UPPER, NO_TRANS, m, n, ONE.ctypes.data, data.data.ptr, m, ZERO.ctypes.data,
                             out.data.ptr, m)
        out[:] = cp.tril(out) + cp.tril(out, -1).T  # cuBLAS's upper triangle is the row-major lower

    rows = {}
    for name, run in (("cupy data.T @ data", lambda: cp.matmul(data.T, data, out=out)),
                      ("dgemm", lambda: cublas.dgemm(h, NO_TRANS, TRANS, m, m, n, ONE.ctypes.data, data.data.ptr, m,
                                                     data.data.ptr, m, ZERO.ctypes.data, out.data.ptr, m)),
                      ("dsyrk + mirror (CuPy kernels)", mirrored)):
        run()
        error = float(cp.abs(out - expected).max() / cp.abs(expected).max())
        rows[name] = {"ms": timed(run), "error": error}
    return rows


def main() -> None:
    rng = np.random.default_rng(12)
    results: dict[str, Any] = {"device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode()}
    for name, forms in (("trmm", trmm_forms), ("doitgen", doitgen_forms), ("covariance", covariance_forms)):
        try:
            results[name] = forms(rng)
        except Exception as error:  # a form cuBLAS refuses must not hide the others' figures
            results[name] = {"error": repr(error)}
        for form, row in results[name].items() if isinstance(results[name], dict) else ():
            if isinstance(row, dict) and "ms" in row:
                ms = row["ms"]
                print(f"{name:10} {form:60} {statistics.median(ms):8.3f} ms ({min(ms):.3f}-{max(ms):.3f}) "
                      f"error {row['error']:.1e}")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
