"""Where the vendor BLAS is that the kernels' matrix products call (translator/passes/blas.py).

The C loads it itself, once, on the first product (`templates/prelude.c.j2`, macro `blas`): from
`PY2OMP_CUBLAS`, else by the names the dynamic loader resolves (`libcublas.so.12`, `.13`) or under
/usr/local/cuda. PyTorch and CuPy often bring cuBLAS as NVIDIA's pip wheel instead
(`site-packages/nvidia/cublas/lib` for CUDA 12, `site-packages/nvidia/cu13/lib` for CUDA 13's
wheels), where the loader does not look: `offer_wheel` names that file
in `PY2OMP_CUBLAS` when the user names none, so the same cuBLAS serves them and the kernels.
`find_cublas` answers `py2omp doctor`.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

ENV = "PY2OMP_CUBLAS"
SYSTEM_NAMES = ("libcublas.so.12", "libcublas.so.13", "libcublas.so", "/usr/local/cuda/lib64/libcublas.so.12",
                "/usr/local/cuda/lib64/libcublas.so.13")
"""Where the C loader looks, in order (rendered into `py2omp_blas_open` by the backend), and `doctor` too."""


WHEEL_FILES = (("nvidia/cublas/lib", "libcublas.so.12"), ("nvidia/cublas/lib", "libcublas.so.13"),
               ("nvidia/cu13/lib", "libcublas.so.13"))
"""Where NVIDIA's pip wheels put cuBLAS under site-packages: `nvidia-cublas-cu12` in its own folder,
CUDA 13's wheels (`nvidia-cublas`) in one folder for every library of the toolkit."""


def wheel_cublas() -> Path | None:
    """cuBLAS from NVIDIA's pip wheel (CUDA 12 or 13) on `sys.path`, if installed: the first entry
    that has one, in `WHEEL_FILES` order."""
    for entry in sys.path:
        for folder, name in WHEEL_FILES:
            path = Path(entry or ".") / folder / name
            if path.is_file():
                return path
    return None


def offer_wheel() -> None:
    """Name the wheel's cuBLAS in `PY2OMP_CUBLAS` unless the variable is set: the copy PyTorch and
    CuPy load in the same process, which also finds its `libcublasLt` beside it (a toolkit's
    /usr/local/cuda/lib64 need not be on the loader's path)."""
    if os.environ.get(ENV):
        return
    wheel = wheel_cublas()
    if wheel is not None:
        os.environ[ENV] = str(wheel)


def find_cublas() -> tuple[str | None, str]:
    """The library the kernels would load (loading it to see), and where it came from, in the order
    they look: the variable, the wheel (`offer_wheel`), the C loader's names."""
    given = os.environ.get(ENV)
    if given:
        return (given, f"${ENV}") if _loads(given) else (None, f"${ENV}={given} does not load")
    wheel = wheel_cublas()
    if wheel is not None and _loads(str(wheel)):
        return str(wheel), (f"NVIDIA's pip wheel, {wheel.parent.relative_to(wheel.parents[3])} (named in $PY2OMP_CUBLAS "
                            "when a kernel library loads)")
    for name in SYSTEM_NAMES:
        if _loads(name):
            return name, "the system"
    return None, "not found"


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True
