"""Which elements the C touches: the function run abstractly at small sample extents.

A map section is right when it covers every element the device reads or writes, and a copy-back
is right when its boxes cover every element the kernel writes. Both are questions about index
sets, and the emitted indices are affine in the loop variables with the extents (`x_n0`, ...) as
coefficients. Rather than solve them symbolically, the audit *runs* the function's control
structure (loops, integer assignments, `if`s, copy-back calls) with every extent set to
`SAMPLE_EXTENT` and every other integer parameter to `SAMPLE_SCALAR`, and records the flat index
of every dereference. The extents are all equal, which is the one assignment every kernel accepts
(shape checks compare extents for equality), and an index expression that is wrong for some
shapes is wrong for a square one as soon as it reaches past its array.

What the run cannot decide it does not guess: an index or loop bound that depends on data read
from memory (`x[indices[k]]`, `for (k = indptr[row]; ...)`), on a float, or on a host variable
the run does not know, makes that access *unknown*; the audit prints a note for it, neither a pass
nor a failure. So does a function whose run passes `STEP_LIMIT` steps.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from clang import cindex

from runtime_shim.bounds import Bound, arrays_in, evaluate

from translator.backend.lower import COPY_BACK
from translator.ir.nodes import STATUS

SAMPLE_EXTENT = 5
SAMPLE_SCALAR = 2
STEP_LIMIT = 400_000
GROWTH_LIMIT = 64

Env = dict[str, int | None]
Value = Callable[[Env], int | None]
"""A compiled integer expression: its value in an environment, None where unknown."""

_K = cindex.CursorKind
_TRANSPARENT = (_K.UNEXPOSED_EXPR, _K.PAREN_EXPR, _K.CSTYLE_CAST_EXPR)


class _TooLong(Exception):
    """The run passed `STEP_LIMIT` steps."""


class _CheckFails(Exception):
    """A run-time check of the kernel fails at the sample extents: the call raises there, so what
    the C writes after it says nothing (an `Out` element left unwritten is no fault)."""


@dataclass
class Observation:
    """What the sample run saw in one function."""

    params: Env
    touched: dict[tuple[int, str], set[int]] = field(default_factory=dict)
    """Per dereference (C offset) and pointer, the flat indices it touched. The pointer is part of the
    key because the dereferences inside one macro's expansion (`isnan(x[i] - mean[j])`) share the
    offset of the macro's name."""
    unknown: dict[int, str] = field(default_factory=dict)
    """Per dereference (C offset) whose index the run could not compute, why."""
    copied: list[tuple[str, int, frozenset[int]]] = field(default_factory=list)
    """(pointer, C offset, flat indices) of each copy-back call the run executed."""
    incomplete: str = ""
    """Why the run stopped early, if it did (then no section verdict is given)."""


class Sampler:
    """One function's integer skeleton, ready to run at sample extents (copied from libclang once)."""

    def __init__(self, function: cindex.Cursor, pointers: dict[str, str]) -> None:
        self.pointers = frozenset(pointers)
        self.extents: dict[str, str] = {}
        """Extent parameter -> the pointer whose extent it is."""
        self.scalars: dict[str, bool] = {}
        """Other non-pointer parameter -> whether it is an integer."""
        for arg in function.get_arguments():
            if arg.type.kind == cindex.TypeKind.POINTER:
                continue
            owner, _, dim = arg.spelling.rpartition("_n")
            if owner in pointers and dim.isdigit():
                self.extents[arg.spelling] = owner
            else:
                self.scalars[arg.spelling] = _is_integral(arg.type)
        body = next((c for c in function.get_children() if c.kind == _K.COMPOUND_STMT), None)
        self.body = _node(body) if body is not None else None
        self.growth = SAMPLE_EXTENT ** 2 + min(_largest_index_literal(self.body), GROWTH_LIMIT) if self.body else 0
        """How much larger the grown array's extents are: enough for its constant indices
        (`out[i, 11]`) and for a 1-D array read as a 2-D one (`x.reshape(2, -1)`)."""
        self.made: dict[str, tuple[Bound, ...]] = {}
        """Array the kernel makes -> the shape its caller allocates (`allocate`)."""
        self.checks: tuple[tuple[int, Bound, Bound], ...] = ()
        """The kernel's length checks `(line, left, right)`: a run where one fails is no call."""
        self._runs: dict[tuple[str | None, bool], Observation] = {}

    def allocate(self, made: dict[str, tuple[Bound, ...]], checks: tuple[tuple[int, Bound, Bound], ...] = ()) -> None:
        """Give the arrays the kernel makes the extents their caller allocates, computed from the
        sample extents of the user's arguments: free extents would let the run write a result of
        `x.reshape(3, -1)` as a 5 x 5 array and call its last rows never written. `checks`: the
        kernel's length checks; where equal extents fail one (vadv's `wcon` has a row more than its
        other arrays) the caller never runs the C there, and the first run says so instead of
        sampling (the grown runs are the audit's own guesses, which break such checks anyway)."""
        self.made, self.checks = made, checks
        self._runs.clear()

    def run(self, grown: str | None = None, others: bool = False) -> Observation:
        """Run with every extent `SAMPLE_EXTENT`; given `grown`, that array's extents are larger by
        `growth` (an array may be larger than the others by a precondition the C does not state:
        CSR's `indptr` is one longer than the rows, a convolution's image `kh - 1` longer than its
        output, a table written at constant columns as wide as the largest). With `others`, every
        other array's extents are the larger ones instead (an output may be shorter than its input:
        `lo = np.empty(n - 1)`)."""
        key = (grown, others)
        if key not in self._runs:
            params: Env = {
                name: SAMPLE_EXTENT + self.growth * ((owner == grown) != others) for name, owner in self.extents.items()
            }
            params.update({name: SAMPLE_SCALAR if integral else None for name, integral in self.scalars.items()})
            params.update(self._allocated(params))
            seen = Observation(dict(params))
            refused = self._refused(params) if key == (None, False) else ""  # grown runs break checks on purpose
            try:
                if refused:
                    seen.incomplete = refused
                elif self.body is not None:
                    _Runner(self.pointers, seen).statement(self.body, params)
            except _TooLong:
                seen.incomplete = f"the sample run passed {STEP_LIMIT} steps"
            except _CheckFails:
                seen.incomplete = "a run-time check fails at the sample extents, where the call raises"
            self._runs[key] = seen
        return self._runs[key]

    def _refused(self, params: Env) -> str:
        """Why no call runs the C at `params`, or "": a length check that fails there and compares
        extents of two arrays or more, so that it is the equal extents that fail it (a check of one
        array, `x.reshape(3, -1)`'s, fails for the sample value alone: the run still shows what the C
        touches)."""
        shapes, scalars = self._arguments(params, with_made=True)
        for line, left, right in self.checks:
            if len(set(arrays_in(left)) | set(arrays_in(right))) < 2:
                continue
            try:
                if evaluate(left, shapes, scalars) != evaluate(right, shapes, scalars):  # type: ignore[arg-type]
                    return f"the sample extents fail the length check of line {line}, so no call runs the C there"
            except (KeyError, IndexError, TypeError, ValueError):
                continue
        return ""

    def _arguments(self, params: Env, with_made: bool = False) -> tuple[dict[str, tuple[int | None, ...]], Env]:
        """The arrays' shapes and the scalars at `params` (the arrays the kernel makes `with_made`)."""
        dims: dict[str, dict[int, int | None]] = {}
        for name, owner in self.extents.items():
            dims.setdefault(owner, {})[int(name.rpartition("_n")[2])] = params[name]
        shapes = {owner: tuple(found[d] for d in sorted(found)) for owner, found in dims.items()
                  if with_made or owner not in self.made}
        return shapes, {name: value for name, value in params.items() if name in self.scalars}

    def _allocated(self, params: Env) -> Env:
        """The extents of the arrays the kernel makes, from their shapes at `params` (None where a
        shape needs a value the run does not know)."""
        shapes, scalars = self._arguments(params)
        allocated: Env = {}
        for array, shape in self.made.items():
            for dim, bound in enumerate(shape):
                try:
                    allocated[f"{array}_n{dim}"] = evaluate(bound, shapes, scalars)  # type: ignore[arg-type]
                except (KeyError, IndexError, TypeError, ValueError):
                    allocated[f"{array}_n{dim}"] = None
        return allocated


def evaluate_text(text: str, env: Env) -> int | None:
    """The value of a C integer expression given as text (a map section's bound), None if unknown."""
    try:
        tree = ast.parse(text.replace("(int64_t)", ""), mode="eval")
    except SyntaxError:
        return None
    return _ast_value(tree.body, env)


def _ast_value(node: ast.expr, env: Env) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _ast_value(node.operand, env)
        return None if value is None else -value
    if isinstance(node, ast.BinOp):
        op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}.get(type(node.op))
        left, right = _ast_value(node.left, env), _ast_value(node.right, env)
        return _binary(op or "?", left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):  # a section's clamping
        return _helper(node.func.id, [_ast_value(arg, env) for arg in node.args])
    return None


_INTEGRAL = frozenset("int8_t uint8_t int16_t uint16_t int32_t uint32_t int64_t uint64_t int long bool".split())


def _binary(op: str, left: int | None, right: int | None) -> int | None:
    """C semantics of an integer binary operator; None when an operand is unknown or the op is not integral."""
    if left is None or right is None:
        return None
    if op in ("/", "%"):
        if right == 0:
            return None
        quotient = abs(left) // abs(right) * (1 if (left < 0) == (right < 0) else -1)
        return quotient if op == "/" else left - quotient * right
    table: dict[str, Callable[[int, int], int]] = {
        "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "<": lambda a, b: int(a < b), "<=": lambda a, b: int(a <= b), ">": lambda a, b: int(a > b),
        ">=": lambda a, b: int(a >= b), "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
        "&&": lambda a, b: int(bool(a) and bool(b)), "||": lambda a, b: int(bool(a) or bool(b)),
    }
    return table[op](left, right) if op in table else None


def _helper(name: str, args: list[int | None]) -> int | None:
    """The integer helpers the backend emits (`py2omp_wrap_index`, `py2omp_min_i64`, ...)."""
    if any(a is None for a in args) or not name.startswith("py2omp_"):
        return None
    values = [a for a in args if a is not None]
    family = name.removeprefix("py2omp_")
    if family == "wrap_index" and len(values) == 2:
        return values[0] + values[1] if values[0] < 0 else values[0]
    if family.startswith("min_") or family.startswith("max_"):
        return min(values) if family.startswith("min_") else max(values)
    if family.startswith("floordiv_") and len(values) == 2 and values[1]:
        return values[0] // values[1]
    if family.startswith("mod_") and len(values) == 2 and values[1]:
        return values[0] % values[1]
    return None


@dataclass
class _Node:
    """A cursor, copied once into plain Python so the sample run does not call libclang per step."""

    kind: cindex.CursorKind
    op: str
    name: str
    offset: int
    children: list[_Node]
    records_failure: bool = False
    """An `if` whose `else` records a failed run-time check (`ir.checks`: it writes the status)."""


def _node(cursor: cindex.Cursor) -> _Node:
    while cursor.kind in _TRANSPARENT and cursor.kind != _K.CSTYLE_CAST_EXPR or (
        cursor.kind == _K.CSTYLE_CAST_EXPR and _is_integral(cursor.type)
    ):
        inner = [c for c in cursor.get_children() if c.kind != _K.TYPE_REF]
        if len(inner) != 1:
            break
        cursor = inner[0]
    children = [_node(c) for c in cursor.get_children() if c.kind != _K.TYPE_REF]
    op, name = "", str(cursor.spelling)
    if cursor.kind in (_K.BINARY_OPERATOR, _K.COMPOUND_ASSIGNMENT_OPERATOR):
        # Counted in tokens, not offsets: inside a macro's expansion (`isnan(x[i])`) extents are empty.
        left = sum(1 for _ in next(cursor.get_children()).get_tokens())
        op = next((t.spelling for n, t in enumerate(cursor.get_tokens()) if n == left), "")
    elif cursor.kind == _K.UNARY_OPERATOR:
        spelled = [t.spelling for t in cursor.get_tokens()]
        op = next((s for s in spelled if s in ("++", "--")), spelled[0] if spelled else "")
    elif cursor.kind == _K.INTEGER_LITERAL:
        name = next((t.spelling for t in cursor.get_tokens()), "0").rstrip("uUlL")
    elif cursor.kind == _K.VAR_DECL:
        op = "int" if _is_integral(cursor.type) else ""
    fails = cursor.kind == _K.IF_STMT and len(children) == 3 and _mentions(children[2], STATUS)
    return _Node(cursor.kind, op, name, cursor.extent.start.offset, children, fails)


def _mentions(node: _Node, name: str) -> bool:
    return (node.kind == _K.DECL_REF_EXPR and node.name == name) or any(_mentions(c, name) for c in node.children)


def _largest_index_literal(node: _Node, in_index: bool = False) -> int:
    """The largest integer literal inside an array index below `node` (0 if none)."""
    if node.kind == _K.INTEGER_LITERAL:
        return int(node.name, 0) if in_index else 0
    inside = [in_index or (node.kind == _K.ARRAY_SUBSCRIPT_EXPR and pos == 1) for pos in range(len(node.children))]
    return max((_largest_index_literal(c, i) for c, i in zip(node.children, inside)), default=0)


def _is_integral(ctype: cindex.Type) -> bool:
    return ctype.get_canonical().kind in _INTEGRAL_KINDS


_INTEGRAL_KINDS = frozenset({
    cindex.TypeKind.BOOL, cindex.TypeKind.CHAR_S, cindex.TypeKind.SCHAR, cindex.TypeKind.UCHAR,
    cindex.TypeKind.SHORT, cindex.TypeKind.USHORT, cindex.TypeKind.INT, cindex.TypeKind.UINT,
    cindex.TypeKind.LONG, cindex.TypeKind.ULONG, cindex.TypeKind.LONGLONG, cindex.TypeKind.ULONGLONG,
})


class _Runner:
    """Executes the integer skeleton of a function body, recording dereferences and copy-backs."""

    def __init__(self, pointers: frozenset[str], seen: Observation) -> None:
        self.pointers = pointers
        self.seen = seen
        self.steps = 0

    def statement(self, node: _Node, env: Env) -> None:
        self.steps += 1
        if self.steps > STEP_LIMIT:
            raise _TooLong
        kind = node.kind
        if kind == _K.COMPOUND_STMT:
            for child in node.children:
                self.statement(child, env)
        elif kind == _K.DECL_STMT:
            for decl in node.children:
                init = self.value(decl.children[-1], env) if decl.children else None
                env[decl.name] = init if decl.op == "int" else None
        elif kind == _K.FOR_STMT:
            self.loop(node, env)
        elif kind == _K.IF_STMT:
            self.branch(node, env)
        elif kind in (_K.WHILE_STMT, _K.DO_STMT):
            for child in node.children:
                self.statement(child, env) if child.kind.is_statement() else self.value(child, env)
        elif kind.is_expression():
            self.value(node, env)
        else:
            for child in node.children:
                self.statement(child, env) if child.kind.is_statement() else self.value(child, env)

    def loop(self, node: _Node, env: Env) -> None:
        """`for (init; cond; inc) body`, iterated while `cond` is known and true; once, with the
        loop variable unknown, when `cond` is unknown."""
        init, cond, inc, body = node.children
        self.statement(init, env)
        while True:
            going = self.value(cond, env)
            if going is None:
                for decl in init.children:
                    env[decl.name] = None
                self.statement(body, env)
                return
            if not going:
                return
            self.statement(body, env)
            self.value(inc, env)

    def branch(self, node: _Node, env: Env) -> None:
        """Both arms run where the condition is unknown (a guard on data): an access on either counts."""
        cond, *arms = node.children
        taken = self.value(cond, env)
        if node.records_failure and taken is not None and not taken:
            raise _CheckFails
        for pos, arm in enumerate(arms):
            if taken is None or bool(taken) == (pos == 0):
                self.statement(arm, env)

    def value(self, node: _Node, env: Env) -> int | None:
        kind = node.kind
        if kind == _K.INTEGER_LITERAL:
            return int(node.name, 0)
        if kind == _K.DECL_REF_EXPR:
            return env.get(node.name)
        if kind == _K.ARRAY_SUBSCRIPT_EXPR:
            self.dereference(node, env)
            return None
        if kind == _K.BINARY_OPERATOR:
            return self.binary(node, env)
        if kind == _K.COMPOUND_ASSIGNMENT_OPERATOR:
            target, right = node.children
            self.value(target, env)
            result = _binary(node.op[:-1], env.get(target.name), self.value(right, env))
            self.assign(target, result, env)
            return result
        if kind == _K.UNARY_OPERATOR:
            return self.unary(node, env)
        if kind == _K.CONDITIONAL_OPERATOR:
            cond, yes, no = node.children
            taken = self.value(cond, env)
            if taken is None:
                self.value(yes, env)
                self.value(no, env)
                return None
            return self.value(yes if taken else no, env)
        if kind == _K.CALL_EXPR:
            return self.call(node, env)
        if len(node.children) == 1 and kind in (_K.UNEXPOSED_EXPR, _K.PAREN_EXPR):
            return self.value(node.children[0], env)
        for child in node.children:
            self.value(child, env)
        return None

    def binary(self, node: _Node, env: Env) -> int | None:
        left, right = node.children
        if node.op == "=":
            result = self.value(right, env)
            if left.kind == _K.DECL_REF_EXPR:
                self.assign(left, result, env)
            else:
                self.value(left, env)
            return result
        return _binary(node.op, self.value(left, env), self.value(right, env))

    def unary(self, node: _Node, env: Env) -> int | None:
        (operand,) = node.children
        if node.op == "*":
            self.record(node.offset, operand, env)
            return None
        value = self.value(operand, env)
        if node.op in ("++", "--"):
            result = _binary(node.op[0], value, 1)
            self.assign(operand, result, env)
            return result
        if value is None:
            return None
        return {"-": -value, "!": int(not value), "+": value}.get(node.op)

    def assign(self, target: _Node, result: int | None, env: Env) -> None:
        if target.kind == _K.DECL_REF_EXPR and target.name in env:
            env[target.name] = result

    def dereference(self, node: _Node, env: Env) -> None:
        base, index = node.children
        if base.kind == _K.DECL_REF_EXPR and base.name in self.pointers:
            self.touch(node.offset, base.name, self.value(index, env))
        else:
            self.value(base, env)
            self.value(index, env)

    def record(self, at: int, operand: _Node, env: Env) -> None:
        """`*p` or `*(p + k)` on a pointer parameter, at C offset `at`."""
        if operand.kind == _K.DECL_REF_EXPR and operand.name in self.pointers:
            self.touch(at, operand.name, 0)
        elif operand.kind == _K.BINARY_OPERATOR and operand.children[0].kind == _K.DECL_REF_EXPR:
            pointer, offset = operand.children
            self.touch(at, pointer.name, self.value(offset, env))
        else:
            self.value(operand, env)

    def touch(self, offset: int, pointer: str, index: int | None) -> None:
        if pointer not in self.pointers:
            return
        if index is None:
            self.seen.unknown.setdefault(offset, "its index depends on data or on a value the audit does not know")
        else:
            self.seen.touched.setdefault((offset, pointer), set()).add(index)

    def call(self, node: _Node, env: Env) -> int | None:
        callee, *args = node.children
        if node.name == COPY_BACK and len(args) >= 6:
            self.copy_back(args, env, node.offset)
            return None
        return _helper(node.name, [self.value(a, env) for a in args])

    def copy_back(self, args: list[_Node], env: Env, offset: int) -> None:
        """Record the flat indices of the box [lo, hi) (clamped to [0, n)) a copy-back call moves."""
        pointer = args[0]
        raw = [self.tuple(a, env) for a in args[3:6]]
        if pointer.kind != _K.DECL_REF_EXPR or any(None in t for t in raw) or len({len(t) for t in raw}) != 1:
            return
        n, lo, hi = ([v for v in t if v is not None] for t in raw)
        box = [range(max(0, min(low, e)), max(0, min(high, e))) for e, low, high in zip(n, lo, hi)]
        flat = {0}
        for extent, span in zip(n, box):
            flat = {f * extent + k for f in flat for k in span}
        self.seen.copied.append((pointer.name, offset, frozenset(flat)))

    def tuple(self, node: _Node, env: Env) -> list[int | None]:
        """The values of a compound literal `(int64_t[]){a, b}`."""
        while node.kind != _K.INIT_LIST_EXPR and node.children:
            node = node.children[-1]
        return [self.value(c, env) for c in node.children] if node.kind == _K.INIT_LIST_EXPR else [None]
