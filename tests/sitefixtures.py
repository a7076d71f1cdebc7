"""Helpers for the site tests: copy the real register (with the demo's committed keystore) into
a scratch directory, build it with those keys, and an XSS case, sealed, whose every shown field
carries a payload."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from managed_contact.cli.main import main
from managed_contact.cli.reference import reference_pages
from managed_contact.register.personal import seal_text
from managed_contact.register.snapshot import DEMO_KEYSTORE
from managed_contact.sealing.keystore import DirectoryKeystore
from managed_contact.site.build import build_site

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)

# Payloads that must show as text and never run or break the page.
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ALIAS = "</title><script>window.__xss=1</script>"
XSS_TEMPLATE = "{{ 7*7 }}"
XSS_PIPE = "a | b | c"
XSS_BACKTICK = "`rm -rf /`"
XSS_LINK = "[x](javascript:alert(4))"
XSS_SVG = '"><svg onload=alert(2)>'

XSS_CASE_ID = "MC-2026-0999"
XSS_CASE = f"""\
# yaml-language-server: $schema=../schemas/case.schema.json
id: {XSS_CASE_ID}
opened: 2026-01-05
customer:
  name: '{XSS_NAME}'
  aliases: ['{XSS_ALIAS}', '{XSS_TEMPLATE}', '{XSS_PIPE}', '{XSS_BACKTICK}', '{XSS_LINK}']
  address: 1 Secret Street, Nowhere
scope:
  council_wide: true
  services: [council-tax, housing-options]
incidents:
  - id: I1
    date: 2026-01-06
    channel: telephone
    service: council-tax
    categories: [threats]
    staff_affected: 'Call handlers <b>bold</b>'
    account: 'SECRET-ACCOUNT <script>alert(9)</script>'
resolution_attempts:
  - id: S1
    date: 2026-01-07
    service: council-tax
    description: SECRET-RESOLUTION
adjustments:
  - id: A1
    date: 2026-01-07
    description: SECRET-ADJUSTMENT
    outcome: declined
decisions:
  - id: D1
    date: 2026-01-12
    stage: 1
    decided_by: hugo-barrett
    conduct: [threats]
    reason: 'SECRET-REASON <script>alert(8)</script>'
    statutory_access: '{XSS_SVG} keeps access through {XSS_TEMPLATE}'
    crt_notified: 2026-01-12
    measures:
      - measure: spoc
        spoc: liam-treadwell
        times: '{XSS_PIPE} <script>alert(5)</script>'
      - measure: other
        description: '{XSS_LINK} and {XSS_BACKTICK} and {XSS_SVG}'
      - measure: one-channel
        channel: letter
councillors:
  - councillor: cllr-olive-brandt
    choice: opt-in
    date: 2026-01-20
legal_holds:
  - id: H1
    reason: legal-claim
    start: 2026-02-01
    reference: '{XSS_NAME}'
"""


def copy_register(target: Path) -> Path:
    """The repository's register, its keystore, pages and site configuration, copied into
    `target`."""
    for name in ("cases", "policy", "site", DEMO_KEYSTORE):
        shutil.copytree(REPO / name, target / name)
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def demo_keys(root: Path) -> DirectoryKeystore:
    """The keystore of a copied register (`copy_register`)."""
    return DirectoryKeystore(root / DEMO_KEYSTORE)


def build(root: Path, today: date = TODAY) -> Path:
    """Build a copied register's site with its keys, as `mcr build` does."""
    return build_site(root, root / "public", today, reference_pages(main), demo_keys(root))


def write_sealed(root: Path, case_id: str, text: str) -> Path:
    """Write a case file into a copied register, sealed with a new key in its keystore."""
    store = demo_keys(root)
    key = store.get(case_id) or store.create(case_id)
    path = root / "cases" / f"{case_id}.yaml"
    path.write_text(seal_text(text, f"cases/{case_id}.yaml", key), encoding="utf-8")
    return path


def xss_register(target: Path) -> Path:
    root = copy_register(target)
    path = write_sealed(root, XSS_CASE_ID, XSS_CASE)
    assert "SECRET-ACCOUNT" not in path.read_text(encoding="utf-8")
    return root
