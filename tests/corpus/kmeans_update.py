"""k-means update step: rows accumulated through a label index, `counts[:, np.newaxis]` division."""

import numpy as np

from translator import kernel


@kernel
def kmeans_update(points, labels, k):
    centroids = np.zeros((k, points.shape[1]))
    counts = np.zeros(k)
    for i in range(points.shape[0]):
        centroids[labels[i]] += points[i]
        counts[labels[i]] += 1
    return centroids / counts[:, np.newaxis]


def inputs(rng: np.random.Generator) -> tuple:
    labels = np.concatenate((np.arange(5), rng.integers(0, 5, 55)))
    return rng.random((60, 3)), labels, 5


CASES = {kmeans_update: inputs}
