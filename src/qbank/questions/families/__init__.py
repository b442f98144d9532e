"""The registry of question families.

A family is Python code: a pydantic model of its parameters (each field annotated with the
distribution it is drawn from by default) and a ``build`` function that turns drawn
parameters and a random generator into question content, computing every number with
:mod:`qbank.engine`. Templates in bank files name a family and may override any parameter.

Families register with :func:`family`. The built-in ones live in this package; others are
found through the ``qbank.families`` entry-point group, so a bank file can never bring
code of its own.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic_core import to_jsonable_python

from ...errors import InputError
from .._model import Frozen
from ..params import Distribution, Fixed
from ..tags import Bloom

__all__ = ["Draw", "Family", "FamilyParams", "all_families", "batch_builder", "family", "get_family", "remember_modules"]


@dataclass(frozen=True)
class Draw:
    """Annotation marking a parameter's default distribution: ``Annotated[float, Draw(Uniform(...))]``.

    A wrapper, because pydantic would read a bare model instance in ``Annotated`` as a schema.
    """

    spec: Distribution


class FamilyParams(Frozen):
    """Base class of a family's parameter model.

    Annotate each field with its default distribution::

        class Params(FamilyParams):
            probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=("Je", "J'"), alpha=1.0))]
            lr: Annotated[float, Draw(Choice(options=(0.1, 0.5, 1.0)))]
            prompt: str = "Translate to French: I love to learn."   # a fixed default
    """


@dataclass(frozen=True)
class Family:
    name: str
    params: type[FamilyParams]
    build: Callable[[Any, Any], Any]
    summary: str
    topics: tuple[str, ...]
    bloom: tuple[Bloom, ...]
    item_types: tuple[str, ...]
    finite: bool = field(default=False)
    space: int | None = field(default=None)
    """For a finite family, how many distinct variants its default parameters give (the
    distinctness test requires that seeds cover all of them)."""
    build_many: Callable[[list[Any], list[Any]], list[Any]] | None = field(default=None)
    """Optional batch path: ``build_many(params, rngs)`` returns, for each seed, what
    ``build(params[i], rngs[i])`` would (content, ``(content, extra)`` or a :class:`Reject`
    instance), consuming each generator exactly as ``build`` does, with the engine work
    shared across the batch. See :func:`batch_builder`."""

    def default_specs(self) -> dict[str, Distribution | None]:
        """Each parameter's default distribution, or None when a template must supply it."""
        return dict(_default_specs(self.params))


@lru_cache(maxsize=None)
def _default_specs(params: type[FamilyParams]) -> dict[str, Distribution | None]:
    # Cached: the specs are immutable models, and building the Fixed ones anew was a
    # noticeable part of every instantiate() (callers get a copy of the dict).
    specs: dict[str, Distribution | None] = {}
    for name, info in params.model_fields.items():
        spec = next((m.spec for m in info.metadata if isinstance(m, Draw)), None)
        if spec is None and not info.is_required():
            spec = Fixed(value=to_jsonable_python(info.get_default(call_default_factory=True)))
        specs[name] = spec
    return specs


_REGISTRY: dict[str, Family] = {}
_discovered = False


def family(
    name: str,
    *,
    params: type[FamilyParams],
    summary: str,
    topics: tuple[str, ...],
    bloom: tuple[Bloom | str, ...],
    item_types: tuple[str, ...],
    finite: bool = False,
    space: int | None = None,
) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Register ``build(params, rng) -> Content`` (or ``(Content, extra_data)``) as a family."""

    def register(build: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        if name in _REGISTRY and _REGISTRY[name].build is not build:
            raise RuntimeError(f"question family {name!r} is registered twice")
        if finite and space is None:
            raise RuntimeError(f"question family {name!r} is finite: declare its space (the number of distinct variants)")
        _REGISTRY[name] = Family(
            name, params, build, summary, tuple(topics), tuple(Bloom(b) for b in bloom), tuple(item_types), finite, space
        )
        return build

    return register


def batch_builder(name: str) -> Callable[[Callable[[list[Any], list[Any]], list[Any]]], Callable[[list[Any], list[Any]], list[Any]]]:
    """Attach ``build_many(params, rngs)`` to the already registered family ``name``.

    ``Template.instantiate_many`` uses it; it must give exactly the items ``build`` gives
    seed by seed (tests check this equality for every family with a batch path).
    """
    from dataclasses import replace

    def register(build_many: Callable[[list[Any], list[Any]], list[Any]]) -> Callable[[list[Any], list[Any]], list[Any]]:
        _REGISTRY[name] = replace(_REGISTRY[name], build_many=build_many)
        return build_many

    return register


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    from importlib.metadata import entry_points

    for ep in entry_points(group="qbank.families"):
        ep.load()


def remember_modules(modules: dict[str, str]) -> None:
    """Where families were found before (name -> module, from the parsed-bank cache).

    :func:`get_family` then imports just that module instead of every family; only
    qbank's own family modules are taken, anything else is found by full discovery.
    """
    prefix = f"{__name__}."
    _HINTS.update((name, module) for name, module in modules.items() if isinstance(module, str) and module.startswith(prefix))


_HINTS: dict[str, str] = {}


def get_family(name: str) -> Family:
    if name not in _REGISTRY and not _discovered and name in _HINTS:
        try:
            importlib.import_module(_HINTS[name])
        except ImportError:
            pass  # the module went away: discovery below says what is known
    if name not in _REGISTRY:
        _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise InputError(f"unknown question family {name!r} (known: {known})") from None


def all_families() -> list[Family]:
    _discover()
    return sorted(_REGISTRY.values(), key=lambda f: f.name)
