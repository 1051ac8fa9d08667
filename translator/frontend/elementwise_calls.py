"""NumPy's elementwise functions and methods that are not plain ufuncs: `np.where(cond, a, b)`,
`np.clip(a, lo, hi)` and `a.clip(lo, hi)`, `a.astype(dtype)`, `a.conj()`, `np.round(a, decimals)`,
`np.angle(z, deg)`.

Each is built from nodes the rest of the pipeline knows (a select, `np.maximum`/`np.minimum`, a
cast, `conj`), so in an array statement it is one more elementwise operation of the array tier
(`frontend.array_statements` takes it; `passes.lower_arrays` makes the loops), and on scalars it is
the same expression. Importing this module registers the calls with the expression builder.
"""

from __future__ import annotations

import math

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, METHODS, build_expr, dtype_of
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir
from translator.ir.types import BOOL


INDICES_INSTEAD = ("use the condition as a mask (`y[x > 0] = 0.0`, `np.sum(x[x > 0])`) or the three-argument "
                   "np.where")
"""What to write instead of a call whose result has a data-dependent length (np.nonzero and its kin)."""


def _data_dependent(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.nonzero(x)`, `np.argwhere(x)`, `np.flatnonzero(x)`: indices whose number only the data
    knows, which a kernel's arrays (sized before the loops run) cannot hold."""
    name = scope.module.qualified_name(node.func)  # type: ignore[attr-defined]
    raise scope.module.error(node, f"{str(name).replace('numpy.', 'np.')}() returns indices, whose number is known "
                                   f"only at run time, which kernels cannot make: {INDICES_INSTEAD}")


def _where(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.where(cond, a, b)`: `a` where the condition's truth holds, else `b`, in NumPy's result
    type of `a` and `b` (Python numbers are weak: `np.where(x > 0, x, 0.0)` keeps float32)."""
    if len(args) != 3:
        raise scope.module.error(
            node, "np.where() in a kernel takes a condition and two values (`np.where(d > 0, d, 0.0)`); the "
            f"one-argument form returns indices, whose number is known only at run time: {INDICES_INSTEAD}")
    span = scope.module.span(node)
    cond, then, orelse = (build_expr(a, scope) for a in args)
    return ir.Select(ir.Cast(cond, span, BOOL), then, orelse, span, eager=True)


def _angle(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.angle(z)`, `np.angle(z, deg=True)`: NumPy's own definition, `np.arctan2(z.imag, z.real)`
    (of a real value the imaginary part is 0: the angle is 0 or pi), times `180 / pi` in degrees."""
    degrees = fold_constant(args[1], scope.module, scope.module.constants) if len(args) == 2 else False
    if len(args) not in (1, 2) or not isinstance(degrees, bool):
        raise scope.module.error(node, "np.angle() in a kernel takes a value and deg=True or False (a constant)")
    span = scope.module.span(node)
    z = build_expr(args[0], scope)
    angle = ir.Call("numpy.arctan2", (ir.Call("numpy.imag", (z,), span), ir.Call("numpy.real", (z,), span)), span)
    return ir.Binary("*", angle, ir.Const(180 / math.pi, span), span) if degrees else angle


def _clip(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.clip(a, lo, hi)`: `np.minimum(np.maximum(a, lo), hi)` as NumPy computes it (a NaN stays
    NaN); a bound of None is left out."""
    if len(args) != 3:
        raise scope.module.error(node, "np.clip() in a kernel takes an array and two bounds (`np.clip(a, 0, 255)`; "
                                       "None for no bound)")
    return _clipped(node, args[0], args[1], args[2], scope)


def _clip_method(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`a.clip(lo, hi)`, as `np.clip(a, lo, hi)`."""
    assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
    if len(args) != 2:
        raise scope.module.error(node, "a.clip() in a kernel takes two bounds (`a.clip(0.0, 1.0)`; None for no bound)")
    return _clipped(node, node.func.value, args[0], args[1], scope)


def _clipped(node: cst.CSTNode, value: cst.BaseExpression, lo: cst.BaseExpression, hi: cst.BaseExpression,
             scope: KernelScope) -> ir.Expr:
    span = scope.module.span(node)
    if _is_none(lo) and _is_none(hi):
        raise scope.module.error(node, "np.clip() needs at least one bound that is not None")
    result = build_expr(value, scope)
    if not _is_none(lo):
        result = ir.Call("numpy.maximum", (result, build_expr(lo, scope)), span)
    if not _is_none(hi):
        result = ir.Call("numpy.minimum", (result, build_expr(hi, scope)), span)
    return result


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _astype(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`a.astype(np.float32)`, `z.astype(x.dtype)`: each element converted as NumPy converts (C's
    conversion: floats to integers truncate toward zero; out of range is undefined in both)."""
    assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
    dtype = dtype_of(args[0], scope) if len(args) == 1 else None
    if dtype is None:
        raise scope.module.error(node, "a.astype() in a kernel takes one scalar type or an array's .dtype: "
                                       "np.float32, np.int64, f64, x.dtype, ...")
    return ir.converted(build_expr(node.func.value, scope), dtype, scope.module.span(node))


def _conj(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`z.conj()`: the complex conjugate (a real value is itself)."""
    assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
    if args:
        raise scope.module.error(node, "conj() takes no arguments")
    return ir.Call("conj", (build_expr(node.func.value, scope),), scope.module.span(node))


def _round(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.round(a, decimals=0)` (`np.around`, `a.round(decimals)`): typed by `expr_types` as NumPy
    rounds (half to even, scaled by a power of ten)."""
    assert isinstance(node, cst.Call)
    method = isinstance(node.func, cst.Attribute) and scope.module.qualified_name(node.func) is None
    value = node.func.value if method else (args[0] if args else None)  # type: ignore[attr-defined]
    rest = args if method else args[1:]
    keywords = [a.value for a in node.args if a.keyword is not None and a.keyword.value == "decimals"]
    if value is None or len(rest) + len(keywords) > 1 or len(keywords) != len(node.args) - len(args):
        raise scope.module.error(node, "np.round() in a kernel takes an array and decimals (`np.round(x, 2)`)")
    given = (rest + keywords)[0] if rest or keywords else None
    decimals = 0 if given is None else fold_constant(given, scope.module, scope.module.constants)
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise scope.module.error(given or node, "np.round(): decimals takes an integer constant in kernels")
    span = scope.module.span(node)
    return ir.Call("numpy.round", (build_expr(value, scope), ir.Const(decimals, span)), span)


CALLS.update({"numpy.where": _where, "numpy.clip": _clip, "numpy.round": _round, "numpy.around": _round,
              "numpy.angle": _angle})
CALLS.update(dict.fromkeys(("numpy.nonzero", "numpy.argwhere", "numpy.flatnonzero"), _data_dependent))
METHODS.update({"clip": _clip_method, "astype": _astype, "conj": _conj, "round": _round})
KEYWORDS_TAKEN.update(("numpy.round", "numpy.around", "a.round"))
