"""Variants never change: content hashes pinned before the speed work on the families.

A quiz manifest stores each item's content hash and refuses to grade when the regenerated
item differs, so a change in the random stream (a draw added, reordered or made with another
numpy call) or in the formatting of any variant must fail here, on the one-by-one path
(``instantiate``) and on the batch path (``instantiate_many``) alike.

The hashes were computed on the code of commit e26e06b and, for the templates raised to version 2
by the content fixes of issues 15 and 18, on the commits that changed them; dpo was raised to
version 2 when its distractors stopped taking ln of a sigmoid near 1, whose last digits
differed between CPUs (tests/questions/families/test_cpu_independence.py). If a family is changed on purpose,
its template's version must be raised (new ids, new hashes), not these values edited.
"""

from __future__ import annotations

import hashlib

import pytest

from qbank.questions import builtin_bank

# (template, seed, SHA-256 of the item's canonical JSON)
PINNED = [
    ("token-loss", 0, "261bb7626c2c2580e19718a93885d286b5efef7075a032bb138e2cc1f12ff43e"),
    ("token-loss", 42, "01eb9e7ab9bbdf9c4c4875e4c7e4fe99e117e16a32f869c4c24c49f6f9466caa"),
    ("token-loss-logits", 7, "3a7a9a4af411ba3b791744050212a5c00b0b5ff275bf988f1bdb84b2878af21c"),
    ("token-loss-bits", 123456, "a8b6706ff512da0652b5d50b3530de5a8964dca39e9e6eb34e8daee443bfa648"),
    ("paris-states", 0, "75607fba65838a99be56bd0fe7102193e1b970011b7b5973b8ae3bdb8a7810d6"),
    ("paris-states", 999, "a60c19a46ec7426ee2718c967c7195b7578a9d20cfbc22d6c99415591d074187"),
    ("logit-gradient", 3, "783b6417d6a395b48dd5d255bda29d52eaf7ebccce5e1f6fa39207ef4f05a122"),
    ("logit-gradient-vector", 11, "43e0889cbe39948e6b87a82167e299364e1474bb6358b385cac34c1b425cc6ca"),
    ("next-step-statements", 5, "f6b8406c680d55d838d10fddaacbe9be1d24c9ec6de686a5572710db31a0b909"),
    ("next-step-new-prob", 77, "ac09e2607c2de5181a647eafe8634904489b155170995f01d38e636a731db2e3"),
    ("french-next-step", 0, "d8c7a15382c8b92293c6593aecc5afae99b98f642d9a70555f710050d820338a"),
    ("label-smoothing", 2, "28341957028132975d7b344bba671c47d195161066b737962b795adddefb7654"),
    ("label-smoothing-optimum", 31, "7746dd1ff5c7912fc2d979f9b1cfcb9e3d62f44ebe3fdd401ad8bbed3d8111b8"),
    ("temperature", 4, "90de0c15fe25481229d8d755745fa834630cadf8ccd77db3cd68d096d3659fd8"),
    ("temperature-order", 8, "72f1a92579326d87d3c3bdce2cad7e2dce81610aaee20bd119c1467331a918e6"),
    ("nucleus", 9, "2e3fd7792e760751e3a955c971e2a13464721b8724162f262df9dd1b965e0580"),
    ("nucleus-set", 500, "2e089c760f3832d56a7c666f4430cd2aafa9be4cfeda47ed1c1ec70c9f59b9b6"),
    ("perplexity", 1, "9871da7bbcbea031f82c36ae40b37b0c6e87f173ab823d52f3842cd7c3c33e4e"),
    ("dpo", 13, "ccae4e580182aeff672694214a069bd45e720bbb5c7386eb0a36fcff9340631f"),
    ("preamble-mle", 21, "d63ab7b3908a417cd4807dcf88e4464780d32f56cdd9d4a091404ac71bb9599a"),
]

# Every family template: the first 16 hex digits of SHA-256 over the content hashes of seeds 0..99, joined.
SEEDS = 100
DIGESTS = {
    "logit-gradient": "efdc3ffde55a4974",
    "logit-gradient-vector": "639705918b9a7b0c",
    "next-step-statements": "dc05f4953ec30f0a",
    "next-step-new-prob": "aaf4140202b717f1",
    "next-step-seed3-statements": "bc27bdd22610d99b",
    "temperature": "0bc0eab45e2047be",
    "temperature-order": "2fe9d08bd976f6cc",
    "greedy-vs-sampling": "627c55135e3431bc",
    "nucleus": "0c80f6a7eb2f6f62",
    "nucleus-set": "a363c67e176763a4",
    "token-loss": "8e9d6af831a6ffab",
    "token-loss-bits": "ca81f883f272655e",
    "token-loss-logits": "4d3c744a3999ccad",
    "sequence-nll": "8a54596502f82782",
    "sequence-nll-free-run-trap": "0f44bde3ec47b8b4",
    "perplexity": "83bceb7607d68a02",
    "perplexity-corpus": "e6e628d16ddc9966",
    "perplexity-uniform": "81b800f216f73af4",
    "label-smoothing": "95270cbb63979a76",
    "label-smoothing-optimum": "880ce7e08d73d4b9",
    "loss-masking": "5bef8636d6230175",
    "exposure-bias": "7bad5a68a7621c57",
    "preamble-mle": "cb88d6aef9cdbefe",
    "preamble-mle-original": "08db3defbe1b21ee",
    "preamble-mle-weighted": "1acc2d5caa7e05cb",
    "bradley-terry": "b0c9f69321c082df",
    "ranking-loss": "652ad2c842f4cca9",
    "kl-rlhf": "d02ab8404600538a",
    "kl-rlhf-order": "65fb125402fd74cf",
    "ppo-clip": "962aa02787afb7d1",
    "dpo": "da7840ca1ca7e750",
    "best-of-n": "59693a3c24a08fa2",
    "paris-states": "a16e1e90392b37a4",
    "paris-states-original": "2bbddd6ab996169f",
    "french-next-step": "d4a9865ac4b4126d",
    "french-next-step-original": "26dfa35c35eea5c1",
    "primary-colors-preamble": "81c5b06a41e26aa9",
    "preamble-fixes": "1ed6185c6bc404f8",
    # added with their families (issue 4: F12 choice twin, F20 worked example, F04 matching)
    "best-of-n-worked": "6fb95e92b6e811d9",
    "logit-gradient-match": "f1f3aac673ed42a0",
    "preamble-explain-choice": "2a2c20c56c1b27e4",
    # added with their families (issue 15: the alignment bank)
    "grpo": "d9602a2bb0425046",
    "kl-estimators": "10a07551fbccfc04",
    "overoptimisation": "c839df2b2cbb78ad",
    "beam-search": "e114f5786e5b2494",
    "dpo-optimum": "60d7e34d59b6b591",
    "dpo-reference": "36273cac7f86ce86",
    "length-bias": "77eba0a211d56cfd",
    "lr-too-high": "548054df8b0e1d8e",
    "ppl-vs-accuracy": "aa7e6ebac216f036",
    "padding-mask": "aa6a840554037be0",
    "grpo-largest-advantage": "52306a177ed3f44f",
    "grpo-statements": "dc2411bdfc95e232",
    "kl-estimators-statements": "55c889ddecd6f3b7",
    "overoptimisation-statements": "04f3dd03f55e6064",
    "beam-search-statements": "f2bc41c758938b4a",
    "dpo-optimum-shift": "ab46460360ca2fae",
    "dpo-reference-push": "832fc293f2f2765f",
    "dpo-reference-statements": "c6b4ae2562f70303",
    "length-bias-statements": "6f771c572471736f",
    "padding-mask-change": "223ff48b64844cbb",
    "lr-too-high-statements": "1ce20307c5f5e811",
    "ppl-vs-accuracy-compare": "a346ca5c012dd071",
    "ppl-vs-accuracy-statements": "2471260cf122e2a6",
}


def _digest(items) -> str:
    return hashlib.sha256("".join(i.content_hash() for i in items).encode()).hexdigest()[:16]


@pytest.mark.parametrize(("pinned_id", "seed", "expected"), PINNED)
def test_an_item_keeps_its_content_hash(pinned_id, seed, expected):
    template = builtin_bank()[pinned_id]
    assert template.instantiate(seed).content_hash() == expected
    assert template.instantiate_many([seed])[0].content_hash() == expected


@pytest.mark.parametrize(("pinned_id", "expected"), sorted(DIGESTS.items()))
def test_a_template_keeps_the_content_hashes_of_its_first_seeds(pinned_id, expected):
    template = builtin_bank()[pinned_id]
    one_by_one = _digest(template.instantiate(s) for s in range(SEEDS))
    assert one_by_one == expected
    assert _digest(template.instantiate_many(range(SEEDS))) == one_by_one


def test_every_family_template_is_pinned():
    assert sorted(t.id for t in builtin_bank() if t.family is not None) == sorted(DIGESTS)
