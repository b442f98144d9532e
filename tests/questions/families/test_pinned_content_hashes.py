"""Variants never change: content hashes pinned before the speed work on the families.

A quiz manifest stores each item's content hash and refuses to grade when the regenerated
item differs, so a change in the random stream (a draw added, reordered or made with another
numpy call) or in the formatting of any variant must fail here, on the one-by-one path
(``instantiate``) and on the batch path (``instantiate_many``) alike.

The hashes were computed on the code of commit e26e06b. If a family is changed on purpose,
its template's version must be raised (new ids, new hashes), not these values edited.
"""

from __future__ import annotations

import hashlib

import pytest

from qbank.questions import builtin_bank

# (template, seed, SHA-256 of the item's canonical JSON)
PINNED = [
    ("token-loss", 0, "b5a469163ddb93eed0263cec75311a6861b4c7a61e8e419128503f9469f8758f"),
    ("token-loss", 42, "5a3944ec781139db42f739bc9d70c275fac68e0ef39b460cd253ed15d082a302"),
    ("token-loss-logits", 7, "9d82d2fbbfba56cd1112ee9c73141b089ccb9b8506b224c28a130d3bcdb2bfa7"),
    ("token-loss-bits", 123456, "4fcbeb770d446ab2989d7a00a7a8275d8293867e00110827016f73eda6bf5d7d"),
    ("paris-states", 0, "ca8d5921e5f2d79fdc7f63594dc3c3789bdd2dc5d33a3f15e4e8155f9763d1f1"),
    ("paris-states", 999, "faf11e4bbb8b81fa3939bbcc179a814acccad3b6f65fb7d06f44c530392aa304"),
    ("logit-gradient", 3, "d80934489c98c9cc8a5de497a921c2cefd274fe22522a99378b19d86ca16d0f0"),
    ("logit-gradient-vector", 11, "867a0566384736a63820e9e1dd09d3fc6b61482aa75a3c7520bc0930b25b8190"),
    ("next-step-statements", 5, "96731c85b7e38877b77e255b1e3fae4a94d25d1c8cd1484d5e707b6d990fea01"),
    ("next-step-new-prob", 77, "e5b1345163883288324880e5e217372cc8fd258f4435feb6586c81c99e8d40da"),
    ("french-next-step", 0, "ac1f646e4006655953390bad5546b1daf0359d7ec4aaff5dd628fa3c1e1916e8"),
    ("label-smoothing", 2, "557f226d245cd3a037a33035d09581f073a576d260545b26c375ea77ef616857"),
    ("label-smoothing-optimum", 31, "ddcfd2d84b67dff5e8a08cc6917d280645576d7b91146beaa6aedbc5bc466bb8"),
    ("temperature", 4, "a9505095d8b1dd46fa89fc21ec34494fde338078c45c9511651de99e18cc8c3a"),
    ("temperature-order", 8, "72f1a92579326d87d3c3bdce2cad7e2dce81610aaee20bd119c1467331a918e6"),
    ("nucleus", 9, "608dd81b485e15ba5637b8f088fdaa6b78e118e6b7354bd42e76abe6bbc43bb4"),
    ("nucleus-set", 500, "2e089c760f3832d56a7c666f4430cd2aafa9be4cfeda47ed1c1ec70c9f59b9b6"),
    ("perplexity", 1, "b70ced114140b4d8022e560e88a3a90ca115d17457d5e9f924ccd399b5f2da49"),
    ("dpo", 13, "b520e0dd6f6d07a18367ca51553eb33392107f564bdae4cc639ff94b7e9a452d"),
    ("preamble-mle", 21, "e9f6d3df2d600d21b720e37c37676196ad461cde1898c687e5176a60cf676b6c"),
]

# Every family template: the first 16 hex digits of SHA-256 over the content hashes of seeds 0..99, joined.
SEEDS = 100
DIGESTS = {
    "logit-gradient": "b39d2b5b0bdba580",
    "logit-gradient-vector": "7025c280e313b6c3",
    "next-step-statements": "4cacd24c224df90e",
    "next-step-new-prob": "cd47d0a6eaa22c24",
    "next-step-seed3-statements": "d87a6072211fca7e",
    "temperature": "6d5f49da526880fc",
    "temperature-order": "2fe9d08bd976f6cc",
    "greedy-vs-sampling": "ea4bd51f4f986023",
    "nucleus": "32b3e84a454f2991",
    "nucleus-set": "a363c67e176763a4",
    "token-loss": "f3fc20f06f6af22b",
    "token-loss-bits": "25f8259e487868d3",
    "token-loss-logits": "c8def0147ec9f406",
    "sequence-nll": "f3afeb395d4ffb02",
    "sequence-nll-free-run-trap": "2c9731583d03b235",
    "perplexity": "eed326bca10f7e19",
    "perplexity-corpus": "e24097f9943fcf23",
    "perplexity-uniform": "81b800f216f73af4",
    "label-smoothing": "fd5c43b771c1a5dd",
    "label-smoothing-optimum": "9627cb150363a1ad",
    "loss-masking": "0edb3703701c2136",
    "exposure-bias": "7bad5a68a7621c57",
    "preamble-mle": "506ef915eb6acac9",
    "preamble-mle-original": "fd0decb37c99aa55",
    "preamble-mle-weighted": "703d2a2482842cce",
    "bradley-terry": "d93df409da4ede37",
    "ranking-loss": "b65bbd3e3cf6e631",
    "kl-rlhf": "59d1dc97fab0b776",
    "kl-rlhf-order": "65fb125402fd74cf",
    "ppo-clip": "e4d8d25c2e2da04a",
    "dpo": "f3de814ae76c0c80",
    "best-of-n": "b81292fbd817212e",
    "paris-states": "7890e0497ab86043",
    "paris-states-original": "b48b59d122c1a88b",
    "french-next-step": "e121107968ab4d64",
    "french-next-step-original": "8f9d4e2efafa2826",
    "primary-colors-preamble": "ff40ef980322a601",
    "preamble-fixes": "f80fa1e2bb7b32b5",
    # added with their families (issue 4: F12 choice twin, F20 worked example, F04 matching)
    "best-of-n-worked": "1846d37f775a0323",
    "logit-gradient-match": "39ac287b74c15187",
    "preamble-explain-choice": "f0d028e4faf908fe",
    # added with their families (issue 15: the alignment bank)
    "grpo": "dcd2a258c9359251",
    "kl-estimators": "10a07551fbccfc04",
    "overoptimisation": "60dc6fadffc78c3e",
    "beam-search": "e114f5786e5b2494",
    "dpo-optimum": "d9646d638be643a9",
    "dpo-reference": "36273cac7f86ce86",
    "length-bias": "77eba0a211d56cfd",
    "lr-too-high": "b3653a321fd3a0d4",
    "ppl-vs-accuracy": "5c04f868c33f906b",
    "padding-mask": "67644fefb04974a9",
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
    assert _digest(template.instantiate(s) for s in range(SEEDS)) == expected
    assert _digest(template.instantiate_many(range(SEEDS))) == expected


def test_every_family_template_is_pinned():
    assert sorted(t.id for t in builtin_bank() if t.family is not None) == sorted(DIGESTS)
