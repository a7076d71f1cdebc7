"""What `make fuzz` feeds: the loader with the case validation, and the unsealer.

Each target takes bytes and either returns or raises. It raises only for a defect: an exception
the code did not turn into a finding, or a finding that does not name its place (a line and a
column of 1 or more). `scripts/fuzz_register.py` runs them under atheris (coverage-guided) or
hypothesis, seeded by `seeds()`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from managed_contact.register.findings import Finding
from managed_contact.register.loading import load_bytes
from managed_contact.register.personal import open_document, seal_text
from managed_contact.register.snapshot import case_from
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.sealing.tokens import CaseKey, Sealer, TokenError, parse

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
CASE_ID = re.compile(rb"^id:\s*(MC-\d{4}-\d{4})\s*$", re.MULTILINE)
DEFAULT_CASE = "MC-2026-0101"
_DEMO = DirectoryKeystore(REPO / "demo-keystore")


def fuzz_key(case_id: str) -> CaseKey:
    """A fixed key for a case the demo keystore does not hold (the corpus's cases)."""
    return CaseKey(case_id, 1, hashlib.sha512(case_id.encode()).digest())


def key_for(case_id: str) -> CaseKey:
    return _DEMO.get(case_id) or fuzz_key(case_id)


def _placed(findings: list[Finding]) -> None:
    for found in findings:
        if found.line < 1 or found.column < 1 or not found.file or not found.rule:
            raise AssertionError(f"a finding without its place: {found!r}")


def loader(data: bytes) -> None:
    """Load bytes as a case file, open its sealed values with its key, and validate it."""
    match = CASE_ID.search(data)
    case_id = match[1].decode() if match else DEFAULT_CASE
    file = f"cases/{case_id}.yaml"
    loaded = load_bytes(data, file)
    _placed(loaded[1])
    _, _, findings = case_from(Path(file), file, loaded, key_for)
    _placed(findings)
    spans, problems = load_bytes(data, file, spans=True)
    _placed(problems)
    if spans is not None and not problems:
        seal_text(spans.text, file, fuzz_key(case_id))


_TEMPLATE = "id: {case}\ncustomer:\n  name: {token}\n  aliases: [{token}]\n"


def unsealer(data: bytes) -> None:
    """Open a token: as text, as data under a well-formed head, altered from a real token, and
    in a case file (`open_document`)."""
    if not data:
        return
    mode, rest = data[0] % 4, data[1:]
    key = fuzz_key(DEFAULT_CASE)
    sealer = Sealer(key)
    token = rest.decode("utf-8", "replace")
    if mode == 1:
        token = f"ENC[mcr1,1,{base64.b64encode(rest).decode()}]"
    elif mode == 2:
        real = bytearray(sealer.seal("customer.name", "A fictional name").encode())
        for i, byte in enumerate(rest[:64]):
            real[(i * 7 + byte) % len(real)] ^= byte
        token = real.decode("latin-1")
    if mode in (0, 1, 2):
        with contextlib.suppress(TokenError):
            parse(token)
        with contextlib.suppress(TokenError):
            sealer.open("customer.name", token)
        sealer.opens_as(["customer.name", "customer.aliases[0]"], token)
        return
    text = _TEMPLATE.format(case=DEFAULT_CASE, token=token.replace("\n", " "))
    doc, findings = load_bytes(text.encode("utf-8", "surrogatepass"), f"cases/{DEFAULT_CASE}.yaml")
    _placed(findings)
    if doc is not None:
        _placed(open_document(doc, DEFAULT_CASE, key).findings)


TARGETS: dict[str, Callable[[bytes], None]] = {"loader": loader, "unsealer": unsealer}


def _sealed_valid() -> Iterator[bytes]:
    for path in sorted((CORPUS / "valid").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        yield seal_text(text, f"cases/{path.stem}.yaml", fuzz_key(path.stem)).encode()


def seeds(target: str) -> list[bytes]:
    """The inputs a run starts from: the corpus (valid files sealed, the broken ones as they
    are) and the demo register's cases for the loader; real and broken tokens for the
    unsealer."""
    if target == "loader":
        found = list(_sealed_valid())
        for folder in ("cases", "policy"):
            found += [p.read_bytes() for p in sorted((CORPUS / folder).glob("*.yaml"))]
        found += [p.read_bytes() for p in sorted((REPO / "cases").glob("MC-*.yaml"))]
        return found
    sealer = Sealer(fuzz_key(DEFAULT_CASE))
    token = sealer.seal("customer.name", "A fictional name").encode()
    other = Sealer(fuzz_key("MC-2026-0102")).seal("customer.name", "Another").encode()
    return [
        b"\x00" + token,
        b"\x00" + token[:-5] + b"]",
        b"\x01" + b"A" * 48,
        b"\x02" + bytes(range(16)),
        b"\x03" + token,
        b"\x03" + other,
        b"\x03" + b"ENC[mcr1,2," + token[11:],
        b"\x03plain text",
    ]
