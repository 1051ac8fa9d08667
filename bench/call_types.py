"""What types from the call cost: an annotated kernel against the same kernel without annotations.

    python bench/call_types.py [TARGET ...]   # default: host-offload cpu serial; prints a Markdown table

For each target, with a build cache of its own (kernels built once, before timing):
- per call: microseconds per call of a cached kernel on 16 float32 (the best of 15 runs of many
  calls, the two kernels' runs interleaved), for `saxpy_annotated` and `saxpy_from_call`
  (bench/kernels/call_types.py, the same body), and the dispatch alone (`call_key` and the
  dictionary lookup) in nanoseconds;
- first call in a new process: the median and the best over 9 fresh Python processes (the two
  kernels' interleaved) of the wall time of the first call (translation, cache lookup, loading the
  library, the call), the library already in the cache.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator, not an installed one
KERNELS = ROOT / "bench" / "kernels" / "call_types.py"
NAMES = ("saxpy_annotated", "saxpy_from_call")
PROCESSES = 9


def load_kernels() -> ModuleType:
    spec = importlib.util.spec_from_file_location("call_types_kernels", KERNELS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arguments() -> tuple[float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return 2.0, rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)


def microseconds_per_call(calls: dict[str, Callable[[], Any]], count: int, runs: int = 15) -> dict[str, float]:
    """For each of `calls`, the best of `runs` runs of `count` calls, the runs of the different calls
    interleaved so that the machine's load (shared cores) weighs on them alike."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(runs):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(count):
                call()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: seconds / count * 1e6 for name, seconds in best.items()}


def dispatch_nanoseconds(args: tuple[object, ...], calls: int = 200_000) -> float:
    """The part of a generic kernel's call that an annotated one does not make."""
    from translator.call_types import call_key
    table = {call_key(args): None}
    return microseconds_per_call({"dispatch": lambda: table.get(call_key(args))}, calls)["dispatch"] * 1e3


def first_call_seconds(name: str) -> float:
    """Run in a fresh process: the first call of kernel `name` (its library already cached)."""
    kernel = getattr(load_kernels(), name)
    args = arguments()
    start = time.perf_counter()
    kernel(*args)
    return time.perf_counter() - start


def fresh_process_seconds(name: str, env: dict[str, str]) -> float:
    command = [sys.executable, str(Path(__file__).resolve()), "--first-call", name]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout)


def measure(target: str) -> dict[str, float]:
    """The figures of one target, in a build cache of its own."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PY2OMP_CACHE_DIR": cache, "PY2OMP_TARGET": target, "PYTHONPATH": str(ROOT)}
        os.environ.update(env)
        for name in NAMES:  # builds the libraries, so later processes find them in the cache
            fresh_process_seconds(name, env)
        module, args = load_kernels(), arguments()
        kernels = {name: getattr(module, name) for name in NAMES}
        for kernel in kernels.values():
            kernel(*args)
        count = 1000 if target == "host-offload" else 5000
        per_call = microseconds_per_call({n: functools.partial(k, *args) for n, k in kernels.items()}, count)
        first: dict[str, list[float]] = {name: [] for name in NAMES}
        for _ in range(PROCESSES):
            for name in NAMES:
                first[name].append(fresh_process_seconds(name, env))
        figures = {f"{name} us/call": per_call[name] for name in NAMES}
        for name in NAMES:
            figures[f"{name} first call ms, median"] = statistics.median(first[name]) * 1e3
            figures[f"{name} first call ms, best"] = min(first[name]) * 1e3
        figures["dispatch ns"] = dispatch_nanoseconds(args)
        return figures


def main(targets: list[str]) -> None:
    results = {target: measure(target) for target in targets}
    rows = list(next(iter(results.values())))
    print("| figure | " + " | ".join(targets) + " |")
    print("| --- | " + " | ".join("---:" for _ in targets) + " |")
    for row in rows:
        print(f"| {row} | " + " | ".join(f"{results[t][row]:.2f}" for t in targets) + " |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--first-call"]:
        print(first_call_seconds(sys.argv[2]))
    else:
        main(sys.argv[1:] or ["host-offload", "cpu", "serial"])
