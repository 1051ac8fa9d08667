"""Arrays a kernel makes at its top level (`y = np.zeros((n, m))`), lifted to the caller.

A kernel's top level is host code, and its arrays live where the caller put them; an array made
there cannot be a C local (a stack array of run-time size on the host is not what the user means,
and could not be returned). It becomes a hidden array parameter after the user's (`ir.Param` with
an `ir.Allocation`), which the caller allocates with the shape the manifest and the header state,
and which the kernel fills on the device, with a parallel loop nest where the Python statement was
(`fill_loops`; none for `np.empty`), so nothing is copied to the device. Its shape may only use
what the caller knows before the call: integer constants, scalar parameters, extents of arrays and
top-level locals assigned once from those (substituted). The parameter is `Out` when the kernel
returns it and `Scratch` otherwise (`lifted_params`). Inside a loop, `np.zeros`/`np.empty` of a
constant shape stay `ir.LocalArray`s on the thread's stack (`statements._local_array`).
"""

from __future__ import annotations

import collections
import dataclasses

import libcst as cst

from translator.errors import Span, TranslationError
from translator.frontend.arrays import assign_view, declare_temporary, fill_temporary, method_name, shape_of
from translator.frontend.array_statements import new_array_value
from translator.frontend.context import KernelScope
from translator.frontend.einsum import einsum_call
from translator.frontend.expressions import array_dtype, array_param, build_expr, dtype_of, shape_parts
from translator.frontend.names import reads
from translator.ir import nodes as ir
from translator.ir.types import BOOL, F64, I64, MAX_RANK, PY_COMPLEX, Ownership, ScalarType
from translator.ir.visit import rewrite, walk_all
from translator.frontend.views import build_view, is_view, whole_view
from translator.ir.arrays import at_least_zero, loop_nest, same

FILLS = {"numpy.empty": None, "numpy.ndarray": None, "numpy.zeros": 0, "numpy.ones": 1, "numpy.full": None,
         "numpy.empty_like": None, "numpy.zeros_like": 0, "numpy.ones_like": 1, "numpy.full_like": None}
"""The array constructors, and the constant each fills with (`np.full`: its argument; `np.ndarray(shape,
dtype)`, NumPy's low-level constructor, leaves its array unfilled as `np.empty` does). The `_like`
forms take an array instead of a shape: its shape, and its dtype unless `dtype=` says otherwise."""
SHAPE_OPS = ("+", "-", "*", "//")
SHAPE_RULE = ("the shape of an array made by the kernel may only use integer constants, scalar parameters, "
              "array extents (a.shape[k], len(a)), top-level locals assigned once from those, and + - * //: "
              "the caller allocates the array before the kernel runs")
_CONSTANT_DTYPES: dict[type, ScalarType] = {bool: BOOL, int: I64, float: F64, complex: PY_COMPLEX}
"""NumPy's dtype of `np.full(shape, value)` without a dtype, by the constant's Python type."""


def lifts(scope: KernelScope) -> bool:
    """Whether an array made here is lifted: at the top level of a kernel (not a device function)."""
    return scope.lifting and scope.depth == 0


def constructor_args(call: cst.Call, constructor: str, scope: KernelScope
                     ) -> tuple[cst.BaseExpression, cst.BaseExpression | None, ir.Dtype]:
    """`np.zeros(shape, dtype)`, `np.full(shape, value, dtype)`, dtype also as `dtype=`: the shape
    node, the fill value node (`np.full` only) and the element type (default float64, as NumPy's)."""
    positional = [a.value for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    fixed = 2 if constructor in ("numpy.full", "numpy.full_like") else 1
    name, like = constructor.replace("numpy.", "np."), constructor.endswith("_like")
    first = "an array" if like else "a shape"
    usage = f"{name}({'a' if like else 'shape'}{', value' * (fixed == 2)}, dtype)"
    if (not fixed <= len(positional) <= fixed + 1 or set(keywords) - {"dtype"} or (len(positional) > fixed and keywords)
            or any(a.star for a in call.args)):
        raise scope.module.error(call, f"{name}() takes {first}{', a value' * (fixed == 2)} and a dtype: {usage}")
    dtype_node = positional[fixed] if len(positional) > fixed else keywords.get("dtype")
    value = positional[1] if fixed == 2 else None
    if dtype_node is not None:
        dtype = dtype_of(dtype_node, scope)
    else:
        dtype = _like_dtype(positional[0], scope) if like else _default_dtype(value, scope)
    if dtype is None:
        raise scope.module.error(
            dtype_node or call, "an array's dtype is a scalar type: np.float64, np.int32, f32, float, ...")
    return positional[0], value, dtype.strong() if isinstance(dtype, ScalarType) else dtype


def _like_dtype(node: cst.BaseExpression, scope: KernelScope) -> ir.Dtype:
    """The dtype of `np.zeros_like(a)`: that of the array (or view) it copies the shape of."""
    if not is_view(node, scope):
        raise scope.module.error(node, "the `_like` constructors take an array or a slice of one here "
                                       "(`np.zeros_like(a)`, `np.empty_like(A[1:, :])`)")
    return array_dtype(build_view(node, scope).array, scope)


def _default_dtype(value: cst.BaseExpression | None, scope: KernelScope) -> ScalarType | None:
    if value is None:
        return F64
    built = build_expr(value, scope)
    if isinstance(built, ir.Const):
        return _CONSTANT_DTYPES[type(built.value)]
    raise scope.module.error(value, "np.full(shape, value) takes a dtype when the value is not a constant: "
                             "np.full(shape, value, np.float64)")


def allocate(target: cst.Name, call: cst.Call, constructor: str, scope: KernelScope) -> list[ir.Stmt]:
    """`y = np.zeros(shape, dtype)` at the top level of a kernel: the array becomes a parameter the
    caller allocates; what stays here is the loop nest filling it on the device (none for np.empty)."""
    return _allocate(target.value, target, call, constructor, scope)


def _allocate(name: str, target: cst.CSTNode, call: cst.Call, constructor: str, scope: KernelScope) -> list[ir.Stmt]:
    """`allocate` of array `name`; `target` is where a clash of names is reported."""
    shape_node, value_node, dtype = constructor_args(call, constructor, scope)
    shape = _shape(shape_node, scope, constructor.endswith("_like"))
    if not 1 <= len(shape) <= MAX_RANK:
        raise scope.module.error(shape_node, f"an array made by the kernel has 1 to {MAX_RANK} dimensions")
    span = scope.module.span(call)
    declare_new_array(scope, name, target, dtype, shape, span)
    value = _fill_value(constructor, value_node, span, scope)
    if value is None:
        return []
    param = scope.params[name]
    assert param.allocation is not None
    scope.params[name] = dataclasses.replace(param, allocation=dataclasses.replace(param.allocation, fill=value))
    return [fill_loops(name, len(shape), value, span, scope)]


def _fill_value(constructor: str, node: cst.BaseExpression | None, span: Span, scope: KernelScope) -> ir.Expr | None:
    """What a constructor fills its array with: `np.full`'s value, 0 or 1, None for `np.empty`."""
    if node is not None:
        return build_expr(node, scope)
    constant = FILLS[constructor]
    return None if constant is None else ir.Const(constant, span)


def allocate_temporary(target: cst.Name, call: cst.Call, constructor: str, scope: KernelScope) -> list[ir.Stmt]:
    """`t = np.zeros(a.shape[1])` inside a prange (a shape known only at run time, or `np.ones`/`np.full`):
    a temporary, one per iteration, filled by a serial loop nest in the iteration (not for `np.empty`)."""
    shape_node, value_node, dtype = constructor_args(call, constructor, scope)
    span = scope.module.span(call)
    made = declare_temporary(target.value, dtype, _shape(shape_node, scope, constructor.endswith("_like")), span,
                             scope)
    value = _fill_value(constructor, value_node, span, scope)
    if value is None:
        return [made]
    indices = tuple(ir.Name(scope.fresh_loop_var("i"), span) for _ in made.shape)
    fill = ir.Assign(ir.Index(made.name, indices, span), value, span)
    return [made, loop_nest([(i.id, ir.Const(0, span), n) for i, n in zip(indices, made.shape)], (fill,), False, span)]


def make_temporary(name: str, node: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`t = A[r, q, :] @ C4` inside a prange: a temporary of the right side's shape and NumPy's dtype
    (one per iteration, see `ir.Temporary`), filled by a serial loop nest in the iteration."""
    _refuse_shared_reshape(name, node, scope)
    lengths = shape_of(node, scope)
    span = scope.module.span(node)
    axes = [ir.ViewAxis(d, ir.Const(0, span), n) for d, n in enumerate(lengths)]
    value = new_array_value(node, scope)
    if value is None:
        made, _, _ = fill_temporary(name, node, axes, lengths, scope, span)
        return made
    temporary = declare_temporary(name, value, tuple(at_least_zero(n) for n in lengths), span, scope)
    return [temporary, ir.ArrayAssign(ir.View(name, (None,) * len(axes), tuple(axes), span), value, span)]


def _refuse_shared_reshape(name: str, node: cst.BaseExpression, scope: KernelScope) -> None:
    """A reshape NumPy answers with a view shares memory with the array, so writes through either
    name would show in the other; a kernel's new array is a copy. (A name bound to a plain view is a
    view name, `view_names`, before this is reached.) A reshape is taken as a copy where nothing
    could tell: neither the new name nor an array it reads is written anywhere in the kernel
    (`flat = images.reshape(n, -1)`, then reads). So is an einsum of one operand that sums nothing
    (`np.einsum('ii->i', A)`, `'ij->ji'`), which NumPy also answers with a view."""
    if not isinstance(node, cst.Call):
        return
    einsum = _viewing_einsum(node, scope)
    if not (einsum or method_name(node, scope) in ("reshape", "ravel")
            or scope.module.qualified_name(node.func) in ("numpy.reshape", "numpy.ravel")):
        return
    read = {n.value for n in reads(node)}
    if name in scope.facts.written or read & scope.facts.written or scope.facts.bindings.get(name, 0) > 1:
        raise scope.module.error(
            node, f"in NumPy '{name}' would be a view sharing memory with the array it "
            f"{'reads' if einsum else 'reshapes'}, and the kernel "
            f"writes one of them: write `{name} = ....copy()` for a copy, or index the array itself")


def _viewing_einsum(node: cst.Call, scope: KernelScope) -> bool:
    """Whether `node` is an einsum NumPy answers with a view: one operand, nothing summed."""
    call = einsum_call(node, scope)
    return call is not None and len(call.inputs) == 1 and set(call.inputs[0]) == set(call.output)


def eye(target: cst.Name, call: cst.Call, scope: KernelScope) -> list[ir.Stmt]:
    """`y = np.eye(n)` / `np.eye(n, m, dtype=...)` / `np.identity(n, dtype=...)`: an array made by
    the kernel, zero-filled, then its diagonal set to 1, both on the device."""
    positional = [a.value for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    most = 1 if scope.module.qualified_name(call.func) == "numpy.identity" else 2
    if not 1 <= len(positional) <= most or set(keywords) - {"dtype"} or any(a.star for a in call.args):
        raise scope.module.error(call, "np.eye() in a kernel takes the number of rows, optionally of columns, "
                                       "and dtype=: np.eye(n, m, dtype=np.float64)")
    dtype = F64 if "dtype" not in keywords else dtype_of(keywords["dtype"], scope)
    if dtype is None:
        raise scope.module.error(keywords["dtype"], "an array's dtype is a scalar type: np.float64, np.int32, f32, float, ...")
    shape = tuple(build_expr(p, scope) for p in positional * (3 - len(positional)))[:2]
    span = scope.module.span(call)
    declare_new_array(scope, target.value, target, dtype, shape, span)
    zero, one = ir.Const(0, span), ir.Const(1, span)
    param = scope.params[target.value]
    assert param.allocation is not None
    scope.params[target.value] = dataclasses.replace(param, allocation=dataclasses.replace(param.allocation, fill=zero))
    i = ir.Name(scope.fresh_loop_var("i"), span)
    diagonal = ir.Loop(i.id, zero, ir.Call("min", (ir.Extent(target.value, 0, span), ir.Extent(target.value, 1, span)),
                                           span), 1, (ir.Assign(ir.Index(target.value, (i, i), span), one, span),), span,
                       parallel=True)
    return [fill_loops(target.value, 2, zero, span, scope), diagonal]


def _shape(node: cst.BaseExpression, scope: KernelScope, like: bool = False) -> tuple[ir.Expr, ...]:
    """`(n, a.shape[1])`, `n`, or `a.shape`: every extent of an array (constants for a local one);
    `like`: `node` is the array of a `_like` constructor, whose shape it takes."""
    if like:
        return shape_of(node, scope)
    if not (isinstance(node, cst.Attribute) and node.attr.value == "shape"):
        return tuple(build_expr(p, scope) for p in shape_parts(node))
    array, span = array_param(node.value, scope), scope.module.span(node)
    if array.shape is not None:
        return array.shape
    return tuple(ir.Extent(array.name, dim, span) for dim in range(array.rank))


def declare_new_array(scope: KernelScope, name: str, node: cst.CSTNode, dtype: ir.Dtype,
                      shape: tuple[ir.Expr, ...], span: Span) -> None:
    """Register `target` as an array of `dtype` (one typing decides, for an expression: see
    `settle_dtype`) and `shape` that the caller allocates: later statements index it like a
    parameter. The shape is checked and put in terms the caller knows (locals and extents of arrays
    made by the kernel substituted); its ownership is settled when the whole kernel is read
    (`lifted_params`). `node` is where errors point."""
    if name in scope.params or name in scope.arrays:
        what = "an array made by the kernel" if name in scope.params and scope.params[name].allocation else (
            "a parameter" if name in scope.params else "a local array")
        raise scope.module.error(
            node, f"'{name}' already names {what}; an array is made once and never reassigned (use a new name)")
    if name in scope.top_values:
        raise scope.module.error(node, f"'{name}' is already a scalar local; make the array under a new name")
    caller_shape = tuple(caller_expr(d, scope, span) for d in shape)
    scope.made_under[name] = tuple(scope.branches)
    scope.params[name] = ir.Param(name, ir.array_of(dtype, len(shape)), None, scope.module.span(node),
                                  ir.Allocation(caller_shape, None, span))


def settle_dtype(scope: KernelScope, name: str, like: ir.Expr, real_only: str | None = None) -> None:
    """Array `name` the kernel makes has NumPy's dtype of `like` (`ir.ArrayLike`), which typing decides:
    known only once the statements that fill it are built, as `like` reads what they compute."""
    param = scope.params[name]
    assert not isinstance(param.type, ScalarType)
    scope.params[name] = dataclasses.replace(param, type=ir.ArrayLike(like, param.type.rank, real_only))


def stored_value(name: str, stmts: list[ir.Stmt]) -> ir.Expr:
    """The value the statements that fill array `name` store into it (an element, or the tier's value)."""
    for node in walk_all(tuple(stmts)):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Index) and node.target.array == name:
            return node.value
        if isinstance(node, ir.ArrayAssign) and node.target.array == name:
            return node.value
    raise AssertionError(f"no statement fills '{name}'")


def same_length(a: ir.Expr, b: ir.Expr, scope: KernelScope) -> bool:
    """Whether two lengths are the same expression once each extent of an array the kernel makes is
    its shape in the caller's terms (`r = d * d` has `d`'s extents)."""
    def caller(node: object) -> object:
        if not isinstance(node, ir.Extent):
            return node
        param = scope.params.get(node.array)
        return param.allocation.shape[node.dim] if param is not None and param.allocation is not None else node
    return same(rewrite(a, caller), rewrite(b, caller))


def caller_expr(expr: ir.Expr, scope: KernelScope, span: Span) -> ir.Expr:
    """A shape dimension as the caller computes it, or a located error saying what is allowed."""
    if isinstance(expr, ir.Const) and type(expr.value) is int:
        return expr
    if isinstance(expr, ir.Extent):
        allocation = scope.params[expr.array].allocation
        return expr if allocation is None else allocation.shape[expr.dim]
    if isinstance(expr, ir.Binary) and expr.op in SHAPE_OPS:
        return dataclasses.replace(
            expr, left=caller_expr(expr.left, scope, span), right=caller_expr(expr.right, scope, span))
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        return dataclasses.replace(expr, args=tuple(caller_expr(a, scope, span) for a in expr.args))
    if isinstance(expr, ir.Select):
        return _chosen(expr, scope, span)
    if isinstance(expr, ir.Name):
        param = scope.params.get(expr.id)
        if param is not None and isinstance(param.type, ScalarType) and param.type.is_int:
            return expr
        if param is None and expr.id in scope.top_values:
            scope.shape_locals.setdefault(expr.id, span)
            return caller_expr(scope.top_values[expr.id], scope, span)
    raise TranslationError.at(expr.span, SHAPE_RULE)


def _chosen(select: ir.Select, scope: KernelScope, span: Span) -> ir.Expr:
    """`then if cond else orelse` in the caller's `+ - * min max`: `then * c + orelse * (1 - c)` with
    `c` the condition's 0 or 1 (`_indicator`). A computed slice bound Python wraps when negative
    (`x[:-N]`, `A[1:I + 3]`: `x + n if x < 0 else x`), or the shape of an array two branches make
    (`frontend.rebinding.branch_shape`)."""
    chosen = _indicator(select.cond, scope, span)
    then, orelse = caller_expr(select.then, scope, span), caller_expr(select.orelse, scope, span)
    one = ir.Const(1, span)
    return ir.Binary("+", ir.Binary("*", then, chosen, span),
                     ir.Binary("*", orelse, ir.Binary("-", one, chosen, span), span), span)


def _indicator(cond: ir.Expr, scope: KernelScope, span: Span) -> ir.Expr:
    """1 where the integer condition `cond` holds, else 0, in the caller's terms: `a < b` is
    `min(max(b - a, 0), 1)`; `and`, `or` and `not` combine these with `min`, `max` and `1 - c`."""
    one = ir.Const(1, span)
    if isinstance(cond, ir.Unary) and cond.op == "not":
        return ir.Binary("-", one, _indicator(cond.operand, scope, span), span)
    if isinstance(cond, ir.Logical):
        both = tuple(_indicator(side, scope, span) for side in (cond.left, cond.right))
        return ir.Call("min" if cond.op == "and" else "max", both, span)
    if not isinstance(cond, ir.Compare):
        raise TranslationError.at(cond.span, SHAPE_RULE)
    left, right = caller_expr(cond.left, scope, span), caller_expr(cond.right, scope, span)
    if cond.op in (">", ">="):  # `a > b` is `b < a`
        left, right = right, left
    if cond.op in ("<=", ">="):  # integers: `a <= b` is `a < b + 1`
        right = ir.Binary("+", right, one, span)
    if cond.op in ("<", "<=", ">", ">="):
        return _less(left, right, span)
    differ = ir.Call("max", (_less(left, right, span), _less(right, left, span)), span)
    return differ if cond.op == "!=" else ir.Binary("-", one, differ, span)


def _less(a: ir.Expr, b: ir.Expr, span: Span) -> ir.Expr:
    """1 where the integer `a < b`, else 0: `min(max(b - a, 0), 1)`."""
    return ir.Call("min", (ir.Call("max", (ir.Binary("-", b, a, span), ir.Const(0, span)), span),
                           ir.Const(1, span)), span)


def make_array(name: str, node: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`c = a + b`, `mean = np.sum(data, axis=0) / n`: an array of the right side's shape and NumPy's
    dtype, made by the kernel, then assigned element by element on the device."""
    _refuse_shared_reshape(name, node, scope)
    shape = tuple(at_least_zero(d) for d in shape_of(node, scope))
    if len(shape) > MAX_RANK:
        raise scope.module.error(node, f"an array made by the kernel has 1 to {MAX_RANK} dimensions")
    value = new_array_value(node, scope)
    span = scope.module.span(node)
    # an array the frontend fills with loops takes the type of what they store: settled below
    declare_new_array(scope, name, node, ir.Const(0, span) if value is None else value, shape, span)
    place = whole_view(name, scope, span)
    if value is not None:
        return [ir.ArrayAssign(place, value, place.span)]
    stmts = assign_view(place, node, None, scope)
    settle_dtype(scope, name, stored_value(name, stmts))
    return stmts


def is_array_value(node: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `node` is an array expression (it has a shape), as opposed to a scalar."""
    return bool(shape_of(node, scope))


def fill_loops(name: str, rank: int, value: ir.Expr, span: Span, scope: KernelScope) -> ir.Loop:
    """`for i in prange(y.shape[0]): for j in prange(y.shape[1]): y[i, j] = value`: the device
    fills a lifted array where the Python statement made it, so nothing is copied to the device."""
    indices = tuple(ir.Name(scope.fresh_temp(f"{name}_i"), span) for _ in range(rank))
    body: tuple[ir.Stmt, ...] = (ir.Assign(ir.Index(name, indices, span), value, span),)
    for dim in reversed(range(rank)):
        body = (ir.Loop(indices[dim].id, ir.Const(0, span), ir.Extent(name, dim, span), 1, body, span, parallel=True),)
    return body[0]  # type: ignore[return-value]


def build_return(node: cst.Return, scope: KernelScope) -> ir.Return:
    """`return y`, `return y, s`: arrays (made by the kernel, or the user's) come back through
    their parameters, recorded in `scope.results`; the one scalar, if any, is the C return value."""
    value, span = node.value, scope.module.span(node)
    made = isinstance(value, cst.Call) and scope.module.qualified_name(value.func) in FILLS
    if value is None or not scope.lifting or not (isinstance(value, cst.Tuple) or made or is_array_value(value, scope)):
        return ir.Return(None if value is None else build_expr(value, scope), span)
    items: list[str | None] = []
    elements: list[str] = []
    scalar: ir.Expr | None = None
    for part in shape_parts(value):
        if _is_array(part, scope):
            items.append(part.value)  # type: ignore[attr-defined]
            continue
        constructor = scope.module.qualified_name(part.func) if isinstance(part, cst.Call) else None
        if constructor in FILLS:  # `return np.zeros_like(x)`
            result = scope.fresh_temp("result")
            scope.prelude += _allocate(result, part, part, constructor, scope)  # type: ignore[arg-type]
            items.append(result)
            continue
        if is_array_value(part, scope):
            result = scope.fresh_temp("result")
            scope.prelude += make_array(result, part, scope)
            items.append(result)
            continue
        if scalar is not None:
            items.append(_scalar_result(part, scope))
            elements.append(items[-1])  # type: ignore[arg-type]
            continue
        scalar = build_expr(part, scope)
        items.append(None)
    scope.results = ir.Results(tuple(items), isinstance(value, cst.Tuple), span, tuple(elements))
    return ir.Return(scalar, span)


def _scalar_result(part: cst.BaseExpression, scope: KernelScope) -> str:
    """A returned scalar after the first (the C function returns one value): stored in a one-element
    array the kernel makes, of the value's dtype, whose element the call returns."""
    name = scope.fresh_temp("result")
    value, span = build_expr(part, scope), scope.module.span(part)
    zero = ir.Const(0, span)
    declare_new_array(scope, name, part, value, (ir.Const(1, span),), span)
    scope.prelude.append(ir.Assign(ir.Index(name, (zero,), span), value, span))
    return name


def _is_array(node: cst.BaseExpression, scope: KernelScope) -> bool:
    param = scope.params.get(node.value) if isinstance(node, cst.Name) else None
    return param is not None and param.is_array


def lifted_params(scope: KernelScope, body: tuple[ir.Stmt, ...]) -> tuple[ir.Param, ...]:
    """The kernel's parameters, the lifted arrays last in order of allocation: `Out` when returned,
    `Scratch` otherwise. A local a shape used must be assigned once (its value is the caller's)."""
    counts = collections.Counter(n.target.id for n in walk_all(body)
                                 if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name))
    for local, span in scope.shape_locals.items():
        if counts[local] > 1:
            raise TranslationError.at(
                span, f"the shape of this array uses '{local}', which is assigned more than once; {SHAPE_RULE}")
    for assign in walk_all(body):
        if not (isinstance(assign, ir.Assign) and isinstance(assign.target, ir.Name)):
            continue
        made = scope.params.get(assign.target.id)
        if made is not None and made.allocation is not None:  # assigned in a loop before the array was made
            raise TranslationError.at(assign.span, f"'{made.name}' names an array made by the kernel (line "
                                      f"{made.allocation.span.line}); use another name for this scalar")
    returned = set(scope.results.items) if scope.results is not None else set()
    return tuple(
        dataclasses.replace(p, ownership=Ownership.OUT if p.name in returned else Ownership.SCRATCH)
        if p.allocation is not None and p.name != ir.STATUS else p
        for p in scope.params.values()
    )
