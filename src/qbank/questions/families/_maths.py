"""A few NumPy formulas the seed families need until they move onto :mod:`qbank.engine`."""

from __future__ import annotations

import numpy as np


def cross_entropy(p: float) -> float:
    """-ln p: the loss on a token the model gives probability ``p``."""
    return float(-np.log(p))


def logit_gradient(probs: np.ndarray, target: int) -> np.ndarray:
    """dL/dz for L = -ln softmax(z)[target]: p - onehot(target)."""
    g = np.array(probs, dtype=float)
    g[target] -= 1.0
    return g


def empirical_mle(counts: np.ndarray) -> np.ndarray:
    """The maximum-likelihood distribution of a model that cannot tell the contexts apart."""
    c = np.asarray(counts, dtype=float)
    return c / c.sum()
