"""The practice loop, driven with scripted lines and a console writing to a string."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from rich.console import Console

from qbank.student.progress import ProgressStore
from qbank.student.session import Session, practice


def script(lines: Iterable[str | BaseException]) -> Callable[[str], str]:
    """A read() that returns the lines in turn, raises any exception among them, then EOFError."""
    pending = list(lines)

    def read(prompt: str) -> str:
        if not pending:
            raise EOFError
        line = pending.pop(0)
        if isinstance(line, BaseException):
            raise line
        return line

    return read


def run(items, lines, store=None) -> tuple[object, str]:
    out = io.StringIO()
    session = Session(items, total=len(items), read=script(lines), console=Console(file=out, width=120),
                      record=store.record if store else None)
    summary = session.run()
    return summary, out.getvalue()


@pytest.fixture
def capital(bank):
    return bank["geo-capital"].instantiate(1)


@pytest.fixture
def half(bank):
    return bank["half-number"].instantiate(1)


def test_right_answer_says_correct_and_explains_with_the_numbers(capital) -> None:
    summary, shown = run([capital], ["B"])
    assert "✓ Correct." in shown
    assert "Explanation: Paris has been the capital since 987; with p = 0.5 the loss is −ln 0.5 = 0.6931." in shown
    assert summary.ended == "finished" and summary.correct == 1
    assert "Score: 1 / 1 point; 1 of 1 answered correctly." in shown


def test_wrong_choice_shows_the_misconception_feedback_and_the_answer(capital) -> None:
    summary, shown = run([capital], ["a"])
    assert "✗ Not correct." in shown
    assert "Lyon is the third-largest city, not the capital." in shown
    assert "Misconception M-SIGN" in shown
    assert "Answer: B" in shown
    assert "Explanation: Paris has been the capital" in shown
    assert "Topics to review: geography" in shown
    assert "Revisit with `qbank show ITEM --key`: geo-capital-v1-s1" in shown


def test_garbage_is_a_format_error_asked_again_and_not_counted(half) -> None:
    summary, shown = run([half], ["zero point five", "", "1/2"])
    assert "Cannot read that answer:" in shown
    assert "✓ Correct." in shown
    assert [r.outcome for r in summary.results] == ["correct"]


def test_numeric_distractor_names_its_misconception(half) -> None:
    _, shown = run([half], ["2"])
    assert "That is the reciprocal." in shown and "Misconception M-SIGN" in shown
    assert "Answer: 0.5" in shown


def test_question_mark_shows_the_hint_or_says_there_is_none(capital, half) -> None:
    _, shown = run([capital, half], ["?", "B", "?", "0.5"])
    assert "Hint:" in shown and "Think of the Eiffel Tower." in shown
    assert "No hint for this item." in shown


def test_skip_moves_on_and_is_not_scored(capital, half) -> None:
    summary, shown = run([capital, half], ["s", "0.5"])
    assert "Skipped." in shown
    assert [r.outcome for r in summary.results] == ["skipped", "correct"]
    assert "Score: 1 / 1 point; 1 of 1 answered correctly, 1 skipped." in shown


def test_q_quits_with_a_summary(capital, half) -> None:
    summary, shown = run([capital, half], ["A", "q"])
    assert summary.ended == "quit"
    assert "Session ended" in shown and "Score: 0 / 1 point; 0 of 1 answered correctly." in shown
    assert "2/2" in shown  # the second item was shown before q


def test_end_of_input_ends_cleanly_with_the_summary(capital, half) -> None:
    summary, shown = run([capital, half], ["B"])
    assert summary.ended == "end of input"
    assert "End of input" in shown and "Score: 1 / 1 point" in shown


def test_ctrl_c_ends_cleanly_and_keeps_what_was_answered(tmp_path: Path, capital, half) -> None:
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    summary, shown = run([capital, half, capital], ["A", KeyboardInterrupt()], store)
    assert summary.ended == "interrupted"
    assert "Interrupted" in shown and "Score: 0 / 1 point" in shown
    store.close()
    with ProgressStore.open(tmp_path / "p.sqlite3") as again:
        rows = [(a.item_id, a.outcome, a.response, a.misconception) for a in again.attempts()]
    assert rows == [("geo-capital-v1-s1", "wrong", "A", "M-SIGN")]


def test_nothing_answered_says_so(capital) -> None:
    summary, shown = run([capital], [])
    assert summary.results == [] and "No items answered." in shown


def test_an_essay_is_read_until_an_empty_line_and_shows_the_sample_answer() -> None:
    from qbank.questions import builtin_bank

    item = builtin_bank()["primary-colors-preamble"].instantiate(0)
    summary, shown = run([item], ["The loss is a sum of per-token terms over the dataset,", "so the first token is", ""])
    assert "A full-credit answer:" in shown
    assert summary.results[0].outcome in ("wrong", "correct")
    assert summary.results[0].max_score == item.points


def test_practice_plans_from_history_and_records_each_answer(bank, tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        out = io.StringIO()
        practice(bank, read=script(["B", "b"]), console=Console(file=out, width=120), store=store,
                 topics=("geography",), n=2, seed=3)
        attempts = store.attempts()
    assert [(a.template, a.outcome) for a in attempts] == [("geo-capital", "correct")] * 2
    assert len({a.seed for a in attempts}) == 2  # two fresh variants
    assert len({a.session for a in attempts}) == 1


def test_practice_with_no_matching_template_is_an_input_error(bank) -> None:
    from qbank.errors import InputError

    with pytest.raises(InputError, match="no template in the bank matches topic nothing"):
        practice(bank, read=script([]), console=Console(file=io.StringIO()), topics=("nothing",))


def test_partial_credit_is_shown_to_two_decimals(bank) -> None:
    item = bank["which-losses"].instantiate(0)
    # two of the three options decided right: 2/3 of a point
    first_correct = next(i for i, o in enumerate(item.options) if o.correct)
    _, shown = run([item], ["ABC"[first_correct]])
    assert "Partly correct: 0.67 of 1 point." in shown
    assert "0.666" not in shown


def test_a_stem_that_says_select_all_is_not_told_twice(bank) -> None:
    _, shown = run([bank["which-losses"].instantiate(0)], ["q"])
    assert shown.casefold().count("select all that apply") == 1


def test_an_item_without_a_hint_of_its_own_gets_its_topics(bank) -> None:
    from qbank.questions.hints import TOPIC_HINTS

    _, shown = run([bank["which-losses"].instantiate(0)], ["?", "q"])
    assert "Hint:" in shown and "only the gold" in shown
    assert "No hint" not in shown
    assert "only the gold" in TOPIC_HINTS["cross-entropy"]


def test_a_second_ctrl_c_while_the_summary_prints_does_not_cut_it_short(capital) -> None:
    import os
    import signal

    class Impatient(io.StringIO):
        """A terminal where the student presses Ctrl-C again as soon as the summary starts."""

        def write(self, text: str) -> int:
            if "Interrupted" in text:
                os.kill(os.getpid(), signal.SIGINT)
            return super().write(text)

    out = Impatient()
    session = Session([capital, capital], total=2, read=script(["B", KeyboardInterrupt()]),
                      console=Console(file=out, width=120))
    # Python's own Ctrl-C handler, as on a terminal, even when the suite runs in the background
    # (which starts it with SIGINT ignored and would make the second Ctrl-C a no-op).
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        summary = session.run()
        after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert summary.ended == "interrupted"
    assert "Score: 1 / 1 point; 1 of 1 answered correctly." in out.getvalue()
    assert after is signal.default_int_handler


def test_an_essay_grade_shows_each_criterion_with_the_sentence_that_earned_it() -> None:
    from qbank.questions import builtin_bank

    item = builtin_bank()["primary-colors-preamble"].instantiate(0)
    _, shown = run([item], ["Every token is its own term in the loss, so the first token is a separate prediction.", ""])
    assert "✓ C1 Token-level decomposition: “Every token is its own term in the loss”" in shown
    assert "✗ C2 Shared parameters aggregate the dataset: no sentence earned it" in shown
