"""The sentence vectors behind paraphrase matching (the rubric extra, installed by dev)."""

from __future__ import annotations

import numpy as np
import pytest

from qbank.grader.embedding import available, embedder

pytestmark = pytest.mark.skipif(not available(), reason="the rubric extra (onnxruntime, tokenizers, the model) is not installed")


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch() -> None:
    e = embedder()
    a = e.encode(["The same weights serve every prompt.", "Painters mix red and yellow."])
    b = e.encode(["Painters mix red and yellow."])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.allclose(a[1], b[0], atol=1e-6)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence() -> None:
    e = embedder()
    ref, para, other = e.encode(["One set of weights answers every prompt.", "A single network serves all the questions.",
                                 "Painters mix the primary colours on a palette."])
    assert ref @ para > ref @ other + 0.1


def test_an_empty_or_symbol_only_text_gets_a_zero_vector() -> None:
    assert not embedder().encode(["", "!!!"])[0].any()


def test_distilled_vectors_are_kept_for_the_next_process(tmp_path, monkeypatch) -> None:
    from qbank.grader.embedding import Embedder, _files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = Embedder(*_files())
    v = first.encode(["gradients accumulate"])
    first._save_cache()
    second = Embedder(*_files())
    assert second._session is None  # nothing left to distil: the transformer is not even loaded
    assert np.allclose(second.encode(["gradients accumulate"]), v)
