"""Copies between NumPy's pageable memory and the device through pinned buffers, double-buffered.

A GPU copies pageable memory through its driver's small staging buffers, one after the other, at
a fraction of the link's speed; from pinned memory it copies at the link's speed (issue 14: 5.8
against 52 GB/s host to device on an H200). `copy_to_device` and `copy_from_device` cut a large
copy into chunks and keep a pool of pinned buffers (`resident.HostMemory`) busy: while the copy
engine moves chunk k-1 out of one buffer, host threads copy chunk k into the next (`memmove`,
which releases the GIL), so the transfer runs at the rate of the slower of the two. Device to host
is the mirror image. A copy below `SETTINGS.min_bytes`, or of memory already pinned
(`pinned.is_pinned`) or kept registered with the CUDA driver (`kept`), is one `omp_target_memcpy`;
with `register` (`SETTINGS.register` "1"), a large one is too, from memory the CUDA driver registers
for it alone (`registration`), where it can.
`copy_boxes_from_device` brings back only the boxes a partly written `Out` array's C copies back,
writing no other element on the host: a box's range crosses the buffers in slabs (`_slabs`), out of
which the copier threads take just the box's elements.

This lives in the runtime (ctypes into the offload runtime), not in the emitted C: a kernel call
that stages takes the kernel's device entry point (`CompiledKernel._call_on_device`) with device
memory this module fills and empties, so the C and the golden files are unchanged. Each chunk's
copy is exact (whole elements, the same bytes), so results and `kernel.stats` are as with the maps.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import kept, registration
from .movement import Box, box_runs, byte_strides, clipped_boxes
from .pinned import is_pinned
from .resident import OpenMP

_memmove: Callable[[int, int, int], object] = ctypes.memmove  # a C function: the GIL is released


_COPIERS = min(8, max(1, (os.cpu_count() or 2) // 2))
"""Host copier threads: one H100 machine (16 cores) moved 256 MiB through the pool at 8.6 GB/s with
one copier, 14 with two, 16-25 with four and 25-28 with eight (16 MiB chunks; bench/copy_rate.py,
bench/results/h100-2026-12-05-copy-rate.json): one thread's memcpy from pageable memory is the limit."""


KEEP = "keep"


def _physical_bytes() -> int:
    """The machine's physical memory (16 GiB where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 16 << 30


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

    register: str = os.environ.get("PY2OMP_REGISTER") or KEEP
    """How large NumPy arrays meet the CUDA driver on CUDA targets: `"keep"` (the default) registers
    an array's owner the second time a call moves it and keeps it registered while it lives
    (`kept`); `"1"` registers each large copy's memory around that copy alone (`registration`,
    measured slower than staging: bench/register_rate.py); `"0"` never registers."""
    register_kinds: frozenset[str] = frozenset({"nvptx"})
    """The target kinds registration is for: CUDA's (the tests add host-offload, with a stand-in driver)."""
    keep_min_bytes: int = int(os.environ.get("PY2OMP_REGISTER_MIN_BYTES", 32 << 20))
    """An array is kept registered only if a call moves at least this many bytes of it (one way)."""
    keep_bytes: int = int(os.environ.get("PY2OMP_REGISTER_BYTES", 0) or _physical_bytes() // 4)
    """The cap on bytes kept registered (a quarter of physical memory): beyond it the least recently
    used owners are unregistered."""

    def __post_init__(self) -> None:
        if self.register not in (KEEP, "1", "0"):
            raise ValueError(f"PY2OMP_REGISTER is {self.register!r}: use 'keep' (the default), '1' or '0'")

    def stages(self, target: str) -> bool:
        """Whether calls of a library built for `target` ("nvptx:sm_90", ...) may stage."""
        return self.enabled and target.split(":")[0] in self.kinds

    def registers(self, target: str) -> bool:
        """Whether staged calls of a library built for `target` register their large NumPy arrays."""
        return self.register == "1" and self._for_cuda(target)

    def keeps(self, target: str) -> bool:
        """Whether calls of a library built for `target` keep their large NumPy arrays registered (`kept`)."""
        return self.register == KEEP and self._for_cuda(target)

    def _for_cuda(self, target: str) -> bool:
        return self.stages(target) and target.split(":")[0] in self.register_kinds


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


def _plain(host: int, nbytes: int) -> bool:
    """Whether a copy is one `omp_target_memcpy` by its size, or because the memory is pinned."""
    return nbytes < max(SETTINGS.min_bytes, 1) or nbytes <= SETTINGS.chunk_bytes or is_pinned(host, nbytes)


def read_directly(host: int, nbytes: int) -> bool:
    """Whether the copy engines read host memory `[host, host + nbytes)` directly: pinned, or kept
    registered with the driver (`kept`)."""
    return is_pinned(host, nbytes) or kept.REGISTRY.covers(host, nbytes)


def _direct(host: int, nbytes: int) -> bool:
    """Whether a copy is one `omp_target_memcpy`: by its size (`_plain`), or memory read directly."""
    return _plain(host, nbytes) or read_directly(host, nbytes)


def copy_to_device(openmp: OpenMP, device_ptr: int, host: int, nbytes: int, device: int, register: bool = False) -> None:
    """`nbytes` from host address `host` to `device_ptr` on `device`; with `register`, a large copy
    from memory the driver registers for it (`registration`), and staged only where it cannot."""
    if _direct(host, nbytes):
        openmp.copy(device_ptr, host, nbytes, to_device=True, device=device)
        return
    if register and _registered_copy(openmp, device_ptr, host, nbytes, True, device):
        return
    with _using(openmp, True) as pool:
        assert pool.copiers is not None
        _pipeline(pool, nbytes, (pool.copiers, lambda buffer, offset, size: _memmove(buffer, host + offset, size)),
                  (pool.mover, lambda buffer, offset, size: openmp.copy(device_ptr + offset, buffer, size, True, device)))


def copy_from_device(openmp: OpenMP, host: int, device_ptr: int, nbytes: int, device: int, register: bool = False) -> None:
    """`nbytes` from `device_ptr` on `device` to host address `host` (`register`: as `copy_to_device`)."""
    if _direct(host, nbytes):
        openmp.copy(host, device_ptr, nbytes, to_device=False, device=device)
        return
    if register and _registered_copy(openmp, host, device_ptr, nbytes, False, device):
        return
    with _using(openmp, False) as pool:
        assert pool.copiers is not None
        _pipeline(pool, nbytes, (pool.mover, lambda buffer, offset, size: openmp.copy(buffer, device_ptr + offset, size, False, device)),
                  (pool.copiers, lambda buffer, offset, size: _memmove(host + offset, buffer, size)))


def _registered_copy(openmp: OpenMP, dst: int, src: int, nbytes: int, to_device: bool, device: int) -> bool:
    """The copy, from or to host memory registered with the driver for it; False, having copied
    nothing, where the memory cannot be registered."""
    with registration.registered(src if to_device else dst, nbytes, device) as done:
        if done:
            openmp.copy(dst, src, nbytes, to_device, device)
    return done


def copy_boxes_from_device(openmp: OpenMP, host: np.ndarray, device_ptr: int, boxes: Sequence[Box], device: int,
                           register: bool = False) -> None:
    """The elements in `boxes` of the C-ordered array `host`, from the device array of its shape at
    `device_ptr`; no other element of `host` is written. Each box moves as the C's copy-back moves
    it (`movement.box_runs`): its contiguous runs one by one where the gaps between them hold more
    than the box, else its whole range through a buffer (the pool's, in slabs of at most a chunk,
    or one of its own for a small box) whose runs are then copied into `host`. `register`: runs
    copied straight go as in `copy_from_device`."""
    strides = byte_strides(host.shape, host.itemsize)
    for box in clipped_boxes(boxes, host.shape):
        ranges = box_runs(box, host.shape, strides)
        if len(ranges) > 1 or ranges[0][1] == host.itemsize * int(np.prod([hi - lo for lo, hi in box])):
            for offset, length in ranges:  # no gaps: straight into the array
                copy_from_device(openmp, host.ctypes.data + offset, device_ptr + offset, length, device, register)
        elif _plain(host.ctypes.data, ranges[0][1]):
            _box_through_buffer(openmp, host, device_ptr, box, device)
        else:
            _box_through_pool(openmp, host, device_ptr, box, device)


def _box_through_buffer(openmp: OpenMP, host: np.ndarray, device_ptr: int, box: Box, device: int) -> None:
    """A small box: its range into a buffer of its own in one copy, then its elements into `host`."""
    strides = byte_strides(host.shape, host.itemsize)
    size = _span(box, strides, host.itemsize)
    buffer = np.empty(size, np.uint8)
    openmp.copy(buffer.ctypes.data, device_ptr + _first(box, strides), size, False, device)
    _unpack(host, box, buffer.ctypes.data, size)


def _box_through_pool(openmp: OpenMP, host: np.ndarray, device_ptr: int, box: Box, device: int) -> None:
    """A large box through the pinned buffers, one slab (`_slabs`) per buffer: the mover copies a
    slab's range in, a copier its elements out into `host`."""
    strides = byte_strides(host.shape, host.itemsize)
    with _using(openmp, False) as pool:
        assert pool.copiers is not None
        slabs = {_first(slab, strides): slab for slab in _slabs(box, strides, host.itemsize, pool.chunk_bytes)}
        spans = [(first, _span(slab, strides, host.itemsize)) for first, slab in slabs.items()]
        _pipeline(pool, sum(size for _, size in spans),
                  (pool.mover, lambda buffer, offset, size: openmp.copy(buffer, device_ptr + offset, size, False, device)),
                  (pool.copiers, lambda buffer, offset, size: _unpack(host, slabs[offset], buffer, size)), spans)


def _unpack(host: np.ndarray, box: Box, buffer: int, size: int) -> None:
    """The elements of `box` from `buffer`, which holds the array's bytes from the box's first
    element to its last (NumPy's strided copy, which releases the GIL)."""
    memory = memoryview((ctypes.c_char * size).from_address(buffer))
    view = np.ndarray(tuple(hi - lo for lo, hi in box), host.dtype, memory, strides=host.strides)
    host[tuple(slice(lo, hi) for lo, hi in box)] = view


def _first(box: Box, strides: Sequence[int]) -> int:
    return sum(lo * stride for (lo, _), stride in zip(box, strides))


def _span(box: Box, strides: Sequence[int], itemsize: int) -> int:
    """Bytes from the box's first element to the end of its last."""
    return sum((hi - 1 - lo) * stride for (lo, hi), stride in zip(box, strides)) + itemsize


def _slabs(box: Box, strides: Sequence[int], itemsize: int, limit: int, dim: int = 0) -> Iterator[Box]:
    """`box` cut along its leading dimensions into boxes, in memory order, whose spans are at most
    `limit` bytes: slices of `dim` where one index of it spans no more, else each index of `dim`
    cut along the next dimension."""
    lo, hi = box[dim]
    one = _span([*box[:dim], (lo, lo + 1), *box[dim + 1:]], strides, itemsize)
    if one > limit and dim + 1 < len(box):
        for i in range(lo, hi):
            yield from _slabs([*box[:dim], (i, i + 1), *box[dim + 1:]], strides, itemsize, limit, dim + 1)
        return
    step = max(1, (limit - one) // strides[dim] + 1)
    for start in range(lo, hi, step):
        yield [*box[:dim], (start, min(start + step, hi)), *box[dim + 1:]]


Stage = tuple[ThreadPoolExecutor, Callable[[int, int, int], object]]
"""Who runs a step, and the step: `(buffer, offset, size)` of one chunk."""


def _pipeline(pool: _Pool, nbytes: int, into: Stage, out_of: Stage,
              pieces: Sequence[tuple[int, int]] | None = None) -> None:
    """Each chunk goes into a buffer (`into`), then out of it (`out_of`); chunk k + buffers waits for
    chunk k to leave the buffer they share, so `buffers` chunks are in flight at once. The chunks
    cut `nbytes` evenly, or are the `pieces` `(offset, size)` given (`nbytes` in all, none larger
    than a buffer)."""
    in_use: list[Future[None] | None] = [None] * len(pool.buffers)
    chunks = pieces if pieces is not None else \
        [(offset, min(pool.chunk_bytes, nbytes - offset)) for offset in range(0, nbytes, pool.chunk_bytes)]
    with Draining(in_use):
        for k, (offset, size) in enumerate(chunks):
            slot = k % len(pool.buffers)
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
