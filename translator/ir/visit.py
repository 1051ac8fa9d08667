"""Generic traversal of the IR: every pass walks or rebuilds trees through these two functions."""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from translator.ir import nodes as ir

_NODE_TYPES = (
    ir.Const, ir.Name, ir.Index, ir.Extent, ir.Unary, ir.Binary, ir.Compare, ir.Logical, ir.Select,
    ir.Call, ir.Cast, ir.Assign, ir.If, ir.Loop, ir.While, ir.Break, ir.Continue, ir.Return,
    ir.LoopLevel, ir.ParallelLoop, ir.TargetData, ir.Interval, ir.UpdateFrom,
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
