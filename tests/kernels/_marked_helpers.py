"""Device functions that `tests/kernels/imported.py` imports: this module is marked with
`device_functions()`, so kernels of other modules may call its plain functions."""

import math

from translator import device_functions

device_functions()

SCALE = 3.0


def strength(dx, dy):
    return SCALE * math.sqrt(dx * dx + dy * dy) + twice(dx)


def twice(v):
    return v * 2


def unsupported(v):
    return (lambda w: w)(v)
