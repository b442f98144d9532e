"""Many practice sessions on one progress database at once: no answer lost, no "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qbank.student.progress import ProgressStore

WRITER = r"""
import os, sys, time
from qbank.student.progress import Attempt, ProgressStore
db, who, go, reopen = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
while not os.path.exists(go):
    time.sleep(0.002)
def attempt(i):
    return Attempt(item_id=f"{who}-{i}", template=who, version=1, seed=i, topics=("t",), bloom="apply",
                   outcome="correct" if i % 2 else "wrong", score=i % 2, max_score=1, session=who)
if reopen:  # like one `qbank` command per answer
    for i in range(50):
        with ProgressStore.open(db) as store:
            store.record(attempt(i))
else:       # like one long `qbank practice` session
    with ProgressStore.open(db) as store:
        for i in range(50):
            store.record(attempt(i))
"""

READER = r"""
import os, sys, time
from qbank.student.progress import ProgressStore
db, go = sys.argv[1], sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.002)
for _ in range(40):
    with ProgressStore.open(db) as store:
        store.attempts()
"""


@pytest.mark.slow
def test_ten_sessions_of_fifty_answers_and_two_real_practice_sessions_lose_nothing(tmp_path: Path) -> None:
    db, go = tmp_path / "progress.sqlite3", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"w{n}", str(go), str(n % 2)], env=env,
                              stderr=subprocess.PIPE, text=True) for n in range(10)]
    procs += [subprocess.Popen([sys.executable, "-c", READER, str(db), str(go)], env=env, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    # and two real `qbank practice` sessions, skipping each of 10 items (a skip is recorded too)
    practice = [subprocess.Popen([sys.executable, "-m", "qbank", "practice", "--n", "10", "--seed", str(n), "--db", str(db)],
                                 env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                for n in range(2)]
    time.sleep(0.5)  # let every process import and wait, so all hit the fresh database together
    go.touch()
    for p in practice:
        _, err = p.communicate("s\n" * 10, timeout=120)
        assert p.returncode == 0, err
    deadline = time.monotonic() + 120
    errors = []
    for p in procs:
        _, err = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
        if p.returncode != 0:
            errors.append(err)
    assert errors == []
    with ProgressStore.open(db) as store:
        attempts = store.attempts()
        assert store.schema_version >= 2
    ours = [a for a in attempts if a.session in {f"w{n}" for n in range(10)}]
    assert sorted(a.item_id for a in ours) == sorted(f"w{n}-{i}" for n in range(10) for i in range(50))
    assert sum(a.outcome == "skipped" for a in attempts if a not in ours) == 20
    for n in range(10):  # each session's answers in the order it gave them
        assert [a.seed for a in attempts if a.session == f"w{n}"] == list(range(50))
