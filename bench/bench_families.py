"""Variants per second per family (single-threaded): one by one (``instantiate``) and through
the batch path (``instantiate_many``), plus the number of distinct variants among the seeds.

Run: .venv/bin/python bench/bench_families.py [--seeds N]

Measured on the 2-core dev machine, 1,000 seeds, each family's first template (see the
table this prints; figures move by about 10 % between runs):

* Batch families (``build_many``: one engine call per batch): token-loss about 2,300/s one
  by one and 4,000/s in a batch.
* Every other family goes through the generic batch path (specs resolved once, items built
  without re-validation after the first): 0-30 % faster than one by one, 600-11,000/s.
* The 20,000/s target is not reached. cProfile of token-loss in a batch: drawing the
  parameters (the Dirichlet's rejection loop, largest-remainder rounding and the
  TokenDistribution model, in qbank.questions.params) is about a third of the time;
  building the content (formatting, the numeric item and its distractor models) about
  40 %; the engine itself about 15 %; canonicalising the item's data about 10 %.
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
    print(f"{'family':<20} {'template':<26} {'batch path':>10} {'single/s':>9} {'batch/s':>9} {'distinct':>9}")
    for fam, t in sorted(first.items()):
        t.instantiate_many(range(5))  # warm caches (jinja, pydantic, lru caches)
        start = time.perf_counter()
        items = [t.instantiate(s) for s in range(args.seeds)]
        single = args.seeds / (time.perf_counter() - start)
        start = time.perf_counter()
        t.instantiate_many(range(args.seeds))
        batch = args.seeds / (time.perf_counter() - start)
        distinct = len({i.stem + "".join(sorted(o.text for o in getattr(i, "options", ()))) for i in items})
        own = "build_many" if t.get_family().build_many is not None else "generic"
        print(f"{fam:<20} {t.id:<26} {own:>10} {single:>9.0f} {batch:>9.0f} {distinct:>9}")


if __name__ == "__main__":
    main()
