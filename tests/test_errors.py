"""Unsupported Python gets `file:line:col: error: message`, the source line and a caret: exact texts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.located import translation_error

HEADER = "from translator import kernel, prange, In, Out, f64, i64\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n"
LOOP = "    for i in prange(x.shape[0]):\n"

CASES = [
    ("lambda", LOOP + "        y[i] = (lambda v: v)(x[i])\n",
     "6:17: error: a lambda in a kernel must be bound to a name and called (`f = lambda v: v * v`, then `f(x[i])`)\n"
     "        y[i] = (lambda v: v)(x[i])\n                ^"),
    ("slice", LOOP + "        y[i] = x[1:2]\n",
     "6:18: error: an array slice is a value only in array statements (`c[i, :] = a[i, :] * 2`, `b = a[1:] - "
     "a[:-1]`) and as the argument of a reduction (np.sum, np.max, np.min, np.mean, np.dot, `@`); index one element "
     "here (`a[i, j]`)\n"
     "        y[i] = x[1:2]\n                 ^"),
    ("outside", "    while x[0] > 0:\n        y[:] = x\n",
     "5:11: error: array 'x' is read in the condition of a `while` loop that also holds parallel loops, which runs "
     "on the host: read it into a local before the loop and at the end of its body\n    while x[0] > 0:\n"
     "          ^"),
    ("undefined", LOOP + "        y[i] = z\n",
     "6:16: error: name 'z' is not defined in this kernel (kernels see their parameters, their locals and "
     "module-level numeric constants)\n        y[i] = z\n               ^"),
    ("maybe", LOOP + "        if x[i] > 0:\n            t = 1.0\n        y[i] = t\n",
     "8:16: error: 't' may be used before it is assigned (Python would raise UnboundLocalError)\n"
     "        y[i] = t\n               ^"),
    ("race", "    t = 0.0\n" + LOOP + "        t = x[i]\n    return t\n",
     "7:9: error: 't' is defined outside this prange loop and updated inside it in a way that is not a reduction "
     "(allowed: t += e, t -= e, t *= e, t = min(t, e), t = max(t, e), with 't' read nowhere else in the loop)\n"
     "        t = x[i]\n        ^"),
    ("return_in_loop", LOOP + "        return 1\n",
     "6:9: error: `return` is only supported as the last statement of a kernel\n        return 1\n        ^"),
    ("int_pow", LOOP + "        y[i] = i ** i\n",
     "6:16: error: an integer raised to a negative or non-constant power: its type depends on the exponent's "
     "sign in Python (and NumPy rejects negative ones); write float(x) ** n\n        y[i] = i ** i\n               ^"),
    ("bool_add", LOOP + "        y[i] = (x[i] > 0) + (x[i] < 1)\n",
     "6:16: error: `+` between two bools differs between Python and NumPy; convert one with int()\n"
     "        y[i] = (x[i] > 0) + (x[i] < 1)\n               ^"),
    ("call", LOOP + "        y[i] = print(x[i])\n",
     "6:16: error: call to 'print' is not supported in kernels\n        y[i] = print(x[i])\n               ^"),
    ("rank", LOOP + "        y[i] = x[i, 0]\n",
     "6:16: error: array 'x' has 1 dimension but is indexed with 2\n        y[i] = x[i, 0]\n               ^"),
    ("float_index", LOOP + "        y[i] = x[1.5]\n",
     "6:18: error: indices and loop bounds must be integers, not f64\n        y[i] = x[1.5]\n                 ^"),
    ("loopvar", LOOP + "        i = 2\n",
     "6:9: error: cannot assign to 'i': it is a loop variable (use another name)\n        i = 2\n        ^"),
    ("step", "    for i in range(0, x.shape[0], x.shape[0]):\n        pass\n",
     "5:35: error: a loop's step must be a non-zero integer constant\n"
     "    for i in range(0, x.shape[0], x.shape[0]):\n                                  ^"),
    ("string", LOOP + "        y[i] = 'a'\n",
     "6:16: error: strings are not supported in kernels\n        y[i] = 'a'\n               ^"),
    ("while_else", "    while True:\n        break\n    else:\n        pass\n",
     "7:5: error: `while ... else` is not supported in kernels\n    else:\n    ^"),
    ("param_assign", "    n = 3\n",
     "5:5: error: cannot assign to parameter 'n'; use a new local name\n    n = 3\n    ^"),
    ("try", "    try:\n        pass\n    except Exception:\n        pass\n",
     "5:5: error: `try` is not supported in kernels\n    try:\n    ^"),
]


@pytest.mark.parametrize("name,body,expected", CASES, ids=[c[0] for c in CASES])
def test_rejected_with_located_message(tmp_path: Path, name: str, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body) == f"k.py:{expected}"


def test_missing_annotation_and_marker(tmp_path: Path) -> None:
    message = translation_error(tmp_path, "from translator import kernel, f32\n\n",
                                "@kernel\ndef k(x, y: f32[:]):\n    pass\n", "cpu")
    assert message.startswith("k.py:4:7: error: parameter 'x' has no type annotation, and no call gives "
                              "it a type here: annotate it or give the types")


def test_rank_above_seven_is_rejected(tmp_path: Path) -> None:
    """Seven is Fortran's portable maximum rank, so the generated Fortran module binds every kernel."""
    message = translation_error(tmp_path, "from translator import kernel, In, f32\n\n",
                                "@kernel\ndef k(x: In[f32[:, :, :, :, :, :, :, :]]):\n    pass\n", "cpu")
    assert message.splitlines()[0] == "k.py:4:13: error: arrays of more than 7 dimensions are not supported"


def test_cli_reports_errors_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(HEADER + LOOP + "        y[i] = 'a'\n")
    result = subprocess.run([sys.executable, "-m", "translator", "translate", str(path), "-o", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == f"{path}:6:16: error: strings are not supported in kernels\n        y[i] = 'a'\n               ^\n"
    assert "Traceback" not in result.stderr
