"""The progress store: where it lives, what it keeps, and how its schema moves forward."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qbank.errors import InputError
from qbank.student.progress import MIGRATIONS, SCHEMA_VERSION, Attempt, ProgressStore, default_db_path, mastery


def attempt(template: str, outcome: str, topics=("cross-entropy",), bloom="apply", score=None) -> Attempt:
    won = 1.0 if outcome == "correct" else 0.0
    return Attempt(item_id=f"{template}-v1-s1", template=template, version=1, seed=1, topics=topics, bloom=bloom,
                   outcome=outcome, score=won if score is None else score, max_score=1.0, response="B")


def test_default_path_is_qbank_db_when_set(tmp_path: Path) -> None:
    assert default_db_path() == tmp_path / "progress.sqlite3"


def test_default_path_is_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    monkeypatch.delenv("QBANK_DB")
    assert default_db_path() == isolated_home / ".local" / "share" / "qbank" / "progress.sqlite3"


def test_an_attempt_is_on_disk_as_soon_as_it_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "p.sqlite3"
    store = ProgressStore.open(path)
    store.record(attempt("paris-states", "wrong"))
    # Read through a second, independent connection while the first is still open.
    rows = sqlite3.connect(path).execute("SELECT item_id, outcome, topics FROM attempts").fetchall()
    assert rows == [("paris-states-v1-s1", "wrong", '["cross-entropy"]')]
    store.close()


def test_attempts_read_back_in_order(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        store.record(attempt("a", "wrong"))
        store.record(attempt("b", "correct", topics=("dpo", "rlhf"), bloom="analyze"))
    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        got = store.attempts()
    assert [(a.template, a.outcome, a.topics, a.bloom) for a in got] == [
        ("a", "wrong", ("cross-entropy",), "apply"), ("b", "correct", ("dpo", "rlhf"), "analyze"),
    ]


def test_new_database_has_the_current_schema_version(tmp_path: Path) -> None:
    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)


def test_an_older_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO attempts (session, answered_at, item_id, template, version, seed, topics, bloom, outcome, score,"
        " max_score, misconception, response) VALUES ('s', '2024-01-01T00:00:00+00:00', 'x-v1-s0', 'x', 1, 0,"
        " '[\"t\"]', 'apply', 'correct', 1, 1, NULL, 'A')"
    )
    db.commit()
    db.close()
    with ProgressStore.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [a.item_id for a in store.attempts()] == ["x-v1-s0"]
    indexes = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    assert ("attempts_by_template",) in indexes


def test_a_database_from_a_newer_qbank_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(InputError, match=r"new\.sqlite3: the progress database has schema version \d+, newer than"):
        ProgressStore.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(InputError, match=r"notes\.txt: not a qbank progress database"):
        ProgressStore.open(path)


def test_mastery_per_topic_is_weakest_first_and_ignores_skips() -> None:
    attempts = [
        attempt("a", "correct", topics=("cross-entropy",)),
        attempt("b", "wrong", topics=("cross-entropy", "dpo")),
        attempt("c", "skipped", topics=("dpo",)),
        attempt("d", "wrong", topics=("dpo",), score=0.5),
    ]
    rows = [(m.name, m.answered, m.correct, m.fraction) for m in mastery(attempts, by="topic")]
    assert rows == [("dpo", 2, 0, 0.25), ("cross-entropy", 2, 1, 0.5)]


def test_mastery_per_bloom_level() -> None:
    attempts = [attempt("a", "correct", bloom="apply"), attempt("b", "wrong", bloom="analyze")]
    assert [(m.name, m.fraction) for m in mastery(attempts, by="bloom")] == [("analyze", 0.0), ("apply", 1.0)]
