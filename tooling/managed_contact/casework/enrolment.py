"""Enrolling an approver: a signing key added to a person in the people registry.

`mcr keys enrol PERSON --public-key FILE` writes the registry change the policy owners then
approve: one entry in the person's `keys` in `policy/people.yaml` (its type, the key and its
validity window), written into the text in place, every other byte and comment kept. Nothing
counts until that change is merged: signatures are judged against the target's registry
(`changes/evidence.py`), and a change to `policy/` needs the `policy-change` approval (MC405).

It refuses, before writing anything: a person the registry does not name (with the closest ids),
a key already registered to anyone (a key belongs to one person), a public key that does not
read as one (`ssh-keygen -l` must accept the file, and it must hold a single public key line,
never a private key), a link or anything but a small regular file, and a window that starts
before today or ends before it starts. A key is never valid from a day before it was enrolled:
the registry would then vouch for signatures made before anyone had checked whose key it is.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..changes.signers import gpg_fingerprint, ssh_fingerprint
from ..errors import ExitCode, McrError
from ..register.files import NotAFile, read_bytes, write_atomic
from ..register.index import Index
from ..register.loading import Document, load_bytes
from ..register.policy import People
from ..register.snapshot import load_policy
from ..register.validation import closest_people, validate

PEOPLE_FILE = "policy/people.yaml"
#: A public key file is one line; anything larger is not one.
MAX_KEY_BYTES = 16 * 1024


class EnrolmentRefused(McrError):
    """The key cannot be enrolled as asked; the message says why and what to do."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Enrolment:
    """What was written, and who must approve it."""

    file: str
    person: str
    type: str
    fingerprint: str
    start: date
    end: date | None
    owners: tuple[str, ...]


def _regular(path: Path, what: str) -> bytes:
    """The bytes of a small regular file that is not a link."""
    if path.is_symlink():
        raise EnrolmentRefused(f"{what} {path} is a link: give the file itself")
    if not path.is_file():
        raise EnrolmentRefused(f"{what} {path} is not a file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise EnrolmentRefused(f"{what} {path} cannot be read: {exc.strerror}") from None
    return raw


def read_ssh_key(path: Path) -> tuple[str, str]:
    """The public key line (type and base64, the comment left out) and its fingerprint."""
    raw = _regular(path, "public key")
    if len(raw) > MAX_KEY_BYTES:
        raise EnrolmentRefused(f"{path} is too large for a public key: give the .pub file")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise EnrolmentRefused(f"{path} is not a public key: give the .pub file") from None
    if "PRIVATE KEY" in text:
        raise EnrolmentRefused(
            f"{path} is a private key: never share it; give the public key (the .pub file)"
        )
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise EnrolmentRefused(f"{path} should hold one public key line, 'ssh-ed25519 AAAA…'")
    try:
        fingerprint, public = ssh_fingerprint(lines[0])
    except ValueError as exc:
        raise EnrolmentRefused(f"{path} is not an SSH public key: {exc}") from None
    try:
        checked = subprocess.run(
            ["ssh-keygen", "-l", "-f", str(path)], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise EnrolmentRefused(f"ssh-keygen could not be run to check the key: {exc}") from None
    if checked.returncode != 0 or fingerprint not in checked.stdout:
        raise EnrolmentRefused(f"{path} is not a public key ssh-keygen can read")
    return public, fingerprint


def _load_people(root: Path) -> tuple[Path, str, Document, People]:
    path = root / PEOPLE_FILE
    try:
        text = read_bytes(path).decode("utf-8")
    except (FileNotFoundError, NotAFile):
        raise EnrolmentRefused(
            f"{PEOPLE_FILE} is missing or a link: run this in the register"
        ) from None
    doc, problems = load_bytes(text.encode("utf-8"), PEOPLE_FILE, spans=True)
    people, invalid = validate(People, doc) if doc is not None and not problems else (None, [])
    if doc is None or people is None or problems or invalid:
        raise EnrolmentRefused(f"{PEOPLE_FILE} does not load: run `mcr check` and fix it first")
    return path, text, doc, people


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


def _with_key(text: str, doc: Document, i: int, item: list[str]) -> str:
    """`text` with `item` (the key's lines, unindented) last in person `i`'s `keys`."""
    person = doc.data["people"][i]
    pad = " " * (doc.positions[("people", i, "id")].column - 1)
    lines = text.split("\n")
    existing = person.get("keys")
    if isinstance(existing, list) and existing:
        first = doc.positions[("people", i, "keys", 0)]
        dash = re.match(r"[ \t]*(?=- )", lines[first.line - 1])
        if dash is None:
            raise EnrolmentRefused(f"{PEOPLE_FILE}: this person's keys are laid out on one line")
        lead = dash.group(0)
    else:
        lead = pad + "  "
    block = "".join(f"{lead}{'- ' if n == 0 else '  '}{line}\n" for n, line in enumerate(item))
    if existing == []:
        key_at = doc.positions[("people", i, "keys")]
        start = sum(len(line) + 1 for line in lines[: key_at.line - 1])
        end = _line_end(text, start)
        head = re.sub(r"keys:\s*\[\s*\]", "keys:", text[start:end], count=1)
        return text[:start] + head + block + text[end:]
    if existing is None:
        block = f"{pad}keys:\n{block}"
    ends = [s.end for path, s in doc.spans.items() if path[:2] == ("people", i)]
    at = _line_end(text, max(ends) - 1)
    if at == len(text) and not text.endswith("\n"):
        block = "\n" + block
    return text[:at] + block + text[at:]


def enrol_key(
    root: Path,
    person_id: str,
    today: date,
    *,
    public_key: Path | None = None,
    gpg: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Enrolment:
    """Add an SSH public key (from `public_key`) or an OpenPGP fingerprint (`gpg`) to
    `person_id` in the registry, valid from `start` (today by default) to `end`."""
    if (public_key is None) == (gpg is None):
        raise EnrolmentRefused("give either --public-key FILE or --gpg FINGERPRINT")
    first = start or today
    if first < today:
        raise EnrolmentRefused(
            f"a key cannot be valid from before it is enrolled: start on {today} or later"
        )
    if end is not None and end < first:
        raise EnrolmentRefused(f"the key's last day ({end}) is before its first ({first})")
    if public_key is not None:
        kind = "ssh"
        key, fingerprint = read_ssh_key(public_key)
    else:
        kind = "gpg"
        try:
            key = fingerprint = gpg_fingerprint(gpg or "")
        except ValueError as exc:
            raise EnrolmentRefused(f"--gpg: {exc}") from None
    path, text, doc, people = _load_people(root)
    ids = [p.id for p in people.people]
    if person_id not in ids:
        close = closest_people(person_id, {p.id: p.name for p in people.people})
        hint = f": did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise EnrolmentRefused(
            f"'{person_id}' is not a person in {PEOPLE_FILE}; people are named by their id{hint}"
        )
    for other in people.people:
        for registered in other.keys:
            try:
                known = (
                    ssh_fingerprint(registered.key)[0]
                    if registered.type == "ssh"
                    else gpg_fingerprint(registered.key)
                )
            except ValueError:
                continue
            if known == fingerprint:
                raise EnrolmentRefused(
                    f"this key is already registered to {other.id} in {PEOPLE_FILE}: a key "
                    "belongs to one person; make a new key pair for this person"
                )
    item = [f"type: {kind}", f"key: {key}", f"start: {first.isoformat()}"]
    if end is not None:
        item.append(f"end: {end.isoformat()}")
    i = ids.index(person_id)
    new = _with_key(text, doc, i, item)
    after, problems = load_bytes(new.encode("utf-8"), PEOPLE_FILE)
    checked, invalid = validate(People, after) if after is not None else (None, [])
    expected = people.people[i].keys
    if (
        problems
        or invalid
        or checked is None
        or len(checked.people) != len(people.people)
        or checked.people[i].keys[: len(expected)] != expected
        or len(checked.people[i].keys) != len(expected) + 1
        or [p for n, p in enumerate(checked.people) if n != i]
        != [p for n, p in enumerate(people.people) if n != i]
    ):
        raise EnrolmentRefused(f"{PEOPLE_FILE} is laid out in a way this command cannot extend")
    write_atomic(path, new)
    return Enrolment(PEOPLE_FILE, person_id, kind, fingerprint, first, end, _owners(root, today))


def _owners(root: Path, today: date) -> tuple[str, ...]:
    """Who may approve a change to policy/ today: each person whose role `policy-change`
    accepts on its own."""
    policy, _, _ = load_policy(root)
    if policy is None:
        return ()
    index = Index(policy)
    return tuple(
        p.id for p in policy.people.people if index.approves("policy-change", [p.id], today, [])
    )
