"""Quizzes: specs, selection, per-student variants, LMS groups and manifests.

    load_spec(path) -> QuizSpec      read_roster(path) -> Roster
    build_quiz(spec, bank, roster) -> BuildResult      (pure)
    render_outputs(result, formats) -> Outputs         (in memory)
    write_outputs(outdir, outputs)                     (atomic, manifest last)
"""

from .build import BuildResult, Paper, build_quiz
from .manifest import Manifest, ManifestItem, StudentRecord
from .output import Outputs, choose_formats, render_outputs, student_quiz_json, write_outputs
from .roster import Roster, Student, parse_roster, read_roster
from .select import select_templates
from .spec import QuizSpec, RosterColumns, SectionSpec, Selection, load_spec, quiz_schema_json, spec_hash
from .variants import fingerprint, group_variants, student_seed

__all__ = [
    "BuildResult", "Manifest", "ManifestItem", "Outputs", "Paper", "QuizSpec", "Roster", "RosterColumns",
    "SectionSpec", "Selection", "Student", "StudentRecord", "build_quiz", "choose_formats", "fingerprint",
    "group_variants", "load_spec", "parse_roster", "quiz_schema_json", "read_roster", "render_outputs",
    "select_templates", "spec_hash", "student_quiz_json", "student_seed", "write_outputs",
]
