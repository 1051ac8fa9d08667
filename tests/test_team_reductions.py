"""Team-level reductions (`passes/team_reductions.py`, docs/design.md "Parallelism mapping"): in a
two-level `prange` body, a serial loop nest that only accumulates into the iteration's scalars
becomes `parallel for reduction` over the team's threads; NumPy's NaN and infinity rules for
max/min hold. The analysis is checked on loops, the form in the C, and the kernels of
`tests/kernels/team_reductions.py` against Python."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import team_reductions
from translator import pipeline
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.oracle import compare_with_python
from translator.passes.team_reductions import reduction_nest
from translator.pipeline import translate
from translator.targets import parse_target

PATH = "tests/kernels/team_reductions.py"


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root, with `PY2OMP_BARE=0`: on nvptx these row loops take the bare row form by default
    (`passes/bare_rows.py`, tests/test_bare_rows.py); the OpenMP team form checked here is the one
    that setting and the other offload targets give."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PY2OMP_BARE", "0")


def _code(name: str, source: str | None = None, path: str = PATH) -> list[str]:
    """The C function `name` for the GPU, stripped, without `#line`s."""
    lines = translate(path, "nvptx:sm_90", source).c_source.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"void {name}("))
    return [line.strip() for line in lines[start:lines.index("}", start)] if not line.startswith("#line")]


def _pragmas(code: list[str]) -> list[str]:
    return [line.rstrip(" \\") for line in code if line.startswith("#pragma omp")]


def test_a_sum_loop_is_reduced_by_the_team_and_read_after_it() -> None:
    code = _code("unit_rows")
    assert _pragmas(code) == ["#pragma omp target teams distribute", "#pragma omp parallel for reduction(+: norm)",
                              "#pragma omp parallel for"]
    start = code.index("norm = 0.0;")
    assert code[start + 2:start + 5] == ["for (int64_t k = 0; k < X_n1; k += 1) {",
                                         "norm = norm + X[i * X_n1 + k] * X[i * X_n1 + k];", "}"]
    assert code[start + 7] == "X[i * X_n1 + i__1] = X[i * X_n1 + i__1] / sqrt(norm);"


def test_a_float_max_reduces_a_class_of_what_it_saw() -> None:
    """OpenMP's max drops NaNs and starts from -DBL_MAX: the class (0: -inf, 1: other, 2: NaN)
    restores NumPy's result after the loop."""
    code = _code("rescaled_rows")
    assert "#pragma omp parallel for reduction(max: max__1, max__1_seen)" in code
    assert "#pragma omp parallel for reduction(min: min__3) reduction(max: min__3_seen)" in code
    start = code.index("max__1_seen = (isnan(max__1) ? 2 : (max__1 > -INFINITY ? 1 : 0));")
    assert code[start + 4] == ("max__1_seen = py2omp_max_i64(max__1_seen, (isnan(X[i * X_n1 + k__2]) ? 2 : "
                               "(X[i * X_n1 + k__2] > -INFINITY ? 1 : 0)));")
    assert code[start + 6] == "max__1 = (max__1_seen == 2 ? NAN : (max__1_seen == 0 ? -INFINITY : max__1));"


@pytest.mark.parametrize("name, pragma", [
    ("below_peak", "#pragma omp parallel for reduction(max: max__1)"),
    ("projected_rows", "#pragma omp parallel for reduction(+: dot__1)"),
    ("normalized_images", "#pragma omp parallel for collapse(2) reduction(+: sum__1)"),
    ("orthogonalized_rows", "#pragma omp parallel for reduction(+: dot__1)"),
])
def test_reductions_of_slices_are_reduced_by_the_team(name: str, pragma: str) -> None:
    """An integer max needs no class; `@` of slices, `np.sum` of a 2-D slice (its nest collapsed), a
    dot in a serial loop next to the row update that reads it."""
    assert _pragmas(_code(name))[1] == pragma


def _loop(body: str) -> tuple[ir.Loop, dict[str, ir.Var]]:
    """The first serial loop of a one-level kernel whose prange body is `body`, and the body's locals."""
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(x: In[f64[:, :]], y: InOut[f64[:]]):\n    for i in prange(x.shape[0]):\n" + body)
    module = pipeline.lower("k.py", "cpu", source)
    (loop,) = module.kernels[0].body
    assert isinstance(loop, ir.ParallelLoop)
    serial = next(s for s in loop.body if isinstance(s, ir.Loop))
    return serial, {v.name: v for v in loop.locals}


@pytest.mark.parametrize("body", [
    "        s = 0.0\n        for k in range(x.shape[1]):\n            s = s * 0.5 + x[i, k]\n        y[i] = s\n",
    "        s = 0.0\n        t = 0.0\n        for k in range(x.shape[1]):\n            s += x[i, k]\n"
    "            t += s\n        y[i] = t\n",
    "        s = 0.0\n        for k in range(x.shape[1]):\n            s += x[i, k]\n            y[i] = s\n",
    "        m = x[i, 0]\n        for k in range(x.shape[1]):\n            m = max(m, x[i, k])\n        y[i] = m\n",
])
def test_loops_that_are_not_reductions_are_not_taken(body: str) -> None:
    """A recurrence, a sum read by another update, an array store, Python's float max (which skips
    a NaN element but keeps a NaN start: OpenMP's max does not say which it keeps)."""
    loop, private = _loop(body)
    assert reduction_nest(loop, private) is None


def test_the_nest_records_each_update() -> None:
    loop, private = _loop("        s = 0.0\n        p = 1.0\n        for k in range(x.shape[1]):\n"
                          "            s -= x[i, k]\n            p *= x[i, k]\n        y[i] = s + p\n")
    nest = reduction_nest(loop, private)
    assert nest is not None
    assert [(u.var.id, u.op, u.element) for u in nest.updates] == [("s", "+", None), ("p", "*", None)]
    assert reduction_nest(dataclasses.replace(loop, independent=True), private) is None


def test_a_body_of_reductions_alone_keeps_one_thread_per_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    """gemv's shape (atax, bicg, mvt: `y[i] = A[i, :] @ x`): one thread per row, a register sum (the
    loops as they are where no cuBLAS is found; `passes.blas`, left out here, makes them its fallback)."""
    monkeypatch.setattr(pipeline, "KERNEL_PASSES", tuple(p for p in pipeline.KERNEL_PASSES
                                                         if p is not pipeline._library_calls))
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]):\n"
              "    for i in prange(A.shape[0]):\n        y[i] = A[i, :] @ x\n")
    assert _pragmas(_code("k", source, "k.py")) == ["#pragma omp target teams distribute parallel for"]


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in team_reductions.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(3)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_golden_c(update_golden: bool) -> None:
    """The whole C of `tests/kernels/team_reductions.py` for the GPU, so that every change to it is a reviewed diff."""
    golden = ROOT / "tests" / "golden" / "team_reductions.c"
    c_source = translate("tests/kernels/team_reductions.py", "nvptx:sm_90").c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"
