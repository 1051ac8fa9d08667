"""Reductions over 1-D array slices (`np.sum(a[i, :])`, `np.dot(x[lo:hi], y[lo:hi])`, `s @ t`),
lowered here to a serial loop that accumulates into a fresh local, and slice assignment of
elementwise expressions (`c[i, :] = a[i, :] * 2 + b[i, :]`), lowered to a serial loop of element
assignments.

The loop goes into the scope's prelude (placed before the statement that holds the expression), so
typing, the access analysis and the backend see only existing IR: reading a slice is reading its
elements inside a loop. Bounds follow Python: a negative bound counts from the end, and both are
clamped to the extent. Importing this module registers the reductions with the expression builder.
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from translator.errors import Span
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, ArrayRef, array_param, build_expr
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir
from translator.ir.types import I64, U64, ScalarType

ONE_DIMENSION = "a slice in a kernel takes one row or column: slice exactly one dimension (`a[i, :]`, `x[lo:hi]`)"


class SliceRef(NamedTuple):
    """`a[i, lo:hi]`: `indices` holds the fixed indices with None at dimension `dim`, which runs over
    `[lo, hi)`; `dtype` is the element type."""

    array: str
    indices: tuple[ir.Expr | None, ...]
    lo: ir.Expr
    hi: ir.Expr
    dtype: ScalarType

    def element(self, k: ir.Expr, span: Span) -> ir.Index:
        """The slice's element at absolute position `k` of its sliced dimension."""
        return ir.Index(self.array, tuple(k if i is None else i for i in self.indices), span)


def is_slice(node: cst.BaseExpression) -> bool:
    """Whether `node` is a subscript with at least one `lo:hi` part."""
    return isinstance(node, cst.Subscript) and any(isinstance(e.slice, cst.Slice) for e in node.slice)


def build_slice(node: cst.BaseExpression, scope: KernelScope) -> SliceRef:
    """The slice `node` stands for; anything but a 1-D, step-1 slice of an array is rejected."""
    if not is_slice(node):
        raise scope.module.error(node, "this reduction takes a 1-D array slice (`a[i, :]`, `x[lo:hi]`)")
    assert isinstance(node, cst.Subscript)
    array = array_param(node.value, scope)
    if len(node.slice) != array.rank:
        rank = array.rank
        raise scope.module.error(
            node, f"array '{array.name}' has {rank} dimension{'s' * (rank > 1)} but is indexed with {len(node.slice)}")
    sliced = [d for d, e in enumerate(node.slice) if isinstance(e.slice, cst.Slice)]
    if len(sliced) != 1:
        raise scope.module.error(node, ONE_DIMENSION)
    dim = sliced[0]
    part = node.slice[dim].slice
    assert isinstance(part, cst.Slice)
    step = None if part.step is None else fold_constant(part.step, scope.module, scope.module.constants)
    if part.step is not None and (step != 1 or isinstance(step, bool)):
        raise scope.module.error(part.step, "slices in kernels take step 1 (`x[lo:hi]`)")
    extent = _extent(array, dim, scope.module.span(node))
    lo = ir.Const(0, extent.span) if part.lower is None else _clamped(build_expr(part.lower, scope), extent)
    hi = extent if part.upper is None else _clamped(build_expr(part.upper, scope), extent)
    indices = tuple(None if d == dim else build_expr(e.slice.value, scope)  # type: ignore[attr-defined]
                    for d, e in enumerate(node.slice))
    return SliceRef(array.name, indices, lo, hi, _element_type(array, scope))


def _extent(array: ArrayRef, dim: int, span: Span) -> ir.Expr:
    return ir.Extent(array.name, dim, span) if array.shape is None else ir.Const(array.shape[dim], span)


def _element_type(array: ArrayRef, scope: KernelScope) -> ScalarType:
    local = scope.arrays.get(array.name)
    kind = local.type if local is not None else scope.params[array.name].type
    return kind.dtype  # type: ignore[union-attr]


def _clamped(bound: ir.Expr, extent: ir.Expr) -> ir.Expr:
    """A slice bound as Python takes it: negative counts from the end, then clamped to `[0, n]`."""
    span = bound.span
    if isinstance(bound, ir.Const) and isinstance(bound.value, int) and bound.value >= 0:
        return ir.Call("min", (bound, extent), span)
    wrapped = ir.Select(ir.Compare("<", bound, ir.Const(0, span), span), ir.Binary("+", bound, extent, span), bound,
                        span)
    return ir.Call("min", (ir.Call("max", (wrapped, ir.Const(0, span)), span), extent), span)


def _sum(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.sum(s)`: NumPy's result type (floats and complex keep theirs, integers widen to 64 bits),
    summed in order (NumPy sums floats pairwise: the last bits may differ)."""
    (source,) = _slices(node, "np.sum", args, 1, scope)
    span = scope.module.span(node)
    dtype = source.dtype
    total = U64 if dtype.kind.name == "UINT" else I64 if dtype.is_int or dtype.is_bool else dtype.strong()
    acc, k = ir.Name(scope.fresh_temp("sum"), span), scope.fresh_temp("k")
    scope.prelude.append(ir.Assign(acc, ir.Cast(ir.Const(0, span), span, total), span))
    add = ir.Assign(acc, ir.Binary("+", acc, source.element(ir.Name(k, span), span), span), span)
    scope.prelude.append(ir.Loop(k, source.lo, source.hi, 1, (add,), span))
    return acc


def _extreme(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope, op: str, label: str) -> ir.Expr:
    """`np.max(s)` / `np.min(s)`: a NaN anywhere makes the result NaN, as in NumPy. An empty slice
    (NumPy raises) gives an undefined value (0 here; no element is read)."""
    (source,) = _slices(node, label, args, 1, scope)
    span = scope.module.span(node)
    if source.dtype.is_complex:
        raise scope.module.error(node, f"{label}() of a complex slice is not supported in kernels")
    acc, k = ir.Name(scope.fresh_temp(label[3:]), span), scope.fresh_temp("k")
    first = ir.Select(ir.Compare("<", source.lo, source.hi, span), source.element(source.lo, span),
                      ir.Cast(ir.Const(0, span), span, source.dtype.strong()), span)
    scope.prelude.append(ir.Assign(acc, first, span))
    value = source.element(ir.Name(k, span), span)
    better: ir.Expr = ir.Compare(op, value, acc, span)
    if source.dtype.is_float:
        better = ir.Logical("or", better, ir.Call("numpy.isnan", (value,), span), span)
    step = ir.Assign(acc, ir.Select(better, value, acc, span), span)
    start = ir.Binary("+", source.lo, ir.Const(1, span), span)
    scope.prelude.append(ir.Loop(k, start, source.hi, 1, (step,), span))
    return acc


def _max(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    return _extreme(node, args, scope, ">", "np.max")


def _min(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    return _extreme(node, args, scope, "<", "np.min")


def dot(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.dot(s, t)` / `s @ t`: the sum of products in the promoted type. Slices of different
    lengths (NumPy raises) use the shorter length."""
    left, right = _slices(node, "np.dot", args, 2, scope)
    span = scope.module.span(node)
    acc, k = ir.Name(scope.fresh_temp("dot"), span), scope.fresh_temp("k")
    length = ir.Call("min", tuple(ir.Binary("-", s.hi, s.lo, span) for s in (left, right)), span)
    scope.prelude.append(ir.Assign(acc, ir.Const(0, span), span))
    at = ir.Name(k, span)
    product = ir.Binary("*", left.element(ir.Binary("+", left.lo, at, span), span),
                        right.element(ir.Binary("+", right.lo, at, span), span), span)
    add = ir.Assign(acc, ir.Binary("+", acc, product, span), span)
    scope.prelude.append(ir.Loop(k, ir.Const(0, span), length, 1, (add,), span))
    return acc


def _slices(node: cst.CSTNode, label: str, args: list[cst.BaseExpression], arity: int,
            scope: KernelScope) -> list[SliceRef]:
    if len(args) != arity:
        raise scope.module.error(node, f"{label}() in a kernel takes {arity} array slice{'s' * (arity > 1)}")
    return [build_slice(a, scope) for a in args]


CALLS.update({"numpy.sum": _sum, "numpy.max": _max, "numpy.min": _min, "numpy.dot": dot})


def assign_slice(target: cst.Subscript, value: cst.BaseExpression, op: str | None,
                 scope: KernelScope) -> list[ir.Stmt]:
    """`c[i, :] = a[i, :] * 2 + v` (or `op=`): one serial loop assigning element by element, each
    slice on the right read at the same position; scalars are broadcast. The loop runs over the
    shortest of the slices (NumPy raises when lengths differ). NumPy evaluates the whole right side
    first, so the right side may read the assigned array only through the very same slice."""
    _check_no_overlap(target, value, scope)
    place = build_slice(target, scope)
    span = scope.module.span(target)
    k = ir.Name(scope.fresh_temp("k"), span)
    sources: list[SliceRef] = []

    def element_of(node: cst.Subscript) -> ir.Expr:
        source = build_slice(node, scope)
        sources.append(source)
        return source.element(ir.Binary("+", source.lo, k, span), span)

    scope.element_of = element_of
    try:
        rhs = build_expr(value, scope)
    finally:
        scope.element_of = None
    into = place.element(ir.Binary("+", place.lo, k, span), span)
    if op is not None:
        rhs = ir.Binary(op, into, rhs, span)
    lengths = tuple(ir.Binary("-", s.hi, s.lo, span) for s in (place, *sources))
    length = lengths[0] if len(lengths) == 1 else ir.Call("min", lengths, span)
    return [ir.Loop(k.id, ir.Const(0, span), length, 1, (ir.Assign(into, rhs, span),), span)]


class _Reads(cst.CSTVisitor):
    """Uses of one array's name other than as the base of the slice `same` or of `.shape`."""

    def __init__(self, name: str, same: str) -> None:
        self.name, self.same = name, same
        self.allowed: set[int] = set()
        self.other: list[cst.Name] = []

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if cst.Module([]).code_for_node(node) == self.same:
            self.allowed.add(id(node.value))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "shape":
            self.allowed.add(id(node.value))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self.allowed:
            self.other.append(node)


def _check_no_overlap(target: cst.Subscript, value: cst.BaseExpression, scope: KernelScope) -> None:
    name = target.value.value if isinstance(target.value, cst.Name) else ""
    reads = _Reads(name, cst.Module([]).code_for_node(target))
    value.visit(reads)
    if reads.other:
        raise scope.module.error(
            reads.other[0], f"the right side reads '{name}' other than through the assigned slice; NumPy evaluates "
            "it whole before assigning: write the loop, or copy through a local array")
