"""Every example in `examples/` matches its Python function on its own demo inputs (what
`py2omp demo` checks), on `cpu`; `py2omp demo --target host-offload` runs the same checks offloaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from translator.api import Kernel
from translator.demo import EXAMPLES_DIR, compare_with_python, example_kernels
from translator.toolchain.targets import parse_target

EXAMPLES = example_kernels(EXAMPLES_DIR)


@pytest.mark.parametrize("k, make_inputs", [pytest.param(k, make, id=k.__name__) for k, make in EXAMPLES])
def test_example_matches_python(k: Kernel, make_inputs: Any) -> None:
    result = compare_with_python(k, make_inputs(np.random.default_rng(3)), parse_target("cpu"), repeats=1)
    assert result.ok, result.mismatches
