"""Registering NumPy memory with the CUDA driver against staging it and a plain map (issue 14).

    python bench/build_gpu.py .gpubuild nvptx:sm_90 copy_rate                   # here, where clang-19 is
    source .gpu/enter.sh; python3 bench/register_rate.py .gpubuild OUT.json     # there: python3, NumPy, ctypes
    python bench/copy_rate.py --build DIR; python bench/register_rate.py DIR OUT.json   # a CPU try

Staging a NumPy (pageable) array is bound by the host's copy into the pinned buffers; a registered
array is copied by the GPU's copy engines directly, at the cost of registering it. For each size
(`BENCH_REGISTER_SIZES_MB`, default 16, 64, 256 and 1024 MiB of float32) and each direction, best
of `BENCH_REGISTER_REPEATS` (default 3) after one untimed run, GB/s = bytes moved / seconds, each
route's result checked once:
- `ROUTES[0]` `omp_target_memcpy` from the NumPy array: what a plain map clause moves it at;
- `ROUTES[1]` through the pinned pool (`runtime_shim.staging`: its copiers, chunks of 16 MiB or a quarter
  of the size where smaller, so that every size is staged): what a staged call does;
- `ROUTES[2:4]` `cuMemHostRegister` (flags 0 and PORTABLE) + the copy + `cuMemHostUnregister`, with the
  best register and unregister times apart (`register_ms`, `unregister_ms`);
- `ROUTES[4]` registered once, copied 10 times, unregistered (GB/s over the 10 copies' bytes);
- `ROUTES[5]` the runtime's own path under `PY2OMP_REGISTER=1` (`staging.copy_*` with `register`);
- `ROUTES[6]` `omp_target_memcpy` from `llvm_omp_target_alloc_host` memory: the link's speed.
The driver is libcuda.so.1 through ctypes (`runtime_shim.registration`; `$PY2OMP_LIBCUDA` names a
stand-in, as the tests do on host-offload). Without it only the routes that need no driver run.
Writes the rows as JSON to OUT.json and prints them as a table.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's runtime_shim

import runtime_shim  # noqa: E402
from runtime_shim import registration, resident, staging  # noqa: E402

SIZES_MB = [int(n) for n in os.environ.get("BENCH_REGISTER_SIZES_MB", "16,64,256,1024").split(",")]
REPEATS = int(os.environ.get("BENCH_REGISTER_REPEATS", 3))
COPIES = 10
ROUTES = ("omp_target_memcpy, pageable (a plain map)", "staged through the pinned pool",
          "cuMemHostRegister(0) + copy + unregister", "cuMemHostRegister(PORTABLE) + copy + unregister",
          f"registered once, copied {COPIES} times", "PY2OMP_REGISTER=1 path (staging, register=True)",
          "omp_target_memcpy, llvm_omp_target_alloc_host memory")
NEEDS_DRIVER = set(ROUTES[2:6])


def best_seconds(call: Callable[[], object]) -> float:
    call()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return min(samples)


class Arrays:
    """One size's arrays: the NumPy array, a pinned one, the device array, and a copy to check against."""

    def __init__(self, nbytes: int) -> None:
        self.host = np.arange(nbytes // 4, dtype=np.float32)  # every page written: NumPy's memory as a user has it
        self.expected = self.host.copy()
        self.pinned = runtime_shim.empty_pinned(self.host.shape, self.host.dtype)
        self.pinned[:] = self.host
        self.device = runtime_shim.empty_on_device(self.host.shape, self.host.dtype)
        self.openmp = resident.openmp()

    def copy(self, to_device: bool, array: np.ndarray | None = None) -> None:
        """`omp_target_memcpy` of the whole array (the NumPy one unless `array`)."""
        host = self.host if array is None else array
        if to_device:
            self.openmp.copy(self.device.ptr, host.ctypes.data, host.nbytes, True, self.device.device)
        else:
            self.openmp.copy(host.ctypes.data, self.device.ptr, host.nbytes, False, self.device.device)

    def check(self, to_device: bool, route: Callable[[], object], host: np.ndarray) -> bool:
        """Whether `route` moves the values between `host` (the NumPy or the pinned array) and the
        device: to the device (read back directly), or back into `host` cleared first."""
        if to_device:
            self.device.copy_from(np.zeros_like(self.host))
            route()
            return bool(np.array_equal(self.device.to_numpy(), self.expected))
        self.copy(True, self.expected)
        host[:] = 0
        route()
        found = bool(np.array_equal(host, self.expected))
        host[:] = self.expected
        return found


def routes(arrays: Arrays, to_device: bool, driver: registration.Driver | None) -> dict[str, Callable[[], object]]:
    """Each route's one copy (or, for the "registered once" route, its ten)."""
    host, device, openmp = arrays.host, arrays.device, arrays.openmp
    staged = staging.copy_to_device if to_device else staging.copy_from_device
    ends = (device.ptr, host.ctypes.data) if to_device else (host.ctypes.data, device.ptr)
    found: dict[str, Callable[[], object]] = {
        ROUTES[0]: lambda: arrays.copy(to_device),
        ROUTES[1]: lambda: staged(openmp, *ends, host.nbytes, device.device),
    }
    if driver is not None:
        found[ROUTES[2]] = lambda: registered(driver, arrays, to_device, 0, 1)
        found[ROUTES[3]] = lambda: registered(driver, arrays, to_device, registration.PORTABLE, 1)
        found[ROUTES[4]] = lambda: registered(driver, arrays, to_device, registration.PORTABLE, COPIES)
        found[ROUTES[5]] = lambda: staged(openmp, *ends, host.nbytes, device.device, register=True)
    found[ROUTES[6]] = lambda: arrays.copy(to_device, arrays.pinned)
    return found


def registered(driver: registration.Driver, arrays: Arrays, to_device: bool, flags: int, copies: int) -> None:
    """Register the NumPy array, copy it `copies` times, unregister it; raise if the driver refuses."""
    address, device = arrays.host.ctypes.data, arrays.device.device
    status = driver.register(address, arrays.host.nbytes, device, flags)
    if status != 0:
        raise RuntimeError(f"cuMemHostRegister(flags={flags}) of {arrays.host.nbytes} bytes failed: CUDA error {status}")
    try:
        for _ in range(copies):
            arrays.copy(to_device)
    finally:
        driver.unregister(address, device)


def register_times(driver: registration.Driver, arrays: Arrays) -> dict[str, float]:
    """Best times of registering (PORTABLE) and unregistering the NumPy array alone, in ms."""
    address, nbytes, device = arrays.host.ctypes.data, arrays.host.nbytes, arrays.device.device
    best = {"register_ms": float("inf"), "unregister_ms": float("inf")}
    for _ in range(REPEATS):
        start = time.perf_counter()
        if driver.register(address, nbytes, device) != 0:
            return {}
        middle = time.perf_counter()
        driver.unregister(address, device)
        end = time.perf_counter()
        best["register_ms"] = min(best["register_ms"], (middle - start) * 1e3)
        best["unregister_ms"] = min(best["unregister_ms"], (end - middle) * 1e3)
    return best


def size_rows(size_mb: int, driver: registration.Driver | None) -> list[dict[str, Any]]:
    """Every route, both ways, for one size."""
    arrays = Arrays(size_mb << 20)
    staging.SETTINGS.min_bytes = 0
    staging.SETTINGS.chunk_bytes = min(staging.Settings().chunk_bytes, max(arrays.host.nbytes // 4, 64 << 10))
    apart = register_times(driver, arrays) if driver is not None else {}
    rows = []
    for direction, to_device in (("to device", True), ("to host", False)):
        for what, route in routes(arrays, to_device, driver).items():
            ok = arrays.check(to_device, route, arrays.pinned if what == ROUTES[6] else arrays.host)
            moved = arrays.host.nbytes * (COPIES if what == ROUTES[4] else 1)
            seconds = best_seconds(route)
            extra = apart if what in ROUTES[2:4] else {"chunk_MiB": staging.SETTINGS.chunk_bytes / (1 << 20)} \
                if what in (ROUTES[1], ROUTES[5]) else {}
            rows.append({"what": what, "direction": direction, "MB": arrays.host.nbytes / 1e6, "ms": seconds * 1e3,
                         "GB/s": moved / seconds / 1e9, "ok": ok, **extra})
    arrays.device.free()
    return rows


def main(build_dir: Path, out: Path) -> list[dict[str, Any]]:
    library = runtime_shim.load(build_dir / "copy_rate" if (build_dir / "copy_rate").is_dir() else build_dir)
    driver = registration.driver()
    rows = [row for size in SIZES_MB for row in size_rows(size, driver)]
    out.write_text(json.dumps({"target": library.manifest.target, "driver": driver is not None,
                               "staging": {"chunk_bytes": staging.SETTINGS.chunk_bytes, "copiers": staging.SETTINGS.copiers},
                               "rows": rows}, indent=1))
    if driver is None:
        print(f"no CUDA driver ({os.environ.get(registration.LIBRARY_ENV) or registration.DEFAULT_LIBRARY}): "
              f"skipped {', '.join(sorted(NEEDS_DRIVER))}")
    print(f"{'what':52} {'direction':9} {'MB':>8} {'ms':>9} {'GB/s':>7} ok  register/unregister ms")
    for r in rows:
        apart = f"{r['register_ms']:.2f} / {r['unregister_ms']:.2f}" if "register_ms" in r else ""
        print(f"{r['what']:52} {r['direction']:9} {r['MB']:8.1f} {r['ms']:9.3f} {r['GB/s']:7.2f} {r['ok']!s:5} {apart}")
    return rows


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
