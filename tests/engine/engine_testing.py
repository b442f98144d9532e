"""Shared helpers for the engine tests: central finite differences and hypothesis strategies.

A plain module (not conftest) so tests import it by name; pytest puts this folder on sys.path.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def central_diff(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Gradient of a scalar function by central differences, one coordinate at a time."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def distributions(min_k: int = 2, max_k: int = 8, min_p: float = 0.0) -> st.SearchStrategy[np.ndarray]:
    """Random distributions (shape (K,)) from positive weights, optionally with a floor."""
    return st.integers(min_k, max_k).flatmap(
        lambda k: hnp.arrays(np.float64, k, elements=st.floats(0.01, 1.0)).map(
            lambda w: (w / w.sum()) * (1 - k * min_p) + min_p
        )
    )


def batched_logits() -> st.SearchStrategy[np.ndarray]:
    """Logit arrays with 0-2 leading axes and a vocabulary of 1-9 tokens."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5).map(
        lambda s: s[:-1] + (s[-1] + 1,) if len(s) else s
    )
    return shapes.flatmap(lambda s: hnp.arrays(np.float64, s, elements=st.floats(-30, 30)))
