"""The IR's types: NumPy scalar dtypes, C-contiguous arrays of them, and ownership of arrays.

Promotion follows NumPy 2 (NEP 50), because the reference for every kernel is its Python function
run on NumPy arrays: a Python `int` or `float` (a literal, an extent, a loop index, a parameter
annotated `int`/`float`) is *weak* and takes the other operand's type, so `x[i] * 2.0` stays
`float32` for a `float32` array, exactly as NumPy computes it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from runtime_shim.manifest import MAP_TYPES
from translator.errors import Span, TranslationError


class Kind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    UINT = "uint"
    FLOAT = "float"
    COMPLEX = "complex"


@dataclass(frozen=True)
class ScalarType:
    """A fixed-size scalar; `weak` marks values that are Python numbers in the reference run."""

    name: str
    kind: Kind
    bits: int
    c_name: str
    weak: bool = False

    def strong(self) -> "ScalarType":
        return SCALARS[self.name]

    def weakened(self) -> "ScalarType":
        return ScalarType(self.name, self.kind, self.bits, self.c_name, True)

    @property
    def is_int(self) -> bool:
        return self.kind in (Kind.INT, Kind.UINT)

    @property
    def is_float(self) -> bool:
        return self.kind is Kind.FLOAT

    @property
    def is_bool(self) -> bool:
        return self.kind is Kind.BOOL

    @property
    def is_complex(self) -> bool:
        return self.kind is Kind.COMPLEX

    @property
    def component(self) -> "ScalarType":
        """The float type of a complex type's real and imaginary parts."""
        return F32 if self.bits == 64 else F64

    @property
    def numpy_name(self) -> str:
        """The NumPy dtype name (`float32`, `int64`, `bool`), used by the manifest and the runtime."""
        return _NUMPY_NAMES[self.name]

    def __str__(self) -> str:
        return ("weak " if self.weak else "") + self.name


class Typed(Protocol):
    """An IR expression: its `type` is None until `passes.typing` has run, set ever after."""

    @property
    def type(self) -> ScalarType | None: ...

    @property
    def span(self) -> Span: ...


def type_of(expr: Typed) -> ScalarType:
    """The type typing gave `expr`, for the stages after it; a missing one is a bug in py2omp, reported
    at the expression."""
    if expr.type is None:
        raise TranslationError.at(expr.span, "internal error: expression used untyped after typing")
    return expr.type


def real_value(value: int | float | bool | complex) -> int | float:
    """The value of a constant of a real type: typing converts each constant to its type, so only a
    complex-typed one holds a complex value."""
    assert not isinstance(value, complex), f"complex constant {value} where a real one is typed"
    return value


def _scalar(name: str, kind: Kind, bits: int, c_name: str) -> ScalarType:
    return ScalarType(name, kind, bits, c_name)


BOOL = _scalar("bool", Kind.BOOL, 8, "bool")
I8 = _scalar("i8", Kind.INT, 8, "int8_t")
I16 = _scalar("i16", Kind.INT, 16, "int16_t")
I32 = _scalar("i32", Kind.INT, 32, "int32_t")
I64 = _scalar("i64", Kind.INT, 64, "int64_t")
U8 = _scalar("u8", Kind.UINT, 8, "uint8_t")
U16 = _scalar("u16", Kind.UINT, 16, "uint16_t")
U32 = _scalar("u32", Kind.UINT, 32, "uint32_t")
U64 = _scalar("u64", Kind.UINT, 64, "uint64_t")
F32 = _scalar("f32", Kind.FLOAT, 32, "float")
F64 = _scalar("f64", Kind.FLOAT, 64, "double")
C64 = _scalar("c64", Kind.COMPLEX, 64, "float _Complex")
C128 = _scalar("c128", Kind.COMPLEX, 128, "double _Complex")

SCALARS: dict[str, ScalarType] = {
    t.name: t for t in (BOOL, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, C64, C128)
}
PY_INT = I64.weakened()
PY_FLOAT = F64.weakened()
PY_COMPLEX = C128.weakened()
"""Complex values live in arrays and kernel locals; kernel parameters and results stay real."""

_NUMPY_NAMES = {
    "bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "f32": "float32", "f64": "float64",
    "c64": "complex64", "c128": "complex128",
}


@dataclass(frozen=True)
class ArrayType:
    """A C-contiguous array of `rank` dimensions; its extents travel as `int64_t` parameters."""

    dtype: ScalarType
    rank: int

    def __str__(self) -> str:
        return f"{self.dtype.name}[{', '.join(':' * self.rank)}]"


class Ownership(enum.Enum):
    """Who reads and writes an array parameter; decides its OpenMP map type."""

    IN = "in"
    OUT = "out"
    INOUT = "inout"
    SCRATCH = "scratch"

    @property
    def map_type(self) -> str:
        """The OpenMP map type: the manifest's table (`runtime_shim.manifest.MAP_TYPES`)."""
        return MAP_TYPES[self.value]

    @property
    def marker(self) -> str:
        """The annotation that declares it (`InOut`), for messages."""
        return {"in": "In", "out": "Out", "inout": "InOut", "scratch": "Scratch"}[self.value]


def _rank(t: ScalarType) -> int:
    return {Kind.BOOL: 0, Kind.UINT: 1, Kind.INT: 1, Kind.FLOAT: 2, Kind.COMPLEX: 3}[t.kind]


def promote(a: ScalarType, b: ScalarType) -> ScalarType:
    """The result type of arithmetic between `a` and `b`, as NumPy 2 computes it.

    A weak (Python) operand adopts the other operand's type unless it is of a higher kind
    (a Python float against an integer array gives float64). Two weak operands stay weak.
    Bools take part in arithmetic as Python ints do.
    """
    if a.is_bool and b.is_bool:
        return PY_INT if (a.weak or b.weak) else I64
    a = PY_INT if a.is_bool else a
    b = PY_INT if b.is_bool else b
    if a.weak and b.weak:
        return a if _rank(a) >= _rank(b) else b
    if a.weak or b.weak:
        weak, strong = (a, b) if a.weak else (b, a)
        if _rank(weak) <= _rank(strong):
            return strong
        if weak.is_complex:  # a Python complex keeps a float32's precision: complex64
            return C64 if strong.is_float and strong.bits == 32 else C128
        return F64
    return _promote_strong(a, b)


def _promote_strong(a: ScalarType, b: ScalarType) -> ScalarType:
    if a == b:
        return a
    if a.is_complex or b.is_complex:
        wide = any(t.bits == 128 if t.is_complex else t.bits == 64 if t.is_float else t.bits >= 32 for t in (a, b))
        return C128 if wide else C64
    if a.is_float or b.is_float:
        float_bits = max(t.bits for t in (a, b) if t.is_float)
        int_bits = max((t.bits for t in (a, b) if not t.is_float), default=0)
        return F64 if float_bits == 64 or int_bits >= 32 else F32
    if a.kind == b.kind:
        return a if a.bits >= b.bits else b
    signed, unsigned = (a, b) if a.kind is Kind.INT else (b, a)
    if signed.bits > unsigned.bits:
        return signed
    if unsigned.bits == 64:
        return F64
    return SCALARS[f"i{unsigned.bits * 2}"]


def join(a: ScalarType, b: ScalarType) -> ScalarType:
    """The type a variable needs to hold both: like `promote`, but two bools stay bool."""
    if a.is_bool and b.is_bool:
        return BOOL if not (a.weak and b.weak) else BOOL.weakened()
    return promote(a, b)


# Fortran 90's largest rank: callers in Fortran can hold every array a kernel takes; NPBench's largest is 7.
MAX_RANK = 7


def type_text(typ: ScalarType | ArrayType) -> str:
    """A type as annotations and signatures write it: `f64[:, :]`, `f32`, and for Python numbers `int`,
    `float`, `complex`."""
    if isinstance(typ, ArrayType) or not typ.weak:
        return str(typ)
    return {"i64": "int", "f64": "float", "c128": "complex", "bool": "bool"}[typ.name]
