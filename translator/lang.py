"""The names kernels are written with: dtypes, ownership markers, `prange` and atomics.

They work twice. The translator reads them in annotations and calls, by name, from the source;
and the undecorated Python function (`kernel.py_func`) runs as plain Python with them, so each
must also mean something at run time: `f32(x)` converts like `numpy.float32(x)`, `prange` is
`range`, and `In[f32[:]]` evaluates to a small descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np


@dataclass(frozen=True)
class ArraySpec:
    """`f32[:, :]`: an array annotation's dtype and rank."""

    dtype: "DType"
    rank: int


@dataclass(frozen=True)
class DType:
    """A scalar type usable as an annotation (`a: f32`), an array annotation (`f32[:]`) and a cast."""

    name: str
    numpy_type: type

    def __getitem__(self, dims: Any) -> ArraySpec:
        rank = len(dims) if isinstance(dims, tuple) else 1
        return ArraySpec(self, rank)

    def __call__(self, value: Any) -> Any:
        return self.numpy_type(value)

    @property
    def dtype(self) -> np.dtype:
        """NumPy reads this attribute, so `np.zeros(4, f32)` works in the Python run too."""
        return np.dtype(self.numpy_type)

    def __repr__(self) -> str:
        return self.name


b1 = DType("b1", np.bool_)
"""Bool (NumPy's `?`/`b1`): `bool` itself cannot be subscripted, so arrays of bools are `b1[:]`."""
f32 = DType("f32", np.float32)
c64 = DType("c64", np.complex64)
c128 = DType("c128", np.complex128)
f64 = DType("f64", np.float64)
i8 = DType("i8", np.int8)
i16 = DType("i16", np.int16)
i32 = DType("i32", np.int32)
i64 = DType("i64", np.int64)
u8 = DType("u8", np.uint8)
u16 = DType("u16", np.uint16)
u32 = DType("u32", np.uint32)
u64 = DType("u64", np.uint64)


@dataclass(frozen=True)
class Owned:
    """`InOut[f64[:]]`: an array annotation with its ownership."""

    ownership: str
    spec: ArraySpec


@dataclass(frozen=True)
class OwnershipMarker:
    """`In`, `Out`, `InOut`, `Scratch`: subscripted with an array type in annotations."""

    ownership: str

    def __getitem__(self, spec: ArraySpec) -> Owned:
        return Owned(self.ownership, spec)


In = OwnershipMarker("in")
Out = OwnershipMarker("out")
InOut = OwnershipMarker("inout")
Scratch = OwnershipMarker("scratch")


def prange(*args: int, num_teams: int | None = None, thread_limit: int | None = None,
           schedule: str | None = None) -> range:
    """A parallel `range`: iterations may run in any order, on any thread of the device.

    The keywords only tune the OpenMP launch (docs/language.md); in Python they change nothing.
    """
    return range(*args)


Index = Union[int, tuple[int, ...]]


def device_functions() -> None:
    """Mark the module that calls this at its top level: kernels of other modules may call its plain
    functions (`from helpers import pair_strength`), which become device functions there.

    py2omp reads the call in the source; in Python it does nothing.
    """


def atomic_add(a: np.ndarray, index: Index, value: Any) -> None:
    """`a[index] += value`, as one indivisible update when compiled (`#pragma omp atomic update`)."""
    a[index] += value


def atomic_sub(a: np.ndarray, index: Index, value: Any) -> None:
    """`a[index] -= value`, atomically when compiled."""
    a[index] -= value


def atomic_min(a: np.ndarray, index: Index, value: Any) -> None:
    """`a[index] = min(a[index], value)`, atomically when compiled (`#pragma omp atomic compare`)."""
    a[index] = min(a[index], value)


def atomic_max(a: np.ndarray, index: Index, value: Any) -> None:
    """`a[index] = max(a[index], value)`, atomically when compiled."""
    a[index] = max(a[index], value)
