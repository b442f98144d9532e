"""`qbank grade` of a class in chunks gives, byte for byte, what grading the whole class at once gives.

The class repeats itself as a real one does: static questions every student gets alike, an
open question on fixed data whose answers are shared by many students, and the usual mess
(blank cells, garbled answers, rows for nobody, second answers, slots named by number or by
item id). The streamed grader (three students a chunk, so that chunks end mid-class) is
compared with the whole-class path, :func:`grade_responses` and the report functions, which
`qbank import-results` also uses.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank._files import csv_text, read_json
from qbank.cli import cli
from qbank.errors import InputError
from qbank.grader import streaming
from qbank.grader.gradebook import ResponseRow, grade_responses
from qbank.grader.report import errors_csv, feedback_json, grades_csv, review_csv, stats_csv, stats_from_document, stats_from_gradebook
from qbank.questions import builtin_bank
from qbank.questions.selftest import self_test
from qbank.quiz import build_quiz, load_spec, parse_roster
from qbank.quiz.manifest import Manifest

SPEC = """\
title: A class that repeats itself
id: repeats
seed: 11
variants: 2
sections:
  - select: {ids: [paris-states, token-loss, kl-estimators]}
    shuffle_items: true
  - select: {ids: [define-teacher-forcing, ce-one-hot-true-false, rlhf-pipeline-order, alignment-terms-matching]}
    variants: 1
    allow_fewer_variants: true
  - select: {ids: [ppo-clip, primary-colors-preamble]}
    points: 3
    allow_fewer_variants: true
"""
OPEN = ["", "The model was trained too long.", "Maximum likelihood on shared weights: most responses start with the preamble."]


def class_files(folder: Path, n: int = 14) -> tuple[Path, Path]:
    (folder / "quiz.yaml").write_text(SPEC, encoding="utf-8")
    spec, source = load_spec(folder / "quiz.yaml")
    roster = parse_roster("id,name\n" + "".join(f"s{i},Student {i}\n" for i in range(n)), "roster.csv")
    result = build_quiz(spec, builtin_bank(), roster, source=source)
    manifest = folder / "manifest.json"
    manifest.write_text(result.manifest.to_json(), encoding="utf-8")
    rng = random.Random(5)
    rows = [["student", "item", "response"]]
    for paper in result.papers:
        for n_slot, group in enumerate(paper.assessment.groups(), 1):
            item = group.items[0]
            name = rng.choice([group.id, str(n_slot), group.id.upper(), item.id])
            if item.type == "open_response":
                answer = rng.choice([*OPEN, item.sample_answer])
            else:
                answer = rng.choice([c.raw for c in self_test(item)] + ["", "idk"])
            if rng.random() < 0.9:
                rows.append([paper.student.id, name, answer])
        if rng.random() < 0.3:
            rows.append([paper.student.id, "q1", "B"])  # a second answer
    rows += [["nobody", "q1", "A"], ["s1", "q99", "A"]]
    rows[1:] = rng.sample(rows[1:], len(rows) - 1)  # as an export ordered by question or by time has them
    responses = folder / "responses.csv"
    responses.write_text(csv_text(rows), encoding="utf-8")
    return manifest, responses


def test_chunked_grading_writes_what_whole_class_grading_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest, responses = class_files(tmp_path)
    monkeypatch.setattr(streaming, "CHUNK", 3)
    out = tmp_path / "out" / "grades.csv"
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(out), "--stats", str(tmp_path / "out" / "stats.csv")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output

    man = Manifest.load(manifest)
    from qbank.cli.grade import _read_responses

    rows = [ResponseRow(*r) for r in _read_responses(str(responses))]
    book = grade_responses(man, man.regenerate(builtin_bank()), rows)
    assert book.graded > 0 and any(c.status == "format_error" for _, cells in book.students for c in cells.values())
    feedback = feedback_json(book, man)
    expected = {"grades.csv": grades_csv(book), "grades.errors.csv": errors_csv(book), "grades.json": feedback,
                "grades.review.csv": review_csv(book), "stats.csv": stats_csv(stats_from_gradebook(book))}
    for name, text in expected.items():
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == text, name
    # the feedback is json.dumps's text of its document, and statistics from the file are those of the run
    doc = json.loads(feedback)
    assert feedback == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert stats_csv(stats_from_document(doc)) == expected["stats.csv"]
    # the class did repeat itself: one static item's answers, many students each
    repeated = [e["response"] for s in doc["students"] for e in s["items"].values() if e["template"] == "define-teacher-forcing"]
    assert len(repeated) > len(set(repeated)) > 1


def test_an_empty_class_writes_empty_outputs_as_before(tmp_path: Path) -> None:
    manifest, _ = class_files(tmp_path, n=2)
    responses = tmp_path / "none.csv"
    responses.write_text("student,item,response\n", encoding="utf-8")
    out = tmp_path / "g.csv"
    assert CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(out)]).exit_code == 0
    man = Manifest.load(manifest)
    book = grade_responses(man, man.regenerate(builtin_bank()), [])
    assert (tmp_path / "g.json").read_text(encoding="utf-8") == feedback_json(book, man)
    assert (tmp_path / "g.errors.csv").read_text(encoding="utf-8") == errors_csv(book)


def test_a_changed_item_is_reported_before_an_unreadable_responses_file(tmp_path: Path) -> None:
    manifest, _ = class_files(tmp_path, n=4)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["students"][3]["items"][2]["content_hash"] = "f" * 64  # the last student's: met only at the end
    manifest.write_text(json.dumps(data), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("student,item\ns0,q1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(bad), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert "no longer matches the manifest" in result.output
    assert not list(tmp_path.glob("g*"))


def test_a_lone_surrogate_escape_is_refused_and_an_escaped_backslash_is_not(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"a": ["ok", "\\ud800"]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"a\[1\]: holds a lone surrogate"):
        read_json(path, what="a test")
    path.write_text('{"a": "\\\\ud800", "b": "\\ud83d\\ude00"}', encoding="utf-8")
    assert read_json(path, what="a test") == {"a": "\\ud800", "b": "\U0001f600"}


@pytest.mark.parametrize("spoil", ["duplicate student", "negative seed", "unknown key", "students not a list"])
def test_a_bad_manifest_gets_the_error_a_full_read_gives(tmp_path: Path, spoil: str) -> None:
    manifest, responses = class_files(tmp_path, n=3)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if spoil == "duplicate student":
        data["students"][2]["student"] = data["students"][0]["student"]
    elif spoil == "negative seed":
        data["students"][1]["items"][4]["seed"] = -1
    elif spoil == "unknown key":
        data["students"][2]["grade"] = 1
    else:
        data["students"] = {"s0": data["students"][0]}
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as full:
        Manifest.load(manifest)
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert str(full.value) in result.output


def _written_otherwise(text: str, form: str) -> str:
    data = json.loads(text)
    if form == "compact":
        return json.dumps(data, separators=(",", ":"))
    if form == "bom, CRLF, students last":
        students = data.pop("students")
        return "\ufeff" + json.dumps({**data, "students": students}, indent="\t").replace("\n", "\r\n") + "\r\n"
    if form == "students given twice":  # json keeps the last
        return text.replace('{\n', '{\n  "students": [],\n', 1)
    assert form == "an emoji escaped in a name"
    return text.replace('"name": "Student 1"', '"name": "Student 1 \\ud83d\\ude00"')


@pytest.mark.parametrize("form", ["compact", "bom, CRLF, students last", "students given twice", "an emoji escaped in a name"])
def test_a_manifest_read_a_piece_at_a_time_grades_as_one_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    form: str) -> None:
    from qbank import _json_pieces
    from qbank.quiz.manifest import LeanManifest, load_lean

    manifest, responses = class_files(tmp_path, n=5)
    other = tmp_path / "other.json"
    other.write_text(_written_otherwise(manifest.read_text(encoding="utf-8"), form), encoding="utf-8", newline="")
    monkeypatch.setattr(_json_pieces, "BLOCK", 101)  # every few values cut by the end of a block
    # the usual manifest and its plain rewritings are read piecewise; the others the usual way
    assert isinstance(load_lean(manifest), LeanManifest)
    assert isinstance(load_lean(other), LeanManifest) == (form in ("compact", "bom, CRLF, students last"))
    outputs = []
    for path in (manifest, other):
        out = tmp_path / path.stem
        result = CliRunner().invoke(cli, ["grade", str(path), str(responses), "-o", str(out / "g.csv")], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    expected = Manifest.load(manifest)
    if form == "an emoji escaped in a name":
        assert b"Student 1 \xf0\x9f\x98\x80" in outputs[1]["g.csv"]
        outputs[1] = {k: v.replace(b"Student 1 \xf0\x9f\x98\x80", b"Student 1") for k, v in outputs[1].items()}
    assert len(outputs[0]) == 4 and outputs[0] == outputs[1]
    assert expected.students[1].name == "Student 1"
