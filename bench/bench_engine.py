"""Benchmark of the engine's hot path: softmax + cross-entropy + logit gradient.

Run: ``PYTHONPATH=src python bench/bench_engine.py [--repeat N] [--batch B]``

The reference "physical limit" is one ``np.copy`` of the same float64 logits array
(read once, write once, fresh allocation), which is what any out-of-place
softmax+gradient must at least do. The fused call is
``qbank.engine.softmax_cross_entropy_grad``; the unfused baseline chains the public
``softmax``, ``cross_entropy`` and ``logit_gradient`` (with their input checks).
Times are the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from qbank.engine import cross_entropy, logit_gradient, softmax, softmax_cross_entropy_grad


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: first-touch page faults and code paths
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def unfused(z: np.ndarray, t: np.ndarray) -> None:
    p = softmax(z)
    cross_entropy(p, t)
    logit_gradient(p, t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--unfused", action="store_true", help="also time the unfused public-API chain")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    print(f"median of {args.repeat} runs, float64, batch {args.batch}\n")

    z = rng.normal(0.0, 3.0, size=(args.batch, args.vocab))
    t = rng.integers(0, args.vocab, size=args.batch)
    mb = z.nbytes / 1e6
    t_copy = median_time(lambda: np.copy(z), args.repeat)
    t_fused = median_time(lambda: softmax_cross_entropy_grad(z, t), args.repeat)
    print(f"{'case':<42}{'time (ms)':>12}{'x copy':>10}")
    print(f"{'np.copy ' + f'{args.batch}x{args.vocab} ({mb:.0f} MB)':<42}{t_copy * 1e3:>12.1f}{1.0:>10.2f}")
    print(f"{'fused softmax+CE+grad':<42}{t_fused * 1e3:>12.1f}{t_fused / t_copy:>10.2f}")
    if args.unfused:
        t_unf = median_time(lambda: unfused(z, t), args.repeat)
        print(f"{'unfused softmax, cross_entropy, logit_grad':<42}{t_unf * 1e3:>12.1f}{t_unf / t_copy:>10.2f}")
    del z

    print(f"\nvocabulary scaling (batch {args.batch})")
    print(f"{'vocab':>8}{'copy (ms)':>12}{'fused (ms)':>12}{'x copy':>9}{'ns/elem':>10}")
    for v in (1_000, 10_000, 50_000, 200_000):
        zv = rng.normal(0.0, 3.0, size=(args.batch, v))
        tv = rng.integers(0, v, size=args.batch)
        tc = median_time(lambda: np.copy(zv), args.repeat)
        tf = median_time(lambda: softmax_cross_entropy_grad(zv, tv), args.repeat)
        print(f"{v:>8}{tc * 1e3:>12.1f}{tf * 1e3:>12.1f}{tf / tc:>9.2f}{tf / zv.size * 1e9:>10.2f}")
        del zv


if __name__ == "__main__":
    main()
