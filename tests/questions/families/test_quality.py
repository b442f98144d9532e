"""The quality bar every template of the built-in bank meets, checked over many seeds.

Wrong answers name a catalogued misconception and explain themselves; options are distinct
as displayed and exactly the keyed ones are correct; the key's position is uniform; variants
really differ; numeric stems state their decimals and tolerance and the explanation shows
the key; every item passes its own answer self-test.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from qbank.questions import builtin_bank
from qbank.questions.families._common import fmt
from qbank.questions.misconceptions import is_known
from qbank.questions.quality import MIN_SETS, choice_sets, distinct, lint_items
from qbank.questions.selftest import self_test

from family_testing import variants
from family_testing import first_per_family as _first_templates

QUALITY_SEEDS = 300
DISTINCT_SEEDS = 1000
CHI_SEEDS = 2000
CHI_P = 0.001
FINITE_SEEDS_PER_VARIANT = 20


def _specs(item):
    return item.parts if item.type == "multipart" else (item,)


def _chi_square_p(counts: list[int]) -> float:
    """Upper tail of the chi-square statistic of ``counts`` against a uniform spread."""
    n, k = sum(counts), len(counts)
    stat = sum((c - n / k) ** 2 / (n / k) for c in counts)
    return _gamma_q((k - 1) / 2, stat / 2)


def _gamma_q(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) by its series / continued fraction."""
    if x <= 0:
        return 1.0
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(500):
            ap += 1
            term *= x / ap
            total += term
        return 1.0 - total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    b, c, d = x + 1 - a, 1e300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2
        d = 1 / (an * d + b)
        c = b + an / c
        h *= d * c
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def test_chi_square_detects_a_biased_key_position():
    assert _chi_square_p([500, 500, 500, 500]) > 0.99
    assert _chi_square_p([470, 470, 600, 460]) < CHI_P  # "C more often" must fail the test
    assert _chi_square_p([0, 0, 2000, 0]) < CHI_P  # "always C"
    assert abs(_chi_square_p([520, 480, 510, 490]) - 0.5724) < 1e-3  # chi2 = 2.0, df = 3


def test_the_bank_covers_the_required_breadth():
    from qbank.questions.families import all_families

    fams = all_families()
    assert len(fams) >= 18
    types = {t for f in fams for t in f.item_types}
    assert {"single_choice", "multiple_response", "numeric", "multipart", "ordering", "open_response"} <= types
    blooms = {b.value for f in fams for b in f.bloom}
    assert {"remember", "understand", "apply", "analyze", "evaluate"} <= blooms
    used = {t.family for t in builtin_bank()}
    assert {f.name for f in fams} <= used, "every family has a template in the built-in bank"


def test_every_item_meets_the_quality_bar(template_id):
    for item in variants(template_id, QUALITY_SEEDS):
        assert item.explanation.strip(), item.id
        for spec in _specs(item):
            if spec.type in ("single_choice", "multiple_response"):
                shown = [" ".join(o.text.split()) for o in spec.options]
                assert len(set(shown)) == len(shown), item.id
                assert spec.key and all(spec.options[i].correct for i in spec.key)
                for o in spec.options:
                    assert o.feedback.strip(), (item.id, o.text)
                    if not o.correct:
                        assert o.misconception and is_known(o.misconception), (item.id, o.text, o.misconception)
                if spec.type == "single_choice":
                    assert len(spec.key) == 1
            if spec.type == "numeric":
                shown = {fmt(spec.answer, spec.decimals)}
                for d in spec.distractors:
                    assert is_known(d.misconception), (item.id, d.misconception)
                    assert d.feedback.strip(), item.id
                    assert fmt(d.value, spec.decimals) not in shown, (item.id, d)
                    shown.add(fmt(d.value, spec.decimals))
                assert spec.decimals is not None
            if spec.type == "true_false" and spec.misconception is not None:
                assert is_known(spec.misconception)
            if spec.type == "matching" and "params" in item.data:
                # a family's left-over choices are distractors, each naming its misconception
                unused = {j for j in range(len(spec.choices)) if j not in spec.answer}
                assert {d.choice for d in spec.distractors} == unused, (item.id, spec.distractors, sorted(unused))
                for d in spec.distractors:
                    assert is_known(d.misconception) and d.feedback.strip(), (item.id, d)
        if item.type == "numeric":
            assert f"{item.decimals} decimals" in item.stem and "±" in item.stem, item.id
            assert fmt(item.answer, item.decimals) in item.explanation, (item.id, item.explanation)
        assert self_test(item), item.id


# Templates whose family's first template does not show the choice form they use.
EXTRA_CHOICE_TEMPLATES = ("next-step-statements", "french-next-step", "nucleus-set")
CHOICE_TYPES = {"single_choice", "multiple_response", "multipart"}


def _keyed_positions(items) -> dict[tuple[str, str, int], Counter]:
    """Positions of keyed options, per (choice type, part label, option count)."""
    groups: dict[tuple[str, str, int], Counter] = {}
    for item in items:
        for spec in _specs(item):
            if spec.type in ("single_choice", "multiple_response"):
                counts = groups.setdefault((spec.type, getattr(spec, "label", ""), len(spec.options)), Counter())
                counts.update(spec.key)
    return groups


@pytest.mark.parametrize("choice_template", list(dict.fromkeys([*_first_templates(), *EXTRA_CHOICE_TEMPLATES])))
def test_key_position_is_uniform(choice_template):
    """Single choice: the key's position; multiple response and choice parts: every keyed option's position."""
    template = builtin_bank()[choice_template]
    fam = template.get_family()
    if fam is None or not CHOICE_TYPES & set(fam.item_types):
        pytest.skip("no choice items")
    groups = _keyed_positions(variants(choice_template, CHI_SEEDS))
    tested = 0
    for (kind, label, n), counts in groups.items():
        if sum(counts.values()) < 20 * n:
            continue  # too few draws of this shape for the test to mean anything
        observed = [counts[i] for i in range(n)]
        assert _chi_square_p(observed) > CHI_P, (choice_template, kind, label, observed)
        tested += 1
    if not tested:
        pytest.skip("no choice items among the variants")


def _fingerprint(item) -> str:
    parts = [item.stem, *(getattr(p, "prompt", "") for p in _specs(item))]
    for spec in _specs(item):
        parts += sorted(o.text for o in getattr(spec, "options", ()))
        parts += [*getattr(spec, "prompts", ()), *sorted(getattr(spec, "choices", ()))]
    return "\n".join(parts)


def test_variants_are_really_different(family_template):
    template_id = family_template
    template = builtin_bank()[template_id]
    fam = template.get_family()
    if fam is None:
        pytest.skip("static item")
    if fam.finite:
        # A finite family must reach every one of its declared variants: 20 seeds per variant
        # on average leaves a variant drawn with half the average chance unseen with odds ~1e-4.
        assert fam.space, f"{fam.name} is finite but declares no space"
        if template.params:
            pytest.skip("the declared space is that of the family's default parameters")
        n = FINITE_SEEDS_PER_VARIANT * fam.space
        items = template.instantiate_many(range(n))
        distinct = len({_fingerprint(i) for i in items})
        assert distinct == fam.space, f"{template_id}: {distinct} of the {fam.space} variants seen in {n} seeds"
        return
    items = variants(template_id, DISTINCT_SEEDS)
    distinct = len({_fingerprint(i) for i in items})
    if all(spec.dist == "fixed" for spec in template.specs().values()):
        return
    assert distinct >= 0.9 * DISTINCT_SEEDS, f"{template_id}: only {distinct} distinct variants in {DISTINCT_SEEDS}"


def test_no_test_wiseness_cue_beats_chance(template_id):
    """Longest, most specific, stem overlap, middle value, all/none, grammar, odd form: none of them
    finds the key more often than a blind pick plus the binomial margin (see qbank.questions.quality)."""
    template = builtin_bank()[template_id]
    if template.family is None:
        pytest.skip("static items are pooled: test_no_cue_beats_chance_over_the_static_and_fixed_items")
    report = lint_items({template_id: variants(template_id, QUALITY_SEEDS)})
    assert not report.leaks, report.table(only_leaks=True)


def test_no_cue_beats_chance_over_the_static_and_fixed_items():
    """Static items and fixed-parameter templates are a few questions each: pooled, as qbank lint pools them."""
    pooled = [t.instantiate(0) for t in builtin_bank() if t.family is None]
    for t in builtin_bank():
        if t.family is not None:
            items = variants(t.id, QUALITY_SEEDS)
            if 0 < len(distinct(cs for i in items for cs in choice_sets(i))) < MIN_SETS:
                pooled += items
    report = lint_items({"pooled": pooled})
    assert not report.leaks, report.table(only_leaks=True)
