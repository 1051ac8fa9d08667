"""`py2omp audit`: libclang reads the emitted C, and every map is checked against ownership.

The emitted C must pass; hand-corrupted copies (a dropped map, `to` where `tofrom` is needed, a
wrong direction on an enclosing `target data`, a C error) must fail with exit status 1 and name
the kernel, parameter and Python line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("clang.cindex")

from translator import pipeline  # noqa: E402
from translator.audit_clang import MapItem, parse_c  # noqa: E402
from translator.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAXPY = str(ROOT / "examples" / "saxpy.py")
SEMANTICS = str(ROOT / "tests" / "kernels" / "semantics.py")
TARGET = "host-offload"


def emitted_c(path: str) -> str:
    return pipeline.translate(path, TARGET).c_source


def audit(capsys: pytest.CaptureFixture[str], path: str, c_text: str | None, tmp_path: Path) -> tuple[int, str]:
    """Run `py2omp audit` (on `c_text` written to a file, when given); exit status and stdout."""
    args = ["audit", path, "--target", TARGET]
    if c_text is not None:
        c_file = tmp_path / "corrupted.c"
        c_file.write_text(c_text, encoding="utf-8")
        args += ["--c", str(c_file)]
    status = main(args)
    return status, capsys.readouterr().out


def row(out: str, kernel: str, parameter: str) -> list[str]:
    """The cells of the table row for (kernel, parameter) (the first such row)."""
    for line in out.splitlines():
        cells = line.split()
        if cells[:2] == [kernel, parameter]:
            return cells
    raise AssertionError(f"no row for {kernel} {parameter} in:\n{out}")


def test_emitted_c_passes_with_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out = audit(capsys, SAXPY, None, tmp_path)
    assert status == 0, out
    assert out.splitlines()[0].split()[:4] == ["kernel", "parameter", "ownership", "access"]
    assert row(out, "saxpy", "x") == ["saxpy", "x", "In", "read", "map(to:", "x[0:x_n0])", "4", "*", "x_n0", "10", "ok"]
    assert row(out, "saxpy", "y")[2:5] == ["InOut", "read+write", "map(tofrom:"]
    assert "audit passed" in out


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.stem)
def test_every_example_passes_for_nvptx(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(example), "--target", "nvptx:sm_90"]) == 0
    assert "audit passed" in capsys.readouterr().out


def test_enclosing_target_data_governs_inner_regions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """two_phases/time_steps map on `target data`; their inner loops have no map clauses."""
    status, out = audit(capsys, SEMANTICS, None, tmp_path)
    assert status == 0, out
    # y is written over x's range only: mapped alloc, its written section copied back by `target update`.
    assert row(out, "two_phases", "y")[2:9] == ["Out", "read+write", "map(alloc:", "y[0:y_n0])", "+", "target",
                                                "update"]
    assert row(out, "two_phases", "y")[-2] == "185"  # the def line, where the data region is
    assert row(out, "time_steps", "a")[2:5] == ["InOut", "read+write", "map(tofrom:"]
    assert "0 mismatch(es)" in out


def test_dropped_map_and_to_for_tofrom_are_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c_text = emitted_c(SAXPY)
    assert "        map(to: x[0:x_n0]) \\\n" in c_text and "map(tofrom: y[0:py2omp_min_i64(x_n0, y_n0)])" in c_text
    corrupted = c_text.replace("        map(to: x[0:x_n0]) \\\n", "").replace("map(tofrom: y", "map(to: y")
    status, out = audit(capsys, SAXPY, corrupted, tmp_path)
    assert status == 1
    assert row(out, "saxpy", "x")[4:] == ["none", "0", "10", "MISMATCH"]
    assert row(out, "saxpy", "y")[-1] == "MISMATCH"
    assert "saxpy: x: dereferenced in the target region at line 10 but not mapped" in out
    assert "saxpy: y: InOut array read+write on the device needs map(tofrom), has map(to: y[0:py2omp_min_i64" in out


def test_wrong_direction_on_target_data_is_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c_text = emitted_c(SEMANTICS)
    data_map = "map(alloc: y[0:y_n0], z[0:z_n0])"
    assert data_map in c_text
    status, out = audit(capsys, SEMANTICS, c_text.replace(data_map, "map(to: y[0:y_n0]) map(alloc: z[0:z_n0])"), tmp_path)
    assert status == 1
    assert row(out, "two_phases", "y")[-1] == "MISMATCH"
    assert row(out, "two_phases", "z")[-1] == "ok"
    assert "two_phases: y: Out array read+write on the device needs map(from or tofrom)" in out


def test_alloc_without_copy_back_is_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A partly written Out array is mapped alloc; only its copy-back call (`target update from`
    inside the helper) returns it."""
    jacobi = str(ROOT / "examples" / "jacobi2d.py")
    c_text = emitted_c(jacobi)
    copy_back = "py2omp_copy_back(v, sizeof(double), "
    assert c_text.count(copy_back) == 1
    status, out = audit(capsys, jacobi, c_text.replace(copy_back, "(void)(v, sizeof(double), "), tmp_path)
    assert status == 1
    assert "jacobi_step: v: Out array write on the device needs map(from or tofrom), has map(alloc:" in out


def test_dropped_target_data_map_is_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    c_text = emitted_c(SEMANTICS)
    data = "#pragma omp target data map(tofrom: a[0:a_n0])"
    assert data in c_text
    status, out = audit(capsys, SEMANTICS, c_text.replace(data, "#pragma omp target data map(to: steps)"), tmp_path)
    assert status == 1
    assert "time_steps: a: dereferenced in the target region at line 200 but not mapped" in out


def test_device_pointer_needs_no_map(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corrupted = emitted_c(SAXPY).replace("map(to: x[0:x_n0])", "is_device_ptr(x)")
    status, out = audit(capsys, SAXPY, corrupted, tmp_path)
    assert status == 0, out
    assert row(out, "saxpy", "x")[4] == "is_device_ptr"


def test_clang_error_is_reported_with_python_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corrupted = emitted_c(SAXPY).replace("+ y[i];", "+ undefined_thing;")
    status, out = audit(capsys, SAXPY, corrupted, tmp_path)
    assert status == 1
    assert "error: use of undeclared identifier 'undefined_thing'" in out
    assert f"[from {SAXPY}:11]" in out


def test_cpu_target_has_no_regions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["audit", SAXPY, "--target", "cpu"]) == 0
    assert "no target region dereferences an array" in capsys.readouterr().out


def test_map_clause_forms() -> None:
    """Modifiers, the default `tofrom`, bare names and several items per clause."""
    c_text = """\
#include <stdint.h>
void k(double *a, int64_t n, double *b, double *c) {
#pragma omp target teams distribute parallel for map(always, to: a[0:n]) map(b[0:n * 2], c)
    for (int64_t i = 0; i < n; i++) { b[i] += a[i]; c[i]++; *c = 1.0; }
}
"""
    facts = parse_c("k.c", c_text).functions["k"]
    (region,) = facts.pragmas
    assert region.is_target_region and not region.is_target_data
    assert region.maps == (MapItem("to", "a", "n"), MapItem("tofrom", "b", "n * 2"), MapItem("tofrom", "c", ""))
    uses = {(a.pointer, a.read, a.written) for a in facts.accesses}
    assert uses == {("a", True, False), ("b", True, True), ("c", True, True), ("c", False, True)}


STAGED = """\
from translator import In, Out, Scratch, f64, kernel, prange


@kernel
def staged(x: In[f64[:]], tmp: Scratch[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        tmp[i] = x[i] * 2.0
    for i in prange(x.shape[0]):
        y[i] = tmp[i] + 1.0
"""


def test_scratch_needs_a_map_of_any_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "staged.py"
    source.write_text(STAGED, encoding="utf-8")
    status, out = audit(capsys, str(source), None, tmp_path)
    assert status == 0, out
    assert row(out, "staged", "tmp")[2:] == ["Scratch", "read+write", "map(alloc:", "tmp[0:tmp_n0])", "0", "5", "ok"]
    c_text = emitted_c(str(source))
    status, out = audit(capsys, str(source), c_text.replace("tmp[0:tmp_n0], ", ""), tmp_path)
    assert status == 1
    assert "staged: tmp: dereferenced in the target region at line 6 but not mapped" in out
    assert "staged: tmp: dereferenced in the target region at line 8 but not mapped" in out


NUMPY_FUNCTIONS = str(ROOT / "tests" / "kernels" / "numpy_functions.py")


def test_arrays_the_kernel_makes_have_their_allocated_extents(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    """`x.reshape(3, -1) - 1.0` is returned in a (3, len(x) // 3) array the caller allocates: at free
    sample extents its last rows would look never written; at the allocated ones (3 x 1 for 5
    elements) it passes, and a section shrunk by one element is still refused."""
    status, out = audit(capsys, NUMPY_FUNCTIONS, None, tmp_path)
    assert status == 0, out
    assert row(out, "reshapes", "result__4")[2:4] == ["Out", "write"]
    whole = "result__4[0:result__4_n0 * result__4_n1]"
    c_text = emitted_c(NUMPY_FUNCTIONS)
    assert whole in c_text
    status, out = audit(capsys, NUMPY_FUNCTIONS, c_text.replace(whole, whole.replace("]", " - 1]")), tmp_path)
    assert status == 1
    assert ("reshapes: result__4: the dereference at line 104 touches element 2, outside the mapped section "
            "result__4[0:result__4_n0 * result__4_n1 - 1] = [0, 2)") in out


def test_kernels_that_refuse_equal_extents_are_not_sampled(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`a[1:] + b` needs `a` one longer than `b` (as vadv's `wcon` is one row longer than its other
    arrays): at the sample's equal extents the caller's length check fails, so no call runs the C
    there and the run says so instead of judging the elements it would touch."""
    path = tmp_path / "longer.py"
    path.write_text("import numpy as np\nfrom translator import kernel, In, f64\n\n\n@kernel\n"
                    "def longer(a: In[f64[:]], b: In[f64[:]]):\n    return a[1:] + b\n", encoding="utf-8")
    status, out = audit(capsys, str(path), None, tmp_path)
    assert status == 0, out
    assert "note: longer: b: section not checked: the sample extents fail the length check of line 7, so no call " \
           "runs the C there" in out


def test_the_sample_run_stops_where_a_run_time_check_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`out[i] = window[k] - ...` runs under a test of `k` that fails at the sample extents (k = w = 2):
    the call raises there, so `out` left unwritten is no fault; the audit says it did not check."""
    status, out = audit(capsys, str(ROOT / "tests" / "kernels" / "temporaries.py"), None, tmp_path)
    assert status == 0, out
    assert ("note: window_contrast: out: section not checked: a run-time check fails at the sample extents, where the "
            "call raises") in out
