"""Benchmark of open-response rubric grading on the preamble item (issue 11's targets).

Run: ``.venv/bin/python bench/bench_rubric.py [--repeat 3] [--strict]``

Agreement: the grader against the hand scores of the held-out answers in
tests/grader/data/preamble_answers.yaml (``split: holdout``; written after the grader was
tuned, never used to change it): Pearson r, mean absolute error, the highest score of an
adversarial answer (keyword salad, concept list, wrong mechanism with the right words,
copied rubric text) and the lowest score of a complete plain-language answer; with the
embedding model and without it (the default install), to show what the model adds.

Speed: answers per second for the whole preamble rubric with the model loaded, every
answer of the data file graded ``--repeat`` times after one warm-up pass, in wall and in
CPU seconds (the machine is shared: CPU seconds are what the grader costs, wall seconds
what it cost at that moment). The peer is the same grader with the model switched off.
``qbank check`` for one open answer that makes the model load: wall and CPU time of the
whole process, best of ``--repeat``. Bad input: a 1 MB answer, 64 kB of binary junk.

Targets (issue 11): r >= 0.85, MAE <= 0.12, adversarial <= 0.40, plain complete >= 0.70,
>= 200 answers/s, ``qbank check`` < 1.5 s. ``--strict`` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from qbank.grader.embedding import available, embedder
from qbank.grader.rubric import score_rubrics
from qbank.questions.families._rubrics import PREAMBLE_RUBRIC

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "grader" / "data" / "preamble_answers.yaml"
ADVERSARIAL = {"keyword-salad", "concept-list", "wrong-mechanism", "copied"}
PLAIN_COMPLETE = {"plain-full"}
WEAK_ANSWER = ("Fine-tuning judges the model on each word it writes, and the colours example only asks for one word "
               "at the start. The other examples are far more numerous.")


def agreement(answers: list[dict], paraphrase: bool) -> dict[str, float]:
    scores = np.array([s.fraction for s in score_rubrics(PREAMBLE_RUBRIC, [a["answer"] for a in answers], paraphrase=paraphrase)])
    human = np.array([float(a["expected"]) for a in answers])
    adv = [s for s, a in zip(scores, answers) if a["kind"] in ADVERSARIAL]
    plain = [s for s, a in zip(scores, answers) if a["kind"] in PLAIN_COMPLETE]
    return {"n": len(answers), "r": float(np.corrcoef(human, scores)[0, 1]), "mae": float(np.abs(human - scores).mean()),
            "adv_n": len(adv), "adv_max": max(adv, default=float("nan")),
            "plain_n": len(plain), "plain_min": min(plain, default=float("nan"))}


def throughput(answers: list[str], repeat: int, paraphrase: bool) -> tuple[float, float]:
    score_rubrics(PREAMBLE_RUBRIC, answers, paraphrase=paraphrase)  # warm-up: token vectors distilled, regexes compiled
    best_wall = best_cpu = 0.0
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        score_rubrics(PREAMBLE_RUBRIC, answers, paraphrase=paraphrase)
        w, c = time.perf_counter() - w, time.process_time() - c
        best_wall, best_cpu = max(best_wall, len(answers) / w), max(best_cpu, len(answers) / max(c, 1e-9))
    return best_wall, best_cpu


def check_time(repeat: int, **env: str) -> tuple[float, float, bool]:
    exe = Path(sys.executable).with_name("qbank")
    cmd = [str(exe), "check", "primary-colors-preamble", "--seed", "0", "--answer", WEAK_ANSWER, "--json"]
    best_wall, best_cpu, loaded = float("inf"), float("inf"), False
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "QBANK_NO_EMBEDDINGS": "", **env})
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        loaded = loaded or '"similarity": 0.' in out.stdout  # the paraphrase pass ran: the model was loaded
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu, loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    answers = yaml.safe_load(DATA.read_text(encoding="utf-8"))["answers"]
    held = [a for a in answers if a["split"] == "holdout"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; embedding model installed: {available()}")
    t = time.perf_counter()
    embedder()
    print(f"model load (onnxruntime session, tokenizer, 256 common token vectors): {time.perf_counter() - t:.2f} s wall")

    print(f"\nagreement on the held-out answers (n={len(held)}; calibration n={len(answers) - len(held)})")
    print("| grader | Pearson r | MAE | max adversarial (n) | min plain complete (n) |\n|---|---|---|---|---|")
    rows = {}
    for name, para in (("relations + paraphrase (rubric extra)", True), ("relations only (default install)", False)):
        a = rows[name] = agreement(held, para)
        print(f"| {name} | {a['r']:.3f} | {a['mae']:.3f} | {a['adv_max']:.2f} ({a['adv_n']}) | {a['plain_min']:.2f} ({a['plain_n']}) |")

    texts = [a["answer"] for a in answers]
    wall, cpu = throughput(texts, args.repeat, True)
    wall0, cpu0 = throughput(texts, args.repeat, False)
    print(f"\nspeed, {len(texts)} answers x {args.repeat} (best run):")
    print("| grader | answers/s (wall) | answers/s (CPU) | x peer (CPU) |\n|---|---|---|---|")
    print(f"| model loaded | {wall:.0f} | {cpu:.0f} | {cpu / cpu0:.2f} |")
    print(f"| model off (peer) | {wall0:.0f} | {cpu0:.0f} | 1.00 |")

    rng = random.Random(0)
    huge = " ".join(rng.choice(texts) for _ in range(2500))[:1_000_000]
    junk = bytes(rng.randrange(256) for _ in range(65536)).decode("latin-1")
    for name, text in (("1 MB answer", huge), ("64 kB binary junk", junk)):
        t = time.perf_counter()
        s = score_rubrics(PREAMBLE_RUBRIC, [text])[0]
        print(f"{name}: graded in {time.perf_counter() - t:.2f} s, score {s.fraction:.2f}, review: {'; '.join(s.review) or '-'}")

    import tempfile

    cw, cc, loaded = check_time(args.repeat)
    print(f"\nqbank check, one open answer (model loaded: {loaded}): {cw:.2f} s wall, {cc:.2f} s CPU (best of {args.repeat})")
    with tempfile.TemporaryDirectory() as empty:
        kw, kc, _ = check_time(1, XDG_CACHE_HOME=empty)
    print(f"  first run, no token vectors cached yet: {kw:.2f} s wall, {kc:.2f} s CPU")
    pw, pc, _ = check_time(args.repeat, QBANK_NO_EMBEDDINGS="1")
    print(f"  peer, model switched off: {pw:.2f} s wall, {pc:.2f} s CPU (x{cc / pc:.2f} CPU)")

    a = rows["relations + paraphrase (rubric extra)"]
    targets = [("Pearson r >= 0.85", a["r"] >= 0.85), ("MAE <= 0.12", a["mae"] <= 0.12),
               ("no adversarial answer above 0.40", a["adv_max"] <= 0.40),
               ("no complete plain-language answer below 0.70", a["plain_min"] >= 0.70),
               (">= 200 answers/s (CPU)", cpu >= 200), (">= 200 answers/s (wall)", wall >= 200),
               ("qbank check < 1.5 s (CPU)", cc < 1.5), ("qbank check < 1.5 s (wall)", cw < 1.5)]
    print("\n" + "\n".join(f"{'met   ' if ok else 'MISSED'}  {name}" for name, ok in targets))
    return 1 if args.strict and not all(ok for _, ok in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
