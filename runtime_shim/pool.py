"""The cache of freed device blocks an offload library keeps for its next calls (templates/pool.c.j2).

A library whose kernels allocate device memory in every call (temporary arrays inside a `prange`, the
buffer of an in-place matrix product) takes it from a cache of the blocks its earlier calls
freed, up to `PY2OMP_POOL_BYTES` (1 GiB) per device, and exports two functions, named here once: the
translator renders these names into the C, and `Library.release_memory` / `Library.memory_stats`
call them. A library that allocates nothing per call has neither.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import NamedTuple

RELEASE = "py2omp_release_device_memory"
"""`void (void)`: give every cached block back to its device."""

STATS = "py2omp_device_memory_stats"
"""`void (int64_t stats[3])`: omp_target_alloc calls made, blocks and bytes cached now."""


class DeviceMemoryStats(NamedTuple):
    """What a library's cache of device blocks reports (all zero for a library without one)."""

    allocations: int
    """omp_target_alloc calls the library has made (a cached block handed out again is not one)."""
    cached_blocks: int
    cached_bytes: int


class Pool:
    """A loaded library's two functions, or none where the library has no cache."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.release: Callable[[], None] | None = None
        self.stats: Callable[[ctypes.Array[ctypes.c_int64]], None] | None = None
        try:
            # Indexing gives function objects of our own (ctypes caches attributes), as for the kernels.
            release, stats = cdll[RELEASE], cdll[STATS]
        except AttributeError:  # the library allocates no device memory per call
            return
        release.argtypes, release.restype = [], None
        stats.argtypes, stats.restype = [ctypes.POINTER(ctypes.c_int64)], None
        self.release, self.stats = release, stats

    def read(self) -> DeviceMemoryStats:
        """The counters now."""
        if self.stats is None:
            return DeviceMemoryStats(0, 0, 0)
        values = (ctypes.c_int64 * 3)()
        self.stats(values)
        return DeviceMemoryStats(*values)

    def empty(self) -> None:
        """Give the cached blocks back (blocks in use by a running call stay with it)."""
        if self.release is not None:
            self.release()
