"""The explicit table of Python syntax that kernels may use, and what to say about the rest.

Builders register the node types they translate (`EXPRESSIONS`, `STATEMENTS` below are filled by
`expressions.py` and `statements.py`); `dispatch` looks a node up there and, for anything else,
raises a located error with the message from `UNSUPPORTED` (or a generic one naming the
construct), so no libcst node ever reaches a stack trace.
"""

from __future__ import annotations

from typing import Callable, TypeVar

import libcst as cst

from translator.frontend.context import KernelScope

T = TypeVar("T")
Builder = Callable[[cst.CSTNode, KernelScope], T]

UNSUPPORTED: dict[type, str] = {
    cst.Lambda: "a lambda in a kernel must be bound to a name and called (`f = lambda v: v * v`, then `f(x[i])`)",
    cst.ListComp: "list comprehensions are not supported in kernels; write a loop",
    cst.SetComp: "set comprehensions are not supported in kernels",
    cst.DictComp: "dict comprehensions are not supported in kernels",
    cst.GeneratorExp: "generator expressions are not supported in kernels; write a loop",
    cst.List: "lists are not supported in kernels; use a NumPy array parameter",
    cst.Tuple: "tuples are only supported on both sides of an assignment (`a, b = b, a`)",
    cst.Dict: "dicts are not supported in kernels",
    cst.Set: "sets are not supported in kernels",
    cst.SimpleString: "strings are not supported in kernels",
    cst.ConcatenatedString: "strings are not supported in kernels",
    cst.FormattedString: "f-strings are not supported in kernels",
    cst.Await: "await is not supported in kernels",
    cst.Yield: "generators are not supported in kernels",
    cst.NamedExpr: "assignment expressions (:=) are not supported in kernels",
    cst.Ellipsis: "`...` is not supported in kernels",
    cst.StarredElement: "starred expressions are not supported in kernels",
    cst.With: "`with` is not supported in kernels",
    cst.Try: "`try` is not supported in kernels",
    cst.FunctionDef: "nested functions are not supported in kernels",
    cst.ClassDef: "classes are not supported in kernels",
    cst.Raise: ("`raise` is supported only as a check of the inputs at the kernel's top level, alone in its "
                "branch: `if n <= 0: raise ValueError(\"n must be positive\")`"),
    cst.Del: "`del` is not supported in kernels",
    cst.Global: "`global` is not supported in kernels",
    cst.Nonlocal: "`nonlocal` is not supported in kernels",
    cst.Match: "`match` is not supported in kernels",
}


def dispatch(table: dict[type, Builder[T]], node: cst.CSTNode, scope: KernelScope) -> T:
    """Build `node` with its registered builder, or reject it with a located message."""
    builder = table.get(type(node))
    if builder is None:
        message = UNSUPPORTED.get(type(node), f"{_describe(node)} is not supported in kernels")
        raise scope.module.error(node, message)
    return builder(node, scope)


def _describe(node: cst.CSTNode) -> str:
    """`ListComp` -> `list comp`: readable enough for constructs without a tailored message."""
    name = type(node).__name__
    words = "".join(" " + c.lower() if c.isupper() else c for c in name).strip()
    return f"this construct ({words})"
