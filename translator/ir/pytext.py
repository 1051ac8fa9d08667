"""IR expressions of the arguments written back as Python (`u.shape[0] - 1`, `not 0 <= alpha`), for
messages, explanations and the header's comments."""

from __future__ import annotations

from translator.ir import nodes as ir

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "//": 2, "%": 2, "/": 2, "**": 4}
_LOGICAL = {"or": -3, "and": -2}
_COMPARE = 0
_NOT = -1
_NEGATE = 3


def python_text(expr: ir.Expr) -> str:
    """`expr` as the user would write it: casts dropped, parentheses only where Python needs them."""
    return _text(expr, _LOGICAL["or"])


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
        right_first = expr.op == "**"  # `a ** b ** c` is `a ** (b ** c)`
        text = f"{_text(expr.left, level + right_first)} {expr.op} {_text(expr.right, level + 1 - right_first)}"
        return f"({text})" if level < context else text
    if isinstance(expr, ir.Call) and expr.func in ("min", "max", "abs"):
        return f"{expr.func}({', '.join(_text(a, _LOGICAL['or']) for a in expr.args)})"
    return _condition(expr, context)


def _condition(expr: ir.Expr, context: int) -> str:
    """Comparisons, `and`/`or`/`not`, signs: the conditions of the checks of the inputs."""
    if isinstance(expr, ir.Compare):
        level, text = _COMPARE, f"{_text(expr.left, _COMPARE + 1)} {expr.op} {_text(expr.right, _COMPARE + 1)}"
    elif isinstance(expr, ir.Logical):
        level = _LOGICAL[expr.op]
        text = f"{_text(expr.left, level)} {expr.op} {_text(expr.right, level + 1)}"
    elif isinstance(expr, ir.Unary) and expr.op == "not":
        level, text = _NOT, f"not {_text(expr.operand, _NOT)}"
    elif isinstance(expr, ir.Unary) and expr.op in ("-", "+"):
        level, text = _NEGATE, f"{expr.op}{_text(expr.operand, _NEGATE)}"
    else:
        return f"<{type(expr).__name__.lower()}>"
    return f"({text})" if level < context else text
