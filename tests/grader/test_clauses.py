"""Cutting answers into clauses: sentences, contrast words, bullets, lists of terms, negation scope."""

from __future__ import annotations

import pytest

from qbank.grader.clauses import clauses, is_negated, states_something


def texts(answer: str) -> list[str]:
    return [c.text for c in clauses(answer, 10_000)[0]]


def test_sentences_and_contrast_words_split_but_relations_stay_whole() -> None:
    got = texts("It is not RLHF; it is the data. The loss is a sum over tokens, so the first token is separate.")
    assert got == ["It is not RLHF", "it is the data.", "The loss is a sum over tokens", "so the first token is separate."]


def test_markdown_bullets_and_emphasis_become_one_statement_each() -> None:
    got = texts("**Why**\n\n- The **same weights** serve every prompt.\n- The loss is *per token*.")
    assert got == ["Why", "The same weights serve every prompt.", "The loss is per token."]


@pytest.mark.parametrize("answer", [
    "per-token loss, shared parameters, MLE, frequency, greedy decoding",
    "The key words are token-by-token loss, shared parameters, MLE, frequency and greedy decoding",
])
def test_a_list_of_terms_states_nothing(answer: str) -> None:
    units = clauses(answer, 10_000)[0]
    assert len(units) >= 4 and not any(u.statement for u in units)


@pytest.mark.parametrize("fragment, stated", [
    ("the weights are shared", True),
    ("shared weights", False),
    ("the gradients added up over examples", True),
    ("it looks at the question", True),
    ("per-token cross-entropy", False),
])
def test_a_statement_has_a_predicate(fragment: str, stated: bool) -> None:
    assert states_something(fragment) is stated


@pytest.mark.parametrize("clause, word, negated", [
    ("the weights are not shared", "shared", True),
    ("it cannot treat the prompt alone because the weights are shared", "weights", False),
    ("not because of exposure bias", "exposure", True),
    ("it is not only the data", "data", False),
    ("nothing is not shared", "shared", False),
])
def test_negation_scope(clause: str, word: str, negated: bool) -> None:
    at = clause.index(word)
    assert is_negated(clause, at, at + len(word)) is negated


def test_a_long_answer_is_read_up_to_the_limit_and_says_so() -> None:
    units, cut = clauses("The loss is per token. " * 1000, 2_000)
    assert cut and sum(len(u.text) for u in units) <= 2_000


def test_misspelt_words_are_mended_to_the_rubric_vocabulary_and_names_are_left_alone() -> None:
    from qbank.grader.spelling import mend
    from qbank.questions.families._rubrics import PREAMBLE_RUBRIC

    got = mend(PREAMBLE_RUBRIC, "The loss is sumed over evry tokn, so the frist token is a seperate predicton. "
                                "The modle serves Paris; it was probably dropped.")
    assert got == ("The loss is summed over every token, so the first token is a separate prediction. "
                   "The model serves Paris; it was probably dropped.")


def test_a_typo_ridden_complete_answer_still_earns_its_criteria() -> None:
    from qbank.grader import score_rubric
    from qbank.questions.families._rubrics import PREAMBLE_RUBRIC

    answer = ("Teh loss is computd for evry tokn seperately, so the frist token is its own predicton. The same weigths "
              "are used for al promts, so the many exampels add up and outweigh the one Red.")
    met = {c.id for c in score_rubric(PREAMBLE_RUBRIC, answer).criteria if c.met}
    assert {"C1", "C2"} <= met
