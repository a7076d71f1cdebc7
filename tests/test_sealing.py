"""Sealing at the core: tokens, and rewriting a case file's personal values in place.

A token opens only with its case's key, in the field it was sealed for; it is the same for the
same value, so re-sealing an unchanged file changes no byte and editing one value changes one
line; and sealing rewrites only the personal scalars, so every other byte of a file survives.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from managed_contact.register.loading import load_bytes
from managed_contact.register.personal import (
    comment_lines,
    load_spans,
    personal_values,
    seal_text,
    unseal_text,
)
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.text import render_scalar, scalar_edit
from managed_contact.sealing.tokens import (
    BLOCK,
    CaseKey,
    DoesNotOpen,
    MalformedToken,
    Sealer,
    TokenError,
    new_secret,
    parse,
)

CORPUS = Path(__file__).resolve().parent / "corpus"
CASE_ID = "MC-2026-0103"
FILE = f"cases/{CASE_ID}.yaml"
VALID = (CORPUS / "valid" / f"{CASE_ID}.yaml").read_text(encoding="utf-8")
KEY = CaseKey(CASE_ID, 1, new_secret())
OTHER_CASE = CaseKey("MC-2026-0101", 1, new_secret())
NAME = "Jordan Fictitious"


def _sealer(key: CaseKey = KEY) -> Sealer:
    return Sealer(key)


# --- tokens -------------------------------------------------------------------------------


def test_a_token_opens_to_its_value() -> None:
    token = _sealer().seal("customer.name", NAME)
    assert token.startswith("ENC[mcr1,1,")
    assert NAME not in token
    assert _sealer().open("customer.name", token) == NAME


def test_the_same_value_in_the_same_field_seals_to_the_same_token() -> None:
    assert _sealer().seal("customer.name", NAME) == _sealer().seal("customer.name", NAME)
    assert _sealer().seal("customer.name", NAME) != _sealer().seal("customer.name", NAME + ".")


def test_a_token_opens_only_in_the_field_it_was_sealed_for() -> None:
    token = _sealer().seal("incidents[I1].account", NAME)
    with pytest.raises(DoesNotOpen):
        _sealer().open("incidents[I2].account", token)
    with pytest.raises(DoesNotOpen):
        _sealer().open("customer.name", token)
    assert _sealer().opens_as(["customer.name", "incidents[I1].account"], token) == (
        "incidents[I1].account"
    )


def test_a_token_opens_only_with_its_cases_key() -> None:
    token = _sealer().seal("customer.name", NAME)
    with pytest.raises(DoesNotOpen):
        _sealer(OTHER_CASE).open("customer.name", token)
    same_secret_other_case = CaseKey(OTHER_CASE.case_id, 1, KEY.secret)
    with pytest.raises(DoesNotOpen):  # the case id is bound in, not only the key
        _sealer(same_secret_other_case).open("customer.name", token)
    with pytest.raises(DoesNotOpen):  # another generation of the key
        _sealer(CaseKey(CASE_ID, 2, KEY.secret)).open("customer.name", token)


def test_a_token_cut_short_or_altered_does_not_open() -> None:
    token = _sealer().seal("customer.name", NAME)
    body = token.removeprefix("ENC[mcr1,1,").removesuffix("]")
    for cut in (token[:-1], token[:20], token[: len(token) // 2] + "]", "ENC["):
        with pytest.raises(MalformedToken):
            _sealer().open("customer.name", cut)
    for broken in (token.replace("mcr1", "mcr9"), f"ENC[mcr1,1,{body[:-4]}*AAA]"):
        with pytest.raises(MalformedToken):
            parse(broken)
    raw = bytearray(base64.b64decode(body))
    raw[5] ^= 0x01  # one bit flipped: well formed, and it does not open
    flipped = f"ENC[mcr1,1,{base64.b64encode(bytes(raw)).decode()}]"
    parse(flipped)
    with pytest.raises(DoesNotOpen):
        _sealer().open("customer.name", flipped)


def test_token_errors_never_show_the_token() -> None:
    token = _sealer().seal("customer.name", NAME)
    for bad in (token[:-3], token.replace("A", "B", 1)):
        with pytest.raises(TokenError) as raised:
            _sealer(OTHER_CASE).open("customer.name", bad)
        assert bad[11:30] not in str(raised.value)


def test_padding_hides_the_exact_length() -> None:
    short = _sealer().seal("customer.phone", "1")
    long = _sealer().seal("customer.phone", "x" * 20)
    assert len(short) == len(long)
    assert len(_sealer().seal("customer.phone", "x" * BLOCK)) > len(long)


# --- sealing a file -----------------------------------------------------------------------


def _sealed() -> str:
    return seal_text(VALID, FILE, KEY)


def test_sealing_leaves_no_personal_value_in_plain_text() -> None:
    sealed = _sealed()
    doc = load_spans(sealed, FILE)
    assert doc is not None
    values = list(personal_values(doc.data))
    assert values
    assert all(str(value).startswith("ENC[") for _, _, value in values)
    for needle in (NAME, "14 Example Row", "01632 960001", "call handlers"):
        assert needle not in sealed


def test_resealing_an_unchanged_file_changes_no_byte() -> None:
    sealed = _sealed()
    assert seal_text(sealed, FILE, KEY) == sealed
    assert seal_text(unseal_text(sealed, FILE, KEY), FILE, KEY) == sealed


def test_editing_one_value_is_a_one_line_diff() -> None:
    sealed = _sealed()
    plain = unseal_text(sealed, FILE, KEY)
    assert "01632 960001" in plain
    edited = seal_text(plain.replace("01632 960001", "01632 960999"), FILE, KEY)
    before, after = sealed.split("\n"), edited.split("\n")
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1
    assert before[changed[0]].startswith("  phone: ")


def _outside_values(text: str) -> str:
    """`text` with every personal scalar cut out (a block scalar less the line breaks it owns
    after its last line): what sealing must leave as it was."""
    doc = load_spans(text, FILE)
    assert doc is not None
    cuts = []
    for path, _, _ in personal_values(doc.data):
        span = doc.spans[path]
        cuts.append(scalar_edit(doc.text, span.start, span.end, span.block, ""))
    out, at = [], 0
    for cut in sorted(cuts):
        out.append(doc.text[at : cut.start])
        at = cut.end
    out.append(doc.text[at:])
    return "\x00".join(out)


LAYOUT = """# yaml-language-server: $schema=../schemas/case.schema.json
id: MC-2026-0103
opened: 2026-03-02
customer:
    name:    'Jordan Fictitious'
    aliases: [ "J. Fictitious" ,  Jo F. ]
    address: >
      14 Example Row,
      Testbridge, TB1 0ZZ

scope: {council_wide: false, services: [council-tax]}
incidents:
  -   id: I1
      date: 2026-02-10
      channel: telephone
      service: council-tax
      categories: [shouting]
      staff_affected: Two call handlers
      account: |
        Called eleven times.
        Shouted at both call handlers.
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_layout_flow_lists_and_the_modeline_survive_byte_for_byte(newline: str) -> None:
    text = LAYOUT.replace("\n", newline)
    sealed = seal_text(text, FILE, KEY)
    assert sealed.startswith(
        "# yaml-language-server: $schema=../schemas/case.schema.json" + newline
    )
    assert NAME not in sealed
    assert "scope: {council_wide: false, services: [council-tax]}" + newline in sealed
    assert '    aliases: [ "ENC[' in sealed
    assert _outside_values(sealed) == _outside_values(text)
    doc, problems = load_bytes(sealed.encode(), FILE)
    assert not problems
    assert doc is not None
    assert doc.data["scope"] == {"council_wide": False, "services": ["council-tax"]}
    unsealed = unseal_text(sealed, FILE, KEY)
    again, _ = load_bytes(unsealed.encode(), FILE)
    original, _ = load_bytes(text.encode(), FILE)
    assert again is not None
    assert original is not None
    assert again.data == original.data


def test_a_byte_order_mark_is_kept() -> None:
    text = "\ufeff" + VALID
    sealed = seal_text(text, FILE, KEY)
    assert sealed.startswith("\ufeff# yaml-language-server")
    assert NAME not in sealed
    assert unseal_text(sealed, FILE, KEY).startswith("\ufeff# yaml-language-server")


def test_a_file_that_does_not_load_is_left_as_it_is() -> None:
    broken = VALID.replace("opened: 2026-03-02", "opened: 2026-03-02\nopened: 2026-03-03")
    assert seal_text(broken, FILE, KEY) == broken


def test_unsealing_never_half_opens_a_file() -> None:
    sealed = _sealed()
    with pytest.raises(DoesNotOpen):
        unseal_text(sealed, FILE, OTHER_CASE)


def test_a_directory_keystore_key_seals_and_opens(tmp_path: Path) -> None:
    store = DirectoryKeystore(tmp_path / "keys")
    key = store.create(CASE_ID)
    sealed = seal_text(VALID, FILE, key)
    again = store.get(CASE_ID)
    assert again is not None
    assert unseal_text(sealed, FILE, again) == unseal_text(sealed, FILE, key)


# --- render_scalar ------------------------------------------------------------------------

TEXTS = st.text(
    st.characters(codec="utf-8"),
    max_size=200,
) | st.sampled_from(
    [
        "",
        " ",
        "yes",
        "No",
        "~",
        "null",
        "0123",
        "12:30",
        "2026-01-05",
        "1e3",
        "- a",
        "a: b",
        "#x",
        "a #b",
        "[a]",
        "{a}",
        "'q'",
        '"q"',
        "line\nline",
        "line\n",
        "\nline",
        "a  b",
        " lead",
        "trail ",
        "tab\there",
        "\ufeffbom",
        "Zoë Fictitious",
        "x" * 150,
        " ".join(["word"] * 40),
        "first line\n  indented\nlast",
    ]
)


def _nested(value: str, indent: int) -> tuple[str, list[str]]:
    """A document with the rendered value at `indent` under nested keys, and where it is."""
    depth = (indent - 2) // 2
    lines = [f"{'  ' * i}k{i}:" for i in range(depth)]
    lines.append(f"{'  ' * depth}k: {render_scalar(value, indent, flow=False)}")
    return "\n".join(lines) + "\nafter: 1\n", [f"k{i}" for i in range(depth)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([2, 4, 6, 8]))
def test_render_scalar_reads_back_in_block_context(value: str, indent: int) -> None:
    text, keys = _nested(value, indent)
    data = yaml.safe_load(text)
    for key in keys:
        data = data[key]
    assert data["k"] == value
    doc, problems = load_bytes(text.encode("utf-8"), "x.yaml")
    assert not problems, (text, problems)
    assert doc is not None
    strict = doc.data
    for key in keys:
        strict = strict[key]
    assert strict["k"] == value


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([2, 4, 6]))
def test_render_scalar_reads_back_in_a_flow_list(value: str, indent: int) -> None:
    rendered = render_scalar(value, indent, flow=True)
    text = f"{' ' * (indent - 2)}k: [a, {rendered}, b]\n"
    assert yaml.safe_load(text)["k"] == ["a", value, "b"]
    doc, problems = load_bytes(text.encode("utf-8"), "x.yaml")
    assert not problems
    assert doc is not None
    assert doc.data["k"] == ["a", value, "b"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([4, 6]))
def test_render_scalar_reads_back_in_a_block_list(value: str, indent: int) -> None:
    text = f"k:\n  - {render_scalar(value, indent, flow=False)}\nafter: 1\n"
    if indent == 6:
        text = f"k:\n  - - {render_scalar(value, indent, flow=False)}\nafter: 1\n"
    data = yaml.safe_load(text)
    assert (data["k"][0] if indent == 4 else data["k"][0][0]) == value
    doc, problems = load_bytes(text.encode("utf-8"), "x.yaml")
    assert not problems
    assert doc is not None


# --- seal and unseal round trip ----------------------------------------------------------


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    name=TEXTS.filter(bool),
    account=TEXTS.filter(bool),
    aliases=st.lists(TEXTS.filter(bool), max_size=3),
)
def test_unseal_of_seal_reads_back_the_same_data(
    name: str, account: str, aliases: list[str]
) -> None:
    data = yaml.safe_load(VALID)
    doc = load_spans(VALID, FILE)
    assert doc is not None
    text = VALID
    # write each new value where the old one was, as a person would in an editor
    replacements = {
        ("customer", "name"): render_scalar(name, 4, flow=False),
        ("incidents", 0, "account"): render_scalar(account, 6, flow=False),
        ("customer", "aliases"): "["
        + ", ".join(render_scalar(a, 4, flow=True) for a in aliases)
        + "]",
    }
    spans = {
        ("customer", "name"): doc.spans[("customer", "name")],
        ("incidents", 0, "account"): doc.spans[("incidents", 0, "account")],
    }
    alias_span = doc.spans[("customer", "aliases", 0)]
    line_start = text.rfind("[", 0, alias_span.start)
    line_end = text.find("]", alias_span.end) + 1
    edits = sorted(
        [(s.start, s.end, replacements[p]) for p, s in spans.items()]
        + [(line_start, line_end, replacements[("customer", "aliases")])],
        reverse=True,
    )
    for start, end, new in edits:
        text = text[:start] + new + text[end:]
    data["customer"]["name"] = name
    data["customer"]["aliases"] = aliases
    data["incidents"][0]["account"] = account
    plain, problems = load_bytes(text.encode("utf-8"), FILE)
    assert not problems, text
    assert plain is not None

    sealed = seal_text(text, FILE, KEY)
    sealed_doc, problems = load_bytes(sealed.encode("utf-8"), FILE)
    assert not problems, sealed
    assert sealed_doc is not None
    assert all(str(v).startswith("ENC[") for _, _, v in personal_values(sealed_doc.data))
    assert seal_text(sealed, FILE, KEY) == sealed

    unsealed = unseal_text(sealed, FILE, KEY)
    back, problems = load_bytes(unsealed.encode("utf-8"), FILE)
    assert not problems, unsealed
    assert back is not None
    assert back.data == plain.data
    assert seal_text(unsealed, FILE, KEY) == sealed


# --- comments: a case file holds none but the schema modeline ---------------------------------

_MODELINE_TEXT = "# yaml-language-server: $schema=../schemas/case.schema.json"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (f"{_MODELINE_TEXT}\nid: MC-2026-0001\nchannel: 'a # b'\n", []),
        (f"{_MODELINE_TEXT}\nchannel: |-\n  a # b\nid: x\n", []),
        (f"{_MODELINE_TEXT}\nid: x # a note\n", [2]),
        ("# Jordan Fictitious, born 1970\nid: x\n", [1]),
        (f"{_MODELINE_TEXT} Jordan Fictitious\nid: x\n", [1]),
        (f"{_MODELINE_TEXT}\rid: x\r# Jordan Fictitious\r", [3]),
        (f"{_MODELINE_TEXT}\nchannel: |- # Jordan's sister\n  text\nid: x\n", [2]),
        (f"{_MODELINE_TEXT}\nname: >- # Jordan\n  text\nid: x\n", [2]),
    ],
    ids=[
        "hash-in-quoted",
        "hash-in-block",
        "end-of-line",
        "line-1-not-a-modeline",
        "text-after-the-modeline",
        "cr-line-breaks",
        "literal-header",
        "folded-header",
    ],
)
def test_every_comment_is_found_wherever_yaml_sees_one(text: str, lines: list[int]) -> None:
    assert comment_lines(text, "cases/MC-2026-0001.yaml") == lines
