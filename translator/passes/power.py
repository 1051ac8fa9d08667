"""Lowering `**`: small constant integer exponents become multiplications, the rest calls.

`x ** 2` is then exactly what Python computes (one rounding); exponents 3 and 4 may differ from
`pow` in the last bit, in exchange for no call on the device. Integer powers with larger constant
exponents use the `ipow` helper (repeated squaring, wrapping like NumPy's integers).
"""

from __future__ import annotations

import dataclasses

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import PY_INT, type_of
from translator.ir.visit import Node, rewrite_body
from translator.passes.expr_types import cast

MULTIPLIED_OUT = range(0, 5)


def lower_power(kernel: ir.Kernel) -> ir.Kernel:
    return dataclasses.replace(kernel, body=rewrite_body(kernel.body, _lower))


def _lower(node: Node) -> Node:
    if not (isinstance(node, ir.Binary) and node.op == "**"):
        return node
    base, exponent, t = node.left, node.right, node.type
    assert t is not None
    constant = _integral(exponent.value) if isinstance(exponent, ir.Const) else None
    if constant is not None and constant in MULTIPLIED_OUT:
        return _multiply_out(base, constant, node.span)
    if t.is_int:
        return ir.Call("ipow", (base, exponent), node.span, t)
    return ir.Call("pow", (base, cast(exponent, t)), node.span, t)


def _integral(value: int | float | bool | complex) -> int | None:
    """The exponent as an int when it is one (a complex exponent after promotion: `z ** 2`)."""
    if isinstance(value, complex):
        value = value.real if value.imag == 0 else 0.5
    return int(value) if float(value).is_integer() else None


def _multiply_out(base: ir.Expr, n: int, span: Span) -> ir.Expr:
    """`b ** n` for 0 <= n <= 4 as the product `b * b * ... * b`; `b ** 0` is one of b's type."""
    if n == 0:
        return cast(ir.Const(1, span, PY_INT), type_of(base))
    result = base
    for _ in range(n - 1):
        result = ir.Binary("*", result, base, span, base.type)
    return result
