"""The checks of a kernel's inputs that its caller makes before the call (manifest `checks`).

An `assert` or an `if ...: raise E(...)` at the top of a kernel whose condition reads only scalar
arguments and array shapes (docs/language.md, "Checks of the inputs") is evaluated here, in Python,
on the call's own arguments, so it means exactly what it means in the Python function: the same
operators on the same values (a float compare, `//` by zero raising ZeroDivisionError), the same
exception and the same text (f-string fields formatted by `format`).

A check's `fails` and a message field's `value` are JSON values: a number or bool; `{"param": name}`,
a scalar argument as the caller passed it; `{"extent": [array, dim]}`; `{"tuple": [values]}` (an
array's whole shape, in messages); or `{"op": o, "args": [values]}` with `o` one of `OPS`. The
translator builds them with `value_json`, and they are compiled once, when the library loads, into
Python functions of the argument list (`compile_checks`), as `bounds.first_failing` compiles the
preconditions: a call costs the compares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .bounds import extent_text

ERRORS: dict[str, type[Exception]] = {
    "AssertionError": AssertionError, "ValueError": ValueError, "TypeError": TypeError,
    "IndexError": IndexError, "RuntimeError": RuntimeError,
}
"""The exceptions a check may raise (builtins: the Python function raises the very same class)."""

BINARY = ("+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "and", "or")
"""Operators written between their operands, with Python's meaning (`and`/`or` give an operand)."""
CALLS = ("min", "max", "abs", "int", "float", "bool")
"""Builtins applied to their operands."""
UNARY = {"not": "not ", "neg": "-", "pos": "+"}
OPS = (*BINARY, *CALLS, *UNARY, "if")
"""Every `op` of a value: `not`, `neg` (`-x`), `pos` (`+x`) take one operand, `if` three (`then
if cond else orelse`, written `[cond, then, orelse]`)."""
CONVERSIONS = ("r", "s", "a")


@dataclass(frozen=True)
class CheckSpec:
    """One check (manifest `checks` entry): raise `error` when `fails` is true, at Python `line`
    and column `col`; `message`: None for the exception without argument, else its parts, each a
    string or `{"value": value, "spec": str, "conversion": "r" | "s" | "a" | null}`."""

    line: int
    col: int
    error: str
    fails: object
    message: tuple[object, ...] | None

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "col": self.col, "error": self.error, "fails": self.fails,
                "message": None if self.message is None else list(self.message)}


def value_json(op: str, *args: object) -> dict[str, object]:
    """`{"op": op, "args": args}`, refusing an operator the runtime does not evaluate."""
    if op not in OPS:
        raise ValueError(f"internal error: {op!r} is not a check operator ({', '.join(OPS)})")
    return {"op": op, "args": list(args)}


class InputChecks:
    """A kernel's checks, compiled once: `first_failing` over the C arguments of the fast path (any
    exception counts as failing: the checked path then raises it), `failure` over a call's values."""

    def __init__(self, kernel: str, checks: Sequence[CheckSpec], positions: Mapping[str, int],
                 shape: Callable[[object], Sequence[int]], flat: Mapping[str, int]) -> None:
        self.kernel, self.checks = kernel, tuple(checks)
        self.tests = [_compiled(check.fails, positions, False, shape) for check in checks]
        self.fast = [_compiled(check.fails, flat, True, shape) for check in checks]
        self.messages = [None if c.message is None else _message(c.message, positions, shape) for c in checks]

    def any_fails(self, c_args: Sequence[object]) -> bool:
        """Whether some check fails (or raises) for the fast path's C arguments."""
        try:
            return any(test(c_args) for test in self.fast)
        except Exception:  # noqa: BLE001  # Python raises it at the check: the checked path does
            return True

    def failure(self, values: Sequence[object]) -> tuple[int, Exception] | None:
        """The line and the exception of the first check that fails for these arguments (its own
        evaluation's exception, as Python raises it there), or None."""
        for check, test, message in zip(self.checks, self.tests, self.messages):
            try:
                if not test(values):
                    continue
                error = ERRORS[check.error]
                return check.line, error() if message is None else error(message(values))
            except Exception as raised:  # noqa: BLE001  # evaluating the check raised: Python raises that
                return check.line, raised
        return None


def _compiled(value: object, positions: Mapping[str, int], flat: bool,
              shape: Callable[[object], Sequence[int]]) -> Callable[[Sequence[object]], object]:
    """`value` as a Python function of the argument list `v`."""
    return _function(f"lambda v: {_text(value, positions, flat)}", shape)


def _message(parts: Sequence[object], positions: Mapping[str, int],
             shape: Callable[[object], Sequence[int]]) -> Callable[[Sequence[object]], str]:
    """The message as a function of the arguments: each field converted (`repr`, `str`, `ascii`),
    then formatted with its spec, as an f-string does."""
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(repr(part))
            continue
        if not isinstance(part, dict) or part.get("conversion") not in (None, *CONVERSIONS):
            raise ValueError(f"malformed check message part in manifest: {part!r}")
        text = _text(part["value"], positions, False)
        conversion = {"r": "repr", "s": "str", "a": "ascii", None: ""}[part["conversion"]]
        pieces.append(f"format({conversion}({text}), {str(part.get('spec', ''))!r})")
    return _function(f"lambda v: ''.join(({', '.join(pieces)},))", shape)  # type: ignore[return-value]


def _function(source: str, shape: Callable[[object], Sequence[int]]) -> Callable[[Sequence[object]], object]:
    namespace: dict[str, object] = {"S": shape}
    code = compile(source, "<py2omp input checks>", "eval")
    return eval(code, namespace)  # type: ignore[no-any-return]  # noqa: S307  # our own text


def _text(value: object, positions: Mapping[str, int], flat: bool) -> str:
    """A value as a Python expression of the argument list `v` (`S` gives an array's shape; `flat`:
    the C arguments, where an array's extents follow its address)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"  # `np.inf` in a condition: JSON's Infinity
    if isinstance(value, (bool, int, float)):
        return repr(value)
    if not isinstance(value, dict):
        raise ValueError(f"malformed check value in manifest: {value!r}")
    if "param" in value:
        return f"v[{positions[value['param']]}]"
    if "extent" in value:
        return extent_text(value["extent"], positions, flat)
    if "tuple" in value:
        return "(" + "".join(f"{_text(v, positions, flat)}, " for v in value["tuple"]) + ")"
    op, args = value.get("op"), [_text(a, positions, flat) for a in value.get("args", ())]
    if op in BINARY and len(args) == 2:
        return f"({args[0]} {op} {args[1]})"
    if op in CALLS:
        return f"{op}({', '.join(args)})"
    if op in UNARY and len(args) == 1:
        return f"({UNARY[op]}{args[0]})"
    if op == "if" and len(args) == 3:
        return f"({args[1]} if {args[0]} else {args[2]})"
    raise ValueError(f"malformed check value in manifest: {value!r}")
