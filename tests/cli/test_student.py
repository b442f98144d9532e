"""qbank practice, check and progress, as a student runs them."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli

BANK = str(Path(__file__).parents[1] / "student" / "practice_bank.yaml")
ONLY = ["--bank", BANK, "--no-builtin"]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich wraps at the terminal width; keep sentences on one line (tests/conftest.py isolates HOME)."""
    monkeypatch.setenv("COLUMNS", "200")


def invoke(args: list[str], input: str | None = None):
    return CliRunner().invoke(cli, args, input=input, catch_exceptions=False)


def rows(db: Path) -> list[tuple]:
    return sqlite3.connect(db).execute("SELECT template, outcome, response FROM attempts ORDER BY id").fetchall()


# -- practice -------------------------------------------------------------------------------------


def test_practice_scripted_with_garbage_hint_skip_and_quit(tmp_path: Path) -> None:
    result = invoke(["practice", "--topic", "geography", "--n", "3", "--seed", "1", *ONLY],
                    input="?\nParis please\nA\ns\nq\n")
    assert result.exit_code == 0
    out = result.output
    assert "Think of the Eiffel Tower." in out
    assert "Cannot read that answer:" in out
    assert "✗ Not correct." in out and "Lyon is the third-largest city, not the capital." in out
    assert "Explanation: Paris has been the capital since 987; with p = 0.5 the loss is −ln 0.5 = 0.6931." in out
    assert "Skipped." in out and "3/3" in out
    assert "Session ended" in out
    assert "Score: 0 / 1 point; 0 of 1 answered correctly, 1 skipped." in out
    assert "Topics to review: geography" in out
    assert rows(tmp_path / "progress.sqlite3") == [("geo-capital", "wrong", "A"), ("geo-capital", "skipped", "s")]


def test_practice_ends_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = invoke(["practice", "--n", "5", "--seed", "2", *ONLY], input="")
    assert result.exit_code == 0
    assert "End of input" in result.output and "No items answered." in result.output
    assert "Traceback" not in result.output


def test_practice_ctrl_c_keeps_answers_and_prints_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["B"])

    def read(prompt: str = "") -> str:
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr("builtins.input", read)
    result = invoke(["practice", "--topic", "geography", "--n", "3", "--seed", "4", *ONLY])
    assert result.exit_code == 0
    assert "Interrupted" in result.output and "Score: 1 / 1 point; 1 of 1 answered correctly." in result.output
    assert rows(tmp_path / "progress.sqlite3") == [("geo-capital", "correct", "B")]


def test_practice_db_option_beats_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.sqlite3"
    invoke(["practice", "--topic", "arithmetic", "--n", "1", "--seed", "1", "--db", str(db), *ONLY], input="0.5\n")
    assert rows(db) == [("half-number", "correct", "0.5")]
    assert not (tmp_path / "progress.sqlite3").exists()


def test_practice_same_seed_same_items(tmp_path: Path) -> None:
    runs = [invoke(["practice", "--n", "4", "--seed", "9", "--db", str(tmp_path / f"{i}.db"), *ONLY], input="q\n").output
            for i in range(2)]
    assert runs[0] == runs[1]


def test_practice_unknown_topic_is_exit_2() -> None:
    result = CliRunner().invoke(cli, ["practice", "--topic", "astrology", *ONLY])
    assert result.exit_code == 2
    assert "Error: no template in the bank matches topic astrology; no topic 'astrology' in the bank" in result.output


def test_practice_real_sigint_in_a_terminal_process(tmp_path: Path) -> None:
    """A real process on a pseudo-terminal: answer one item, then Ctrl-C (SIGINT)."""
    import pty
    import select

    env = {**os.environ, "QBANK_DB": str(tmp_path / "pty.sqlite3"), "HOME": str(tmp_path), "COLUMNS": "100"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: run qbank on the terminal
        try:
            # A terminal delivers Ctrl-C; a suite started in the background inherits SIGINT
            # ignored, and exec would pass that on, so give the child a terminal's default.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execve(sys.executable, [sys.executable, "-m", "qbank", "practice", "--topic", "geography", "--n", "3",
                                       "--seed", "5", *ONLY], env)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + 60

    def read_until(marker: bytes, start: int = 0) -> int:
        """Read until ``marker`` appears at or after ``start``; return where it ends. Never blocks past the deadline."""
        nonlocal output
        while output.find(marker, start) < 0:
            if time.monotonic() > deadline:
                pytest.fail(f"no {marker!r} from qbank practice on the terminal; it printed:\n{output.decode(errors='replace')}")
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 4096)
                except OSError:  # the child has exited and closed the terminal
                    pytest.fail(f"qbank exited before printing {marker!r}:\n{output.decode(errors='replace')}")
        return output.find(marker, start) + len(marker)

    try:
        at = read_until(b"> ")
        os.write(fd, b"B\r")
        at = read_until(b"2/3", at)
        at = read_until(b"> ", at)  # the second item waits for its answer
        # A signal that lands between the prompt being written and the read starting is only
        # seen at the next key press, so press Ctrl-C as a person would: after a moment, and
        # again if nothing happened.
        while b"Interrupted" not in output[at:]:
            time.sleep(0.3)
            os.kill(pid, signal.SIGINT)
            end = time.monotonic() + 5  # a loaded machine may take a while to show it
            while b"Interrupted" not in output[at:] and time.monotonic() < end:
                if select.select([fd], [], [], 0.2)[0]:
                    output += os.read(fd, 4096)
            if time.monotonic() > deadline:
                pytest.fail(f"Ctrl-C did not end the session:\n{output.decode(errors='replace')}")
        read_until(b"correctly", at)
    finally:
        # Reap the child, reading what it still prints so that it never blocks on a full
        # terminal; a child still running at the deadline is killed (and the test fails).
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline + 30:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                break
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    output += os.read(fd, 4096)
                except OSError:
                    pass
        os.close(fd)
    text = output.decode("utf-8", "replace")
    assert "Interrupted" in text and "Score: 1 / 1 point" in text, text
    assert "Traceback" not in text
    assert os.waitstatus_to_exitcode(status) == 0
    assert rows(tmp_path / "pty.sqlite3") == [("geo-capital", "correct", "B")]


# -- check one item ----------------------------------------------------------------------------


@pytest.mark.parametrize("args, code, expected", [
    (["geo-capital", "--seed", "3", "--answer", "B"], 0, "Correct\n"),
    (["geo-capital-v1-s3", "--answer", "b"], 0, "Correct\n"),
    (["geo-capital-v1-s3", "--answer", "C"], 1, "Not correct: Marseille is a port in the south. Misconception M-ACCURACY"),
    (["half-number", "--seed", "0", "--answer", "1/2"], 0, "Correct\n\nExplanation: One half is 1/2 = 0.5.\n"),
])
def test_check_one_item(args: list[str], code: int, expected: str) -> None:
    result = invoke(["check", *args, *ONLY])
    assert result.exit_code == code
    assert expected in result.output
    assert "Explanation: " in result.output


def test_check_json_prints_the_grade() -> None:
    result = invoke(["check", "geo-capital-v1-s3", "--answer", "A", "--json", *ONLY])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["item"] == "geo-capital-v1-s3"
    assert (data["score"], data["max_score"], data["correct"], data["misconception"]) == (0.0, 1.0, False, "M-SIGN")
    assert data["feedback"][0] == "Lyon is the third-largest city, not the capital."


def test_check_unreadable_answer_is_exit_2() -> None:
    result = CliRunner().invoke(cli, ["check", "half-number-v1-s0", "--answer", "about a half", *ONLY])
    assert result.exit_code == 2
    assert "Error: cannot read the answer 'about a half':" in result.stderr
    result = CliRunner().invoke(cli, ["check", "half-number-v1-s0", "--answer", "x", "--json", *ONLY])
    assert result.exit_code == 2 and "format_error" in json.loads(result.output)


@pytest.mark.parametrize("args, message", [
    (["geo-capital"], "give --answer (for one item) or --answers FILE"),
    (["geo-capital", "--answer", "B", "--answers", "a.txt"], "not both or neither"),
    (["no-such-template", "--answer", "B"], "no template or item 'no-such-template' in the bank"),
])
def test_check_bad_arguments_are_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["check", *args, *ONLY])
    assert result.exit_code == 2
    assert message in result.output


# -- check a quiz file -------------------------------------------------------------------------


@pytest.fixture
def quiz(tmp_path: Path) -> Path:
    path = tmp_path / "students" / "s001" / "quiz.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "format": "qbank-student-quiz/1", "quiz_id": "week1", "title": "Week 1", "student": "s001",
        "items": [{"slot": "q1", "item": "geo-capital-v1-s7", "points": 2.0},
                  {"slot": "q2", "item": "half-number-v1-s7", "points": 1.0},
                  {"slot": "q3", "item": "half-number-v1-s8", "points": 1.0}],
    }))
    return path


def test_check_quiz_reports_each_slot_and_the_total(tmp_path: Path, quiz: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("# week 1\nq1: B\n\nq2: 2\n")
    result = invoke(["check", str(quiz), "--answers", str(answers), *ONLY])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "q1  correct     2/2  geo-capital-v1-s7"
    assert lines[1] == "q2  wrong       0/1  half-number-v1-s7"
    assert lines[2] == "    That is the reciprocal."
    assert "q3  unanswered  0/1  half-number-v1-s8" in lines
    assert lines[-1] == "Total: 2 / 4 points; 1 of 3 correct, 1 unanswered."


def test_check_quiz_all_correct_is_exit_0_and_json(tmp_path: Path, quiz: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("q1: B\nq2: 0.5\nq3: 50%\n")
    result = invoke(["check", str(quiz), "--answers", str(answers), "--json", *ONLY])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["score"], data["max_score"]) == (4.0, 4.0)
    assert [s["status"] for s in data["slots"]] == ["correct"] * 3


def test_check_quiz_malformed_line_is_exit_2_naming_file_and_line(tmp_path: Path, quiz: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("q1: B\nq2 0.5\n")
    result = CliRunner().invoke(cli, ["check", str(quiz), "--answers", str(answers), *ONLY])
    assert result.exit_code == 2
    assert f"Error: {answers}:2: expected 'slot: answer' such as 'q1: B', got 'q2 0.5'" in result.output


def test_check_quiz_unreadable_answer_is_reported_with_its_line_and_exit_2(tmp_path: Path, quiz: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("q1: B\nq2: half\n")
    result = CliRunner().invoke(cli, ["check", str(quiz), "--answers", str(answers), *ONLY])
    assert result.exit_code == 2
    assert "q2  unreadable  0/1  half-number-v1-s7" in result.stdout
    assert f"Error: {answers}:2: q2: cannot read the answer 'half':" in result.stderr


# -- progress ------------------------------------------------------------------------------------


def test_progress_without_practice_says_how_to_start() -> None:
    result = invoke(["progress"])
    assert result.exit_code == 0
    assert result.output == "No practice recorded yet. Start with: qbank practice\n"


def test_progress_shows_mastery_and_what_to_review(tmp_path: Path) -> None:
    invoke(["practice", "--topic", "geography", "--n", "2", "--seed", "1", *ONLY], input="A\nB\n")
    invoke(["practice", "--topic", "arithmetic", "--n", "1", "--seed", "1", *ONLY], input="0.5\n")
    result = invoke(["progress"])
    assert result.exit_code == 0
    out = result.output
    assert "Mastery by topic (weakest first)" in out and "Mastery by bloom level (weakest first)" in out
    assert out.index("geography") < out.index("arithmetic")  # weakest first
    assert "50%" in out and "100%" in out
    assert "Templates practised: 2" in out
    data = json.loads(invoke(["progress", "--json"]).output)
    assert data["answered"] == 3
    assert [(t["name"], t["answered"], t["correct"]) for t in data["topics"]] == [("geography", 2, 1), ("arithmetic", 1, 1)]
    assert data["boxes"] == {"geo-capital": 2, "half-number": 2}
    assert data["review"] == []


# -- the flow a student meets: a built quiz, its self-check page and its quiz file ---------------


def test_a_built_self_check_quiz_can_be_checked_from_its_quiz_file(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "examples"
    out = tmp_path / "out"
    built = CliRunner().invoke(cli, ["build", str(examples / "demo-quiz.yaml"), "--roster", str(examples / "roster.csv"),
                                     "-o", str(out), "-f", "html", "--self-check", "-q"])
    assert built.exit_code == 0, built.output
    student = sorted((out / "students").iterdir())[0]
    page = (student / "quiz.html").read_text(encoding="utf-8")
    assert "<strong>For practice only.</strong>" in page and 'class="sc-item"' in page

    from qbank.questions import builtin_bank, letter

    quiz = json.loads((student / "quiz.json").read_text(encoding="utf-8"))
    bank = builtin_bank()
    lines = []
    for entry in quiz["items"]:
        item = bank.item(entry["item"])
        if item.type == "single_choice":
            lines.append(f"{entry['slot']}: {letter(item.key[0])}")
    (tmp_path / "answers.txt").write_text("\n".join(lines) + "\n")
    result = invoke(["check", str(student / "quiz.json"), "--answers", str(tmp_path / "answers.txt")])
    assert result.exit_code == 1  # the open question is unanswered
    assert result.output.count(" correct ") == len(lines)
    assert "unanswered" in result.output
