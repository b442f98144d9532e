"""The base model and the small annotated types every question model shares."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

__all__ = ["Canonical", "Frozen", "Identifier", "MisconceptionId", "canonical", "canonical_float"]


class Frozen(BaseModel):
    """Immutable and strict: a typo in a bank file is an error, not a silently ignored key."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# Ids appear in file names, QTI identifiers and URLs, so they stay in a portable alphabet.
Identifier = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=120)
]

# Misconception ids as in CONTENT.md's glossary: M-ARGMAX-PROB, M-LS-K-1, ...
MisconceptionId = Annotated[str, StringConstraints(pattern=r"^M-[A-Z0-9]+(?:-[A-Z0-9]+)*$")]

_SIGNIFICANT = 12


# Floats already seen, and their canonical values: the same few hundred values (probabilities
# in whole percentages, learning rates) recur in every variant, and formatting a float is
# the costly step. Bounded, since arbitrary computed values pass through here too.
_SEEN: dict[float, float] = {}
_SEEN_MAX = 8192


def canonical_float(x: float) -> float:
    """Round to 12 significant digits.

    Items must serialise byte-identically on every machine, but the last bits of exp/log
    can differ between CPUs (SIMD kernels). Twelve digits are far beyond what any question
    displays or any tolerance checks, and far above that noise.
    """
    if type(x) is float:
        hit = _SEEN.get(x)
        if hit is not None:
            return hit
    if not math.isfinite(x) or x == 0.0:
        return float(x)
    out = float(f"{x:.{_SIGNIFICANT}g}")
    if type(x) is float:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[x] = out
    return out


def canonical(value: Any) -> Any:
    """Canonicalise every float inside nested JSON-like data (see :func:`canonical_float`)."""
    # Exact types first (the common case, and cheaper than the isinstance chain below);
    # subclasses such as numpy.float64 or IntEnum take the general path.
    t = type(value)
    if t is float:
        return canonical_float(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is dict:
        return {k if type(k) is str else str(k): canonical(v) for k, v in value.items()}
    if t is list:
        return [canonical(v) for v in value]
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return canonical_float(value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    # numpy scalars and arrays arrive from families; turn them into plain JSON values
    if hasattr(value, "tolist"):
        return canonical(value.tolist())
    raise TypeError(f"not JSON data: {type(value).__name__}")


Canonical = Annotated[float, AfterValidator(canonical_float)]
