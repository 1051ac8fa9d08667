"""Assignments through index arrays (`x[idx] = v`, `A[rows, cols] += v`): each kernel of
`tests/kernels/scatters.py` against its Python function on seeded random data, NumPy's rule for a
repeated index, its errors for a bad index and a value of the wrong length, and the C: the stores in
order on one device thread."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import scatters
from translator import pipeline
from translator.api import Kernel
from translator.frontend import Selection
from translator.oracle import compare_compiled
from translator.targets import parse_target

TARGET = parse_target("host-offload")


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in scatters.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    args = make_args(np.random.default_rng(20261205))
    compiled = k.specialization(*args, target=TARGET)  # type: ignore[attr-defined]
    result = compare_compiled(compiled, k.py_func, args, str(TARGET), repeats=1)
    assert result.ok, result.mismatches


def test_a_repeated_index_keeps_the_last_value_and_adds_once() -> None:
    perm = np.array([2, 0, 2, 1])
    y, _ = scatters.inverse_permutation.specialization(perm, np.arange(4.0), target=TARGET)(perm, np.arange(4.0))  # type: ignore[attr-defined]
    assert y[2] == 2.0  # the later of x[0] and x[2]
    counts = scatters.label_counts.specialization(np.array([1, 1, 1]), 3, target=TARGET)(np.array([1, 1, 1]), 3)  # type: ignore[attr-defined]
    assert counts.tolist() == [0, 1, 0]


@pytest.mark.parametrize("idx, v, error", [
    ([1, 7], 2, (IndexError, "bump(): index out of range for 'x' at {path}:")),
    ([0, -6], 2, (IndexError, "bump(): index out of range for 'x' at {path}:")),
    ([1, 2, 3], 2, (ValueError, "bump(): the array statement at line ")),
])
def test_errors_are_numpys(idx: list[int], v: int, error: tuple[type[Exception], str]) -> None:
    bump = scatters.bump.library("host-offload").kernels["bump"]
    x = np.zeros(5)
    with pytest.raises(error[0]) as info:
        bump(x, np.array(idx), np.ones(v))
    with pytest.raises(error[0]):
        x[np.array(idx)] += np.ones(v)  # NumPy raises the same kind of error
    assert str(info.value).startswith(error[1].format(path=scatters.__file__)), str(info.value)


def test_stores_run_in_order_on_one_device_thread() -> None:
    c = pipeline.translate(scatters.__file__, "nvptx:sm_90", selection=Selection(skip_untyped=True)).c_source
    loop = c.index("for (int64_t k__")
    region = c.rindex("#pragma omp target teams distribute parallel for", 0, loop)
    assert "for (int64_t once__" in c[region:loop]  # a region of one iteration around the serial loop
    assert "x[py2omp_wrap_index(idx[k__" in c[loop:]


def test_index_arrays_of_different_lengths_are_numpys_index_error() -> None:
    rows, cols, vals = np.array([0, 1, 2]), np.array([0, 1, 2, 3]), np.ones(3)
    dense = scatters.dense_from_coordinates.specialization(rows, cols, vals, 4, 5, target=TARGET)  # type: ignore[attr-defined]
    with pytest.raises(IndexError) as info:
        dense(rows, cols, vals, 4, 5)
    with pytest.raises(IndexError, match="shape mismatch: indexing arrays could not be broadcast together"):
        scatters.dense_from_coordinates.py_func(rows, cols, vals, 4, 5)
    assert str(info.value).endswith("NumPy raises here: shape mismatch: indexing arrays could not be broadcast together")
