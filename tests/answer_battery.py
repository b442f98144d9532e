"""Answers worth trying on any item: the key, near misses, distractors, several answers where
one is asked, and garbled text (tests/questions/test_light.py, tests/cli/test_warm_commands.py)."""

from __future__ import annotations

from typing import Any

from qbank.questions import letter

GARBLED = ["", "   ", "?", "garbage", "Z", "ZZ", "AA", "A,,B", "1-", "1-z", "nan", "inf", "1e999", "½", "−0.5", "0,5",
           "a: 1", "true", "no", "(B)", "b.", "B)", "25%", "1/4", "1/0", "2.5e-1", "x" * 300]


def answers(spec: Any) -> list[str]:
    """Answers worth trying on an item or part: the key, near misses, distractors, nonsense."""
    kind = spec.type
    if kind in ("single_choice", "multiple_response"):
        n = len(spec.options)
        out = [letter(i) for i in range(n)] + [f"{letter(i)},{letter(j)}" for i in range(n) for j in range(i + 1, n)]
        return out + [" ".join(letter(i) for i in spec.key), "".join(letter(i) for i in range(n)), spec.options[0].text]
    if kind == "true_false":
        return ["true", "false", "T", "f", "yes"]
    if kind == "numeric":
        x = spec.answer
        near = [x, x * (1 + 1e-6), x + 0.004, x + 0.006, x * 1.01, x * 2, -x, round(x, 2), round(x, 3)]
        out = [repr(v) for v in near] + [repr(d.value) for d in spec.distractors] + [f"{x:.3g}", f"{x * 100:.4g}%"]
        return out + ([f"{x} {spec.unit}", f"{x} parsecs"] if spec.unit else [])
    if kind == "short_text":
        return [*spec.answers, *(a.upper() for a in spec.answers), *(d.text for d in spec.distractors), "something else"]
    if kind == "ordering":
        right = [letter(i) for i in spec.answer]
        return [" ".join(right), " ".join(reversed(right)), " ".join(right[1:] + right[:1]), "".join(right), "A A"]
    if kind == "matching":
        right = [f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer)]
        shifted = [f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer[1:] + spec.answer[:1])]
        return [" ".join(right), " ".join(shifted), ", ".join(right[:-1]), f"{right[0]} {right[0]}"]
    if kind == "multipart":
        per_part = [answers(p) for p in spec.parts]
        out = []
        for k in range(4):
            out.append("\n".join(f"{p.label}: {a[k % len(a)]}" for p, a in zip(spec.parts, per_part)))
        out.append("; ".join(f"{p.label}: {a[-1]}" for p, a in zip(spec.parts, per_part)))
        out.append(f"{spec.parts[0].label}: {per_part[0][0]}")  # a part left out
        return out
    if kind == "open_response":
        return [spec.sample_answer, "The model is trained on the preamble.", "no idea"]
    raise AssertionError(f"no answers for {kind}")
