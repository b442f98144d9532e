"""The practice loop: ask, read, grade, give feedback, record; then a summary.

:class:`Session` reads lines from a ``read(prompt)`` callable and writes to a rich
``Console``, so tests drive it with a list of strings and no terminal. At each item a line
is one of:

* an answer: graded at once; a wrong choice shows the feedback for the misconception behind
  it, and every graded answer shows the worked explanation with the variant's own numbers;
* an answer that cannot be read (a format error): said so, and asked again, not counted;
* ``?``: the hint, where the item has one; ``s``: skip; ``q``: quit with the summary.

End of input (``EOFError``) and Ctrl-C (``KeyboardInterrupt``) end the session the same
way as ``q``, with the summary and no traceback. Every answer and skip is handed to
``record`` the moment it is graded, so nothing already answered is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .progress import Attempt

if TYPE_CHECKING:
    from .practice_item import PracticeItem

__all__ = ["Result", "Session", "Summary"]

EndReason = Literal["finished", "quit", "end of input", "interrupted"]
_QUIT = {"q", "quit", ":q", "exit"}
_SKIP = {"s", "skip"}
_HINT = {"?", "h", "hint"}


@dataclass(frozen=True)
class Result:
    """What happened to one item in the session."""

    item_id: str
    title: str
    topics: tuple[str, ...]
    outcome: Literal["correct", "wrong", "skipped"]
    score: float
    max_score: float
    misconception: str | None = None


@dataclass
class Summary:
    """The end of a session: results in order and why it ended."""

    results: list[Result] = field(default_factory=list)
    ended: EndReason = "finished"

    @property
    def answered(self) -> list[Result]:
        return [r for r in self.results if r.outcome != "skipped"]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.answered)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.answered)

    @property
    def correct(self) -> int:
        return sum(r.outcome == "correct" for r in self.results)

    @property
    def skipped(self) -> int:
        return sum(r.outcome == "skipped" for r in self.results)

    def topics_to_review(self) -> list[str]:
        """Topics of the items answered wrong, most often missed first."""
        counts: dict[str, int] = {}
        for r in self.results:
            if r.outcome == "wrong":
                for t in r.topics:
                    counts[t] = counts.get(t, 0) + 1
        return sorted(counts, key=lambda t: (-counts[t], t))


class Session:
    """One practice session over ``items`` (an iterable, built lazily one item at a time).

    Args:
        items: the items to ask, in order (full items or their
            :class:`~qbank.student.practice_item.PracticeItem`); ``total`` is their number (for "3/10").
        read: returns one line typed by the student; raises ``EOFError`` at end of input.
        console: a rich ``Console`` to write to.
        check: ``(item, raw) -> Grade | FormatError``; the grader's ``check`` by default. It is
            handed the full item, or the light item a cached practice item grades with.
        record: called with each :class:`~qbank.student.progress.Attempt` as soon as it is
            graded (the progress store's ``record``), or None to keep nothing.
    """

    def __init__(
        self,
        items: Iterable[Any],
        *,
        total: int,
        read: Callable[[str], str],
        console: Any,
        check: Callable[[Any, str], Any] | None = None,
        record: Callable[[Attempt], None] | None = None,
        session_id: str | None = None,
    ):
        if check is None:
            from ..grader import check as grader_check

            check = grader_check
        self.items = items
        self.total = total
        self.read = read
        self.console = console
        self.check = check
        self.record = record
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.summary = Summary()

    def run(self) -> Summary:
        """Ask every item until the end, ``q``, end of input or Ctrl-C; print and return the summary."""
        try:
            self._loop()
        except EOFError:
            self.summary.ended = "end of input"
        except KeyboardInterrupt:
            self.summary.ended = "interrupted"
        except _Quit:
            self.summary.ended = "quit"
        # A second Ctrl-C (an impatient key press, or one sent while the first was still on its
        # way) must not cut the summary short: the summary is brief, so it holds Ctrl-C off.
        with _sigint_held():
            try:
                self.console.print()
                self.print_summary()
            except KeyboardInterrupt:
                pass  # where Ctrl-C cannot be held (not the main thread): no traceback either
        return self.summary

    # -- the loop ---------------------------------------------------------------------------

    def _loop(self) -> None:
        from .practice_item import PracticeItem
        from .terminal import render_item

        items: Iterator[Any] = iter(self.items)
        for number, entry in enumerate(items, start=1):
            item = entry if isinstance(entry, PracticeItem) else PracticeItem.of(entry)
            self.console.print()
            render_item(self.console, item, number, self.total)
            self._ask(item)

    def _ask(self, item: PracticeItem) -> None:
        while True:
            raw = self._read_answer(item)
            command = raw.strip().lower()
            if command in _QUIT:
                raise _Quit
            if command in _SKIP:
                self._keep(item, Result(item.id, item.title, item.topics, "skipped", 0.0, item.points), raw)
                self.console.print("[yellow]Skipped.[/yellow]")
                return
            if command in _HINT:
                self._hint(item)
                continue
            if not raw.strip():
                continue
            grade = self.check(item.spec, raw)
            if not hasattr(grade, "correct"):
                # A format error: the answer could not be read, so it does not count.
                self.console.print(f"[red]Cannot read that answer:[/red] {grade}", highlight=False)
                continue
            self._show_grade(item, grade)
            outcome: Literal["correct", "wrong"] = "correct" if grade.correct else "wrong"
            self._keep(
                item,
                Result(item.id, item.title, item.topics, outcome, float(grade.score),
                       float(grade.max_score), grade.misconception),
                raw,
            )
            return

    def _read_answer(self, item: PracticeItem) -> str:
        if item.type != "open_response":
            return self.read("> ")
        # An essay is several lines, ended by an empty line; a command is a first line alone.
        lines = [self.read("> ")]
        if lines[0].strip().lower() in _QUIT | _SKIP | _HINT or not lines[0].strip():
            return lines[0]
        while True:
            try:
                line = self.read("… ")
            except EOFError:
                break  # grade what was written; the next read ends the session
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines)

    def _hint(self, item: PracticeItem) -> None:
        from .layout import CachedMarkdown
        from .terminal import text_for_terminal

        if item.hint is None:
            self.console.print("[dim]No hint for this item.[/dim]")
            return
        self.console.print("[cyan]Hint:[/cyan]")
        self.console.print(CachedMarkdown(text_for_terminal(item.hint), item.layouts))

    def _show_grade(self, item: PracticeItem, grade: Any) -> None:
        from .layout import CachedMarkdown
        from .terminal import text_for_terminal

        def show(text: str) -> None:  # rich's Markdown, laid out once per item and width (layout.py)
            self.console.print(CachedMarkdown(text, item.layouts))

        if grade.correct:
            self.console.print("[bold green]✓ Correct.[/bold green]")
        elif grade.fraction > 0:
            self.console.print(
                f"[bold yellow]Partly correct: {points(grade.score, grade.max_score)}.[/bold yellow]", highlight=False
            )
        else:
            self.console.print("[bold red]✗ Not correct.[/bold red]")
        if grade.criteria:
            self._criteria(grade)
        for line in grade.feedback:
            show(text_for_terminal(line))
        if not grade.correct and item.type not in ("open_response", "multipart"):
            show("**Answer:** " + text_for_terminal(item.key_text))
        if item.type == "open_response":
            show("**A full-credit answer:**\n\n" + text_for_terminal(item.sample_answer))
        if item.explanation:
            show("**Explanation:** " + text_for_terminal(item.explanation))

    def _criteria(self, grade: Any) -> None:
        """One line per rubric criterion: met or not, and the sentence of the answer that earned it."""
        from rich.markup import escape

        for c in grade.criteria:
            mark = "[green]✓[/green]" if c.met else "[red]✗[/red]"
            why = f"“{escape(c.evidence)}”" if c.evidence else ("contradicted by your answer" if c.contradicted else "no sentence earned it")
            self.console.print(f"{mark} {c.id} {escape(c.title)}: {why}", highlight=False)
        if grade.review:
            self.console.print("[dim]A teacher should check this grade: " + escape("; ".join(grade.review)) + "[/dim]", highlight=False)

    def _keep(self, item: PracticeItem, result: Result, raw: str) -> None:
        self.summary.results.append(result)
        if self.record is not None:
            self.record(
                Attempt(
                    item_id=item.id, template=item.template, version=item.version, seed=item.seed, topics=item.topics,
                    bloom=item.bloom, outcome=result.outcome, score=result.score, max_score=result.max_score,
                    response=raw, misconception=result.misconception, session=self.session_id,
                )
            )

    # -- the summary --------------------------------------------------------------------------

    def print_summary(self) -> None:
        s = self.summary
        out = self.console
        ended = {"finished": "Session complete", "quit": "Session ended", "end of input": "End of input",
                 "interrupted": "Interrupted"}[s.ended]
        out.rule(f"[bold]{ended}[/bold]")
        if not s.results:
            out.print("No items answered.")
            return
        n = len(s.answered)
        out.print(
            f"Score: {points(s.score, s.max_score, sep=' / ')}; {s.correct} of {n} answered correctly"
            + (f", {s.skipped} skipped" if s.skipped else "") + ".",
            highlight=False,
        )
        review = s.topics_to_review()
        if review:
            out.print("Topics to review: " + ", ".join(review), highlight=False)
        wrong = [r for r in s.results if r.outcome == "wrong"]
        if wrong:
            out.print("Revisit with `qbank show ITEM --key`: " + ", ".join(r.item_id for r in wrong), highlight=False)


class _Quit(Exception):
    """The student typed q."""


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Ignore SIGINT inside the block (main thread only; elsewhere signals cannot be set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def points(score: float, max_score: float, *, sep: str = " of ") -> str:
    """``0.83 of 1 point``: scores to two decimals at most, as a person writes them."""
    def shown(x: float) -> str:
        return f"{round(x, 2):g}"

    return f"{shown(score)}{sep}{shown(max_score)} point{'' if max_score == 1 else 's'}"


def practice(
    bank: Any,
    *,
    read: Callable[[str], str],
    console: Any,
    store: Any | None = None,
    topics: tuple[str, ...] = (),
    bloom: tuple[str, ...] = (),
    n: int = 10,
    seed: int | None = None,
    check: Callable[[Any, str], Any] | None = None,
    items: Callable[[str, int], Any] | None = None,
    draws: Callable[[int, int, int], tuple[list[int], list[int]]] | None = None,
) -> Summary:
    """Plan a session from ``bank`` and the store's history (see :mod:`.schedule`) and run it.

    Without ``seed`` a fresh one is drawn from the operating system: practice is the one
    place where a different session each time is wanted.

    ``items(template_id, seed)`` makes each item (default: the template's ``instantiate``)
    and ``draws(seed, count, n)`` the session's random draws (default:
    :func:`.schedule.draw` on the seed's generator); ``qbank practice`` passes the
    drawn-item cache's.

    Raises:
        InputError: no template matches ``topics`` and ``bloom``.
    """
    import secrets

    from ..errors import InputError
    from .schedule import arrange

    templates = bank.select(topics=topics, bloom=bloom)
    if not templates:
        wanted = ", ".join([*(f"topic {t}" for t in topics), *(f"Bloom level {b}" for b in bloom)])
        hints = "".join(f"; {h}" for h in (bank.did_you_mean(t, "topic") for t in topics) if h)
        raise InputError(f"no template in the bank matches {wanted}{hints} (see `qbank list`)")
    history = store.attempts() if store is not None else []
    if seed is None or draws is None:
        tiebreak, seeds = session_draws(secrets.randbits(64) if seed is None else seed, len(templates), n)
    else:
        tiebreak, seeds = draws(seed, len(templates), n)
    planned = arrange(templates, history, n, tiebreak, seeds)
    make = items if items is not None else (lambda template_id, item_seed: bank[template_id].instantiate(item_seed))
    session = Session((make(p.template, p.seed) for p in planned), total=len(planned), read=read, console=console,
                      check=check, record=store.record if store is not None else None)
    return session.run()


def session_draws(seed: int, count: int, n: int) -> tuple[list[int], list[int]]:
    """The draws of the session with this seed over ``count`` templates (:func:`.schedule.draw`)."""
    import numpy as np

    from .schedule import draw

    return draw(np.random.default_rng(seed), count, n)
