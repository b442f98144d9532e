"""Quizzes: specs, selection, per-student variants, LMS groups and manifests.

    load_spec(path) -> QuizSpec      read_roster(path) -> Roster
    build_quiz(spec, bank, roster) -> BuildResult      (pure)
    render_outputs(result, formats) -> Outputs         (in memory)
    write_outputs(outdir, outputs)                     (atomic, manifest last)
"""

from importlib import import_module
from typing import Any

# name -> the module that defines it; imported on first use (PEP 562), so that a command
# that needs one part (a cached rebuild needs only publishing) does not import the rest
_WHERE = {
    "BuildResult": "build", "Paper": "build", "build_quiz": "build",
    "Manifest": "manifest", "ManifestItem": "manifest", "StudentRecord": "manifest",
    "Outputs": "output", "choose_formats": "output", "render_outputs": "output", "student_quiz_json": "output",
    "write_outputs": "output",
    "Roster": "roster", "Student": "roster", "parse_roster": "roster", "read_roster": "roster",
    "select_templates": "select",
    "QuizSpec": "spec", "RosterColumns": "spec", "SectionSpec": "spec", "Selection": "spec", "load_spec": "spec",
    "quiz_schema_json": "spec", "spec_hash": "spec",
    "fingerprint": "variants", "group_variants": "variants", "student_seed": "variants",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BuildResult", "Manifest", "ManifestItem", "Outputs", "Paper", "QuizSpec", "Roster", "RosterColumns",
    "SectionSpec", "Selection", "Student", "StudentRecord", "build_quiz", "choose_formats", "fingerprint",
    "group_variants", "load_spec", "parse_roster", "quiz_schema_json", "read_roster", "render_outputs",
    "select_templates", "spec_hash", "student_quiz_json", "student_seed", "write_outputs",
]
