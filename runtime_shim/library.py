"""Loading a built library with its manifest, and calling its kernels like the Python functions.

This is what runs on a machine that has only the `.so`, its manifest, NumPy and Python (a GPU node
with no compiler), so it imports nothing from the translator.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import inspect
import os
import stat
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from . import blas, host_offload, host_wait, kept, overlap, resident, staging
from .pool import DeviceMemoryStats, Pool
from .binding import Binding, prepare
from .bounds import evaluate
from .device import (STATUS_WORDS, Allocator, DeviceArray, StatusWord, device_view, free_all, made_ready,
                     result_allocator)
from .devicepath import DeviceCall, DevicePath, prepare_device
from .checks import InputChecks
from .fastpath import FastPath, c_positions, prepare_fast
from .manifest import KernelSpec, Manifest, ParamSpec, read_manifest
from .movement import KernelStats, Moves, NeedChecks, length_failure, moves, uncovered
from .multi import ChunkedCall, check_devices, chunk_function


FAILED = 2**31 - 1
"""A failed run-time check `k` leaves `FAILED - k` in the status array (manifest `failures`; the same
value as `translator.ir.nodes.FAILED`, which this runtime may not import)."""


class CompiledKernel:
    """One kernel of a loaded library, called with the same arguments as its Python function.

    The ctypes function gets its own `argtypes`/`restype` here, once. A call of NumPy arrays of the
    right dtypes and plain scalars passed by position takes the `fastpath`; any other call binds the
    arguments, runs the prepared per-parameter converters (whose checks give the errors) and calls C.
    ctypes releases the GIL during the call.
    A call with any array in device memory goes to the device entry point (no copies for those);
    `stats` accumulates calls, bytes moved by the maps and time. Arrays the kernel makes (hidden
    parameters) are allocated here for each call with the manifest's shape (in device memory when an
    argument is a device array, and returned as device arrays of its family), and the call returns
    what the Python function returns (`results`): those arrays, the user's own arguments, the scalar.
    A kernel with run-time checks (`failures`) gets a zeroed status array, and a call after which it
    holds a check's number raises ValueError with that check's message.
    """

    def __init__(self, spec: KernelSpec, cdll: ctypes.CDLL, offload: bool = False, target: str = "") -> None:
        self.function, self.binding = _c_function(spec, spec.symbol, cdll, device=False)
        self.device_function: CFunction | None = None
        self.device_binding: Binding | None = None
        if spec.device_symbol:
            self.device_function, self.device_binding = _c_function(spec, spec.device_symbol, cdll, device=True)
        self.spec = spec
        self.offload = offload
        self.target = target
        self.chunk_function = chunk_function(spec, cdll, self.binding.argtypes)
        self.stats = KernelStats()
        self.arrays = tuple((i, p) for i, p in enumerate(spec.params) if p.is_array)
        self.__name__ = spec.name
        self.hidden = tuple(p for p in spec.params if p.hidden)
        self.returned = frozenset(spec.results or ())
        self.positions = {p.name: i for i, p in enumerate(spec.params)}
        self.inputs = InputChecks(spec.name, spec.checks, self.positions, _shape, c_positions(spec)) \
            if spec.checks else None
        self.fast: FastPath | None = prepare_fast(spec, offload, self.inputs)
        self.device_fast: DevicePath | None = prepare_device(spec, self.inputs)
        self.needs = NeedChecks(spec.name, spec.index_needs, self.positions, _shape) if spec.index_needs else None
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in spec.params if not p.hidden]
        )

    def __call__(self, *args: object, **kwargs: object) -> object:
        """Check the arguments, call C, and return what the Python function returns: None, a NumPy
        scalar of the declared dtype, or the arrays it makes (and its arguments) it returns."""
        fast = self.fast
        if fast is not None and not kwargs:
            found = fast.arguments(args)
            if found is not None and not self._may_stage(found[1] + found[2]):
                return self.call_fast(args, *found)  # a failed precondition raises on the checked path
        device = self.device_fast
        if device is not None and not kwargs:
            on_device = device.arguments(args)
            if on_device is not None:
                return self.call_device(args, on_device)
        return self._call_checked(args, kwargs)

    def on(self, devices: Sequence[int]) -> Callable[..., object]:
        """`kernel.on([0, 1])(*args)`: the call split over `devices` (runtime_shim.multi); the library
        must have been built with chunked entry points (`Kernel.on` builds one)."""
        return functools.partial(self.call_on, tuple(devices))

    def call_on(self, devices: tuple[int, ...], *args: object, **kwargs: object) -> object:
        """One call run in shares on `devices`, with the checks and results of an ordinary call."""
        if self.chunk_function is None:
            raise ValueError(f"{self.spec.name}(): this library has no chunked entry point; kernel.on(devices) "
                             "builds one")
        chosen = check_devices(devices, resident.openmp().num_devices)
        binding = self.binding
        values = list(args) if not kwargs and len(args) == len(binding.names) else binding.bind(args, kwargs)
        if self.hidden:
            values = [*values, *self._allocate(values)]
        c_args = binding.convert(values)
        mapped = [p.name for (_, p), v in zip(self.arrays, (values[i] for i, _ in self.arrays))
                  if isinstance(v, np.ndarray) and resident.is_present(v.ctypes.data, v.nbytes)]
        if mapped:
            raise ValueError(f"{self.spec.name}(): argument '{mapped[0]}' is mapped by a data region, whose device "
                             "copy may be newer than the array; kernel.on(devices) takes arrays outside data regions")
        self._check_preconditions(values)
        self._uncovered(values)
        value = ChunkedCall(self, chosen, values, c_args).run()
        status = values[self.positions[self.spec.status]] if self.spec.status is not None else None
        if isinstance(status, np.ndarray) and status[0]:
            self._raise_failure(FAILED - int(status[0]) - 1)
        return self._results(values, None if binding.result is None else binding.result(value))

    def call_fast(self, args: Sequence[object], c_args: list[object], to_device: int, from_device: int,
                  status: np.ndarray | None) -> object:
        """The call with what `self.fast.arguments(args)` found: nothing left to check before it;
        after it, the status array of the run-time checks (the library's error), as on the checked path."""
        start = time.perf_counter()
        value = self.function(*c_args)
        self.stats.add(to_device, from_device, time.perf_counter() - start)
        if status is not None and status[0]:
            self._raise_failure(FAILED - int(status[0]) - 1)
        result = self.binding.result
        return self._results(args, value if result is None else result(value))

    def call_device(self, args: Sequence[object], found: DeviceCall) -> object:
        """The device entry point's call with what `self.device_fast.arguments(args)` found (`devicepath`):
        the made arrays as the checked path makes them, the status word's verdict after the call."""
        assert self.device_fast is not None and self.device_function is not None
        value, made, failed = self.device_fast.call(self.device_function, self.stats, args, found)
        if failed:
            self._raise_failure(FAILED - failed - 1)
        result = self.binding.result
        return self._results([*args, *made], value if result is None else result(value))

    def _call_checked(self, args: tuple[object, ...], kwargs: dict[str, object]) -> object:
        """Every other call: bound by Python's rules, each argument checked with its own message.
        A call with a device argument makes its arrays in device memory, in that argument's family
        (`device.result_allocator`: CuPy arrays beside a CuPy array, ...); the `DeviceArray`s among
        them that it does not return, and all of them when it raises, are freed before it returns."""
        binding = self.binding
        values: Sequence[object] = args if not kwargs and len(args) == len(binding.names) else binding.bind(args, kwargs)
        allocator = self._device_allocator(values)
        made = self._allocate(values, allocator) if self.hidden else []
        if made:
            values = [*values, *made]
        try:
            value = self._dispatch(values, on_device=allocator is not None)
        except BaseException:
            free_all(made)
            raise
        free_all(array for array, param in zip(made, self.hidden) if param.name not in self.returned)
        return self._results(values, value)

    def _dispatch(self, values: Sequence[object], on_device: bool) -> object:
        """The C call by the path these arguments take, then the status array's verdict."""
        status = values[self.positions[self.spec.status]] if self.spec.status is not None else None
        moving = None if on_device else self._moving(values)
        if on_device:
            value = self._call_on_device(list(values))
        elif moving is None:
            value = self._call_on_host(values)
        else:
            with self._keeping(moving):
                if self._stages(moving):
                    self.binding.convert(values)  # every check of the maps' call, aliasing included
                    value = self._call_on_device(list(values))
                else:
                    value = self._call_on_host(values)
        if isinstance(status, np.ndarray) and status[0]:
            self._raise_failure(FAILED - int(status[0]) - 1)
        return value

    def _device_allocator(self, values: Sequence[object]) -> Allocator | None:
        """None when the call takes the host entry point; else how it makes the arrays the kernel
        makes, by its first device argument (`device.result_allocator`)."""
        if self.device_binding is None:
            return None
        for i, _ in self.arrays:
            if i < len(values) and device_view(values[i]) is not None:
                return result_allocator(values[i])
        return None

    def _may_stage(self, moved: int) -> bool:
        """Whether a call whose maps move `moved` bytes could stage (`staging`): then it takes the checked path."""
        return (moved >= staging.SETTINGS.min_bytes and self.device_function is not None and self.spec.device is None
                and staging.SETTINGS.stages(self.target))

    def _moving(self, values: Sequence[object]) -> list[tuple[np.ndarray, Moves]] | None:
        """The NumPy arrays of a call that may stage, each with what the maps move of it
        (`movement.moves`); None where the call cannot stage: not a GPU target, a kernel that names
        its device, an argument that is not a NumPy array or that a data region holds (the kernel
        must use the region's copy)."""
        if self.device_function is None or self.spec.device is not None or not staging.SETTINGS.stages(self.target):
            return None
        arrays: list[tuple[np.ndarray, Moves]] = []
        for i, param in self.arrays:
            array = values[i]
            if not isinstance(array, np.ndarray) or resident.is_present(array.ctypes.data, array.nbytes):
                return None
            arrays.append((array, moves(param, array.shape, array.itemsize, *self._bound_inputs(values))))
        return arrays

    def _keeping(self, moving: list[tuple[np.ndarray, Moves]]) -> AbstractContextManager[None]:
        """Around the call, on CUDA targets: the arrays moving at least `keep_min_bytes` one way are
        noted, registered from their second call, held registered until it returns (`kept`)."""
        settings = staging.SETTINGS
        if not settings.keeps(self.target):
            return nullcontext()
        large = [array for array, moved in moving if max(moved.to_device, moved.from_device) >= settings.keep_min_bytes]
        return kept.REGISTRY.hold(large, resident.openmp().device, settings.keep_bytes)

    def _stages(self, moving: list[tuple[np.ndarray, Moves]]) -> bool:
        """Whether this call moves its NumPy arrays through `staging` and the device entry point: on a
        GPU, when an array neither pinned nor kept registered (`kept`) moves at least `min_bytes` one
        way (any array, for a kernel that runs in pieces: `overlap`; pinned memory is then copied
        directly). Staging moves what the maps move (`movement.moves`): a `section`'s rows, the boxes
        of a `sectioned` `Out` array; so a call that reads 10 of 10 million elements moves 80 bytes,
        and does not stage."""
        settings = staging.SETTINGS
        pieces = self.spec.chunk_over is not None and settings.overlap  # pinned arrays gain from overlap alone
        return any(max(m.to_device, m.from_device) >= settings.min_bytes
                   and (pieces or not staging.read_directly(a.ctypes.data, a.nbytes)) for a, m in moving)

    def _raise_failure(self, number: int) -> None:
        """Raise the exception of run-time check `number` (from 0), as Python would have raised there."""
        error = self.spec.failure_errors[number] if self.spec.failure_errors else "ValueError"
        raise {"ValueError": ValueError, "IndexError": IndexError, "OverflowError": OverflowError,
               "RuntimeError": RuntimeError, "LinAlgError": np.linalg.LinAlgError}[error](
            f"{self.spec.name}(): {self.spec.failures[number]}")

    def _call_on_host(self, values: Sequence[object]) -> object:
        """The call with NumPy arrays (and arrays a data region holds): the C function maps them."""
        c_args = self.binding.convert(values)
        self._check_preconditions(values)
        if not self.offload:
            return self._timed(c_args, 0, 0)
        with resident.overlaps_held(self._mapped_spans(values)) as held:
            to_device, from_device = self._transfers(values)
            return self._timed(c_args, to_device + held, from_device)

    def _timed(self, c_args: list[object], to_device: int, from_device: int) -> object:
        start = time.perf_counter()
        value = self.function(*c_args)
        self.stats.add(to_device, from_device, time.perf_counter() - start)
        return None if self.binding.result is None else self.binding.result(value)

    def _mapped_spans(self, values: Sequence[object]) -> list[tuple[int, int]]:
        """The host bytes each NumPy argument's map clause covers (its rows, for a `section`);
        only read-only arguments may overlap (`binding`), and those that do are mapped once
        around the call (`resident.overlaps_held`)."""
        read = [(values[i], p) for i, p in self.arrays if p.ownership == "in" and isinstance(values[i], np.ndarray)]
        if len(read) < 2:
            return []
        inputs = self._bound_inputs(values)
        spans = []
        for array, param in read:
            assert isinstance(array, np.ndarray)
            moved = moves(param, array.shape, array.itemsize, *inputs)
            spans.append((array.ctypes.data + moved.start, array.ctypes.data + moved.start + moved.length))
        return spans

    def _check_preconditions(self, values: Sequence[object]) -> None:
        """The checks of the inputs (manifest `checks`), the lengths array statements combine and the
        lengths accesses need (manifest `length_checks`): the failing one first in the source raises,
        as Python raises the first it meets."""
        found = [] if self.inputs is None else [self.inputs.failure(values)]
        if self.spec.length_checks:
            found.append(length_failure(self.spec.name, self.spec.length_checks, *self._bound_inputs(values),
                                        self.spec.reshapes))
        if self.needs is not None:
            found.append(self.needs.failure(values))
        failed = min((f for f in found if f is not None), key=lambda f: f[0], default=None)
        if failed is not None:
            raise failed[1]

    def _allocate(self, values: Sequence[object], allocator: Allocator | None = None) -> list[object]:
        """The arrays the kernel makes, allocated (not filled: the kernel fills them on the device)
        with the shape the manifest computes from the arguments. For a call with device arguments
        they are device arrays from `allocator`, which no byte enters or leaves; the status array and
        the one-element arrays of returned scalars stay NumPy arrays, staged (their values are
        read on the host)."""
        shapes, scalars = self._bound_inputs(values)
        made: list[object] = []
        for param in self.hidden:
            shape = tuple(evaluate(d, shapes, scalars) for d in param.shape or ())
            if any(n < 0 for n in shape):
                failed = None if self.inputs is None else self.inputs.failure(values)
                if failed is not None and failed[0] < (param.made_at or 0):  # Python raises the check first
                    raise failed[1]
                raise ValueError(f"{self.spec.name}(): array '{param.name}' that the kernel makes would have shape "
                                 f"{shape}: negative dimensions are not allowed")
            if param.name == self.spec.status:
                made.append(np.zeros(shape, dtype=param.dtype))
            elif allocator is not None and param.name not in self.spec.results_elements:
                made.append(allocator(shape, np.dtype(param.dtype)))
            else:
                made.append(np.empty(shape, dtype=param.dtype))
            shapes[param.name] = shape
        made_ready(allocator)
        return made

    def _results(self, values: Sequence[object], value: object) -> object:
        """What the Python function returns: `value` (the C return value), or the manifest's
        `results` (arrays by parameter: the very argument objects, or the arrays made here)."""
        if self.spec.results is None:
            return value
        items = tuple(value if name is None else values[self.positions[name]] for name in self.spec.results)
        if self.spec.results_elements:
            items = tuple(item[0] if name in self.spec.results_elements else item  # type: ignore[index]
                          for name, item in zip(self.spec.results, items))
        return items if self.spec.results_tuple else items[0]

    def _transfers(self, values: Sequence[object]) -> tuple[int, int]:
        """Bytes the C moves for these NumPy arrays: none by the maps of arrays a data region holds;
        for a sectioned `Out` array, the rows its `target update from`s copy back, present or not.
        Refuses first a call that would hand back undefined elements (`_uncovered`)."""
        self._uncovered(values)
        to_device = from_device = 0
        for i, param in self.arrays:
            array = values[i]
            if not isinstance(array, np.ndarray):
                continue
            moved = moves(param, array.shape, array.itemsize, *self._bound_inputs(values))
            if moved.boxes is not None or not resident.is_present(array.ctypes.data + moved.start, moved.length):
                to_device += moved.to_device
                from_device += moved.from_device
        return to_device, from_device

    def _uncovered(self, values: Sequence[object]) -> dict[int, list[list[tuple[int, int]]]]:
        """The boxes written, by parameter index, of `Out` arrays this call writes only partly;
        refuses the call when such an array is not `sectioned` (movement.uncovered)."""
        checked = [(i, p) for i, p in self.arrays if p.written is not None]
        if not checked:
            return {}
        shapes, scalars = self._bound_inputs(values)
        found = {i: uncovered(self.spec.name, p, shapes, scalars) for i, p in checked}
        return {i: boxes for i, boxes in found.items() if boxes is not None}

    def _bound_inputs(self, values: Sequence[object]) -> tuple[dict[str, tuple[int, ...]], dict[str, object]]:
        """What the manifest's write bounds are expressions of: array shapes and scalar arguments."""
        shapes = {p.name: _shape(values[i]) for i, p in self.arrays if i < len(values)}
        scalars = {p.name: v for p, v in zip(self.spec.params, values) if not p.is_array}
        return shapes, scalars

    def _call_on_device(self, values: list[object]) -> object:
        """Device arrays pass as they are; NumPy arrays among them are staged through device memory
        (what the maps would move: `movement.moves`), in chunks through pinned buffers where large
        (`staging`)."""
        assert self.device_binding is not None and self.device_function is not None
        staged: list[Staged] = []
        status: tuple[np.ndarray, StatusWord] | None = None
        try:
            for i, param in self.arrays:
                host = values[i]
                if device_view(host) is None:
                    self.binding.converters[i](host, [], [])  # the NumPy checks and messages
                    assert isinstance(host, np.ndarray)
                    if param.name == self.spec.status:  # a pooled word, read back below (`StatusWords`)
                        status = (host, STATUS_WORDS.take())
                        values[i] = status[1]
                        continue
                    staged.append((host, DeviceArray(host.shape, host.dtype), param))
                    values[i] = staged[-1][1]
            return self._run_on_device(values, staged)
        finally:
            if status is not None:
                self.stats.bytes_from_device += STATUS_WORDS.give_back(status[1], status[0])
            for _, device, _ in staged:
                device.free()

    def _run_on_device(self, values: list[object], staged: list[Staged]) -> object:
        """The device entry point's call, with the staged NumPy arrays copied in before and out after:
        a `section`'s rows, or the boxes a `sectioned` `Out` array's C would copy back (the host's
        other elements are never written)."""
        assert self.device_binding is not None and self.device_function is not None
        c_args = self.device_binding.convert(values)
        self._check_preconditions(values)
        self._uncovered(values)
        inputs = self._bound_inputs(values)
        planned = [(host, device, moves(param, host.shape, host.itemsize, *inputs)) for host, device, param in staged]
        openmp, register = resident.openmp(), staging.SETTINGS.registers(self.target)
        start = time.perf_counter()
        cuts = self._pieces(planned)
        if len(cuts) > 1:
            value = None
            overlap.run(openmp, cuts, [(h, d) for h, d, m in planned if m.copy_in],
                        [(h, d) for h, d, m in planned if m.copy_out],
                        lambda lo, hi: self._run_piece(values, staged[0][1].device, lo, hi))
        else:
            for host, device, moved in planned:
                if moved.to_device:
                    staging.copy_to_device(openmp, device.ptr + moved.start, host.ctypes.data + moved.start,
                                           moved.length, device.device, register)
            value = self.device_function(*c_args)
            for host, device, moved in planned:
                _copy_back(openmp, host, device, moved, register)
        self.stats.add(sum(m.to_device for _, _, m in planned), sum(m.from_device for _, _, m in planned),
                       time.perf_counter() - start)
        return None if self.binding.result is None else self.binding.result(value)

    def _pieces(self, planned: list[tuple[np.ndarray, DeviceArray, Moves]]) -> list[tuple[int, int]]:
        """The pieces a staged call of an elementwise kernel runs in (`overlap`): when every array is
        staged whole and of the trip count's length; else one."""
        over = self.spec.chunk_over
        lengths = {host.size for host, _, _ in planned}
        if (over is None or not staging.SETTINGS.overlap or len(planned) != len(self.arrays) or len(lengths) != 1
                or any(m.boxes is not None or m.length != host.nbytes for host, _, m in planned)):
            return [(0, 0)]
        return overlap.pieces(lengths.pop(), max(host.itemsize for host, _, _ in planned))

    def _run_piece(self, values: list[object], device: int, lo: int, hi: int) -> None:
        """The device entry point on elements `[lo, hi)` of every (staged) array, on a worker thread."""
        assert self.device_binding is not None and self.device_function is not None
        piece = list(values)
        for i, _ in self.arrays:
            array = values[i]
            assert isinstance(array, DeviceArray)
            piece[i] = overlap.Piece(array.ptr + lo * array.dtype.itemsize, hi - lo, array.dtype)
        resident.openmp().set_thread_device(device)
        self.device_function(*self.device_binding.convert(piece))

    def __repr__(self) -> str:
        return f"<CompiledKernel {self.spec.name}{self.__signature__}>"


Staged = tuple[np.ndarray, DeviceArray, ParamSpec]
"""A NumPy argument of a call on the device entry point, the device memory it is staged in, and its parameter."""


def _copy_back(openmp: resident.OpenMP, host: np.ndarray, device: DeviceArray, moved: Moves, register: bool) -> None:
    """What the maps would copy back of one staged array: the boxes of a `sectioned` one, else its rows."""
    if moved.boxes is not None:
        staging.copy_boxes_from_device(openmp, host, device.ptr, moved.boxes, device.device, register)
    elif moved.from_device:
        staging.copy_from_device(openmp, host.ctypes.data + moved.start, device.ptr + moved.start, moved.length,
                                 device.device, register)


CFunction = Callable[..., object]
"""A kernel's C entry point, called through ctypes."""


def _c_function(spec: KernelSpec, symbol: str, cdll: ctypes.CDLL, device: bool) -> tuple[CFunction, Binding]:
    """The kernel's C entry point with its argument types set, and its binding."""
    try:
        # Indexing (not attribute access) gives a function object of our own: ctypes caches
        # attributes, and argtypes set on a shared one would leak to other users of `cdll`.
        function = cdll[symbol]
    except AttributeError as exc:
        raise AttributeError(f"kernel '{spec.name}' (symbol '{symbol}'): {exc}") from exc
    binding = prepare(spec, device)
    function.argtypes = binding.argtypes
    function.restype = binding.restype
    return function, binding


def _shape(value: object) -> tuple[int, ...]:
    if isinstance(value, np.ndarray):  # the common case first: a NumPy array is its own shape
        return tuple(value.shape)  # the array's own tuple: `tuple` copies nothing
    view = device_view(value)
    return view.shape if view is not None else tuple(np.shape(value))  # type: ignore[call-overload]


class Library:
    """A loaded library: its manifest, its kernels by name, and each kernel as an attribute.

    A kernel named like one of the attributes below (`kernels`, `manifest`, `path`, `pool`,
    `release_memory`, `memory_stats`) is still reachable as `lib.kernels[name]`.
    """

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.path = manifest.library_path.resolve()
        check_library(manifest)
        if manifest.target == "host-offload":
            host_offload.prepare()  # libomp's wait and warning settings, before the library starts it
        if (manifest.target or "").startswith("nvptx"):
            blas.offer_wheel()  # its matrix products may call cuBLAS (runtime_shim/blas.py)
            host_wait.prepare()  # before the offload runtime initialises the devices, as the library loads
        cdll = ctypes.CDLL(str(self.path))
        if manifest.offloads:
            resident.register(cdll, manifest.target or "")
        else:
            resident.STATE.host_libraries = True
        self.kernels: dict[str, CompiledKernel] = {
            k.name: CompiledKernel(k, cdll, manifest.offloads, manifest.target or "") for k in manifest.kernels
        }
        self.pool = Pool(cdll)

    def release_memory(self) -> None:
        """Give back to their devices the device buffers the library keeps for its next calls (of its
        temporaries and in-place matrix products; runtime_shim/pool.py), for memory that another
        library or a later kernel needs. The library never gives them back by itself."""
        self.pool.empty()

    def memory_stats(self) -> DeviceMemoryStats:
        """The library's device allocations so far and what it keeps now (zeros where it keeps nothing)."""
        return self.pool.read()

    def __getattr__(self, name: str) -> CompiledKernel:
        # Only called for names that are not ordinary attributes; `kernels` may be absent while
        # __init__ runs or on a half-built copy, so it is looked up without recursing.
        kernels: dict[str, CompiledKernel] = self.__dict__.get("kernels", {})
        if name in kernels:
            return kernels[name]
        available = ", ".join(kernels) or "none"
        raise AttributeError(f"Library has no attribute or kernel '{name}' (kernels: {available})")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get("kernels", {})})

    def __repr__(self) -> str:
        return f"<Library {self.manifest.module} at {self.path}: {', '.join(self.kernels)}>"


class LibraryMismatch(OSError):
    """A library that is not the one its manifest describes (truncated, emptied or replaced since it was
    built). Loading it could crash the process inside ctypes (SIGBUS on a truncated file), so it is
    refused first."""


def library_sha256(path: Path) -> str:
    """The SHA-256 of a built library, as the manifest's `library_sha256` records it."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_VERIFIED: dict[tuple[str, int, int, int, int], str] = {}
"""Libraries whose hash this process has computed, by path and file identity (device, inode, size,
modification time): the cache checks an entry and then loads it, and hashing a library costs about
a millisecond per megabyte, so a file not touched since is hashed once per process."""


def check_library(manifest: Manifest) -> None:
    """`FileNotFoundError` or `LibraryMismatch` unless the manifest's library is there and, where the
    manifest records its hash, unchanged since the build."""
    path = manifest.library_path
    try:
        status = path.stat()
    except OSError:
        status = None
    if status is None or not stat.S_ISREG(status.st_mode):
        raise FileNotFoundError(f"{manifest.path}: library '{manifest.library}' not found at {path.resolve()}")
    if manifest.library_sha256 is None:
        return
    identity = (str(path.resolve()), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
    if _VERIFIED.get(identity) == manifest.library_sha256:
        return
    if library_sha256(path) != manifest.library_sha256:
        raise LibraryMismatch(
            f"{path.resolve()}: the library does not match its manifest's library_sha256 (truncated or changed "
            "since it was built); rebuild it (a kernel's cached build is rebuilt on its next call)")
    _VERIFIED[identity] = manifest.library_sha256


def load(path: str | os.PathLike[str]) -> Library:
    """Load a built module from its manifest, or from the directory holding the manifest and library."""
    location = Path(path)
    if location.is_dir():
        location = _find_manifest(location)
    elif not location.is_file():
        raise FileNotFoundError(f"no manifest or build directory at {location}")
    return Library(read_manifest(location))


def _find_manifest(directory: Path) -> Path:
    """The one `<module>.json` in a build directory; more than one is ambiguous, so it is refused."""
    candidates = sorted(directory.glob("*.json"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise FileNotFoundError(f"no manifest (*.json) in {directory}")
    names = ", ".join(c.name for c in candidates)
    raise ValueError(f"{directory} holds several manifests ({names}); pass the path of one of them")
