"""`qbank import` on a 5,000-question Moodle XML file, against the 2 s target.

    .venv/bin/python bench/bench_import.py [--questions 5000] [--repeat 3]

The file is qbank's own Moodle export of the built-in bank's variants (every item type,
tables, math, feedback, cloze multipart items), made once before timing. Timed, best of the
repeats: reading and converting (`import_files`), then validating and writing the bank
folder (`write_bank`), as `qbank import FILE -o DIR` does. For scale, the same file parsed
by lxml alone (the floor any XML importer pays) is timed side by side. The process's CPU time
is printed too: on a shared machine the wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path


def make_file(n: int, folder: Path) -> Path:
    from qbank.questions import Assessment, builtin_bank
    from qbank.renderers import render

    templates = list(builtin_bank())
    items = []
    for seed in itertools.count(1):
        for t in templates:
            if t.family is None and seed > 1:
                continue  # a static item is the same at every seed
            items.append(t.instantiate(seed))
            if len(items) == n:
                break
        if len(items) == n:
            break
    text = render(Assessment.from_items(items, title="Bench"), "moodle", audience="instructor").content
    path = folder / "bench.xml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from lxml import etree

    from qbank.importers import import_files, write_bank

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_file(args.questions, folder)
        size = path.stat().st_size / 1e6
        from qbank.importers import _cloze, _html, _yaml

        parse, read, write, cpu = [], [], [], []
        for r in range(args.repeat):
            for cache in (_html._cached, _html._block, _html._cell, _html.plain_to_markdown, _html.source_to_markdown,
                          _cloze._unescape, _yaml._string):
                cache.cache_clear()  # each run converts every text afresh
            c0 = time.process_time()
            t0 = time.perf_counter()
            etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
            t1 = time.perf_counter()
            result = import_files([path])
            t2 = time.perf_counter()
            out = folder / f"bank{r}"
            write_bank(result, out, sources=str(path))
            t3 = time.perf_counter()
            cpu.append(time.process_time() - c0 - (t1 - t0))
            parse.append(t1 - t0)
            read.append(t2 - t1)
            write.append(t3 - t2)
            shutil.rmtree(out)
        total = min(a + b for a, b in zip(read, write))
        print(f"{args.questions} questions, {size:.1f} MB Moodle XML, {len(result.questions)} imported")
        print(f"  lxml parse alone        {min(parse):6.3f} s")
        print(f"  read + convert          {min(read):6.3f} s")
        print(f"  validate + write bank   {min(write):6.3f} s")
        print(f"  qbank import total      {total:6.3f} s   ({total / 2.0:.2f} x the 2 s target)")
        print(f"  CPU time of the import  {min(cpu):6.3f} s   (less sensitive to a busy machine)")
        print(f"  machine load (1 min)    {os.getloadavg()[0]:6.2f}   on {os.cpu_count()} cores")
        print("  verdict: " + ("under" if min(cpu) < 2.0 else "OVER") + " the 2 s target in CPU time")


if __name__ == "__main__":
    main()
