"""``instantiate_many`` gives exactly the items ``instantiate`` gives seed by seed, and both
give exactly what full validation of every model gives.

Checked for every template of the built-in bank (the generic batch path and its
fast item construction) and over more seeds for the families with a ``build_many``
(their engine work is shared across the batch, so rounding or ordering slips would show).
"""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank

from family_testing import variants

SEEDS = 200
BATCH_FAMILY_SEEDS = 1000


def _same(a, b) -> bool:
    return (
        type(a) is type(b) and a == b and a.model_dump(mode="json") == b.model_dump(mode="json")
        and a.model_dump() == b.model_dump() and a.content_hash() == b.content_hash()
        and _fields_set(a) == _fields_set(b)
    )


def _fields_set(model) -> list:
    """The fields set on a model and on every model inside it (what validation records)."""
    from pydantic import BaseModel

    out: list = [type(model).__name__, sorted(model.model_fields_set), list(model.__dict__)]
    for value in model.__dict__.values():
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, BaseModel):
                out.append(_fields_set(v))
    return out


def test_the_batch_path_gives_the_items_of_the_one_by_one_path(template_id):
    template = builtin_bank()[template_id]
    fam = template.get_family()
    n = BATCH_FAMILY_SEEDS if fam is not None and fam.build_many is not None else SEEDS
    one_by_one = [template.instantiate(s) for s in range(n)]
    batch = variants(template_id, n)
    assert all(_same(a, b) for a, b in zip(one_by_one, batch, strict=True))


def test_a_batch_may_start_anywhere_and_repeat_seeds():
    template = builtin_bank()["token-loss"]
    seeds = [17, 3, 17, 900_001]
    assert [i.id for i in template.instantiate_many(seeds)] == [f"token-loss-v2-s{s}" for s in seeds]
    assert all(_same(template.instantiate(s), i) for s, i in zip(seeds, template.instantiate_many(seeds)))


def test_a_negative_seed_in_a_batch_is_refused():
    from qbank.errors import InputError

    with pytest.raises(InputError, match="seed must be a non-negative integer, got -1"):
        builtin_bank()["token-loss"].instantiate_many([0, -1])


BATCH_FAMILIES = ["token-loss", "compare-states", "logit-gradient", "next-step", "label-smoothing", "temperature", "nucleus"]


@pytest.mark.parametrize("name", BATCH_FAMILIES)
def test_the_token_distribution_families_have_a_batch_path(name):
    from qbank.questions.families import get_family

    assert get_family(name).build_many is not None


@pytest.mark.parametrize("name", BATCH_FAMILIES)
def test_a_batch_builder_reports_each_seeds_rejection_as_the_one_seed_build_raises_it(name):
    """Seeds whose build rejects (ties on the top-p boundary, the gold token as argmax, ...)
    come back as Reject values in place, and the others are unaffected by them."""
    from qbank.questions.params import Reject
    from qbank.questions.template import rngs_for

    template = next(t for t in builtin_bank() if t.family == name)
    fam = template.get_family()
    params = []
    for rng in rngs_for(template.id, template.version, range(300)):
        while True:
            try:
                params.append(template._params(fam, template.specs(), rng))
                break
            except Reject:
                continue
    batch = fam.build_many(params, rngs_for("probe", 1, range(300)))
    for p, rng, out in zip(params, rngs_for("probe", 1, range(300)), batch):
        try:
            expected = fam.build(p, rng)
        except Reject as r:
            assert isinstance(out, Reject) and out.reason == r.reason
        else:
            assert not isinstance(out, Reject) and out == expected


def test_the_fast_paths_build_what_full_validation_builds(template_id, monkeypatch):
    """Items, their content and the drawn distributions are assembled without validating again
    what the builders have checked (``trusted``); with ``VALIDATE`` set every one of them goes
    through pydantic validation, and the items must come out the same, to the fields set."""
    from qbank.questions import _model

    template = builtin_bank()[template_id]
    fam = template.get_family()
    n = BATCH_FAMILY_SEEDS if fam is not None and fam.build_many is not None else SEEDS
    fast = variants(template_id, n)
    monkeypatch.setattr(_model, "VALIDATE", True)
    validated = [template.instantiate(s) for s in range(n)]
    assert all(_same(a, b) for a, b in zip(fast, validated, strict=True))
    assert all(_same(a, b) for a, b in zip(template.instantiate_many(range(n)), validated, strict=True))
