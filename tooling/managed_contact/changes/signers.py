"""Signers: the registry's signing keys, as git's allowed-signers file and the forge's CODEOWNERS.

The people registry (`policy/people.yaml`) is the one list of who may sign and with which keys.
`mcr signers` writes two files from it so that git and the forge agree with the registry:

* `allowed_signers`, for `gpg.ssh.allowedSignersFile`: one line per SSH key, principal first
  (the person's email, else their id), then the options as ONE comma-separated field, then the
  key: ``a@x namespaces="git",valid-after="20260101",valid-before="20270101" ssh-ed25519 AAAA``.
  The registry's `end` is the last day a key is valid; ssh-keygen's `valid-before` is the first
  moment it is not, so it is written as the day after.
* `CODEOWNERS`, for the forge: `cases/` owned by the Customer Relations Team (the people holding a
  role that the `recommendation` approval names, §6.2) and `policy/`, the signers files and the
  CI definitions owned by the people whose role allows `policy-change`, by forge username.

Nothing here decides whether a signature counts: `approvals` does, from the registry at the
base revision. Fingerprints are computed here, without ssh-keygen.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from ..register.files import write_atomic
from ..register.policy import People, Policy

ALLOWED_SIGNERS = "allowed_signers"
CODEOWNERS = "CODEOWNERS"

#: Paths the policy owners own besides policy/: the files that decide what a check trusts.
GUARDED_PATHS = (
    "/allowed_signers",
    "/CODEOWNERS",
    "/.gitlab-ci.yml",
    "/.github/",
    "/.pre-commit-hooks.yaml",
)

_SSH_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)


@dataclass(frozen=True)
class RegistryKey:
    """One signing key from the registry, with its owner and validity window."""

    person: str
    principal: str
    type: Literal["ssh", "gpg"]
    fingerprint: str
    public: str
    start: date
    end: date | None
    path: tuple[str | int, ...]

    def valid_on(self, day: date) -> bool:
        """Whether `day` lies in the key's window (both ends included)."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class KeyProblem:
    """A key in the registry that cannot be used: malformed, or listed for two people."""

    path: tuple[str | int, ...]
    message: str


def ssh_fingerprint(key_text: str) -> tuple[str, str]:
    """The SHA256 fingerprint ("SHA256:...") and the "type base64" form of an SSH public key.

    Raises ValueError if the text is not an SSH public key line.
    """
    parts = key_text.split()
    if len(parts) < 2 or parts[0] not in _SSH_TYPES:
        raise ValueError("not an SSH public key: expected 'ssh-ed25519 AAAA...' or similar")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key's base64 part does not decode") from None
    name = parts[0].encode()
    if blob[:4] != len(name).to_bytes(4, "big") or blob[4 : 4 + len(name)] != name:
        raise ValueError(f"the key's data is not a {parts[0]} key")
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}", f"{parts[0]} {parts[1]}"


def gpg_fingerprint(key_text: str) -> str:
    """An OpenPGP fingerprint as git prints it (upper-case hex, no spaces)."""
    value = "".join(key_text.split()).upper()
    if len(value) not in (40, 64) or any(ch not in "0123456789ABCDEF" for ch in value):
        raise ValueError("not an OpenPGP fingerprint: expected 40 or 64 hex digits")
    return value


def registry_keys(people: People) -> tuple[list[RegistryKey], list[KeyProblem]]:
    """Every usable key in the registry, and the problems with the rest.

    A key listed for two different people is unusable for both: a signature with it could be
    either person's.
    """
    keys: list[RegistryKey] = []
    problems: list[KeyProblem] = []
    for i, person in enumerate(people.people):
        principal = person.email or person.id
        for j, key in enumerate(person.keys):
            path: tuple[str | int, ...] = ("people", i, "keys", j, "key")
            try:
                if key.type == "ssh":
                    fingerprint, public = ssh_fingerprint(key.key)
                else:
                    fingerprint, public = gpg_fingerprint(key.key), key.key
            except ValueError as exc:
                problems.append(KeyProblem(path, f"{person.id}: {exc}"))
                continue
            keys.append(
                RegistryKey(
                    person.id, principal, key.type, fingerprint, public, key.start, key.end, path
                )
            )
    owners: dict[str, set[str]] = defaultdict(set)
    for found in keys:
        owners[found.fingerprint].add(found.person)
    shared = {fp for fp, who in owners.items() if len(who) > 1}
    for found in keys:
        if found.fingerprint in shared:
            others = ", ".join(sorted(owners[found.fingerprint] - {found.person}))
            problems.append(
                KeyProblem(
                    found.path,
                    f"{found.person}: the same key is also listed for {others}; "
                    "a key belongs to one person",
                )
            )
    return [k for k in keys if k.fingerprint not in shared], problems


def _stamp(day: date) -> str:
    return day.strftime("%Y%m%d")


def allowed_signers(keys: list[RegistryKey], *, windows: bool = True) -> str:
    """The allowed-signers file for these keys (SSH keys only; OpenPGP keys are skipped).

    With `windows=False` the valid-after/valid-before options are left out: `approvals` uses
    that form to have git verify signatures, and judges the windows itself against the date of
    the check, because git judges them against the committer date, which the signer chose.
    """
    lines = [
        "# Generated by `mcr signers` from policy/people.yaml. Do not edit: change the registry",
        "# in a merge request and run `mcr signers` again.",
    ]
    for key in sorted((k for k in keys if k.type == "ssh"), key=lambda k: (k.person, k.start)):
        options = ['namespaces="git"']
        if windows:
            options.append(f'valid-after="{_stamp(key.start)}"')
            if key.end is not None:
                options.append(f'valid-before="{_stamp(key.end + timedelta(days=1))}"')
        lines.append(f"{key.principal} {','.join(options)} {key.public}")
    return "\n".join(lines) + "\n"


def _holders(policy: Policy, roles: set[str], today: date) -> tuple[list[str], list[str]]:
    """Forge usernames of people holding one of `roles` today, and ids of those without one."""
    names: list[str] = []
    missing: list[str] = []
    for person in policy.people.people:
        if not any(held.role in roles for held in person.roles_on(today)):
            continue
        if person.forge_username:
            names.append("@" + person.forge_username)
        else:
            missing.append(person.id)
    return sorted(set(names)), sorted(missing)


def _approval_roles(policy: Policy, action: str) -> set[str]:
    approval = policy.roles.approvals.get(action)
    return {role for need in approval.needs for role in need} if approval else set()


def codeowners(policy: Policy, today: date) -> str:
    """The CODEOWNERS file: who must review changes to cases/ and policy/ on the forge."""
    crt, crt_missing = _holders(policy, _approval_roles(policy, "recommendation"), today)
    owners, owners_missing = _holders(policy, _approval_roles(policy, "policy-change"), today)
    lines = [
        "# Generated by `mcr signers` from policy/people.yaml and policy/roles.yaml. Do not edit:",
        "# change the registry in a merge request and run `mcr signers` again.",
        "",
        "# Case files: the Customer Relations Team (roles in the `recommendation` approval).",
    ]
    if crt_missing:
        lines.append(f"# No forge username for: {', '.join(crt_missing)}")
    lines.append(f"/cases/ {' '.join(crt)}".rstrip())
    lines += ["", "# Policy data, signers and CI: people whose role allows `policy-change`."]
    if owners_missing:
        lines.append(f"# No forge username for: {', '.join(owners_missing)}")
    for path in ("/policy/", *GUARDED_PATHS):
        lines.append(f"{path} {' '.join(owners)}".rstrip())
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SignersFiles:
    """The two generated files, by name, and the registry's key problems."""

    files: dict[str, str]
    problems: list[KeyProblem]


def signers_files(policy: Policy, today: date) -> SignersFiles:
    keys, problems = registry_keys(policy.people)
    return SignersFiles(
        {ALLOWED_SIGNERS: allowed_signers(keys), CODEOWNERS: codeowners(policy, today)},
        problems,
    )


def stale_files(generated: SignersFiles, directory: Path) -> list[str]:
    """Names of the generated files whose copy in `directory` is missing or different."""
    stale = []
    for name, text in generated.files.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_files(generated: SignersFiles, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated.files.items():
        path = directory / name
        write_atomic(path, text)
        written.append(path)
    return written
