"""Call kernels built by py2omp from Python: load the `.so` and its manifest, check numpy arguments, call.

Imports only the standard library and NumPy, so a machine with just the built library, its manifest
and Python can run kernels (no compiler, no translator).

    lib = runtime_shim.load("build/saxpy")      # or "build/saxpy/saxpy.json"
    lib.saxpy(2.0, x, y)
"""

from .binding import Binding, prepare
from .device import DeviceArray, empty_on_device, to_device
from .device_cache import device_memory_stats, release_device_memory
from .kept import RegisteredMemory, registered_memory, release_registered
from .library import CompiledKernel, Library, LibraryMismatch, check_library, library_sha256, load
from .manifest import FORMAT, KernelSpec, Manifest, ParamSpec, parse_manifest, read_manifest
from .movement import KernelStats
from .pinned import empty_pinned, empty_pinned_like, pinned_bytes, zeros_pinned, zeros_pinned_like
from .pool import DeviceMemoryStats
from .resident import DataRegion, data_region, device_count, use_device

__all__ = [
    "FORMAT",
    "Binding",
    "CompiledKernel",
    "DataRegion",
    "DeviceArray",
    "DeviceMemoryStats",
    "KernelSpec",
    "KernelStats",
    "Library",
    "LibraryMismatch",
    "Manifest",
    "ParamSpec",
    "RegisteredMemory",
    "check_library",
    "data_region",
    "device_count",
    "device_memory_stats",
    "empty_on_device",
    "empty_pinned",
    "empty_pinned_like",
    "library_sha256",
    "load",
    "parse_manifest",
    "pinned_bytes",
    "prepare",
    "read_manifest",
    "registered_memory",
    "release_device_memory",
    "release_registered",
    "to_device",
    "use_device",
    "zeros_pinned",
    "zeros_pinned_like",
]
