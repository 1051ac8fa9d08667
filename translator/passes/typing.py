"""Typing: infer each local's one type, then type every expression with explicit conversions.

A local's type is the join of the types of everything assigned to it (found by iterating to a fixed
point, since assignments can read other locals), unless the user annotated it (`s: f64 = 0`).
Loop variables are Python ints. Values are converted on store, as NumPy converts on assignment.
The arrays the frontend makes have the dtype NumPy gives their value (`ir.ArrayLike`): it is found
in the same fixed point, since a local may read such an array and such an array may be made from a
local, and written into the kernel before its expressions are typed. Typing runs once, here.
"""

from __future__ import annotations

import dataclasses
import functools

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.arrays import array_shape, as_index, leaf_shape, tier_leaves
from translator.ir.types import PY_INT, ArrayType, ScalarType, join, promote, type_of
from translator.ir.visit import StmtTransformer, rewrite_body, walk_all
from translator.passes.expr_types import ExprTyper, FunctionTyper, UnknownName, cast, fits

ATOMIC_NAMES = {"+": "atomic_add", "-": "atomic_sub", "min": "atomic_min", "max": "atomic_max"}
"""The Python spelling of each atomic operator, for messages (the frontend's table, inverted)."""


def type_kernel(kernel: ir.Kernel, functions: FunctionTyper | None = None, strong_return: bool = True) -> ir.Kernel:
    """`kernel` with every expression typed; `functions` types calls of device functions.

    The return type is the annotation, else the join of every returned value: a kernel returns
    a NumPy scalar (`strong_return`), a device function may return a weak Python number.
    """
    env, dtypes = infer_local_types(kernel, functions)
    kernel = _with_array_types(kernel, dtypes, ExprTyper(env, kernel, functions, dtypes))
    typer = ExprTyper(env, kernel, functions)
    body = _StmtTyper(typer).block(kernel.body)
    _check_integer_constants(body)
    if kernel.return_type is not None:
        _check_returned_kinds(body, kernel.return_type)
    return_type = kernel.return_type or _returned_type(body, strong_return)
    if return_type is not None:
        body = rewrite_body(body, lambda node: _cast_return(node, return_type))
    params = {p.name for p in kernel.params}
    loop_vars = {n.var for n in walk_all(kernel.body) if isinstance(n, ir.Loop)}
    locals_ = tuple(ir.Var(n, t) for n, t in env.items() if n not in params and n not in loop_vars)
    return dataclasses.replace(kernel, body=body, return_type=return_type, locals=locals_)


def _returned_type(body: tuple[ir.Stmt, ...], strong: bool) -> ScalarType | None:
    types = [type_of(n.value) for n in walk_all(body) if isinstance(n, ir.Return) and n.value is not None]
    if not types:
        return None
    if len(types) != sum(isinstance(n, ir.Return) for n in walk_all(body)):
        bare = next(n for n in walk_all(body) if isinstance(n, ir.Return) and n.value is None)
        raise TranslationError.at(bare.span, "`return` without a value in a function that returns values elsewhere")
    joined = functools.reduce(join, types)
    return joined.strong() if strong else joined


def _check_integer_constants(body: tuple[ir.Stmt, ...]) -> None:
    """A Python int is unbounded; one that stays an integer in C must fit its type (a weak Python
    int is int64, as NumPy makes it): larger ones are an error, not C's overflow or clang's."""
    for node in walk_all(body):
        if isinstance(node, ir.Const) and not isinstance(node.value, bool) and isinstance(node.value, int) and (
                node.type is not None and node.type.is_int and not fits(node.value, node.type)):
            raise TranslationError.at(node.span, f"the integer {node.value} does not fit in {node.type.name}, the type "
                                                 "it has in a kernel; write it as a float ({:.6g}) or make it smaller"
                                                 .format(float(node.value)))


def _kind(t: ScalarType) -> int:
    return 0 if t.is_bool else 1 if t.is_int else 2 if t.is_float else 3


def _check_returned_kinds(body: tuple[ir.Stmt, ...], annotated: ScalarType) -> None:
    """Python does not convert a returned value to the return annotation: a float returned under
    `-> int` stays a float. A value of a higher kind than the annotation (bool, int, float, complex)
    would lose its fraction or imaginary part, so it is an error; a lower kind is widened."""
    for node in walk_all(body):
        if isinstance(node, ir.Return) and node.value is not None and _kind(type_of(node.value)) > _kind(annotated):
            raise TranslationError.at(
                node.value.span, f"this value is {type_of(node.value).name} but the kernel is annotated "
                f"-> {annotated.name}, and Python does not convert a returned value: convert it "
                f"({'int' if annotated.is_int else 'float'}(...)) or change the annotation")


def _cast_return(node: object, to: ScalarType) -> object:
    if isinstance(node, ir.Return) and node.value is not None:
        return ir.Return(cast(node.value, to), node.span)
    return node


def infer_local_types(kernel: ir.Kernel, functions: FunctionTyper | None = None
                      ) -> tuple[dict[str, ScalarType], dict[str, ScalarType]]:
    """Types of parameters, loop variables and locals, and the dtypes of the arrays the frontend
    made (`ir.ArrayLike`, by name); locals and arrays reach their join by iteration, together."""
    env: dict[str, ScalarType] = {p.name: p.type for p in kernel.params if isinstance(p.type, ScalarType)}
    env.update({n.var: PY_INT for n in walk_all(kernel.body) if isinstance(n, ir.Loop)})
    env.update({v.name: v.type for v in kernel.locals})
    fixed = set(env)
    assigns = [(n.target.id, n.value) for n in walk_all(kernel.body)
               if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name) and n.target.id not in fixed]
    made = [(name, kind.like) for name, kind in made_arrays(kernel).items()]
    dtypes: dict[str, ScalarType] = {}
    typer = ExprTyper(env, kernel, functions, dtypes)
    changed = True
    while changed:
        changed = False
        for name, value in assigns:
            changed |= _widen(env, name, _type_or_none(typer, value), strong=False)
        for name, like in made:
            changed |= _widen(dtypes, name, _type_or_none(typer, like), strong=True)
    return env, dtypes


def _type_or_none(typer: ExprTyper, value: ir.Expr) -> ScalarType | None:
    """The type of `value`; None where it reads a local or array not typed yet (a real error
    resurfaces in `type_kernel`)."""
    try:
        return type_of(typer(value))
    except (UnknownName, TranslationError):
        return None


def _widen(types: dict[str, ScalarType], name: str, t: ScalarType | None, strong: bool) -> bool:
    """Join `t` into `types[name]` (made strong for an array's dtype); whether that changed it."""
    if t is None:
        return False
    new = t if name not in types else join(types[name], t)
    new = new.strong() if strong else new
    if new == types.get(name):
        return False
    types[name] = new
    return True


def made_arrays(kernel: ir.Kernel) -> dict[str, ir.ArrayLike]:
    """The arrays whose dtype typing decides (`ir.ArrayLike`): the kernel's hidden parameters, its
    temporaries and local arrays, by name."""
    made = {p.name: p.type for p in kernel.params if isinstance(p.type, ir.ArrayLike)}
    made.update({n.name: n.type for n in walk_all(kernel.body)
                 if isinstance(n, (ir.Temporary, ir.LocalArray)) and isinstance(n.type, ir.ArrayLike)})
    return made


def _with_array_types(kernel: ir.Kernel, dtypes: dict[str, ScalarType], typer: ExprTyper) -> ir.Kernel:
    """`kernel` with each array's `ir.ArrayLike` replaced by its `ArrayType`, after the checks the
    frontend leaves to typing: a dtype the array cannot have (`ArrayLike.real_only`) and values
    bound again to the array's name of another dtype (`Allocation.rebound`)."""
    types = {name: _array_type(name, kind, dtypes, typer) for name, kind in made_arrays(kernel).items()}
    params = tuple(dataclasses.replace(p, type=types.get(p.name, p.type)) for p in kernel.params)
    for param in params:
        for value in param.allocation.rebound if param.allocation is not None else ():
            _check_rebound(param, value, typer)

    def resolved(node: object) -> object:
        if isinstance(node, (ir.Temporary, ir.LocalArray)) and isinstance(node.type, ir.ArrayLike):
            return dataclasses.replace(node, type=types[node.name])
        return node
    return dataclasses.replace(kernel, params=params, body=rewrite_body(kernel.body, resolved))


def _array_type(name: str, kind: ir.ArrayLike, dtypes: dict[str, ScalarType], typer: ExprTyper) -> ArrayType:
    """The `ArrayType` typing found for array `name`; where it found none, the error that kept it."""
    if name not in dtypes:
        try:
            typer(kind.like)
        except UnknownName as unknown:
            raise TranslationError.at(
                kind.like.span, f"the dtype of this array depends on '{unknown}', whose type is not known here; "
                f"annotate it where it is first assigned (`{unknown}: f64 = ...`)") from None
        raise TranslationError.at(kind.like.span, f"cannot infer the dtype of array '{name}'")
    if kind.real_only is not None and dtypes[name].is_complex:
        raise TranslationError.at(kind.like.span, kind.real_only)
    return ArrayType(dtypes[name], kind.rank)


def _check_rebound(param: ir.Param, value: ir.Expr, typer: ExprTyper) -> None:
    """A value bound again to the name of an array the kernel made has its dtype (ranks are the
    frontend's: `frontend.rebinding.fill_again`)."""
    assert isinstance(param.type, ArrayType)
    dtype, rank = type_of(typer(value)).strong(), param.type.rank
    if dtype != param.type.dtype:
        raise TranslationError.at(
            value.span, f"'{param.name}' is bound again in a loop or branch to a {rank}-D array of {dtype}, and held a "
            f"{rank}-D array of {param.type.dtype}; a kernel keeps one array per name there: bind this one under a "
            "name of its own")


@dataclasses.dataclass(frozen=True)
class _StmtTyper(StmtTransformer):
    """Types the expressions of each statement and converts stored values to their target's type."""

    typer: ExprTyper

    def visit_Assign(self, stmt: ir.Assign) -> ir.Stmt:
        """The value first: a local whose every value is an error has no type, and the error is the news."""
        value = self.typer(stmt.value)
        target = self.typer(stmt.target)
        return ir.Assign(target, cast(value, target.type), stmt.span)  # type: ignore[arg-type]

    def visit_If(self, stmt: ir.If) -> ir.Stmt:
        return dataclasses.replace(stmt, cond=self.typer(stmt.cond), body=self.block(stmt.body),
                                   orelse=self.block(stmt.orelse))

    def visit_While(self, stmt: ir.While) -> ir.Stmt:
        return ir.While(self.typer(stmt.cond), self.block(stmt.body), stmt.span)

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        launch = stmt.launch and dataclasses.replace(
            stmt.launch, num_teams=_optional_index(stmt.launch.num_teams, self.typer),
            thread_limit=_optional_index(stmt.launch.thread_limit, self.typer))
        return dataclasses.replace(stmt, start=self.typer.index_value(stmt.start),
                                   stop=self.typer.index_value(stmt.stop), body=self.block(stmt.body), launch=launch)

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign) -> ir.Stmt:
        return _array_assign(stmt, self.typer)

    def visit_Scatter(self, stmt: ir.Scatter) -> ir.Stmt:
        """The indices and the value typed as any tier values; the value may not have more axes than
        the indices' broadcast shape (NumPy cannot broadcast it there)."""
        target, value = self.typer(stmt.target), self.typer(stmt.value)
        assert isinstance(target, ir.Gather)
        rank = len(array_shape(target))
        for leaf in tier_leaves(value):
            if len(leaf_shape(leaf)) > rank:
                raise TranslationError.at(leaf.span, f"cannot broadcast this {len(leaf_shape(leaf))}-dimensional array "
                                          f"into the {rank}-dimensional shape of the indices")
        return ir.Scatter(target, value, stmt.span)

    def visit_AtomicUpdate(self, stmt: ir.AtomicUpdate) -> ir.Stmt:
        return _atomic(stmt, self.typer)

    def visit_CallStatement(self, stmt: ir.CallStatement) -> ir.Stmt:
        return ir.CallStatement(self.typer.call_function(stmt.call, value_needed=False), stmt.span)

    def visit_Temporary(self, stmt: ir.Temporary) -> ir.Stmt:
        return dataclasses.replace(stmt, shape=tuple(self.typer.index_value(d) for d in stmt.shape))

    def visit_Return(self, stmt: ir.Return) -> ir.Stmt:
        """The value is typed here and converted to the return type once that is known (`type_kernel`)."""
        return stmt if stmt.value is None else ir.Return(self.typer(stmt.value), stmt.span)

    # A local array's type and shape are constants from the frontend; jumps hold no expression.
    visit_LocalArray = visit_Break = visit_Continue = StmtTransformer.keep


def _optional_index(expr: ir.Expr | None, typer: ExprTyper) -> ir.Expr | None:
    return None if expr is None else typer.index_value(expr)


def _array_assign(stmt: ir.ArrayAssign, typer: ExprTyper) -> ir.ArrayAssign:
    """The value (and the mask `where`, if any) is typed element by element (NumPy's promotion is
    the scalars'); its shape is the broadcast of its views' shapes, aligned at the right, of at most
    the target's rank. Its type stays its own: `passes.lower_arrays` converts it on store, as NumPy
    does."""
    target, value = typer(stmt.target), typer(stmt.value)
    where = None if stmt.where is None else typer(stmt.where)
    assert isinstance(target, ir.View)
    for part in (value,) if where is None else (value, where):
        for leaf in tier_leaves(part):
            rank = len(leaf_shape(leaf))
            if rank > target.rank:
                raise TranslationError.at(
                    leaf.span, f"cannot broadcast this {rank}-dimensional array into {target.rank} dimension"
                    f"{'s' * (target.rank > 1)}")
    shape = tuple(as_index(n) for n in array_shape(value))
    return ir.ArrayAssign(target, value, stmt.span, ir.ArrayValue(type_of(value), shape), where)


def _atomic(stmt: ir.AtomicUpdate, typer: ExprTyper) -> ir.AtomicUpdate:
    """The value takes the element's type; one that NumPy would widen the update to is rejected,
    because an atomic update computes in the element's type."""
    target, value = typer(stmt.target), typer(stmt.value)
    t = target.type
    assert t is not None and value.type is not None
    name = ATOMIC_NAMES[stmt.op]
    if t.is_bool or t.is_complex:
        raise TranslationError.at(stmt.span, f"{name}() needs a real numeric array, not a {t.name} array")
    widened = promote(t, value.type)
    if widened.c_name != t.c_name:
        raise TranslationError.at(
            stmt.value.span, f"{name}() on a {t.name} array needs a {t.name} value, not {value.type.name} (NumPy would "
            f"compute in {widened.name}); convert it with {t.name}(...)")
    return ir.AtomicUpdate(stmt.op, target, cast(value, t), stmt.span)  # type: ignore[arg-type]


def check_typed(kernel: ir.Kernel) -> None:
    """Names read but never typed cannot happen after definite assignment; assert it cheaply."""
    known = {v.name for v in kernel.locals} | {p.name for p in kernel.params}
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Name) and node.type is None and node.id not in known:
            raise TranslationError.at(node.span, f"cannot infer a type for '{node.id}'")
