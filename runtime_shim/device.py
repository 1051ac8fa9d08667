"""Arrays in device memory: py2omp's own `DeviceArray` and the GPU ecosystem's (zero-copy).

A kernel's device entry point (`<symbol>__device`, `is_device_ptr`) takes device pointers as they
are. `device_view` turns any argument that lives on the device into pointer, shape and dtype:
a `DeviceArray`, or anything with `__cuda_array_interface__` (CuPy arrays, PyTorch CUDA tensors,
Numba device arrays), so that it is checked like a NumPy argument and never copied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .resident import STATE, openmp


class DeviceArray:
    """A C-contiguous array in device memory owned by py2omp (`omp_target_alloc`)."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.shape, self.dtype = tuple(int(n) for n in shape), np.dtype(dtype)
        self.nbytes = int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize
        self._openmp = openmp()
        self.ptr = int(self._openmp.alloc(max(self.nbytes, 1), self._openmp.device) or 0)
        if not self.ptr:
            raise MemoryError(f"omp_target_alloc of {self.nbytes} bytes failed")

    def copy_from(self, array: np.ndarray) -> None:
        """Overwrite the device values with a host array of the same shape and dtype."""
        array = np.ascontiguousarray(array)
        if array.shape != self.shape or array.dtype != self.dtype:
            raise ValueError(f"copy_from(): expected {self.dtype} array of shape {self.shape}, "
                             f"got {array.dtype} of shape {array.shape}")
        self._openmp.copy(self.ptr, array.ctypes.data, self.nbytes, to_device=True)
        STATE.bytes_to_device += self.nbytes

    def to_numpy(self, out: np.ndarray | None = None) -> np.ndarray:
        """The device values, copied into a new (or the given) host array."""
        host = np.empty(self.shape, self.dtype) if out is None else out
        if host.shape != self.shape or host.dtype != self.dtype or not host.flags.c_contiguous:
            raise ValueError(f"to_numpy(): out must be a C-contiguous {self.dtype} array of shape {self.shape}")
        self._openmp.copy(host.ctypes.data, self.ptr, self.nbytes, to_device=False)
        STATE.bytes_from_device += self.nbytes
        return host

    def free(self) -> None:
        if self.ptr:
            self._openmp.free(self.ptr, self._openmp.device)
            self.ptr = 0

    def __del__(self) -> None:
        self.free()

    def __repr__(self) -> str:
        return f"<DeviceArray {self.dtype} {self.shape} at {self.ptr:#x}>"


def to_device(array: np.ndarray) -> DeviceArray:
    """Copy a host array to device memory; kernels take the result with no transfer."""
    array = np.asarray(array)
    device = DeviceArray(array.shape, array.dtype)
    device.copy_from(array)
    return device


def empty_on_device(shape: tuple[int, ...], dtype: object) -> DeviceArray:
    """Uninitialized device memory (for `Out` arrays that stay on the device)."""
    return DeviceArray(shape, np.dtype(dtype))


@dataclass(frozen=True)
class DeviceView:
    """What a kernel needs from a device argument."""

    ptr: int
    shape: tuple[int, ...]
    dtype: np.dtype
    contiguous: bool
    device: int | None


def device_view(value: object) -> DeviceView | None:
    """The device pointer, shape and dtype of `value`; None if it is not in device memory."""
    if isinstance(value, DeviceArray):
        return DeviceView(value.ptr, value.shape, value.dtype, True, None)
    interface = getattr(value, "__cuda_array_interface__", None)
    if not isinstance(interface, dict):
        return None
    shape = tuple(int(n) for n in interface["shape"])
    dtype = np.dtype(interface["typestr"])
    strides = interface.get("strides")
    contiguous = strides is None or tuple(strides) == _c_strides(shape, dtype.itemsize)
    return DeviceView(int(interface["data"][0]), shape, dtype, contiguous, _device_index(value))


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
