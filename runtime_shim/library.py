"""Loading a built library with its manifest, and calling its kernels like the Python functions.

This is what runs on a machine that has only the `.so`, its manifest, NumPy and Python (a GPU node
with no compiler), so it imports nothing from the translator.
"""

from __future__ import annotations

import ctypes
import inspect
import os
from pathlib import Path

from .binding import Binding, prepare
from .manifest import KernelSpec, Manifest, read_manifest


class CompiledKernel:
    """One kernel of a loaded library, called with the same arguments as its Python function.

    The ctypes function gets its own `argtypes`/`restype` here, once; a call binds the arguments,
    runs the prepared per-parameter converters and calls C. ctypes releases the GIL during the call.
    """

    def __init__(self, spec: KernelSpec, cdll: ctypes.CDLL) -> None:
        try:
            # Indexing (not attribute access) gives a function object of our own: ctypes caches
            # attributes, and argtypes set on a shared one would leak to other users of `cdll`.
            function = cdll[spec.symbol]
        except AttributeError as exc:
            raise AttributeError(f"kernel '{spec.name}' (symbol '{spec.symbol}'): {exc}") from exc
        binding = prepare(spec)
        function.argtypes = binding.argtypes
        function.restype = binding.restype
        self.spec = spec
        self.binding: Binding = binding
        self.function = function
        self.__name__ = spec.name
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in spec.params]
        )

    def __call__(self, *args: object, **kwargs: object) -> object:
        """Check the arguments, call C, and return None or a NumPy scalar of the declared dtype."""
        binding = self.binding
        values = args if not kwargs and len(args) == len(binding.names) else binding.bind(args, kwargs)
        value = self.function(*binding.convert(values))
        return None if binding.result is None else binding.result(value)

    def __repr__(self) -> str:
        return f"<CompiledKernel {self.spec.name}{self.__signature__}>"


class Library:
    """A loaded library: its manifest, its kernels by name, and each kernel as an attribute.

    A kernel named like one of the attributes below (`kernels`, `manifest`, `path`) is still reachable
    as `lib.kernels[name]`.
    """

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.path = manifest.library_path.resolve()
        if not self.path.is_file():
            raise FileNotFoundError(f"{manifest.path}: library '{manifest.library}' not found at {self.path}")
        if manifest.target == "host-offload":
            # The virtual device runs every team as a host thread; libomp warns when it cannot form as
            # many as asked, which is expected there and only noise for the user.
            os.environ.setdefault("KMP_WARNINGS", "0")
        cdll = ctypes.CDLL(str(self.path))
        self.kernels: dict[str, CompiledKernel] = {k.name: CompiledKernel(k, cdll) for k in manifest.kernels}

    def __getattr__(self, name: str) -> CompiledKernel:
        # Only called for names that are not ordinary attributes; `kernels` may be absent while
        # __init__ runs or on a half-built copy, so it is looked up without recursing.
        kernels = self.__dict__.get("kernels", {})
        if name in kernels:
            return kernels[name]
        available = ", ".join(kernels) or "none"
        raise AttributeError(f"Library has no attribute or kernel '{name}' (kernels: {available})")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get("kernels", {})})

    def __repr__(self) -> str:
        return f"<Library {self.manifest.module} at {self.path}: {', '.join(self.kernels)}>"


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
