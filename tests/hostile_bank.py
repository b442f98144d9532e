"""A bank whose text is hostile: markup, CDATA ends, GIFT control characters, bidirectional
overrides, zero-width characters, template syntax and a very long line. Every format must
keep it intact (what the student reads is what the author wrote) and inert (nothing runs).

Scripts set ``window.pwned``; the browser tests check that it stays undefined.
"""

from __future__ import annotations

from pathlib import Path

import yaml

LONG = "L" * 20_000
# What must reach the student exactly as written, in every format (after that format's own
# decoding: HTML entities, GIFT backslashes, XML).
TOKENS = [
    "<script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=2">',
    "]]>",
    "~ = # { } : \\",
    "\u202eRTL\u202c",
    "zero\u200bwidth",
    "{{ 7*7 }}",
    "{% if 1 %}x{% endif %}",
    LONG,
]
STEM = "Pick " + " and ".join(TOKENS)

BANK = {"templates": [
    {"id": "hostile-choice", "title": "Hostile <script>window.pwned=3</script> title",
     "tags": {"topics": ["cross-entropy"], "bloom": "remember"},
     "content": {"type": "single_choice", "stem": STEM, "options": [
         {"text": "<b>bold?</b> ]]> ~wrong =right #", "correct": True,
          "feedback": "fb <script>window.pwned=4</script> {{ 7*7 }}"},
         {"text": "\u202edesrever ~ {{ 7*7 }}", "feedback": "zero\u200bwidth </textarea><script>window.pwned=5</script>"},
         {"text": "plain & < > ' \""}],
         "explanation": "expl </textarea><script>window.pwned=6</script> ]]>"}},
    {"id": "hostile-short", "title": "Hostile short answer",
     "tags": {"topics": ["cross-entropy"], "bloom": "remember"},
     "content": {"type": "short_text", "stem": "Type ~ = # { } : " + TOKENS[0], "answers": ["a~b=c#d{e}f:g"],
                 "distractors": [{"text": "x{{ 7*7 }}", "misconception": "M-PROB-AS-LOSS", "feedback": "<script>window.pwned=7</script>"}]}},
]}

SPEC = {
    # a line break in the title once started a question of its own in the GIFT file's header comment
    "title": "Quiz <script>window.pwned=8</script> ]]>\n::Injected:: What? {=yes ~no}\n",
    "id": "hostile",
    "seed": 1,
    "variants": 1,
    "instructions": "Do it {{ 7*7 }} </script><script>window.pwned=9</script>",
    "sections": [{"title": "S <i>1</i> \u202eevil", "select": {"ids": ["hostile-choice", "hostile-short"]},
                  "allow_fewer_variants": True}],
}

ROSTER = 'id,name\ns001,"<script>window.pwned=10</script> Bob \u202e"\n'


def write_hostile(folder: Path) -> tuple[Path, Path, Path]:
    """The bank, the quiz spec and the roster, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    bank, spec, roster = folder / "bank.yaml", folder / "quiz.yaml", folder / "roster.csv"
    bank.write_text(yaml.safe_dump(BANK, allow_unicode=True, width=10**9), encoding="utf-8")
    spec.write_text(yaml.safe_dump(SPEC, allow_unicode=True), encoding="utf-8")
    roster.write_text(ROSTER, encoding="utf-8")
    return bank, spec, roster
