"""Rectangular views of arrays, as kernels write them: `a[i, 1:-1]`, `x[:, None]`, `a.T`, `a`.

A view is what NumPy's basic indexing makes (step 1): some dimensions of the array fixed at an
index, the others running over `[lo, hi)`, plus new axes of length 1, in some order. Lowering never
materializes a view: it reads or writes one element at a time at *offsets* into the view's axes, so
the C indexes the array itself (`a[i - 1][j]`). Bounds follow Python: a negative bound counts from
the end, and bounds are clamped to the extent; constant bounds stay simple where that gives the same
elements (`a[1:-1]` runs over `[1, n - 1)`), so the access analysis sees plain affine ranges.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import libcst as cst

from translator.errors import Span
from translator.frontend.expressions import array_type, build_expr, made_shape
from translator.frontend.source import fold_constant
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.arrays import flip_axis

if TYPE_CHECKING:
    from translator.frontend.context import KernelScope

NEW_AXES = ("numpy.newaxis",)


def is_view(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` denotes an array view: an array's name, `.T` of a view, or a subscript of an
    array that leaves at least one axis (a slice, a new axis, or fewer indices than dimensions)."""
    if isinstance(node, cst.Attribute) and node.attr.value == "T":
        return is_view(node.value, scope)
    swapped = transposed(node, scope) or flipped(node, scope)
    if swapped is not None:
        return is_view(swapped[0], scope)
    if isinstance(node, cst.Name):
        return array_type(node.value, scope) is not None or node.value in scope.views
    if whole_subscript(node, scope):
        return True
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
        kind = array_type(node.value.value, scope)
        if kind is None:
            return False
        consumed = sum(1 for e in node.slice if not is_new_axis(e.slice, scope) and not is_ellipsis(e.slice))
        return consumed < kind.rank or any(not isinstance(e.slice, cst.Index) or is_new_axis(e.slice, scope)
                                           for e in node.slice)
    return False


def build_view(node: cst.BaseExpression, scope: KernelScope) -> ir.View:
    """The view `node` denotes (see `is_view`); steps other than 1 are rejected."""
    if isinstance(node, cst.Attribute) and node.attr.value == "T":
        view = build_view(node.value, scope)
        return dataclasses.replace(view, axes=view.axes[::-1])
    if whole_subscript(node, scope):
        return build_view(node.value, scope)  # type: ignore[attr-defined]
    if isinstance(node, cst.Name) and node.value in scope.views:
        return build_view(scope.views[node.value], scope)
    swapped = transposed(node, scope)
    if swapped is not None:
        return _permuted(node, build_view(swapped[0], scope), swapped[1], scope)
    flip = flipped(node, scope)
    if flip is not None:
        return _reversed(node, build_view(flip[0], scope), flip[1], scope)
    span = scope.module.span(node)
    if isinstance(node, cst.Name):
        return whole_view(node.value, scope, span)
    assert isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name)
    name = node.value.value
    kind = array_type(name, scope)
    assert kind is not None
    parts = [e.slice for e in node.slice]
    consumed = sum(1 for p in parts if not is_new_axis(p, scope) and not is_ellipsis(p))
    if consumed > kind.rank:
        raise scope.module.error(
            node, f"array '{name}' has {kind.rank} dimension{'s' * (kind.rank > 1)} but is indexed with {consumed}")
    parts = _ellipsis_expanded(parts, kind.rank - consumed, node, scope)
    fixed: list[ir.Expr | None] = []
    axes: list[ir.ViewAxis] = []
    for part in parts:
        if is_new_axis(part, scope):
            axes.append(ir.ViewAxis(None, ir.Const(0, span), ir.Const(1, span)))
        elif isinstance(part, cst.Slice):
            axes.append(_slice_axis(part, name, len(fixed), scope, span))
            fixed.append(None)
        else:
            assert isinstance(part, cst.Index)
            fixed.append(build_expr(part.value, scope))
    return ir.View(name, tuple(fixed), tuple(axes), span)


def is_ellipsis(part: cst.BaseSlice) -> bool:
    return isinstance(part, cst.Index) and isinstance(part.value, cst.Ellipsis)


def _ellipsis_expanded(parts: list[cst.BaseSlice], free: int, node: cst.Subscript, scope: KernelScope
                       ) -> list[cst.BaseSlice]:
    """The subscript's parts with its `...` replaced by full slices of the `free` axes it stands for
    (`img[..., 0]` of a 3-D array is `img[:, :, 0]`), at the end without one (`A[i]` is `A[i, :]`);
    NumPy allows one `...` in an index."""
    at = [k for k, p in enumerate(parts) if is_ellipsis(p)]
    if len(at) > 1:
        raise scope.module.error(node, "an index can only have a single ellipsis ('...'), as in NumPy")
    where = at[0] if at else len(parts)
    return parts[:where] + [cst.Slice(lower=None, upper=None)] * free + parts[where + 1:]


def whole_subscript(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """`a[...]`, `a[:]`, `u[:, :]`: a subscript of an array or a view name that keeps every element
    of it, in order (full slices or one `...`), so it is that array or view itself."""
    if not isinstance(node, cst.Subscript) or not isinstance(node.value, cst.Name):
        return False
    base = node.value.value
    if array_type(base, scope) is None and base not in scope.views:
        return False
    parts = [e.slice for e in node.slice]
    full = all(isinstance(p, cst.Slice) and p.lower is None and p.upper is None and p.step is None for p in parts)
    return full or (len(parts) == 1 and isinstance(parts[0], cst.Index) and isinstance(parts[0].value, cst.Ellipsis))


def transposed(node: cst.BaseExpression, scope: KernelScope
                ) -> tuple[cst.BaseExpression, list[cst.BaseExpression]] | None:
    """`a.transpose()`, `a.transpose(1, 0)`, `a.transpose((1, 0))`, `np.transpose(a, axes=(1, 0))`:
    the operand and the axes given (none: reversed); None for other expressions."""
    if not isinstance(node, cst.Call) or any(a.star for a in node.args):
        return None
    positional = [a.value for a in node.args if a.keyword is None]
    keywords = [a.value for a in node.args if a.keyword is not None and a.keyword.value == "axes"]
    taken: tuple[str, ...]
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "transpose" and (
            scope.module.qualified_name(node.func) is None):
        operand, axes, taken = node.func.value, positional, ()
    elif scope.module.qualified_name(node.func) == "numpy.transpose" and positional:
        operand, axes, taken = positional[0], positional[1:] + keywords, ("axes",)
    else:
        return None
    _refuse_keywords(node, taken, "transpose", scope)
    if len(axes) == 1 and isinstance(axes[0], cst.Tuple):
        axes = [e.value for e in axes[0].elements]
    return operand, axes


FLIPS = {"numpy.flip": None, "numpy.flipud": 0, "numpy.fliplr": 1}
"""NumPy's reversals of a view's axes, and the axis each reverses (None: `np.flip`'s `axis=`, all by default)."""


def flipped(node: cst.BaseExpression, scope: KernelScope) -> tuple[cst.BaseExpression, list[cst.BaseExpression]] | None:
    """`np.flip(a)`, `np.flip(a, 0)`, `np.flip(a, axis=(0, 1))`, `np.flipud(a)`, `np.fliplr(a)`: the
    operand and the axes given (none: all); None for other expressions."""
    if not isinstance(node, cst.Call) or any(a.star for a in node.args):
        return None
    name = scope.module.qualified_name(node.func)
    args = [a.value for a in node.args]
    if name not in FLIPS or not args:
        return None
    _refuse_keywords(node, ("axis",) if name == "numpy.flip" else (), name.removeprefix("numpy."), scope)
    if len(args) > (2 if name == "numpy.flip" else 1):
        raise scope.module.error(node, f"np.{name.removeprefix('numpy.')}() takes an array"
                                       f"{' and axis=' if name == 'numpy.flip' else ''}, nothing more")
    fixed = FLIPS[name]
    axes: list[cst.BaseExpression] = [cst.Integer(str(fixed))] if fixed is not None else args[1:]
    if len(axes) == 1 and isinstance(axes[0], cst.Tuple):
        axes = [e.value for e in axes[0].elements]
    return args[0], axes


def _refuse_keywords(node: cst.Call, taken: tuple[str, ...], label: str, scope: KernelScope) -> None:
    """A keyword NumPy's function does not take is NumPy's TypeError: a located error here."""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value not in taken:
            takes = f"takes only {', '.join(f'{t}=' for t in taken)}" if taken else "takes no keyword arguments"
            raise scope.module.error(arg, f"{label}() {takes} (NumPy raises TypeError for '{arg.keyword.value}=')")


def _reversed(node: cst.BaseExpression, view: ir.View, axes: list[cst.BaseExpression], scope: KernelScope
              ) -> ir.View:
    """`view` with the axes `axes` names (all when none) read backwards (`ir.arrays.flip_axis`)."""
    wanted = flip_axes(node, axes, view.rank, scope)
    span = scope.module.span(node)
    return dataclasses.replace(view, axes=tuple(
        flip_axis(axis, span) if k in wanted and axis.dim is not None else axis for k, axis in enumerate(view.axes)))


def flip_axes(node: cst.BaseExpression, axes: list[cst.BaseExpression], rank: int, scope: KernelScope
              ) -> frozenset[int]:
    """The axes of a `rank`-D value that `np.flip(..., axes)` reverses (all when none given)."""
    order = [fold_constant(a, scope.module, scope.module.constants) for a in axes] or list(range(rank))
    wanted = {k % rank for k in order if isinstance(k, int) and not isinstance(k, bool) and -rank <= k < rank}
    if len(wanted) != len(order):
        raise scope.module.error(node, f"np.flip() takes distinct constant axes of the {rank}-D view it reverses")
    return frozenset(wanted)


def _permuted(node: cst.BaseExpression, view: ir.View, axes: list[cst.BaseExpression], scope: KernelScope) -> ir.View:
    """`view` with its axes in the order `axes` gives (result axis k is the view's axis axes[k])."""
    if not axes:
        return dataclasses.replace(view, axes=view.axes[::-1])
    rank = len(view.axes)
    order = [fold_constant(a, scope.module, scope.module.constants) for a in axes]
    wrapped = [k % rank for k in order if isinstance(k, int) and not isinstance(k, bool) and -rank <= k < rank]
    if sorted(wrapped) != list(range(rank)) or len(order) != rank:
        raise scope.module.error(node, f"transpose() takes a permutation of the {rank} axes, as constants")
    return dataclasses.replace(view, axes=tuple(view.axes[k] for k in wrapped))


def whole_view(name: str, scope: KernelScope, span: Span) -> ir.View:
    """All of array `name`."""
    kind = array_type(name, scope)
    assert kind is not None
    axes = tuple(ir.ViewAxis(d, ir.Const(0, span), extent(name, d, scope, span)) for d in range(kind.rank))
    return ir.View(name, (None,) * kind.rank, axes, span)


def _slice_axis(part: cst.Slice, name: str, dim: int, scope: KernelScope, span: Span) -> ir.ViewAxis:
    step = 1 if part.step is None else fold_constant(part.step, scope.module, scope.module.constants)
    if isinstance(step, bool) or step == 0 or (step is not None and not isinstance(step, int)):
        raise scope.module.error(part.step or part, "a slice's step is a non-zero integer (`x[::2]`, `x[::-1]`, "
                                                    "`x[i * i::i]`)")
    n = extent(name, dim, scope, span)
    if step is None:
        return _run_time_step(part, n, dim, scope)
    if step < 0:
        return _reversed_axis(part, n, dim, step, scope, span)
    lo = ir.Const(0, span) if part.lower is None else _bound(part.lower, n, scope, lower=True)
    hi = n if part.upper is None else _bound(part.upper, n, scope, lower=False)
    return ir.ViewAxis(dim, lo, hi, step)


def _run_time_step(part: cst.Slice, n: ir.Expr, dim: int, scope: KernelScope) -> ir.ViewAxis:
    """`x[lo:hi:s]` with a step known when the kernel runs (`is_prime[i * i::i]`): the bounds Python
    takes for the step's sign (`slice.indices`), chosen when the kernel runs; a zero step raises
    Python's `ValueError` there (through the run-time checks' status)."""
    assert part.step is not None
    step, span = build_expr(part.step, scope), scope.module.span(part.step)
    zero = ir.Const(0, span)
    failure = ir.Failure(f"slice step cannot be zero (at {span.path}:{span.line})", span)
    checks.add_condition(scope.guards, checks.Check(ir.Compare("!=", step, zero, span), span, failure))
    lo = zero if part.lower is None else _bound(part.lower, n, scope, lower=True)
    hi = n if part.upper is None else _bound(part.upper, n, scope, lower=False)
    backwards = _reversed_axis(part, n, dim, -1, scope, span)
    ascending = ir.Compare(">", step, zero, span)
    return ir.ViewAxis(dim, ir.Select(ascending, lo, backwards.lo, span), ir.Select(ascending, hi, backwards.hi, span),
                       step)


def _reversed_axis(part: cst.Slice, n: ir.Expr, dim: int, step: int, scope: KernelScope, span: Span) -> ir.ViewAxis:
    """`x[hi:lo:-s]` as Python takes it: the start defaults to the last index and the stop to before
    the first (-1 here); given bounds count from the end when negative and are clamped to [-1, n - 1]."""
    last = ir.Binary("-", n, ir.Const(1, span), span)
    lo = last if part.lower is None else _clamped(part.lower, n, last, scope)
    hi = ir.Const(-1, span) if part.upper is None else _clamped(part.upper, n, last, scope)
    return ir.ViewAxis(dim, lo, hi, step)


def _clamped(node: cst.BaseExpression, n: ir.Expr, last: ir.Expr, scope: KernelScope) -> ir.Expr:
    """A bound of a slice with a negative step: wrapped once, then clamped to [-1, n - 1]."""
    bound = build_expr(node, scope)
    span = bound.span
    if isinstance(bound, ir.Const) and isinstance(bound.value, int) and not isinstance(bound.value, bool):
        if bound.value >= 0:
            return ir.Call("min", (bound, last), span)
        return ir.Call("max", (ir.Binary("-", n, ir.Const(-bound.value, span), span), ir.Const(-1, span)), span)
    wrapped = ir.Select(ir.Compare("<", bound, ir.Const(0, span), span), ir.Binary("+", bound, n, span), bound, span)
    return ir.Call("min", (ir.Call("max", (wrapped, ir.Const(-1, span)), span), last), span)


def _bound(node: cst.BaseExpression, n: ir.Expr, scope: KernelScope, lower: bool) -> ir.Expr:
    """A slice bound as Python takes it, kept simple where that selects the same elements: a
    constant `c >= 0` is `c` as a lower bound (past the end the range is empty anyway) and `min(c, n)`
    as an upper one; a constant `-m` is `max(n - m, 0)` as a lower bound and `n - m` as an upper one
    (below the lower bound the range is empty anyway). Other bounds are wrapped and clamped."""
    bound = build_expr(node, scope)
    span = bound.span
    if isinstance(bound, ir.Const) and isinstance(bound.value, int) and not isinstance(bound.value, bool):
        if bound.value >= 0:
            return bound if lower else ir.Call("min", (bound, n), span)
        from_end = ir.Binary("-", n, ir.Const(-bound.value, span), span)
        return ir.Call("max", (from_end, ir.Const(0, span)), span) if lower else from_end
    wrapped = ir.Select(ir.Compare("<", bound, ir.Const(0, span), span), ir.Binary("+", bound, n, span), bound, span)
    return ir.Call("min", (ir.Call("max", (wrapped, ir.Const(0, span)), span), n), span)


def extent(name: str, dim: int, scope: KernelScope, span: Span) -> ir.Expr:
    """Extent `dim` of an array: known for an array made inside a loop (a constant, or a
    temporary's host expression), or for an array the kernel makes of a constant length there (the
    1 of `x.max(axis=1, keepdims=True)`: NumPy broadcasts it), else `<name>_n<dim>`."""
    local = scope.arrays.get(name)
    if local is not None:
        return made_shape(local)[dim]
    param = scope.params.get(name)
    made = param.allocation.shape[dim] if param is not None and param.allocation is not None else None
    return made if isinstance(made, ir.Const) else ir.Extent(name, dim, span)


def is_new_axis(part: cst.BaseSlice, scope: KernelScope) -> bool:
    """Whether a subscript's part is `None` or `np.newaxis`: a new axis of length 1."""
    if not isinstance(part, cst.Index):
        return False
    value = part.value
    return (isinstance(value, cst.Name) and value.value == "None") or scope.module.qualified_name(value) in NEW_AXES
