"""Authoring: starting a bank (``qbank new``) and previewing templates live (``qbank preview``).

    new_bank / new_template   commented, schema-checked starting points that pass `qbank validate`
    preview                   a local page showing variants, keys and validation errors as you edit
"""

from .scaffold import ITEM_TYPE_NAMES, SCHEMA_FILE, new_bank, new_template, template_yaml

__all__ = ["ITEM_TYPE_NAMES", "SCHEMA_FILE", "new_bank", "new_template", "template_yaml"]
