"""Writing grades and statistics: CSV and JSON text, a terminal table and the PNG plot.

Every function returns the text (or bytes); the CLI writes it with ``atomic_write``.
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from .._files import csv_text, json_text
from .gradebook import Cell, Gradebook, RowProblem
from .stats import EASY, HARD, QuizStats

__all__ = ["GRADES_FORMAT", "Reports", "errors_csv", "feedback_json", "grades_csv", "problems_csv", "review_csv", "stats_csv",
           "stats_plot", "stats_table"]

GRADES_FORMAT = "qbank-grades/1"


def _num(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return ""
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


def grades_csv(book: Gradebook) -> str:
    """One row per student: student, name, each slot's score, total, max."""
    return csv_text([grades_header(book.slots), *_grade_rows(book)])


def grades_header(slots: list[str]) -> list[str]:
    return ["student", "name", *slots, "total", "max"]


def _grade_rows(book: Gradebook) -> Iterator[list[Any]]:
    for record, cells in book.students:
        scores = [_num(cells[s].score) if s in cells else "" for s in book.slots]
        total = sum(c.score for c in cells.values())
        yield [record.student, record.name, *scores, _num(total), _num(sum(c.points for c in cells.values()))]


ERRORS_HEADER = ["row", "student", "item", "reason"]


def errors_csv(book: Gradebook) -> str:
    """Every row that was not graded, and every missing response: row, student, item, reason."""
    return problems_csv(book.problems)


def problems_csv(problems: Iterable[RowProblem]) -> str:
    """The errors CSV of a list of problems."""
    return csv_text([ERRORS_HEADER, *_problem_rows(problems)])


def _problem_rows(problems: Iterable[RowProblem]) -> Iterator[list[Any]]:
    for p in problems:
        yield ["" if p.row is None else p.row, p.student, p.item, p.reason]


REVIEW_HEADER = ["student", "slot", "item", "score", "max", "reasons"]


def review_csv(book: Gradebook) -> str:
    """Grades a human should check: student, slot, item, score, max, reasons (low confidence, gaming caps, ...)."""
    return csv_text([REVIEW_HEADER, *_review_rows(book)])


def _review_rows(book: Gradebook) -> Iterator[list[Any]]:
    for record, cells in book.students:
        for slot in book.slots:
            cell = cells.get(slot)
            if cell is None:
                continue
            g = cell.grade
            reasons = list(g.review) if g else []
            if g is None and cell.error is not None and book.items[cell.item_id].type == "open_response":
                reasons.append(f"not graded: {cell.error}")
            if reasons:
                yield [record.student, slot, cell.item_id, _num(g.score if g else 0.0), _num(cell.points), "; ".join(reasons)]


def _offered(item: Any) -> list[str]:
    if item.type in ("single_choice", "multiple_response"):
        return sorted({o.misconception for o in item.options if o.misconception and not o.correct})
    if item.type in ("numeric", "short_text", "matching"):
        return sorted({d.misconception for d in item.distractors})
    if item.type == "true_false" and item.misconception:
        return [item.misconception]
    return []


def feedback_json(book: Gradebook, manifest: Any) -> str:
    """Per student and slot: response, status, score, feedback, misconception (and rubric criteria)."""
    reports = Reports(book.slots, manifest.quiz_id, manifest.title)
    reports.add(book)
    return b"".join(reports.feedback_json()).decode("utf-8")


def _feedback_entry(cell: Cell, item: Any) -> dict[str, Any]:
    g = cell.grade
    entry: dict[str, Any] = {
        "item": cell.item_id, "template": item.template, "response": cell.response, "status": cell.status,
        "score": cell.score, "max_score": cell.points, "correct": bool(g and g.correct),
        "feedback": list(g.feedback) if g else ([str(cell.error)] if cell.error else []),
        "misconception": g.misconception if g else None,
        "misconceptions": list(g.misconceptions) if g else [],
    }
    if g and g.criteria:
        entry["criteria"] = [{"id": c.id, "met": c.met, "feedback": c.feedback, "evidence": c.evidence,
                              "source": c.source or None, "contradicted": c.contradicted} for c in g.criteria]
    if g and g.review:
        entry["review"] = list(g.review)
    if g and g.parts:
        entry["parts"] = [{"label": p.label, "fraction": p.fraction, "feedback": list(p.feedback)} for p in g.parts]
    return entry


# What item statistics read of a feedback entry (stats_from_document).
_STATS_KEYS = ("item", "template", "score", "max_score", "misconceptions")


class Reports:
    """The grades, review list, feedback JSON and statistics of a class, added a few students at a time.

    ``qbank grade`` of a big class adds one chunk of students after another (each a
    :class:`Gradebook` holding those students and their items) and lets the items go; the
    texts are the same, byte for byte, as the functions above give for the whole class at
    once (they are built from the same pieces). The feedback JSON is the text of
    ``json.dumps(doc, indent=2, ensure_ascii=False)``: the students' part goes to a temporary
    file as it is made (2.5 GB for 100,000 students x 30 items), in memory while small.
    """

    def __init__(self, slots: list[str], quiz_id: str, title: str, *, feedback: bool = True, stats: bool = False):
        self.slots, self.quiz_id, self.title = slots, quiz_id, title
        self.grades: list[str] = []
        self.review: list[str] = []
        self.variants: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in slots}
        self._values: dict[tuple[Any, ...], dict[str, Any]] = {}  # one dict per distinct variant description
        self._students = tempfile.SpooledTemporaryFile(max_size=64 << 20) if feedback else None
        self._any_student = False
        self._stats: list[dict[str, Any]] | None = [] if stats else None

    def add(self, book: Gradebook) -> None:
        """Add the students of ``book`` (in order, after those added before); ``book.items`` holds their items."""
        self.grades.append(csv_text(_grade_rows(book)))
        self.review.append(csv_text(_review_rows(book)))
        items = book.items
        students = []
        for record, cells in book.students:
            for cell in cells.values():
                item = items[cell.item_id]
                offered = _offered(item)
                key = (item.template, item.type, type(cell.points), cell.points, *offered)
                value = self._values.get(key)
                if value is None:
                    value = self._values[key] = {"template": item.template, "type": item.type, "points": cell.points,
                                                 "distractors": offered}
                self.variants[cell.slot][cell.item_id] = value
            entries = {slot: _feedback_entry(cells[slot], items[cells[slot].item_id]) for slot in book.slots if slot in cells}
            students.append({
                "student": record.student, "name": record.name,
                "total": sum(c.score for c in cells.values()), "max": sum(c.points for c in cells.values()), "items": entries,
            })
            if self._stats is not None:
                self._stats.append({"items": {slot: {k: e[k] for k in _STATS_KEYS} for slot, e in entries.items()}})
        if students and self._students is not None:
            # json_text of the list, its brackets cut and every line indented one level deeper:
            # the elements as they stand inside the document's "students" list
            text = json_text(students)[1:-3].replace("\n", "\n  ")
            self._students.write(("," if self._any_student else "").encode("utf-8") + text.encode("utf-8"))
            self._any_student = True

    def grades_csv(self) -> str:
        return csv_text([grades_header(self.slots)]) + "".join(self.grades)

    def review_csv(self) -> str:
        return csv_text([REVIEW_HEADER]) + "".join(self.review)

    def feedback_json(self) -> Iterator[bytes]:
        """The feedback JSON, in pieces (read once: the students' part is consumed)."""

        def at(value: Any, level: int) -> str:
            return json_text(value)[:-1].replace("\n", "\n" + "  " * level)

        yield (f'{{\n  "format": {at(GRADES_FORMAT, 1)},\n  "quiz_id": {at(self.quiz_id, 1)},\n  "title": {at(self.title, 1)},'
               '\n  "slots": ').encode("utf-8")
        if not self.slots:
            yield b"{}"
        for i, slot in enumerate(self.slots):
            head = "{\n    " if i == 0 else ",\n    "
            yield (head + at(slot, 2) + ": " + at({"variants": self.variants[slot]}, 2)).encode("utf-8")
        yield b"\n  }" if self.slots else b""
        yield b',\n  "students": ['
        assert self._students is not None, "Reports(feedback=False) keeps no feedback"
        try:
            self._students.seek(0)
            while block := self._students.read(1 << 20):
                yield block
        finally:
            self.close()
        yield b"\n  ]\n}\n" if self._any_student else b"]\n}\n"

    def close(self) -> None:
        """Drop the feedback kept so far (its temporary file)."""
        if self._students is not None:
            self._students.close()

    def stats(self) -> QuizStats:
        """Item statistics of the students added (needs ``stats=True``)."""
        assert self._stats is not None, "Reports(stats=True) keeps what statistics need"
        doc = {"format": GRADES_FORMAT, "slots": {s: {"variants": v} for s, v in self.variants.items()}, "students": self._stats}
        return stats_from_document(doc)


def _picks(counts: dict[str, int]) -> str:
    return "; ".join(f"{m}={c}" for m, c in sorted(counts.items()))


def _rates(counts: dict[str, int], n: int) -> str:
    """Each misconception's pick rate: the share of the students who got the item that chose it."""
    return "; ".join(f"{m}={_num(c / n)}" for m, c in sorted(counts.items())) if n else ""


def stats_csv(stats: QuizStats) -> str:
    """One row per item (template), each followed by one row per variant, then the quiz's reliability."""
    rows: list[list[Any]] = [["item", "variant", "n", "facility", "point_biserial", "upper_lower_27", "distractors_chosen",
                              "distractor_rates", "distractors_unchosen", "flags"]]
    for s in stats.items:
        rows.append([s.item, "", s.n, _num(s.facility), _num(s.point_biserial), _num(s.upper_lower), _picks(s.distractors),
                     _rates(s.distractors, s.n), "; ".join(s.unchosen), "; ".join(s.flags)])
        for v in s.variants:
            rows.append([s.item, v.item, v.n, _num(v.facility), _num(v.point_biserial), "", _picks(v.distractors),
                         _rates(v.distractors, v.n), "", ""])
    rows.append([f"({stats.reliability_kind})", "", stats.n_students, _num(stats.reliability), "", "", "", "", "", ""])
    return csv_text(rows)


def stats_table(stats: QuizStats) -> str:
    """A plain-text table for the terminal."""
    width = max([4, *(len(s.item) for s in stats.items)])
    lines = [f"{'item':<{width}}  {'facility':>8}  {'r_pb':>6}  {'D(27%)':>6}  flags"]
    for s in stats.items:
        r = "n/a" if math.isnan(s.point_biserial) else f"{s.point_biserial:.2f}"
        lines.append(f"{s.item:<{width}}  {s.facility:>8.2f}  {r:>6}  {s.upper_lower:>6.2f}  {'; '.join(s.flags)}")
        for m, c in sorted(s.distractors.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{'':<{width}}    {m}: chosen {c}x" + (f" ({c / s.n:.0%})" if s.n else ""))
        if len(s.variants) > 1:
            for v in s.variants:
                picks = ", ".join(f"{m} {c}x" for m, c in sorted(v.distractors.items(), key=lambda kv: (-kv[1], kv[0])))
                lines.append(f"{'':<{width}}    {v.item}: n={v.n} facility {v.facility:.2f}" + (f"; {picks}" if picks else ""))
    rel = "n/a" if math.isnan(stats.reliability) else f"{stats.reliability:.2f}"
    lines.append(f"{stats.n_students} students; {stats.reliability_kind} = {rel}")
    return "\n".join(lines) + "\n"


def stats_plot(stats: QuizStats) -> bytes:
    """A PNG of facility against discrimination, items needing review in red.

    Raises ImportError when matplotlib (the ``plot`` extra) is not installed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    try:
        for s in stats.items:
            y = 0.0 if math.isnan(s.point_biserial) else s.point_biserial
            color = "tab:red" if s.flags else "tab:blue"
            ax.scatter([s.facility], [y], color=color)
            ax.annotate(s.item, (s.facility, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.axvspan(EASY, 1.02, color="0.9")
        ax.axvspan(-0.02, HARD, color="0.9")
        ax.axhline(0, color="0.5", linewidth=0.8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-1, 1)
        ax.set_xlabel("facility (proportion of points earned)")
        ax.set_ylabel("discrimination (corrected point-biserial)")
        ax.set_title(f"Item review ({stats.n_students} students; red: flagged)")
        out = io.BytesIO()
        fig.savefig(out, format="png", bbox_inches="tight")
        return out.getvalue()
    finally:
        plt.close(fig)


def stats_from_gradebook(book: Gradebook) -> QuizStats:
    """Item statistics of a freshly graded quiz."""
    reports = Reports(book.slots, "", "", feedback=False, stats=True)
    reports.add(book)
    return reports.stats()


def stats_from_document(doc: dict[str, Any], source: str = "grades JSON") -> QuizStats:
    """Item statistics from a grades JSON document (as :func:`feedback_json` writes it).

    Raises ValueError naming the missing field when the document is not a grades file.
    """
    import numpy as np

    from .stats import item_statistics

    try:
        if doc.get("format") != GRADES_FORMAT:
            raise ValueError(f"{source}: not a qbank grades file (format is {doc.get('format')!r}, expected {GRADES_FORMAT!r})")
        slots = list(doc["slots"])
        students = doc["students"]
        # statistics are per template (its variants pooled), never per slot: a shuffled
        # section puts different templates in the same slot for different students
        templates: dict[str, set[str]] = {}
        cells: list[list[tuple[str, dict[str, Any]]]] = []
        for student in students:
            row = []
            for slot in slots:
                entry = student["items"].get(slot)
                if entry is None:
                    continue
                variant = doc["slots"][slot]["variants"].get(entry["item"], {})
                template = entry.get("template") or variant.get("template") or _template_from_id(str(entry["item"]))
                templates.setdefault(template, set()).update(variant.get("distractors", ()))
                row.append((template, entry))
            cells.append(row)
        labels = list(templates)
        column = {t: j for j, t in enumerate(labels)}
        points = np.zeros((len(students), len(labels)))
        maxima = np.zeros_like(points)
        chosen: list[dict[str, int]] = [{} for _ in labels]
        variants: list[list[str | None]] = [[None] * len(labels) for _ in students]
        picks: list[list[list[str]]] = [[[] for _ in labels] for _ in students]
        for i, row in enumerate(cells):
            for template, entry in row:
                j = column[template]
                points[i, j] += float(entry["score"])
                maxima[i, j] += float(entry["max_score"])
                variants[i][j] = variants[i][j] or str(entry["item"])
                for m in entry.get("misconceptions") or []:
                    chosen[j][m] = chosen[j].get(m, 0) + 1
                    picks[i][j].append(m)
        offered = [sorted(templates[t]) for t in labels]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: not a qbank grades file (missing or malformed field {exc})") from None
    return item_statistics(labels, points, maxima, chosen, offered, variants, picks)


def _template_from_id(item_id: str) -> str:
    """The template of an item id '<template>-v<version>-s<seed>' (for grades files that do not name it)."""
    import re

    match = re.fullmatch(r"(.+)-v\d+-s\d+", item_id)
    return match.group(1) if match else item_id
