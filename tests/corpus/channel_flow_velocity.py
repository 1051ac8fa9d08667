"""Barba's channel flow (NPBench channel_flow), the velocity update: `un = u.copy()`, periodic
boundaries written with `-1` and `0` columns, the source term `F * dt`."""

import numpy as np

from translator import kernel


@kernel
def channel_flow_velocity(u, v, p, dx, dy, dt, rho, nu, F):
    un = u.copy()
    vn = v.copy()
    u[1:-1, 1:-1] = (un[1:-1, 1:-1] - un[1:-1, 1:-1] * dt / dx * (un[1:-1, 1:-1] - un[1:-1, 0:-2])
                     - vn[1:-1, 1:-1] * dt / dy * (un[1:-1, 1:-1] - un[0:-2, 1:-1])
                     - dt / (2 * rho * dx) * (p[1:-1, 2:] - p[1:-1, 0:-2])
                     + nu * (dt / dx ** 2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2])
                             + dt / dy ** 2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1] + un[0:-2, 1:-1])) + F * dt)
    v[1:-1, 1:-1] = (vn[1:-1, 1:-1] - un[1:-1, 1:-1] * dt / dx * (vn[1:-1, 1:-1] - vn[1:-1, 0:-2])
                     - vn[1:-1, 1:-1] * dt / dy * (vn[1:-1, 1:-1] - vn[0:-2, 1:-1])
                     - dt / (2 * rho * dy) * (p[2:, 1:-1] - p[0:-2, 1:-1])
                     + nu * (dt / dx ** 2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1] + vn[1:-1, 0:-2])
                             + dt / dy ** 2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1] + vn[0:-2, 1:-1])))
    u[1:-1, -1] = (un[1:-1, -1] - un[1:-1, -1] * dt / dx * (un[1:-1, -1] - un[1:-1, -2])
                   - vn[1:-1, -1] * dt / dy * (un[1:-1, -1] - un[0:-2, -1])
                   - dt / (2 * rho * dx) * (p[1:-1, 0] - p[1:-1, -2])
                   + nu * (dt / dx ** 2 * (un[1:-1, 0] - 2 * un[1:-1, -1] + un[1:-1, -2])
                           + dt / dy ** 2 * (un[2:, -1] - 2 * un[1:-1, -1] + un[0:-2, -1])) + F * dt)
    u[0, :] = 0
    u[-1, :] = 0
    v[0, :] = 0
    v[-1, :] = 0


CASES = {channel_flow_velocity: lambda rng: (rng.random((14, 14)), rng.random((14, 14)), rng.random((14, 14)),
                                             2 / 13, 2 / 13, 0.001, 1.0, 0.1, 1.0)}
