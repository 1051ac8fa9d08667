"""The cache of freed `DeviceArray` blocks, per device (issue 12, goal 3: Python's share of a call).

A `DeviceArray` (`to_device`, `empty_on_device`, the arrays a call on device arguments makes and
returns) gets its memory from `omp_target_alloc` and gives it back with `omp_target_free`; on a GPU
these are `cuMemAlloc` (6-7 us) and `cuMemFree`, which also waits for the whole device. A kernel that
returns a new array in a loop would pay both in every call, where CuPy and PyTorch take their
arrays from a pool. So a freed array's block is kept here, by device and size class, and the next
array of its device and class takes it with no runtime call. The offload libraries keep a cache of
their own for the C's temporaries (templates/pool.c.j2, `runtime_shim.pool`); this one follows its
conventions (a byte cap per device, least recently freed given back first, an emptying and one more
try when the runtime has no memory left, a release and three counters), on the Python side.

`PY2OMP_DEVICE_CACHE_BYTES` (read once, when `runtime_shim` is imported; a whole number of bytes) caps
the bytes cached per device: 1 GiB by default, the C cache's default, a small part of a GPU's memory
that still holds the arrays of a loop over NPBench-sized data; `0` turns the cache off (arrays then
get exactly their bytes, and their blocks go straight back). A program may change `DEVICE_CACHE.limit`
between calls.

Size classes: a block is allocated at its request's class, so that any block of a class serves any
request of it with one dictionary lookup: 512 bytes at least (small arrays share one class; CuPy's pool
rounds to 512 too), above that the request rounded up to one of 8 steps per doubling, which wastes
under 12.5% of a large array, where a power of two would waste up to half.

Eviction: the least recently freed blocks of the device are given back first when a freed block
would pass the cap (a block larger than the cap goes back at once). A loop's arrays are those freed
last; a block freed long ago is of a size the program no longer makes. Largest-first would give back
the blocks that cost most to make again (and whose `cuMemFree` waits longest), however hot.

Safety. A block is cached only when its array is freed: by `DeviceArray.free()` or when the last
reference dies. Calls are synchronous (a call returns when its regions are done), so no kernel still
uses it then. A consumer that wraps the memory through `__cuda_array_interface__` (CuPy, PyTorch,
Numba) holds a reference to the `DeviceArray` for as long as its view lives (a DeviceArray exports
no DLPack capsule), so its block is not cached meanwhile; an explicit `free()` under such a view was
a use after free before the cache too. Blocks are keyed by device, so devices never share one, and
a block's contents are never relied on: a new array is uninitialised, as `omp_target_alloc`'s is.
Host threads share the cache through a lock. A block freed by a finalizer (the garbage collector can
run one inside the lock, on the thread that holds it) is queued without waiting for the lock and
filed at the next operation, so a finalizer never deadlocks. Nothing is given back at exit: the
offload runtime may be torn down first; `release_device_memory()` gives everything back on demand.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from .pool import DeviceMemoryStats
from .resident import STATE, OpenMP

SETTING = "PY2OMP_DEVICE_CACHE_BYTES"
DEFAULT_LIMIT = 1 << 30
MIN_BLOCK = 512
STEPS_PER_DOUBLING_LOG2 = 3
"""8 size classes per doubling: a block is at most 12.5% larger than its request."""


def size_class(nbytes: int) -> int:
    """The bytes of the block that serves a request of `nbytes` (module docstring, "Size classes")."""
    if nbytes <= MIN_BLOCK:
        return MIN_BLOCK
    step = 1 << max((nbytes - 1).bit_length() - 1 - STEPS_PER_DOUBLING_LOG2, 0)
    return -(-nbytes // step) * step


def limit_from_environment(environ: Mapping[str, str]) -> int:
    """The cap `PY2OMP_DEVICE_CACHE_BYTES` sets, the default where unset; a value that is not a whole
    number is refused rather than read as some other cap."""
    text = environ.get(SETTING)
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{SETTING} must be a whole number of bytes (0 turns the cache off), got {text!r}")
    return int(text)


Freed = tuple[int, int, int]
"""A freed block: address, bytes (its size class) and device."""


class DeviceBlockCache:
    """Freed blocks per device and size class, up to `limit` bytes per device (module docstring)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.allocations = 0
        """`omp_target_alloc` calls made for DeviceArrays (a cached block handed out again is not one)."""
        self._lock = threading.Lock()
        self._queued: list[Freed] = []
        """Blocks freed but not filed yet (`give`); list appends and pops need no lock."""
        self._by_class: dict[tuple[int, int], list[int]] = {}
        """(device, size class) -> cached addresses, least recently freed first."""
        self._by_age: dict[int, dict[int, int]] = {}
        """device -> {address: size class} of its cached blocks, least recently freed first."""
        self._bytes: dict[int, int] = {}

    def take(self, memory: OpenMP, nbytes: int, device: int) -> tuple[int, int]:
        """Memory for `nbytes` on `device`: a cached block of its class, else a new one. Returns the
        address and the block's bytes (0 for an exact allocation made while the cache is off, which
        is given back rather than cached). Raises MemoryError when the device has no room even after
        every cached block is given back."""
        if self.limit <= 0:
            return self._allocate(memory, max(nbytes, 1), device), 0
        block = size_class(nbytes)
        with self._lock:
            evicted = self._file_queued() if self._queued else []
            cached = self._by_class.get((device, block))
            pointer = cached.pop() if cached else 0
            if pointer:
                del self._by_age[device][pointer]
                self._bytes[device] -= block
        if evicted:
            _give_back(memory, evicted)
        return pointer or self._allocate(memory, block, device), block

    def give(self, memory: OpenMP, pointer: int, block: int, device: int) -> None:
        """Take back a freed array's block: cached if it fits the cap, else given back to the device."""
        if not block or block > self.limit:
            memory.free(pointer, device)
            return
        self._queued.append((pointer, block, device))
        if self._lock.acquire(blocking=False):  # held: by this thread's interrupted call, or another's
            try:
                evicted = self._file_queued()
            finally:
                self._lock.release()
            _give_back(memory, evicted)

    def release(self, memory: OpenMP) -> None:
        """Give every cached block back to its device."""
        with self._lock:
            self._file_queued()
            evicted = [(pointer, device) for device, ages in self._by_age.items() for pointer in ages]
            self._by_class.clear()
            self._by_age.clear()
            self._bytes.clear()
        _give_back(memory, evicted)

    def stats(self) -> DeviceMemoryStats:
        """The allocations made so far and the blocks and bytes cached now, over all devices (queued
        blocks count as cached: only the cap may still give them back)."""
        with self._lock:
            queued = list(self._queued)
            blocks = sum(map(len, self._by_age.values())) + len(queued)
            cached_bytes = sum(self._bytes.values()) + sum(block for _, block, _ in queued)
            return DeviceMemoryStats(self.allocations, blocks, cached_bytes)

    def _allocate(self, memory: OpenMP, nbytes: int, device: int) -> int:
        """A new block from the runtime; when it has none, the cache is emptied and it is asked once more."""
        for attempt in range(2):
            with self._lock:
                self.allocations += 1
            pointer = int(memory.alloc(nbytes, device) or 0)
            if pointer:
                return pointer
            if attempt == 0:
                self.release(memory)
        raise MemoryError(f"omp_target_alloc of {nbytes} bytes on device {device} failed "
                          f"(after the cached device blocks were given back)")

    def _file_queued(self) -> list[tuple[int, int]]:
        """Files the queued blocks, newest last, and takes out the least recently freed blocks of
        each device beyond the cap; returns those, to be given back outside the lock. Under the lock."""
        evicted: list[tuple[int, int]] = []
        while self._queued:
            pointer, block, device = self._queued.pop(0)
            ages = self._by_age.setdefault(device, {})
            self._by_class.setdefault((device, block), []).append(pointer)
            ages[pointer] = block
            self._bytes[device] = self._bytes.get(device, 0) + block
            while self._bytes[device] > self.limit:
                oldest, oldest_block = next(iter(ages.items()))
                del ages[oldest]
                self._by_class[(device, oldest_block)].pop(0)  # its class's least recently freed too
                self._bytes[device] -= oldest_block
                evicted.append((oldest, device))
        return evicted


def _give_back(memory: OpenMP, blocks: list[tuple[int, int]]) -> None:
    for pointer, device in blocks:
        memory.free(pointer, device)


DEVICE_CACHE = DeviceBlockCache(limit_from_environment(os.environ))
"""The process's cache: every DeviceArray allocates through it."""


def release_device_memory() -> None:
    """Give every cached block of freed `DeviceArray`s back to its device, for
    memory that another library needs; arrays alive keep theirs. The offload libraries' own caches
    of temporaries are emptied by `Library.release_memory`."""
    if STATE.openmp is not None:  # else nothing was ever allocated
        DEVICE_CACHE.release(STATE.openmp)


def device_memory_stats() -> DeviceMemoryStats:
    """`omp_target_alloc` calls made for `DeviceArray`s so far, and the freed blocks and bytes
    cached now, over all devices."""
    return DEVICE_CACHE.stats()
