"""Variants per second per family (single-threaded): one by one (``instantiate``) and through
the batch path (``instantiate_many``), plus the number of distinct variants among the seeds.

Run: .venv/bin/python bench/bench_families.py [--seeds N] [--repeat R]

Each figure is the best of ``--repeat`` runs over 1,000 seeds of each family's first template,
on the 2-core dev machine while other work ran on it (load about 2; figures move 10-20 %
between runs). Before -> after the speed work of issue 4 (single/s, batch/s):

    family            before        after      batch path
    token-loss       2,216/4,209   3,076/8,245   build_many (11,000/s on a quiet machine)
    compare-states   1,026/1,101   2,095/4,120   build_many (new)
    logit-gradient   1,808/1,695   2,114/4,632   build_many (new)
    next-step        1,410/1,554   1,838/6,031   build_many (new)
    label-smoothing  2,227/2,332   3,255/6,473   build_many (new)
    temperature      2,695/3,210   3,642/9,718   build_many (new)
    nucleus          1,606/1,642   2,153/4,465   build_many (new)

The 20,000/s target is not reached. What went (bit-identical streams throughout):
generator seeding (9 -> 1.5 us, ``rngs_for``), ``Choice`` with weights (7 -> 0.6 us), a
Dirichlet attempt (64 -> 10 us one by one, a few us in a batch round), item construction
(``model_construct`` replaced by pydantic-core validation), cached default specs. What is
left, by cProfile of a batch: token-loss 58 % building content (strings, and pydantic
validation of the numeric content and its distractor models), 21 % draws, 15 % items;
compare-states 54 % draws (15 Dirichlet attempts per item for a remainder in [0.3, 0.8]);
next-step 52 % content, 23 % draws, 20 % items (the JSON data field's validation is
about half of an item's cost).
"""

from __future__ import annotations

import argparse
import time

from qbank.questions import builtin_bank


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (the machine may be shared)")
    args = ap.parse_args()
    bank = builtin_bank()
    first: dict[str, object] = {}
    for t in bank:
        if t.family:
            first.setdefault(t.family, t)
    print(f"{'family':<20} {'template':<26} {'batch path':>10} {'single/s':>9} {'batch/s':>9} {'distinct':>9}")
    for fam, t in sorted(first.items()):
        t.instantiate_many(range(5))  # warm caches (jinja, pydantic, lru caches)
        single = batch = 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            items = [t.instantiate(s) for s in range(args.seeds)]
            single = max(single, args.seeds / (time.perf_counter() - start))
            start = time.perf_counter()
            t.instantiate_many(range(args.seeds))
            batch = max(batch, args.seeds / (time.perf_counter() - start))
        distinct = len({i.stem + "".join(sorted(o.text for o in getattr(i, "options", ()))) for i in items})
        own = "build_many" if t.get_family().build_many is not None else "generic"
        print(f"{fam:<20} {t.id:<26} {own:>10} {single:>9.0f} {batch:>9.0f} {distinct:>9}")


if __name__ == "__main__":
    main()
