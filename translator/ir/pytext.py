"""Integer IR expressions written back as Python (`u.shape[0] - 1`), for messages and explanations."""

from __future__ import annotations

from translator.ir import nodes as ir

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "//": 2, "%": 2}


def python_text(expr: ir.Expr) -> str:
    """`expr` as the user would write it: casts dropped, parentheses only where Python needs them."""
    return _text(expr, 0)


def _text(expr: ir.Expr, context: int) -> str:
    if isinstance(expr, ir.Cast):
        return _text(expr.operand, context)
    if isinstance(expr, ir.Const):
        return repr(expr.value)
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Extent):
        return f"{expr.array}.shape[{expr.dim}]"
    if isinstance(expr, ir.Binary) and expr.op in _PRECEDENCE:
        level = _PRECEDENCE[expr.op]
        text = f"{_text(expr.left, level)} {expr.op} {_text(expr.right, level + 1)}"
        return f"({text})" if level < context else text
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        return f"{expr.func}({', '.join(_text(a, 0) for a in expr.args)})"
    return f"<{type(expr).__name__.lower()}>"
