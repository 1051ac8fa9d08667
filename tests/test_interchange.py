"""Products fused and interchanged (`passes/interchange.py`, docs/design.md "Parallelism mapping"):
a `prange` body of independent row loops, alone or each the only statement of a serial loop,
becomes one nest collapsed over the row and its elements with the serial loop inside, accumulating
in a local; bodies where an element written is touched at another element keep the team mapping.
Legality is checked on the IR, the form in the C, and the kernels against Python."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import products
from translator import pipeline
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.visit import Node, rewrite_body
from translator.oracle import compare_with_python
from translator.passes.interchange import fusion_of
from translator.pipeline import translate
from translator.targets import parse_target


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root, and without `passes.blas`: these tests are about the loops, which on nvptx are
    a cuBLAS call's fallback for the gemm kernels (tests/test_blas.py covers the call)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(pipeline, "KERNEL_PASSES", tuple(p for p in pipeline.KERNEL_PASSES
                                                         if p is not pipeline._library_calls))


def _code(path: str, name: str) -> list[str]:
    """The C function `name` for the GPU, stripped, without `#line`s."""
    lines = translate(path, "nvptx:sm_90").c_source.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"void {name}("))
    return [line.strip() for line in lines[start:lines.index("}", start)] if not line.startswith("#line")]


def _one_level(path: str, name: str, monkeypatch: pytest.MonkeyPatch) -> ir.ParallelLoop:
    """The kernel's parallel loop as `passes.parallelize` leaves it for an offload target."""
    passes = tuple(p for p in pipeline.KERNEL_PASSES if p not in (pipeline._two_level, pipeline._device_pointers))
    monkeypatch.setattr(pipeline, "KERNEL_PASSES", passes)
    kernel = next(k for k in pipeline.lower(path, "host-offload").kernels if k.name == name)
    (loop,) = kernel.body
    assert isinstance(loop, ir.ParallelLoop)
    return loop


def test_gemm_runs_each_element_on_a_thread_with_k_inside() -> None:
    """C[i, :] *= beta, then the k loop over C[i, :] += ...: one thread per (i, j), C[i, j] loaded
    once before the k loop and stored once after it (H200: 13.7 ms, against 21-50 ms for teams)."""
    code = _code("tests/kernels/two_level.py", "gemm")
    pragmas = [line for line in code if line.startswith("#pragma")]
    assert pragmas == ["#pragma omp target teams distribute parallel for \\"]
    start = code.index("collapse(2) \\")
    assert code[start + 1] == "num_teams(py2omp_num_teams(C_n0 * C_n1, 256)) \\"
    body = code.index("for (int64_t i__1 = 0; i__1 < C_n1; i__1 += 1) {")
    assert code[body + 1:body + 9] == [
        "double C_element;",
        "C[i * C_n1 + i__1] = C[i * C_n1 + i__1] * beta;",
        "C_element = C[i * C_n1 + i__1];",
        "for (int64_t k = 0; k < A_n1; k += 1) {",
        "C_element = C_element + alpha * A[i * A_n1 + k] * B[k * B_n1 + i__1];",
        "}",
        "C[i * C_n1 + i__1] = C_element;",
        "}",
    ]


def test_the_register_gets_a_name_the_kernel_does_not_use() -> None:
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(C_element: f64, C: InOut[f64[:, :]], A: In[f64[:, :]]):\n"
              "    for i in prange(C.shape[0]):\n        for k in range(A.shape[0]):\n"
              "            C[i, :] += C_element * A[k, :]\n")
    lines = translate("k.py", "nvptx:sm_90", source).c_source.splitlines()
    code = [line.strip() for line in lines if not line.startswith("#line")]
    assert "double C_element__2;" in code
    assert "C_element__2 = C_element__2 + C_element * A[k * A_n1 + i__1];" in code


def test_a_two_dimensional_row_collapses_three_levels() -> None:
    code = _code("tests/kernels/products.py", "batched_matmul")
    assert "collapse(3) \\" in code and "num_teams(py2omp_num_teams(X_n0 * Z_n1 * Z_n2, 256)) \\" in code
    assert "Z_element = Z_element + X[(b * X_n1 + i__1) * X_n2 + k] * Y[(b * Y_n1 + k) * Y_n2 + i__2];" in code


def test_rows_checked_equal_before_the_call_are_fused() -> None:
    """H[i, :] and Y[i, :] run over rows the runtime checks are equal (Y[i, :] = f(H[i, :])), so the
    ReLU runs on the element the k loop left in H."""
    code = _code("tests/kernels/products.py", "dense_relu")
    assert "collapse(2) \\" in code and "num_teams(py2omp_num_teams(X_n0 * H_n1, 256)) \\" in code
    relu = code[code.index("H[i * H_n1 + i__1] = H_element;") + 1]
    assert relu.startswith("Y[i * Y_n1 + i__1] = (H[i * H_n1 + i__1]")
    rng = np.random.default_rng(1)
    X, W, b, H = rng.random((7, 6)), rng.random((6, 5)), rng.random(5), rng.random((7, 5))
    run: Any = products.dense_relu.library("host-offload").kernels["dense_relu"]
    with pytest.raises(ValueError, match="combines lengths 5 and 4"):
        run(X, W, b, H, np.zeros((7, 4)))


def test_the_fusion_records_the_element_each_array_is_written_at(monkeypatch: pytest.MonkeyPatch) -> None:
    fusion = fusion_of(_one_level("tests/kernels/products.py", "gram_rows", monkeypatch))
    assert fusion is not None
    assert [p.serial is not None for p in fusion.parts] == [False, True, False]
    assert [lv.var for lv in fusion.levels] == ["i__1"]
    assert {a: [n.id for n in e if isinstance(n, ir.Name)] for a, e in fusion.written.items()} == {"G": ["i", "i__1"]}


@pytest.mark.parametrize("name, why", [
    ("doitgen", "its last statement runs over A's extents, the others over work's"),
    ("syrk", "the row update sits in its length check's branch, and C[i, :i + 1] is triangular"),
    ("scaled_rows", "scalars computed between the loops"),
])
def test_other_bodies_are_not_fused(name: str, why: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fusion_of(_one_level("tests/kernels/two_level.py", name, monkeypatch)) is None, why


def test_an_element_read_at_another_j_is_not_fused(monkeypatch: pytest.MonkeyPatch) -> None:
    """gemm with its k loop reading C[k, j] instead of B[k, j]: thread (i, j) would read C[k, j]
    while thread (k, j) writes it, so the body must run statement by statement."""
    loop = _one_level("tests/kernels/two_level.py", "gemm", monkeypatch)

    def read_c(node: Node) -> object:
        return dataclasses.replace(node, array="C") if isinstance(node, ir.Index) and node.array == "B" else node
    changed = dataclasses.replace(loop, body=rewrite_body(loop.body, read_c))
    assert fusion_of(loop) is not None and fusion_of(changed) is None


def test_an_element_that_moves_with_k_is_not_fused(monkeypatch: pytest.MonkeyPatch) -> None:
    """gemm's k loop alone, then writing C[k, j]: no one element per (i, j) to keep in a register."""
    loop = _one_level("tests/kernels/two_level.py", "gemm", monkeypatch)

    def row_k(node: Node) -> object:
        if isinstance(node, ir.Index) and node.array == "C" and node.span.line == 18:
            return dataclasses.replace(node, indices=(ir.Name("k", node.span, node.indices[0].type), node.indices[1]))
        return node
    (_, update) = loop.body
    assert fusion_of(dataclasses.replace(loop, body=(update,))) is not None
    assert fusion_of(dataclasses.replace(loop, body=rewrite_body((update,), row_k))) is None


def test_rows_of_different_ranges_keep_the_teams() -> None:
    """x[i, :] runs over x's row, y[i, 1:] over one element less: no common (i, j) nest."""
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(w: In[f64[:]], x: InOut[f64[:, :]], y: InOut[f64[:, :]]):\n"
              "    for i in prange(x.shape[0]):\n        x[i, :] *= 2.0\n"
              "        for k in range(w.shape[0]):\n            y[i, 1:] += w[k] * x[i, :-1]\n")
    c_source = translate("k.py", "nvptx:sm_90", source).c_source
    assert "#pragma omp target teams distribute \\" in c_source and "collapse" not in c_source


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in products.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(5)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_golden_c(update_golden: bool) -> None:
    """The whole C of `tests/kernels/products.py` for the GPU, so that every change to it is a reviewed diff."""
    golden = ROOT / "tests" / "golden" / "products.c"
    c_source = translate("tests/kernels/products.py", "nvptx:sm_90").c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"
