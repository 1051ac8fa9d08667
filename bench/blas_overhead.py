"""What the Python side of a call costs a small kernel with a library call, on host-offload with
the stand-in library (tests/native/fake_cublas.c).

    python bench/blas_overhead.py LIBFAKECUBLAS.so   # prints a Markdown table (us per call)

A 16 x 16 gemv whose product is a library call (`gemv_library`: length checks and the status array
of the library's error) and the same loops without one (`gemv_loops`), each through `@kernel` and
as the raw ctypes call of its C function (arguments precomputed), with the library and with
`PY2OMP_BLAS=0`, in CPU time of the calling thread (bench/call_overhead.py's method).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator
sys.path.insert(0, str(ROOT / "bench"))

from call_overhead import microseconds_per_call  # noqa: E402


def calls(module: Any, A: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], Any]]:
    """Each kernel through `@kernel` and raw (its status array, if any, allocated once)."""
    found: dict[str, Callable[[], Any]] = {}
    status = np.zeros(1, np.int32)
    for name in ("gemv_library", "gemv_loops"):
        compiled = getattr(module, name).library().kernels[name]
        c_args = [A.ctypes.data, *A.shape, x.ctypes.data, *x.shape, y.ctypes.data, *y.shape]
        c_args += [status.ctypes.data, 1] if compiled.spec.status else []
        found[f"{name} @kernel"] = functools.partial(compiled, A, x, y)
        found[f"{name} raw"] = functools.partial(compiled.function, *c_args)
    return found


def main(fake: str) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update({"PY2OMP_CACHE_DIR": cache, "PY2OMP_TARGET": "host-offload", "PY2OMP_CUBLAS": fake})
        spec = importlib.util.spec_from_file_location("blas_overhead_kernels", ROOT / "bench/kernels/blas_overhead.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rng = np.random.default_rng(0)
        timed = calls(module, rng.standard_normal((16, 16)), rng.standard_normal(16), np.empty(16))
        print("| PY2OMP_BLAS | " + " | ".join(timed) + " | Python's share, library | Python's share, loops |")
        print("| --- |" + " ---: |" * (len(timed) + 2))
        for setting in ("1", "0"):
            os.environ["PY2OMP_BLAS"] = setting
            for call in timed.values():
                call()
            us = microseconds_per_call(timed, 2000)
            shares = [us[f"{n} @kernel"] - us[f"{n} raw"] for n in ("gemv_library", "gemv_loops")]
            print(f"| {setting} | " + " | ".join(f"{v:.2f}" for v in (*us.values(), *shares)) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
