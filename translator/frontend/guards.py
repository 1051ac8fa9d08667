"""Checks that only the running kernel can make, around the statement that needs them.

Two lengths an array statement combines must be equal (NumPy raises otherwise); the caller checks
them before the call when they depend only on the arguments (`ir.LengthCheck`). When they depend on
a loop variable or a local (`C[i, :i + 1] += A[:i + 1]`), the kernel checks them itself, just before
the statement: `ir.If(all equal, statement, record the failure, guard=True)`. A failed check skips
its statement (so nothing is read or written out of bounds) and stores the check's number in the
hidden one-element parameter `ir.STATUS`, zero before the call, as `ir.FAILED - number` with an
`atomic max`: when several checks fail (in parallel iterations, or one after another), the one
first in the source is reported, as Python would raise there first. The caller raises `ValueError`
with that check's message after the call. What the kernel wrote before or after the failure is
unspecified, as after a Python exception midway.
"""

from __future__ import annotations

from translator.errors import Span, TranslationError
from translator.frontend.context import KernelScope
from translator.frontend.views import same
from translator.ir import nodes as ir
from translator.ir.types import I32, ArrayType, Ownership


def check_at_run_time(length: ir.Expr, expected: ir.Expr, span: Span, scope: KernelScope) -> None:
    """Record that `length == expected` must hold when the current statement runs."""
    if not scope.lifting:
        raise TranslationError.at(
            span, "this operand's length must equal the statement's, which only the running code can check, and a "
            "device function cannot report a failed check: write this statement in the kernel, or as a loop")
    length, expected = _length(length), _length(expected)
    if any(same(c.left, length) and same(c.right, expected) for c, _ in scope.guards):
        return
    scope.guards.append((ir.Compare("==", length, expected, span), span))


def _length(expr: ir.Expr) -> ir.Expr:
    """A slice's length as Python counts it: a slice past its end (`x[i:j]` with j < i) has none."""
    return ir.Call("max", (expr, ir.Const(0, expr.span)), expr.span)


def guarded(stmts: list[ir.Stmt], guards: list[tuple[ir.Compare, Span]], scope: KernelScope) -> list[ir.Stmt]:
    """`stmts` (one Python statement and its prelude) run only when every check holds; otherwise
    each failed check records its number."""
    if not guards:
        return stmts
    span = stmts[0].span
    cond: ir.Expr = guards[0][0]
    for check, _ in guards[1:]:
        cond = ir.Logical("and", cond, check, span)
    if len(guards) == 1:
        failed: tuple[ir.Stmt, ...] = (_record(guards[0][1], scope),)
    else:  # say which
        failed = tuple(ir.If(ir.Compare("!=", check.left, check.right, at), (_record(at, scope),), (), at)
                       for check, at in guards)
    if not scope.in_prange:  # the status lives on the device, as the arrays do
        failed = (ir.Loop(scope.fresh_loop_var("once"), ir.Const(0, span), ir.Const(1, span), 1, failed, span,
                          parallel=True),)
    return [ir.If(cond, tuple(stmts), failed, span, guard=True)]


def _record(span: Span, scope: KernelScope) -> ir.AtomicUpdate:
    """`atomic max(STATUS[0], FAILED - number)` for a new failure at `span`."""
    if not scope.failures:
        if ir.STATUS in scope.params or ir.STATUS in scope.assigned:
            raise TranslationError.at(span, f"this kernel uses '{ir.STATUS}', the name py2omp gives its run-time "
                                      "checks' status; rename it")
        one = ir.Const(1, span)
        scope.params[ir.STATUS] = ir.Param(ir.STATUS, ArrayType(I32, 1), Ownership.INOUT, span,
                                           ir.Allocation((one,), ir.Const(0, span), span))
    scope.failures.append(ir.Failure(
        f"the array statement at line {span.line} combines lengths that differ there (the operand at column "
        f"{span.col}); NumPy raises here: operands could not be broadcast together", span))
    index = ir.Index(ir.STATUS, (ir.Const(0, span),), span)
    return ir.AtomicUpdate("max", index, ir.Const(ir.FAILED - len(scope.failures), span), span)
