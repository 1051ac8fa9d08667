"""Read/write analysis of array parameters: what each kernel reads, writes, and which elements for sure.

Data movement is decided from these facts (`passes.ownership`): an array whose old values the kernel
reads must be copied to the device, one it writes must come back, and an `Out` array may come back
without being copied in only if the kernel writes every element the host will see.

- A *read before write* is a read of an element that no earlier statement of the same iteration
  wrote with the same index expressions; only such reads need the caller's values.
- A *write box* is the set of elements one assignment writes for sure: one half-open interval per
  dimension, bounds as loop-invariant expressions (constants, extents, unassigned scalar parameters),
  from the ranges of the enclosing loops. An element that every arm of an `if`/`else` writes counts
  as written by the `if` itself. Any other assignment under `if`/`while`, in a loop with `break`
  or `continue` or a step other than 1, or with an index that is not `i`, `i + e`, `i - e` (`i` a
  loop variable) or invariant `e`, has no box. A box also carries, after its `rank` intervals, the
  ranges of enclosing loops no index uses (*guards*): it is empty unless each of them is non-empty.
- Extents that an array statement's length checks make equal (`w[:] = 2.0 * v` checks `w.shape[0] ==
  v.shape[0]` before the call, `ir.LengthCheck`) are one extent when a read is compared with the
  elements written: `u[:] = w + 1.0` then reads only what `w[:] = ...` wrote, whichever extent each
  statement's loop runs to. Only a kernel's own checks count (the caller makes them before it runs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from translator.errors import Span
from translator.ir import nodes as ir
from translator.passes.equal_lengths import EqualLengths, shape_key
from translator.ir.types import I64
from translator.ir.visit import Visitor, rewrite, walk, walk_all


@dataclass(frozen=True)
class Write:
    """One assignment to an element; `box` is None when it may not happen or its elements are unknown."""

    span: Span
    box: tuple[ir.Interval, ...] | None


@dataclass(frozen=True)
class ArrayAccess:
    """Everything the kernel does with one array parameter, in source order."""

    name: str
    rank: int
    reads: tuple[Span, ...]
    first_read_before_write: Span | None
    writes: tuple[Write, ...]


def analyze_access(kernel: ir.Kernel, functions: Mapping[str, ir.Kernel] | None = None) -> dict[str, ArrayAccess]:
    """The access facts of every array parameter of `kernel`, by name; `functions` are the device
    function specializations by C symbol, whose effects on arrays passed to them count too."""
    return _facts(kernel, functions or {}, EqualLengths(kernel.length_checks).extent_classes())


def _facts(kernel: ir.Kernel, functions: Mapping[str, ir.Kernel],
           extents: dict[object, object]) -> dict[str, ArrayAccess]:
    """`analyze_access` with the extents known equal (`EqualLengths.extent_classes`; none for a device function)."""
    walker = _Walker(kernel, functions, extents)
    walker.block(kernel.body, _State({}, frozenset(), False))
    return {
        p.name: ArrayAccess(
            p.name,
            p.type.rank,  # type: ignore[union-attr]
            tuple(walker.reads.get(p.name, ())),
            walker.early_reads.get(p.name),
            tuple(walker.writes.get(p.name, ())),
        )
        for p in kernel.params if p.is_array
    }


def strip(expr: ir.Expr) -> ir.Expr:
    """`expr` without integer casts, which typing inserts around loop bounds and indices."""
    while isinstance(expr, ir.Cast) and expr.type is not None and expr.type.is_int:
        expr = expr.operand
    return expr


@dataclass(frozen=True)
class _State:
    """Where the walk is: ranges of enclosing exact loops, elements written so far, and whether
    the current statement may be skipped (under a condition or after a possible `break`)."""

    loops: dict[str, ir.Interval]
    written: frozenset[object]
    conditional: bool
    settled: frozenset[object] = frozenset()
    """Elements that every arm of an enclosing `if`/`else` writes: already recorded as one write."""


class _Walker(Visitor[[_State], _State]):
    """Records the facts while walking the body in order; each statement maps the state before it
    to the state after it."""

    def __init__(self, kernel: ir.Kernel, functions: Mapping[str, ir.Kernel], extents: dict[object, object]) -> None:
        self.functions = functions
        self.extents = extents
        self.params = {p.name for p in kernel.params if not p.is_array}
        self.assigned = {n.target.id for n in walk_all(kernel.body) if isinstance(n, ir.Assign)
                         and isinstance(n.target, ir.Name)}
        self.aliases = _top_level_constants(kernel, self.params - self.assigned)
        self.reads: dict[str, list[Span]] = {}
        self.early_reads: dict[str, Span] = {}
        self.writes: dict[str, list[Write]] = {}

    def block(self, stmts: tuple[ir.Stmt, ...], state: _State) -> _State:
        for stmt in stmts:
            state = self.visit(stmt, state)
        return state

    def visit_CallStatement(self, stmt: ir.CallStatement, state: _State) -> _State:
        self.read(stmt.call, state)
        return state

    def visit_While(self, stmt: ir.While, state: _State) -> _State:
        self.read(stmt.cond, state)
        self.block(stmt.body, dataclasses.replace(state, conditional=True))
        return state

    def visit_Return(self, stmt: ir.Return, state: _State) -> _State:
        if stmt.value is not None:
            self.read(stmt.value, state)
        return state

    def unchanged(self, stmt: ir.Stmt, state: _State) -> _State:
        """A jump, or a declaration whose shape reads no array element."""
        return state

    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = unchanged

    def visit_If(self, stmt: ir.If, state: _State) -> _State:
        """An element that every arm writes is written for sure, as if by one unconditional write.
        A guard's statement counts as run: when its check fails the call raises (`frontend.guards`)."""
        self.read(stmt.cond, state)
        if stmt.guard:
            self.block(stmt.orelse, dataclasses.replace(state, conditional=True))
            return self.block(stmt.body, state)
        every_arm = _written_by_every_arm(stmt)
        for key, target in every_arm.items():
            if key not in state.settled:
                box = None if state.conditional else self.box(target.indices, state.loops)
                self.writes.setdefault(target.array, []).append(Write(stmt.span, box))
        inner = dataclasses.replace(state, conditional=True, settled=state.settled | set(every_arm))
        self.block(stmt.body, inner)
        self.block(stmt.orelse, inner)
        return dataclasses.replace(state, written=state.written | set(every_arm))

    def visit_LibraryCall(self, stmt: ir.LibraryCall, state: _State) -> _State:
        """The library reads and writes the elements its loops do (they are the statement it computes),
        so the loops speak for both; recording its failure is conditional, as a guard's is."""
        self.block(stmt.orelse, dataclasses.replace(state, conditional=True))
        return self.block(stmt.body, state)

    def visit_AtomicUpdate(self, stmt: ir.AtomicUpdate, state: _State) -> _State:
        """An atomic update reads the element's old value (it accumulates into it) and writes it,
        at an element no box describes (many iterations may hit it)."""
        self.read(stmt.value, state)
        for index in stmt.target.indices:
            self.read(index, state)
        self.reads.setdefault(stmt.target.array, []).append(stmt.span)
        self.early_reads.setdefault(stmt.target.array, stmt.span)
        self.writes.setdefault(stmt.target.array, []).append(Write(stmt.span, None))
        return state

    def call(self, call: ir.CallFunction) -> None:
        """Arrays passed whole to a device function: read (before written) and written as the
        function does, at elements no box describes."""
        callee = self.functions.get(call.symbol or "")
        if callee is None:
            return
        effects = _facts(callee, self.functions, {})  # its own extents: none known equal
        for param, arg in zip(callee.params, call.args):
            if not isinstance(arg, ir.ArrayArg) or param.name not in effects:
                continue
            effect = effects[param.name]
            if effect.reads:
                self.reads.setdefault(arg.array, []).append(call.span)
            if effect.first_read_before_write is not None:
                self.early_reads.setdefault(arg.array, call.span)
            if effect.writes:
                self.writes.setdefault(arg.array, []).append(Write(call.span, None))

    def visit_Assign(self, stmt: ir.Assign, state: _State) -> _State:
        self.read(stmt.value, state)
        target = stmt.target
        if isinstance(target, ir.Name):
            return dataclasses.replace(state, written=frozenset(
                key for key in state.written if not _mentions(key, target.id)))
        for index in target.indices:
            self.read(index, state)
        if shape_key(target) not in state.settled:
            box = None if state.conditional else self.box(target.indices, state.loops)
            self.writes.setdefault(target.array, []).append(Write(stmt.span, box))
        return dataclasses.replace(state, written=state.written | {shape_key(target)})

    def visit_Loop(self, loop: ir.Loop, state: _State) -> _State:
        """The body once, in a state where the variable is fresh; after an exact, unconditional loop
        its writes count for the whole range (`y[i]` for `i` in `[0, n)`), so later loops may read them."""
        self.read(loop.start, state)
        self.read(loop.stop, state)
        exits = _exits(loop.body)
        start, stop = self.resolve(loop.start), self.resolve(loop.stop)
        exact = loop.step == 1 and not exits and self.invariant(start) and self.invariant(stop)
        span = ir.Interval(strip(start), strip(stop))
        loops = {**state.loops, loop.var: span} if exact else state.loops
        written = frozenset(key for key in state.written if not _mentions(key, loop.var))
        after = self.block(loop.body, _State(loops, written, state.conditional or not exact))
        if not exact or state.conditional:
            return state
        ranged = {_substitute(key, {loop.var: span}) for key in after.written - written}
        stable = {key for key in ranged if not any(_mentions(key, name) for name in self.assigned)}
        return dataclasses.replace(state, written=state.written | stable)

    def read(self, expr: ir.Expr, state: _State) -> None:
        for node in walk(expr):
            if isinstance(node, ir.CallFunction):
                self.call(node)
            if isinstance(node, ir.Index):
                self.reads.setdefault(node.array, []).append(node.span)
                key, written = shape_key(node), {self.canonical(k) for k in state.written}
                if not any(self.canonical(_substitute(key, loops)) in written for loops in _subsets(state.loops)):
                    self.early_reads.setdefault(node.array, node.span)

    def canonical(self, key: object) -> object:
        """`key` with each extent replaced by the one its length checks make it equal to."""
        if key in self.extents:
            return self.extents[key]
        if isinstance(key, tuple):
            return tuple(self.canonical(k) for k in key)
        return key

    def box(self, indices: tuple[ir.Expr, ...], loops: dict[str, ir.Interval]) -> tuple[ir.Interval, ...] | None:
        """The index intervals, then the guards: ranges of enclosing loops that no index uses."""
        intervals = tuple(self.interval(strip(i), loops) for i in indices)
        if any(i is None for i in intervals):
            return None
        used = {n.id for i in indices for n in walk(i) if isinstance(n, ir.Name)}
        return (*intervals, *(span for var, span in loops.items() if var not in used))  # type: ignore[arg-type]

    def interval(self, index: ir.Expr, loops: dict[str, ir.Interval]) -> ir.Interval | None:
        """The indices one subscript takes over the enclosing exact loops: `i`, `i + e`, `i - e`, or an
        invariant `e` (`e` invariant)."""
        resolved = self.resolve(index)
        if self.invariant(resolved):
            return ir.Interval(resolved, ir.Binary("+", resolved, ir.Const(1, index.span, I64), index.span, I64))
        if isinstance(index, ir.Name) and index.id in loops:
            return loops[index.id]
        if isinstance(index, ir.Call) and index.func == "wrap_index":
            return self.interval(strip(index.args[0]), loops)  # the runtime ignores boxes reaching below 0
        if isinstance(index, ir.Binary) and index.op in "+-":
            right, left = self.resolve(index.right), strip(index.left)
            if self.invariant(right) and isinstance(left, ir.Name) and left.id in loops:
                return ir.Interval(*(ir.Binary(index.op, bound, right, index.span, I64)
                                     for bound in (loops[left.id].lo, loops[left.id].hi)))
        return None

    def resolve(self, expr: ir.Expr) -> ir.Expr:
        """`expr` with each top-level constant local (`n = a.shape[0]`) replaced by its value."""
        return rewrite(expr, lambda node: self.aliases.get(node.id, node) if isinstance(node, ir.Name) else node)

    def invariant(self, expr: ir.Expr) -> bool:
        """Whether the runtime can evaluate `expr` from the arguments alone (manifest `writes`)."""
        return all(_invariant_node(n, self.params - self.assigned) for n in walk(expr))


def _top_level_constants(kernel: ir.Kernel, params: set[str]) -> dict[str, ir.Expr]:
    """Locals assigned exactly once, by a top-level statement, a value the runtime can compute from
    the arguments (`n = a.shape[0]`): loop bounds written with them still give write boxes."""
    counts: dict[str, int] = {}
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name):
            counts[node.target.id] = counts.get(node.target.id, 0) + 1
    aliases: dict[str, ir.Expr] = {}
    for stmt in kernel.body:
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and counts[stmt.target.id] == 1:
            value = rewrite(stmt.value, lambda n: aliases.get(n.id, n) if isinstance(n, ir.Name) else n)
            if all(_invariant_node(n, params) for n in walk(value)):
                aliases[stmt.target.id] = strip(value)
    return aliases


def _invariant_node(node: object, params: set[str]) -> bool:
    if isinstance(node, ir.Name):
        return node.id in params
    if isinstance(node, ir.Binary):
        return node.op in ("+", "-", "*", "//")
    if isinstance(node, (ir.Const, ir.Cast)):
        return node.type is None or node.type.is_int
    return isinstance(node, ir.Extent)


def _mentions(key: object, name: str) -> bool:
    """Whether a `shape_key` refers to the variable `name` (its element is stale once `name` changes)."""
    return key == ("Name", name) or (isinstance(key, tuple) and any(_mentions(k, name) for k in key))



def _substitute(key: object, loops: dict[str, ir.Interval]) -> object:
    """`key` with each loop variable replaced by the range it runs over."""
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "Name" and key[1] in loops:
        interval = loops[key[1]]
        return ("Range", shape_key(interval.lo), shape_key(interval.hi))
    if isinstance(key, tuple):
        return tuple(_substitute(k, loops) for k in key)
    return key


def _written_by_every_arm(stmt: ir.If) -> dict[object, ir.Index]:
    """Elements (by `shape_key`) that both arms of `stmt` surely write, with index expressions
    that mean the same in both (no name they mention is assigned in either arm)."""
    if not stmt.orelse:
        return {}
    body, orelse = _surely_written(stmt.body), _surely_written(stmt.orelse)
    assigned = {n.target.id for n in walk_all(stmt.body + stmt.orelse)
                if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}
    return {key: target for key, target in body.items()
            if key in orelse and not any(_mentions(key, name) for name in assigned)}


def _surely_written(stmts: tuple[ir.Stmt, ...]) -> dict[object, ir.Index]:
    found: dict[object, ir.Index] = {}
    for stmt in stmts:
        if isinstance(stmt, (ir.Break, ir.Continue, ir.Return)):
            break
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Index):
            found[shape_key(stmt.target)] = stmt.target
        elif isinstance(stmt, ir.If):
            found.update(_surely_written(stmt.body) if stmt.guard else _written_by_every_arm(stmt))
    return found


def _subsets(loops: dict[str, ir.Interval]) -> list[dict[str, ir.Interval]]:
    """Every choice of enclosing loops whose variable a read may be compared over: `y[i, j]` after a
    loop over `j` wrote `y[i, 0:n]` matches with only `j` replaced by its range."""
    subsets: list[dict[str, ir.Interval]] = [{}]
    for var, interval in loops.items():
        subsets += [{**subset, var: interval} for subset in subsets]
    return subsets


def _exits(body: tuple[ir.Stmt, ...]) -> bool:
    """Whether `break`/`continue` may leave an iteration of the loop whose body this is early."""
    for stmt in body:
        if isinstance(stmt, (ir.Break, ir.Continue)):
            return True
        if isinstance(stmt, ir.If) and (_exits(stmt.body) or _exits(stmt.orelse)):
            return True
    return False
