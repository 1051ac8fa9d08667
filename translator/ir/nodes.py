"""The typed IR between libcst and C: small frozen dataclasses, each carrying its Python span.

The frontend builds this tree with `type=None` on expressions and the dtype of each array it makes
left open (`ArrayLike`); `passes.typing` fills every type, once, and makes each conversion an
explicit `Cast`, so the C backend never decides semantics. Parallel
loops start as `Loop(parallel=True)`; `passes.parallelize` turns the top-level ones into
`ParallelLoop` nodes carrying their OpenMP directive as data (`OmpTarget` / `OmpParallelFor`).
Array statements (`ArrayAssign` over `View`s, the array tier) exist from the frontend until
`passes.lower_arrays`, which turns them into loops right after typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from translator.errors import Diagnostic, Span
from translator.ir.types import ArrayType, Ownership, ScalarType
from translator.targets import Target

# ---------------------------------------------------------------------------------------------
# Expressions. `type` is None until typing has run.


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

# ---------------------------------------------------------------------------------------------
# Statements.


@dataclass(frozen=True)
class Assign:
    target: Name | Index
    value: Expr
    span: Span


@dataclass(frozen=True)
class ArrayValue:
    """The type of an array expression: its element type and its shape, one length per axis, each an
    expression of the kernel's extents and scalars (`(A.shape[0] - 2, A.shape[1] - 2)`)."""

    dtype: ScalarType
    shape: tuple[Expr, ...]


@dataclass(frozen=True)
class ArrayAssign:
    """`target = value` for a view (`B[1:-1, 1:-1] = 0.2 * (A[1:-1, :-2] + ...)`): every element of
    the view takes the value's element there, broadcast as NumPy does; `target op= value` arrives as
    `target = target op value`, as for scalars. `value` is elementwise over views and scalars;
    `type` (set by typing) is its `ArrayValue`. With `where` (a boolean elementwise expression of
    the target's shape: `x[x < 0] = 0`), only the elements where it holds are assigned.
    `passes.lower_arrays` turns it into loops."""

    target: View
    value: Expr
    span: Span
    type: ArrayValue | None = None
    where: Expr | None = None


@dataclass(frozen=True)
class Scatter:
    """NumPy's integer array indexing on the left (`x[idx] = v`, `A[rows, cols] = 0.0`): the value,
    broadcast to the indices' broadcast shape, is stored at the elements the indices name there, in
    C order, so that where an index repeats, the last value stays, as in NumPy. The frontend gives
    the value a name of its own first where it reads the target (`x[idx] += v`), since NumPy computes
    it whole before storing. `passes.lower_arrays` turns it into a serial loop nest."""

    target: Gather
    value: Expr
    span: Span


@dataclass(frozen=True)
class CallStatement:
    """A device function called for its effect on arrays (`fill_row(out, i)`); it may return nothing."""

    call: CallFunction
    span: Span


@dataclass(frozen=True)
class LocalArray:
    """`t = np.zeros((4, 4), np.float32)` at the top of a `prange` body: a C array of constant
    `shape` on the thread's stack (private to the iteration), zero-filled when `zeroed`."""

    name: str
    type: "ArrayType | ArrayLike"
    shape: tuple[int, ...]
    zeroed: bool
    span: Span


@dataclass(frozen=True)
class Temporary:
    """An array made inside a `prange` body whose size is known only at run time: `t = A[r, q, :] @ C4`,
    `t = np.empty(n)`, or the right side of an array statement that reads the assigned array at other
    elements (`x[i, 1:] = x[i, :-1] + x[i, 1:]`), which NumPy evaluates whole before assigning.

    Each iteration of the offloaded loop nest owns a slice of one buffer the C function allocates
    before the loop (no allocation on the device), so `shape` holds host expressions (constants,
    scalar parameters, extents, locals set before the loop): `passes.structure` rejects lengths
    that change inside the loop. The frontend puts it where Python makes the array;
    `passes.parallelize` moves it onto the `ParallelLoop` whose iterations own the slices."""

    name: str
    type: "ArrayType | ArrayLike"
    shape: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span
    guard: bool = False
    """A run-time check around one statement (`frontend.guards`): `orelse` only records the failure,
    after which the caller raises, so the statement counts as run (for definite assignment)."""


@dataclass(frozen=True)
class Launch:
    """The escape hatch `prange(n, num_teams=e, thread_limit=e, schedule="dynamic, 4")`.

    The user's launch clauses override the defaults `passes.parallelize` would choose; the
    expressions are host scalars, evaluated once before the loop. `schedule` is already
    normalized OpenMP text (`dynamic, 4`).
    """

    num_teams: Expr | None
    thread_limit: Expr | None
    schedule: str | None
    span: Span


@dataclass(frozen=True)
class Loop:
    """`for var in range(start, stop, step)` (or `prange`, with `parallel`); `step` is a constant."""

    var: str
    start: Expr
    stop: Expr
    step: int
    body: tuple["Stmt", ...]
    span: Span
    parallel: bool = False
    launch: Launch | None = None
    independent: bool = False
    """Set by `passes.lower_arrays` on the loops it makes: the iterations write disjoint elements and
    read nothing another iteration writes, so they may run in any order, on any threads."""
    disjoint: bool = False
    """The same fact about a loop whose indices are the user's (`passes.blas_loops`' loop after a
    triangle's call: `f` and the mirror), which `passes.bounds` checks as any user loop's, where
    `independent` tells it the indices are clamped slices already in range."""
    reductions: tuple["Reduction", ...] = ()
    """Set by `passes.lower_arrays` on the loops that compute a reduction (`ArrayReduce`): the scalars
    they accumulate and how, so that a parallel one gets its `reduction(op: var)` clauses."""
    host_code: bool = False
    """Set by `passes.device_regions` on the one-iteration `prange` around host code that touches
    array elements: it runs that code on one device thread, where the arrays are."""
    copied: tuple[str, ...] = ()
    """The scalars a `host_code` loop assigns that the rest of the kernel uses: mapped `tofrom`."""


@dataclass(frozen=True)
class AtomicUpdate:
    """`atomic_add(a, (i, j), v)`: `a[i, j] op= v` as one indivisible update.

    `op` is `+`, `-`, `min` or `max`; typing makes `value` the element's type.
    """

    op: str
    target: Index
    value: Expr
    span: Span


@dataclass(frozen=True)
class While:
    cond: Expr
    body: tuple["Stmt", ...]
    span: Span


@dataclass(frozen=True)
class Break:
    span: Span


@dataclass(frozen=True)
class Continue:
    span: Span


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span


@dataclass(frozen=True)
class LoopLevel:
    """One level of a (possibly collapsed) parallel loop nest; `span` is its Python `for` line
    (None where the IR is built by hand: the nest's line stands in)."""

    var: str
    start: Expr
    stop: Expr
    step: int
    span: Span


@dataclass(frozen=True)
class MapClause:
    """`map(<map_type>: <array>[0:<extents product>])`; `map_type` is to/from/tofrom/alloc.
    With `section` (`Movement.section`) only the rows `[lo, hi)` of the first axis, clamped to the
    extent: `<array>[lo * <row size>:(hi - lo) * <row size>]`."""

    map_type: str
    array: str
    rank: int
    section: Interval | None = None


@dataclass(frozen=True)
class Reduction:
    """`reduction(<op>: <var>)`; `op` is an OpenMP reduction identifier (`+`, `*`, `min`, `max`)."""

    op: str
    var: str


@dataclass(frozen=True)
class ChunkPhase:
    """One outermost `prange` of a kernel's chunked variant (`passes/split_devices.py`): the arrays whose rows
    its chunk writes (rows indexed by the split variable), the rows of each array it touches (`reads`:
    offsets from the chunk `[lo, hi)`, from `lo + first` to `hi - 1 + last`; None: any row), which the
    runtime brings up to date when the variant calls back before the loop, and its reductions, which
    the runtime combines across devices when the variant calls back after it."""

    written: tuple[str, ...]
    reads: tuple[tuple[str, tuple[int, int] | None], ...]
    reductions: tuple[tuple[Reduction, ScalarType], ...]
    span: Span


@dataclass(frozen=True)
class OmpTarget:
    """`target teams distribute parallel for` with its clauses, as data for the template."""

    collapse: int
    maps: tuple[MapClause, ...]
    reductions: tuple[Reduction, ...]
    thread_limit: int | Expr
    teams_from_trip_count: bool
    device_ptrs: tuple[str, ...] = ()
    """Arrays passed as device pointers (`is_device_ptr`) instead of mapped."""
    num_teams: Expr | None = None
    schedule: str | None = None
    device: int | None = None
    two_level: bool = False
    """`target teams distribute` alone (`passes.two_level`): each iteration runs on a team's initial
    thread, and the `ParallelLoop`s with `OmpParallelFor` in the body spread over the team's threads;
    the trip count then gives one team per iteration."""
    copied: tuple[str, ...] = ()
    """Scalars of host code run on the device (`Loop.copied`), mapped `tofrom` and shared."""
    nowait: bool = False
    """Launched without waiting (`passes.launches`): `nowait depend(inout: <the kernel's order
    variable>)`, so the kernel's regions still run one after another in program order; the host
    waits for them at the next `TaskWait`."""
    bare: bool = False
    """The bare form (`passes.bare`): `target teams ompx_bare`, no OpenMP loop; each of the
    `thread_limit` threads of the teams from the trip count runs the iterations of the collapsed
    levels numbered from its global thread number in steps of all the threads (one each where the
    teams cover the trip count), the levels' variables recovered from that number."""
    bare_index32: bool = False
    """A bare nest as two kernels (`settings.bare_index_bits` 32): one with a 32-bit flat number, launched
    where the trip count fits `int32_t`, and the 64-bit one above."""
    max_threads: int | None = None
    """The most threads `thread_limit` may give, where it is an expression the passes chose
    (`passes.team_threads`): `ompx_attribute(launch_bounds)`, so the compiler keeps the register budget
    of a constant `thread_limit`."""
    row_trip: Expr | None = None
    """The bare row form (`passes.bare_rows`, with `bare` and `two_level`): the trip count of the loops
    over each iteration's row, evaluated on the host before the launch; it picks a warp per row (at
    most `backend.bare.ROW_WARP_LIMIT`) or a block per row, each row's loops dealt to its lanes."""
    columns: bool = False
    """The bare column form (`passes.bare_columns`, with `bare`): a block of 256 threads takes 32
    consecutive iterations, its 8 warps each a share of the serial reduction loops' iterations
    (`Loop.reductions` says how each combines), the partial results combined in team-shared memory."""


@dataclass(frozen=True)
class OmpParallelFor:
    """`parallel for` on the host (target `cpu`), or across a team's threads inside a `two_level`
    `OmpTarget`; `num_threads` comes from `prange(thread_limit=...)`."""

    collapse: int
    reductions: tuple[Reduction, ...]
    num_threads: Expr | None = None
    schedule: str | None = None
    worksharing: bool = False
    """`for` alone: the iterations shared among the threads of an enclosing `parallel` region (a
    `TeamLoop`'s steps), with the construct's barrier at its end."""


@dataclass(frozen=True)
class Var:
    """A C local declaration."""

    name: str
    type: ScalarType


@dataclass(frozen=True)
class ParallelLoop:
    """A top-level parallel loop nest, or one in the body of a `two_level` `OmpTarget` loop (with
    `OmpParallelFor`, no temporaries); `directive` is None for the `serial` target."""

    levels: tuple[LoopLevel, ...]
    body: tuple["Stmt", ...]
    locals: tuple[Var, ...]
    directive: OmpTarget | OmpParallelFor | None
    span: Span
    temporaries: tuple[Temporary, ...] = ()
    """Arrays of run-time size made in the body: one buffer each, allocated before the loop and freed
    after it, holding one slice per iteration of `levels` (numbered row-major from 0)."""
    flat: bool = False
    """The levels run as one loop over the element number `i * n1 + j` (`passes.flat_nests`): the
    body reads the levels' variables only as the elements `x[i, j]` of arrays whose inner extents
    are the inner levels' stops, each then the element of that number in its storage."""


@dataclass(frozen=True)
class TargetData:
    """`target data` around several offloaded loops, so arrays stay on the device between them."""

    maps: tuple[MapClause, ...]
    body: tuple["Stmt", ...]
    span: Span
    device: int | None = None


@dataclass(frozen=True)
class Interval:
    """The half-open index range `[lo, hi)`; both bounds are loop-invariant integer expressions."""

    lo: Expr
    hi: Expr


@dataclass(frozen=True)
class UpdateFrom:
    """`target update from` of one written box of a partly written `Out` array, after the loops.

    The array is mapped `alloc` around the kernel, so only this copies device values back: the
    elements the kernel does not write keep the caller's values. `box` holds `rank` intervals, then
    guards (`passes.access`): nothing is copied unless each guard is non-empty. The C calls the
    prelude's `py2omp_copy_back`, which clamps each interval to the extents and copies the box in one
    transfer where its rows lie close together (else one per row).
    """

    array: str
    box: tuple[Interval, ...]
    span: Span


@dataclass(frozen=True)
class TaskWait:
    """`taskwait`: the host waits for the target regions launched `nowait` so far (`passes.launches`),
    where it next needs what they compute (a reduction's value, a buffer to free, a copy-back, the
    end of the data region or of the call)."""

    span: Span


@dataclass(frozen=True)
class LibraryCall:
    """A matrix product that a vendor BLAS computes when one is loaded at run time (`passes/blas.py`),
    in row-major terms: `routine` "gemm" is `C = alpha * op(A) @ op(B) + beta * C` with `op(A)`
    `sizes[0]` x `sizes[2]` and `op(B)` `sizes[2]` x `sizes[1]`; "gemv" is `y = alpha * op(A) @ x +
    beta * y` with `op(A)` `sizes[0]` x `sizes[2]` (`sizes[1]` is 1); "syrkx" is gemm's product computed
    only on the `triangle` ("lower" or "upper", `j <= i` or `j >= i` of `C[i, j]`) of the square C, with
    op(B) the other transpose than op(A) (cuBLAS's `syrkx` takes one op for both); "syr2k" is that
    triangle of `alpha * (op(A) @ op(B) + op(B)^T @ op(A)^T) + beta * C`; "trmm" is `B = alpha * op(T)
    @ B` (always `in_place`), T the `triangle` of the square A (with ones on its diagonal, not read, where
    `unit_diagonal`), B `sizes[0]` x `sizes[1]` (the operands A, B, B). `operands` are the arrays (A, B,
    C or A, x, y), each read from element `offsets[k]` with row stride (matrices) or step (vectors)
    `strides[k]`; `transposed[k]` is `op` of the first two. `when` must hold for the library to
    compute what NumPy does (a BLAS skips `alpha * A @ B` when alpha is 0 and ignores C when beta
    is 0, where NumPy's NaN and infinities still propagate).

    `body` is the statement's own loop nest (trmm with its scaling folded into alpha: the loops, then
    the scaling's), run when no library is loaded (or `PY2OMP_BLAS=0`), so every pass treats it as
    the statements it stands for; `orelse` records the failure when the library
    reports an error. `maps` (set by `parallelize`) map the operands around the call where no `target
    data` region holds them; `device_ptrs` (the device-pointer variant) says the operands are device
    pointers already."""

    library: str
    routine: str
    dtype: ScalarType
    operands: tuple[ArrayArg, ...]
    offsets: tuple[Expr, ...]
    strides: tuple[Expr, ...]
    transposed: tuple[bool, bool]
    sizes: tuple[Expr, Expr, Expr]
    alpha: Expr
    beta: Expr
    when: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span
    maps: tuple[MapClause, ...] = ()
    device_ptrs: bool = False
    triangle: str | None = None
    unit_diagonal: bool = False
    in_place: bool = False
    """The target is an operand too (a gemm's A, doitgen's `A[r, q, :] = A[r, q, :] @ C4`, beta 0; every
    trmm's B): the product goes to a buffer on the device first, then over the target (the wrapper
    waits for the library before its copy, so the call joins no run); the gemm's loops need a
    temporary for the same reason."""
    checks_hold: bool = False
    """`when` implies that every run-time check of `body` passes (`passes.blas_loops` puts the
    bounds and lengths the loops check into it): checks inside the loops then keep the call."""
    queued: bool = False
    """The product is left running on the library's stream when the call returns (`passes.library_runs`):
    the next statement is a library call too, which the handle runs after it. Otherwise the host waits
    for the library right after the call (the in-place wrapper waits itself, before its copy)."""
    after_queued: bool = False
    """The call before is `queued`: its product may still be running, so the loops that replace this
    call wait for it first, and the wait after this call, the last of the run, is made whatever
    this call's status."""

    @property
    def symbol(self) -> str:
        """The BLAS name of the routine for the dtype (`dgemm`, `sgemv`)."""
        return ("d" if self.dtype.bits == 64 else "s") + self.routine


@dataclass(frozen=True)
class TeamLoop:
    """A host loop whose steps only launch small target regions, run as one region instead
    (`passes.team_loops`): where every region's trip count is at most `limit` at the call, all of
    `loop` runs inside one `target parallel` region (one team on a GPU), each former region a
    worksharing `for` whose barrier orders the steps; elsewhere `fallback`, the launches as they
    were. `maps`/`device_ptrs` are the regions' own; `threads` the team's size (None: the runtime's);
    `nowait`: the kernel's regions are launched `nowait` (`passes.launches`), so the team's region is
    too, after the same order variable: it must not start before the regions launched before it."""

    loop: Loop
    fallback: Loop
    maps: tuple[MapClause, ...]
    device_ptrs: tuple[str, ...]
    threads: int | None
    limit: int
    device: int | None
    span: Span
    nowait: bool = False


Stmt = Union[Assign, ArrayAssign, Scatter, AtomicUpdate, CallStatement, LocalArray, Temporary, If, Loop, While, Break, Continue,
             Return, ParallelLoop, TargetData, UpdateFrom, TaskWait, LibraryCall, TeamLoop]

# ---------------------------------------------------------------------------------------------
# Kernels and modules.


@dataclass(frozen=True)
class LengthCheck:
    """Two lengths an array statement at `span` combines element by element (`y[:] = a + b`): NumPy
    raises when they differ, the loops would read past an array. Both are expressions of extents
    and scalar parameters only, so the runtime checks them before the call.

    With `array` set it is an access's precondition instead (`passes.bounds`): `left`, the extent of
    `array` along `dim`, must be at least `right`, the length the access at `span` needs, whenever
    every length in `when` (the trip counts of the loops around the access) is positive.

    `kind` says which NumPy error a mismatch is: "broadcast" (ValueError, operands that do not
    broadcast), "mask" (IndexError, an array read through a boolean mask of another shape) or
    "gather" (IndexError, index arrays that do not broadcast together)."""

    left: Expr
    right: Expr
    span: Span
    array: str | None = None
    dim: int = 0
    when: tuple[Expr, ...] = ()
    kind: str = "broadcast"
    reshape: tuple[Expr, ...] | None = None
    """A reshape's size check (`left` the new shape's size, `right` the operand's): the shape it
    asks, a -1 as itself, for NumPy's message ("cannot reshape array of size 12 into shape (5,)")."""


@dataclass(frozen=True)
class Failure:
    """A check only the running kernel can make (`frontend.guards`), for the error the caller raises
    when it fails: its number is its position in `Kernel.failures` plus one."""

    message: str
    span: Span
    error: str = "ValueError"
    """The Python exception the caller raises: `ValueError`, `IndexError`, `OverflowError`,
    `RuntimeError` or `LinAlgError` (`numpy.linalg.LinAlgError`)."""


@dataclass(frozen=True)
class Formatted:
    """One replacement field of a check's f-string message (`{A.shape}`, `{n:d}`): `value` is an
    expression of the arguments, or a tuple of them for an array's whole shape (formatted as Python
    formats the tuple `A.shape`); `spec` the format spec, `conversion` `r`, `s`, `a` or None."""

    value: "Expr | tuple[Expr, ...]"
    spec: str
    conversion: str | None
    span: Span


@dataclass(frozen=True)
class InputCheck:
    """An `assert` or `if ...: raise E(...)` at the kernel's top level whose condition reads only
    scalar parameters, extents, constants and arithmetic (`frontend.input_checks`): the caller
    evaluates `fails` (Python's truth of it) before the call, in source order with the length checks,
    and raises `error` with `message` (None: the exception without argument; else text and fields
    in order). It is no statement of the body: the C never sees it."""

    fails: Expr
    error: str
    message: "tuple[str | Formatted, ...] | None"
    span: Span


STATUS = "py2omp_failed"
"""The hidden `InOut[i32[:]]` parameter of one element, zero before the call, where a kernel with
`failures` records a failed check: `FAILED - number`, the largest value for the check first in the
source (`py2omp_` names are reserved)."""
FAILED = 2**31 - 1

STATUS_BASE = "py2omp_failed_base"
"""A device function's hidden `i32` parameter after `STATUS` (`passes.function_failures`): the number
in the calling kernel's `failures` before the function's first, so that its failure `k` records
`FAILED - (base + k)`."""


@dataclass(frozen=True)
class Movement:
    """How one array parameter moves, as `passes.ownership` decided it from what the kernel does.

    `declared` is the annotation's ownership (None: none written), `inferred` what the analysis alone
    gives (the ownership used when none is declared); `reason` says why, with Python lines;
    `written` is set for an `Out` array the compiler could not prove the kernel writes entirely:
    the boxes of elements it surely writes. When `sectioned` (every write has a box) the C maps it
    `alloc` and copies back just those boxes (`UpdateFrom`, on offload targets); otherwise the runtime
    refuses a call where they do not cover it.
    `section` (`In`/`InOut` arrays, `passes.sections`): the rows `[lo, hi)` of the first axis the
    device reads (and writes), the range the maps move, clamped to the extent by the C and the
    runtime; None: the whole array, and then `unsectioned` locates an access whose rows are known
    only on the device, if that is why.
    """

    array: str
    declared: Ownership | None
    inferred: Ownership
    reason: str
    written: tuple[tuple[Interval, ...], ...] | None = None
    sectioned: bool = False
    section: Interval | None = None
    unsectioned: Span | None = None


@dataclass(frozen=True)
class Allocation:
    """How an array the kernel makes (`y = np.zeros((n, m))` at its top level) is made: the caller
    allocates it (`shape`: integer expressions of constants, scalar parameters and extents of the
    user's arrays) and the kernel fills it on the device where the Python statement was; `fill` is
    the value of every element (`np.zeros`: 0, `np.ones`: 1, `np.full`: its value; None for `np.empty`).
    `chosen`: the two branches of an `if` make it with different shapes, and `shape` is the one the
    condition chooses, so its extents equal a statement's lengths only where that branch runs: they
    are not settled before the run (`ir.arrays.of_arguments`), and statements check them in place."""

    shape: tuple[Expr, ...]
    fill: Expr | None
    span: Span
    rebound: tuple[Expr, ...] = ()
    """Elements of the values bound again to the array's name in a loop or branch (`y = y > 0`,
    `frontend.rebinding.fill_again`), which fill it: typing checks that each has the array's dtype,
    as a kernel keeps one array per name there (NumPy would go on with the new array)."""
    chosen: bool = False


@dataclass(frozen=True)
class Results:
    """What a kernel that returns arrays returns, in Python order: each item names an array
    parameter (the user's or one the kernel made), or is None for the one scalar, which is the
    C function's return value; `as_tuple`: a tuple (`return y, s`), else the one item (`return y`)."""

    items: tuple[str | None, ...]
    as_tuple: bool
    span: Span
    elements: tuple[str, ...] = ()
    """Items returned as their one element: the scalars after the first (`return mean, var`), each
    kept in a one-element array the kernel makes, as the C function returns one value."""


@dataclass(frozen=True)
class Param:
    name: str
    type: "ScalarType | ArrayType | ArrayLike"
    ownership: Ownership | None
    span: Span
    allocation: Allocation | None = None
    """Set on an array the kernel makes: a hidden parameter after the user's, allocated by the caller."""
    default: int | float | bool | None = None
    """A scalar parameter's default value (`alpha: f64 = 1.5`): Python callers may omit the argument
    and the runtime passes it (manifest `default`); C and Fortran callers pass every argument."""

    @property
    def is_array(self) -> bool:
        return isinstance(self.type, (ArrayType, ArrayLike))


@dataclass(frozen=True)
class Kernel:
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    return_type: ScalarType | None
    locals: tuple[Var, ...]
    span: Span
    doc: str | None = None
    movement: tuple[Movement, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    device_variant: "Kernel | None" = None
    """The same kernel taking device pointers (`is_device_ptr`, no maps), on offload targets."""
    device: int | None = None
    length_checks: tuple[LengthCheck, ...] = ()
    chunk_variant: "Kernel | None" = None
    """The device-pointer variant that runs one share of each outermost `prange` (`kernel.on(devices)`),
    made only when asked (`Selection.chunked`)."""
    chunk_phases: tuple[ChunkPhase, ...] = ()
    """On a chunked variant: its outermost `prange`s, numbered as its calls back number them."""
    results: Results | None = None
    """Set when the kernel returns arrays (then `return_type` is the returned scalar, if any)."""
    failures: tuple[Failure, ...] = ()
    """Run-time checks; when there are any, the hidden parameter `STATUS` says which failed."""
    symbol: str | None = None
    """The exported C symbol when it is not the kernel's name: a specialization for a call's types."""
    boundscheck: bool = True
    """`@kernel(boundscheck=False)`: no in-kernel index checks (the caller's preconditions stay)."""
    input_checks: tuple[InputCheck, ...] = ()
    """The checks of its inputs the caller makes before the call (`InputCheck`), in source order."""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class FunctionParam:
    """A device function's parameter; `annotation` fixes its type, else each call site decides.
    `rank` > 0 marks an array parameter (the body indexes it with `rank` indices)."""

    name: str
    annotation: ScalarType | None
    span: Span
    rank: int = 0


@dataclass(frozen=True)
class Function:
    """A plain function called from a kernel, untyped: typing specializes it per argument types
    into a `Kernel` (`Module.device_functions`) that the backend emits as a `declare target` C function."""

    name: str
    params: tuple[FunctionParam, ...]
    body: tuple[Stmt, ...]
    return_type: ScalarType | None
    locals: tuple[Var, ...]
    span: Span
    failures: tuple[Failure, ...] = ()
    """The run-time checks of the statements the frontend lowers itself (`frontend.guards`)."""


@dataclass(frozen=True)
class Module:
    """All kernels of one Python file: they become one C file and one shared library.

    `functions` are the plain functions the kernels call (untyped); `device_functions` their typed
    specializations, callees before callers, filled by the pipeline.
    """

    path: str
    name: str
    source_sha256: str
    kernels: tuple[Kernel, ...]
    target: Target | None = None
    functions: tuple[Function, ...] = ()
    device_functions: tuple[Kernel, ...] = ()
