"""Types from the call: what a kernel's unannotated parameters are, read from one call's arguments.

As `numba.njit` does, a kernel whose parameters lack annotations is compiled once per combination of
argument types: an array gives its dtype and rank (it must be C-contiguous, as for annotated arrays), a
Python `bool`/`int`/`float`/`complex` the weak scalar kind of the language (`bool`, `int`, `float`,
`complex`: NumPy 2 promotion treats it as Python does), a NumPy scalar or a 0-d array its dtype.

A call is dispatched on its `call_key`, which is cheap to compute (a type, or an array's dtype and rank)
and decide the types exactly, so a dictionary lookup finds the specialization of a call seen before.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from runtime_shim.binding import not_contiguous
from runtime_shim.fastpath import FAST_SCALARS
from runtime_shim.device import device_view
from translator.ir import nodes as ir
from translator.ir.types import (
    BOOL, MAX_RANK, PY_COMPLEX, PY_FLOAT, PY_INT, SCALARS, ArrayType, ScalarType, type_text,
)

if TYPE_CHECKING:
    from translator.frontend.signature import ParamType

_DTYPES: dict[np.dtype[Any], ScalarType] = {np.dtype(t.numpy_name): t for t in SCALARS.values()}
"""The NumPy dtypes kernels take (native byte order), with their IR types."""

_PYTHON_SCALARS: dict[type, ScalarType] = {bool: BOOL, int: PY_INT, float: PY_FLOAT, complex: PY_COMPLEX}

_SCALAR_TYPES = frozenset({*_PYTHON_SCALARS, *(dtype.type for dtype in _DTYPES)})
"""Scalar classes whose class alone decides the argument's type: the class is the dispatch key."""

_TAKES = "a NumPy array, a NumPy scalar, or a Python bool, int, float or complex"


def untyped_parameters(func: Callable[..., Any]) -> tuple[bool, ...]:
    """For each parameter of `func`, in order, whether it has no annotation (takes its type from calls)."""
    return tuple(p.annotation is inspect.Parameter.empty for p in inspect.signature(func).parameters.values())


def call_key(args: Sequence[object]) -> tuple[object, ...]:
    """What decides the arguments' types, cheaply: each array's dtype and rank, each scalar's class.
    Calls with equal keys have equal types, or arguments that fail the same checks. (One comprehension
    with the common cases inline: this runs on every call of a generic kernel.)"""
    return tuple([(a.dtype, a.ndim) if type(a) is np.ndarray
                  else type(a) if type(a) in _SCALAR_TYPES else _uncommon_key(a) for a in args])


_FAST_CLASSES = frozenset(FAST_SCALARS.values())
"""The scalar classes that the runtime's fast path takes (`runtime_shim.fastpath`): `bool`, `int`, `float`."""


def fast_guard(untyped: Sequence[bool], key: tuple[object, ...]) -> bool:
    """Whether the fast path of the specialization for `key` accepts only arguments of that key, so a
    call it accepts needs no key. Its checks are exact for arrays (the class, the dtype instance, the
    rank) and take one Python class per scalar kind: a parameter typed by a NumPy scalar or a 0-d
    array (`np.float64(x)` gives `f64`, where a Python `float` would give the weak `float`) makes the
    answer no."""
    return all(not free or (part[1] > 0 if type(part) is tuple else part in _FAST_CLASSES)
               for free, part in zip(untyped, key))


def _uncommon_key(value: object) -> object:
    """`call_key` of an array subclass (np.memmap, ...), a device array, or anything else (by class)."""
    if isinstance(value, np.ndarray):
        return value.dtype, value.ndim
    view = device_view(value)
    return type(value) if view is None else (view.dtype, len(view.shape))


def argument_types(kernel: str, names: Sequence[str], untyped: Sequence[bool],
                   values: Sequence[object]) -> tuple[ParamType | None, ...]:
    """The type each unannotated parameter takes from its argument (None for annotated ones, whose
    annotation decides); TypeError or ValueError naming the parameter for an argument of no type."""
    return tuple(_argument_type(kernel, name, value) if free else None
                 for name, free, value in zip(names, untyped, values))


def _argument_type(kernel: str, name: str, value: object) -> ParamType:
    prefix = f"{kernel}(): argument '{name}'"
    scalar = _PYTHON_SCALARS.get(type(value))
    if scalar is not None:
        return scalar
    if isinstance(value, (np.ndarray, np.generic)):
        if isinstance(value, np.ndarray) and value.ndim and not value.flags.c_contiguous:
            raise not_contiguous(kernel, name)
        return _array_type(prefix, value.dtype, value.ndim)
    view = device_view(value)
    if view is not None:
        return _array_type(prefix, view.dtype, len(view.shape))
    for python_type, typ in _PYTHON_SCALARS.items():  # subclasses: IntEnum, ...
        if isinstance(value, python_type):
            return typ
    what = "None" if value is None else f"a {type(value).__name__}"
    raise TypeError(f"{prefix} is {what}; a parameter without annotation takes {_TAKES}")


def _array_type(prefix: str, dtype: np.dtype[Any], rank: int) -> ParamType:
    """An array argument's type (a scalar's, for rank 0), if kernels take its dtype and rank."""
    element = _DTYPES.get(dtype)
    if element is None:
        known = ", ".join(t.numpy_name for t in _DTYPES.values())
        raise TypeError(f"{prefix} has dtype {dtype}, which kernels do not take; use one of {known}")
    if rank > MAX_RANK:
        raise ValueError(f"{prefix} has {rank} dimensions; kernels take at most {MAX_RANK}")
    return ArrayType(element, rank) if rank else element


def specialization_symbol(kernel: str, types: Sequence[ParamType | None]) -> str:
    """The C symbol of the specialization for `types`: the kernel's name and a suffix naming the types
    the call gave (`floyd_warshall__f32_2d`, `scale__f64_1d_float`), unique among its specializations."""
    parts = [f"{t.dtype.name}_{t.rank}d" if isinstance(t, ArrayType) else type_text(t) for t in types if t is not None]
    return f"{kernel}__{'_'.join(parts)}"


def signature_text(params: Sequence[ir.Param]) -> str:
    """A kernel's signature as `kernel.signatures` lists it: `(f64[:, :], int)`, its user's parameters
    (not the arrays it makes), which `py2omp --signature` takes back."""
    return f"({', '.join(type_text(ir.known_type(p.type)) for p in params if p.allocation is None)})"
