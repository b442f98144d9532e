"""Variants per second per family (single-threaded), one-by-one and through instantiate_many,
plus the number of distinct variants in 1,000 seeds.

Run: .venv/bin/python bench/bench_families.py [--seeds N]
"""

from __future__ import annotations

import argparse
import time

from qbank.questions import builtin_bank


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1000)
    args = ap.parse_args()
    bank = builtin_bank()
    first: dict[str, object] = {}
    for t in bank:
        if t.family:
            first.setdefault(t.family, t)
    print(f"{'family':<20} {'template':<26} {'single/s':>9} {'batch/s':>9} {'distinct':>9}")
    for fam, t in sorted(first.items()):
        t.instantiate(0)  # warm caches (jinja, pydantic)
        start = time.perf_counter()
        items = [t.instantiate(s) for s in range(args.seeds)]
        single = args.seeds / (time.perf_counter() - start)
        start = time.perf_counter()
        t.instantiate_many(range(args.seeds))
        batch = args.seeds / (time.perf_counter() - start)
        distinct = len({i.stem + "".join(sorted(o.text for o in getattr(i, "options", ()))) for i in items})
        print(f"{fam:<20} {t.id:<26} {single:>9.0f} {batch:>9.0f} {distinct:>9}")


if __name__ == "__main__":
    main()
