"""Typed IR expressions to C expression text.

Typing has already made every conversion an explicit `Cast` and lowered `**`, so each node maps
to one C construct; what is left here is Python's meaning where C differs (flooring `//` and `%`,
`min`/`max` with NaNs, wrap-around of narrow integers) and readable text: parentheses come from C
precedence, plus a few more where C's rules are easy to misread (`a & b == c`). Constants are
spelled so that their C value equals the NumPy value bit for bit.
"""

from __future__ import annotations

import contextlib
import math
import struct
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from translator.backend.helpers import COMPLEX_HELPERS, HelperSet
from translator.backend.names import NameTable, extent_name
from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.arrays import at_levels
from translator.ir.types import Kind, ScalarType, real_value, type_of
from translator.ir.visit import EXPR_CLASSES, Visitor, walk

_PRIMARY = 16
_UNARY = 15
_PREC = {
    "*": 13, "/": 13, "%": 13, "+": 12, "-": 12, "<<": 11, ">>": 11,
    "<": 10, "<=": 10, ">": 10, ">=": 10, "==": 9, "!=": 9, "&": 8, "^": 7, "|": 6, "&&": 5, "||": 4,
}
_ARITHMETIC = frozenset("+-*/%")
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
_LOGICAL = frozenset({"&&", "||"})
_UNARY_OPS = {"-": "-", "~": "~", "not": "!"}

MATH_FUNCTIONS = frozenset(
    "sqrt exp log log2 log10 sin cos tan asin acos atan atan2 sinh cosh tanh erf floor ceil trunc "
    "fmod pow hypot fabs expm1 log1p copysign cbrt rint exp2 asinh acosh atanh fmax fmin nextafter ldexp".split()
)
"""C math functions called by name (`sqrtf` for float32)."""

_CLASSIFY = frozenset({"isnan", "isinf", "isfinite"})


class Frag(NamedTuple):
    """C text with the precedence of its outermost operator (and the operator, for chains)."""

    text: str
    prec: int
    op: str | None = None


def atom(text: str) -> Frag:
    """A name, call or other primary expression: never needs parentheses."""
    return Frag(text, _PRIMARY)


def _paren(frag: Frag) -> str:
    return f"({frag.text})"


def operand(parent: str, child: Frag, left: bool) -> str:
    """`child` as an operand of binary `parent`, parenthesized where C or a reader needs it."""
    prec = _PREC[parent]
    if parent in _ARITHMETIC:
        bare = child.prec > prec or (child.prec == prec and left)
    elif parent in _COMPARISONS:  # arithmetic and shifts read naturally, nothing else does
        bare = child.prec >= _PREC["<<"]
    elif parent in _LOGICAL:
        bare = child.prec >= _PREC["=="] or (left and child.op == parent)
    else:  # bitwise and shifts: only atoms, or a left chain of the same associative operator
        bare = child.prec >= _UNARY or (left and child.op == parent and parent not in ("<<", ">>"))
    return child.text if bare else _paren(child)


def infix(op: str, left: Frag, right: Frag) -> Frag:
    """`left op right` with the parentheses `operand` asks for."""
    text = f"{operand(op, left, True)} {op} {operand(op, right, False)}"
    return Frag(text, _PREC[op], op)


def cast(ctype: str, value: Frag) -> Frag:
    """`(T)x`, or `(T)(x + y)`: only atoms go without parentheses, for legibility."""
    inner = value.text if value.prec == _PRIMARY else _paren(value)
    return Frag(f"({ctype}){inner}", _UNARY)


def _narrow(t: ScalarType) -> bool:
    """Integers narrower than `int`, which C promotes, so results must be cast back to wrap."""
    return t.is_int and t.bits < 32


def _literal_only(expr: ir.Expr) -> bool:
    """Built of constants alone: C then computes in `int`, whatever the IR type."""
    return all(isinstance(n, (ir.Const, ir.Unary, ir.Binary)) for n in walk(expr))


def _wider_than_literal(t: ScalarType) -> bool:
    """Integer types that a small decimal literal (`int` in C) does not have."""
    return t.is_int and t.bits >= 32 and t.c_name != "int32_t"


def const(value: int | float | bool | complex, t: ScalarType) -> Frag:
    """A constant of type `t`, spelled so that C gives it NumPy's value."""
    if t.is_bool:
        return Frag("true" if value else "false", _PRIMARY)
    if t.is_complex:
        z = complex(value)
        parts = (_float_const(z.real, t.component).text, _float_const(z.imag, t.component).text)
        return Frag(f"__builtin_complex({parts[0]}, {parts[1]})", _PRIMARY)
    if t.is_int:
        return _int_const(int(real_value(value)), t)
    return _float_const(float(real_value(value)), t)


def _int_const(value: int, t: ScalarType) -> Frag:
    if t.kind is Kind.INT and t.bits >= 32 and value == -(2 ** (t.bits - 1)):
        # `-2147483648` would negate a wider literal (and `-9223372036854775808` has no C type).
        return Frag(f"({value + 1} - 1)", _PRIMARY)
    beyond_signed = t.kind is Kind.UINT and t.bits >= 32 and value >= 2 ** (t.bits - 1)
    suffix = "u" if beyond_signed else ""  # else C would give it a signed (or no) type
    return Frag(f"{value}{suffix}", _UNARY if value < 0 else _PRIMARY)


def _float_const(value: float, t: ScalarType) -> Frag:
    """Shortest round-trip digits; float32 gets `f` only where that is exact, else a cast."""
    negative = math.copysign(1.0, value) < 0
    magnitude = abs(value)
    if math.isnan(value):
        text = "NAN"
    elif math.isinf(value) or (t.bits == 32 and not _fits_float32(magnitude)):
        text = "INFINITY"
    else:
        text = _float_digits(magnitude)
        if t.bits == 32:
            text = text + "f" if _exact_float32(magnitude) else f"(float){text}"
    return Frag("-" + text, _UNARY) if negative else Frag(text, _PRIMARY)


def _float_digits(value: float) -> str:
    text = repr(value)
    return text if any(c in text for c in ".e") else text + ".0"


def _fits_float32(value: float) -> bool:
    """False where NumPy's conversion to float32 overflows to infinity (C leaves it undefined)."""
    try:
        struct.pack("<f", value)
    except OverflowError:
        return False
    return True


def _exact_float32(value: float) -> bool:
    return bool(struct.unpack("<f", struct.pack("<f", value))[0] == value)


class ExprEmitter(Visitor[[], Frag]):
    """Emits the expressions of one kernel, a `visit_<Class>` per expression class; records the
    helpers they call in `helpers`."""

    node_classes = EXPR_CLASSES

    def __init__(self, names: NameTable, helpers: HelperSet, shapes: Mapping[str, tuple[int, ...]],
                 ranks: Mapping[str, int] | None = None) -> None:
        self.names = names
        self.helpers = helpers
        self.shapes = shapes  # local arrays (Python names): their extents are constants
        self.ranks = ranks or {}  # array parameters' ranks, for array arguments
        self.element: tuple[tuple[str, ...], Frag] | None = None  # `elements_at`

    @contextlib.contextmanager
    def elements_at(self, names: tuple[str, ...], number: Frag) -> Iterator[None]:
        """Within: an element indexed at exactly the variables `names` (a flat nest's) is the one at
        `number` in its array's storage (`passes.flat_nests` checked that they coincide)."""
        saved, self.element = self.element, (names, number)
        try:
            yield
        finally:
            self.element = saved

    def __call__(self, expr: ir.Expr) -> str:
        """The C text of `expr`, for a context that needs no parentheses (a statement, an index)."""
        return self.frag(expr).text

    def frag(self, expr: ir.Expr) -> Frag:
        """The C text of `expr` with its precedence, for embedding in a larger expression."""
        return self.visit(expr)

    def visit_Const(self, e: ir.Const) -> Frag:
        return const(e.value, type_of(e))

    def visit_Name(self, e: ir.Name) -> Frag:
        return atom(self.names[e.id])

    def visit_Extent(self, e: ir.Extent) -> Frag:
        return atom(extent_name(self.names[e.array], e.dim))

    def visit_Index(self, e: ir.Index) -> Frag:
        """Row-major flat index: `a[(i * a_n1 + j) * a_n2 + k]`."""
        array = self.names[e.array]
        if self.element is not None and at_levels(e, self.element[0]):
            return atom(f"{array}[{self.element[1].text}]")
        shape = self.shapes.get(e.array)
        flat = self.frag(e.indices[0])
        for dim, index in enumerate(e.indices[1:], start=1):
            extent = str(shape[dim]) if shape is not None else extent_name(array, dim)
            scaled = infix("*", flat, atom(extent))
            flat = infix("+", scaled, self.frag(index))
        return atom(f"{array}[{flat.text}]")

    def visit_Unary(self, e: ir.Unary) -> Frag:
        t = type_of(e)
        value = self.frag(e.operand)
        if e.op == "+":
            return value
        op = "!" if e.op == "~" and t.is_bool else _UNARY_OPS[e.op]
        clash = op == "-" and value.text.startswith("-")  # `--x` would be a decrement
        inner = _paren(value) if value.prec < _UNARY or clash else value.text
        result = Frag(f"{op}{inner}", _UNARY)
        return cast(t.c_name, result) if _narrow(t) else result

    def visit_Binary(self, e: ir.Binary) -> Frag:
        t = type_of(e)
        if e.op in ("//", "%"):
            return self._call_helper("floordiv" if e.op == "//" else "mod", t, (e.left, e.right))
        if e.op == "/" and t.is_complex:
            return self._call_helper("cdiv", t, (e.left, e.right))
        left, right = self.frag(e.left), self.frag(e.right)
        shift = e.op in ("<<", ">>")
        if _wider_than_literal(t) and _literal_only(e.left) and (shift or _literal_only(e.right)):
            left = cast(t.c_name, left)
        result = infix(e.op, left, right)
        return cast(t.c_name, result) if _narrow(t) else result

    def visit_Compare(self, e: ir.Compare) -> Frag:
        return infix(e.op, self.frag(e.left), self.frag(e.right))

    def visit_Logical(self, e: ir.Logical) -> Frag:
        return infix("&&" if e.op == "and" else "||", self.frag(e.left), self.frag(e.right))

    def visit_Select(self, e: ir.Select) -> Frag:
        return atom(f"({self(e.cond)} ? {self(e.then)} : {self(e.orelse)})")

    def visit_Cast(self, e: ir.Cast) -> Frag:
        return cast(type_of(e).c_name, self.frag(e.operand))

    def visit_Call(self, e: ir.Call) -> Frag:
        t = type_of(e)
        operand = e.args[0].type if e.args else None
        if operand is not None and operand.is_complex:
            return self._complex_call(e, operand)
        if e.func == "complex":
            return self._call_named("__builtin_complex", e.args)
        if e.func == "abs":
            return self._abs(e, t)
        if e.func in ("min", "max", "ipow", "gcd", "lcm"):
            return self._call_helper(e.func, t, e.args)
        if e.func in ("wrap_index", "failed_now", "trip_count", "team_threads"):
            return self._call_helper(e.func, None, e.args)
        if e.func in MATH_FUNCTIONS:
            return self._call_named(e.func + ("f" if t.bits == 32 else ""), e.args)
        if e.func in _CLASSIFY:
            return self._call_named(e.func, e.args)
        raise TranslationError.at(e.span, f"internal error: no C translation for intrinsic {e.func!r}")

    def visit_ArrayArg(self, e: ir.ArrayArg) -> Frag:
        """An array argument: its pointer and extents (a local array's are constants)."""
        array = self.names[e.array]
        shape = self.shapes.get(e.array)
        rank = len(shape) if shape is not None else self.ranks[e.array]
        extents = [str(shape[d]) if shape is not None else extent_name(array, d) for d in range(rank)]
        return Frag(", ".join([array, *extents]), _PRIMARY)

    def visit_CallFunction(self, e: ir.CallFunction) -> Frag:
        """A device function's specialization, by the symbol typing gave it."""
        if e.symbol is None:
            raise TranslationError.at(e.span, f"internal error: call of '{e.func}' reached the C backend unspecialized")
        return self._call_named(e.symbol, e.args)

    def _complex_call(self, e: ir.Call, operand: ScalarType) -> Frag:
        """`creal`, `cimag`, `conj` of `<complex.h>`; the functions as helpers (`py2omp_cexp_c128`):
        helpers.py says why."""
        parts = {"real": "creal", "imag": "cimag", "conj": "conj"}
        if e.func in parts:
            return self._call_named(parts[e.func] + ("f" if operand.bits == 64 else ""), e.args)
        if e.func not in COMPLEX_HELPERS:
            raise TranslationError.at(e.span, f"internal error: no complex C translation for {e.func!r}")
        return self._call_helper("c" + e.func, operand, e.args)

    def _abs(self, e: ir.Call, t: ScalarType) -> Frag:
        """`fabs` for floats, a helper for signed integers (`abs(INT_MIN)` wraps), identity else."""
        if t.is_float:
            return self._call_named("fabsf" if t.bits == 32 else "fabs", e.args)
        if t.kind is Kind.INT:
            return self._call_helper("abs", t, e.args)
        return self.frag(e.args[0])

    def _call_helper(self, family: str, t: ScalarType | None, args: tuple[ir.Expr, ...]) -> Frag:
        return self._call_named(self.helpers.use(family, t), args)

    def _call_named(self, func: str, args: tuple[ir.Expr, ...]) -> Frag:
        return atom(f"{func}({', '.join(self(a) for a in args)})")
