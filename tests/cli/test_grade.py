"""`qbank grade` and `qbank stats`, run as an instructor would."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import builtin_bank
from qbank.quiz.manifest import Manifest, ManifestItem, StudentRecord

TEMPLATES = ["paris-states", "french-next-step", "primary-colors-preamble"]


def entry(slot: str, template: str, seed: int) -> ManifestItem:
    t = builtin_bank()[template]
    item = t.instantiate(seed)
    return ManifestItem(slot=slot, item=item.id, template=t.id, version=t.version, seed=seed,
                        points=item.points, content_hash=item.content_hash())


def key_letter(template: str, seed: int) -> str:
    return "ABCDEFG"[builtin_bank()[template].instantiate(seed).key[0]]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    students = [
        StudentRecord(student=f"s{i}", name=f"Student {i}",
                      items=tuple(entry(f"q{j + 1}", t, seed=i) for j, t in enumerate(TEMPLATES)))
        for i in range(1, 4)
    ]
    path = tmp_path / "quiz.manifest.json"
    path.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=tuple(students)).to_json())
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def responses(tmp_path: Path) -> Path:
    sample = builtin_bank()["primary-colors-preamble"].instantiate(1).sample_answer
    return write_csv(tmp_path / "responses.csv", [
        ["student", "item", "response"],
        ["s1", "q1", key_letter("paris-states", 1)],          # row 2: right
        ["s1", "2", key_letter("french-next-step", 1)],       # row 3: slot by number, right
        ["s1", "q3", sample],                                 # row 4: full marks
        ["s2", "q1", "Z"],                                    # row 5: format error
        ["s2", "q1", "A"],                                    # row 6: duplicate
        ["s9", "q1", "A"],                                    # row 7: unknown student
        ["s2", "q7", "A"],                                    # row 8: unknown item
        ["s3", builtin_bank()["paris-states"].instantiate(3).id, key_letter("paris-states", 3)],  # row 9: by item id
        ["s3", "q3", "The temperature was too high."],        # row 10: graded, 0
    ])


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_grade_writes_grades_errors_and_feedback(tmp_path: Path, manifest: Path) -> None:
    out, fb = tmp_path / "grades.csv", tmp_path / "grades.json"
    result = run("grade", str(manifest), str(responses(tmp_path)), "-o", str(out), "--feedback", str(fb))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    grades = read_csv(out)
    assert [g["student"] for g in grades] == ["s1", "s2", "s3"]
    assert grades[0] == {"student": "s1", "name": "Student 1", "q1": "1", "q2": "1", "q3": "5", "total": "7", "max": "7"}
    assert (grades[1]["q1"], grades[1]["total"]) == ("0", "0")
    assert (grades[2]["q1"], grades[2]["q3"]) == ("1", "0")
    errors = read_csv(tmp_path / "grades.errors.csv")
    reasons = {(e["row"], e["student"], e["item"]): e["reason"] for e in errors}
    assert reasons[("5", "s2", "q1")].startswith("format error (scored 0): There is no option Z")
    assert reasons[("6", "s2", "q1")] == "duplicate response for q1 (row 5 is graded)"
    assert reasons[("7", "s9", "q1")].startswith("unknown student")
    assert reasons[("8", "s2", "q7")].startswith("unknown item")
    missing = {(e["student"], e["item"]) for e in errors if e["row"] == ""}
    assert missing == {("s2", "q2"), ("s2", "q3"), ("s3", "q2")}
    # nothing dropped: 9 data rows = 5 graded + 4 listed with their row number
    assert len([e for e in errors if e["row"]]) + 5 == 9
    doc = json.loads(fb.read_text(encoding="utf-8"))
    s1 = doc["students"][0]["items"]
    assert s1["q3"]["score"] == 5 and all(c["met"] for c in s1["q3"]["criteria"])
    assert doc["students"][1]["items"]["q1"]["status"] == "format_error"


def test_json_responses(tmp_path: Path, manifest: Path) -> None:
    path = tmp_path / "responses.json"
    path.write_text(json.dumps([{"student": "s1", "item": "q1", "response": key_letter("paris-states", 1)}]))
    out = tmp_path / "g.csv"
    assert run("grade", str(manifest), str(path), "-o", str(out)).exit_code == 0
    assert read_csv(out)[0]["q1"] == "1"


def test_missing_column_is_exit_2_naming_file_and_column(tmp_path: Path, manifest: Path) -> None:
    bad = write_csv(tmp_path / "r.csv", [["student", "answer"], ["s1", "A"]])
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(bad), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert f"{bad}: missing column 'item'" in result.output
    assert not (tmp_path / "g.csv").exists()


def test_hash_mismatch_is_an_error_not_a_regrade(tmp_path: Path, manifest: Path) -> None:
    data = json.loads(manifest.read_text())
    data["students"][0]["items"][0]["content_hash"] = "f" * 64
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses(tmp_path)), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert "no longer matches the manifest" in result.output
    assert not (tmp_path / "g.csv").exists() and not (tmp_path / "g.errors.csv").exists()


def test_stats_table_csv_and_flags(tmp_path: Path, manifest: Path) -> None:
    fb = tmp_path / "grades.json"
    run("grade", str(manifest), str(responses(tmp_path)), "-o", str(tmp_path / "g.csv"), "--feedback", str(fb))
    result = run("stats", str(fb), "-o", str(tmp_path / "stats.csv"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == ["item", "facility", "r_pb", "D(27%)", "flags"]
    assert "3 students; KR-20 = " in result.stdout  # every score here is 0 or full marks
    rows = read_csv(tmp_path / "stats.csv")
    templates = [r for r in rows if r["variant"] == "" and not r["item"].startswith("(")]
    assert [r["item"] for r in templates] == TEMPLATES  # one row per template, its variants pooled
    assert templates[1]["facility"] == "0.3333"
    assert "distractor nobody chose" in templates[0]["flags"]
    # ... each followed by its variants (each student here got a variant of their own)
    variants = [r for r in rows if r["item"] == "french-next-step" and r["variant"]]
    assert sorted(r["variant"] for r in variants) == sorted(builtin_bank()["french-next-step"].instantiate(i).id for i in (1, 2, 3))
    assert sorted(r["facility"] for r in variants) == ["0", "0", "1"]


def test_stats_are_per_template_when_a_shuffled_section_mixes_templates_in_a_slot(tmp_path: Path) -> None:
    # s1 has paris-states in q1, s2 has it in q2 (a shuffled section): q1 is not one item
    order = {1: TEMPLATES[:2], 2: TEMPLATES[1::-1], 3: TEMPLATES[:2], 4: TEMPLATES[1::-1]}
    students = [StudentRecord(student=f"s{i}", items=tuple(entry(f"q{j + 1}", t, seed=i) for j, t in enumerate(ts)))
                for i, ts in order.items()]
    man = tmp_path / "m.json"
    man.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=tuple(students)).to_json())
    # everyone answers paris-states right and french-next-step wrong, wherever it sits
    rows = [["student", "item", "response"]]
    for i, ts in order.items():
        for j, t in enumerate(ts):
            right = key_letter(t, i)
            rows.append([f"s{i}", f"q{j + 1}", right if t == "paris-states" else ("A" if right != "A" else "B")])
    fb = tmp_path / "g.json"
    run("grade", str(man), str(write_csv(tmp_path / "r.csv", rows)), "-o", str(tmp_path / "g.csv"), "--feedback", str(fb))
    assert run("stats", str(fb), "-o", str(tmp_path / "s.csv")).exit_code == 0
    stats = {r["item"]: r for r in read_csv(tmp_path / "s.csv") if r["variant"] == ""}
    assert stats["paris-states"]["facility"] == "1" and stats["paris-states"]["n"] == "4"
    assert stats["french-next-step"]["facility"] == "0"
    assert "q1" not in stats


def test_stats_plot_needs_the_plot_extra(tmp_path: Path, manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fb = tmp_path / "grades.json"
    run("grade", str(manifest), str(responses(tmp_path)), "-o", str(tmp_path / "g.csv"), "--feedback", str(fb))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(cli, ["stats", str(fb), "--plot", str(tmp_path / "p.png")])
    assert result.exit_code == 1
    assert "install the plot extra" in result.output
    assert not (tmp_path / "p.png").exists()


def test_stats_plot_is_a_png(tmp_path: Path, manifest: Path) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    fb = tmp_path / "grades.json"
    run("grade", str(manifest), str(responses(tmp_path)), "-o", str(tmp_path / "g.csv"), "--feedback", str(fb))
    assert run("stats", str(fb), "--plot", str(tmp_path / "p.png")).exit_code == 0
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stats_reads_a_grades_csv_through_the_json_grade_writes_beside_it(tmp_path: Path, manifest: Path) -> None:
    grades = tmp_path / "grades.csv"
    assert run("grade", str(manifest), str(responses(tmp_path)), "-o", str(grades)).exit_code == 0
    assert (tmp_path / "grades.json").is_file()  # the feedback JSON is always written
    from_csv = run("stats", str(grades))
    from_json = run("stats", str(tmp_path / "grades.json"))
    assert from_csv.exit_code == 0 and from_csv.stdout == from_json.stdout


def test_stats_on_a_csv_without_its_json_says_what_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "grades.csv", [["student", "q1"], ["s1", "1"]])
    result = CliRunner().invoke(cli, ["stats", str(path)])
    assert result.exit_code == 2
    assert "grades.json" in result.output and "which is missing" in result.output
