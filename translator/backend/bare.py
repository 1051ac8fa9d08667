"""The C of a nest launched in the bare form (`ir.OmpTarget.bare`, `passes/bare.py`): its trip
counts as host locals, and each level's variable recovered from the flat iteration number.

The flat number runs row-major over the collapsed levels, the innermost fastest-varying, so that
consecutive threads take consecutive elements of the innermost level (coalesced loads, as the
OpenMP loop's static schedule gives them). The levels' counts are clamped at 0 when there are
several, so that two empty levels do not multiply into a positive trip count.
"""

from __future__ import annotations

from translator.backend.c_expr import Frag, atom, const, infix
from translator.ir import nodes as ir
from translator.ir.types import I64
from translator.ir.visit import walk_all

TRIP = "py2omp_trip"
"""The host local holding the nest's trip count (the last of `BareView.counts`)."""
FLAT = "py2omp_k"
"""The flat iteration number in the bare kernel's loop."""


def uses_bare(kernels: tuple[ir.Kernel, ...]) -> bool:
    """Whether some nest of the kernels is launched bare (the prelude's helpers then need `<omp.h>`)."""
    return any(isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget) and n.directive.bare
               for k in kernels for n in walk_all(k.body))


def count_name(level: int) -> str:
    return f"py2omp_n{level}"


def bare_counts(counts: list[Frag], clamp: str) -> tuple[tuple[str, str], ...]:
    """The host locals before the launch: each level's count (`clamp`: the `max` helper of `int64_t`)
    where there are several, then the trip count, their product."""
    if len(counts) == 1:
        return ((TRIP, counts[0].text),)
    named = tuple((count_name(d), f"{clamp}({c.text}, 0)") for d, c in enumerate(counts))
    return (*named, (TRIP, " * ".join(name for name, _ in named)))


def bare_indices(levels: list[tuple[str, Frag | None, int]]) -> tuple[tuple[str, str], ...]:
    """Each level's variable (`levels`: name, start (None: 0), step) from the flat number: level `d` is the
    flat number divided by the counts of the levels inside it, modulo its own count (but the outermost)."""
    found = []
    for d, (var, start, step) in enumerate(levels):
        inside = [atom(count_name(m)) for m in range(d + 1, len(levels))]
        number = atom(FLAT)
        if inside:
            number = infix("/", number, _product(inside))
        if d > 0:
            number = infix("%", number, atom(count_name(d)))
        if step != 1:
            number = infix("*", number, const(step, I64))
        found.append((var, (number if start is None else infix("+", start, number)).text))
    return tuple(found)


def _product(factors: list[Frag]) -> Frag:
    product = factors[0]
    for factor in factors[1:]:
        product = infix("*", product, factor)
    return product
