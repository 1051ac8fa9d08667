"""The rewrite stage: idioms of calls written again, as the Python the statement builders take,
before a statement is built.

NumPy code says some things in ways no builder takes directly: a helper computing from slices of its
array arguments, a call returning a pair, a literal table, a sum over constants, `np.asarray(x)`,
keyword arguments. Each is a rule (`CallRule`) with one concern: which calls it wants, and what one
such call becomes (a located error where Python or NumPy would refuse it). The stage (`rewritten`)
applies the rules of `RULES` in their order, each over the whole statement, so a rule sees what the
rules before it wrote. It finds the statement's calls once, and again only after a rule rewrote
something; a rule that no call wants does not run, so a statement without any idiom is left the
same object (its nodes keep the positions and names the module resolved for them).

Adding an idiom is adding a rule: its two functions in a module of its own, one line in `RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

import libcst as cst

from translator.frontend import identities, inline, keywords, literals, tuple_calls, unrolled
from translator.frontend.context import KernelScope
from translator.frontend.expressions import nodes_in

_N = TypeVar("_N", bound=cst.CSTNode)


@dataclass(frozen=True)
class CallRule:
    """One idiom of calls. `wants` reads a call of the statement as it stands before the rule;
    `rewrite` takes a call as written (`original`, whose names the module resolved) and with its
    arguments already rewritten by this rule (`updated`), and returns what replaces it, or None to
    leave it."""

    idiom: str
    wants: Callable[[cst.Call, KernelScope], bool]
    rewrite: Callable[[cst.Call, cst.Call, KernelScope], cst.BaseExpression | None]


RULES: tuple[CallRule, ...] = (
    CallRule("helpers inlined", inline.wants_inlining, inline.inlined),
    CallRule("pairs split", tuple_calls.wants_split, tuple_calls.split),
    CallRule("literal arrays", literals.wants_selects, literals.selects),
    CallRule("sums unrolled", unrolled.wants_unrolling, unrolled.unrolled),
    CallRule("identities and casts", identities.wants_rewrite, identities.argument),
    CallRule("keywords placed", keywords.wants_positions, keywords.positional),
)
"""The rules in the order they apply. Inlining is first: the helper's expression, now the caller's,
goes through every rule after it (`lo, hi = bounds(a, b)` gives the tuple the statement unpacks; a
helper may call `divmod` or `np.clip(x, a_min=0)`). Pairs, literals, sums and identities each
concern calls of their own (`divmod`/`modf`/`frexp`, `np.array` of a literal, `sum`, `np.asarray`);
a sum's terms are copies of its element, written after the literals and pairs inside it. Placing
keywords is last, for every call the earlier rules left or wrote."""


def rewritten(node: _N, scope: KernelScope) -> _N:
    """`node` (a statement) with every rule of `RULES` applied, in order."""
    calls = _calls(node)
    for rule in RULES:
        if any(rule.wants(call, scope) for call in calls):
            node = node.visit(_Applying(rule, scope))  # type: ignore[assignment]
            calls = _calls(node)
    return node


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    return [n for n in nodes_in(node) if isinstance(n, cst.Call)]


class _Applying(inline.Positioned):
    """One rule over a statement, innermost calls first (a call's arguments are rewritten before it)."""

    def __init__(self, rule: CallRule, scope: KernelScope) -> None:
        super().__init__(scope)
        self.rule = rule

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        replacement = self.rule.rewrite(original_node, updated_node, self.scope)
        return updated_node if replacement is None else replacement
