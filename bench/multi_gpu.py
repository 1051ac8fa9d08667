"""Scaling of one call over several devices (`kernel.on(devices)`): triad, a 2-D Jacobi stencil
stepped by a host loop (rows exchanged between the devices at each sweep) and gemm by rows.

Build here, where clang is; run on the GPU machine with only runtime_shim, NumPy and the libraries:

    python bench/multi_gpu.py build .multigpu nvptx:sm_90
    python bench/multi_gpu.py run .multigpu [--devices 1,2] [--small]   # JSON lines, one per measurement

Each case times the ordinary one-device call and `on(range(d))` for each count `d` (best of a few
calls; every call moves its arrays, as a call without a data region does) and checks every result
against NumPy. `--small` uses sizes that host-offload runs in seconds (the CI smoke test).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runtime_shim (and, to build, the translator) from this checkout

import runtime_shim  # noqa: E402

KERNELS = ("triad", "jacobi_2d", "gemm")
SOURCE = ROOT / "tests" / "kernels" / "multi.py"


def build(out: Path, target: str) -> None:
    """One library per kernel with its chunked entry point (what `Kernel.on` builds), into `out/<kernel>`."""
    from translator import pipeline
    from translator.frontend import Selection, module_name
    from translator.targets import parse_target
    from translator.toolchain.cache import build_cached, export_build
    chosen = parse_target(target)
    for name in KERNELS:
        emitted = pipeline.translate(str(SOURCE), chosen, selection=Selection(only=name, chunked=True))
        built = build_cached(module_name(str(SOURCE)), emitted.c_source, emitted.h_source, emitted.manifest, chosen)
        export_build(built, out / name)


def _jacobi_2d(steps: int, A: np.ndarray, B: np.ndarray) -> None:
    for _ in range(1, steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


def _cases(small: bool) -> dict[str, tuple[Callable[[], tuple[Any, ...]], Callable[[tuple[Any, ...]], Any], int]]:
    """Per kernel: fresh arguments, the NumPy result of those arguments, and the output's position."""
    rng = np.random.default_rng(0)
    n, grid, steps, rows = (1 << 16, 130, 6, 96) if small else (1 << 27, 8192, 50, 4096)

    def gemm(args: tuple[Any, ...]) -> Any:
        alpha, beta, C, A, B = args
        return alpha * (A @ B) + beta * C

    def jacobi(args: tuple[Any, ...]) -> Any:
        steps_, A, B = args[0], args[1].copy(), args[2].copy()
        _jacobi_2d(steps_, A, B)
        return A
    triad_b, triad_c = rng.random(n), rng.random(n)
    grid_a, grid_b = rng.random((grid, grid)), rng.random((grid, grid))
    g = (rng.random((rows, rows)), rng.random((rows, rows)), rng.random((rows, rows)))
    return {
        "triad": (lambda: (np.empty(n), triad_b, triad_c, 3.0), lambda a: a[1] + 3.0 * a[2], 0),
        "jacobi_2d": (lambda: (steps, grid_a.copy(), grid_b.copy()), jacobi, 1),
        "gemm": (lambda: (1.5, 1.2, g[0].copy(), g[1], g[2]), gemm, 2),
    }


def _best(call: Callable[[], Any], make: Callable[[], tuple[Any, ...]], repeats: int) -> tuple[float, tuple[Any, ...]]:
    best, args = float("inf"), make()
    for _ in range(repeats):
        args = make()
        start = time.perf_counter()
        call(*args)  # type: ignore[call-arg]
        best = min(best, time.perf_counter() - start)
    return best, args


def run(out: Path, counts: list[int], small: bool, repeats: int) -> int:
    ok = True
    for name, (make, expected, position) in _cases(small).items():
        kernel = runtime_shim.load(out / name).kernels[name]
        want = expected(make())
        calls = [("one call", kernel)] + [(f"on {d} device(s)", kernel.on(list(range(d)))) for d in counts]
        baseline = None
        for label, call in calls:
            seconds, args = _best(call, make, repeats)
            right = bool(np.allclose(args[position], want, rtol=1e-9, atol=1e-9))
            ok &= right
            baseline = baseline or seconds
            print(json.dumps({"kernel": name, "case": label, "ms": round(seconds * 1e3, 3),
                              "speedup": round(baseline / seconds, 2), "ok": right}), flush=True)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("build", "run"))
    parser.add_argument("out", type=Path)
    parser.add_argument("target", nargs="?", default="nvptx:sm_90")
    parser.add_argument("--devices", default="1,2", help="device counts to split over (comma-separated)")
    parser.add_argument("--small", action="store_true", help="sizes for host-offload (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    if options.action == "build":
        build(options.out, options.target)
        return 0
    return run(options.out, [int(d) for d in options.devices.split(",")], options.small, options.repeats)


if __name__ == "__main__":
    sys.exit(main())
