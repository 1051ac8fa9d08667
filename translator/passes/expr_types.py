"""Typing rules for expressions: each returns the typed node with every conversion an explicit Cast.

The rules are NumPy 2's (see `ir.types.promote`), because a kernel's reference result is its
Python function run on NumPy arrays. Where Python and NumPy disagree, or C cannot match either,
the construct is rejected with a message saying what to write instead.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable, Mapping, Protocol

from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.types import (BOOL, F64, I8, I32, I64, U64, PY_COMPLEX, PY_FLOAT, PY_INT, ArrayType, Kind, Ownership,
                                 ScalarType, join, promote, real_value, type_of)
from translator.ir.visit import local_arrays, temporaries

MATH_NAMES = {"fabs": "fabs"}
NUMPY_NAMES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2", "abs": "abs",
               "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}
PREDICATES = {"isnan", "isinf", "isfinite"}
ROUNDING = {"floor", "ceil", "trunc"}


class UnknownName(Exception):
    """A local whose type is not known yet (during inference); never escapes the typing pass."""


def cast(expr: ir.Expr, to: ScalarType) -> ir.Expr:
    """`expr` converted to `to`; constants are converted in place, same-C-type casts are dropped."""
    t = type_of(expr)
    if t.c_name == to.c_name:
        return expr if t == to else dataclasses.replace(expr, type=to)
    if t.is_complex and not (to.is_complex or to.is_bool):
        raise TranslationError.at(
            expr.span, f"a complex value cannot become {to.name} (Python raises TypeError, NumPy drops the imaginary "
            "part); take .real, .imag or abs() first")
    if isinstance(expr, ir.Const):
        return ir.Const(_convert(expr.value, to), expr.span, to)
    return ir.Cast(expr, expr.span, to)


def _convert(value: int | float | bool | complex, to: ScalarType) -> int | float | bool | complex:
    if to.is_bool:
        return bool(value)
    if to.is_complex:
        return complex(value)
    return float(real_value(value)) if to.is_float else int(real_value(value))


class FunctionTyper(Protocol):
    """What typing needs of device functions (`passes.functions.Specializer`): the typed
    specialization a call reaches with these argument types."""

    def specialize(self, call: ir.CallFunction, args: tuple[ScalarType | ir.Param, ...],
                   boundscheck: bool = True) -> ir.Kernel: ...


class ExprTyper:
    """Types expressions given the types of names (`env`), the kernel's arrays and its parameters."""

    def __init__(
        self, env: Mapping[str, ScalarType], kernel: ir.Kernel, functions: FunctionTyper | None = None,
        dtypes: Mapping[str, ScalarType] | None = None,
    ) -> None:
        self.env = env
        self.kernel = kernel
        self.functions = functions
        self.dtypes: Mapping[str, ScalarType] = {} if dtypes is None else dtypes
        """The dtypes found so far of arrays whose type is `ir.ArrayLike` (`typing.infer_local_types`
        fills the mapping while this typer reads it)."""
        self.arrays: dict[str, ir.LocalArray | ir.Temporary] = {**local_arrays(kernel.body),
                                                                **temporaries(kernel.body)}

    def __call__(self, expr: ir.Expr) -> ir.Expr:
        rule: Callable[[ir.Expr], ir.Expr] = getattr(self, f"_{type(expr).__name__.lower()}")
        return rule(expr)

    def _const(self, e: ir.Const) -> ir.Expr:
        t = BOOL if isinstance(e.value, bool) else PY_INT if isinstance(e.value, int) else PY_FLOAT
        t = PY_COMPLEX if isinstance(e.value, complex) else t
        return dataclasses.replace(e, type=t)

    def _name(self, e: ir.Name) -> ir.Expr:
        if e.id not in self.env:
            raise UnknownName(e.id)
        return dataclasses.replace(e, type=self.env[e.id])

    def _extent(self, e: ir.Extent) -> ir.Expr:
        return dataclasses.replace(e, type=PY_INT)

    def _index(self, e: ir.Index) -> ir.Expr:
        return ir.Index(e.array, tuple(self.index(i) for i in e.indices), e.span, self.element_type(e.array))

    def _gather(self, e: ir.Gather) -> ir.Expr:
        """A gather (array tier): its indices integers as int64 (a boolean one is a mask, which
        `index` refuses here), its type the element type."""
        return ir.Gather(e.array, tuple(self.index(i) for i in e.indices), e.span, self.element_type(e.array))

    def _view(self, e: ir.View) -> ir.Expr:
        """A view (array tier): its indices and bounds as int64, its type the element type."""
        fixed = tuple(None if i is None else self.index(i) for i in e.fixed)
        axes = tuple(dataclasses.replace(a, lo=self.index_value(a.lo), hi=self.index_value(a.hi), step=a.step if isinstance(
            a.step, int) else self.index_value(a.step)) for a in e.axes)
        return ir.View(e.array, fixed, axes, e.span, self.element_type(e.array))

    def index(self, expr: ir.Expr) -> ir.Expr:
        """An index of one dimension; NumPy reads a boolean index (`x[mask]`, `x[True]`) as a mask,
        not as 0 or 1."""
        typed = self(expr)
        if type_of(typed).is_bool:
            raise TranslationError.at(
                typed.span, "a boolean index selects elements by a mask in NumPy (`x[mask]`), which kernels "
                "support with a mask of x's shape, as an assignment target (`x[mask] = v`) and in np.sum, np.mean "
                "and np.count_nonzero; use int() for an index of 0 or 1")
        return self.integer(typed)

    def _arrayarg(self, e: ir.ArrayArg) -> ir.Expr:
        return dataclasses.replace(e, type=self.element_type(e.array))

    def array(self, name: str) -> ir.Param:
        """An array parameter, or an array made in a loop seen as a (scratch) parameter; one whose
        dtype typing decides has the dtype found so far (none yet: `UnknownName`)."""
        param = self.kernel.param(name)
        if param is None:
            local = self.arrays[name]
            param = ir.Param(name, local.type, Ownership.SCRATCH, local.span)
        if not isinstance(param.type, ir.ArrayLike):
            return param
        if name not in self.dtypes:
            raise UnknownName(name)
        return dataclasses.replace(param, type=ArrayType(self.dtypes[name], param.type.rank))

    def element_type(self, name: str) -> ScalarType:
        """The dtype of the array `name` (the frontend indexes and passes whole only arrays)."""
        t = self.array(name).type
        assert isinstance(t, ArrayType), f"'{name}' used as an array"
        return t.dtype

    def index_value(self, expr: ir.Expr) -> ir.Expr:
        """An integer used as an index or loop bound, as `int64_t`."""
        return self.integer(self(expr))

    def integer(self, typed: ir.Expr) -> ir.Expr:
        """A typed index or loop bound as `int64_t`."""
        t = type_of(typed)
        if not (t.is_int or t.is_bool):
            raise TranslationError.at(typed.span, f"indices and loop bounds must be integers, not {t.name}")
        return cast(typed, I64)

    def _unary(self, e: ir.Unary) -> ir.Expr:
        operand = self(e.operand)
        if e.op == "not":
            return ir.Unary("not", operand, e.span, BOOL)
        if type_of(operand).is_bool:
            if e.op == "~":
                raise TranslationError.at(e.span, "`~` on a bool is -2/-1 in Python but `not` in NumPy; write `not x`")
            if e.op in ("-", "+"):
                raise TranslationError.at(e.span, f"unary `{e.op}` on a bool is an int in Python but an error in NumPy; "
                                                  f"convert it with int() first (`{e.op}int(b)`)")
            operand = cast(operand, PY_INT)
        t = type_of(operand)
        if e.op == "~" and not t.is_int:
            raise TranslationError.at(e.span, "`~` needs an integer operand")
        return ir.Unary(e.op, operand, e.span, t)

    def _binary(self, e: ir.Binary) -> ir.Expr:
        left, right = self(e.left), self(e.right)
        lt, rt = type_of(left), type_of(right)
        if lt.is_bool and rt.is_bool and e.op not in ("&", "|", "^"):
            raise TranslationError.at(
                e.span, f"`{e.op}` between two bools differs between Python and NumPy; convert one with int()")
        t = promote(lt, rt) if not (lt.is_bool and rt.is_bool) else BOOL
        if e.op in ("&", "|", "^", "<<", ">>", "~") and (t.is_float or t.is_complex):
            raise TranslationError.at(e.span, f"`{e.op}` needs integer operands, not {t.name}")
        if e.op in ("//", "%") and t.is_complex:
            raise TranslationError.at(e.span, f"`{e.op}` is not defined for complex numbers")
        if e.op == "/" and not (t.is_float or t.is_complex):
            t = PY_FLOAT if t.weak else F64
        if e.op == "**":
            return self._power(e, left, right, t)
        return ir.Binary(e.op, cast(left, t), cast(right, t), e.span, t)

    def _power(self, e: ir.Binary, left: ir.Expr, right: ir.Expr, t: ScalarType) -> ir.Expr:
        if t.is_int and not (isinstance(right, ir.Const) and real_value(right.value) >= 0):
            raise TranslationError.at(
                e.span, "an integer raised to a negative or non-constant power: its type depends on the "
                "exponent's sign in Python (and NumPy rejects negative ones); write float(x) ** n")
        return ir.Binary("**", cast(left, t), cast(right, t), e.span, t)

    def _compare(self, e: ir.Compare) -> ir.Expr:
        left, right = self(e.left), self(e.right)
        lt, rt = type_of(left), type_of(right)
        t = promote(lt, rt) if not (lt.is_bool and rt.is_bool) else BOOL
        if t.is_complex and e.op not in ("==", "!="):
            raise TranslationError.at(e.span, f"complex numbers are not ordered; `{e.op}` needs real operands")
        return ir.Compare(e.op, cast(left, t), cast(right, t), e.span, BOOL)

    def _logical(self, e: ir.Logical) -> ir.Expr:
        """Python's `and`/`or` return an operand; with two bools that is C's `&&`/`||`."""
        left, right = self(e.left), self(e.right)
        lt, rt = type_of(left), type_of(right)
        if lt.is_bool and rt.is_bool:
            return ir.Logical(e.op, left, right, e.span, BOOL)
        t = join(lt, rt)
        cond = cast(left, BOOL)
        then, orelse = (cast(right, t), cast(left, t)) if e.op == "and" else (cast(left, t), cast(right, t))
        return ir.Select(cond, then, orelse, e.span, t)

    def _select(self, e: ir.Select) -> ir.Expr:
        cond, then, orelse = self(e.cond), self(e.then), self(e.orelse)
        t = join(type_of(then), type_of(orelse))
        return ir.Select(cast(cond, BOOL), cast(then, t), cast(orelse, t), e.span, t, e.eager)

    def _cast(self, e: ir.Cast) -> ir.Expr:
        to = type_of(e) if e.like is None else type_of(self(e.like)).strong()
        operand = ir.Call("numpy.floor", (e.operand,), e.span) if e.floors and to.is_int else e.operand
        converted = cast(self(operand), to)
        if e.python_int and isinstance(converted, ir.Cast) and type_of(converted.operand).is_float:
            return ir.Cast(converted.operand, e.span, converted.type, python_int=True)
        return converted

    def _callfunction(self, e: ir.CallFunction) -> ir.Expr:
        return self.call_function(e, value_needed=True)

    def call_function(self, e: ir.CallFunction, value_needed: bool) -> ir.CallFunction:
        """Arguments keep their types (a Python number stays weak), converted only to annotated
        parameter types; the call has the specialization's return type (none for a statement
        call of a function that returns nothing)."""
        assert self.functions is not None, "device function call typed without a Specializer"
        args = tuple(self(a) for a in e.args)
        kinds = tuple(self.array(a.array) if isinstance(a, ir.ArrayArg) else type_of(a) for a in args)
        fn = self.functions.specialize(e, kinds, self.kernel.boundscheck)
        if fn.return_type is None and value_needed:
            raise TranslationError.at(e.span, f"function '{e.func}' returns nothing, so its call has no value")
        converted = tuple(
            cast(a, p.type) if isinstance(p.type, ScalarType) else a for a, p in zip(args, fn.params))
        return ir.CallFunction(e.func, converted, e.span, fn.return_type, fn.name)

    def _arange(self, e: ir.Arange) -> ir.Expr:
        """`np.arange` (array tier) of integers is int64 in NumPy, whatever their integer types, but
        for uint64 (float64), which kernels refuse; of floats its length is inexact."""
        parts = tuple(self(part) for part in (e.start, e.stop, e.step))
        for part in parts:
            t = type_of(part)
            if not t.is_int:
                raise TranslationError.at(e.span, "np.arange() in a kernel takes integers (its length is then exact); "
                                          "for evenly spaced floats use np.linspace, as NumPy advises")
            if t.kind == Kind.UINT and t.bits == 64:
                raise TranslationError.at(e.span, "np.arange() of a uint64 value is float64 in NumPy; convert it "
                                          "with int() for int64 values")
        start, stop, step = (cast(part, I64) for part in parts)
        return dataclasses.replace(e, start=start, stop=stop, step=step, type=I64)

    def _remap(self, e: ir.Remap) -> ir.Expr:
        """An index map (array tier) has its operand's dtype; its lengths and positions are int64,
        computed from integers (a float shift, length or count is refused, as NumPy refuses it)."""
        operand = self(e.operand)
        parts = []
        for part in (*e.lengths, *e.positions):
            typed = self(part)
            if not type_of(typed).is_int:
                raise TranslationError.at(e.span, "np.roll(), np.tile(), np.repeat() and reshapes take integer shifts, "
                                          f"repetitions and lengths, not {type_of(typed).numpy_name}")
            parts.append(cast(typed, I64))
        rank = len(e.lengths)
        return dataclasses.replace(e, operand=operand, lengths=tuple(parts[:rank]), positions=tuple(parts[rank:]),
                                   type=type_of(operand))

    def _position(self, e: ir.Position) -> ir.Expr:
        return dataclasses.replace(e, type=I64)

    def _arrayreduce(self, e: ir.ArrayReduce) -> ir.Expr:
        """A reduction (array tier) has NumPy 2's result dtype (`reduced_type`); a masked read's mask
        is typed as the operand is, element by element."""
        operand = self(e.operand)
        where = None if e.where is None else self(e.where)
        return dataclasses.replace(e, operand=operand, where=where, type=reduced_type(e, type_of(operand).strong()))

    def _call(self, e: ir.Call) -> ir.Expr:
        args = tuple(self(a) for a in e.args)
        namespace, _, name = e.func.rpartition(".")
        rule = CALL_RULES.get(name) if not namespace else (math_call if namespace == "math" else numpy_call)
        assert rule is not None, e.func
        return rule(self, e, name, args)


def reduced_type(e: ir.ArrayReduce, element: ScalarType) -> ScalarType:
    """NumPy 2's dtype of a reduction of `element`s on Linux: sums and products of bools and
    integers widen to 64 bits (unsigned stay unsigned), means, variances and norms of them are
    float64, `any`/`all` are bool, `argmax`/`argmin` and `count_nonzero` int64, `max`/`min` keep the
    dtype. Complex operands are taken by sum, prod, mean and count_nonzero only. A product (`dot`) has the dtype of its elements'
    products, as `np.matmul`."""
    if element.is_complex and e.op not in ("sum", "prod", "mean", "dot", "count_nonzero"):
        raise TranslationError.at(e.span, f"{e.op}() of a complex array is not supported in kernels")
    if e.op in ("any", "all"):
        return BOOL
    if e.op in ("argmax", "argmin", "count_nonzero"):
        return I64
    if e.op in ("sum", "prod") and (element.is_int or element.is_bool):
        return U64 if element.kind.name == "UINT" else I64
    if e.op in ("mean", "var", "std", "norm") and not (element.is_float or element.is_complex):
        return F64
    return element


def _abs(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    (arg,) = args
    if type_of(arg).is_bool:
        arg = cast(arg, PY_INT)
    arg_type = type_of(arg)
    t = arg_type.component if arg_type.is_complex else arg_type
    return ir.Call("abs", (arg,), e.span, t.weakened() if arg_type.weak else t)


def _min_max(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`min(a, b, c)` is `min(min(a, b), c)`: Python keeps the first of equal or unordered values."""
    result = args[0]
    for arg in args[1:]:
        t = join(type_of(result), type_of(arg))
        if t.is_complex:
            raise TranslationError.at(e.span, f"complex numbers are not ordered; {name}() needs real operands")
        result = ir.Call(name, (cast(result, t), cast(arg, t)), e.span, t)
    return result


def math_call(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`math` works in float64 and returns Python floats; floor/ceil/trunc return Python ints."""
    if any(type_of(a).is_complex for a in args):
        raise TranslationError.at(e.span, f"math.{name}() takes real numbers (use numpy for complex ones)")
    if name in ROUNDING and type_of(args[0]).is_int:
        return cast(args[0], PY_INT)
    doubles = tuple(cast(a, F64) for a in args)
    if name in PREDICATES:
        return ir.Call(name, doubles, e.span, BOOL)
    call = ir.Call(MATH_NAMES.get(name, name), doubles, e.span, F64)
    return cast(call, PY_INT) if name in ROUNDING else cast(call, PY_FLOAT)


def numpy_call(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """NumPy ufuncs keep float32 and compute Python numbers and integers in float64, except those
    NumPy defines on integers (`np.floor`, `np.sign`, `np.maximum`, ...: `INTEGER_UFUNCS`)."""
    if name in NUMPY_OPERATORS:
        return typer(ir.Binary(NUMPY_OPERATORS[name], e.args[0], e.args[1], e.span))
    if name in NUMPY_COMPARISONS:
        return typer(ir.Compare(NUMPY_COMPARISONS[name], e.args[0], e.args[1], e.span))
    if name == "diff":  # one step of np.diff: `later - here`, `!=` for bools, as NumPy
        later, here = e.args
        if all(type_of(a).is_bool for a in args):
            return typer(ir.Compare("!=", later, here, e.span))
        return typer(ir.Binary("-", later, here, e.span))
    if name in NUMPY_UNARY:
        return _unary_ufunc(typer, e, name, type_of(args[0]))
    if name == "float_power" and not any(type_of(a).is_complex for a in args):
        return ir.Call("pow", tuple(cast(a, F64) for a in args), e.span, F64)
    if name == "ldexp":
        return _ldexp(e, args)
    if name in ("gcd", "lcm"):
        return _divisors(e, name, args)
    if name in ("abs", "absolute"):
        return _abs(typer, e, name, args)
    if name == "round":
        return _round(e, args)
    if name in COMPLEX_PARTS:
        return _complex_part(typer, e, COMPLEX_PARTS[name], args)
    t = functools.reduce(promote, (type_of(a) for a in args))
    if t.is_complex:
        return _complex_ufunc(e, name, args, t)
    if name in INTEGER_UFUNCS and not t.is_float:
        return _integer_ufunc(e, name, args, t.strong())
    t = t if t.is_float and not t.weak else F64
    floats = tuple(cast(a, t) for a in args)
    if name in PREDICATES:
        return ir.Call(name, floats, e.span, BOOL)
    if name in ELEMENTWISE_EXTREMES:
        return _extreme(e, ELEMENTWISE_EXTREMES[name], floats, t)
    if name in FLOAT_FORMS:
        return FLOAT_FORMS[name](floats, t, e.span)
    return ir.Call(NUMPY_NAMES.get(name, name), floats, e.span, t)


NUMPY_OPERATORS = {"power": "**", "pow": "**", "mod": "%", "remainder": "%", "floor_divide": "//",
                   "true_divide": "/", "divide": "/", "add": "+", "subtract": "-", "multiply": "*",
                   "bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^", "left_shift": "<<", "right_shift": ">>",
                   "bitwise_left_shift": "<<", "bitwise_right_shift": ">>"}
NUMPY_UNARY = {"invert": "~", "bitwise_not": "~", "bitwise_invert": "~", "positive": "+"}
"""`np.invert` and its aliases (a logical not of bools, as NumPy's), `np.positive` (a copy)."""
NUMPY_COMPARISONS = {"less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">=", "equal": "==",
                     "not_equal": "!="}
"""NumPy functions that are Python's operators on arrays: typed (and checked) as the operator."""
INTEGER_UFUNCS = frozenset("floor ceil trunc sign square negative reciprocal minimum maximum fmin fmax".split())
"""Ufuncs NumPy 2 computes in the integer (or bool) type of integer operands, not in float64."""


def _ldexp(e: ir.Call, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`np.ldexp(x, n)`: `x * 2**n` in x's float type (float64 for integers) by C's `ldexp`, whose
    exponent is an `int`; NumPy refuses float exponents."""
    x, n = (type_of(a) for a in args)
    if not (n.is_int or n.is_bool) or x.is_complex:
        raise TranslationError.at(e.span, "np.ldexp() takes a real mantissa and integer exponents")
    t = x.strong() if x.is_float and not x.weak else F64
    return ir.Call("ldexp", (cast(args[0], t), cast(args[1], I32)), e.span, t)


def _divisors(e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`np.gcd`, `np.lcm` of integers (helpers), in their promoted type, as NumPy."""
    t = functools.reduce(promote, (type_of(a) for a in args))
    if not t.is_int:
        raise TranslationError.at(e.span, f"np.{name}() takes integers")
    t = t.strong()
    return ir.Call(name, tuple(cast(a, t) for a in args), e.span, t)


def _unary_ufunc(typer: ExprTyper, e: ir.Call, name: str, t: ScalarType) -> ir.Expr:
    """`np.invert(x)` is `~x` (`not x` for bools); `np.positive(x)` is `x`, undefined for bools."""
    if t.is_bool and name == "positive":
        raise TranslationError.at(e.span, "np.positive() of a bool is not defined in NumPy; convert with int() first")
    if name == "positive":
        return typer(e.args[0])
    return typer(ir.Unary("not" if t.is_bool else "~", e.args[0], e.span))


def _integer_ufunc(e: ir.Call, name: str, args: tuple[ir.Expr, ...], t: ScalarType) -> ir.Expr:
    """The integer forms: rounding is the identity, `np.maximum`/`np.fmax` a select (no NaN to
    care about); NumPy raises on `np.sign`/`np.negative` of bools, and `np.reciprocal` of an integer
    is 0 but for 1 and -1 (undefined for 0), which kernels reject rather than guess."""
    if name in ("sign", "negative") and t.is_bool:
        raise TranslationError.at(e.span, f"np.{name}() of a bool is not defined in NumPy; convert with int() first")
    if name == "reciprocal":
        raise TranslationError.at(e.span, "np.reciprocal() of an integer truncates to 0 (and is undefined for 0); "
                                          "write 1.0 / x for a float result")
    if name == "square" and t.is_bool:
        t = I8  # NumPy squares bools as int8
    for arg in args:
        if isinstance(arg, ir.Const) and type_of(arg).weak and not fits(arg.value, t):
            raise TranslationError.at(
                arg.span, f"the Python integer {arg.value} is out of the range of {t.name}, which NumPy 2 rejects "
                "in np.maximum and np.minimum (OverflowError) and clamps in np.clip: use a value within the range")
    values = tuple(cast(a, t) for a in args)
    if name in ("floor", "ceil", "trunc"):
        return values[0]
    if name in ELEMENTWISE_EXTREMES or name in FLOAT_EXTREMES:
        op = ELEMENTWISE_EXTREMES.get(name) or FLOAT_EXTREMES[name]
        return ir.Select(ir.Compare(op, values[0], values[1], e.span, BOOL), values[0], values[1], e.span, t)
    return FLOAT_FORMS[name](values, t, e.span)


def fits(value: int | float | bool | complex, t: ScalarType) -> bool:
    """Whether a Python integer is a value of the integer type `t` (bools: 0 and 1)."""
    if t.is_bool or not isinstance(value, int):
        return True
    low: int = 0 if t.kind is Kind.UINT else -(1 << (t.bits - 1))
    high: int = (1 << t.bits) - 1 if t.kind is Kind.UINT else (1 << (t.bits - 1)) - 1
    return low <= value <= high


def _round(e: ir.Call, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`np.round(x, d)` as NumPy: `rint(x * 10**d) / 10**d` (`rint(x / 10**-d) * 10**-d` for d < 0)
    in x's float type; integers with d >= 0 are themselves."""
    value, (decimals,) = args[0], (int(real_value(a.value)) for a in args[1:] if isinstance(a, ir.Const))
    t = type_of(value)
    if t.is_complex:
        raise TranslationError.at(e.span, "np.round() of complex numbers is not supported in kernels")
    if not t.is_float:
        if decimals < 0:
            raise TranslationError.at(e.span, "np.round() of integers to negative decimals is not supported in kernels")
        return cast(value, t.strong() if not t.is_bool else t)
    t = t.strong()
    x, span = cast(value, t), e.span
    if decimals == 0:
        return ir.Call("rint", (x,), span, t)
    scale = ir.Const(float(10 ** abs(decimals)), span, t)
    inward, outward = ("*", "/") if decimals > 0 else ("/", "*")
    return ir.Binary(outward, ir.Call("rint", (ir.Binary(inward, x, scale, span, t),), span, t), scale, span, t)


def _sign(args: tuple[ir.Expr, ...], t: ScalarType, span: Span) -> ir.Expr:
    """`np.sign`: 1, -1 or 0 of the operand's type; a NaN stays NaN (the operand itself)."""
    x, zero = args[0], ir.Const(_convert(0, t), span, t)
    rest = ir.Select(ir.Compare("==", x, zero, span, BOOL), zero, x, span, t) if t.is_float else zero
    if t.kind.name != "UINT":
        minus = ir.Const(_convert(-1, t), span, t)
        rest = ir.Select(ir.Compare("<", x, zero, span, BOOL), minus, rest, span, t)
    return ir.Select(ir.Compare(">", x, zero, span, BOOL), ir.Const(_convert(1, t), span, t), rest, span, t)


def _logaddexp(base: str) -> Callable[[tuple[ir.Expr, ...], ScalarType, Span], ir.Expr]:
    """`np.logaddexp(x, y)` (`base` "e") and `np.logaddexp2` ("2") as NumPy computes them
    (`npy_logaddexp`): equal operands (infinities of one sign) give `x + log(2)`, otherwise the larger
    plus `log1p(exp(-|x - y|))`; a NaN difference is the result."""
    def form(args: tuple[ir.Expr, ...], t: ScalarType, span: Span) -> ir.Expr:
        x, y = args
        exp, shift, scale = ("exp", math.log(2.0), None) if base == "e" else ("exp2", 1.0, 1.0 / math.log(2.0))

        def larger_plus(big: ir.Expr, diff: ir.Expr) -> ir.Expr:
            term: ir.Expr = ir.Call("log1p", (ir.Call(exp, (diff,), span, t),), span, t)
            if scale is not None:
                term = ir.Binary("*", ir.Const(scale, span, t), term, span, t)
            return ir.Binary("+", big, term, span, t)
        diff = ir.Binary("-", x, y, span, t)
        zero = ir.Const(_convert(0, t), span, t)
        rest = ir.Select(ir.Compare("<=", diff, zero, span, BOOL), larger_plus(y, diff), diff, span, t)
        rest = ir.Select(ir.Compare(">", diff, zero, span, BOOL), larger_plus(x, ir.Unary("-", diff, span, t)), rest,
                         span, t)
        return ir.Select(ir.Compare("==", x, y, span, BOOL), ir.Binary("+", x, ir.Const(shift, span, t), span, t), rest,
                         span, t)
    return form


def _heaviside(args: tuple[ir.Expr, ...], t: ScalarType, span: Span) -> ir.Expr:
    """`np.heaviside(x, h0)`: 0 below zero, 1 above, `h0` at zero; a NaN stays NaN."""
    x, at_zero = args
    zero, one = ir.Const(_convert(0, t), span, t), ir.Const(_convert(1, t), span, t)
    rest = ir.Select(ir.Compare("==", x, zero, span, BOOL), at_zero, x, span, t)
    rest = ir.Select(ir.Compare(">", x, zero, span, BOOL), one, rest, span, t)
    return ir.Select(ir.Compare("<", x, zero, span, BOOL), zero, rest, span, t)


def _spacing(args: tuple[ir.Expr, ...], t: ScalarType, span: Span) -> ir.Expr:
    """`np.spacing(x)`: the distance to the next value away from zero (the smallest subnormal at
    either zero, NaN at the infinities)."""
    x = args[0]
    zero, one = ir.Const(_convert(0, t), span, t), ir.Const(_convert(1, t), span, t)
    away = ir.Call("copysign", (ir.Const(math.inf, span, t), x), span, t)
    step = ir.Binary("-", ir.Call("nextafter", (x, away), span, t), x, span, t)
    return ir.Select(ir.Compare("==", x, zero, span, BOOL), ir.Call("nextafter", (zero, one), span, t), step, span, t)


def _signbit(args: tuple[ir.Expr, ...], t: ScalarType, span: Span) -> ir.Expr:
    """`np.signbit(x)`: the sign bit, set for -0.0 and negative NaNs too (`copysign` reads it)."""
    one = ir.Const(_convert(1, t), span, t)
    return ir.Compare("<", ir.Call("copysign", (one, args[0]), span, t), ir.Const(_convert(0, t), span, t), span, BOOL)


def _scaled(factor: float) -> Callable[[tuple[ir.Expr, ...], ScalarType, Span], ir.Expr]:
    """`np.deg2rad` and kin: NumPy multiplies by the constant rounded to the operand's type."""
    return lambda args, t, span: ir.Binary("*", args[0], ir.Const(factor, span, t), span, t)


FLOAT_FORMS: dict[str, Callable[[tuple[ir.Expr, ...], ScalarType, Span], ir.Expr]] = {
    "sign": _sign,
    "square": lambda args, t, span: ir.Binary("*", args[0], args[0], span, t),
    "negative": lambda args, t, span: ir.Unary("-", args[0], span, t),
    "reciprocal": lambda args, t, span: ir.Binary("/", ir.Const(_convert(1, t), span, t), args[0], span, t),
    **dict.fromkeys(("deg2rad", "radians"), _scaled(math.pi / 180.0)),
    **dict.fromkeys(("rad2deg", "degrees"), _scaled(180.0 / math.pi)),
    "logaddexp": _logaddexp("e"), "logaddexp2": _logaddexp("2"), "heaviside": _heaviside, "signbit": _signbit,
    "spacing": _spacing,
}
"""NumPy functions written with operators (on floats, and those of `INTEGER_UFUNCS` on integers)."""
FLOAT_EXTREMES = {"fmin": "<", "fmax": ">"}
"""`np.fmin`/`np.fmax`: C's `fmin`/`fmax` on floats (a NaN operand gives way to the other, as in
NumPy); on integers the comparison that keeps the first operand."""


ELEMENTWISE_EXTREMES = {"minimum": "<", "maximum": ">"}
"""NumPy's NaN-propagating `np.minimum`/`np.maximum` -> the comparison that keeps the first operand."""


def _extreme(e: ir.Call, op: str, args: tuple[ir.Expr, ...], t: ScalarType) -> ir.Expr:
    """`np.minimum(a, b)` is `a if a < b or isnan(a) else b`: a NaN in either operand is the result,
    as in NumPy (C's `fmin` would drop it)."""
    a, b = args
    keep_first = ir.Logical("or", ir.Compare(op, a, b, e.span, BOOL), ir.Call("isnan", (a,), e.span, BOOL), e.span,
                            BOOL)
    return ir.Select(keep_first, a, b, e.span, t)


COMPLEX_PARTS = {"real": "real", "imag": "imag", "conj": "conj", "conjugate": "conj"}
"""NumPy's names for the parts of a complex number -> the intrinsic (`.real`, `.imag`, `.conjugate()`)."""
COMPLEX_UFUNCS = frozenset("sqrt exp log sin cos tan sinh cosh tanh".split())
"""NumPy functions with a complex C99 counterpart (`csqrt`, `cexpf`, ...)."""


def _complex_part(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`z.real`, `z.imag` (float of z's precision), `z.conjugate()`; of a real number: itself, 0, itself."""
    (arg,) = args
    t = type_of(arg)
    if not t.is_complex:
        return cast(ir.Const(0, e.span, PY_INT), t) if name == "imag" else arg
    part = t.component.weakened() if t.weak else t.component
    return ir.Call(name, (arg,), e.span, t if name == "conj" else part)


def _complex_ufunc(e: ir.Call, name: str, args: tuple[ir.Expr, ...], t: ScalarType) -> ir.Expr:
    """The complex functions with a helper (`COMPLEX_UFUNCS`), and `np.square`, `np.negative`,
    `np.reciprocal` as complex arithmetic."""
    t = t.strong()
    values = tuple(cast(a, t) for a in args)
    if name in COMPLEX_ARITHMETIC:
        return FLOAT_FORMS[name](values, t, e.span)
    if name not in COMPLEX_UFUNCS:
        raise TranslationError.at(e.span, f"numpy.{name}() is not supported for complex numbers in kernels")
    return ir.Call(name, values, e.span, t)


COMPLEX_ARITHMETIC = frozenset(("square", "negative", "reciprocal"))


def _complex(typer: ExprTyper, e: ir.Call, name: str, args: tuple[ir.Expr, ...]) -> ir.Expr:
    """`complex(re, im)`: a Python complex from two reals, both as float64."""
    real, imag = (cast(a, F64) for a in args)
    return ir.Call("complex", (real, imag), e.span, PY_COMPLEX)


CALL_RULES: dict[str, Callable[[ExprTyper, ir.Call, str, tuple[ir.Expr, ...]], ir.Expr]] = {
    "abs": _abs, "min": _min_max, "max": _min_max, "real": _complex_part, "imag": _complex_part,
    "conj": _complex_part, "complex": _complex,
}
