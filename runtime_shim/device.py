"""Arrays in device memory: py2omp's own `DeviceArray` and the GPU ecosystem's (zero-copy).

A kernel's device entry point (`<symbol>__device`, `is_device_ptr`) takes device pointers as they
are. `device_view` turns any argument that lives on the device into pointer, shape and dtype:
a `DeviceArray`, anything with `__cuda_array_interface__` (CuPy arrays, PyTorch CUDA tensors,
Numba device arrays), or a DLPack producer whose `__dlpack_device__` is not the CPU (JAX, ...), so
that it is checked like a NumPy argument and never copied.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeGuard

import numpy as np
import numpy.typing as npt

from .device_cache import DEVICE_CACHE
from .pinned import PinnedBuffer
from .resident import STATE, openmp


class DeviceArray:
    """A C-contiguous array in device memory owned by py2omp, on the device that was current when it
    was made (`use_device`). Its block comes from the cache of freed arrays' blocks, else from
    `omp_target_alloc` (`device_cache`), and goes back to the cache when it is freed; its values
    start uninitialised either way."""

    ptr = 0  # until allocated, so that a failed construction frees nothing
    _cache = DEVICE_CACHE  # reached through the class, which outlives the module's globals at exit

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.shape, self.dtype = tuple(map(int, shape)), np.dtype(dtype)
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize  # (`np.prod` took half of a small array's making)
        self._openmp = openmp()
        self.device = self._openmp.device
        self.ptr, self._block = self._cache.take(self._openmp, self.nbytes, self.device)

    def copy_from(self, array: np.ndarray, rows: slice | None = None) -> None:
        """Overwrite the device values, or only `rows` (a slice of the first axis, e.g. the halo rows
        of a domain block), with a host array of that shape and the same dtype."""
        array = np.ascontiguousarray(array)
        offset, shape = self._rows(rows, "copy_from")
        if array.shape != shape or array.dtype != self.dtype:
            raise ValueError(f"copy_from(): expected {self.dtype} array of shape {shape}, "
                             f"got {array.dtype} of shape {array.shape}")
        self._openmp.copy(self.ptr + offset, array.ctypes.data, array.nbytes, to_device=True, device=self.device)
        STATE.bytes_to_device += array.nbytes

    def to_numpy(self, out: np.ndarray | None = None, rows: slice | None = None) -> np.ndarray:
        """The device values, or only `rows` (a slice of the first axis), copied into a new (or the
        given) host array: a halo exchange moves the rows it sends, not the block."""
        offset, shape = self._rows(rows, "to_numpy")
        host = np.empty(shape, self.dtype) if out is None else out
        if host.shape != shape or host.dtype != self.dtype or not host.flags.c_contiguous:
            raise ValueError(f"to_numpy(): out must be a C-contiguous {self.dtype} array of shape {shape}")
        self._openmp.copy(host.ctypes.data, self.ptr + offset, host.nbytes, to_device=False, device=self.device)
        STATE.bytes_from_device += host.nbytes
        return host

    def _rows(self, rows: slice | None, method: str) -> tuple[int, tuple[int, ...]]:
        """Byte offset and shape of `rows` (contiguous in a C-ordered array), the whole array for None."""
        if rows is None:
            return 0, self.shape
        if not self.shape:
            raise ValueError(f"{method}(): rows= needs an array of at least one dimension")
        start, stop, step = rows.indices(self.shape[0])
        if step != 1:
            raise ValueError(f"{method}(): rows must be a slice with step 1 (contiguous rows), got {rows}")
        row_bytes = self.nbytes // self.shape[0] if self.shape[0] else 0
        return start * row_bytes, (max(stop - start, 0), *self.shape[1:])

    @property
    def __cuda_array_interface__(self) -> dict[str, object]:
        """The CUDA Array Interface (version 3), on GPU targets only: there `omp_target_alloc` is the
        CUDA plugin's `cuMemAlloc`, so CuPy, PyTorch, Numba and CUDA-aware MPI take the memory as it
        is (`cupy.asarray(d)` wraps it and keeps `d` alive). No stream: a kernel call returns when its
        target region is done. On host-offload the pointer is a host address, and the attribute is absent."""
        if not self._openmp.cuda:
            raise AttributeError("a DeviceArray exposes __cuda_array_interface__ only on a CUDA (nvptx) target")
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (self.ptr, False), "strides": None, "version": 3, "stream": None}

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def free(self) -> None:
        """Give the block back (to the cache of freed blocks, `device_cache`) now rather than when
        the last reference dies. Not while another library's view of the memory lives (one made
        through `__cuda_array_interface__`): the block may then serve the next array."""
        if self.ptr:
            pointer, self.ptr = self.ptr, 0
            self._cache.give(self._openmp, pointer, self._block, self.device)

    def __del__(self) -> None:
        self.free()

    def __repr__(self) -> str:
        return f"<DeviceArray {self.dtype} {self.shape} at {self.ptr:#x}>"


def free_all(arrays: Iterable[object]) -> None:
    """Free now the device memory of those `arrays` that are `DeviceArray`s (a traceback holding the
    call's frames would otherwise keep it until the exception is gone)."""
    for array in arrays:
        if isinstance(array, DeviceArray):
            array.free()


class HostWord(NamedTuple):
    """A status word in page-locked host memory that the device addresses (`pinned.PinnedBuffer`:
    `llvm_omp_target_alloc_host`, the CUDA plugin's `cuMemAllocHost`, mapped into the device's
    address space at the same address). The kernel writes it over the bus only when a check fails,
    and the host reads it with a load: no runtime call after the call."""

    ptr: int
    value: np.ndarray
    """A one-element int32 view of the word (its base owns the allocation)."""
    device: int


StatusWord = HostWord | DeviceArray

STATUS_WORD_KINDS = ("host", "device")


class StatusWords:
    """The run-time checks' int32 status word of device calls, kept zeroed between calls (one per
    call in flight, per device) instead of staged like a NumPy argument: staging allocated, copied
    in, copied out and freed it on every call, and `free` waits for the whole GPU (0.2-0.25 ms of a
    gemv-like kernel's call on an H100, docs/benchmarks.md). A call takes a word, and hands it back
    with its value put into the host's status array.

    Kind `host` (the default, `PY2OMP_STATUS_WORD`): words in host memory the device addresses
    (`HostWord`), read and zeroed by plain loads and stores; the copy of a device word back, one
    `omp_target_memcpy` of 4 bytes, was most of Python's share of a device call on an H100 (30-67
    us). Kind `device`: words in device memory (`DeviceArray`), copied back after every call and
    zeroed by a copy after a failure. Where the runtime cannot allocate a host word, the pool
    falls back to device words for good."""

    def __init__(self, kind: str) -> None:
        self._free: dict[tuple[bool, int], list[StatusWord]] = {}
        self.host = True
        self.use(kind)

    def use(self, kind: str) -> None:
        """Take words of `kind` from now on (each kind has its own free words: a switch between
        calls, for measurements, hands out only words of the kind chosen)."""
        if kind not in STATUS_WORD_KINDS:
            raise ValueError(f"PY2OMP_STATUS_WORD must be 'host' or 'device', got {kind!r}")
        self.host = kind == "host"

    def take(self) -> StatusWord:
        """A zeroed word on the current device (list operations are atomic: threads need no lock)."""
        device = openmp().device
        free = self._free.get((self.host, device))
        try:
            return free.pop() if free else self._zeroed(device)
        except IndexError:  # another thread took the last one
            return self._zeroed(device)

    def give_back(self, word: StatusWord, host: np.ndarray) -> int:
        """Put the word's value into `host` (the call's zeroed status array), zero it where a check
        failed; returns the bytes copied from the device (none for a host word)."""
        if type(word) is HostWord:
            failed = word.value[0]
            if failed:
                host[0] = failed
                word.value[0] = 0
            self._free.setdefault((True, word.device), []).append(word)
            return 0
        assert isinstance(word, DeviceArray)
        word._openmp.copy(host.ctypes.data, word.ptr, host.nbytes, to_device=False, device=word.device)
        if host[0]:
            self._zero(word)
        self._free.setdefault((False, word.device), []).append(word)
        return host.nbytes

    def _zeroed(self, device: int) -> StatusWord:
        if self.host:
            try:
                buffer = PinnedBuffer((1,), np.dtype(np.int32), device)
            except MemoryError:  # no host memory the device addresses: device words from now on
                self.host = False
            else:
                value = np.asarray(buffer)
                value[0] = 0
                return HostWord(buffer.ptr, value, device)
        word = DeviceArray((1,), np.dtype(np.int32))
        self._zero(word)
        return word

    @staticmethod
    def _zero(word: DeviceArray) -> None:
        zero = np.zeros(1, np.int32)
        word._openmp.copy(word.ptr, zero.ctypes.data, zero.nbytes, to_device=True, device=word.device)


STATUS_WORDS = StatusWords(os.environ.get("PY2OMP_STATUS_WORD", "host"))
"""Read once, when the runtime is imported: `host` or `device` (`StatusWords`)."""


def to_device(array: np.ndarray) -> DeviceArray:
    """Copy a host array to device memory; kernels take the result with no transfer."""
    array = np.asarray(array)
    device = DeviceArray(array.shape, array.dtype)
    device.copy_from(array)
    return device


def empty_on_device(shape: tuple[int, ...], dtype: npt.DTypeLike) -> DeviceArray:
    """Uninitialized device memory (for `Out` arrays that stay on the device)."""
    return DeviceArray(shape, np.dtype(dtype))


Allocator = Callable[[tuple[int, ...], np.dtype], object]
"""Makes one array in device memory, of this shape and dtype: what a call with device arguments
passes for an array its kernel makes, and returns if the kernel returns it."""


def result_allocator(value: object) -> Allocator:
    """How a call whose first device argument is `value` makes the arrays its kernel makes, so
    that they come back as users of that library expect, with no copy: beside a CuPy array
    `cupy.empty` on its device, beside a PyTorch tensor `torch.empty` on its device, otherwise a
    `DeviceArray`. CuPy's and PyTorch's own allocators keep freed memory in a pool, where
    `omp_target_alloc` is a `cuMemAlloc` (and its free a `cuMemFree`, which waits for the whole
    GPU) per array and call. CuPy and PyTorch are looked up in `sys.modules` only: an argument of
    theirs means they are imported, and the runtime needs neither. Only where device memory is
    CUDA's (`OpenMP.cuda`); elsewhere (host-offload, AMD) a `DeviceArray`."""
    if openmp().cuda:
        cupy = sys.modules.get("cupy")
        if cupy is not None and isinstance(value, cupy.ndarray):
            return _PoolAllocator(functools.partial(_cupy_empty, cupy, value.device),
                                  lambda: cupy.cuda.get_current_stream().synchronize())
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor):
            device = value.device
            return _PoolAllocator(functools.partial(_torch_empty, torch, device),
                                  lambda: torch.cuda.current_stream(device).synchronize())
    return DeviceArray


@dataclass(frozen=True)
class _PoolAllocator:
    """A library's `empty`; `made_ready` then waits for that library's current stream, once for all
    the arrays of a call: its pool may hand out memory that work still queued there reads or writes,
    and the kernel runs on the offload runtime's own stream, which does not wait for it."""

    empty: Allocator
    synchronize: Callable[[], object]

    def __call__(self, shape: tuple[int, ...], dtype: np.dtype) -> object:
        return self.empty(shape, dtype)


def made_ready(allocator: object) -> None:
    """After a call's arrays are made by `allocator` (`result_allocator`), before the kernel runs on
    them: one wait for the stream of the library that made them (a wait per array cost a
    synchronisation each), none for `DeviceArray`s (`omp_target_alloc` hands out no memory in use)."""
    if type(allocator) is _PoolAllocator:
        allocator.synchronize()


def _cupy_empty(cupy: Any, device: Any, shape: tuple[int, ...], dtype: np.dtype) -> object:
    with device:
        return cupy.empty(shape, dtype)


def _torch_empty(torch: Any, device: Any, shape: tuple[int, ...], dtype: np.dtype) -> object:
    """`torch.empty`; for a dtype this PyTorch lacks (unsigned ones before 2.3), a `DeviceArray`."""
    try:
        torch_dtype = torch.from_numpy(np.empty(0, dtype)).dtype
    except TypeError:
        return DeviceArray(shape, dtype)
    return torch.empty(shape, dtype=torch_dtype, device=device)


class DeviceView(NamedTuple):
    """What a kernel needs from a device argument (a tuple: a call makes one per device argument,
    and a frozen dataclass costs several times as much to make)."""

    ptr: int
    shape: tuple[int, ...]
    dtype: np.dtype
    contiguous: bool
    device: int | None


def device_view(value: object) -> DeviceView | None:
    """The device pointer, shape and dtype of `value`; None if it is not in device memory."""
    if isinstance(value, np.ndarray):  # the common case, answered first
        return None
    if isinstance(value, DeviceArray):
        return DeviceView(value.ptr, value.shape, value.dtype, True, value.device)
    cupy = sys.modules.get("cupy")
    if cupy is not None and type(value) is cupy.ndarray:
        return _cupy_view(value)
    if type(value) is HostWord:  # the status word, in the checked path's arguments
        return DeviceView(value.ptr, value.value.shape, value.value.dtype, True, value.device)
    interface = getattr(value, "__cuda_array_interface__", None)
    if not isinstance(interface, dict):
        return _dlpack_view(value)
    shape = tuple(int(n) for n in interface["shape"])
    dtype = np.dtype(interface["typestr"])
    strides = interface.get("strides")
    contiguous = strides is None or tuple(strides) == _c_strides(shape, dtype.itemsize)
    return DeviceView(int(interface["data"][0]), shape, dtype, contiguous, _device_index(value))


def _cupy_view(array: Any) -> DeviceView:
    """A `cupy.ndarray` (exactly: a subclass may describe itself otherwise) read from its own
    attributes: its `__cuda_array_interface__` builds a dict, and a strides tuple, on every read."""
    return DeviceView(array.data.ptr, array.shape, array.dtype, array.flags.c_contiguous, array.device.id)


def _c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _device_index(value: object) -> int | None:
    """The GPU a CuPy array (`.device.id`) or PyTorch tensor (`.device.index`) lives on, if it says."""
    device = getattr(value, "device", None)
    for attribute in ("index", "id"):
        index = getattr(device, attribute, None)
        if isinstance(index, int):
            return index
    return None


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    """`DLTensor` of dlpack.h (the start of the `DLManagedTensor` a `dltensor` capsule points to)."""

    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


_DL_CPU = 1
_DL_KINDS = {0: "i", 1: "u", 2: "f", 6: "b"}
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes, _capsule_pointer.restype = (ctypes.py_object, ctypes.c_char_p), ctypes.c_void_p


class _DLPackProducer(Protocol):
    """What the DLPack protocol gives: the device the data lives on (type, index) and a capsule."""

    def __dlpack__(self) -> object: ...

    def __dlpack_device__(self) -> tuple[int, int]: ...


def _is_dlpack_producer(value: object) -> TypeGuard[_DLPackProducer]:
    return hasattr(value, "__dlpack_device__") and hasattr(value, "__dlpack__")


def _dlpack_view(value: object) -> DeviceView | None:
    """A DLPack producer in device memory. The capsule is not consumed: its destructor releases the
    tensor, while `value` itself keeps the memory alive for the call."""
    if not _is_dlpack_producer(value) or int(value.__dlpack_device__()[0]) == _DL_CPU:
        return None
    capsule = value.__dlpack__()
    tensor = DLTensor.from_address(_capsule_pointer(capsule, b"dltensor"))
    kind = _DL_KINDS.get(tensor.dtype.code)
    if kind is None or tensor.dtype.lanes != 1:
        raise TypeError(f"unsupported DLPack dtype (code {tensor.dtype.code}, lanes {tensor.dtype.lanes})")
    dtype = np.dtype(np.bool_) if kind == "b" else np.dtype(f"{kind}{tensor.dtype.bits // 8}")
    shape = tuple(tensor.shape[d] for d in range(tensor.ndim))
    strides = None if not tensor.strides else tuple(tensor.strides[d] * dtype.itemsize for d in range(tensor.ndim))
    contiguous = strides is None or strides == _c_strides(shape, dtype.itemsize)
    return DeviceView((tensor.data or 0) + tensor.byte_offset, shape, dtype, contiguous, tensor.device.device_id)
