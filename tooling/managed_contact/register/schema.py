"""The published JSON Schemas, generated from the models (the models are the source).

The models describe a case as the rules read it, with its personal values opened; the published
schema describes the file as committed, where each of those values is a sealed token. So every
text in a field marked ``x-personal-data`` is published as a string matching `TOKEN_PATTERN`
(for a list of them, each item), keeping the field's description and its mark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..sealing.tokens import VERSION
from .files import write_atomic
from .model import PERSONAL_MARK, Case, DeletionLog
from .policy import POLICY_FILES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://managed-contact.council.example/schemas/"
#: A sealed value as committed (see sealing/tokens.py).
TOKEN_PATTERN = rf"^ENC\[{VERSION},[0-9]{{1,6}},[A-Za-z0-9+/]*={{0,2}}\]$"


def schemas() -> dict[str, type[BaseModel]]:
    """Every schema the register publishes, by file stem."""
    found: dict[str, type[BaseModel]] = {"case": Case, "deletions": DeletionLog}
    found.update(POLICY_FILES)
    return found


#: What a string schema says of the text itself, which a token replaces.
_TEXT_KEYWORDS = ("maxLength", "minLength", "pattern", "format")


def _sealed(node: Any) -> Any:
    """`node` with each text in it described as the token it is committed as."""
    if not isinstance(node, dict):
        return node
    out = dict(node)
    if out.get("type") == "string":
        for key in _TEXT_KEYWORDS:
            out.pop(key, None)
        out["pattern"] = TOKEN_PATTERN
    if "items" in out:
        out["items"] = _sealed(out["items"])
    for key in ("anyOf", "oneOf"):
        if key in out:
            out[key] = [_sealed(option) for option in out[key]]
    return out


def _as_committed(node: Any) -> Any:
    """The schema with every personal field as it is committed: sealed."""
    if isinstance(node, list):
        return [_as_committed(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get(PERSONAL_MARK):
        return _sealed(node)
    return {key: _as_committed(value) for key, value in node.items()}


def generate(name: str, model: type[BaseModel]) -> dict[str, Any]:
    body = _as_committed(model.model_json_schema(by_alias=True))
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
        write_atomic(path, render(name, model))
        written.append(f"schemas/{name}.schema.json")
    return written
