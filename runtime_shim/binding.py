"""How Python arguments become a C call, prepared once per kernel from its `KernelSpec`.

A wrong argument reaching C is not an exception but a wrong answer or a crash on the device, so every
argument is checked against the manifest before the call: the exact dtype, the rank, C order,
writability of what the kernel writes, and that no written array shares memory with another argument
(the C side declares its pointers `restrict`). The checks are decided when the kernel is loaded; each
call only runs one small closure per parameter, which turns the value into ctypes arguments.
"""

from __future__ import annotations

import ctypes
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, SupportsComplex, cast
from dataclasses import dataclass

import numpy as np

from .device import device_view
from .manifest import KernelSpec, ParamSpec
from .resident import openmp


class Complex64(ctypes.Structure):
    """C99 `float _Complex` by value: the x86-64 and AArch64 C ABIs pass and return a complex number
    as they do a struct of its two parts, which ctypes can (it has no complex type)."""

    _fields_ = [("real", ctypes.c_float), ("imag", ctypes.c_float)]


class Complex128(ctypes.Structure):
    """C99 `double _Complex` by value (as `Complex64`)."""

    _fields_ = [("real", ctypes.c_double), ("imag", ctypes.c_double)]


CTYPES: Mapping[str, type] = {
    "bool": ctypes.c_bool,
    "int8": ctypes.c_int8,
    "int16": ctypes.c_int16,
    "int32": ctypes.c_int32,
    "int64": ctypes.c_int64,
    "uint8": ctypes.c_uint8,
    "uint16": ctypes.c_uint16,
    "uint32": ctypes.c_uint32,
    "uint64": ctypes.c_uint64,
    "float32": ctypes.c_float,
    "float64": ctypes.c_double,
    "complex64": Complex64,
    "complex128": Complex128,
}
"""The C type of each manifest dtype, as the backend emits it (`bool` is C11 `_Bool`)."""

_ROLES = {"out": "Out", "inout": "InOut", "scratch": "Scratch"}
"""Ownership as the Python annotations spell it, for messages about written arrays."""

_ACCEPTED_KINDS = {"b": "b", "i": "biu", "u": "biu", "f": "biuf", "c": "biufc"}
"""Value kinds each parameter kind accepts, as NumPy would: bool widens to int, int to float, never back."""

Span = tuple[str, int, int, str | None]
"""An array argument's memory: name, first byte, one past the last byte, role if the kernel writes it."""

Converter = Callable[[object, list[object], list[Span]], None]
"""Checks one argument, appends its C arguments to the list, and its memory span if it is an array."""

_MISSING = object()
"""Marks a parameter that no argument has filled yet while binding by name."""


@dataclass(frozen=True)
class Binding:
    """Everything a kernel call needs that does not depend on the arguments."""

    kernel: str
    names: tuple[str, ...]
    defaults: Mapping[str, object]
    argtypes: tuple[type, ...]
    restype: type | None
    result: Callable[[object], object] | None
    converters: tuple[Converter, ...]
    check_aliasing: bool

    def bind(self, args: tuple[object, ...], kwargs: Mapping[str, object]) -> list[object]:
        """Match arguments to parameters by position and name, with Python's rules and messages."""
        return bind_arguments(self.kernel, self.names, args, kwargs, self.defaults)

    def convert(self, values: Sequence[object]) -> list[object]:
        """Check every argument and return the C arguments in order (pointers as integers)."""
        c_args: list[object] = []
        spans: list[Span] = []
        for convert, value in zip(self.converters, values):
            convert(value, c_args, spans)
        if self.check_aliasing and len(spans) > 1:
            _check_aliasing(self.kernel, spans)
        return c_args


def bind_arguments(kernel: str, names: Sequence[str], args: Sequence[object],
                   kwargs: Mapping[str, object], defaults: Mapping[str, object] | None = None) -> list[object]:
    """The values of parameters `names` from a call's arguments, by position and name, then the
    `defaults` of those left, with Python's rules and messages (`kernel` is the function's name in them)."""
    count = len(names)
    if len(args) > count:
        raise TypeError(
            f"{kernel}() takes {count} positional argument{'' if count == 1 else 's'} "
            f"but {len(args)} {'was' if len(args) == 1 else 'were'} given"
        )
    values = [*args, *([_MISSING] * (count - len(args)))]
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{kernel}() got an unexpected keyword argument '{key}'")
        index = names.index(key)
        if values[index] is not _MISSING:
            raise TypeError(f"{kernel}() got multiple values for argument '{key}'")
        values[index] = value
    values = [defaults[n] if v is _MISSING and defaults and n in defaults else v for n, v in zip(names, values)]
    missing = [f"'{name}'" for name, value in zip(names, values) if value is _MISSING]
    if missing:
        plural = "argument" if len(missing) == 1 else "arguments"
        raise TypeError(f"{kernel}() missing {len(missing)} required positional {plural}: {_enumerate(missing)}")
    return values


def not_contiguous(kernel: str, name: str) -> ValueError:
    """The error for an array argument that is not C-contiguous (kernels index arrays row-major)."""
    return ValueError(f"{kernel}(): argument '{name}' is not C-contiguous; pass numpy.ascontiguousarray({name})")


def prepare(spec: KernelSpec, device: bool = False) -> Binding:
    """Build the argument types and the per-parameter converters of one kernel; `device`: of its
    device entry point, whose arrays are device pointers (`runtime_shim.device`)."""
    argtypes: list[type] = []
    for param in spec.params:
        if param.is_array:
            argtypes += [ctypes.c_void_p] + [ctypes.c_int64] * param.rank
        else:
            argtypes.append(CTYPES[param.dtype])
    arrays = [p for p in spec.params if p.is_array]
    return Binding(
        kernel=spec.name,
        names=tuple(p.name for p in spec.params if not p.hidden),
        defaults={p.name: p.default for p in spec.params if p.default is not None},
        argtypes=tuple(argtypes),
        restype=None if spec.returns is None else CTYPES[spec.returns],
        result=None if spec.returns is None else _result_converter(spec.returns),
        converters=tuple(
            (_device_converter if device else _array_converter)(spec.name, p) if p.is_array
            else _scalar_converter(spec.name, p)
            for p in spec.params
        ),
        check_aliasing=any(p.writes for p in arrays) and len(arrays) > 1,
    )


def _array_converter(kernel: str, param: ParamSpec) -> Converter:
    """The checks for one array parameter, in the order that gives the most useful first message."""
    name, rank, dtype = param.name, param.rank, np.dtype(param.dtype)
    role = _ROLES.get(param.ownership or "")
    prefix = f"{kernel}(): argument '{name}'"
    expected = f"{_article(param.dtype)} {param.dtype} array of rank {rank}"

    def convert(value: object, c_args: list[object], spans: list[Span]) -> None:
        if not isinstance(value, np.ndarray):
            if value is None:
                raise TypeError(f"{prefix} is None; expected {expected}")
            raise TypeError(
                f"{prefix} must be a numpy.ndarray of {dtype} with rank {rank}, got {_describe(value)}"
            )
        if value.dtype != dtype:
            raise TypeError(f"{prefix} has dtype {value.dtype}; expected {dtype}")
        if value.ndim != rank:
            raise ValueError(f"{prefix} has {value.ndim} dimensions; expected {rank}")
        flags = value.flags
        if not flags.c_contiguous:
            raise not_contiguous(kernel, name)
        if role is not None and not flags.writeable:
            raise ValueError(f"{prefix} is read-only but declared {role}")
        address = value.ctypes.data
        if value.nbytes:
            spans.append((name, address, address + value.nbytes, role))
        c_args.append(address)
        c_args.extend(value.shape)

    return convert


def _device_converter(kernel: str, param: ParamSpec) -> Converter:
    """The checks of `_array_converter` for an array in device memory, which is never copied."""
    name, rank, dtype = param.name, param.rank, np.dtype(param.dtype)
    role = _ROLES.get(param.ownership or "")
    prefix = f"{kernel}(): argument '{name}'"

    def convert(value: object, c_args: list[object], spans: list[Span]) -> None:
        view = device_view(value)
        if view is None:
            raise TypeError(f"{prefix} must be a device array (DeviceArray, __cuda_array_interface__) "
                            f"of {dtype} with rank {rank}, got {_describe(value)}")
        if view.dtype != dtype:
            raise TypeError(f"{prefix} has dtype {view.dtype}; expected {dtype}")
        if len(view.shape) != rank:
            raise ValueError(f"{prefix} has {len(view.shape)} dimensions; expected {rank}")
        if not view.contiguous:
            raise ValueError(f"{prefix} is not C-contiguous")
        if view.device is not None and view.device != openmp().device:
            raise ValueError(f"{prefix} is on device {view.device}; kernels run on device {openmp().device}")
        nbytes = math.prod(view.shape) * dtype.itemsize
        if nbytes:
            spans.append((name, view.ptr, view.ptr + nbytes, role))
        c_args.append(view.ptr)
        c_args.extend(view.shape)

    return convert


def _complex_struct(structure: type, value: object) -> object:
    z = complex(cast(SupportsComplex, value))
    return structure(z.real, z.imag)


def _result_converter(dtype: str) -> Callable[[object], object]:
    """The C return value as a NumPy scalar of the declared dtype (a complex one from its struct)."""
    scalar = np.dtype(dtype).type
    if np.dtype(dtype).kind == "c":
        return lambda value: scalar(complex(value.real, value.imag))  # type: ignore[attr-defined]
    return scalar


def _scalar_converter(kernel: str, param: ParamSpec) -> Converter:
    """The check and conversion for one scalar parameter, by the kind of its dtype."""
    name, dtype = param.name, np.dtype(param.dtype)
    prefix = f"{kernel}(): argument '{name}'"
    expected = f"{_article(param.dtype)} {param.dtype} scalar"
    accepted = _ACCEPTED_KINDS[dtype.kind]
    python_types: dict[str, Callable[[Any], object]] = {"b": bool, "f": float}
    to_python = python_types.get(dtype.kind, int)
    if dtype.kind == "c":
        to_python = functools.partial(_complex_struct, CTYPES[param.dtype])
    bounds = (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)) if dtype.kind in "iu" else None

    def convert(value: object, c_args: list[object], spans: list[Span]) -> None:
        kind = _scalar_kind(value)
        if kind is None or kind not in accepted:
            if value is None:
                raise TypeError(f"{prefix} is None; expected {expected}")
            raise TypeError(f"{prefix} expects {expected}, got {_describe(value)}")
        converted = to_python(value)
        if bounds is not None and isinstance(converted, int) and not bounds[0] <= converted <= bounds[1]:
            raise OverflowError(f"{prefix} = {converted} does not fit in {dtype}")
        c_args.append(converted)

    return convert


_PYTHON_KINDS = {float: "f", int: "i", bool: "b", complex: "c"}
"""The kinds of plain Python scalars, looked up by exact type first since they are the common case."""


def _scalar_kind(value: object) -> str | None:
    """The NumPy dtype kind of a scalar argument: Python and NumPy scalars and 0-d arrays; else None."""
    kind = _PYTHON_KINDS.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, (np.generic, np.ndarray)):
        return value.dtype.kind if value.ndim == 0 else None
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int):
        return "i"
    if isinstance(value, float):
        return "f"
    if isinstance(value, complex):
        return "c"
    return None


def _check_aliasing(kernel: str, spans: list[Span]) -> None:
    """Refuse a written array that shares a byte with any other array (the C pointers are `restrict`)."""
    for name, start, end, role in spans:
        if role is None:
            continue
        for other, other_start, other_end, _ in spans:
            if other != name and start < other_end and other_start < end:
                raise ValueError(
                    f"{kernel}(): argument '{name}' ({role}) overlaps argument '{other}' in memory; "
                    "outputs must not alias other arguments"
                )


def _enumerate(items: list[str]) -> str:
    """Python's own list style in argument errors: 'a', then 'a' and 'b', then 'a', 'b', and 'c'."""
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def _article(dtype: str) -> str:
    """'an' before int8 ... int64 (vowel sound), 'a' before everything else, uint included."""
    return "an" if dtype.startswith("int") else "a"


def _describe(value: object) -> str:
    """What a wrong argument is, in the words of the error messages."""
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray of {value.dtype} with rank {value.ndim}"
    return type(value).__name__
