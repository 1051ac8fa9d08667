"""NumPy's functions that move the elements of an array value without computing them, as values of
the IR's tier: `np.roll`, reshapes (`np.reshape`, `a.reshape`, `np.ravel`, `a.ravel()`,
`a.flatten()`), `np.tile` and `np.repeat`. Each is an `ir.Remap`: its operand (an array value of the
tier) read at positions computed from the result's (`ir.Position`s), so it composes with
elementwise expressions, reductions, products and assignment like a view, and nothing is made.

- `np.roll(a, shift, axis)`: along each rolled axis `(p - shift) % n` (Python's modulo, so a negative
  or run-time shift wraps as in NumPy); without an axis over the flattened array (the row-major
  position rolled, then delinearised). Tuples of shifts and axes broadcast against each other, the
  shifts of an axis named twice adding up, as NumPy's.
- A reshape: the result's position linearised in row-major order over the new shape, delinearised
  over the operand's (NumPy's values whatever the operand's memory: its reshape is of the C-ordered
  logical array); where both shapes have the same lengths but for axes of length 1 (the same
  expressions), the positions are the result's, those axes dropped or added. The size check (a -1
  computed from the others) is recorded by `array_functions.reshape_parts`.
- `np.tile(A, reps)`: `p % n` along each repeated axis (the operand's shape padded with 1s in front).
- `np.repeat(a, r, axis)`: `p // r` along the axis, or over the flattened array without one.

The shapes come from `frontend/array_functions.py`, whose element-by-element builders remain for the
statements the tier does not take (a join of these values).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from translator.errors import Span
from translator.frontend.array_functions import (CallArgs, constant_axis, flat_position, product, repeat_parts,
                                                 reshape_parts, roll_call, tile_parts, unravel)
from translator.frontend.arrays import method_name, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.expressions import build_expr
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir
from translator.ir.arrays import same

Shape = tuple[ir.Expr, ...]
ROLL, TILE, REPEAT = "numpy.roll", "numpy.tile", "numpy.repeat"
RESHAPE_CALLS = ("numpy.reshape", "numpy.ravel")
RESHAPE_METHODS = ("reshape", "ravel", "flatten")


def operand(node: cst.BaseExpression, scope: KernelScope) -> tuple[cst.BaseExpression, list[cst.BaseExpression]] | None:
    """For a call this module builds: its array operand and its scalar arguments (shifts, lengths,
    repetitions), for `tier_functions.takes` to test; None for any other node."""
    if not isinstance(node, cst.Call):
        return None
    name, method = scope.module.qualified_name(node.func), method_name(node, scope)
    if name in RESHAPE_CALLS or method in RESHAPE_METHODS:
        call, array, _ = reshape_parts(node, scope)
        return array, _scalars(call.get("shape"))
    names = {ROLL: ("a", "shift", "axis"), TILE: ("A", "reps"), REPEAT: ("a", "repeats", "axis")}.get(name or "")
    if names is None:
        return None
    call = CallArgs(node, names, scope, f"np.{(name or '')[6:]}")
    array = call.need(names[0])
    return array, _scalars(call.need(names[1]))


def _scalars(node: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    if node is None:
        return []
    if isinstance(node, (cst.Tuple, cst.List)):
        return [e.value for e in node.elements]
    return [node]


def build(node: cst.Call, scope: KernelScope) -> ir.Expr:
    """The `ir.Remap` of a call `operand` accepts, over its operand's tier value."""
    name = scope.module.qualified_name(node.func)
    if name == ROLL:
        return _roll(node, scope)
    if name == TILE:
        return _tile(node, scope)
    if name == REPEAT:
        return _repeat(node, scope)
    return _reshape(node, scope)


def _positions(rank: int, span: Span) -> list[ir.Expr]:
    return [ir.Position(k, span) for k in range(rank)]


def _remap(call: CallArgs, array: cst.BaseExpression, lengths: Sequence[ir.Expr], positions: Sequence[ir.Expr]
           ) -> ir.Remap:
    return ir.Remap(build_expr(array, call.scope), tuple(lengths), tuple(positions), call.span())


def _roll(node: cst.Call, scope: KernelScope) -> ir.Expr:
    """`np.roll(a, shift, axis=None)` (module docstring)."""
    call, shape = roll_call(node, scope)
    span = call.span()
    shifts = [build_expr(s, scope) for s in _scalars(call.need("shift"))]
    axes = _roll_axes(call, len(shape))
    here = _positions(len(shape), span)
    if axes is None:
        if len(shifts) != 1:
            raise scope.module.error(node, "np.roll() without axis= takes one shift")
        size = product(shape, span)
        back = ir.Binary("%", ir.Binary("-", flat_position(here, shape), shifts[0], span), size, span)
        return _remap(call, call.need("a"), shape, unravel(back, shape))
    if len(shifts) != len(axes) and 1 not in (len(shifts), len(axes)):
        raise scope.module.error(node, "np.roll(): shift and axis must have the same number of items (NumPy: shape "
                                       "mismatch: objects cannot be broadcast to a single shape)")
    pairs = zip(shifts * len(axes) if len(shifts) == 1 else shifts, axes * len(shifts) if len(axes) == 1 else axes)
    total: dict[int, ir.Expr] = {}
    for shift, axis in pairs:
        total[axis] = ir.Binary("+", total[axis], shift, span) if axis in total else shift
    for axis, shift in total.items():
        here[axis] = ir.Binary("%", ir.Binary("-", here[axis], shift, span), shape[axis], span)
    return _remap(call, call.need("a"), shape, here)


def _roll_axes(call: CallArgs, rank: int) -> list[int] | None:
    """The constant axis or axes of `np.roll` (None: over the flattened array)."""
    node = call.get("axis")
    if not isinstance(node, (cst.Tuple, cst.List)):
        axis = constant_axis(call, rank, None)
        return None if axis is None else [axis]
    axes = []
    for element in node.elements:
        value = fold_constant(element.value, call.scope.module, call.scope.module.constants)
        if not isinstance(value, int) or isinstance(value, bool) or not -rank <= value < rank:
            raise call.scope.module.error(element.value, f"np.roll(): each axis is a constant in [{-rank}, {rank})")
        axes.append(value % rank)
    return axes


def _reshape(node: cst.Call, scope: KernelScope) -> ir.Expr:
    """A reshape (module docstring): the same row-major position in the operand."""
    call, array, lengths = reshape_parts(node, scope)
    source = shape_of(array, scope)
    here = _positions(len(lengths), call.span())
    kept = [k for k, n in enumerate(lengths) if not _one(n)]
    if len(kept) == len([n for n in source if not _one(n)]) and all(
            same(lengths[k], n) for k, n in zip(kept, [n for n in source if not _one(n)])):
        mine = iter(kept)
        positions = [ir.Const(0, call.span()) if _one(n) else here[next(mine)] for n in source]
    else:
        positions = unravel(flat_position(here, lengths), source)
    return _remap(call, array, lengths, positions)


def _tile(node: cst.Call, scope: KernelScope) -> ir.Expr:
    """`np.tile(A, reps)`: the operand's position modulo its length along each repeated axis."""
    call, padded, reps, lengths = tile_parts(node, scope)
    rank = len(shape_of(call.need("A"), scope))
    here = _positions(len(lengths), call.span())
    at = [p if _one(r) else ir.Binary("%", p, n, call.span()) for p, n, r in zip(here, padded, reps)]
    return _remap(call, call.need("A"), lengths, at[len(at) - rank:])


def _repeat(node: cst.Call, scope: KernelScope) -> ir.Expr:
    """`np.repeat(a, r, axis=None)`: the position divided by `r` along the axis (of the flattened
    operand without one)."""
    call, shape, count, axis, lengths = repeat_parts(node, scope)
    span = call.span()
    here = _positions(len(lengths), span)
    if axis is None:
        return _remap(call, call.need("a"), lengths, unravel(ir.Binary("//", here[0], count, span), shape))
    here[axis] = ir.Binary("//", here[axis], count, span)
    return _remap(call, call.need("a"), lengths, here)


def _one(length: ir.Expr) -> bool:
    return isinstance(length, ir.Const) and length.value == 1
