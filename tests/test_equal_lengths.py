"""`passes/equal_lengths.py`: which lengths a kernel's checks make equal, the one answer the access
analysis, the fusion and the team sizes share. Chains of broadcast checks equate; an access's
precondition (an extent at least a length) and a reshape's size check equate nothing."""

from __future__ import annotations

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import I64
from translator.passes.equal_lengths import EqualLengths, shape_key

AT = Span("k.py", 3, 5)


def extent(array: str, dim: int = 0) -> ir.Extent:
    return ir.Extent(array, dim, AT, I64)


def check(left: ir.Expr, right: ir.Expr, **kind: object) -> ir.LengthCheck:
    return ir.LengthCheck(left, right, Span("k.py", 7, 1), **kind)  # type: ignore[arg-type]


def test_a_chain_of_checks_equates_its_ends() -> None:
    n = ir.Name("n", AT, I64)
    lengths = EqualLengths((check(extent("a"), extent("b")), check(extent("b"), n), check(n, extent("c"))))
    assert lengths.equal(extent("a"), extent("c"))
    assert lengths.equal(ir.Cast(extent("c"), AT, I64), n)  # casts are looked through
    assert not lengths.equal(extent("a"), extent("d"))
    assert not lengths.equal(extent("a"), extent("a", 1))


def test_preconditions_and_reshapes_equate_nothing() -> None:
    """`extent >= length` (an access's precondition) and a reshape's size check (its shape may hold a
    -1) are not equalities: two stops they link must stay different to the fusion."""
    lengths = EqualLengths((check(extent("a"), extent("b"), array="a"),
                            check(extent("c"), extent("d"), reshape=(ir.Const(-1, AT, I64),))))
    assert not lengths.equal(extent("a"), extent("b"))
    assert not lengths.equal(extent("c"), extent("d"))
    assert lengths.extent_classes() == {}


def test_extent_classes_map_through_other_expressions_to_one_extent() -> None:
    """`a.shape[0] == n - 1 == b.shape[0]`: a's and b's extents are equal (never negative), and the
    class maps both to the same extent; `n - 1` itself is never replaced (it may be negative)."""
    n_less = ir.Binary("-", ir.Name("n", AT, I64), ir.Const(1, AT, I64), AT, I64)
    classes = EqualLengths((check(extent("b"), n_less), check(n_less, extent("a")))).extent_classes()
    assert classes == {shape_key(extent("a")): shape_key(extent("a")), shape_key(extent("b")): shape_key(extent("a"))}
