"""`qbank show`, `check` and `practice` print the same bytes from the drawn-item cache as
without it: each command runs on an empty cache (which fills it), again on the warm cache
(with loading the bank forbidden, so the cached path is what runs) and with
QBANK_NO_CACHE=1, and the three outputs, errors and exit codes must be equal."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from answer_battery import answers
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import builtin_bank
from qbank.questions._drawn import DrawnItems

PRACTICE_BANK = str(Path(__file__).parents[1] / "student" / "practice_bank.yaml")


def one_template_per_type() -> list[str]:
    chosen: dict[str, str] = {}
    for template in builtin_bank():
        chosen.setdefault(template.instantiate(0).type, template.id)
    return sorted(chosen.values())


TEMPLATES = one_template_per_type()


def run(args: list[str], input: str | None = None, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, input=input, env=env or None, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def three_ways(args: list[str], monkeypatch: pytest.MonkeyPatch, input: str | None = None, warm_loads: bool = False) -> None:
    cold = run(args, input)
    if warm_loads:
        warm = run(args, input)
    else:
        with monkeypatch.context() as patched:
            patched.setattr(DrawnItems, "bank", lambda self: pytest.fail(f"qbank {' '.join(args)} loaded the bank when warm"))
            warm = run(args, input)
    off = run(args, input, QBANK_NO_CACHE="1")
    assert cold == off, args
    assert warm == off, args


@pytest.fixture(autouse=True)
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_show_is_the_same_from_the_cache(template_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    version = builtin_bank()[template_id].version
    for target in ([template_id], [template_id, "--seed", "5"], [f"{template_id}-v{version}-s42"]):
        for flags in ([], ["--key"], ["--json"], ["--json", "--key"], ["--markdown"], ["--markdown", "--key"]):
            three_ways(["show", *target, *flags], monkeypatch)


def test_show_lays_out_again_at_another_width(monkeypatch: pytest.MonkeyPatch) -> None:
    three_ways(["show", "paris-states", "--key"], monkeypatch)
    monkeypatch.setenv("COLUMNS", "52")
    narrow = run(["show", "paris-states", "--key"])  # the item is cached; its layout at 52 columns is not
    assert narrow == run(["show", "paris-states", "--key"], QBANK_NO_CACHE="1")
    assert max(len(line) for line in narrow[1].splitlines()) <= 52


def test_show_errors_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    three_ways(["show", "paris-states"], monkeypatch)  # fills the index
    version = builtin_bank()["paris-states"].version
    for args in (["show", "paris-stats"], ["show", f"paris-states-v{version + 1}-s3"], ["show", "nothing-v1-s1"]):
        results = [run(args), run(args), run(args, QBANK_NO_CACHE="1")]
        assert results[0] == results[1] == results[2]
        assert results[0][0] == 2 and "Error:" in results[0][2]


def check_answers(template_id: str) -> list[str]:
    item = builtin_bank()[template_id].instantiate(3)
    return answers(item)[:6] + ["", "garbage", "Z", "1/0", "A,,B"]


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_check_is_the_same_from_the_cache(template_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    item = builtin_bank()[template_id].instantiate(3)
    is_open = item.type == "open_response"
    for answer in check_answers(template_id):
        for flags in ([], ["--json"]):
            three_ways(["check", item.id, "--answer", answer, *flags], monkeypatch, warm_loads=is_open)
    three_ways(["check", template_id, "--seed", "3", "--answer", "B"], monkeypatch, warm_loads=is_open)


def test_check_a_quiz_file_is_the_same_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    ids = [builtin_bank()[t].instantiate(2).id for t in TEMPLATES if builtin_bank()[t].instantiate(2).type != "open_response"]
    quiz = tmp_path / "quiz.json"
    quiz.write_text(json.dumps({"format": "qbank-student-quiz/1", "quiz_id": "q", "student": "s001",
                                "items": [{"slot": f"q{i + 1}", "item": item_id, "points": 2} for i, item_id in enumerate(ids)]}))
    answers = tmp_path / "answers.txt"
    answers.write_text("".join(f"q{i + 1}: {a}\n" for i, a in enumerate(["B", "0.5", "A C", "garbage"]) if i < len(ids)))
    for flags in ([], ["--json"]):
        three_ways(["check", str(quiz), "--answers", str(answers), *flags], monkeypatch)


def test_check_an_open_answer_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rubric grades the full item, cached or not (drawn again: the slower path)."""
    template = next(t for t in builtin_bank() if t.instantiate(0).type == "open_response")
    item = template.instantiate(1)
    answer = item.sample_answer
    three_ways(["check", item.id, "--answer", answer], monkeypatch, warm_loads=True)
    code, out, _ = run(["check", item.id, "--answer", answer])
    assert (code, out.splitlines()[0]) == (0, "Correct")


def attempts(db: Path) -> list[tuple[Any, ...]]:
    query = ("SELECT item_id, template, version, seed, topics, bloom, outcome, score, max_score, misconception, response"
             " FROM attempts ORDER BY id")
    return sqlite3.connect(db).execute(query).fetchall()


SESSIONS = [
    (["--n", "3", "--seed", "1"], "B\nB\nB\n"),
    (["--n", "4", "--seed", "7"], "?\n0.5\nA\ns\nC\nq\n"),
    (["--n", "5", "--seed", "3", "--topic", "cross-entropy"], "garbage\nA,B\n1/4\nq\n"),
    (["--n", "6", "--seed", "11"], "A\nB\nC\nD\n0.2\n?\nq\n"),
]


@pytest.mark.parametrize(("options", "typed"), SESSIONS)
def test_practice_is_the_same_from_the_cache(options: list[str], typed: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    outputs, recorded = [], []
    for i, env in enumerate(({}, {}, {"QBANK_NO_CACHE": "1"})):  # cold, warm, off: each on a fresh database
        db = tmp_path / f"{i}.sqlite3"
        outputs.append(run(["practice", *options, "--db", str(db)], typed, **env))
        recorded.append(attempts(db))
    assert outputs[0] == outputs[1] == outputs[2]
    assert recorded[0] == recorded[1] == recorded[2]
    assert outputs[0][0] == 0


def test_a_warm_practice_session_draws_nothing_and_records_every_answer(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    options = ["practice", "--n", "3", "--seed", "5", "--bank", PRACTICE_BANK, "--no-builtin"]
    typed = "A,B\nB\n0.5\n"  # which-losses, geo-capital, half-number, all right
    run([*options, "--db", str(tmp_path / "first.sqlite3")], typed)
    with monkeypatch.context() as patched:
        patched.setattr(DrawnItems, "bank", lambda self: pytest.fail("a warm session loaded the bank"))
        warm = run([*options, "--db", str(tmp_path / "warm.sqlite3")], typed)
    off = run([*options, "--db", str(tmp_path / "off.sqlite3")], typed, QBANK_NO_CACHE="1")
    assert warm == off
    assert attempts(tmp_path / "warm.sqlite3") == attempts(tmp_path / "off.sqlite3")
    assert [row[6] for row in attempts(tmp_path / "warm.sqlite3")] == ["correct", "correct", "correct"]


def test_a_second_session_on_one_database_follows_its_history(tmp_path: Path) -> None:
    """The schedule reads the database each time; cached draws do not freeze the plan."""
    db_on, db_off = tmp_path / "on.sqlite3", tmp_path / "off.sqlite3"
    for typed in ("A\nB\nC\n", "B\nB\nB\n", "C\nA\n0.5\n"):
        on = run(["practice", "--n", "3", "--seed", "2", "--db", str(db_on)], typed)
        off = run(["practice", "--n", "3", "--seed", "2", "--db", str(db_off)], typed, QBANK_NO_CACHE="1")
        assert on == off
    assert attempts(db_on) == attempts(db_off)
