"""The status word of device calls (runtime_shim/device.py `StatusWords`, docs/data-movement.md):
a word in host memory the device addresses (`host`, the default of `PY2OMP_STATUS_WORD`) read with a
load after the call, or a word in device memory copied back (`device`). With either, on host-offload,
a failed run-time check raises Python's exception with its text, many lanes failing leave the first
check in program order (the `atomic compare` max of `FAILED - k`), and a good call after a failure
finds its word zeroed again; the pool hands out words of the kind chosen, and falls back to device
words for good where host memory cannot be had."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from runtime_shim import DeviceArray, to_device
from runtime_shim.device import STATUS_WORD_KINDS, STATUS_WORDS, HostWord, StatusWords
from runtime_shim.pinned import is_pinned
from runtime_shim.resident import openmp
from tests.kernels import status_words as kernels

ROOT = Path(__file__).resolve().parents[1]
LINE = f"{kernels.__file__}:13"
MESSAGE = rf"^gather_pairs\(\): index out of range for 'value' at {LINE}$"


def compiled(name: str) -> runtime_shim.CompiledKernel:
    return getattr(kernels, name).library("host-offload").kernels[name]


@pytest.fixture(params=STATUS_WORD_KINDS)
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each setting of the switch in turn, on the runtime's own pool (restored after the test)."""
    compiled("gather_pairs")  # the pool needs a loaded offload library
    monkeypatch.setattr(STATUS_WORDS, "host", request.param == "host")
    yield request.param


def graph(rng: np.random.Generator, edges: int = 96, nodes: int = 40) -> tuple[np.ndarray, ...]:
    """An edge list (`src`, `dst`) into `nodes` nodes, node weights and values, as a graph code has them."""
    return (rng.integers(0, nodes, edges), rng.integers(0, nodes, edges),
            rng.standard_normal(nodes), rng.standard_normal(nodes))


def failing_graph(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Edge 5 leaves the values (the first check of the loop body) and every edge from 9 on leaves
    the weights (the second): lanes write both failures, in any order; Python stops at edge 5."""
    src, dst, weight, value = graph(rng)
    src[5] = value.shape[0] + 7
    dst[9:] = weight.shape[0] + rng.integers(0, 5, dst.shape[0] - 9)
    return src, dst, weight, value


@pytest.mark.parametrize("staged", [False, True], ids=["device path", "checked path"])
def test_many_failing_lanes_raise_the_first_check_in_program_order(kind: str, staged: bool) -> None:
    src, dst, weight, value = failing_graph(np.random.default_rng(11))
    with pytest.raises(IndexError, match=r"out of bounds for axis 0 with size 40"):
        kernels.gather_pairs.py_func(src, dst, weight, value, np.zeros(src.shape[0]))  # the values' index first
    kernel = compiled("gather_pairs")
    weights = weight if staged else to_device(weight)  # a NumPy array among device arrays is staged
    kernel.stats.reset()
    with pytest.raises(IndexError, match=MESSAGE):
        kernel(to_device(src), to_device(dst), weights, to_device(value), to_device(np.zeros(src.shape[0])))
    status_bytes = 4 if kind == "device" else 0
    assert kernel.stats.bytes_from_device == status_bytes
    assert kernel.stats.bytes_to_device == (weight.nbytes if staged else 0)


def test_a_good_call_after_a_failure_finds_its_word_zeroed(kind: str) -> None:
    rng = np.random.default_rng(12)
    kernel = compiled("edge_flux")
    for _ in range(3):
        src, dst, potential = graph(rng)[:3]
        bad = src.copy()
        bad[rng.integers(0, bad.shape[0], 8)] = -potential.shape[0] - 3
        with pytest.raises(IndexError, match=r"^edge_flux\(\): index out of range for 'potential' at .*status_words.py:22$"):
            kernel(to_device(bad), to_device(dst), to_device(potential))
        flux = kernel(to_device(src), to_device(dst), to_device(potential))
        assert isinstance(flux, DeviceArray)
        np.testing.assert_array_equal(flux.to_numpy(), kernels.edge_flux.py_func(src, dst, potential))


def test_the_pool_hands_out_words_of_the_kind_chosen() -> None:
    compiled("edge_flux")
    pool = StatusWords("host")
    word = pool.take()
    assert type(word) is HostWord and word.device == openmp().device
    assert is_pinned(word.ptr, 4) and word.value[0] == 0  # the runtime's host memory, zeroed
    word.value[0] = 2147483640  # what a failed check's `atomic compare` leaves
    status = np.zeros(1, np.int32)
    assert pool.give_back(word, status) == 0 and status[0] == 2147483640
    assert word.value[0] == 0 and pool.take() is word  # zeroed by a store, and pooled
    pool.use("device")
    device_word = pool.take()
    assert isinstance(device_word, DeviceArray) and not is_pinned(device_word.ptr, 4)
    assert pool.give_back(device_word, status := np.zeros(1, np.int32)) == 4 and status[0] == 0
    with pytest.raises(ValueError, match=r"^PY2OMP_STATUS_WORD must be 'host' or 'device', got 'pinned'$"):
        pool.use("pinned")


def test_the_pool_falls_back_to_device_words_for_good(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled("edge_flux")
    monkeypatch.setattr(openmp().host_memory, "alloc", lambda nbytes, device: None)  # NULL: none to be had
    pool = StatusWords("host")
    assert isinstance(pool.take(), DeviceArray) and not pool.host
    monkeypatch.undo()
    assert isinstance(pool.take(), DeviceArray)


def test_the_switch_is_read_from_the_environment() -> None:
    script = "from runtime_shim.device import STATUS_WORDS\nprint(STATUS_WORDS.host)\n"
    seen = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PY2OMP_STATUS_WORD": kind}).stdout.strip() for kind in STATUS_WORD_KINDS]
    assert seen == ["True", "False"]
