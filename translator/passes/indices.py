"""Negative indices count from the end, as in Python: `a[-1]` is the last element.

Wrapping every index would cost a compare and select per access, so this pass proves most
indices non-negative from lower bounds (loop variables start at their range's start, extents are
non-negative, sums of non-negative values are non-negative) and wraps only the rest: a negative
constant becomes `n - k`, anything unproven goes through the `wrap_index` helper.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import I64, real_value
from translator.ir.visit import StmtTransformer, local_arrays, rewrite


def wrap_indices(kernel: ir.Kernel) -> ir.Kernel:
    shapes = {name: array.shape for name, array in local_arrays(kernel.body).items()}
    return dataclasses.replace(kernel, body=_Wrapper(shapes, {}).block(kernel.body))


@dataclasses.dataclass(frozen=True)
class _Wrapper(StmtTransformer):
    """Wraps the indices of one scope. `bounds` are the proven lower bounds of its loop variables;
    `shapes` the constant shapes of local arrays, whose extents are constants, not parameters."""

    shapes: Mapping[str, tuple[int, ...]]
    bounds: Mapping[str, int | None]

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        ascending = stmt.step > 0
        first = lower_bound(stmt.start, self.bounds) if ascending else after(lower_bound(stmt.stop, self.bounds))
        inner = dataclasses.replace(self, bounds={**self.bounds, stmt.var: first})
        return dataclasses.replace(stmt, start=self.expr(stmt.start), stop=self.expr(stmt.stop),
                                   body=inner.block(stmt.body))

    def visit_If(self, stmt: ir.If) -> ir.Stmt:
        return dataclasses.replace(stmt, cond=self.expr(stmt.cond), body=self.block(stmt.body),
                                   orelse=self.block(stmt.orelse))

    def visit_While(self, stmt: ir.While) -> ir.Stmt:
        return ir.While(self.expr(stmt.cond), self.block(stmt.body), stmt.span)

    def visit_Assign(self, stmt: ir.Assign) -> ir.Stmt:
        target = stmt.target if isinstance(stmt.target, ir.Name) else self.element(stmt.target)
        return ir.Assign(target, self.expr(stmt.value), stmt.span)

    def visit_AtomicUpdate(self, stmt: ir.AtomicUpdate) -> ir.Stmt:
        return dataclasses.replace(stmt, target=self.element(stmt.target), value=self.expr(stmt.value))

    def visit_CallStatement(self, stmt: ir.CallStatement) -> ir.Stmt:
        call = dataclasses.replace(stmt.call, args=tuple(self.expr(a) for a in stmt.call.args))
        return ir.CallStatement(call, stmt.span)

    def visit_Return(self, stmt: ir.Return) -> ir.Stmt:
        return stmt if stmt.value is None else ir.Return(self.expr(stmt.value), stmt.span)

    # Shapes are constants or host expressions of extents; a jump or declaration has no index; a
    # library call's own expressions read no element (slices' bounds are clamped already).
    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = StmtTransformer.keep
    visit_LibraryCall = StmtTransformer.descend

    def expr(self, expr: ir.Expr) -> ir.Expr:
        return rewrite(expr, lambda node: self.wrap(node) if isinstance(node, ir.Index) else node)

    def element(self, index: ir.Index) -> ir.Index:
        """An assigned element: indices within its indices first, then its own (as `expr` does)."""
        return self.wrap(dataclasses.replace(index, indices=tuple(self.expr(i) for i in index.indices)))

    def wrap(self, index: ir.Index) -> ir.Index:
        """`index` with each of its own indices wrapped where it may be negative."""
        indices = tuple(_wrapped(i, self.extent(index.array, d, i.span), self.bounds)
                        for d, i in enumerate(index.indices))
        return dataclasses.replace(index, indices=indices)

    def extent(self, array: str, dim: int, span: Span) -> ir.Expr:
        shape = self.shapes.get(array)
        return ir.Extent(array, dim, span, I64) if shape is None else ir.Const(shape[dim], span, I64)


def after(bound: int | None) -> int | None:
    """A descending loop stops above `stop`, so its variable is at least `stop + 1`."""
    return None if bound is None else bound + 1


def _wrapped(index: ir.Expr, extent: ir.Expr, bounds: Mapping[str, int | None]) -> ir.Expr:
    if isinstance(index, ir.Const) and real_value(index.value) < 0:
        return ir.Binary("-", extent, ir.Const(-real_value(index.value), index.span, I64), index.span, I64)
    low = lower_bound(index, bounds)
    if low is not None and low >= 0:
        return index
    return ir.Call("wrap_index", (index, extent), index.span, I64)


def lower_bound(expr: ir.Expr, bounds: Mapping[str, int | None]) -> int | None:
    """A proven lower bound of an integer expression, or None."""
    if isinstance(expr, ir.Const):
        return int(real_value(expr.value))  # integer expressions only
    if isinstance(expr, ir.Extent):
        return 0
    if isinstance(expr, ir.Name):
        return bounds.get(expr.id)
    if isinstance(expr, ir.Cast) and expr.type is not None and expr.type.is_int:
        return lower_bound(expr.operand, bounds)
    if isinstance(expr, ir.Binary):
        return _binary_bound(expr, bounds)
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        return _extreme_bound(expr, bounds)
    return None


def _extreme_bound(expr: ir.Call, bounds: Mapping[str, int | None]) -> int | None:
    """`max(...)` is at least its largest known bound; `min(...)` at least the least of all."""
    known = [lower_bound(a, bounds) for a in expr.args]
    if expr.func == "max":
        return max((b for b in known if b is not None), default=None)
    return None if None in known else min(known)  # type: ignore[type-var]


def _binary_bound(expr: ir.Binary, bounds: Mapping[str, int | None]) -> int | None:
    left, right = lower_bound(expr.left, bounds), lower_bound(expr.right, bounds)
    if expr.op == "+" and left is not None and right is not None:
        return left + right
    if expr.op == "-" and left is not None and isinstance(expr.right, ir.Const):
        return left - int(real_value(expr.right.value))
    if expr.op in ("*", "//") and left is not None and right is not None and left >= 0 and right >= 0:
        return 0
    if expr.op == "%" and right is not None and right > 0:
        return 0
    return None
