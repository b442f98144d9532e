"""Content an instructor can trust, checked over the whole bank (issue 18), one test per class of defect:

* feedback agrees with the variant's own key (true/false and choice items);
* the free-running probabilities equal the teacher-forced ones wherever greedy decoding has
  reproduced the gold prefix (one model of the sequence, not two independent draws);
* every numeric tolerance rejects every catalogued distractor;
* no internal label (a seed number, a derivation number, "trap", a parameter value) in the text
  a student sees, and no text that renders wrongly (exponents, thousands separators, "1 tokens");
* a gold next token is a true continuation of its prompt.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from qbank.grader import check
from qbank.grader.tolerance import within
from qbank.questions import builtin_bank
from qbank.questions.families import _common
from qbank.questions.families._common import fmt, tolerance

from family_testing import variants

SEEDS = 300


def _specs(item):
    return item.parts if item.type == "multipart" else (item,)


def test_feedback_agrees_with_the_key(template_id):
    """The keyed answer's feedback opens with "Right"; a wrong answer's feedback never does."""
    for item in variants(template_id, SEEDS):
        for spec in _specs(item):
            if spec.type == "true_false":
                keyed, other = (spec.feedback_true, spec.feedback_false) if spec.answer else (spec.feedback_false, spec.feedback_true)
                assert keyed.startswith("Right"), (item.id, spec.answer, keyed)
                assert other.strip() and not other.startswith("Right"), (item.id, spec.answer, other)
            for o in getattr(spec, "options", ()):
                assert o.feedback.startswith("Right") == o.correct, (item.id, o.correct, o.text, o.feedback)


def test_ppo_clip_feedback_follows_the_variants_own_numbers():
    seen = set()
    for item in variants("ppo-clip", SEEDS):
        part = item.parts[2]
        keyed = part.feedback_true if part.answer else part.feedback_false
        assert fmt(item.data["objective"], 4) in keyed, (item.id, keyed)  # the binding term, as computed
        wrong = part.feedback_false if part.answer else part.feedback_true
        assert wrong.startswith("It is zero." if part.answer else "It is not zero."), (item.id, wrong)
        seen.add(part.answer)
    assert seen == {True, False}


@pytest.mark.parametrize("seq_template", ["sequence-nll", "sequence-nll-free-run-trap"])
def test_free_running_equals_teacher_forced_where_the_prefixes_agree(seq_template):
    shown = 0
    for item in variants(seq_template, SEEDS):
        gold, other, free = (np.array(item.data[k]) for k in ("gold_probs", "other_probs", "free_run_probs"))
        if "own* greedy output" not in item.stem:
            continue
        shown += 1
        assert "(the likelier listed token at each step)" in item.stem
        assert "probabilities " + ", ".join(fmt(v, 2) for v in free) + "." in item.stem
        for t in range(len(gold)):
            if all(gold[s] > other[s] for s in range(t)):  # greedy has produced the gold prefix y_<t
                assert free[t] == gold[t], (item.id, t, gold, other, free)
        assert not np.array_equal(free, gold), item.id  # else the free-running table would show nothing
    assert shown > SEEDS // 3


def test_every_numeric_tolerance_rejects_every_catalogued_distractor(template_id, monkeypatch):
    """Each wrong value a family catalogues for a numeric answer is either the key itself (that
    misconception gives the right answer in this variant) or outside the tolerance the grader applies."""
    calls = []
    real = _common._numeric_distractors

    def recording(key, wrongs, decimals):
        out = real(key, wrongs, decimals)  # a variant it rejects is never shown
        calls.append((key, list(wrongs), decimals))
        return out

    monkeypatch.setattr(_common, "_numeric_distractors", recording)
    template = builtin_bank()[template_id]
    items = template.instantiate_many(range(100))
    for key, wrongs, decimals in calls:
        tol = tolerance(decimals)
        for w in wrongs:
            v = float(w.value)
            if np.isfinite(v) and abs(v - key) > 1e-9 * max(1.0, abs(key)):
                assert not within(tol, v, key), (template_id, w.misconception, v, key, tol)
    for item in items:
        for spec in _specs(item):
            for d in getattr(spec, "distractors", ()) if spec.type == "numeric" else ():
                assert not within(spec.tolerance, d.value, spec.answer), (item.id, d)


def test_label_smoothing_never_accepts_the_other_convention():
    for item in variants("label-smoothing-optimum", SEEDS):
        eps = item.data["params"]["eps"]
        if "minimises the smoothed loss" in item.stem:
            assert check(item, fmt(1 - eps, item.decimals)).fraction == 0.0, item.id  # the eps/(K-1) convention
            assert check(item, fmt(item.answer, item.decimals)).fraction == 1.0


def test_small_probabilities_are_asked_to_enough_decimals():
    for template_id in ("sequence-nll", "best-of-n"):
        for item in variants(template_id, SEEDS):
            if item.type == "numeric" and 0 < item.answer < 0.1 and item.data["params"].get("ask") != "reward":
                allowed = max(item.tolerance.absolute, item.tolerance.relative * item.answer)
                assert allowed <= 0.05 * item.answer + 1e-12, (item.id, item.answer, item.decimals)


INTERNAL = re.compile(
    r"\(seed \d|\bseed \d+ numbers|\(section \d|\(D\d\)|\btrap\b|\(w = \d+\)|\(original numbers\)|\bM-[A-Z][A-Z0-9]*-"
)
BAD_RENDERING = {
    "an exponent of two digits without braces (x^16 sets 1 as the exponent)": re.compile(r"\^\d{2,}"),
    "a bare thousands comma in math (3,111 reads as 3, 111)": re.compile(r"\$[^$]*\d,\d{3}[^$]*\$"),
    "a plural after 1": re.compile(r"\b1 (?:other )?(?:tokens|examples|responses|samples|steps|sequences)\b"),
}


def _student_texts(item):
    yield item.title
    yield item.stem
    yield item.hint or ""
    yield item.explanation
    for spec in _specs(item):
        yield getattr(spec, "prompt", "")
        for o in getattr(spec, "options", ()):
            yield o.text
            yield o.feedback
        for d in getattr(spec, "distractors", ()):
            yield d.feedback
        yield from getattr(spec, "prompts", ())
        yield from getattr(spec, "choices", ())
        yield from getattr(spec, "entries", ())
        if spec.type == "true_false":
            yield spec.feedback_true
            yield spec.feedback_false


def test_student_text_carries_no_internal_labels_and_renders_as_meant(template_id):
    for item in variants(template_id, 100):
        for text in _student_texts(item):
            assert not INTERNAL.search(text), (item.id, INTERNAL.search(text).group(0), text)
            for what, pattern in BAD_RENDERING.items():
                assert not pattern.search(text), (item.id, what, text)


# Which listed tokens truly continue each prompt a family pairs with a drawn gold token.
TRUE_CONTINUATIONS = {
    "The capital of France is": {"Paris", "the", "a"},
    "Write a sentence in French:": {"Je", "J'", "Le", "Mon", "Il"},
    "Translate to French: I love to learn.": {"J'"},
    "What is the capital of France?": {"Paris"},
}
GOLD = re.compile(r"For (?:the prompt )?\*(?P<prompt>[^*]+)\* the (?:gold|correct) (?:next |first )?token is `(?P<gold>[^`]+)`")


def test_the_gold_token_is_a_true_continuation_of_its_prompt(template_id):
    for item in variants(template_id, SEEDS):
        m = GOLD.search(item.stem)
        if m is None:
            continue
        assert m["prompt"] in TRUE_CONTINUATIONS, f"{item.id}: add the true continuations of {m['prompt']!r} to this table"
        assert m["gold"] in TRUE_CONTINUATIONS[m["prompt"]], (item.id, m["prompt"], m["gold"])


def test_entropy_distractor_only_where_the_stem_defines_the_entropy():
    for template_id in ("token-loss", "token-loss-bits"):
        for item in variants(template_id, SEEDS):
            if "(all other tokens)" in item.stem:  # one row standing for many tokens: no entropy to compute
                assert "M-ENTROPY" not in {d.misconception for d in item.distractors}, item.id


def test_sum_of_steps_distractor_picks_the_path_with_the_largest_sum():
    for item in variants("greedy-vs-sampling", SEEDS):
        tree = item.data["tree"]
        largest_sum = max(pf + q for pf, kids in tree.values() for q in kids.values())
        (c,) = [p for p in item.parts if p.label == "c"]
        sums = [d.value for d in c.distractors if d.misconception == "M-SUM-NOT-PROD"]
        assert sums in ([], [pytest.approx(largest_sum)]), (item.id, sums, largest_sum)


def test_a_closing_full_stop_does_not_make_a_short_answer_wrong():
    item = builtin_bank()["define-teacher-forcing"].instantiate(0)
    for answer in ("teacher forcing.", "Teacher forcing!", "teacher forcing"):
        assert check(item, answer).fraction == 1.0, answer
    assert check(item, "exposure bias.").misconception == "M-EB-EQUAL"


def test_the_preamble_items_state_their_premise_and_score_as_their_feedback_says():
    template = builtin_bank()["primary-colors-preamble"]
    assert template.tags.bloom.value == "analyze"
    stem = template.instantiate(0).stem
    assert "27 of the 40 ideal responses start with the token 'Of'" in stem
    for item in variants("preamble-fixes", SEEDS):
        for o in item.options:
            if "Upweight" in o.text:
                assert not o.correct and "small factor" in o.text and o.feedback.startswith("Too small")
