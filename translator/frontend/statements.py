"""Python statements to untyped IR statements, one small builder per supported node type."""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst

from translator.errors import Span
from translator.frontend.allocations import (FILLS, allocate, allocate_temporary, build_return, constructor_args, eye,
                                            is_array_value, lifts, make_array, make_temporary)
from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_param, bind_lambda, build_expr, shape_extents, shape_parts
from translator.frontend.histogram import histogram
from translator.frontend.hoisting import hoist_values
from translator.frontend.linalg import FUNCTIONS as LINALG, linalg_statement
from translator.frontend.arrays import assign_array, assign_masked, is_array_statement, mask_of
from translator.frontend.array_statements import array_statement, is_gather
from translator.frontend.grids import is_meshgrid, meshgrid_statements
from translator.frontend.guards import guarded
from translator.frontend.input_checks import assert_check, is_raise_check, raise_checks
from translator.frontend.identities import normalises_in_place
from translator.frontend.iteration import item_loop, iterates_items
from translator.frontend.loop_arrays import LOOP_ARRAY_RULE, made_in_loop, small_statements
from translator.frontend.masks import bind_mask, read_through_mask
from translator.frontend.names import reads
from translator.frontend.scatters import scatter, scatter_first
from translator.frontend.rebinding import fill_again, fills_again, renamed, rotation
from translator.frontend.rewrites import rewritten
from translator.frontend.refills import like_source, refill
from translator.frontend.signature import scalar_annotation
from translator.frontend.source import fold_constant
from translator.frontend.syntax import dispatch
from translator.frontend.unfold import UNFOLDED_IN, unfold
from translator.frontend.views import is_view
from translator.frontend.view_names import binds_view, bind_views, refuse_rebinding
from translator.ir import nodes as ir
from translator.ir.types import MAX_RANK
from translator.ir.visit import walk

LOOP_FUNCTIONS = {"builtins.range": False, "translator.prange": True}
ATOMIC_OPS = {"translator.atomic_add": "+", "translator.atomic_sub": "-", "translator.atomic_min": "min",
              "translator.atomic_max": "max"}
LOCAL_ARRAY_CONSTRUCTORS = {"numpy.zeros": True, "numpy.empty": False, "numpy.ndarray": False}
"""Constructors of arrays on a thread's stack (inside loops), and whether they zero-fill."""
LAUNCH_KEYWORDS = ("num_teams", "thread_limit", "schedule")
SCHEDULE_KINDS = ("static", "dynamic", "guided", "auto", "runtime")
AUGMENTED_OPS: dict[type, str] = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.PowerAssign: "**", cst.BitAndAssign: "&",
    cst.BitOrAssign: "|", cst.BitXorAssign: "^", cst.LeftShiftAssign: "<<", cst.RightShiftAssign: ">>",
}


def build_body(statements: Sequence[cst.BaseStatement], scope: KernelScope) -> tuple[ir.Stmt, ...]:
    """The IR of a block; simple statement lines may hold several `;`-separated statements. At a
    kernel's top level an array name bound again is renamed from there on (`frontend.rebinding`), and
    a helper's statements unfold where it is called (`frontend.unfold`)."""
    out: list[ir.Stmt] = []
    parts = small_statements(statements)
    position = 0
    while position < len(parts):
        if normalises_in_place(parts[position], scope):  # `x = np.asarray(x)`: before names are bound again
            position += 1
            continue
        if lifts(scope):
            parts = renamed(unfold(parts, position, scope), position, scope)
        out.extend(_statement(parts[position], scope))
        position += 1
    return tuple(out)


def _statement(node: cst.CSTNode, scope: KernelScope) -> list[ir.Stmt]:
    """One statement preceded by the prelude its own expressions need (slice reductions), so a
    nested statement's prelude stays inside the block that holds it; with the run-time checks of
    its lengths around both (`frontend.guards`)."""
    if isinstance(node, UNFOLDED_IN):
        node = rewritten(node, scope)  # its idioms first (frontend.rewrites)
    firsts, node = hoist_values(node, scope) if lifts(scope) or scope.makes_temporaries else ([], node)
    if not firsts:
        firsts, node = scatter_first(node, scope)
    if is_meshgrid(node, scope):
        return [stmt for part in meshgrid_statements(node, scope) for stmt in _statement(part, scope)]  # type: ignore[arg-type]
    if firsts:  # each value built before the statement that reads it (frontend.hoisting)
        return [*(stmt for first in firsts for stmt in _statement(first, scope)), *_statement(node, scope)]
    outer, scope.prelude, outer_guards, scope.guards = scope.prelude, [], scope.guards, []
    try:
        built = dispatch(STATEMENTS, node, scope)
        returned = built[-1] if scope.guards and built and isinstance(built[-1], ir.Return) else None
        if returned is not None and returned.value is not None:  # the checks wrap the value, not the `return`
            result = ir.Name(scope.fresh_temp("result"), returned.span)
            scope.scalar_values[result.id] = [returned.value]
            computed = [*built[:-1], ir.Assign(result, returned.value, returned.span)]
            return [*guarded([*scope.prelude, *computed], scope.guards, scope), ir.Return(result, returned.span)]
        return guarded([*scope.prelude, *built], scope.guards, scope)
    finally:
        scope.prelude, scope.guards = outer, outer_guards


def suite_statements(body: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    """The statements of a block, indented or on its header's line (`def f(x): return x`): both
    forms are the same code, so both must be read (a dropped one-line body is a silent wrong answer)."""
    if isinstance(body, cst.IndentedBlock):
        return body.body
    assert isinstance(body, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body.body)]


def _block(body: cst.BaseSuite, scope: KernelScope) -> tuple[ir.Stmt, ...]:
    """A nested block (of a loop or an `if`): one level deeper than its statement."""
    scope.depth += 1
    masks, views = dict(scope.masks), dict(scope.views)
    try:
        return build_body(suite_statements(body), scope)
    finally:
        scope.depth -= 1
        scope.ended_masks.update(set(scope.masks) - set(masks))
        scope.masks, scope.views = masks, views


def _target(node: cst.BaseExpression, scope: KernelScope) -> ir.Name | ir.Index:
    """An assignable place: a local name or an array element."""
    if isinstance(node, cst.Name):
        param = scope.params.get(node.value)
        if param is not None:
            what = "array" if param.is_array else "parameter"
            raise scope.module.error(node, f"cannot assign to {what} '{node.value}'; use a new local name")
        if node.value in scope.arrays:
            raise scope.module.error(node, f"cannot assign to local array '{node.value}'; assign its elements")
        return ir.Name(node.value, scope.module.span(node))
    if isinstance(node, cst.Subscript):
        target = build_expr(node, scope)
        if isinstance(target, ir.Index):
            return target
        raise scope.module.error(node, "cannot assign to an array's shape")
    raise scope.module.error(node, "only names and array elements can be assigned in kernels")


def _assign(node: cst.Assign, scope: KernelScope) -> list[ir.Stmt]:
    if len(node.targets) > 1:
        return _chained(node, scope)
    span = scope.module.span(node)
    value = node.value
    constructor = scope.module.qualified_name(value.func) if isinstance(value, cst.Call) else None
    single = node.targets[0].target if len(node.targets) == 1 else None
    for target in node.targets:
        places = [e.value for e in target.target.elements] if isinstance(target.target, cst.Tuple) else [target.target]
        for place in places:
            refuse_rebinding(place, scope)
    if isinstance(single, cst.Name) and isinstance(value, cst.Lambda):
        bind_lambda(single, value, scope)
        return []
    again = refill(single, value, scope) if isinstance(single, cst.Name) else None
    if again is not None:
        whole, filled = again
        return [] if filled is None else (array_statement(whole, filled, None, scope)
                                          or assign_array(whole, filled, None, scope))
    if constructor in LINALG:
        return linalg_statement(single, value, scope)  # type: ignore[arg-type]
    if fills_again(single, scope):
        return fill_again(single, value, scope)  # type: ignore[arg-type]
    if isinstance(single, cst.Tuple) and all(fills_again(e.value, scope) for e in single.elements):
        return rotation(single, value, scope)
    made_like = like_source(value, scope) if isinstance(single, cst.Name) and lifts(scope) else None
    if made_like is not None and single.value not in scope.params:  # type: ignore[union-attr]
        scope.made_like[single.value] = made_like[0]  # type: ignore[union-attr]
    if constructor == "numpy.histogram":
        return histogram(node, value, scope)  # type: ignore[arg-type]
    through = read_through_mask(single, node.value, scope) if isinstance(single, cst.Subscript) else None
    if through is not None:
        return through
    if isinstance(single, cst.Subscript) and is_gather(single, scope):
        return scatter(single, node.value, scope)
    if single is not None and is_array_statement(single, scope):
        return array_statement(single, node.value, None, scope) or assign_array(single, node.value, None, scope)
    if isinstance(single, cst.Name) and lifts(scope) and constructor in ("numpy.eye", "numpy.identity"):
        return eye(single, value, scope)  # type: ignore[arg-type]
    if isinstance(single, cst.Name) and bind_mask(single, value, scope):
        return []
    if single is not None and binds_view(single, value, scope):
        return []
    lifted = lifts(scope) or (single is not None and made_in_loop(single, scope))
    if isinstance(single, cst.Name) and lifted and constructor not in FILLS and is_array_value(value, scope):
        return make_array(single.value, value, scope)
    if isinstance(single, cst.Name) and scope.makes_temporaries and constructor not in FILLS and is_array_value(
            value, scope):
        return make_temporary(single.value, value, scope)
    if isinstance(single, cst.Name) and scope.lifting and not scope.in_prange and constructor not in FILLS and (
            single.value not in scope.params and single.value not in scope.arrays and is_array_value(value, scope)):
        raise scope.module.error(single, LOOP_ARRAY_RULE)
    mask = mask_of(single, scope) if single is not None else None
    if mask is not None:
        return (array_statement(single, node.value, None, scope)  # type: ignore[arg-type]
                or assign_masked(single, mask, node.value, None, scope))  # type: ignore[arg-type]
    if constructor in FILLS and isinstance(single, cst.Name):
        if lifted:
            return allocate(single, value, constructor, scope)  # type: ignore[arg-type]
        if scope.makes_temporaries and not _on_stack(value, constructor, scope):  # type: ignore[arg-type]
            return allocate_temporary(single, value, constructor, scope)  # type: ignore[arg-type]
        return [_local_array(single, value, constructor, scope)]  # type: ignore[arg-type]
    out: list[ir.Stmt] = []
    for target in node.targets:
        if isinstance(target.target, cst.Tuple) and bind_views(target.target, node.value, scope):
            continue
        if isinstance(target.target, cst.Tuple) and _makes_arrays(target.target, node.value, scope):
            out.extend(_make_arrays(target.target, node.value, scope))  # type: ignore[arg-type]
            continue
        if isinstance(target.target, cst.Tuple):
            out.extend(_tuple_assign(target.target, node.value, scope))
        else:
            out.append(_scalar_assign(_target(target.target, scope), build_expr(node.value, scope), span, scope))
    if single is not None and isinstance(single, cst.Name) and scope.depth == 0 and isinstance(out[-1], ir.Assign):
        scope.top_values.setdefault(single.value, out[-1].value)  # a shape may use it (frontend.allocations)
    return _on_device(out, scope)


def _chained(node: cst.Assign, scope: KernelScope) -> list[ir.Stmt]:
    """`a[i:, i] = a[i, i:] = e`, `s = t = 0.0`: Python evaluates `e` once and assigns it to each
    target, left to right. Kernel expressions have no side effects, so each target gets a statement
    of its own that evaluates `e` again: the same value, unless `e` reads a name a target binds or
    writes, which is refused."""
    bound = {name for target in node.targets for name in _written(target.target)}
    for name in reads(node.value):
        if name.value in bound:
            raise scope.module.error(
                name, f"this chained assignment's value reads '{name.value}', which one of its targets assigns; "
                "assign the value to a new name first, then that name to each target")
    out: list[ir.Stmt] = []
    for target in node.targets:
        single = node.with_changes(targets=[target])
        scope.module.positions[single] = scope.module.positions[node]
        out.extend(_statement(single, scope))
    return out


def _written(target: cst.BaseExpression) -> set[str]:
    """The names an assignment target binds or writes through: `s`, `a` of `a[i, :]`, both of `s, a[i]`."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _written(element.value)}
    if isinstance(target, cst.Subscript):
        return _written(target.value)
    return {target.value} if isinstance(target, cst.Name) else set()


def _on_device(stmts: list[ir.Stmt], scope: KernelScope) -> list[ir.Stmt]:
    """An array element assigned outside any `prange` (`A[j, j] = np.sqrt(...)` between parallel
    loops) is assigned on the device, in a `prange` of one iteration, so the array stays there."""
    if scope.in_prange or not any(isinstance(s, ir.Assign) and isinstance(s.target, ir.Index) for s in stmts):
        return stmts
    span = stmts[0].span
    return [ir.Loop(scope.fresh_loop_var("once"), ir.Const(0, span), ir.Const(1, span), 1, tuple(stmts), span,
                    parallel=True, host_code=True)]


def _scalar_assign(target: ir.Name | ir.Index, value: ir.Expr, span: Span, scope: KernelScope) -> ir.Assign:
    """`target = value`, remembering the values each local takes (`KernelScope.scalar_values`)."""
    if isinstance(target, ir.Name):
        scope.scalar_values.setdefault(target.id, []).append(value)
    return ir.Assign(target, value, span)


def _local_array(target: cst.Name, call: cst.Call, constructor: str, scope: KernelScope) -> ir.Stmt:
    """`t = np.zeros((4, 4), np.float32)` inside a loop: shape and dtype are constants, the array
    lives on the stack of one iteration (structure checks it sits at the top of a prange body)."""
    name = target.value
    if name in scope.arrays or name in scope.params:
        raise scope.module.error(
            target, f"'{name}' already names an array; create each local array once, under a new name")
    if constructor not in LOCAL_ARRAY_CONSTRUCTORS:
        what = "np.ones and np.full make" if constructor in ("numpy.ones", "numpy.full") else (
            f"{constructor.replace('numpy.', 'np.')}() makes")
        raise scope.module.error(
            call, f"{what} arrays only at the top level of a kernel (outside loops and ifs) or inside a prange")
    shape_node, _, dtype = constructor_args(call, constructor, scope)
    shape = _constant_shape(shape_node, scope)
    array = ir.LocalArray(name, ir.array_of(dtype, len(shape)), shape, LOCAL_ARRAY_CONSTRUCTORS[constructor],
                          scope.module.span(call))
    scope.arrays[name] = array
    return array


def _on_stack(call: cst.Call, constructor: str, scope: KernelScope) -> bool:
    """Whether a constructor inside a prange makes a local array on the thread's stack (np.zeros or
    np.empty of a constant shape) rather than a temporary of run-time size."""
    return constructor in LOCAL_ARRAY_CONSTRUCTORS and bool(call.args) and _constant_dims(call.args[0].value,
                                                                                           scope) is not None


def _constant_dims(node: cst.BaseExpression, scope: KernelScope) -> tuple[int, ...] | None:
    """A shape of 1 to MAX_RANK positive integer constants, else None."""
    dims = tuple(fold_constant(p, scope.module, scope.module.constants) for p in shape_parts(node))
    valid = all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims)
    return dims if valid and 1 <= len(dims) <= MAX_RANK else None  # type: ignore[return-value]


def _constant_shape(node: cst.BaseExpression, scope: KernelScope) -> tuple[int, ...]:
    dims = _constant_dims(node, scope)
    if dims is None:
        raise scope.module.error(
            node, f"an array made inside a loop lives on the thread's stack, so its shape must be 1 to {MAX_RANK} "
            "positive integer constants; make arrays of run-time size at the top level of the kernel (outside "
            "loops and ifs), where the caller allocates them, or inside a prange")
    return dims


def _tuple_assign(targets: cst.Tuple, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`a, b = b, a + b`: every right-hand side is evaluated before any name is bound."""
    if isinstance(value, cst.Attribute) and value.attr.value == "shape":
        return _unpack_shape(targets, value, scope)
    if not isinstance(value, cst.Tuple) or len(value.elements) != len(targets.elements):
        raise scope.module.error(value, "tuple assignment needs a tuple of the same length on the right")
    places = [_target(e.value, scope) for e in targets.elements]
    values = [build_expr(e.value, scope) for e in value.elements]
    temps = []
    out: list[ir.Stmt] = []
    for place, val in zip(places, values):
        base = place.id if isinstance(place, ir.Name) else place.array
        temp = ir.Name(scope.fresh_temp(base), val.span)
        temps.append(temp)
        out.append(_scalar_assign(temp, val, val.span, scope))
    out.extend(_scalar_assign(place, temp, place.span, scope) for place, temp in zip(places, temps))
    for place, val in zip(places, values):
        if isinstance(place, ir.Name) and scope.depth == 0:
            scope.top_values.setdefault(place.id, val)  # `I, J = a.shape[0], a.shape[1]`: a shape may use it
    return out


def _makes_arrays(targets: cst.Tuple, value: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `a, b = x * 2, x + 1` makes arrays: names bound to array expressions where an array
    may be made (a kernel's top level, or a prange)."""
    return ((lifts(scope) or scope.makes_temporaries) and isinstance(value, cst.Tuple)
            and len(value.elements) == len(targets.elements)
            and all(isinstance(t.value, cst.Name) for t in targets.elements)
            and all(is_array_value(v.value, scope) for v in value.elements))


def _make_arrays(targets: cst.Tuple, value: cst.Tuple, scope: KernelScope) -> list[ir.Stmt]:
    """Each name its new array, in order: a new array never shares a name with what the right side
    reads, so making them one after the other is evaluating the whole right side first."""
    make = make_array if lifts(scope) else make_temporary
    return [s for t, v in zip(targets.elements, value.elements)
            for s in make(t.value.value, v.value, scope)]  # type: ignore[attr-defined]


def _unpack_shape(targets: cst.Tuple, value: cst.Attribute, scope: KernelScope) -> list[ir.Stmt]:
    """`m, n = A.shape`, `N, = x.shape`: one extent per name (nothing to evaluate first: extents do not
    change); at the top level each name may then size an array made by the kernel, as `n = A.shape[0]` may."""
    extents = shape_extents(value, len(targets.elements), scope)
    out: list[ir.Stmt] = []
    for element, extent in zip(targets.elements, extents):
        place = _target(element.value, scope)
        out.append(_scalar_assign(place, extent, place.span, scope))
        if isinstance(place, ir.Name) and scope.depth == 0:
            scope.top_values.setdefault(place.id, extent)
    return out


def _aug_assign(node: cst.AugAssign, scope: KernelScope) -> list[ir.Stmt]:
    """`x op= v` is `x = x op v`, with the target's type kept (NumPy casts on store)."""
    op = AUGMENTED_OPS.get(type(node.operator))
    if op is None:
        raise scope.module.error(node, "the `@=` operator is not supported in kernels")
    if is_view(node.target, scope):
        return array_statement(node.target, node.value, op, scope) or assign_array(node.target, node.value, op, scope)
    mask = mask_of(node.target, scope)
    if mask is not None:
        return (array_statement(node.target, node.value, op, scope)
                or assign_masked(node.target, mask, node.value, op, scope))  # type: ignore[arg-type]
    target = _target(node.target, scope)
    span = scope.module.span(node)
    return _on_device([_scalar_assign(target, ir.Binary(op, target, build_expr(node.value, scope), span), span, scope)],
                      scope)


def _ann_assign(node: cst.AnnAssign, scope: KernelScope) -> list[ir.Stmt]:
    """`s: f64 = 0`: the annotation fixes the local's type for the whole kernel."""
    if not isinstance(node.target, cst.Name):
        raise scope.module.error(node.target, "only local names can be annotated")
    declared = scalar_annotation(node.annotation.annotation, scope.module)
    if declared is None:
        raise scope.module.error(node.annotation, "a local's annotation must be a scalar type (f32, f64, i32, i64, int, float, bool)")
    scope.declared[node.target.value] = declared.strong()
    if node.value is None:
        return []
    return [_scalar_assign(_target(node.target, scope), build_expr(node.value, scope), scope.module.span(node), scope)]


def _expr_statement(node: cst.Expr, scope: KernelScope) -> list[ir.Stmt]:
    if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
        return []  # a docstring or a comment-like string: no effect
    call = node.value
    op = ATOMIC_OPS.get(scope.module.qualified_name(call.func) or "") if isinstance(call, cst.Call) else None
    if op is not None:
        return [_atomic(call, op, scope)]  # type: ignore[arg-type]
    func = call.func if isinstance(call, cst.Call) else None
    if isinstance(func, cst.Name) and func.value in scope.module.functions:
        value = build_expr(call, scope)  # a local of that name shadows the function: rejected there
        return [ir.CallStatement(value, scope.module.span(node))]  # type: ignore[arg-type]
    if isinstance(call, (cst.Yield, cst.Await)):
        what = "`yield` (a generator)" if isinstance(call, cst.Yield) else "`await`"
        raise scope.module.error(node, f"{what} is not supported in kernels; write the values into an Out array, or "
                                       "return them at the end")
    raise scope.module.error(
        node, "this expression has no effect; kernels communicate through Out/InOut arrays (and calls of "
        "the module's functions, which may write to arrays)")


def _atomic(call: cst.Call, op: str, scope: KernelScope) -> ir.Stmt:
    """`atomic_add(a, i, v)` / `atomic_add(a, (i, j), v)`: an indivisible `a[i, j] op= v`."""
    name = cst.Module([]).code_for_node(call.func)
    if len(call.args) != 3 or any(a.keyword is not None or a.star for a in call.args):
        raise scope.module.error(call, f"{name}() takes three positional arguments: array, index, value")
    array_node, index_node, value_node = (a.value for a in call.args)
    array = array_param(array_node, scope)
    parts = [e.value for e in index_node.elements] if isinstance(index_node, cst.Tuple) else [index_node]
    rank = array.rank
    if len(parts) != rank:
        raise scope.module.error(
            index_node, f"array '{array.name}' has {rank} dimension{'s' * (rank > 1)} but is indexed with {len(parts)}")
    span = scope.module.span(call)
    target = ir.Index(array.name, tuple(build_expr(p, scope) for p in parts), scope.module.span(index_node))
    return ir.AtomicUpdate(op, target, build_expr(value_node, scope), span)


def _return(node: cst.Return, scope: KernelScope) -> list[ir.Stmt]:
    return [build_return(node, scope)]


def _if(node: cst.If, scope: KernelScope) -> list[ir.Stmt]:
    if is_raise_check(node):
        return raise_checks(node, scope)
    orelse: tuple[ir.Stmt, ...] = ()
    scope.branches.append((node, False, scope.depth))
    try:
        if isinstance(node.orelse, cst.If):
            orelse = tuple(_statement(node.orelse, scope))  # an `elif` test's prelude runs only when reached
        elif isinstance(node.orelse, cst.Else):
            orelse = _block(node.orelse.body, scope)
        test = build_expr(node.test, scope)
        scope.branches[-1] = (node, True, scope.depth)
        body = _block(node.body, scope)
    finally:
        scope.branches.pop()
    return [ir.If(test, body, orelse, scope.module.span(node))]


def _while(node: cst.While, scope: KernelScope) -> list[ir.Stmt]:
    if node.orelse is not None:
        raise scope.module.error(node.orelse, "`while ... else` is not supported in kernels")
    test = build_expr(node.test, scope)
    if scope.prelude or any(isinstance(n, ir.ArrayReduce) for n in walk(test)):
        raise scope.module.error(
            node.test, "a `while` condition cannot reduce a slice (it would be computed once); compute it into "
            "a local before the loop and at the end of its body")
    return [ir.While(test, _block(node.body, scope), scope.module.span(node))]


def _for(node: cst.For, scope: KernelScope) -> list[ir.Stmt]:
    if node.orelse is not None:
        raise scope.module.error(node.orelse, "`for ... else` is not supported in kernels")
    if node.asynchronous is not None:
        raise scope.module.error(node, "`async for` is not supported in kernels")
    if iterates_items(node, scope):
        return item_loop(node, scope, _block)
    if not isinstance(node.target, cst.Name):
        raise scope.module.error(node.target, "a kernel loop over range() binds one name: `for i in range(n)`")
    call = node.iter
    kind = scope.module.qualified_name(call.func) if isinstance(call, cst.Call) else None
    if kind not in LOOP_FUNCTIONS:
        raise scope.module.error(
            node.iter, "kernels loop over range(...), prange(...), a 1-D array or a tuple of constants only")
    assert isinstance(call, cst.Call)
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or not 1 <= len(positional) <= 3:
        raise scope.module.error(call, f"{kind.split('.')[1]}() takes 1 to 3 positional arguments")
    launch = _launch(call, call.args[len(positional):], scope) if len(positional) < len(call.args) else None
    bounds = [a.value for a in positional]
    start = build_expr(bounds[0], scope) if len(bounds) > 1 else ir.Const(0, scope.module.span(call))
    stop = build_expr(bounds[1] if len(bounds) > 1 else bounds[0], scope)
    step = _constant_step(bounds[2], scope) if len(bounds) == 3 else 1
    if launch is not None and not LOOP_FUNCTIONS[kind]:
        raise scope.module.error(call, "range() takes no keyword arguments; launch keywords belong to prange()")
    scope.loop_vars.add(node.target.value)
    outer, scope.in_prange = scope.in_prange, scope.in_prange or LOOP_FUNCTIONS[kind]
    scope.open_loops.append(node)
    try:
        body = _block(node.body, scope)
    finally:
        scope.in_prange = outer
        scope.open_loops.pop()
    return [ir.Loop(node.target.value, start, stop, step, body, scope.module.span(node),
                    parallel=LOOP_FUNCTIONS[kind], launch=launch)]


def _launch(call: cst.Call, keywords: Sequence[cst.Arg], scope: KernelScope) -> ir.Launch:
    """`prange(n, num_teams=e, thread_limit=e, schedule="dynamic, 4")`: each keyword at most once."""
    values: dict[str, cst.BaseExpression] = {}
    for arg in keywords:
        key = arg.keyword.value if arg.keyword is not None else ""
        if key not in LAUNCH_KEYWORDS or key in values:
            raise scope.module.error(arg, f"prange() keywords are {', '.join(LAUNCH_KEYWORDS)} (each at most once)")
        values[key] = arg.value
    counts = {k: build_expr(values[k], scope) if k in values else None for k in ("num_teams", "thread_limit")}
    schedule = _schedule(values["schedule"], scope) if "schedule" in values else None
    return ir.Launch(counts["num_teams"], counts["thread_limit"], schedule, scope.module.span(call))


def _schedule(node: cst.BaseExpression, scope: KernelScope) -> str:
    """`"dynamic"` or `"dynamic, 16"` -> OpenMP's `dynamic, 16`; the chunk is a positive integer."""
    text = node.evaluated_value if isinstance(node, cst.SimpleString) else None
    kind, _, chunk = (text if isinstance(text, str) else "").partition(",")
    kind, chunk = kind.strip(), chunk.strip()
    if not isinstance(text, str) or kind not in SCHEDULE_KINDS or (chunk and not (chunk.isdigit() and int(chunk) > 0)):
        raise scope.module.error(
            node, f"schedule= takes a string constant: one of {', '.join(SCHEDULE_KINDS)}, optionally followed by "
            "a positive chunk size (\"dynamic, 16\")")
    return f"{kind}, {int(chunk)}" if chunk else kind


def _constant_step(node: cst.BaseExpression, scope: KernelScope) -> int:
    step = fold_constant(node, scope.module, scope.module.constants)
    if not isinstance(step, int) or isinstance(step, bool) or step == 0:
        raise scope.module.error(node, "a loop's step must be a non-zero integer constant")
    return step


def _simple(node_type: type) -> Callable[[cst.CSTNode, KernelScope], list[ir.Stmt]]:
    def build(node: cst.CSTNode, scope: KernelScope) -> list[ir.Stmt]:
        return [node_type(scope.module.span(node))]
    return build


STATEMENTS: dict[type, Callable[..., list[ir.Stmt]]] = {
    cst.Assign: _assign, cst.AugAssign: _aug_assign, cst.AnnAssign: _ann_assign, cst.Expr: _expr_statement,
    cst.Return: _return, cst.If: _if, cst.Assert: assert_check, cst.While: _while, cst.For: _for,
    cst.Pass: lambda node, scope: [], cst.Import: lambda node, scope: [], cst.ImportFrom: lambda node, scope: [],
    cst.Break: _simple(ir.Break), cst.Continue: _simple(ir.Continue),
}
