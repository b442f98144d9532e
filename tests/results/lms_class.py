"""A class of students with known answers, and their result reports as each LMS writes them.

:class:`KnownClass` builds a quiz with `qbank build`, lets every student draw one variant of each
question group (as the LMS does) and gives a known answer: right, a distractor, wrong,
unanswered or garbled, some students with two attempts, a few responses regraded by hand in the
LMS. From these choices alone it knows each student's grade and each template's figures, which
the tests compare with what ``qbank import-results`` reads back from the report.

The report writers follow the layouts documented in docs/lms-results.md (and the platforms'
code cited there), and take the question and option texts from qbank's own export files, as
the LMS would after importing them.
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import builtin_bank
from qbank.questions.items import letter
from qbank.quiz.manifest import Manifest

SPEC = """\
title: LMS round trip
id: lms-trip
seed: 7
variants: 3
sections:
  - title: Choices
    select: {ids: [paris-states, next-step-statements]}
    points: 2
    shuffle_options: true
  - title: Numbers and words
    select: {ids: [token-loss, ce-one-hot-true-false, define-teacher-forcing]}
    allow_fewer_variants: true
  - title: Explain
    select: {ids: [primary-colors-preamble]}
    points: 5
    allow_fewer_variants: true
"""

WRONG_ESSAY = "The temperature was too high."


def build_quiz(tmp: Path, spec: str = SPEC) -> Path:
    """`qbank build` the quiz into tmp/out; the folder holds manifest.json and lms/."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "quiz.yaml").write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp / "quiz.yaml"), "-f", "canvas,moodle,qti21,qti3", "-q",
                                      "-o", str(tmp / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tmp / "out"


@dataclass
class Answer:
    """One known response: what the student did and what it is worth."""

    group: str
    item: object
    slot: str
    points: float
    kind: str  # right | distractor | wrong | partial | unanswered | garbled
    chosen: tuple[int, ...] = ()  # option positions, for choice items
    text: str | None = None  # typed text (numeric, short text, essay, true/false word)
    expected: float = 0.0  # qbank's grade, known from the choice above
    lms_points: float = 0.0  # what the LMS records
    picks: tuple[str, ...] = ()  # misconceptions behind the answer

    @property
    def answered(self) -> bool:
        return self.kind != "unanswered"


@dataclass
class Attempt:
    student: int
    number: int
    answers: dict[str, Answer] = field(default_factory=dict)
    finished: bool = True

    @property
    def key(self) -> str:
        return str(50_000 + self.student)

    @property
    def email(self) -> str:
        return f"s{self.student:03d}@example.edu"

    @property
    def name(self) -> str:
        return f"Student {self.student:03d}"

    def total(self, lms: bool) -> float:
        return sum(a.lms_points if lms and a.item.type != "open_response" else a.expected for a in self.answers.values())


class KnownClass:
    def __init__(self, out: Path, n: int = 200, seed: int = 2024):
        self.out = out
        self.manifest = Manifest.load(out / "manifest.json")
        bank = builtin_bank()
        self.items = {e.item: bank[e.template].instantiate(e.seed) for vs in self.manifest.groups.values() for e in vs}
        rng = np.random.default_rng(seed)
        self.attempts: list[Attempt] = []
        for s in range(1, n + 1):
            tries = 2 if s % 13 == 0 else 1
            for t in range(1, tries + 1):
                attempt = Attempt(s, t)
                for group, variants in self.manifest.groups.items():
                    entry = variants[int(rng.integers(len(variants)))]
                    attempt.answers[group] = self._answer(group, entry, rng)
                self.attempts.append(attempt)
            if s % 29 == 0:  # a last attempt left open: it never counts, however good
                attempt = Attempt(s, tries + 1, finished=False)
                for group, variants in self.manifest.groups.items():
                    a = self._answer(group, variants[0], rng)
                    if a.item.type in ("single_choice", "multiple_response"):
                        a.kind, a.chosen, a.text = "right", tuple(a.item.key), None
                        a.expected = a.lms_points = a.points
                    attempt.answers[group] = a
                self.attempts.append(attempt)
        # the instructor gave full marks by hand to a few wrong choices in the LMS
        self.regraded = []
        for attempt in self.attempts[5::37] if "paris-states" in self.manifest.groups else ():
            a = attempt.answers["paris-states"]
            if a.kind in ("distractor", "wrong") and a.answered:
                a.lms_points = a.points
                self.regraded.append((attempt, a))

    def _answer(self, group: str, entry, rng) -> Answer:
        item = self.items[entry.item]
        a = Answer(group, item, entry.slot, entry.points, "unanswered")
        roll = rng.random()
        if roll < 0.08:
            return a
        t = item.type
        if t == "single_choice":
            wrong = [i for i, o in enumerate(item.options) if not o.correct]
            if roll < 0.55:
                a.kind, a.chosen = "right", (item.key[0],)
            elif roll < 0.95:
                a.kind, a.chosen = "distractor", (wrong[int(rng.integers(len(wrong)))],)
            else:
                a.kind, a.text = "garbled", "State C, obviously"
        elif t == "multiple_response":
            key = sorted(item.key)
            wrong = [i for i in range(len(item.options)) if i not in key]
            if roll < 0.45:
                chosen = key
            elif roll < 0.8:
                chosen = sorted(key[1:] + [wrong[0]])
            else:
                chosen = [wrong[-1]]
            a.kind, a.chosen = ("right" if chosen == key else "partial"), tuple(chosen)
        elif t == "true_false":
            ok = roll < 0.6
            a.kind, a.text = ("right" if ok else "wrong"), ("True" if item.answer == ok else "False")
        elif t == "numeric":
            if roll < 0.5:
                a.kind, a.text = "right", f"{item.answer:.4f}"
            elif roll < 0.8:
                d = item.distractors[int(rng.integers(len(item.distractors)))]
                a.kind, a.text = "distractor", f"{d.value:.4f}"
            elif roll < 0.93:
                a.kind, a.text = "wrong", f"{item.answer + 1.2345:.4f}"
            else:
                a.kind, a.text = "garbled", "about half"
        elif t == "short_text":
            if roll < 0.6:
                a.kind, a.text = "right", item.answers[0]
            else:
                a.kind, a.text = "distractor", item.distractors[0].text
        elif t == "open_response":
            a.kind, a.text = ("right", item.sample_answer) if roll < 0.6 else ("wrong", WRONG_ESSAY)
        a.expected, a.picks = self._known_value(a)
        a.lms_points = a.expected if t != "open_response" else 0.0
        return a

    @staticmethod
    def _known_value(a: Answer) -> tuple[float, tuple[str, ...]]:
        """The grade and misconceptions of an answer, from what the student did (not from qbank's grader)."""
        item, t = a.item, a.item.type
        if t in ("single_choice", "multiple_response"):
            if not a.chosen:
                return 0.0, ()
            key = set(item.key)
            right, wrong = len(set(a.chosen) & key), len(set(a.chosen) - key)
            fraction = (1.0 if right == len(key) and not wrong else 0.0) if t == "single_choice" else max(0.0, (right - wrong) / len(key))
            picks = tuple(dict.fromkeys(item.options[i].misconception for i in a.chosen
                                        if not item.options[i].correct and item.options[i].misconception))
            return fraction * a.points, picks
        if t == "true_false":
            return (a.points, ()) if a.kind == "right" else (0.0, (item.misconception,) if item.misconception else ())
        if t in ("numeric", "short_text"):
            if a.kind == "right":
                return a.points, ()
            if a.kind == "distractor":
                value = a.text
                d = next(d for d in item.distractors if (f"{d.value:.4f}" if t == "numeric" else d.text) == value)
                return 0.0, (d.misconception,)
            return 0.0, ()
        if t == "open_response":
            return (a.points if a.kind == "right" else 0.0), ()
        return 0.0, ()  # ordering, matching, multipart: the tests that use them set the answers

    # -- what the tests expect -------------------------------------------------------------

    @property
    def finished(self) -> list[Attempt]:
        """The attempts Canvas and a QTI platform report: the submitted ones."""
        return [a for a in self.attempts if a.finished]

    def kept(self, lms_scores: bool) -> dict[str, Attempt]:
        """The attempt that counts for each student: the highest total, the later one on a tie."""
        best: dict[str, Attempt] = {}
        for a in self.attempts:
            if not a.finished:
                continue
            b = best.get(a.key)
            if b is None or a.total(lms_scores) >= b.total(lms_scores):
                best[a.key] = a
        return best

    def expected_totals(self, lms_scores: bool) -> dict[str, float]:
        return {k: round(a.total(lms_scores), 4) for k, a in self.kept(lms_scores).items()}

    def expected_template_stats(self, lms_scores: bool) -> dict[str, dict]:
        kept = list(self.kept(lms_scores).values())
        out: dict[str, dict] = {}
        for group in self.manifest.groups:
            fractions, picks, by_variant = [], {}, {}
            for attempt in kept:
                a = attempt.answers[group]
                score = a.lms_points if lms_scores and a.item.type != "open_response" else a.expected
                fractions.append(score / a.points)
                by_variant.setdefault(a.item.id, []).append(score / a.points)
                for m in a.picks:
                    picks[m] = picks.get(m, 0) + 1
            out[group] = {"facility": float(np.mean(fractions)), "picks": picks,
                          "variants": {v: (len(f), float(np.mean(f))) for v, f in by_variant.items()}}
        return out

    def expected_reliability(self, lms_scores: bool) -> tuple[str, float]:
        kept = list(self.kept(lms_scores).values())
        groups = list(self.manifest.groups)
        pts = np.array([[(a.answers[g].lms_points if lms_scores and a.answers[g].item.type != "open_response"
                          else a.answers[g].expected) for g in groups] for a in kept])
        tops = np.array([[a.answers[g].points for g in groups] for a in kept])
        frac = pts / tops
        k = len(groups)
        if np.all((frac == 0) | (frac == 1)):
            p = frac.mean(axis=0)
            return "KR-20", k / (k - 1) * (1 - (p * (1 - p)).sum() / frac.sum(axis=1).var())
        return "Cronbach's alpha", k / (k - 1) * (1 - pts.var(axis=0).sum() / pts.sum(axis=1).var())

    # -- the exports, read as the LMS would have imported them ------------------------------

    def canvas_texts(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Question HTML and option HTML per item id, from qbank's Canvas zip."""
        quiz = self.manifest.quiz_id
        with zipfile.ZipFile(self.out / "lms" / f"{quiz}-canvas.zip") as z:
            root = ET.fromstring(z.read(f"{quiz}/{quiz}.xml"))
        ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
        questions, options = {}, {}
        for item in root.iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}item"):
            presentation = item.find("q:presentation", ns)
            questions[item.get("ident")] = presentation.find("q:material/q:mattext", ns).text
            options[item.get("ident")] = [m.text for m in presentation.findall(".//q:response_label/q:material/q:mattext", ns)]
        return questions, options

    def moodle_texts(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        root = ET.parse(self.out / "lms" / f"{self.manifest.quiz_id}-moodle.xml").getroot()
        questions, options = {}, {}
        for q in root.iter("question"):
            if q.get("type") == "category":
                continue
            ident = q.findtext("idnumber")
            questions[ident] = q.findtext("questiontext/text")
            options[ident] = [a.findtext("text") for a in q.findall("answer")]
        return questions, options


def strip_tags(fragment: str) -> str:
    """Rails' strip_tags, as Canvas applies it to a question's HTML: tags go, entities stay."""
    return re.sub(r"<[^>]*>", "", fragment)


def html_to_text(fragment: str) -> str:
    """Roughly Moodle's html_to_text: tags go, entities are decoded, white space is collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", fragment))).strip()


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def canvas_columns(klass: KnownClass, all_attempts: bool = True) -> list[tuple[str, str, int]]:
    """(group, variant, 0-based column of its response) of every question column of the Canvas report."""
    first = 8 if all_attempts else 7
    return [(g, e.item, first + 2 * n) for n, (g, e) in enumerate(
        (g, e) for g, variants in klass.manifest.groups.items() for e in variants)]


def line_of(text: str, row: int) -> int:
    """The file line CSV record ``row`` (0 = header) starts on: cells may hold line breaks."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    previous = 0
    for n, _ in enumerate(reader):
        if n == row:
            return previous + 1
        previous = reader.line_num
    raise IndexError(row)


def canvas_report(klass: KnownClass, all_attempts: bool = True) -> str:
    """The Student Analysis CSV Canvas writes for this class (see qbank.results.canvas)."""
    questions, options = klass.canvas_texts()
    header = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted"]
    if all_attempts:
        header.append("attempt")
    columns = []  # (group, item id)
    qid = 7000
    for group, variants in klass.manifest.groups.items():
        for e in variants:
            if e.item not in questions:
                continue  # an item qbank's Canvas export had to skip: not in the Canvas quiz
            qid += 1
            header += [f"{qid}: {strip_tags(questions[e.item])}", f"{e.points:.1f}"]
            columns.append((group, e.item))
    header += ["n correct", "n incorrect", "score"]
    rows = [header]
    for attempt in klass.finished:
        row = [attempt.name, attempt.key, f"SIS{attempt.student:04d}", "Section 1", "101", "S1",
               f"2026-11-{10 + attempt.number:02d} 14:03:22 UTC"]
        if all_attempts:
            row.append(str(attempt.number))
        correct = 0
        for group, item_id in columns:
            a = attempt.answers[group]
            if a.item.id != item_id:
                row += ["", ""]
                continue
            texts = [html.unescape(strip_tags(t)) for t in options[item_id]]
            if a.item.type in ("single_choice", "multiple_response") and a.chosen:
                shown = ",".join(texts[i].replace(",", "\\,") for i in a.chosen)
            else:
                shown = a.text or ""
            row += [shown, repr(float(a.lms_points))]  # Ruby prints floats as Python repr does
            correct += a.lms_points >= a.points
        row += [str(correct), str(len({g for g, _ in columns}) - correct), repr(float(attempt.total(True)))]
        rows.append(row)
    return _csv(rows)


def moodle_report(klass: KnownClass, grade_max: float = 10.0, regrade: dict[tuple[str, int], float] | None = None) -> str:
    """The Responses report CSV Moodle downloads for this class (see qbank.results.moodle), with its BOM."""
    questions, options = klass.moodle_texts()
    groups = list(klass.manifest.groups)
    header = ["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken",
              f"Grade/{grade_max:.2f}"]
    for n in range(1, len(groups) + 1):
        header += [f"Question {n}", f"Response {n}", f"Right answer {n}"]
    rows = [header]
    top = sum(klass.manifest.groups[g][0].points for g in groups)
    rng = np.random.default_rng(5)
    for attempt in klass.attempts:
        total = (regrade or {}).get((attempt.key, attempt.number), attempt.total(False) / top * grade_max)
        row = [f"{attempt.student:03d}", "Student", attempt.email,
               "Finished" if attempt.finished else "In progress", f"{attempt.number + 1} December 2026, 3:04 PM",
               f"{attempt.number + 1} December 2026, 3:24 PM" if attempt.finished else "-", "20 mins", f"{total:.2f}" if attempt.finished else "-"]
        for group in groups:
            a = attempt.answers[group]
            item_id = a.item.id
            qtext = html_to_text(questions[item_id])
            texts = [html_to_text(t) for t in options[item_id]]
            right = ""
            if a.item.type in ("single_choice", "multiple_response"):
                order = list(rng.permutation(len(texts)))
                qtext += ": " + "; ".join(texts[i] for i in order)
                shown = "; ".join(texts[i] for i in order if i in a.chosen) if a.chosen else (a.text or "-")
                right = "; ".join(texts[i] for i in a.item.key)
            elif a.item.type == "true_false":  # the summary is the question text; the response True or False
                shown = a.text or "-"
            else:
                shown = a.text if a.answered and a.text else "-"
            row += [qtext, shown, right]
        rows.append(row)
    return "\ufeff" + _csv(rows)


def moodle_grades_report(klass: KnownClass, grade_max: float = 10.0) -> str:
    """The Grades (overview) report CSV of the same attempts, with the marks for each question.

    Moodle rescales every mark to the quiz's grade and shows two decimals; an essay it has not
    graded shows "Requires grading".
    """
    groups = list(klass.manifest.groups)
    top = sum(klass.manifest.groups[g][0].points for g in groups)
    scale = grade_max / top
    header = ["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken",
              f"Grade/{grade_max:.2f}"]
    header += [f"Q. {n} /{klass.manifest.groups[g][0].points * scale:.2f}" for n, g in enumerate(groups, 1)]
    rows = [header]
    for attempt in klass.attempts:
        row = [f"{attempt.student:03d}", "Student", attempt.email, "Finished" if attempt.finished else "In progress",
               f"{attempt.number + 1} December 2026, 3:04 PM",
               f"{attempt.number + 1} December 2026, 3:24 PM" if attempt.finished else "-", "20 mins",
               f"{attempt.total(True) * scale:.2f}" if attempt.finished else "-"]
        for g in groups:
            a = attempt.answers[g]
            row.append("-" if not attempt.finished else "Requires grading" if a.item.type == "open_response"
                       else f"{a.lms_points * scale:.2f}")
        rows.append(row)
    rows.append(["Overall average", "", "", "", "", "", "", "", *[""] * len(groups)])
    return "\ufeff" + _csv(rows)


def qti_results(klass: KnownClass, folder: Path, version: str = "2.1") -> Path:
    """One assessmentResult document per attempt (see qbank.results.qti), in ``folder``."""
    ns = {"2.1": "http://www.imsglobal.org/xsd/imsqti_result_v2p1", "3.0": "http://www.imsglobal.org/xsd/imsqti_result_v3p0"}[version]
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in klass.finished:
        root = ET.Element("assessmentResult", {"xmlns": ns})
        context = ET.SubElement(root, "context", {"sourcedId": attempt.key})
        ET.SubElement(context, "sessionIdentifier", {"sourceID": "https://lms.example.edu", "identifier": f"{attempt.key}-{attempt.number}"})
        stamp = f"2026-11-{10 + attempt.number:02d}T14:03:22Z"
        test = ET.SubElement(root, "testResult", {"identifier": klass.manifest.quiz_id, "datestamp": stamp})
        _outcome(test, "SCORE", f"{attempt.total(True):g}")
        for seq, a in enumerate(attempt.answers.values(), 1):
            result = ET.SubElement(root, "itemResult", {"identifier": a.item.id, "sequenceIndex": str(seq),
                                                        "datestamp": stamp, "sessionStatus": "final"})
            t = a.item.type
            cardinality = "multiple" if t == "multiple_response" else "single"
            base = {"single_choice": "identifier", "multiple_response": "identifier", "true_false": "identifier",
                    "numeric": "float", "short_text": "string", "open_response": "string"}[t]
            var = ET.SubElement(result, "responseVariable", {"identifier": "RESPONSE", "cardinality": cardinality, "baseType": base})
            candidate = ET.SubElement(var, "candidateResponse")
            if t in ("single_choice", "multiple_response"):
                values = [letter(i) for i in a.chosen] if a.chosen else ([a.text] if a.text else [])
            elif t == "true_false":
                values = [a.text.upper()] if a.text else []
            else:
                values = [a.text] if a.answered and a.text else []
            for v in values:
                ET.SubElement(candidate, "value").text = v
            if t != "open_response":
                _outcome(result, "SCORE", f"{a.lms_points:g}")
        ET.ElementTree(root).write(folder / f"result-{attempt.key}-{attempt.number}.xml", encoding="utf-8", xml_declaration=True)
    return folder


def _outcome(parent: ET.Element, ident: str, value: str) -> None:
    out = ET.SubElement(parent, "outcomeVariable", {"identifier": ident, "cardinality": "single", "baseType": "float"})
    ET.SubElement(out, "value").text = value
