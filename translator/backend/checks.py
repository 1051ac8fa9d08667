"""The `<kernel>_check` function: the checks Python makes before a call, for C and Fortran callers.

A Python call checks its arguments before the kernel runs (`runtime_shim.library`): the checks of
the inputs (`ir.InputCheck`) and the lengths its accesses need (`ir.LengthCheck` with an array,
`passes.bounds`). The C entry point makes none of them (its ABI stays), and a C call with a wrong
length reads or writes outside an array; so the library also exports a function of the same
parameters (the status array aside) that makes them, in Python's order, and returns the message of
the first that fails, or NULL (docs/embedding.md).

One source of truth: each message is the header comment's text of its check (the same string of
the `KernelView`), and each condition is rendered from the same IR as that text and the manifest
(`_Renderer`, with Python's meaning over the C parameters; where it cannot be Python's,
docs/embedding.md says: integers wrap past 64 bits, under `-fwrapv`, and a zero divisor gives
NumPy's result where Python raises).

Python raises the check that fails first in the source (`runtime_shim.library` takes the earliest
line among the first failing check of the inputs, the first failing length check and the first
failing precondition, in that order on a tie), so the function tests them sorted by line, the groups
in that order on a tie: each group is in source order already (`frontend.input_checks` appends in
order, `passes.bounds` walks the body in order; tests/test_c_checks.py checks it), so the merge
keeps each group's first failing check first.
"""

from __future__ import annotations

from collections.abc import Callable

from translator.backend.c_expr import ExprEmitter, const
from translator.backend.names import extent_name
from translator.backend.view import CheckFunctionView, CheckView, Loc, ParamView
from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.types import F64, I64, ScalarType

CHECK_RETURNS = "const char *"

REFUSED = "1"
"""The condition of a check with no C form: it fails always, the function refuses what it cannot check."""
NO_C = " [py2omp cannot make this check in C: every call is refused]"

LENGTH_ERRORS = {"broadcast": "ValueError", "mask": "IndexError", "gather": "IndexError"}
"""The exception Python raises where two lengths differ, per `ir.LengthCheck.kind`
(`runtime_shim.movement`)."""


def check_symbol(symbol: str) -> str:
    """The exported name of the checks of the kernel exported as `symbol`."""
    return f"{symbol}_check"


def refuse_clashes(module: ir.Module, symbols: dict[str, str], checked: set[str]) -> None:
    """A located error where a kernel's check function (`checked`: the symbols of the kernels that have
    one) would take the exported name of another kernel (`scale` and `scale_check` in one file)."""
    exported = {symbol: name for name, symbol in symbols.items()}
    for kernel in module.kernels:
        other = exported.get(check_symbol(symbols[kernel.name]))
        if symbols[kernel.name] in checked and other is not None:
            raise TranslationError.at(kernel.span, (
                f"the library exports '{check_symbol(symbols[kernel.name])}', the checks of '{kernel.name}' "
                f"(docs/embedding.md), and kernel '{other}' has that name too; rename '{other}'"))


def check_function(kernel: ir.Kernel, symbol: str, params: tuple[ParamView, ...], expr: ExprEmitter,
                   texts: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], locate: Callable[[Span], Loc],
                   literal: Callable[[str], str]) -> CheckFunctionView | None:
    """The view of `kernel`'s check function (None: Python checks nothing before the call).

    `texts`: the header's texts of the checks of the inputs, of the length checks (`length_checks`)
    and of the preconditions, in the IR's order;
    `locate` gives a `#line` location, `literal` a C string literal."""
    inputs, lengths, preconditions = texts
    needs = [c for c in kernel.length_checks if c.array is not None]
    render = _Renderer(kernel, expr)
    found = [(c.span, 0, _input_fails(render, c), text) for c, text in zip(kernel.input_checks, inputs, strict=True)]
    found += [(c.span, 1, _length_fails(render, c), text) for c, text in zip(length_checks(kernel), lengths, strict=True)]
    found += [(c.span, 2, _need_fails(render, c), f"IndexError: {text}") for c, text in zip(needs, preconditions, strict=True)]
    if not found:
        return None
    ordered = sorted(found, key=lambda f: (f[0].line, f[1]))  # stable: a group keeps its own order
    return CheckFunctionView(
        name=check_symbol(symbol),
        ret=CHECK_RETURNS,
        params=tuple(ParamView(p.name, p.ctype, p.is_array, p.is_array, p.extents) for p in params
                     if p.name != ir.STATUS),
        loc=locate(kernel.span),
        checks=tuple(CheckView(locate(span), fails, literal(message if fails != REFUSED else message + NO_C))
                     for span, _, fails, message in ordered),
    )


class _NoC(Exception):
    """A check's condition has no C form here (a complex argument): its function refuses every call."""


class _Renderer:
    """A check's IR (untyped: the caller evaluates it, `runtime_shim.checks`) as C with Python's
    meaning. Each value is `(text, kind)`, kind "i" (int64_t), "f" (double) or "b" (bool); `+ - *` of
    integers stay integers (wrapping), any float operand makes a float, `/` is a float; `//` and `%`
    floor as Python's do (the kernel's helpers; a zero divisor gives 0, where Python raises
    ZeroDivisionError); `min`/`max` keep Python's first-wins order."""

    def __init__(self, kernel: ir.Kernel, expr: ExprEmitter) -> None:
        self.expr = expr
        self.types = {p.name: p.type for p in kernel.params if isinstance(p.type, ScalarType)}

    def truth(self, value: ir.Expr | tuple[ir.Expr, ...]) -> str:
        """C text that is nonzero when Python's `bool(value)` is true (NaN is true, as in Python)."""
        text, kind = self.value(value)
        return text if kind == "b" else f"({text} != 0)"

    def value(self, e: ir.Expr | tuple[ir.Expr, ...]) -> tuple[str, str]:
        if isinstance(e, tuple):
            raise _NoC("a shape outside a comparison")
        if isinstance(e, ir.Const):
            return _constant(e.value)
        if isinstance(e, ir.Name):
            return self.expr.names[e.id], "c" if self.types[e.id].is_complex else _kind(self.types[e.id])
        if isinstance(e, ir.Extent):
            return extent_name(self.expr.names[e.array], e.dim), "i"
        if isinstance(e, ir.Unary):
            return self._unary(e.op, e.operand)
        if isinstance(e, ir.Binary):
            return self._binary(e.op, e.left, e.right)
        if isinstance(e, ir.Compare):
            return self._compare(e.op, e.left, e.right)
        if isinstance(e, ir.Logical):
            return f"({self.truth(e.left)} {'&&' if e.op == 'and' else '||'} {self.truth(e.right)})", "b"
        if isinstance(e, ir.Select):
            (then, a), (orelse, b) = self.value(e.then), self.value(e.orelse)
            kind = _join(a, b)
            return f"({self.truth(e.cond)} ? {_as(then, a, kind)} : {_as(orelse, b, kind)})", kind
        if isinstance(e, ir.Call):
            return self._call(e.func, e.args)
        if isinstance(e, ir.Cast) and e.type is not None:
            return self._call("bool" if e.type.is_bool else "int" if e.type.is_int else "float", (e.operand,))
        raise _NoC(type(e).__name__)

    def _unary(self, op: str, operand: ir.Expr) -> tuple[str, str]:
        if op == "not":
            return f"(!{self.truth(operand)})", "b"
        text, kind = self.value(operand)
        kind = "i" if kind == "b" else kind
        return (text, kind) if op == "+" else (f"(-{text})", kind)

    def _binary(self, op: str, left: ir.Expr, right: ir.Expr) -> tuple[str, str]:
        (a, ka), (b, kb) = self.value(left), self.value(right)
        kind = "f" if op == "/" else _join(_join(ka, kb), "i")
        a, b = _as(a, ka, kind), _as(b, kb, kind)
        if op in ("+", "-", "*", "/"):
            return f"({a} {op} {b})", kind
        if op in ("//", "%"):
            family = "floordiv" if op == "//" else "mod"
            return f"{self.expr.helpers.use(family, F64 if kind == 'f' else I64)}({a}, {b})", kind
        if op == "**" and kind == "i" and isinstance(right, ir.Const) and int(right.value) >= 0:  # type: ignore[arg-type]
            return f"{self.expr.helpers.use('ipow', I64)}({a}, {b})", "i"
        if op == "**":  # a float, or an integer to a power Python's result could be a float of
            return f"pow({_as(a, kind, 'f')}, {_as(b, kind, 'f')})", "f"
        raise _NoC(f"operator {op}")

    def _compare(self, op: str, left: ir.Expr | tuple[ir.Expr, ...], right: ir.Expr | tuple[ir.Expr, ...]) -> tuple[str, str]:
        if isinstance(left, tuple) or isinstance(right, tuple):
            return self._compare_shapes(op, left, right)
        (a, ka), (b, kb) = self.value(left), self.value(right)
        kind = _join(ka, kb)
        return f"({_as(a, ka, kind)} {op} {_as(b, kb, kind)})", "b"

    def _compare_shapes(self, op: str, left: object, right: object) -> tuple[str, str]:
        """`x.shape == y.shape`: equal lengths and elements (the ranks are the annotations')."""
        if op not in ("==", "!=") or not (isinstance(left, tuple) and isinstance(right, tuple)):
            raise _NoC(f"shapes compared with {op}")
        equal = " && ".join(self._compare("==", a, b)[0] for a, b in zip(left, right)) if len(left) == len(right) else "0"
        return (f"({equal or '1'})" if op == "==" else f"(!({equal or '1'}))"), "b"

    def _call(self, func: str, args: tuple[ir.Expr, ...]) -> tuple[str, str]:
        values = [self.value(a) for a in args]
        if func in ("min", "max") and values:
            text, kind = values[0]
            for other, k in values[1:]:  # Python keeps the first unless a later one is smaller (larger)
                joined = _join(kind, k)
                a, b = _as(text, kind, joined), _as(other, k, joined)
                text, kind = f"({b} {'<' if func == 'min' else '>'} {a} ? {b} : {a})", joined
            return text, kind
        if func == "abs" and len(values) == 1 and values[0][1] == "c":  # Python's abs of a complex: hypot
            return f"hypot(creal({values[0][0]}), cimag({values[0][0]}))", "f"
        if func == "abs" and len(values) == 1:
            text, kind = values[0][0], _join(values[0][1], "i")
            return (f"fabs({text})" if kind == "f" else f"({text} < 0 ? -{text} : {text})"), kind
        if func in ("int", "float", "bool") and len(values) == 1:
            text, kind = values[0]
            if func == "bool":
                return self.truth(args[0]), "b"
            return _as(text, kind, "i" if func == "int" else "f"), "i" if func == "int" else "f"
        raise _NoC(f"{func}()")


def _kind(t: ScalarType) -> str:
    return "b" if t.is_bool else "f" if t.is_float else "i"


def _join(a: str, b: str) -> str:
    """The kind of an operation on both: float if either is, else int (bool only with bool); a
    complex value has no C form here but in `abs`."""
    if "c" in (a, b):
        raise _NoC("a complex argument")
    return "f" if "f" in (a, b) else "b" if a == b == "b" else "i"


def _as(text: str, kind: str, to: str) -> str:
    """`text` converted to `to` (`(double)n`, `(int64_t)x` truncating, as Python's `int()`)."""
    if kind == to:
        return text
    if kind == "c":
        raise _NoC("a complex argument")
    return {"f": f"((double){text})", "i": f"((int64_t){text})", "b": f"({text} != 0)"}[to]


def _constant(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("1" if value else "0"), "b"
    if isinstance(value, int) and -2**63 < value < 2**63:
        return const(value, I64).text, "i"
    if isinstance(value, float):
        return const(value, F64).text, "f"
    raise _NoC(f"the constant {value!r}")


def length_checks(kernel: ir.Kernel) -> list[ir.LengthCheck]:
    """The lengths the kernel's array statements combine, which must be equal (`runtime_shim.movement.
    length_failure`); a reshape's size check is left out: NumPy's rule (a -1, the sizes) is the runtime's."""
    return [c for c in kernel.length_checks if c.array is None and c.reshape is None]


def _input_fails(render: _Renderer, check: ir.InputCheck) -> str:
    """The C condition under which Python raises the check; a condition with no C form fails always,
    so that the function refuses what it cannot check."""
    try:
        return _bare(render.truth(check.fails))
    except _NoC:
        return REFUSED


def _length_fails(render: _Renderer, check: ir.LengthCheck) -> str:
    """`a_n0 != b_n0`, each length below zero counted as zero (`length_failure`)."""
    left, right = (render.value(e)[0] for e in (check.left, check.right))
    left, right = (text if never_negative(e) else f"({text} > 0 ? {text} : 0)"
                   for text, e in ((left, check.left), (right, check.right)))
    return f"{left} != {right}"


def never_negative(expr: ir.Expr) -> bool:
    """An extent or a constant at least zero: a length that needs no `max(..., 0)`."""
    if isinstance(expr, ir.Cast):
        return never_negative(expr.operand)
    return isinstance(expr, ir.Extent) or (isinstance(expr, ir.Const) and expr.value >= 0)  # type: ignore[operator]


def _bare(text: str) -> str:
    """`text` without the parentheses around all of it, for an `if`."""
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and k < len(text) - 1:
            return text
    return text[1:-1] if text.startswith("(") else text


def _need_fails(render: _Renderer, check: ir.LengthCheck) -> str:
    """`y_n0 < x_n0 && x_n0 > 0`: when the access's precondition fails (`bounds.first_failing`)."""
    tests = [f"{render.value(check.left)[0]} < {render.value(check.right)[0]}"]
    tests += [f"{render.value(w)[0]} > 0" for w in check.when]
    return " && ".join(tests)
