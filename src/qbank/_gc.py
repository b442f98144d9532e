"""Pausing Python's cyclic garbage collector for work that allocates much and makes few cycles.

Builds, exports, imports and grading allocate hundreds of thousands of small objects that
live until the work ends, and next to no reference cycles; the collector, triggered by
allocation counts, would walk them again and again. Its own module so that a command
reaches it without importing the XML renderers.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["YOUNG_BATCH", "CycleCollector", "gc_paused"]


@contextmanager
def gc_paused(*, resume: bool = True) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a render.

    A render allocates hundreds of thousands of small objects (elements, attribute dicts,
    strings) that live until the file is written, and next to no reference cycles (a few
    dozen objects per export, left for the collector's next run). The cyclic collector is
    triggered by allocation counts, so it runs hundreds of times during a large export and
    each time walks the young objects, plus, now and then, every live object (items
    included): up to a third of an export's time. Reference counting still frees everything
    else as usual. The collector is switched back on afterwards only if it was on, so a
    caller that turned it off keeps it off; ``resume=False`` leaves it off (for a process
    that ends right after, where the collector's first pass would find nothing to free).
    The switch is process-wide: another thread running meanwhile gets no cyclic collection
    until the render ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled and resume:
            gc.enable()


# New objects (allocations less frees) after which a paused loop frees its cycles: a
# young-generation pass scans each new object once, and the garbage kept in between stays
# small (a 1,000- or 3,000-student build peaks some 50 MB above one with the collector on).
YOUNG_BATCH = 200_000


class CycleCollector:
    """For a loop that runs with the collector paused and makes some cyclic garbage per step
    (a student's paper: Jinja's macro contexts, the frames of rejected draws): called once a
    step, it frees that garbage whenever the loop has made enough new objects, so memory
    stays flat on a class of any size. Each object is scanned about once, not again and
    again as it ages, as the collector would; a short loop (one sample paper) scans nothing."""

    def __init__(self) -> None:
        self._start = gc.get_count()[0]

    def __call__(self) -> None:
        if not gc.isenabled() and gc.get_count()[0] - self._start > YOUNG_BATCH:
            gc.collect(0)
            self._start = 0
