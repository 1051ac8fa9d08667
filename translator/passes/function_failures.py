"""Failures inside device functions, reported as the kernel's own (docs/design.md, "Run-time checks").

A device function's checks (an empty max, lengths, indices, `int()` of NaN: `ir.checks`) record
into the calling kernel's status array `ir.STATUS`, which it takes as a hidden parameter after the
user's, with `ir.STATUS_BASE`: the number in the kernel's `failures` just before the function's
own. The function's `failures` are numbered from 1 (its own checks first, then one block per call
of a failing function, in the order of the calls); failure `k` records `FAILED - (base + k)` with
the kernel's `atomic max`, and the function returns at once with a harmless value (zero, or
nothing). Each call of a failing function takes a block of the caller's numbers (the callee's
failures, whose messages name the helper's file and line) and passes the status and the block's
base. After the statement that holds such a call, the caller reads the status: a device function
returns at once, so a failure stops every function between it and the kernel; a kernel leaves the
innermost serial loop, as for its own failures (a loop whose progress depends on the function's
value would otherwise spin on the harmless one). A function that cannot fail takes no hidden
parameter, so neither it nor its callers change.

Numbers say which failure wins when several happen in one call (`atomic max`: the smallest): a
kernel's own checks before its functions', and a function's own before those of the functions it
calls; calls among themselves in source order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from translator.errors import Span
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.types import BOOL, I32, ArrayType, Ownership, ScalarType
from translator.ir.visit import Node, StmtTransformer, children, is_stmt, rewrite, walk


def report_calls(kernel: ir.Kernel, functions: Mapping[str, ir.Kernel], in_function: bool = False) -> ir.Kernel:
    """`kernel` (or a device function, `in_function`) with its calls of failing functions passed
    the status and their blocks' bases, the callees' failures appended to its own, and the
    reading of the status after each statement that holds one."""
    calls = _Calls(functions, len(kernel.failures), kernel.return_type if in_function else None, in_function)
    body = calls.block(kernel.body)
    if not calls.failures:
        return kernel
    status = () if kernel.param(ir.STATUS) else (checks.status_param(kernel.span),)
    return dataclasses.replace(kernel, body=body, params=kernel.params + status,
                               failures=kernel.failures + tuple(calls.failures))


def stop_at_failures(function: ir.Kernel) -> ir.Kernel:
    """A device function with failures: the status (the caller's, no array it makes) and the base
    its last parameters, each recording offset by the base and followed by the `return` of a
    harmless value."""
    if not function.failures:
        return function
    span = function.span
    base = ir.Name(ir.STATUS_BASE, span, I32)
    status = ir.Param(ir.STATUS, ArrayType(I32, 1), Ownership.INOUT, span)
    params = tuple(p for p in function.params if p.name != ir.STATUS) + (status, ir.Param(ir.STATUS_BASE, I32, None, span))
    return dataclasses.replace(function, params=params,
                               body=_Returning(base, function.return_type).block(function.body))


@dataclasses.dataclass(frozen=True)
class _Returning(StmtTransformer):
    """Each recording of a failure offset by `base` and followed by a `return` of `returned`."""

    base: ir.Name
    returned: ScalarType | None

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        result: list[ir.Stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ir.AtomicUpdate) and _records(stmt):
                offset = ir.Binary("-", stmt.value, dataclasses.replace(self.base, span=stmt.span), stmt.span, I32)
                result += [dataclasses.replace(stmt, value=offset), _harmless(self.returned, stmt.span)]
            else:
                result.append(self.visit(stmt))
        return tuple(result)

    visit_If = visit_Loop = visit_While = StmtTransformer.descend
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Return = StmtTransformer.keep
    visit_LocalArray = visit_Break = visit_Continue = StmtTransformer.keep


def _records(stmt: ir.Stmt) -> bool:
    return isinstance(stmt, ir.AtomicUpdate) and stmt.target.array == ir.STATUS


def _harmless(returned: ScalarType | None, span: Span) -> ir.Return:
    """The `return` of a failed function: zero of its type (nothing reads it: the call raises)."""
    if returned is None:
        return ir.Return(None, span)
    zero: bool | int = False if returned.is_bool else 0
    return ir.Return(ir.Const(zero, span, returned), span)


def failed_now(span: Span) -> ir.Expr:
    """Whether the status holds a failure (an atomic read: another thread's may be there too)."""
    return ir.Call("failed_now", (ir.ArrayArg(ir.STATUS, span, I32),), span, BOOL)


@dataclasses.dataclass
class _Calls(StmtTransformer):
    """Numbers the calls of failing functions statement by statement. `serial`: the innermost loop
    around is the user's serial loop or a `while`, which a kernel leaves after a failed call."""

    functions: Mapping[str, ir.Kernel]
    numbered: int
    returned: ScalarType | None
    in_function: bool
    failures: list[ir.Failure] = dataclasses.field(default_factory=list)
    serial: bool = False

    def passed(self, node: Node) -> object:
        """A call of a failing function with the status and its block's base appended."""
        callee = self.callee(node)
        if callee is None:
            return node
        assert isinstance(node, ir.CallFunction)
        span = node.span
        before: ir.Expr = ir.Const(self.numbered + len(self.failures), span, I32)
        if self.in_function:
            before = ir.Binary("+", ir.Name(ir.STATUS_BASE, span, I32), before, span, I32)
        self.failures += callee.failures
        return dataclasses.replace(node, args=node.args + (ir.ArrayArg(ir.STATUS, span, I32), before))

    def calls(self, expr: ir.Expr) -> ir.Expr:
        return rewrite(expr, self.passed)

    def failing(self, stmt: ir.Stmt) -> bool:
        """Whether the statement's own expressions (not its nested statements') call a function
        that can fail."""
        return any(self.callee(n) is not None for child in children(stmt) if not is_stmt(child) for n in walk(child))

    def callee(self, node: Node) -> ir.Kernel | None:
        """The function `node` calls when it is a call of one that can fail."""
        callee = self.functions.get(node.symbol or "") if isinstance(node, ir.CallFunction) else None
        return callee if callee is not None and callee.failures else None

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """Each statement, then where it called a failing function, the status read: a function
        returns, a kernel leaves its serial loop (a `while` reads it in its body: `visit_While`)."""
        result: list[ir.Stmt] = []
        for stmt in stmts:
            result.append(self.visit(stmt))
            if not self.failing(stmt) or isinstance(stmt, (ir.Return, ir.While)):
                continue
            if self.in_function or self.serial:
                result.append(self.leave(stmt.span))
        return tuple(result)

    def leave(self, span: Span) -> ir.If:
        """`if failed: return` (a function, with a harmless value) or `break` (a kernel's loop)."""
        jump: ir.Stmt = _harmless(self.returned, span) if self.in_function else ir.Break(span)
        return ir.If(failed_now(span), (jump,), (), span)

    def simple(self, stmt: ir.Stmt) -> ir.Stmt:
        return rewrite(stmt, self.passed)

    def visit_If(self, stmt: ir.If) -> ir.Stmt:
        cond = self.calls(stmt.cond)
        return dataclasses.replace(stmt, cond=cond, body=self.block(stmt.body), orelse=self.block(stmt.orelse))

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        start, stop = self.calls(stmt.start), self.calls(stmt.stop)
        inner = dataclasses.replace(self, serial=not (stmt.parallel or stmt.independent or stmt.reductions))
        body = inner.block(stmt.body)
        return dataclasses.replace(stmt, start=start, stop=stop, body=body)

    def visit_While(self, stmt: ir.While) -> ir.Stmt:
        """A call in the condition: the status read first in the body, each time it was evaluated."""
        first = (self.leave(stmt.span),) if self.failing(stmt) else ()
        cond = self.calls(stmt.cond)
        body = dataclasses.replace(self, serial=True).block(stmt.body)
        return ir.While(cond, first + body, stmt.span)

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> ir.Stmt:
        return dataclasses.replace(stmt, body=self.block(stmt.body), orelse=self.block(stmt.orelse))

    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Return = simple
    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = StmtTransformer.keep
