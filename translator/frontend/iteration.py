"""Loops over the items of a 1-D array or of a tuple of constants, as a loop over their positions.

Real code iterates over data (`for v in x`, the Numba tutorials' histogram, Welford's update, crc16's
`for b in data`) and over small tables (`for di in (-1, 0, 1)`); C iterates over indices. Both become
`for i in range(n)` whose body first binds the item: `v = x[i]` (the element read at the start of
each iteration, as NumPy's iterator reads it, so writes to `x` in the body are seen as in Python) or
`v = c0 if i == 0 else (c1 if i == 1 else c2)` (a tuple of constants is evaluated once in Python;
constants cannot change, so selecting one per iteration is the same value). `v` is an ordinary local:
after the loop it holds the last item, as in Python. A 2-D or higher array yields rows (views), which
a scalar cannot hold: that is refused with the loop to write instead.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_param
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir

Block = Callable[[cst.BaseSuite, KernelScope], tuple[ir.Stmt, ...]]


def iterates_items(node: cst.For, scope: KernelScope) -> bool:
    """Whether `node` loops over an array's items or a tuple's: `for v in x`, `for v in (1, 2)`."""
    return isinstance(node.iter, cst.Tuple) or (isinstance(node.iter, cst.Name) and (
        node.iter.value in scope.params or node.iter.value in scope.arrays))


def item_loop(node: cst.For, scope: KernelScope, block: Block) -> list[ir.Stmt]:
    """`for v in items:` as a serial loop over the items' positions whose body starts with `v = item`."""
    assert isinstance(node.target, cst.Name)
    span = scope.module.span(node)
    index = scope.fresh_loop_var("item")
    position = ir.Name(index, span)
    if isinstance(node.iter, cst.Tuple):
        stop, item = _tuple_items(node.iter, position, scope)
    else:
        stop, item = _array_items(node.iter, position, scope)  # type: ignore[arg-type]
    bind = ir.Assign(ir.Name(node.target.value, span), item, span)
    scope.scalar_values.setdefault(node.target.value, []).append(item)
    scope.open_loops.append(node)
    try:
        body = block(node.body, scope)
    finally:
        scope.open_loops.pop()
    return [ir.Loop(index, ir.Const(0, span), stop, 1, (bind, *body), span)]


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
