"""The published JSON Schemas, generated from the models (the models are the source)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .model import Case, DeletionLog
from .policy import POLICY_FILES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://managed-contact.council.example/schemas/"


def schemas() -> dict[str, type[BaseModel]]:
    """Every schema the register publishes, by file stem."""
    found: dict[str, type[BaseModel]] = {"case": Case, "deletions": DeletionLog}
    found.update(POLICY_FILES)
    return found


def generate(name: str, model: type[BaseModel]) -> dict[str, Any]:
    body = model.model_json_schema(by_alias=True)
    return {"$schema": SCHEMA_DIALECT, "$id": f"{ID_BASE}{name}.schema.json", **body}


def render(name: str, model: type[BaseModel]) -> str:
    return json.dumps(generate(name, model), indent=2, ensure_ascii=False) + "\n"


def drift(root: Path) -> list[str]:
    """Schema files under `root/schemas` that differ from what the models generate."""
    stale = []
    for name, model in schemas().items():
        path = root / "schemas" / f"{name}.schema.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != render(name, model):
            stale.append(f"schemas/{name}.schema.json")
    return stale


def write(root: Path) -> list[str]:
    """Regenerate every schema file; returns the files written."""
    written = []
    (root / "schemas").mkdir(exist_ok=True)
    for name, model in schemas().items():
        path = root / "schemas" / f"{name}.schema.json"
        path.write_text(render(name, model), encoding="utf-8")
        written.append(f"schemas/{name}.schema.json")
    return written
