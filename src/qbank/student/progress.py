"""The progress store: every practice answer, kept in a local SQLite database.

Where the database lives: ``--db PATH``, else the ``QBANK_DB`` environment variable, else
``<user data dir>/qbank/progress.sqlite3`` (``~/.local/share/qbank`` on Linux, found with
platformdirs).

The schema is versioned with ``PRAGMA user_version`` and moved forward by the numbered
``MIGRATIONS`` below, one transaction each; a database made by a newer qbank is refused
rather than guessed at. The connection is in autocommit mode, so each attempt is on disk
the moment :meth:`ProgressStore.record` returns: a crash or Ctrl-C later in a session
loses nothing already answered. The database is in WAL mode and writers wait for each
other, so concurrent sessions on one database lose no answer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..errors import InputError

__all__ = ["Attempt", "Mastery", "ProgressStore", "SCHEMA_VERSION", "default_db_path", "mastery"]

Outcome = Literal["correct", "wrong", "skipped"]
T = TypeVar("T")

# Each entry moves the schema from version i to i + 1. Append only: a released migration
# never changes, because databases in users' folders were made by it.
MIGRATIONS: tuple[str, ...] = (
    # 1: one row per answer (or skip) in a practice session.
    """
    CREATE TABLE attempts (
        id            INTEGER PRIMARY KEY,
        session       TEXT NOT NULL,
        answered_at   TEXT NOT NULL,
        item_id       TEXT NOT NULL,
        template      TEXT NOT NULL,
        version       INTEGER NOT NULL,
        seed          INTEGER NOT NULL,
        topics        TEXT NOT NULL,
        bloom         TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('correct', 'wrong', 'skipped')),
        score         REAL NOT NULL,
        max_score     REAL NOT NULL,
        misconception TEXT,
        response      TEXT NOT NULL
    );
    """,
    # 2: the scheduler replays attempts per template in order; index that read.
    "CREATE INDEX attempts_by_template ON attempts (template, id);",
)
SCHEMA_VERSION = len(MIGRATIONS)


# Several practice sessions may share one database (two terminals, a class on one machine):
# a writer waits up to BUSY_TIMEOUT seconds for another's lock, and a write that still finds
# the database busy is retried until RETRY_FOR seconds have passed.
BUSY_TIMEOUT = 10.0
RETRY_FOR = 60.0


def _retrying(step: Callable[[], T]) -> T:
    """Run ``step``, retrying while SQLite says the database is locked or busy."""
    deadline = time.monotonic() + RETRY_FOR
    delay = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not any(word in str(exc) for word in ("locked", "busy")) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def default_db_path() -> Path:
    """``$QBANK_DB`` if set, else ``<user data dir>/qbank/progress.sqlite3``."""
    env = os.environ.get("QBANK_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("qbank", appauthor=False) / "progress.sqlite3"


@dataclass(frozen=True)
class Attempt:
    """One answer (or skip) to one practice item."""

    item_id: str
    template: str
    version: int
    seed: int
    topics: tuple[str, ...]
    bloom: str
    outcome: Outcome
    score: float
    max_score: float
    response: str = ""
    misconception: str | None = None
    session: str = ""
    answered_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def for_item(cls, item: Any, outcome: Outcome, **fields: Any) -> Attempt:
        """An attempt carrying the item's identity and tags."""
        return cls(
            item_id=item.id, template=item.template, version=item.version, seed=item.seed,
            topics=tuple(item.tags.topics), bloom=item.tags.bloom.value, outcome=outcome, **fields,
        )


@dataclass(frozen=True)
class Mastery:
    """How well one topic (or Bloom level) is known: answered items, correct, mean score."""

    name: str
    answered: int
    correct: int
    score: float
    max_score: float

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


def mastery(attempts: Iterable[Attempt], by: Literal["topic", "bloom"]) -> list[Mastery]:
    """Mastery per topic or Bloom level from answered attempts (skips do not count), weakest first."""
    rows: dict[str, list[float]] = {}
    for a in attempts:
        if a.outcome == "skipped":
            continue
        for name in (a.topics or ("(no topic)",)) if by == "topic" else (a.bloom,):
            row = rows.setdefault(name, [0, 0, 0.0, 0.0])
            row[0] += 1
            row[1] += a.outcome == "correct"
            row[2] += a.score
            row[3] += a.max_score
    out = [Mastery(name, int(r[0]), int(r[1]), r[2], r[3]) for name, r in rows.items()]
    return sorted(out, key=lambda m: (m.fraction, m.name))


class ProgressStore:
    """The attempts database. Open with :meth:`open`; usable as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path | None = None) -> ProgressStore:
        """Open (creating folders and schema as needed) and migrate the database at ``path``.

        Raises:
            InputError: the file is not a qbank progress database, or a newer qbank made it.
        """
        path = Path(path).expanduser() if path is not None else default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit, so every record() is durable on return.
            # timeout: wait for another process's write instead of failing "database is locked".
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"{path}: cannot open the progress database ({exc})") from None
        store = cls(db, path)
        try:
            # WAL: readers (qbank progress) never block the writers, and writers queue.
            _retrying(lambda: db.execute("PRAGMA journal_mode=WAL").fetchone())
            _retrying(store._migrate)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise InputError(f"{path}: not a qbank progress database ({exc})") from None
        except InputError:
            db.close()
            raise
        return store

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(
                f"{self.path}: the progress database has schema version {version}, newer than this qbank "
                f"understands ({SCHEMA_VERSION}); upgrade qbank or use another --db"
            )
        for number in range(version, SCHEMA_VERSION):
            # One transaction per step: a migration either lands whole, version included, or not at all.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while this one waited for the lock.
                if self._db.execute("PRAGMA user_version").fetchone()[0] > number:
                    self._db.execute("COMMIT")
                    continue
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def record(self, attempt: Attempt) -> None:
        """Store one attempt; it is committed before this returns."""
        _retrying(lambda: self._db.execute(
            "INSERT INTO attempts (session, answered_at, item_id, template, version, seed, topics, bloom,"
            " outcome, score, max_score, misconception, response) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                attempt.session, attempt.answered_at.isoformat(), attempt.item_id, attempt.template,
                attempt.version, attempt.seed, json.dumps(list(attempt.topics)), attempt.bloom,
                attempt.outcome, attempt.score, attempt.max_score, attempt.misconception, attempt.response,
            ),
        ))

    def attempts(self) -> list[Attempt]:
        """Every attempt, oldest first."""
        rows = self._db.execute(
            "SELECT item_id, template, version, seed, topics, bloom, outcome, score, max_score, response,"
            " misconception, session, answered_at FROM attempts ORDER BY id"
        ).fetchall()
        return [
            Attempt(
                item_id=r[0], template=r[1], version=r[2], seed=r[3], topics=tuple(json.loads(r[4])),
                bloom=r[5], outcome=r[6], score=r[7], max_score=r[8], response=r[9], misconception=r[10],
                session=r[11], answered_at=datetime.fromisoformat(r[12]),
            )
            for r in rows
        ]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
