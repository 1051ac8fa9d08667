"""Every local is assigned before it is read, on every path (Python raises UnboundLocalError otherwise).

C would read an uninitialized variable instead, so the translator rejects such reads. The analysis
is the classic forward one: a branch contributes the intersection of its arms; a loop body may run
zero times, so what it assigns does not count after it (this also rejects reading a loop's variable
after the loop, whose C value would differ from Python's).
"""

from __future__ import annotations

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.visit import Node, Visitor, launch_exprs, walk


def check_definite_assignment(kernel: ir.Kernel) -> None:
    scalars = frozenset(p.name for p in kernel.params if not p.is_array)
    _Assigned().block(kernel.body, scalars)


class _Assigned(Visitor[[frozenset[str]], frozenset[str]]):
    """Maps the names surely assigned before each statement to those surely assigned after it,
    rejecting a read of any other name."""

    def block(self, stmts: tuple[ir.Stmt, ...], assigned: frozenset[str]) -> frozenset[str]:
        for stmt in stmts:
            assigned = self.visit(stmt, assigned)
        return assigned

    def visit_Assign(self, stmt: ir.Assign, assigned: frozenset[str]) -> frozenset[str]:
        _reads(stmt.value, assigned)
        if isinstance(stmt.target, ir.Index):
            _reads(stmt.target, assigned)
            return assigned
        return assigned | {stmt.target.id}

    def visit_If(self, stmt: ir.If, assigned: frozenset[str]) -> frozenset[str]:
        _reads(stmt.cond, assigned)
        if stmt.guard:  # a failed guard ends in an exception, as in Python
            self.block(stmt.orelse, assigned)
            return self.block(stmt.body, assigned)
        return self.block(stmt.body, assigned) & self.block(stmt.orelse, assigned)

    def visit_While(self, stmt: ir.While, assigned: frozenset[str]) -> frozenset[str]:
        _reads(stmt.cond, assigned)
        self.block(stmt.body, assigned)
        return assigned

    def visit_Loop(self, stmt: ir.Loop, assigned: frozenset[str]) -> frozenset[str]:
        for bound in (stmt.start, stmt.stop, *launch_exprs(stmt.launch)):
            _reads(bound, assigned)
        self.block(stmt.body, assigned | {stmt.var})
        return assigned

    def reads_only(self, stmt: ir.Stmt, assigned: frozenset[str]) -> frozenset[str]:
        """A statement that assigns no local: what it reads must be assigned already."""
        _reads(stmt, assigned)
        return assigned

    visit_ArrayAssign = visit_Scatter = visit_AtomicUpdate = visit_CallStatement = visit_Temporary = reads_only
    visit_Return = reads_only
    visit_LocalArray = visit_Break = visit_Continue = reads_only


def _reads(expr: Node, assigned: frozenset[str]) -> None:
    for node in walk(expr):
        if isinstance(node, ir.Name) and node.id not in assigned:
            raise TranslationError.at(
                node.span, f"'{node.id}' may be used before it is assigned (Python would raise UnboundLocalError)")
