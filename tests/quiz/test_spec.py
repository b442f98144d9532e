"""Quiz specs: what an instructor writes, and the errors they see when it is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.errors import InputError
from qbank.quiz.spec import QuizSpec, load_spec, quiz_schema_json, slug, spec_hash

from .quiz_testing import SPEC

ROOT = Path(__file__).resolve().parents[2]


def test_a_spec_loads_with_defaults_filled_in(write_spec: Callable[..., Path]) -> None:
    spec, _ = load_spec(write_spec())
    assert spec.title == "Week 3 check" and spec.seed == 7 and spec.variants == 3
    assert [s.title for s in spec.sections] == ["Computed", "Facts", "Explain"]
    assert spec.sections[0].select.ids == ("states", "step")
    assert spec.sections[2].count is None and spec.sections[2].variants == 1
    assert spec.quiz_id == "week-3-check"


def test_a_single_filter_value_may_be_written_without_a_list(write_spec: Callable[..., Path]) -> None:
    spec, _ = load_spec(write_spec("title: T\nseed: 1\nsections:\n  - select: {tags: dpo, bloom: apply}\n"))
    assert spec.sections[0].select.tags == ("dpo",)
    assert [b.value for b in spec.sections[0].select.bloom] == ["apply"]


@pytest.mark.parametrize(("text", "message"), [
    # missing and mistyped fields name the line and the field
    ("title: T\nsections:\n  - select: {ids: [states]}\n", r"quiz\.yaml:1: seed: required field is missing"),
    ("title: T\nseed: 1\nsections:\n  - selct: {ids: [states]}\n", r"quiz\.yaml:4: sections\[0\]\.selct: unknown field"),
    ("title: T\nseed: -3\nsections:\n  - {}\n", r"quiz\.yaml:2: seed: input should be greater than or equal to 0"),
    ("title: T\nseed: 1\nsections: []\n", r"quiz\.yaml:3: sections: .*should have at least 1 item"),
    ("title: T\nseed: 1\nsections:\n  - count: 0\n", r"quiz\.yaml:4: sections\[0\]\.count: input should be greater than or equal to 1"),
    ("title: T\nseed: 1\nsections:\n  - select: {bloom: [analyse]}\n",
     r"quiz\.yaml:4: sections\[0\]\.select\.bloom\[0\]: input should be 'remember', 'understand'"),
    ("title: T\nseed: 1\nvariants: 0\nsections:\n  - {}\n", r"quiz\.yaml:3: variants: input should be greater than or equal to 1"),
    ("title: T\nseed: 1\nsections:\n  - select: {ids: [a, b]}\n    count: 3\n",
     r"quiz\.yaml:4: sections\[0\]: count 3 is more than the 2 ids listed"),
    ("title: T\nseed: 1\nroster: {id: ''}\nsections:\n  - {}\n", r"quiz\.yaml:3: roster\.id: string should have at least 1 character"),
    ("title: [T\n", r"quiz\.yaml:2: invalid YAML"),
])
def test_bad_specs_name_file_line_and_field(write_spec: Callable[..., Path], text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_spec(write_spec(text))


def test_a_missing_spec_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.yaml: no such file"):
        load_spec(tmp_path / "nope.yaml")


def test_spec_hash_is_stable_and_follows_every_setting() -> None:
    spec = QuizSpec.model_validate(SPEC)
    assert spec_hash(spec) == spec_hash(QuizSpec.model_validate(SPEC))
    assert len(spec_hash(spec)) == 64
    assert spec_hash(spec) != spec_hash(QuizSpec.model_validate({**SPEC, "seed": 8}))
    # a default spelled out is the same spec
    assert spec_hash(spec) == spec_hash(QuizSpec.model_validate({**SPEC, "instructions": ""}))


@pytest.mark.parametrize(("title", "expected"), [
    ("Week 3 check", "week-3-check"),
    ("Übung: Kreuzentropie!", "ubung-kreuzentropie"),
    ("3rd quiz", "quiz-3rd-quiz"),
    ("???", "quiz"),
])
def test_quiz_ids_made_from_titles_are_file_name_safe(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_the_committed_quiz_schema_is_current() -> None:
    committed = (ROOT / "schema" / "quiz.schema.json").read_text(encoding="utf-8")
    assert committed == quiz_schema_json(), "run: qbank schema --quiz -o schema/quiz.schema.json"


def test_the_demo_spec_is_valid() -> None:
    spec, _ = load_spec(ROOT / "examples" / "demo-quiz.yaml")
    assert spec.quiz_id == "demo-quiz"


def test_the_spec_example_in_the_docs_is_valid(write_spec: Callable[..., Path]) -> None:
    text = (ROOT / "docs" / "quiz.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec, _ = load_spec(write_spec(example))
    assert spec.quiz_id == "demo-quiz" and spec.sections[1].allow_fewer_variants
