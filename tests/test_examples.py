"""Every example in `examples/` matches its Python function on its own demo inputs (what
`py2omp demo` checks), on `cpu`; `py2omp demo --target host-offload` runs the same checks offloaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from translator.api import Kernel
from translator.demo import EXAMPLES_DIR, example_kernels
from translator.oracle import arrays_close, compare_with_python, describe_difference
from translator.targets import parse_target

EXAMPLES = example_kernels(EXAMPLES_DIR)


@pytest.mark.parametrize("k, make_inputs", [pytest.param(k, make, id=k.__name__) for k, make in EXAMPLES])
def test_example_matches_python(k: Kernel, make_inputs: Any) -> None:
    result = compare_with_python(k, make_inputs(np.random.default_rng(3)), parse_target("cpu"), repeats=1)
    assert result.ok, result.mismatches


def test_the_comparison_can_fail() -> None:
    """What every end-to-end test relies on: an infinity in Python's result does not widen the
    tolerance for the other elements, imaginary parts count, and NaN equals NaN only."""
    expected = np.array([np.inf, 1.0 + 1.0j, np.nan, 2.0])
    assert arrays_close(expected.copy(), expected)
    wrong = expected.copy()
    wrong[1] = 1.0 + 1.001j
    assert not arrays_close(wrong, expected)
    assert describe_difference(wrong, expected) == "1 of 4 elements differ; the largest difference is at (1,): (1+1.001j) where Python gives (1+1j)"
    wrong = expected.copy()
    wrong[3] = np.nan
    assert not arrays_close(wrong, expected)
    assert describe_difference(wrong, expected) == "1 of 4 elements differ; the largest difference is at (3,): (nan+0j) where Python gives (2+0j)"
    one_float32_ulp = np.array([1.0 + 2.0 ** -23])  # a float32 result stored in a float64 output
    assert not arrays_close(one_float32_ulp, np.ones(1)) and arrays_close(one_float32_ulp, np.ones(1), [np.dtype(np.float32)])
