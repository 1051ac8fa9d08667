"""Which lengths the caller's checks make equal: one answer for every pass that asks.

The caller verifies each of a kernel's broadcast length checks (`ir.LengthCheck` with no `array`)
before the call, as Python counts lengths: `max(left, 0) == max(right, 0)`. Equality chains, so
two expressions are known equal when checks link them, directly or through other expressions
(`y[:] = a + b; z[:] = b * c` links a's, b's and c's extents). What that proves depends on the
expressions: two extents (never negative) are then equal themselves, and so are the trip counts of
two loops over `range(start, stop)` from the same start that is never negative. An access's
precondition (`array` set: an extent at least a length) equates nothing, and neither does a reshape's
size check (its shape may hold a -1, which NumPy resolves: the check is not an equality of the two).

Passes ask in two ways: the fusion and team-size passes whether two loop stops are equal
(`EqualLengths.equal`), the access analysis for one representative of each class of extents, to
compare index expressions in sets (`EqualLengths.extent_classes`).
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir


def shape_key(node: object) -> object:
    """A hashable form of an expression that ignores spans, types and casts, to compare index
    expressions."""
    if isinstance(node, ir.Cast):
        return shape_key(node.operand)
    if not dataclasses.is_dataclass(node):
        return node
    fields = (getattr(node, f.name) for f in dataclasses.fields(node) if f.name not in ("span", "type"))
    return (type(node).__name__, *(tuple(map(shape_key, v)) if isinstance(v, tuple) else shape_key(v) for v in fields))


class EqualLengths:
    """The classes of expressions a kernel's broadcast length checks equate (a union-find over
    `shape_key`s); built once per question from the checks as they stand."""

    def __init__(self, checks: tuple[ir.LengthCheck, ...]) -> None:
        self._parent: dict[object, object] = {}
        self._extents: set[object] = set()
        for check in checks:
            if check.array is None and check.reshape is None:
                self._union(self._add(check.left), self._add(check.right))

    def equal(self, a: ir.Expr, b: ir.Expr) -> bool:
        """Whether `a` and `b` are the same expression or checked equal as lengths
        (`max(a, 0) == max(b, 0)`)."""
        x, y = shape_key(a), shape_key(b)
        return x == y or self._root(x) == self._root(y)

    def extent_classes(self) -> dict[object, object]:
        """Each extent (by `shape_key`) checked equal to another extent, mapped to one extent of
        its class (the least by `repr`, so the choice is deterministic)."""
        classes: dict[object, list[object]] = {}
        for key in sorted(self._extents, key=repr):
            classes.setdefault(self._root(key), []).append(key)
        return {key: members[0] for members in classes.values() if len(members) > 1 for key in members}

    def _add(self, expr: ir.Expr) -> object:
        key = shape_key(expr)
        self._parent.setdefault(key, key)
        if isinstance(uncast(expr), ir.Extent):
            self._extents.add(key)
        return key

    def _root(self, key: object) -> object:
        while self._parent.get(key, key) != key:
            key = self._parent[key]
        return key

    def _union(self, a: object, b: object) -> None:
        x, y = self._root(a), self._root(b)
        if x != y:
            self._parent[y] = x


def uncast(expr: ir.Expr) -> ir.Expr:
    """`expr` without the casts around it (typing puts them around loop bounds)."""
    while isinstance(expr, ir.Cast):
        expr = expr.operand
    return expr
