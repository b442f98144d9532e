"""Students practise and check themselves: practice sessions, progress, scheduling, terminal output.

* :mod:`.progress`: the SQLite store of every practice answer, and mastery per topic and Bloom level;
* :mod:`.schedule`: the Leitner-box rule that picks a session's items;
* :mod:`.session`: the practice loop, driven by an input callable and a rich console;
* :mod:`.terminal`: items rendered for the terminal, LaTeX turned into Unicode text;
* :mod:`.checking`: one-shot checks of an answer or of a whole received quiz.
"""

from .progress import Attempt, Mastery, ProgressStore, default_db_path, mastery
from .schedule import Planned, leitner_boxes, plan
from .session import Result, Session, Summary, practice
from .terminal import tex_to_text

__all__ = [
    "Attempt", "Mastery", "Planned", "ProgressStore", "Result", "Session", "Summary", "default_db_path",
    "leitner_boxes", "mastery", "plan", "practice", "tex_to_text",
]
