"""What the preview page shows: the templates of a bank file or folder, one variant at a time.

:class:`Preview` loads the bank (only the author's files, not the built-in bank), keeps the
last result, and renders

* a variant of a template for a seed, as the instructor HTML of :mod:`qbank.renderers.html`
  (stem, options, key, per-option feedback with the misconception, explanation, rubric);
* the quality report of the test-wiseness linter, when this qbank has one (:func:`quality_report`);
* or, when the bank does not load, every problem with its file and line.

Nothing here serves HTTP (see :mod:`.server`); every method returns text, so the page is
tested without a browser as well as with one.
"""

from __future__ import annotations

import html
import importlib
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BankError, InputError, Problem, QbankError

__all__ = ["LINTER_MODULES", "Preview", "Snapshot", "quality_report"]

# Where a test-wiseness linter may live (issue 15 is writing one): module, function taking a
# Template and returning findings (strings, or objects whose str() reads as one line each).
LINTER_MODULES: tuple[tuple[str, str], ...] = (
    ("qbank.questions.quality", "lint_template"),
    ("qbank.questions.quality", "check_template"),
    ("qbank.questions.lint", "lint_template"),
)
Linter = Callable[[Any], Any]


def find_linter() -> Linter | None:
    """The installed test-wiseness linter, or None when this qbank has none yet."""
    for module, name in LINTER_MODULES:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    return None


def quality_report(template: Any, linter: Linter | None) -> tuple[str, list[str]]:
    """(status, findings) of the linter on a template: status is "ok", "findings", "error" or "absent"."""
    if linter is None:
        return "absent", []
    try:
        result = linter(template)
    except Exception as exc:  # a linter bug must not take the preview down
        return "error", [f"the linter failed: {type(exc).__name__}: {exc}"]
    findings = getattr(result, "findings", result)
    if findings is None or isinstance(findings, (str, bytes)):
        findings = [findings] if findings else []
    lines = [str(f) for f in findings]
    return ("findings" if lines else "ok"), lines


@dataclass(frozen=True)
class Snapshot:
    """The bank as last loaded: its templates, or the problems that stopped it loading."""

    version: int
    templates: tuple[Any, ...] = ()
    problems: tuple[Problem, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.error


@dataclass
class Preview:
    """The preview of one bank file or folder; :meth:`reload` after it changes."""

    path: Path
    linter: Linter | None = None
    seeds: int = 100
    snapshot: Snapshot = field(default_factory=lambda: Snapshot(0))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, path: str | Path, *, linter: Linter | None = None, seeds: int = 100) -> Preview:
        """Raises InputError when the path is not there at all (a broken file still previews)."""
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such bank file or folder")
        if path.is_file() and path.suffix not in (".yaml", ".yml"):
            raise InputError(f"{path}: not a bank file (a .yaml file or a folder of them)")
        preview = cls(path, linter if linter is not None else find_linter(), seeds)
        preview.reload()
        return preview

    def reload(self) -> Snapshot:
        from ..questions import load_bank

        version = self.snapshot.version + 1
        try:
            bank = load_bank(self.path, builtin=False)
            snapshot = Snapshot(version, tuple(bank))
            if not snapshot.templates:
                snapshot = Snapshot(version, error=f"{self.path}: no templates yet (a bank file holds `templates:`)")
        except BankError as exc:
            snapshot = Snapshot(version, problems=tuple(exc.problems))
        except QbankError as exc:
            snapshot = Snapshot(version, error=str(exc))
        with self._lock:
            self.snapshot = snapshot
        return snapshot

    # -- rendering ---------------------------------------------------------------------

    def template(self, template_id: str | None) -> Any | None:
        templates = self.snapshot.templates
        return next((t for t in templates if t.id == template_id), templates[0] if templates else None)

    def variant_html(self, template_id: str | None, seed: int) -> str:
        """One variant with its key, or the error that stopped it, as an HTML fragment."""
        template = self.template(template_id)
        if template is None:
            return self.problems_html()
        try:
            item = template.instantiate(seed)
            return _instructor_fragment(item)
        except QbankError as exc:
            return _error_box(f"{template.id}, seed {seed}: {exc}")
        except Exception as exc:  # a family's bug: show it where the author looks, keep serving
            tail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return _error_box(f"{template.id}, seed {seed}: the family failed: {tail}")

    def quality_html(self, template_id: str | None) -> str:
        template = self.template(template_id)
        if template is None:
            return ""
        status, lines = quality_report(template, self.linter)
        if status == "absent":
            return ('<p class="quality-absent">No test-wiseness linter in this qbank yet: the quality report appears '
                    "here once <code>qbank.questions.quality.lint_template</code> exists.</p>")
        if status == "ok":
            return '<p class="quality-ok">No cue leaks found.</p>'
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return f'<ul class="quality-{status}">{items}</ul>'

    def problems_html(self) -> str:
        snap = self.snapshot
        if snap.error:
            return _error_box(snap.error)
        rows = "".join(
            f'<li><span class="where">{html.escape(p.file)}{f":{p.line}" if p.line else ""}</span>'
            f'{f" <code>{html.escape(p.path)}</code>" if p.path else ""}: {html.escape(p.message)}</li>'
            for p in snap.problems)
        return f'<div class="problems" role="alert"><h2>The bank does not load</h2><ul>{rows}</ul></div>'

    def page(self, template_id: str | None, seed: int) -> str:
        from ..renderers._templates import page_template

        snap = self.snapshot
        template = self.template(template_id)
        return page_template("preview.page.html").render(
            path=str(self.path), version=snap.version, ok=snap.ok,
            templates=[{"id": t.id, "title": t.title, "family": t.family or (t.content.type if t.content else "")}
                       for t in snap.templates],
            current=template.id if template is not None else "", seed=seed, max_seed=self.seeds - 1,
            problems=_markup(self.problems_html()) if not snap.ok else None,
            variant=_markup(self.variant_html(template.id, seed)) if template is not None and snap.ok else None,
            quality=_markup(self.quality_html(template.id)) if template is not None and snap.ok else None,
            style=_markup(_html_style()),
        )


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def _error_box(message: str) -> str:
    return f'<div class="problems" role="alert"><pre>{html.escape(message)}</pre></div>'


_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.S | re.I)


def _instructor_fragment(item: Any) -> str:
    """The instructor HTML page of one item, without its page frame (the preview page supplies it)."""
    from ..questions import Assessment
    from ..renderers.html import render_html

    rendered = render_html(Assessment.from_items([item], title=item.title), "instructor")
    page = str(rendered.content)
    body = _BODY.search(page)
    warnings = "".join(f'<p class="warning">{html.escape(w)}</p>' for w in rendered.warnings)
    return warnings + (body.group(1) if body else page)


def _html_style() -> str:
    """The HTML renderer's own stylesheet, so a variant looks as it does in the HTML export."""
    from importlib import resources

    return (resources.files("qbank") / "renderers" / "templates" / "html.style.css").read_text(encoding="utf-8")
