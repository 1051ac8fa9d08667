"""Types from the call: unannotated parameters are typed by each call's arguments, one specialization
per signature, checked against the Python function on host-offload; `py2omp --signature` fixes them
ahead of time."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import runtime_shim
from tests.conftest import ROOT
from tests.kernels import call_types
from tests.test_kernel_sites import run, shell  # noqa: F401  (the IPython shell fixture)
from translator import TranslationError, pipeline, to_device
from translator.api import GenericKernel, Kernel

FLOYD_WARSHALL = '''\
from translator import kernel, prange


@kernel
def floyd_warshall(path):
    n = path.shape[0]
    for k in range(n):
        for i in prange(n):
            for j in range(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])
'''

BLEND = '''\
from translator import In, f32, kernel, prange


@kernel
def blend(alpha, x: In[f32[:]], y):
    for i in prange(x.shape[0]):
        y[i] = alpha * x[i] + (1 - alpha) * y[i]
'''


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261202)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_floyd_warshall_runs_on_each_dtype(dtype: type, rng: np.random.Generator) -> None:
    path = call_types.random_graph(rng, 48, dtype)
    expected = path.copy()
    call_types.floyd_warshall.py_func(expected)
    call_types.floyd_warshall(path)
    assert path.dtype == dtype
    np.testing.assert_array_equal(path, expected)
    name = np.dtype(dtype).name
    short = {"int32": "i32", "int64": "i64", "float32": "f32", "float64": "f64"}[name]
    assert f"({short}[:, :])" in call_types.floyd_warshall.signatures
    assert call_types.floyd_warshall.specialization(path).spec.symbol == f"floyd_warshall__{short}_2d"


def test_a_signature_seen_before_is_not_built_again(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = call_types.random_graph(rng, 8, np.float64), call_types.random_graph(rng, 33, np.float64)
    compiled = call_types.floyd_warshall.specialization(small)
    assert call_types.floyd_warshall.specialization(large) is compiled
    call_types.floyd_warshall(small)

    def no_translation(*args: object, **kwargs: object) -> None:
        raise AssertionError("a call with types seen before translated the kernel again")
    monkeypatch.setattr(pipeline, "lower", no_translation)
    before = compiled.stats.calls
    call_types.floyd_warshall(small)
    call_types.floyd_warshall(path=large)
    assert compiled.stats.calls == before + 2
    assert call_types.floyd_warshall.signatures.count("(f64[:, :])") == 1


def test_python_and_numpy_scalars_give_their_own_specializations(rng: np.random.Generator) -> None:
    for alpha in (1.5, 3, np.float64(0.25), True):
        x = rng.standard_normal(100).astype(np.float32)
        expected = x.copy()
        call_types.scale.py_func(expected, alpha)
        call_types.scale(x, alpha)
        np.testing.assert_array_equal(x, expected)
    assert call_types.scale.signatures[:4] == ["(f32[:], float)", "(f32[:], int)", "(f32[:], f64)", "(f32[:], bool)"]


@pytest.mark.parametrize("shift", [0.5, np.float64(0.5), 2, np.int8(2), 1.5j, np.complex128(1.5j)])
def test_made_arrays_take_numpy_2_promotion_of_the_call_types(shift: object, rng: np.random.Generator) -> None:
    x = rng.standard_normal(64).astype(np.float32)
    result, expected = call_types.shifted(x, shift), call_types.shifted.py_func(x, shift)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


def test_partly_annotated_kernel(rng: np.random.Generator) -> None:
    weights, x = rng.standard_normal(200), rng.standard_normal(200).astype(np.float32)
    y = rng.standard_normal(200).astype(np.float32)
    expected = y.copy()
    call_types.weighted_update.py_func(weights, x, expected)
    call_types.weighted_update(weights, x, y)
    np.testing.assert_array_equal(y, expected)
    assert "(f64[:], f32[:], f32[:])" in call_types.weighted_update.signatures
    spec = call_types.weighted_update.specialization(weights, x, y).spec
    assert spec.symbol == "weighted_update__f32_1d_f32_1d"
    assert [p.ownership for p in spec.params] == ["in", "in", "inout"]
    message = r"^weighted_update\(\): argument 'weights' has dtype float32; expected float64$"
    with pytest.raises(TypeError, match=message):
        call_types.weighted_update(weights.astype(np.float32), x, y)


def test_scalar_result_of_each_dtype(rng: np.random.Generator) -> None:
    for dtype in (np.float32, np.float64, np.int64):
        x, y = (rng.uniform(-5, 5, 300).astype(dtype) for _ in range(2))
        result = call_types.dot(x, y)
        assert result == pytest.approx(call_types.dot.py_func(x, y), rel=1e-5)


def test_device_arrays_give_their_dtype_and_rank(rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(500), rng.standard_normal(500)
    on_device = [to_device(a, call_types.axpy) for a in (x, y)]
    assert call_types.dot(*on_device) == pytest.approx(call_types.dot.py_func(x, y), rel=1e-12)
    assert call_types.dot.specialization(x, y) is call_types.dot.specialization(*on_device)


def test_kernel_in_a_notebook_cell_takes_types_from_the_call(shell: InteractiveShell, rng: np.random.Generator) -> None:
    run(shell, "import numpy as np\nfrom translator import kernel, prange\n")
    run(shell, '''\
@kernel(target="host-offload")
def clip(x, lo, hi):
    for i in prange(x.shape[0]):
        x[i] = min(max(x[i], lo), hi)
''')
    clip = shell.user_ns["clip"]
    for lo, hi in ((-0.5, 0.5), (np.float32(-1), np.float32(0.25))):
        x = rng.standard_normal(200).astype(np.float32)
        expected = x.copy()
        clip.py_func(expected, lo, hi)
        clip(x, lo, hi)
        np.testing.assert_array_equal(x, expected)
    assert clip.signatures == ["(f32[:], float, float)", "(f32[:], f32, f32)"]


def test_annotated_kernel_beside_generic_ones_is_unchanged(rng: np.random.Generator) -> None:
    assert type(call_types.axpy) is Kernel and isinstance(call_types.floyd_warshall, GenericKernel)
    x, y = rng.standard_normal(100), rng.standard_normal(100)
    expected = y.copy()
    call_types.axpy.py_func(2.5, x, expected)
    call_types.axpy(2.5, x, y)
    np.testing.assert_array_equal(y, expected)
    assert [k["name"] for k in call_types.axpy.translate("host-offload").manifest["kernels"]] == ["axpy"]
    assert call_types.axpy.compiled().spec.symbol == "axpy"


@pytest.mark.parametrize(("argument", "error", "message"), [
    ([[0.0, 1.0], [1.0, 0.0]], TypeError, "argument 'path' is a list; a parameter without annotation takes a NumPy "
                                          "array, a NumPy scalar, or a Python bool, int, float or complex"),
    (None, TypeError, "argument 'path' is None; a parameter without annotation takes a NumPy array, a NumPy scalar, "
                      "or a Python bool, int, float or complex"),
    (np.zeros((6, 6))[:, ::2], ValueError, "argument 'path' is not C-contiguous; pass numpy.ascontiguousarray(path)"),
    (np.zeros((4, 4), np.float16), TypeError, "argument 'path' has dtype float16, which kernels do not take; use one "
     "of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, complex64, complex128"),
    (np.zeros((1,) * 8), ValueError, "argument 'path' has 8 dimensions; kernels take at most 7"),
])
def test_bad_argument_names_the_parameter(argument: object, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        call_types.floyd_warshall(argument)
    assert str(caught.value) == f"floyd_warshall(): {message}"


def test_binding_errors_are_pythons() -> None:
    x = np.ones(4)
    with pytest.raises(TypeError, match=r"^scale\(\) missing 1 required positional argument: 'alpha'$"):
        call_types.scale(x)
    with pytest.raises(TypeError, match=r"^scale\(\) got an unexpected keyword argument 'beta'$"):
        call_types.scale(x, beta=2.0)


def test_translate_needs_a_signature_before_any_call() -> None:
    with pytest.raises(TranslationError) as caught:
        call_types.floyd_warshall.translate()
    assert str(caught.value).splitlines()[0].endswith(
        "call_types.py:9:20: error: parameter 'path' has no type annotation, and no call gives it a type here: "
        "annotate it or give the types, such as --signature 'f64[:, :]'")
    c_source = call_types.floyd_warshall.translate(signature="i64[:, :]").c_source
    assert "void floyd_warshall(int64_t *restrict path, int64_t path_n0, int64_t path_n1)" in c_source
    with pytest.raises(TranslationError, match=r"parameter 'weights' is annotated f64\[:\]; the signature gives f32\[:\]"):
        call_types.weighted_update.translate(signature="f32[:], f32[:], f32[:]")


def py2omp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "translator", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_without_signature_is_a_located_error(tmp_path: Path) -> None:
    source = tmp_path / "floyd_warshall.py"
    source.write_text(FLOYD_WARSHALL)
    result = py2omp("translate", str(source), "-o", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (
        f"{source}:5:20: error: parameter 'path' has no type annotation, and no call gives it a type here: "
        "annotate it or give the types, such as --signature 'f64[:, :]'\n"
        "def floyd_warshall(path):\n"
        "                   ^\n")


def test_cli_suggested_signature_works(tmp_path: Path) -> None:
    source = tmp_path / "blend.py"
    source.write_text(BLEND)
    refused = py2omp("translate", str(source), "-o", str(tmp_path))
    assert refused.returncode == 1
    suggested = re.search(r"such as --signature '([^']*)'", refused.stderr)
    assert suggested is not None and suggested.group(1) == "f64, f32[:], f64[:]"
    accepted = py2omp("translate", str(source), "-o", str(tmp_path), "--signature", suggested.group(1))
    assert accepted.returncode == 0, accepted.stderr
    assert "void blend(double alpha, const float *x, int64_t x_n0, double *y, int64_t y_n0);" in (
        tmp_path / "blend.h").read_text()


def test_cli_build_with_signature_runs(tmp_path: Path, rng: np.random.Generator) -> None:
    source = tmp_path / "floyd_warshall.py"
    source.write_text(FLOYD_WARSHALL)
    out = tmp_path / "out"
    result = py2omp("build", str(source), "--target", "host-offload", "-o", str(out), "--signature", "f32[:, :]")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "floyd_warshall.json").read_text())
    assert manifest["kernels"][0]["symbol"] == "floyd_warshall"
    assert manifest["kernels"][0]["params"][0]["ownership"] == "inout"
    path = call_types.random_graph(rng, 40, np.float32)
    expected = path.copy()
    call_types.floyd_warshall.py_func(expected)
    runtime_shim.load(out).floyd_warshall(path)
    np.testing.assert_array_equal(path, expected)
    explained = py2omp("explain", str(source), "--target", "host-offload", "--signature", "f32[:, :]")
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.splitlines()[1:3] == [
        "  path: declared none, inferred InOut", "    map(tofrom: path[0:path.shape[0] * path.shape[1]])"]


def test_cli_signatures_name_their_kernels(tmp_path: Path) -> None:
    kernels = str(ROOT / "tests" / "kernels" / "call_types.py")
    named = ["--signature", "floyd_warshall: i32[:, :]", "--signature", "scale: f64[:], float",
             "--signature", "shifted: f32[:], int", "--signature", "weighted_update: f64[:], f32[:], f32[:]",
             "--signature", "dot: (f64[:], f64[:])"]
    result = py2omp("translate", kernels, "-o", str(tmp_path), "--target", "cpu", *named)
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "call_types.h").read_text()
    assert "void floyd_warshall(int32_t *path, int64_t path_n0, int64_t path_n1);" in header
    assert "void scale(double *x, int64_t x_n0, double alpha);" in header
    unnamed = py2omp("translate", kernels, "-o", str(tmp_path), "--signature", "f64[:, :]")
    assert unnamed.returncode == 1
    assert unnamed.stderr.splitlines()[0].endswith(
        "call_types.py:18:5: error: several kernels have parameters without annotations; "
        "name the kernel: --signature 'name: f64[:]'")
    wrong = py2omp("translate", kernels, "--signature", "floyd_warshall: f65[:, :]")
    assert wrong.returncode == 2
    assert wrong.stderr.splitlines()[-1] == (
        "py2omp translate: error: argument --signature: 'f65[:, :]' is not a type; expected a scalar type "
        "(f32, f64, i32, i64, int, float, complex, bool, ...) or an array such as f32[:]")


def test_a_run_of_calls_with_other_types_never_takes_the_last_specialization(rng: np.random.Generator) -> None:
    """A call first tries the fast path of the latest call's specialization: a NumPy scalar or a 0-d
    array in place of a Python float (other types, the same C parameter) must still get its own."""
    x = rng.standard_normal(300).astype(np.float32)
    weak, strong = x.copy(), x.copy()
    call_types.scale(weak, 0.1)
    call_types.scale(strong, np.float64(0.1))
    assert not np.array_equal(weak, strong)  # f32 * f32 against f32 * f64: the calls tell them apart
    for alpha in (0.1, np.float64(0.1), 0.1, np.array(0.1), 0.1, np.float64(0.1), np.float64(0.1), 2, 0.1, True):
        expected, got = x.copy(), x.copy()
        call_types.scale.py_func(expected, alpha)
        before = call_types.scale.specialization(x, alpha).stats.calls
        call_types.scale(got, alpha)
        np.testing.assert_array_equal(got, expected)
        assert call_types.scale.specialization(x, alpha).stats.calls == before + 1


def test_a_generic_call_of_the_same_types_costs_no_key(rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = rng.standard_normal(40), rng.standard_normal(40)
    call_types.dot(x, y)

    def no_key(*args: object) -> None:
        raise AssertionError("a call of the latest call's types computed a dispatch key")
    monkeypatch.setattr("translator.api.call_key", no_key)
    assert call_types.dot(y, x) == call_types.dot(x, y) == pytest.approx(call_types.dot.py_func(x, y), rel=1e-12)
