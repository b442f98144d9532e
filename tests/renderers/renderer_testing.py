"""Fixtures shared by the renderer tests.

Owned by the XML LMS renderers (canvas, qti21, qti3, moodle); other renderer tests may use
them too. Text-format fixtures live in tests/renderers/fixtures_text.py.

* ``every_type_items``: one hand-built item of every item type (the bank may not cover them
  all), including a multipart with a part of each auto-graded type, so every mapping runs.
* ``hostile_item``: a single-choice item whose stem and options carry ``<script>``, ``]]>``,
  ``&amp;``, GIFT control characters, right-to-left text and emoji.
* ``bank_items``: every built-in template at three seeds.
* ``validate``: a session-scoped runner of ../shared/lms/validate that checks many files in one
  call per format and skips (saying why) when the validator is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qbank.questions import Assessment, Group, Section, builtin_bank
from qbank.questions.items import (
    MatchingPart,
    MultipleResponsePart,
    NumericPart,
    OrderingPart,
    ShortTextPart,
    SingleChoicePart,
    TrueFalsePart,
)
from qbank.questions.rubric import Cap, Criterion, Rubric
from qbank.questions.tags import Tags

REPO = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3)
HOSTILE = "<script>alert(1)</script> ]]> &amp; & ~ = # { } : \\ مرحبا שלום 🤖👍🏽"

_META = {"version": 1, "tags": Tags(bloom="apply", topics=("testing",))}


def _item(template: str, seed: int = 0, **content: Any) -> Any:
    from qbank.questions import ITEM_TYPES

    cls = ITEM_TYPES[content["type"]]
    content.setdefault("title", template.replace("-", " ").capitalize())
    return cls(id=f"{template}-v1-s{seed}", template=template, seed=seed, **_META, **content)


def _rubric() -> Rubric:
    return Rubric(
        criteria=(
            Criterion(id="C1", title="Per-token loss", weight=2, description="Names the per-token NLL.",
                      cues=(r"per[- ]token",)),
            Criterion(id="C2", title="Shared parameters", weight=1, description="Gradients add up.",
                      cues=(r"shared",)),
        ),
        caps=(Cap(unless=("C1",), max_score=0.5, reason="Without the decomposition the rest is guesswork."),),
        required_for_full=("C1",),
    )


def make_every_type_items() -> list[Any]:
    """One item of each type, with feedback, math and explanations."""
    opts = [
        {"text": "$p = 0.5$ gives $-\\ln p \\approx 0.693$", "correct": True, "feedback": "Right: $-\\ln 0.5$."},
        {"text": "It is *zero*", "feedback": "Only when $p = 1$.", "misconception": "M-SIGN"},
        {"text": "It is `1`", "feedback": "That is $p$, not the loss."},
    ]
    return [
        _item("t-single", type="single_choice", stem="What is the loss for $p = 0.5$?\n\n| p | loss |\n|--:|---|\n| 0.5 | ? |",
              options=opts, shuffle=True, explanation="The loss is $-\\ln p$."),
        _item("t-multi", type="multiple_response", stem="Which are probabilities?",
              options=[{"text": "0.2", "correct": True}, {"text": "0.7", "correct": True, "feedback": "Yes."},
                       {"text": "1.3", "feedback": "Above 1."}, {"text": "-0.1", "feedback": "Negative."}],
              explanation="Probabilities lie in [0, 1]."),
        _item("t-multi-partial", type="multiple_response", stem="Pick the even numbers.", scoring="partial",
              options=[{"text": "2", "correct": True}, {"text": "3"}, {"text": "4", "correct": True}]),
        _item("t-multi-aon", type="multiple_response", stem="Pick the primes.", scoring="all_or_nothing",
              options=[{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}]),
        _item("t-tf", type="true_false", stem="Softmax outputs sum to 1.", answer=True,
              feedback_true="Yes.", feedback_false="They always do.", explanation="By construction."),
        _item("t-num-abs", type="numeric", stem="Compute $-\\ln 0.25$ to 3 decimals.", answer=1.386,
              tolerance={"absolute": 0.001}, decimals=3, unit="nats",
              distractors=[{"value": 0.602, "misconception": "M-LOG-BASE", "feedback": "That is $\\log_{10} 4$."}],
              explanation="$\\ln 4 = 1.386$."),
        _item("t-num-rel", type="numeric", stem="Perplexity of a uniform 50-way guess?", answer=50.0,
              tolerance={"relative": 0.02}),
        _item("t-num-both", type="numeric", stem="A tiny loss.", answer=0.002, tolerance={"absolute": 0.0001, "relative": 0.1}),
        _item("t-num-sig", type="numeric", stem="$e^{-1}$ to 3 significant figures.", answer=0.367879441171,
              tolerance={"sigfig": 3}),
        _item("t-short", type="short_text", stem="Name the function that turns logits into probabilities.",
              answers=["softmax", "soft-max"],
              distractors=[{"text": "sigmoid", "misconception": "M-SIGMOID", "feedback": "Sigmoid is for two classes."}],
              explanation="Softmax."),
        _item("t-short-case", type="short_text", stem="Symbol for the learning rate, Greek name?", answers=["Eta"],
              case_sensitive=True),
        _item("t-order", type="ordering", stem="Order the training stages.",
              entries=["RLHF", "Pretraining", "SFT"], answer=[1, 2, 0], explanation="Pretrain, then SFT, then RLHF."),
        _item("t-order-exact", type="ordering", stem="Order by size.", entries=["10", "1", "5"], answer=[1, 2, 0],
              scoring="exact"),
        _item("t-match", type="matching", stem="Match each loss to its task.",
              prompts=["Cross-entropy", "DPO loss", "MSE"], choices=["Regression", "Classification", "Preferences", "Ranking"],
              answer=[1, 2, 0], explanation="Standard pairings."),
        _item("t-match-aon", type="matching", stem="Match.", prompts=["a", "b"], choices=["x", "y"],
              answer=[1, 0], scoring="all_or_nothing"),
        _item("t-open", type="open_response", stem="Why does the model learn the preamble?", rubric=_rubric(),
              sample_answer="The per-token loss with shared parameters rewards it.", min_words=40,
              explanation="See the rubric."),
        _item("t-multipart", type="multipart", stem="A model gives $p = 0.25$ to the gold token.",
              explanation="Work each part.", parts=[
                  NumericPart(label="a", prompt="Loss in nats?", answer=1.386294361, tolerance={"absolute": 0.01}, weight=2),
                  SingleChoicePart(label="b", prompt="Is that high?", options=[
                      {"text": "Higher than for $p = 0.5$", "correct": True, "feedback": "Yes."},
                      {"text": "Lower than for $p = 0.5$", "feedback": "Lower p, higher loss."}]),
                  TrueFalsePart(label="c", prompt="The loss is negative.", answer=False, feedback_true="Never."),
                  ShortTextPart(label="d", prompt="Name the loss.", answers=["cross-entropy", "NLL"]),
                  MultipleResponsePart(label="e", prompt="Which raise the loss?", options=[
                      {"text": "lower $p$", "correct": True}, {"text": "higher $p$"}, {"text": "a smaller vocabulary"}]),
                  MatchingPart(label="f", prompt="Match.", prompts=["$p=1$", "$p=0.5$"], choices=["0", "0.693"],
                               answer=[0, 1]),
                  OrderingPart(label="g", prompt="Order by loss, lowest first.", entries=["$p=0.1$", "$p=0.9$"],
                               answer=[1, 0]),
              ]),
    ]


def make_hostile_item() -> Any:
    return _item(
        "t-hostile", type="single_choice", title=f"Hostile {HOSTILE}",
        stem=f"Stem {HOSTILE} end", explanation=f"Explained {HOSTILE}",
        options=[{"text": f"Right {HOSTILE}", "correct": True, "feedback": f"Feedback {HOSTILE}"},
                 {"text": "Wrong ]]> <b>bold</b>"}],
    )


@pytest.fixture(scope="session")
def every_type_items() -> list[Any]:
    return make_every_type_items()


@pytest.fixture(scope="session")
def hostile_item() -> Any:
    return make_hostile_item()


@pytest.fixture(scope="session")
def bank_items() -> list[Any]:
    """Every built-in template at several seeds."""
    return [template.instantiate(seed) for template in builtin_bank() for seed in SEEDS]


def grouped_assessment(items: list[Any], title: str = "Every type") -> Assessment:
    """Fixed items plus a 'pick 1 of 3' group of variants, in two sections."""
    fixed = tuple(Group(id=f"g{i}", title=item.title, items=(item,)) for i, item in enumerate(items))
    pool = tuple(items[:3])
    return Assessment(id="every-type", title=title, instructions="Answer *all* questions.", sections=(
        Section(title="Fixed", groups=fixed),
        Section(title="Drawn", groups=(Group(id="pool", title="Pick one / of three", pick=1, points=2, items=pool),)),
    ))


# ---------------------------------------------------------------------------------------
# The third-party validator
# ---------------------------------------------------------------------------------------


def _validator_path() -> Path | None:
    from lms_validator import validator_path

    return validator_path()


class Validator:
    """Collects files per format during a session and checks each format in one call."""

    def __init__(self, path: Path, workdir: Path):
        self.path = path
        self.workdir = workdir
        self._results: dict[tuple[str, tuple[Path, ...]], subprocess.CompletedProcess[str]] = {}

    def __call__(self, fmt: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
        key = (fmt, tuple(files))
        if key not in self._results:
            self._results[key] = subprocess.run(
                [sys.executable, str(self.path), "--format", fmt, *map(str, files)],
                capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        return self._results[key]


@pytest.fixture(scope="session")
def validate(tmp_path_factory: pytest.TempPathFactory) -> Validator:
    path = _validator_path()
    if path is None:
        from lms_validator import SKIP_REASON

        pytest.skip(SKIP_REASON)
    return Validator(path, tmp_path_factory.mktemp("lms"))


ValidateFn = Callable[[str, list[Path]], "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def lms_assessment(every_type_items: list[Any], hostile_item: Any, bank_items: list[Any]) -> Assessment:
    """Everything in one assessment, so each format is validated by one validator call."""
    return grouped_assessment([*every_type_items, hostile_item, *bank_items])


# ---------------------------------------------------------------------------------------
# Reading HTML back out of escaped text
# ---------------------------------------------------------------------------------------


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(fragment_html: str | None) -> str:
    """The text a browser shows for an HTML fragment, whitespace collapsed."""
    parser = _Text()
    parser.feed(fragment_html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


def html_tags(fragment_html: str | None) -> list[str]:
    """The element names an HTML fragment would create in a browser."""
    parser = _Text()
    parser.feed(fragment_html or "")
    parser.close()
    return parser.tags


def markdown_text(markdown: str, *, inline: bool = False) -> str:
    """What a Markdown string shows once rendered (the reference for round trips)."""
    from qbank.renderers._markup import to_html

    return html_text(to_html(markdown, inline=inline))
