"""Loops over the items of a 1-D array, of a 1-D slice (`x[1:]`) or of a tuple of constants, as a
loop over their positions; also over `enumerate(...)` and `zip(...)` of those, unpacked into names.

Real code iterates over data (`for v in x`, the Numba tutorials' histogram, Welford's update, crc16's
`for b in data`) and over small tables (`for di in (-1, 0, 1)`); C iterates over indices. Both become
`for i in range(n)` whose body first binds the item: `v = x[i]` (the element read at the start of
each iteration, as NumPy's iterator reads it, so writes to `x` in the body are seen as in Python) or
`v = c0 if i == 0 else (c1 if i == 1 else c2)` (a tuple of constants is evaluated once in Python;
constants cannot change, so selecting one per iteration is the same value). `v` is an ordinary local:
after the loop it holds the last item, as in Python. A 2-D or higher array yields rows (views), which
a scalar cannot hold: that is refused with the loop to write instead.

`for i, v in enumerate(x, start)` binds `i = position + start` beside the item; `for a, b in zip(x,
y)` runs over the shortest (`min` of the lengths, as Python stops at the first exhausted iterable)
and binds each item; they nest (`for k, (a, b) in enumerate(zip(x, y))`), and the targets unpack
the items as Python does, a wrong count being a located error.
"""

from __future__ import annotations

from typing import Callable, Union

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_param, build_expr, nodes_in
from translator.frontend.source import fold_constant
from translator.frontend.views import build_view, is_view
from translator.ir import nodes as ir
from translator.ir.arrays import Offset, element

Block = Callable[[cst.BaseSuite, KernelScope], tuple[ir.Stmt, ...]]
Item = Union[ir.Expr, tuple["Item", ...]]
"""What one iteration yields: a value, or (enumerate, zip) a tuple of items."""
PAIRING = ("builtins.enumerate", "builtins.zip")


def iterates_items(node: cst.For, scope: KernelScope) -> bool:
    """Whether `node` loops over items: an array's or a tuple's (`for v in x`, `for v in (1, 2)`), or
    `enumerate`/`zip` of such."""
    return _iterable(node.iter, scope)


def _iterable(node: cst.BaseExpression, scope: KernelScope) -> bool:
    if isinstance(node, cst.Call) and scope.module.qualified_name(node.func) in PAIRING:
        return True
    return isinstance(node, cst.Tuple) or _sliced(node, scope) or (isinstance(node, cst.Name) and (
        node.value in scope.params or node.value in scope.arrays))


def _sliced(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is a slice of an array (`x[1:]`, `A[i, ::2]`): a view whose items are its elements."""
    return isinstance(node, cst.Subscript) and any(isinstance(e.slice, cst.Slice) for e in node.slice) and is_view(
        node, scope)


def item_loop(node: cst.For, scope: KernelScope, block: Block) -> list[ir.Stmt]:
    """`for v in items:` as a serial loop over the items' positions whose body starts with `v = item`."""
    span = scope.module.span(node)
    _refuse_moving_bounds(node, scope)
    index = scope.fresh_loop_var("item")
    stop, item = _items(node.iter, ir.Name(index, span), scope)
    binds = _bind(node.target, item, scope)
    scope.open_loops.append(node)
    try:
        body = block(node.body, scope)
    finally:
        scope.open_loops.pop()
    return [ir.Loop(index, ir.Const(0, span), stop, 1, (*binds, *body), span)]


def _refuse_moving_bounds(node: cst.For, scope: KernelScope) -> None:
    """Python makes a slice's view once, before the first iteration; the loop reads its elements
    at `lo + step * position`, so a name its bounds read may not be bound again in the body."""
    read = {n.value for n in nodes_in(node.iter) if isinstance(n, cst.Name)}
    for part in nodes_in(node.body):
        targets = [part.target] if isinstance(part, (cst.AssignTarget, cst.AugAssign, cst.For)) else []
        for name in (n for t in targets for n in _bound(t) if n.value in read):
            raise scope.module.error(name, f"'{name.value}' is bound again in a loop over a slice that reads it; Python "
                                           "takes the slice once, before the loop: bind its bounds to names of their "
                                           "own first")


def _bound(target: cst.BaseExpression) -> list[cst.Name]:
    """The names an assignment target binds (`a`, `a, (b, c)`); an element or attribute binds none."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for e in target.elements for name in _bound(e.value)]
    return []


def _items(node: cst.BaseExpression, position: ir.Name, scope: KernelScope) -> tuple[ir.Expr, Item]:
    """The number of items `node` yields and the item at `position`."""
    if isinstance(node, cst.Tuple):
        return _tuple_items(node, position, scope)
    if isinstance(node, cst.Name) and _iterable(node, scope):
        return _array_items(node, position, scope)
    if _sliced(node, scope):
        return _view_items(node, position, scope)
    name = scope.module.qualified_name(node.func) if isinstance(node, cst.Call) else None
    if not isinstance(node, cst.Call) or name not in PAIRING or any(a.star or (
            a.keyword is not None and a.keyword.value != "start") for a in node.args):
        raise scope.module.error(node, "a kernel loops over a 1-D array or slice, a tuple of numeric "
                                 "constants, or enumerate()/zip() of those (`for i, v in enumerate(x)`, `zip(x[1:], "
                                 "x[:-1])`), or over range(...)")
    args = [a.value for a in node.args]
    if name == "builtins.zip":
        if not args:
            raise scope.module.error(node, "zip() in a kernel loop takes one or more arrays or tuples")
        parts = [_items(a, position, scope) for a in args]
        stop = parts[0][0] if len(parts) == 1 else ir.Call("min", tuple(p[0] for p in parts), scope.module.span(node))
        return stop, tuple(p[1] for p in parts)
    if not 1 <= len(args) <= 2:
        raise scope.module.error(node, "enumerate() takes an iterable and a start")
    stop, item = _items(args[0], position, scope)
    counted = position if len(args) == 1 else ir.Binary("+", position, build_expr(args[1], scope), position.span)
    return stop, (counted, item)


def _bind(target: cst.BaseExpression, item: Item, scope: KernelScope) -> list[ir.Stmt]:
    """`target = item`, unpacked as Python unpacks it."""
    span = scope.module.span(target)
    if isinstance(target, cst.Name) and not isinstance(item, tuple):
        scope.scalar_values.setdefault(target.value, []).append(item)
        return [ir.Assign(ir.Name(target.value, span), item, span)]
    if isinstance(target, cst.Name):
        assert isinstance(item, tuple)
        raise scope.module.error(target, f"each item is a tuple of {len(item)} here (enumerate, zip): unpack it "
                                 f"into {len(item)} names")
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(item, tuple) or len(target.elements) != len(
            item) or any(isinstance(e, cst.StarredElement) for e in target.elements):
        count = len(item) if isinstance(item, tuple) else 1
        raise scope.module.error(target, f"each item here holds {count} value{'s' * (count > 1)}: a kernel loop "
                                 "unpacks them into as many names (`for i, v in enumerate(x)`)")
    return [stmt for element, part in zip(target.elements, item) for stmt in _bind(element.value, part, scope)]


def _array_items(name: cst.Name, position: ir.Name, scope: KernelScope) -> tuple[ir.Expr, ir.Expr]:
    """The length of 1-D array `name` and its element at `position`."""
    ref = array_param(name, scope)
    span = scope.module.span(name)
    if ref.rank != 1:
        raise scope.module.error(
            name, f"iterating over a {ref.rank}-D array gives its rows, which kernels cannot bind to a name; "
            f"loop over `range({name.value}.shape[0])` and index `{name.value}[i, ...]`")
    stop = ref.shape[0] if ref.shape is not None else ir.Extent(ref.name, 0, span)
    return stop, ir.Index(ref.name, (position,), span)


def _view_items(node: cst.BaseExpression, position: ir.Name, scope: KernelScope) -> tuple[ir.Expr, ir.Expr]:
    """The length of a 1-D slice (`x[1:]`, `x[::-1]`, `A[i, :]`) and its element at `position`: the
    view is bound when the loop starts, as Python's iterator holds the view, so its bounds are the
    ones at the loop's start (`zip(x[1:], x[:-1])`, the pairs of neighbours)."""
    view = build_view(node, scope)
    if view.rank != 1:
        raise scope.module.error(node, f"iterating over a {view.rank}-D slice gives its rows, which kernels cannot "
                                       "bind to a name; loop over range(...) and index the array")
    return view.shape()[0], element(view, [Offset(position, None, 0)])


def _tuple_items(items: cst.Tuple, position: ir.Name, scope: KernelScope) -> tuple[ir.Expr, ir.Expr]:
    """The length of a tuple of numeric constants and the item at `position`, as a chain of selects."""
    values: list[ir.Expr] = []
    for element in items.elements:
        value = None if isinstance(element, cst.StarredElement) else fold_constant(
            element.value, scope.module, scope.module.constants)
        if value is None:
            raise scope.module.error(
                element, "a kernel loops over a tuple of numeric constants only (`for d in (-1, 0, 1)`); "
                "loop over range(...) and compute the value instead")
        values.append(ir.Const(value, scope.module.span(element)))
    span = scope.module.span(items)
    if not values:
        raise scope.module.error(items, "a loop over an empty tuple does nothing; remove it")
    item = values[-1]
    for k in range(len(values) - 2, -1, -1):
        item = ir.Select(ir.Compare("==", position, ir.Const(k, span), span), values[k], item, span)
    return ir.Const(len(values), span), item
