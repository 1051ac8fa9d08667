"""py2omp: annotated Python kernels to C with OpenMP target offload, built by clang, called with NumPy.

    from translator import kernel, prange, In, InOut, f32

    @kernel
    def saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
        for i in prange(x.shape[0]):
            y[i] = a * x[i] + y[i]
"""

from typing import Any

from runtime_shim import (
    DeviceArray, data_region, device_memory_stats, registered_memory, release_device_memory, release_registered,
)
from translator.api import (
    Kernel, device_count, devices, empty_pinned, empty_pinned_like, kernel, to_device, use_device, zeros_pinned, zeros_pinned_like,
)
from translator.errors import BuildError, TranslationError, TranslationWarning
from translator.lang import (
    In, InOut, Out, Scratch, atomic_add, atomic_max, atomic_min, atomic_sub, b1, c64, c128, device_functions, f32, f64,
    i8, i16, i32, i64, prange, u8, u16, u32, u64,
)
from translator.version import __version__

__all__ = [
    "BuildError", "DeviceArray", "In", "InOut", "Kernel", "Out", "Scratch", "TranslationError", "TranslationWarning",
    "__version__", "atomic_add", "atomic_max", "atomic_min", "atomic_sub", "b1", "c64", "c128", "data_region",
    "device_count", "device_functions", "device_memory_stats", "devices", "empty_pinned", "empty_pinned_like",
    "f32", "f64", "i8", "i16", "i32", "i64", "kernel", "prange", "registered_memory", "release_device_memory", "release_registered", "to_device", "translate", "u8", "u16", "u32", "u64",
    "use_device", "zeros_pinned", "zeros_pinned_like",
]


def __getattr__(name: str) -> Any:
    """`translate` loads the translator's modules (libcst, the passes, the backend) when first asked
    for: `import translator` and a call of a kernel whose build is cached do without them."""
    if name == "translate":
        from translator.pipeline import translate
        return translate
    raise AttributeError(f"module 'translator' has no attribute '{name}'")
