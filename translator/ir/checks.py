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

The nodes are built typed, so `passes.lower_arrays` (after typing) uses them as they are; typing
recomputes the same types where the frontend builds them.
"""

from __future__ import annotations

import dataclasses

from typing import Callable, Mapping, NamedTuple, Sequence

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import as_index, of_arguments, same
from translator.ir.types import BOOL, I32, I64, ArrayType, Ownership, real_value



class Check(NamedTuple):
    """A condition that must hold, the operand it is about, and the failure recorded when it does
    not: None for a length check's (`failure(span)`, which names the operand)."""

    cond: ir.Expr
    span: Span
    failure: ir.Failure | None = None


def equal_lengths(length: ir.Expr, expected: ir.Expr, span: Span) -> ir.Compare:
    """`length == expected` as Python counts slices: a slice past its end (`x[i:j]` with j < i) has
    length 0."""
    def counted(expr: ir.Expr) -> ir.Expr:
        return as_index(ir.Call("max", (expr, ir.Const(0, expr.span)), expr.span))
    return ir.Compare("==", counted(length), counted(expected), span, BOOL)


def settled_before_run(length: ir.Expr, expected: ir.Expr, span: Span, params: Mapping[str, ir.Param],
                       length_checks: list[ir.LengthCheck], kind: str = "broadcast",
                       reshape: tuple[ir.Expr, ...] | None = None) -> bool:
    """Whether `length == expected` is settled before the kernel runs: the same expression, or both
    computed from the arguments (and the `reshape` shape a reshape's size check words its error
    with), then recorded (once) in `length_checks` for the caller. False: only the running kernel
    can check it (`add_check`)."""
    if same(length, expected):
        return True
    if not (of_arguments(length, params) and of_arguments(expected, params)
            and all(of_arguments(n, params) for n in reshape or ())):
        return False
    if not any(same(c.left, length) and same(c.right, expected) for c in length_checks):
        length_checks.append(ir.LengthCheck(length, expected, span, kind=kind, reshape=reshape))
    return True


def reshape_failure(asked: str, span: Span) -> ir.Failure:
    """The failure of a reshape's size check that only the running kernel can make: NumPy's message,
    without the sizes (known only then), and the line; `asked` is the shape as written."""
    return ir.Failure(f"cannot reshape array into shape {asked}: the sizes differ (at {span.path}:{span.line})", span)


def add_check(guards: list[Check], length: ir.Expr, expected: ir.Expr, span: Span) -> None:
    """Record the kernel's check that `length == expected` at the operand at `span`, once."""
    add_condition(guards, Check(equal_lengths(length, expected, span), span))


def add_condition(guards: list[Check], check: Check) -> None:
    """Record `check` unless a check of the same condition is there already (whose failure, first
    in the source, is the one Python raises)."""
    if not any(same(c.cond, check.cond) for c in guards):
        guards.append(check)


EMPTY_REDUCTION = {
    "max": "zero-size array to reduction operation maximum which has no identity",
    "min": "zero-size array to reduction operation minimum which has no identity",
    "argmax": "attempt to get argmax of an empty sequence", "argmin": "attempt to get argmin of an empty sequence"}
"""NumPy's `ValueError` for the reductions it refuses on no elements (`nonempty`)."""


def require_elements(guards: list[Check], lengths: Sequence[ir.Expr], op: str, span: Span) -> None:
    """Record the check that every one of `lengths` (a reduction's reduced axes) is positive, as
    NumPy's `op` (a key of `EMPTY_REDUCTION`) raises `ValueError` for nothing: its message and the
    Python line. None where each is a positive constant."""
    cond: ir.Expr | None = None
    for length in lengths:
        if isinstance(length, ir.Const) and real_value(length.value) > 0:
            continue
        positive = ir.Compare("<", ir.Const(0, span, I64), as_index(length), span, BOOL)
        cond = positive if cond is None else ir.Logical("and", cond, positive, span, BOOL)
    if cond is not None:
        failed = ir.Failure(f"{EMPTY_REDUCTION[op]} (at {span.path}:{span.line})", span)
        add_condition(guards, Check(cond, span, failed))


def status_param(span: Span) -> ir.Param:
    """The hidden `InOut[i32[:]]` of one element where failed checks are recorded; the caller
    allocates it zero-filled."""
    one = ir.Const(1, span)
    return ir.Param(ir.STATUS, ArrayType(I32, 1), Ownership.INOUT, span, ir.Allocation((one,), ir.Const(0, span), span))


def failure(span: Span) -> ir.Failure:
    """The failure of a length check at the operand at `span`, for the message the caller raises."""
    return ir.Failure(
        f"the array statement at line {span.line} combines lengths that differ there (the operand at column "
        f"{span.col}); NumPy raises here: operands could not be broadcast together", span)


def record(number: int, span: Span) -> ir.AtomicUpdate:
    """`atomic max(STATUS[0], FAILED - number)`: failure `number` (from 1) happened."""
    index = ir.Index(ir.STATUS, (ir.Const(0, span, I64),), span, I32)
    return ir.AtomicUpdate("max", index, ir.Const(ir.FAILED - number, span, I32), span)


def guarded(stmts: Sequence[ir.Stmt], checks: Sequence[Check], record_at: Callable[[ir.Failure], ir.Stmt],
            once: str | None) -> list[ir.Stmt]:
    """`stmts` (one Python statement, with what it computes first) run only when every check
    holds; otherwise each failed check records its failure (`record_at`, which numbers it). `once`
    names the variable of a one-iteration parallel loop around the recording, for a statement on the
    host (the status lives on the device, as the arrays do); None inside a prange. A statement that
    computes nothing (`kept = x[::s]` binds a view) still makes its checks, where Python raises."""
    if not checks:
        return list(stmts)
    span = stmts[0].span if stmts else checks[0].span
    cond: ir.Expr = checks[0].cond
    for check in checks[1:]:
        cond = ir.Logical("and", cond, check.cond, span, BOOL)
    if len(checks) == 1:
        failed: tuple[ir.Stmt, ...] = (record_at(_failure_of(checks[0])),)
    else:  # say which
        failed = tuple(ir.If(_negated(check.cond), (record_at(_failure_of(check)),), (), check.span)
                       for check in checks)
    if once is not None:
        zero, one = ir.Const(0, span, I64), ir.Const(1, span, I64)
        failed = (ir.Loop(once, zero, one, 1, failed, span, parallel=True),)
    return [ir.If(cond, tuple(stmts), failed, span, guard=True)]


def _failure_of(check: Check) -> ir.Failure:
    return check.failure or failure(check.span)


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _negated(cond: ir.Expr) -> ir.Expr:
    """`not cond`, a comparison flipped (`a != b` for a length check, as C reads best)."""
    if isinstance(cond, ir.Compare):
        return dataclasses.replace(cond, op=_NEGATED[cond.op])
    return ir.Unary("not", cond, cond.span, BOOL)
