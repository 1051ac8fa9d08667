"""Generic traversal of the IR: every pass walks or rebuilds trees through these functions.

`walk`/`rewrite` treat every node alike. A pass that treats each statement class its own way
subclasses `Visitor` (or `StmtTransformer`): one `visit_<Class>` method per node class, found
through a table built from the classes of `ir.Stmt` (or `ir.Expr`), so that a node class added
to the IR that a pass does not handle raises `UnhandledNode`, naming both, instead of falling
through unchanged."""

from __future__ import annotations

import dataclasses
from typing import (
    TYPE_CHECKING, Any, Callable, ClassVar, Generic, Iterable, Iterator, Mapping, ParamSpec, TypeGuard, TypeVar, Union,
    get_args, overload,
)

from translator.ir import nodes as ir

Node = Union[ir.Expr, ir.Stmt, ir.LoopLevel, ir.Launch, ir.Interval, ir.ViewAxis]
"""What `children` descends into: expressions, statements and the parts of loops, boxes and views
that hold expressions (directives, clauses, declarations and types are data, not nodes)."""

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_N = TypeVar("_N", bound="DataclassInstance")
_P = ParamSpec("_P")
_R = TypeVar("_R")

EXPR_CLASSES: tuple[type, ...] = get_args(ir.Expr)  # the classes of the unions, so that code follows the IR
STMT_CLASSES: tuple[type, ...] = get_args(ir.Stmt)
_NODE_TYPES = (*EXPR_CLASSES, *STMT_CLASSES, ir.LoopLevel, ir.Launch, ir.Interval, ir.ViewAxis)


class UnhandledNode(TypeError):
    """A pass met a node class it has no `visit_<Class>` method for: a bug in py2omp (the IR grew a
    node and the pass was not taught it), never the user's."""


class Visitor(Generic[_P, _R]):
    """Dispatch on the node's class: `visit(node, ...)` calls `self.visit_<Class>(node, ...)`.

    `node_classes` are the classes a subclass must handle (the statements unless it says otherwise);
    the table is built once per subclass from them. A class without a method is left out of the
    table, and meeting one raises `UnhandledNode`: passing a node through unchanged is a decision a
    pass states with a method (`StmtTransformer.keep`), never a default.
    """

    node_classes: ClassVar[tuple[type, ...]] = STMT_CLASSES
    _handlers: ClassVar[dict[type, Callable[..., Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        methods = ((node, getattr(cls, f"visit_{node.__name__}", None)) for node in cls.node_classes)
        cls._handlers = {node: method for node, method in methods if method is not None}

    def visit(self, node: object, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        handler = self._handlers.get(type(node))
        if handler is None:
            raise UnhandledNode(f"internal error: {type(self).__name__} has no visit_{type(node).__name__}")
        result: _R = handler(self, node, *args, **kwargs)
        return result


class StmtTransformer(Visitor[[], ir.Stmt]):
    """A pass that rebuilds statements one class at a time (context lives on `self`).

    `keep` and `descend` are the two common handlers, which a subclass names per class
    (`visit_Break = visit_Continue = StmtTransformer.keep`)."""

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        return tuple(self.visit(s) for s in stmts)

    def keep(self, stmt: ir.Stmt) -> ir.Stmt:
        """The statement as it is: it holds nothing this pass changes."""
        return stmt

    def descend(self, stmt: ir.Stmt) -> ir.Stmt:
        """The statement with its nested blocks (`body`, and `orelse` of an `if`) transformed."""
        changes = {name: self.block(getattr(stmt, name)) for name in ("body", "orelse") if hasattr(stmt, name)}
        return _replaced(stmt, changes)


class BlockTransformer(Visitor[[], tuple[ir.Stmt, ...]]):
    """A pass in which each statement becomes any number of statements (none, itself, a region's
    body, a wait before it). `keep` and `descend` are the common handlers, as in `StmtTransformer`."""

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        return tuple(out for stmt in stmts for out in self.visit(stmt))

    def keep(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        """The statement as it is: it holds nothing this pass changes."""
        return (stmt,)

    def descend(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        """The statement with its nested blocks (`body`, and `orelse` of an `if`) transformed."""
        changes = {name: self.block(getattr(stmt, name)) for name in ("body", "orelse") if hasattr(stmt, name)}
        return (_replaced(stmt, changes),)


def is_node(value: object) -> TypeGuard[Node]:
    return isinstance(value, _NODE_TYPES)


def is_expr(value: object) -> TypeGuard[ir.Expr]:
    return isinstance(value, EXPR_CLASSES)


def is_stmt(value: object) -> TypeGuard[ir.Stmt]:
    return isinstance(value, STMT_CLASSES)


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


def map_children(expr: ir.Expr, fn: Callable[[ir.Expr], ir.Expr]) -> ir.Expr:
    """`expr` with each of its operands (`expr_children`) replaced by `fn(operand)`: one level, where
    `rewrite` goes bottom-up through all."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(expr):
        value = getattr(expr, field.name)
        if is_expr(value):
            changes[field.name] = fn(value)
        elif isinstance(value, tuple) and any(is_expr(item) for item in value):
            changes[field.name] = tuple(fn(item) if is_expr(item) else item for item in value)
    return _replaced(expr, changes) if changes else expr


def nested_statements(stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
    """The statements of `stmt`'s nested blocks, in order (an `if`'s body, then its `else`)."""
    return tuple(child for child in children(stmt) if is_stmt(child))


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


def map_operands(node: _N, fn: Callable[[ir.Expr], ir.Expr]) -> _N:
    """`node` with `fn` applied to each expression among its fields, looking through the nodes that
    are no expressions (a view's axes); not recursive: `fn` decides whether to go deeper (a pass
    that carries a context down, as `rewrite`, bottom-up, cannot)."""
    def one(value: object) -> object:
        if is_expr(value):
            return fn(value)
        return map_operands(value, fn) if is_node(value) else value
    changes: dict[str, object] = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if is_node(value):
            changes[field.name] = one(value)
        elif isinstance(value, tuple) and any(is_node(item) for item in value):
            changes[field.name] = tuple(one(item) for item in value)
    return _replaced(node, changes) if changes else node


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
        candidates: tuple[int | ir.Expr | None, ...] = (directive.num_teams, directive.thread_limit, directive.row_trip)
    elif isinstance(directive, ir.OmpParallelFor):
        candidates = (directive.num_threads,)
    else:
        candidates = ()
    return tuple(e for e in candidates if e is not None and not isinstance(e, int))


def straight_line(body: tuple[ir.Stmt, ...]) -> bool:
    """Whether every statement, in the arms of branches too, is an assignment or an atomic update:
    a body the bare forms deal to threads and lanes as it is (`passes.bare`, `passes.bare_rows`,
    `passes.flat_nests`)."""
    return all(isinstance(s, (ir.Assign, ir.AtomicUpdate)) or isinstance(s, ir.If) and straight_line(s.body + s.orelse)
               for s in body)
