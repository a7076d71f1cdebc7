"""The keystore in OpenBao or HashiCorp Vault: a KV version 2 mount, through `hvac`.

``vault:<mount>/<prefix>`` (``vault:`` alone is ``vault:secret/mcr``) keeps the key of a case at
``<prefix>/keys/<case-id>`` as ``{"case", "generation", "secret"}`` (the secret in base64), and
the keyless record of a shredded key at ``<prefix>/shredded/<case-id>`` as ``{"shredded": day}``.
The server is ``$BAO_ADDR`` (else ``$VAULT_ADDR``), the token ``$BAO_TOKEN`` (else
``$VAULT_TOKEN``), the namespace, if any, ``$BAO_NAMESPACE`` (else ``$VAULT_NAMESPACE``).

A key is created with check-and-set 0, which the server refuses if the path has any version,
so an existing key is never overwritten, not even by two people creating it at once. Before the
first request the mount is checked to be KV version 2: version 1 ignores check-and-set and would
overwrite. Shredding records the day first, then deletes the key's metadata, which destroys every
version of it; a soft delete would leave the key recoverable.

This is the only module that imports `hvac` (the ``vault`` extra). Errors from it and from
`requests` become `KeystoreError`, naming the server and the path but never the token or a key.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from .keystore import KeyExists, Keystore, KeystoreError, check_case_id, key_from_record
from .tokens import CaseKey, new_secret

try:
    import hvac
    import hvac.exceptions
    import requests
except ImportError:
    raise KeystoreError(
        "a vault: keystore needs the 'vault' extra: pip install 'managed-contact[vault]'"
    ) from None

DEFAULT_MOUNT = "secret"
DEFAULT_PREFIX = "mcr"
ADDRESS_ENV = ("BAO_ADDR", "VAULT_ADDR")
TOKEN_ENV = ("BAO_TOKEN", "VAULT_TOKEN")
NAMESPACE_ENV = ("BAO_NAMESPACE", "VAULT_NAMESPACE")
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


class _Missing(KeystoreError):
    """Nothing at the path (the server answered 404 with no error)."""


class _Deleted(KeystoreError):
    """The latest version at the path was deleted or destroyed, but its metadata is there."""


class _Forbidden(KeystoreError):
    """The token may not do this (or is invalid or expired)."""


class _VersionMismatch(KeystoreError):
    """A check-and-set write found the path already written."""


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of the variables `names` that is set, and its value."""
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return name, value
    return None


def _parse_spec(spec: str) -> tuple[str, str]:
    """The mount and the prefix named by ``vault:[<mount>[/<prefix>]]``."""
    rest = spec.removeprefix("vault:").strip("/")
    if not rest:
        return DEFAULT_MOUNT, DEFAULT_PREFIX
    mount, _, prefix = rest.partition("/")
    prefix = prefix or DEFAULT_PREFIX
    if not all(_SEGMENT.match(part) for part in [mount, *prefix.split("/")]):
        raise KeystoreError(
            f"'{spec}' is not a Vault keystore like 'vault:secret/mcr' (vault:<mount>/<prefix>, "
            "each part letters, digits, '.', '_' or '-')"
        )
    return mount, prefix


def _check_address(address: str, what: str) -> str:
    """`address` without a trailing slash, if it is a server's; `what` names it in errors."""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KeystoreError(f"{what} is not a server address like https://vault.example.org:8200")
    if parts.username is not None or parts.password is not None:
        raise KeystoreError(f"{what} must not hold a user name or password")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise KeystoreError(
            f"{what} uses http://, which would send the token and the keys unencrypted: use "
            "https:// (plain http is only for a server on this machine, 127.0.0.1)"
        )
    return address.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _server_says(errors: object) -> str:
    """The server's own words, on one line (Vault's multi-error wrapping removed)."""
    if not isinstance(errors, list):
        return ""
    text = " ".join(str(error) for error in errors)
    text = re.sub(r"\d+ errors? occurred:|\*", " ", text)
    return " ".join(text.split())


class VaultKeystore(Keystore):
    """Keys in a KV version 2 mount of OpenBao or HashiCorp Vault."""

    def __init__(
        self,
        address: str,
        token: str,
        *,
        mount: str = DEFAULT_MOUNT,
        prefix: str = DEFAULT_PREFIX,
        namespace: str | None = None,
    ) -> None:
        self.address = _check_address(address, "the keystore's server address")
        self.mount = mount
        self.prefix = prefix
        self.namespace = namespace
        self.name = f"vault:{mount}/{prefix} at {self.address}"
        if namespace:
            self.name += f" (namespace {namespace})"
        self._token = token
        self._client: Any = hvac.Client(url=self.address, token=token, namespace=namespace)
        self._mount_checked = False

    @classmethod
    def from_spec(cls, spec: str, environ: Mapping[str, str] | None = None) -> VaultKeystore:
        """The keystore named by ``vault:[<mount>/<prefix>]``, with the server and token from
        the environment (`environ`, else `os.environ`)."""
        env = os.environ if environ is None else environ
        mount, prefix = _parse_spec(spec)
        address = _first(env, ADDRESS_ENV)
        if address is None:
            raise KeystoreError(
                f"the keystore {spec} needs the server's address: set $BAO_ADDR or $VAULT_ADDR"
            )
        _check_address(address[1], f"${address[0]}")
        token = _first(env, TOKEN_ENV)
        if token is None:
            raise KeystoreError(
                f"the keystore {spec} needs a token: set $BAO_TOKEN or $VAULT_TOKEN"
            )
        namespace = _first(env, NAMESPACE_ENV)
        return cls(
            address[1],
            token[1],
            mount=mount,
            prefix=prefix,
            namespace=namespace[1] if namespace else None,
        )

    # -- paths -------------------------------------------------------------------------------

    def _key_path(self, case_id: str) -> str:
        return f"{self.prefix}/keys/{check_case_id(case_id)}"

    def _shred_path(self, case_id: str) -> str:
        return f"{self.prefix}/shredded/{check_case_id(case_id)}"

    # -- requests ----------------------------------------------------------------------------

    def _call(self, doing: str, path: str, request: Callable[[], object]) -> object:
        """`request`'s answer, or a KeystoreError saying what could not be done where."""
        where = f"{self.mount}/{path} in {self.name}"
        forbidden = False
        try:
            return request()
        except hvac.exceptions.InvalidPath as exc:
            metadata = _data(exc.json).get("metadata")
            if isinstance(metadata, dict):
                state = "destroyed" if metadata.get("destroyed") else "deleted"
                raise _Deleted(
                    f"the latest version at {where} was {state} outside this tool: undelete it, "
                    "or, if it is meant to be gone, shred the case"
                ) from None
            said = _server_says(exc.errors)
            if not said:
                raise _Missing(f"nothing at {where}") from None
            message = f"cannot {doing} {where}: {said} (is '{self.mount}' a KV version 2 mount?)"
        except hvac.exceptions.InvalidRequest as exc:
            said = _server_says(exc.errors)
            if "check-and-set" in said:
                raise _VersionMismatch(f"{where} is already written") from None
            message = f"cannot {doing} {where}: the server refused the request ({said})"
        except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized):
            forbidden = True
            message = (
                f"cannot {doing} {where}: permission denied (the token is invalid or expired, "
                "or its policy does not allow this)"
            )
        except hvac.exceptions.VaultDown:
            message = f"cannot {doing} {where}: the server is sealed or in maintenance"
        except hvac.exceptions.VaultError as exc:
            said = _server_says(exc.errors) or type(exc).__name__
            message = f"cannot {doing} {where}: {said}"
        except requests.exceptions.RequestException as exc:
            message = f"cannot {doing} {where}: the server cannot be reached ({type(exc).__name__})"
        error = _Forbidden if forbidden else KeystoreError
        raise error(message.replace(self._token, "[token]")) from None

    def _check_mount(self) -> None:
        """Refuse a mount that is not KV version 2, before anything is read or written."""
        if self._mount_checked:
            return
        path = f"{self.prefix}/keys"
        answer = self._call(
            "look up the mount of",
            path,
            lambda: self._client.adapter.get(f"/v1/sys/internal/ui/mounts/{self.mount}/{path}"),
        )
        found = _data(answer)
        options = found.get("options")
        version = options.get("version") if isinstance(options, dict) else None
        if found.get("type") != "kv" or version != "2":
            raise KeystoreError(
                f"'{self.mount}' in {self.name} is not a KV version 2 mount (it is "
                f"{found.get('type')!s} version {version!s}): keys need its check-and-set"
            )
        if found.get("path") != f"{self.mount}/":
            raise KeystoreError(
                f"'{self.mount}' in {self.name} is inside the mount '{found.get('path')!s}': "
                "name that mount in vault:<mount>/<prefix>"
            )
        self._mount_checked = True

    def _read(self, doing: str, path: str) -> dict[str, object] | None:
        """The data at `path`, or None if nothing was ever written there (or its metadata, so
        every version, was deleted)."""
        self._check_mount()
        try:
            answer = self._call(
                doing,
                path,
                lambda: self._client.secrets.kv.v2.read_secret_version(
                    path=path, mount_point=self.mount, raise_on_deleted_version=True
                ),
            )
        except _Missing:
            return None
        data = _data(answer).get("data")
        if not isinstance(data, dict):
            raise KeystoreError(f"{self.mount}/{path} in {self.name} holds no data")
        return {str(name): value for name, value in data.items()}

    def _write_new(self, doing: str, path: str, data: dict[str, object]) -> None:
        """Write `data` at `path` only if nothing was ever written there (check-and-set 0)."""
        self._check_mount()
        self._call(
            doing,
            path,
            lambda: self._client.secrets.kv.v2.create_or_update_secret(
                path=path, secret=data, cas=0, mount_point=self.mount
            ),
        )

    def _list(self, folder: str) -> list[str]:
        self._check_mount()
        try:
            answer = self._call(
                "list",
                f"{folder}/",
                lambda: self._client.secrets.kv.v2.list_secrets(
                    path=folder, mount_point=self.mount
                ),
            )
        except _Missing:
            return []
        names = _data(answer).get("keys")
        if not isinstance(names, list):
            return []
        return sorted(str(name) for name in names if _is_case_id(str(name)))

    # -- the Keystore interface --------------------------------------------------------------

    def get(self, case_id: str) -> CaseKey | None:
        path = self._key_path(case_id)
        record = self._read("read the key at", path)
        if record is None:
            return None
        return key_from_record(case_id, record, f"{self.mount}/{path} in {self.name}")

    def shredded_on(self, case_id: str) -> date | None:
        try:
            record = self._read("read the shred record at", self._shred_path(case_id))
        except _Deleted:
            return None
        if record is None:
            return None
        try:
            return date.fromisoformat(str(record.get("shredded")))
        except ValueError:
            raise KeystoreError(
                f"the shred record of {case_id} in {self.name} is damaged"
            ) from None

    def create(self, case_id: str) -> CaseKey:
        path = self._key_path(case_id)
        # A token that may not read shred records may not create keys either (the policies in
        # deploy/vault): the write below is then refused, and says so.
        with contextlib.suppress(_Forbidden):
            self.refuse_after_shred(case_id)
        key = CaseKey(case_id, 1, new_secret())
        record: dict[str, object] = {
            "case": key.case_id,
            "generation": key.generation,
            "secret": base64.b64encode(key.secret).decode("ascii"),
        }
        exists = KeyExists(f"{case_id} already has a key in {self.name}")
        try:
            self._write_new("create the key at", path, record)
        except _VersionMismatch:
            raise exists from None
        except KeystoreError:
            # A policy that grants `create` but not `update` (mcr-customer-relations) makes the
            # server refuse before check-and-set is looked at: say so if that is why.
            if self._exists(path):
                raise exists from None
            raise
        return key

    def _exists(self, path: str) -> bool:
        """Whether `path` has any version (False also when that cannot be found out)."""
        try:
            return self._read("read", path) is not None
        except _Deleted:
            return True
        except KeystoreError:
            return False

    def case_ids(self) -> list[str]:
        return self._list(f"{self.prefix}/keys")

    def shred(self, case_id: str, day: date) -> None:
        key_path = self._key_path(case_id)
        record_path = self._shred_path(case_id)
        # The record first: if destroying fails half way, the key is known to be meant gone.
        try:
            written = self._read("read the shred record at", record_path) is not None
        except _Deleted:
            written = True
        if not written and not self._exists(key_path):
            raise KeystoreError(f"{self.name} has no key for {case_id} to shred")
        if not written:
            # _VersionMismatch: shredded at the same moment by someone else, whose day stands.
            with contextlib.suppress(_VersionMismatch):
                self._write_new(
                    "write the shred record at", record_path, {"shredded": day.isoformat()}
                )
        # Deleting the metadata destroys every version; deleting a version would not.
        self._call(
            "destroy the key at",
            key_path,
            lambda: self._client.secrets.kv.v2.delete_metadata_and_all_versions(
                path=key_path, mount_point=self.mount
            ),
        )

    def shredded(self) -> dict[str, date]:
        found: dict[str, date] = {}
        for case_id in self._list(f"{self.prefix}/shredded"):
            path = self._shred_path(case_id)
            record = self._read("read the shred record at", path)
            if record is None:
                continue
            try:
                found[case_id] = date.fromisoformat(str(record.get("shredded")))
            except ValueError:
                raise KeystoreError(
                    f"the shred record {self.mount}/{path} in {self.name} is damaged"
                ) from None
        return found


def _data(answer: object) -> dict[str, object]:
    """The ``data`` of a server's answer ({} if it has none)."""
    if isinstance(answer, dict):
        data = answer.get("data")
        if isinstance(data, dict):
            return {str(name): value for name, value in data.items()}
    return {}


def _is_case_id(name: str) -> bool:
    try:
        check_case_id(name)
    except KeystoreError:
        return False
    return True
