"""Array names bound again: `x = relu(x @ w2 + b2)`, `v = A @ v` in a loop, `u_prev, u = u, u_next`.

In NumPy each binding makes the name refer to a new array; the old one lives on only where something
else still refers to it (a view, another name). A kernel's arrays are allocated by the caller once
per call, so a name bound again becomes one of these:

- At the kernel's top level, outside loops and `if`s (`renamed`): a new name, as in single static
  assignment. `x = f(x)` binds `x__1`, and the statements after it read `x__1`: each binding is an
  array of its own, with its own shape and dtype, which is NumPy's meaning exactly (a view bound to
  the old array keeps viewing it). A lambda that reads the name would read the new array in Python,
  so there the rebinding is refused.
- Inside a host loop or `if` (`fill_again`): the name keeps its array and the binding fills it,
  `x[...] = value`, which is NumPy's meaning when the new array has the old one's dtype and shape and
  nothing else refers to the old one. Another dtype or rank is a located error (the array would have
  to change type between iterations); an extent typing cannot prove equal is checked when the
  statement runs, and a difference stops the call with a `ValueError` naming the line (a shape that
  changes from one iteration to the next is not supported). A view or a mask in reach that reads the
  name is refused (it would see the new values where NumPy's sees the old array).
- The caller's array bound again directly in the body of a top-level loop (`for _ in range(k):
  v = A @ v`): before the loop the kernel makes a copy, `v__1 = v.copy()`, which takes the name
  from there on, and the binding in the loop fills the copy. The caller's array is never written,
  as in NumPy; so the loop may not write it in place before that binding, nor the code after the
  loop (which writes the caller's array in NumPy when the loop runs no iteration).
- `a, b = b, c` of arrays in a host loop (`rotation`): each target's array takes a copy of its new
  value, in an order that reads every value before it is overwritten (a cycle, `a, b = b, a`, saves
  one array in a scratch array the kernel makes). After `u_prev, u = u, u_next` NumPy's `u` and
  `u_next` are one array, which copies are not: that is the same only while `u_next` is not used
  again before it is bound anew, which is required (it is made in the loop, used only there, and
  the next statement of the loop's body that uses it binds it).
- A name made anew in several top-level host loops (vadv's `gcv` in each `for k`): where every
  top-level statement that uses it is a host loop that binds it before any other use, no value flows
  between them, and each loop's is renamed apart (`_loop_locals`), an array made in that loop.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

import libcst as cst

from translator.errors import Span, TranslationError
from translator.frontend.allocations import caller_expr, declare_new_array, is_array_value, same_length, stored_value
from translator.frontend.array_statements import array_statement, new_array_value
from translator.frontend.arrays import assign_array, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_dtype, array_type, build_expr
from translator.frontend.guards import unless
from translator.frontend.inline import Positioned
from translator.frontend.loop_arrays import small_statements
from translator.frontend.masks import read_body
from translator.frontend.names import reads
from translator.ir import nodes as ir
from translator.ir.arrays import at_least_zero, same
from translator.ir.checks import equal_lengths
from translator.ir.types import ScalarType
from translator.ir.visit import rewrite

Parts = list[cst.CSTNode]


def renamed(parts: Parts, position: int, scope: KernelScope) -> Parts:
    """The kernel's top-level statements with the one at `position` and those after it rewritten
    where it binds an array name again (module docstring): renamed from there on, or preceded by
    the copy a loop that binds the caller's array needs."""
    part = parts[position]
    if isinstance(part, cst.Assign):
        names = [n for n in _bound_names(part) if array_type(n.value, scope) is not None]
        for name in names:
            _refuse_lambda_reads(name, scope)
        for old in dict.fromkeys(n.value for n in names):
            fresh = scope.fresh_temp(_base(old))
            parts = [*parts[:position], _rename_targets(parts[position], old, fresh, scope),
                     *(_rename(p, old, fresh, scope) for p in parts[position + 1:])]
        return refresh(parts, scope) if names else parts
    if isinstance(part, (cst.For, cst.While)) and not _is_prange(part, scope):
        before = parts
        for local in _loop_locals(parts, position, scope):
            parts = [*parts[:position], _rename(parts[position], local, scope.fresh_temp(local), scope),
                     *parts[position + 1:]]
        for name, binding in _callers_arrays_bound(parts[position], scope):  # type: ignore[arg-type]
            _refuse_writes(parts[position], binding, parts[position + 1:], name, scope)  # type: ignore[arg-type]
            fresh = scope.fresh_temp(_base(name.value))
            parts = [*parts[:position], _copy(name, fresh, scope),
                     *(_rename(p, name.value, fresh, scope) for p in parts[position:])]
            position += 1
        return parts if parts is before else refresh(parts, scope)
    return parts


def _is_prange(loop: cst.For | cst.While, scope: KernelScope) -> bool:
    return isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call) and (
        scope.module.qualified_name(loop.iter.func) == "translator.prange")


def _loop_locals(parts: Parts, position: int, scope: KernelScope) -> list[str]:
    """Names the top-level host loop at `position` binds again after another top-level loop did
    (vadv's `gcv` in each of its `for k` loops), where no value flows from one to another: each
    top-level statement that uses the name is a loop whose body binds it first (`_binds_first`). Each
    loop's are renamed apart, so each is bound once (an array made in a loop, `frontend.loop_arrays`)."""
    used = [{n.value for n in reads(p)} for p in parts]
    names = used[position] - set(scope.params) - set(scope.scalar_values) - set(scope.declared)
    return sorted(name for name in names if scope.facts.bindings.get(name, 0) > 1 and all(
        _binds_first(p, name, scope) for p, names_used in zip(parts, used) if name in names_used))


def _binds_first(part: cst.CSTNode, name: str, scope: KernelScope) -> bool:
    """Whether `part` is a host loop whose body binds `name` (`name = value`, not reading it) before
    any other use of it."""
    if not isinstance(part, (cst.For, cst.While)) or _is_prange(part, scope):
        return False
    binding = next((p for p in small_statements(part.body) if isinstance(p, cst.Assign) and len(p.targets) == 1
                    and isinstance(p.targets[0].target, cst.Name) and p.targets[0].target.value == name), None)
    if binding is None or name in {n.value for n in reads(binding.value)}:
        return False
    target = binding.targets[0].target
    positions = scope.module.positions
    start = (positions[target].start.line, positions[target].start.column)
    return all((positions[n].start.line, positions[n].start.column) > start
               for n in reads(part) if n.value == name and n is not target)


def _base(name: str) -> str:
    """The user's name a renamed one comes from: `h` for `h__2`, so a third binding is `h__3`."""
    return re.sub(r"(__\d+)+$", "", name) or name


def _bound_names(assign: cst.Assign) -> list[cst.Name]:
    """The names `x = ...`, `a, b = ...`, `s = t = ...` bind (not elements they assign)."""
    found: list[cst.Name] = []
    for target in assign.targets:
        places = [e.value for e in target.target.elements] if isinstance(target.target, cst.Tuple) else [target.target]
        found += [p for p in places if isinstance(p, cst.Name)]
    return found


def _refuse_lambda_reads(name: cst.Name, scope: KernelScope) -> None:
    for bound, function in scope.lambdas.items():
        if name.value in {n.value for n in reads(function.body)}:
            raise scope.module.error(
                name, f"the lambda '{bound}' reads '{name.value}', and would read the new array in Python; bind "
                "the new array under a name of its own")


def refresh(parts: Parts, scope: KernelScope) -> Parts:
    """`parts` after a renaming, with the body's facts read again (bindings and uses have moved)."""
    lines = [cst.SimpleStatementLine([p]) if isinstance(p, cst.BaseSmallStatement) else p for p in parts]
    scope.facts = read_body(cst.IndentedBlock(lines), scope.module)  # type: ignore[arg-type]
    return parts


class _Renamer(Positioned):
    """Every use of a name as a name (not an attribute's or a keyword's) renamed; a lambda whose
    parameter shadows it is left alone."""

    def __init__(self, scope: KernelScope, old: str, new: str) -> None:
        super().__init__(scope)
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value=self.new) if original_node.value == self.old else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        return updated_node.with_changes(keyword=original_node.keyword)

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        shadowed = any(p.name.value == self.old for p in original_node.params.params)
        return original_node if shadowed else updated_node


def _rename(node: cst.CSTNode, old: str, new: str, scope: KernelScope) -> cst.CSTNode:
    return node.visit(_Renamer(scope, old, new))  # type: ignore[return-value]


def _rename_targets(assign: cst.CSTNode, old: str, new: str, scope: KernelScope) -> cst.CSTNode:
    """`assign` binding `new` where it bound `old`; its value still reads `old`."""
    assert isinstance(assign, cst.Assign)
    renamed_targets = [_rename(t, old, new, scope) for t in assign.targets]
    result = assign.with_changes(targets=renamed_targets)
    scope.module.positions[result] = scope.module.positions[assign]
    return result


def _callers_arrays_bound(loop: cst.For | cst.While, scope: KernelScope) -> list[tuple[cst.Name, cst.Assign]]:
    """The caller's arrays (parameters) that a statement directly in the loop's body binds again."""
    found: dict[str, tuple[cst.Name, cst.Assign]] = {}
    for part in small_statements(loop.body):
        if isinstance(part, cst.Assign):
            for name in _bound_names(part):
                param = scope.params.get(name.value)
                if param is not None and param.is_array and param.allocation is None:
                    found.setdefault(name.value, (name, part))
    return list(found.values())


def _refuse_writes(loop: cst.For | cst.While, binding: cst.Assign, after: Parts, name: cst.Name,
                   scope: KernelScope) -> None:
    """A located error where the caller's array `name` is written in place before the loop's binding
    of it, or after the loop: there NumPy writes the caller's array, the kernel its copy."""
    body = small_statements(loop.body)
    before = body[:next(i for i, part in enumerate(body) if part is binding)]
    for where, statements in (("before this binding in the loop", before), ("after the loop", after)):
        lines = [cst.SimpleStatementLine([p]) if isinstance(p, cst.BaseSmallStatement) else p for p in statements]
        if name.value in read_body(cst.IndentedBlock(lines), scope.module).written:  # type: ignore[arg-type]
            raise scope.module.error(
                name, f"'{name.value}' is the caller's array, bound to a new array in this loop and written in place "
                f"{where}: NumPy writes the caller's array in some iterations and not in others; write the loop "
                f"with a copy, `{name.value}_new = {name.value}.copy()`, before it")


def _copy(name: cst.Name, fresh: str, scope: KernelScope) -> cst.Assign:
    """`fresh = name.copy()`, placed where `name` is (for errors)."""
    target, source, method = cst.Name(fresh), cst.Name(name.value), cst.Name("copy")
    attribute = cst.Attribute(source, method)
    call = cst.Call(attribute)
    assign_target = cst.AssignTarget(target)
    statement = cst.Assign([assign_target], call)
    where = scope.module.positions[name]
    for node in (target, source, method, attribute, call, assign_target, statement):
        scope.module.positions[node] = where
    return statement


def fills_again(target: cst.CSTNode | None, scope: KernelScope) -> bool:
    """Whether binding `target` here fills the array it names (module docstring): an array the
    kernel made, bound again inside a host loop or `if`."""
    if not isinstance(target, cst.Name) or not scope.lifting or scope.in_prange or scope.depth == 0:
        return False
    param = scope.params.get(target.value)
    return param is not None and param.allocation is not None


def fill_again(target: cst.Name, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`x = value` as `x[...] = value`, after the checks of the module docstring."""
    name, span = target.value, scope.module.span(value)
    if not is_array_value(value, scope):
        raise scope.module.error(
            target, f"'{name}' names an array made by the kernel; bind this scalar under a new name")
    _refuse_readers(target, scope)
    shape = tuple(at_least_zero(d) for d in shape_of(value, scope))
    tier = new_array_value(value, scope)
    same_rank(name, len(shape), value, scope)
    checks = shape_checks(name, shape, value, scope)
    fill = _whole(target, scope)
    stmts = None if checks else array_statement(fill, value, None, scope, built=tier)
    if stmts is None and tier is not None:  # the value's lengths, which the check below makes the array's
        place = ir.View(name, (None,) * len(shape), tuple(ir.ViewAxis(d, ir.Const(0, span), n)
                                                           for d, n in enumerate(shape)), span)
        stmts = [ir.ArrayAssign(place, tier, span)]
    elif stmts is None:
        stmts = assign_array(fill, value, None, scope)
    record_rebound(name, stored_value(name, stmts), span, scope)
    return checked(name, checks, stmts, span, scope)


def same_rank(name: str, rank: int, value: cst.CSTNode, scope: KernelScope) -> None:
    """A located error unless the array `name` has this rank: in a loop or branch a name keeps one
    array, which cannot change shape's rank between iterations (its dtype typing checks: `record_rebound`)."""
    kind = scope.params[name].type
    assert not isinstance(kind, ScalarType)
    if rank != kind.rank:
        raise scope.module.error(
            value, f"'{name}' is bound again in a loop or branch to a {rank}-D array, and held a {kind.rank}-D array; "
            "a kernel keeps one array per name there: bind this one under a name of its own")


def shape_checks(name: str, shape: tuple[ir.Expr, ...], value: cst.CSTNode, scope: KernelScope) -> list[ir.Expr]:
    """The run-time checks that the array `name`, bound again here to an array of `shape`, has that
    shape: one per extent typing cannot prove equal, after `branch_shape`."""
    span = scope.module.span(value)
    branch_shape(name, shape, value, scope)
    extents = [ir.Extent(name, dim, span) for dim in range(len(shape))]
    return [equal_lengths(new, old, span) for new, old in zip(shape, extents) if not same_length(new, old, scope)]


def checked(name: str, checks: list[ir.Expr], stmts: list[ir.Stmt], span: Span, scope: KernelScope) -> list[ir.Stmt]:
    """`stmts`, run where every check holds; elsewhere the call stops with a `ValueError`."""
    if not checks:
        return stmts
    condition = functools.reduce(lambda left, right: ir.Logical("and", left, right, span), checks)
    return unless(condition, stmts, f"'{_base(name)}' is bound again at line {span.line} to an array of another shape "
                  "than its own; a kernel keeps one array per name in a loop or branch, so the shape may not change "
                  "(NumPy would go on with the new shape)", span, scope)


def record_rebound(name: str, stored: ir.Expr, span: Span, scope: KernelScope) -> None:
    """The value that fills array `name` again (`stored`, an element of it) must have its dtype, which
    typing checks (`ir.Allocation.rebound`); `span` is the value's, where the error points."""
    param = scope.params[name]
    assert param.allocation is not None
    value = dataclasses.replace(stored, span=span)
    allocation = dataclasses.replace(param.allocation, rebound=(*param.allocation.rebound, value))
    scope.params[name] = dataclasses.replace(param, allocation=allocation)


def branch_shape(name: str, shape: tuple[ir.Expr, ...], value: cst.CSTNode, scope: KernelScope) -> None:
    """Where `name`'s array was made in one branch of an `if` and is bound here in the other
    (`if NR == NM: X = np.linalg.inv(T)`, `else: X = np.linalg.solve(T, Y)`), the caller allocates it
    with the shape the condition chooses, extent by extent (`then if cond else orelse`, in the
    caller's terms), and the array counts as made in the block holding the `if`."""
    made, here = scope.made_under.get(name), tuple(scope.branches)
    if made is None or not here or len(made) != len(here) or any(
            a[0] is not b[0] or a[1] != b[1] for a, b in zip(made[:-1], here[:-1])):
        return
    (node, in_body, _), (made_node, made_in_body, _) = here[-1], made[-1]
    if node is not made_node or in_body == made_in_body:
        return
    scope.made_under[name] = here[:-1]
    param = scope.params[name]
    assert param.allocation is not None
    span = scope.module.span(node.test)
    new = tuple(caller_expr(d, scope, scope.module.span(value)) for d in shape)
    if all(same(a, b) for a, b in zip(new, param.allocation.shape)):
        return
    test = build_expr(node.test, scope)
    then, orelse = (new, param.allocation.shape) if in_body else (param.allocation.shape, new)
    try:
        merged = tuple(a if same(a, b) else caller_expr(ir.Select(test, a, b, span), scope, span)
                       for a, b in zip(then, orelse))
    except TranslationError:
        raise scope.module.error(
            node.test, f"'{_base(name)}' is made in each branch of this `if` with another shape, and the caller "
            "allocates it once with the shape the condition chooses: the condition may only compare integer "
            "constants, scalar parameters, array extents and top-level locals assigned once (`if n == m:`)") from None
    scope.params[name] = dataclasses.replace(param, allocation=dataclasses.replace(param.allocation, shape=merged,
                                                                                  chosen=True))
    _settle_made_branch(name, param.allocation.shape, scope)


def _settle_made_branch(name: str, shape: tuple[ir.Expr, ...], scope: KernelScope) -> None:
    """The lengths checked before the call so far that use `name`'s extents, taken from the branch
    that made it, with its shape there (`shape`, the caller's terms): the extents themselves are
    the chosen shape from now on, which the other branch's shape may be."""
    def made(node: object) -> object:
        return shape[node.dim] if isinstance(node, ir.Extent) and node.array == name else node
    scope.length_checks[:] = [
        dataclasses.replace(check, left=rewrite(check.left, made), right=rewrite(check.right, made))
        for check in scope.length_checks]


def _refuse_readers(target: cst.Name, scope: KernelScope) -> None:
    """A located error where a view or a mask in reach reads `target`'s array: NumPy's keeps the old one."""
    for bound, expression in (*scope.views.items(), *scope.masks.items()):
        if target.value in {n.value for n in reads(expression)}:
            raise scope.module.error(
                target, f"'{bound}' reads the array '{target.value}' names, and would keep reading it in NumPy; in a "
                "loop or branch the kernel fills that array again: bind the new array under a name of its own")


def _whole(target: cst.Name, scope: KernelScope) -> cst.Subscript:
    """`target[...]`, placed where `target` is."""
    whole = cst.Subscript(target, [cst.SubscriptElement(cst.Index(cst.Ellipsis()))])
    positions = scope.module.positions
    for node in (whole, whole.slice[0], whole.slice[0].slice, whole.slice[0].slice.value):  # type: ignore[attr-defined]
        positions[node] = positions[target]
    return whole


def rotation(targets: cst.Tuple, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`u_prev, u = u, u_next` of arrays the kernel made, in a host loop: copies (module docstring)."""
    names = [e.value for e in targets.elements]
    values = value.elements if isinstance(value, cst.Tuple) else ()
    sources = [e.value for e in values]
    if len(sources) != len(names) or not all(isinstance(s, cst.Name) and _made(s.value, scope) for s in sources):
        raise scope.module.error(value, "arrays bound again together take arrays the kernel made, one per name: "
                                 "`u_prev, u = u, u_next`")
    if len({n.value for n in names}) != len(names):  # type: ignore[attr-defined]
        raise scope.module.error(targets, "each name is bound once in a tuple assignment of arrays")
    for target, source in zip(names, sources):
        _refuse_readers(target, scope)  # type: ignore[arg-type]
        _refuse_readers(source, scope)  # type: ignore[arg-type]
        _same_array_type(target, source, scope)  # type: ignore[arg-type]
    bound = {n.value for n in names}  # type: ignore[attr-defined]
    for source in sources:
        if source.value not in bound:  # type: ignore[attr-defined]
            _dead_after(source, scope)  # type: ignore[arg-type]
    pending = list(zip(names, sources))
    out: list[ir.Stmt] = []
    while pending:
        ready = next(((t, s) for t, s in pending if not any(
            other.value == t.value for _, other in pending if other is not s)), None)  # type: ignore[attr-defined]
        if ready is None:  # a cycle: keep the first target's values aside
            target = pending[0][0]
            saved = _scratch(target, scope)  # type: ignore[arg-type]
            out += _copy_into(saved, target, scope)  # type: ignore[arg-type]
            pending = [(t, saved if s.value == target.value else s) for t, s in pending]  # type: ignore[attr-defined]
            continue
        pending.remove(ready)
        out += _copy_into(*ready, scope)  # type: ignore[arg-type]
    return out


def _made(name: str, scope: KernelScope) -> bool:
    param = scope.params.get(name)
    return param is not None and param.allocation is not None


def _same_array_type(target: cst.Name, source: cst.Name, scope: KernelScope) -> None:
    """A located error unless the two arrays have one shape (in the caller's terms); their dtypes,
    which typing decides, it checks (`ir.Allocation.rebound`)."""
    old, new = scope.params[target.value], scope.params[source.value]
    assert old.allocation is not None and new.allocation is not None
    if len(old.allocation.shape) != len(new.allocation.shape) or not all(
            same(a, b) for a, b in zip(old.allocation.shape, new.allocation.shape)):
        raise scope.module.error(
            source, f"'{target.value}' is bound again to '{source.value}', which may differ from it in shape; arrays "
            "bound again together in a loop keep one array per name, of one dtype and shape")
    span = scope.module.span(source)
    read = ir.dtype_of_array(source.value, len(new.allocation.shape), span)
    allocation = dataclasses.replace(old.allocation, rebound=(*old.allocation.rebound, read))
    scope.params[target.value] = dataclasses.replace(old, allocation=allocation)


def _dead_after(source: cst.Name, scope: KernelScope) -> None:
    """A located error unless `source`, which now shares its array with a target in NumPy, is made in
    the innermost loop and not used again before that loop's body binds it anew."""
    loop = scope.open_loops[-1] if scope.open_loops else None
    body = small_statements(loop.body) if loop is not None and scope.depth == len(scope.open_loops) else []
    here = next((i for i, part in enumerate(body) if any(n is source for n in reads(part))), None)
    uses = [n for n in reads(loop.body) if n.value == source.value] if loop is not None else []
    later = [p for p in (*body[here + 1:], *body[:here]) if source.value in {n.value for n in reads(p)}] if (
        here is not None) else []
    rebinds = bool(later) and isinstance(later[0], cst.Assign) and source.value in {
        n.value for n in _bound_names(later[0])} and source.value not in {n.value for n in reads(later[0].value)}
    if here is None or len(uses) != scope.facts.uses.get(source.value) or not rebinds:
        raise scope.module.error(
            source, f"after this statement '{source.value}' and the name bound to it are one array in NumPy, which "
            f"the kernel's copy is not: make '{source.value}' in this loop's body and bind it anew before any "
            "other use")


def _scratch(like: cst.Name, scope: KernelScope) -> cst.Name:
    """A new array the kernel makes with `like`'s dtype and shape, named where `like` is."""
    param = scope.params[like.value]
    assert param.allocation is not None
    name = cst.Name(scope.fresh_temp(like.value))
    scope.module.positions[name] = scope.module.positions[like]
    declare_new_array(scope, name.value, like, array_dtype(like.value, scope), param.allocation.shape,
                      scope.module.span(like))
    return name


def _copy_into(target: cst.Name, source: cst.Name, scope: KernelScope) -> list[ir.Stmt]:
    fill = _whole(target, scope)
    return array_statement(fill, source, None, scope) or assign_array(fill, source, None, scope)
