"""Array statements that go through the IR's array tier: the frontend translates them as they are
written (`ir.ArrayAssign` over `ir.View`s), typing types them and `passes.lower_arrays` makes the
loops. This module is the one place that says which statements do (`in_tier`); the others are
still lowered by the frontend itself (`frontend.arrays`), as docs/design.md lists.

In the tier: a kernel's assignment or augmented assignment (`=`, `+=`, ...) to a view, or an array it
makes from an array expression (`c = a + b`, `t = a[i, :] * 2` in a prange), whose right side is
elementwise over views and scalars: `+ - * / // % ** & | ^ << >>`, unary `-`/`+`, `~` of a
boolean array (NumPy's logical not), one comparison, NumPy's elementwise functions (`np.sqrt`,
`np.minimum`, `np.logical_and`, ...), `abs`, `.real`/`.imag`, copies (`np.copy(a)`, `a.copy()`),
with scalar operands that read no array but by element (`A[i, k]`, `a.shape[0]`, `alpha`); mask
locals stand for their expressions. Also masked assignments of a scalar (`x[x < 0] = 0`, `x[mask]
*= 2`), with an elementwise mask. Reductions of elementwise values (`np.sum`, `.max(axis=1,
keepdims=True)`, ...: `frontend/reductions.py`) are array values of the tier too (`tier_reduction`),
wherever they appear, and so are matrix products (`A @ B`, `np.dot`, ...: `frontend/products.py`)
and the array functions of `frontend/tier_functions.py` (`np.flip` of an expression, `np.arange`,
`np.diff`).
A masked read (`data[mask]`, or a name bound to one) is a value only as the operand of a whole
reduction, which is one of the tier with a mask (`_masked_reduction`). Not yet: gathers (`x[cols]`),
and statements in device functions. An array the kernel makes has the dtype typing gives its value
(`ir.ArrayLike`): the frontend types nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from translator.frontend.arrays import (ELEMENTWISE_CALLS, ELEMENTWISE_METHODS, expansion, is_logical_not, local_assign,
                                       mask_of, mask_or_negation, masked_reduction_axes, method_name, outside_element,
                                       selection, shape_of)
from translator.frontend.context import KernelScope
from translator.frontend.einsum import build_einsum, einsum_call, stacked_product
from translator.frontend.expressions import NUMPY_FUNCTIONS, array_type, build_expr
from translator.frontend.products import batched, build_product, product_operands, product_shape
from translator.frontend.reductions import ReductionCall, reduced_axes, reduction_call
from translator.frontend import tier_functions
from translator.frontend.views import build_view, flipped, is_new_axis, is_view, transposed, whole_view
from translator.ir import nodes as ir
from translator.ir.arrays import with_new_axis

ELEMENTWISE_UNARY = (cst.Minus, cst.Plus)


def array_statement(target: cst.BaseExpression, value: cst.BaseExpression, op: str | None,
                    scope: KernelScope, built: ir.Expr | None = None) -> list[ir.Stmt] | None:
    """`target op= value` as an `ir.ArrayAssign` when it goes through the tier, else None; a
    masked target (`x[x < 0] = 0`) assigns the elements where its mask holds. `built`: the value's
    tier form where the caller has built it already (`new_array_value`), so it is built once."""
    mask = mask_of(target, scope)
    if not in_tier(target, value, scope):
        return None
    if mask is None:
        place, where = build_view(target, scope), None
    else:
        assert isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)  # as `mask_of` finds masks
        place, where = whole_view(target.value.value, scope, scope.module.span(target)), array_value(mask, scope)
    right = built if built is not None else array_value(value, scope)
    if op is not None:
        right = ir.Binary(op, place, right, scope.module.span(value))
    return [ir.ArrayAssign(place, right, place.span, where=where)]


def in_tier(target: cst.BaseExpression, value: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether the statement assigning `value` to `target` goes through the array tier: a plain view
    and an elementwise value, or a masked array (`x[mask]`), an elementwise mask and a scalar value;
    in a kernel or a device function."""
    mask = mask_of(target, scope)
    if mask is not None:
        return _elementwise(mask, scope) and not shape_of(value, scope) and _elementwise(value, scope)
    return _plain_view(target, scope) and _elementwise(value, scope)


def takes_value(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether the tier takes `node` as an elementwise array value or a scalar (see the module)."""
    return _elementwise(node, scope)


def new_array_value(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """The value of an array the kernel makes (`c = a + b`, `t = a[i, :] * 2`) as an array value of
    the tier, which fills the new array with an `ArrayAssign`; None when the tier does not take it."""
    return array_value(node, scope) if scope.lifting and _elementwise(node, scope) else None


def array_value(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    """The IR of an elementwise array expression (`in_tier`): its views as `ir.View`s, the rest as
    the expression builder makes it."""
    outer = scope.element_of
    scope.element_of = _view_value
    try:
        return build_expr(node, scope)
    finally:
        scope.element_of = outer


def _view_value(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """A view as an `ir.View`, a mask local as its expression, `~` of a boolean array as NumPy's
    logical not; None for the rest."""
    boolean = mask_or_negation(node, scope)
    if boolean is not None:
        return boolean
    new_axes = expansion(node, scope)
    if new_axes is not None:
        assert isinstance(node, cst.Subscript)
        return _expanded(node, new_axes, scope)
    if is_gather(node, scope):
        assert isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name)
        indices = tuple(build_expr(e.slice.value, scope) for e in node.slice if isinstance(e.slice, cst.Index))
        return ir.Gather(node.value.value, indices, scope.module.span(node))
    if is_view(node, scope):
        return build_view(node, scope)
    return tier_functions.build(node, scope)


def _expanded(node: cst.Subscript, new_axes: list[bool], scope: KernelScope) -> ir.Expr:
    """`e[:, None]`, `e[..., None]` of an array expression `e` that is no view (`np.max(A, axis=1)[:,
    np.newaxis]`, `(x - 1)[None, :]`): `e` with a new axis of length 1 at each such place of the
    result (`ir.arrays.with_new_axis`), inserted from the last, so each goes before the axes after it."""
    value, span = build_expr(node.value, scope), scope.module.span(node)
    for position in reversed(range(len(new_axes))):
        if new_axes[position]:
            value = with_new_axis(value, len(new_axes) - 1 - position, span)
    return value


def is_gather(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is NumPy's integer array indexing the tier takes (`x[idx]`, `A[rows, cols[i]]`):
    an array indexed in every dimension by elementwise values or scalars, at least one of them an
    array; not a mask (a boolean index of the array's rank, `mask_of`). Typing refuses indices that
    are not integers."""
    if not (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name)) or mask_of(node, scope) is not None:
        return False
    kind = array_type(node.value.value, scope)
    parts = [e.slice for e in node.slice]
    if kind is None or len(parts) != kind.rank or not all(
            isinstance(p, cst.Index) and not is_new_axis(p, scope) for p in parts):
        return False
    indices = [p.value for p in parts if isinstance(p, cst.Index)]
    return any(shape_of(i, scope) for i in indices) and all(_elementwise(i, scope) for i in indices)


def _plain_view(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """A view indexed by scalars, slices and new axes only (no mask, no gather)."""
    if isinstance(node, cst.Attribute) and node.attr.value == "T":
        return _plain_view(node.value, scope)
    swapped = transposed(node, scope) or flipped(node, scope)
    if swapped is not None:
        return _plain_view(swapped[0], scope)
    if not is_view(node, scope) or mask_of(node, scope) is not None:
        return False
    if isinstance(node, cst.Subscript):
        return all(_scalar(e.slice.value, scope) for e in node.slice
                   if isinstance(e.slice, cst.Index) and not is_new_axis(e.slice, scope))
    return True


def _elementwise(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is elementwise over plain views and scalar operands (see the module)."""
    mask = scope.mask(node)
    if mask is not None:
        return _elementwise(mask, scope)
    if isinstance(node, (cst.Name, cst.Subscript, cst.Attribute, cst.Call)) and _plain_view(node, scope):
        return True
    if isinstance(node, cst.BinaryOperation) and not isinstance(node.operator, cst.MatrixMultiply):
        return _elementwise(node.left, scope) and _elementwise(node.right, scope)
    if isinstance(node, cst.UnaryOperation) and (isinstance(node.operator, ELEMENTWISE_UNARY)
                                                  or is_logical_not(node, scope)):
        return _elementwise(node.expression, scope)
    if isinstance(node, cst.Attribute) and node.attr.value in ("real", "imag"):
        return _elementwise(node.value, scope)
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        return _elementwise(node.left, scope) and _elementwise(node.comparisons[0].comparator, scope)
    if isinstance(node, cst.Call) and _elementwise_function(node, scope):
        return all(a.keyword is None and not a.star and _elementwise(a.value, scope) for a in node.args)
    call = reduction_call(node, scope)
    if call is not None:
        return _reducible(call, scope)
    product = product_operands(node, scope)
    if product is not None:
        return _multipliable(product, scope)
    einsum = einsum_call(node, scope)
    if einsum is not None:
        return all(_plain_view(operand, scope) for operand in einsum.operands)
    if is_gather(node, scope):
        return True
    if expansion(node, scope) is not None:
        return _elementwise(node.value, scope)  # type: ignore[attr-defined]
    if tier_functions.takes(node, scope, lambda operand: _elementwise(operand, scope),
                            lambda operand: _scalar(operand, scope)):
        return True
    if isinstance(node, cst.Call) and method_name(node, scope) in ELEMENTWISE_METHODS:
        return _elementwise(node.func.value, scope) and all(  # type: ignore[attr-defined]
            a.keyword is None and not a.star and _elementwise(a.value, scope) for a in node.args)
    return _scalar(node, scope)


def tier_reduction(node: cst.Call, scope: KernelScope) -> ir.Expr | None:
    """The reduction `node` calls as an `ir.ArrayReduce`, when the tier takes it: of an elementwise
    array value (`np.sum(a[i, :] * b[i, :])`, `(x - m).var(axis=0)`, gathers included) or of a
    masked read (`data[mask].mean()`); None otherwise (an operand the tier does not take)."""
    call = reduction_call(node, scope)
    if call is None:
        return None
    if scope.elements is not None:
        return _hoisted(node, lambda: tier_reduction(node, scope), scope)
    if selection(call.operand, scope) is not None:
        return _masked_reduction(call, scope)
    if not _reducible(call, scope):
        return None
    axes = reduced_axes(call, len(shape_of(call.operand, scope)), scope)
    if scope.element_of is not _view_value and shape_of(node, scope):
        code = cst.Module([]).code_for_node(node)
        raise scope.module.error(node, f"{code} makes an array: assign it into an array or to a new name (`s = {code}`)")
    if call.weights is not None:
        return _weighted_average(call, axes, scope)
    return ir.ArrayReduce(call.op, array_value(call.operand, scope), axes, call.keepdims, scope.module.span(node),
                          ddof=call.ddof)


def _weighted_average(call: ReductionCall, axes: tuple[int, ...], scope: KernelScope) -> ir.Expr:
    """`np.average(a, axis, weights=w)` as NumPy computes it: `sum(a * w) / sum(w)` in the result
    dtype (the operands' promotion, float64 for integers: NumPy's `result_type(a, w, 'f8')` for
    integer `a`), over `axes`; weights of `a`'s shape, or 1-D along the one axis reduced, whose sum
    is then one scalar. Weights that sum to zero give NaN or infinities, where NumPy raises."""
    assert call.weights is not None
    span = scope.module.span(call.node)
    rank, weight_rank = len(shape_of(call.operand, scope)), len(shape_of(call.weights, scope))
    a, w = array_value(call.operand, scope), array_value(call.weights, scope)
    if weight_rank != rank and (weight_rank != 1 or call.axis is None or len(axes) != 1):
        raise scope.module.error(call.weights, "np.average() takes weights of the array's shape, or 1-D weights "
                                 "along the one axis= it reduces (NumPy: axis must be specified when shapes of a and "
                                 "weights differ)")
    spread = w
    if weight_rank != rank:
        for _ in range(rank - 1 - axes[0]):
            spread = with_new_axis(spread, 0, span)
    dtype = ir.Binary("*", ir.Binary("*", a, ir.Const(1.0, span), span), w, span)  # typing decides its type
    total = ir.ArrayReduce("sum", ir.Binary("*", ir.Cast(a, span, like=dtype), ir.Cast(spread, span, like=dtype), span),
                           axes, call.keepdims, span)
    weight = ir.ArrayReduce("sum", ir.Cast(w, span, like=dtype), axes if weight_rank == rank else (0,),
                            call.keepdims and weight_rank == rank, span)
    return ir.Binary("/", total, weight, span)


def _masked_reduction(call: ReductionCall, scope: KernelScope) -> ir.ArrayReduce:
    """A whole reduction of a masked read (`np.mean(data[mask])`): the reduction of all of the array
    where the mask holds (`ir.ArrayReduce.where`), as the selection's length is known only at run
    time. Only the reductions NumPy defines for an empty selection (`ir.MASKED_REDUCE_OPS`)."""
    selected = selection(call.operand, scope)
    assert selected is not None
    array, mask = selected
    if call.weights is not None:
        raise scope.module.error(call.weights, "np.average() of a masked read takes no weights= in kernels")
    if call.op not in ir.MASKED_REDUCE_OPS:
        why = ("NumPy raises when the mask selects nothing, which a kernel cannot do: write the loop, with an `if` on "
               "the mask (and decide what an empty selection gives)" if call.op in ("max", "min", "argmax", "argmin")
               else "np.sum, np.prod, np.mean, np.any, np.all and np.count_nonzero of one are")
        raise scope.module.error(call.node, f"{call.label}() of a masked read (`a[mask]`) is not supported in kernels; "
                                 f"{why}")
    view = array_value(array, scope)
    assert isinstance(view, ir.View)
    axes = masked_reduction_axes(call, view.rank, scope)
    return ir.ArrayReduce(call.op, view, axes, call.keepdims, scope.module.span(call.node),
                          where=array_value(mask, scope))


def tier_product(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """The matrix product `node` (`A @ B`, `np.dot(a, b)`, ...) as an array value of the tier, when
    the tier takes it: in a kernel, of elementwise operands of ranks NumPy's rule and kernels take;
    None otherwise."""
    product = product_operands(node, scope)
    if product is not None and scope.elements is not None:
        return _hoisted(node, lambda: tier_product(node, scope), scope)
    if product is None or not _multipliable(product, scope):
        return None
    kind, left, right = product
    shape = shape_of(node, scope)
    if scope.element_of is not _view_value and shape:
        raise scope.module.error(node, "this product makes an array: assign it into an array or to a new name")
    ranks = (len(shape_of(left, scope)), len(shape_of(right, scope)))
    if batched(kind, *ranks):
        call = stacked_product(node, left, right, scope)
        views = [array_value(operand, scope) for operand in (left, right)]
        return build_einsum(call, views, scope.module.span(node))
    return build_product(kind, array_value(left, scope), array_value(right, scope), ranks, scope.module.span(node))


def tier_einsum(node: cst.Call, scope: KernelScope) -> ir.Expr | None:
    """`np.einsum(subscripts, ...)` as an array value of the tier (`frontend/einsum.py`), when its
    operands are views; None otherwise."""
    call = einsum_call(node, scope)
    if call is not None and scope.elements is not None:
        return _hoisted(node, lambda: tier_einsum(node, scope), scope)
    if call is None or not all(_plain_view(operand, scope) for operand in call.operands):
        return None
    if scope.element_of is not _view_value and shape_of(node, scope):
        raise scope.module.error(node, "this np.einsum() makes an array: assign it into an array or to a new name")
    views = [array_value(operand, scope) for operand in call.operands]
    if not all(isinstance(view, ir.View) for view in views):
        return None
    return build_einsum(call, views, scope.module.span(node))


def _hoisted(node: cst.BaseExpression, build: Callable[[], ir.Expr | None], scope: KernelScope) -> ir.Expr | None:
    """A whole reduction or product (`build`) inside a statement the frontend still lowers itself
    (`scope.elements`: `y[:] = np.roll(x, 1) / np.sum(x)`): the tier's node assigned to a fresh local
    before that statement's loops, so it is computed once, before the statement, as in NumPy. None
    for one with a shape, which such a statement cannot take."""
    if shape_of(node, scope):
        return None
    span = scope.module.span(node)
    with outside_element(scope):
        value = build()
        if value is None:
            return None
        local = ir.Name(scope.fresh_temp("value"), span)
        scope.prelude.append(local_assign(local, value, scope))
    return local


def _multipliable(product: tuple[str, cst.BaseExpression, cst.BaseExpression], scope: KernelScope) -> bool:
    """Whether the tier takes a product: elementwise operands of ranks it takes (`product_shape`)."""
    kind, left, right = product
    shapes = (shape_of(left, scope), shape_of(right, scope))
    if batched(kind, len(shapes[0]), len(shapes[1])):  # `frontend/einsum.py` lines the operands up
        return all(mask_of(a, scope) is None and _elementwise(a, scope) for a in (left, right))
    return (product_shape(kind, *shapes) is not None
            and all(mask_of(a, scope) is None and _elementwise(a, scope) for a in (left, right)))


def _reducible(call: ReductionCall, scope: KernelScope) -> bool:
    """Whether the tier takes the reduction `call`: its operand is an elementwise array value, or a
    masked read it reduces whole."""
    if selection(call.operand, scope) is not None:
        return True  # `tier_reduction` takes it or says why not
    return (mask_of(call.operand, scope) is None and bool(shape_of(call.operand, scope))
            and _elementwise(call.operand, scope)
            and (call.weights is None or (mask_of(call.weights, scope) is None and _elementwise(call.weights, scope))))


def _elementwise_function(node: cst.Call, scope: KernelScope) -> bool:
    name = scope.module.qualified_name(node.func) or ""
    if isinstance(node.func, cst.Name) and (node.func.value in scope.assigned or node.func.value in scope.params):
        return False
    return name in ELEMENTWISE_CALLS or (name.startswith("numpy.") and name[6:] in NUMPY_FUNCTIONS)


def _scalar(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """A scalar operand: it has no shape and reads arrays only by element or extent (no view inside,
    so no reduction or device function call over an array, and no mask local)."""
    return not shape_of(node, scope) and not _reads_arrays_whole(node, scope)


def _reads_arrays_whole(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` holds a view or a mask local anywhere but as an element's array (`A[i, k]`),
    an extent's (`a.shape[0]`) or `len(a)`'s."""
    if isinstance(node, cst.BaseExpression) and (is_view(node, scope) or scope.mask(node) is not None):
        return True
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
        return any(_reads_arrays_whole(e, scope) for e in node.slice)
    if isinstance(node, cst.Attribute) and node.attr.value == "shape":
        return False
    if isinstance(node, cst.Call) and scope.module.qualified_name(node.func) == "builtins.len":
        return False
    return any(_reads_arrays_whole(child, scope) for child in node.children)
