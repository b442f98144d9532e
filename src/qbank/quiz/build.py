"""Building a quiz: spec + bank + roster -> the assessments to render and the manifest.

Pure: nothing here reads or writes files (see :mod:`qbank.quiz.output` for that). The
result holds

* ``lms``: one Assessment whose groups each hold K distinct variants of one template, of
  which the LMS picks one per student;
* ``papers``: one Assessment per student (one item per group, in the student's order),
  or a single sample paper when there is no roster;
* ``manifest``: for every student and slot the item id, version, seed and content hash,
  and the variants of every LMS group, so that grading regenerates exactly these items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from .._gc import CycleCollector, gc_paused
from ..questions import Assessment, Group, Section
from ..questions._model import trusted
from .manifest import Manifest, ManifestItem, StudentRecord
from .roster import Roster, Student
from .select import select_templates
from .spec import QuizSpec, SpecSource, spec_hash
from .variants import group_variants_hashed, item_order, student_seed

__all__ = ["BuildResult", "Paper", "SAMPLE", "build_quiz"]

T = TypeVar("T")
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]

# Without a roster, one paper for everyone: its seeds derive from the quiz seed and this id.
SAMPLE = Student("sample", "")


@dataclass(frozen=True)
class Paper:
    """One student's quiz: what they see, and what the manifest records of it."""

    student: Student
    assessment: Assessment
    record: StudentRecord


@dataclass(frozen=True)
class BuildResult:
    spec: QuizSpec
    spec_hash: str
    lms: Assessment
    papers: tuple[Paper, ...]
    manifest: Manifest
    from_roster: bool
    warnings: tuple[str, ...] = ()

    @property
    def n_items(self) -> int:
        return sum(1 for _ in self.lms.groups())

    @property
    def n_variants(self) -> int:
        return sum(len(g.items) for g in self.lms.groups())


def _quiet(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    yield from items


# A build makes a group and a manifest entry for every variant it draws (10,000 of each for
# 5,000 questions), of values already validated (the spec's, the template's, the item's own)
# or made here in their valid form: they are assembled without validating them again
# (``trusted``), which was a fifth of a build. Passing an item to a group's validation also
# ran the item's own validators again. Tests build with validation on and compare.


def _entry(slot: str, item: Any, points: float, content_hash: str) -> ManifestItem:
    return trusted(ManifestItem, {"slot": slot, "item": item.id, "template": item.template, "version": item.version,
                                  "seed": item.seed, "points": points, "content_hash": content_hash})


def _group(**fields: Any) -> Group:
    return trusted(Group, fields)  # type: ignore[no-any-return]


def build_quiz(spec: QuizSpec, bank: Any, roster: Roster | None = None, *, source: SpecSource | None = None,
               progress: Progress | None = None) -> BuildResult:
    """Select, draw the variants and assemble everything a quiz build writes.

    Raises:
        InputError: a selection the bank cannot satisfy, or a template with fewer distinct
        variants than asked; raised before anything is rendered or written.
    """
    # Drawing allocates objects that live to the end of the build (every item, twice) and
    # makes next to no cycles: without the pause the collector walked them all again and
    # again, and a 1,000-student build spent more than half its time there.
    with gc_paused():
        return _build_quiz(spec, bank, roster, source or SpecSource(), progress or _quiet)


def _build_quiz(spec: QuizSpec, bank: Any, roster: Roster | None, source: SpecSource, progress: Progress) -> BuildResult:
    sections = select_templates(spec, bank, source)
    warnings: list[str] = []

    # LMS: one group per template, K distinct variants, pick 1.
    lms_sections = []
    groups: dict[str, tuple[ManifestItem, ...]] = {}
    slot = 0
    for index, (section, templates) in enumerate(zip(spec.sections, sections)):
        k = section.variants or spec.variants
        built = []
        where = f"{source.at('sections', index)}: {spec.section_name(index)}"
        for template in templates:
            slot += 1
            variants = group_variants_hashed(template, spec.seed, k, allow_fewer=section.allow_fewer_variants,
                                             where=where)
            points = section.points or template.points
            built.append(_group(id=template.id, title=template.title, pick=1, points=section.points,
                                items=tuple(v for v, _ in variants), shuffle_options=section.shuffle_options))
            groups[template.id] = tuple(_entry(f"q{slot}", v, points, h) for v, h in variants)
        lms_sections.append(Section(title=section.title, groups=tuple(built)))
    lms = Assessment(id=spec.quiz_id, title=spec.title, instructions=spec.instructions, sections=tuple(lms_sections))

    students = roster.students if roster is not None else (SAMPLE,)
    papers = []
    collect_cycles = CycleCollector()  # rejected draws leave their frames in cycles
    for student in progress(students, len(students), "Drawing variants"):
        papers.append(_paper(spec, sections, student, sample=roster is None))
        collect_cycles()
    manifest = Manifest(quiz_id=spec.quiz_id, title=spec.title, seed=spec.seed, spec_hash=spec_hash(spec),
                        students=tuple(p.record for p in papers), groups=groups)
    return BuildResult(spec, manifest.spec_hash, lms, tuple(papers), manifest, roster is not None, tuple(warnings))


def _paper(spec: QuizSpec, sections: list[list[Any]], student: Student, *, sample: bool) -> Paper:
    entries: list[ManifestItem] = []
    out_sections = []
    n = 0
    for index, (section, templates) in enumerate(zip(spec.sections, sections)):
        order = item_order(spec.seed, student.id, index, len(templates)) if section.shuffle_items else range(len(templates))
        groups = []
        for position in order:
            template = templates[position]
            n += 1
            item, content_hash = template.variant(student_seed(spec.seed, student.id, template.id))
            groups.append(_group(id=f"q{n}", title=item.title, items=(item,), points=section.points,
                                 shuffle_options=section.shuffle_options))
            entries.append(_entry(f"q{n}", item, section.points or template.points, content_hash))
        out_sections.append(Section(title=section.title, groups=tuple(groups)))
    who = "Name: ______________________" if sample else f"Student: {student.label}"
    instructions = f"{who}\n\n{spec.instructions}".rstrip()
    assessment = Assessment(id=spec.quiz_id, title=spec.title, instructions=instructions, sections=tuple(out_sections))
    record = StudentRecord(student=student.id, name=student.name, email=student.email, items=tuple(entries))
    return Paper(student, assessment, record)
