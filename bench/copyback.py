"""Time the copy-back of partly written `Out` arrays (bench/kernels/copyback.py).

    python bench/copyback.py [TARGET]   # build for TARGET (default host-offload) and time here

`bench/build_gpu.py` builds the same kernels for the GPU and `bench/gpu_run.py` times them there
(its `copyback` part). Each figure is the best of several calls of the whole kernel: the copy of
`u` in, a trivial loop, then the copy-back of `v`; `whole2d` and `whole3d` (all of `v` written, mapped `from`)
is the reference for moving the same bytes in one transfer. Sizes: BENCH_COPYBACK_N2 (2-D side,
default 4096) and BENCH_COPYBACK_N3 (3-D side, default 256).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import runtime_shim

ROOT = Path(__file__).resolve().parent.parent
KERNELS = "bench/kernels/copyback.py"
N2 = int(os.environ.get("BENCH_COPYBACK_N2", 4096))
N3 = int(os.environ.get("BENCH_COPYBACK_N3", 256))


def build(out: Path, target: str) -> None:
    """`py2omp build` of the kernels into `out` (needs the translator and clang)."""
    subprocess.run([sys.executable, "-m", "translator", "build", KERNELS, "--target", target, "-o", str(out)],
                   check=True, cwd=ROOT)


def best_ms(call: Any, repeats: int = 7) -> float:
    call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return min(samples) * 1e3


def measure(build_dir: Path) -> list[dict[str, Any]]:
    """One row per kernel: shape, milliseconds per call, and whether `v` is right (interior copied,
    border kept)."""
    library = runtime_shim.load(build_dir)
    rng = np.random.default_rng(0)
    rows = []
    for name, shape in (("interior2d", (N2, N2)), ("whole2d", (N2, N2)), ("interior3d", (N3, N3, N3)),
                        ("whole3d", (N3, N3, N3))):
        u, v = rng.standard_normal(shape), rng.standard_normal(shape)
        expected = v.copy()
        inner = tuple(slice(None) if name.startswith("whole") else slice(1, -1) for _ in shape)
        expected[inner] = u[inner]
        kernel = library.kernels[name]
        ms = best_ms(lambda: kernel(u, v))
        rows.append({"kernel": name, "shape": list(shape), "ms": ms, "MB": v.nbytes / 1e6,
                     "ok": bool(np.array_equal(v, expected)), "kernel_only_ms": _kernel_only_ms(kernel, u)})
    return rows


def _kernel_only_ms(kernel: Any, u: np.ndarray) -> float | None:
    """The same call on CuPy arrays (no maps, no copy-back: `is_device_ptr`), where CuPy is installed:
    what the loop itself costs, so that the rest of `ms` is data movement."""
    try:
        import cupy
    except ImportError:
        return None
    u_device, v_device = cupy.asarray(u), cupy.asarray(u)

    def call() -> None:
        kernel(u_device, v_device)
        cupy.cuda.Device().synchronize()
    return best_ms(call)


if __name__ == "__main__":
    chosen = sys.argv[1] if len(sys.argv) > 1 else "host-offload"
    with tempfile.TemporaryDirectory() as scratch:
        build(Path(scratch), chosen)
        for row in measure(Path(scratch)):
            print(row)
