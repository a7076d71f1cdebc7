"""The field reference page: every key of a case file, from the case model, and the words each
vocabulary-backed field allows, from the policy data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..register.model import PERSONAL_MARK, Case
from ..register.policy import Policy

FIELDS_PAGE = "reference/fields.md"


def cell(text: object) -> str:
    """`text` safe in a Markdown table cell: one line, its pipes and markup escaped."""
    out = " ".join(str(text).split())
    for ch in ("\\", "|", "<", ">", "*", "_", "`", "["):
        out = out.replace(ch, "\\" + ch)
    return out


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = {
            **defs[node["$ref"].rsplit("/", 1)[-1]],
            **{k: v for k, v in node.items() if k != "$ref"},
        }
    return node


def _options(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(node, defs)
    if "anyOf" in node or "oneOf" in node:
        return [o for sub in node.get("anyOf", node.get("oneOf", [])) for o in _options(sub, defs)]
    return [node]


def _type(options: list[dict[str, Any]]) -> str:
    names = []
    for o in options:
        t = o.get("type", "object" if "properties" in o else "value")
        if t == "array":
            t = "list"
        if o.get("format") == "date":
            t = "date"
        if t != "null" and t not in names:
            names.append(t)
    return " or ".join(names) or "value"


def _allowed(options: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for o in options:
        for v in [*o.get("enum", []), *([o["const"]] if "const" in o else [])]:
            found.append(str(v))
        items = o.get("items")
        if isinstance(items, dict) and "enum" in items:
            found.extend(str(v) for v in items["enum"])
    return found


def field_rows(
    node: dict[str, Any] | None = None, path: str = "", defs: dict[str, Any] | None = None
) -> Iterator[tuple[str, str, bool, bool, str, list[str]]]:
    """Each key of the case schema: (path, type, required, personal, description, allowed)."""
    if node is None:
        node = Case.model_json_schema()
        defs = node.get("$defs", {})
    assert defs is not None
    node = _resolve(node, defs)
    required = set(node.get("required", []))
    for key, sub in node.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        options = _options(sub, defs)
        personal = any(o.get(PERSONAL_MARK) for o in [sub, *options])
        description = sub.get("description") or next(
            (o["description"] for o in options if "description" in o), ""
        )
        yield here, _type(options), key in required, bool(personal), description, _allowed(options)
        for o in options:
            if "properties" in o:
                yield from field_rows(o, here, defs)
            items = o.get("items")
            if isinstance(items, dict):
                for item in _options(items, defs):
                    if "properties" in item:
                        yield from field_rows(item, f"{here}[]", defs)


def fields_markdown(policy: Policy) -> str:
    """The field reference page."""
    lines = [
        "# Case file fields",
        "",
        "Every key a case file may hold. `mcr record` asks for each of them in plain words; this "
        "page says what each means. A key under a list is shown with `[]`: "
        "`decisions[].measures[].measure` is the `measure` of each measure of each decision. "
        "Personal values are sealed in the file; `mcr edit` and `mcr show --reveal` show them.",
        "",
        "| Key | Type | Required | Personal (sealed) | What it means | Allowed values |",
        "|---|---|---|---|---|---|",
    ]
    for path, kind, required, personal, description, allowed in field_rows():
        lines.append(
            f"| `{path}` | {cell(kind)} | {'yes' if required else 'no'} | "
            f"{'yes' if personal else 'no'} | {cell(description)} | "
            f"{cell(', '.join(allowed))} |"
        )
    vocab = policy.vocabulary

    def table(title: str, note: str, rows: list[tuple[str, str]]) -> None:
        lines.extend(["", f"## {title}", "", note, "", "| Id | Meaning |", "|---|---|"])
        lines.extend(f"| {cell(i)} | {cell(label)} |" for i, label in rows)

    table(
        "Services",
        "For `scope.services` and each entry's `service` (`policy/vocabulary.yaml`).",
        [(s.id, s.label) for s in vocab.services],
    )
    table(
        "Channels",
        "For `channel` (`policy/vocabulary.yaml`).",
        [(c.id, c.label) for c in vocab.channels],
    )
    table(
        "Conduct categories",
        "For `incidents[].categories` and `decisions[].conduct`.",
        [(c.id, c.label) for c in vocab.conduct],
    )
    table(
        "What a letter states",
        "For `letters[].states` (`policy/settings.yaml`).",
        [(c.id, c.label) for c in policy.settings.letter_contents],
    )
    lines.extend(
        [
            "",
            "## Measures",
            "",
            "For `measure` in a decision's, review's or challenge's `measures` "
            "(`policy/measures.yaml`), with the values each needs and may have.",
            "",
            "| Id | Measure | Lowest stage | Needs | May have |",
            "|---|---|---|---|---|",
        ]
    )
    for m in policy.measures.measures:
        lines.append(
            f"| {cell(m.id)} | {cell(m.label)} | {cell(m.stage or 'any')} | "
            f"{cell(', '.join(map(str, m.required)))} | {cell(', '.join(map(str, m.optional)))} |"
        )
    lines.extend(
        [
            "",
            "## People, by role",
            "",
            "For `decided_by`, `reviewed_by`, `sent_by` and the other people fields "
            "(`policy/people.yaml`, with the dates each role is held).",
            "",
            "| Role | People |",
            "|---|---|",
        ]
    )
    for role in policy.roles.roles:
        ids = sorted({p.id for p in policy.people.people for h in p.roles if h.role == role.id})
        lines.append(f"| {cell(role.label)} ({cell(role.id)}) | {cell(', '.join(ids))} |")
    return "\n".join(lines) + "\n"
