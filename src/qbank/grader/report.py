"""Writing grades and statistics: CSV and JSON text, a terminal table and the PNG plot.

Every function returns the text (or bytes); the CLI writes it with ``atomic_write``.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

from .._files import csv_text
from .gradebook import Gradebook
from .stats import EASY, HARD, QuizStats

__all__ = ["GRADES_FORMAT", "errors_csv", "feedback_json", "grades_csv", "review_csv", "stats_csv", "stats_plot", "stats_table"]

GRADES_FORMAT = "qbank-grades/1"


def _num(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return ""
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


def grades_csv(book: Gradebook) -> str:
    """One row per student: student, name, each slot's score, total, max."""
    rows: list[list[Any]] = [["student", "name", *book.slots, "total", "max"]]
    for record, cells in book.students:
        scores = [_num(cells[s].score) if s in cells else "" for s in book.slots]
        total = sum(c.score for c in cells.values())
        rows.append([record.student, record.name, *scores, _num(total), _num(sum(c.points for c in cells.values()))])
    return csv_text(rows)


def errors_csv(book: Gradebook) -> str:
    """Every row that was not graded, and every missing response: row, student, item, reason."""
    rows: list[list[Any]] = [["row", "student", "item", "reason"]]
    rows += [["" if p.row is None else p.row, p.student, p.item, p.reason] for p in book.problems]
    return csv_text(rows)


def review_csv(book: Gradebook) -> str:
    """Grades a human should check: student, slot, item, score, max, reasons (low confidence, gaming caps, ...)."""
    rows: list[list[Any]] = [["student", "slot", "item", "score", "max", "reasons"]]
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
                rows.append([record.student, slot, cell.item_id, _num(g.score if g else 0.0), _num(cell.points), "; ".join(reasons)])
    return csv_text(rows)


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
    slots: dict[str, Any] = {s: {"variants": {}} for s in book.slots}
    for _, cells in book.students:
        for cell in cells.values():
            item = book.items[cell.item_id]
            slots[cell.slot]["variants"][cell.item_id] = {"template": item.template, "type": item.type, "points": cell.points,
                                                          "distractors": _offered(item)}
    students = []
    for record, cells in book.students:
        entries = {}
        for slot in book.slots:
            if slot not in cells:
                continue
            cell, g = cells[slot], cells[slot].grade
            entry: dict[str, Any] = {
                "item": cell.item_id, "template": book.items[cell.item_id].template, "response": cell.response, "status": cell.status,
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
            entries[slot] = entry
        students.append({
            "student": record.student, "name": record.name,
            "total": sum(c.score for c in cells.values()), "max": sum(c.points for c in cells.values()), "items": entries,
        })
    doc = {"format": GRADES_FORMAT, "quiz_id": manifest.quiz_id, "title": manifest.title, "slots": slots, "students": students}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


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
    return stats_from_document(json.loads(feedback_json(book, _Named())))


class _Named:
    quiz_id = ""
    title = ""


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
