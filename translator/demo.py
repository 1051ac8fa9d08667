"""`py2omp demo`: build and run every example kernel, and check each against its Python function.

Each example module in `examples/` defines `@kernel` functions and `demo_inputs(rng)`; the demo
runs the compiled kernel and the plain Python function (`py_func`) on copies of the same fresh
random inputs and compares every array the kernel may write, and the returned value.
`compare_with_python` is also what the end-to-end tests use.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from runtime_shim import CompiledKernel

from translator.api import Kernel
from translator.targets import Target
from translator.toolchain.resolve import resolve_target

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


@dataclass(frozen=True)
class Comparison:
    """The outcome of one kernel run against its Python function."""

    kernel: str
    target: str
    python_seconds: float
    compiled_seconds: float
    mismatches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def compare_with_python(k: Kernel, args: tuple[Any, ...], target: Target, repeats: int = 3) -> Comparison:
    """Run `k` on `target` and `k.py_func` on copies of `args`; compare outputs and results."""
    compiled = k.library(target).kernels[k.py_func.__name__]
    return compare_compiled(compiled, k.py_func, args, str(target), repeats)


def compare_compiled(compiled: CompiledKernel, py_func: Callable[..., Any], args: tuple[Any, ...], target: str,
                     repeats: int = 3) -> Comparison:
    """Like `compare_with_python` for an already loaded kernel (e.g. a library built on another machine)."""
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
    mismatches = [f"return value: {actual!r} != {expected!r}"] if not _close_result(actual, expected) else []
    floats = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind in "fc"]
    for spec, got, want in zip(compiled.spec.params, actual_args, expected_args):
        if spec.is_array and spec.ownership in ("out", "inout") and not _close(got, want, floats):
            mismatches.append(f"{spec.name}: {_difference(got, want)}")
    return Comparison(compiled.spec.name, target, python_seconds, best, tuple(mismatches))


def _copies(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _close(actual: Any, expected: Any, inputs: Sequence[np.dtype] = ()) -> bool:
    """Equal for integers and bools; within a few ulps (scaled to the data) for floats, ulps of the
    least precise float type among the outputs and the `inputs` (a float32 computed on a GPU may
    differ from the CPU's in its last bit, even when stored into a float64 output)."""
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
    return bool(np.allclose(a, e, rtol=64 * eps, atol=64 * eps * scale, equal_nan=True))


def _close_result(actual: Any, expected: Any) -> bool:
    """Returned scalars are typically parallel reductions, whose summation order differs from
    Python's left-to-right one: allow a relative error that grows with that reordering. A tuple
    (arrays made by the kernel, and a scalar) compares item by item, dtypes of arrays included."""
    if isinstance(expected, tuple) or isinstance(actual, tuple):
        return (isinstance(actual, tuple) and isinstance(expected, tuple) and len(actual) == len(expected)
                and all(_close_result(a, e) for a, e in zip(actual, expected)))
    if isinstance(expected, np.ndarray) and (not isinstance(actual, np.ndarray) or actual.dtype != expected.dtype):
        return False
    if isinstance(expected, (float, np.floating)) and isinstance(actual, (float, np.floating)):
        rtol = 1e-4 if np.float32 in (np.asarray(actual).dtype, np.asarray(expected).dtype) else 1e-9
        return bool(np.isclose(actual, expected, rtol=rtol, atol=rtol, equal_nan=True))
    return _close(actual, expected)


def _difference(actual: np.ndarray, expected: np.ndarray) -> str:
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


def example_kernels(directory: Path) -> list[tuple[Kernel, Any]]:
    """(kernel, demo_inputs) for every kernel of every example module, in file-name order."""
    found = []
    for path in sorted(directory.glob("*.py")):
        module = _import_file(path)
        make_inputs = getattr(module, "demo_inputs", None)
        for value in vars(module).values():
            if isinstance(value, Kernel) and make_inputs is not None and value.__module__ == module.__name__:
                found.append((value, make_inputs))
    return found


def _import_file(path: Path) -> Any:
    name = f"py2omp_example_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_demo(target_spec: str | None, examples: str | None) -> int:
    """Print a table of every example; exit status 1 if any kernel disagrees with Python."""
    target = resolve_target(target_spec)
    rng = np.random.default_rng()
    rows = []
    for k, make_inputs in example_kernels(Path(examples) if examples else EXAMPLES_DIR):
        rows.append(compare_with_python(k, make_inputs(rng), target))
    print(f"{'kernel':<14} {'target':<14} {'python (s)':>11} {'compiled (ms)':>14}  result")
    for row in rows:
        verdict = "match" if row.ok else "MISMATCH: " + "; ".join(row.mismatches)
        print(f"{row.kernel:<14} {row.target:<14} {row.python_seconds:>11.3f} {row.compiled_seconds * 1e3:>14.3f}  {verdict}")
    failed = sum(not r.ok for r in rows)
    print(f"{len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0
