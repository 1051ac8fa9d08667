"""NumPy's array functions that are array values of the IR's tier: `np.flip` of an array value (of
a view it is a view, `frontend.views`), `np.arange` (`ir.Arange`), `np.diff` (an elementwise
expression of two narrowed copies of its operand, `ir.arrays.narrowed_value`), and the index maps of
`frontend/index_maps.py` (`np.roll`, reshapes, `np.tile`, `np.repeat`: `ir.Remap`). Joins,
`np.linspace`, `np.insert` and `np.pad` are still built by the frontend's own lowering
(`frontend/array_functions.py`).

`takes` says whether the tier takes a call (`array_statements._elementwise` asks it, with its own
test for operands), `build` makes the value while `array_statements.array_value` builds an
expression (its operands are tier values then).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from translator.frontend.array_functions import CallArgs, arange_parts, as_dtype, diff_call
from translator.frontend.arrays import shape_of
from translator.frontend import index_maps
from translator.frontend.context import KernelScope
from translator.frontend.expressions import build_expr
from translator.frontend.views import flip_axes, flipped
from translator.ir import nodes as ir
from translator.ir.arrays import flipped_value, narrowed_value

ARANGE, DIFF = "numpy.arange", "numpy.diff"


def takes(node: cst.BaseExpression, scope: KernelScope, elementwise: Callable[[cst.BaseExpression], bool],
          scalar: Callable[[cst.BaseExpression], bool]) -> bool:
    """Whether `node` is one of this module's calls over operands the tier takes: `elementwise`
    array values for a flip, a difference or an index map, `scalar` values for a range and for an
    index map's shifts, lengths and repetitions."""
    flip = flipped(node, scope)
    if flip is not None:
        return bool(shape_of(flip[0], scope)) and elementwise(flip[0])
    name = _name(node, scope)
    if name == ARANGE:
        assert isinstance(node, cst.Call)
        return all(a.keyword is not None or scalar(a.value) for a in node.args)
    if name == DIFF:
        assert isinstance(node, cst.Call)
        operand = CallArgs(node, ("a", "n", "axis"), scope, "np.diff").get("a")
        return operand is not None and bool(shape_of(operand, scope)) and elementwise(operand)
    mapped = index_maps.operand(node, scope)
    if mapped is not None:
        array, scalars = mapped
        return bool(shape_of(array, scope)) and elementwise(array) and all(scalar(s) for s in scalars)
    return False


def build(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """The tier's value of a call `takes` takes (None for any other node)."""
    span = scope.module.span(node)
    flip = flipped(node, scope)
    if flip is not None:
        rank = len(shape_of(flip[0], scope))
        return flipped_value(build_expr(flip[0], scope), flip_axes(node, flip[1], rank, scope), rank, span)
    name = _name(node, scope)
    if name == ARANGE:
        call, start, stop, step = arange_parts(node, scope)
        values = ir.Arange(start, stop, step, span)
        return values if call.get("dtype") is None else as_dtype(call, values)
    if name == DIFF:
        return _difference(node, scope)
    if index_maps.operand(node, scope) is not None:
        assert isinstance(node, cst.Call)
        return index_maps.build(node, scope)
    return None


def _difference(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    """`np.diff(a, n, axis)`: `n` times the later elements along the axis less the earlier ones
    (`numpy.diff` of the pair: typing makes it `-`, or `!=` for bools, as NumPy does)."""
    call, shape, n, axis = diff_call(node, scope)
    span = call.span()
    length = shape[axis]
    if isinstance(length, ir.Const) and length.value == 1:
        raise scope.module.error(node, "np.diff() along an axis of length 1 makes an empty array, which kernels do "
                                       "not make")
    value = build_expr(call.need("a"), scope)
    for _ in range(n):
        later = narrowed_value(value, axis, len(shape), True, span)
        value = ir.Call("numpy.diff", (later, narrowed_value(value, axis, len(shape), False, span)), span)
    return value


def _name(node: cst.BaseExpression, scope: KernelScope) -> str | None:
    return scope.module.qualified_name(node.func) if isinstance(node, cst.Call) else None
