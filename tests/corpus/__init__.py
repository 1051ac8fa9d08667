"""The corpus (issue 11): kernels written the way public numerical Python code is written (NPBench's
NumPy and Numba variants, tutorials, papers' listings: the same constructs, our own code), with only
the `@kernel` decorator and, where the kernel needs them, dtype-and-rank annotations added.

One module per kernel, named after it: all annotated kernels of a module are translated together, so
a kernel the translator rejects must not take its neighbours down. Each module's docstring says, on
its first line, what it imitates; `CASES` maps its kernel to a seeded argument factory (small sizes).
`tests/test_corpus.py` runs each against its Python function; `docs/corpus.md` lists where each
stands.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    """Every corpus module, in name order (`_`-prefixed helper modules excluded)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


NAMES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))
"""The kernel names, which are also the module names."""
