"""NPBench crc16: iterating over a uint8 array, bit operations on a Python int, a default `poly`."""

import numpy as np

from translator import kernel


@kernel
def crc16(data, poly=0x8408):
    crc = 0xFFFF
    for b in data:
        cur_byte = 0xFF & b
        for _ in range(0, 8):
            if (crc & 0x0001) ^ (cur_byte & 0x0001):
                crc = (crc >> 1) ^ poly
            else:
                crc >>= 1
            cur_byte >>= 1
    crc = (~crc & 0xFFFF)
    crc = (crc << 8) | ((crc >> 8) & 0xFF)
    return crc & 0xFFFF


CASES = {crc16: lambda rng: (rng.integers(0, 256, 64).astype(np.uint8),)}
