"""Variants: which seeds a quiz uses, for LMS groups and for each student.

* An LMS group holds K *distinct* variants of one template. Seeds come from (quiz seed,
  template id, k); a seed whose variant a student could not tell from an earlier one is
  skipped, within a bounded number of tries.
* A student's variant of a template has the seed derived from (quiz seed, student id,
  template id), so adding a student to the roster changes nobody else's quiz.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import ConstraintError, InputError
from .select import derive_seed, rng_from

__all__ = ["fingerprint", "group_variants", "group_variants_hashed", "item_order", "student_seed"]

# Seeds stay below 2**32 so that item ids (template-v1-s<seed>) stay short enough to type.
SEED_BITS = 32


def student_seed(quiz_seed: int, student_id: str, template_id: str) -> int:
    return derive_seed("student", quiz_seed, student_id, template_id, bits=SEED_BITS)


def group_seed(quiz_seed: int, template_id: str, k: int) -> int:
    return derive_seed("group", quiz_seed, template_id, k, bits=SEED_BITS)


def item_order(quiz_seed: int, student_id: str, section_index: int, n: int) -> list[int]:
    """A student's own order of a section's n items."""
    return [int(i) for i in rng_from("order", quiz_seed, student_id, section_index).permutation(n)]


def fingerprint(item: Any) -> str:
    """What a student sees of an item, as a hash: identity and option order left out.

    Families place options at random per seed; two variants with the same numbers and the
    same options in another order are the same question, so options are compared as a set.
    """

    def normal(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: normal(v) for k, v in value.items() if k not in ("id", "seed", "data")}
            if isinstance(out.get("options"), list):
                out["options"] = sorted(out["options"], key=lambda o: json.dumps(o, sort_keys=True))
            return out
        if isinstance(value, list):
            return [normal(v) for v in value]
        return value

    blob = json.dumps(normal(item.model_dump(mode="json")), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def group_variants(template: Any, quiz_seed: int, k: int, *, allow_fewer: bool = False, where: str = "") -> list[Any]:
    """K distinct variants of ``template`` for an LMS group.

    Raises:
        InputError: when the template yields fewer than K distinct variants within the
        budget of tries (a template with fixed numbers has one), unless ``allow_fewer``.
    """
    return [item for item, _ in group_variants_hashed(template, quiz_seed, k, allow_fewer=allow_fewer, where=where)]


def group_variants_hashed(template: Any, quiz_seed: int, k: int, *, allow_fewer: bool = False,
                          where: str = "") -> list[tuple[Any, str]]:
    """:func:`group_variants`, each with its content hash (which a build records).

    Raises:
        InputError: when the template yields fewer than K distinct variants within the
        budget of tries (a template with fixed numbers has one), unless ``allow_fewer``.
    """
    if k == 1:  # the first variant is always distinct from none: no fingerprint needed
        return [template.variant(group_seed(quiz_seed, template.id, 0))]
    budget = max(8 * k, 32)
    seen: set[str] = set()
    items: list[tuple[Any, str]] = []
    for n in range(budget):
        try:
            item, content_hash = template.variant(group_seed(quiz_seed, template.id, n))
        except ConstraintError as exc:
            # the bank's fault, but found through this section: say where, exit 2
            raise InputError(f"{where + ': ' if where else ''}{exc}; relax the template's constraints "
                             "or raise its max_draws") from None
        fp = fingerprint(item)
        if fp in seen:
            if template.content is not None:  # a static item has one variant: no need to try on
                break
            continue
        seen.add(fp)
        items.append((item, content_hash))
        if len(items) == k:
            return items
    if allow_fewer:
        return items
    prefix = f"{where}: " if where else ""
    if template.content is not None:
        raise InputError(f"{prefix}template {template.id} is a static item with one variant, but {k} are asked for; "
                         "lower `variants` for this section or set `allow_fewer_variants: true`")
    raise InputError(
        f"{prefix}template {template.id} gave {len(items)} distinct variant{'s' if len(items) != 1 else ''} "
        f"in {n + 1} tries, but {k} are asked for; lower `variants` for this section "
        "or set `allow_fewer_variants: true`"
    )
