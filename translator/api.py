"""`@kernel`: a Python function that translates, builds and runs itself on first call.

All kernels of one Python file (or notebook cell: `kernel_source`) share one C file and one library
per target, so the first call of any of them builds the module once (cached on disk by content);
later calls go straight to the `runtime_shim` binding, which checks the NumPy arguments and calls
the C function.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any, Callable

import runtime_shim
from translator import pipeline
from translator.backend import EmittedModule
from translator.errors import BuildError, TranslationWarning
from translator.frontend import module_name
from translator.kernel_source import KernelSource, kernel_source
from translator.toolchain.cache import build_cached
from translator.targets import Target, as_target
from translator.toolchain.resolve import resolve_target

_LIBRARIES: dict[tuple[KernelSource, Target], runtime_shim.Library] = {}
_LOCK = threading.Lock()


class Kernel:
    """The object `@kernel` returns: call it like the function; `py_func` is the function itself."""

    def __init__(self, func: Callable[..., Any], target: str | None = None, device: int | None = None) -> None:
        functools.update_wrapper(self, func)
        self.py_func = func
        self.device = device
        self._target_spec = target
        self._compiled: runtime_shim.CompiledKernel | None = None

    @property
    def source(self) -> KernelSource:
        """The text of the kernel's module (its file or notebook cell) and the name errors give it."""
        return kernel_source(self.py_func)

    @property
    def target(self) -> Target:
        """The target this kernel runs on: `@kernel(target=...)`, else `$PY2OMP_TARGET`, else auto."""
        return resolve_target(self._target_spec)

    def translate(self, target: str | Target | None = None) -> EmittedModule:
        """The emitted C, header and manifest of this kernel's module for `target`."""
        return _translate(self.source, self._choose(target))

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
                emitted = _translate(source, chosen)
                for warning in emitted.warnings:
                    warnings.warn(warning.render(), TranslationWarning, stacklevel=3)
                built = build_cached(module_name(source.path), emitted.c_source, emitted.h_source, emitted.manifest,
                                     chosen)
                _LIBRARIES[key] = runtime_shim.load(built)
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

    def __repr__(self) -> str:
        return f"<py2omp kernel {self.__name__}>"


def _translate(source: KernelSource, target: Target) -> EmittedModule:
    return pipeline.translate(source.path, target, source.text, dict(source.outer_names))


def kernel(func: Callable[..., Any] | None = None, *, target: str | None = None, device: int | None = None) -> Any:
    """Decorate a function as a kernel: `@kernel`, `@kernel(target="cpu")`, `@kernel(device=1)`.

    `device` is the OpenMP device number the offloaded loops run on (`device(k)` clauses); the
    translator reads it from the decorator in the source, so it must be an integer constant there.
    """
    if func is None:
        return lambda f: Kernel(f, target, device)
    return Kernel(func, target, device)


def to_device(array: Any, kernel: Kernel | None = None) -> runtime_shim.DeviceArray:
    """Copy `array` to device memory for kernels to take with no transfer (`.to_numpy()` copies back).

    Device memory is allocated through the offload runtime of a loaded library: pass `kernel` to
    build and load its library first when no kernel has run yet.
    """
    if kernel is not None:
        kernel.compiled()
    return runtime_shim.to_device(array)
