"""The common call, decided without a message: every argument what the kernel takes, nothing to report.

A call's arguments are checked in full by `binding` (exact dtype, rank, C order, writability, aliasing,
each failure with its own message). Most calls pass NumPy arrays of the right dtype and plain Python
scalars, so the checked path's work per argument (closures, spans, `ndarray.ctypes.data`, which
alone costs about 1 us) is mostly spent proving what one look at the types shows. `prepare_fast`
builds, once per kernel, a plan of what each argument must be; `FastPath.arguments` walks it and
answers either the C arguments (and the bytes the call's maps move) or None, and None sends the call
to the checked path, which accepts it or raises the error it always did. So this path only ever
accepts a subset of what the checked path accepts, with the same C arguments:

- an array: exactly `numpy.ndarray` (no subclass), the very dtype instance of the manifest's dtype
  (NumPy's native dtypes are singletons; any other equal dtype takes the checked path), the rank,
  C-contiguous, aligned and writable (`flags.carray`), not empty; its address comes from the buffer
  protocol (`c_char.from_buffer`, 0.2 us), where `ndarray.ctypes.data` costs 0.9 us;
- a scalar: exactly `float`, `int` or `bool` for a parameter of that kind (an `int` within the
  dtype's range); NumPy scalars, complex numbers and the rest take the checked path;
- no two arrays overlapping in memory at all (the checked path decides whether an overlap is allowed).

A kernel whose calls need other bound expressions of the manifest (arrays it makes, but the status
array of its run-time checks, and partly written `Out` arrays) has no fast path: `prepare_fast`
returns None. The status array (a kernel with a library call always has one) is allocated zeroed
for each call and read after it, as the checked path does. The lengths array statements combine
and the preconditions of accesses (`length_checks`) are checked at the end of the same walk,
compiled once into integer compares of the C arguments it has made (`bounds.first_failing(flat=True)`:
an array's extents follow its address there): a failing one answers None, and the checked path
raises its ValueError or IndexError with the numbers. The checks of the inputs (manifest `checks`,
`runtime_shim.checks`) are compiled over the same C arguments: one that fails, or raises while it is
evaluated, answers None too. The rows of arrays mapped by rows (`section`) are counted by a function
compiled once too (`bounds.compiled_rows`).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import resident
from .bounds import compiled_rows, extent_bound, first_failing
from .checks import InputChecks
from .manifest import KernelSpec, ParamSpec

FAST_SCALARS: dict[str, type] = {"f": float, "i": int, "u": int, "b": bool}
"""The one Python class a scalar parameter of each dtype kind takes on this path."""

_ndarray = np.ndarray
_from_buffer: Callable[[Any], ctypes.c_char] = ctypes.c_char.from_buffer  # an ndarray is a writable buffer
_addressof = ctypes.addressof


Plan = tuple[object, object, object, object]
"""One parameter, as a tuple for the speed of unpacking it (the loop below runs on every call):
an array's `(dtype instance, rank, copy_in, copy_out)`; a scalar's `(None, class, low, high)`,
with the range of an integer dtype (else None, None)."""


@dataclass(frozen=True)
class FastPath:
    """What each argument of the common call must be, decided when the kernel is loaded."""

    plans: tuple[Plan, ...]
    offload: bool
    """Count the bytes the maps move (offload libraries), leaving out arrays a data region holds."""
    failing: Callable[[Sequence[object]], int] | None = None
    """The preconditions of accesses over the C arguments: the first that fails, or -1 (None: none)."""
    rows: Callable[[Sequence[object]], list[tuple[int, int]]] | None = None
    """The rows moved of each array with a manifest `section`, in the order of `sectioned`."""
    sectioned: tuple[tuple[int, int], ...] = ()
    """Those arrays: (position among the array arguments, position among all arguments)."""
    status: Plan | None = None
    """The plan of the hidden status array of the run-time checks, the last parameter (None: none)."""
    inputs: InputChecks | None = None
    """The checks of the inputs (manifest `checks`), over the C arguments."""

    def arguments(self, values: Sequence[object]) -> tuple[list[object], int, int, np.ndarray | None] | None:
        """The C arguments, the bytes moved to and from the device and the zeroed status array the
        C arguments hold (or None), or None: not the common call."""
        if len(values) != len(self.plans):
            return None
        c_args: list[object] = []
        spans: list[tuple[int, int, object, object]] = []
        for (dtype, want, low, high), value in zip(self.plans, values):
            if dtype is None:
                if type(value) is not want or (low is not None and not low <= value <= high):  # type: ignore[operator]
                    return None
                c_args.append(value)
                continue
            if (type(value) is not _ndarray or value.dtype is not dtype or value.ndim != want
                    or not value.flags.carray or not value.nbytes):
                return None
            start = _addressof(_from_buffer(value))
            stop = start + value.nbytes
            for other in spans:  # no two arrays may share a byte (kernels take a few arrays)
                if start < other[1] and other[0] < stop:
                    return None
            spans.append((start, stop, low, high))
            c_args.append(start)
            c_args.extend(value.shape)
        status = None
        if self.status is not None:
            dtype, _, copy_in, copy_out = self.status
            status = np.zeros(1, dtype)  # type: ignore[call-overload]
            start = _addressof(_from_buffer(status))
            c_args += [start, 1]
            spans.append((start, start + status.nbytes, copy_in, copy_out))
        if self.failing is not None and self.failing(c_args) >= 0:
            return None
        if self.inputs is not None and self.inputs.any_fails(c_args):
            return None
        if not self.offload:
            return c_args, 0, 0, status
        if self.rows is not None:
            spans = self.cut(spans, values)
        return (c_args, *_moved(spans), status)

    def cut(self, spans: list[tuple[int, int, object, object]], values: Sequence[object]
            ) -> list[tuple[int, int, object, object]]:
        """The spans with each array mapped by rows cut to those rows."""
        assert self.rows is not None
        spans = list(spans)
        for (k, position), (lo, hi) in zip(self.sectioned, self.rows(values)):
            start, stop, copy_in, copy_out = spans[k]
            row = (stop - start) // values[position].shape[0]  # type: ignore[attr-defined]  # not empty here
            spans[k] = (start + lo * row, start + hi * row, copy_in, copy_out)
        return spans


def _moved(spans: list[tuple[int, int, object, object]]) -> tuple[int, int]:
    """The bytes the maps copy in and out: every array's, but those a data region holds."""
    regions = resident.STATE.present
    to_device = from_device = 0
    for start, stop, copy_in, copy_out in spans:
        if regions and resident.is_present(start, stop - start):
            continue
        to_device += (stop - start) * copy_in  # type: ignore[operator]
        from_device += (stop - start) * copy_out  # type: ignore[operator]
    return to_device, from_device


def prepare_fast(spec: KernelSpec, offload: bool, inputs: InputChecks | None = None) -> FastPath | None:
    """The plan of the kernel's common call, or None where every call needs the checked path. The
    one hidden parameter taken is the status array of the run-time checks (last: the caller's
    arguments come first), which the call allocates zeroed and reads after the call as the checked
    path does (a kernel with a library call always has one, for the library's error)."""
    params = spec.params[:-1] if spec.status is not None and spec.params[-1].name == spec.status else spec.params
    if any(p.hidden or p.written is not None for p in params):
        return None
    plans = tuple(array_plan(p) if p.is_array else scalar_plan(p) for p in params)
    if any(plan is None for plan in plans):
        return None
    status = array_plan(spec.params[-1]) if len(params) < len(spec.params) else None
    failing = preconditions(spec)
    arrays = [(i, p) for i, p in enumerate(params) if p.is_array]
    sectioned = tuple((k, i) for k, (i, p) in enumerate(arrays) if p.section is not None)
    if not sectioned:
        return FastPath(plans, offload, failing, status=status, inputs=inputs)  # type: ignore[arg-type]
    positions = {p.name: i for i, p in enumerate(params)}
    rows = compiled_rows([(arrays[k][1].name, *arrays[k][1].section) for k, _ in sectioned],  # type: ignore[misc]
                         positions, _shape)
    return FastPath(plans, offload, failing, rows, sectioned, status, inputs)  # type: ignore[arg-type]


def preconditions(spec: KernelSpec) -> Callable[[Sequence[object]], int] | None:
    """The preconditions of accesses and the lengths array statements combine (`movement.length_failure`:
    `max(left, 0) == max(right, 0)`, unequal where one is less than the other), compiled over the
    C arguments; None where there are none. A failing one sends the call to the checked path,
    which raises its message."""
    if not spec.index_needs and not spec.length_checks:
        return None
    starts = c_positions(spec)
    needs: list[tuple[object, object, Sequence[object]]] = [
        (extent_bound(n.array, n.dim), n.need, n.when) for _, n in spec.index_needs]
    for _, left, right, _ in spec.length_checks:
        lengths = [{"op": "max", "args": [bound, 0]} for bound in (left, right)]
        needs += [(lengths[0], lengths[1], ()), (lengths[1], lengths[0], ())]
    return first_failing(needs, starts, None, flat=True)


def c_positions(spec: KernelSpec) -> dict[str, int]:
    """Where each parameter starts among the C arguments (an array's extents follow its address)."""
    starts, at = {}, 0
    for p in spec.params:
        starts[p.name], at = at, at + (1 + p.rank if p.is_array else 1)
    return starts


def _shape(array: object) -> Sequence[int]:
    return array.shape  # type: ignore[attr-defined, no-any-return]  # an ndarray: the plan checked it


def array_plan(param: ParamSpec) -> Plan:
    return np.dtype(param.dtype), param.rank, param.copy_in, param.copy_out


def scalar_plan(param: ParamSpec) -> Plan | None:
    """None for a complex parameter, which always takes the checked path (its value becomes a struct)."""
    dtype = np.dtype(param.dtype)
    python_type = FAST_SCALARS.get(dtype.kind)
    if python_type is None:
        return None
    if dtype.kind in "iu":
        return None, python_type, int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)
    return None, python_type, None, None
