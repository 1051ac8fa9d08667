"""The benchmarks of `bench/peers.py`: NPBench's "paper" sizes, the data, and our NumPy-style peers.

Each peer takes the array module `xp` first and then the arguments of our py2omp kernel of the same
name (`tests/kernels/npbench/<name>.py`, same order, same in-place writes and return value), so one
argument tuple feeds py2omp, NumPy (`xp=numpy`), CuPy (`xp=cupy`) and the Numba variants
(`bench/peer_numba.py`). The peers are written the way NumPy users write these kernels (whole-array
expressions, `@` for products) and use only functions NumPy and CuPy share; the algorithms compute
what our kernels compute (`tests/test_bench_peers.py` checks them against the kernels' Python
functions).

Sizes are NPBench's `paper` preset (its `bench_info/<name>.json`), with two changes where our kernel
differs from NPBench's: softmax is over a 3-D array of (N * H, SM, SM) rows (NPBench's 4-D array
(N, H, SM, SM) with its first two axes merged: the same rows), and conv2d has no bias.
Only this module and NumPy are needed to import it: no translator, no GPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Mapping

import numpy as np

Sizes = Mapping[str, int]
Args = tuple[Any, ...]


@dataclass(frozen=True)
class Case:
    """One benchmark: its size parameters (NPBench's paper preset, and a small preset that every
    scaled size stays above and that warm-ups compile with), how its arguments are made, which
    argument positions it overwrites (each timed run gets fresh copies of those), and its NumPy peer."""

    name: str
    paper: Sizes
    small: Sizes
    make: Callable[[np.random.Generator, Sizes], Args]
    written: tuple[int, ...]
    peer: Callable[..., Any]


def scaled(case: Case, scale: float) -> dict[str, int]:
    """The paper sizes times `scale`, each at least its small size (so a quick run stays valid:
    conv2d's image stays larger than its filter, time loops keep a few steps)."""
    return {key: max(case.small[key], round(value * scale)) for key, value in case.paper.items()}


# --- NumPy-style peers (xp is numpy or cupy) --------------------------------------------------------


def gemm(xp: ModuleType, alpha: float, beta: float, C: Any, A: Any, B: Any) -> None:
    C[:] = alpha * A @ B + beta * C


def atax(xp: ModuleType, A: Any, x: Any) -> Any:
    return (A @ x) @ A


def bicg(xp: ModuleType, A: Any, p: Any, r: Any, s: Any, q: Any) -> None:
    s[:] = r @ A
    q[:] = A @ p


def gemver(xp: ModuleType, alpha: float, beta: float, A: Any, u1: Any, v1: Any, u2: Any, v2: Any, w: Any,
           x: Any, y: Any, z: Any) -> None:
    A += xp.outer(u1, v1) + xp.outer(u2, v2)
    x += beta * (y @ A) + z
    w += alpha * (A @ x)


def gesummv(xp: ModuleType, alpha: float, beta: float, A: Any, B: Any, x: Any) -> Any:
    return alpha * A @ x + beta * B @ x


def mvt(xp: ModuleType, x1: Any, x2: Any, y_1: Any, y_2: Any, A: Any) -> None:
    x1 += A @ y_1
    x2 += y_2 @ A


def syrk(xp: ModuleType, alpha: float, beta: float, C: Any, A: Any) -> None:
    lower = xp.tri(C.shape[0], dtype=bool)
    C[:] = xp.where(lower, alpha * (A @ A.T) + beta * C, C)


def syr2k(xp: ModuleType, alpha: float, beta: float, C: Any, A: Any, B: Any) -> None:
    lower = xp.tri(C.shape[0], dtype=bool)
    C[:] = xp.where(lower, alpha * (A @ B.T + B @ A.T) + beta * C, C)


def trmm(xp: ModuleType, alpha: float, A: Any, B: Any) -> None:
    # Row i adds A[i + 1:, i] @ B[i + 1:, :] of rows not yet updated: the strictly lower part of A, transposed.
    B[:] = alpha * (B + xp.tril(A, -1).T @ B)


def doitgen(xp: ModuleType, A: Any, C4: Any) -> None:
    A[:] = (A.reshape(-1, A.shape[2]) @ C4).reshape(A.shape)


def covariance(xp: ModuleType, float_n: float, data: Any) -> Any:
    data -= xp.sum(data, axis=0) / float_n
    return data.T @ data / (float_n - 1.0)


def correlation(xp: ModuleType, float_n: float, data: Any) -> Any:
    mean = xp.mean(data, axis=0)
    stddev = xp.std(data, axis=0)
    stddev[stddev <= 0.1] = 1.0
    data -= mean
    data /= float_n ** 0.5 * stddev
    corr = data.T @ data
    xp.fill_diagonal(corr, 1.0)
    return corr


def jacobi_1d(xp: ModuleType, tsteps: int, A: Any, B: Any) -> None:
    for _ in range(1, tsteps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0


def jacobi_2d(xp: ModuleType, tsteps: int, A: Any, B: Any) -> None:
    for _ in range(1, tsteps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


def _heat_step(src: Any, dst: Any) -> None:
    centre = src[1:-1, 1:-1, 1:-1]
    dst[1:-1, 1:-1, 1:-1] = centre + 0.125 * (
        (src[2:, 1:-1, 1:-1] - 2.0 * centre + src[:-2, 1:-1, 1:-1])
        + (src[1:-1, 2:, 1:-1] - 2.0 * centre + src[1:-1, :-2, 1:-1])
        + (src[1:-1, 1:-1, 2:] - 2.0 * centre + src[1:-1, 1:-1, :-2]))


def heat_3d(xp: ModuleType, tsteps: int, A: Any, B: Any) -> None:
    for _ in range(1, tsteps):
        _heat_step(A, B)
        _heat_step(B, A)


def floyd_warshall(xp: ModuleType, path: Any) -> None:
    for k in range(path.shape[0]):
        xp.minimum(path, path[:, k:k + 1] + path[k:k + 1, :], out=path)


def softmax(xp: ModuleType, x: Any, out: Any) -> None:
    shifted = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    out[:] = shifted / xp.sum(shifted, axis=-1, keepdims=True)


def go_fast(xp: ModuleType, a: Any) -> Any:
    return a + xp.sum(xp.tanh(xp.diagonal(a)))


def conv2d(xp: ModuleType, x: Any, weights: Any, output: Any) -> None:
    # Shift and add: each filter tap multiplies a shifted view of the image by its C_in x C_out matrix.
    K, rows, cols = weights.shape[0], output.shape[1], output.shape[2]
    output[...] = 0.0
    for di in range(K):
        for dj in range(K):
            output += x[:, di:di + rows, dj:dj + cols, :] @ weights[di, dj]


# --- arguments ------------------------------------------------------------------------------------


def _vectors(rng: np.random.Generator, *lengths: int) -> list[np.ndarray]:
    return [rng.random(n) for n in lengths]


def _make_gemm(rng: np.random.Generator, s: Sizes) -> Args:
    return 1.5, 1.2, rng.random((s["NI"], s["NJ"])), rng.random((s["NI"], s["NK"])), rng.random((s["NK"], s["NJ"]))


def _make_gemver(rng: np.random.Generator, s: Sizes) -> Args:
    return (1.5, 1.2, rng.random((s["N"], s["N"])), *_vectors(rng, *[s["N"]] * 8))


def _make_covariance(rng: np.random.Generator, s: Sizes) -> Args:
    return float(s["N"]), rng.random((s["N"], s["M"]))


def _make_correlation(rng: np.random.Generator, s: Sizes) -> Args:
    data = rng.random((s["N"], s["M"]))
    data[:, 1] = 0.5 + 0.01 * rng.random(s["N"])  # a column with stddev <= 0.1: the mask matters
    return float(s["N"]), data


def _make_floyd_warshall(rng: np.random.Generator, s: Sizes) -> Args:
    path = rng.integers(1, 100, (s["N"], s["N"])).astype(np.float64)
    path[rng.random((s["N"], s["N"])) < 0.2] = 999.0  # missing edges, as NPBench's initialisation has
    np.fill_diagonal(path, 0.0)
    return (path,)


def _make_softmax(rng: np.random.Generator, s: Sizes) -> Args:
    shape = (s["N"] * s["H"], s["SM"], s["SM"])
    return rng.standard_normal(shape, np.float32), np.empty(shape, np.float32)


def _make_conv2d(rng: np.random.Generator, s: Sizes) -> Args:
    x = rng.random((s["N"], s["H"], s["W"], s["C_in"]), np.float32)
    weights = rng.random((s["K"], s["K"], s["C_in"], s["C_out"]), np.float32)
    output = np.empty((s["N"], s["H"] - s["K"] + 1, s["W"] - s["K"] + 1, s["C_out"]), np.float32)
    return x, weights, output


def _case(peer: Callable[..., Any], paper: Sizes, small: Sizes, make: Callable[[np.random.Generator, Sizes], Args],
          written: tuple[int, ...]) -> Case:
    return Case(peer.__name__, paper, small, make, written, peer)


CASES: dict[str, Case] = {case.name: case for case in (
    _case(gemm, {"NI": 2000, "NJ": 2300, "NK": 2600}, {"NI": 20, "NJ": 23, "NK": 26}, _make_gemm, (2,)),
    _case(atax, {"M": 18000, "N": 22000}, {"M": 30, "N": 25},
          lambda rng, s: (rng.random((s["M"], s["N"])), rng.random(s["N"])), ()),
    _case(bicg, {"M": 18000, "N": 22000}, {"M": 30, "N": 25},
          lambda rng, s: (rng.random((s["N"], s["M"])), *_vectors(rng, s["M"], s["N"]), np.empty(s["M"]),
                          np.empty(s["N"])), (3, 4)),
    _case(gemver, {"N": 8000}, {"N": 30}, _make_gemver, (2, 7, 8)),
    _case(gesummv, {"N": 11200}, {"N": 30},
          lambda rng, s: (1.5, 1.2, *(rng.random((s["N"], s["N"])) for _ in range(2)), rng.random(s["N"])), ()),
    _case(mvt, {"N": 16000}, {"N": 30}, lambda rng, s: (*_vectors(rng, *[s["N"]] * 4), rng.random((s["N"], s["N"]))),
          (0, 1)),
    _case(syrk, {"M": 1000, "N": 1200}, {"M": 20, "N": 30},
          lambda rng, s: (1.5, 1.2, rng.random((s["N"], s["N"])), rng.random((s["N"], s["M"]))), (2,)),
    _case(syr2k, {"M": 1000, "N": 1200}, {"M": 20, "N": 30},
          lambda rng, s: (1.5, 1.2, rng.random((s["N"], s["N"])), rng.random((s["N"], s["M"])),
                          rng.random((s["N"], s["M"]))), (2,)),
    _case(trmm, {"M": 1000, "N": 1200}, {"M": 30, "N": 25},
          lambda rng, s: (1.5, rng.random((s["M"], s["M"])), rng.random((s["M"], s["N"]))), (2,)),
    _case(doitgen, {"NR": 220, "NQ": 250, "NP": 270}, {"NR": 12, "NQ": 10, "NP": 20},
          lambda rng, s: (rng.random((s["NR"], s["NQ"], s["NP"])), rng.random((s["NP"], s["NP"]))), (0,)),
    _case(covariance, {"M": 1200, "N": 1400}, {"M": 28, "N": 32}, _make_covariance, (1,)),
    _case(correlation, {"M": 1200, "N": 1400}, {"M": 28, "N": 32}, _make_correlation, (1,)),
    _case(jacobi_1d, {"TSTEPS": 4000, "N": 32000}, {"TSTEPS": 8, "N": 40},
          lambda rng, s: (s["TSTEPS"], *_vectors(rng, s["N"], s["N"])), (1, 2)),
    _case(jacobi_2d, {"TSTEPS": 1000, "N": 2800}, {"TSTEPS": 6, "N": 30},
          lambda rng, s: (s["TSTEPS"], rng.random((s["N"], s["N"])), rng.random((s["N"], s["N"]))), (1, 2)),
    _case(heat_3d, {"TSTEPS": 500, "N": 120}, {"TSTEPS": 5, "N": 14},
          lambda rng, s: (s["TSTEPS"], rng.random((s["N"],) * 3), rng.random((s["N"],) * 3)), (1, 2)),
    _case(floyd_warshall, {"N": 2800}, {"N": 30}, _make_floyd_warshall, (0,)),
    _case(softmax, {"N": 64, "H": 16, "SM": 512}, {"N": 2, "H": 3, "SM": 20}, _make_softmax, (1,)),
    _case(go_fast, {"N": 12500}, {"N": 30}, lambda rng, s: (rng.random((s["N"], s["N"])),), ()),
    _case(conv2d, {"N": 8, "C_in": 3, "C_out": 16, "K": 20, "H": 256, "W": 256},
          {"N": 2, "C_in": 3, "C_out": 4, "K": 3, "H": 12, "W": 12}, _make_conv2d, (2,)),
)}
