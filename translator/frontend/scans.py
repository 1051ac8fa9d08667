"""Scans: `np.cumsum` and `np.cumprod` (also as methods, `w.cumsum()`), whole (over the flattened
array) or along one constant `axis=`.

An element of a scan depends on every element before it, so unlike the functions of
`frontend.array_functions` it is not computed where it is read: the scan fills an array of its own
first, once, before the statement that reads it (`Elements.hoisted`, as a whole reduction is), then
the statement reads that array at the element. The loop runs in order, as NumPy's does, so the sums
are NumPy's bit for bit: `acc = acc + a[k]; s[k] = acc`. Along an axis the other axes are
independent: outside any `prange` they are a parallel loop nest with the scan serial inside; a whole
scan outside a `prange` is one serial loop in a `prange` of one iteration, so the arrays stay on the
device. The scan's array is an array made by the kernel (a `Scratch` parameter the caller allocates)
at the top level, a temporary inside a `prange`. Importing this module registers the calls.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.array_functions import (CallArgs, Shape, array_shape, constant_axis, flat_position, product,
                                                 result_indices)
from translator.frontend.allocations import declare_new_array, settle_dtype
from translator.frontend.arrays import (CALL_SHAPES, METHOD_SHAPES, declare_temporary, local_assign, method_name,
                                       outside_element, value_at)
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, METHODS
from translator.ir import nodes as ir
from translator.ir.arrays import Offset, loop_nest

OPERATORS = {"cumsum": "+", "cumprod": "*"}


def _parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, cst.BaseExpression, Shape, int | None, str]:
    """The call, the operand, its shape, the axis (None: over the flattened array) and the kind."""
    assert isinstance(node, cst.Call)
    method = method_name(node, scope)
    if method is not None and isinstance(node.func, cst.Attribute):
        call, operand = CallArgs(node, ("axis",), scope, f"a.{method}"), node.func.value
        kind = method
    else:
        kind = (scope.module.qualified_name(node.func) or "").removeprefix("numpy.")
        call = CallArgs(node, ("a", "axis"), scope, f"np.{kind}")
        operand = call.need("a")
    shape = array_shape(call, operand)
    axis = constant_axis(call, len(shape), None)
    return call, operand, shape, 0 if axis is None and len(shape) == 1 else axis, kind


def _shape(node: cst.Call, scope: KernelScope) -> Shape:
    call, _, shape, axis, _ = _parts(node, scope)
    return shape if axis is not None else (product(shape, call.span()),)


def _scan(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """The element of the scan's array, which the scan fills before the statement."""
    call, operand, shape, axis, kind = _parts(node, scope)
    indices = result_indices(call, _shape(call.node, scope))
    with outside_element(scope):
        name = _fill(call, operand, shape, axis, kind)
    return ir.Index(name, tuple(indices), call.span())


def _fill(call: CallArgs, operand: cst.BaseExpression, shape: Shape, axis: int | None, kind: str) -> str:
    """The statements filling the scan's array, appended to the scope's prelude; its name."""
    scope, span = call.scope, call.span()
    variables = [scope.fresh_loop_var("k") for _ in shape]
    offsets = [Offset(ir.Name(v, span), None, 0) for v in variables]
    inner, value = value_at(operand, offsets, shape, scope, scope.prelude)
    # NumPy's type of a scan is its sum's (integers and bools widen to 64 bits), which typing decides
    like = ir.ArrayReduce("sum", value, (), False, span)
    name = _declare(call, like, shape if axis is not None else (product(shape, span),), kind)
    acc = ir.Name(scope.fresh_temp("acc"), span)
    at = [ir.Name(v, span) for v in variables]
    slot = ir.Index(name, tuple(at) if axis is not None else (flat_position(at, shape),), span)
    body = (*inner, local_assign(acc, ir.Binary(OPERATORS[kind], acc, value, span), scope), ir.Assign(slot, acc, span))
    zero = ir.dtype_of_array(name, len(slot.indices), span)
    start = local_assign(acc, ir.Cast(ir.Const(int(kind == "cumprod"), span), span, like=zero), scope)
    bounds = [(v, ir.Const(0, span), n) for v, n in zip(variables, shape)]
    along = bounds if axis is None else bounds[axis:axis + 1]
    outer = [] if axis is None else bounds[:axis] + bounds[axis + 1:]
    scan = (start, loop_nest(along, body, False, span))
    if not outer and scope.in_prange:
        scope.prelude.extend(scan)
        return name
    once = [(scope.fresh_loop_var("once"), ir.Const(0, span), ir.Const(1, span))]
    scope.prelude.append(loop_nest(outer or once, scan, not scope.in_prange, span))
    return name


def _declare(call: CallArgs, dtype: ir.Expr, shape: Shape, kind: str) -> str:
    """A new array for the scan, of NumPy's dtype of `dtype`: made by the kernel at the top level, a
    temporary in a prange."""
    scope, span = call.scope, call.span()
    for param in list(scope.params.values()):  # made when the statement was read before: typed from this reading
        if param.allocation is not None and param.allocation.span == span and param.name.startswith(f"{kind}__"):
            settle_dtype(scope, param.name, dtype)
            return param.name
    name = scope.fresh_temp(kind)
    if scope.makes_temporaries:
        scope.prelude.append(declare_temporary(name, dtype, shape, span, scope))
    elif scope.lifting and not scope.in_prange:
        declare_new_array(scope, name, call.node, dtype, shape, span)
    else:
        raise scope.module.error(call.node, f"{call.label}() is not supported in device functions: the scan needs "
                                            "an array of its own")
    return name


for _kind in OPERATORS:
    CALLS[f"numpy.{_kind}"], CALL_SHAPES[f"numpy.{_kind}"] = _scan, _shape
    METHODS[_kind], METHOD_SHAPES[_kind] = _scan, _shape
    KEYWORDS_TAKEN.update((f"numpy.{_kind}", f"a.{_kind}"))
