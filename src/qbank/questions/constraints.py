"""Constraints a template may put on its draws, checked by bounded rejection sampling.

Each constraint is a small typed model (discriminated on ``kind``) with a ``check`` that
returns the reason a draw fails, or None. Parameter constraints see the drawn parameter
values; content constraints see the built question.

    not_argmax         the target token is not the most probable token
    argmax             the target token is the most probable token
    min_gap            the named probabilities differ pairwise by at least ``gap``
    distinct_options   every option, and every numeric distractor and the key, differ
                       after rounding to the decimals the stem asks for
"""

from __future__ import annotations

from itertools import combinations
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from ._model import Frozen
from .params import TokenDistribution

__all__ = ["Argmax", "Constraint", "DistinctOptions", "MinGap", "NotArgmax"]


def _distribution(values: dict[str, Any], name: str) -> TokenDistribution:
    value = values.get(name)
    if isinstance(value, TokenDistribution):
        return value
    return TokenDistribution.model_validate(value)


def _token(values: dict[str, Any], ref: str) -> str:
    """``ref`` names a parameter holding the token, or is the token itself."""
    value = values.get(ref, ref)
    return value if isinstance(value, str) else str(value)


class NotArgmax(Frozen):
    kind: Literal["not_argmax"] = "not_argmax"
    distribution: str = Field(description="Name of the token-distribution parameter.")
    token: str = Field(description="Name of the parameter holding the target token, or the token itself.")
    phase: Literal["params"] = "params"

    def check(self, values: dict[str, Any]) -> str | None:
        dist, token = _distribution(values, self.distribution), _token(values, self.token)
        if token not in dist.tokens:
            return f"{token!r} is not one of the tokens of {self.distribution}"
        top = max(dist.tokens.values())
        return f"{token!r} is the argmax of {self.distribution}" if dist.tokens[token] >= top else None


class Argmax(Frozen):
    kind: Literal["argmax"] = "argmax"
    distribution: str
    token: str
    phase: Literal["params"] = "params"

    def check(self, values: dict[str, Any]) -> str | None:
        dist, token = _distribution(values, self.distribution), _token(values, self.token)
        if token not in dist.tokens:
            return f"{token!r} is not one of the tokens of {self.distribution}"
        others = [p for t, p in dist.tokens.items() if t != token]
        return None if all(dist.tokens[token] > p for p in others) else f"{token!r} is not the strict argmax of {self.distribution}"


class MinGap(Frozen):
    kind: Literal["min_gap"] = "min_gap"
    distribution: str
    gap: float = Field(gt=0, lt=1)
    phase: Literal["params"] = "params"

    def check(self, values: dict[str, Any]) -> str | None:
        probs = list(_distribution(values, self.distribution).tokens.values())
        if any(abs(a - b) < self.gap - 1e-12 for a, b in combinations(probs, 2)):
            return f"two probabilities of {self.distribution} are closer than {self.gap}"
        return None


class DistinctOptions(Frozen):
    kind: Literal["distinct_options"] = "distinct_options"
    decimals: int | None = Field(default=None, ge=0, le=12, description="Defaults to the item's own decimals.")
    phase: Literal["content"] = "content"

    def check(self, content: Any) -> str | None:
        options = getattr(content, "options", None)
        if options is not None:
            shown = [" ".join(o.text.split()) for o in options]
            if len(set(shown)) != len(shown):
                return "two options read the same"
        if getattr(content, "type", None) == "numeric":
            d = self.decimals if self.decimals is not None else content.decimals
            values = [content.answer, *(x.value for x in content.distractors)]
            rounded = [round(v, d) if d is not None else v for v in values]
            if len(set(rounded)) != len(rounded):
                return f"the key and the distractors are not distinct at {d} decimals"
        return None


Constraint = Annotated[Union[NotArgmax, Argmax, MinGap, DistinctOptions], Field(discriminator="kind")]
