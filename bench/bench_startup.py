"""How long `qbank --help` takes, against the floor of starting Python at all.

Run: .venv/bin/python bench/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 20


def wall(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    floor = wall([sys.executable, "-c", "pass"])
    help_ = wall([sys.executable, "-m", "qbank", "--help"])
    show = wall([sys.executable, "-m", "qbank", "show", "paris-states-original"])
    print(f"python -c pass        {floor * 1000:7.1f} ms")
    print(f"qbank --help          {help_ * 1000:7.1f} ms   ratio {help_ / floor:.2f}x")
    print(f"qbank show ID         {show * 1000:7.1f} ms   ratio {show / floor:.2f}x  (loads the bank and numpy)")


if __name__ == "__main__":
    main()
