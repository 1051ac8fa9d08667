"""NumPy functions whose result element is not the same element of their operands: constructors
(`np.linspace`, `np.arange`), differences and shifts (`np.diff`, `np.roll`), reshaping
(`a.reshape(...)`, `np.reshape`, `a.ravel()`, `a.flatten()`), joining (`np.concatenate`, `np.stack`,
`np.hstack`, `np.vstack`) and repetition (`np.tile`, `np.repeat`).

Each is an array value computed one element at a time, like the rest of `frontend.arrays`: its
builder is called while an element is being built (`scope.elements`), takes that element's index
along each of its axes and reads its operands at the indices NumPy's definition gives (`np.diff`:
`a[k + 1] - a[k]`; a reshape: the same row-major position in the operand). So nothing is
materialized, and the statement holding the call is lowered by the frontend's loops (the array tier
takes elementwise statements only; `np.arange` and `np.diff` are its values where the statement is
the tier's: `frontend/tier_functions.py`). Shapes are symbolic (`CALL_SHAPES`), so `x = np.linspace(0, 1, n)`
makes an array of `n` elements, and the lengths of a statement are checked as for any operand.
A reshape read is NumPy's value whether or not NumPy would make a view; binding one to a name, where
NumPy's view would share memory, is rejected (`allocations`). Importing this module registers the
calls with the expression builder.
"""

from __future__ import annotations

import functools
from typing import Callable, Sequence

import libcst as cst

from translator.errors import Span
from translator.frontend.arrays import (CALL_SHAPES, METHOD_SHAPES, aligned, method_name, require_equal, shape_of,
                                       value_at)
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, METHODS, build_expr, dtype_of, shape_parts
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir
from translator.ir.arrays import Offset
from translator.ir.checks import reshape_failure

Shape = tuple[ir.Expr, ...]


class CallArgs:
    """One call's arguments: positional ones and keywords, by NumPy's parameter names."""

    def __init__(self, node: cst.Call, names: Sequence[str], scope: KernelScope, label: str,
                 gather: bool = False) -> None:
        """`gather`: the positional arguments are one tuple, as `a.reshape(n, m)` takes its shape."""
        self.node, self.scope, self.label = node, scope, label
        self.values: dict[str, cst.BaseExpression] = {}
        positional = [a.value for a in node.args if a.keyword is None]
        if gather and len(positional) > 1:
            positional = [cst.Tuple([cst.Element(p) for p in positional])]
        if len(positional) > len(names) or any(a.star for a in node.args):
            raise scope.module.error(node, f"{label}() takes at most {len(names)} arguments here: "
                                           f"({', '.join(names)})")
        self.values.update(zip(names, positional))
        for arg in node.args:
            if arg.keyword is None:
                continue
            if arg.keyword.value not in names or arg.keyword.value in self.values:
                raise scope.module.error(arg, f"{label}() in a kernel takes no argument '{arg.keyword.value}' here")
            self.values[arg.keyword.value] = arg.value

    def get(self, name: str) -> cst.BaseExpression | None:
        return self.values.get(name)

    def need(self, name: str) -> cst.BaseExpression:
        value = self.values.get(name)
        if value is None:
            raise self.scope.module.error(self.node, f"{self.label}() needs its argument '{name}'")
        return value

    def constant(self, name: str, default: int | bool | None) -> int | bool | None:
        """An argument that must be a constant (`axis=`, `endpoint=`, `n=`)."""
        node = self.values.get(name)
        if node is None or (isinstance(node, cst.Name) and node.value == "None"):
            return default
        value = fold_constant(node, self.scope.module, self.scope.module.constants)
        if not isinstance(value, (int, bool)):
            raise self.scope.module.error(node, f"{self.label}(): {name}= takes a constant in kernels")
        return value

    def span(self) -> Span:
        return self.scope.module.span(self.node)


def result_indices(call: CallArgs, shape: Shape) -> list[ir.Expr]:
    """The index (from 0) along each axis of the call's result of the element being built; an
    axis of constant length 1 is index 0 (NumPy broadcasts it)."""
    scope, span = call.scope, call.span()
    if scope.elements is None:
        raise scope.module.error(call.node, f"{call.label}() makes an array: assign it to a new name or into an "
                                            "array (`x = np.linspace(0.0, 1.0, n)`, `y[:] = np.diff(x)`)")
    offsets = aligned(scope.elements, len(shape), call.node, scope)
    expected = scope.elements.shape[len(scope.elements.shape) - len(shape):]
    for length, want in zip(shape, expected):
        if not _one(length):
            require_equal(length, want, span, scope)
    return [ir.Const(0, span) if _one(d) else o.at(ir.Const(0, span), span) for d, o in zip(shape, offsets)]


def _one(length: ir.Expr) -> bool:
    return isinstance(length, ir.Const) and length.value == 1


def read_operand(call: CallArgs, operand: cst.BaseExpression, indices: Sequence[ir.Expr]) -> ir.Expr:
    """The element of the array expression `operand` at `indices` (one per axis, from 0); the
    statements computing it (a reduction along an axis) go before the element's assignment."""
    scope = call.scope
    assert scope.elements is not None
    offsets = [Offset(i, None, 0) for i in indices]
    statements, value = value_at(operand, offsets, shape_of(operand, scope), scope, scope.elements.hoisted)
    scope.prelude.extend(statements)
    return value


def array_shape(call: CallArgs, operand: cst.BaseExpression) -> Shape:
    """The shape of an operand that must be an array; what cannot be built at all (an unsupported
    call) is reported as such first."""
    shape = shape_of(operand, call.scope)
    if not shape:
        build_expr(operand, call.scope)
        raise call.scope.module.error(operand, f"{call.label}() takes an array here")
    return shape


def constant_axis(call: CallArgs, rank: int, default: int | None = 0) -> int | None:
    axis = call.constant("axis", default)
    if axis is None:
        return None
    if isinstance(axis, bool):
        raise call.scope.module.error(call.node, f"{call.label}(): axis= takes an integer, not {axis} (NumPy raises "
                                                 "TypeError)")
    if not -rank <= axis < rank:
        raise call.scope.module.error(call.node, f"axis {axis} is out of range for {rank} dimension{'s' * (rank > 1)}")
    return int(axis) % rank


def _binary(op: str, left: ir.Expr, right: ir.Expr) -> ir.Expr:
    return ir.Binary(op, left, right, left.span)


def product(lengths: Sequence[ir.Expr], span: Span) -> ir.Expr:
    if len(lengths) == 1:
        return lengths[0]
    start: ir.Expr = ir.Const(1, span)
    return functools.reduce(lambda a, b: _binary("*", a, b), lengths, start)


def flat_position(indices: Sequence[ir.Expr], shape: Shape) -> ir.Expr:
    """The row-major position of `indices` in an array of `shape` (an axis of length 1, whose index
    is 0, adds nothing)."""
    flat = indices[0]
    for index, length in zip(indices[1:], shape[1:]):
        if not _one(length):
            flat = _binary("+", _binary("*", flat, length), index)
    return flat


def unravel(flat: ir.Expr, shape: Shape) -> list[ir.Expr]:
    """The indices of the row-major position `flat` in an array of `shape` (0 along an axis of
    length 1)."""
    indices: list[ir.Expr] = []
    for length in reversed(shape[1:]):
        if _one(length):
            indices.insert(0, ir.Const(0, flat.span))
            continue
        indices.insert(0, _binary("%", flat, length))
        flat = _binary("//", flat, length)
    return [flat, *indices]


# Constructors


def _linspace_call(node: cst.CSTNode, scope: KernelScope) -> CallArgs:
    assert isinstance(node, cst.Call)
    return CallArgs(node, ("start", "stop", "num", "endpoint", "retstep", "dtype"), scope, "np.linspace")


def _linspace_shape(node: cst.Call, scope: KernelScope) -> Shape:
    call = _linspace_call(node, scope)
    num = call.get("num")
    return (build_expr(num, scope) if num is not None else ir.Const(50, call.span()),)


def _linspace(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.linspace(start, stop, num, endpoint=True, dtype=None)` as NumPy computes it: `i * step +
    start` in the inexact result type of the bounds, `step = (stop - start) / div`, the last element
    `stop` itself (with `endpoint`); an integer dtype floors."""
    call = _linspace_call(node, scope)
    if call.constant("retstep", False):
        raise scope.module.error(node, "np.linspace(..., retstep=True) returns a tuple, which kernels do not make")
    span, (num,) = call.span(), _linspace_shape(call.node, scope)
    endpoint = bool(call.constant("endpoint", True))
    (i,) = result_indices(call, (num,))
    start, stop = build_expr(call.need("start"), scope), build_expr(call.need("stop"), scope)
    inexact = _binary("+", _binary("+", start, stop), ir.Const(0.0, span))  # its dtype is the result's

    def in_dt(value: ir.Expr) -> ir.Expr:
        return ir.Cast(value, span, like=inexact)
    div = _binary("-", num, ir.Const(1, span)) if endpoint else num
    delta = _binary("-", in_dt(stop), in_dt(start))
    step = ir.Select(ir.Compare(">", div, ir.Const(0, span), span), _binary("/", delta, in_dt(div)),
                     in_dt(ir.Const(0, span)), span)
    value: ir.Expr = _binary("+", _binary("*", in_dt(i), step), in_dt(start))
    if endpoint:
        last = ir.Logical("and", ir.Compare("==", i, div, span), ir.Compare(">", num, ir.Const(1, span), span), span)
        value = ir.Select(last, in_dt(stop), value, span)
    return as_dtype(call, value)


def as_dtype(call: CallArgs, value: ir.Expr) -> ir.Expr:
    """`value` converted to the call's `dtype=`, if given (floored first for an integer dtype)."""
    node = call.get("dtype")
    if node is None:
        return value
    dtype = dtype_of(node, call.scope)
    if dtype is None:
        raise call.scope.module.error(node, "dtype= takes a scalar type or an array's .dtype: np.float64, np.int32, f32, float, x.dtype, ...")
    return ir.converted(value, dtype, value.span, floors=True)


def arange_parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, ir.Expr, ir.Expr, ir.Expr]:
    """`np.arange(stop)`, `(start, stop)`, `(start, stop, step)`: the call, start, stop and step
    (typing checks that they are integers)."""
    assert isinstance(node, cst.Call)
    positional = [a.value for a in node.args if a.keyword is None]
    names = ("stop",) if len(positional) <= 1 else ("start", "stop", "step")
    call = CallArgs(node, (*names, "dtype"), scope, "np.arange")
    span = call.span()
    start = build_expr(call.values["start"], scope) if "start" in call.values else ir.Const(0, span)
    step = build_expr(call.values["step"], scope) if "step" in call.values else ir.Const(1, span)
    if isinstance(step, ir.Const) and step.value == 0:
        raise scope.module.error(node, "np.arange() with step 0 raises in NumPy")
    return call, start, build_expr(call.need("stop"), scope), step


def _arange_shape(node: cst.Call, scope: KernelScope) -> Shape:
    _, start, stop, step = arange_parts(node, scope)
    return ir.Arange(start, stop, step, scope.module.span(node)).shape()


def _arange(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.arange(start, stop, step, dtype=None)` of integers: `start + i * step`, int64 (NumPy's for
    any integer arguments but uint64) unless a dtype is given; its length `ceil((stop - start) /
    step)`, none if negative. (`frontend.tier_functions` makes it the tier's `ir.Arange` where the
    statement is the tier's.)"""
    call, start, stop, step = arange_parts(node, scope)
    (i,) = result_indices(call, _arange_shape(call.node, scope))
    value = _binary("+", start, _binary("*", i, step))
    int64 = ir.Cast(value, value.span, like=ir.Arange(start, stop, step, call.span()))  # typing checks the integers
    return int64 if call.get("dtype") is None else as_dtype(call, int64)


# Differences and shifts


def diff_call(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape, int, int]:
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("a", "n", "axis"), scope, "np.diff")
    shape = array_shape(call, call.need("a"))
    n = call.constant("n", 1)
    assert n is not None
    if n < 0:
        raise scope.module.error(node, "np.diff(): n must be non-negative")
    axis = constant_axis(call, len(shape), -1)
    assert axis is not None
    return call, shape, int(n), axis


def _diff_shape(node: cst.Call, scope: KernelScope) -> Shape:
    _, shape, n, axis = diff_call(node, scope)
    return shape[:axis] + (_binary("-", shape[axis], ir.Const(n, scope.module.span(node))),) + shape[axis + 1:]


def _diff(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.diff(a, n=1, axis=-1)`: `a[k + 1] - a[k]` along the axis, `n` times over, as NumPy
    subtracts (bools: `!=`, which typing picks: `expr_types.numpy_call`)."""
    call, _, n, axis = diff_call(node, scope)
    indices = result_indices(call, _diff_shape(call.node, scope))
    return _difference(call, indices, axis, n)


def _difference(call: CallArgs, indices: list[ir.Expr], axis: int, n: int) -> ir.Expr:
    if n == 0:
        return read_operand(call, call.need("a"), indices)
    ahead = list(indices)
    ahead[axis] = _binary("+", indices[axis], ir.Const(1, call.span()))
    later, here = _difference(call, ahead, axis, n - 1), _difference(call, indices, axis, n - 1)
    return ir.Call("numpy.diff", (later, here), call.span())  # typed `later - here`, `!=` for bools


def roll_call(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape]:
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("a", "shift", "axis"), scope, "np.roll")
    return call, array_shape(call, call.need("a"))


def _roll_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return roll_call(node, scope)[1]


def _roll(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.roll(a, shift, axis=None)`: the element `shift` places before, wrapping around (Python's
    `%`); without an axis, over the flattened array, as NumPy does."""
    call, shape = roll_call(node, scope)
    shift = call.need("shift")
    if isinstance(shift, cst.Tuple) or shape_of(shift, scope):
        raise scope.module.error(shift, "np.roll() in a kernel takes one shift (an integer)")
    indices = result_indices(call, shape)
    axis = constant_axis(call, len(shape), None)
    back = build_expr(shift, scope)
    if axis is not None:
        indices[axis] = _binary("%", _binary("-", indices[axis], back), shape[axis])
        return read_operand(call, call.need("a"), indices)
    flat = _binary("%", _binary("-", flat_position(indices, shape), back), product(shape, call.span()))
    return read_operand(call, call.need("a"), unravel(flat, shape))


def _insert_call(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape]:
    """`np.insert(x, 0, v)` of a 1-D array: one element more. Other positions are refused: NumPy raises
    IndexError past the end, which a kernel could only find out after reading there."""
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("arr", "obj", "values", "axis"), scope, "np.insert")
    shape = array_shape(call, call.need("arr"))
    if len(shape) != 1 or call.constant("axis", 0) not in (0, -1) or fold_constant(
            call.need("obj"), scope.module, scope.module.constants) != 0 or shape_of(call.need("values"), scope):
        raise scope.module.error(node, "np.insert() in a kernel puts one scalar before the first element of a 1-D "
                                       "array: np.insert(x, 0, v)")
    return call, (_binary("+", shape[0], ir.Const(1, call.span())),)


def _insert_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return _insert_call(node, scope)[1]


def _insert(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`v` converted to the array's dtype at index 0, `x[i - 1]` after it."""
    call, shape = _insert_call(node, scope)
    (index,) = result_indices(call, shape)
    before = read_operand(call, call.need("arr"), [_binary("-", index, ir.Const(1, call.span()))])
    value = ir.Cast(build_expr(call.need("values"), scope), call.span(), like=before)
    return ir.Select(ir.Compare("==", index, ir.Const(0, call.span()), call.span()), value, before, call.span())


# Reshaping


def reshape_parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, cst.BaseExpression, Shape]:
    """`a.reshape(shape)`, `a.reshape(n, m)`, `np.reshape(a, shape)`, `a.ravel()`, `a.flatten()`,
    `np.ravel(a)`: the call, the operand and the new shape (a -1 computed from the others)."""
    assert isinstance(node, cst.Call)
    method = method_name(node, scope)
    if method == "reshape" and isinstance(node.func, cst.Attribute):
        call = CallArgs(node, ("shape",), scope, "a.reshape", gather=True)
        operand, dims = node.func.value, call.need("shape")
    elif method is not None and isinstance(node.func, cst.Attribute):
        call = CallArgs(node, (), scope, f"a.{method}")  # ravel, flatten
        operand, dims = node.func.value, None
    elif (scope.module.qualified_name(node.func) or "") == "numpy.ravel":
        call = CallArgs(node, ("a",), scope, "np.ravel")
        operand, dims = call.need("a"), None
    else:
        call = CallArgs(node, ("a", "shape"), scope, "np.reshape")
        operand, dims = call.need("a"), call.need("shape")
    return call, operand, _new_shape(call, dims, array_shape(call, operand))


def _new_shape(call: CallArgs, dims: cst.BaseExpression | None, source: Shape) -> Shape:
    """The shape `dims` asks for (None: flattened), its -1 computed, its size checked against the
    operand's: NumPy raises when they differ, and so does the call, with NumPy's message (the caller
    checks sizes of the arguments, the kernel the others: `checks.reshape_failure`)."""
    span, size = call.span(), product(source, call.span())
    if dims is None:
        return (size,)
    parts = shape_parts(dims)
    values = [build_expr(p, call.scope) for p in parts]
    for part, value in zip(parts, values):
        if isinstance(value, ir.Const) and isinstance(value.value, (bool, float, complex)):
            raise call.scope.module.error(part, f"a new shape takes integers (`a.reshape(n, -1)`), not {value.value!r}")
    asked = tuple(values)
    unknown = [k for k, v in enumerate(values) if isinstance(v, ir.Const) and v.value == -1]
    if len(unknown) > 1:
        raise call.scope.module.error(call.node, "a new shape has at most one -1")
    known = product([v for k, v in enumerate(values) if k not in unknown], span)
    if unknown:
        values[unknown[0]] = _binary("//", size, known)
    written = cst.Module([]).code_for_node(dims)
    failure = reshape_failure(written if isinstance(dims, cst.Tuple) else f"({written},)", span)
    new_size = _binary("*", values[unknown[0]], known) if unknown else known
    require_equal(new_size, size, span, call.scope, asked, failure)
    return tuple(values)


def _reshape_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return reshape_parts(node, scope)[2]


def _reshape(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """A reshape read: the operand's element at the same row-major position (NumPy's values,
    whether NumPy copies or makes a view)."""
    call, operand, shape = reshape_parts(node, scope)
    flat = flat_position(result_indices(call, shape), shape)
    return read_operand(call, operand, unravel(flat, shape_of(operand, scope)))


# Joining and repeating


def _operands(call: CallArgs, name: str) -> list[cst.BaseExpression]:
    sequence = call.need(name)
    if not isinstance(sequence, (cst.Tuple, cst.List)) or not sequence.elements:
        raise call.scope.module.error(sequence, f"{call.label}() in a kernel takes a tuple of arrays: "
                                                f"{call.label}((a, b))")
    return [e.value for e in sequence.elements]


def _join_parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, list[cst.BaseExpression], list[Shape], int,
                                                                   bool]:
    """The call, operands, their shapes (a 1-D operand of `np.vstack` as one row), the axis, and
    whether the operands are stacked along a new axis (`np.stack`, `np.vstack` of 1-D arrays)."""
    assert isinstance(node, cst.Call)
    name = (scope.module.qualified_name(node.func) or "").removeprefix("numpy.")
    names = ("arrays", "axis") if name in ("concatenate", "stack") else ("tup",)
    call = CallArgs(node, names, scope, f"np.{name}")
    operands = _operands(call, names[0])
    shapes = [array_shape(call, o) for o in operands]
    rank = max(len(s) for s in shapes)
    if name == "vstack":
        shapes = [(ir.Const(1, call.span()), *s) if len(s) == 1 else s for s in shapes]
    if any(len(s) != len(shapes[0]) for s in shapes) or rank > 2 and name in ("hstack", "vstack"):
        raise scope.module.error(node, f"{call.label}() in a kernel joins arrays of the same number of dimensions")
    if name == "stack":
        return call, operands, shapes, constant_axis(call, rank + 1) or 0, True
    given = call.get("axis")
    if name == "concatenate" and isinstance(given, cst.Name) and given.value == "None":
        raise scope.module.error(given, "np.concatenate(..., axis=None) joins the flattened arrays; write "
                                        "np.concatenate((a.ravel(), b.ravel()))")
    axis = constant_axis(call, rank) if name == "concatenate" else (1 if name == "hstack" and rank > 1 else 0)
    return call, operands, shapes, axis or 0, False


def _join_shape(node: cst.Call, scope: KernelScope) -> Shape:
    call, _, shapes, axis, new = _join_parts(node, scope)
    first = shapes[0]
    for shape in shapes[1:]:
        for d, (length, expected) in enumerate(zip(shape, first)):
            if d != axis or new:
                require_equal(length, expected, call.span(), scope)
    if new:
        return first[:axis] + (ir.Const(len(shapes), call.span()),) + first[axis:]
    return first[:axis] + (_binary_sum([s[axis] for s in shapes]),) + first[axis + 1:]


def _binary_sum(lengths: list[ir.Expr]) -> ir.Expr:
    return functools.reduce(lambda a, b: _binary("+", a, b), lengths)


def _join(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.concatenate((a, b), axis=0)`, `np.stack`, `np.hstack`, `np.vstack`: the element of the
    operand whose part of the axis holds the index, chosen by a select (only that operand is read)."""
    call, operands, shapes, axis, new = _join_parts(node, scope)
    indices = result_indices(call, _join_shape(call.node, scope))
    span, k = call.span(), indices[axis]
    chosen: ir.Expr | None = None
    start: ir.Expr = ir.Const(0, span)
    reads: list[tuple[ir.Expr, ir.Expr]] = []
    for j, (operand, shape) in enumerate(zip(operands, shapes)):
        at = list(indices)
        if new:
            del at[axis]
            end: ir.Expr = ir.Const(j + 1, span)
        else:
            at[axis], end = _binary("-", k, start), _binary("+", start, shape[axis])
        if len(shape_of(operand, scope)) < len(shape):
            del at[0]  # a row of np.vstack
        reads.append((ir.Compare("<", k, end, span), _read_alone(call, operand, at)))
        start = end
    for cond, value in reversed(reads):
        chosen = value if chosen is None else ir.Select(cond, value, chosen, span)
    assert chosen is not None
    return chosen


def _read_alone(call: CallArgs, operand: cst.BaseExpression, indices: list[ir.Expr]) -> ir.Expr:
    """An operand read under a select: it must need no statements of its own (they would run for
    every element, out of the operand's range)."""
    mark = len(call.scope.prelude)
    value = read_operand(call, operand, indices)
    if len(call.scope.prelude) != mark:
        raise call.scope.module.error(operand, f"{call.label}() in a kernel joins arrays and elementwise expressions; "
                                               "compute this operand into an array first")
    return value


def tile_parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape, list[ir.Expr], Shape]:
    """The call, the operand's shape padded to the result's rank with 1s, the repetitions (padded
    likewise) and the result's shape."""
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("A", "reps"), scope, "np.tile")
    shape = array_shape(call, call.need("A"))
    reps_node = call.need("reps")
    reps = [build_expr(e.value, scope) for e in reps_node.elements] if isinstance(reps_node, cst.Tuple) else [
        build_expr(reps_node, scope)]
    _non_negative(reps, call)
    rank, span = max(len(shape), len(reps)), call.span()
    padded = (ir.Const(1, span),) * (rank - len(shape)) + shape
    reps = [ir.Const(1, span)] * (rank - len(reps)) + reps
    return call, padded, reps, tuple(_binary("*", n, r) for n, r in zip(padded, reps))


def _non_negative(counts: list[ir.Expr], call: CallArgs) -> None:
    """A constant negative repetition count is NumPy's ValueError (negative dimensions)."""
    if any(isinstance(c, ir.Const) and isinstance(c.value, (int, float)) and c.value < 0 for c in counts):
        raise call.scope.module.error(call.node, f"{call.label}() repeats a non-negative number of times (NumPy raises "
                                                 "ValueError: negative dimensions are not allowed)")


def _tile_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return tile_parts(node, scope)[3]


def _tile(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.tile(a, reps)`: the operand's element at each index modulo its length."""
    call, padded, _, shape = tile_parts(node, scope)
    indices = result_indices(call, shape)
    rank = len(shape_of(call.need("A"), scope))
    at = [_binary("%", i, n) for i, n in zip(indices, padded)]
    return read_operand(call, call.need("A"), at[len(at) - rank:])


def repeat_parts(node: cst.CSTNode, scope: KernelScope) -> tuple[CallArgs, Shape, ir.Expr, int | None, Shape]:
    assert isinstance(node, cst.Call)
    call = CallArgs(node, ("a", "repeats", "axis"), scope, "np.repeat")
    shape = array_shape(call, call.need("a"))
    repeats = call.need("repeats")
    if shape_of(repeats, scope) or isinstance(repeats, cst.Tuple):
        raise scope.module.error(repeats, "np.repeat() in a kernel repeats every element the same number of times")
    count, axis = build_expr(repeats, scope), constant_axis(call, len(shape), None)
    _non_negative([count], call)
    if axis is None:
        return call, shape, count, None, (_binary("*", product(shape, call.span()), count),)
    return call, shape, count, axis, shape[:axis] + (_binary("*", shape[axis], count),) + shape[axis + 1:]


def _repeat_shape(node: cst.Call, scope: KernelScope) -> Shape:
    return repeat_parts(node, scope)[4]


def _repeat(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.repeat(a, r, axis=None)`: the operand's element at the index divided by `r` (over the
    flattened array without an axis)."""
    call, shape, count, axis, result = repeat_parts(node, scope)
    indices = result_indices(call, result)
    if axis is None:
        return read_operand(call, call.need("a"), unravel(_binary("//", indices[0], count), shape))
    indices[axis] = _binary("//", indices[axis], count)
    return read_operand(call, call.need("a"), indices)


Rule = Callable[[cst.CSTNode, list[cst.BaseExpression], KernelScope], ir.Expr]
_FUNCTIONS: dict[str, tuple[Rule, Callable[[cst.Call, KernelScope], Shape]]] = {
    "numpy.linspace": (_linspace, _linspace_shape), "numpy.arange": (_arange, _arange_shape),
    "numpy.diff": (_diff, _diff_shape), "numpy.roll": (_roll, _roll_shape),
    "numpy.reshape": (_reshape, _reshape_shape), "numpy.ravel": (_reshape, _reshape_shape),
    **dict.fromkeys(("numpy.concatenate", "numpy.stack", "numpy.hstack", "numpy.vstack"), (_join, _join_shape)),
    "numpy.tile": (_tile, _tile_shape), "numpy.repeat": (_repeat, _repeat_shape),
    "numpy.insert": (_insert, _insert_shape),
}
RESHAPES = ("numpy.reshape", "numpy.ravel")
"""Calls that NumPy may answer with a view of their operand."""
RESHAPE_METHODS = ("reshape", "ravel")
"""Methods that NumPy may answer with a view (`a.flatten()` always copies)."""
for _name, (_rule, _shape_rule) in _FUNCTIONS.items():
    CALLS[_name], CALL_SHAPES[_name] = _rule, _shape_rule
    KEYWORDS_TAKEN.add(_name)
for _method in ("reshape", "ravel", "flatten"):
    METHODS[_method], METHOD_SHAPES[_method] = _reshape, _reshape_shape
