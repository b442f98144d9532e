"""Fuzzing every file a user hands qbank: each one is mutated from a valid one, and whatever the
mutation, no traceback reaches the user, a failure is exit 2 naming the file, and nothing is
half-written.

To fuzz a new reader (the LMS result files, once `qbank grade` reads them), add a `Target` to
TARGETS: a valid file and the command that reads it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.cli import cli

from quiz.quiz_testing import BANK, SPEC, roster_rows

# Examples per target: 60 keeps the fuzzers within seconds; QBANK_FUZZ_EXAMPLES=2000 for a long
# run, and QBANK_FUZZ_REPORT=1 (with -s) prints each target's exit codes and error messages.
EXAMPLES = int(os.environ.get("QBANK_FUZZ_EXAMPLES", "60"))
REPORT = bool(os.environ.get("QBANK_FUZZ_REPORT"))

# Pieces that break parsers and validators: YAML syntax, aliases and tags, CSV quoting,
# control and bidirectional characters, markup, templating, huge and odd numbers.
NASTY = ["\n", ": ", "- ", "{", "}", "[", "]", "&a ", "*a", "!!python/object/apply:os.system ['true']", "!!binary",
         "\t", '"', "'", ",", ";", "\x00", "\ufeff", "\u202e", "\u200b", "\r", "<script>alert(1)</script>", "]]>",
         "{{ x }}", "{% if %}", "~", "=cmd|' /C calc'!A0", "1e309", "-1", "0", "nan", "null", "true", "999999999999999999999",
         "\n  ", "#", "%", "\\", "é", "q1", "s001", "---\n", "...\n", "<<: *a\n", "x" * 300,
         '"\\x0c"', '"\\ud800"', '"\\e[31m"', '"a\\x00b"']  # YAML escapes for characters no export can carry


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after one to four random edits: delete a span, insert a nasty piece, replace a
    character, duplicate or drop a line, or truncate."""
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        op = draw(st.sampled_from(["delete", "insert", "replace", "dup_line", "drop_line", "truncate"]))
        at = draw(st.integers(0, max(n - 1, 0)))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif op == "insert":
            text = text[:at] + draw(st.sampled_from(NASTY) | st.text(max_size=8)) + text[at:]
        elif op == "replace" and n:
            text = text[:at] + draw(st.characters()) + text[at + 1:]
        elif op in ("dup_line", "drop_line"):
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i:i + 1] = [lines[i], lines[i]] if op == "dup_line" else []
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[:at]
    return text


@dataclass(frozen=True)
class Target:
    """One kind of input file: a valid example, where it goes, and the command that reads it."""

    name: str
    file: str                                   # the file's name in the work folder
    valid: Callable[[Path], str]                # the valid text (may write helper files into the folder)
    command: Callable[[Path], list[str]]        # the qbank arguments, given the work folder
    outputs: tuple[str, ...] = ()               # what the command writes: absent after a failure


def _roster_text() -> str:
    return "Student ID,Name,Email\n" + "".join(f"{r['Student ID']},{r['Name']},{r['Email']}\n" for r in roster_rows(3))


def _bank(work: Path) -> str:
    return BANK


def _spec(work: Path) -> str:
    (work / "bank.yaml").write_text(BANK, encoding="utf-8")
    return yaml.safe_dump(SPEC, sort_keys=False)


def _roster(work: Path) -> str:
    (work / "bank.yaml").write_text(BANK, encoding="utf-8")
    (work / "quiz.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
    return _roster_text()


def _manifest(work: Path) -> dict[str, Any]:
    """Build the quiz once (cached per folder) and return its manifest."""
    if not (work / "built" / "manifest.json").exists():
        _roster(work)
        (work / "roster.csv").write_text(_roster_text(), encoding="utf-8")
        result = CliRunner().invoke(cli, [*_build_args(work, "roster.csv"), "-o", str(work / "built"), "-f", "json", "-q"])
        assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads((work / "built" / "manifest.json").read_text(encoding="utf-8"))
    return data


def _responses_csv(work: Path) -> str:
    manifest = _manifest(work)
    rows = ["student,item,response"]
    for s in manifest["students"]:
        rows += [f"{s['student']},{e['slot']},{answer}" for e, answer in zip(s["items"], ["A", "0.25", "B", "It drifts."])]
    return "\n".join(rows) + "\n"


def _responses_json(work: Path) -> str:
    manifest = _manifest(work)
    return json.dumps([{"student": s["student"], "item": e["slot"], "response": "A"}
                       for s in manifest["students"] for e in s["items"]], indent=1)


def _build_args(work: Path, roster: str | None) -> list[str]:
    args = ["build", str(work / "quiz.yaml"), "--no-builtin", "--bank", str(work / "bank.yaml")]
    if roster:
        args += ["--roster", str(work / roster), "--id-column", "Student ID", "--name-column", "Name", "--email-column", "Email"]
    return args


TARGETS = [
    Target("bank file", "bank.yaml", _bank, lambda w: ["validate", "--seeds", "2", str(w / "bank.yaml")]),
    Target("quiz spec", "quiz.yaml", _spec, lambda w: [*_build_args(w, None), "-o", str(w / "out"), "-f", "md,gift,qti21", "-q"],
           ("out",)),
    Target("roster", "roster.csv", _roster, lambda w: [*_build_args(w, "roster.csv"), "-o", str(w / "out"), "-f", "md", "-q"],
           ("out",)),
    Target("responses CSV", "responses.csv", _responses_csv,
           lambda w: ["grade", str(w / "built" / "manifest.json"), str(w / "responses.csv"), "--no-builtin",
                      "--bank", str(w / "bank.yaml"), "-o", str(w / "grades.csv")], ("grades.csv",)),
    Target("responses JSON", "responses.json", _responses_json,
           lambda w: ["grade", str(w / "built" / "manifest.json"), str(w / "responses.json"), "--no-builtin",
                      "--bank", str(w / "bank.yaml"), "-o", str(w / "grades.csv")], ("grades.csv",)),
]
CODES: dict[str, list[int]] = {}
MESSAGES: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def workdirs() -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory() as root:
        yield {t.name: Path(root) / re.sub(r"\W", "-", t.name) for t in TARGETS}


@pytest.mark.fuzz
@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_a_mutated_input_fails_cleanly_or_works(target: Target, workdirs: dict[str, Path]) -> None:
    work = workdirs[target.name]
    work.mkdir(parents=True, exist_ok=True)
    valid = target.valid(work)
    (work / target.file).write_text(valid, encoding="utf-8")
    first = CliRunner().invoke(cli, target.command(work))
    assert first.exit_code == 0, f"the valid {target.name} fails: {first.output}"
    for out in target.outputs:
        _remove(work / out)
    count = [0]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(mutated(valid))
    def fuzz(text: str) -> None:
        count[0] += 1
        (work / target.file).write_bytes(text.encode("utf-8", "surrogatepass"))
        for out in target.outputs:
            _remove(work / out)
        result = CliRunner().invoke(cli, target.command(work))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"a traceback reached the user for this {target.name}:\n{text!r}") from result.exception
        CODES.setdefault(target.name, []).append(result.exit_code)
        if REPORT and result.exit_code == 2:
            MESSAGES.setdefault(target.name, set()).add(result.output.strip().splitlines()[-1][:160])
        assert result.exit_code in (0, 2), (result.exit_code, result.output, text)
        if result.exit_code == 2:
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert lines and all(target.file in line for line in lines), f"not every line names {target.file}: {result.output}"
            for out in target.outputs:
                assert not (work / out).exists(), f"{out} half-written after: {result.output}"

    fuzz()
    if REPORT:
        from collections import Counter
        print(target.name, count[0], Counter(CODES.get(target.name, [])))
        for m in sorted(MESSAGES.get(target.name, ()))[:400]:
            print("   ", m)
    assert count[0] >= EXAMPLES // 2


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
