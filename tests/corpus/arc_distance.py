"""NPBench arc_distance: the haversine formula on whole arrays, `np.arctan2` of two square roots."""

import numpy as np

from translator import kernel


@kernel
def arc_distance(theta_1, phi_1, theta_2, phi_2):
    temp = (np.sin((theta_2 - theta_1) / 2) ** 2
            + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2) ** 2)
    distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
    return distance_matrix


CASES = {arc_distance: lambda rng: tuple(rng.random(50) for _ in range(4))}
