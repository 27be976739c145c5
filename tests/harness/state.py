"""The stack's checkpoint file and its secrets, stored the way Pulumi's file backend stores them.

Layout follows ``apitype.CheckpointV3`` / ``DeploymentV3`` / ``ResourceV3``
(``sdk/go/common/apitype/core.go``);
secret values are ``{"4dabf1...": "1b4706...", "ciphertext": "v1:<nonce>:<ciphertext>"}`` as written by
``stack.SerializePropertyValue`` (``pkg/resource/stack/deployment.go``), encrypted with the passphrase
secrets provider: AES-256-GCM, key from PBKDF2-SHA256 over the passphrase and an 8-byte salt
(``sdk/go/common/resource/config/crypt.go``, ``pkg/secrets/passphrase/manager.go``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.harness.properties import SECRET_SIG, SIG_KEY, PropertyMap, Secret

__all__ = [
    "FAST_KDF_ITERATIONS",
    "PULUMI_KDF_ITERATIONS",
    "ROOT_STACK_TYPE",
    "Checkpoint",
    "PassphraseCrypter",
    "ResourceState",
    "decode_value",
    "encode_value",
]

PULUMI_KDF_ITERATIONS = 1_000_000
"""PBKDF2 rounds of Pulumi's passphrase provider (``NewSymmetricCrypterFromPassphrase``)."""
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
FAST_KDF_ITERATIONS = 1_000
"""PBKDF2 rounds for test stacks: Pulumi's million cost ~0.4 s per stack and prove nothing more (the
checkpoint does not record the count; only the harness reads these files)."""


@functools.lru_cache(maxsize=32)
def _derive_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    # Cached: a million rounds take ~0.4 s, and every read of the state would otherwise pay it again.
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, iterations, dklen=32)


class PassphraseCrypter:
    """Encrypts single values as ``v1:<b64 nonce>:<b64 ciphertext>`` (Pulumi's ``symmetricCrypter``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AES-256-GCM needs a 32-byte key")
        self._aead = AESGCM(key)
        self.key = key

    @classmethod
    def new_stack(
        cls, passphrase: str, *, iterations: int = PULUMI_KDF_ITERATIONS
    ) -> tuple[PassphraseCrypter, str]:
        """A crypter for a new stack and its salt state ``v1:<b64 salt>:<encrypted "pulumi">``.

        Pulumi stores that state as ``encryptionsalt``; the encrypted ``"pulumi"`` lets it check a passphrase.
        """
        salt = secrets.token_bytes(8)
        crypter = cls(_derive_key(passphrase, salt, iterations))
        return crypter, f"v1:{base64.b64encode(salt).decode()}:{crypter.encrypt('pulumi')}"

    @classmethod
    def from_salt_state(
        cls, passphrase: str, salt_state: str, *, iterations: int = PULUMI_KDF_ITERATIONS
    ) -> PassphraseCrypter:
        """The crypter of an existing stack; raises ``ValueError`` on a wrong passphrase."""
        version, salt_b64, check = salt_state.split(":", 2)
        if version != "v1":
            raise ValueError(f"unknown salt state version {version!r}")
        crypter = cls(_derive_key(passphrase, base64.b64decode(salt_b64), iterations))
        try:
            ok = crypter.decrypt(check) == "pulumi"
        except InvalidTag:
            ok = False
        if not ok:
            raise ValueError("incorrect passphrase")
        return crypter

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        ciphertext = self._aead.encrypt(nonce, plaintext.encode(), None)
        return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(ciphertext).decode()}"

    def decrypt(self, value: str) -> str:
        version, nonce_b64, ciphertext_b64 = value.split(":")
        if version != "v1":
            raise ValueError(f"unknown ciphertext version {version!r}")
        return self._aead.decrypt(
            base64.b64decode(nonce_b64), base64.b64decode(ciphertext_b64), None
        ).decode()


def encode_value(value: Any, crypter: PassphraseCrypter) -> Any:
    """The checkpoint form of a property value: each secret's JSON encrypted in place."""
    if isinstance(value, Secret):
        # Pulumi encrypts the JSON text of the (already serialized) element, so a string secret's
        # plaintext is the quoted string.
        inner = json.dumps(encode_value(value.value, crypter), separators=(",", ":"))
        return {SIG_KEY: SECRET_SIG, "ciphertext": crypter.encrypt(inner)}
    if isinstance(value, dict):
        # Sorted, as Go marshals maps: the file does not churn between saves.
        return {k: encode_value(value[k], crypter) for k in sorted(value)}
    if isinstance(value, list):
        return [encode_value(v, crypter) for v in value]
    return value


def decode_value(value: Any, crypter: PassphraseCrypter) -> Any:
    """The inverse of ``encode_value``: secrets come back as ``Secret``."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return Secret(decode_value(json.loads(crypter.decrypt(value["ciphertext"])), crypter))
        return {k: decode_value(v, crypter) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v, crypter) for v in value]
    return value


@dataclass
class ResourceState:
    """One resource of the checkpoint (the fields of ``ResourceV3`` the harness uses)."""

    urn: str
    type: str
    custom: bool
    id: str = ""
    inputs: PropertyMap = field(default_factory=dict)
    outputs: PropertyMap = field(default_factory=dict)
    parent: str = ""
    provider: str = ""
    dependencies: list[str] = field(default_factory=list)
    init_errors: list[str] = field(default_factory=list)
    """``InitErrors``: why the last create or update failed part-way (``StatusPartialFailure``); a resource
    that has any is updated on the next ``up`` (``step_generator.go``, ``hasInitErrors``)."""
    external: bool = False
    delete: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    import_id: str = ""
    created: str = ""
    modified: str = ""

    @property
    def name(self) -> str:
        """The resource's name: the URN's last segment."""
        return self.urn.rsplit("::", 1)[-1]

    def to_json(self, crypter: PassphraseCrypter) -> dict[str, Any]:
        # Mirrors ResourceV3's omitempty fields, so the file reads like a Pulumi checkpoint.
        data: dict[str, Any] = {"urn": self.urn, "custom": self.custom}
        if self.delete:
            data["delete"] = True
        if self.id:
            data["id"] = self.id
        data["type"] = self.type
        if self.inputs:
            data["inputs"] = encode_value(self.inputs, crypter)
        if self.outputs:
            data["outputs"] = encode_value(self.outputs, crypter)
        optional: dict[str, Any] = {
            "parent": self.parent,
            "external": self.external,
            "dependencies": self.dependencies,
            "initErrors": self.init_errors,
            "provider": self.provider,
            "additionalSecretOutputs": self.additional_secret_outputs,
            "aliases": self.aliases,
            "importID": self.import_id,
            "created": self.created,
            "modified": self.modified,
        }
        data.update({k: v for k, v in optional.items() if v})
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], crypter: PassphraseCrypter) -> ResourceState:
        return cls(
            urn=data["urn"],
            type=data["type"],
            custom=data["custom"],
            id=data.get("id", ""),
            inputs=decode_value(data.get("inputs", {}), crypter),
            outputs=decode_value(data.get("outputs", {}), crypter),
            parent=data.get("parent", ""),
            provider=data.get("provider", ""),
            dependencies=list(data.get("dependencies", [])),
            init_errors=list(data.get("initErrors", [])),
            external=data.get("external", False),
            delete=data.get("delete", False),
            additional_secret_outputs=list(data.get("additionalSecretOutputs", [])),
            aliases=list(data.get("aliases", [])),
            import_id=data.get("importID", ""),
            created=data.get("created", ""),
            modified=data.get("modified", ""),
        )


@dataclass
class Checkpoint:
    """A stack's checkpoint: its resources, in snapshot order, and the salt state of its secrets."""

    stack: str
    salt_state: str
    resources: list[ResourceState] = field(default_factory=list)

    def to_json(self, crypter: PassphraseCrypter) -> dict[str, Any]:
        return {
            "version": 3,
            "checkpoint": {
                "stack": self.stack,
                "latest": {
                    "manifest": {"magic": "", "version": "tests.harness"},
                    "secrets_providers": {"type": "passphrase", "state": {"salt": self.salt_state}},
                    "resources": [r.to_json(crypter) for r in self.resources],
                },
            },
        }

    def save(self, path: Path, crypter: PassphraseCrypter) -> None:
        """Write atomically: a reader never sees half a file, as with Pulumi's backend."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(crypter), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, crypter: PassphraseCrypter) -> Checkpoint:
        data = json.loads(path.read_text())["checkpoint"]
        latest = data.get("latest") or {}
        return cls(
            stack=data["stack"],
            salt_state=latest["secrets_providers"]["state"]["salt"],
            resources=[ResourceState.from_json(r, crypter) for r in latest.get("resources", [])],
        )
