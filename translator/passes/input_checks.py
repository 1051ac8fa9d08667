"""Where a check of the inputs may stand (`ir.InputCheck`, docs/language.md "Checks of the inputs").

The caller evaluates the kernel's checks of its inputs before the call, in source order with the
length checks and the preconditions of accesses (`runtime_shim.library`), so a check means what
Python means only where Python surely reaches it and nothing before it could raise first without
the caller knowing. After a check the running kernel makes (an index out of range, an empty max,
`int()` of NaN, a device function's failure: all recorded in `ir.STATUS`) the caller would raise
the later check first, so that is a located error here, run once the kernel's own checks and those
of the functions it calls are in the body (`passes.bounds`, `passes.function_failures`). (A
kernel's `return` is its last statement, so no check follows one.)
"""

from __future__ import annotations

from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.visit import walk


def check_order(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` unchanged, or a located error at the first check that follows a check made by
    the running kernel."""
    for check in kernel.input_checks:
        for stmt in kernel.body:
            if not _before(stmt.span, check.span):
                continue
            if any(_records(node) for node in walk(stmt)):
                raise TranslationError.at(check.span, (
                    f"this check of the inputs is made by the caller before the kernel runs, but the statement at "
                    f"line {stmt.span.line} before it has a check only the running kernel can make (Python would "
                    f"raise that one first); move this check before line {stmt.span.line}"))
    return kernel


def _before(stmt: Span, check: Span) -> bool:
    return stmt.path == check.path and (stmt.line, stmt.col) < (check.line, check.col)


def _records(node: object) -> bool:
    """Whether `node` records a failure in the status array or hands it to a function that may."""
    if isinstance(node, (ir.Index, ir.ArrayArg)):
        return node.array == ir.STATUS
    return isinstance(node, ir.Name) and node.id == ir.STATUS
