"""Generic traversal of the IR: every pass walks or rebuilds trees through these two functions."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, TypeGuard, TypeVar, Union, get_args, overload

from translator.ir import nodes as ir

Node = Union[ir.Expr, ir.Stmt, ir.LoopLevel, ir.Launch, ir.Interval]
"""What `children` descends into: expressions, statements and the parts of loops and boxes that
hold expressions (directives, clauses and declarations are data, not nodes)."""

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_N = TypeVar("_N", bound="DataclassInstance")

_EXPR_TYPES = get_args(ir.Expr)  # the classes of the unions, so that the guards follow nodes.py
_STMT_TYPES = get_args(ir.Stmt)
_NODE_TYPES = (*_EXPR_TYPES, *_STMT_TYPES, ir.LoopLevel, ir.Launch, ir.Interval)


def is_node(value: object) -> TypeGuard[Node]:
    return isinstance(value, _NODE_TYPES)


def is_expr(value: object) -> TypeGuard[ir.Expr]:
    return isinstance(value, _EXPR_TYPES)


def is_stmt(value: object) -> TypeGuard[ir.Stmt]:
    return isinstance(value, _STMT_TYPES)


def children(node: Node) -> Iterator[Node]:
    """The direct IR children of `node`, in field order (tuples of nodes are flattened)."""
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if is_node(value):
            yield value
        elif isinstance(value, tuple):
            yield from (item for item in value if is_node(item))


def expr_children(expr: ir.Expr) -> Iterator[ir.Expr]:
    """The operands of `expr`: an expression's children are all expressions."""
    for child in children(expr):
        assert is_expr(child), f"{type(child).__name__} inside an expression"
        yield child


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, pre-order."""
    yield node
    for child in children(node):
        yield from walk(child)


def walk_all(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        yield from walk(node)


@overload
def rewrite(node: ir.Expr, fn: Callable[[Node], object]) -> ir.Expr: ...
@overload
def rewrite(node: ir.Stmt, fn: Callable[[Node], object]) -> ir.Stmt: ...
@overload
def rewrite(node: Node, fn: Callable[[Node], object]) -> Node: ...


def rewrite(node: Node, fn: Callable[[Node], object]) -> Node:
    """Rebuild `node` bottom-up: children first, then `fn` on the rebuilt node.

    `fn` may replace a node by another of its sort only (an expression by an expression, a statement
    by a statement), so the rebuilt tree stays well-formed; anything else is a bug in the pass."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if is_node(value):
            changes[field.name] = rewrite(value, fn)
        elif isinstance(value, tuple) and any(is_node(item) for item in value):
            changes[field.name] = tuple(rewrite(item, fn) if is_node(item) else item for item in value)
    result = fn(_replaced(node, changes) if changes else node)
    if not _same_sort(result, node):
        raise TypeError(f"a rewrite replaced {type(node).__name__} by {type(result).__name__}")
    return result


def _replaced(node: _N, changes: Mapping[str, object]) -> _N:
    """`node` with the fields in `changes` rebuilt (their types are those of the fields they replace)."""
    return dataclasses.replace(node, **changes)


def _same_sort(result: object, node: Node) -> TypeGuard[Node]:
    """Whether `result` may stand where `node` stood: both expressions, both statements, or the same class."""
    if is_expr(node):
        return is_expr(result)
    if is_stmt(node):
        return is_stmt(result)
    return type(result) is type(node)


def rewrite_body(stmts: tuple[ir.Stmt, ...], fn: Callable[[Node], object]) -> tuple[ir.Stmt, ...]:
    return tuple(rewrite(stmt, fn) for stmt in stmts)


def local_arrays(stmts: tuple[ir.Stmt, ...]) -> dict[str, ir.LocalArray]:
    """The local arrays the statements create, by name (the frontend makes names unique)."""
    return {n.name: n for n in walk_all(stmts) if isinstance(n, ir.LocalArray)}


def temporaries(stmts: tuple[ir.Stmt, ...]) -> dict[str, ir.Temporary]:
    """The arrays of run-time size made inside `prange` bodies, by name (in the body or, after
    `passes.parallelize`, on the `ParallelLoop` that allocates them)."""
    return {n.name: n for n in walk_all(stmts) if isinstance(n, ir.Temporary)}


def launch_exprs(launch: ir.Launch | None) -> tuple[ir.Expr, ...]:
    """The host expressions of a `prange`'s launch keywords (none when it has none)."""
    if launch is None:
        return ()
    return tuple(e for e in (launch.num_teams, launch.thread_limit) if e is not None)


def directive_exprs(directive: ir.OmpTarget | ir.OmpParallelFor | None) -> tuple[ir.Expr, ...]:
    """The host expressions a directive's clauses evaluate (launch keywords moved there)."""
    if isinstance(directive, ir.OmpTarget):
        candidates: tuple[int | ir.Expr | None, ...] = (directive.num_teams, directive.thread_limit)
    elif isinstance(directive, ir.OmpParallelFor):
        candidates = (directive.num_threads,)
    else:
        candidates = ()
    return tuple(e for e in candidates if e is not None and not isinstance(e, int))
