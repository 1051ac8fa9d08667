"""Matrix products handed to a vendor BLAS (`passes/blas.py`, issue 12): which statements become
`ir.LibraryCall`s, the C of one (golden), and, on host-offload, the call path end to end through a
stand-in library with cuBLAS's entry points (tests/native/fake_cublas.c, loaded through
`PY2OMP_CUBLAS` as the prelude loads cuBLAS on a GPU), against Python on random data; then the
loops where no library is loaded or `PY2OMP_BLAS=0`, where alpha or beta is 0, and the exception
when the library reports an error."""

from __future__ import annotations

import ctypes
import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from runtime_shim import blas, to_device
from tests.conftest import ROOT
from tests.kernels import blas_loops, blas_products, blas_runs, whole_writes
from translator import pipeline
from translator.explain import explain_file
from translator.ir import nodes as ir
from translator.ir.printer import format_expr
from translator.ir.visit import rewrite, walk_all
from translator.passes.library_runs import library_runs
from translator.oracle import compare_with_python
from translator.targets import parse_target

HOST_OFFLOAD = parse_target("host-offload")
GOLDEN = ROOT / "tests" / "golden" / "blas_products.c"
LOOPS_GOLDEN = ROOT / "tests" / "golden" / "blas_loops.c"


@pytest.fixture(scope="module")
def fake_cublas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stand-in library, built once."""
    clang = shutil.which("clang-19") or shutil.which("clang")
    if clang is None:
        pytest.skip("no clang to build the stand-in library")
    path = tmp_path_factory.mktemp("blas") / "libfakecublas.so"
    subprocess.run([clang, "-O2", "-shared", "-fPIC", str(ROOT / "tests/native/fake_cublas.c"), "-o", str(path)],
                   check=True)
    return path


@pytest.fixture
def library(fake_cublas: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ctypes.CDLL]:
    """The stand-in, named in `PY2OMP_CUBLAS` (each kernel library loads it on its first product; the
    kernels of tests/kernels/blas_products.py are called by these tests only), its status reset."""
    monkeypatch.setenv("PY2OMP_CUBLAS", str(fake_cublas))
    monkeypatch.delenv("PY2OMP_BLAS", raising=False)
    fake = ctypes.CDLL(str(fake_cublas))
    yield fake
    for name in ("fake_status", "fake_status_after", "fake_sync_status"):
        ctypes.c_int.in_dll(fake, name).value = 0
    assert _counter(fake, "fake_pending") == 0, "every product queued was waited for"


def _counter(fake: ctypes.CDLL, name: str) -> int:
    return ctypes.c_int.in_dll(fake, name).value


def _calls(fake: ctypes.CDLL) -> int:
    return _counter(fake, "fake_calls")


def _library_calls(source: str) -> list[ir.LibraryCall]:
    module = pipeline.lower("k.py", "host-offload", source=source)
    return [n for k in module.kernels for n in walk_all(k.body) if isinstance(n, ir.LibraryCall)]


HEADER = "import numpy as np\nfrom translator import In, InOut, Out, f32, f64, i64, kernel, prange\n\n@kernel\n"


@pytest.mark.parametrize("signature, statement, routine, transposed", [
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]], a: f64", "C[:] = a * A @ B + C * 2.0", "dgemm",
     (False, False)),
    ("A: In[f32[:, :]], B: In[f32[:, :]], C: Out[f32[:, :]]", "C[:] = A.T @ B", "sgemm", (True, False)),
    ("A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]", "y[:] -= np.dot(A, x)", "dgemv", (False, False)),
    ("A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]", "y[:] = x @ A", "dgemv", (True, False)),
    ("A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]", "for j in prange(A.shape[1]):\n        y[j] = A[:, j] @ x",
     "dgemv", (True, False)),
    ("A: In[f32[:, :]], B: In[f32[:, :]], C: InOut[f32[:, :]]",
     "for i in prange(C.shape[0]):\n        for k in range(A.shape[1]):\n            C[i, :] += A[i, k] * B[k, :]",
     "sgemm", (False, False)),
])
def test_products_become_library_calls(signature: str, statement: str, routine: str,
                                       transposed: tuple[bool, bool]) -> None:
    (call,) = _library_calls(f"{HEADER}def k({signature}):\n    {statement}\n")
    assert (call.symbol, call.transposed, call.library) == (routine, transposed, "cuBLAS")
    assert any(isinstance(n, ir.ParallelLoop) for n in walk_all(call.body)), "the loops stay as the fallback"


@pytest.mark.parametrize("statement, betas", [
    ("y[:] = a * A @ x + b * A.T @ x", ["0.0:f64", "1.0:f64"]),  # the first assigns: y is not read
    ("y[:] = 2.0 * y - A @ x - b * (A.T @ x)", ["2.0:f64", "1.0:f64"]),
])
def test_sums_of_products_become_one_call_each(statement: str, betas: list[str]) -> None:
    source = f"{HEADER}def k(a: f64, b: f64, A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]):\n    {statement}\n"
    calls = _library_calls(source)
    assert [c.symbol for c in calls] == ["dgemv", "dgemv"]
    assert [format_expr(c.beta) for c in calls] == betas
    assert [c.transposed for c in calls] == [(False, False), (True, False)]


def test_npbench_gesummv_calls_the_library_twice() -> None:
    """`return alpha * A @ x + beta * B @ x`, as tests/kernels/npbench/gesummv.py (and bench/peers.py) write it."""
    module = pipeline.lower(str(ROOT / "tests/kernels/npbench/gesummv.py"), "host-offload")
    calls = [n for n in walk_all(module.kernels[0].body) if isinstance(n, ir.LibraryCall)]
    assert [(c.symbol, format_expr(c.beta)) for c in calls] == [("dgemv", "0.0:f64"), ("dgemv", "1.0:f64")]


@pytest.mark.parametrize("name, symbol", [("syrk", "dsyrkx"), ("syr2k", "dsyr2k"), ("trmm", "dtrmm"),
                                          ("doitgen", "dgemm"), ("covariance", "dsyrkx"), ("correlation", "dsyrkx")])
def test_npbench_loop_forms_call_the_library(name: str, symbol: str) -> None:
    """The kernels bench/peers.py times, as tests/kernels/npbench writes them: one call each."""
    module = pipeline.lower(str(ROOT / f"tests/kernels/npbench/{name}.py"), "nvptx:sm_90")
    assert [c.symbol for c in walk_all(module.kernels[0].body) if isinstance(c, ir.LibraryCall)] == [symbol]


def test_explain_names_the_part_of_the_product() -> None:
    """`py2omp explain` of tests/kernels/blas_loops.py: each call, with what it computes."""
    text = explain_file(str(ROOT / "tests/kernels/blas_loops.py"), HOST_OFFLOAD)
    calls = [line.split(": ", 1)[1] for line in text.splitlines() if "-> cuBLAS" in line]
    assert all(c.endswith(" when the library is found at run time (PY2OMP_BLAS=0: the kernel's own loops)")
               for c in calls)
    lower, upper = "lower triangle of a matrix product", "upper triangle of a matrix product"
    buffer = "in place (through a device buffer)"
    trmm, in_place = f"product by a triangular matrix, {buffer}", f"matrix product, {buffer}"
    assert [c.split(" when ")[0] for c in calls] == [
        f"{lower} -> cuBLAS dsyrkx", f"{lower} -> cuBLAS ssyrkx", f"{lower} plus its transpose -> cuBLAS dsyr2k",
        f"{upper} -> cuBLAS dsyrkx", f"{upper} -> cuBLAS ssyrkx", f"{upper} -> cuBLAS dsyrkx",
        f"{trmm} -> cuBLAS dtrmm", f"{trmm} -> cuBLAS strmm", f"{trmm} -> cuBLAS dtrmm", f"{trmm} -> cuBLAS dtrmm",
        f"{trmm} -> cuBLAS dtrmm", f"{trmm} -> cuBLAS strmm", f"{in_place} -> cuBLAS dgemm",
        f"{in_place} -> cuBLAS sgemm", f"{upper} -> cuBLAS dsyrkx"]


@pytest.mark.parametrize("signature, statement", [
    ("A: In[i64[:, :]], B: In[i64[:, :]], C: Out[i64[:, :]]", "C[:] = A @ B"),  # integers: no BLAS
    ("A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]", "for i in prange(1):\n        y[:] = A @ x"),
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]", "C[:] = A[::2, :] @ B"),  # stepped view
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]", "C[:] = A @ B + A @ C"),  # a product reads C
    ("A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]", "y[:] = -(A @ x) - A.T @ x"),  # first subtracted
    ("A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]", "y[:] = A @ x + A.T @ x + y * y"),  # not a scaled y
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]", "C[:] = A @ B + C * C"),  # not a scaled C
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]", "C[:] = A[0, 0] * A @ B"),  # scalar reads A
    ("A: In[f64[:, :]], B: In[f32[:, :]], C: Out[f64[:, :]]", "C[:] = A @ B"),  # mixed dtypes
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]", "C[:] = 0.0 * A @ B + C"),  # alpha 0
    ("A: In[f64[:, :, :]], B: In[f64[:, :]], C: Out[f64[:, :]]", "C[:] = A[0] @ B"),  # a fixed index
    ("A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]], z: In[f64[:]]",  # a third term
     "for i in prange(A.shape[0]):\n        y[i] += A[i, :] @ x + z[i]"),
    ("A: In[f64[:, :]], x: InOut[f64[:]], y: InOut[f64[:]]",  # the second reads what the first writes
     "for i in prange(A.shape[0]):\n        y[i] += A[i, :] @ x\n        x[i] += A[:, i] @ y"),
    ("A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]",  # the row moves with i + 1
     "for i in prange(A.shape[0] - 1):\n        y[i] = A[i + 1, :] @ x"),
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]",  # the scaling comes after the products
     "for i in prange(C.shape[0]):\n        for k in range(A.shape[1]):\n            C[i, :] += A[i, k] * B[k, :]"
     "\n        C[i, :] *= 2.0"),
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]",  # k up to i
     "for i in prange(C.shape[0]):\n        for k in range(i):\n            C[i, :] += A[i, k] * B[k, :]"),
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]",  # A read at [i, i]
     "for i in prange(C.shape[0]):\n        for k in range(A.shape[1]):\n            C[i, :] += A[i, i] * B[k, :]"),
    ("A: In[f64[:, :]], C: InOut[f64[:, :]]",  # the triangle's k loop stops at i
     "for i in prange(A.shape[0]):\n        for k in range(i):\n            C[i, :i + 1] += A[i, k] * A[:i + 1, k]"),
    ("A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]",  # syr2k with different scales
     "for i in prange(A.shape[0]):\n        for k in range(A.shape[1]):\n"
     "            C[i, :i + 1] += A[:i + 1, k] * 2.0 * B[i, k] + B[:i + 1, k] * A[i, k]"),
    ("X: In[f64[:, :]], G: InOut[f64[:, :]]",  # the value reads the matrix it fills
     "for i in prange(X.shape[1]):\n        for j in range(i, X.shape[1]):\n"
     "            G[i, j] = X[:, i] @ X[:, j] + G[j, i]"),
    ("X: In[f64[:, :]], G: InOut[f64[:, :]]",  # not a mirror
     "for i in prange(X.shape[1]):\n        for j in range(i, X.shape[1]):\n"
     "            G[i, j] = X[:, i] @ X[:, j]\n            G[j, i] = 2.0 * G[i, j]"),
    ("A: In[f64[:, :]], B: InOut[f64[:, :]]",  # trmm from the second row: not all of B
     "for i in range(1, B.shape[0]):\n        for j in prange(B.shape[1]):\n"
     "            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])"),
    ("X: In[f64[:, :]], n: In[i64[:]], G: InOut[f64[:, :]]",  # a length the host cannot read
     "for i in prange(X.shape[1]):\n        for j in range(i, X.shape[1]):\n"
     "            G[i, j] = X[:n[0], i] @ X[:n[0], j]"),
    ("X: In[f64[:, :]], G: InOut[f64[:, :]]",  # the triangle starts below the diagonal
     "for i in prange(1, X.shape[1]):\n        for j in range(i - 1, X.shape[1]):\n"
     "            G[i, j] = X[:, i] @ X[:, j]\n            G[j, i] = G[i, j]"),
])
def test_other_statements_keep_their_loops(signature: str, statement: str) -> None:
    assert _library_calls(f"{HEADER}def k({signature}):\n    {statement}\n") == []


def test_triangles_become_library_calls() -> None:
    """tests/kernels/blas_loops.py: each kernel's routine, triangle and transposes (trmm: the
    transposed lower triangle); `covariance_short` is taken (its `when` fails at run time), the
    other forms the library cannot compute are not."""
    module = pipeline.lower(str(ROOT / "tests/kernels/blas_loops.py"), "host-offload")
    found = {k.name: [(c.symbol, c.triangle, c.transposed) for c in walk_all(k.body) if isinstance(c, ir.LibraryCall)]
             for k in module.kernels}
    lower, upper, lower_t = ("lower", (False, True)), ("upper", (True, False)), ("lower", (True, False))
    assert found == {"syrk": [("dsyrkx", *lower)], "syrk_accumulate": [("ssyrkx", *lower)],
                     "syr2k": [("dsyr2k", *lower)], "covariance": [("dsyrkx", *upper)],
                     "correlation_off_diagonal": [("ssyrkx", *upper)], "gram": [("dsyrkx", *upper)],
                     "trmm": [("dtrmm", *lower_t)], "trmm_f32": [("strmm", *lower_t)], "trmm_scaled": [],
                     "trmm_upward": [], "trmm_polybench": [("dtrmm", *lower_t)],
                     "trmm_scaled_rows": [("dtrmm", *lower_t)], "trmm_shifted": [("dtrmm", *lower_t)],
                     "trmm_f32_wide_alpha": [("strmm", *lower_t)], "doitgen": [("dgemm", None, (False, False))],
                     "doitgen_transposed": [("sgemm", None, (False, True))], "doitgen_partial": [],
                     "covariance_short": [("dsyrkx", *upper)], "syrk_strict": []}


def test_trmm_takes_its_scaling_as_alpha() -> None:
    """`B *= alpha` right after trmm's loops (all of B, nothing between, in B's dtype) is the
    routine's alpha, with the scaling's loops after the product's in the fallback; PolyBench's
    `B[i, j] = alpha * B[i, j]` in the loop too; other scalings keep their own loops (alpha 1)."""
    module = pipeline.lower(str(ROOT / "tests/kernels/blas_loops.py"), "host-offload")
    calls = {k.name: c for k in module.kernels for c in walk_all(k.body) if isinstance(c, ir.LibraryCall)
             and c.routine == "trmm"}
    found = {name: (format_expr(c.alpha), len(c.body), "alpha:f64 != 0.0:f64" in format_expr(c.when))
             for name, c in calls.items()}
    assert found == {"trmm": ("alpha:f64", 2, True), "trmm_f32": ("1.0:f32", 1, False),
                     "trmm_polybench": ("alpha:f64", 1, True), "trmm_scaled_rows": ("1.0:f64", 1, False),
                     "trmm_shifted": ("1.0:f64", 1, False), "trmm_f32_wide_alpha": ("1.0:f32", 1, False)}
    npbench = pipeline.lower(str(ROOT / "tests/kernels/npbench/trmm.py"), "nvptx:sm_90")
    (call,) = [c for c in walk_all(npbench.kernels[0].body) if isinstance(c, ir.LibraryCall)]
    assert format_expr(call.alpha) == "alpha:f64"


def _launches_beside_calls(stmts: tuple[ir.Stmt, ...]) -> int:
    """The target regions a run that calls the library launches (those outside the calls'
    fallbacks), each counted once (a region's own nested `parallel for` loops are not launches)."""
    count = 0
    for stmt in stmts:
        if isinstance(stmt, ir.ParallelLoop):
            count += 1
        elif not isinstance(stmt, ir.LibraryCall):
            count += sum(_launches_beside_calls(getattr(stmt, f, ())) for f in ("body", "orelse"))
    return count


@pytest.mark.parametrize("name, launches", [("trmm", 0), ("covariance", 4), ("syrk", 0), ("doitgen", 0)])
def test_launches_beside_the_library_call(name: str, launches: int) -> None:
    """NPBench's kernels on a GPU, the launch count as the proxy of their cost: trmm's `B *= alpha`
    is the call's alpha, no launch after it; covariance launches its column means, the centring,
    the zeros of `cov` and one loop for the division and the mirror (docs/design.md, "Vendor BLAS",
    says why no gemm removes it)."""
    module = pipeline.lower(str(ROOT / f"tests/kernels/npbench/{name}.py"), "nvptx:sm_90")
    assert _launches_beside_calls(module.kernels[0].body) == launches


def _team_loops(stmts: tuple[ir.Stmt, ...]) -> list[str]:
    """The variables of the `parallel for` loops inside `teams distribute` regions outside the calls."""
    found: list[str] = []
    for stmt in stmts:
        if isinstance(stmt, ir.ParallelLoop) and isinstance(stmt.directive, ir.OmpTarget) and stmt.directive.two_level:
            found += [level.var for n in walk_all(stmt.body) if isinstance(n, ir.ParallelLoop) for level in n.levels]
        elif not isinstance(stmt, ir.LibraryCall):
            found += [v for f in ("body", "orelse") for v in _team_loops(getattr(stmt, f, ()))]
    return found


def test_the_loop_after_a_triangle_shares_each_row_among_a_team() -> None:
    """The loop `f` and the mirror run in after covariance's call: a team per row `i`, its threads
    over `j` (each `j` writes its own two elements); `gram`'s, whose indices keep a check that
    leaves the loop (`G` may be smaller than the triangle), keeps one thread per row."""
    module = pipeline.lower(str(ROOT / "tests/kernels/blas_loops.py"), "nvptx:sm_90")
    found = {k.name: _team_loops(k.body) for k in module.kernels}
    assert {name: found[name] for name in ("covariance", "correlation_off_diagonal", "gram", "covariance_short")} == {
        "covariance": ["j"], "correlation_off_diagonal": ["j"], "gram": [], "covariance_short": ["j"]}
    npbench = pipeline.lower(str(ROOT / "tests/kernels/npbench/covariance.py"), "nvptx:sm_90")
    assert _team_loops(npbench.kernels[0].body) == ["j"]


def test_a_triangle_too_large_for_its_matrix_raises_as_python_does(library: ctypes.CDLL) -> None:
    """correlation's triangle over a matrix one column short: no call (its `when`), the product's
    loops and the loop after them check their indices, and the call raises NumPy's IndexError."""
    rng = np.random.default_rng(16)
    data, corr = _matrix_f32(rng, 9, 6), np.eye(5, 6, dtype=np.float32)
    with pytest.raises(IndexError):
        blas_loops.correlation_off_diagonal.py_func(data, corr.copy())
    compiled = blas_loops.correlation_off_diagonal.library(HOST_OFFLOAD).kernels["correlation_off_diagonal"]
    with pytest.raises(IndexError, match="'corr'"):
        compiled(data, corr.copy())


def _matrix_f32(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    return rng.standard_normal((rows, cols)).astype(np.float32)


@pytest.mark.parametrize("k", [blas_loops.trmm, blas_loops.trmm_polybench])
def test_zero_alpha_in_trmm_keeps_numpys_nan(k: object, library: ctypes.CDLL) -> None:
    """trmm scaled by 0 over a B holding an infinity and a NaN: NumPy's `0 * inf` is NaN, and so is
    every element their rows reach, where a BLAS given alpha 0 writes zeros: the loops run."""
    rng = np.random.default_rng(15)
    B = rng.standard_normal((8, 6))
    B[5, 2], B[6, 4] = np.inf, np.nan
    before = _calls(library)
    result = compare_with_python(k, (0.0, rng.standard_normal((8, 8)), B), HOST_OFFLOAD, repeats=1)  # type: ignore
    assert result.ok, result.mismatches
    assert _calls(library) == before


def test_no_library_call_where_the_target_has_no_blas() -> None:
    source = f"{HEADER}def k(A: In[f64[:, :]], B: In[f64[:, :]], C: Out[f64[:, :]]):\n    C[:] = A @ B\n"
    for target in ("cpu", "serial", "amdgcn:gfx90a"):
        module = pipeline.lower("k.py", target, source=source)
        assert not any(isinstance(n, ir.LibraryCall) for n in walk_all(module.kernels[0].body)), target
        loops = pipeline.lower(str(ROOT / "tests/kernels/blas_loops.py"), target)  # the loop forms too
        assert not any(isinstance(n, ir.LibraryCall) for k in loops.kernels for n in walk_all(k.body)), target


@pytest.mark.parametrize("source, golden", [("tests/kernels/blas_products.py", GOLDEN),
                                             ("tests/kernels/blas_loops.py", LOOPS_GOLDEN)])
def test_emitted_c_matches_golden(source: str, golden: Path, update_golden: bool,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = pipeline.translate(source, "nvptx:sm_90").c_source
    if update_golden:
        golden.write_text(text)
    assert golden.read_text() == text, f"{golden} differs; rerun with --update-golden if intended"


CASES = {**blas_products.CASES, **blas_loops.CASES}
CALLED = {**{k: True for k in blas_products.CASES}, **blas_loops.CALLED}


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in CASES.items()])
def test_library_computes_what_python_does(k: object, make_args: object, library: ctypes.CDLL) -> None:
    """Each product against Python; the forms the library cannot take (`blas_loops.CALLED`) by their loops."""
    before = _calls(library)
    result = compare_with_python(k, make_args(np.random.default_rng(12)), HOST_OFFLOAD, repeats=1)  # type: ignore
    assert result.ok, result.mismatches
    assert (_calls(library) > before) == CALLED[k], "the stand-in library computed the product where it can"


def test_doitgen_reuses_its_product_buffer(library: ctypes.CDLL, monkeypatch: pytest.MonkeyPatch) -> None:
    """NPBench doitgen's `A[r, q, :] = A[r, q, :] @ C4` is one in-place product through a device buffer
    of A's size, which comes from the library's cache of freed blocks (templates/pool.c.j2): the first
    call allocates it, the next ones reuse it; with the cache off (`PY2OMP_POOL_BYTES=0`), the first call
    still takes the cached buffer but gives it back, and each later call allocates."""
    monkeypatch.delenv("PY2OMP_POOL_BYTES", raising=False)
    lib = blas_loops.doitgen.library(HOST_OFFLOAD)
    lib.release_memory()
    rng = np.random.default_rng(47)
    made = []
    for cap in (None, None, None, "0", "0"):
        if cap is not None:
            monkeypatch.setenv("PY2OMP_POOL_BYTES", cap)
        A, C4 = rng.random((7, 6, 9)), rng.random((9, 9))
        expected = A.copy()
        blas_loops.doitgen.py_func(expected, C4)
        before, calls = lib.memory_stats().allocations, _calls(library)
        lib.doitgen(A, C4)
        np.testing.assert_allclose(A, expected, rtol=1e-13)
        assert _calls(library) == calls + 1, "the stand-in library computed the product"
        made.append(lib.memory_stats().allocations - before)
    assert made == [1, 0, 0, 0, 1]
    assert lib.memory_stats()[1:] == (0, 0)


@pytest.mark.parametrize("k", [blas_loops.trmm, blas_loops.trmm_f32])
def test_trmm_computes_into_a_buffer_copied_over_b(k: object, library: ctypes.CDLL) -> None:
    """trmm out of place (cuBLAS's in-place form is ~4x slower): the stand-in writes the product into a
    device buffer only when waited for, so B is Python's only if the wrapper waits, then copies the
    buffer over B; the buffer comes from the cache of freed blocks, allocated by the first call only."""
    compiled = k.library(HOST_OFFLOAD)  # type: ignore[attr-defined]
    compiled.release_memory()
    rng = np.random.default_rng(48)
    made = []
    for rows in (21, 21, 4):  # the third call's B is smaller: the cached block is at most twice its size
        args = CASES[k](rng)  # type: ignore[index]
        args = (*args[:-2], args[-2][:rows, :rows].copy(), args[-1][:rows].copy())
        expected = args[-1].copy()
        k.py_func(*args[:-1], expected)  # type: ignore[attr-defined]
        before, calls = compiled.memory_stats().allocations, (_calls(library), _counter(library, "fake_syncs"))
        compiled.kernels[k.__name__](*args)  # type: ignore[attr-defined]
        tolerance = 1e-5 if args[-1].dtype == np.float32 else 1e-13  # float32: sums with cancellation
        np.testing.assert_allclose(args[-1], expected, rtol=tolerance, atol=tolerance * np.abs(expected).max())
        assert (_calls(library), _counter(library, "fake_syncs")) == (calls[0] + 1, calls[1] + 1)
        made.append(compiled.memory_stats().allocations - before)
    assert made == [1, 0, 1]
    compiled.release_memory()


def test_a_failing_trmm_raises_and_keeps_its_buffer(library: ctypes.CDLL) -> None:
    """The library refusing trmm (its status from the call, before the copy): NumPy's answer is not
    faked, the call raises with the product's line, and the buffer goes back to the cache."""
    ctypes.c_int.in_dll(library, "fake_status").value = 13  # CUBLAS_STATUS_EXECUTION_FAILED
    compiled = blas_loops.trmm_polybench.library(HOST_OFFLOAD)
    compiled.release_memory()
    line = _line_of(blas_loops, "def trmm_polybench(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):") + 1
    with pytest.raises(RuntimeError, match=r"^trmm_polybench\(\): cuBLAS reported an error computing the matrix "
                                           rf"product at line {line} \(dtrmm\); PY2OMP_BLAS=0 runs"):
        compiled.kernels["trmm_polybench"](*CASES[blas_loops.trmm_polybench](np.random.default_rng(49)))
    assert compiled.memory_stats()[1] == 1, "the buffer went back to the cache"
    compiled.release_memory()


def test_loops_run_when_the_library_is_turned_off(library: ctypes.CDLL, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_BLAS", "0")
    before = _calls(library)
    for k, make_args in CASES.items():
        result = compare_with_python(k, make_args(np.random.default_rng(5)), HOST_OFFLOAD, repeats=1)
        assert result.ok, result.mismatches
    assert _calls(library) == before


def test_a_power_iteration_step_reads_its_first_product_from_the_library(library: ctypes.CDLL) -> None:
    """`w[:] = A @ v; u[:] = A @ w` with `w` Out: the second product reads what the first wrote on the
    device (tests/test_whole_writes.py runs the loops)."""
    rng = np.random.default_rng(16)
    A, v = rng.standard_normal((30, 30)), rng.standard_normal(30)
    before = _calls(library)
    result = compare_with_python(whole_writes.power_step, (A, v, np.full(30, np.nan), np.full(30, np.nan)),
                                 HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches
    assert _calls(library) == before + 2


def test_zero_beta_keeps_numpys_nan(library: ctypes.CDLL) -> None:
    """NumPy's `0 * nan` is nan; a BLAS given beta 0 ignores C: the loops run for beta 0."""
    rng = np.random.default_rng(8)
    args = (1.0, 0.0, np.full((4, 5), np.nan), rng.standard_normal((4, 3)), rng.standard_normal((3, 5)))
    before = _calls(library)
    result = compare_with_python(blas_products.gemm, args, HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches
    assert _calls(library) == before


def test_zero_beta_in_a_triangle_keeps_numpys_nan(library: ctypes.CDLL) -> None:
    """syrk with beta 0 over a C holding NaN: NumPy's `nan * 0` stays in the triangle; the loops run."""
    rng = np.random.default_rng(14)
    C = rng.standard_normal((9, 9))
    C[4, 2] = np.nan
    before = _calls(library)
    result = compare_with_python(blas_loops.syrk, (1.5, 0.0, C, rng.standard_normal((9, 5))), HOST_OFFLOAD,
                                 repeats=1)
    assert result.ok, result.mismatches
    assert _calls(library) == before


def test_zero_scale_in_a_sum_keeps_numpys_nan(library: ctypes.CDLL) -> None:
    """gesummv with beta 0 and an infinity in B: NumPy's `0 * inf` makes the sum nan; the second
    product runs as loops, the first still calls the library."""
    rng = np.random.default_rng(11)
    B = rng.standard_normal((6, 5))
    B[2, 3] = np.inf
    before = _calls(library)
    result = compare_with_python(blas_products.summed_gemvs, (1.5, 0.0, rng.standard_normal((6, 5)), B,
                                                              rng.standard_normal(5)), HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches
    assert _calls(library) == before + 1


def test_library_error_raises(library: ctypes.CDLL) -> None:
    ctypes.c_int.in_dll(library, "fake_status").value = 13  # CUBLAS_STATUS_EXECUTION_FAILED
    rng = np.random.default_rng(9)
    compiled = blas_products.gemv.library(HOST_OFFLOAD).kernels["gemv"]
    lines = Path(blas_products.__file__).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "y[:] = alpha * (A @ x)" in text)
    with pytest.raises(RuntimeError, match=rf"^gemv\(\): cuBLAS reported an error computing the matrix product at "
                                           rf"line {line} \(dgemv\); PY2OMP_BLAS=0 runs the kernel's own loops instead$"):
        compiled(1.0, 2.0, rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(3))


def test_products_on_device_arrays_take_the_device_path(library: ctypes.CDLL) -> None:
    """A product whose arrays are already in device memory: the device path of the call
    (runtime_shim/devicepath.py) with the status word of the library's error, Python's answer, and
    the library's error raised on that route too."""
    rng = np.random.default_rng(31)
    compiled = blas_products.gemv.library(HOST_OFFLOAD).kernels["gemv"]
    A, x, y = blas_products.CASES[blas_products.gemv](rng)[2:]
    args = (2.0, 0.25, to_device(A), to_device(x), to_device(y))
    assert compiled.device_fast is not None and compiled.device_fast.arguments(args) is not None
    before = _calls(library)
    assert compiled(*args) is None
    assert _calls(library) == before + 1
    np.testing.assert_allclose(args[4].to_numpy(), 2.0 * (A @ x) + 0.25 * y, rtol=1e-12)
    ctypes.c_int.in_dll(library, "fake_status").value = 13  # CUBLAS_STATUS_EXECUTION_FAILED
    with pytest.raises(RuntimeError, match=r"^gemv\(\): cuBLAS reported an error computing the matrix product"):
        compiled(*args)


def _runs(stmts: tuple[ir.Stmt, ...]) -> list[str]:
    """Each call's place in its run, in order: `alone`, `first`, `within` (queued after a queued
    call) or `last` (waits for the run)."""
    places = {(False, False): "alone", (True, False): "first", (True, True): "within", (False, True): "last"}
    return [places[c.queued, c.after_queued] for c in walk_all(stmts) if isinstance(c, ir.LibraryCall)]


def test_consecutive_calls_wait_once_after_the_last() -> None:
    """`passes.library_runs` on a GPU target, the host entry and the device-pointer one alike: calls
    in a row, with only waits for launched regions between them, form a run; a region between two
    calls ends it; a call alone (gemver's, doitgen's and trmm's in place) keeps its own wait."""
    module = pipeline.lower(str(ROOT / "tests/kernels/blas_runs.py"), "nvptx:sm_90")
    expected = {"atax": ["first", "last"], "power_step": ["first", "last"], "rnn_cell": ["first", "last"],
                "chain": ["first", "within", "last"], "update_between": ["alone", "first", "last"]}
    assert {k.name: _runs(k.body) for k in module.kernels} == expected
    assert {k.name: _runs(k.device_variant.body) for k in module.kernels if k.device_variant} == expected
    npbench = {name: _runs(pipeline.lower(str(ROOT / f"tests/kernels/npbench/{name}.py"), "nvptx:sm_90").kernels[0].body)
               for name in ("atax", "bicg", "mvt", "gesummv", "gemver", "doitgen", "trmm")}
    assert npbench == {"atax": ["first", "last"], "bicg": ["first", "last"], "mvt": ["first", "last"],
                       "gesummv": ["first", "last"], "gemver": ["alone"], "doitgen": ["alone"], "trmm": ["alone"]}


@pytest.mark.parametrize("change", [{"maps": (ir.MapClause("to", "A", 2),)}, {"in_place": True}])
def test_a_call_that_waits_inside_breaks_the_run(change: dict[str, object]) -> None:
    """chain's middle call given maps of its own (its `target data` region ends right after it) or
    made in place (its wrapper copies the product out): no call around it is queued."""
    module = pipeline.lower(str(ROOT / "tests/kernels/blas_runs.py"), "nvptx:sm_90")
    kernel = next(k for k in module.kernels if k.name == "chain")
    middle = [c for c in walk_all(kernel.body) if isinstance(c, ir.LibraryCall)][1]

    def unmarked(node: object) -> object:
        if not isinstance(node, ir.LibraryCall):
            return node
        return dataclasses.replace(node, queued=False, after_queued=False, **(change if node == middle else {}))
    body = tuple(rewrite(s, unmarked) for s in kernel.body)
    assert _runs(library_runs(dataclasses.replace(kernel, body=body)).body) == ["alone"] * 3


@pytest.mark.parametrize("k, syncs, products", [
    (blas_runs.atax, 1, 2), (blas_runs.power_step, 1, 2), (blas_runs.rnn_cell, 1, 2), (blas_runs.chain, 1, 3),
    (blas_runs.update_between, 2, 3)], ids=lambda v: getattr(v, "__name__", None))
def test_a_run_is_waited_for_once(k: object, syncs: int, products: int, library: ctypes.CDLL) -> None:
    """Against Python, with the stand-in running queued products only when waited for: one wait per
    run (atax's two dependent products, the recurrent cell's two before its activation's region),
    two where the matrix's update stands between the first product and the next two."""
    before = (_counter(library, "fake_syncs"), _calls(library))
    result = compare_with_python(k, blas_runs.CASES[k](np.random.default_rng(17)), HOST_OFFLOAD, repeats=1)  # type: ignore
    assert result.ok, result.mismatches
    assert (_counter(library, "fake_syncs") - before[0], _calls(library) - before[1]) == (syncs, products)


@pytest.mark.parametrize("name, products", [("atax", 2), ("bicg", 2), ("mvt", 2), ("gesummv", 2), ("gemver", 1),
                                            ("trmm", 1)])
def test_npbench_products_wait_once(name: str, products: int, library: ctypes.CDLL, tmp_path: Path) -> None:
    """NPBench's gemv-like kernels and trmm (tests/kernels/npbench) with the stand-in library: Python's
    answer, each product by the library, one wait per call (trmm's, with its `B *= alpha` as alpha, in
    its wrapper, before the copy of its buffer over B). A copy of the module is built, whose library
    loads the stand-in (test_npbench's, which may run first in this process, has looked for none)."""
    copy = tmp_path / f"{name}_with_blas.py"
    shutil.copy(ROOT / f"tests/kernels/npbench/{name}.py", copy)
    spec = importlib.util.spec_from_file_location(copy.stem, copy)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = (_counter(library, "fake_syncs"), _calls(library))
    result = compare_with_python(getattr(module, name), module.make_args(np.random.default_rng(20)), HOST_OFFLOAD,
                                 repeats=1)
    assert result.ok, result.mismatches
    assert (_counter(library, "fake_syncs") - before[0], _calls(library) - before[1]) == (1, products)


def test_loops_within_a_run_wait_for_the_product_before(library: ctypes.CDLL) -> None:
    """chain with beta 0 and a NaN in `u`: NumPy's `0 * nan` keeps the NaN, so the middle product
    runs as loops, which read the first product: they wait for it (a second wait, after the last)."""
    rng = np.random.default_rng(18)
    A, x, u = rng.standard_normal((13, 10)), rng.standard_normal(10), rng.standard_normal(10)
    u[3] = np.nan
    before = (_counter(library, "fake_syncs"), _calls(library))
    result = compare_with_python(blas_runs.chain, (0.0, A, x, u, np.empty(13)), HOST_OFFLOAD, repeats=1)
    assert result.ok, result.mismatches
    assert (_counter(library, "fake_syncs") - before[0], _calls(library) - before[1]) == (2, 2)


def _line_of(module: object, text: str) -> int:
    return Path(module.__file__).read_text().splitlines().index(text) + 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("k, failing, line", [
    (blas_runs.atax, "fake_status", "    y = A.T @ tmp"),  # the second call fails, the first was queued
    (blas_runs.chain, "fake_status", "    u[:] = A.T @ t + beta * u"),  # the middle one fails
    (blas_runs.atax, "fake_sync_status", "    y = A.T @ tmp"),  # a queued product fails while running
], ids=["second", "middle", "while running"])
def test_an_error_within_a_run_raises_at_its_call(k: object, failing: str, line: str, library: ctypes.CDLL) -> None:
    """The call the library refused raises with its line after the products queued before it were
    waited for (the fixture checks that none is left); an error the wait reports, at the run's last
    call, where the host learns of it."""
    ctypes.c_int.in_dll(library, failing).value = 700 if failing == "fake_sync_status" else 13
    ctypes.c_int.in_dll(library, "fake_status_after").value = 1
    name = k.__name__  # type: ignore[attr-defined]
    compiled = k.library(HOST_OFFLOAD).kernels[name]  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match=rf"^{name}\(\): cuBLAS reported an error computing the matrix product at "
                                           rf"line {_line_of(blas_runs, line)} \(dgemv\)"):
        compiled(*blas_runs.CASES[k](np.random.default_rng(19)))


def test_library_kernels_take_the_fast_path(library: ctypes.CDLL) -> None:
    """A kernel with a library call has the status array (for the library's error) and length checks:
    the fast path takes both (compares of the C arguments, a zeroed status read after the call),
    moves the bytes the checked path moves, and leaves mismatched lengths to the checked path's error."""
    rng = np.random.default_rng(10)
    compiled = blas_products.gemv.library(HOST_OFFLOAD).kernels["gemv"]
    assert compiled.fast is not None and compiled.fast.status is not None
    A, x, y = rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal(5)
    found = compiled.fast.arguments((1.0, 2.0, A, x, y.copy()))
    assert found is not None and found[3] is not None and found[0][-2:] == [found[3].ctypes.data, 1]
    moved = []
    for keywords in (False, True):  # keywords: the checked path
        compiled.stats.reset()
        out = y.copy()
        compiled(1.0, 2.0, A, x, y=out) if keywords else compiled(1.0, 2.0, A, x, out)
        np.testing.assert_allclose(out, A @ x + 2.0 * y, rtol=1e-13)
        moved.append((compiled.stats.bytes_to_device, compiled.stats.bytes_from_device))
    assert moved[0] == moved[1]
    assert compiled.fast.arguments((1.0, 2.0, A, x[:3].copy(), y)) is None
    line = Path(blas_products.__file__).read_text().splitlines().index("    y[:] = alpha * (A @ x) + beta * y") + 1
    with pytest.raises(ValueError, match=rf"^gemv\(\): the array statement at line {line} combines lengths 3 and 4 "
                                         r"\(from the shapes of 'A' and 'x'\); NumPy raises here: operands could not "
                                         r"be broadcast together$"):
        compiled(1.0, 2.0, A, x[:3].copy(), y)


def test_doctor_finds_the_library_named(fake_cublas: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_CUBLAS", str(fake_cublas))
    assert blas.find_cublas() == (str(fake_cublas), "$PY2OMP_CUBLAS")
    monkeypatch.setenv("PY2OMP_CUBLAS", str(fake_cublas.parent / "missing.so"))
    assert blas.find_cublas() == (None, f"$PY2OMP_CUBLAS={fake_cublas.parent / 'missing.so'} does not load")


def test_pip_wheel_is_offered_when_nothing_else_names_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = tmp_path / "nvidia" / "cublas" / "lib" / "libcublas.so.12"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.setenv("PY2OMP_CUBLAS", "/given/libcublas.so")
    blas.offer_wheel()
    assert os.environ["PY2OMP_CUBLAS"] == "/given/libcublas.so"  # the user's choice stays
    monkeypatch.delenv("PY2OMP_CUBLAS")
    blas.offer_wheel()
    assert os.environ["PY2OMP_CUBLAS"] == str(wheel)


@pytest.mark.parametrize("folder, name", [("nvidia/cublas/lib", "libcublas.so.12"), ("nvidia/cu13/lib", "libcublas.so.13")])
def test_the_wheels_of_cuda_12_and_13_are_found(folder: str, name: str, fake_cublas: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """CUDA 13's wheels put every library in `nvidia/cu13/lib`, CUDA 12's cuBLAS in `nvidia/cublas/lib`:
    a fake site-packages tree with a loadable library there, as `doctor` reports it."""
    site = tmp_path / "site-packages"
    wheel = site / folder / name
    wheel.parent.mkdir(parents=True)
    shutil.copy(fake_cublas, wheel)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty"), str(site), *sys.path])
    monkeypatch.delenv("PY2OMP_CUBLAS", raising=False)
    assert blas.wheel_cublas() == wheel
    assert blas.find_cublas() == (str(wheel), f"NVIDIA's pip wheel, {folder} (named in $PY2OMP_CUBLAS when a kernel "
                                              "library loads)")
    blas.offer_wheel()
    assert os.environ["PY2OMP_CUBLAS"] == str(wheel)
