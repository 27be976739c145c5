"""The checkpoint's secrets, encrypted as Pulumi's passphrase secrets provider does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import Secret
from tests.harness.properties import SECRET_SIG, SIG_KEY
from tests.harness.state import FAST_KDF_ITERATIONS, Checkpoint, PassphraseCrypter, ResourceState


def test_a_secret_is_stored_as_an_envelope_around_the_encrypted_json_of_its_value(tmp_path: Path):
    crypter, salt_state = PassphraseCrypter.new_stack("passphrase", iterations=FAST_KDF_ITERATIONS)
    resource = ResourceState(
        urn="urn:pulumi:dev::p::t::r", type="t", custom=True, outputs={"k": Secret("sk-x")}
    )
    path = tmp_path / "state.json"

    Checkpoint(stack="organization/p/dev", salt_state=salt_state, resources=[resource]).save(path, crypter)

    stored = json.loads(path.read_text())["checkpoint"]["latest"]["resources"][0]["outputs"]["k"]
    assert stored[SIG_KEY] == SECRET_SIG
    assert stored["ciphertext"].startswith("v1:")
    assert crypter.decrypt(stored["ciphertext"]) == '"sk-x"'  # Pulumi encrypts the value's JSON
    assert "sk-x" not in path.read_text()
    assert Checkpoint.load(path, crypter).resources == [resource]


def test_the_salt_state_checks_the_passphrase():
    _, salt_state = PassphraseCrypter.new_stack("right", iterations=FAST_KDF_ITERATIONS)

    PassphraseCrypter.from_salt_state("right", salt_state, iterations=FAST_KDF_ITERATIONS)
    with pytest.raises(ValueError, match="incorrect passphrase"):
        PassphraseCrypter.from_salt_state("wrong", salt_state, iterations=FAST_KDF_ITERATIONS)


def test_init_errors_are_stored_as_init_errors_and_left_out_when_there_are_none(tmp_path: Path):
    crypter, salt_state = PassphraseCrypter.new_stack("passphrase", iterations=FAST_KDF_ITERATIONS)
    failed = ResourceState(urn="urn:pulumi:dev::p::t::a", type="t", custom=True, init_errors=["half-way"])
    fine = ResourceState(urn="urn:pulumi:dev::p::t::b", type="t", custom=True)
    path = tmp_path / "state.json"

    checkpoint = Checkpoint(stack="organization/p/dev", salt_state=salt_state, resources=[failed, fine])
    checkpoint.save(path, crypter)

    stored = json.loads(path.read_text())["checkpoint"]["latest"]["resources"]
    assert [r.get("initErrors") for r in stored] == [["half-way"], None]
    assert Checkpoint.load(path, crypter).resources == [failed, fine]
