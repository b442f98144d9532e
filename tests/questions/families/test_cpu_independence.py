"""The same seed gives the same item on every CPU.

numpy picks its SIMD code for the CPU it runs on (AVX-512, AVX2, or the baseline), and those
paths may round ``exp`` and ``log`` differently in the last bit. A family whose numbers
amplify that bit (``ln`` of a sigmoid near 1, ``1 - p`` for p near 1) then writes different
digits on another machine, and a manifest built there no longer matches the regenerated
item. numpy can be told to leave its dispatched paths off (``NPY_DISABLE_CPU_FEATURES``),
so every family template is drawn here both ways and the items compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SEEDS = 200

DRAW = """
import json, sys
from qbank.questions import builtin_bank
hashes = {t.id: [i.content_hash() for i in t.instantiate_many(range(int(sys.argv[1])))]
          for t in builtin_bank() if t.family is not None}
json.dump(hashes, sys.stdout)
"""


def _dispatched_features() -> list[str]:
    """The SIMD targets numpy dispatches to on this CPU, beyond its baseline build."""
    try:
        from numpy._core import _multiarray_umath as umath  # numpy 2
    except ImportError:
        from numpy.core import _multiarray_umath as umath  # numpy 1.26
    return [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]


def _hashes(env: dict[str, str]) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", DRAW, str(SEEDS)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_family_draws_the_same_items_with_numpy_s_cpu_specific_code_off() -> None:
    features = _dispatched_features()
    if not features:
        pytest.skip("numpy runs only its baseline code on this CPU: there is no other path to compare")
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    native = _hashes(env)
    baseline = _hashes({**env, "NPY_DISABLE_CPU_FEATURES": " ".join(features)})
    assert native.keys() == baseline.keys()
    differ = {t: [s for s, (a, b) in enumerate(zip(native[t], baseline[t])) if a != b] for t in native}
    differ = {t: seeds for t, seeds in differ.items() if seeds}
    assert not differ, f"items that depend on the CPU ({' '.join(features)} on and off): {differ}"
