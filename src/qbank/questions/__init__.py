"""Questions: item and template models, parameter distributions, families and banks.

    Template --instantiate(seed)--> Item

Templates live in bank files (YAML); :func:`load_bank` reads them, :func:`builtin_bank`
is the bank that ships with qbank. Items are plain, frozen pydantic data.

The names below are imported on first use (PEP 562): importing this package, or one of its
light modules (``_labels``, ``misconceptions``, ``hints``, the caches), does not build
pydantic and the ~90 question models, which the warm paths of ``qbank show``, ``check``
and ``practice`` never need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._labels import item_id, letter, parse_item_id

if TYPE_CHECKING:
    from ._model import canonical, canonical_float
    from .assessment import Assessment, Group, Section
    from .constraints import Constraint
    from .items import (
        ITEM_TYPES,
        Content,
        Item,
        ItemContent,
        Matching,
        MatchingItem,
        Multipart,
        MultipartItem,
        MultipleResponse,
        MultipleResponseItem,
        Numeric,
        NumericDistractor,
        NumericItem,
        OpenResponse,
        OpenResponseItem,
        Option,
        Ordering,
        OrderingItem,
        Part,
        ShortText,
        ShortTextItem,
        SingleChoice,
        SingleChoiceItem,
        TextDistractor,
        Tolerance,
        TrueFalse,
        TrueFalseItem,
    )
    from .loader import Bank, BankFile, builtin_bank, load_bank
    from .params import Distribution, Reject, TokenDistribution
    from .rubric import Cap, Criterion, Rubric
    from .tags import Bloom, Difficulty, Tags
    from .template import Template, rng_for

__all__ = [
    "ITEM_TYPES", "Assessment", "Bank", "BankFile", "Bloom", "Cap", "Constraint", "Content", "Criterion",
    "Difficulty", "Distribution", "Group", "Item", "ItemContent", "Matching", "MatchingItem", "Multipart",
    "MultipartItem", "MultipleResponse", "MultipleResponseItem", "Numeric", "NumericDistractor", "NumericItem",
    "OpenResponse", "OpenResponseItem", "Option", "Ordering", "OrderingItem", "Part", "Reject", "Rubric",
    "Section", "ShortText", "ShortTextItem", "SingleChoice", "SingleChoiceItem", "Tags", "Template",
    "TextDistractor", "TokenDistribution", "Tolerance", "TrueFalse", "TrueFalseItem", "builtin_bank",
    "canonical", "canonical_float", "item_id", "letter", "load_bank", "parse_item_id", "rng_for",
]

# public name -> the submodule that defines it
_HOME: dict[str, str] = {
    **dict.fromkeys(("canonical", "canonical_float"), "_model"),
    **dict.fromkeys(("Assessment", "Group", "Section"), "assessment"),
    "Constraint": "constraints",
    **dict.fromkeys(
        ("ITEM_TYPES", "Content", "Item", "ItemContent", "Matching", "MatchingItem", "Multipart", "MultipartItem",
         "MultipleResponse", "MultipleResponseItem", "Numeric", "NumericDistractor", "NumericItem", "OpenResponse",
         "OpenResponseItem", "Option", "Ordering", "OrderingItem", "Part", "ShortText", "ShortTextItem",
         "SingleChoice", "SingleChoiceItem", "TextDistractor", "Tolerance", "TrueFalse", "TrueFalseItem"),
        "items",
    ),
    **dict.fromkeys(("Bank", "BankFile", "builtin_bank", "load_bank"), "loader"),
    **dict.fromkeys(("Distribution", "Reject", "TokenDistribution"), "params"),
    **dict.fromkeys(("Cap", "Criterion", "Rubric"), "rubric"),
    **dict.fromkeys(("Bloom", "Difficulty", "Tags"), "tags"),
    **dict.fromkeys(("Template", "rng_for"), "template"),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        # ``qbank.questions.loader`` and the like, as an attribute of the package
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
