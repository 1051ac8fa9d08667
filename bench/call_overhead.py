"""What the Python side of a call costs: a kernel call against a raw ctypes call of the same C function.

    python bench/call_overhead.py [TARGET ...]   # default: cpu host-offload; prints a Markdown table

For each target, with a build cache of its own (bench/kernels/overhead.py, built once before timing),
microseconds per call of `tiny_saxpy` on 16 float32, the best of 15 interleaved runs of many calls,
timed in CPU time of the calling thread (`time.thread_time`: the Python side runs there, and a shared
machine's load, which stretches wall time by several microseconds per call, does not count):
- `raw ctypes`: the library's C function called directly with `argtypes` set, the array addresses
  and extents precomputed (no checks at all): the floor;
- `@kernel`: the decorated function as users call it (`Kernel.__call__` and the runtime_shim binding);
- `generic @kernel`: the same body without annotations (`GenericKernel`, types from the call);
- `empty_region`, raw and through `@kernel` (one int argument, nothing mapped).
`overhead` rows are the differences to the raw call. Also the first call in a new process, the library
already cached (median of 7 fresh processes): import, cache lookup, loading, the call.

On an offload target, the same for calls whose data is already in device memory (`DeviceArray`s;
no CuPy needed), of the kernel's device entry point: `tiny_gemv` (three arrays, 16 x 16 float32) and
`tiny_atax` (two arrays; the call makes a temporary and its result), each against a raw ctypes call of
its device entry point with every address precomputed (the made arrays allocated once beforehand):
the difference is Python's share of a device call (runtime_shim/devicepath.py).
"""

from __future__ import annotations

import ctypes
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
KERNELS = ROOT / "bench" / "kernels" / "overhead.py"
PROCESSES = 7
KEPT: list[Any] = []
"""The device arrays whose addresses the raw device calls hold: alive until the process ends."""


def load_kernels() -> ModuleType:
    spec = importlib.util.spec_from_file_location("overhead_kernels", KERNELS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arguments() -> tuple[float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return 2.0, rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)


def microseconds_per_call(calls: dict[str, Callable[[], Any]], count: int, runs: int = 15) -> dict[str, float]:
    """For each of `calls`, the best of `runs` runs of `count` calls in the calling thread's CPU time,
    interleaved so that the load of the shared machine weighs on them alike."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(runs):
        for name, call in calls.items():
            start = time.thread_time()
            for _ in range(count):
                call()
            best[name] = min(best[name], time.thread_time() - start)
    return {name: seconds / count * 1e6 for name, seconds in best.items()}


def raw_calls(module: ModuleType, args: tuple[float, np.ndarray, np.ndarray]) -> dict[str, Callable[[], Any]]:
    """The C functions of the kernels' library called through ctypes alone, arguments precomputed."""
    library = module.tiny_saxpy.library()
    cdll = ctypes.CDLL(str(library.path))
    saxpy, empty = cdll[library.kernels["tiny_saxpy"].spec.symbol], cdll[library.kernels["empty_region"].spec.symbol]
    saxpy.argtypes = (ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64)
    empty.argtypes = (ctypes.c_int64,)
    saxpy.restype = empty.restype = None
    a, x, y = args
    c_args = (a, x.ctypes.data, x.shape[0], y.ctypes.data, y.shape[0])
    return {"saxpy raw ctypes": functools.partial(saxpy, *c_args), "empty raw ctypes": functools.partial(empty, 1)}


def device_calls(module: ModuleType) -> dict[str, Callable[[], Any]]:
    """`tiny_gemv` and `tiny_atax` on `DeviceArray`s through `@kernel`, and their device entry points
    through ctypes alone: the arrays the kernel makes (and its status word) allocated once, before."""
    from runtime_shim import DeviceArray, to_device
    from runtime_shim.bounds import evaluate

    module.tiny_gemv.library()  # device memory needs a loaded offload library
    rng = np.random.default_rng(1)
    A, x = (to_device(rng.standard_normal(shape).astype(np.float32)) for shape in ((16, 16), 16))
    calls: dict[str, Callable[[], Any]] = {}
    for name, args in (("tiny_gemv", (A, x, to_device(np.zeros(16, np.float32)))), ("tiny_atax", (A, x))):
        library = getattr(module, name).library()
        compiled = library.kernels[name]
        spec, shapes = compiled.spec, {p.name: a.shape for p, a in zip(compiled.spec.params, args)}
        made = [DeviceArray(tuple(evaluate(d, shapes, {}) for d in p.shape or ()), np.dtype(p.dtype))
                for p in spec.params if p.hidden]
        raw = ctypes.CDLL(str(library.path))[spec.device_symbol]
        raw.argtypes, raw.restype = compiled.device_binding.argtypes, compiled.device_binding.restype
        calls[f"{name} device raw ctypes"] = functools.partial(raw, *compiled.device_binding.convert([*args, *made]))
        calls[f"{name} device @kernel"] = functools.partial(getattr(module, name), *args)
        KEPT.extend((*args, *made))
    return calls


def first_call_seconds() -> float:
    """Run in a fresh process: import, then the first call of `tiny_saxpy` (its library cached)."""
    start = time.perf_counter()
    kernel = load_kernels().tiny_saxpy
    kernel(*arguments())
    return time.perf_counter() - start


def fresh_process(env: dict[str, str]) -> tuple[float, bool]:
    """Seconds of the first call in a new process, and whether that process imported libcst."""
    command = [sys.executable, str(Path(__file__).resolve()), "--first-call"]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, libcst = result.stdout.split()
    return float(seconds), libcst == "True"


def measure(target: str) -> dict[str, float]:
    """The figures of one target, in a build cache of its own."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PY2OMP_CACHE_DIR": cache, "PY2OMP_TARGET": target, "PYTHONPATH": str(ROOT)}
        os.environ.update(env)
        fresh_process(env)  # builds the library
        module, args = load_kernels(), arguments()
        generic = _generic_saxpy()
        calls = {
            **raw_calls(module, args),
            "saxpy @kernel": functools.partial(module.tiny_saxpy, *args),
            "saxpy generic @kernel": functools.partial(generic, *args),
            "empty @kernel": functools.partial(module.empty_region, 1),
        }
        if target != "cpu":
            calls.update(device_calls(module))
        for call in calls.values():
            call()
        per_call = microseconds_per_call(calls, 1000 if target == "host-offload" else 5000)
        first = [fresh_process(env) for _ in range(PROCESSES)]
        figures = {f"{name} us": value for name, value in per_call.items()}
        figures["saxpy @kernel overhead us"] = per_call["saxpy @kernel"] - per_call["saxpy raw ctypes"]
        figures["saxpy generic overhead us"] = per_call["saxpy generic @kernel"] - per_call["saxpy raw ctypes"]
        figures["empty @kernel overhead us"] = per_call["empty @kernel"] - per_call["empty raw ctypes"]
        for name in ("tiny_gemv", "tiny_atax") if target != "cpu" else ():
            figures[f"{name} on DeviceArrays: Python's share us"] = (
                per_call[f"{name} device @kernel"] - per_call[f"{name} device raw ctypes"])
        figures["first call in a new process ms (median)"] = statistics.median(s for s, _ in first) * 1e3
        figures["new process imported libcst (1 = yes)"] = float(any(imported for _, imported in first))
        return figures


def _generic_saxpy() -> Any:
    """`tiny_saxpy` without annotations, from bench/kernels/call_types.py (the same body)."""
    spec = importlib.util.spec_from_file_location("call_types_kernels", ROOT / "bench" / "kernels" / "call_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.saxpy_from_call


def main(targets: list[str]) -> None:
    results = {target: measure(target) for target in targets}
    rows = list(next(iter(results.values())))
    print("| figure | " + " | ".join(targets) + " |")
    print("| --- | " + " | ".join("---:" for _ in targets) + " |")
    for row in rows:
        print(f"| {row} | " + " | ".join(f"{results[t][row]:.2f}" for t in targets) + " |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--first-call"]:
        seconds = first_call_seconds()
        print(seconds, "libcst" in sys.modules)
    else:
        main(sys.argv[1:] or ["cpu", "host-offload"])
