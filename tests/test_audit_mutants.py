"""Mutation test of `py2omp audit`: small edits of the real emitted C that break its data movement.

Each mutant is one textual edit of the C that `py2omp` emits for an example or an NPBench kernel
(target host-offload): a shrunk or shifted map section, a dropped map, a wrong map kind, a
reduction variable mapped `to`, a copy-back disabled or with its box shrunk, a loop bound raised
past the mapped section. The audit must refuse every one, naming the kernel, the array and the
line; and it must pass the unmutated C of every example and NPBench kernel (no false alarms).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

pytest.importorskip("clang.cindex")

from translator import pipeline  # noqa: E402
from translator.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = "host-offload"
KERNELS = sorted(ROOT.glob("examples/*.py")) + sorted(
    p for p in (ROOT / "tests" / "kernels" / "npbench").glob("*.py") if p.name != "__init__.py"
)


class Mutant(NamedTuple):
    """Replace the first `old` (which must occur in the emitted C: the host entry, not `__device`)."""

    name: str
    source: str
    old: str
    new: str
    message: str


MUTANTS = [
    # Shrunk or shifted sections, in each form the issue names.
    Mutant("section_one_element", "examples/saxpy.py", "map(to: x[0:x_n0])", "map(to: x[0:1])",
           "saxpy: x: the dereference at line 11 touches element 1, outside the mapped section x[0:1]"),
    Mutant("section_shifted", "examples/saxpy.py", "map(to: x[0:x_n0])", "map(to: x[1:x_n0 - 1])",
           "saxpy: x: the dereference at line 11 touches element 0, outside the mapped section x[1:x_n0 - 1]"),
    Mutant("section_other_extent_minus_one", "examples/saxpy.py", "map(tofrom: y[0:py2omp_min_i64(x_n0, y_n0)])",
           "map(tofrom: y[0:x_n0 - 1])", "saxpy: y: the dereference at line 11 touches element 4, outside"),
    Mutant("section_one_row", "examples/jacobi2d.py", "map(to: u[0:u_n0 * u_n1])", "map(to: u[0:u_n1])",
           "jacobi_step: u: the dereference at line 16 touches element"),
    Mutant("data_section_one_row", "examples/jacobi2d.py", "map(alloc: v[0:v_n0 * v_n1])",
           "map(alloc: v[0:v_n0])", "jacobi_step: v: the dereference at line 16 touches element"),
    Mutant("section_halved", "examples/dot.py", "y[0:py2omp_min_i64(x_n0, y_n0)])", "y[0:x_n0 / 2])",
           "dot: y: the dereference at line 12 touches element 2, outside the mapped section y[0:x_n0 / 2]"),
    Mutant("section_3d_one_plane", "examples/heat3d.py", "map(tofrom: u[0:u_n0 * u_n1 * u_n2])",
           "map(tofrom: u[0:u_n0 * u_n1])", "heat3d: u: the dereference at line"),
    Mutant("out_section_short", "examples/stream_triad.py", "map(from: a[0:a_n0])", "map(from: a[0:a_n0 - 1])",
           "triad: a: the dereference at line 11 touches element 4, outside the mapped section a[0:a_n0 - 1]"),
    Mutant("section_columns_only", "examples/gemm.py", "b[0:py2omp_min_i64(a_n1, b_n0) * b_n1]", "b[0:b_n1]",
           "gemm: b: the dereference at line"),
    Mutant("section_first_row_dropped", "examples/gemm.py", "map(tofrom: c[0:c_n0 * c_n1])",
           "map(tofrom: c[c_n1:c_n0 * c_n1 - c_n1])", "gemm: c: the dereference at line"),
    Mutant("scratch_section_short", "tests/kernels/npbench/atax.py", "map(alloc: tmp[0:tmp_n0])",
           "map(alloc: tmp[0:A_n0 - 1])", "atax: tmp: the dereference at line"),
    Mutant("data_section_shifted", "tests/kernels/npbench/jacobi_1d.py",
           "B[0:py2omp_min_i64(py2omp_max_i64(B_n0 - 1, A_n0), B_n0)])", "B[1:B_n0 - 1])",
           "jacobi_1d: B: the dereference at line"),
    Mutant("section_rows_minus_one", "examples/row_norms.py", "map(to: x[0:x_n0 * x_n1])",
           "map(to: x[0:(x_n0 - 1) * x_n1])", "row_norms: x: the dereference at line"),
    Mutant("out_section_halved", "tests/kernels/npbench/gesummv.py", "result__1[0:result__1_n0])",
           "result__1[0:result__1_n0 / 2])", "gesummv: result__1: the dereference at line"),
    Mutant("section_of_the_output_shape", "examples/conv2d.py",
           "image[0:py2omp_max_i64(py2omp_min_i64(out_n0 + weights_n0 - 1, image_n0), 0) * image_n1]",
           "image[0:out_n0 * out_n1]", "conv2d: image: the dereference at line 18 touches element"),
    Mutant("section_of_half_a_matrix", "tests/kernels/npbench/mvt.py", "A[0:A_n0 * A_n1]", "A[0:A_n0 * A_n1 / 2]",
           "mvt: A: the dereference at line"),
    # Rows of a section cut short (the clamping helpers are evaluated like the arithmetic).
    Mutant("rows_section_short", "tests/kernels/sections.py", "map(to: x[0:py2omp_max_i64(py2omp_min_i64(k, x_n0), 0)])",
           "map(to: x[0:py2omp_max_i64(py2omp_min_i64(k, x_n0), 0) - 1])",
           "head_mean: x: the dereference at line 12 touches element 1, outside the mapped section"),
    Mutant("rows_section_one_row_less", "tests/kernels/sections.py", "map(to: x[0:py2omp_min_i64(out_n0 + 2, x_n0)])",
           "map(to: x[0:py2omp_min_i64(out_n0 + 1, x_n0)])",
           "smooth3: x: the dereference at line 19 touches element 5, outside the mapped section"),
    # Loop bounds raised past the mapped section.
    Mutant("loop_bound_raised", "examples/saxpy.py", "i < x_n0; i += 1", "i < x_n0 + 64; i += 1",
           "saxpy: x: the dereference at line 11 touches element 5, outside the mapped section x[0:x_n0]"),
    Mutant("stencil_bound_raised", "examples/jacobi2d.py", "i < u_n0 - 1; i += 1", "i < u_n0; i += 1",
           "jacobi_step: u: the dereference at line 16 touches element"),
    # The flat index of u stays inside u's section (k runs into the next row), so the section check
    # alone passes it; the writes past v's copied-back box give it away.
    Mutant("inner_bound_raised", "examples/heat3d.py", "k < u_n2 - 1; k += 1", "k < u_n2 + 1; k += 1",
           "heat3d: v: element 34 is written on the device but no copy-back that runs returns it"),
    Mutant("reduction_bound_raised", "examples/matmul.py", "k < a_n1; k += 1", "k < a_n1 + 1; k += 1",
           "matmul: a: the dereference at line"),
    # Dropped maps and wrong map kinds.
    Mutant("dropped_map", "examples/stream_triad.py",
           "map(to: b[0:py2omp_min_i64(a_n0, b_n0)], c[0:py2omp_min_i64(a_n0, c_n0)])",
           "map(to: b[0:py2omp_min_i64(a_n0, b_n0)])",
           "triad: c: dereferenced in the target region at line 10 but not mapped"),
    Mutant("out_mapped_to", "examples/stream_triad.py", "map(from: a[0:a_n0])", "map(to: a[0:a_n0])",
           "triad: a: Out array write on the device needs map(from or tofrom), has map(to: a[0:a_n0]) (line 10)"),
    Mutant("inout_mapped_to", "examples/saxpy.py", "map(tofrom: y[0:py2omp_min_i64(x_n0, y_n0)])", "map(to: y[0:y_n0])",
           "saxpy: y: InOut array read+write on the device needs map(tofrom), has map(to: y[0:y_n0])"),
    Mutant("out_mapped_alloc", "tests/kernels/npbench/atax.py", "map(from: y[0:y_n0])", "map(alloc: y[0:y_n0])",
           "atax: y: Out array write on the device needs map(from or tofrom), has map(alloc: y[0:y_n0])"),
    Mutant("data_map_split_to", "tests/kernels/npbench/jacobi_1d.py",
           "map(tofrom: A[0:py2omp_min_i64(py2omp_max_i64(B_n0, A_n0 - 1), A_n0)], "
           "B[0:py2omp_min_i64(py2omp_max_i64(B_n0 - 1, A_n0), B_n0)])",
           "map(to: A[0:A_n0]) map(tofrom: B[0:B_n0])", "jacobi_1d: A: InOut array read+write on the device needs"),
    Mutant("partial_out_mapped_from", "examples/jacobi2d.py", "map(alloc: v[0:v_n0 * v_n1])",
           "map(from: v[0:v_n0 * v_n1])", "jacobi_step: v: mapped from, but element 0 of the section is never written"),
    # Reduction variables that stay on the device.
    Mutant("reduction_mapped_to", "examples/dot.py", "map(tofrom: s)", "map(to: s)",
           "dot: s: reduction variable mapped to at line 11: its result never comes back"),
    Mutant("reduction_mapped_alloc", "examples/dot.py", "map(tofrom: s)", "map(alloc: s)",
           "dot: s: reduction variable mapped alloc at line 11"),
    # Copy-backs disabled or shrunk.
    Mutant("copy_back_disabled", "examples/jacobi2d.py", "py2omp_copy_back(v,", "if (0) py2omp_copy_back(v,",
           "jacobi_step: v: element 6 is written on the device but no copy-back that runs returns it"),
    Mutant("copy_back_box_shrunk", "examples/jacobi2d.py", "(int64_t[]){u_n0 - 1, u_n1 - 1}, -1)",
           "(int64_t[]){u_n0 - 2, u_n1 - 1}, -1)", "jacobi_step: v: element 16 is written on the device but no"),
    Mutant("copy_back_condition_inverted", "examples/heat3d.py", "if (0 < steps) py2omp_copy_back(v",
           "if (0 > steps) py2omp_copy_back(v", "heat3d: v: element 31 is written on the device but no copy-back"),
    Mutant("copy_back_1d_short", "tests/kernels/npbench/bicg.py", "(int64_t[]){0}, (int64_t[]){A_n0}, -1)",
           "(int64_t[]){0}, (int64_t[]){A_n0 - 1}, -1)", "bicg: q: element 4 is written on the device but no"),
    Mutant("copy_back_1d_disabled", "tests/kernels/npbench/bicg.py", "py2omp_copy_back(s,",
           "if (0) py2omp_copy_back(s,", "bicg: s: element 0 is written on the device but no copy-back"),
    Mutant("copy_back_last_column", "examples/row_norms.py", "{x_n0, centered_n1}", "{x_n0, centered_n1 - 1}",
           "row_norms: centered: element 4 is written on the device but no copy-back that runs returns it"),
    Mutant("copy_back_lower_corner", "examples/softmax.py", "(int64_t[]){0, 0}, (int64_t[]){x_n0, x_n1}",
           "(int64_t[]){1, 0}, (int64_t[]){x_n0, x_n1}", "softmax_rows: out: element 0 is written on the device"),
]


def audit_c(capsys: pytest.CaptureFixture[str], source: Path, c_text: str, tmp_path: Path) -> tuple[int, str]:
    c_file = tmp_path / f"{source.stem}.c"
    c_file.write_text(c_text, encoding="utf-8")
    status = main(["audit", str(source), "--target", TARGET, "--c", str(c_file)])
    return status, capsys.readouterr().out


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_audit_refuses_mutant(mutant: Mutant, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = ROOT / mutant.source
    original = pipeline.translate(str(source), TARGET).c_source
    assert mutant.old in original, f"{mutant.name}: the edit does not apply to the emitted C"
    mutated = original.replace(mutant.old, mutant.new, 1)
    assert mutated != original
    status, out = audit_c(capsys, source, mutated, tmp_path)
    assert status == 1, out
    assert f"mismatch: {mutant.message}" in out, out


def test_mutants_cover_every_class() -> None:
    """At least 25 mutants over at least 10 kernels, each a different edit."""
    assert len(MUTANTS) >= 25
    assert len({m.source for m in MUTANTS}) >= 10
    assert len({(m.source, m.old, m.new) for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("source", KERNELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_unmutated_c_passes(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(source), "--target", TARGET]) == 0
    out = capsys.readouterr().out
    assert "0 mismatch(es)" in out, out


def test_one_copy_back_per_written_box() -> None:
    """softmax writes `out[i, j]` twice (the exponentials, then their quotients): one box, one copy-back."""
    c_text = pipeline.translate(str(ROOT / "examples" / "softmax.py"), TARGET).c_source
    assert c_text.count("py2omp_copy_back(out, ") == 1
