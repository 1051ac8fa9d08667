"""`@kernel`: a Python function that translates, builds and runs itself on first call.

All annotated kernels of one Python file (or notebook cell: `kernel_source`) share one C file and one
library per target, so the first call of any of them builds the module once (cached on disk by
content); later calls go straight to the `runtime_shim` binding, which checks the NumPy arguments and
calls the C function. A kernel with parameters that lack annotations is a `GenericKernel`: it builds
one library per combination of argument types (`translator.call_types`), as `numba.njit` compiles
one specialization per signature.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import warnings
from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable

import runtime_shim
from runtime_shim.binding import bind_arguments
from translator.call_types import (
    argument_types, call_key, fast_guard, signature_text, specialization_symbol, untyped_parameters,
)
from translator.errors import BuildError, TranslationWarning
from translator.kernel_source import KernelSource, kernel_source
from translator.targets import Target, as_target
from translator.toolchain import index
from translator.toolchain.cache import build_cached
from translator.toolchain.resolve import resolve_target

if TYPE_CHECKING:
    from translator.backend import EmittedModule
    from translator.frontend import Selection
    from translator.frontend.signature import ParamType
    from translator.ir import nodes as ir

logger = logging.getLogger("py2omp")

_LIBRARIES: dict[tuple[KernelSource, Target], runtime_shim.Library] = {}
_LOCK = threading.Lock()


class Kernel:
    """The object `@kernel` returns: call it like the function; `py_func` is the function itself."""

    __name__: str  # with the function's other attributes, from `functools.update_wrapper`

    def __init__(self, func: Callable[..., Any], target: str | None = None, device: int | None = None) -> None:
        functools.update_wrapper(self, func)
        self.py_func = func
        self.device = device
        self._target_spec = target
        self._compiled: runtime_shim.CompiledKernel | None = None
        self._chunked: runtime_shim.CompiledKernel | None = None

    @property
    def source(self) -> KernelSource:
        """The text of the kernel's module (its file or notebook cell) and the name errors give it."""
        return kernel_source(self.py_func)

    @property
    def target(self) -> Target:
        """The target this kernel runs on: `@kernel(target=...)`, else `$PY2OMP_TARGET`, else auto."""
        return resolve_target(self._target_spec)

    def translate(self, target: str | Target | None = None) -> EmittedModule:
        """The emitted C, header and manifest of this kernel's module (its annotated kernels) for `target`."""
        return _translate(self.source, self._choose(target), _annotated())

    def _choose(self, target: str | Target | None) -> Target:
        if target is None:
            return self.target
        return as_target(target)

    @property
    def c_source(self) -> str:
        return self.translate().c_source

    def library(self, target: str | Target | None = None) -> runtime_shim.Library:
        """The built library of this kernel's module (built and cached on first use)."""
        chosen = self._choose(target)
        source = self.source
        key = (source, chosen)
        with _LOCK:
            if key not in _LIBRARIES:
                _LIBRARIES[key] = _load(source, chosen, _ANNOTATED, _annotated)[0]
            return _LIBRARIES[key]

    def compiled(self) -> runtime_shim.CompiledKernel:
        """The loaded C kernel for this kernel's target (built on first use)."""
        if self._compiled is None:
            kernels = self.library().kernels
            if self.__name__ not in kernels:
                raise BuildError(f"kernel '{self.__name__}' must be defined at the top level of its module")
            self._compiled = kernels[self.__name__]
        return self._compiled

    @property
    def stats(self) -> runtime_shim.KernelStats:
        """Calls, bytes moved to and from the device and seconds, accumulated over calls."""
        return self.compiled().stats

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self.compiled()
        return compiled(*args, **kwargs)

    def on(self, devices: Sequence[int] | None = None) -> Callable[..., Any]:
        """`kernel.on([0, 1])(*args)`: one call whose outermost `prange`s are split into contiguous
        chunks, one per device, run concurrently (docs/language.md, "Several devices"); without
        `devices`, every device the offload runtime sees.

        The first use builds a library of this kernel alone with its chunked entry point
        (`passes/split_devices.py`); a kernel that cannot be split safely is a located error then.
        """
        if self._chunked is None:
            selection = functools.partial(_chunked_selection, self.__name__)
            library, _ = _load(self.source, self.target, f"{self.__name__}:chunked", selection)
            self._chunked = library.kernels[self.__name__]
        return self._chunked.on(range(runtime_shim.device_count()) if devices is None else devices)

    def __repr__(self) -> str:
        return f"<py2omp kernel {self.__name__}>"


_ANNOTATED = "annotated"
"""The index's name for the module library, which holds the annotated kernels; the others are built
per call (`GenericKernel`)."""


def _annotated() -> Selection:
    from translator.frontend import Selection  # the translator's modules load on the first translation
    return Selection(skip_untyped=True)


def _chunked_selection(name: str) -> Selection:
    """Kernel `name` alone, with its chunked variant (`Kernel.on`)."""
    from translator.frontend import Selection  # the translator's modules load on the first translation
    return Selection(only=name, chunked=True)


def _lower(source: KernelSource, target: Target, selection: Selection) -> ir.Module:
    """The typed IR of the kernels of `source` that `selection` keeps."""
    from translator import pipeline  # the translator's modules load on the first translation
    return pipeline.lower(source.path, target, source.text, dict(source.outer_names), selection)


def _translate(source: KernelSource, target: Target, selection: Selection) -> EmittedModule:
    from translator import backend  # the translator's modules load on the first translation
    return backend.emit_module(_lower(source, target, selection))


def _load(source: KernelSource, target: Target, wanted: str, selection: Callable[[], Selection],
          describe: Callable[[ir.Module], str | None] = lambda module: None) -> tuple[runtime_shim.Library, str | None]:
    """The library of what `selection` keeps of `source` (`wanted` names it in the index key), and
    `describe` of its IR (a specialization's signature). Where the index's record holds, loaded with
    no translation; else translated, built or found in the build cache, and recorded in the index."""
    key = index.index_key(source.path, source.text, source.outer_names, str(target), wanted)
    found = index.lookup(key)
    if found is not None:
        try:
            library = runtime_shim.load(found.build)
        except (OSError, ValueError) as exc:
            logger.info("the index names a build that does not load (%s); translating again", exc)
        else:
            _warn(found.warnings)
            return library, found.signature
    from translator import backend  # the translator's modules load on the first translation
    module = _lower(source, target, selection())
    emitted = backend.emit_module(module)
    rendered = [warning.render() for warning in emitted.warnings]
    _warn(rendered)
    built = build_cached(module.name, emitted.c_source, emitted.h_source, emitted.manifest, target)
    described = describe(module)
    index.record(key, built, _helper_files(module, source.path), rendered, described)
    return runtime_shim.load(built), described


def _warn(rendered: tuple[str, ...] | list[str]) -> None:
    """What translation found, shown at each process's first call (also when the index spares it)."""
    for text in rendered:
        warnings.warn(text, TranslationWarning, stacklevel=6)


def _helper_files(module: ir.Module, path: str) -> set[str]:
    """The other modules whose device functions the kernels call: their text decides the C too."""
    spans = [f.span for f in module.functions] + [k.span for k in module.device_functions]
    return {span.path for span in spans} - {path}


@dataclass(frozen=True)
class Specialization:
    """One compiled signature of a `GenericKernel`: readable signature, loaded library and kernel."""

    signature: str
    library: runtime_shim.Library
    compiled: runtime_shim.CompiledKernel

    @property
    def c_source(self) -> str:
        """The C the library was built from, as the build cache keeps it beside the library."""
        return self.library.path.with_suffix(".c").read_text(encoding="utf-8")


class GenericKernel(Kernel):
    """A kernel whose parameters (some or all) take their types from each call, as `numba.njit` does.

    Each new combination of argument types translates this kernel alone with those types and builds
    one library for it (content-addressed in the build cache like any other); `signatures` lists them.
    A call first tries the fast path of the specialization that the latest call used (`_last`),
    which accepts exactly the arguments of that call's types (`call_types.fast_guard`), so a run of
    calls with the same types costs what an annotated kernel's call does; any other call computes its
    `call_types.call_key` and looks it up in a dictionary. The calls' target is chosen at the first
    call, as for `Kernel`; `specialization(*args, target=...)` gives others.
    """

    def __init__(self, func: Callable[..., Any], target: str | None, device: int | None,
                 untyped: tuple[bool, ...]) -> None:
        super().__init__(func, target, device)
        self._untyped = untyped
        parameters = inspect.signature(func).parameters
        self._names = tuple(parameters)
        self._defaults = {n: p.default for n, p in parameters.items() if p.default is not inspect.Parameter.empty}
        self._arity = len(self._names)
        self._dispatch: dict[tuple[object, ...], runtime_shim.CompiledKernel] = {}
        self._last: runtime_shim.CompiledKernel | None = None
        self._calls_target: Target | None = None
        self._built: dict[tuple[Target, tuple[ParamType | None, ...]], Specialization] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        last = self._last
        if last is not None and not kwargs:
            found = last.fast.arguments(args)  # type: ignore[union-attr]  # `_last` has a fast path
            if found is not None:
                return last.call_fast(args, *found)
        if kwargs or len(args) != self._arity:
            args = tuple(bind_arguments(self.__name__, self._names, args, kwargs, self._defaults))
        key = call_key(args)
        compiled = self._dispatch.get(key)
        if compiled is None:
            compiled = self._dispatch[key] = self._new_call(args)
        if compiled.fast is not None and fast_guard(self._untyped, key):
            self._last = compiled
        return compiled(*args)

    def _new_call(self, args: tuple[Any, ...]) -> runtime_shim.CompiledKernel:
        """The specialization for a call whose key is new, on the calls' target (chosen at the first)."""
        if self._calls_target is None:
            self._calls_target = self.target
        return self.specialization(*args, target=self._calls_target)

    def specialization(self, *args: Any, target: str | Target | None = None) -> runtime_shim.CompiledKernel:
        """The compiled kernel for the types of `args` on `target`, translated and built on first use."""
        chosen = self._choose(target)
        if len(args) != self._arity:  # defaults fill the parameters left out, as in the call
            args = tuple(bind_arguments(self.__name__, self._names, args, {}, self._defaults))
        types = argument_types(self.__name__, self._names, self._untyped, args)
        with _LOCK:
            found = self._built.get((chosen, types))
            if found is None:
                found = self._built[(chosen, types)] = self._specialize(types, chosen)
        return found.compiled

    def _specialize(self, types: tuple[ParamType | None, ...], target: Target) -> Specialization:
        symbol = specialization_symbol(self.__name__, types)
        wanted = f"{self.__name__}:{symbol}:{types!r}"

        def selection() -> Selection:
            from translator.frontend import Selection, Signature  # loaded on the first translation
            return Selection({self.__name__: Signature(types, symbol)}, only=self.__name__)

        def describe(module: ir.Module) -> str:
            return signature_text(module.kernels[0].params)

        library, signature = _load(self.source, target, wanted, selection, describe)
        assert signature is not None
        return Specialization(signature, library, library.kernels[self.__name__])

    @property
    def signatures(self) -> list[str]:
        """The signatures compiled so far, in order (`'(f64[:, :], int)'`), as `--signature` takes them."""
        return list(dict.fromkeys(s.signature for s in self._built.values()))

    def translate(self, target: str | Target | None = None, signature: str | None = None) -> EmittedModule:
        """The emitted C, header and manifest of this kernel for `signature` (`'f64[:], float'`), whose
        types its parameters without annotations need: without one it is a located error."""
        from translator.frontend import Selection, Signature  # the translator's modules load on the first translation
        from translator.frontend.signature import parse_signature
        given = {} if signature is None else {self.__name__: Signature(parse_signature(signature))}
        return _translate(self.source, self._choose(target), Selection(given, only=self.__name__))

    @property
    def c_source(self) -> str:
        """The C of the latest specialization; before any call, the error `translate()` gives."""
        if self._built:
            return list(self._built.values())[-1].c_source
        return self.translate().c_source

    def on(self, devices: Sequence[int] | None = None) -> Callable[..., Any]:
        """Not yet for a kernel typed by its calls: annotate its parameters to split it across devices."""
        raise BuildError(f"kernel '{self.__name__}' takes parameter types from each call; kernel.on(devices) "
                         "needs annotated parameters")

    def compiled(self) -> runtime_shim.CompiledKernel:
        """A generic kernel has one compiled kernel per signature: `specialization(*args)` gives it."""
        raise BuildError(f"kernel '{self.__name__}' takes parameter types from each call; "
                         f"use {self.__name__}.specialization(*args) for the compiled kernel of those arguments")


def kernel(func: Callable[..., Any] | None = None, *, target: str | None = None, device: int | None = None,
           boundscheck: bool = True) -> Any:
    """Decorate a function as a kernel: `@kernel`, `@kernel(target="cpu")`, `@kernel(device=1)`.

    Parameters without annotations take their types from each call (a `GenericKernel`). `device` is
    the OpenMP device number the offloaded loops run on (`device(k)` clauses); the translator reads
    it from the decorator in the source, so it must be an integer constant there. `boundscheck=False`
    drops the checks the kernel makes of indices it cannot prove in range before the call (gathers,
    scatters); the caller's checks of the lengths accesses need stay (docs/language.md, "Bounds").
    The translator reads it from the source too.
    """
    if func is None:
        return lambda f: _make_kernel(f, target, device)
    return _make_kernel(func, target, device)


def _make_kernel(func: Callable[..., Any], target: str | None, device: int | None) -> Kernel:
    untyped = untyped_parameters(func)
    return GenericKernel(func, target, device, untyped) if any(untyped) else Kernel(func, target, device)


def to_device(array: Any, kernel: Kernel | None = None) -> runtime_shim.DeviceArray:
    """Copy `array` to device memory for kernels to take with no transfer (`.to_numpy()` copies back).

    Device memory is allocated through the offload runtime of a loaded library: pass `kernel` to
    build and load its library first when no kernel has run yet.
    """
    _load_first(kernel)
    return runtime_shim.to_device(array)


def device_count(kernel: Kernel | None = None) -> int:
    """How many offload devices the runtime sees (4 on host-offload); `kernel` as for `to_device`."""
    _load_first(kernel)
    return runtime_shim.device_count()


def devices(kernel: Kernel | None = None) -> list[int]:
    """The OpenMP device numbers kernels can run on, for `kernel.on(devices())`: 0 to `device_count() - 1`
    (4 virtual devices on host-offload, the visible GPUs otherwise); `kernel` as for `to_device`."""
    return list(range(device_count(kernel)))


def use_device(device: int, kernel: Kernel | None = None) -> None:
    """Run the kernels, data regions and device arrays that follow on OpenMP device `device`, chosen at
    run time (an MPI rank takes `local_rank % device_count()`).

    `@kernel(device=k)` fixes a device when the C is made; this sets the calling thread's default device
    (`omp_set_default_device`) that every other kernel uses. Pass `kernel` to load its library first
    when none has run yet, as for `to_device`.
    """
    _load_first(kernel)
    runtime_shim.use_device(device)


def empty_pinned(shape: int | tuple[int, ...], dtype: Any = "float64", kernel: Kernel | None = None) -> Any:
    """A NumPy array in page-locked host memory, which GPUs copy at the link's speed (docs/data-movement.md).

    The memory comes from the offload runtime of a loaded library: pass `kernel` to build and load
    its library first when no kernel has run yet, as for `to_device`. Freed with its last array.
    """
    _load_first(kernel)
    return runtime_shim.empty_pinned(shape, dtype)


def zeros_pinned(shape: int | tuple[int, ...], dtype: Any = "float64", kernel: Kernel | None = None) -> Any:
    """`numpy.zeros` in pinned host memory; `kernel` as for `empty_pinned`."""
    _load_first(kernel)
    return runtime_shim.zeros_pinned(shape, dtype)


def empty_pinned_like(array: Any, dtype: Any = None, kernel: Kernel | None = None) -> Any:
    """`numpy.empty_like` (C order) in pinned host memory; `kernel` as for `empty_pinned`."""
    _load_first(kernel)
    return runtime_shim.empty_pinned_like(array, dtype)


def zeros_pinned_like(array: Any, dtype: Any = None, kernel: Kernel | None = None) -> Any:
    """`numpy.zeros_like` (C order) in pinned host memory; `kernel` as for `empty_pinned`."""
    _load_first(kernel)
    return runtime_shim.zeros_pinned_like(array, dtype)


def _load_first(kernel: Kernel | None) -> None:
    """Build and load `kernel`'s library, whose offload runtime the device and host memory functions use."""
    if kernel is not None:
        kernel.compiled()
