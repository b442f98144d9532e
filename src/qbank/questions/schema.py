"""The JSON Schema of bank files, as ``qbank schema`` writes it and the repo commits it."""

from __future__ import annotations

import json

from pydantic import BaseModel

from .loader import BankFile

__all__ = ["bank_schema", "bank_schema_json", "json_schema", "schema_text"]


def json_schema(model: type[BaseModel], title: str) -> dict[str, object]:
    """A model's JSON Schema as qbank publishes it: draft 2020-12, with a title for editors."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def schema_text(schema: dict[str, object]) -> str:
    """The schema as the committed file holds it (sorted keys, so diffs stay small)."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def bank_schema() -> dict[str, object]:
    return json_schema(BankFile, "qbank bank file")


def bank_schema_json() -> str:
    return schema_text(bank_schema())
