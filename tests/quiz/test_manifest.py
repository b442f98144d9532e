"""The manifest file: written as json.dumps(indent=2) writes it, whatever it holds."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.quiz.manifest import Manifest, ManifestItem, StudentRecord

HASH = "0123456789abcdef" * 4

texts = st.text(st.characters(codec="utf-8"), max_size=12) | st.text(max_size=12)  # the second may hold surrogates
points = st.floats(min_value=1e-12, max_value=1e30, allow_nan=False, allow_infinity=False, exclude_min=True) | st.sampled_from(
    [1.0, 2.5, 0.1, 1e-4, 9.999e-5, 1e16, 9999999999999998.0, 1 / 3]
)
entries = st.builds(
    lambda slot, points, seed: ManifestItem(slot=f"q{slot}", item=f"t-v1-s{seed}", template="t", version=1, seed=seed,
                                            points=points, content_hash=HASH),
    st.integers(1, 999), points, st.integers(0, 2**63),
)
records = st.builds(
    lambda student, name, email, items: StudentRecord(student=student, name=name, email=email, items=tuple(
        {e.slot: e for e in items}.values())),
    texts.filter(bool), texts, texts, st.lists(entries, max_size=3),
)


def standard(manifest: Manifest) -> str:
    return json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(title=texts, students=st.lists(records, max_size=3, unique_by=lambda r: r.student),
       groups=st.dictionaries(st.sampled_from(["g-1", "g-2"]), st.lists(entries, max_size=2).map(tuple)))
def test_the_manifest_file_is_the_standard_librarys_indented_json(title: str, students: list[StudentRecord],
                                                                   groups: dict[str, tuple[ManifestItem, ...]]) -> None:
    manifest = Manifest(quiz_id="quiz-1", title=title, seed=7, spec_hash=HASH, students=tuple(students), groups=groups)
    assert manifest.to_json() == standard(manifest)


def test_an_empty_manifest_is_written_the_same_way() -> None:
    manifest = Manifest(quiz_id="quiz-1", title="", seed=0, spec_hash=HASH)
    assert manifest.to_json() == standard(manifest)
    assert json.loads(manifest.to_json())["students"] == []
