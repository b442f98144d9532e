"""Whole-process wall time of the commands that load a bank, and of start-up, side by side.

Run: .venv/bin/python bench/bench_loading.py [--runs 15] [--tree before=/path/to/old/src ...]

Each command runs as a user runs it (the ``qbank`` console script, a fresh process), the
runs of every case interleaved (round-robin), medians reported. ``--tree NAME=SRC`` adds a
source tree to compare (put on PYTHONPATH ahead of the installed one, e.g. a ``git archive``
of the commit before a change): every tree runs the same commands in the same rounds, and
the tables give each one's wall and CPU time and their ratio to the floor, ``python -c pass``
(on a shared, loaded machine the CPU time is the steadier figure).

Python writes bytecode as for any user (PYTHONDONTWRITEBYTECODE, set in some dev shells,
is dropped: without it every run recompiles qbank's ~60 modules, about 100 ms).

* built-in bank, warm: the user cache folder is filled by one run first (the second run of
  a command on an unchanged bank, what a user sees every day). ``check ITEM`` is item
  ``paris-states-v2-s3`` (until the branch point's bench it was ``-v1-``, an outdated version:
  an error, not a check); ``practice, new session`` has no ``--seed``, so its items are drawn
  every run (the drawn-item cache cannot help);
* 5,000-question bank (bench/peer_questions.py): ``qbank list --bank`` cold (a new, empty
  cache folder for every run: a bank never seen before) and warm.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_questions import questions, write_qbank_bank  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# An open answer, graded by the rubric (the full item, not the drawn-item cache's light one).
OPEN_ANSWER = ("The loss sums the negative log-likelihood of every response token, and the same parameters produce "
               "the first token for every prompt, so most responses starting with 'Of' outweigh the one starting with "
               "'Red'; maximum likelihood matches that frequency and greedy decoding picks the preamble.")
# What the console script runs (a tree from before the launcher has only qbank.cli.main).
SHIM = "import sys\ntry:\n    from qbank._launch import main\nexcept ImportError:\n    from qbank.cli import main\nsys.argv[0] = 'qbank'\nmain()"


def run_once(argv: list[str], env: dict[str, str], stdin: str | None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, input=stdin, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tree", action="append", default=[], help="NAME=SRC: also time this source tree")
    parser.add_argument("--no-big", action="store_true", help="skip the 5,000-question bank")
    args = parser.parse_args()
    trees = [("now", str(ROOT / "src"))] + [tuple(t.split("=", 1)) for t in args.tree]  # type: ignore[misc]

    tmp = Path(tempfile.mkdtemp(prefix="qbank-bench-loading-"))
    big, _ = write_qbank_bank(tmp / "big", questions(5000))
    qbank = [sys.executable, "-c", SHIM]
    cases: list[tuple[str, list[str], str | None, bool]] = [  # label, argv, stdin, cold cache
        ("python -c pass", [sys.executable, "-c", "pass"], None, False),
        ("qbank --help", qbank + ["--help"], None, False),
        ("qbank show ID", qbank + ["show", "paris-states-original"], None, False),
        ("qbank show ID --key", qbank + ["show", "paris-states", "--seed", "3", "--key"], None, False),
        ("qbank check ITEM", qbank + ["check", "paris-states-v2-s3", "--answer", "B"], None, False),
        ("check ITEM garbled", qbank + ["check", "paris-states-v2-s3", "--answer", "B or D?"], None, False),
        ("check open answer", qbank + ["check", "primary-colors-preamble-v2-s1", "--answer", OPEN_ANSWER], None, False),
        ("qbank practice", qbank + ["practice", "--n", "3", "--seed", "1", "--db", str(tmp / "p.sqlite3")], "B\nB\nB\n", False),
        # no --seed: a fresh session every run, so its items are never in the drawn-item cache
        ("practice, new session", qbank + ["practice", "--n", "3", "--db", str(tmp / "p2.sqlite3")], "B\nB\nB\n", False),
        ("qbank list (built-in)", qbank + ["list"], None, False),
    ]
    if not args.no_big:
        cases += [
            ("list 5,000 bank, cold", qbank + ["list", "--bank", str(big), "--no-builtin"], None, True),
            ("list 5,000 bank, warm", qbank + ["list", "--bank", str(big), "--no-builtin"], None, False),
        ]
    envs = {}
    for name, src in trees:
        env = dict(os.environ, PYTHONPATH=src, XDG_CACHE_HOME=str(tmp / f"cache-{name}"), HOME=str(tmp / "home"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed for a user: modules compiled once
        envs[name] = env
        for _, argv, stdin, _ in cases:  # fill the cache (and the OS page cache)
            run_once(argv, env, stdin)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in range(args.runs):
        for label, argv, stdin, cold in cases:
            for name, _ in trees:
                env = envs[name]
                if cold:
                    env = dict(env, XDG_CACHE_HOME=str(tmp / f"cold-{name}-{r}"))
                times.setdefault((label, name), []).append(run_once(argv, env, stdin))
    for what, col in (("wall", 0), ("CPU (user + system)", 1)):
        med = {k: statistics.median(t[col] for t in v) for k, v in times.items()}
        head = "".join(f"{name + ' ms':>12}{'x pass':>8}" for name, _ in trees)
        print(f"\n{what}\n{'case':<24}{head}" + ("   now/" + trees[1][0] if len(trees) > 1 else ""))
        for label, *_ in cases:
            row = ""
            for name, _ in trees:
                row += f"{med[label, name] * 1000:>12.1f}{med[label, name] / max(med['python -c pass', name], 1e-3):>8.2f}"
            if len(trees) > 1:
                row += f"   {med[label, 'now'] / med[label, trees[1][0]]:.2f}"
            print(f"{label:<24}{row}")
    print(f"(medians of {args.runs} interleaved runs; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
