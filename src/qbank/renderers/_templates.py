"""The one jinja2 environment for the package's page templates (HTML quiz, self-check page)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["page_template"]


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    # Autoescaping matches the final extension only, so templates are named *.html.
    return Environment(loader=PackageLoader("qbank", "renderers/templates"), autoescape=select_autoescape(["html", "xml"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def page_template(name: str) -> Any:
    """A compiled template from renderers/templates (jinja2 caches it in the environment)."""
    return _environment().get_template(name)
