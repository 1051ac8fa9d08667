"""What a library call costs a small kernel's call on host-offload, with the stand-in library.

    python bench/blas_overhead.py LIBFAKECUBLAS.so   # prints a Markdown table (us per call)

A 16 x 16 gemv whose product is a library call (`gemv_library`: it gets the hidden status array,
which takes the checked path) called with the library and with `PY2OMP_BLAS=0` (its own loops),
against the same loops without a library call (`gemv_loops`: the fast path), in CPU time of the
calling thread, the best of 15 interleaved runs (bench/call_overhead.py's method).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from call_overhead import microseconds_per_call  # noqa: E402


def main(fake: str) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update({"PY2OMP_CACHE_DIR": cache, "PY2OMP_TARGET": "host-offload", "PY2OMP_CUBLAS": fake})
        import importlib.util
        spec = importlib.util.spec_from_file_location("blas_overhead_kernels", ROOT / "bench/kernels/blas_overhead.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rng = np.random.default_rng(0)
        args = (rng.standard_normal((16, 16)), rng.standard_normal(16), np.empty(16))
        library, loops = functools.partial(module.gemv_library, *args), functools.partial(module.gemv_loops, *args)
        library(), loops()
        figures = {}
        for setting in ("1", "0"):
            os.environ["PY2OMP_BLAS"] = setting
            got = microseconds_per_call({"library": library, "loops": loops}, 1000)
            figures[f"gemv_library, PY2OMP_BLAS={setting}"] = got["library"]
            figures[f"gemv_loops (fast path), PY2OMP_BLAS={setting}"] = got["loops"]
        print("| call | us |\n| --- | ---: |")
        for name, value in figures.items():
            print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
