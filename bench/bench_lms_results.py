"""What reading an LMS report costs: `qbank import-results` against `qbank grade` on the same class.

Builds the end-to-end test's quiz, writes the Canvas Student Analysis report of a class with
known answers (tests/results/lms_class.py), and times, best of --repeat runs taken in turns, in-process:

* import-results: read the report, tie every response to its variant, grade, check the LMS's
  points, build every output (nothing written);
* grade (the peer): the same responses, already tied and in qbank's syntax, graded from a
  manifest that lists each student's variants, as `qbank grade` does.

    .venv/bin/python bench/bench_lms_results.py [--students 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "results"))

from lms_class import KnownClass, build_quiz, canvas_report  # noqa: E402

from qbank.grader.gradebook import ResponseRow, grade_responses  # noqa: E402
from qbank.grader.report import errors_csv, feedback_json, grades_csv, stats_from_gradebook  # noqa: E402
from qbank.questions import builtin_bank  # noqa: E402
from qbank.quiz.manifest import Manifest, StudentRecord  # noqa: E402
from qbank.results import VariantIndex, grade_report, read_report  # noqa: E402


def best(fns, repeat: int) -> list[float]:
    """Best time of each function, run in turns so that both see the same load."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [min(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    klass = KnownClass(build_quiz(tmp), n=args.students)
    report = tmp / "student_analysis.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    manifest = Manifest.load(klass.out / "manifest.json")
    items = manifest.regenerate(builtin_bank())
    index = VariantIndex(manifest, items)

    def import_results() -> None:
        lms, ix, _ = read_report(report, index)
        book = grade_report(lms, ix).book
        grades_csv(book), errors_csv(book), feedback_json(book, manifest), stats_from_gradebook(book)

    # the peer: the kept attempts as a roster manifest and a student,item,response table
    lms, ix, _ = read_report(report, index)
    kept = grade_report(lms, ix).kept
    records, rows = [], []
    for key, attempt in kept.items():
        entries = [ix.entries[c.item_id] for c in attempt.cells]
        records.append(StudentRecord(student=key, items=tuple(entries)))
        rows += [ResponseRow(c.line, key, ix.entries[c.item_id].slot, c.raw) for c in attempt.cells if c.raw is not None]
    roster = Manifest(quiz_id=manifest.quiz_id, title=manifest.title, seed=manifest.seed, spec_hash=manifest.spec_hash,
                      students=tuple(records), groups=manifest.groups)

    def grade() -> None:
        book = grade_responses(roster, items, rows)
        grades_csv(book), errors_csv(book), feedback_json(book, roster), stats_from_gradebook(book)

    t_import, t_grade = best([import_results, grade], args.repeat)
    cells = sum(len(a.cells) for a in lms.attempts)
    print(f"{args.students} students, {len(lms.attempts)} attempts, {cells} responses")
    print(f"import-results  {t_import * 1000:8.1f} ms")
    print(f"grade (peer)    {t_grade * 1000:8.1f} ms")
    print(f"ratio           {t_import / t_grade:8.2f}")


if __name__ == "__main__":
    main()
