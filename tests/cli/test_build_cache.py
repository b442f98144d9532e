"""A rebuild with the same command and the same files writes exactly what a fresh build writes,
and any change to what the build reads makes it a fresh build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_testing import write_quiz_files
from qbank.cli import cli
from qbank.quiz import build_cache


def build(files: Path, out: str, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    args = ["build", str(files / "quiz.yaml"), "--bank", str(files / "bank"), "--no-builtin",
            "--roster", str(files / "roster.csv"), "-o", str(files / out), *extra]
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh(files: Path, *extra: str) -> tuple[dict[str, bytes], str, str]:
    """What a build writes and prints with no cache at all."""
    code, stdout, stderr = build(files, "fresh", *extra, "--force", env={"QBANK_NO_CACHE": "1"})
    assert code == 0, stderr
    return tree(files / "fresh"), stdout.replace("/fresh", "/out"), stderr


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write_quiz_files(tmp_path)
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank.yaml").rename(tmp_path / "bank" / "bank.yaml")
    return tmp_path


def entries() -> list[Path]:
    folder = build_cache.cache_folder()
    return [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.exists() else []


@pytest.mark.parametrize("extra", [(), ("-f", "canvas,gift,md"), ("-f", "html", "--self-check")], ids=["all", "some", "self-check"])
def test_a_rebuild_writes_and_says_what_a_fresh_build_does(files: Path, extra: tuple[str, ...]) -> None:
    first = build(files, "out", *extra)
    assert first[0] == 0 and len(entries()) == 1
    again = build(files, "out", *extra)
    assert again[0] == 0
    assert tree(files / "out") == fresh(files, *extra)[0]
    assert again[1:] == first[1:]  # the same summary and warnings
    other = build(files, "elsewhere", *extra)  # another folder gets the same files
    assert other[0] == 0 and tree(files / "elsewhere") == tree(files / "out")
    assert len(entries()) == 1


@pytest.mark.parametrize("change", ["bank byte", "new bank file", "spec", "roster"])
def test_a_changed_input_is_a_fresh_build(files: Path, change: str) -> None:
    assert build(files, "out")[0] == 0
    if change == "bank byte":
        path = files / "bank" / "bank.yaml"
        path.write_text(path.read_text().replace("One gradient step", "One gradient step!"))
    elif change == "new bank file":
        (files / "bank" / "more.yaml").write_text(
            "templates:\n  - id: extra\n    title: Extra\n    family: next-step\n    tags: {topics: [x], bloom: apply}\n")
        spec = files / "quiz.yaml"
        spec.write_text(spec.read_text().replace("[states, step]", "[states, step, extra]"))
    elif change == "spec":
        spec = files / "quiz.yaml"
        spec.write_text(spec.read_text().replace("seed: 3", "seed: 4"))
    elif change == "roster":
        with open(files / "roster.csv", "a", encoding="utf-8") as f:
            f.write("s3,Grace,g@example.edu\n")
    code, stdout, stderr = build(files, "out", "--force")
    assert code == 0, stderr
    assert tree(files / "out") == fresh(files)[0]


def test_a_roster_the_spec_names_is_read_again(files: Path) -> None:
    spec = files / "quiz.yaml"
    spec.write_text(spec.read_text() + "roster: {file: roster.csv}\n")
    args = ["build", str(spec), "--bank", str(files / "bank"), "--no-builtin", "-o"]
    assert CliRunner().invoke(cli, [*args, str(files / "out")]).exit_code == 0
    with open(files / "roster.csv", "a", encoding="utf-8") as f:
        f.write("s3,Grace,g@example.edu\n")
    assert CliRunner().invoke(cli, [*args, str(files / "out"), "--force"]).exit_code == 0
    assert CliRunner().invoke(cli, [*args, str(files / "fresh")], env={"QBANK_NO_CACHE": "1"}).exit_code == 0
    assert tree(files / "out") == tree(files / "fresh")
    assert "students/s3/quiz.json" in tree(files / "out")


def test_a_new_folder_in_a_bank_with_a_file_that_breaks_the_bank_is_reported(files: Path) -> None:
    assert build(files, "out")[0] == 0
    (files / "bank" / "sub").mkdir()
    (files / "bank" / "sub" / "bad.yaml").write_text("templates: [{id: 1}]\n")
    code, _, stderr = build(files, "out")
    assert code == 2 and "bad.yaml" in stderr


@pytest.mark.parametrize("damage", ["files", "entry", "truncate"])
def test_a_damaged_entry_is_a_fresh_build(files: Path, damage: str) -> None:
    assert build(files, "out")[0] == 0
    (entry,) = entries()
    if damage == "files":
        blob = bytearray((entry / "files.bin").read_bytes())
        blob[len(blob) // 2] ^= 0xFF
        (entry / "files.bin").write_bytes(bytes(blob))
    elif damage == "entry":
        (entry / "entry.json").write_text("{not json")
    else:
        (entry / "files.bin").write_bytes((entry / "files.bin").read_bytes()[:100])
    assert build(files, "out2")[0] == 0
    assert tree(files / "out2") == fresh(files)[0]


def test_a_cached_rebuild_keeps_the_rules_for_an_earlier_build_in_the_folder(files: Path) -> None:
    assert build(files, "gift-build", "-f", "gift")[0] == 0  # now kept in the cache
    assert build(files, "out", "-f", "canvas")[0] == 0
    code, _, stderr = build(files, "out", "-f", "gift")  # cached, but out holds the canvas build
    assert code != 0 and "canvas" in stderr
    assert build(files, "out", "-f", "gift", "--force")[0] == 0
    assert not any("canvas" in rel for rel in tree(files / "out"))


def test_no_cache_means_no_entry(files: Path) -> None:
    assert build(files, "out", env={"QBANK_NO_CACHE": "1"})[0] == 0
    assert entries() == []


def test_the_entry_holds_the_keys_so_it_is_private(files: Path) -> None:
    assert build(files, "out")[0] == 0
    (entry,) = entries()
    assert os.stat(entry).st_mode & 0o077 == 0
