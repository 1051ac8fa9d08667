"""The expressions of the IR, and the types of arrays the frontend makes before typing decides them.

Every expression carries `type`, None until `passes.typing` has run. `ArrayLike` and `Dtype` live
here because they are expressions standing for a dtype (an element of a value, never computed).
This is the bottom of the IR's three modules (expressions <- statements <- kernels): it imports
neither of the others, so the union `Expr` is complete here. Import it through `translator.ir.nodes`,
the one public face of the IR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from translator.errors import Span
from translator.ir.types import ArrayType, ScalarType


@dataclass(frozen=True)
class Const:
    value: int | float | bool | complex
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Name:
    """A scalar: local variable, loop index or scalar parameter."""

    id: str
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Index:
    """One element of an array parameter, `a[i, j]`; indices are already wrapped (no negatives)."""

    array: str
    indices: tuple["Expr", ...]
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Extent:
    """`a.shape[dim]` / `len(a)`: the `<a>_n<dim>` parameter of the C function."""

    array: str
    dim: int
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Unary:
    """`op` is one of `-`, `+`, `~`, `not`."""

    op: str
    operand: "Expr"
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Binary:
    """Arithmetic with Python meaning: `+ - * / // % ** & | ^ << >>`."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Compare:
    """One comparison (`< <= > >= == !=`); chains are split into `Logical('and', ...)`."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Logical:
    """Python `and` / `or`: returns one of its operands, not necessarily a bool."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Select:
    """`then if cond else orelse`."""

    cond: "Expr"
    then: "Expr"
    orelse: "Expr"
    span: Span
    type: ScalarType | None = None
    eager: bool = False
    """`np.where(cond, then, orelse)`: NumPy evaluates both values, and raises their errors, before it
    chooses (the C still evaluates one; only where a value raises does it matter)."""


@dataclass(frozen=True)
class Call:
    """An intrinsic (`sqrt`, `abs`, `min`, `max`, `floor`, `isnan`, ...) named by `func`."""

    func: str
    args: tuple["Expr", ...]
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Cast:
    """An explicit conversion, inserted by typing (promotion) or written by the user (`float(x)`)."""

    operand: "Expr"
    span: Span
    type: ScalarType | None = None
    python_int: bool = False
    """`int(x)` of a float: Python raises for NaN, infinity and values past int64 (`passes.bounds`
    checks them); NumPy's casts (`np.int64(x)`) raise nothing."""
    like: "Expr | None" = None
    """A conversion to the dtype of another value (`np.pad`'s fill to the array's dtype): NumPy's
    type of `like`, made strong, which typing decides and then drops `like` (it is never computed),
    so the frontend needs no typing of its own."""
    floors: bool = False
    """`np.linspace(..., dtype=d)`: NumPy floors the values first when `d` is an integer type, which
    typing knows (`d` may be `x.dtype` of an array whose dtype typing decides)."""


@dataclass(frozen=True)
class CallFunction:
    """A call of a device function (a plain function of the module) with scalar arguments.

    `func` is the Python name; typing picks the specialization for the argument types and records
    its C symbol in `symbol`.
    """

    func: str
    args: tuple["Expr", ...]
    span: Span
    type: ScalarType | None = None
    symbol: str | None = None


@dataclass(frozen=True)
class ArrayArg:
    """A whole array passed to a device function (C: its pointer and extents); `type` is the
    element type, set by typing."""

    array: str
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class ViewAxis:
    """One axis of a `View`: dimension `dim` of the array over `[lo, hi)` (step 1), or, with `dim`
    None, a new axis (`x[:, None]`) of length 1. Bounds are already clamped as Python clamps them.
    With a constant `step` other than 1 (`x[1::2]`, `x[::-1]`) the axis reads `lo, lo + step, ...`
    up to `hi` exclusive, in the step's direction (for a negative step `hi` may be -1: before 0).
    A `step` that is an expression (`is_prime[i * i::i]`: known when the kernel runs, never 0, which
    the frontend checks) reads `lo + step * k` as well; its bounds are already those of the step's
    sign. `diagonal` holds further axes of the same array walked in step with this one (a diagonal:
    `np.einsum('ii->i', A)` reads `A[k, k]`): position `k` reads each at its own `lo + step * k`;
    their lengths must equal this axis's, which `passes.lower_arrays` checks where the view is read."""

    dim: int | None
    lo: "Expr"
    hi: "Expr"
    step: "int | Expr" = 1
    diagonal: tuple["ViewAxis", ...] = ()

    def length(self, span: Span) -> "Expr":
        if not isinstance(self.step, int):  # `-((lo - hi) // step)`: ceil((hi - lo) / step) for either sign
            return Binary("-", Const(0, span), Binary("//", Binary("-", self.lo, self.hi, span), self.step, span), span)
        if self.step != 1:
            return self._stepped_length(span)
        if isinstance(self.lo, Const) and isinstance(self.hi, Const):
            return Const(int(self.hi.value) - int(self.lo.value), span)  # type: ignore[arg-type]
        if isinstance(self.lo, Const) and self.lo.value == 0:
            return self.hi
        return Binary("-", self.hi, self.lo, span)

    def step_value(self, span: Span) -> "Expr":
        """The step as an expression: a constant's `Const`, or the run-time step itself."""
        return Const(self.step, span) if isinstance(self.step, int) else self.step

    def _stepped_length(self, span: Span) -> "Expr":
        """`ceil((hi - lo) / step)`, as `(hi - lo + step - 1) // step` (`lo - hi` for a negative step);
        negative when the axis is empty, as the length of a step-1 axis may be."""
        assert isinstance(self.step, int)
        size = abs(self.step)
        first, last = (self.hi, self.lo) if self.step > 0 else (self.lo, self.hi)
        if isinstance(first, Const) and isinstance(last, Const):
            return Const((int(first.value) - int(last.value) + size - 1) // size, span)  # type: ignore[arg-type]
        distance: Expr = first if isinstance(last, Const) and last.value == 0 else Binary("-", first, last, span)
        if size == 1:
            return distance
        return Binary("//", Binary("+", distance, Const(size - 1, span), span), Const(size, span), span)

    @property
    def is_single(self) -> bool:
        """Whether the axis surely has length 1 (NumPy broadcasts it)."""
        length = self.length(Span("", 0, 0))
        return isinstance(length, Const) and length.value == 1


@dataclass(frozen=True)
class View:
    """An array value of the array tier: what NumPy's basic indexing makes of array `array`
    (`a[i, 1:-1]`, `x[:, None]`, `a.T`, `a`). `fixed[d]` is the index of each dimension that does not
    run (None where it runs); `axes` are the view's axes in its order (`.T` reverses them). It lives
    only inside an `ArrayAssign` until `passes.lower_arrays`; operators over views are the scalar
    nodes (`Binary`, `Unary`, `Compare`, `Call`) applied element by element, as NumPy broadcasts
    them, so `type` is the element type, as for every expression (typing sets it)."""

    array: str
    fixed: tuple["Expr | None", ...]
    axes: tuple[ViewAxis, ...]
    span: Span
    type: ScalarType | None = None

    @property
    def rank(self) -> int:
        return len(self.axes)

    def shape(self) -> tuple["Expr", ...]:
        return tuple(axis.length(self.span) for axis in self.axes)


@dataclass(frozen=True)
class ArrayReduce:
    """A NumPy reduction of an array value of the tier (`np.sum(a[i, :] * b[i, :])`, `x.max(axis=1,
    keepdims=True)`, `x.var(axis=0, ddof=1)`): `op` is one of `REDUCE_OPS`, `axes` the operand's axes
    it reduces (sorted, non-negative: all of them for a whole reduction), `keepdims` keeps them with
    length 1, `ddof` is var/std's. With no axis kept it is a scalar; otherwise an array value like a
    view, broadcast as NumPy does. `type` is NumPy's result dtype (typing sets it). It lives until
    `passes.lower_arrays`, which computes it by loops accumulating into a scalar.

    `where` (a boolean elementwise expression of the operand's shape) reduces a masked read whole
    (`data[mask].mean()`, `np.sum(x[x > 0])`): NumPy's selection has a length known only at run
    time, so the reduction reads every element of the operand and takes those where the mask holds
    (NumPy's own `where=`), counting them for a mean; no array of the selection is made."""

    op: str
    operand: "Expr"
    axes: tuple[int, ...]
    keepdims: bool
    span: Span
    type: ScalarType | None = None
    ddof: int = 0
    where: "Expr | None" = None


@dataclass(frozen=True)
class Gather:
    """NumPy's integer array indexing as an array value of the tier (`x[idx]`, `x[idx[lo:hi]]`,
    `probs[np.arange(n), labels]`): one index per dimension of `array`, each an integer array value of
    the tier or a scalar, broadcast together as NumPy does; the result has their broadcast shape and
    at each element is the array's element at the indices' elements there. `type` is the array's
    element type (typing sets it). It lives until `passes.lower_arrays`, which reads it as an
    `Index` at each element (checked and wrapped like any index by `passes.bounds` and
    `passes.indices`)."""

    array: str
    indices: tuple["Expr", ...]
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Arange:
    """`np.arange(start, stop, step)` of integers as an array value of the tier: `start + k * step`
    at position k, for the `ceil((stop - start) / step)` positions (none when that is negative). Its
    one running axis is `axis` of `rank` axes, the others of length 1 (`np.arange(n)[:, None]`:
    axis 0 of 2). `type` is NumPy's int64 (typing sets it; `dtype=` is a `Cast` around the node).
    It lives until `passes.lower_arrays`, which reads it as `start + k * step` at each element."""

    start: "Expr"
    stop: "Expr"
    step: "Expr"
    span: Span
    type: ScalarType | None = None
    rank: int = 1
    axis: int = 0

    def length(self) -> "Expr":
        """`ceil((stop - start) / step)`: `stop - start` for step 1, else `-((start - stop) // step)`."""
        start, stop, step, span = self.start, self.stop, self.step, self.span
        if isinstance(step, Const) and step.value == 1:
            return stop if isinstance(start, Const) and start.value == 0 else Binary("-", stop, start, span)
        return Binary("-", Const(0, span), Binary("//", Binary("-", start, stop, span), step, span), span)

    def shape(self) -> tuple["Expr", ...]:
        one = Const(1, self.span)
        return tuple(self.length() if d == self.axis else one for d in range(self.rank))


@dataclass(frozen=True)
class Position:
    """The position (from 0) along axis `axis` of the `Remap` whose `positions` hold it: a stand-in
    that `passes.lower_arrays` replaces by the element's position there. Typed int64."""

    axis: int
    span: Span
    type: ScalarType | None = None


@dataclass(frozen=True)
class Remap:
    """An array value of the tier of shape `lengths` whose element at positions `p` is `operand`'s
    element at `positions` (one per axis of `operand`, expressions of `Position(k)`, the result's
    position along axis k): NumPy's functions that move elements without computing them, each an
    index map (`np.roll`: `(p - shift) % n`; a reshape: `p` linearised in row-major order over
    `lengths`, delinearised over the operand's shape; `np.tile`: `p % n`; `np.repeat`: `p // r`).
    `type` is the operand's (typing sets it). It lives until `passes.lower_arrays`, which reads the
    operand at those positions."""

    operand: "Expr"
    lengths: tuple["Expr", ...]
    positions: tuple["Expr", ...]
    span: Span
    type: ScalarType | None = None

    @property
    def rank(self) -> int:
        return len(self.lengths)

    def shape(self) -> tuple["Expr", ...]:
        return self.lengths


REDUCE_OPS = ("sum", "prod", "mean", "var", "std", "max", "min", "any", "all", "argmax", "argmin", "norm", "dot",
              "count_nonzero")
"""The reductions of the tier (`np.amax` is `max`, `np.average` without weights `mean`, `np.linalg.norm`
of the default order `norm`; `dot` is a matrix product's sum of products, in their dtype)."""
MASKED_REDUCE_OPS = ("sum", "prod", "mean", "any", "all", "count_nonzero")
"""The reductions of a masked read (`ArrayReduce.where`): those NumPy defines for an empty selection."""

Expr = Union[Const, Name, Index, Extent, Unary, Binary, Compare, Logical, Select, Call, Cast, CallFunction, ArrayArg,
             View, ArrayReduce, Gather, Arange, Remap, Position]


@dataclass(frozen=True)
class ArrayLike:
    """The type of an array the frontend makes (`c = a * s`, a temporary, a scan's accumulator array,
    `np.linalg.solve`'s result): `rank` dimensions of NumPy's dtype of `like`, made strong. `like` is
    an element of the value the array is made from (never computed); typing decides it, for scalars
    and arrays at once, and puts an `ArrayType` in its place before any later pass reads it, so the
    frontend types nothing. `real_only`: the located message when that dtype is complex, for arrays
    the kernel cannot make of complex numbers."""

    like: Expr
    rank: int
    real_only: str | None = None


Dtype = Union[ScalarType, Expr]
"""A dtype as the frontend names it: a scalar type (`np.float32`), or an expression whose NumPy type
typing decides (`x.dtype` of an array whose dtype is `ArrayLike`: an element of `x`)."""


def array_of(dtype: Dtype, rank: int) -> "ArrayType | ArrayLike":
    """The type of an array of `rank` dimensions of `dtype`."""
    return ArrayType(dtype.strong(), rank) if isinstance(dtype, ScalarType) else ArrayLike(dtype, rank)


def converted(operand: Expr, dtype: Dtype, span: Span, floors: bool = False) -> "Cast":
    """`operand` converted to `dtype` (a `Cast` whose `like` typing resolves, for an expression);
    `floors`: see `Cast.floors`."""
    if isinstance(dtype, ScalarType):
        return Cast(operand, span, dtype.strong(), floors=floors)
    return Cast(operand, span, like=dtype, floors=floors)


def known_array(t: "ArrayType | ArrayLike") -> ArrayType:
    """An array's type where typing has decided it (it replaces every `ArrayLike`)."""
    assert isinstance(t, ArrayType), "an array's dtype read before typing decided it"
    return t


def known_type(t: "ScalarType | ArrayType | ArrayLike") -> "ScalarType | ArrayType":
    """A parameter's type where it is known: after typing, or for the user's parameters."""
    assert not isinstance(t, ArrayLike), "an array's dtype read before typing decided it"
    return t


def dtype_of_array(name: str, rank: int, span: Span) -> Expr:
    """The dtype of array `name` as an expression (its first element, typed and never computed)."""
    return Index(name, (Const(0, span),) * rank, span)
