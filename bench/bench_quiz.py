"""How long `qbank build` takes for a class: the demo spec, every format, rosters of 30 to 500.

Run: .venv/bin/python bench/bench_quiz.py [--sizes 30,200,500] [--repeat 3]
Prints, per roster size, the seconds spent drawing variants (build_quiz), rendering every
file in memory (render_outputs) and writing them (write_outputs), best of 3.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from qbank.questions import builtin_bank
from qbank.quiz import build_quiz, choose_formats, load_spec, parse_roster, render_outputs, write_outputs

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30,200,500", help="roster sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    spec, source = load_spec(ROOT / "examples" / "demo-quiz.yaml")
    bank = builtin_bank()
    formats, _ = choose_formats(None)
    print(f"formats: {', '.join(f.name for f in formats)}")
    print(f"{'students':>8}  {'draw s':>7}  {'render s':>8}  {'write s':>7}  {'files':>6}   per student")
    for n in sizes:
        text = "Student ID,Name,Email\n" + "".join(f"s{i:04d},Student {i},s{i}@example.edu\n" for i in range(n))
        roster = parse_roster(text, "bench.csv", spec.roster)
        best = [float("inf")] * 3
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = build_quiz(spec, bank, roster, source=source)
            t1 = time.perf_counter()
            outputs = render_outputs(result, formats)
            t2 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                write_outputs(tmp, outputs)
                t3 = time.perf_counter()
            best = [min(b, t) for b, t in zip(best, (t1 - t0, t2 - t1, t3 - t2))]
        total = sum(best)
        print(f"{n:>8}  {best[0]:>7.2f}  {best[1]:>8.2f}  {best[2]:>7.2f}  {len(outputs.files):>6}   {1000 * total / n:.1f} ms/student")


if __name__ == "__main__":
    main()
