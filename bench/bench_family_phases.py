"""Where a family's batch time goes: microseconds per item in each phase of ``instantiate_many``.

Run: env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/bench_family_phases.py [--seeds 2000] [--repeat 3] [--family NAME ...]

Each phase is timed by a wrapper around the function that does it (the wrappers add a few
tenths of a microsecond per call, so the total is a little above bench_families.py's):

- seeding: ``rngs_for``, one generator per seed;
- draws: ``Template._params_many``, every parameter draw, rejected ones included;
- build: the family's ``build_many`` (the engine call, the gold-token and option draws, the
  renders), and within it, for the families that render through ``or_reject``, the renders
  that gave content (*render ok*) and those that raised Reject (*render rej*: those seeds
  draw again in the next round);
- params JSON and item: ``_plain_params`` and ``Template._item``, once per accepted item;
- other: the rest of ``instantiate_many`` (its loops, checks and bookkeeping).

The 20,000 variants a second that issue 12 asks for leave 50 us an item for all of it. Each
figure is the median over ``--repeat`` batches of ``--seeds`` seeds (fresh seeds each batch,
in one process); *renders/item* is how many renders (ok or rejected) an item took. See
bench/README.md ("Families").
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_families import TOKEN_FAMILIES  # noqa: E402

PHASES = ("seeding", "draws", "build", "render ok", "render rej", "params JSON", "item", "other")


def timed(fn: Callable[..., Any], spent: dict[str, float], phase: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[phase] += time.perf_counter() - start

    return wrapper


def measure(family: str, seeds: int, repeat: int) -> dict[str, float]:
    """Median microseconds per item of each phase, its total, and the renders per item (0 if not counted)."""
    from qbank.questions import builtin_bank, families, template
    from qbank.questions.params import Reject

    t = next(t for t in builtin_bank() if t.family == family)
    fam = t.get_family()
    spent: dict[str, float] = defaultdict(float)
    renders = defaultdict(int)
    module = sys.modules[fam.build_many.__module__]
    or_reject = getattr(module, "or_reject", None)

    def render(fn: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        out = or_reject(fn, *args)  # type: ignore[misc]
        phase = "render rej" if isinstance(out, Reject) else "render ok"
        spent[phase] += time.perf_counter() - start
        renders[phase] += 1
        return out

    patches = [
        (template, "rngs_for", timed(template.rngs_for, spent, "seeding")),
        (template.Template, "_params_many", timed(template.Template._params_many, spent, "draws")),
        (template, "_plain_params", timed(template._plain_params, spent, "params JSON")),
        (template.Template, "_item", timed(template.Template._item, spent, "item")),
    ]
    if or_reject is not None:
        patches.append((module, "or_reject", render))
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, new in patches:
        setattr(owner, name, new)
    families._REGISTRY[family] = dataclasses.replace(fam, build_many=timed(fam.build_many, spent, "build"))
    try:
        t.instantiate_many(range(5))  # warm caches
        rounds: list[dict[str, float]] = []
        for r in range(repeat):
            spent.clear()
            renders.clear()
            start = time.perf_counter()
            t.instantiate_many(range(10_000 + r * seeds, 10_000 + (r + 1) * seeds))
            total = time.perf_counter() - start
            per = {phase: spent[phase] * 1e6 / seeds for phase in PHASES}
            per["other"] = total * 1e6 / seeds - sum(per[p] for p in ("seeding", "draws", "build", "params JSON", "item"))
            per["total"] = total * 1e6 / seeds
            per["renders"] = (renders["render ok"] + renders["render rej"]) / seeds
            rounds.append(per)
    finally:
        families._REGISTRY[family] = fam
        for owner, name, old in saved:
            setattr(owner, name, old)
    return {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--family", action="append", help="only this family (repeatable); default: the seven token families")
    args = ap.parse_args()
    names = args.family or list(TOKEN_FAMILIES)
    print(f"us per item, median of {args.repeat} batches of {args.seeds} seeds; 20,000 items/s = 50 us an item")
    print(f"{'family':16} {'total':>6} " + " ".join(f"{p:>11}" for p in PHASES) + "  renders/item")
    for name in names:
        per = measure(name, args.seeds, args.repeat)
        shown = " ".join(f"{per[p]:11.1f}" if (p not in ("render ok", "render rej") or per["renders"]) else f"{'-':>11}" for p in PHASES)
        renders = f"{per['renders']:.2f}" if per["renders"] else "-"
        print(f"{name:16} {per['total']:6.1f} {shown}  {renders:>12}")


if __name__ == "__main__":
    main()
