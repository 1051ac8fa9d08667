"""The names a piece of Python source reads: one walker for every frontend module that asks.

It imports no other frontend module, so modules on either side of an import (`allocations` below
`masks`) can share it."""

from __future__ import annotations

import libcst as cst


class NameVisitor(cst.CSTVisitor):
    """Visits the names an expression or body uses as names (not attributes' or keywords' names)."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def reads(node: cst.CSTNode) -> list[cst.Name]:
    """The names an expression reads."""
    found: list[cst.Name] = []

    class Reads(NameVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

    node.visit(Reads())
    return found
