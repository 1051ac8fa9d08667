"""Generic traversal of the IR: every pass walks or rebuilds trees through these two functions."""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from translator.ir import nodes as ir

_NODE_TYPES = (
    ir.Const, ir.Name, ir.Index, ir.Extent, ir.Unary, ir.Binary, ir.Compare, ir.Logical, ir.Select,
    ir.Call, ir.Cast, ir.CallFunction, ir.ArrayArg, ir.Assign, ir.AtomicUpdate, ir.CallStatement, ir.LocalArray,
    ir.If, ir.Loop, ir.While, ir.Break, ir.Continue, ir.Return,
    ir.LoopLevel, ir.Launch, ir.ParallelLoop, ir.TargetData, ir.Interval, ir.UpdateFrom,
)


def _is_node(value: object) -> bool:
    return isinstance(value, _NODE_TYPES)


def children(node: object) -> Iterator[object]:
    """The direct IR children of `node`, in field order (tuples of nodes are flattened)."""
    for field in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, field.name)
        if _is_node(value):
            yield value
        elif isinstance(value, tuple):
            yield from (item for item in value if _is_node(item))


def walk(node: object) -> Iterator[object]:
    """`node` and all its descendants, pre-order."""
    yield node
    for child in children(node):
        yield from walk(child)


def walk_all(stmts: tuple[ir.Stmt, ...]) -> Iterator[object]:
    for stmt in stmts:
        yield from walk(stmt)


def rewrite(node: object, fn: Callable[[object], object]) -> object:
    """Rebuild `node` bottom-up: children first, then `fn` on the rebuilt node."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, field.name)
        if _is_node(value):
            changes[field.name] = rewrite(value, fn)
        elif isinstance(value, tuple) and any(_is_node(item) for item in value):
            changes[field.name] = tuple(rewrite(item, fn) if _is_node(item) else item for item in value)
    return fn(dataclasses.replace(node, **changes) if changes else node)  # type: ignore[type-var]


def rewrite_body(stmts: tuple[ir.Stmt, ...], fn: Callable[[object], object]) -> tuple[ir.Stmt, ...]:
    return tuple(rewrite(stmt, fn) for stmt in stmts)  # type: ignore[misc]


def local_arrays(stmts: tuple[ir.Stmt, ...]) -> dict[str, ir.LocalArray]:
    """The local arrays the statements create, by name (the frontend makes names unique)."""
    return {n.name: n for n in walk_all(stmts) if isinstance(n, ir.LocalArray)}


def launch_exprs(launch: ir.Launch | None) -> tuple[ir.Expr, ...]:
    """The host expressions of a `prange`'s launch keywords (none when it has none)."""
    if launch is None:
        return ()
    return tuple(e for e in (launch.num_teams, launch.thread_limit) if e is not None)


def directive_exprs(directive: ir.OmpTarget | ir.OmpParallelFor | None) -> tuple[ir.Expr, ...]:
    """The host expressions a directive's clauses evaluate (launch keywords moved there)."""
    if isinstance(directive, ir.OmpTarget):
        candidates: tuple[object, ...] = (directive.num_teams, directive.thread_limit)
    elif isinstance(directive, ir.OmpParallelFor):
        candidates = (directive.num_threads,)
    else:
        candidates = ()
    return tuple(e for e in candidates if e is not None and not isinstance(e, int))  # type: ignore[misc]
