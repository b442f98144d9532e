"""Parameter distributions: how a template draws the numbers behind each variant.

A template's ``params`` map names to distributions, discriminated on ``dist``:

    fixed       value                        always this value
    uniform     low, high, decimals?         U(low, high), optionally rounded
    loguniform  low, high, decimals?         exp(U(ln low, ln high)), optionally rounded
    integer     low, high                    an integer in [low, high], both included
    choice      options, weights?            one of the options
    dirichlet   tokens, alpha, remainder?    a token distribution in whole percentages

Anything that is not a mapping with a ``dist`` key is read as a fixed value, so
``lr: 0.5`` and ``lr: {dist: fixed, value: 0.5}`` mean the same.

Every draw goes through the ``numpy.random.Generator`` passed in; nothing here touches
global random state. A draw that breaks a distribution's own rule (a probability below
``min_prob``, two equal probabilities when ``distinct``) raises :class:`Reject`, and the
template draws again within its bounded budget.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, JsonValue, field_validator, model_validator

from ._model import Canonical, Frozen, trusted

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Choice", "Dirichlet", "Distribution", "Fixed", "Integer", "LogUniform", "ParamSpec", "Reject",
    "Remainder", "TokenDistribution", "Uniform", "largest_remainder", "sample_many",
]

REMAINDER_LABEL = "(all other tokens)"


class Reject(Exception):
    """This draw breaks a constraint; draw again. ``reason`` says which one, for the error
    reported when the budget runs out."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------
# The value a Dirichlet produces (and a fixed token distribution is written as)
# ---------------------------------------------------------------------------------------


class TokenDistribution(Frozen):
    """Named next-token probabilities, plus the mass of all other tokens.

    Written in a bank file either in full or as a plain mapping, where the key
    ``(all other tokens)`` is the remainder::

        probs: {Paris: 0.15, London: 0.10, The: 0.08, "(all other tokens)": 0.67}

    Tokens are never normalised: ``J'`` and ``J’`` are two tokens.
    """

    tokens: dict[str, Canonical] = Field(min_length=1)
    remainder: Canonical = Field(default=0.0, ge=0, le=1)
    remainder_label: str = REMAINDER_LABEL

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "tokens" not in data:
            tokens = dict(data)
            remainder = tokens.pop(REMAINDER_LABEL, 0.0)
            return {"tokens": tokens, "remainder": remainder}
        return data

    @field_validator("tokens")
    @classmethod
    def _probabilities(cls, tokens: dict[str, float]) -> dict[str, float]:
        for name, p in tokens.items():
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probability of {name!r} must lie in [0, 1], got {p}")
        return tokens

    @model_validator(mode="after")
    def _sums_to_one(self) -> TokenDistribution:
        total = sum(self.tokens.values()) + self.remainder
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"probabilities and remainder must sum to 1, they sum to {total:.6g}")
        return self

    @property
    def names(self) -> list[str]:
        return list(self.tokens)

    @property
    def probs(self) -> list[float]:
        return list(self.tokens.values())

    @property
    def argmax(self) -> str:
        """The most probable named token (first listed on ties)."""
        return max(self.tokens, key=lambda t: (self.tokens[t], -self.names.index(t)))


def largest_remainder(probs: Any, decimals: int = 2) -> Any:
    """Round a distribution to ``decimals`` so that it still sums to exactly 1.

    Largest-remainder (Hamilton) method: floor every entry, then hand the missing units to
    the largest fractional parts; equal fractional parts go to the earlier entry.
    """
    import numpy as np

    scale = 10**decimals
    x = np.asarray(probs, dtype=float) * scale
    units = np.floor(x + 1e-9)
    missing = int(round(scale - units.sum()))
    if missing > 0:
        order = np.argsort(-(x - units), kind="stable")
        units[order[:missing]] += 1
    return units / scale


def _largest_remainder_list(x: list[float], scale: int) -> list[float]:
    """:func:`largest_remainder` on values already multiplied by ``scale``, in plain floats.

    The same IEEE operations in the same order (floor, exact sum of whole units, a stable
    sort on the fractional parts, one division), so the results are bit-identical; a few
    numpy calls on a six-entry array cost more than the arithmetic, and this runs once per
    Dirichlet draw.
    """
    units = [float(math.floor(v + 1e-9)) for v in x]
    missing = int(round(scale - sum(units)))
    if missing > 0:
        frac = [-(v - u) for v, u in zip(x, units)]
        for i in sorted(range(len(x)), key=frac.__getitem__)[:missing]:
            units[i] += 1
    return [u / scale for u in units]


# ---------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------


class Fixed(Frozen):
    dist: Literal["fixed"] = "fixed"
    value: JsonValue

    def sample(self, rng: np.random.Generator) -> Any:
        return self.value


def _check_decimals_reachable(low: float, high: float, decimals: int | None) -> None:
    if decimals is not None and math.ceil(low * 10**decimals - 1e-9) > math.floor(high * 10**decimals + 1e-9):
        raise ValueError(f"no value with {decimals} decimals lies in [{low}, {high}]")


class Uniform(Frozen):
    dist: Literal["uniform"] = "uniform"
    low: float
    high: float
    decimals: int | None = Field(default=None, ge=0, le=12)

    @model_validator(mode="after")
    def _range(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        _check_decimals_reachable(self.low, self.high, self.decimals)
        return self

    def sample(self, rng: np.random.Generator) -> float:
        if self.decimals is None:
            # rng.uniform(low, high) is low + (high - low) * rng.random(), the same double from the
            # same draw (a test compares the streams), without the argument handling that is most of its cost
            return self.low + (self.high - self.low) * rng.random()
        # draw on the grid of representable values so rounding never leaves the range
        lo = math.ceil(self.low * 10**self.decimals - 1e-9)
        hi = math.floor(self.high * 10**self.decimals + 1e-9)
        return round(int(rng.integers(lo, hi, endpoint=True)) / 10**self.decimals, self.decimals)


class LogUniform(Frozen):
    dist: Literal["loguniform"] = "loguniform"
    low: float = Field(gt=0)
    high: float = Field(gt=0)
    decimals: int | None = Field(default=None, ge=0, le=12)

    @model_validator(mode="after")
    def _range(self) -> LogUniform:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        _check_decimals_reachable(self.low, self.high, self.decimals)
        return self

    @cached_property
    def _log_range(self) -> tuple[float, float]:
        lo, hi = math.log(self.low), math.log(self.high)
        return lo, hi - lo

    def sample(self, rng: np.random.Generator) -> float:
        lo, width = self._log_range
        x = math.exp(lo + width * rng.random())  # exp(rng.uniform(ln low, ln high)), as in Uniform.sample
        if self.decimals is None:
            return x
        v = round(x, self.decimals)
        return min(max(v, math.ceil(self.low * 10**self.decimals - 1e-9) / 10**self.decimals),
                   math.floor(self.high * 10**self.decimals + 1e-9) / 10**self.decimals)


class Integer(Frozen):
    dist: Literal["integer"] = "integer"
    low: int
    high: int

    @model_validator(mode="after")
    def _range(self) -> Integer:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high, endpoint=True))


class Choice(Frozen):
    dist: Literal["choice"] = "choice"
    options: tuple[JsonValue, ...] = Field(min_length=1)
    weights: tuple[float, ...] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.options):
                raise ValueError(f"{len(self.weights)} weights for {len(self.options)} options")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self

    @cached_property
    def _cdf(self) -> list[float]:
        """The cumulative weights exactly as ``Generator.choice(n, p=w)`` computes them."""
        import numpy as np

        cdf = np.asarray([x / sum(self.weights or ()) for x in self.weights or ()], dtype=float).cumsum()
        cdf /= cdf[-1]
        return cdf.tolist()  # type: ignore[no-any-return]

    def sample(self, rng: np.random.Generator) -> Any:
        if self.weights is None:
            return self.options[int(rng.integers(len(self.options)))]
        # What rng.choice(n, p=w) does (one uniform double, then the first cumulative weight
        # above it), without re-checking and re-summing the weights on every draw: the same
        # stream and the same pick, at a tenth of the cost.
        return self.options[bisect_right(self._cdf, rng.random())]


class Remainder(Frozen):
    """The "(all other tokens)" slot of a Dirichlet, with the range its mass must fall in."""

    label: str = REMAINDER_LABEL
    low: float = Field(default=0.0, ge=0, le=1)
    high: float = Field(default=1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _range(self) -> Remainder:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Dirichlet(Frozen):
    """Dirichlet(alpha) over the named tokens (and the remainder slot, if any), rounded to
    ``decimals`` by the largest-remainder method.

    alpha = 1 gives typical spreads, about 0.6 peaked ones, 2 or more flat ones.
    """

    dist: Literal["dirichlet"] = "dirichlet"
    tokens: tuple[str, ...] = Field(min_length=2)
    alpha: float | tuple[float, ...] = 1.0
    remainder: Remainder | None = None
    decimals: int = Field(default=2, ge=1, le=6)
    min_prob: float = Field(default=0.01, ge=0, lt=1)
    distinct: bool = Field(default=True, description="Reject draws where two named tokens tie.")

    @model_validator(mode="after")
    def _shape(self) -> Dirichlet:
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError(f"tokens must be distinct, got {list(self.tokens)}")
        slots = len(self.tokens) + (self.remainder is not None)
        alphas = self.alpha if isinstance(self.alpha, tuple) else (self.alpha,)
        if isinstance(self.alpha, tuple) and len(self.alpha) != slots:
            raise ValueError(f"alpha has {len(self.alpha)} entries for {slots} slots (tokens plus remainder)")
        if any(a <= 0 for a in alphas):
            raise ValueError("alpha must be positive")
        if self.min_prob * len(self.tokens) > 1:
            raise ValueError(f"min_prob {self.min_prob} is impossible for {len(self.tokens)} tokens")
        if self.distinct and len(self.tokens) > 10**self.decimals:
            raise ValueError(f"{len(self.tokens)} distinct probabilities do not fit in {self.decimals} decimals")
        return self

    @cached_property
    def _gamma_args(self) -> tuple[Any, tuple[int, ...] | None]:
        """``standard_gamma``'s arguments: a shared alpha as a scalar with a size, else the vector.

        Both forms draw one gamma variate per slot, in slot order, from the same generator
        calls (tests check the streams are equal); the scalar form skips numpy's broadcasting
        machinery, which was most of a draw's cost.
        """
        import numpy as np

        slots = len(self.tokens) + (self.remainder is not None)
        alphas = self.alpha if isinstance(self.alpha, tuple) else (self.alpha,) * slots
        if len(set(alphas)) == 1:
            return float(alphas[0]), (slots,)
        return np.asarray(alphas, dtype=float), None

    def sample_many(self, rngs: list[np.random.Generator]) -> list[TokenDistribution | Reject]:
        """One draw from each generator: what :meth:`sample` gives (or raises) for each, in one pass.

        The gamma variates are drawn generator by generator as :meth:`sample` draws them; the
        normalisation, largest-remainder rounding and checks then run on the whole batch with
        numpy, on rows of one array (row-wise sums and stable sorts give the same bits as the
        one-row computation; tests compare both).
        """
        import numpy as np

        if len(rngs) < _SMALL_BATCH:
            # A few generators (the tail of a batch's retries): numpy's fixed cost per call
            # would outweigh the rows, and one by one gives the same draws.
            out: list[TokenDistribution | Reject] = []
            for rng in rngs:
                try:
                    out.append(self.sample(rng))
                except Reject as r:
                    out.append(r)
            return out
        shape, _ = self._gamma_args
        g = np.empty((len(rngs), self.slots))
        for k, rng in enumerate(rngs):
            rng.standard_gamma(shape, out=g[k])  # the draws of standard_gamma(shape, size), in place
        code, p = self.rounded(g)
        return self.outcomes(code, p)

    @property
    def slots(self) -> int:
        """Gamma variates per draw: one per token, plus the remainder's."""
        return len(self.tokens) + (self.remainder is not None)

    def rounded(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of gamma variates (one draw each) as :meth:`sample` rounds and checks them: a
        code per row (0 accepted, else the first failed check: 1 low, 2 tie, 4 remainder) and
        the rounded probabilities."""
        import numpy as np

        total = g.sum(axis=-1)
        scale = 10**self.decimals
        x = g / total[:, None] * scale
        units = np.floor(x + 1e-9)
        missing = np.rint(scale - units.sum(axis=-1))
        order = np.argsort(-(x - units), axis=-1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.broadcast_to(np.arange(order.shape[-1]), order.shape), axis=-1)
        units += rank < missing[:, None]
        p = units / scale
        n = len(self.tokens)
        named = p[:, :n]
        # one code per row: 0 accepted, else the first failed check (1 low, 2 tie, 4 remainder)
        code = np.where(named.min(axis=-1) < self.min_prob - 1e-12, 1, 0)
        if self.distinct:
            ordered = np.sort(named, axis=-1)
            code = np.where((code == 0) & (ordered[:, 1:] == ordered[:, :-1]).any(axis=-1), 2, code)
        if self.remainder is not None:
            rest = p[:, -1]
            outside = ~((self.remainder.low - 1e-12 <= rest) & (rest <= self.remainder.high + 1e-12))
            code = np.where((code == 0) & outside, 4, code)
        return code, p

    def outcomes(self, code: np.ndarray, p: np.ndarray) -> list[TokenDistribution | Reject]:
        """Each row's distribution, or its Reject, from :meth:`rounded`."""
        rejects = self._shared_rejects
        tokens = self.tokens
        label = self.remainder.label if self.remainder is not None else REMAINDER_LABEL
        with_rest = self.remainder is not None
        out: list[TokenDistribution | Reject] = []
        for c, row in zip(code.tolist(), p.tolist()):
            if c == 0:
                # what _distribution(row) returns, inlined: this loop runs once per draw
                out.append(trusted(TokenDistribution, {"tokens": dict(zip(tokens, row)), "remainder": row[-1] if with_rest else 0.0, "remainder_label": label}))
            else:
                r = rejects.get(row[-1] if c == 4 else -c)
                out.append(r if r is not None else self.shared_reject(c, row))
        return out

    def shared_reject(self, code: int, row: list[float]) -> Reject:
        """The Reject of a row that failed check ``code`` (1 low, 2 tie, 4 remainder): never
        raised, only counted by reason, so one instance serves every row with that reason (most
        draws of a narrow remainder range are rejected, and each text is formatted once)."""
        rejects = self._shared_rejects
        key = row[-1] if code == 4 else -code
        r = rejects.get(key)
        if r is None:
            if len(rejects) >= 4096:  # only with many decimals
                rejects.clear()
            r = rejects[key] = Reject(self._reason({1: "low", 2: "tie", 4: "remainder"}[code], row))
        return r

    @cached_property
    def _shared_rejects(self) -> dict[float, Reject]:
        # keyed by the remainder value for the remainder check, -1 and -2 for the others
        return {}

    def _reason(self, check: str, p: list[float]) -> str:
        """Why rounded probabilities ``p`` fail ``check`` (``low``, ``tie`` or ``remainder``)."""
        if check == "low":
            return f"a token probability is below min_prob {self.min_prob}"
        if check == "tie":
            return "two token probabilities are equal"
        low, high = (self.remainder.low, self.remainder.high) if self.remainder else (0.0, 1.0)
        return f"the remainder {p[-1]:.2f} is outside [{low}, {high}]"

    def sample(self, rng: np.random.Generator) -> TokenDistribution:
        # Gamma draws normalised: the textbook construction, stable across numpy versions.
        g = rng.standard_gamma(*self._gamma_args)
        # The sum stays numpy's (its summation order fixes the last bit); the rest is
        # largest_remainder(g / g.sum()) in plain floats, bit for bit.
        total = float(g.sum())
        scale = 10**self.decimals
        p = _largest_remainder_list([v / total * scale for v in g.tolist()], scale)
        n = len(self.tokens)
        named = p[:n]
        if min(named) < self.min_prob - 1e-12:
            raise Reject(self._reason("low", p))
        if self.distinct and len(set(named)) < n:
            raise Reject(self._reason("tie", p))
        return self._finish(p)

    def _finish(self, p: list[float]) -> TokenDistribution:
        """The remainder's check, then the distribution, from rounded probabilities that passed the token checks."""
        if self.remainder is not None and not self.remainder.low - 1e-12 <= p[-1] <= self.remainder.high + 1e-12:
            raise Reject(self._reason("remainder", p))
        return self._distribution(p)

    def _distribution(self, p: list[float]) -> TokenDistribution:
        """The distribution of rounded probabilities ``p`` that passed every check.

        Valid by construction (whole units of 10**-decimals in [0, 1] summing to one, already
        canonical floats), so the model is assembled without validating it again; a test checks
        that validation would give the same value.
        """
        remainder = self.remainder
        # Each entry is k / 10**decimals, which round(., decimals) leaves as it is (a test
        # checks every k for every allowed decimals), so no rounding is needed here.
        return trusted(TokenDistribution, {
            "tokens": dict(zip(self.tokens, p)),
            "remainder": p[-1] if remainder is not None else 0.0,
            "remainder_label": remainder.label if remainder is not None else REMAINDER_LABEL,
        })


# Fewer generators than this draw one by one in Dirichlet.sample_many.
_SMALL_BATCH = 6


def sample_many(spec: Any, rngs: list[np.random.Generator]) -> list[Any]:
    """``spec.sample(rng)`` for each generator, in order: the value, or the :class:`Reject` it raised.

    Each generator makes exactly the calls ``sample`` makes, so the streams are unchanged;
    a Dirichlet or weighted choice does its arithmetic for the whole batch at once.
    """
    if isinstance(spec, Fixed):
        return [spec.value] * len(rngs)
    if isinstance(spec, Dirichlet):
        return spec.sample_many(rngs)
    if isinstance(spec, Choice):
        options = spec.options
        if spec.weights is None:
            n = len(options)
            return [options[int(rng.integers(n))] for rng in rngs]
        import numpy as np

        picks = np.searchsorted(spec._cdf, [rng.random() for rng in rngs], side="right").tolist()
        return [options[k] for k in picks]
    if isinstance(spec, (Uniform, LogUniform, Integer)):
        return [spec.sample(rng) for rng in rngs]  # none of them rejects
    out: list[Any] = []
    for rng in rngs:
        try:
            out.append(spec.sample(rng))
        except Reject as r:
            out.append(r)
    return out


Distribution = Annotated[
    Union[Fixed, Uniform, LogUniform, Integer, Choice, Dirichlet], Field(discriminator="dist")
]


def _fixed_shorthand(value: Any) -> Any:
    if isinstance(value, dict) and "dist" in value:
        return value
    return {"dist": "fixed", "value": value}


ParamSpec = Annotated[Distribution, BeforeValidator(_fixed_shorthand, json_schema_input_type=Union[Distribution, JsonValue])]
