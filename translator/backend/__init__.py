"""The C backend: typed IR module -> C source, C header and manifest.

`emit_module` is the whole interface. Inside, `lower` turns the IR into a view model of C text
and clause data (names from `names`, expressions from `c_expr`, helpers from `helpers`),
`render` lays it out with the jinja2 templates in `templates/` and fixes up `#line`,
`interfaces` restates the header as a Fortran module, and `manifest` describes the calling
convention for the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from translator.backend.interfaces import render_fortran
from translator.backend.lower import build_view
from translator.backend.manifest import build_manifest
from translator.backend.render import render_module
from translator.errors import Diagnostic
from translator.ir import nodes as ir

__all__ = ["EmittedModule", "emit_module"]


@dataclass(frozen=True)
class EmittedModule:
    """What the toolchain writes: `<module>.c`, `<module>.h` and `<module>.json` (the manifest);
    `f90_source` is the Fortran module that `py2omp build --emit f90` writes."""

    c_source: str
    h_source: str
    manifest: dict[str, Any]
    f90_source: str
    warnings: tuple[Diagnostic, ...] = ()
    """Diagnostics that do not stop translation (ownership that moves more data than needed)."""


def emit_module(module: ir.Module, staging: bool = False) -> EmittedModule:
    """Emit a typed, verified module; the same module always gives the same bytes. `staging`: the
    exported kernels stage their arrays through pinned memory (`backend.staged`, `py2omp build --staging`)."""
    view = build_view(module, staging)
    c_source, h_source = render_module(view)
    warnings = tuple(w for k in module.kernels for w in k.warnings)
    return EmittedModule(c_source, h_source, build_manifest(module, staging), render_fortran(view, module.name),
                         warnings)
