"""The decorator: targets chosen per kernel or by environment, one library per module, clear misuse errors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from translator import BuildError, Kernel

SOURCE = '''
from translator import kernel, prange, In, Out, f64

@kernel(target="serial")
def double(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = 2 * x[i]

@kernel
def triple(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = 3 * x[i]

def make_nested():
    @kernel
    def nested(x: In[f64[:]]):
        for i in prange(x.shape[0]):
            pass
    return nested
'''


def _module(tmp_path: Path) -> ModuleType:
    path = tmp_path / "api_kernels.py"
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("api_kernels", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_kernels"] = module
    spec.loader.exec_module(module)
    return module


def test_targets_from_decorator_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_TARGET", "host-offload")
    module = _module(tmp_path)
    assert isinstance(module.double, Kernel)
    assert str(module.double.target) == "serial" and str(module.triple.target) == "host-offload"
    x, y = np.random.default_rng().standard_normal(50), np.zeros(50)
    module.double(x, y)
    np.testing.assert_array_equal(y, 2 * x)
    module.triple(x, y)
    np.testing.assert_array_equal(y, 3 * x)
    assert "#pragma omp" not in module.double.c_source
    assert "#pragma omp target teams distribute parallel for" in module.triple.c_source
    assert module.triple.library() is module.triple.library()


def test_nested_kernel_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_TARGET", "cpu")
    nested = _module(tmp_path).make_nested()
    with pytest.raises(BuildError, match="^kernel 'nested' must be defined at the top level of its module$"):
        nested(np.zeros(3))
