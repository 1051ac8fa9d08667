"""Every local is assigned before it is read, on every path (Python raises UnboundLocalError otherwise).

C would read an uninitialized variable instead, so the translator rejects such reads. The analysis
is the classic forward one: a branch contributes the intersection of its arms; a loop body may run
zero times, so what it assigns does not count after it (this also rejects reading a loop's variable
after the loop, whose C value would differ from Python's).
"""

from __future__ import annotations

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.visit import Node, launch_exprs, walk


def check_definite_assignment(kernel: ir.Kernel) -> None:
    scalars = frozenset(p.name for p in kernel.params if not p.is_array)
    _block(kernel.body, scalars)


def _block(stmts: tuple[ir.Stmt, ...], assigned: frozenset[str]) -> frozenset[str]:
    for stmt in stmts:
        assigned = _stmt(stmt, assigned)
    return assigned


def _stmt(stmt: ir.Stmt, assigned: frozenset[str]) -> frozenset[str]:
    if isinstance(stmt, ir.Assign):
        _reads(stmt.value, assigned)
        if isinstance(stmt.target, ir.Index):
            _reads(stmt.target, assigned)
            return assigned
        return assigned | {stmt.target.id}
    if isinstance(stmt, ir.If):
        _reads(stmt.cond, assigned)
        if stmt.guard:  # a failed guard ends in an exception, as in Python
            _block(stmt.orelse, assigned)
            return _block(stmt.body, assigned)
        return _block(stmt.body, assigned) & _block(stmt.orelse, assigned)
    if isinstance(stmt, ir.While):
        _reads(stmt.cond, assigned)
        _block(stmt.body, assigned)
        return assigned
    if isinstance(stmt, (ir.AtomicUpdate, ir.CallStatement, ir.Temporary)):
        _reads(stmt, assigned)
        return assigned
    if isinstance(stmt, ir.Loop):
        for bound in (stmt.start, stmt.stop, *launch_exprs(stmt.launch)):
            _reads(bound, assigned)
        _block(stmt.body, assigned | {stmt.var})
        return assigned
    if isinstance(stmt, ir.Return) and stmt.value is not None:
        _reads(stmt.value, assigned)
    return assigned


def _reads(expr: Node, assigned: frozenset[str]) -> None:
    for node in walk(expr):
        if isinstance(node, ir.Name) and node.id not in assigned:
            raise TranslationError.at(
                node.span, f"'{node.id}' may be used before it is assigned (Python would raise UnboundLocalError)")
