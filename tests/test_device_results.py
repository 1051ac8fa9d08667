"""Arrays a kernel makes, in a call whose data is already on the device (docs/data-movement.md,
"Results of device calls"): they are made in device memory and come back as device arrays of the
arguments' family, with no byte moved; the arguments a kernel returns come back as themselves.
Run on host-offload, whose device memory is separate, with py2omp's own `DeviceArray`s (CuPy and
PyTorch stand-ins below check the family rule)."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import runtime_shim
from runtime_shim import DeviceArray, to_device
from runtime_shim.device import STATUS_WORD_KINDS, STATUS_WORDS
from runtime_shim.device_cache import DEVICE_CACHE
from runtime_shim.resident import STATE, openmp
from tests.kernels import device_results as kernels

RNG = np.random.default_rng(29)
CASES: dict[str, tuple[Any, ...]] = {
    "plus_trace": (RNG.standard_normal((40, 40)),),
    "column_sums": (RNG.standard_normal((33, 17)),),
    "envelope": (RNG.standard_normal(50), 0.25),
    "scaled_and_magnitude": (RNG.standard_normal(21), -1.5),
    "gathered": (RNG.integers(0, 30, 45), RNG.standard_normal(30)),
}


def compiled(name: str) -> runtime_shim.CompiledKernel:
    return getattr(kernels, name).library("host-offload").kernels[name]


def on_device(args: tuple[Any, ...]) -> list[Any]:
    compiled("plus_trace")  # to_device needs a loaded offload library
    return [to_device(a) if isinstance(a, np.ndarray) else a for a in args]


def as_tuple(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture()
def allocations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The device pointers allocated and not yet freed while the test runs, with the cache of freed
    DeviceArray blocks off: a freed array's block goes back to the device (tests/test_device_cache.py
    tests the cache)."""
    monkeypatch.setattr(DEVICE_CACHE, "limit", 0)
    live: list[int] = []
    compiled("plus_trace")  # openmp() needs a loaded offload library
    real_alloc, real_free = openmp().alloc, openmp().free

    def alloc(nbytes: int, device: int) -> int:
        pointer = real_alloc(nbytes, device)
        live.append(pointer)
        return pointer  # type: ignore[no-any-return]

    def free(pointer: int, device: int) -> None:
        live.remove(pointer)
        real_free(pointer, device)

    monkeypatch.setattr(openmp(), "alloc", alloc)
    monkeypatch.setattr(openmp(), "free", free)
    yield live


@pytest.mark.parametrize("kind", STATUS_WORD_KINDS)
@pytest.mark.parametrize("name", list(CASES))
def test_made_arrays_come_back_as_device_arrays_equal_to_python(name: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(STATUS_WORDS, "host", kind == "host")
    kernel = compiled(name)
    args = CASES[name]
    expected = as_tuple(getattr(kernels, name).py_func(*(a.copy() if isinstance(a, np.ndarray) else a for a in args)))
    placed = on_device(args)
    kernel.stats.reset()
    got = as_tuple(kernel(*placed))
    assert len(got) == len(expected)
    for item, want in zip(got, expected):
        if isinstance(want, np.ndarray):
            assert isinstance(item, DeviceArray), type(item)
            assert item.shape == want.shape and item.dtype == want.dtype
            np.testing.assert_allclose(item.to_numpy(), want, rtol=1e-12, atol=1e-12)
        else:
            assert type(item) is type(want) and item == pytest.approx(want, rel=1e-12)  # type: ignore[operator]
    # Only what the host reads moves: the one-element arrays of the scalars returned after the first
    # (out), and the run-time checks' int32 status word where it is a pooled word in device memory
    # (out, `StatusWords` kind `device`); a word in host memory the device addresses moves nothing.
    staged = [p for p in kernel.spec.params if p.name in kernel.spec.results_elements]
    status = sum(np.dtype(p.dtype).itemsize for p in kernel.spec.params if p.name == kernel.spec.status)
    moved = (sum(np.dtype(p.dtype).itemsize for p in staged if p.copy_in),
             sum(np.dtype(p.dtype).itemsize for p in staged if p.copy_out) + (status if kind == "device" else 0))
    assert moved == {"envelope": (0, 8), "gathered": (0, 4 if kind == "device" else 0)}.get(name, (0, 0))
    assert (kernel.stats.calls, kernel.stats.bytes_to_device, kernel.stats.bytes_from_device) == (1, *moved)


def test_a_returned_argument_is_that_very_object() -> None:
    a = RNG.standard_normal(12)
    da = to_device(a)
    same, magnitude = compiled("scaled_and_magnitude")(da, 3.0)
    assert same is da and isinstance(magnitude, DeviceArray)
    np.testing.assert_array_equal(da.to_numpy(), a * 3.0)
    np.testing.assert_array_equal(magnitude.to_numpy(), np.abs(a * 3.0))


def test_numpy_calls_keep_returning_numpy_arrays() -> None:
    A = RNG.standard_normal((6, 5))
    sums = compiled("column_sums")(A)
    assert isinstance(sums, np.ndarray)
    np.testing.assert_allclose(sums, A.sum(axis=0), rtol=1e-12)


def test_keyword_and_default_arguments() -> None:
    x = RNG.standard_normal(16)
    kernel = compiled("envelope")
    lo, total, hi, peak = kernel(width=0.5, x=to_device(x))
    assert isinstance(lo, DeviceArray) and isinstance(hi, DeviceArray) and isinstance(peak, np.float64)
    np.testing.assert_allclose(lo.to_numpy(), np.minimum(x[:-1], x[1:]) - 0.5, rtol=1e-12)
    assert total == pytest.approx(x[:-1].sum(), rel=1e-12) and peak == np.abs(x[:-1]).max()
    np.testing.assert_allclose(kernel(to_device(x))[2].to_numpy(), np.maximum(x[:-1], x[1:]) + 1.0, rtol=1e-12)


def test_a_scratch_array_stays_internal_and_is_freed(allocations: list[int]) -> None:
    x = RNG.standard_normal(25)
    expected = np.empty(25)
    kernels.smooth_twice.py_func(x, expected)
    dx, out = to_device(x), to_device(np.zeros(25))
    before = list(allocations)
    assert compiled("smooth_twice")(dx, out) is None
    assert allocations == before  # the scratch array `t` was made on the device and freed
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-12)


def test_a_failed_check_raises_and_frees_the_made_arrays(allocations: list[int]) -> None:
    idx, x = np.array([0, 3, 7, 2]), to_device(RNG.standard_normal(5))
    kernel = compiled("gathered")
    didx = to_device(idx)
    kernel(to_device(idx[:2]), x)  # a status word into the pool (`StatusWords`), where it stays
    before = list(allocations)
    with pytest.raises(IndexError, match=r"^gathered\(\): index out of range for 'x' at .*device_results.py:56$") as failure:
        kernel(didx, x)
    assert allocations == before and failure.tb is not None  # freed, though the traceback keeps the call's frames
    assert isinstance(kernel(to_device(idx[:2]), x), DeviceArray)  # the failed call's status word was zeroed


class Foreign:
    """A CuPy array or PyTorch tensor stand-in: device memory described by `__cuda_array_interface__`."""

    def __init__(self, owner: DeviceArray) -> None:
        self.owner = owner
        self.__cuda_array_interface__ = {"shape": owner.shape, "typestr": owner.dtype.str, "data": (owner.ptr, False),
                                         "strides": None, "version": 3}

    @classmethod
    def of(cls, host: np.ndarray) -> Foreign:
        return cls(to_device(host))


class Stream:
    """CuPy's or PyTorch's current stream: counts the waits."""

    def __init__(self) -> None:
        self.waits = 0

    def synchronize(self) -> None:
        self.waits += 1


class Device:
    """CuPy's `Device`, a context manager, numbered as the device kernels run on."""

    @property
    def id(self) -> int:
        return openmp().device

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class CupyArray(Foreign):
    """`cupy.ndarray`'s own attributes, which py2omp reads instead of building its interface."""

    device = Device()

    @property
    def data(self) -> types.SimpleNamespace:
        return types.SimpleNamespace(ptr=self.owner.ptr)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.owner.shape

    @property
    def dtype(self) -> np.dtype:
        return self.owner.dtype

    @property
    def flags(self) -> types.SimpleNamespace:
        return types.SimpleNamespace(c_contiguous=True)


def fake_cupy(stream: Stream) -> tuple[types.ModuleType, type[Foreign]]:
    module = types.ModuleType("cupy")
    ndarray = type("ndarray", (CupyArray,), {})
    module.ndarray = ndarray  # type: ignore[attr-defined]
    module.empty = lambda shape, dtype: ndarray.of(np.empty(shape, dtype))  # type: ignore[attr-defined]
    module.cuda = types.SimpleNamespace(get_current_stream=lambda: stream)  # type: ignore[attr-defined]
    return module, ndarray


def fake_torch(stream: Stream) -> tuple[types.ModuleType, type[Foreign]]:
    module = types.ModuleType("torch")
    tensor = type("Tensor", (Foreign,), {"device": "cuda:0"})
    module.Tensor = tensor  # type: ignore[attr-defined]
    module.from_numpy = lambda array: array  # type: ignore[attr-defined]  # its .dtype: the NumPy dtype here
    module.empty = lambda shape, dtype, device: tensor.of(np.empty(shape, dtype))  # type: ignore[attr-defined]
    module.cuda = types.SimpleNamespace(current_stream=lambda device: stream)  # type: ignore[attr-defined]
    return module, tensor


@pytest.mark.parametrize("fake", [fake_cupy, fake_torch], ids=["cupy", "torch"])
def test_results_come_from_the_allocator_of_the_device_argument(
        monkeypatch: pytest.MonkeyPatch, fake: Callable[[Stream], tuple[types.ModuleType, type[Foreign]]]) -> None:
    """Beside a CuPy array (a torch tensor) the made arrays come from `cupy.empty` (`torch.empty`) on
    its device, after which that library's stream is waited for (the target is made to look like
    CUDA; the stand-ins keep their memory in a `DeviceArray`)."""
    stream = Stream()
    module, family = fake(stream)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    a = RNG.standard_normal(9)
    kernel = compiled("scaled_and_magnitude")
    assert isinstance(kernel(family.of(a), 2.0)[1], DeviceArray)  # host-offload memory is not CUDA's
    monkeypatch.setattr(STATE.openmp, "cuda", True)
    argument = family.of(a)
    same, magnitude = kernel(argument, 2.0)
    assert same is argument and type(magnitude) is family and stream.waits == 1
    np.testing.assert_array_equal(magnitude.owner.to_numpy(), np.abs(2.0 * a))
    lo, _, hi, _ = compiled("envelope")(family.of(a), 0.5)  # two arrays made, one wait for both
    assert type(lo) is family and type(hi) is family and stream.waits == 2
    np.testing.assert_allclose(hi.owner.to_numpy(), np.maximum(a[:-1], a[1:]) + 0.5, rtol=1e-12)
    monkeypatch.delitem(sys.modules, module.__name__)
    assert isinstance(compiled("column_sums")(family.of(np.ones((2, 3)))), DeviceArray)  # unknown family: DeviceArray


def test_cuda_array_interface_only_on_cuda_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    d = to_device(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert not hasattr(d, "__cuda_array_interface__")  # host-offload: the pointer is a host address
    monkeypatch.setattr(STATE.openmp, "cuda", True)
    assert d.__cuda_array_interface__ == {"shape": (2, 3), "typestr": "<f4", "data": (d.ptr, False), "strides": None,
                                          "version": 3, "stream": None}
