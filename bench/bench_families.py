"""Variants per second per family (single-threaded): one by one (``instantiate``) and through
the batch path (``instantiate_many``), plus the number of distinct variants among the seeds.

Run: .venv/bin/python bench/bench_families.py [--seeds 1000] [--repeat 5] [--family NAME ...]
         [--tree before=/path/to/old/src ...]

Each figure is over ``--seeds`` seeds (0, 1, ...) of each family's first template. Every
source tree (this one, "now", plus each ``--tree NAME=SRC``, put on PYTHONPATH ahead of the
installed package, e.g. ``git archive 4246bec src | tar -x -C /tmp/before``) is measured in
its own fresh process, the trees' runs interleaved round by round, and the median of the
``--repeat`` rounds is reported with each tree's ratio to the first. The machine is shared:
the load average is printed with the table, and only ratios from the same run mean much.

Every tree must give the same items: each worker prints a digest of the content hashes of
its batch, and a tree whose digest differs from the first tree's is flagged in the table.

For the history of the figures and what was changed, see bench/README.md ("Families").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN_FAMILIES = ("token-loss", "compare-states", "logit-gradient", "next-step", "label-smoothing", "temperature", "nucleus")


def measure(families: list[str] | None, seeds: int) -> dict[str, dict[str, object]]:
    """One run of every family in this process: single/s, batch/s, distinct variants, digest."""
    from qbank.questions import builtin_bank

    bank = builtin_bank()
    first: dict[str, object] = {}
    for t in bank:
        if t.family and (families is None or t.family in families):
            first.setdefault(t.family, t)
    out: dict[str, dict[str, object]] = {}
    for fam, t in sorted(first.items()):
        t.instantiate_many(range(5))  # warm caches (jinja, pydantic, lru caches)
        [t.instantiate(s) for s in range(5)]
        start = time.perf_counter()
        items = [t.instantiate(s) for s in range(seeds)]
        single = seeds / (time.perf_counter() - start)
        start = time.perf_counter()
        batch_items = t.instantiate_many(range(seeds))
        batch = seeds / (time.perf_counter() - start)
        digest = hashlib.sha256("".join(i.content_hash() for i in batch_items).encode()).hexdigest()[:12]
        distinct = len({i.stem + "".join(sorted(o.text for o in getattr(i, "options", ()))) for i in items})
        own = "build_many" if t.get_family().build_many is not None else "generic"
        out[fam] = {"template": t.id, "path": own, "single": single, "batch": batch, "distinct": distinct, "digest": digest}
    return out


def run_worker(src: str, families: list[str] | None, seeds: int) -> dict[str, dict[str, object]]:
    env = dict(os.environ, PYTHONPATH=src)
    argv = [sys.executable, __file__, "--worker", "--seeds", str(seeds)]
    for f in families or ():
        argv += ["--family", f]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5, help="rounds; the median is reported (the machine may be shared)")
    ap.add_argument("--family", action="append", help="only this family (repeatable); 'token' for the seven token-distribution families")
    ap.add_argument("--tree", action="append", default=[], help="NAME=SRC: also measure this source tree, side by side")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    families = None
    if args.family:
        families = [f for name in args.family for f in (TOKEN_FAMILIES if name == "token" else (name,))]
    if args.worker:
        print(json.dumps(measure(families, args.seeds)))
        return

    trees = [tuple(t.split("=", 1)) for t in args.tree] + [("now", str(ROOT / "src"))]
    runs: dict[str, list[dict[str, dict[str, object]]]] = {name: [] for name, _ in trees}
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        for name, src in trees:
            runs[name].append(run_worker(src, families, args.seeds))
    load_after = os.getloadavg()

    base = trees[0][0]
    fams = sorted(runs[base][0])
    head = f"{'family':<20} {'batch path':>10}"
    for name, _ in trees:
        head += f" {name + ' single/s':>15} {name + ' batch/s':>14}"
    if len(trees) > 1:
        head += f" {'single x':>9} {'batch x':>8} {'same items':>10}"
    head += f" {'distinct':>9}"
    print(head)
    for fam in fams:
        med = {name: {k: statistics.median(float(r[fam][k]) for r in runs[name]) for k in ("single", "batch")} for name, _ in trees}
        line = f"{fam:<20} {str(runs[trees[-1][0]][0][fam]['path']):>10}"
        for name, _ in trees:
            line += f" {med[name]['single']:>15,.0f} {med[name]['batch']:>14,.0f}"
        if len(trees) > 1:
            now = trees[-1][0]
            same = all(r[fam]["digest"] == runs[base][0][fam]["digest"] for name, _ in trees for r in runs[name])
            line += f" {med[now]['single'] / med[base]['single']:>9.2f} {med[now]['batch'] / med[base]['batch']:>8.2f} {'yes' if same else 'NO':>10}"
        line += f" {runs[trees[-1][0]][0][fam]['distinct']:>9}"
        print(line)
    print(f"{args.seeds} seeds per family, median of {args.repeat} interleaved rounds; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")


if __name__ == "__main__":
    main()
