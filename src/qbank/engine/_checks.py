"""Boundary validation shared by the engine's public functions.

Every public function converts and checks its inputs here, once, and raises a
``ValueError`` whose message names the offending argument. Nothing is silently
repaired: renormalisation happens only when a caller asks for it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__: list[str] = []

#: Largest tolerated deviation of a distribution's sum from 1.
SUM_TOL = 1e-9


def as_float(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``x`` as a float64 array, rejecting NaN and non-numeric input."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {x!r}") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    return arr


def finite_float(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``x`` as float64, rejecting NaN and +-inf."""
    arr = as_float(x, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr


def logits_array(x: ArrayLike, name: str = "logits") -> NDArray[np.float64]:
    """Return logits with at least one axis; -inf (a masked token) is allowed, +inf is not.

    Every row needs at least one finite logit, otherwise the distribution is undefined.
    """
    arr = as_float(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the vocabulary)")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} has an empty vocabulary axis")
    if np.isposinf(arr).any():
        raise ValueError(f"{name} contains +inf")
    if not np.isfinite(arr).any(axis=-1).all():
        raise ValueError(f"{name} has a row with no finite logit")
    return arr


def probs_array(
    x: ArrayLike, name: str = "probs", *, renormalize: bool = False, tol: float = SUM_TOL
) -> NDArray[np.float64]:
    """Return a distribution over the last axis: non-negative, finite, summing to 1.

    With ``renormalize=True`` the rows are divided by their sums instead of being
    required to sum to 1 (they must still be non-negative with a positive sum).
    """
    arr = as_float(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the vocabulary)")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} has an empty vocabulary axis")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative probabilities (min {arr.min():.3g})")
    sums = arr.sum(axis=-1, keepdims=True)
    if renormalize:
        if (sums <= 0).any():
            raise ValueError(f"{name} has a row with zero total mass; cannot renormalise")
        return arr / sums
    worst = np.max(np.abs(sums - 1.0))
    if worst > tol:
        raise ValueError(
            f"{name} must sum to 1 over the last axis (off by {worst:.3g}); "
            "pass renormalize=True to rescale explicitly"
        )
    return arr


def target_array(target: ArrayLike, batch_shape: tuple[int, ...], vocab: int, name: str = "target") -> NDArray[np.intp]:
    """Return integer class indices of shape ``batch_shape``, each in ``[0, vocab)``."""
    arr = np.asarray(target)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be an integer index (or int array), got dtype {arr.dtype}")
    if arr.shape != batch_shape:
        raise ValueError(f"{name} has shape {arr.shape}, expected {batch_shape} (the leading axes of the probabilities)")
    if arr.size and (arr.min() < 0 or arr.max() >= vocab):
        raise ValueError(f"{name} out of range: indices must lie in [0, {vocab})")
    return arr.astype(np.intp, copy=False)


def mask_array(mask: ArrayLike | None, shape: tuple[int, ...], name: str = "mask") -> NDArray[np.bool_] | None:
    """Return a boolean mask of exactly ``shape`` (or None)."""
    if mask is None:
        return None
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise ValueError(f"{name} must be a boolean array, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}, expected {shape}")
    return arr


def positive(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``x`` as float64, requiring every value to be finite and > 0."""
    arr = finite_float(x, name)
    if (arr <= 0).any():
        raise ValueError(f"{name} must be > 0")
    return arr


def non_negative(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``x`` as float64, requiring every value to be finite and >= 0."""
    arr = finite_float(x, name)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0")
    return arr


def unit_interval(x: ArrayLike, name: str, *, closed_right: bool = True) -> NDArray[np.float64]:
    """Return ``x`` as float64 in [0, 1] (or [0, 1) when ``closed_right`` is False)."""
    arr = finite_float(x, name)
    bad = (arr < 0) | ((arr > 1) if closed_right else (arr >= 1))
    if bad.any():
        raise ValueError(f"{name} must lie in [0, 1{']' if closed_right else ')'}")
    return arr


def int_at_least(x: object, name: str, low: int) -> int:
    """Return ``x`` as a Python int >= ``low``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    if int(x) < low:
        raise ValueError(f"{name} must be >= {low}, got {x}")
    return int(x)
