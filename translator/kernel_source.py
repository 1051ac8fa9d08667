"""Where a kernel's module text comes from: the `.py` file it is defined in, or its notebook cell.

A Python function keeps no source, only the name of the file its code was compiled from; `inspect`
reads the text through `linecache`, which holds real files and also the cells IPython registers
there: `<ipython-input-3-5b82ef2c97fc>` in IPython, `/tmp/ipykernel_<pid>/<hash>.py` (a file that
does not exist) in Jupyter. py2omp reads a real file from disk, as the command line does, so an
edited file rebuilds; any other name is a cell, read from `linecache`. The name is the path that
errors and `#line` show, and `linecache` gives the error renderer the cell's lines for the caret.

A cell is a module of its own: its constants and plain functions are what its kernels see, as a
file's are. Its imports are not all it has, though: notebooks import once, in the first cell, so
a cell also sees the names its namespace binds to modules py2omp knows and their members (`np`,
`kernel`, `prange`, `f64`), as Python would at the first call.
"""

from __future__ import annotations

import inspect
import linecache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from translator.errors import BuildError


@dataclass(frozen=True)
class KernelSource:
    """The module text of a kernel, the name that locates it (an absolute path, or a cell's name),
    and for a cell the imports it sees from earlier cells (local name, qualified name)."""

    path: str
    text: str
    outer_names: tuple[tuple[str, str], ...] = ()


def kernel_source(func: Callable[..., Any]) -> KernelSource:
    """The module `func` was defined in: its file, else the cell `linecache` holds for it."""
    name = inspect.getsourcefile(func) or ""
    if name and Path(name).is_file():
        path = str(Path(name).resolve())
        return KernelSource(path, Path(path).read_text(encoding="utf-8"))
    from translator.frontend import namespace_aliases  # libcst: only cells need it, not a file's kernels
    lines = linecache.getlines(name, func.__globals__)
    if not lines:
        raise BuildError(
            f"kernel '{func.__name__}' has no source: define kernels in a .py file or a notebook cell")
    return KernelSource(name, "".join(lines), tuple(sorted(namespace_aliases(func.__globals__).items())))
