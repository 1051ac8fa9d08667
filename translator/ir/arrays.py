"""Addressing the elements of array views, shared by the frontend's remaining array lowering and
`passes.lower_arrays`: offsets into a view's axes, the element they reach, NumPy's broadcast
shape, and the facts both need about lengths and about reads of the assigned array.

A view is never materialized: a statement over it reads or writes one element at a time at
*offsets* into its axes, so the C indexes the array itself (`a[i - 1][j]`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence, TypeVar

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.printer import format_expr
from translator.ir.types import I64, ScalarType, real_value
from translator.ir.visit import Node, expr_children, is_expr, map_children, rewrite, walk, walk_all

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_N = TypeVar("_N", bound="DataclassInstance")


@dataclass(frozen=True)
class Offset:
    """A position along one axis of a view: `var - origin + const` (an absent part counts as 0).

    A loop variable running over `[origin, ...)` of the assigned view is `Offset(var, origin, 0)`;
    adding the `lo` of an axis whose `lo` equals `origin` gives back `var`, so `b[1:-1] = a[:-2]`
    becomes `b[i] = a[i - 1]` rather than `a[0 + (i - 1)]`.
    """

    var: ir.Expr | None
    origin: ir.Expr | None
    const: int

    def at(self, lo: ir.Expr, span: Span) -> ir.Expr:
        """The absolute index `lo + self`."""
        const, origin = self.const, self.origin
        base: ir.Expr | None = self.var
        if isinstance(origin, ir.Const) and not same(origin, lo):
            const, origin = const - int(origin.value), None  # type: ignore[arg-type]
        if origin is not None and same(origin, lo):
            lo_part: ir.Expr | None = None
        elif isinstance(lo, ir.Const):
            const += int(lo.value)  # type: ignore[arg-type]
            lo_part = None if origin is None else ir.Unary("-", origin, span)
        else:
            lo_part = lo if origin is None else ir.Binary("-", lo, origin, span)
        if lo_part is not None:
            base = lo_part if base is None else ir.Binary("+", base, lo_part, span)
        return plus(base, const, span)


ZERO = Offset(None, None, 0)


def plus(base: ir.Expr | None, const: int, span: Span) -> ir.Expr:
    """`base + const`, written `base - k` for a negative constant, `base` for zero."""
    if base is None:
        return ir.Const(const, span)
    if const == 0:
        return base
    return ir.Binary("+" if const > 0 else "-", base, ir.Const(abs(const), span), span)


def same(a: ir.Expr, b: ir.Expr) -> bool:
    """Structural equality of two index expressions that ignores spans, types and conversions
    (typing converts indices to int64, weak or not)."""
    return format_expr(_untyped(a)) == format_expr(_untyped(b))


def at_levels(index: ir.Index, names: tuple[str, ...]) -> bool:
    """Whether `index` is the element `x[i, j, ...]` at exactly the variables `names`, in order."""
    return len(index.indices) == len(names) and all(
        same(i, ir.Name(name, i.span)) for i, name in zip(index.indices, names))


def _untyped(expr: ir.Expr) -> ir.Expr:
    def strip(node: Node) -> object:
        if isinstance(node, ir.Cast):
            return node.operand
        return _with_type(node, None) if is_expr(node) and node.type is not None else node
    return rewrite(expr, strip)


def _with_type(node: _N, type_: ScalarType | None) -> _N:
    """`node` (an expression) with `type_` as its type."""
    changes: dict[str, object] = {"type": type_}
    return dataclasses.replace(node, **changes)


def element(view: ir.View, offsets: Sequence[Offset]) -> ir.Index:
    """The element of `view` at `offsets` (one per axis); a new axis ignores its offset. Along a
    stepped axis the offset counts steps: position `k` is index `lo + step * k`."""
    indices = list(view.fixed)
    for axis, offset in zip(view.axes, offsets, strict=True):
        for part in (axis, *axis.diagonal):
            if part.dim is not None:
                indices[part.dim] = _index_along(part, offset, view.span)
    return ir.Index(view.array, tuple(i for i in indices if i is not None), view.span, view.type)


def _index_along(axis: ir.ViewAxis, offset: Offset, span: Span) -> ir.Expr:
    """The array's index along `axis` (not a new axis) at `offset`."""
    if axis.step == 1:
        return offset.at(axis.lo, span)
    steps = offset.at(ir.Const(0, span), span)
    if not isinstance(axis.step, int):
        return ir.Binary("+", axis.lo, ir.Binary("*", axis.step, steps, span), span)
    scaled = steps if axis.step == -1 else ir.Binary("*", ir.Const(abs(axis.step), span), steps, span)
    starts_at_zero = isinstance(axis.lo, ir.Const) and axis.lo.value == 0 and axis.step > 0
    return scaled if starts_at_zero else ir.Binary("+" if axis.step > 0 else "-", axis.lo, scaled, span)


Bounds = list[tuple[str, ir.Expr, ir.Expr]]


def axis_loops(variables: Sequence[ir.Name], axes: Sequence[ir.ViewAxis]) -> tuple[list[Offset], Bounds]:
    """Loops over the axes of an assigned view, one variable each, and the offsets of the element
    they reach: a step-1 axis runs over its own indices `[lo, hi)` (so `b[1:-1] = a[:-2]` indexes
    `b[i]` and `a[i - 1]`), a stepped one over its positions `[0, length)`."""
    offsets: list[Offset] = []
    bounds: Bounds = []
    for var, axis in zip(variables, axes, strict=True):
        if axis.step == 1:
            offsets.append(Offset(var, axis.lo, 0))
            bounds.append((var.id, axis.lo, axis.hi))
        else:
            zero = ir.Const(0, var.span)
            offsets.append(Offset(var, zero, 0))
            bounds.append((var.id, zero, axis.length(var.span)))
    return offsets, bounds


def loop_nest(bounds: Sequence[tuple[str, ir.Expr, ir.Expr]], body: tuple[ir.Stmt, ...], parallel: bool,
              span: Span, independent: bool = False) -> ir.Loop:
    """Loops over `(var, lo, hi)`, outermost first, around `body`."""
    for var, lo, hi in reversed(bounds):
        body = (ir.Loop(var, lo, hi, 1, body, span, parallel=parallel, independent=independent),)
    assert isinstance(body[0], ir.Loop)
    return body[0]


def at_least_zero(length: ir.Expr) -> ir.Expr:
    """A length as a dimension: `max(n - 1, 0)` unless it cannot be negative (an extent, a constant)."""
    if isinstance(length, ir.Extent) or (isinstance(length, ir.Const) and real_value(length.value) >= 0):
        return length
    return ir.Call("max", (length, ir.Const(0, length.span)), length.span)


def one_if_long_enough(length: ir.Expr) -> bool:
    """Whether `length` is that of a slice `c - 1:c` of constant bounds (`pos[:, 0:1]`, `min(c, n) -
    (c - 1)`): 1, unless the array is shorter than `c` (then 0). Where it meets another length NumPy
    broadcasts it as a 1; the statement checks that it is 1 (`broadcasts`), so NumPy's error for the
    0 stays an error."""
    minus: object = 0
    core = length.operand if isinstance(length, ir.Cast) else length
    if isinstance(core, ir.Binary) and core.op == "-" and isinstance(core.right, ir.Const):
        minus = core.right.value
        core = core.left.operand if isinstance(core.left, ir.Cast) else core.left
    if not (isinstance(core, ir.Call) and core.func == "min" and isinstance(core.args[0], ir.Const)):
        return False
    bound = core.args[0].value
    return type(bound) is int and type(minus) is int and bound - minus == 1


def broadcasts(length: ir.Expr, other: ir.Expr) -> bool:
    """Whether an axis of `length` is broadcast against `other` (read at its one element): it is 1,
    or 1 when long enough (`one_if_long_enough`) and not the same expression as `other`."""
    if isinstance(length, ir.Const) and length.value == 1:
        return True
    return one_if_long_enough(length) and not same(length, other)


def broadcast(a: tuple[ir.Expr, ...], b: tuple[ir.Expr, ...]) -> tuple[ir.Expr, ...]:
    """NumPy's broadcast shape, where a length known to be 1 (or 1 when long enough) gives way to the other."""
    if len(a) < len(b):
        a, b = b, a
    tail = a[len(a) - len(b):]
    merged = tuple(y if broadcasts(x, y) else x for x, y in zip(tail, b))
    return a[:len(a) - len(b)] + merged


def broadcast_all(shapes: Sequence[tuple[ir.Expr, ...]]) -> tuple[ir.Expr, ...]:
    result: tuple[ir.Expr, ...] = ()
    for shape in shapes:
        result = broadcast(result, shape)
    return result


def of_arguments(expr: ir.Expr, params: Mapping[str, ir.Param]) -> bool:
    """Whether `expr` is computed from constants, extents and scalar parameters with `+ - * //`,
    `min` and `max` only (what the manifest's expressions and the runtime can evaluate before the
    call); typing's conversions of such values to int64 do not matter. The extents of an array whose
    shape a branch chooses (`ir.Allocation.chosen`) are not: a statement's lengths equal them only
    where its branch runs."""
    for node in walk(expr):
        if isinstance(node, ir.Extent):
            made = params.get(node.array)
            if made is not None and made.allocation is not None and made.allocation.chosen:
                return False
        elif isinstance(node, ir.Name):
            param = params.get(node.id)
            if param is None or param.is_array:
                return False
        elif isinstance(node, ir.Binary):
            if node.op not in ("+", "-", "*", "//"):
                return False
        elif isinstance(node, ir.Call):
            if node.func not in ("min", "max"):
                return False
        elif not isinstance(node, (ir.Const, ir.Extent, ir.Cast)):
            return False
    return True


def uses(node: Node, variables: set[str]) -> bool:
    """Whether `node` reads one of `variables`."""
    return any(isinstance(n, ir.Name) and n.id in variables for n in walk(node))


def first_clash(into: ir.Index, reads: Sequence[ir.Stmt | ir.Expr], variables: set[str]
                ) -> ir.Index | ir.ArrayArg | None:
    """A loop stores as it goes, NumPy computes the right side whole before storing: the right side
    (`reads`) may read the assigned array only where no other element's store lands, i.e. with the
    very index of the store in every dimension the loops over `variables` run over (other
    dimensions may differ: `path[k, j]` while storing `path[i, j]`). The first read that breaks
    this, if any."""
    running = [d for d, index in enumerate(into.indices) if uses(index, variables)]
    for node in walk_all(reads):
        if isinstance(node, ir.ArrayArg) and node.array == into.array:
            return node
        if (isinstance(node, ir.Index) and node.array == into.array and node is not into
                and not all(same(node.indices[d], into.indices[d]) for d in running)):
            return node
    return None


def as_index(expr: ir.Expr) -> ir.Expr:
    """Index arithmetic built over typed index values (`i - 1`, `hi - lo`), typed `int64` where it
    is not typed yet: what typing gives every index and loop bound."""
    def typed(node: Node) -> object:
        arithmetic = isinstance(node, (ir.Const, ir.Name, ir.Binary, ir.Unary)) or (
            isinstance(node, ir.Call) and node.func in ("min", "max"))
        return _with_type(node, I64) if arithmetic and is_expr(node) and node.type is None else node
    return rewrite(expr, typed)


Leaf = ir.View | ir.ArrayReduce | ir.Arange | ir.Remap
"""The array values of the tier that expressions combine element by element (a gather's shape is its
indices'; an index map reads its operand at positions of its own)."""
LEAVES = (ir.View, ir.ArrayReduce, ir.Arange, ir.Remap)


def tier_leaves(expr: ir.Expr) -> list[Leaf]:
    """The array values `expr` combines element by element: its views, reductions, ranges and index
    maps, not those inside a reduction's or a map's operand (read along their own axes)."""
    if isinstance(expr, LEAVES):
        return [expr]
    return [leaf for child in expr_children(expr) for leaf in tier_leaves(child)]


def leaf_shape(leaf: Leaf) -> tuple[ir.Expr, ...]:
    return reduced_shape(leaf) if isinstance(leaf, ir.ArrayReduce) else leaf.shape()


def rewrite_leaves(expr: ir.Expr, fn: Callable[[Leaf], ir.Expr]) -> ir.Expr:
    """`expr` with each of its `tier_leaves` replaced by `fn(leaf)`; the rest rebuilt as it is."""
    if isinstance(expr, LEAVES):
        return fn(expr)
    return map_children(expr, lambda child: rewrite_leaves(child, fn))


def array_shape(expr: ir.Expr) -> tuple[ir.Expr, ...]:
    """NumPy's shape of an array expression of the tier (empty for a scalar): the broadcast of its
    leaves' shapes."""
    return broadcast_all([leaf_shape(leaf) for leaf in tier_leaves(expr)])


def reduced_shape(reduce: ir.ArrayReduce) -> tuple[ir.Expr, ...]:
    """The shape of a reduction's result: its operand's without the reduced axes, or with length 1
    there (`keepdims`)."""
    one = ir.Const(1, reduce.span)
    return tuple(one if d in reduce.axes else n for d, n in enumerate(array_shape(reduce.operand))
                 if reduce.keepdims or d not in reduce.axes)


def with_new_axis(value: ir.Expr, from_end: int, span: Span) -> ir.Expr:
    """`value` with a new axis of length 1 before its last `from_end` axes (`a[:, None]` for 0,
    `A[:, None, :]` for 1): each view in it gets one where it has that many axes, and each reduction
    along axes (`(A @ x) @ A`) one in its operand, where it lands among the kept axes."""
    def insert(leaf: Leaf) -> ir.Expr:
        if isinstance(leaf, ir.ArrayReduce):
            return _reduction_with_new_axis(leaf, from_end, span)
        if leaf.rank < from_end:
            return leaf
        at = leaf.rank - from_end
        if isinstance(leaf, ir.Arange):
            return dataclasses.replace(leaf, rank=leaf.rank + 1, axis=leaf.axis + (at <= leaf.axis))
        if isinstance(leaf, ir.Remap):
            return remapped(leaf, leaf.lengths[:at] + (ir.Const(1, span),) + leaf.lengths[at:],
                            lambda p: ir.Position(p.axis + (p.axis >= at), p.span))
        axis = ir.ViewAxis(None, ir.Const(0, span), ir.Const(1, span))
        return dataclasses.replace(leaf, axes=leaf.axes[:at] + (axis,) + leaf.axes[at:])
    return rewrite_leaves(value, insert)


def flip_axis(axis: ir.ViewAxis, span: Span) -> ir.ViewAxis:
    """`axis` read backwards: for step 1, `[lo, hi)` becomes `hi - 1` down to `lo - 1` exclusive (-1:
    before 0), and an axis of step -1 runs up again; a stepped axis starts from its last element
    (`lo + step * (length - 1)`) and stops one step before `lo`."""
    if axis.step not in (1, -1):
        step = axis.step_value(span)
        last = ir.Binary("+", axis.lo, ir.Binary("*", step, ir.Binary(
            "-", axis.length(span), ir.Const(1, span), span), span), span)
        back = _negated(axis.step, span)
        return ir.ViewAxis(axis.dim, last, ir.Binary("-", axis.lo, step, span), back)
    shift, one = "-" if axis.step == 1 else "+", ir.Const(1, span)
    return ir.ViewAxis(axis.dim, ir.Binary(shift, axis.hi, one, span), ir.Binary(shift, axis.lo, one, span), -axis.step)


def flipped_value(value: ir.Expr, axes: frozenset[int], rank: int, span: Span) -> ir.Expr:
    """`np.flip` of an array value of the tier of `rank` axes, along `axes`: each view in it with its
    axes aligned (at the right) with those read backwards (`flip_axis`; axes of length 1 broadcast
    and stay), each reduction with the kept axes there flipped in its operand. Gathers need nothing
    of their own: their indices are array values flipped like the rest. A stepped view's
    axis is read backwards from its last element."""
    def flip(leaf: Leaf) -> ir.Expr:
        shape = leaf_shape(leaf)
        mine = {d - (rank - len(shape)) for d in axes if d >= rank - len(shape)}
        if isinstance(leaf, ir.Arange):
            return _flipped_range(leaf, span) if leaf.axis in mine else leaf
        if isinstance(leaf, ir.Remap):
            return remapped(leaf, leaf.lengths, lambda p: ir.Binary("-", ir.Binary(
                "-", leaf.lengths[p.axis], ir.Const(1, span), span), p, span) if p.axis in mine else p)
        if isinstance(leaf, ir.View):
            return dataclasses.replace(leaf, axes=tuple(
                flip_axis(axis, span) if k in mine and axis.dim is not None and not axis.is_single else axis
                for k, axis in enumerate(leaf.axes)))
        operand_rank = len(array_shape(leaf.operand))
        kept = [d for d in range(operand_rank) if leaf.keepdims or d not in leaf.axes]
        inner = frozenset(kept[k] for k in mine if kept[k] not in leaf.axes)
        return dataclasses.replace(leaf, operand=flipped_value(leaf.operand, inner, operand_rank, span)) if inner else leaf
    return rewrite_leaves(value, flip)


def narrowed_value(value: ir.Expr, axis: int, rank: int, drop_first: bool, span: Span) -> ir.Expr:
    """An array value of the tier of `rank` axes without its first (`drop_first`) or last element
    along `axis` (`np.diff` subtracts one from the other): each view's and range's axis aligned (at
    the right) with it one element shorter at that end, each reduction's kept axis there narrowed in
    its operand; axes of length 1 broadcast and stay."""
    def narrow(leaf: Leaf) -> ir.Expr:
        shape = leaf_shape(leaf)
        mine = axis - (rank - len(shape))
        length = shape[mine] if mine >= 0 else None
        if length is None or (isinstance(length, ir.Const) and length.value == 1):
            return leaf
        if isinstance(leaf, ir.Arange):
            step = leaf.step
            return dataclasses.replace(leaf, start=ir.Binary("+", leaf.start, step, span)) if drop_first else \
                dataclasses.replace(leaf, stop=ir.Binary("-", leaf.stop, step, span))
        if isinstance(leaf, ir.Remap):
            lengths = leaf.lengths[:mine] + (_plus(length, -1, span),) + leaf.lengths[mine + 1:]
            return remapped(leaf, lengths, lambda p: _plus(p, 1, span) if p.axis == mine and drop_first else p)
        if isinstance(leaf, ir.View):
            old = leaf.axes[mine]
            new = dataclasses.replace(old, lo=_plus(old.lo, old.step, span)) if drop_first else \
                dataclasses.replace(old, hi=_plus(old.hi, _negated(old.step, span), span))
            return dataclasses.replace(leaf, axes=leaf.axes[:mine] + (new,) + leaf.axes[mine + 1:])
        operand_rank = len(array_shape(leaf.operand))
        kept = [d for d in range(operand_rank) if leaf.keepdims or d not in leaf.axes]
        return dataclasses.replace(leaf, operand=narrowed_value(leaf.operand, kept[mine], operand_rank, drop_first,
                                                                span))
    return rewrite_leaves(value, narrow)


def _negated(step: int | ir.Expr, span: Span) -> int | ir.Expr:
    """`-step` of a view's axis: `0 - step` for a run-time step (the caller's shape terms have no unary minus)."""
    return -step if isinstance(step, int) else ir.Binary("-", ir.Const(0, span), step, span)


def remapped(leaf: ir.Remap, lengths: tuple[ir.Expr, ...], position: Callable[[ir.Position], ir.Expr]) -> ir.Remap:
    """`leaf` of shape `lengths`, whose position along each of its axes was `position(p)` of the new
    map's positions: the same index map read through one more (a new axis, a flip, a narrowing)."""
    def substitute(node: Node) -> object:
        return position(node) if isinstance(node, ir.Position) else node
    return dataclasses.replace(leaf, lengths=lengths, positions=tuple(rewrite(p, substitute) for p in leaf.positions))


def at_positions(leaf: ir.Remap, positions: Sequence[ir.Expr]) -> tuple[ir.Expr, ...]:
    """The positions in `leaf`'s operand of its element at `positions` (one per axis of `leaf`)."""
    def substitute(node: Node) -> object:
        return positions[node.axis] if isinstance(node, ir.Position) else node
    return tuple(rewrite(p, substitute) for p in leaf.positions)


def _plus(bound: ir.Expr, const: int | ir.Expr, span: Span) -> ir.Expr:
    """`bound + const`, folded where `bound` and `const` are constants (`const` is a run-time step
    of a view otherwise)."""
    if not isinstance(const, int):
        return ir.Binary("+", bound, const, span)
    if isinstance(bound, ir.Const) and isinstance(bound.value, int):
        return ir.Const(bound.value + const, span)
    if isinstance(bound, ir.Binary) and bound.op in "+-" and isinstance(bound.right, ir.Const) and isinstance(
            bound.right.value, int):
        return plus(bound.left, const + (bound.right.value if bound.op == "+" else -bound.right.value), span)
    return plus(bound, const, span)


def _flipped_range(values: ir.Arange, span: Span) -> ir.Arange:
    """`np.arange(start, stop, step)` backwards: from its last value `start + step * (length - 1)`,
    by `-step`, to one step before `start`."""
    step = values.step
    last = ir.Binary("+", values.start, ir.Binary("*", step, ir.Binary("-", values.length(), ir.Const(1, span), span),
                                                  span), span)
    return dataclasses.replace(values, start=last, stop=ir.Binary("-", values.start, step, span),
                               step=ir.Unary("-", step, span))


def _reduction_with_new_axis(reduce: ir.ArrayReduce, from_end: int, span: Span) -> ir.Expr:
    """`reduce` with a new axis before the last `from_end` axes of its result: the same axis in its
    operand, placed after the kept axis that comes before it (the reduced axes after it shift)."""
    rank = len(array_shape(reduce.operand))
    kept = [d for d in range(rank) if reduce.keepdims or d not in reduce.axes]
    if len(kept) < from_end:
        return reduce
    at = rank if from_end == 0 else kept[len(kept) - from_end]
    axes = tuple(d + 1 if d >= at else d for d in reduce.axes)
    return dataclasses.replace(reduce, operand=with_new_axis(reduce.operand, rank - at, span), axes=axes)
