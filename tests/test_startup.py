"""`qbank --help` must not pay for numpy, pydantic models, jinja2 or renderers."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "jinja2", "pydantic", "markdown", "yaml", "qbank.questions", "qbank.renderers", "qbank.engine", "qbank.grader",
         "onnxruntime", "tokenizers")


def test_help_imports_no_heavy_module() -> None:
    code = "import sys; from qbank.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass\nprint(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not loaded.intersection(HEAVY), sorted(loaded.intersection(HEAVY))


def test_rubric_help_loads_no_embedding_model() -> None:
    code = ("import sys; from qbank.cli import cli\ntry:\n    cli(['rubric', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not loaded.intersection(("onnxruntime", "tokenizers", "numpy")), sorted(loaded)
