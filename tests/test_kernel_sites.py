"""Kernels where users write them: every way of importing py2omp (`from translator import *`,
`import translator as t`, `kernel as k`), NumPy and math, and kernels defined in IPython cells, run
on host-offload against the Python function on the same random data; errors and `#line` name the cell.
"""

from __future__ import annotations

import inspect
import linecache
import math
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from tests.kernels.sites import module_alias, numpy_star, renamed, star
from translator import BuildError, Kernel, TranslationError, prange
from translator.oracle import compare_with_python
from translator.frontend import namespace_aliases
from translator.targets import parse_target

HOST_OFFLOAD = parse_target("host-offload")
CASES = [*star.CASES.items(), *module_alias.CASES.items(), *renamed.CASES.items(), *numpy_star.CASES.items()]


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in CASES])
def test_import_forms_match_python(k: Kernel, make_args: Callable[[np.random.Generator], tuple[Any, ...]]) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches


def test_decorator_target_through_an_alias() -> None:
    """`@t.kernel(target=...)` and `@k(target=...)` choose the target as `@kernel(target=...)` does."""
    assert str(module_alias.normalize_rows.target) == "host-offload"
    assert str(renamed.hann_window.target) == "host-offload"
    a, out = np.random.default_rng(3).standard_normal((2, 9, 5))
    module_alias.normalize_rows(a, out)
    np.testing.assert_allclose(out, a / np.linalg.norm(a, axis=1, keepdims=True), rtol=1e-12)
    assert "#pragma omp target teams distribute parallel for" in module_alias.normalize_rows.c_source


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    """IPython's shell as a notebook runs it (numbered cells, kept in an in-memory history), with
    what it changes in the process put back: it installs its namespace as `__main__` (which
    `multiprocessing`'s spawn reads) and its display and exception hooks."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    monkeypatch.setattr(sys, "displayhook", sys.displayhook)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    yield InteractiveShell.instance(config=config)
    InteractiveShell.clear_instance()


def run(shell: InteractiveShell, cell: str) -> None:
    result = shell.run_cell(cell, store_history=True)
    if not result.success:
        raise result.error_before_exec or result.error_in_exec


def cell_name(shell: InteractiveShell, kernel_name: str) -> str:
    """The name IPython gave the cell that defined the kernel (the `linecache` key)."""
    name = inspect.getsourcefile(shell.user_ns[kernel_name].py_func)
    assert name is not None and re.fullmatch(r"<ipython-input-\d+-[0-9a-f]{12}>", name)
    return name


BLUR_CELL = '''\
import numpy as np
from translator import kernel, prange, In, Out, f64

ALPHA = 0.25

def mix(left, centre, right):
    return ALPHA * left + (1 - 2 * ALPHA) * centre + ALPHA * right

@kernel(target="host-offload")
def blur(x: In[f64[:, :]], y: Out[f64[:, :]]):
    for i in prange(x.shape[0]):
        for j in range(1, x.shape[1] - 1):
            y[i, j] = mix(x[i, j - 1], x[i, j], x[i, j + 1])
        y[i, 0] = x[i, 0]
        y[i, -1] = x[i, -1]

rng = np.random.default_rng(5)
x, y, expected = rng.standard_normal((3, 40, 33))
blur(x, y)
blur.py_func(x, expected)
'''


def test_kernel_defined_in_a_cell(shell: InteractiveShell) -> None:
    """A cell is a module: its imports, constants and plain functions are what its kernel sees."""
    run(shell, BLUR_CELL)
    np.testing.assert_allclose(shell.user_ns["y"], shell.user_ns["expected"], rtol=1e-14)
    name = cell_name(shell, "blur")
    c = shell.user_ns["blur"].c_source
    assert f'#line 10 "{name}"\nvoid blur(' in c
    assert f'#line 6 "{name}"' in c  # the device function `mix`
    assert shell.user_ns["blur"].translate().manifest["module"] == name.strip("<>").replace("-", "_")


def test_cell_sees_the_imports_of_earlier_cells(shell: InteractiveShell) -> None:
    """Notebooks import once, at the top; a later cell's kernels use those names, however imported."""
    run(shell, "import numpy as np\nimport translator as t\nfrom translator import *\nfrom math import sqrt as root\n")
    run(shell, '''\
@kernel(target="host-offload")
def row_norms(a: In[f64[:, :]], out: Out[f64[:]]):
    for i in prange(a.shape[0]):
        out[i] = root(np.sum(a[i, :] * a[i, :]))

@t.kernel(target="host-offload")
def axpy(alpha: t.f32, x: t.In[t.f32[:]], y: t.InOut[t.f32[:]]):
    for i in t.prange(x.shape[0]):
        y[i] += alpha * x[i]
''')
    rng = np.random.default_rng(9)
    a, norms = rng.standard_normal((30, 12)), rng.standard_normal(30)
    shell.user_ns["row_norms"](a, norms)
    np.testing.assert_allclose(norms, np.linalg.norm(a, axis=1), rtol=1e-14)
    x, y = rng.standard_normal(100).astype(np.float32), rng.standard_normal(100).astype(np.float32)
    expected = y + np.float32(0.5) * x
    shell.user_ns["axpy"](np.float32(0.5), x, y)
    np.testing.assert_array_equal(y, expected)


def test_constants_of_earlier_cells_are_not_seen(shell: InteractiveShell) -> None:
    """Only imports carry over between cells: a value may change when an earlier cell runs again,
    and the kernel's C would not follow; the located error says where the name is used."""
    run(shell, "from translator import kernel, prange, In, Out, f64\nGAIN = 3.0\n")
    run(shell, '''\
@kernel(target="host-offload")
def amplify(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = GAIN * x[i]
''')
    with pytest.raises(TranslationError) as error:
        shell.user_ns["amplify"].c_source
    assert str(error.value) == (
        f"{cell_name(shell, 'amplify')}:4:16: error: name 'GAIN' is not defined in this kernel "
        "(kernels see their parameters, their locals and module-level numeric constants)\n"
        "        y[i] = GAIN * x[i]\n"
        "               ^")


def test_translation_error_points_at_the_cell_line(shell: InteractiveShell) -> None:
    run(shell, "import numpy as np\nfrom translator import kernel, prange, In, InOut, f64\n")
    with pytest.raises(TranslationError) as error:
        run(shell, '''\
@kernel(target="host-offload")
def clip(x: InOut[f64[:]], lo: f64, hi: f64):
    for i in prange(x.shape[0]):
        x[i] = min(max(x[i], lo), hi)
        print(x[i])

clip(np.linspace(-2, 2, 9), -1.0, 1.0)
''')
    assert str(error.value) == (
        f"{cell_name(shell, 'clip')}:5:9: error: this expression has no effect; kernels communicate through Out/InOut "
        "arrays (and calls of the module's functions, which may write to arrays)\n"
        "        print(x[i])\n"
        "        ^")


def test_cell_calls_device_functions_of_a_marked_module_beside_the_notebook(
        shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A notebook's helper modules are found as Python finds them: in its working directory."""
    (tmp_path / "physics.py").write_text(
        "from translator import device_functions\n\ndevice_functions()\n\n\n"
        "def drag(v, c):\n    return -c * v * abs(v)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    run(shell, '''\
from translator import kernel, prange, In, Out, f64
from physics import drag

@kernel(target="host-offload")
def step(v: In[f64[:]], out: Out[f64[:]], dt: f64):
    for i in prange(v.shape[0]):
        out[i] = v[i] + dt * drag(v[i], 0.47)
''')
    step = shell.user_ns["step"]
    rng = np.random.default_rng(4)
    result = compare_with_python(step, (rng.standard_normal(300), rng.standard_normal(300), 0.01), HOST_OFFLOAD)
    assert result.ok, result.mismatches
    assert '#line 6 "physics.py"\nstatic double py2omp_fn_physics_drag_f64_wf64(' in step.c_source


def test_jupyter_cell_named_as_a_file_that_does_not_exist(tmp_path: Path) -> None:
    """ipykernel compiles a cell under `/tmp/ipykernel_<pid>/<hash>.py` without writing that file and
    puts its lines in `linecache`, as done here."""
    name = str(tmp_path / "ipykernel_4242" / "2873649120.py")
    source = ("from translator import kernel, prange, In, Out, f64\n\n"
              "@kernel(target='host-offload')\n"
              "def cube(x: In[f64[:]], y: Out[f64[:]]):\n"
              "    for i in prange(x.shape[0]):\n"
              "        y[i] = x[i] ** 3\n")
    linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
    namespace: dict[str, object] = {"__name__": "__main__"}
    try:
        exec(compile(source, name, "exec"), namespace)
        cube = namespace["cube"]
        assert isinstance(cube, Kernel)
        x = np.random.default_rng(1).standard_normal(64)
        y = np.random.default_rng(2).standard_normal(64)
        cube(x, y)
        np.testing.assert_allclose(y, x ** 3, rtol=1e-15)
        assert f'#line 4 "{name}"' in cube.c_source
        assert cube.translate().manifest["library"] == "m_2873649120.so"
    finally:
        del linecache.cache[name]


def test_kernel_without_source_is_a_clear_error() -> None:
    """Code compiled from a string nobody keeps (`exec`, `python -c`) has no source to translate."""
    namespace: dict[str, object] = {}
    exec(compile("from translator import kernel\n@kernel\ndef f(x):\n    pass\n", "<string>", "exec"), namespace)
    message = r"^kernel 'f' has no source: define kernels in a \.py file or a notebook cell$"
    with pytest.raises(BuildError, match=message):
        namespace["f"].c_source  # type: ignore[attr-defined]


def test_namespace_names_resolve_by_identity() -> None:
    """What a cell sees of earlier cells: modules and their members under any name, the module's own
    name first where a member has two (`np.abs` is `np.absolute`); never ints, whose identity Python
    shares (`numpy.ALLOW_THREADS` is 1), nor names that `translator.lang` merely imports."""
    namespace = {"np": np, "root": math.sqrt, "abs": np.abs, "absolute": np.absolute, "pr": prange,
                 "ALLOW_THREADS": 1, "Any": Any, "tau": math.tau, "x": np.ones(3)}
    assert namespace_aliases(namespace) == {
        "np": "numpy", "root": "math.sqrt", "abs": "numpy.abs", "absolute": "numpy.absolute",
        "pr": "translator.prange", "tau": "math.tau"}
