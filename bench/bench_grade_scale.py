"""`qbank grade` of a big class: 30 items, 10,000 to 100,000 students, whole process.

Run: .venv/bin/python bench/bench_grade_scale.py [--sizes 10000,30000,100000] [--runs 3]
         [--tree before=/tmp/before/src] [--workdir DIR] [--jobs 2] [--no-open-share]

The quiz (``SPEC`` below) has 30 items of the built-in bank, as a real paper quiz mixes
them: 9 single choice, 6 multiple response, 7 numeric, a short text, a true/false, two
orderings, two matchings, a multipart and one open answer graded by the rubric; sections
shuffled per student, 3 variants per LMS group.

The class is made as a real one would be:

* the manifest is what ``qbank build`` writes for a roster of N (ids s000000, s000001, ...),
  built through the real API (``build_quiz`` + ``Manifest.to_json``) in chunks of 1,000
  students. A student's variants depend only on the quiz seed, their id and the template
  (docs/quiz.md, "adding a student changes nobody else's quiz"), so the manifest of the
  whole roster is the chunks' student lists spliced into one document; ``--check-splice``
  builds 2,000 students in one go and compares the bytes. Every size is a prefix of the
  largest roster, so the chunks are built once and kept in ``--workdir`` (building 100,000
  students, 3 million draws, takes about half an hour of CPU);
* the responses are answers a class writes to each student's own variant (from the
  item's self-test cases, :func:`qbank.questions.selftest.self_test`): mostly right, many
  wrong (distractors and their misconceptions), some spelt another accepted way (``b``,
  ``(B)``, ``b, d``, ``25%``), blank cells, no row at all, garbled text (``idk``, ``0.2.5``),
  and a few rows a gradebook export gets wrong (an unknown student, a second answer to the
  same slot, the item named by its id). The open answers are the hand-scored preamble
  answers of tests/grader/data (blank for some students) and, for ``--open-unique`` of the
  class, new texts made of their sentences, so that most of them are distinct.

Each size is graded by ``qbank grade MANIFEST RESPONSES -o grades.csv`` as a user runs it (a
fresh process, the console script's entry point), for every ``--tree`` in the same rounds
(interleaved), ``--runs`` times; the table gives medians of wall and CPU time, the cost per
student (flat means linear) and the peak memory (ru_maxrss) of the grading process. The
outputs of every tree are compared byte for byte. A tree that needs more than ``--max-rss``
is stopped (reported as such) rather than let push the machine into swap.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1000
CLASS_VERSION = 1  # raise when responses_for changes: the kept chunks are then built again
SHIM = "import sys\ntry:\n    from qbank._launch import main\nexcept ImportError:\n    from qbank.cli import main\nsys.argv[0] = 'qbank'\nmain()"

SPEC = """\
title: "Scale check: thirty items"
id: scale-30
seed: 20250101
variants: 3
sections:
  - title: Single choice
    select: {ids: [paris-states, french-next-step, dpo-reference, grpo-largest-advantage, dpo-optimum-shift,
                   dpo-reference-push, padding-mask-change, ppl-vs-accuracy-compare, nucleus-set]}
    shuffle_items: true
    shuffle_options: true
  - title: Multiple response
    select: {ids: [kl-estimators, ppl-vs-accuracy, padding-mask, grpo-statements, beam-search-statements, preamble-fixes]}
    shuffle_items: true
  - title: Numbers
    select: {ids: [token-loss, perplexity, temperature, bradley-terry, dpo, sequence-nll, kl-rlhf]}
    points: 2
  - title: Recall
    select: {ids: [define-teacher-forcing, ce-one-hot-true-false, rlhf-pipeline-order, alignment-terms-matching]}
    variants: 1
    allow_fewer_variants: true
  - title: Order, match and parts
    select: {ids: [temperature-order, logit-gradient-match, ppo-clip]}
  - title: Explain
    select: {ids: [primary-colors-preamble]}
    points: 5
    allow_fewer_variants: true
"""

STUDENTS_OPEN = '  "students": [\n'
STUDENTS_CLOSE = '\n  ],\n  "groups": '


# -- the class ----------------------------------------------------------------------------


def student_ids(start: int, stop: int) -> list[str]:
    return [f"s{i:06d}" for i in range(start, stop)]


def roster_text(ids: list[str]) -> str:
    return "id,name,email\n" + "".join(f"{s},Student {s[1:]},{s}@example.edu\n" for s in ids)


def open_pool() -> list[str]:
    import yaml

    doc = yaml.safe_load((ROOT / "tests" / "grader" / "data" / "preamble_answers.yaml").read_text(encoding="utf-8"))
    return [a["answer"] for a in doc["answers"] if a.get("answer", "").strip()]


def _sentences(pool: list[str]) -> list[str]:
    out = []
    for text in pool:
        out += [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s.split()) > 3]
    return out


def open_answer(rng: random.Random, pool: list[str], sentences: list[str], unique: float) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.08 + unique:
        return " ".join(rng.sample(sentences, rng.randint(2, 5))).replace("..", ".")
    return rng.choice(pool)


def _respell(kind: str, raw: str, rng: random.Random) -> str:
    """The same answer written another way the grader accepts (or may not: that is the point)."""
    if kind == "single_choice" and len(raw) == 1:
        return rng.choice([raw.lower(), f"({raw})", f"{raw}.", f" {raw} ", f"{raw.lower()})"])
    if kind == "multiple_response":
        letters = raw.split(",")
        return rng.choice([", ".join(letters), " ".join(letters).lower(), "".join(letters), "; ".join(letters)])
    if kind == "numeric":
        try:
            x = float(raw)
        except ValueError:
            return raw
        return rng.choice([f"{x:.6g}", f"{x * 100:g}%", f"{x:.2e}", raw.replace("-", "\u2212"), f" {raw}"])
    if kind == "true_false":
        return rng.choice([raw[0], raw.upper(), {"true": "yes", "false": "no"}.get(raw, raw)])
    if kind == "ordering":
        return rng.choice([raw.replace(" ", ","), raw.replace(" ", " > "), raw.replace(" ", "")])
    if kind == "matching":
        return rng.choice([raw.replace(" ", ", "), raw.replace("-", ":"), raw.upper()])
    if kind == "short_text":
        return rng.choice([raw.upper(), f" {raw} ", raw.capitalize() + "."])
    return raw


GARBLED = ["idk", "?", "0.2.5", "A/B", "see back", "zz", "--", "1-", "n/a", "C C C", "Q"]


def responses_for(student: str, items: list[tuple[str, object]], pool: list[str], sentences: list[str],
                  unique: float) -> list[tuple[str, str, str]]:
    """One student's rows: (student, item, response)."""
    from qbank.questions.selftest import self_test

    rng = random.Random(f"bench-grade:{student}")
    ability = rng.betavariate(5, 2)
    rows = []
    for slot, item in items:
        name = slot if rng.random() < 0.9 else (slot[1:] if rng.random() < 0.9 else item.id)  # q3, 3 or the item id
        if item.type == "open_response":
            rows.append((student, name, open_answer(rng, pool, sentences, unique)))
            continue
        roll = rng.random()
        if roll < 0.03:
            continue  # no row: a missing response
        if roll < 0.06:
            rows.append((student, name, ""))
            continue
        if roll < 0.09:
            rows.append((student, name, rng.choice(GARBLED)))
            continue
        cases = self_test(item)
        right = [c for c in cases if c.score == 1.0]
        wrong = [c for c in cases if c.score is not None and c.score < 1.0]
        bad = [c for c in cases if c.score is None]
        if rng.random() < ability or not (wrong or bad):
            raw = right[0].raw
        elif wrong and rng.random() < 0.9:
            raw = rng.choice(wrong).raw
        else:
            raw = rng.choice(bad).raw
        if rng.random() < 0.15:
            raw = _respell(item.type, raw, rng)
        rows.append((student, name, raw))
    if rng.random() < 0.002 and rows:  # a second answer to a slot: graded once, listed as a duplicate
        rows.append((student, rows[0][1], rng.choice(GARBLED)))
    return rows


def build_chunk(args: tuple[str, int, str, float]) -> int:
    """Build students [k*CHUNK, (k+1)*CHUNK) and write their manifest text and response rows."""
    spec_path, k, out, unique = args
    from qbank.questions import builtin_bank
    from qbank.quiz import build_quiz, load_spec, parse_roster

    spec, source = load_spec(spec_path)
    ids = student_ids(k * CHUNK, (k + 1) * CHUNK)
    result = build_quiz(spec, builtin_bank(), parse_roster(roster_text(ids), "roster.csv", spec.roster), source=source)
    text = result.manifest.to_json()
    start, end = text.index(STUDENTS_OPEN) + len(STUDENTS_OPEN), text.index(STUDENTS_CLOSE)
    Path(out, f"chunk{k:04d}.students").write_text(text[start:end], encoding="utf-8")
    if k == 0:
        Path(out, "head").write_text(text[:start], encoding="utf-8")
        Path(out, "tail").write_text(text[end:], encoding="utf-8")
    pool = open_pool()
    sentences = _sentences(pool)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    for paper in result.papers:
        items = [(g.id, g.items[0]) for g in paper.assessment.groups()]
        writer.writerows(responses_for(paper.student.id, items, pool, sentences, unique))
        if paper.student.id.endswith("777"):  # a gradebook row for someone who is not on the roster
            writer.writerow((f"x{paper.student.id[1:]}", "q1", "B"))
    Path(out, f"chunk{k:04d}.csv").write_text(buf.getvalue(), encoding="utf-8")
    return k


def prepare(workdir: Path, largest: int, jobs: int, unique: float) -> Path:
    """The chunks of the largest class, built once (kept between runs in ``workdir``)."""
    # a changed quiz, answer model or item code builds the class again
    digest = hashlib.sha256(f"{SPEC}{unique}{CLASS_VERSION}".encode()).hexdigest()[:12]
    code = sorted(p for d in ("questions", "engine", "quiz") for ext in ("py", "yaml") for p in (ROOT / "src" / "qbank" / d).rglob(f"*.{ext}")
                  if p.name != "manifest.py")  # the manifest's reader is not what draws the class
    digest += hashlib.sha256(b"".join(p.read_bytes() for p in code)).hexdigest()[:12]
    out = workdir / f"class-{digest}"
    out.mkdir(parents=True, exist_ok=True)
    spec_path = out / "quiz.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    todo = [k for k in range(largest // CHUNK) if not (out / f"chunk{k:04d}.csv").exists()]
    if todo:
        print(f"building {len(todo) * CHUNK:,} students in {len(todo)} chunks ({jobs} processes) into {out}", flush=True)
        t0 = time.perf_counter()
        with ProcessPoolExecutor(jobs) as pool:
            for n, k in enumerate(pool.map(build_chunk, [(str(spec_path), k, str(out), unique) for k in todo]), 1):
                if n % 10 == 0 or n == len(todo):
                    print(f"  {n}/{len(todo)} chunks, {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def assemble(chunks: Path, n: int, dest: Path) -> tuple[Path, Path]:
    """The manifest and responses file of the first n students."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest, responses = dest / "manifest.json", dest / "responses.csv"
    with open(manifest, "w", encoding="utf-8") as f:
        f.write((chunks / "head").read_text(encoding="utf-8"))
        for k in range(n // CHUNK):
            if k:
                f.write(",\n")
            f.write((chunks / f"chunk{k:04d}.students").read_text(encoding="utf-8"))
        f.write((chunks / "tail").read_text(encoding="utf-8"))
    with open(responses, "w", encoding="utf-8") as f:
        f.write("student,item,response\n")
        for k in range(n // CHUNK):
            f.write((chunks / f"chunk{k:04d}.csv").read_text(encoding="utf-8"))
    return manifest, responses


def check_splice(workdir: Path, chunks: Path) -> None:
    """A 2,000-student manifest spliced from chunks is byte for byte the one build_quiz writes whole."""
    from qbank.questions import builtin_bank
    from qbank.quiz import build_quiz, load_spec, parse_roster

    spec, source = load_spec(chunks / "quiz.yaml")
    whole = build_quiz(spec, builtin_bank(), parse_roster(roster_text(student_ids(0, 2 * CHUNK)), "r.csv", spec.roster),
                       source=source).manifest.to_json()
    spliced, _ = assemble(chunks, 2 * CHUNK, workdir / "splice")
    same = spliced.read_text(encoding="utf-8") == whole
    print(f"spliced manifest of 2,000 students == one build of 2,000: {same}")
    if not same:
        sys.exit(1)


# -- timing -------------------------------------------------------------------------------


def run_grade(src: str, manifest: Path, responses: Path, out: Path, max_rss_kb: int) -> dict[str, float]:
    """One whole-process `qbank grade`: wall, CPU, peak RSS (MB), or a note that it was stopped."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=src)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-c", SHIM, "grade", str(manifest), str(responses), "-o", str(out / "grades.csv")]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=open(_stderr_path(out), "w"))
    stopped = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if _rss_kb(proc.pid) > max_rss_kb:
            os.kill(proc.pid, signal.SIGKILL)
            stopped = True
        time.sleep(0.2)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
            "stopped": stopped, "rc": proc.returncode}


def _stderr_path(out: Path) -> Path:
    return out.with_name(out.name + ".stderr")


def _rss_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


OPEN_BLANK = "now, open answers blank"


def blank_open_answers(responses: Path) -> Path:
    """The same responses with every answer to the open question (slot q30) left blank."""
    out = responses.with_name("responses-open-blank.csv")
    with open(responses, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as g:
        writer = csv.writer(g, lineterminator="\n")
        for row in csv.reader(f):
            if row[1] in ("q30", "30") or row[1].startswith("primary-colors-preamble-"):
                row[2] = ""
            writer.writerow(row)
    return out


def digest_outputs(out: Path) -> str:
    """A digest of every file `qbank grade` wrote and of what it printed (its folder's name left out)."""
    h = hashlib.sha256()
    for p in sorted(out.iterdir()):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(_stderr_path(out).read_text(encoding="utf-8").replace(str(out), "OUT").encode())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,30000,100000", help="class sizes, multiples of 1,000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[], help="NAME=SRC: also time this source tree")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "qbank-bench-grade"))
    parser.add_argument("--jobs", type=int, default=2, help="processes for building the class (once)")
    parser.add_argument("--open-unique", type=float, default=0.3, help="share of open answers written anew (distinct)")
    parser.add_argument("--max-rss", type=float, default=10.0, help="GB: stop a grading process that needs more")
    parser.add_argument("--check-splice", action="store_true", help="check the chunked manifest against one whole build")
    parser.add_argument("--no-open-share", action="store_true",
                        help="skip grading the first size again with its open answers blank (doubles a one-size run)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    if any(n % CHUNK for n in sizes):
        parser.error(f"sizes must be multiples of {CHUNK}")
    trees = [("now", str(ROOT / "src"))] + [tuple(t.split("=", 1)) for t in args.tree]  # type: ignore[misc]
    workdir = Path(args.workdir)
    chunks = prepare(workdir, max(sizes), args.jobs, args.open_unique)
    if args.check_splice:
        check_splice(workdir, chunks)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    results: dict[tuple[int, str], list[dict[str, float]]] = {}
    digests: dict[tuple[int, str], set[str]] = {}
    stopped: set[str] = set()
    for n in sizes:
        manifest, responses = assemble(chunks, n, workdir / f"class{n}")
        rows = sum(1 for _ in open(responses, encoding="utf-8")) - 1
        print(f"{n:,} students, {rows:,} response rows, manifest {manifest.stat().st_size / 1e6:,.0f} MB", flush=True)
        cases = [(name, src, responses) for name, src in trees]
        if n == sizes[0] and not args.no_open_share:  # the open question's share: its answers left blank
            cases.append((OPEN_BLANK, trees[0][1], blank_open_answers(responses)))
        for run in range(args.runs):
            for name, src, path in (cases if run % 2 == 0 else cases[::-1]):
                if name in stopped:
                    continue
                out = workdir / f"out-{name.replace(' ', '-').replace(',', '')}"
                r = run_grade(src, manifest, path, out, int(args.max_rss * 1024 * 1024))
                results.setdefault((n, name), []).append(r)
                if r["stopped"]:
                    stopped.add(name)
                elif r["rc"] == 0:
                    digests.setdefault((n, name), set()).add(digest_outputs(out))
                print(f"  run {run + 1} {name}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['rss']:,.0f} MB"
                      + (" (stopped: over --max-rss)" if r["stopped"] else f" exit {r['rc']}"), flush=True)
        print(f"  load average: {os.getloadavg()[0]:.2f}", flush=True)

    print("\n| students | tree | wall s (median) | CPU s | ms per student (wall) | ms per student (CPU) | peak RSS MB | outputs |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        for name in [t[0] for t in trees] + [OPEN_BLANK]:
            rs = results.get((n, name), [])
            if not rs:
                continue
            if any(r["stopped"] for r in rs):
                print(f"| {n:,} | {name} | stopped at {args.max_rss:g} GB | | | | > {args.max_rss * 1024:,.0f} | |")
                continue
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            rss = max(r["rss"] for r in rs)
            d = digests.get((n, name), set())
            if name in ("now", OPEN_BLANK) or not d:
                same = ", ".join(sorted(d)) or "failed"
            else:
                same = "identical to now" if d == digests.get((n, "now")) else "DIFFERENT from now"
            print(f"| {n:,} | {name} | {wall:.1f} | {cpu:.1f} | {1000 * wall / n:.2f} | {1000 * cpu / n:.2f} | {rss:,.0f} | {same} |")
    n = sizes[0]
    if results.get((n, OPEN_BLANK)) and results.get((n, "now")):
        full = statistics.median(r["cpu"] for r in results[n, "now"])
        blank = statistics.median(r["cpu"] for r in results[n, OPEN_BLANK])
        print(f"\nthe open question's share of the CPU time at {n:,} students: {(full - blank) / full:.0%} "
              f"({full - blank:.1f} s of {full:.1f} s)")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
