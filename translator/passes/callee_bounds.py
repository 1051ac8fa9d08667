"""The accesses a device function makes, seen from the statement that calls it (`passes.bounds`).

A device function's C is shared by every caller, and a check at the call is cheaper than one on
every call (the caller's may be a precondition, free), so some of its accesses are checked where it
is called: an access of an array parameter that runs on every
call (a top-level statement before any `if`, loop or `return` that could skip it, and not on the
right of `and`/`or` or in a branch of `a if c else b`), with an index made only of the function's
scalar parameters, constants and elements of its array parameters, is rewritten in the caller's terms (the argument arrays, the
argument expressions) at the call's span, and the caller's statement checks it as one of its own:
a precondition before the call, or the kernel's test with the caller's line. The function tests
its other accesses itself (`passes.bounds`, reported through `passes.function_failures`); those
it leaves to its callers are `checked_by_callers`. A call whose arguments call a function again is
the one case where neither tests them (the arguments would be evaluated twice).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping

from translator.ir import nodes as ir
from translator.ir.visit import rewrite, walk

_PLAIN = (ir.Name, ir.Const, ir.Binary, ir.Unary, ir.Cast, ir.Index)
"""The nodes an index of a lifted access may be made of: the scalar parameters as its names, and
elements of the array parameters (a gather `x[idx[i]]`). Not an extent: `passes.indices` has
rewritten a negative constant `x[-k]` as `x[n - k]`, which no longer says what Python needs."""


def lifted_accesses(call: ir.CallFunction, callee: ir.Kernel) -> list[ir.Index]:
    """The callee's unconditional accesses of its array parameters, as accesses of the caller's
    arrays with the call's arguments for its scalar parameters, located at the call."""
    if len(call.args) != len(callee.params) or any(isinstance(n, ir.CallFunction) for a in call.args for n in walk(a)):
        return []
    arrays = {p.name: a.array for p, a in zip(callee.params, call.args) if isinstance(a, ir.ArrayArg)}
    scalars = {p.name: a for p, a in zip(callee.params, call.args) if not isinstance(a, ir.ArrayArg)}
    lifted = []
    for index in _unconditional(callee.body):
        indices = tuple(rewrite(i, _unwrapped) for i in index.indices)
        if _liftable(index.array, indices, arrays, scalars):
            moved = tuple(dataclasses.replace(_substituted(i, arrays, scalars), span=call.span) for i in indices)
            lifted.append(ir.Index(arrays[index.array], moved, call.span, index.type))
    return lifted


def checked_by_callers(function: ir.Kernel) -> frozenset[ir.Index]:
    """The accesses of the device function `function` (before `passes.indices`) that
    `lifted_accesses` moves to its calls, which the function need not test again."""
    arrays = {p.name for p in function.params if p.is_array}
    scalars = {p.name for p in function.params if not p.is_array}
    return frozenset(i for i in _unconditional(function.body) if _liftable(i.array, i.indices, arrays, scalars))


def _liftable(array: str, indices: tuple[ir.Expr, ...], arrays: Collection[str], scalars: Collection[str]) -> bool:
    """Whether an access of `array` at `indices` (Python's) is one of an array parameter whose index
    is made of the scalar parameters, constants and elements of the array parameters."""
    return array in arrays and all(
        isinstance(n, _PLAIN) and (not isinstance(n, ir.Name) or n.id in scalars)
        and (not isinstance(n, ir.Index) or n.array in arrays) for i in indices for n in walk(i))


def _unconditional(body: tuple[ir.Stmt, ...]) -> Iterator[ir.Index]:
    """The accesses of the top-level statements that run on every call, in order."""
    for stmt in body:
        if not isinstance(stmt, (ir.Assign, ir.Return)):
            return
        exprs = (stmt.value,) if isinstance(stmt, ir.Return) or isinstance(stmt.target, ir.Name) else (
            stmt.target, stmt.value)
        for expr in exprs:
            if expr is not None:
                yield from _always_evaluated(expr)
        if isinstance(stmt, ir.Return):
            return


def _always_evaluated(expr: ir.Expr) -> Iterator[ir.Index]:
    """The accesses `expr` evaluates whatever the values: not those on the right of `and`/`or`, nor
    in a branch of a select."""
    if isinstance(expr, ir.Logical):
        yield from _always_evaluated(expr.left)
        return
    if isinstance(expr, ir.Select):
        yield from _always_evaluated(expr.cond)
        return
    for node in walk(expr):
        if isinstance(node, (ir.Logical, ir.Select)):
            return  # nested deeper: left out rather than walked in part
    yield from (n for n in walk(expr) if isinstance(n, ir.Index))


def _unwrapped(node: object) -> object:
    """Python's index, before `passes.indices` (which ran on the function) wrapped it."""
    if isinstance(node, ir.Call) and node.func == "wrap_index":
        return node.args[0]
    return node


def _substituted(index: ir.Expr, arrays: Mapping[str, str], scalars: Mapping[str, ir.Expr]) -> ir.Expr:
    """The index in the caller's terms: its arrays and the call's argument expressions."""
    def replace(node: object) -> object:
        if isinstance(node, ir.Name) and node.id in scalars:
            return scalars[node.id]
        if isinstance(node, ir.Index):
            return ir.Index(arrays[node.array], node.indices, node.span, node.type)
        return node
    return rewrite(index, replace)
