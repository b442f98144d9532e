"""The JSON Schema of bank files, as ``qbank schema`` writes it and the repo commits it."""

from __future__ import annotations

import json

from .loader import BankFile

__all__ = ["bank_schema", "bank_schema_json"]


def bank_schema() -> dict[str, object]:
    schema = BankFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "qbank bank file"
    return schema


def bank_schema_json() -> str:
    return json.dumps(bank_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
