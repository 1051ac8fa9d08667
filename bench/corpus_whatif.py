"""What stands behind the corpus's most frequent failures: rewrite them away and look again.

    python bench/corpus_whatif.py      # prints, per corpus kernel that fails today, its next status

docs/corpus.md groups the corpus kernels by their *first* error. To see how many kernels each fix
would really make work, this copies tests/corpus to a scratch package, rewrites in each kernel's
source the constructs of the five most frequent causes into forms py2omp takes today (the meaning
kept for the kernel's test arguments), fills in default parameters at the call, and runs every
kernel that fails today against its Python function on host-offload, as tests/test_corpus.py does:

- `np.empty_like(x)` / `np.zeros_like(x)` -> `(x * 0)` (same shape and dtype; the values of an
  `empty_like` result are overwritten by the kernels that make one);
- `x.dtype` of a parameter -> the NumPy type of its test argument (`np.float64`);
- `m, n = A.shape` -> `m = A.shape[0]` and `n = A.shape[1]`;
- default parameter values -> removed from the `def`, the defaults passed explicitly at the call;
- no rewrite for missing NumPy functions (cause 2): those kernels show what follows only when the
  function lands.
"""

from __future__ import annotations

import inspect
import re
import shutil
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator and tests

from tests import corpus  # noqa: E402
from tests.test_corpus import KNOWN_BUGS, KNOWN_FAILURES  # noqa: E402
from translator import TranslationError  # noqa: E402
from translator.api import GenericKernel  # noqa: E402
from translator.oracle import compare_compiled, compare_with_python  # noqa: E402
from translator.targets import parse_target  # noqa: E402

UNPACK = re.compile(r"^(\s*)(\w+), (\w+) = (\w+)\.shape$", re.MULTILINE)
LIKE = re.compile(r"np\.(?:empty|zeros)_like\((\w+)\)")
DEF = re.compile(r"^def \w+\(.*\):$", re.MULTILINE)


def rewrite(source: str, dtypes: dict[str, str]) -> str:
    """`source` with the rewrites of the module docstring; `dtypes` maps parameters to NumPy type names."""
    source = UNPACK.sub(r"\1\2 = \4.shape[0]\n\1\3 = \4.shape[1]", source)
    source = LIKE.sub(r"(\1 * 0)", source)
    source = DEF.sub(lambda m: re.sub(r"(\w+)=[^,)]+", r"\1", m.group()), source)
    for name, dtype in dtypes.items():
        source = re.sub(rf"\b{name}\.dtype\.type\b", f"np.{dtype}", source)
        source = re.sub(rf"\b{name}\.dtype\b", f"np.{dtype}", source)
    return source


def with_defaults(func: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`args`, followed by the defaults of the parameters the call leaves out."""
    params = list(inspect.signature(func).parameters.values())
    return args + tuple(p.default for p in params[len(args):])


def status(module: Any, args: tuple[Any, ...]) -> str:
    """How the kernel of `module` does on `args`: `works`, `mismatch`, the message of a
    TranslationError, or the exception of a bug."""
    (k,) = module.CASES
    target = parse_target("host-offload")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(k, GenericKernel):
                result = compare_compiled(k.specialization(*args, target=target), k.py_func, args, str(target), 1)
            else:
                result = compare_with_python(k, args, target, 1)
        return "works" if result.ok else "mismatch"
    except TranslationError as error:
        return str(error).splitlines()[0].split(" error: ", 1)[1]
    except Exception as error:  # a bug of the translator: shown, not hidden
        return f"BUG {type(error).__name__}: {error} ({traceback.extract_tb(error.__traceback__)[-1].name})"


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="corpus_whatif_"))
    package = scratch / "corpus_whatif"
    shutil.copytree(ROOT / "tests" / "corpus", package, ignore=shutil.ignore_patterns("__pycache__"))
    for module in corpus.modules():
        (k, make_args), = module.CASES.items()
        names = list(inspect.signature(k.py_func).parameters)
        dtypes = {n: a.dtype.name for n, a in zip(names, make_args(np.random.default_rng(0))) if isinstance(a, np.ndarray)}
        path = package / f"{k.__name__}.py"
        path.write_text(rewrite(path.read_text(), dtypes))
    sys.path.insert(0, str(scratch))
    import corpus_whatif  # noqa: E402  (the rewritten copy, importable now)
    for original, module in zip(corpus.modules(), corpus_whatif.modules()):
        (k, make_args), = original.CASES.items()
        if k.__name__ in KNOWN_FAILURES or k.__name__ in KNOWN_BUGS:
            args = with_defaults(k.py_func, make_args(np.random.default_rng(20261205)))
            before = KNOWN_FAILURES.get(k.__name__) or KNOWN_BUGS[k.__name__]
            print(f"| `{k.__name__}` | {before} | {status(module, args)} |", flush=True)
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
