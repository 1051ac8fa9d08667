"""The oracle: a compiled kernel against its own Python function, on the same inputs.

The Python function (`Kernel.py_func`) is the specification, so every test, the demo and the
benchmarks judge the C the same way: run both on copies of the same arguments, then compare every
array the kernel may write (`Out`/`InOut`) and the returned value.

- Integers and bools must be equal.
- Floats may differ by `ULPS` units in the last place of the least precise float type among the
  outputs and the float inputs (a float32 computed on a GPU may differ from the CPU's in its last
  bit, even when stored into a float64 output), scaled to the largest finite expected magnitude;
  NaN matches NaN, and infinities must be equal.
- A returned float is usually a parallel reduction, whose summation order differs from Python's:
  relative `RESULT_RTOL` (float32 or float64), the same absolutely.

    result = compare_with_python(saxpy, (2.0, x, y), parse_target("cpu"))
    assert result.ok, result.mismatches
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from runtime_shim import CompiledKernel
from translator.api import Kernel
from translator.targets import Target

ULPS = 64
"""The tolerance of float arrays, in units in the last place (see the module's docstring)."""

RESULT_RTOL = {"float32": 1e-4, "float64": 1e-9}
"""The relative (and absolute) tolerance of a returned float, by its least precise type."""


@dataclass(frozen=True)
class Comparison:
    """The outcome of one kernel run against its Python function: `mismatches` says, per output
    that differs, what differs (empty: the kernel agrees with Python)."""

    kernel: str
    target: str
    python_seconds: float
    compiled_seconds: float
    mismatches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def compare_with_python(k: Kernel, args: tuple[Any, ...], target: Target, repeats: int = 3) -> Comparison:
    """Run `k` on `target` (built and cached on first use) and `k.py_func` on copies of `args`."""
    compiled = k.library(target).kernels[k.py_func.__name__]
    return compare_compiled(compiled, k.py_func, args, str(target), repeats)


def compare_compiled(compiled: CompiledKernel, py_func: Callable[..., Any], args: tuple[Any, ...], target: str,
                     repeats: int = 3) -> Comparison:
    """Like `compare_with_python` for a kernel already loaded (e.g. a library built on another
    machine); `target` is the spelling the report shows. The compiled time is the best of `repeats`."""
    expected_args = _copies(args)
    start = time.perf_counter()
    expected = py_func(*expected_args)
    python_seconds = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeats):
        actual_args = _copies(args)
        start = time.perf_counter()
        actual = compiled(*actual_args)
        best = min(best, time.perf_counter() - start)
    floats = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind in "fc"]
    mismatches = [f"return value: {actual!r} != {expected!r}"] if not results_close(actual, expected, floats) else []
    for spec, got, want in zip(compiled.spec.params, actual_args, expected_args):
        if spec.is_array and spec.ownership in ("out", "inout") and not arrays_close(got, want, floats):
            mismatches.append(f"{spec.name}: {describe_difference(got, want)}")
    return Comparison(compiled.spec.name, target, python_seconds, best, tuple(mismatches))


def _copies(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def arrays_close(actual: Any, expected: Any, inputs: Sequence[np.dtype[Any]] = ()) -> bool:
    """Equal for integers and bools; within `ULPS` (scaled to the data) for floats, in ulps of the
    least precise float type among the two and the `inputs`. None matches None only."""
    if actual is None or expected is None:
        return actual is None and expected is None
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape:
        return False
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        return bool(np.array_equal(a, e))
    eps = float(max(np.finfo(t).eps for t in (a.dtype, e.dtype, *inputs) if t.kind in "fc"))
    # NaNs compare by equal_nan and infinities by equality: neither may widen the tolerance of the rest.
    scale = max(float(np.max(np.abs(e), initial=0.0, where=np.isfinite(e))), 1.0)
    return bool(np.allclose(a, e, rtol=ULPS * eps, atol=ULPS * eps * scale, equal_nan=True))


def results_close(actual: Any, expected: Any, inputs: Sequence[np.dtype[Any]] = ()) -> bool:
    """A returned value: a float within `RESULT_RTOL`; a tuple (arrays made by the kernel, and a
    scalar) item by item, dtypes of arrays included; anything else as `arrays_close`, in ulps of the
    least precise float among the `inputs` too (as `Out` arrays are: a float64 result computed from
    float32 data carries float32 rounding in NumPy and in C alike)."""
    if isinstance(expected, tuple) or isinstance(actual, tuple):
        return (isinstance(actual, tuple) and isinstance(expected, tuple) and len(actual) == len(expected)
                and all(results_close(a, e, inputs) for a, e in zip(actual, expected)))
    if isinstance(expected, np.ndarray) and (not isinstance(actual, np.ndarray) or actual.dtype != expected.dtype):
        return False
    if isinstance(expected, (float, np.floating)) and isinstance(actual, (float, np.floating)):
        single = np.float32 in (np.asarray(actual).dtype, np.asarray(expected).dtype)
        rtol = RESULT_RTOL["float32" if single else "float64"]
        return bool(np.isclose(actual, expected, rtol=rtol, atol=rtol, equal_nan=True))
    return arrays_close(actual, expected, inputs)


def describe_difference(actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any]) -> str:
    """Where two arrays differ, for a mismatch report: how many elements, and the worst one (NaN
    against a number counts as the worst; NaN against NaN as equal; complex parts both compared)."""
    if actual.shape != expected.shape:
        return f"shape {actual.shape} where Python gives {expected.shape}"
    wide = np.complex128 if "c" in (actual.dtype.kind, expected.dtype.kind) else np.float64
    a, e = actual.astype(wide), expected.astype(wide)
    differs = (a != e) & ~(np.isnan(a) & np.isnan(e))
    if not differs.any():
        return "equal"
    with np.errstate(invalid="ignore"):  # inf - inf where both are infinite: NaN, masked out
        gap = np.where(differs, np.abs(a - e), 0.0)
    worst = np.unravel_index(int(np.argmax(np.where(np.isnan(gap), np.inf, gap))), a.shape)
    return (f"{int(differs.sum())} of {a.size} elements differ; the largest difference is at {tuple(map(int, worst))}: "
            f"{actual[worst]} where Python gives {expected[worst]}")
