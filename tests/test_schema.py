"""The models are the one source of the formats: schemas, descriptions and editor set-up."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from managed_contact.register import schema
from managed_contact.register.loading import Document, load_bytes, load_file
from managed_contact.register.model import Case, Customer, model_in
from managed_contact.register.personal import open_document
from managed_contact.register.rules import MODELINE
from managed_contact.register.snapshot import CASE_NAME
from managed_contact.register.validation import validate
from managed_contact.sealing.tokens import Sealer

import sealkit
from conftest import REPO


def test_committed_schemas_match_the_models() -> None:
    stale = schema.drift(REPO)
    assert stale == [], f"run `mcr schema --write`: {stale}"


def test_drift_is_detected(tmp_path: Path) -> None:
    schema.write(tmp_path)
    path = tmp_path / "schemas" / "case.schema.json"
    path.write_text(path.read_text().replace('"opened"', '"openned"', 1))
    assert schema.drift(tmp_path) == ["schemas/case.schema.json"]


@pytest.mark.parametrize("name", sorted(schema.schemas()))
def test_schemas_carry_dialect_and_id(name: str) -> None:
    data = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text())
    assert data["$schema"] == schema.SCHEMA_DIALECT
    assert data["$id"].endswith(f"/{name}.schema.json")
    jsonschema.Draft202012Validator.check_schema(data)


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        inner = model_in(field.annotation)
        if inner is not None:
            _models(inner, seen)
    return seen


ALL_MODELS = sorted(
    {m for root in schema.schemas().values() for m in _models(root, set())},
    key=lambda m: m.__name__,
)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_described_and_unknown_keys_are_refused(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.__doc__
    undocumented = [name for name, f in model.model_fields.items() if not f.description]
    assert undocumented == []


def _personal_paths(node: dict[str, Any], defs: dict[str, Any], prefix: str) -> set[str]:
    found: set[str] = set()
    for key, prop in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        if prop.get("x-personal-data"):
            found.add(path)
        for ref in _refs(prop):
            found |= _personal_paths(defs[ref], defs, path + ".")
    return found


def _refs(prop: dict[str, Any]) -> list[str]:
    refs = []
    text = json.dumps(prop)
    for part in text.split('"$ref": "#/$defs/')[1:]:
        refs.append(part.split('"', 1)[0])
    return refs


def test_personal_data_fields_are_marked() -> None:
    generated = schema.generate("case", Case)
    paths = _personal_paths(generated, generated["$defs"], "")
    customer = {f"customer.{name}" for name in Customer.model_fields}
    narrative = {
        "incidents.account",
        "incidents.opinions.text",
        "adjustments.description",
        "resolution_attempts.description",
        "decisions.reason",
        "decisions.extreme_reason",
        "decisions.business_case.summary",
        "reviews.considerations",
        "challenges.grounds",
        "activity.summary",
        "decisions.measures.advocate",
        "reviews.measures.advocate",
        "challenges.measures.advocate",
    }
    assert customer | narrative <= paths
    # And nothing that drives the rules is hidden behind the marker.
    assert not any(p.endswith((".date", ".id", ".decided_by", ".stage")) for p in paths)


def _case_files() -> list[Path]:
    return sorted((REPO / "cases").glob("MC-*.yaml"))


def test_demo_cases_start_with_the_modeline() -> None:
    files = _case_files()
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE, path.name


def test_demo_cases_validate_against_the_published_schema_too() -> None:
    published = json.loads((REPO / "schemas" / "case.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(
        published, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for path in _case_files():
        doc, findings = load_file(path)
        assert doc is not None
        assert not findings
        errors = [e.message for e in validator.iter_errors(doc.data)]
        assert errors == [], path.name


def test_editor_settings_map_every_schema_to_existing_files() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text())
    mapped = settings["yaml.schemas"]
    assert {Path(s).name.removesuffix(".schema.json") for s in mapped} == set(schema.schemas())
    for schema_path, globs in mapped.items():
        assert (REPO / schema_path).is_file()
        for pattern in globs:
            assert list(REPO.glob(pattern)), pattern


def _schema_model(target: str) -> str | None:
    """The schema a corpus file is judged by, from where it goes in the register."""
    name = target.rpartition("/")[2].removesuffix(".yaml")
    if target.startswith("cases/"):
        return "deletions" if name == "deletions" else "case"
    return name if name in schema.schemas() else None


@dataclass(frozen=True)
class CorpusFile:
    """A well-formed corpus file, as the register holds it once committed."""

    label: str
    name: str  # the schema it is judged by
    target: str
    content: bytes
    entry: Any = None  # its test_corpus.Entry (headers: fields left plain, swapped tokens)

    def documents(self) -> tuple[Document, Document, list[str]]:
        """The file as committed (sealed), as the rules read it (opened with the case's test
        key), and the sealing faults the opening found that a schema can see (no key needed)."""
        from test_corpus import _committed

        committed, _ = _committed(self.target, self.content, self.entry)
        sealed, problems = load_bytes(committed, self.target)
        opened, _ = load_bytes(committed, self.target)
        assert sealed is not None, self.label
        assert opened is not None, self.label
        assert not problems, self.label
        faults: list[str] = []
        stem = self.target.rpartition("/")[2].removesuffix(".yaml")
        if self.name == "case" and CASE_NAME.match(f"{stem}.yaml"):
            found = open_document(opened, stem, sealkit.key_for(stem)).findings
            faults = sorted({f.rule for f in found if f.rule in SCHEMA_SEES})
        return sealed, opened, faults


#: Sealing faults a schema sees: plain text where a token belongs, a token not of its shape.
SCHEMA_SEES = {"MC010", "MC011"}


def _corpus_files() -> list[CorpusFile]:
    """Each corpus file (and valid base) that is well-formed YAML."""
    from test_corpus import ENTRIES, VALID

    found = [
        CorpusFile(f"valid/{p.name}", "case", f"cases/{p.name}", p.read_bytes())
        for p in sorted(VALID.glob("*.yaml"))
    ]
    for entry in ENTRIES:
        name = _schema_model(entry.target)
        if entry.content is None or name is None:
            continue
        doc, problems = load_bytes(entry.content, entry.target)
        if doc is not None and not problems:
            found.append(CorpusFile(entry.name, name, entry.target, entry.content, entry))
    return found


CORPUS_FILES = _corpus_files()


def _model_faults(item: CorpusFile) -> tuple[list[str], list[str]]:
    """What the published schema says of the committed file, and what the models (and the
    sealing checks a schema can make) say of it."""
    sealed, opened, faults = item.documents()
    published = json.loads((REPO / "schemas" / f"{item.name}.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(
        published, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    schema_errors = [e.message for e in validator.iter_errors(sealed.data)]
    _, model_findings = validate(schema.schemas()[item.name], opened)
    return schema_errors, sorted({f.rule for f in model_findings} | set(faults))


@pytest.mark.parametrize("item", CORPUS_FILES, ids=[f.label for f in CORPUS_FILES])
def test_the_published_schema_and_the_models_agree_on_every_corpus_file(
    item: CorpusFile,
) -> None:
    """An editor validating a committed (sealed) file with schemas/*.schema.json accepts exactly
    what the models accept once it is opened: a file the models refuse for its shape is refused
    by the schema too, and a file whose only faults are the policy's rules (which no schema can
    express) is accepted by it."""
    schema_errors, model_rules = _model_faults(item)
    assert bool(schema_errors) == bool(model_rules), (
        f"{item.label}: the models report {model_rules or 'nothing'}; "
        f"the schema reports {len(schema_errors) or 'nothing'}"
    )


def test_the_agreement_covers_both_verdicts() -> None:
    """The corpus holds files the models refuse for their shape and files they accept."""
    verdicts = {bool(_model_faults(item)[1]) for item in CORPUS_FILES}
    assert verdicts == {True, False}
    assert len(CORPUS_FILES) >= 80


def test_the_published_schema_refuses_plain_text_in_a_personal_field() -> None:
    published = json.loads((REPO / "schemas" / "case.schema.json").read_text())
    customer = published["$defs"]["Customer"]["properties"]
    assert customer["name"]["x-personal-data"] is True
    assert customer["name"]["description"]
    assert customer["name"]["pattern"] == schema.TOKEN_PATTERN
    assert customer["aliases"]["items"]["pattern"] == schema.TOKEN_PATTERN
    token = Sealer(sealkit.key_for("MC-2026-0103")).seal("customer.name", "Jordan Fictitious")
    assert re.fullmatch(schema.TOKEN_PATTERN.strip("^$"), token)
    assert not re.fullmatch(schema.TOKEN_PATTERN.strip("^$"), "Jordan Fictitious")


def test_every_history_list_has_its_own_entry_id_letter() -> None:
    from managed_contact.register.model import ENTRY_PREFIX, HISTORY_SECTIONS

    assert tuple(ENTRY_PREFIX) == HISTORY_SECTIONS
    assert len(set(ENTRY_PREFIX.values())) == len(ENTRY_PREFIX)
