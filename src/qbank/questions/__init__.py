"""Questions: item and template models, parameter distributions, families and banks.

    Template --instantiate(seed)--> Item

Templates live in bank files (YAML); :func:`load_bank` reads them, :func:`builtin_bank`
is the bank that ships with qbank. Items are plain, frozen pydantic data.
"""

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
    item_id,
    letter,
    parse_item_id,
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
