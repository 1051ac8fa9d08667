"""Start-up: a kernel whose build is cached loads in a new process without translating (the index,
`translator.toolchain.index`), and every change that could change its C translates it again."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import runtime_shim.library
from tests.conftest import ROOT
from translator import api, pipeline
from translator.errors import TranslationWarning
from translator.toolchain import index

HELPERS = '''\
from translator import device_functions

device_functions()


def smooth(left, middle, right):
    return 0.25 * left + 0.5 * middle + 0.25 * right
'''

KERNELS = '''\
from translator import In, InOut, f64, kernel, prange

from launch_helpers import smooth

WEIGHT = 2.0


@kernel
def jacobi_1d(a: In[f64[:]], b: InOut[f64[:]]):
    for i in prange(1, a.shape[0] - 1):
        b[i] = WEIGHT * smooth(a[i - 1], a[i], a[i + 1])


@kernel
def axpy(alpha, x, y):
    for i in prange(x.shape[0]):
        y[i] = alpha * x[i] + y[i]
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kernel module and the helper module whose device function it calls, importable, with a cache of
    its own (the tests damage its builds and remove its index; under xdist the session's is shared)."""
    (tmp_path / "launch_helpers.py").write_text(HELPERS)
    monkeypatch.setenv("PY2OMP_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "launch_kernels.py").write_text(KERNELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PY2OMP_TARGET", "host-offload")
    return tmp_path


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths `pipeline.lower` translates from now on."""
    seen: list[str] = []
    lower = pipeline.lower

    def counting(path: str, *args: object, **kwargs: object) -> object:
        seen.append(path)
        return lower(path, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(pipeline, "lower", counting)
    return seen


def fresh(project: Path) -> ModuleType:
    """The kernel module as a new process would see it: imported anew, no library loaded yet."""
    api._LIBRARIES.clear()
    sys.modules.pop("launch_helpers", None)
    spec = importlib.util.spec_from_file_location("launch_kernels", project / "launch_kernels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_jacobi(module: ModuleType, rng: np.random.Generator) -> None:
    a, b = rng.standard_normal(64), rng.standard_normal(64)
    expected = b.copy()
    module.jacobi_1d.py_func(a, expected)
    module.jacobi_1d(a, b)
    np.testing.assert_array_equal(b, expected)


def check_axpy(module: ModuleType, alpha: object, rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(50).astype(np.float32), rng.standard_normal(50).astype(np.float32)
    expected = y.copy()
    module.axpy.py_func(alpha, x, expected)
    module.axpy(alpha, x, y)
    np.testing.assert_array_equal(y, expected)


def test_a_cached_kernel_loads_without_translating(project: Path, translations: list[str]) -> None:
    rng = np.random.default_rng(12)
    check_jacobi(fresh(project), rng)
    assert len(translations) == 1
    check_jacobi(fresh(project), rng)
    assert len(translations) == 1


@pytest.mark.parametrize("change", ["source", "helper", "target", "version", "code", "damaged build"])
def test_what_may_change_the_c_translates_again(project: Path, translations: list[str], change: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(13)
    check_jacobi(fresh(project), rng)
    if change == "source":
        (project / "launch_kernels.py").write_text(KERNELS.replace("WEIGHT = 2.0", "WEIGHT = 3.0"))
    elif change == "helper":
        (project / "launch_helpers.py").write_text(HELPERS.replace("0.5 * middle", "0.75 * middle"))
    elif change == "target":
        monkeypatch.setenv("PY2OMP_TARGET", "cpu")
    elif change == "version":
        monkeypatch.setattr(index, "__version__", "0.0.0-other")
    elif change == "code":
        monkeypatch.setattr(index, "code_fingerprint", lambda: "other code")
    else:
        library = fresh(project).jacobi_1d.library().path
        truncated = library.read_bytes()[:4096]
        library.unlink()  # a new file: this process keeps the one it mapped (truncating that would crash it)
        library.write_bytes(truncated)
        api._LIBRARIES.clear()
    check_jacobi(fresh(project), rng)  # against the Python function of the changed text
    assert len(translations) == 2


def test_a_specialization_loads_without_translating(project: Path, translations: list[str]) -> None:
    rng = np.random.default_rng(14)
    module = fresh(project)
    check_axpy(module, 0.5, rng)
    check_axpy(module, np.float32(0.5), rng)
    assert module.axpy.signatures == ["(float, f32[:], f32[:])", "(f32, f32[:], f32[:])"]
    assert len(translations) == 2
    module = fresh(project)
    check_axpy(module, np.float32(0.25), rng)
    check_axpy(module, 0.25, rng)
    assert len(translations) == 2
    assert module.axpy.signatures == ["(f32, f32[:], f32[:])", "(float, f32[:], f32[:])"]
    assert "axpy__float_f32_1d_f32_1d(" in module.axpy.c_source  # the latest, read from the cache
    check_axpy(module, 2, rng)  # a new signature
    assert len(translations) == 3


def test_warnings_are_shown_in_every_process(project: Path, translations: list[str]) -> None:
    (project / "launch_kernels.py").write_text(KERNELS.replace("a: In[f64[:]]", "a: InOut[f64[:]]"))
    for _ in range(2):
        with pytest.warns(TranslationWarning, match="declared InOut"):
            check_jacobi(fresh(project), np.random.default_rng(15))
    assert len(translations) == 1


def test_a_new_process_with_a_cached_kernel_imports_no_translator(project: Path) -> None:
    probe = textwrap.dedent('''\
        import json, sys
        import numpy as np
        import launch_kernels
        rng = np.random.default_rng(16)
        a, b = rng.standard_normal(32), rng.standard_normal(32)
        expected = b.copy()
        launch_kernels.jacobi_1d.py_func(a, expected)
        launch_kernels.jacobi_1d(a, b)
        x, y = rng.standard_normal(8), rng.standard_normal(8)
        launch_kernels.axpy(0.5, x, y)
        heavy = sorted(m for m in ("libcst", "jinja2", "translator.pipeline", "translator.backend") if m in sys.modules)
        print(json.dumps({"equal": bool(np.array_equal(b, expected)), "heavy": heavy}))
    ''')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)])}

    def run() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=project, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert run() == {"equal": True, "heavy": ["jinja2", "libcst", "translator.backend", "translator.pipeline"]}
    assert run() == {"equal": True, "heavy": []}


def test_import_translator_imports_no_libcst() -> None:
    code = "import sys, translator\nassert 'libcst' not in sys.modules and 'jinja2' not in sys.modules\n" \
           "assert callable(translator.translate) and 'libcst' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def test_a_library_is_hashed_once_per_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding a build checks its library's hash, loading it checks again: the second is free."""
    hashed: list[Path] = []
    real = runtime_shim.library.library_sha256
    monkeypatch.setattr(runtime_shim.library, "library_sha256", lambda path: hashed.append(path) or real(path))
    rng = np.random.default_rng(17)
    check_jacobi(fresh(project), rng)  # translated, built, loaded
    assert len(hashed) == 1
    runtime_shim.library._VERIFIED.clear()  # a new process
    check_jacobi(fresh(project), rng)  # from the index
    assert len(hashed) == 2
    shutil.rmtree(index.cache_root() / "index")
    runtime_shim.library._VERIFIED.clear()
    check_jacobi(fresh(project), rng)  # translated, found in the build cache (which checks it), loaded
    assert len(hashed) == 3
