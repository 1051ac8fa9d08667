"""`np.einsum` with a constant subscripts string, as a value of the array tier.

Einstein summation is a reduction over the summed subscripts of an elementwise product: each
operand (a view) is lined up with the others on one axis per subscript, output subscripts first in
the output's order, then the summed ones (`'ij,jk->ik'` multiplies `A[i, None, j]` by `B[None, k,
j]`), a subscript the operand lacks being a new axis of length 1, so broadcasting repeats it. The
product is an `ir.ArrayReduce` of op `dot` (dtype: the operands' promotion, as NumPy's einsum, never
widened) over the summed axes; without summed subscripts the product itself (`'i,j->ij'`, a
transpose `'ij->ji'`). A subscript repeated within an operand reads its diagonal (`'ii'`, `'ii->i'`:
`ir.ViewAxis.diagonal`). Two operands that make a matrix product (`'ij,jk->ik'`, `'ij,kj->ik'`,
`'ij,j->i'`, `'i,i'`) become the product `frontend/products.py` builds, transposed where the
subscripts say, so the vendor BLAS pass finds it. `...` stands for the broadcast axes NumPy puts
there, aligned at the right. NumPy 2's `np.vecdot`, `np.matvec` and `np.vecmat` are einsums of fixed
subscripts, and so is `@` of stacks of matrices (`stacked_product`). This module reads the call (libcst) and builds the value from the
operands' IR.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from translator.errors import Span
from translator.frontend.arrays import CALL_SHAPES, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.products import build_product
from translator.ir import nodes as ir
from translator.ir.arrays import array_shape, broadcast

GUFUNCS = {"numpy.vecdot": ("...i,...i->...", True), "numpy.matvec": ("...ij,...j->...i", False),
           "numpy.vecmat": ("...j,...ji->...i", True)}
"""NumPy 2's vector products, einsums of fixed subscripts (the first operand conjugated or not)."""
BROADCAST = "0123456"
"""Stand-ins for the axes `...` covers (at most `MAX_RANK`), never user subscripts: they sort
before letters, where NumPy's implicit output puts them."""


@dataclass(frozen=True)
class Einsum:
    """A call `np.einsum(subscripts, *operands)`: each operand's subscripts (`...` replaced by
    `BROADCAST` stand-ins), the output's, and the order of the product's axes (the output's, then
    the summed subscripts in order of appearance)."""

    node: cst.Call
    inputs: tuple[str, ...]
    output: str
    operands: tuple[cst.BaseExpression, ...]
    conjugate_first: bool = False

    @property
    def order(self) -> str:
        summed = [s for s in dict.fromkeys("".join(self.inputs)) if s not in self.output]
        return self.output + "".join(summed)


def einsum_call(node: cst.BaseExpression, scope: KernelScope) -> Einsum | None:
    """The einsum `node` calls, its subscripts checked against its operands' ranks; None for another
    expression. A form kernels do not take is a located error."""
    name = scope.module.qualified_name(node.func) if isinstance(node, cst.Call) else None
    if not isinstance(node, cst.Call) or (name != "numpy.einsum" and name not in GUFUNCS) or (
            isinstance(node.func, cst.Name) and (node.func.value in scope.assigned or node.func.value in scope.params)):
        return None
    label = f"np.{name[6:]}()"
    keywords = [a for a in node.args if a.keyword is not None or a.star]
    if keywords:
        given = f"{keywords[0].keyword.value}=" if keywords[0].keyword is not None else "a starred argument"
        what = "operands" if name in GUFUNCS else "subscripts and operands"
        raise scope.module.error(keywords[0], f"{label} in a kernel takes its {what} only, not {given}: the "
                                 "contraction is one loop nest, in the operands' promoted dtype")
    if name in GUFUNCS:
        text, conjugate = GUFUNCS[name]
        operands = tuple(a.value for a in node.args)
        if len(operands) != 2:
            raise scope.module.error(node, f"{label} takes two arrays")
        inputs, output = _parse(text, [len(shape_of(o, scope)) for o in operands], node, scope, label)
        return Einsum(node, inputs, output, operands, conjugate)
    first = node.args[0].value if node.args else None
    if not isinstance(first, cst.SimpleString):
        raise scope.module.error(first or node, "np.einsum() in a kernel takes its subscripts as a string constant "
                                 "(`np.einsum('ij,jk->ik', A, B)`)")
    operands = tuple(a.value for a in node.args[1:])
    ranks = [len(shape_of(operand, scope)) for operand in operands]
    inputs, output = _parse(str(first.evaluated_value), ranks, first, scope)
    return Einsum(node, inputs, output, operands)


def _parse(text: str, ranks: Sequence[int], at: cst.CSTNode, scope: KernelScope, label: str = "np.einsum()"
           ) -> tuple[tuple[str, ...], str]:
    """The subscripts of each operand and of the output, `...` expanded for the operands' `ranks`,
    with NumPy's errors (located here, the string being constant)."""
    left, arrow, right = text.partition("->")
    for char in text.replace("->", "").replace("...", ""):
        if not (char.isascii() and char.isalpha()) and char != ",":
            raise scope.module.error(at, f"invalid subscript {char!r} in einstein sum subscripts string, subscripts "
                                     "must be letters (with ',' between operands, '->' before the output, '...')")
    terms = left.split(",")
    if len(terms) != len(ranks):
        fewer = "fewer" if len(ranks) < len(terms) else "more"
        raise scope.module.error(at, f"{fewer} operands provided to einstein sum function than specified in the "
                                 "subscripts string")
    inputs = tuple(_expand(term, rank, k, at, scope, label) for k, (term, rank) in enumerate(zip(terms, ranks)))
    width = max((rank - len(term.replace("...", "")) for term, rank in zip(terms, ranks) if "..." in term), default=0)
    if not arrow:
        counts = "".join(inputs)
        return inputs, _stand_ins(width) + "".join(sorted(s for s in set(counts) if s.isalpha()
                                                         and counts.count(s) == 1))
    if right.count("...") > 1:
        raise scope.module.error(at, "einstein sum subscripts string contains more than one ellipsis ('...') in the "
                                 "output")
    if width and "..." not in right:
        raise scope.module.error(at, "output has more dimensions than subscripts given in einstein sum, but no "
                                 "'...' ellipsis provided to broadcast the extra dimensions.")
    output = right.replace("...", _stand_ins(width))
    for s in output:
        if output.count(s) > 1:
            raise scope.module.error(at, f"einstein sum subscripts string includes output subscript {s!r} multiple "
                                     "times")
        if s not in "".join(inputs):
            raise scope.module.error(at, f"einstein sum subscripts string included output subscript {s!r} which "
                                     "never appeared in an input")
    return inputs, output


def _expand(term: str, rank: int, k: int, at: cst.CSTNode, scope: KernelScope, label: str) -> str:
    """One operand's subscripts with `...` replaced by stand-ins for the axes it covers, aligned at
    the right of all broadcast axes, as NumPy aligns them."""
    plain = term.replace("...", "")
    if term.count("...") > 1 or "." in plain or (len(plain) != rank if "..." not in term else len(plain) > rank):
        raise scope.module.error(at, f"operand {k} of {label} has {rank} dimensions, which its subscripts "
                                 f"{term!r} do not match")
    return term.replace("...", _stand_ins(rank - len(plain)))


def _stand_ins(count: int) -> str:
    """The stand-ins of the last `count` broadcast axes."""
    return BROADCAST[len(BROADCAST) - count:] if count else ""


def stacked_product(node: cst.BaseExpression, left: cst.BaseExpression, right: cst.BaseExpression,
                    scope: KernelScope) -> Einsum:
    """`A @ B` of stacks of matrices (`products.batched`) as the einsum NumPy's matmul is: the last
    two axes multiplied as matrices (a 1-D operand as a vector), the others broadcast."""
    ranks = [len(shape_of(left, scope)), len(shape_of(right, scope))]
    text = (f"{'...ij' if ranks[0] > 1 else 'j'},{'...jk' if ranks[1] > 1 else 'j'}->..."
            f"{'i' if ranks[0] > 1 else ''}{'k' if ranks[1] > 1 else ''}")
    inputs, output = _parse(text, ranks, node, scope)
    return Einsum(node, inputs, output, (left, right))  # type: ignore[arg-type]


def einsum_shape(node: cst.Call, scope: KernelScope) -> tuple[ir.Expr, ...]:
    """NumPy's shape of the result: each output subscript's length, from its operands."""
    call = einsum_call(node, scope)
    assert call is not None
    lengths: dict[str, tuple[ir.Expr, ...]] = {}
    for subscripts, operand in zip(call.inputs, call.operands):
        for s, n in zip(subscripts, shape_of(operand, scope)):
            lengths[s] = broadcast(lengths.get(s, ()), (n,))
    return tuple(lengths[s][0] for s in call.output)


def build_einsum(call: Einsum, views: Sequence[ir.Expr], span: Span) -> ir.Expr:
    """The value of the einsum over its operands' values (see the module): views, or for `@` of
    stacks of matrices any array values of the tier."""
    product = None if call.conjugate_first else _as_product(call, views, span)
    if product is not None:
        return product
    order = call.order
    factors: list[ir.Expr] = [_lined_up(view, subscripts, order, span) for view, subscripts in zip(views, call.inputs)]
    if call.conjugate_first:
        factors[0] = ir.Call("conj", (factors[0],), span)
    value = functools.reduce(lambda a, b: ir.Binary("*", a, b, span), factors)
    summed = tuple(range(len(call.output), len(order)))
    return ir.ArrayReduce("dot", value, summed, False, span) if summed else value


def _lined_up(view: ir.Expr, subscripts: str, order: str, span: Span) -> ir.Expr:
    """`view` with one axis per subscript of `order`: its own axis for a subscript it has (the
    others with that subscript walked along with it, a diagonal), a new axis for one it lacks. Another
    array value (a product of stacks of matrices, which repeats no subscript) is read through an
    index map (`ir.Remap`) that puts its axes there."""
    if not isinstance(view, ir.View):
        assert len(set(subscripts)) == len(subscripts), "only `@` of stacks lines up values that are no views"
        shape = dict(zip(subscripts, array_shape(view), strict=True))
        lengths = tuple(shape.get(s, ir.Const(1, span)) for s in order)
        return ir.Remap(view, lengths, tuple(ir.Position(order.index(s), span) for s in subscripts), span)
    axes: dict[str, list[ir.ViewAxis]] = {}
    for s, axis in zip(subscripts, view.axes, strict=True):
        axes.setdefault(s, []).append(axis)
    new = ir.ViewAxis(None, ir.Const(0, span), ir.Const(1, span))
    lined = tuple(dataclasses.replace(axes[s][0], diagonal=tuple(axes[s][1:])) if s in axes else new for s in order)
    return dataclasses.replace(view, axes=lined)


def _as_product(call: Einsum, views: Sequence[ir.Expr], span: Span) -> ir.Expr | None:
    """Two operands of rank 1 or 2 sharing the one subscript summed (none repeated), the output
    their other subscripts in some operand order: the matrix product of `frontend/products.py`
    (`'ij,jk->ik'` is `A @ B`, `'ij,kj->ik'` `A @ B.T`, `'jk,ij->ik'` `B @ A`); None otherwise."""
    operands = [view for view in views if isinstance(view, ir.View)]
    if len(operands) != 2 or len(views) != 2 or any(
            len(set(s)) != len(s) or not 1 <= len(s) <= 2 for s in call.inputs):
        return None
    summed = set(call.order) - set(call.output)
    if len(summed) != 1 or not all(summed <= set(s) for s in call.inputs):
        return None
    (k,) = summed
    for first, second in ((0, 1), (1, 0)):
        left, right = call.inputs[first], call.inputs[second]
        if left.replace(k, "") + right.replace(k, "") == call.output:
            a = operands[first] if left[-1] == k else dataclasses.replace(operands[first],
                                                                          axes=operands[first].axes[::-1])
            b = operands[second] if right[0] == k else dataclasses.replace(operands[second],
                                                                           axes=operands[second].axes[::-1])
            return build_product("matmul", a, b, (len(left), len(right)), span)
    return None


CALL_SHAPES.update(dict.fromkeys(("numpy.einsum", *GUFUNCS), einsum_shape))
