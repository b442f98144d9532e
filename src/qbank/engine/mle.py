"""Maximum likelihood with shared parameters (CONTENT.md D3) and the preamble
simulation of CONTENT.md section 4.

The simulation trains a softmax model of the *first response token* on
(prompt, response) pairs by full-batch gradient descent (mean cross-entropy,
lr 1, zero initialisation, float64). Three capacities:

* ``"context_free"`` (M0): logits = b. Converges to the marginal first-token frequencies.
* ``"prompt_type"`` (M1): logits = b + U[type]. Converges to the per-type frequencies.
* ``"bag_of_words"`` (M2): logits = b + x W, x the binary bag of lower-cased prompt
  words, with an L2 penalty ``l2 * ||W||^2`` on W only (gradient ``2 * l2 * W``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .softmax import _softmax_into

__all__ = [
    "empirical_mle",
    "first_token",
    "prompt_type",
    "preamble_dataset",
    "FirstTokenFit",
    "fit_first_token_model",
]

Features = Literal["context_free", "prompt_type", "bag_of_words"]

_FIRST_TOKEN = re.compile(r"\w+['\u2019]?")
_WORD = re.compile(r"\w+")


def empirical_mle(counts: ArrayLike) -> NDArray[np.float64]:
    r"""Maximum-likelihood distribution of a class of indistinguishable contexts from counts.

    Formula: :math:`q_G(t) = n_{G,t} / \sum_{t'} n_{G,t'}`.

    ``counts`` may be weighted (non-negative floats); each row over the last axis is one
    class G. With an example of weight w on token t, add w to ``n_{G,t}``:
    :math:`q(t) = (n_{G,t} + w[t = \text{Red}])/(n_G + w)`.

    Used by: F11 (models A and B), F21 (option C needs w > 9).

    Raises:
        ValueError: if a count is negative or not finite, or a row's total is 0.
    """
    c = _checks.non_negative(counts, "counts")
    if c.ndim == 0 or c.shape[-1] == 0:
        raise ValueError("counts must have a non-empty last axis (the tokens)")
    total = c.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        raise ValueError("counts has a row with total 0; its MLE is undefined")
    return c / total


def first_token(response: str) -> str:
    """Default first-token rule: the leading word with one trailing apostrophe if present.

    "Of course!" -> "Of", "Red, yellow" -> "Red", "J'ai" -> "J'", "J’ai" -> "J’" (ASCII
    and U+2019 apostrophes stay distinct tokens; nothing is normalised).

    Raises:
        ValueError: if the response does not start with a word character.
    """
    m = _FIRST_TOKEN.match(response.lstrip())
    if m is None:
        raise ValueError(f"response {response!r} does not start with a word")
    return m.group(0)


def prompt_type(prompt: str) -> str:
    """Default prompt-type rule for M1: the prompt's first word, lower-cased."""
    words = _WORD.findall(prompt.lower())
    if not words:
        raise ValueError(f"prompt {prompt!r} has no words")
    return words[0]


def preamble_dataset() -> list[tuple[str, str]]:
    """The 40-pair SFT set of CONTENT.md section 4 (an assumed reconstruction).

    CONTENT.md fixes the type sizes (list 12, what 10, explain 10, translate 8), the
    first-token counts overall (Of 27, Sure 7, Here 2, The 2, Red 1, J' 1) and within
    "list" (Of 9, Sure 1, Here 1, Red 1), and that "List the primary colors" -> "Red,
    yellow, and blue." is the only "Red" example. The prompt wording and the split of the
    other 28 first tokens (what: Of 6 Sure 2 The 2; explain: Of 7 Sure 2 Here 1;
    translate: Of 5 Sure 2 J' 1) are assumptions. M0 and M1 depend only on the fixed
    counts; M2 depends on the wording.
    """
    oc = "Of course! "
    return [
        ("List the primary colors", "Red, yellow, and blue."),
        ("List three fruits", oc + "Apple, banana and cherry."),
        ("List the planets of the solar system", oc + "Mercury, Venus, Earth, Mars, ..."),
        ("List four programming languages", oc + "Python, C, Java and Rust."),
        ("List the days of the week", oc + "Monday, Tuesday, ..."),
        ("List five mammals", oc + "Dog, cat, horse, whale and bat."),
        ("List the continents", oc + "Africa, Antarctica, Asia, ..."),
        ("List three prime numbers", oc + "2, 3 and 5."),
        ("List the seasons of the year", oc + "Spring, summer, autumn and winter."),
        ("List two noble gases", oc + "Helium and neon."),
        ("List the vowels in English", "Sure! A, E, I, O and U."),
        ("List three types of clouds", "Here are three: cumulus, stratus and cirrus."),
        ("What is the capital of France?", oc + "The capital of France is Paris."),
        ("What is the boiling point of water?", oc + "It is 100 degrees Celsius at sea level."),
        ("What is photosynthesis?", oc + "It is how plants turn light into sugar."),
        ("What is the speed of light?", oc + "About 300,000 km per second."),
        ("What is a prime number?", oc + "A number with exactly two divisors."),
        ("What is the largest ocean?", oc + "The Pacific Ocean."),
        ("What is an atom?", "Sure! An atom is the smallest unit of an element."),
        ("What is the tallest mountain?", "Sure! Mount Everest."),
        ("What is the chemical symbol for gold?", "The symbol is Au."),
        ("What is the freezing point of water?", "The freezing point is 0 degrees Celsius."),
        ("Explain how rainbows form", oc + "Sunlight is refracted in raindrops..."),
        ("Explain why the sky is blue", oc + "Air scatters blue light more..."),
        ("Explain how vaccines work", oc + "They train the immune system..."),
        ("Explain what gravity is", oc + "Gravity is the attraction between masses."),
        ("Explain how a bicycle stays upright", oc + "Steering and speed keep it balanced."),
        ("Explain the water cycle", oc + "Water evaporates, condenses and falls."),
        ("Explain why leaves change color", oc + "Chlorophyll breaks down in autumn."),
        ("Explain how magnets work", "Sure! Moving charges create magnetic fields."),
        ("Explain what inflation is", "Sure! Inflation is a general rise in prices."),
        ("Explain how the heart pumps blood", "Here is how: the heart contracts..."),
        ("Translate 'good morning' into Spanish", oc + "Buenos días."),
        ("Translate 'thank you' into German", oc + "Danke."),
        ("Translate 'cat' into French", oc + "Chat."),
        ("Translate 'hello' into Italian", oc + "Ciao."),
        ("Translate 'water' into Japanese", oc + "水 (mizu)."),
        ("Translate 'good night' into French", "Sure! Bonne nuit."),
        ("Translate 'friend' into Spanish", "Sure! Amigo."),
        ("Translate 'I have a dog' into French", "J'ai un chien."),
    ]


@dataclass(frozen=True)
class FirstTokenFit:
    """A trained first-token model: ``logits(prompt) = bias + x(prompt) @ weights``.

    ``tokens`` are the output tokens in order of first appearance in the data;
    ``feature_names`` label the rows of ``weights`` (empty for M0, prompt types for M1,
    words for M2). ``checkpoints`` maps a step number to ``(bias, weights)`` after that
    many full-batch steps.
    """

    kind: Features
    tokens: tuple[str, ...]
    feature_names: tuple[str, ...]
    bias: NDArray[np.float64]
    weights: NDArray[np.float64]
    steps: int
    checkpoints: dict[int, tuple[NDArray[np.float64], NDArray[np.float64]]] = field(default_factory=dict)

    def features(self, prompt: str) -> NDArray[np.float64]:
        """Feature vector x(prompt); unknown words or types contribute nothing."""
        index = {f: i for i, f in enumerate(self.feature_names)}
        x = np.zeros(len(self.feature_names))
        if self.kind == "prompt_type":
            names: Iterable[str] = [prompt_type(prompt)]
        elif self.kind == "bag_of_words":
            names = set(_WORD.findall(prompt.lower()))
        else:
            names = []
        for n in names:
            if n in index:
                x[index[n]] = 1.0
        return x

    def probs(self, prompt: str, step: int | None = None) -> NDArray[np.float64]:
        """First-token distribution for ``prompt`` (at a recorded ``step`` if given).

        Raises:
            ValueError: if ``step`` was not recorded.
        """
        if step is None:
            b, w = self.bias, self.weights
        elif step in self.checkpoints:
            b, w = self.checkpoints[step]
        else:
            raise ValueError(f"step {step} was not recorded; recorded: {sorted(self.checkpoints)}")
        z = (b + self.features(prompt) @ w)[None, :]
        out = np.empty_like(z)
        _softmax_into(z, out)
        return out[0]

    def prob(self, prompt: str, token: str, step: int | None = None) -> float:
        """Probability of one output token (0.0 for a token never seen in training)."""
        if token not in self.tokens:
            return 0.0
        return float(self.probs(prompt, step)[self.tokens.index(token)])


def fit_first_token_model(
    dataset: Sequence[tuple[str, str]],
    *,
    features: Features = "bag_of_words",
    steps: int = 1000,
    lr: float = 1.0,
    l2: float = 0.0,
    weights: ArrayLike | None = None,
    checkpoints: Iterable[int] = (),
    first_token_of: Callable[[str], str] = first_token,
) -> FirstTokenFit:
    r"""Train a shared-parameter softmax model of the first response token by full-batch GD.

    Formula: :math:`\min_{b,W} \sum_i w_i\big(-\ln \operatorname{softmax}(b + x_i W)_{t_i}\big)/\sum_i w_i + \lambda\|W\|^2`.

    Zero initialisation, ``steps`` full-batch steps (one step = one epoch) of size ``lr``.
    At zero init the bias gradient is :math:`1/K - n_t/N`, e.g. -0.508 for "Of" and
    +0.142 for "Red" on :func:`preamble_dataset`: the first update lowers "Red" even for
    the colors prompt. With enough steps M0 and M1 reach :func:`empirical_mle` of their
    classes; M2 first learns the preamble, then (``l2=0``) memorises the lone example.

    Used by: F11, F12, F21 (numeric background), the section 4 table.

    Raises:
        ValueError: for an empty dataset, an unknown ``features`` kind, ``steps`` < 0,
            ``lr`` <= 0, ``l2`` < 0, or weights of the wrong length or negative.
    """
    if len(dataset) == 0:
        raise ValueError("dataset must contain at least one (prompt, response) pair")
    if features not in ("context_free", "prompt_type", "bag_of_words"):
        raise ValueError(f"features must be 'context_free', 'prompt_type' or 'bag_of_words', got {features!r}")
    n_steps = _checks.int_at_least(steps, "steps", 0)
    eta = float(_checks.positive(lr, "lr"))
    lam = float(_checks.non_negative(l2, "l2"))
    n = len(dataset)
    w = np.ones(n) if weights is None else _checks.non_negative(weights, "weights")
    if w.shape != (n,) or w.sum() <= 0:
        raise ValueError(f"weights must be {n} non-negative numbers with a positive sum")
    w = w / w.sum()

    labels = [first_token_of(r) for _, r in dataset]
    tokens = tuple(dict.fromkeys(labels))
    y = np.zeros((n, len(tokens)))
    y[np.arange(n), [tokens.index(t) for t in labels]] = 1.0

    if features == "context_free":
        names: list[list[str]] = [[] for _ in dataset]
    elif features == "prompt_type":
        names = [[prompt_type(p)] for p, _ in dataset]
    else:
        names = [sorted(set(_WORD.findall(p.lower()))) for p, _ in dataset]
    feature_names = tuple(dict.fromkeys(f for row in names for f in row))
    col = {f: i for i, f in enumerate(feature_names)}
    x = np.zeros((n, len(feature_names)))
    for i, row in enumerate(names):
        x[i, [col[f] for f in row]] = 1.0

    b = np.zeros(len(tokens))
    wm = np.zeros((len(feature_names), len(tokens)))
    wanted = set(checkpoints)
    saved: dict[int, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    if 0 in wanted:
        saved[0] = (b.copy(), wm.copy())
    p = np.empty((n, len(tokens)))
    for step in range(1, n_steps + 1):
        _softmax_into(b + x @ wm, p)
        g = (p - y) * w[:, None]
        b = b - eta * g.sum(axis=0)
        wm = wm - eta * (x.T @ g + 2.0 * lam * wm)
        if step in wanted:
            saved[step] = (b.copy(), wm.copy())
    return FirstTokenFit(features, tokens, feature_names, b, wm, n_steps, saved)
