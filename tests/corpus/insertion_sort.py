"""Insertion sort in place (Numba examples): a `while` with a compound condition, element shifts."""

import numpy as np

from translator import kernel


@kernel
def insertion_sort(arr):
    for i in range(1, len(arr)):
        key = arr[i]
        j = i - 1
        while j >= 0 and arr[j] > key:
            arr[j + 1] = arr[j]
            j -= 1
        arr[j + 1] = key


CASES = {insertion_sort: lambda rng: (rng.random(40),)}
