"""One sealed value: a string token in the case file, opened only with the case's key.

A token is ``ENC[mcr1,<generation>,<base64>]``. The base64 is AES-SIV (RFC 5297, from
`cryptography`) of the value padded to a multiple of 32 bytes, so a token shows the value's
length only roughly. The associated data binds it to the case id and the field's stable path
(``incidents[I2].account``), so a token copied to another case or field does not open.

AES-SIV is deterministic: the same value in the same field seals to the same token. Re-sealing an
unchanged file changes no byte, and editing one field changes one line. That reveals only
whether a field's value changed between versions, which the commit history shows anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

VERSION = "mcr1"
KEY_BYTES = 64  # AES-256-SIV: two 256-bit keys
BLOCK = 32  # values are padded to a multiple of this many bytes
TAG_BYTES = 16

#: A token as it appears in a file. Checked without a key: shape, generation, length.
TOKEN = re.compile(r"ENC\[(?P<version>[a-z0-9]+),(?P<generation>[0-9]{1,6}),(?P<body>[^\]]*)\]\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")


def placeholder(token: str) -> str:
    """What stands in for a sealed value where no key is at hand: short, and different for
    each token, so that comparing two versions of a case without keys still sees an edit."""
    return f"[sealed {hashlib.sha256(token.encode()).hexdigest()[:16]}]"


class TokenError(Exception):
    """A token that cannot be used; the message says why, without any of its content."""


class MalformedToken(TokenError):
    """Not a token this tool wrote: cut short, edited, or of an unknown version."""


class DoesNotOpen(TokenError):
    """A well-formed token the case's key does not open."""


@dataclass(frozen=True)
class CaseKey:
    """One case's key: the secret and its generation (the token says which sealed it)."""

    case_id: str
    generation: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ValueError(f"a case key is {KEY_BYTES} bytes, not {len(self.secret)}")


def is_token(value: str) -> bool:
    """Whether `value` looks like a token (it may still be malformed)."""
    return value.startswith("ENC[")


@dataclass(frozen=True)
class Parsed:
    generation: int
    sealed: bytes


def parse(token: str) -> Parsed:
    """The parts of a token, checked as far as they can be without the key."""
    match = TOKEN.match(token)
    if match is None:
        raise MalformedToken("not a complete sealed value ENC[mcr1,<generation>,<data>]")
    if match["version"] != VERSION:
        raise MalformedToken(f"sealed with format '{match['version']}', this tool reads {VERSION}")
    body = match["body"]
    if not _BASE64.match(body) or len(body) % 4:
        raise MalformedToken("the sealed data is cut short or altered (not base64)")
    try:
        sealed = base64.b64decode(body, validate=True)
    except binascii.Error:
        raise MalformedToken("the sealed data is cut short or altered (not base64)") from None
    if len(sealed) < TAG_BYTES + BLOCK or (len(sealed) - TAG_BYTES) % BLOCK:
        raise MalformedToken("the sealed data is cut short or altered (wrong length)")
    return Parsed(int(match["generation"]), sealed)


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise DoesNotOpen("the opened value is not padded as this tool pads")
    return end[:-1]


def _associated(case_id: str, path: str, generation: int) -> list[bytes]:
    return [VERSION.encode(), case_id.encode(), path.encode(), str(generation).encode()]


class Sealer:
    """Seals and opens the values of one case with its key."""

    def __init__(self, key: CaseKey) -> None:
        self.key = key
        self._siv = AESSIV(key.secret)

    def seal(self, path: str, value: str) -> str:
        """The token for `value` in field `path` of this case."""
        generation = self.key.generation
        data = self._siv.encrypt(
            _pad(value.encode("utf-8")), _associated(self.key.case_id, path, generation)
        )
        return f"ENC[{VERSION},{generation},{base64.b64encode(data).decode('ascii')}]"

    def open(self, path: str, token: str) -> str:
        """The value sealed in `token` for field `path`; TokenError if it cannot be had."""
        parsed = parse(token)
        if parsed.generation != self.key.generation:
            raise DoesNotOpen(
                f"sealed with key generation {parsed.generation}; the keystore holds "
                f"generation {self.key.generation} for this case"
            )
        try:
            data = self._siv.decrypt(
                parsed.sealed, _associated(self.key.case_id, path, parsed.generation)
            )
        except InvalidTag:
            raise DoesNotOpen(
                "does not open with this case's key: it was sealed for another case or "
                "field, or altered"
            ) from None
        try:
            return _unpad(data).decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - authenticated, so only our own bytes
            raise DoesNotOpen("the opened value is not UTF-8") from None

    def opens_as(self, paths: list[str], token: str) -> str | None:
        """The first of `paths` the token was sealed for, if any (to say where it came from)."""
        for path in paths:
            try:
                self.open(path, token)
            except TokenError:
                continue
            return path
        return None


def new_secret() -> bytes:
    """A fresh random case key."""
    return AESSIV.generate_key(KEY_BYTES * 8)
