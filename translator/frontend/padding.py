"""`np.pad(a, width, mode=...)`: the image tutorials' way to give a stencil its border.

Each element of the result reads the operand at its index less `width` along every axis; where that
falls outside, the mode decides: `"constant"` (NumPy's default) gives `constant_values` (0), `"edge"`
the nearest element (the index clamped), `"wrap"` the element from the other end (the index modulo
the length). The width is one non-negative integer for every side of every axis, as `np.pad(img, 1)`
writes it; per-axis widths and NumPy's other modes are refused with a located error. Importing this
module registers `np.pad` with the expression builder, as `frontend.array_functions` does its calls.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.array_functions import CallArgs, Shape, array_shape, read_operand, result_indices
from translator.frontend.arrays import CALL_SHAPES
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, build_expr
from translator.ir import nodes as ir

MODES = ("constant", "edge", "wrap")


def _pad_call(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape, ir.Expr, str]:
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("array", "pad_width", "mode", "constant_values"), scope, "np.pad")
    shape = array_shape(call, call.need("array"))
    width_node = call.need("pad_width")
    mode_node = call.get("mode")
    mode = "constant" if mode_node is None else (
        mode_node.evaluated_value if isinstance(mode_node, cst.SimpleString) else None)
    if mode not in MODES or isinstance(width_node, (cst.Tuple, cst.List)):
        raise scope.module.error(node, "np.pad() in a kernel takes one integer width for every side and mode "
                                       "\"constant\", \"edge\" or \"wrap\": np.pad(img, 1, mode=\"edge\")")
    width = build_expr(width_node, scope)
    if isinstance(width, ir.Const) and (not isinstance(width.value, int) or width.value < 0):
        raise scope.module.error(width_node, "np.pad()'s width is a non-negative integer")
    span = call.span()
    twice = ir.Binary("*", ir.Const(2, span), width, span)
    return call, tuple(ir.Binary("+", n, twice, span) for n in shape), width, str(mode)


def _pad_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return _pad_call(node, scope)[1]


def _pad(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """The operand at the index less the width, per the mode where that falls outside it."""
    call, shape, width, mode = _pad_call(node, scope)
    span = call.span()
    lengths = array_shape(call, call.need("array"))
    inner = [ir.Binary("-", k, width, span) for k in result_indices(call, shape)]
    if mode == "edge":
        last = [ir.Binary("-", n, ir.Const(1, span), span) for n in lengths]
        at = [ir.Call("min", (ir.Call("max", (k, ir.Const(0, span)), span), e), span) for k, e in zip(inner, last)]
        return read_operand(call, call.need("array"), at)
    if mode == "wrap":
        return read_operand(call, call.need("array"), [ir.Binary("%", k, n, span) for k, n in zip(inner, lengths)])
    given = call.get("constant_values")
    fill = ir.Const(0, span) if given is None else build_expr(given, scope)
    inside: ir.Expr | None = None
    for k, n in zip(inner, lengths):
        test = ir.Logical("and", ir.Compare(">=", k, ir.Const(0, span), span), ir.Compare("<", k, n, span), span)
        inside = test if inside is None else ir.Logical("and", inside, test, span)
    assert inside is not None
    value = read_operand(call, call.need("array"), inner)
    return ir.Select(inside, value, ir.Cast(fill, span, like=value), span)


CALLS["numpy.pad"], CALL_SHAPES["numpy.pad"] = _pad, _pad_shape
KEYWORDS_TAKEN.add("numpy.pad")
