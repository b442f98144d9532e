"""Shared test data for the quiz tests: a small bank of known templates, a spec, roster rows."""

from __future__ import annotations

from typing import Any

BANK = """\
templates:
  - id: states
    title: Comparing two training states
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze, keywords: [loss]}
  - id: states-fixed
    title: Comparing two training states (fixed numbers)
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze, keywords: [loss]}
    params:
      state_a: {Paris: 0.15, London: 0.10, The: 0.08, "(rest)": 0.67}
      state_b: {Paris: 0.25, London: 0.05, The: 0.04, "(rest)": 0.66}
  - id: step
    title: One gradient step
    family: next-step
    tags: {topics: [logit-gradient], bloom: apply, keywords: [loss]}
  - id: preamble
    title: The preamble effect
    family: preamble-open
    points: 5
    tags: {topics: [sft], bloom: evaluate}
  - id: ce-true-false
    title: One-hot cross-entropy
    tags: {topics: [cross-entropy], bloom: understand}
    content:
      type: true_false
      stem: With a one-hot target the loss depends on how the wrong tokens share their mass.
      answer: false
  - id: ce-choice
    title: What cross-entropy measures
    tags: {topics: [cross-entropy], bloom: remember}
    content:
      type: single_choice
      stem: With a one-hot target, cross-entropy is the negative log-probability of which token?
      options:
        - {text: The gold token, correct: true}
        - {text: The most probable token}
        - {text: The least probable token}
"""


SPEC: dict[str, Any] = {
    "title": "Week 3 check",
    "seed": 7,
    "variants": 3,
    "sections": [
        {"title": "Computed", "select": {"ids": ["states", "step"]}, "points": 2, "shuffle_items": True,
         "shuffle_options": True},
        {"title": "Facts", "select": {"topics": ["cross-entropy"], "bloom": ["understand", "remember"]}, "count": 1,
         "allow_fewer_variants": True},
        {"title": "Explain", "select": {"tags": ["evaluate"]}, "variants": 1},
    ],
}


def roster_rows(n: int) -> list[dict[str, str]]:
    first = ["Ada", "Chloé", "Jürgen", "Søren", "Zoë", "Minh", "José", "Aiko"]
    return [{"Student ID": f"s{i:03d}", "Name": f"{first[i % len(first)]} Student{i}", "Email": f"s{i:03d}@example.edu"}
            for i in range(1, n + 1)]
