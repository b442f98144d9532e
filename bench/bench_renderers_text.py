"""Export 10,000 items to each text format (md, html, json, gift, aiken, blackboard); items/s.

The items are instantiated once, before timing (every built-in template, seeds 0, 1, ...);
each format then renders one Assessment of all of them, for each audience it has. The first
render of a format warms its caches (Markdown conversions repeat across variants of a
template), so the figure is the best of three runs, as a re-export of a bank would see.

Run: .venv/bin/python bench/bench_renderers_text.py [N]

Measured on the 2-core container (10,000 items from 39 templates; items/s, first run and best
of three; "first" pays for converting every distinct Markdown text once):

    md    student      43,000 / 181,000     md    instructor   37,000 /  71,000
    html  student       2,150 /   6,300     html  instructor    3,100 /   4,600
    json  student       3,600 /   7,800     json  instructor   31,000 /  32,000
    gift  instructor    6,000 /  37,000     aiken instructor   35,000 / 314,000
    blackboard instr.  61,000 / 126,000

The html, gift and blackboard rows are from after the Markdown fast path (issue 6); before it,
in the same session, their first runs were 1,050 / 2,400 (html student / instructor), 1,600
(gift) and 20,000 (blackboard) items/s, bound by the ``markdown`` package (about 1 ms per
distinct text). The fast path renders the bank's texts byte-identically in about 30 us.
MathML conversion and every Markdown conversion are cached per text.
"""

from __future__ import annotations

import sys
import time

from qbank.questions import Assessment, builtin_bank
from qbank.renderers import get_format

FORMATS = ("md", "html", "json", "gift", "aiken", "blackboard")


def main(n: int = 10_000) -> None:
    templates = list(builtin_bank())
    t0 = time.perf_counter()
    items = [templates[i % len(templates)].instantiate(i // len(templates)) for i in range(n)]
    quiz = Assessment.from_items(items, title="Benchmark")
    print(f"instantiated {n} items from {len(templates)} templates in {time.perf_counter() - t0:.1f} s (not timed below)")
    for name in FORMATS:
        fmt = get_format(name)
        for audience in fmt.audiences:
            times = []
            for _ in range(3):
                t = time.perf_counter()
                out = fmt.render(quiz, audience=audience)
                times.append(time.perf_counter() - t)
            size = len(out.content) / 1e6
            print(f"{name:>10} {audience:>10}: first {n / times[0]:8.0f} items/s, best {n / min(times):8.0f} items/s"
                  f"  ({size:.1f} MB, {len(out.warnings)} warnings)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
