"""The two-level mapping (`passes/two_level.py`, docs/design.md "Parallelism mapping"): a `prange`
whose body holds independent loops goes to teams, those loops to the team's threads; everything else
keeps one level. Directives are checked in the C, data sharing in the IR and the C, and the kernels
of `tests/kernels/two_level.py` against Python on every test target."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import two_level
from translator.api import Kernel
from translator.backend import emit_module
from translator.oracle import compare_with_python
from translator.ir import nodes as ir
from translator.passes.device_pointers import device_variant
from translator.passes.two_level import map_two_levels
from translator.pipeline import lower, translate
from translator.targets import parse_target

PATH = "tests/kernels/two_level.py"


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PATH` and the C's `#line` paths are relative to the repository root, as `py2omp translate` shows them."""
    monkeypatch.chdir(ROOT)


def _function(c_source: str, symbol: str) -> list[str]:
    """The lines of the C function `symbol`, from its signature to its closing brace."""
    lines = c_source.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"void {symbol}("))
    return lines[start:lines.index("}", start) + 1]


def _pragmas(c_source: str, symbol: str) -> list[str]:
    """The function's OpenMP directives, their first line only, indentation kept."""
    return [line.rstrip(" \\") for line in _function(c_source, symbol) if line.lstrip().startswith("#pragma omp")]


@pytest.mark.parametrize("name, pragmas", [
    ("syrk", ["    #pragma omp target data", "                #pragma omp target data use_device_ptr(A, C)",
              "                #pragma omp target teams distribute", "                    #pragma omp parallel for",
              "                            #pragma omp parallel for",
              "                                #pragma omp atomic compare",
              "                #pragma omp target teams distribute parallel for",
              "                        #pragma omp atomic compare"]),
    ("doitgen", ["    #pragma omp target teams distribute", "        #pragma omp parallel for collapse(2)",
                 "            #pragma omp parallel for collapse(2)", "        #pragma omp parallel for collapse(2)"]),
])
def test_teams_take_the_prange_and_threads_the_statements_loops(name: str, pragmas: list[str]) -> None:
    """syrk's row updates (the fallback of its vendor BLAS call, then the call's failure, in one
    region each) sit in a serial loop over k and in its length check's branch, whose failure the team
    records (gemm's, fused and interchanged, are `tests/test_interchange.py`'s), doitgen's 2-D slice
    statements collapse; one team per iteration of the prange."""
    c_source = translate(PATH, "host-offload").c_source
    assert _pragmas(c_source, name) == pragmas
    extent = {"syrk": "A_n0", "doitgen": "A_n0"}[name]
    assert f"num_teams(py2omp_num_teams({extent}, 1)) \\" in [line.strip() for line in _function(c_source, name)]
    on_host = [p.strip() for p in pragmas if "target data" not in p]
    assert [p.strip() for p in _pragmas(c_source, f"{name}__device")] == on_host


def test_the_device_entry_point_passes_pointers_to_the_teams() -> None:
    device = _function(translate(PATH, "host-offload").c_source, "syrk__device")
    start = device.index("            #pragma omp target teams distribute \\")  # in the BLAS call's fallback
    assert device[start:start + 5] == [
        "            #pragma omp target teams distribute \\",
        "                num_teams(py2omp_num_teams(A_n0, 1)) \\",
        "                thread_limit(256) \\",
        "                is_device_ptr(C, A, py2omp_failed)",
        '#line 23 "tests/kernels/two_level.py"',
    ]


def test_serial_statements_run_between_the_loops_on_the_team() -> None:
    """`first`, `scale` and `shift` are computed once per row, before the loops that read them, and
    declared in the distributed loop's body: private to the team, shared by its threads."""
    body = _function(translate(PATH, "host-offload").c_source, "scaled_rows")
    code = [line.strip() for line in body if not line.startswith("#line")]
    start = code.index("for (int64_t i = 0; i < X_n0; i += 1) {")
    assert code[start + 1:start + 8] == [
        "double first;", "double scale;", "double shift;", "first = X[i * X_n1 + 0];",
        "scale = 1.0 / (1.0 + first * first);", "#pragma omp parallel for",
        "for (int64_t i__1 = 0; i__1 < Y_n1; i__1 += 1) {"]
    shifted = code.index("Y[i * Y_n1 + i__2] = Y[i * Y_n1 + i__2] - shift;")
    shift = code.index("shift = Y[i * Y_n1 + (Y_n1 - 1)] - first;")
    assert shift < code.index("#pragma omp parallel for", start + 7) < shifted


@pytest.mark.parametrize("target", ["cpu", "serial"])
def test_other_targets_keep_one_level(target: str) -> None:
    c_source = translate(PATH, target).c_source
    expected = ["    #pragma omp parallel for"] if target == "cpu" else []
    for name in ("gemm", "syrk", "doitgen", "scaled_rows", "normalized_rows"):
        assert [p for p in _pragmas(c_source, name) if "atomic" not in p] == expected


def test_a_prange_with_a_schedule_keeps_one_level() -> None:
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(x: In[f64[:, :]], y: InOut[f64[:, :]]):\n"
              "    for i in prange(x.shape[0], schedule='static'):\n        y[i, :] = x[i, :] * 2.0\n")
    assert _pragmas(translate("k.py", "host-offload", source).c_source, "k") == [
        "    #pragma omp target teams distribute parallel for"]


def test_a_body_with_row_reductions_shares_them_among_the_team() -> None:
    """A row's max and sum (array tier reductions, `Loop.reductions`) become team-level reductions,
    the row's array statements the team's parallel loops: two levels (the max's statement inside
    the check that the row is not empty, as NumPy raises then)."""
    source = ("import numpy as np\nfrom translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(x: In[f64[:, :]], y: InOut[f64[:, :]]):\n"
              "    for i in prange(x.shape[0]):\n        y[i, :] = np.exp(x[i, :] - np.max(x[i, :]))\n"
              "        y[i, :] /= np.sum(y[i, :])\n")
    assert _pragmas(translate("k.py", "host-offload", source).c_source, "k") == [
        '    #pragma omp target teams distribute',
        '            #pragma omp parallel for reduction(max: max__2, max__2_seen)',
        '            #pragma omp parallel for',
        '                #pragma omp atomic compare',
        '        #pragma omp parallel for reduction(+: sum__5)',
        '        #pragma omp parallel for']


def _with_independent_inner_loop(tail: str) -> tuple[ir.Module, ir.ParallelLoop]:
    """A one-level kernel whose prange body is a loop assigning a scalar `t`, followed by `tail`;
    the loop marked independent as the array tier would mark it (no written Python loop is)."""
    source = ("from translator import In, InOut, f64, kernel, prange\n\n@kernel\n"
              "def k(x: In[f64[:, :]], y: InOut[f64[:, :]]):\n"
              "    for i in prange(x.shape[0]):\n"
              "        for j in range(x.shape[1]):\n            t = x[i, j] * 2.0\n            y[i, j] = t + 1.0\n"
              f"{tail}")
    module = lower("k.py", "host-offload", source)
    (loop,) = module.kernels[0].body
    assert isinstance(loop, ir.ParallelLoop) and isinstance(loop.directive, ir.OmpTarget)
    assert not loop.directive.two_level and [v.name for v in loop.locals] == ["t"]
    inner, *rest = loop.body
    marked = dataclasses.replace(loop, body=(dataclasses.replace(inner, independent=True), *rest))
    return module, marked


def test_scalars_a_threads_loop_assigns_are_private_to_its_threads() -> None:
    module, loop = _with_independent_inner_loop("")
    kernel = dataclasses.replace(module.kernels[0], body=(loop,), device_variant=None)
    kernel = map_two_levels(kernel, team_threads=False)
    (mapped,) = kernel.body
    assert isinstance(mapped, ir.ParallelLoop) and isinstance(mapped.directive, ir.OmpTarget)
    assert mapped.directive.two_level and mapped.locals == ()
    (threads,) = mapped.body
    assert isinstance(threads, ir.ParallelLoop) and threads.directive == ir.OmpParallelFor(1, ())
    assert [v.name for v in threads.locals] == ["t"]
    c_source = emit_module(dataclasses.replace(module, kernels=(kernel,))).c_source
    code = [line.strip() for line in _function(c_source, "k") if not line.startswith("#line")]
    start = code.index("#pragma omp parallel for")
    assert code[start + 1:start + 4] == ["for (int64_t j = 0; j < x_n1; j += 1) {", "double t;",
                                         "t = x[i * x_n1 + j] * 2.0;"]


def test_a_loop_whose_scalar_the_body_reads_after_it_stays_serial() -> None:
    module, loop = _with_independent_inner_loop("        t = 1.0\n        y[i, 0] = t\n")
    kernel = map_two_levels(dataclasses.replace(module.kernels[0], body=(loop,)), team_threads=False)
    assert kernel.body == (loop,)


def test_the_device_variant_keeps_the_threads_loops() -> None:
    kernel = lower(PATH, "host-offload").kernels[1]
    variant = device_variant(kernel)
    (call,) = [s for s in variant.body if isinstance(s, ir.LibraryCall)]  # syrk's loops: its BLAS call's fallback
    (teams,) = call.body
    assert isinstance(teams, ir.ParallelLoop) and isinstance(teams.directive, ir.OmpTarget)
    assert teams.directive.two_level and teams.directive.maps == ()
    assert [type(s).__name__ for s in teams.body] == ["ParallelLoop", "Loop"]


def test_golden_c(update_golden: bool) -> None:
    """The whole C of the two-level kernels for the GPU, so that every change to it is a reviewed diff."""
    golden = ROOT / "tests" / "golden" / "two_level.c"
    c_source = translate(PATH, "nvptx:sm_90").c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in two_level.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(12)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches
