"""The C of a vendor BLAS call (`ir.LibraryCall`, `passes/blas.py`): the prelude's loader and
wrappers a module needs (`templates/prelude.c.j2`, macro `blas`), the arguments of a wrapper, and
where the host waits for the library (`passes/library_runs.py`)."""

from __future__ import annotations

from runtime_shim.blas import SYSTEM_NAMES
from translator.backend.view import BlasView
from translator.ir import nodes as ir
from translator.ir.visit import walk_all

BLAS_STATUS = "py2omp_blas"
"""The local holding a library call's outcome (-1: not called, 0: done, else the library's status)."""

BLAS_DONE, BLAS_WAIT = "py2omp_blas_done", "py2omp_blas_wait"
"""The prelude's waits for the library: after a call alone (when it queued a product), and after a
call that follows queued ones (whatever its status)."""


def blas_view(module: ir.Module) -> BlasView | None:
    """The prelude's BLAS loader with the wrappers of the routines the kernels call, if any."""
    calls = [n for k in module.kernels for n in walk_all(k.body) if isinstance(n, ir.LibraryCall)]
    if not calls or module.target is None:
        return None
    return BlasView(tuple(sorted({c.symbol for c in calls})), SYSTEM_NAMES if module.target.is_gpu else (),
                    tuple(sorted({c.symbol for c in calls if c.in_place})))


def blas_arguments(s: ir.LibraryCall, sizes: list[str], at: list[str], strides: list[str], alpha: str,
                   beta: str) -> list[str]:
    """The arguments of the routine's wrapper (prelude, macro `blas`): flags (the triangle, the
    transposes, the unit diagonal), sizes, alpha, the operands with their strides, beta and C."""
    flags = [str(int(t)) for t in s.transposed]
    operands, into = [at[0], strides[0], at[1], strides[1]], [beta, at[2], strides[2]]
    lower = str(int(s.triangle == "lower"))
    if s.routine == "gemm":
        return [*flags, *sizes, alpha, *operands, *(into[1:] if s.in_place else into)]  # in place: beta is 0
    if s.routine == "gemv":
        return [flags[0], sizes[0], sizes[2], alpha, *operands, *into]
    if s.routine == "trmm":  # into B (the in-place wrapper): no beta, no C
        return [lower, flags[0], str(int(s.unit_diagonal)), sizes[0], sizes[1], alpha, *operands]
    return [lower, flags[0], sizes[0], sizes[2], alpha, *operands, *into]  # syrkx, syr2k


def call_and_wait(s: ir.LibraryCall, args: list[str]) -> tuple[str, str | None, str | None]:
    """The wrapper's call, then the wait after it and the wait's guard (`LibraryCallView`). A call
    alone waits in the call's expression (inside its `target data` region, whose end copies back);
    the in-place wrapper waits itself; in a run (`LibraryCall.queued`, `after_queued`) the first
    call does not wait, the last waits after it whatever its status, and one within the run only
    before its loops (status -1)."""
    call = f"py2omp_blas_{s.symbol}{'_in_place' * s.in_place}({', '.join(args)})"
    if not s.after_queued:
        return (call if s.queued or s.in_place else f"{BLAS_DONE}({call})"), None, None
    return call, f"{BLAS_WAIT}({BLAS_STATUS})", f"{BLAS_STATUS} < 0" if s.queued else None
