"""`py2omp demo`: build and run every example kernel, and check each against its Python function.

Each example module in `examples/` defines `@kernel` functions and `demo_inputs(rng)`; the demo
runs the compiled kernel and the plain Python function (`py_func`) on copies of the same fresh
random inputs and compares every array the kernel may write, and the returned value, through the
oracle (`translator.oracle`) that the tests and the benchmarks use too.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.resources import shipped_dir
from translator.toolchain.resolve import resolve_target

EXAMPLES_DIR = shipped_dir("examples")


def example_kernels(directory: Path) -> list[tuple[Kernel, Any]]:
    """(kernel, demo_inputs) for every kernel of every example module, in file-name order."""
    found = []
    for path in sorted(directory.glob("*.py")):
        module = import_file(path)
        make_inputs = getattr(module, "demo_inputs", None)
        for value in vars(module).values():
            if isinstance(value, Kernel) and make_inputs is not None and value.__module__ == module.__name__:
                found.append((value, make_inputs))
    return found


def import_file(path: Path) -> Any:
    """The Python module at `path`, imported under a name of its own (its kernels read their source
    from the file, so it must be a real module)."""
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
    directory = Path(examples) if examples else EXAMPLES_DIR
    found = example_kernels(directory)
    if not found:
        print(f"py2omp demo: no example kernels in {directory}: nothing was checked", file=sys.stderr)
        return 1
    rows = [compare_with_python(k, make_inputs(rng), target) for k, make_inputs in found]
    print(f"{'kernel':<14} {'target':<14} {'python (s)':>11} {'compiled (ms)':>14}  result")
    for row in rows:
        verdict = "match" if row.ok else "MISMATCH: " + "; ".join(row.mismatches)
        print(f"{row.kernel:<14} {row.target:<14} {row.python_seconds:>11.3f} {row.compiled_seconds * 1e3:>14.3f}  {verdict}")
    failed = sum(not r.ok for r in rows)
    print(f"{len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0
