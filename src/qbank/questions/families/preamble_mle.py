"""F11: dataset-level maximum likelihood with shared parameters (the numbers behind the preamble).

An SFT set is summarised by first-token counts per prompt type, plus one special example
("List the primary colors" -> "Red, ...") that may be weighted w. Model A (context-free,
logits = b) cannot tell any prompts apart; model B (logits = b + U[type]) tells prompt types
apart but not prompts within a type. By D3 each model's MLE is the empirical first-token
distribution of the class it cannot split, computed with :func:`qbank.engine.empirical_mle`.

Three forms: ``prob`` (numeric p(token | special prompt)), ``choice`` (which distribution
and greedy first token MLE gives) and ``first_step`` (the gradient of the mean loss on the
shared bias at zero initialisation, 1/K - n_t/N).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from ...engine import empirical_mle, first_token, softmax
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, choice_item, fmt, numeric_item, tok

_MODEL_TEXT = {
    "context_free": "model A gives every prompt the same first-token distribution (logits $= b$)",
    "prompt_type": "model B has one first-token distribution per prompt type (logits $= b + U_{\\text{type}}$), "
                   "so it tells prompt types apart but not prompts of the same type",
}
_MODEL_NAME = {"context_free": "model A", "prompt_type": "model B"}


class PreambleMle(FamilyParams):
    counts: dict[str, dict[str, int]] | None = Field(
        default=None,
        description="First-token counts per prompt type, not counting the special example; drawn when omitted.",
    )
    special_group: str = "list"
    special_prompt: str = "List the primary colors"
    special_response: str = "Red, yellow, and blue."
    preamble: str = "Of course!"
    group_names: tuple[str, ...] = ("list", "what", "explain")
    other_tokens: tuple[str, ...] = ("Sure", "Here", "The")
    group_size: tuple[int, int] = (6, 25)
    preamble_share: tuple[float, float] = (0.45, 0.9)
    weight: Annotated[int, Draw(Choice(options=(1, 5, 8, 12)))]
    model: Annotated[Literal["context_free", "prompt_type"], Draw(Choice(options=("context_free", "prompt_type")))]
    ask: Annotated[Literal["preamble", "special"], Draw(Choice(options=("preamble", "special")))]
    form: Annotated[Literal["prob", "choice", "first_step"], Draw(Choice(options=("prob", "choice", "first_step"), weights=(2, 2, 1)))]

    @model_validator(mode="after")
    def _groups(self) -> PreambleMle:
        groups = tuple(self.counts) if self.counts is not None else self.group_names
        if self.special_group not in groups:
            raise ValueError(f"special_group {self.special_group!r} is not one of the prompt types {list(groups)}")
        if self.counts is not None and any(n < 0 for row in self.counts.values() for n in row.values()):
            raise ValueError("counts must be non-negative")
        lo, hi = self.group_size
        if not 1 <= lo <= hi:
            raise ValueError(f"group_size must be 1 <= low <= high, got {list(self.group_size)}")
        if not 0 < self.preamble_share[0] <= self.preamble_share[1] < 1:
            raise ValueError(f"preamble_share must satisfy 0 < low <= high < 1, got {list(self.preamble_share)}")
        return self


def _draw_counts(p: PreambleMle, pre: str, rng: np.random.Generator) -> dict[str, dict[str, int]]:
    """Counts per prompt type: a preamble share, the rest split at random over the other tokens."""
    counts: dict[str, dict[str, int]] = {}
    for g in p.group_names:
        n = int(rng.integers(p.group_size[0], p.group_size[1], endpoint=True))
        share = float(rng.uniform(*p.preamble_share))
        n_pre = min(max(round(share * n), 1), n - 1) if n > 1 else n
        rest = rng.multinomial(n - n_pre, np.full(len(p.other_tokens), 1 / len(p.other_tokens)))
        counts[g] = {pre: n_pre, **{t: int(k) for t, k in zip(p.other_tokens, rest)}}
    return counts


def _table(groups: list[str], tokens: list[str], m: np.ndarray, special: str, special_tok: str) -> str:
    head = "| prompt type | " + " | ".join(tok(t) for t in tokens) + " | examples |"
    rule = "|---|" + "---:|" * (len(tokens) + 1)
    rows = []
    for gi, g in enumerate(groups):
        cells = [str(int(m[gi, ti])) + ("+1" if g == special and t == special_tok else "") for ti, t in enumerate(tokens)]
        total = int(m[gi].sum()) + (g == special)
        rows.append(f"| {g} | " + " | ".join(cells) + f" | {total} |")
    return "\n".join([head, rule, *rows])


def _dist_text(tokens: list[str], q: np.ndarray, pre: int, spec: int) -> str:
    # Both tokens appear in every option's greedy clause, so its length does not depend on which wins.
    top = int(np.argmax(q))
    other = spec if top == pre else pre
    return (f"$p$({tok(tokens[pre])}) = {fmt(q[pre])}, $p$({tok(tokens[spec])}) = {fmt(q[spec])}; "
            f"greedy decoding starts with {tok(tokens[top])}, not {tok(tokens[other])}")


@family(
    "preamble-mle",
    params=PreambleMle,
    summary="Dataset-level MLE with shared parameters: the first-token distribution a context-free or per-type model learns.",
    topics=("preamble-effect", "mle", "sft"),
    bloom=("apply", "analyze"),
    item_types=("numeric", "single_choice"),
)
def build(p: PreambleMle, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    pre_tok, spec_tok = first_token(p.preamble), first_token(p.special_response)
    counts = p.counts if p.counts is not None else _draw_counts(p, pre_tok, rng)
    groups = list(counts)
    tokens = list(dict.fromkeys([pre_tok, *(t for row in counts.values() for t in row), spec_tok]))
    m = np.array([[counts[g].get(t, 0) for t in tokens] for g in groups], dtype=float)
    seen = m.sum(axis=0) + (np.array(tokens) == spec_tok)
    keep = seen > 0
    tokens, m = [t for t, k in zip(tokens, keep) if k], m[:, keep]
    pre, spec, sg = tokens.index(pre_tok), tokens.index(spec_tok), groups.index(p.special_group)
    if p.counts is None and m[sg, spec] > 0:
        raise Reject("the special token appears outside the special example")
    weighted = m.copy()
    weighted[sg, spec] += p.weight
    # One engine call: row 0 is the whole dataset (model A's class), row 1 the special prompt type (model B's).
    q_global, q_group = empirical_mle(np.stack([weighted.sum(axis=0), weighted[sg]]))
    q = q_global if p.model == "context_free" else q_group
    q_other = q_group if p.model == "context_free" else q_global
    k_all = len(tokens)
    grad = np.asarray(softmax(np.zeros(k_all))) - q_global  # zero init: uniform 1/K minus the weighted frequencies
    n_total = float(weighted.sum())
    data = {
        "model_a": {t: float(v) for t, v in zip(tokens, q_global)},
        "model_b": {t: float(v) for t, v in zip(tokens, q_group)},
        "first_step_grad": {t: float(v) for t, v in zip(tokens, grad)},
        "counts": {g: {t: int(m[gi, ti]) for ti, t in enumerate(tokens)} for gi, g in enumerate(groups)},
    }
    sorted_q = np.sort(q)[::-1]
    if sorted_q[0] - sorted_q[1] < 1e-9 and p.form == "choice":
        raise Reject("two first tokens tie for the mode")

    weight_text = (f" That example is weighted $w = {p.weight}$ in the loss (it counts as {p.weight} examples)."
                   if p.weight != 1 else "")
    intro = (
        f"An SFT set of {int(m.sum()) + 1} (instruction, response) pairs has these first response tokens per prompt type "
        f"(most preamble responses begin *{p.preamble}*, so their first token is {tok(pre_tok)}):\n\n"
        f"{_table(groups, tokens, m, p.special_group, spec_tok)}\n\n"
        f"The \"+1\" is the one example *{p.special_prompt}* → *{p.special_response}*, the only response that starts with "
        f"{tok(spec_tok)}.{weight_text} Two softmax models of the first response token are trained by maximum likelihood "
        f"to convergence: {_MODEL_TEXT['context_free']}; {_MODEL_TEXT['prompt_type']}."
    )
    name = _MODEL_NAME[p.model]
    cls_text = "the whole dataset" if p.model == "context_free" else f"the *{p.special_group}* prompts"
    row = weighted.sum(axis=0) if p.model == "context_free" else weighted[sg]
    n_cls = float(row.sum())
    mle_expl = (
        f"MLE with shared parameters gives every context in a class the class's empirical (weighted) first-token "
        f"frequencies. {name[0].upper() + name[1:]} cannot split {cls_text} ({fmt(n_cls, 0)} weighted examples): "
        + ", ".join(f"$p$({tok(t)}) = {fmt(row[i], 0)}/{fmt(n_cls, 0)} = {fmt(q[i])}" for i, t in enumerate(tokens) if row[i] > 0)
        + f". Greedy decoding starts with the mode, {tok(tokens[int(np.argmax(q))])}."
    )
    wrong_class = "M-GROUP-WHEN-GLOBAL" if p.model == "context_free" else "M-GLOBAL-WHEN-GROUPED"
    wrong_class_fb = ("Model A cannot tell prompt types apart: it uses the frequencies of the whole dataset, not of one type."
                      if p.model == "context_free" else
                      "Model B separates prompt types: it uses the frequencies within this type, not the whole dataset.")
    k_cls = int((row > 0).sum())

    if p.form == "first_step":
        t = spec if p.ask == "special" else pre
        key = float(grad[t])
        own = p.weight * ((1 / k_all) - (1.0 if t == spec else 0.0)) / n_total
        stem = (intro + f"\n\nBoth models start from zero logits (uniform over the K = {k_all} first tokens seen in training) and take "
                f"full-batch gradient steps on the mean (weighted) cross-entropy over all examples. What is the gradient of the loss "
                f"with respect to the shared bias $b$ of {tok(tokens[t])} at the first step?")
        wrongs = [
            Wrong(own, "M-PER-EXAMPLE", f"That is only the special example's own pull; the bias is shared, so every example's gradient adds up "
                                         f"(each pushes {tok(tokens[t])} by its own $p - [y = t]$)."),
            Wrong(-key, "M-SIGN-FLIP", "The gradient is $p - \\text{frequency}$; descent moves against it."),
            Wrong(1 / k_all - float(q_group[t]), "M-GROUP-WHEN-GLOBAL",
                  "The bias $b$ is shared by every prompt type, so its gradient averages over the whole dataset, not one type."),
        ]
        expl = (f"At zero init every example predicts $1/K = 1/{k_all}$, so the mean gradient on $b$ is $1/K - n_t/N$: "
                f"$1/{k_all} - {fmt(weighted.sum(axis=0)[t], 0)}/{fmt(n_total, 0)} = {fmt(key)}$. "
                + ("It is positive: the first step *lowers* this logit even for the special prompt, because the other examples outweigh its pull."
                   if key > 0 else "It is negative: the first step raises this logit."))
        return numeric_item(stem, key, wrongs, expl), data

    if p.form == "choice":
        stem = intro + f"\n\nWhich first-token distribution does {name} give the prompt *{p.special_prompt}*?"
        n_seen = k_cls
        per_example = np.zeros(k_all)
        per_example[spec] = 1.0
        majority = np.zeros(k_all)
        majority[int(np.argmax(q))] = 1.0
        wrongs = [
            Wrong(_dist_text(tokens, per_example, pre, spec), "M-PER-EXAMPLE",
                  "MLE does not reproduce each example's own target: the model cannot tell this prompt from the rest of its class."),
            # in the form of the other options, so that its length does not single it out
            Wrong(f"$p$({tok(tokens[pre])}) = {fmt(1 / n_seen)}, $p$({tok(tokens[spec])}) = {fmt(1 / n_seen)}; greedy decoding finds {tok(tokens[pre])} and {tok(tokens[spec])} on par",
                  "M-UNIFORM", "MLE weights each token by how often it occurs, not equally over the tokens seen."),
            Wrong(_dist_text(tokens, majority, pre, spec), "M-MAJORITY-ONLY",
                  "That is the mode only; the MLE distribution keeps every token's frequency (greedy decoding then picks the mode)."),
            Wrong(_dist_text(tokens, q_other, pre, spec), wrong_class, wrong_class_fb),
        ]
        return choice_item(stem, _dist_text(tokens, q, pre, spec), "Right: the class's empirical (weighted) frequencies.",
                           wrongs, rng, mle_expl), data

    t = spec if p.ask == "special" else pre
    key = float(q[t])
    stem = intro + f"\n\nUnder {name}, what is $p$({tok(tokens[t])} | *{p.special_prompt}*) after training?"
    wrongs = [
        Wrong(1.0 if t == spec else 0.0, "M-PER-EXAMPLE",
              "The model does not reproduce this example's own target: it cannot tell this prompt from the rest of its class."),
        Wrong(1 / k_cls, "M-UNIFORM", "MLE weights each first token by its frequency, not equally over the tokens seen."),
        Wrong(1.0 if t == int(np.argmax(q)) else 0.0, "M-MAJORITY-ONLY",
              "That puts all mass on the mode; the MLE keeps every token's frequency."),
        Wrong(float(q_other[t]), wrong_class, wrong_class_fb),
    ]
    return numeric_item(stem, key, wrongs, mle_expl), data
