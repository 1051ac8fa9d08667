"""The manifest (design.md, format 1): everything `runtime_shim` needs to call the built library.

It is computed from the typed IR, not from the C text, so that it states the calling convention
the C was generated for: parameter order, dtypes, ranks (one extent per dimension follows each
array) and ownership (whether the runtime may let arrays alias).
"""

from __future__ import annotations

from typing import Any

from translator.backend.lower import array_ownership
from translator.backend.names import kernel_symbols
from translator.ir import nodes as ir
from translator.ir.types import ArrayType
from translator.version import __version__

FORMAT = 1


def build_manifest(module: ir.Module) -> dict[str, Any]:
    """The manifest of `module` as JSON-ready data; `library` is `<module name>.so`."""
    symbols = kernel_symbols(module)
    return {
        "format": FORMAT,
        "py2omp_version": __version__,
        "module": module.name,
        "source": module.path,
        "source_sha256": module.source_sha256,
        "target": module.target,
        "library": f"{module.name}.so",
        "kernels": [_kernel(k, symbols[k.name]) for k in module.kernels],
    }


def _kernel(kernel: ir.Kernel, symbol: str) -> dict[str, Any]:
    """A kernel's entry; `device` appears only for `@kernel(device=k)` (absent: default device)."""
    entry = {
        "name": kernel.name,
        "symbol": symbol,
        "returns": None if kernel.return_type is None else kernel.return_type.numpy_name,
        "line": kernel.span.line,
        "params": [_param(p) for p in kernel.params],
    }
    return entry if kernel.device is None else {**entry, "device": kernel.device}


def _param(param: ir.Param) -> dict[str, Any]:
    if isinstance(param.type, ArrayType):
        return {
            "name": param.name,
            "kind": "array",
            "dtype": param.type.dtype.numpy_name,
            "rank": param.type.rank,
            "ownership": array_ownership(param).value,
        }
    return {"name": param.name, "kind": "scalar", "dtype": param.type.numpy_name}
