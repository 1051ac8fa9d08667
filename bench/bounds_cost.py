"""The cost of in-kernel index checks: each kernel of bench/kernels/bounds_cost.py with the checks
(the default) and with `boundscheck=False`, on the same seeded data, results compared.

    python bench/bounds_cost.py build .gpubuild/bounds nvptx:sm_90   # here, where clang-19 is
    python3 bench/bounds_cost.py run .gpubuild/bounds                # on the GPU machine (runtime_shim only)
    python bench/bounds_cost.py run --target host-offload            # anywhere with clang: builds in-process

Each kernel repeats its sweep REPS times inside one call (the arrays cross once): one warm-up call,
then BENCH_REPEATS timed calls; the median per sweep is reported, one JSON object per line, then
the ratio checked / unchecked per kernel. BENCH_SCALE scales the sizes (default 1: 2**24 elements
for the triad and the gather, 2048 x 2048 for the stencil).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runtime_shim (and, to build, translator) from this checkout

import runtime_shim  # noqa: E402

MODULE = "bench/kernels/bounds_cost.py"
PAIRS = ("triad", "jacobi", "gather")
REPS = 10
Args = Callable[[np.random.Generator], tuple[Any, ...]]


def _sizes() -> tuple[int, int]:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    return int(2**24 * scale), int(2048 * scale**0.5)


def inputs(name: str, rng: np.random.Generator) -> tuple[Any, ...]:
    """Seeded arguments of kernel pair `name` (the gather's indices cover the whole of `x`, both signs)."""
    n, side = _sizes()
    if name == "triad":
        return np.empty(n), rng.standard_normal(n), rng.standard_normal(n), 3.0, REPS
    if name == "jacobi":
        return rng.standard_normal((side, side)), rng.standard_normal((side, side)), REPS
    return np.empty(n), rng.standard_normal(n), rng.integers(-n, n, n), REPS


def build(out: Path, target: str) -> None:
    """`py2omp build` of the kernels for `target` (nvptx:sm_90 for the GPU machine), into `out`."""
    from translator import pipeline
    from translator.frontend import module_name
    from translator.targets import parse_target
    from translator.toolchain.cache import build_cached, export_build
    emitted = pipeline.translate(MODULE, target)
    built = build_cached(module_name(MODULE), emitted.c_source, emitted.h_source, emitted.manifest, parse_target(target))
    export_build(built, out)


def library(directory: str | None, target: str) -> runtime_shim.Library:
    if directory is not None:
        return runtime_shim.load(directory)
    out = Path(tempfile.mkdtemp(prefix="bounds_cost_"))
    build(out, target)
    return runtime_shim.load(out)


def time_call(kernel: runtime_shim.CompiledKernel, args: tuple[Any, ...], repeats: int) -> tuple[float, list[np.ndarray]]:
    """Median seconds per sweep, and the arrays after the last call."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    kernel(*copies)
    samples = []
    for _ in range(repeats):
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        start = time.perf_counter()
        kernel(*copies)
        samples.append((time.perf_counter() - start) / REPS)
    return statistics.median(samples), [a for a in copies if isinstance(a, np.ndarray)]


def run(directory: str | None, target: str) -> None:
    kernels = library(directory, target).kernels
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    for name in PAIRS:
        args = inputs(name, np.random.default_rng(2026))
        checked, after = time_call(kernels[name], args, repeats)
        unchecked, after_unchecked = time_call(kernels[f"{name}_unchecked"], args, repeats)
        same = all(np.array_equal(a, b) for a, b in zip(after, after_unchecked))
        print(json.dumps({"kernel": name, "target": target, "checked_ms": round(checked * 1e3, 4),
                          "unchecked_ms": round(unchecked * 1e3, 4), "ratio": round(checked / unchecked, 3),
                          "in_kernel_checks": len(kernels[name].spec.failures), "same_results": same}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    built = sub.add_parser("build")
    built.add_argument("out", type=Path)
    built.add_argument("target", nargs="?", default="nvptx:sm_90")
    ran = sub.add_parser("run")
    ran.add_argument("directory", nargs="?")
    ran.add_argument("--target", default="host-offload", help="what to build for when no directory is given")
    options = parser.parse_args()
    if options.command == "build":
        build(options.out, options.target)
    else:
        run(options.directory, options.target)
