"""Checks of a kernel's inputs: `assert cond, "message"` and `if cond: raise ValueError(...)`.

Public numerical code checks its arguments at the top of a function (`assert A.shape[0] ==
A.shape[1], "A must be square"`). Such a check whose condition reads only scalar parameters, array
shapes (`A.shape[k]`, `A.shape`, `len(x)`, `x.ndim`, `x.size`), constants, top-level locals bound
once to those (`m, n = A.shape`) and arithmetic, comparisons, `and`/`or`/`not` is an `ir.InputCheck`:
the caller evaluates it before the call, in source order with the length checks, and raises the same
exception with the same text (`runtime_shim.checks`); the C never sees it. It must be at the
kernel's top level (a check in a loop or branch may not run in Python) and before any `return`
and any check only the running kernel makes (`passes.input_checks` refuses the others: the caller
would raise it first). A check that reads array elements or values the kernel computes is refused
with what to write instead: the kernel's C cannot stop the caller's Python at the right statement.
"""

from __future__ import annotations

import ast
import builtins
import functools

import libcst as cst

from runtime_shim.checks import ERRORS
from translator.errors import TranslationError
from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_type, build_expr, shape_extents
from translator.ir import nodes as ir
from translator.ir.pytext import python_text
from translator.ir.visit import children, rewrite, walk

RULE = ("a check of the inputs may read only scalar parameters, array shapes (`A.shape[0]`, `A.shape`, "
        "`len(x)`, `x.ndim`, `x.size`), constants and locals bound once to those; check array values "
        "before calling the kernel")
PLACE = ("is checked by the caller before the kernel runs, so it must be at the kernel's top level (not in "
         "a loop, a branch or a helper function); move it to the top of the kernel")
MESSAGE = ("a check's message must be a string or an f-string of scalar parameters and shapes "
           "(`f\"shapes {A.shape} and {x.shape} differ\"`)")
Value = ir.Expr | tuple[ir.Expr, ...]


def assert_check(node: cst.Assert, scope: KernelScope) -> list[ir.Stmt]:
    """`assert cond[, message]`: AssertionError when `cond` is false (kept under `python -O`)."""
    _placed(node, "`assert`", scope)
    fails = ir.Unary("not", _condition(node.test, scope), scope.module.span(node))
    message = None if node.msg is None else _message(node.msg, scope)
    _add(ir.InputCheck(fails, "AssertionError", message, scope.module.span(node)), scope)
    return []


def _add(check: ir.InputCheck, scope: KernelScope) -> None:
    """Record `check`, unless it reads no argument and holds (`assert x.ndim == 1`: the rank is the
    annotation's), which leaves nothing to check."""
    if not any(isinstance(n, (ir.Name, ir.Extent)) for n in walk(check.fails)):
        constants = {"__builtins__": {name: getattr(builtins, name) for name in _CALLS}}
        try:
            if not eval(compile(python_text(check.fails), "<check>", "eval"), constants):  # noqa: S307  # constants only
                return
        except ArithmeticError:  # `1 // 0`: Python raises it at the check, and so does the caller
            pass
    scope.input_checks.append(check)


def is_raise_check(node: cst.If) -> bool:
    """`if cond: raise ...` (and `elif cond: raise ...` after it), with no `else`: each branch one `raise`."""
    while True:
        body = node.body.body
        statement = body[0] if len(body) == 1 else None
        if isinstance(statement, cst.SimpleStatementLine):
            statement = statement.body[0] if len(statement.body) == 1 else None
        if not isinstance(statement, cst.Raise):
            return False
        if node.orelse is None:
            return True
        if not isinstance(node.orelse, cst.If):
            return False
        node = node.orelse


def raise_checks(node: cst.If, scope: KernelScope) -> list[ir.Stmt]:
    """Each test of the chain and its `raise`, one check after the other (a test is reached only
    when those before it are false, which is where the check after them is evaluated)."""
    _placed(node, "`if ...: raise`", scope)
    branch: cst.If | None = node
    while branch is not None:
        raised = _raise_of(branch)
        error, message = _exception(raised, scope)
        fails = _condition(branch.test, scope)
        _add(ir.InputCheck(fails, error, message, scope.module.span(branch)), scope)
        branch = branch.orelse if isinstance(branch.orelse, cst.If) else None
    return []


def _raise_of(node: cst.If) -> cst.Raise:
    body = node.body.body[0]
    raised = body.body[0] if isinstance(body, cst.SimpleStatementLine) else body
    assert isinstance(raised, cst.Raise)  # is_raise_check
    return raised


def _placed(node: cst.CSTNode, what: str, scope: KernelScope) -> None:
    """At the kernel's top level, and in the kernel's own lines: the caller orders the checks by
    line, which a helper's statement unfolded into the kernel (`frontend.unfold`) does not follow."""
    line = scope.module.span(node).line
    if scope.depth or not scope.lifting or scope.in_prange or not scope.lines[0] <= line <= scope.lines[1]:
        raise scope.module.error(node, f"{what} {PLACE}")


def _exception(node: cst.Raise, scope: KernelScope) -> tuple[str, tuple[str | ir.Formatted, ...] | None]:
    """The builtin exception a `raise` names and its message (None: no argument)."""
    if node.cause is not None:
        raise scope.module.error(node.cause, "`raise ... from ...` is not supported in kernels; leave out `from`")
    call = node.exc
    name = call.func if isinstance(call, cst.Call) else call
    supported = ", ".join(ERRORS)
    if not isinstance(name, cst.Name) or name.value not in ERRORS or name.value in scope.module.aliases:
        raise scope.module.error(node if call is None else call,
                                 f"a check raises one of the builtin exceptions {supported}")
    if not isinstance(call, cst.Call) or not call.args:
        return name.value, None
    if len(call.args) > 1 or call.args[0].keyword is not None or call.args[0].star:
        raise scope.module.error(call, f"a check's exception takes one argument, its message; {MESSAGE}")
    return name.value, _message(call.args[0].value, scope)


def _message(node: cst.BaseExpression, scope: KernelScope) -> tuple[str | ir.Formatted, ...]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        text = node.evaluated_value
        if isinstance(text, str):
            return (text,)
    if isinstance(node, cst.FormattedString):
        return tuple(_part(part, node, scope) for part in node.parts)
    raise scope.module.error(node, MESSAGE)


def _part(part: cst.BaseFormattedStringContent, string: cst.FormattedString, scope: KernelScope) -> str | ir.Formatted:
    """A literal piece (escapes and doubled braces read as Python reads them) or a field."""
    if isinstance(part, cst.FormattedStringText):
        raw = "r" if "r" in string.prefix.lower() else ""
        text = ast.literal_eval(f"{raw}{string.start[len(string.prefix):]}{part.value}{string.end}")
        return str(text).replace("{{", "{").replace("}}", "}")
    assert isinstance(part, cst.FormattedStringExpression)
    if part.equal is not None:
        raise scope.module.error(part, "`{x=}` is not supported in a check's message; write `x={x}`")
    spec = part.format_spec or ()
    if not all(isinstance(s, cst.FormattedStringText) for s in spec):
        raise scope.module.error(part, "a field's format spec in a check's message must be constant (`{x:.3f}`)")
    return ir.Formatted(_value(part.expression, scope), "".join(s.value for s in spec),  # type: ignore[attr-defined]
                        part.conversion, scope.module.span(part))


def _condition(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    """A condition whose `A.shape` comparisons are spelled out extent by extent."""
    span = scope.module.span(node)
    if isinstance(node, cst.BooleanOperation):
        op = "and" if isinstance(node.operator, cst.And) else "or"
        return ir.Logical(op, _condition(node.left, scope), _condition(node.right, scope), span)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return ir.Unary("not", _condition(node.expression, scope), span)
    if isinstance(node, cst.Comparison):
        return _comparison(node, scope)
    value = _value(node, scope)
    if isinstance(value, tuple):
        raise scope.module.error(node, "a shape is not a condition; compare it (`A.shape == B.shape`)")
    return value


def _comparison(node: cst.Comparison, scope: KernelScope) -> ir.Expr:
    """`a < b < c` is `a < b and b < c`; shapes compare as Python's tuples do with `==` and `!=`."""
    span = scope.module.span(node)
    left = _value(node.left, scope)
    result: ir.Expr | None = None
    for target in node.comparisons:
        op = _COMPARE.get(type(target.operator))
        right = _value(target.comparator, scope)
        if op is None:
            raise scope.module.error(target, "only < <= > >= == != compare in a check of the inputs")
        if isinstance(left, tuple) or isinstance(right, tuple):
            compare = _tuples(op, left, right, target, scope)
        else:
            compare = ir.Compare(op, left, right, span)
        result = compare if result is None else ir.Logical("and", result, compare, span)
        left = right
    assert result is not None
    return result


_COMPARE: dict[type, str] = {cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">",
                             cst.GreaterThanEqual: ">=", cst.Equal: "==", cst.NotEqual: "!="}


def _tuples(op: str, left: Value, right: Value, node: cst.CSTNode, scope: KernelScope) -> ir.Expr:
    """`A.shape == B.shape`: equal lengths and equal items (a shape of another rank: False)."""
    if not (isinstance(left, tuple) and isinstance(right, tuple)) or op not in ("==", "!="):
        raise scope.module.error(node, "a shape compares only with `==` or `!=` to another shape or a tuple")
    span = scope.module.span(node)
    if len(left) != len(right):
        return ir.Const(op == "!=", span)
    items: list[ir.Expr] = [ir.Compare(op, a, b, span) for a, b in zip(left, right)]
    if not items:
        return ir.Const(op == "==", span)
    return functools.reduce(lambda a, b: ir.Logical("and" if op == "==" else "or", a, b, span), items)


def _value(node: cst.BaseExpression, scope: KernelScope) -> Value:
    """A value of the inputs: an array's whole shape (a tuple of extents), a tuple, or an expression."""
    if isinstance(node, cst.Attribute) and node.attr.value == "shape" and isinstance(node.value, cst.Name) \
            and array_type(node.value.value, scope) is not None:
        return tuple(shape_extents(node, _rank(node.value.value, scope), scope))
    if isinstance(node, cst.Tuple):
        return tuple(_scalar(e.value, scope) for e in node.elements)
    return _of_inputs(build_expr(node, scope), scope)


def _scalar(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    value = _value(node, scope)
    if isinstance(value, tuple):
        raise scope.module.error(node, "a shape inside a tuple is not supported in a check of the inputs")
    return value


def _rank(name: str, scope: KernelScope) -> int:
    kind = array_type(name, scope)
    assert kind is not None
    return kind.rank


_PLAIN = (ir.Const, ir.Unary, ir.Binary, ir.Compare, ir.Logical, ir.Select)
_CALLS = ("min", "max", "abs")


def _of_inputs(expr: ir.Expr, scope: KernelScope) -> ir.Expr:
    """`expr` with top-level locals bound once replaced by their values, or a located error naming
    what it reads that the caller does not know."""
    _readable(expr, scope)

    def substituted(node: object) -> object:
        if isinstance(node, ir.Name) and node.id not in scope.params:
            return _of_inputs(scope.top_values[node.id], scope)
        return node
    return rewrite(expr, substituted)


def _readable(expr: ir.Expr, scope: KernelScope) -> None:
    """Whether the caller can evaluate `expr` before the call (else a located error saying why)."""
    if isinstance(expr, ir.Extent):
        param = scope.params.get(expr.array)
        if param is None or param.allocation is not None:
            raise TranslationError.at(expr.span, f"this check reads the shape of '{expr.array}', an array the kernel "
                                                 f"makes; {RULE}")
    elif isinstance(expr, ir.Name):
        _known(expr, scope)
    elif isinstance(expr, (ir.Index, ir.View, ir.ArrayReduce, ir.Gather, ir.ArrayArg)):
        raise TranslationError.at(expr.span, f"this check reads the values of an array; {RULE}")
    elif not (isinstance(expr, ir.Call) and expr.func in _CALLS or _plain(expr)):
        raise TranslationError.at(expr.span, f"this check computes something the caller cannot before the call; {RULE}")
    for child in children(expr):
        _readable(child, scope)  # type: ignore[arg-type]  # the operands of the nodes above are expressions


def _plain(expr: ir.Expr) -> bool:
    """Arithmetic, comparisons and logic of Python numbers; conversions but `int()` of a float."""
    if isinstance(expr, ir.Cast):
        return not expr.python_int and expr.type is not None and not expr.type.is_complex
    return isinstance(expr, _PLAIN) and not (isinstance(expr, ir.Const) and isinstance(expr.value, complex))


def _known(name: ir.Name, scope: KernelScope) -> None:
    """A scalar parameter (kernels never assign one), or a top-level local bound once so far."""
    param = scope.params.get(name.id)
    if param is not None and not param.is_array:
        return
    if name.id in scope.top_values and scope.facts.bindings.get(name.id) == 1:
        return
    raise TranslationError.at(name.span, f"this check reads '{name.id}', a value the kernel computes; {RULE}")
