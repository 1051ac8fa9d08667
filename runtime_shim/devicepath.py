"""The common call on device arrays, decided without a message (`fastpath`'s design, for data on the device).

A call whose arrays are already in device memory (`DeviceArray`, CuPy arrays, anything with
`__cuda_array_interface__` or a device DLPack capsule) takes the kernel's device entry point. The
checked path (`CompiledKernel._call_checked`) makes every argument's device view again for each
question it asks (which entry point, the shapes of the arrays the kernel makes, the converters, the
preconditions, the written boxes): 23 views for 3 arrays on an H100, 0.19-0.30 ms of Python per call
with CuPy arrays (docs/benchmarks.md). `prepare_device` builds, once per kernel, the plan of its
common device call; `DevicePath.arguments` walks it and looks at each array argument once
(`device.device_view`, which reads a `cupy.ndarray`'s own attributes and any other object's
interface once), answering the C arguments or None; None sends the call to the checked path, which
accepts it or raises the error it always did. So this path accepts a subset of what the checked path
accepts, with the same C arguments:

- an array: in device memory, of the manifest's dtype and rank, C-contiguous, on the current device
  (or not saying which); a NumPy array among device arrays (staged on the checked path) answers None;
- a scalar: as on `fastpath` (exactly `float`, `int` in the dtype's range, or `bool`);
- no two array arguments sharing a byte (the checked path decides whether an overlap is allowed).

The arrays the kernel makes (hidden parameters) take their shapes from functions compiled once over
the C arguments (`bounds.compiled_shape`), their extents joining the C arguments before the
preconditions (`fastpath.preconditions`) and the checks of the inputs (`InputChecks.any_fails`),
as on the checked path; a negative extent or a failing check answers None (the checked path raises
its ValueError or IndexError with the numbers). Only then are they allocated, by the allocator of
the first array's family (`device.result_allocator`), and the status word of the run-time checks
taken from its pool (`device.STATUS_WORDS`), as the checked path does.

An `Out` array the compiler could not prove written whole has its written box in the manifest
(`movement.uncovered`: the checked path refuses a call that would leave elements of it unwritten);
where it is one box, its cover is compiled over the C arguments too (`covering`), and a call it does
not cover answers None. Several boxes, or a kernel returning a scalar through a one-element array
(staged on the host), have no device plan: `prepare_device` returns None.
"""

from __future__ import annotations

import time
from math import prod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from .bounds import Bound, compiled_shape, extent_bound, first_failing, op_bound
from .checks import InputChecks
from .device import STATUS_WORDS, DeviceArray, StatusWord, device_view, free_all, made_ready, result_allocator
from .fastpath import Plan, array_plan, c_positions, preconditions, scalar_plan
from .manifest import KernelSpec
from .movement import KernelStats
from .resident import openmp


@dataclass(frozen=True)
class Made:
    """An array the kernel makes: where its address goes among the C arguments, its shape from them."""

    position: int
    shape: Callable[[Sequence[object]], tuple[int, ...]]
    dtype: np.dtype
    status: bool
    """The status word of the run-time checks: pooled on the device, read back into a host array."""
    kept: bool
    """The kernel returns it: not freed after the call."""


DeviceCall = tuple[list[object], list[tuple[int, ...]]]
"""What the walk found: the C arguments (a made array's address still 0) and the made arrays' shapes."""


@dataclass(frozen=True)
class DevicePath:
    """What each argument of the common device call must be, decided when the kernel is loaded."""

    plans: tuple[Plan, ...]
    first: int
    """The first array argument: its family makes the arrays the kernel makes (`result_allocator`)."""
    allocates: bool
    """Whether the kernel makes arrays other than the status word."""
    made: tuple[Made, ...] = ()
    failing: Callable[[Sequence[object]], int] | None = None
    """The preconditions of accesses over the C arguments (`fastpath.preconditions`)."""
    inputs: InputChecks | None = None
    """The checks of the inputs (manifest `checks`), over the C arguments."""
    uncovered: Callable[[Sequence[object]], int] | None = None
    """Whether a partly written `Out` array's box leaves an element unwritten (`covering`)."""

    def arguments(self, values: Sequence[object]) -> DeviceCall | None:
        """The C arguments and the shapes of the arrays to make, or None: not the common device call."""
        if len(values) != len(self.plans):
            return None
        c_args: list[object] = []
        spans: list[tuple[int, int]] = []
        current = -1  # the device kernels run on, read at the first array that names another
        for (dtype, want, low, high), value in zip(self.plans, values):
            if dtype is None:  # a scalar, as `FastPath.arguments` takes it
                if type(value) is not want or (low is not None and not low <= value <= high):  # type: ignore[operator]
                    return None
                c_args.append(value)
                continue
            view = device_view(value)  # the one look at this argument in this call
            if view is None:
                return None
            start, shape, found, contiguous, device = view
            if (found is not dtype and found != dtype) or len(shape) != want or not contiguous:
                return None
            if device is not None and device != current:
                current = openmp().device
                if device != current:
                    return None
            stop = start + found.itemsize * prod(shape)
            for other in spans:  # no two arrays may share a byte (kernels take a few arrays)
                if start < other[1] and other[0] < stop:
                    return None
            if start < stop:
                spans.append((start, stop))
            c_args.append(start)
            c_args.extend(shape)
        shapes = []
        for made in self.made:
            shape = made.shape(c_args)
            if any(n < 0 for n in shape):
                return None
            shapes.append(shape)
            c_args.append(0)  # its address, once allocated (`call`)
            c_args.extend(shape)
        if self.failing is not None and self.failing(c_args) >= 0:
            return None
        if self.inputs is not None and self.inputs.any_fails(c_args):
            return None
        if self.uncovered is not None and self.uncovered(c_args) >= 0:
            return None
        return c_args, shapes

    def call(self, function: Callable[..., object], stats: KernelStats, values: Sequence[object],
             found: DeviceCall) -> tuple[object, list[object], int]:
        """Allocate the made arrays, call `function`, read the status word back: the C return value,
        the made arrays (the status word's host array in its place) and the status (0: no check
        failed). The made `DeviceArray`s the kernel does not return are freed, and all of them when
        a check failed (the caller raises) or the call raises."""
        c_args, shapes = found
        if not self.made:
            start = time.perf_counter()
            value = function(*c_args)
            stats.add(0, 0, time.perf_counter() - start)
            return value, [], 0
        allocate = result_allocator(values[self.first]) if self.allocates else DeviceArray
        made: list[object] = []
        status: tuple[np.ndarray, StatusWord] | None = None
        try:
            for spec, shape in zip(self.made, shapes):
                if spec.status:  # a pooled word, read back below (`StatusWords`)
                    status = (np.zeros(shape, spec.dtype), STATUS_WORDS.take())
                    made.append(status[0])
                    c_args[spec.position] = status[1].ptr
                else:
                    array = allocate(shape, spec.dtype)
                    made.append(array)
                    view = array if type(array) is DeviceArray else device_view(array)  # CuPy's, PyTorch's
                    c_args[spec.position] = view.ptr  # type: ignore[union-attr]  # a device array
            made_ready(allocate)
            start = time.perf_counter()
            value = function(*c_args)
            stats.add(0, 0, time.perf_counter() - start)
        except BaseException:
            free_all(made)
            raise
        finally:
            if status is not None:
                stats.bytes_from_device += STATUS_WORDS.give_back(status[1], status[0])
        failed = 0 if status is None else int(status[0][0])
        free_all(m for m, spec in zip(made, self.made) if failed or not spec.kept)
        return value, made, failed


def prepare_device(spec: KernelSpec, inputs: InputChecks | None = None) -> DevicePath | None:
    """The plan of the kernel's common device call, or None: no device entry point, an `Out` array
    written in several boxes, or a returned scalar made as a one-element host array (these need the
    checked path)."""
    hidden = [p.hidden for p in spec.params]
    if (spec.device_symbol is None or spec.results_elements or hidden != sorted(hidden)
            or any(p.written is not None and len(p.written) != 1 for p in spec.params)):
        return None  # (the arrays the kernel makes follow the caller's arguments: `CompiledKernel._allocate`)
    caller = [p for p in spec.params if not p.hidden]
    plans = tuple(array_plan(p) if p.is_array else scalar_plan(p) for p in caller)
    if any(plan is None for plan in plans) or not any(p.is_array for p in caller):
        return None
    starts, kept = c_positions(spec), set(spec.results or ())
    made = tuple(Made(starts[p.name], compiled_shape(p.shape or (), starts), np.dtype(p.dtype),
                      p.name == spec.status, p.name in kept) for p in spec.params if p.hidden)
    first = next(i for i, p in enumerate(caller) if p.is_array)
    return DevicePath(plans, first, any(not m.status for m in made), made,  # type: ignore[arg-type]
                      preconditions(spec), inputs, covering(spec, starts))


def covering(spec: KernelSpec, starts: dict[str, int]) -> Callable[[Sequence[object]], int] | None:
    """The conditions under which the one box each partly written `Out` array's writes cover
    (`movement.written_boxes`) leaves an element unwritten, compiled over the C arguments: a start
    above 0 or a stop below the extent in a dimension, or an empty range of a loop around the
    writes (past the rank: the box is then empty). None where no array is partly written."""
    fails: list[tuple[object, object, tuple[()]]] = []
    for p in spec.params:
        if p.written is None:
            continue
        (box,) = cast("tuple[tuple[tuple[Bound, Bound], ...]]", p.written)  # pairs of bounds per dimension
        for dim, (lo, hi) in enumerate(box):
            if dim < p.rank:
                fails += [(0, lo, ()), (hi, extent_bound(p.name, dim), ())]
            else:
                fails.append((hi, op_bound("+", lo, 1), ()))  # hi <= lo: the loop runs no iteration
    return first_failing(fails, starts, None, flat=True) if fails else None


