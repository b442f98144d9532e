"""F12's multiple-choice twin: the key is the mechanism, the distractors are section 3's wrong explanations."""

from __future__ import annotations

from collections import Counter

from qbank.grader import check
from qbank.questions import builtin_bank
from qbank.questions.items import letter
from qbank.questions.misconceptions import describe

from family_testing import variants

WRONG_EXPLANATIONS = {  # CONTENT.md section 3, "Common wrong explanations", in its order
    "M-PRE-RLHF": "RLHF",
    "M-PRE-IGNORED": "bug",
    "M-PRE-LENGTH": "longer answers",
    "M-PRE-MEMORISED": "memorised",
    "M-EB-FIRST-TOKEN": "Exposure bias",
    "M-PRE-TEMPERATURE": "temperature",
    "M-PRE-PRETRAINING": "Pre-training",
    "M-PRE-WRONG-ONLY": "only penalises wrong tokens",
}
SEEDS = 2000


def test_every_variant_keys_the_mechanism_against_four_wrong_explanations():
    for item in variants("preamble-explain-choice", SEEDS):
        assert "Which explanation is most accurate?" in item.stem
        key = item.options[item.key[0]]
        for idea in ("per-token", "one set of parameters", "maximum likelihood", "share of responses"):
            assert idea in key.text.lower(), (item.id, idea)
        wrong = [o for o in item.options if not o.correct]
        assert len(wrong) == 4 and len({o.misconception for o in wrong}) == 4
        for o in wrong:
            assert WRONG_EXPLANATIONS[o.misconception] in o.text, (o.misconception, o.text)
            assert o.feedback and o.feedback != key.feedback


def test_all_eight_wrong_explanations_and_every_preamble_appear_evenly():
    shown = Counter(o.misconception for item in variants("preamble-explain-choice", SEEDS) for o in item.options if not o.correct)
    assert set(shown) == set(WRONG_EXPLANATIONS)
    assert all(abs(c - SEEDS / 2) < 0.1 * SEEDS for c in shown.values()), shown  # each shown in half the variants
    preambles = Counter(p for item in variants("preamble-explain-choice", SEEDS)
                        for p in ("Of course!", "Sure!", "Certainly!", "Great question!") if f"says *{p} " in item.stem)
    assert len(preambles) == 4 and sum(preambles.values()) == SEEDS


def test_the_declared_space_is_four_preambles_times_the_choices_of_four_distractors():
    fam = builtin_bank()["preamble-explain-choice"].get_family()
    assert fam.finite and fam.space == 4 * 70


def test_picking_a_distractor_reports_its_misconception():
    item = builtin_bank()["preamble-explain-choice"].instantiate(3)
    assert check(item, letter(item.key[0])).fraction == 1.0
    pos, option = next((i, o) for i, o in enumerate(item.options) if not o.correct)
    grade = check(item, letter(pos))
    assert grade.fraction == 0.0 and grade.misconception == option.misconception
    assert describe(option.misconception)
    assert option.feedback in " ".join(grade.feedback)
