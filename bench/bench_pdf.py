"""How long 200 students' paper exams take to typeset as PDF, against the 20 s target.

Run: .venv/bin/python bench/bench_pdf.py [N]
Builds the demo spec for a roster of N students (default 200) and renders the pdf format
only: each student's paper and key, and the combined paper and key files (render_outputs,
in memory; writing is the same for every format and is measured in bench_quiz.py). Prints
the seconds (best of 3), the ratio to the 20 s limit, the pages and the bytes written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from qbank.questions import builtin_bank
from qbank.quiz import build_quiz, choose_formats, load_spec, parse_roster, render_outputs

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 20.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    spec, source = load_spec(ROOT / "examples" / "demo-quiz.yaml")
    bank = builtin_bank()
    formats, _ = choose_formats(["pdf"])
    text = "Student ID,Name,Email\n" + "".join(f"s{i:04d},Student {i},s{i}@example.edu\n" for i in range(n))
    roster = parse_roster(text, "bench.csv", spec.roster)
    result = build_quiz(spec, bank, roster, source=source)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        outputs = render_outputs(result, formats)
        best = min(best, time.perf_counter() - t0)
    pdfs = {k: v for k, v in outputs.files.items() if k.endswith(".pdf")}
    import pypdf  # only to count pages; not needed by qbank itself
    import io

    pages = len(pypdf.PdfReader(io.BytesIO(pdfs["paper/quiz.pdf"])).pages)
    print(f"{n} students: {len(pdfs)} PDF files ({sum(map(len, pdfs.values())) / 1e6:.1f} MB), "
          f"combined paper {pages} pages")
    print(f"render pdf: {best:.2f} s (best of 3) = {best / LIMIT:.2f} x the {LIMIT:.0f} s limit")


if __name__ == "__main__":
    main()
