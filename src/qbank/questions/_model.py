"""The base model and the small annotated types every question model shares."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

__all__ = [
    "Canonical", "Frozen", "Identifier", "MisconceptionId", "NotPlainJson", "assembled", "canonical", "canonical_float", "canonical_plain",
    "trusted", "validator",
]


class Frozen(BaseModel):
    """Immutable and strict: a typo in a bank file is an error, not a silently ignored key."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


_new = object.__new__
_setattr = object.__setattr__

VALIDATE = False
"""Build every model through validation, :func:`trusted` included (tests set it, to compare
what the fast paths build with what validation builds)."""


def validator(cls: type[BaseModel]) -> Callable[[dict[str, Any]], Any]:
    """``cls(**given)`` as one call: pydantic-core's validator of the model (built first if deferred).

    The same validation, without ``BaseModel.__init__``'s Python frame: for a small model with
    few Python validators (an option, a distractor) it is cheaper than anything assembled in
    Python, :func:`trusted` included.
    """
    if not cls.__pydantic_complete__:
        cls.model_rebuild()
    return cls.__pydantic_validator__.validate_python  # type: ignore[return-value]


def trusted(cls: type[Any], given: dict[str, Any]) -> Any:
    """``cls(**given)`` for arguments the caller has itself checked, without validating them again.

    Only for values already exactly what validation would store (each of its validated type
    and value: a canonical float, a tuple of model instances, a checked misconception id),
    for the checks that the model's validators would make having been made by the caller:
    the instance is then the one validation gives, ``model_fields_set`` included, at a
    fraction of validation's (or ``model_construct``'s) cost. With :data:`VALIDATE` set it
    is validated after all; tests compare both ways for every family.
    """
    if VALIDATE:
        return cls(**given)
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = _field_defaults(cls)
    fields, required = defaults
    if not required <= given.keys():
        return cls(**given)  # a required field is missing: let validation say so
    values = {**fields, **given}  # every field, in the model's order (the defaults' keys fix it)
    return assembled(cls, values, set(given))


def assembled(cls: type[Any], values: dict[str, Any], fields_set: set[str]) -> Any:
    """The instance of ``cls`` holding ``values`` (every field, in the model's order, each
    already the value validation would store) with ``fields_set`` as its ``model_fields_set``:
    what pydantic builds, without pydantic, for models with no extra or private attributes.
    The one place the fast paths (:func:`trusted`, the items of ``Template``) make an instance."""
    obj = _new(cls)
    _setattr(obj, "__dict__", values)
    _setattr(obj, "__pydantic_fields_set__", fields_set)
    _setattr(obj, "__pydantic_extra__", None)
    _setattr(obj, "__pydantic_private__", None)
    return obj


def _field_defaults(cls: type[Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Each field's default (a placeholder for one that must be given, always overwritten), in field order,
    and the names that must be given."""
    fields: dict[str, Any] = {}
    required = set()
    for name, info in cls.model_fields.items():
        if info.is_required() or info.default_factory is not None:  # a factory's value must be given
            required.add(name)
            fields[name] = None
        else:
            fields[name] = info.default
    return fields, frozenset(required)


_DEFAULTS: dict[type, tuple[dict[str, Any], frozenset[str]]] = {}


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
    out = float("%.*g" % (_SIGNIFICANT, x))  # f"{x:.12g}": the same formatter, a third cheaper
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


class NotPlainJson(Exception):
    """Raised by :func:`canonical_plain` for a value that is not made of exactly JSON's types."""


def canonical_plain(value: Any) -> Any:
    """:func:`canonical` of data made of exactly JSON's Python types: dict (str keys), list,
    str, int, bool, None, float; raises :class:`NotPlainJson` on anything else (a tuple, a
    numpy scalar, a subclass, a non-str key).

    On such data, pydantic's ``JsonValue`` validation keeps every value as it is, so this
    is what an item's ``data`` field gives after validation, at a fraction of the cost;
    anything else is left to that validation.
    """
    t = type(value)
    if t is dict:
        return _plain_dict(value)
    if t is list:
        return _plain_list(value)
    if t is float:
        return canonical_float(value)
    if t is str or t is int or t is bool or value is None:
        return value
    raise NotPlainJson


# The two containers' loops handle their leaves inline: a params dump is mostly leaves.


def _plain_dict(d: dict[Any, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if type(k) is not str:
            raise NotPlainJson
        t = type(v)
        if t is str or t is bool or t is int or v is None:
            out[k] = v
        elif t is float:
            out[k] = canonical_float(v)
        elif t is dict:
            out[k] = _plain_dict(v)
        elif t is list:
            out[k] = _plain_list(v)
        else:
            raise NotPlainJson
    return out


def _plain_list(items: list[Any]) -> list[Any]:
    out = []
    for v in items:
        t = type(v)
        if t is str or t is bool or t is int or v is None:
            out.append(v)
        elif t is float:
            out.append(canonical_float(v))
        elif t is dict:
            out.append(_plain_dict(v))
        elif t is list:
            out.append(_plain_list(v))
        else:
            raise NotPlainJson
    return out


Canonical = Annotated[float, AfterValidator(canonical_float)]
