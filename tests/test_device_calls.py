"""Calls whose arrays are already in device memory (runtime_shim/devicepath.py, design.md "Calls and
start-up"): on host-offload, with py2omp's `DeviceArray`s and with a stand-in that describes the
runtime's device memory only through `__cuda_array_interface__` (counting its reads), the device path
gives Python's answer and looks at each array once per call; every call it declines takes the
checked path, which raises the error it always did, with its text."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import runtime_shim
from runtime_shim import DeviceArray, to_device
from runtime_shim.device_cache import DEVICE_CACHE
from runtime_shim.resident import openmp
from tests.kernels import device_calls as kernels

KERNELS = kernels.__file__


def compiled(name: str) -> runtime_shim.CompiledKernel:
    return getattr(kernels, name).library("host-offload").kernels[name]


class Interfaced:
    """Device memory the runtime allocated, seen only through the CUDA Array Interface, as an array
    of a library py2omp does not know (Numba's, a user's own) shows it; `reads` counts the looks."""

    def __init__(self, owner: DeviceArray, strides: tuple[int, ...] | None = None, device: int | None = None) -> None:
        self.owner, self.strides, self.reads = owner, strides, 0
        if device is not None:
            self.device = types.SimpleNamespace(id=device)

    @classmethod
    def of(cls, host: np.ndarray) -> Interfaced:
        return cls(to_device(host))

    @property
    def __cuda_array_interface__(self) -> dict[str, object]:
        self.reads += 1
        owner = self.owner
        return {"shape": owner.shape, "typestr": owner.dtype.str, "data": (owner.ptr, False),
                "strides": self.strides, "version": 3}


def host(value: object) -> np.ndarray:
    return (value.owner if isinstance(value, Interfaced) else value).to_numpy()  # type: ignore[union-attr]


RNG = np.random.default_rng(41)
CASES: dict[str, Callable[[np.random.Generator], tuple[Any, ...]]] = {
    "atax": lambda rng: (rng.standard_normal((37, 23)), rng.standard_normal(23)),
    "axpby": lambda rng: (1.5, rng.standard_normal(50), -0.25, rng.standard_normal(50), rng.standard_normal(50)),
    "row_normalize": lambda rng: (rng.standard_normal((9, 14)), rng.standard_normal((9, 14))),
    "bicg": lambda rng: (rng.standard_normal((11, 8)), rng.standard_normal(8), rng.standard_normal(11),
                         rng.standard_normal(8), rng.standard_normal(11)),
}


@pytest.mark.parametrize("family", [DeviceArray, Interfaced], ids=["DeviceArray", "interface"])
@pytest.mark.parametrize("name", list(CASES))
def test_device_calls_give_pythons_answer_and_look_once(name: str, family: type) -> None:
    """Three calls on seeded random data: the results (arrays made, or written `Out` arguments) equal
    Python's; each array's interface is read once per call (the checked path read it 5-8 times)."""
    kernel, python = compiled(name), getattr(kernels, name).py_func
    rng = np.random.default_rng(7)
    for call in range(1, 4):
        args = CASES[name](rng)
        mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        expected = python(*mine)
        placed = [a if not isinstance(a, np.ndarray) else to_device(a) if family is DeviceArray else Interfaced.of(a)
                  for a in args]
        calls = kernel.stats.calls
        got = kernel(*placed)
        assert kernel.stats.calls == calls + 1
        if expected is not None:
            assert isinstance(got, DeviceArray)
            np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12, atol=1e-12)
        for want, after in zip(mine, placed):
            if isinstance(want, np.ndarray):
                np.testing.assert_allclose(host(after), want, rtol=1e-12, atol=1e-12)  # Out arrays: Python's
        assert all(a.reads == 1 for a in placed if isinstance(a, Interfaced)), [getattr(a, "reads", 0) for a in placed]


def test_the_device_path_makes_the_checked_paths_c_arguments() -> None:
    kernel = compiled("axpby")
    args = (2.0, to_device(RNG.standard_normal(8)), 3.0, to_device(RNG.standard_normal(8)), to_device(np.zeros(8)))
    assert kernel.device_fast is not None and kernel.device_binding is not None
    found = kernel.device_fast.arguments(args)
    assert found is not None and found[0] == kernel.device_binding.convert(args)


def test_a_cupy_array_is_read_from_its_own_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly `cupy.ndarray` (a stand-in module here): `.data.ptr`, `.shape`, `.dtype`, `.flags`,
    `.device.id`, never its `__cuda_array_interface__` (which CuPy builds as a dict on each read)."""

    class ndarray:  # noqa: N801  # cupy's spelling
        def __init__(self, owner: DeviceArray) -> None:
            self.owner, self.shape, self.dtype = owner, owner.shape, owner.dtype
            self.data = types.SimpleNamespace(ptr=owner.ptr)
            self.flags = types.SimpleNamespace(c_contiguous=True)
            self.device = types.SimpleNamespace(id=openmp().device)

        @property
        def __cuda_array_interface__(self) -> dict[str, object]:
            raise AssertionError("the interface of an exact cupy.ndarray was read")

    compiled("axpby")  # to_device needs a loaded offload library
    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(ndarray=ndarray))
    x, y = RNG.standard_normal(20), RNG.standard_normal(20)
    out = ndarray(to_device(np.zeros(20)))
    assert compiled("axpby")(2.0, ndarray(to_device(x)), 0.5, ndarray(to_device(y)), out) is None
    np.testing.assert_allclose(out.owner.to_numpy(), 2.0 * x + 0.5 * y, rtol=1e-12)


def _line(text: str) -> int:
    return next(n for n, line in enumerate(Path(KERNELS).read_text().splitlines(), 1) if text in line)


def _x(n: int) -> DeviceArray:
    return to_device(RNG.standard_normal(n))


ERRORS: dict[str, tuple[Callable[[], tuple[str, list[Any]]], type[Exception], str]] = {
    "dtype": (lambda: ("axpby", [1.0, to_device(RNG.standard_normal(6).astype(np.float32)), 1.0, _x(6), _x(6)]),
              TypeError, "axpby(): argument 'x' has dtype float32; expected float64"),
    "rank": (lambda: ("axpby", [1.0, _x(6), 1.0, to_device(RNG.standard_normal((2, 3))), _x(6)]),
             ValueError, "axpby(): argument 'y' has 2 dimensions; expected 1"),
    "strided": (lambda: ("axpby", [1.0, _x(6), 1.0, Interfaced(_x(12), strides=(16,)), _x(6)]),
                ValueError, "axpby(): argument 'y' is not C-contiguous"),
    "other device": (lambda: ("axpby", [1.0, _x(6), 1.0, Interfaced(_x(6), device=openmp().device + 5), _x(6)]),
                     ValueError, "axpby(): argument 'y' is on device {other}; kernels run on device {device}"),
    "scalar": (lambda: ("axpby", [1.0, _x(6), "2", _x(6), _x(6)]),
               TypeError, "axpby(): argument 'b' expects a float64 scalar, got str"),
    "not an array": (lambda: ("axpby", [1.0, _x(6), 1.0, [0.5] * 6, _x(6)]),
                     TypeError, "axpby(): argument 'y' must be a numpy.ndarray of float64 with rank 1, got list"),
    "lengths": (lambda: ("axpby", [1.0, _x(6), 1.0, _x(5), _x(6)]),
                ValueError, f"axpby(): the array statement at line {_line('out[:] = a * x + b * y')} combines lengths 5 "
                            "and 6 (from the shapes of 'out' and 'y'); NumPy raises here: operands could not be "
                            "broadcast together"),
    "access": (lambda: ("atax", [to_device(RNG.standard_normal((5, 4))), _x(3)]),
               IndexError, f"atax(): index out of range at {KERNELS}:{_line('s += A[i, j] * x[j]')}:30: 'x' needs at "
                           "least 4 elements along axis 0, and has 3"),
    "input check": (lambda: ("row_normalize", [to_device(RNG.standard_normal((5, 4))), to_device(np.zeros((4, 4)))]),
                    ValueError, "out has shape (4, 4), A has (5, 4)"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_declined_calls_raise_the_checked_paths_error(case: str) -> None:
    make, error, message = ERRORS[case]
    name, args = make()
    kernel = compiled(name)
    assert kernel.device_fast is not None and kernel.device_fast.arguments(args) is None
    with pytest.raises(error) as raised:
        kernel(*args)
    assert str(raised.value) == message.format(device=openmp().device, other=openmp().device + 5)


def test_an_out_array_longer_than_its_writes_takes_the_checked_path() -> None:
    """bicg writes `s[:A.shape[1]]`: with `s` of that length the device path takes the call (the box
    covers it), with a longer one it declines, and the checked path writes the box and leaves the
    rest of the device array as it was (`s` is sectioned: nothing comes back undefined)."""
    kernel = compiled("bicg")
    A, p, r = RNG.standard_normal((5, 4)), RNG.standard_normal(4), RNG.standard_normal(5)
    assert kernel.device_fast is not None
    assert kernel.device_fast.arguments((to_device(A), to_device(p), to_device(r), _x(4), _x(5))) is not None
    before = RNG.standard_normal(6)
    s, q = to_device(before), _x(5)
    args = (to_device(A), to_device(p), to_device(r), s, q)
    assert kernel.device_fast.arguments(args) is None
    assert kernel(*args) is None
    np.testing.assert_allclose(s.to_numpy()[:4], r @ A, rtol=1e-12)
    assert np.array_equal(s.to_numpy()[4:], before[4:])
    np.testing.assert_allclose(q.to_numpy(), A @ p, rtol=1e-12)


@pytest.mark.parametrize("rows", [3, 4])
def test_a_box_of_two_bounds_covers_or_declines(rows: int) -> None:
    """`out[:steps, :len(x)]` covers `out` of 3 rows for 3 steps; of 4 rows the device path declines
    and the checked path leaves the fourth row as it was."""
    kernel, x = compiled("scaled_rows"), RNG.standard_normal(7)
    before = RNG.standard_normal((rows, 7))
    out = to_device(before)
    assert kernel.device_fast is not None
    assert (kernel.device_fast.arguments((3, to_device(x), out)) is None) == (rows == 4)
    assert kernel(3, to_device(x), out) is None
    np.testing.assert_allclose(out.to_numpy()[:3], np.arange(3.0)[:, None] * x, rtol=1e-12)
    assert np.array_equal(out.to_numpy()[3:], before[3:])


def test_an_out_array_sharing_memory_with_an_input_is_refused() -> None:
    x = _x(6)
    with pytest.raises(ValueError) as raised:
        compiled("axpby")(1.0, x, 1.0, _x(6), x)
    assert str(raised.value) == ("axpby(): argument 'out' (Out) overlaps argument 'x' in memory; outputs must not "
                                 "alias other arguments")


def test_read_only_arguments_may_share_memory() -> None:
    """Declined by the device path (any overlap), accepted by the checked path: Python's answer."""
    x = RNG.standard_normal(9)
    dx, out = to_device(x), to_device(np.zeros(9))
    assert compiled("axpby")(2.0, dx, 3.0, dx, out) is None
    np.testing.assert_allclose(out.to_numpy(), 5.0 * x, rtol=1e-12)


def test_numpy_arrays_among_device_arrays_are_staged() -> None:
    """As before: the checked path copies the NumPy array through device memory, Python's answer."""
    A, x = RNG.standard_normal((12, 7)), RNG.standard_normal(7)
    got = compiled("atax")(to_device(A), x)
    assert isinstance(got, DeviceArray)
    np.testing.assert_allclose(got.to_numpy(), kernels.atax.py_func(A, x), rtol=1e-12)


def test_the_temporary_is_freed_and_the_result_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """atax makes `tmp` and `y` on the device: after the call only `y`, which it returns, is alive
    (with the cache of freed DeviceArray blocks off, so that a freed block goes back to the device;
    tests/test_device_cache.py tests the cache)."""
    monkeypatch.setattr(DEVICE_CACHE, "limit", 0)
    kernel = compiled("atax")
    A, x = to_device(RNG.standard_normal((6, 4))), to_device(RNG.standard_normal(4))
    live: list[int] = []
    real_alloc, real_free = openmp().alloc, openmp().free
    monkeypatch.setattr(openmp(), "alloc", lambda nbytes, device: live.append(real_alloc(nbytes, device)) or live[-1])
    monkeypatch.setattr(openmp(), "free", lambda pointer, device: (  # A and x were made before: not in `live`
        live.remove(pointer) if pointer in live else None, real_free(pointer, device)))
    assert kernel.device_fast is not None and kernel.device_fast.arguments((A, x)) is not None
    y = kernel(A, x)
    assert live == [y.ptr]
    np.testing.assert_allclose(y.to_numpy(), kernels.atax.py_func(A.to_numpy(), x.to_numpy()), rtol=1e-12)
    y.free()
    assert live == []
