"""qbank against the tools people use today, whole process, on the same 5,000 questions.

Run: .venv/bin/python bench/bench_peers.py [--questions 5000] [--runs 5] [--venv DIR]

1. Installs the peers, pinned, into the benchmark's own venv (``--venv``, default a folder
   in the temp dir, reused between runs; never a dependency of qbank):
   text2qti 0.8.0 (Canvas QTI), moodle-tools 1.1.0 (Moodle XML), gift-wrapper 1.8.1 (GIFT).
2. Writes one question list (bench/peer_questions.py: 60 % single choice with 4 options,
   20 % numeric with an absolute tolerance, 20 % multiple answer) in each tool's input
   format and as a qbank bank + quiz spec.
3. Times each export as a user runs it, a fresh process each time, the runs interleaved
   (round-robin), medians:
       text2qti quiz.md                                   vs  qbank build ... -f canvas
       make-questions -i questions.yaml -o out.xml -s     vs  qbank build ... -f moodle
       wrap.py -i bank.yaml -n -l -e                      vs  qbank build ... -f gift
   qbank *cold* is a first build of a bank never seen before (an empty cache folder for
   every run); *warm* is the same bank built again (its parsed-bank cache filled).
   ``qbank build quiz.yaml --bank bank --no-builtin -f FORMAT -o out -q``.

Each peer gets its cheapest settings: moodle-tools skips its strict validation (``-s``),
gift-wrapper skips its LaTeX checks (``-n``) and image hosting (``-l -e``). moodle-tools has
no multiple-response type, so its 20 % multiple-answer questions are ``multiple_true_false``.
``--tree NAME=SRC`` adds a qbank source tree (on PYTHONPATH) to compare, e.g. before a change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_questions import gift_wrapper_yaml, moodle_tools_yaml, questions, text2qti_text, write_qbank_bank  # noqa: E402

PEERS = {"text2qti": "0.8.0", "moodle-tools": "1.1.0", "gift-wrapper": "1.8.1"}
# What the console script runs (a tree from before the launcher has only qbank.cli.main).
SHIM = "import sys\ntry:\n    from qbank._launch import main\nexcept ImportError:\n    from qbank.cli import main\nsys.argv[0] = 'qbank'\nmain()"
ROOT = Path(__file__).resolve().parents[1]


def install_peers(env_dir: Path) -> Path:
    """The venv's bin folder, with the pinned peers installed (once)."""
    bin_dir = env_dir / "bin"
    marker = env_dir / ("peers-" + "-".join(f"{k}{v}" for k, v in PEERS.items()))
    if not marker.exists():
        venv.create(env_dir, with_pip=True, clear=True)
        pins = [f"{name}=={version}" for name, version in PEERS.items()]
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *pins], check=True)
        marker.touch()
    return bin_dir


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "qbank-bench-peers")
    parser.add_argument("--tree", action="append", default=[], help="NAME=SRC: also time this qbank source tree")
    args = parser.parse_args()

    peers_bin = install_peers(args.venv)
    work = Path(tempfile.mkdtemp(prefix="qbank-bench-peers-"))
    qs = questions(args.questions)
    bank, spec = write_qbank_bank(work, qs)
    (work / "quiz.md").write_text(text2qti_text(qs), encoding="utf-8")
    (work / "questions.yaml").write_text(moodle_tools_yaml(qs), encoding="utf-8")
    (work / "bank.yaml").write_text(gift_wrapper_yaml(qs), encoding="utf-8")

    base_env = dict(os.environ, HOME=str(work / "home"))
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)  # every tool compiles its modules once, as installed
    trees = [("qbank", str(ROOT / "src"))] + [tuple(t.split("=", 1)) for t in args.tree]
    peer_cmds = {
        "canvas": ("text2qti 0.8.0", [str(peers_bin / "text2qti"), "quiz.md"]),
        "moodle": ("moodle-tools 1.1.0", [str(peers_bin / "make-questions"), "-i", "questions.yaml", "-o", "out.xml", "-s"]),
        "gift": ("gift-wrapper 1.8.1", [str(peers_bin / "python"), str(peers_bin / "wrap.py"), "-i", "bank.yaml", "-n", "-l", "-e"]),
    }
    cases: list[tuple[str, str, list[str], dict[str, str] | None]] = []  # format, label, argv, env (None: per-run cold)
    for fmt, (peer, argv) in peer_cmds.items():
        cases.append((fmt, peer, argv, base_env))
        for name, src in trees:
            build = [sys.executable, "-c", SHIM, "build", str(spec), "--bank", str(bank), "--no-builtin", "-f", fmt, "-o", str(work / f"out-{name}-{fmt}"), "-q"]
            warm_env = dict(base_env, PYTHONPATH=src, XDG_CACHE_HOME=str(work / f"cache-{name}"))
            cases.append((fmt, f"{name} cold", build, dict(warm_env, XDG_CACHE_HOME="")))
            cases.append((fmt, f"{name} warm", build, warm_env))
    for _, _, argv, env in cases:  # one untimed run each: installs bytecode, fills the warm caches
        timed(argv, work, env or base_env)
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(args.runs):
        for fmt, label, argv, env in cases:
            if label.endswith("cold"):
                cold = work / f"cold-{r}"
                env = dict(env, XDG_CACHE_HOME=str(cold))
                times.setdefault((fmt, label), []).append(timed(argv, work, env))
                shutil.rmtree(cold, ignore_errors=True)
            else:
                times.setdefault((fmt, label), []).append(timed(argv, work, env))
    print(f"{args.questions:,} questions (60% single choice, 20% numeric, 20% multiple answer), whole process, "
          f"median of {args.runs} interleaved runs (load average {os.getloadavg()[0]:.1f})")
    print(f"{'format':<8}{'tool':<22}{'seconds':>9}{'peer / tool':>13}")
    for fmt, (peer, _) in peer_cmds.items():
        theirs = statistics.median(times[fmt, peer])
        print(f"{fmt:<8}{peer:<22}{theirs:>9.2f}{1.0:>13.2f}")
        for name, _ in trees:
            for kind in ("cold", "warm"):
                ours = statistics.median(times[fmt, f"{name} {kind}"])
                print(f"{'':<8}{name + ' ' + kind:<22}{ours:>9.2f}{theirs / ours:>13.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
