"""The alignment families' keys, recomputed from what the student reads.

Each test builds variants of one family, reads the numbers back out of the stem (the
tables and sentences a student sees) and works the key out again in plain Python: no
qbank.engine, brute-force enumeration where a formula would repeat the engine's. The
engine's own hand-worked cases are in tests/engine/test_alignment_maths.py.
"""

from __future__ import annotations

import math
import re
from itertools import product

import numpy as np
import pytest

from qbank.questions.families import get_family

SEEDS = range(12)


def _build(name: str, seed: int, **params):
    fam = get_family(name)
    rng = np.random.default_rng(seed)
    defaults = {"ask": params.pop("ask")}
    for _ in range(400):
        try:
            out = fam.build(fam.params(**defaults, **params), rng)
            return out[0] if isinstance(out, tuple) else out
        except Exception as exc:  # Reject: draw again from the same generator
            if type(exc).__name__ != "Reject":
                raise
    raise AssertionError("no draw")


def _rows(stem: str, first: str = "y") -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in stem.splitlines() if line.startswith(f"| {first}")]


def _num(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, (pattern, text[:300])
    return float(m.group(1))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize("seed", SEEDS)
def test_grpo_advantage_and_objective(seed: int) -> None:
    item = _build("grpo", seed, ask="advantage", group_size=5, epsilon=0.2, prompt="Solve 3x + 5 = 26.")
    rewards = [float(r[1]) for r in _rows(item.stem)]
    i = int(_num(r"advantage of y(\d)", item.stem)) - 1
    mean = sum(rewards) / len(rewards)
    sd = math.sqrt(sum((r - mean) ** 2 for r in rewards) / len(rewards))
    assert item.answer == pytest.approx((rewards[i] - mean) / sd, rel=1e-9)

    item = _build("grpo", seed, ask="objective", group_size=4, epsilon=0.2, prompt="Solve 3x + 5 = 26.")
    terms = []
    for _, a, old, new in _rows(item.stem):
        rho, adv = math.exp(float(new) - float(old)), float(a)
        terms.append(min(rho * adv, min(max(rho, 0.8), 1.2) * adv))
    assert item.answer == pytest.approx(sum(terms) / len(terms), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_grpo_largest_advantage_is_the_top_z_score(seed: int) -> None:
    item = _build("grpo", seed, ask="largest", group_size=4, epsilon=0.2, prompt="Solve 3x + 5 = 26.")
    best, best_z = "", -math.inf
    for line in re.findall(r"\* prompt \w: (.*)", item.stem):
        pairs = [p.split() for p in line.split(", ")]
        vals = [float(v) for _, v in pairs]
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        for (name, _), v in zip(pairs, vals):
            if (v - mean) / sd > best_z:
                best, best_z = name, (v - mean) / sd
    assert item.options[item.key[0]].text == f"Response {best}"


@pytest.mark.parametrize("seed", SEEDS)
def test_kl_estimators_sample_and_bias(seed: int) -> None:
    for est in ("k1", "k2", "k3"):
        item = _build("kl-estimators", seed, ask="sample", k=3, estimator=est)
        rows = {r[0]: (float(r[1]), float(r[2])) for r in _rows(item.stem)}
        pi, ref = rows[re.search(r"sampled response is (y\d)", item.stem).group(1)]
        ell = math.log(ref / pi)
        want = {"k1": -ell, "k2": ell * ell / 2, "k3": math.exp(ell) - 1 - ell}[est]
        assert item.answer == pytest.approx(want, rel=1e-9)
    item = _build("kl-estimators", seed, ask="bias", k=4, estimator="k2")
    rows = [(float(r[1]), float(r[2])) for r in _rows(item.stem)]
    kl = sum(p * math.log(p / q) for p, q in rows)
    e_k2 = sum(p * math.log(q / p) ** 2 / 2 for p, q in rows)
    assert item.answer == pytest.approx(e_k2 - kl, rel=1e-9)


def _bon_by_enumeration(pi: list[float], proxy: list[float], n: int) -> list[float]:
    """Best-of-n by listing every ordered n-tuple of draws (no formula)."""
    out = [0.0] * len(pi)
    for draw in product(range(len(pi)), repeat=n):
        out[max(draw, key=lambda j: proxy[j])] += math.prod(pi[j] for j in draw)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_overoptimisation_by_enumerating_all_draws(seed: int) -> None:
    item = _build("overoptimisation", seed, ask="true_reward", n=4)
    rows = [[float(x) for x in r[1:]] for r in _rows(item.stem)]
    pi, proxy, true = (list(c) for c in zip(*rows))
    bon = _bon_by_enumeration(pi, proxy, 4)
    assert item.answer == pytest.approx(sum(b * t for b, t in zip(bon, true)), rel=1e-9)
    item = _build("overoptimisation", seed, ask="kl", n=4)
    rows = [[float(x) for x in r[1:]] for r in _rows(item.stem)]
    pi, proxy, _ = (list(c) for c in zip(*rows))
    bon = _bon_by_enumeration(pi, proxy, 4)
    kl = sum(b * math.log(b / p) for b, p in zip(bon, pi) if b > 0)
    assert item.answer == pytest.approx(kl, rel=1e-9)
    assert kl <= math.log(4) - 3 / 4  # under the continuous-reward value


def _tree_from_stem(stem: str) -> dict:
    """{prefix tuple: {next token: probability}} from the stem's "after ..." lines."""
    tree: dict = {}
    for line in stem.splitlines():
        if m := re.fullmatch(r"\* (?:first token|after \u201c(.*)\u201d): (.*)", line):
            prefix = tuple(m.group(1).split()) if m.group(1) else ()
            tree[prefix] = {w: float(p) for w, p in (x.split() for x in m.group(2).split(", "))}
    return tree


@pytest.mark.parametrize("seed", SEEDS)
def test_beam_search_probability_from_the_tree(seed: int) -> None:
    item = _build("beam-search", seed, ask="prob", width=2)
    tree = _tree_from_stem(item.stem)
    # width 2 by hand: the two best first tokens, the two best two-token prefixes among their children,
    # then the best leaf under those two
    firsts = sorted(tree[()], key=lambda f: -tree[()][f])[:2]
    prob2 = {(f, s): tree[()][f] * q for f in firsts for s, q in tree[(f,)].items()}
    seconds = sorted(prob2, key=lambda fs: -prob2[fs])[:2]
    best = max(prob2[fs] * q for fs in seconds for q in tree[fs].values())
    assert item.answer == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_dpo_optimum_implicit_reward_and_preference(seed: int) -> None:
    for beta in (0.5, 2.0):
        item = _build("dpo-optimum", seed, ask="implicit", beta=beta, k=3)
        rows = {r[0]: (float(r[1]), float(r[2])) for r in _rows(item.stem)}
        z = sum(ref * math.exp(r / beta) for ref, r in rows.values())
        y = re.search(r"\\hat r\((y\d)\)\$\?", item.stem).group(1)
        assert item.answer == pytest.approx(rows[y][1] - beta * math.log(z), rel=1e-9, abs=1e-12)
        item = _build("dpo-optimum", seed, ask="preference", beta=beta, k=4)
        rows = {r[0]: (float(r[1]), float(r[2])) for r in _rows(item.stem)}
        a, b = re.search(r"P\((y\d) \\succ (y\d)\)", item.stem).groups()
        assert item.answer == pytest.approx(_sigmoid(rows[a][1] - rows[b][1]), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_dpo_reference_beta_change_and_push(seed: int) -> None:
    item = _build("dpo-reference", seed, ask="beta", beta=0.2)
    pw, pl, rw, rl = (float(x) for x in re.findall(r"= (-?[\d.]+)\$", item.stem)[:4])
    delta = (pw - rw) - (pl - rl)
    loss = lambda b: math.log1p(math.exp(-b * delta))  # noqa: E731
    assert item.answer == pytest.approx(loss(1.0) - loss(0.2), rel=1e-9)
    item = _build("dpo-reference", seed, ask="push", beta=0.5)
    margins = [0.5 * ((a - c) - (b - d)) for a, b, c, d in ([float(x) for x in r[1:]] for r in _rows(item.stem, "1") + _rows(item.stem, "2") + _rows(item.stem, "3"))]
    assert item.options[item.key[0]].text == f"Pair {margins.index(min(margins)) + 1}"


@pytest.mark.parametrize("seed", SEEDS)
def test_length_bias_fit_and_prediction(seed: int) -> None:
    item = _build("length-bias", seed, ask="fit", gap=150)
    total, gap, wins = (float(x) for x in re.search(r"one of (\d+) pairs .*? differ by (\d+) tokens; .*? in (\d+) pairs", item.stem).groups())
    f = wins / total
    w = math.log(f / (1 - f)) * 100 / gap
    assert item.answer == pytest.approx(w, rel=1e-9)
    item = _build("length-bias", seed, ask="predict", gap=80)
    total, gap, wins = (float(x) for x in re.search(r"one of (\d+) pairs .*? differ by (\d+) tokens; .*? in (\d+) pairs", item.stem).groups())
    extra = _num(r"one is (\d+) tokens longer", item.stem)
    f = wins / total
    assert item.answer == pytest.approx(_sigmoid(math.log(f / (1 - f)) * extra / gap), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_lr_too_high_loss_after_one_step(seed: int) -> None:
    item = _build("lr-too-high", seed, ask="after", flat=1.0, steep=8.0)
    terms = re.findall(r"([\d.]+)(?:\(w_\d ([+-]) ([\d.]+)\)|w_\d)\^2", item.stem)
    lam = [float(t[0]) for t in terms]
    centre = [(float(t[2]) if t[1] == "-" else -float(t[2])) if t[2] else 0.0 for t in terms]
    w0 = [float(x) for x in re.search(r"at \$w = \((-?[\d.]+), (-?[\d.]+)\)\$", item.stem).groups()]
    eta = _num(r"\\eta = ([\d.]+)\$", item.stem)
    after = [w - eta * lm * (w - c) for w, lm, c in zip(w0, lam, centre)]
    assert item.answer == pytest.approx(0.5 * sum(lm * (w - c) ** 2 for lm, w, c in zip(lam, after, centre)), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_ppl_vs_accuracy_perplexity_from_the_table(seed: int) -> None:
    item = _build("ppl-vs-accuracy", seed, ask="ppl", positions=5)
    m = re.search(r"model (\w)'s perplexity", item.stem).group(1)
    col = 2 if m == "A" else 4
    rows = [line.strip("|").split("|") for line in item.stem.splitlines() if re.match(r"\| \d", line)]
    probs = [float(r[col]) for r in rows]
    assert item.answer == pytest.approx(math.exp(-sum(math.log(p) for p in probs) / len(probs)), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_padding_mask_loss_from_the_rows(seed: int) -> None:
    item = _build("padding-mask", seed, ask="loss", batch=3)
    terms = [-math.log(float(p)) for kind, p in re.findall(r"(answer|`<eos>`|prompt|`<pad>`) ([\d.]+)", item.stem) if kind in ("answer", "`<eos>`")]
    assert item.answer == pytest.approx(sum(terms) / len(terms), rel=1e-9)


def test_padding_never_changes_the_loss_by_hand() -> None:
    # worked by hand: answer tokens 0.5, 0.25 (eos) and 0.8 (eos): (ln 2 + ln 4 + ln 1.25)/3 = 0.7675
    from qbank.engine import sft_loss

    probs = np.array([[0.3, 0.5, 0.25, 0.97], [0.1, 0.8, 0.9, 0.9]])
    mask = np.array([[False, True, True, False], [False, True, False, False]])
    assert sft_loss(probs, mask) == pytest.approx((math.log(2) + math.log(4) + math.log(1.25)) / 3, rel=1e-12)
    wide = np.pad(probs, ((0, 0), (0, 3)), constant_values=0.9)
    assert sft_loss(wide, np.pad(mask, ((0, 0), (0, 3)))) == sft_loss(probs, mask)
