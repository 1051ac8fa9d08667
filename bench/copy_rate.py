"""Host<->device copy rates: CuPy's against py2omp's, in one process on the GPU machine (issue 14).

    python bench/build_gpu.py .gpubuild nvptx:sm_90 copy_rate             # here, where clang-19 is
    source .gpu/enter.sh; python3 bench/copy_rate.py .gpubuild OUT.json    # there
    python bench/copy_rate.py --build DIR [TARGET]; python bench/copy_rate.py DIR OUT.json   # a CPU try

Measures, on BENCH_COPY_RATE_N float32 elements (default 2^26, 256 MiB per array), best of
BENCH_COPY_RATE_REPEATS (default 5), GB/s = bytes moved / seconds:
(a) CuPy (skipped where it is not installed): `cudaMemcpy` host to device and back, from pageable
    NumPy memory and from `cupy.cuda.alloc_pinned_memory`;
(b) py2omp's saxpy (bench/kernels/copy_rate.py) end to end, `kernel.stats` bytes over wall time: on
    NumPy arrays staged in pieces overlapping transfers and compute (`SETTINGS.overlap`, off by default), staged
    whole (the default on a GPU), through the maps alone (`SETTINGS.enabled` off: the map clauses'
    copies from pageable memory), on `empty_pinned` arrays in pieces and through the maps, on NumPy
    arrays called repeatedly with registrations kept (`runtime_shim.kept`: the first call staged,
    the second registering them, both timed apart in `first_call_ms`, `second_call_ms`; GB/s of the
    calls after), and in pieces of 8, 16 and 64 MiB (default 32); every other route with
    registrations off (`PY2OMP_REGISTER=0`);
(c) raw copies through the offload runtime, both ways: `omp_target_memcpy` from pageable memory, from
    pinned memory, through the staging pool (for several chunk sizes and host copier counts, one
    buffer more than copiers; BENCH_COPY_RATE_COPIERS, default 1,2,4,8), and
    after registering the NumPy buffer (`llvm_omp_target_lock_mem`, its cost included and apart);
(d) staged against direct copies for sizes from 256 KiB up: where staging starts to pay
    (`SETTINGS.min_bytes`);
(e) saxpy's exported C entry point called as a C or Fortran program calls it (ctypes on the
    arrays' addresses: no runtime_shim, no staging of its own) from the library built without
    `--staging` (the map clauses' copies, from NumPy memory and from `empty_pinned` memory) and from
    the one built with it (`staged/`: the C's own pinned pool, docs/data-movement.md; its settings
    are the environment's, $PY2OMP_STAGING_MIN_BYTES, ..., read at its first call).
Writes the rows as JSON to OUT.json and prints them as a table.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
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

KERNELS = "bench/kernels/copy_rate.py"
N = int(os.environ.get("BENCH_COPY_RATE_N", 1 << 26))
REPEATS = int(os.environ.get("BENCH_COPY_RATE_REPEATS", 5))
CHUNKS = (2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20)
COPIERS = tuple(int(c) for c in os.environ.get("BENCH_COPY_RATE_COPIERS", "1,2,4,8").split(","))
PIECES = (8 << 20, 16 << 20, 64 << 20)
STAGED = "staged"
"""The folder, inside the library's, of the library built with `--staging` (part e)."""


def build(out: Path, target: str) -> None:
    """`py2omp build` of the kernel into `out`, and with `--staging` into `out/staged` (needs the
    translator and clang)."""
    for folder, options in ((out, []), (out / STAGED, ["--staging"])):
        subprocess.run([sys.executable, "-m", "translator", "build", KERNELS, "--target", target, "-o", str(folder),
                        *options], check=True, cwd=ROOT)


def best_seconds(call: Callable[[], object], sync: Callable[[], object] = lambda: None) -> float:
    call()
    sync()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        sync()
        samples.append(time.perf_counter() - start)
    return min(samples)


def row(part: str, what: str, direction: str, nbytes: int, seconds: float, **extra: Any) -> dict[str, Any]:
    return {"part": part, "what": what, "direction": direction, "MB": nbytes / 1e6, "ms": seconds * 1e3,
            "GB/s": nbytes / seconds / 1e9, **extra}


def cupy_rows(host: np.ndarray) -> list[dict[str, Any]]:
    """(a): cudaMemcpy from and to pageable and pinned memory, both ways."""
    try:
        import cupy
    except ImportError:
        return []
    runtime, sync = cupy.cuda.runtime, cupy.cuda.Device().synchronize
    device = cupy.empty(host.shape, host.dtype)
    memory = cupy.cuda.alloc_pinned_memory(host.nbytes)
    pinned = np.frombuffer(memory, host.dtype, host.size)
    pinned[:] = host
    rows = []
    for kind, array in (("pageable", host), ("pinned", pinned)):
        for direction, copy in (("to device", lambda a=array: runtime.memcpy(device.data.ptr, a.ctypes.data, a.nbytes, 1)),
                                ("to host", lambda a=array: runtime.memcpy(a.ctypes.data, device.data.ptr, a.nbytes, 2))):
            rows.append(row("a", f"CuPy cudaMemcpy, {kind}", direction, host.nbytes, best_seconds(copy, sync)))
    return rows


def saxpy_rows(library: runtime_shim.Library, rng: np.random.Generator) -> list[dict[str, Any]]:
    """(b): the kernel end to end, bytes from `kernel.stats`, checked against NumPy."""
    saxpy = library.saxpy
    x, y = rng.standard_normal(N, dtype=np.float32), rng.standard_normal(N, dtype=np.float32)
    rows = []
    staging.SETTINGS.register = "0"  # these routes call with the same arrays again and again: none kept
    for what, staged, overlapped, pinned in (
            ("NumPy arrays, staged in pieces", True, True, False), ("NumPy arrays, staged whole", True, False, False),
            ("NumPy arrays, maps only", False, False, False), ("empty_pinned arrays, in pieces", True, True, True),
            ("empty_pinned arrays, maps only", False, False, True)):
        xs, ys = (runtime_shim.empty_pinned(N, np.float32), runtime_shim.empty_pinned(N, np.float32)) if pinned \
            else (x.copy(), y.copy())
        xs[:], ys[:] = x, y
        staging.SETTINGS.enabled, staging.SETTINGS.overlap = staged, overlapped
        saxpy(np.float32(2.0), xs, ys)
        right = bool(np.array_equal(ys, np.float32(2.0) * x + y))
        saxpy.stats.reset()
        seconds = best_seconds(lambda: saxpy(np.float32(2.0), xs, ys))
        moved = (saxpy.stats.bytes_to_device + saxpy.stats.bytes_from_device) // saxpy.stats.calls
        rows.append(row("b", f"py2omp saxpy, {what}", "both", moved, seconds, ok=right))
    rows.append(repeated_row(saxpy, x, y))
    staging.SETTINGS.enabled = staging.SETTINGS.overlap = True
    xs, ys = x.copy(), y.copy()
    for piece in PIECES:
        staging.SETTINGS.piece_bytes = piece
        seconds = best_seconds(lambda: saxpy(np.float32(2.0), xs, ys))
        rows.append(row("b", "py2omp saxpy, NumPy arrays, staged in pieces", "both", 12 * N, seconds, piece_MiB=piece >> 20))
    staging.SETTINGS.piece_bytes, staging.SETTINGS.register = staging.Settings().piece_bytes, staging.Settings().register
    return rows


def repeated_row(saxpy: Any, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """(b) on fresh NumPy arrays with registrations kept (`runtime_shim.kept`): the first call
    (staged) and the second (which registers x and y) timed apart, then the best of the calls after
    (registered); the result checked after the first two."""
    staging.SETTINGS.enabled, staging.SETTINGS.overlap, staging.SETTINGS.register = True, False, staging.KEEP
    runtime_shim.release_registered()
    xs, ys, expected = x.copy(), y.copy(), y.copy()
    first_two = []
    for _ in range(2):
        start = time.perf_counter()
        saxpy(np.float32(2.0), xs, ys)
        first_two.append((time.perf_counter() - start) * 1e3)
        expected = np.float32(2.0) * x + expected
    right, kept = bool(np.array_equal(ys, expected)), runtime_shim.registered_memory()
    seconds = best_seconds(lambda: saxpy(np.float32(2.0), xs, ys))
    runtime_shim.release_registered()
    staging.SETTINGS.register = "0"
    return row("b", "py2omp saxpy, NumPy arrays, repeated calls (registered from the second)", "both", 12 * x.size, seconds,
               ok=right, first_call_ms=first_two[0], second_call_ms=first_two[1], registered_MB=kept.bytes / 1e6)


def raw_rows(host: np.ndarray, lock: Callable[[int, int, int], int] | None,
             unlock: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    """(c): one array's copy each way, by each route of the offload runtime."""
    openmp = resident.openmp()
    device = runtime_shim.empty_on_device(host.shape, host.dtype)
    pinned = runtime_shim.empty_pinned(host.shape, host.dtype)
    pinned[:] = host
    rows = []
    for kind, array in (("omp_target_memcpy, pageable", host), ("omp_target_memcpy, pinned", pinned)):
        for direction, to_device in (("to device", True), ("to host", False)):
            copy = (lambda a=array, t=to_device: openmp.copy(device.ptr, a.ctypes.data, a.nbytes, True, device.device) if t
                    else openmp.copy(a.ctypes.data, device.ptr, a.nbytes, False, device.device))
            rows.append(row("c", kind, direction, host.nbytes, best_seconds(copy)))
    for chunk in CHUNKS:
        for copiers in COPIERS:
            settings = staging.SETTINGS
            settings.chunk_bytes, settings.copiers, settings.buffers = chunk, copiers, copiers + 1
            for direction, copy in _staged_copies(openmp, device, host):
                rows.append(row("c", "staged", direction, host.nbytes, best_seconds(copy),
                                chunk_MiB=chunk >> 20, copiers=copiers, buffers=copiers + 1))
    defaults = staging.Settings()
    staging.SETTINGS.chunk_bytes, staging.SETTINGS.copiers, staging.SETTINGS.buffers = \
        defaults.chunk_bytes, defaults.copiers, defaults.buffers
    if lock is not None and unlock is not None:
        rows += _locked_rows(openmp, device, host, lock, unlock)
    return rows


def _staged_copies(openmp: resident.OpenMP, device: runtime_shim.DeviceArray,
                   host: np.ndarray) -> list[tuple[str, Callable[[], None]]]:
    return [("to device", lambda: staging.copy_to_device(openmp, device.ptr, host.ctypes.data, host.nbytes, device.device)),
            ("to host", lambda: staging.copy_from_device(openmp, host.ctypes.data, device.ptr, host.nbytes, device.device))]


def _locked_rows(openmp: resident.OpenMP, device: runtime_shim.DeviceArray, host: np.ndarray,
                 lock: Callable[[int, int, int], int], unlock: Callable[[int, int], None]) -> list[dict[str, Any]]:
    """Registering the NumPy buffer: the copies once it is locked, and lock + copy + unlock."""
    rows = []
    for direction, to_device in (("to device", True), ("to host", False)):
        def copy() -> None:
            if to_device:
                openmp.copy(device.ptr, host.ctypes.data, host.nbytes, True, device.device)
            else:
                openmp.copy(host.ctypes.data, device.ptr, host.nbytes, False, device.device)

        def locked_copy() -> None:
            lock(host.ctypes.data, host.nbytes, device.device)
            copy()
            unlock(host.ctypes.data, device.device)
        rows.append(row("c", "lock_mem + copy + unlock", direction, host.nbytes, best_seconds(locked_copy)))
        lock(host.ctypes.data, host.nbytes, device.device)
        rows.append(row("c", "copy of locked NumPy memory", direction, host.nbytes, best_seconds(copy)))
        unlock(host.ctypes.data, device.device)
    return rows


def threshold_rows(host: np.ndarray) -> list[dict[str, Any]]:
    """(d): staged against direct copies to the device and back, by size (chunks of a quarter of the size,
    at least 64 KiB)."""
    openmp = resident.openmp()
    device = runtime_shim.empty_on_device(host.shape, host.dtype)
    rows = []
    size = 256 << 10
    while size <= min(host.nbytes, 64 << 20):
        staging.SETTINGS.chunk_bytes = max(size // 4, 64 << 10)
        staging.SETTINGS.min_bytes = 0
        for direction, copy in _staged_copies(openmp, device, host[: size // host.itemsize]):
            rows.append(row("d", "staged", direction, size, best_seconds(copy)))
        for direction, to_device in (("to device", True), ("to host", False)):
            rows.append(row("d", "direct", direction, size, best_seconds(
                lambda t=to_device: openmp.copy(device.ptr, host.ctypes.data, size, True, device.device) if t
                else openmp.copy(host.ctypes.data, device.ptr, size, False, device.device))))
        size *= 4
    staging.SETTINGS.chunk_bytes, staging.SETTINGS.min_bytes = staging.Settings().chunk_bytes, staging.Settings().min_bytes
    return rows


def c_caller_rows(folder: Path, rng: np.random.Generator) -> list[dict[str, Any]]:
    """(e): the exported `saxpy(float a, const float *x, int64_t n, float *y, int64_t n)` as a C caller
    calls it, on NumPy and on pinned arrays, from the library in `folder` and from its `--staging` build;
    each checked against NumPy."""
    x, y = rng.standard_normal(N, dtype=np.float32), rng.standard_normal(N, dtype=np.float32)
    rows = []
    for what, library, pinned in (("NumPy arrays, maps", folder, False), ("empty_pinned arrays, maps", folder, True),
                                  ("NumPy arrays, built with --staging", folder / STAGED, False)):
        if not (library / "copy_rate.so").exists():
            continue
        saxpy = ctypes.CDLL(str(library / "copy_rate.so"))["saxpy"]
        saxpy.argtypes = (ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64)
        saxpy.restype = None
        xs, ys = (runtime_shim.empty_pinned(N, np.float32), runtime_shim.empty_pinned(N, np.float32)) if pinned \
            else (x.copy(), y.copy())
        xs[:], ys[:] = x, y
        saxpy(2.0, xs.ctypes.data, N, ys.ctypes.data, N)
        right = bool(np.array_equal(ys, np.float32(2.0) * x + y))
        seconds = best_seconds(lambda: saxpy(2.0, xs.ctypes.data, N, ys.ctypes.data, N))
        rows.append(row("e", f"C caller saxpy, {what}", "both", 12 * N, seconds, ok=right))
    return rows


def lock_functions(library: runtime_shim.Library) -> tuple[Any, Any]:
    """`llvm_omp_target_lock_mem(ptr, bytes, device)` and `llvm_omp_target_unlock_mem(ptr, device)`."""
    cdll = ctypes.CDLL(str(library.path))
    try:
        lock, unlock = cdll["llvm_omp_target_lock_mem"], cdll["llvm_omp_target_unlock_mem"]
    except AttributeError:
        return None, None
    lock.argtypes, lock.restype = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int), ctypes.c_void_p
    unlock.argtypes, unlock.restype = (ctypes.c_void_p, ctypes.c_int), None
    return lock, unlock


def main(build_dir: Path, out: Path) -> list[dict[str, Any]]:
    folder = build_dir / "copy_rate" if (build_dir / "copy_rate").is_dir() else build_dir
    library = runtime_shim.load(folder)
    kind = library.manifest.target.split(":")[0]
    staging.SETTINGS.kinds = staging.SETTINGS.kinds | {kind}
    if os.environ.get(registration.LIBRARY_ENV):  # a stand-in driver (the tests' on host-offload): registrations too
        staging.SETTINGS.register_kinds = staging.SETTINGS.register_kinds | {kind}
    rng = np.random.default_rng(0)
    host = rng.standard_normal(N, dtype=np.float32)
    rows = cupy_rows(host) + saxpy_rows(library, rng) + raw_rows(host, *lock_functions(library)) + threshold_rows(host) \
        + c_caller_rows(folder, rng)
    out.write_text(json.dumps({"target": library.manifest.target, "N": N, "rows": rows}, indent=1))
    print(f"{'part':4} {'what':48} {'direction':9} {'MB':>8} {'ms':>9} {'GB/s':>7}  extra")
    for r in rows:
        extra = {k: v for k, v in r.items() if k not in ("part", "what", "direction", "MB", "ms", "GB/s")}
        print(f"{r['part']:4} {r['what']:48} {r['direction']:9} {r['MB']:8.1f} {r['ms']:9.3f} {r['GB/s']:7.2f}  {extra or ''}")
    return rows


if __name__ == "__main__":
    if sys.argv[1] == "--build":
        build(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "host-offload")
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
