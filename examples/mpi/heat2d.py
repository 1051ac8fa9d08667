"""2-D heat equation over MPI ranks: each rank keeps its block of rows on its own GPU; only halos move.

    mpirun -n 2 python examples/mpi/heat2d.py --n 512 --steps 200        # one node
    srun --ntasks-per-node=4 --gpus-per-task=1 python examples/mpi/heat2d.py   # Slurm (docs/mpi.md)

The grid's interior rows are split into contiguous blocks, one per rank; a block carries one ghost
row above and below (the neighbour's edge row, or the fixed boundary at the grid's edge). Per step a
rank copies its two edge rows device -> host, swaps them with its neighbours (`Sendrecv`), copies the
received ghost rows host -> device, and runs the stencil on device-resident arrays (`to_device`:
the kernel call itself moves nothing). Rank r runs on OpenMP device `local_rank % device_count()`.
The ranks' result is gathered and compared with a single-process NumPy solve of the whole grid; the
exit status says whether they agree bit for bit.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from mpi4py import MPI

from translator import DeviceArray, In, Out, device_count, f64, kernel, prange, to_device, use_device


@kernel
def heat_step(u: In[f64[:, :]], v: Out[f64[:, :]], alpha: f64):
    """One explicit Euler step of u_t = alpha * laplacian(u) on the block's interior."""
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = u[i, j] + alpha * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * u[i, j])


def numpy_heat(u0: np.ndarray, alpha: float, steps: int) -> np.ndarray:
    """The reference: the same steps on the whole grid in one process."""
    u = u0.copy()
    for _ in range(steps):
        v = u.copy()
        v[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
                                                 - 4.0 * u[1:-1, 1:-1])
        u = v
    return u


def block_rows(n: int, size: int, rank: int) -> tuple[int, int]:
    """The interior rows [lo, hi) of an n-row grid that `rank` of `size` owns (sizes differ by one at most)."""
    interior = n - 2
    lo = 1 + rank * interior // size
    return lo, 1 + (rank + 1) * interior // size


def exchange_halos(comm: MPI.Comm, u: DeviceArray) -> None:
    """Swap edge rows with the neighbours through the host: two rows out, two rows in, per rank."""
    rank, size = comm.Get_rank(), comm.Get_size()
    up = rank - 1 if rank > 0 else MPI.PROC_NULL
    down = rank + 1 if rank < size - 1 else MPI.PROC_NULL
    last = u.shape[0] - 1
    ghost_top, ghost_bottom = np.empty((1, u.shape[1])), np.empty((1, u.shape[1]))
    first_row = u.to_numpy(rows=slice(1, 2)) if up != MPI.PROC_NULL else ghost_top
    last_row = u.to_numpy(rows=slice(last - 1, last)) if down != MPI.PROC_NULL else ghost_bottom
    comm.Sendrecv(first_row, dest=up, recvbuf=ghost_bottom, source=down)
    comm.Sendrecv(last_row, dest=down, recvbuf=ghost_top, source=up)
    if up != MPI.PROC_NULL:
        u.copy_from(ghost_top, rows=slice(0, 1))
    if down != MPI.PROC_NULL:
        u.copy_from(ghost_bottom, rows=slice(last, last + 1))


def solve(comm: MPI.Comm, u0: np.ndarray, alpha: float, steps: int) -> np.ndarray:
    """This rank's owned rows after `steps` steps, computed on its device."""
    lo, hi = block_rows(u0.shape[0], comm.Get_size(), comm.Get_rank())
    block = np.ascontiguousarray(u0[lo - 1:hi + 1])  # owned rows and a ghost row on each side
    u, v = to_device(block), to_device(block)  # v too: its fixed border must hold the boundary values
    for _ in range(steps):
        exchange_halos(comm, u)
        heat_step(u, v, alpha)
        u, v = v, u
    return u.to_numpy(rows=slice(1, block.shape[0] - 1))


def compare_on_rank0(comm: MPI.Comm, u0: np.ndarray, owned: np.ndarray, note: str, alpha: float, steps: int) -> int:
    """Gather the blocks and one line per rank on rank 0 (one writer: lines in order), print them and
    compare the grid with NumPy's. Equal bit for bit: the C adds in NumPy's order and contracts no
    multiply-add (-ffp-contract=off). The exit status: 0 when equal."""
    gathered = comm.gather((owned, note), root=0)
    if gathered is None:
        return 0
    for rank, (_, line) in enumerate(gathered):
        print(f"rank {rank}: {line}")
    result = u0.copy()
    result[1:-1] = np.concatenate([block for block, _ in gathered])
    expected = numpy_heat(u0, alpha, steps)
    error = float(np.max(np.abs(result - expected)))
    n = u0.shape[0]
    print(f"{comm.Get_size()} ranks, {n}x{n} grid, {steps} steps: max |MPI - NumPy| = {error:.3g}")
    return 0 if np.array_equal(result, expected) else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="grid rows and columns (default 256)")
    parser.add_argument("--steps", type=int, default=100, help="time steps (default 100)")
    args = parser.parse_args(argv)
    comm = MPI.COMM_WORLD
    local_rank = comm.Split_type(MPI.COMM_TYPE_SHARED).Get_rank()  # the rank's index on its node
    device = local_rank % device_count(heat_step)
    use_device(device)
    u0 = np.random.default_rng(2026).random((args.n, args.n))  # the same grid on every rank
    alpha = 0.2  # stable: alpha <= 1/4 for this explicit scheme
    owned = solve(comm, u0, alpha, args.steps)
    moved = heat_step.stats.bytes_to_device + heat_step.stats.bytes_from_device
    note = f"device {device} of {device_count()}, {owned.shape[0]} rows; kernel calls moved {moved} bytes"
    return compare_on_rank0(comm, u0, owned, note, alpha, args.steps)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
