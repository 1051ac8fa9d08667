"""The element type of an array expression, while the frontend still builds the kernel.

A new array (`c = a * s`) needs its dtype before typing runs, and a scan (`np.cumsum`) its
accumulator's type (a conversion to another value's type needs none: `ir.Cast.like`). Both are
NumPy's result type of the element expression, which `passes.expr_types` already computes;
this module only supplies the types of the scalar names that expression reads, as far as the
statements built so far tell them: parameters, annotated locals, loop variables (Python ints) and
the join of the values assigned to a local until now.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from translator.errors import TranslationError
from translator.frontend.context import KernelScope
from translator.ir import nodes as ir
from translator.ir.types import PY_INT, ScalarType, join
from translator.passes.expr_types import ExprTyper, UnknownName


class _KnownTypes(Mapping[str, ScalarType]):
    """Scalar names' types as known at this point of the kernel (see the module docstring)."""

    def __init__(self, scope: KernelScope) -> None:
        self.scope = scope
        self.pending: set[str] = set()
        self.guesses: dict[str, ScalarType] = {}

    def __getitem__(self, name: str) -> ScalarType:
        scope = self.scope
        param = scope.params.get(name)
        if param is not None and isinstance(param.type, ScalarType):
            return param.type
        if name in scope.declared:
            return scope.declared[name]
        if name in scope.loop_vars:
            return PY_INT
        values = scope.scalar_values.get(name)
        if name in self.guesses:
            return self.guesses[name]
        if not values or name in self.pending:
            raise KeyError(name)
        self.pending.add(name)
        try:
            return self._join(name, values)
        finally:
            self.pending.discard(name)
            self.guesses.pop(name, None)

    def _join(self, name: str, values: list[ir.Expr]) -> ScalarType:
        """The join of the values' types, to a fixed point: a value reading the local itself
        (`acc = acc + x`) is typed with the join of the others so far."""
        joined: ScalarType | None = None
        while True:
            types = [t for t in (_type_or_none(v, self.scope, self) for v in values) if t is not None]
            if not types:
                raise KeyError(name)
            new = functools.reduce(join, types)
            if new == joined:
                return new
            joined = self.guesses[name] = new

    def __iter__(self) -> Iterator[str]:
        return iter(set(self.scope.scalar_values) | set(self.scope.declared) | self.scope.loop_vars)

    def __len__(self) -> int:
        return len(set(self) | set(self.scope.params))


def _type_or_none(expr: ir.Expr, scope: KernelScope, env: _KnownTypes) -> ScalarType | None:
    """The type of one value assigned to a local; None where it reads the local itself
    (`acc = acc + x`): the other values decide."""
    try:
        return _typed(expr, scope, env)
    except UnknownName:
        return None


def _typed(expr: ir.Expr, scope: KernelScope, env: _KnownTypes) -> ScalarType:
    kernel = ir.Kernel("", tuple(scope.params.values()), tuple(scope.arrays.values()), None, (), expr.span)
    typed = ExprTyper(env, kernel, scope.functions)(expr).type
    assert typed is not None
    return typed


def element_type(expr: ir.Expr, scope: KernelScope, what: str) -> ScalarType:
    """NumPy's type of `expr`; `what` names what needs it, for the message when a local's type is
    not known yet."""
    try:
        return _typed(expr, scope, _KnownTypes(scope)).strong()
    except UnknownName as unknown:
        raise TranslationError.at(
            expr.span, f"the dtype of {what} depends on '{unknown}', whose type is not known here; annotate it "
            f"where it is first assigned (`{unknown}: f64 = ...`)") from None
