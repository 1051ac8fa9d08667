"""Array statements the IR's array tier does not take yet (`frontend/array_statements.py` says which
it takes): those whose right side holds a value only the frontend builds (`np.roll`, reshapes,
joins, ... of `frontend/array_functions.py`), lowered here to loop nests of element assignments while
libcst is read; also the facts about array expressions both need (shapes, masks).

The loops run over the assigned view's axes; the right side is built once, as the value of one
element: every array operand (a view, see `views.py`) is read at the same offsets (`ir.arrays`),
broadcast as NumPy does (shapes aligned at the right, axes of length 1 repeated). Outside a `prange`
the loops are `prange`s themselves, so a whole-array statement between parallel loops becomes its
own parallel loop on the device, inside the kernel's one `target data` region; inside a `prange`
they are serial. Later passes see only loops and element accesses.

NumPy evaluates a right side whole before assigning, so the loop may read the assigned array only at
the element being assigned; inside a prange, a right side that reads it elsewhere is evaluated into a
temporary (`ir.Temporary`, one per iteration) first, then copied in (`evaluate_first`). Operands are
assumed to have the lengths of the assigned view, as NumPy requires (it raises otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, Sequence

import libcst as cst

from translator.errors import Span, TranslationError
from translator.frontend.context import Elements, KernelScope
from translator.frontend.guards import check_at_run_time
from translator.frontend.expressions import COMPARISON_CALLS, LOGICAL_CALLS, NUMPY_FUNCTIONS, array_type, build_expr
from translator.frontend.products import product_operands, product_shape
from translator.frontend.reductions import ReductionCall, reduced_axes, reduction_call
from translator.frontend.views import build_view, flipped, is_new_axis, is_view, whole_view
from translator.ir import nodes as ir
from translator.ir.arrays import (ZERO, Offset, at_least_zero, axis_loops, broadcast, broadcast_all, broadcasts,
                                  element, first_clash, loop_nest, same, uses)
from translator.ir.checks import settled_before_run
from translator.ir.types import MAX_RANK
from translator.ir.visit import rewrite
REDUCTIONS = ("numpy.sum", "numpy.max", "numpy.min", "numpy.mean", "numpy.amax", "numpy.amin", "numpy.var", "numpy.std",
              "numpy.count_nonzero")
ELEMENTWISE_CALLS = {"builtins.abs", "numpy.copy", "numpy.where", "numpy.clip", "numpy.round", "numpy.around",
                     "numpy.angle", *LOGICAL_CALLS}
"""Calls computed element by element, of their arguments' broadcast shape (`frontend.tuple_calls` adds
the parts of `np.modf` and `np.frexp`)."""
ELEMENTWISE_METHODS = ("copy", "clip", "astype", "conj", "conjugate", "round")
"""Array methods computed element by element (`frontend.elementwise_calls`): of the receiver's shape."""
ShapeRule = Callable[[cst.Call, KernelScope], tuple[ir.Expr, ...]]
CALL_SHAPES: dict[str, ShapeRule] = {}
"""The shapes of the calls that make arrays of their own shape (`np.linspace`, `np.diff`, ...), by
qualified name, and of methods (`a.reshape(-1)`) by name, registered by `frontend.array_functions`."""
METHOD_SHAPES: dict[str, ShapeRule] = {}
MASKED_ELSEWHERE = ("a masked read (`data[mask]`) has a length known only at run time; kernels take it only as the "
                    "argument of np.sum, np.mean or np.count_nonzero (`np.mean(data[mask])`)")


def aligned(elements: Elements, rank: int, node: cst.CSTNode, scope: KernelScope) -> tuple[Offset, ...]:
    """The offsets of an operand of `rank` axes at the element: the last ones (NumPy aligns shapes at
    the right)."""
    if rank > len(elements.offsets):
        raise scope.module.error(
            node, f"cannot broadcast this {rank}-dimensional array into {len(elements.offsets)} dimension"
            f"{'s' * (len(elements.offsets) > 1)}")
    return elements.offsets[len(elements.offsets) - rank:]


def _view_at(elements: Elements, view: ir.View, node: cst.CSTNode, scope: KernelScope) -> ir.Index:
    """The element of `view` that the element being computed reads, its lengths checked."""
    offsets = aligned(elements, view.rank, node, scope)
    shape = elements.shape[len(elements.shape) - view.rank:]
    single = [broadcasts(axis.length(view.span), expected) for axis, expected in zip(view.axes, shape)]
    for axis, expected, one in zip(view.axes, shape, single):
        require_equal(axis.length(view.span), ir.Const(1, view.span) if one else expected, view.span, scope)
    return element(view, [ZERO if one else o for one, o in zip(single, offsets)])


def require_equal(length: ir.Expr, expected: ir.Expr, span: Span, scope: KernelScope,
                  reshape: tuple[ir.Expr, ...] | None = None, failure: ir.Failure | None = None) -> None:
    """Record a `LengthCheck` unless the lengths are the same expression; lengths that depend on
    more than the arguments (a loop variable, a local) are checked by the kernel (`frontend.guards`),
    and so are all in a device function, whose parameters are not the caller's arguments. A reshape's
    size check gives the shape it asks (`reshape`) and its failure in the kernel."""
    if not scope.lifting and not same(length, expected):
        check_at_run_time(length, expected, span, scope, failure)
    elif not settled_before_run(length, expected, span, scope.params, scope.length_checks, reshape=reshape):
        check_at_run_time(length, expected, span, scope, failure)


def element_of(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """What `node` is at the current element when it is part of an array expression: a view's
    element, a mask local's expression (`frontend.masks`) built there, `~` of a boolean array as
    NumPy's logical not; None where the expression builder treats `node` as a scalar. A masked read
    is a value nowhere but as the operand of a whole reduction, which the tier builds without
    reading it here (`array_statements._masked_reduction`)."""
    if mask_of(node, scope) is not None:
        raise scope.module.error(node, MASKED_ELSEWHERE)
    if scope.elements is None:
        return None
    boolean = mask_or_negation(node, scope)
    if boolean is not None:
        return boolean
    new_axes = expansion(node, scope)
    if new_axes is not None:
        return _expanded_at(scope.elements, node, new_axes, scope)  # type: ignore[arg-type]
    if not is_view(node, scope):
        return None
    return _view_at(scope.elements, build_view(node, scope), node, scope)


def mask_or_negation(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr | None:
    """A mask local's expression (`frontend.masks`), or `~` of a boolean array as NumPy's logical not,
    built (at the current element, inside an array expression); None for anything else."""
    mask = scope.mask(node)
    if mask is not None:
        return build_expr(mask, scope)
    if isinstance(node, cst.UnaryOperation) and is_logical_not(node, scope):
        return ir.Unary("not", build_expr(node.expression, scope), scope.module.span(node))
    return None


def expansion(node: cst.BaseExpression, scope: KernelScope) -> list[bool] | None:
    """For `e[:, None]`, `e[np.newaxis]`, `e[..., None]` of an array expression `e` that is not a
    view (`(x + 1)[:, None]`, `np.sum(A, axis=1)[:, None]`): per axis of the result, whether it is a
    new axis; None for anything else. Only whole axes and new ones: NumPy's broadcasting idiom."""
    if not isinstance(node, cst.Subscript) or is_view(node, scope) or mask_of(node, scope) is not None:
        return None
    parts = [e.slice for e in node.slice]
    if not any(is_new_axis(p, scope) for p in parts):
        return None
    rank = len(shape_of(node.value, scope))
    kept = [isinstance(p, cst.Slice) and p.lower is None and p.upper is None and p.step is None for p in parts]
    ellipsis = [isinstance(p, cst.Index) and isinstance(p.value, cst.Ellipsis) for p in parts]
    if rank == 0 or not all(k or e or is_new_axis(p, scope) for p, k, e in zip(parts, kept, ellipsis)) or sum(
            ellipsis) > 1 or sum(kept) > rank:
        return None
    rest = [False] * (rank - sum(kept))
    if any(ellipsis):
        at = ellipsis.index(True)
        return [is_new_axis(p, scope) for p in parts[:at]] + rest + [
            is_new_axis(p, scope) for p in parts[at + 1:]]
    return [is_new_axis(p, scope) for p in parts] + rest


def _expanded_at(elements: Elements, node: cst.Subscript, new_axes: list[bool], scope: KernelScope) -> ir.Expr:
    """`e[:, None]` at the element: `e` at the offsets of the result's axes that are `e`'s (a new
    axis has length 1: every offset along it reads the same element of `e`)."""
    offsets = aligned(elements, len(new_axes), node, scope)
    shape = elements.shape[len(elements.shape) - len(new_axes):]
    inner = Elements(tuple(o for o, new in zip(offsets, new_axes) if not new),
                     tuple(n for n, new in zip(shape, new_axes) if not new), elements.hoisted)
    scope.elements = inner
    try:
        return build_expr(node.value, scope)
    finally:
        scope.elements = elements


def is_logical_not(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is `~` of a boolean array: NumPy's logical not, not Python's `~` of a bool."""
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert)
            and is_boolean(node.expression, scope) and bool(shape_of(node.expression, scope)))


def value_at(node: cst.BaseExpression, offsets: Sequence[Offset], shape: Sequence[ir.Expr], scope: KernelScope,
             hoisted: list[ir.Stmt]) -> tuple[tuple[ir.Stmt, ...], ir.Expr]:
    """The value of the array expression `node` at `offsets`, and the statements computing it first
    (the loop of a reduction along an axis); what does not depend on the element (a whole reduction,
    `c[i, :] /= np.sum(c[i, :])`) goes to `hoisted`, computed once, as NumPy does."""
    outer = scope.elements, scope.prelude
    scope.elements, scope.prelude = Elements(tuple(offsets), tuple(shape), hoisted), []
    try:
        value = build_expr(node, scope)
        return tuple(scope.prelude), value
    finally:
        scope.elements, scope.prelude = outer


@contextmanager
def outside_element(scope: KernelScope) -> Iterator[None]:
    """Build something that does not depend on the element being computed (a whole reduction):
    its statements go before the loops computing the element."""
    elements, prelude = scope.elements, scope.prelude
    if elements is not None:
        scope.elements, scope.prelude = None, elements.hoisted
    try:
        yield
    finally:
        scope.elements, scope.prelude = elements, prelude


def assign_array(target: cst.BaseExpression, value: cst.BaseExpression, op: str | None,
                 scope: KernelScope) -> list[ir.Stmt]:
    """`view = value` or `view op= value`: one loop per axis of the view, around the assignment
    of one element."""
    return assign_view(build_view(target, scope), value, op, scope)


def assign_view(place: ir.View, value: cst.BaseExpression, op: str | None, scope: KernelScope) -> list[ir.Stmt]:
    """`assign_array` for a view already built. A right side that reads the assigned array at other
    elements is evaluated into a temporary first inside a prange (`evaluate_first`), else rejected."""
    span = place.span
    mark = len(scope.prelude)
    variables, offsets, bounds = _element_loops(place.axes, scope, span)
    into = element(place, offsets)
    prelude, rhs = value_at(value, offsets, place.shape(), scope, scope.prelude)
    if op is not None:
        rhs = ir.Binary(op, into, rhs, span)
    rhs = _hoist_fixed_reads(into, rhs, set(variables), scope)
    clash = first_clash(into, (*prelude, ir.Assign(into, rhs, span)), set(variables))
    if clash is not None and scope.makes_temporaries:
        del scope.prelude[mark:]  # what this attempt hoisted: the temporary's loop computes it again
        return evaluate_first(place, value, op, scope)
    _refuse_clash(into, clash)
    body = (*prelude, ir.Assign(into, rhs, span))
    return [loop_nest(bounds, body, not scope.in_prange, span)]


def _element_loops(axes: Sequence[ir.ViewAxis], scope: KernelScope, span: Span
                   ) -> tuple[list[str], list[Offset], list[tuple[str, ir.Expr, ir.Expr]]]:
    """Fresh loop variables over the axes' ranges, and the offsets of the element they reach."""
    variables = [scope.fresh_loop_var("i") for _ in axes]
    offsets, bounds = axis_loops([ir.Name(v, span) for v in variables], axes)
    return variables, offsets, bounds


def evaluate_first(place: ir.View, value: cst.BaseExpression, op: str | None, scope: KernelScope) -> list[ir.Stmt]:
    """`place op= value` as NumPy computes it when `value` reads the assigned array at other elements
    (`x[i, 1:] = x[i, :-1] + x[i, 1:]`): the whole right side into a temporary of the view's shape
    (one per prange iteration), then the temporary into the view."""
    span, name = place.span, scope.fresh_temp(f"{place.array}_value")
    made, offsets, bounds = fill_temporary(name, value, place.axes, place.shape(), scope, span)
    into = element(place, offsets)
    source = element(whole_view(name, scope, span), offsets)
    copy = ir.Assign(into, source if op is None else ir.Binary(op, into, source, span), span)
    return [*made, loop_nest(bounds, (copy,), False, span)]


def fill_temporary(name: str, value: cst.BaseExpression, axes: Sequence[ir.ViewAxis], lengths: Sequence[ir.Expr],
                   scope: KernelScope, span: Span
                   ) -> tuple[list[ir.Stmt], list[Offset], list[tuple[str, ir.Expr, ir.Expr]]]:
    """A temporary `name` of the array expression's `lengths` (NumPy's dtype), made and filled by a
    serial loop nest over `axes` (each of its length): the statements, and the offsets and loop
    bounds of the element, for a loop that reads it back the same way."""
    variables, offsets, bounds = _element_loops(axes, scope, span)
    prelude, rhs = value_at(value, offsets, lengths, scope, scope.prelude)
    made = declare_temporary(name, rhs, tuple(at_least_zero(n) for n in lengths), span, scope)
    slot = element(whole_view(name, scope, span), offsets)
    return [made, loop_nest(bounds, (*prelude, ir.Assign(slot, rhs, span)), False, span)], offsets, bounds


def declare_temporary(name: str, dtype: ir.Dtype, shape: tuple[ir.Expr, ...], span: Span,
                      scope: KernelScope) -> ir.Temporary:
    """Register `name` as an array of run-time `shape` made in this prange body (see `ir.Temporary`),
    of `dtype` (NumPy's dtype of the value it is made from, for an expression: `ir.ArrayLike`)."""
    if name in scope.params or name in scope.arrays or name in scope.scalar_values:
        raise TranslationError.at(span, f"'{name}' already names an array or a local; an array is made once, under "
                                  "a name of its own")
    if not 1 <= len(shape) <= MAX_RANK:
        raise TranslationError.at(span, f"an array made inside a prange has 1 to {MAX_RANK} dimensions")
    made = ir.Temporary(name, ir.array_of(dtype, len(shape)), shape, span)
    scope.arrays[name] = made
    return made


def _hoist_fixed_reads(into: ir.Index, rhs: ir.Expr, variables: set[str], scope: KernelScope) -> ir.Expr:
    """Reads of the assigned array that are the same for every element (`path[i, k]` in
    `path[i, :] = np.minimum(path[i, :], path[i, k] + path[k, :])`) are taken once, before the loops,
    as NumPy reads them before assigning."""
    def hoist(node: object) -> object:
        if isinstance(node, ir.Index) and node.array == into.array and not uses(node, variables):
            if not scope.in_prange:
                raise TranslationError.at(
                    node.span, f"the right side reads an element of '{into.array}', which this statement may also "
                    "assign; NumPy reads it first, which a statement outside any prange cannot: copy it into "
                    "another array first")
            temp = ir.Name(scope.fresh_temp(node.array), node.span)
            scope.prelude.append(local_assign(temp, node, scope))
            return temp
        return node
    return rewrite(rhs, hoist)


def local_assign(local: ir.Name, value: ir.Expr, scope: KernelScope) -> ir.Assign:
    """`local = value` for a local the frontend makes, recorded as a local (`KernelScope.scalar_values`)."""
    scope.scalar_values.setdefault(local.id, []).append(value)
    return ir.Assign(local, value, local.span)


def _refuse_clash(into: ir.Index, clash: ir.Index | ir.ArrayArg | None) -> None:
    if clash is not None:
        raise TranslationError.at(
            clash.span, f"the right side reads '{into.array}' at other elements than it assigns; NumPy evaluates "
            "it whole before assigning, which takes a temporary array, made only inside a prange: assign into "
            "another array first, or write the loop")


def mask_of(node: cst.BaseExpression, scope: KernelScope) -> cst.BaseExpression | None:
    """The mask of `x[mask]` (also `A[mask, :]`, `A[:, keep]`): an array indexed with one boolean
    array expression (`is_boolean`) and full slices; None for any other expression. A mask of fewer
    dimensions than the array selects along the axes it stands for, as in NumPy, and comes back with
    new axes for the others (`mask[:, None]`), so that it broadcasts over the whole array."""
    found = _selecting(node, scope)
    if found is None:
        return None
    index, position, rank, array_rank = found
    if rank == array_rank:
        return index
    axis = cst.SubscriptElement(cst.Index(cst.Name("None")))
    every = cst.SubscriptElement(cst.Slice(None, None))
    broadcastable = cst.Subscript(index, [*[axis] * position, *[every] * rank, *[axis] * (array_rank - position - rank)])
    scope.module.positions[broadcastable] = scope.module.positions[index]
    return broadcastable


def selected_axes(node: cst.BaseExpression, scope: KernelScope) -> tuple[int, int]:
    """For a masked read (`mask_of` finds its mask): the first axis the mask stands for, and how many."""
    found = _selecting(node, scope)
    assert found is not None
    return found[1], found[2]


def _selecting(node: cst.BaseExpression, scope: KernelScope) -> tuple[cst.BaseExpression, int, int, int] | None:
    """The mask of a masked read, its position among the indices, its rank and the array's rank."""
    if not (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and is_view(node.value, scope)):
        return None
    parts = [e.slice for e in node.slice]
    masks = [i for i, part in enumerate(parts) if isinstance(part, cst.Index) and not is_new_axis(part, scope)
             and is_boolean(part.value, scope) and shape_of(part.value, scope)]
    if len(masks) != 1 or not all(_full_slice(part) for i, part in enumerate(parts) if i != masks[0]):
        return None
    index = parts[masks[0]].value  # type: ignore[attr-defined]
    rank, array_rank = len(shape_of(index, scope)), build_view(node.value, scope).rank
    if masks[0] + rank + len(parts) - masks[0] - 1 > array_rank:
        raise scope.module.error(
            index, f"a mask selects along as many axes as it has, and with the other indices this one needs "
            f"{masks[0] + rank + len(parts) - masks[0] - 1} dimensions: '{node.value.value}' has {array_rank}")
    return index, masks[0], rank, array_rank


def _full_slice(part: cst.BaseSlice) -> bool:
    """`:`, every element of an axis."""
    return isinstance(part, cst.Slice) and part.lower is None and part.upper is None and part.step is None


def selection(node: cst.BaseExpression, scope: KernelScope) -> tuple[cst.Name, cst.BaseExpression] | None:
    """The array and the mask of a masked read `x[mask]`, also through a local bound to one
    (`values = data[mask]`, `frontend.masks`); None for any other expression."""
    bound = scope.mask(node)
    read = node if bound is None else bound
    mask = mask_of(read, scope)
    if mask is None:
        return None
    assert isinstance(read, cst.Subscript) and isinstance(read.value, cst.Name)  # as `mask_of` finds masks
    return read.value, mask


def is_boolean(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is a boolean expression, as NumPy computes masks elementwise: a comparison,
    `&`, `|`, `^` of two of them, `~` of one, np.logical_and/or/xor/not, np.less and the other
    comparison ufuncs, a mask local, or a view of
    a bool array. (Scalars are booleans too; a mask is one with a shape.)"""
    if isinstance(node, cst.Comparison):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)):
        return is_boolean(node.left, scope) and is_boolean(node.right, scope)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert):
        return is_boolean(node.expression, scope)
    if isinstance(node, cst.Call):
        return scope.module.qualified_name(node.func) in (*LOGICAL_CALLS, *COMPARISON_CALLS)
    mask = scope.mask(node)
    if mask is not None:
        return is_boolean(mask, scope)
    if not is_view(node, scope):
        return False
    return _boolean_array(build_view(node, scope).array, scope)


PREDICATES = ("isnan", "isinf", "isfinite", "signbit")
"""The predicates of `math` and NumPy, whose values are bools (`passes.expr_types` types them so)."""


def _boolean_array(name: str, scope: KernelScope) -> bool:
    """Whether array `name` holds bools: by its dtype, or, for an array the kernel makes from a value
    (whose dtype typing decides), by that value read as `is_boolean` reads an expression."""
    kind = array_type(name, scope)
    if isinstance(kind, ir.ArrayLike):
        return _boolean_value(kind.like, scope)
    return kind is not None and kind.dtype.is_bool


def _boolean_value(value: ir.Expr, scope: KernelScope) -> bool:
    """`is_boolean` of a built value, by NumPy's rules for what makes bools: a comparison, a predicate
    (`np.isnan`, ...), a conversion to bool, `any`/`all`, `not`/`~`, `&`, `|`, `^`, `and`, `or` and
    choices (`np.where`, `max`, `min`) of bools, or a read of a bool array."""
    if isinstance(value, (ir.Compare, ir.Const)):
        return isinstance(value, ir.Compare) or isinstance(value.value, bool)
    if isinstance(value, ir.Cast):
        return value.type.is_bool if value.type is not None else value.like is not None and _boolean_value(
            value.like, scope)
    if isinstance(value, ir.Call):
        return value.func in (*LOGICAL_CALLS, *COMPARISON_CALLS) or value.func.rpartition(".")[2] in PREDICATES
    if isinstance(value, ir.ArrayReduce):
        return value.op in ("any", "all") or value.op in ("max", "min") and _boolean_value(value.operand, scope)
    parts: tuple[ir.Expr, ...] = ()
    if isinstance(value, ir.Unary) and value.op in ("not", "~"):
        parts = (value.operand,)
    elif isinstance(value, (ir.Binary, ir.Logical)) and value.op in ("&", "|", "^", "and", "or"):
        parts = (value.left, value.right)
    elif isinstance(value, ir.Select):
        parts = (value.then, value.orelse)
    if parts:
        return all(_boolean_value(part, scope) for part in parts)
    return isinstance(value, (ir.Index, ir.View, ir.Gather)) and _boolean_array(value.array, scope)


def assign_masked(target: cst.Subscript, mask: cst.BaseExpression, value: cst.BaseExpression, op: str | None,
                  scope: KernelScope) -> list[ir.Stmt]:
    """`x[mask] = v` / `x[mask] op= v` with a scalar `v` (`mask_of(target)` is `mask`): every element
    where the mask holds, in a loop nest over `x` (a mask of another shape is an error, as in NumPy)."""
    if shape_of(value, scope):
        raise scope.module.error(value, "a masked assignment in a kernel takes a scalar (`x[x < 0] = 0.0`), or a value "
                                        "that reads arrays of the target's shape through the target's own mask "
                                        "(`x[m] = x[m] ** 2 + y[m]`)")
    place = whole_view(target.value.value, scope, scope.module.span(target))  # type: ignore[attr-defined]
    span = place.span
    variables, offsets, bounds = _element_loops(place.axes, scope, span)
    into = element(place, offsets)
    prelude, cond = value_at(mask, offsets, place.shape(), scope, scope.prelude)
    rhs = _hoist_fixed_reads(into, build_expr(value, scope), set(variables), scope)
    if op is not None:
        rhs = ir.Binary(op, into, rhs, span)
    _refuse_clash(into, first_clash(into, (*prelude, ir.Assign(into, ir.Logical("and", cond, rhs, span), span)),
                                    set(variables)))
    body = (*prelude, ir.If(cond, (ir.Assign(into, rhs, span),), (), span))
    return [loop_nest(bounds, body, not scope.in_prange, span)]


def _refuse_truth_value(node: cst.BooleanOperation | cst.UnaryOperation, scope: KernelScope) -> None:
    """`and`, `or` and `not` ask each operand for one truth value, which an array has not (Python
    raises ValueError): NumPy's elementwise forms are `&`, `|` and `~`."""
    operands = [node.left, node.right] if isinstance(node, cst.BooleanOperation) else [node.expression]
    if any(shape_of(o, scope) for o in operands):
        word = "not" if isinstance(node, cst.UnaryOperation) else ("and" if isinstance(node.operator, cst.And) else "or")
        instead = {"and": "a & b", "or": "a | b", "not": "~a"}[word]
        raise scope.module.error(node, f"`{word}` of an array asks it for one truth value, which raises ValueError in "
                                       f"Python; write `{instead}` (elementwise, on boolean arrays)")


def is_array_statement(target: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether assigning to `target` assigns an array view rather than one element or a name."""
    return not isinstance(target, cst.Name) and is_view(target, scope)


def shape_of(node: cst.BaseExpression, scope: KernelScope) -> tuple[ir.Expr, ...]:
    """The static shape of an expression (empty for a scalar), as NumPy would compute it. An array
    indexed with arrays (`x[cols]`, a gather) has the shape of its indices."""
    if is_view(node, scope):
        return build_view(node, scope).shape()
    mask = scope.mask(node)
    if mask is not None:
        return shape_of(mask, scope)
    new_axes = expansion(node, scope)
    if new_axes is not None:
        inner = iter(shape_of(node.value, scope))  # type: ignore[attr-defined]
        return tuple(ir.Const(1, scope.module.span(node)) if new else next(inner) for new in new_axes)
    if isinstance(node, cst.Subscript):
        return broadcast_all([shape_of(e.slice.value, scope) for e in node.slice if isinstance(e.slice, cst.Index)])
    product = product_operands(node, scope)
    if product is not None:
        kind, left, right = product
        return product_shape(kind, shape_of(left, scope), shape_of(right, scope)) or ()
    if isinstance(node, cst.BinaryOperation):
        return broadcast(shape_of(node.left, scope), shape_of(node.right, scope))
    if isinstance(node, cst.BooleanOperation) or (isinstance(node, cst.UnaryOperation)
                                                   and isinstance(node.operator, cst.Not)):
        _refuse_truth_value(node, scope)
        return ()
    if isinstance(node, cst.UnaryOperation):
        return shape_of(node.expression, scope)
    if isinstance(node, cst.Comparison):
        shapes = [shape_of(node.left, scope), *(shape_of(c.comparator, scope) for c in node.comparisons)]
        if len(shapes) > 2 and any(shapes):
            raise scope.module.error(node, "a chained comparison of arrays (`a < x < b`) is `(a < x) and (x < b)` in "
                                           "Python, which raises ValueError for arrays; write `(a < x) & (x < b)`")
        return broadcast_all(shapes)
    if isinstance(node, cst.Attribute) and node.attr.value in ("real", "imag"):
        return shape_of(node.value, scope)
    flip = flipped(node, scope)
    if flip is not None:  # of an array value (of a view it is a view)
        return shape_of(flip[0], scope)
    call = reduction_call(node, scope)
    if call is not None:
        return _reduction_shape(call, scope)
    method = method_name(node, scope)
    if method in ELEMENTWISE_METHODS:
        return shape_of(node.func.value, scope)  # type: ignore[attr-defined]
    if method in METHOD_SHAPES:
        return METHOD_SHAPES[method](node, scope)  # type: ignore[arg-type]
    if isinstance(node, cst.Call):
        return _call_shape(node, scope)
    return ()


def masked_reduction_axes(call: ReductionCall, rank: int, scope: KernelScope) -> tuple[int, ...]:
    """The array's axes a reduction of its masked read reduces. The read has one axis for the
    selection, of a length known only at run time, where the mask's axes were (`A[mask]` of a 1-D
    mask: the rows selected, then the columns): the reduction must take that axis (`X[labels ==
    k].mean(axis=0)`, a class mean), and keeps its place with `keepdims` only for a 1-D mask."""
    read = call.operand if scope.mask(call.operand) is None else scope.mask(call.operand)
    first, covered = selected_axes(read, scope)  # type: ignore[arg-type]
    axes = reduced_axes(call, rank - covered + 1, scope)
    if first not in axes:
        raise scope.module.error(call.node, f"{call.label}() of a masked read in a kernel reduces its selected axis "
                                 f"(axis {first}), whose length is known only at run time")
    if call.keepdims and covered > 1:
        raise scope.module.error(call.node, f"{call.label}() of a read through a {covered}-D mask in a kernel takes "
                                 "no keepdims=")
    return tuple(sorted({*range(first, first + covered), *(a + covered - 1 for a in axes if a > first),
                         *(a for a in axes if a < first)}))


def _reduction_shape(call: ReductionCall, scope: KernelScope) -> tuple[ir.Expr, ...]:
    """The shape of a reduction's result (empty for a scalar operand, which kernels reject where
    they build the call); of a masked read, the array's without the axes it reduces."""
    selected = selection(call.operand, scope)
    if selected is not None:
        shape = shape_of(selected[0], scope)
        axes = masked_reduction_axes(call, len(shape), scope)
    else:
        shape = shape_of(call.operand, scope)
        axes = reduced_axes(call, len(shape), scope) if shape else ()
    one = ir.Const(1, scope.module.span(call.node))
    return tuple(one if d in axes else n for d, n in enumerate(shape) if call.keepdims or d not in axes)


def method_name(node: cst.BaseExpression, scope: KernelScope) -> str | None:
    """The name of an array method called by `node` (`a.clip(0, 1)`: "clip"), else None."""
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and scope.module.qualified_name(node.func) is None):
        return node.func.attr.value
    return None


def _call_shape(node: cst.Call, scope: KernelScope) -> tuple[ir.Expr, ...]:
    name = scope.module.qualified_name(node.func) or ""
    if name in CALL_SHAPES:
        return CALL_SHAPES[name](node, scope)
    args = [a.value for a in node.args if a.keyword is None]
    if name in ELEMENTWISE_CALLS or (name.startswith("numpy.") and name[6:] in NUMPY_FUNCTIONS):
        return broadcast_all([shape_of(a, scope) for a in args])
    return ()
