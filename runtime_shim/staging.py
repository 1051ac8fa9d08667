"""Copies between NumPy's pageable memory and the device through pinned buffers, double-buffered.

A GPU copies pageable memory through its driver's small staging buffers, one after the other, at
a fraction of the link's speed; from pinned memory it copies at the link's speed (issue 14: 5.8
against 52 GB/s host to device on an H200). `copy_to_device` and `copy_from_device` cut a large
copy into chunks and keep a pool of pinned buffers (`resident.HostMemory`) busy: while the copy
engine moves chunk k-1 out of one buffer, host threads copy chunk k into the next (`memmove`,
which releases the GIL), so the transfer runs at the rate of the slower of the two. Device to host
is the mirror image. A copy below `SETTINGS.min_bytes`, or of memory already pinned
(`pinned.is_pinned`), is one `omp_target_memcpy`.

This lives in the runtime (ctypes into the offload runtime), not in the emitted C: a kernel call
that stages takes the kernel's device entry point (`CompiledKernel._call_on_device`) with device
memory this module fills and empties, so the C and the golden files are unchanged. Each chunk's
copy is exact (whole elements, the same bytes), so results and `kernel.stats` are as with the maps.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .pinned import is_pinned
from .resident import OpenMP

_memmove: Callable[[int, int, int], object] = ctypes.memmove  # a C function: the GIL is released


_COPIERS = min(8, max(1, (os.cpu_count() or 2) // 2))
"""Host copier threads: one H100 machine (16 cores) moved 256 MiB through the pool at 8.6 GB/s with
one copier, 14 with two, 16-25 with four and 25-28 with eight (16 MiB chunks; bench/copy_rate.py,
bench/results/h100-2026-12-05-copy-rate.json): one thread's memcpy from pageable memory is the limit."""


@dataclass
class Settings:
    """When a call stages, and how. `kinds`: the target kinds whose calls stage their NumPy arrays
    (GPUs: on host-offload the device's memory is host memory and a copy is one `memcpy`, which
    staging only doubles); `min_bytes`: an array moving fewer bytes is copied directly, and a call
    stages when one of its arrays moves at least that many; `chunk_bytes`, `buffers` (pinned buffers
    in the pool) and `copiers` (host threads copying between NumPy memory and the buffers);
    `piece_bytes`: a staged call of an elementwise kernel runs in pieces of this many bytes of its
    widest array, overlapping transfers with compute (`overlap`, off by default: measured slower)."""

    kinds: frozenset[str] = frozenset({"nvptx", "amdgcn"})
    min_bytes: int = int(os.environ.get("PY2OMP_STAGING_MIN_BYTES", 32 << 20))
    chunk_bytes: int = int(os.environ.get("PY2OMP_STAGING_CHUNK_BYTES", 16 << 20))
    buffers: int = _COPIERS + 1
    copiers: int = _COPIERS
    enabled: bool = os.environ.get("PY2OMP_STAGING", "1") != "0"
    piece_bytes: int = int(os.environ.get("PY2OMP_OVERLAP_PIECE_BYTES", 64 << 20))
    overlap: bool = os.environ.get("PY2OMP_OVERLAP", "0") == "1"
    """Off unless asked for: on the H100 (bench/results/h100-2026-12-05b-copy-rate.json) saxpy on
    2^26 NumPy floats ran at 12.3 GB/s in 64 MiB pieces against 18.6 staged whole (the copier threads
    of one piece and the next compete for the host's memory bandwidth); pinned arrays gained a little
    (49.2 against 45.6 GB/s)."""

    def stages(self, target: str) -> bool:
        """Whether calls of a library built for `target` ("nvptx:sm_90", ...) may stage."""
        return self.enabled and target.split(":")[0] in self.kinds


SETTINGS = Settings()


@dataclass
class _Pool:
    """The pinned buffers of one configuration, and the threads that fill them and move them."""

    openmp: OpenMP
    key: tuple[int, int, int]
    """`(chunk_bytes, buffers, copiers)` of the settings it was made for."""
    buffers: list[int] = field(default_factory=list)
    copiers: ThreadPoolExecutor | None = None
    mover: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "py2omp-mover"))
    busy: threading.Lock = field(default_factory=threading.Lock)
    """Held by the copy using the buffers: copies from several Python threads take turns."""

    def __post_init__(self) -> None:
        memory = self.openmp.host_memory
        for _ in range(self.key[1]):
            pointer = int(memory.alloc(self.chunk_bytes, memory.device) or 0)
            if not pointer:
                self.release()
                raise MemoryError(f"llvm_omp_target_alloc_host of a {self.chunk_bytes}-byte staging buffer failed")
            self.buffers.append(pointer)
        self.copiers = ThreadPoolExecutor(self.key[2], "py2omp-stager")

    @property
    def chunk_bytes(self) -> int:
        return self.key[0]

    def release(self) -> None:
        """Free the buffers (no copy is in flight: pipelines drain before they return)."""
        memory = self.openmp.host_memory
        for pointer in self.buffers:
            memory.free(pointer, memory.device)
        self.buffers.clear()
        for executor in (self.copiers, self.mover):
            if executor is not None:
                executor.shutdown(wait=False)


_POOLS: dict[bool, _Pool] = {}
"""One pool per direction (to the device: True), so that a copy in and a copy back run at once."""
_LOCK = threading.Lock()


def _pool(openmp: OpenMP, to_device: bool) -> _Pool:
    """The pool for the current settings (made on first use, remade when they change)."""
    key = (SETTINGS.chunk_bytes, max(SETTINGS.buffers, 2), max(SETTINGS.copiers, 1))
    with _LOCK:
        old = _POOLS.get(to_device)
        if old is not None and (old.key != key or old.openmp is not openmp):
            del _POOLS[to_device]
            with old.busy:
                old.release()
        if to_device not in _POOLS:
            _POOLS[to_device] = _Pool(openmp, key)
        return _POOLS[to_device]


@contextmanager
def _using(openmp: OpenMP, to_device: bool) -> Iterator[_Pool]:
    """The pool, held for one copy (a pool released meanwhile by a change of settings is not used)."""
    while True:
        pool = _pool(openmp, to_device)
        with pool.busy:
            if pool.buffers:
                yield pool
                return


def _direct(host: int, nbytes: int) -> bool:
    return nbytes < max(SETTINGS.min_bytes, 1) or nbytes <= SETTINGS.chunk_bytes or is_pinned(host, nbytes)


def copy_to_device(openmp: OpenMP, device_ptr: int, host: int, nbytes: int, device: int) -> None:
    """`nbytes` from host address `host` to `device_ptr` on `device`."""
    if _direct(host, nbytes):
        openmp.copy(device_ptr, host, nbytes, to_device=True, device=device)
        return
    with _using(openmp, True) as pool:
        assert pool.copiers is not None
        _pipeline(pool, nbytes, (pool.copiers, lambda buffer, offset, size: _memmove(buffer, host + offset, size)),
                  (pool.mover, lambda buffer, offset, size: openmp.copy(device_ptr + offset, buffer, size, True, device)))


def copy_from_device(openmp: OpenMP, host: int, device_ptr: int, nbytes: int, device: int) -> None:
    """`nbytes` from `device_ptr` on `device` to host address `host`."""
    if _direct(host, nbytes):
        openmp.copy(host, device_ptr, nbytes, to_device=False, device=device)
        return
    with _using(openmp, False) as pool:
        assert pool.copiers is not None
        _pipeline(pool, nbytes, (pool.mover, lambda buffer, offset, size: openmp.copy(buffer, device_ptr + offset, size, False, device)),
                  (pool.copiers, lambda buffer, offset, size: _memmove(host + offset, buffer, size)))


Stage = tuple[ThreadPoolExecutor, Callable[[int, int, int], object]]
"""Who runs a step, and the step: `(buffer, offset, size)` of one chunk."""


def _pipeline(pool: _Pool, nbytes: int, into: Stage, out_of: Stage) -> None:
    """Each chunk goes into a buffer (`into`), then out of it (`out_of`); chunk k + buffers waits for
    chunk k to leave the buffer they share, so `buffers` chunks are in flight at once."""
    in_use: list[Future[None] | None] = [None] * len(pool.buffers)
    with Draining(in_use):
        for k, offset in enumerate(range(0, nbytes, pool.chunk_bytes)):
            size, slot = min(pool.chunk_bytes, nbytes - offset), k % len(pool.buffers)
            buffer, previous = pool.buffers[slot], in_use[slot]
            if previous is not None:
                previous.result()
            filled = into[0].submit(into[1], buffer, offset, size)
            in_use[slot] = out_of[0].submit(after, filled, out_of[1], buffer, offset, size)


class Draining:
    """Around a pipeline: on the way out, wait for every chunk still in flight (even after an error,
    so that no thread touches the buffers or the caller's memory afterwards), then raise the first
    failure."""

    def __init__(self, in_use: list[Future[None] | None]) -> None:
        self.in_use = in_use

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        pending = [future for future in self.in_use if future is not None]
        wait(pending)
        for future in pending:
            future.result()


def after(first: Future[Any], then: Callable[..., object], *chunk: int) -> None:
    """`then(*chunk)` once `first` is done (raising its error instead, if it failed)."""
    first.result()
    then(*chunk)
