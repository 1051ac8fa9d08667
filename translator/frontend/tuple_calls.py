"""Calls that return a pair, unpacked by the caller: `q, r = divmod(a, b)`, `frac, whole =
math.modf(x)`, `m, e = np.frexp(x)` (and `np.divmod`, `np.modf`, `math.frexp`).

A kernel's values are numbers or arrays, not tuples, so before a statement is built each such call
becomes the tuple of its two parts, which the statement unpacks as it unpacks `a, b = b, a + b`
(numbers, or arrays the kernel makes at its top level or in a `prange`):

- `divmod(a, b)` and `np.divmod(a, b)` are `(a // b, a % b)`: Python's and NumPy's own definition
  (floor division, the remainder with the divisor's sign, for integers and floats).
- `modf(x)` is `(copysign(0 if isinf(x) else x - trunc(x), x), trunc(x))`: the fractional part
  keeps `x`'s sign (`modf(-3.5)` is `(-0.5, -3.0)`, `modf(-0.0)` `(-0.0, -0.0)`, `modf(inf)`
  `(0.0, inf)`), NaN gives NaN twice.
- `frexp(x)` is `(m, e)` with `x == m * 2**e` and `0.5 <= |m| < 1`, `(x, 0)` for zero, infinities and
  NaN. The exponent is `floor(log2|x|) + 1`, corrected by one where the logarithm rounded across a
  power of two (then `|m|` would be 1 or below 0.5), and `m` is `ldexp(x, -e)`, exact.

The parts are calls of their own (`math.modf.py2omp_fraction(x)`: an attribute of the function the
user named, so the module's imports resolve it), registered here with the expression builder. The
`math` forms take numbers and give Python numbers (`float`, and `int` for frexp's exponent); the
NumPy forms also take arrays, compute in `x`'s float type (float64 for integers: `x * 1.0`) and
give frexp's exponent as int32, as NumPy does.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

from translator.errors import Span
from translator.frontend.arrays import ELEMENTWISE_CALLS, shape_of
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, Builder, build_expr
from translator.ir import nodes as ir
from translator.ir.types import I32, PY_FLOAT, PY_INT

PARTS = {"modf": ("py2omp_fraction", "py2omp_integral"), "frexp": ("py2omp_mantissa", "py2omp_exponent")}
"""The attribute names of the two parts of each function that is not an operator pair."""
DIVMODS = ("builtins.divmod", "numpy.divmod")
_N = TypeVar("_N", bound=cst.CSTNode)


def wants_split(call: cst.Call, scope: KernelScope) -> bool:
    """Whether `call` calls a pair-returning function: the rewrite stage's rule."""
    return _pair_function(call, scope) is not None


def _pair_function(call: cst.Call, scope: KernelScope) -> str | None:
    """The qualified name of the pair-returning function `call` calls, else None."""
    name = scope.module.qualified_name(call.func) or ""
    module, _, function = name.rpartition(".")
    return name if name in DIVMODS or (module in ("math", "numpy") and function in PARTS) else None


def split(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """The tuple of the two parts of a call of a pair-returning function, else None."""
    name = _pair_function(updated, scope)
    if name is None:
        return None
    module, _, function = name.rpartition(".")
    args = [a.value for a in updated.args]
    wanted = 2 if name in DIVMODS else 1
    if len(args) != wanted or any(a.keyword is not None or a.star for a in updated.args):
        raise scope.module.error(original, f"{name.replace('builtins.', '').replace('numpy.', 'np.')}() takes {wanted} "
                                 f"positional argument{'s' * (wanted > 1)}")
    if module == "math" and shape_of(args[0], scope):
        raise scope.module.error(args[0], f"math.{function}() takes a number (Python raises TypeError for an array); "
                                 f"use np.{function}() for arrays")
    if name in DIVMODS:
        parts: list[cst.BaseExpression] = [cst.BinaryOperation(args[0], cst.FloorDivide(), args[1]),
                                           cst.BinaryOperation(args[0], cst.Modulo(), args[1])]
    else:
        parts = [cst.Call(cst.Attribute(updated.func, cst.Name(part)), [cst.Arg(args[0])]) for part in PARTS[function]]
    return _placed(cst.Tuple([cst.Element(p) for p in parts]), original, scope)


def _placed(node: _N, like: cst.CSTNode, scope: KernelScope) -> _N:
    """`node` and the nodes made for it, placed where `like` is (for errors)."""
    positions = scope.module.positions
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if current not in positions:
            positions[current] = positions[like]
            pending.extend(current.children)
    return node


def _float(x: ir.Expr, numpy: bool, span: Span) -> ir.Expr:
    """`x` in the float type the function computes in: NumPy's for `x` (float64 for integers), as
    `x * 1.0`, exact; a Python float for the math forms."""
    return ir.Binary("*", x, ir.Const(1.0, span), span) if numpy else ir.Cast(x, span, PY_FLOAT)


def _call(name: str, *args: ir.Expr) -> ir.Call:
    return ir.Call(f"numpy.{name}", args, args[0].span)


def _fraction(x: ir.Expr, span: Span) -> ir.Expr:
    inner = ir.Select(_call("isinf", x), ir.Const(0.0, span), ir.Binary("-", x, _call("trunc", x), span), span)
    return _call("copysign", inner, x)


def _exponent(x: ir.Expr, span: Span) -> ir.Expr:
    """`frexp`'s exponent of a finite non-zero `x`: `floor(log2|x|) + 1`, corrected by one either way."""
    first = ir.Binary("+", ir.Cast(_call("floor", _call("log2", _call("absolute", x))), span, I32),
                      ir.Const(1, span), span)
    scaled = _call("absolute", _call("ldexp", x, ir.Unary("-", first, span)))
    up = ir.Cast(ir.Compare(">=", scaled, ir.Const(1.0, span), span), span, I32)
    down = ir.Cast(ir.Compare("<", scaled, ir.Const(0.5, span), span), span, I32)
    return ir.Binary("-", ir.Binary("+", first, up, span), down, span)


def _regular(x: ir.Expr, span: Span) -> ir.Expr:
    """Whether `x` is finite and not zero (elsewhere frexp gives `(x, 0)`)."""
    return ir.Logical("and", _call("isfinite", x), ir.Compare("!=", x, ir.Const(0.0, span), span), span)


def _part(function: str, index: int, numpy: bool) -> Builder:
    """The expression builder of part `index` of `function` (`modf`, `frexp`)."""
    def build(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
        span = scope.module.span(node)
        x = _float(build_expr(args[0], scope), numpy, span)
        if function == "modf":
            value = _fraction(x, span) if index == 0 else _call("trunc", x)
            return value if numpy else ir.Cast(value, span, PY_FLOAT)
        safe = ir.Select(_regular(x, span), x, ir.Const(1.0, span), span)  # log2 of a finite non-zero number
        exponent = ir.Select(_regular(x, span), _exponent(safe, span), ir.Const(0, span), span)
        if index == 1:
            return ir.Cast(exponent, span, I32 if numpy else PY_INT)
        mantissa = ir.Select(_regular(x, span), _call("ldexp", x, ir.Unary("-", exponent, span)), x, span)
        return mantissa if numpy else ir.Cast(mantissa, span, PY_FLOAT)
    return build


for _function, _names in PARTS.items():
    for _module in ("math", "numpy"):
        for _index, _attribute in enumerate(_names):
            _qualified = f"{_module}.{_function}.{_attribute}"
            CALLS[_qualified] = _part(_function, _index, _module == "numpy")
            if _module == "numpy":
                ELEMENTWISE_CALLS.add(_qualified)  # of its argument's shape, in the array tier
