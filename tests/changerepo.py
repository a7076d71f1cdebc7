"""A register in a real git repository, for the change rules: keys, cases, signed commits.

`RegisterRepo` copies the repository's policy data into a fresh repository in `tmp_path`, adds
real ed25519 keys (made once per session by ssh-keygen) to `policy/people.yaml`, plus a forge
"person" holding the `forge` role, and commits that as the base. Tests then commit case files
signed (or not) with those keys and run `changes.check.check_change` against the base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from managed_contact.changes.approvals import MergeRequestApprovals
from managed_contact.changes.check import ChangeResult, check_change
from managed_contact.register.findings import Finding

from gitfixtures import SshKey, commit, git_env, make_repo, make_ssh_key, run_git
from sealkit import sealed

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
MODELINE = "# yaml-language-server: $schema=../schemas/case.schema.json\n"
BOT = ("Register Bot", "bot@example.org")
FORGE = ("GitLab", "gitlab@council.example")

#: Key name -> (person, start, end) in the base registry. Keys not listed here exist (they sign)
#: but the registry does not know them.
REGISTERED: dict[str, tuple[str, str, str | None]] = {
    "hugo": ("hugo-barrett", "2026-01-01", None),
    "hugo-old": ("hugo-barrett", "2021-01-04", "2025-12-31"),
    "amara": ("amara-okafor", "2026-01-01", None),
    "david": ("david-renshaw", "2026-01-01", None),
    "farid": ("farid-qureshi", "2026-01-01", None),
    "ben": ("ben-holloway", "2026-01-01", None),
    "forge": ("gitlab-forge", "2026-01-01", None),
}
KEY_NAMES = (*REGISTERED, "mallory", "hugo-new")
FORGE_PERSON = {
    "id": "gitlab-forge",
    "name": "GitLab merge commits",
    "email": "gitlab@council.example",
    "roles": [{"role": "forge", "start": "2026-01-01"}],
}


def make_keys(directory: Path) -> dict[str, SshKey]:
    return {name: make_ssh_key(directory, name) for name in KEY_NAMES}


def people_yaml(keys: dict[str, SshKey], extra: dict[str, list[str]] | None = None) -> str:
    """policy/people.yaml with the registered keys (and `extra` person -> key names, valid
    from 2026-01-01)."""
    data = yaml.safe_load((REPO / "policy" / "people.yaml").read_text(encoding="utf-8"))
    data["people"].append(dict(FORGE_PERSON))
    by_id = {p["id"]: p for p in data["people"]}
    for name, (person, start, end) in REGISTERED.items():
        entry = {"type": "ssh", "key": keys[name].public_text, "start": start}
        if end is not None:
            entry["end"] = end
        by_id[person].setdefault("keys", []).append(entry)
    for person, names in (extra or {}).items():
        for name in names:
            by_id[person].setdefault("keys", []).append(
                {"type": "ssh", "key": keys[name].public_text, "start": "2026-01-01"}
            )
    return dump_yaml(data)


def dump_yaml(data: Any) -> str:
    def dates_as_text(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dates_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dates_as_text(v) for v in value]
        if isinstance(value, date):
            return value.isoformat()
        return value

    return yaml.safe_dump(dates_as_text(data), sort_keys=False, allow_unicode=True, width=100)


def not_the_demo(settings: str) -> str:
    """policy/settings.yaml without the repository's `demo: true`: these registers stand for a
    council's real one, where a tracked keystore is refused."""
    kept = [line for line in settings.splitlines(keepends=True) if line.strip() != "demo: true"]
    assert len(kept) == len(settings.splitlines()) - 1, "settings.yaml should say demo: true"
    return "".join(kept)


def case_yaml(data: dict[str, Any]) -> str:
    """A case file as committed: sealed with the case's test key."""
    return sealed(MODELINE + dump_yaml(data), str(data["id"]))


@dataclass
class RegisterRepo:
    """A register repository with a base commit holding policy data and keys."""

    path: Path
    keys: dict[str, SshKey]
    base: str = ""
    approvals: MergeRequestApprovals | None = None
    last: ChangeResult | None = field(default=None, repr=False)

    @classmethod
    def create(cls, tmp_path: Path, keys: dict[str, SshKey]) -> RegisterRepo:
        repo = make_repo(tmp_path)
        files: dict[str, str | None] = {
            f"policy/{p.name}": p.read_text(encoding="utf-8")
            for p in sorted((REPO / "policy").iterdir())
            if p.is_file()
        }
        files |= {
            "policy/settings.yaml": not_the_demo(files["policy/settings.yaml"] or ""),
            "policy/people.yaml": people_yaml(keys),
            "cases/deletions.yaml": "deletions: []\n",
            ".gitignore": ".mcr-cache/\n",
        }
        made = cls(repo, keys)
        made.base = made.commit(files, "Policy data and keys", key="amara", date="2026-01-02")
        return made

    def commit(
        self,
        files: dict[str, str | None],
        message: str,
        *,
        key: str | None = None,
        author: tuple[str, str] = BOT,
        committer: tuple[str, str] | None = None,
        date: str = "2026-03-10",
    ) -> str:
        return commit(
            self.path,
            files,
            message,
            key=self.keys[key] if key else None,
            author=author,
            committer=committer,
            date=f"{date}T10:00:00+00:00",
        )

    def branch(self, name: str, start: str) -> None:
        """Check out a new branch `name` at `start` (the work tree follows)."""
        run_git(self.path, "checkout", "-q", "-b", name, start, env=git_env(self.path.parent))

    def commit_of(self, rev: str) -> str:
        return run_git(self.path, "rev-parse", f"{rev}^{{commit}}").strip()

    def case(self, data: dict[str, Any], message: str = "case", **kwargs: Any) -> str:
        return self.commit({f"cases/{data['id']}.yaml": case_yaml(data)}, message, **kwargs)

    def check(
        self, base: str | None = None, head: str = "HEAD", cache: Path | None = None
    ) -> ChangeResult:
        self.last = check_change(
            self.path,
            base or self.base,
            head,
            TODAY,
            merge_request=self.approvals,
            cache_dir=cache,
        )
        return self.last

    def errors(self, base: str | None = None, head: str = "HEAD") -> set[str]:
        """Rule ids of the errors `mcr check --base` reports."""
        return {f.rule for f in self.check(base, head).findings.errors}

    def finding(self, rule: str) -> Finding:
        assert self.last is not None
        found = [f for f in self.last.findings.errors if f.rule == rule]
        assert found, f"no {rule} in {self.last.findings.sorted()}"
        return found[0]
