"""A plain module that is not marked for kernels: its functions cannot be device functions."""


def cube(v):
    return v * v * v
