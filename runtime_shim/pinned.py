"""NumPy arrays in page-locked ("pinned") host memory, which the GPU's copy engines reach directly.

A copy between a GPU and pageable memory (what NumPy allocates) goes through the driver's own
staging buffers at a fraction of the link's speed (issue 14: 5.8 GB/s pageable against 52 GB/s
pinned on an H200). `empty_pinned` and friends give NumPy arrays whose memory comes from the
offload runtime's host allocator (`resident.HostMemory`), so the map clauses of a kernel call and
`staging` move them with no extra copy. The array's base object owns the allocation: the memory is
freed when the last array or view using it dies.

The allocator is the offload runtime of the loaded py2omp libraries, so one must be loaded first
(as for `to_device`): the device it allocates for is that runtime's default device. Where only
libraries that do not offload are loaded (`cpu`, `serial`), the arrays are ordinary NumPy memory:
with no device, there is nothing to pin for.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from . import resident
from .resident import HostMemory

_LIVE: dict[int, int] = {}
"""Start address -> bytes of every pinned allocation alive now (what `is_pinned` looks in)."""
_LOCK = threading.Lock()


def host_memory() -> HostMemory | None:
    """The allocator of the loaded offload runtime; None where only libraries that do not offload are
    loaded (nothing to pin for: plain NumPy memory serves)."""
    if resident.STATE.openmp is not None:
        return resident.STATE.openmp.host_memory
    if resident.STATE.host_libraries:
        return None
    raise RuntimeError("no offload library is loaded yet: load one (runtime_shim.load) or call a kernel first "
                       "(translator.empty_pinned(..., kernel=k) loads k's library)")


class PinnedBuffer:
    """One pinned allocation, exposed to NumPy through `__array_interface__`: the arrays made from
    it hold it as their base, so it is freed (`__del__`) when the last of them dies."""

    ptr = 0  # until allocated, so that a failed construction frees nothing

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, device: int | None = None) -> None:
        """On `device` (default: the runtime's default device when it was loaded): the CUDA plugin
        pins it in that device's context, and maps it there (a kernel may take its address)."""
        self.shape, self.dtype = shape, dtype
        self.nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        self.memory = host_memory()
        if self.memory is None:
            self.fallback: np.ndarray | None = np.empty(max(self.nbytes, 1), np.uint8)
            self.ptr = self.fallback.ctypes.data
            return
        self.fallback, self.device = None, self.memory.device if device is None else device
        self.ptr = int(self.memory.alloc(max(self.nbytes, 1), self.device) or 0)
        if not self.ptr:
            raise MemoryError(f"llvm_omp_target_alloc_host of {self.nbytes} bytes failed")
        with _LOCK:
            _LIVE[self.ptr] = self.nbytes

    @property
    def __array_interface__(self) -> dict[str, object]:
        return {"shape": self.shape, "typestr": self.dtype.str, "descr": self.dtype.descr,
                "data": (self.ptr, False), "version": 3}

    def __del__(self) -> None:
        if self.ptr and self.memory is not None:
            with _LOCK:
                _LIVE.pop(self.ptr, None)
            self.memory.free(self.ptr, self.device)
        self.ptr = 0


def is_pinned(address: int, nbytes: int) -> bool:
    """Whether host memory `[address, address + nbytes)` lies in one live pinned allocation."""
    return any(start <= address and address + nbytes <= start + size for start, size in _LIVE.items())


def pinned_bytes() -> int:
    """Bytes of pinned memory alive now (freed as their arrays die)."""
    return sum(_LIVE.values())


def empty_pinned(shape: int | Sequence[int], dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """A C-ordered NumPy array in pinned host memory, uninitialized (like `numpy.empty`)."""
    dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    if any(n < 0 for n in dims):
        raise ValueError(f"empty_pinned(): negative dimensions are not allowed: {dims}")
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise TypeError("empty_pinned(): arrays of Python objects cannot live in pinned memory")
    return np.asarray(PinnedBuffer(dims, dtype))


def zeros_pinned(shape: int | Sequence[int], dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """`numpy.zeros` in pinned host memory."""
    array = empty_pinned(shape, dtype)
    array.fill(0)
    return array


def empty_pinned_like(array: npt.ArrayLike, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """`numpy.empty_like` (C order) in pinned host memory."""
    model = np.asarray(array)
    return empty_pinned(model.shape, model.dtype if dtype is None else dtype)


def zeros_pinned_like(array: npt.ArrayLike, dtype: npt.DTypeLike | None = None) -> np.ndarray:
    """`numpy.zeros_like` (C order) in pinned host memory."""
    model = np.asarray(array)
    return zeros_pinned(model.shape, model.dtype if dtype is None else dtype)
