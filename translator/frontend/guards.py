"""The frontend's side of the checks only the running kernel can make (`ir.checks` says how they
work): lengths of the array statements the frontend still lowers itself, which depend on a loop
variable or a local, are recorded while the statement is built and put around it after."""

from __future__ import annotations

from translator.errors import Span, TranslationError
from translator.frontend.context import KernelScope
from translator.ir import checks
from translator.ir import nodes as ir


def check_at_run_time(length: ir.Expr, expected: ir.Expr, span: Span, scope: KernelScope,
                      failure: ir.Failure | None = None) -> None:
    """Record that `length == expected` must hold when the current statement runs (`failure`: what
    the call raises otherwise, when not a length check's usual one)."""
    checks.add_condition(scope.guards, checks.Check(checks.equal_lengths(length, expected, span), span, failure))


def guarded(stmts: list[ir.Stmt], guards: list[checks.Check], scope: KernelScope) -> list[ir.Stmt]:
    """`stmts` (one Python statement and its prelude) run only when every check holds."""
    if not guards:
        return stmts
    once = None if scope.in_prange else scope.fresh_loop_var("once")
    return checks.guarded(stmts, guards, lambda failure: _record(failure, scope), once)


def unless(cond: ir.Expr, stmts: list[ir.Stmt], message: str, span: Span, scope: KernelScope,
           error: str = "ValueError") -> list[ir.Stmt]:
    """`stmts` run only when `cond` holds; otherwise the call raises `error` with `message` (a check
    NumPy makes on values, like `np.histogram`'s range). Outside a `prange` the failure is recorded
    on the device, in a loop of one iteration; inside one, by the iteration that fails."""
    record: ir.Stmt = failing(message, span, scope, error)
    if not scope.in_prange:
        record = ir.Loop(scope.fresh_loop_var("once"), ir.Const(0, span), ir.Const(1, span), 1, (record,), span,
                         parallel=True)
    return [ir.If(cond, tuple(stmts), (record,), span, guard=True)]


def failing(message: str, span: Span, scope: KernelScope, error: str = "ValueError") -> ir.AtomicUpdate:
    """The recording of a new failure, after which the call raises `error` with `message` (a
    singular matrix found by `np.linalg.solve`'s elimination)."""
    return _record(ir.Failure(message, span, error), scope)


def _record(failure: ir.Failure, scope: KernelScope) -> ir.AtomicUpdate:
    """The recording of a new `failure`; the first one adds the status parameter."""
    span = failure.span
    if not scope.failures:
        if ir.STATUS in scope.params or ir.STATUS in scope.assigned:
            raise TranslationError.at(span, f"this kernel uses '{ir.STATUS}', the name py2omp gives its run-time "
                                      "checks' status; rename it")
        scope.params[ir.STATUS] = checks.status_param(span)
    scope.failures.append(failure)
    return checks.record(len(scope.failures), span)
