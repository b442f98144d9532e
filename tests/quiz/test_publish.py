"""Writing a build into OUTDIR: an earlier build's files are never deleted unannounced, and a
build killed or failing at any moment leaves the complete previous output or the complete new one."""

from __future__ import annotations

import errno
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from qbank.cli import cli
from qbank.quiz import build_quiz, parse_roster, render_outputs, write_outputs
from qbank.quiz import publish as publish_module
from qbank.quiz.output import Outputs, choose_formats
from qbank.quiz.publish import OutputConflict
from qbank.quiz.spec import QuizSpec, RosterColumns
from faults import run_killed_at

from .quiz_testing import BANK, SPEC, roster_rows

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = RosterColumns(id="Student ID", name="Name", email="Email")


def snapshot(outdir: Path) -> dict[str, bytes] | None:
    if not outdir.exists():
        return None
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def outputs(bank: Any, n_students: int, formats: list[str], seed: int = 7) -> Outputs:
    roster = "Student ID,Name,Email\n" + "".join(f"{r['Student ID']},{r['Name']},{r['Email']}\n" for r in roster_rows(n_students))
    result = build_quiz(QuizSpec.model_validate({**SPEC, "seed": seed}), bank, parse_roster(roster, "r.csv", COLUMNS))
    return render_outputs(result, choose_formats(formats)[0])


def siblings(outdir: Path) -> list[str]:
    return sorted(p.name for p in outdir.parent.iterdir() if p.name.startswith(f".{outdir.name}."))


# --- issue 19: never delete an earlier build's files without saying so ---------------------------

def test_the_demo_then_a_self_check_build_stops_and_names_what_it_would_delete(tmp_path: Path) -> None:
    """The README's two commands in a row: the second no longer silently deletes out/lms and out/paper/*.md."""
    out = tmp_path / "out"
    demo = [str(ROOT / "examples" / "demo-quiz.yaml"), "-o", str(out), "-q"]
    assert CliRunner().invoke(cli, ["build", *demo, "--roster", str(ROOT / "examples" / "roster.csv")]).exit_code == 0
    before = snapshot(out)
    result = CliRunner().invoke(cli, ["build", *demo, "--format", "html", "--self-check"])
    assert result.exit_code == 2
    assert f"{out}/lms/demo-quiz-aiken.txt" in result.output and "--force" in result.output
    assert snapshot(out) == before
    result = CliRunner().invoke(cli, ["build", *demo, "--format", "html", "--self-check", "--force"])
    assert result.exit_code == 0, result.output
    after = snapshot(out)
    assert after is not None and not any(p.startswith("lms/") or p.endswith(".md") for p in after)
    assert {"manifest.json", "paper/quiz.html", "paper/key.html"} <= set(after)


def test_the_same_build_twice_needs_no_force_and_foreign_files_stay(tmp_path: Path, bank: Any) -> None:
    out = tmp_path / "out"
    files = outputs(bank, 2, ["md"])
    write_outputs(out, files)
    (out / "notes.txt").write_text("mine\n")
    (out / "students" / "s001" / "answers.txt").write_text("mine too\n")
    (out / "empty").mkdir()
    write_outputs(out, files)
    assert (out / "notes.txt").read_text() == "mine\n" and (out / "students" / "s001" / "answers.txt").read_text() == "mine too\n"
    assert (out / "empty").is_dir()
    assert siblings(out) == []


def test_a_foreign_file_where_the_build_writes_is_overwritten_only_with_force(tmp_path: Path, bank: Any) -> None:
    out = tmp_path / "out"
    (out / "paper").mkdir(parents=True)
    (out / "paper" / "quiz.md").write_text("my own quiz\n")
    files = outputs(bank, 2, ["md"])
    with pytest.raises(OutputConflict, match=r"1 file that qbank did not write and this build would overwrite: .*paper/quiz\.md"):
        write_outputs(out, files)
    assert snapshot(out) == {"paper/quiz.md": b"my own quiz\n"}
    write_outputs(out, files, force=True)
    assert snapshot(out) == {**files.files, ".qbank-outputs": (out / ".qbank-outputs").read_bytes()}


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_file_and_folder_gets_the_users_umask(tmp_path: Path, bank: Any, umask: int) -> None:
    out = tmp_path / "out"
    zipped = outputs(bank, 2, ["md", "canvas"])
    old = os.umask(umask)
    try:
        write_outputs(out, zipped)
        write_outputs(out, zipped)  # a rebuild, through the staged folder and the exchange
    finally:
        os.umask(old)
    paths = [out, *out.rglob("*")]
    assert any(p.suffix == ".zip" for p in paths)
    for p in paths:
        want = (0o777 if p.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(p.stat().st_mode) == want, (p, oct(p.stat().st_mode))


# --- faults: killed at every step, a full disk, a read-only folder ---------------------------------

def _run_killed_at(step: int | None, out: Path, files: Outputs) -> int:
    return run_killed_at(step, lambda: write_outputs(out, files, force=True), [(publish_module, "_rename_exchange")])


@pytest.mark.parametrize("mode", ["exchange", "two renames", "in place"])
def test_a_build_killed_at_every_step_leaves_the_old_build_or_the_new_one(
        tmp_path: Path, bank: Any, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    old_files, new_files = outputs(bank, 3, ["md", "json"]), outputs(bank, 2, ["md"], seed=8)
    if mode == "two renames":
        monkeypatch.setattr(publish_module, "_rename_exchange", lambda a, b: False)
    if mode == "in place":
        monkeypatch.setattr(publish_module, "_staging", lambda outdir: None)
    reference = tmp_path / "reference"
    write_outputs(reference / "old", old_files)
    write_outputs(reference / "new", new_files)
    old, new = snapshot(reference / "old"), snapshot(reference / "new")
    out = tmp_path / "out"
    write_outputs(out, old_files)
    total = _run_killed_at(None, out, new_files)
    assert total > 10
    write_outputs(out, old_files, force=True)
    for step in range(1, total + 1):
        assert _run_killed_at(step, out, new_files) == -1
        state = snapshot(out)
        if mode == "in place":
            # written in place, the guarantee is weaker: no manifest unless the folder is complete
            # (an atomic_write temporary may be left; hidden, and removed by the next build)
            state = {k: v for k, v in (state or {}).items() if not k.rsplit("/", 1)[-1].endswith(".tmp")}
            assert state in (old, new) or "manifest.json" not in state, step
        elif state is None and mode == "two renames":
            # killed between the two renames: nothing at OUTDIR, and the next build puts the old one back
            publish_module._recover(out)
            assert snapshot(out) == old, step
        else:
            assert state in (old, new), f"killed at disk change {step} of {total}: a mixed folder"
        write_outputs(out, old_files, force=True)  # the next build recovers, completes, leaves nothing behind
        assert snapshot(out) == old and siblings(out) == [], step


@pytest.mark.slow
def test_a_real_build_killed_at_random_moments(tmp_path: Path) -> None:
    """`qbank build` in its own process, SIGKILLed after a random delay, again and again."""
    (tmp_path / "bank.yaml").write_text(BANK)
    spec = tmp_path / "quiz.yaml"
    roster = tmp_path / "roster.csv"
    roster.write_text("Student ID,Name,Email\n" + "".join(f"{r['Student ID']},{r['Name']},{r['Email']}\n" for r in roster_rows(20)))
    qbank = [sys.executable, "-m", "qbank", "build", str(spec), "-o", str(tmp_path / "out"), "--no-builtin",
             "--bank", str(tmp_path / "bank.yaml"), "--roster", str(roster), "--id-column", "Student ID",
             "--name-column", "Name", "--email-column", "Email", "-f", "md,html,gift", "--force", "-q"]
    states = {}
    for seed in (1, 2):
        spec.write_text(yaml.safe_dump({**SPEC, "seed": seed}))
        start = time.monotonic()
        subprocess.run(qbank, check=True)
        duration = time.monotonic() - start
        states[seed] = snapshot(tmp_path / "out")
    rng = random.Random(16)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(4):
        seed = 1 if attempt % 2 else 2
        spec.write_text(yaml.safe_dump({**SPEC, "seed": seed}))
        before = snapshot(tmp_path / "out")
        proc = subprocess.Popen(qbank)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = snapshot(tmp_path / "out")
        assert after in (before, states[seed]), f"attempt {attempt}: a mixed folder"
        outcomes["old" if after == before else "new"] += 1
    assert sum(outcomes.values()) == 4


def test_a_full_disk_leaves_the_previous_build(tmp_path: Path, bank: Any) -> None:
    """A write fails with EFBIG (a file-size limit standing in for a full disk): exit 2, old build intact."""
    import resource

    out = tmp_path / "out"
    old_files = outputs(bank, 3, ["md", "json"])
    write_outputs(out, old_files)
    before = snapshot(out)
    big = Outputs({**old_files.files, "paper/huge.md": b"x" * 300_000}, old_files.formats)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, hard))
    try:
        with pytest.raises(Exception) as failure:
            write_outputs(out, big, force=True)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert "File too large" in str(failure.value) and f"{out} holds what it held before" in str(failure.value)
    assert getattr(failure.value, "exit_code", None) == 2
    assert snapshot(out) == before and siblings(out) == []


def test_a_read_only_folder_fails_cleanly(tmp_path: Path, bank: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    files = outputs(bank, 2, ["md"])
    write_outputs(out, files)
    before = snapshot(out)

    def read_only(path: Path, content: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(publish_module, "_write_file", read_only)
    result = CliRunner().invoke(cli, ["build", str(ROOT / "examples" / "demo-quiz.yaml"), "-o", str(out), "--force"])
    monkeypatch.undo()
    assert result.exit_code == 2 and "Read-only file system" in result.output, result.output
    assert snapshot(out) == before and siblings(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_folder_without_write_permission_is_refused_before_any_work(tmp_path: Path, bank: Any) -> None:
    out = tmp_path / "out"
    write_outputs(out, outputs(bank, 2, ["md"]))
    before = snapshot(out)
    out.chmod(0o555)
    try:
        with pytest.raises(Exception, match="not writable"):
            write_outputs(out, outputs(bank, 2, ["md"], seed=9))
    finally:
        out.chmod(0o755)
    assert snapshot(out) == before
