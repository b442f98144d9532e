"""Parameter distributions: every documented form, seeded draws, impossible ranges refused."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from qbank.questions import TokenDistribution
from qbank.questions.params import ParamSpec, Reject, largest_remainder

SPEC = TypeAdapter(ParamSpec)


def draws(spec: dict | float, n: int = 200, seed: int = 0) -> list:
    dist = SPEC.validate_python(spec)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        try:
            out.append(dist.sample(rng))
        except Reject:
            pass
    return out


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (0.5, 0.5),  # a plain value is a fixed parameter
        ("J'", "J'"),
        ({"dist": "fixed", "value": [1, 2]}, [1, 2]),
        ({"Paris": 0.25, "London": 0.75}, {"Paris": 0.25, "London": 0.75}),  # a mapping without dist is fixed too
    ],
)
def test_fixed_values_and_their_shorthand(spec: object, expected: object) -> None:
    assert set(map(repr, draws(spec, n=3))) == {repr(expected)}


def test_uniform_with_decimals_stays_on_the_grid_and_in_range() -> None:
    values = draws({"dist": "uniform", "low": 0.1, "high": 0.3, "decimals": 2})
    assert all(0.1 <= v <= 0.3 and round(v, 2) == v for v in values)
    assert len(set(values)) > 10


def test_loguniform_spans_orders_of_magnitude() -> None:
    values = draws({"dist": "loguniform", "low": 1e-4, "high": 1e-1})
    assert min(values) < 1e-3 and max(values) > 1e-2


def test_integer_range_includes_both_ends() -> None:
    assert set(draws({"dist": "integer", "low": 3, "high": 5})) == {3, 4, 5}


def test_choice_respects_weights() -> None:
    values = draws({"dist": "choice", "options": ["a", "b"], "weights": [0, 1]})
    assert set(values) == {"b"}


def test_dirichlet_gives_whole_percentages_that_sum_to_one() -> None:
    spec = {"dist": "dirichlet", "tokens": ["Je", "J'", "J’", "Le"], "alpha": 0.6, "remainder": {"low": 0.05, "high": 0.3}}
    values = draws(spec, n=300)
    assert len(values) > 50
    for d in values:
        assert isinstance(d, TokenDistribution)
        assert list(d.tokens) == ["Je", "J'", "J’", "Le"]  # never normalised: J' and J’ are two tokens
        assert all(round(p, 2) == p and p >= 0.01 for p in d.probs)
        assert len(set(d.probs)) == len(d.probs)
        assert 0.05 <= d.remainder <= 0.3
        assert abs(sum(d.probs) + d.remainder - 1) < 1e-9


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"dist": "uniform", "low": 2, "high": 1}, r"low \(2.0\) must not exceed high \(1.0\)"),
        ({"dist": "uniform", "low": 0.11, "high": 0.19, "decimals": 1}, "no value with 1 decimals lies in"),
        ({"dist": "loguniform", "low": 0, "high": 1}, "greater than 0"),
        ({"dist": "integer", "low": 5, "high": 4}, "must not exceed"),
        ({"dist": "choice", "options": []}, "at least 1 item"),
        ({"dist": "choice", "options": [1, 2], "weights": [1]}, "1 weights for 2 options"),
        ({"dist": "dirichlet", "tokens": ["a", "b"], "alpha": -1}, "alpha must be positive"),
        ({"dist": "dirichlet", "tokens": ["a", "a"]}, "tokens must be distinct"),
        ({"dist": "dirichlet", "tokens": ["a", "b"], "alpha": [1, 1, 1]}, "3 entries for 2 slots"),
        ({"dist": "dirichlet", "tokens": ["a", "b", "c"], "min_prob": 0.5}, "min_prob 0.5 is impossible for 3 tokens"),
        ({"dist": "unifrom", "low": 0, "high": 1}, "does not match any of the expected tags"),
        ({"dist": "uniform", "low": 0}, "Field required"),
    ],
)
def test_impossible_distributions_are_refused(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SPEC.validate_python(spec)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"a": 0.5, "b": 0.6}, "must sum to 1, they sum to 1.1"),
        ({"a": 1.5, "(all other tokens)": -0.5}, "must lie in"),
        ({}, "at least 1 item"),
    ],
)
def test_token_distributions_must_be_distributions(data: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TokenDistribution.model_validate(data)


def test_token_distribution_shorthand_reads_the_remainder() -> None:
    d = TokenDistribution.model_validate({"Paris": 0.15, "London": 0.10, "The": 0.08, "(all other tokens)": 0.67})
    assert d.remainder == 0.67 and d.argmax == "Paris" and d.names == ["Paris", "London", "The"]


@pytest.mark.parametrize(
    ("probs", "rounded"),
    [
        ([0.333, 0.333, 0.334], [0.33, 0.33, 0.34]),
        ([1 / 3, 1 / 3, 1 / 3], [0.34, 0.33, 0.33]),  # equal remainders go to the earlier entry
        ([0.125, 0.125, 0.75], [0.13, 0.12, 0.75]),
    ],
)
def test_largest_remainder_rounding_keeps_the_sum(probs: list[float], rounded: list[float]) -> None:
    out = largest_remainder(probs, 2)
    assert np.allclose(out, rounded) and abs(out.sum() - 1) < 1e-12
