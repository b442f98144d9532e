"""F06: perplexity of a sequence or a small corpus, from probabilities or per-token bits."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import corpus_perplexity, perplexity, sequence_nll
from ..params import Choice, Integer, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item


class Perplexity(FamilyParams):
    form: Annotated[Literal["sequence", "corpus", "bits", "uniform"], Draw(Choice(options=("sequence", "corpus", "bits", "uniform"), weights=(3, 3, 2, 1)))]
    length: Annotated[int, Draw(Integer(low=3, high=8))]
    candidates: tuple[int, ...] = (2, 3, 4, 5, 8, 10, 16, 20, 50, 100)


@family(
    "perplexity",
    params=Perplexity,
    summary="Perplexity from gold-token probabilities (one sequence or a corpus), from bits, or of a uniform model.",
    topics=("perplexity",),
    bloom=("remember", "apply"),
    item_types=("numeric",),
)
def build(p: Perplexity, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    if p.form == "uniform":
        m = rng.choice(np.array(p.candidates), size=p.length)
        probs = 1.0 / m
        key = float(perplexity(probs))
        total = float(sequence_nll(probs))
        stem = ("At each of the steps of a sequence a model spreads its probability evenly over a few candidate tokens, "
                "the gold token among them. The numbers of candidates are " + ", ".join(str(int(v)) for v in m) +
                ". What is the model's perplexity on the sequence?")
        wrongs = [
            Wrong(float(m.mean()), "M-PPL-ARITH", "That is the arithmetic mean of $1/p$; perplexity is the geometric mean."),
            Wrong(np.exp(total), "M-PPL-NO-MEAN", "Perplexity exponentiates the *mean* NLL, not the total."),
            Wrong(2 ** (total / len(m)), "M-PPL-BASE-MIX", "The NLL is in nats, so the base is $e$, not 2."),
            Wrong(1 / float(probs.mean()), "M-PPL-INV-MEANP", "$1/\\bar p$ uses the arithmetic mean of the probabilities."),
        ]
        expl = (f"A uniform choice among $m$ tokens costs $\\ln m$ nats, so the mean NLL is ${fmt(total / len(m), 4)}$ and "
                f"$\\mathrm{{PPL}} = e^{{{fmt(total / len(m), 4)}}} = {fmt(key, 3)}$, the geometric mean of the counts "
                "(a uniform model over all of $V$ has perplexity $|V|$).")
        return numeric_item(stem, key, wrongs, expl), {"ppl": key}
    if p.form == "corpus":
        lengths = [int(n) for n in rng.integers(2, 6, size=int(rng.integers(2, 4)))]
        if len(set(lengths)) == 1:
            raise Reject("corpus sequences of equal length")
        seqs = [np.round(rng.uniform(0.05, 0.95, size=n), 2) for n in lengths]
        key = corpus_perplexity(seqs)
        allp = np.concatenate(seqs)
        total = float(sequence_nll(allp))
        per_seq = [float(perplexity(s)) for s in seqs]
        lines = "\n".join(f"* sequence {i + 1}: " + ", ".join(fmt(v, 2) for v in s) for i, s in enumerate(seqs))
        stem = ("A model gives the gold tokens of a small test corpus these probabilities (teacher forcing):\n\n" + lines +
                "\n\nWhat is the model's perplexity on the corpus (token-weighted over all tokens)?")
        wrongs = [
            Wrong(float(np.mean(per_seq)), "M-PPL-SEQ-AVG", "Averaging per-sequence perplexities weights short sequences too much; average the NLL over all tokens."),
            Wrong(float(np.mean(1 / allp)), "M-PPL-ARITH", "The arithmetic mean of $1/p$ is not the geometric mean that perplexity is."),
            Wrong(1 / float(allp.mean()), "M-PPL-INV-MEANP", "$1/\\bar p$ uses the arithmetic mean of the probabilities."),
            Wrong(2 ** (total / len(allp)), "M-PPL-BASE-MIX", "The NLL is in nats, so the base is $e$, not 2."),
        ]
        if total < 50:
            wrongs.append(Wrong(np.exp(total), "M-PPL-NO-MEAN", "Perplexity exponentiates the *mean* NLL, not the total."))
        expl = (f"Total NLL over all {len(allp)} tokens: ${fmt(total, 4)}$; mean ${fmt(total / len(allp), 4)}$; "
                f"$\\mathrm{{PPL}} = e^{{{fmt(total / len(allp), 4)}}} = {fmt(key, 3)}$.")
        return numeric_item(stem, key, wrongs, expl), {"ppl": key}
    if p.form == "bits":
        bits = np.round(rng.uniform(0.2, 4.0, size=p.length), 2)
        mean_bits = float(bits.mean())
        key = float(2**mean_bits)
        stem = ("A model's per-token losses on a sequence, in bits, are " + ", ".join(fmt(b, 2) for b in bits) +
                ". What is its perplexity on the sequence?")
        wrongs = [
            Wrong(np.exp(mean_bits), "M-PPL-BASE-MIX", "The losses are in bits, so the base is 2, not $e$."),
            Wrong(2 ** float(bits.sum()), "M-PPL-NO-MEAN", "Perplexity uses the *mean* loss per token, not the total."),
            Wrong(float(np.mean(2**bits)), "M-PPL-ARITH", "That averages the per-token perplexities arithmetically; average the bits first."),
        ]
        expl = f"Mean loss ${fmt(mean_bits, 4)}$ bits, so $\\mathrm{{PPL}} = 2^{{{fmt(mean_bits, 4)}}} = {fmt(key, 3)}$."
        return numeric_item(stem, key, wrongs, expl), {"ppl": key}
    probs = np.round(rng.uniform(0.05, 0.95, size=p.length), 2)
    key = float(perplexity(probs))
    total = float(sequence_nll(probs))
    stem = ("Under teacher forcing a model gives the gold tokens of one sequence the probabilities " +
            ", ".join(fmt(v, 2) for v in probs) + ". What is its perplexity on the sequence?")
    wrongs = [
        Wrong(np.exp(total), "M-PPL-NO-MEAN", "Perplexity exponentiates the *mean* NLL, not the total."),
        Wrong(float(np.mean(1 / probs)), "M-PPL-ARITH", "The arithmetic mean of $1/p$ is not the geometric mean that perplexity is."),
        Wrong(1 / float(probs.mean()), "M-PPL-INV-MEANP", "$1/\\bar p$ uses the arithmetic mean of the probabilities."),
        Wrong(2 ** (total / len(probs)), "M-PPL-BASE-MIX", "The NLL is in nats, so the base is $e$, not 2."),
    ]
    expl = (f"NLL $= {fmt(total, 4)}$ over {len(probs)} tokens, mean ${fmt(total / len(probs), 4)}$; "
            f"$\\mathrm{{PPL}} = e^{{{fmt(total / len(probs), 4)}}} = {fmt(key, 3)}$.")
    return numeric_item(stem, key, wrongs, expl), {"ppl": key}
