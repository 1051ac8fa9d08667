"""Elementwise nests over whole arrays as one loop over the element number (`passes/flat_nests.py`,
`ir.ParallelLoop.flat`): which nests are flat on each target, the C of both forms (golden: the bare
form on nvptx; the OpenMP loop on host-offload), and each kernel of `tests/kernels/flat_nests.py`
against Python on host-offload, on shapes with an extent of 1 and non-square ones."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import flat_nests
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.pipeline import lower, translate
from translator.targets import parse_target

PATH = "tests/kernels/flat_nests.py"
SHAPES = ((1, 7), (7, 1), (1, 1), (5, 9), (0, 4))


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PATH` and the C's `#line` paths are relative to the repository root."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PY2OMP_BARE", raising=False)


@pytest.mark.parametrize("target", ["nvptx:sm_90", "host-offload", "cpu"])
def test_which_nests_are_flat(target: str) -> None:
    """The elementwise nest of each kernel (its device-pointer variant's alike) is flat exactly where
    every array it indexes at the levels' variables is read there in order and has their extents."""
    found = {}
    for k in lower(PATH, target).kernels:
        bodies = (k.body, *(() if k.device_variant is None else (k.device_variant.body,)))
        found[k.name] = {n.flat for body in bodies for n in walk_all(body)
                         if isinstance(n, ir.ParallelLoop) and len(n.levels) > 1}
    assert found == {name: {flat} for name, flat in flat_nests.FLAT.items()}


def test_the_serial_target_keeps_its_levels() -> None:
    assert not any(n.flat for k in lower(PATH, "serial").kernels for n in walk_all(k.body)
                   if isinstance(n, ir.ParallelLoop))


def test_golden_c(update_golden: bool) -> None:
    """The nvptx C of every kernel: the flat ones in the bare form, each element at `py2omp_e`."""
    golden = ROOT / "tests" / "golden" / "flat_nests.c"
    c_source = translate(PATH, "nvptx:sm_90").c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


def _function(c_source: str, symbol: str) -> str:
    start = c_source.index(f"void {symbol}(")
    return re.sub(r"^#line .*\n", "", c_source[start:c_source.index("\n}\n", start)], flags=re.MULTILINE)


@pytest.mark.parametrize("target", ["nvptx:sm_90", "host-offload"])
def test_go_fast_adds_at_one_flat_index(target: str) -> None:
    """NPBench go_fast's `a + trace`: one loop over `n0 * n1` elements, no division or remainder; in
    the bare form the thread's number is the element's, in the OpenMP form one level, no collapse."""
    c_source = translate("tests/kernels/npbench/go_fast.py", target).c_source
    body = _function(c_source, "go_fast")
    assert "result__1[py2omp_e] = a[py2omp_e] + trace;" in body
    assert "collapse" not in body and "%" not in body and " / " not in body
    if target.startswith("nvptx"):
        assert "int64_t py2omp_trip = result__1_n0 * result__1_n1;" in body
        assert "int64_t py2omp_e = py2omp_k;" in body
    else:
        assert "for (int64_t py2omp_e = 0; py2omp_e < result__1_n0 * result__1_n1; py2omp_e += 1) {" in body


def test_a_nest_that_keeps_its_levels_keeps_its_c() -> None:
    """The transposed read keeps the element's two indices, recovered from the thread's number."""
    body = _function(translate(PATH, "nvptx:sm_90").c_source, "transposed")
    assert "py2omp_e" not in body
    assert re.search(r"b\[\w+ \* b_n1 \+ \w+\]", body)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("k", list(flat_nests.CASES), ids=lambda k: k.__name__)
def test_matches_python_on_host_offload(k: object, shape: tuple[int, int]) -> None:
    """Flat or not, each kernel computes what Python does (on random data), on shapes with an extent
    of 1, one empty, and a non-square one."""
    args = flat_nests.CASES[k](np.random.default_rng(sum(shape) + 31), shape)
    result = compare_with_python(k, args, parse_target("host-offload"), repeats=1)  # type: ignore[arg-type]
    assert result.ok, result.mismatches
