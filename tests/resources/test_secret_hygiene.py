"""No credential and no key value in plaintext, anywhere a deployment leaves text behind.

A whole lifecycle runs through the harness (create, refresh, replace, import, a failing create,
destroy) with the provider's debug logs on. Then every artifact is scanned: every file in the
stack's directory (the checkpoint, the serialized provider inside it decoded, the config), every
operation's program output, provider stdout/stderr (where the engine shows provider logs to the
user), diagnostics and error texts, and the command line's output. The admin credential and every
key value must appear nowhere; a pattern also catches values we never saw (a create whose answer
was lost).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pulumi_apikeys.capy.models import ApiKey as CapyApiKey
from pulumi_apikeys.capy.models import ApiKeyCreated as CapyApiKeyCreated
from pulumi_apikeys.cli import main as cli_main
from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.models import AdminApiKey, AdminApiKeyCreated
from tests.backends import ResourceUnderTest, every_face, stack_config, under_test
from tests.harness import HarnessStack, Secret, UpResult
from tests.harness.state import FAST_KDF_ITERATIONS

EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
ANY_KEY_VALUE = re.compile(
    "(?:" + "|".join(re.escape(subject.value_prefix) for subject in under_test()) + ")[A-Za-z0-9_-]{16,}"
)
"""Any key value of any API, known to us or not (OpenAI's ``redacted_value`` has dots, capy's
``key_prefix`` is 12 characters: neither matches)."""


def texts_of(result: UpResult) -> Iterator[tuple[str, str]]:
    yield "program stdout", result.stdout
    yield "program stderr", result.stderr
    yield "provider stderr", result.provider_stderr
    yield "error text", result.error_text
    yield "diagnostics", "\n".join(result.diagnostics)


def files_under(directory: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            yield str(path.relative_to(directory)), text
            # The serialized provider is base64 inside the checkpoint: look inside it too.
            for blob in re.findall(r'"__provider":\s*"([A-Za-z0-9+/=]+)"', text):
                yield f"{path.name} (serialized provider)", base64.b64decode(blob).decode("latin-1")


def leaks(artifacts: list[tuple[str, str]], secret_values: set[str]) -> list[str]:
    found = []
    for where, text in artifacts:
        for value in secret_values:
            # The whole value, or a telling part of it (a truncated log line would still leak it).
            if value in text or value[9:29] in text:
                found.append(f"{where}: a known secret")
        found += [f"{where}: {m[:12]}..." for m in ANY_KEY_VALUE.findall(text)]
    return found


class Recorder:
    """Runs a stack's operations, keeping each result and every key value state ever held."""

    def __init__(self, stack: HarnessStack, secrets: set[str]) -> None:
        self.stack = stack
        self.values = set(secrets)
        self.results: list[UpResult] = []

    def __call__(self, operation: Callable[[], UpResult]) -> UpResult:
        result = operation()
        self.results.append(result)
        for resource in self.stack.state().managed:
            for name, value in resource.outputs.items():  # a key's value, whatever its output is called
                if name == "__provider":  # the dynamic face's serialized provider: no credential in it
                    continue
                if isinstance(value, Secret) and isinstance(value.value, str) and value.value:
                    self.values.add(value.value)
        return result

    def artifacts(self) -> list[tuple[str, str]]:
        """Every text the operations left: their outputs, then every file of the stack."""
        texts = [item for result in self.results for item in texts_of(result)]
        return texts + list(files_under(self.stack.workdir))


@pytest.fixture
def private_emulator(emulator_factory: Callable[[EmulatorConfig], RunningEmulator]) -> RunningEmulator:
    """An emulator whose credentials are long and random, so any trace of one is unmistakable."""
    return emulator_factory(
        EmulatorConfig(
            port=0,
            services={
                subject.backend: {subject.credential_option: subject.value_prefix + secrets.token_urlsafe(32)}
                for subject in under_test()
            },
        )
    )


@EVERY_KEY_RESOURCE
def test_a_whole_lifecycle_leaves_no_secret_in_plaintext(
    subject: ResourceUnderTest,
    tmp_path: Path,
    private_emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("APIKEYS_LOG_LEVEL", "debug")
    emulator = private_emulator
    credential = emulator.endpoint(subject.backend).credential
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-hygiene",
        config={**stack_config(subject.settings, emulator), "apikeys:maxRetries": "1"},
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=subject.plugins,
        debug=True,  # `pulumi up --debug`: the plugin's debug logs are shown, and scanned
    )
    legacy_id, legacy_value = subject.create_with_value(emulator, "Legacy")
    import_id = subject.import_id(legacy_id)
    import_legacy = subject.key("legacy", "Legacy", f", opts=pulumi.ResourceOptions(import_={import_id!r})")
    run = Recorder(stack, {credential, legacy_value})

    def program(deployer_name: str, *extra: str) -> str:
        lines = [
            f"deployer = {subject.key('deployer', deployer_name)}",
            f'pulumi.export("key", deployer.{subject.value_attribute})',
        ]
        return subject.program("\n".join([*lines, *extra]) + "\n")

    assert run(lambda: stack.up(program("CI deployer"))).ok
    assert run(lambda: stack.refresh()).ok
    assert run(lambda: stack.up(program("CI deployer v2"))).ok
    assert run(lambda: stack.up(program("CI deployer v2", import_legacy))).ok
    # A create whose every answer carries the value but not the fields around it: it fails, and
    # the value it was shown must not surface in the error.
    emulator.control.set_faults(FaultPlan(rates={"missing_fields": 1.0}, methods=["POST"]))
    failing = run(lambda: stack.up(program("CI deployer v2", import_legacy, subject.key("broken", "Broken"))))
    emulator.control.clear_faults()
    assert not failing.ok
    assert run(lambda: stack.destroy()).ok

    artifacts = run.artifacts()
    assert len(run.values) == 4  # the credential, the imported key's value, two created keys' values
    assert "Field required" in failing.error_text  # the scan covers a real failure's text
    calls = subject.create_call.rsplit(".", 1)[0]
    assert any(calls in subject.provider_output(r) for r in run.results)  # logs were on
    assert leaks(artifacts, run.values) == []


def test_the_command_line_never_prints_the_admin_key(private_emulator: RunningEmulator, monkeypatch):
    emulator = private_emulator
    monkeypatch.setenv("OPENAI_ADMIN_KEY", emulator.endpoint("openai").credential)
    created = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential, base_url=emulator.endpoint("openai").base_url
    ).send_create(name="k")
    runner = CliRunner()
    outputs = [
        runner.invoke(cli_main, ["openai", "--base-url", emulator.endpoint("openai").base_url, *args]).output
        for args in (
            ["list"],
            ["list", "--json"],
            ["get", created.id],
            ["get", "key_missing"],
            ["delete", created.id],
        )
    ]
    monkeypatch.setenv("OPENAI_ADMIN_KEY", emulator.endpoint("openai").credential + "-wrong")
    outputs.append(
        runner.invoke(cli_main, ["openai", "--base-url", emulator.endpoint("openai").base_url, "list"]).output
    )

    artifacts = [("cli", text) for text in outputs]
    assert (
        leaks(
            artifacts,
            {emulator.endpoint("openai").credential, emulator.endpoint("openai").credential + "-wrong"},
        )
        == []
    )
    assert "401" in outputs[-1]


SECRET = "sk-admin-" + "s3cr3t" * 8


@pytest.mark.parametrize(
    "model",
    [
        AdminApiKeyCreated.model_validate(
            {
                "object": "organization.admin_api_key",
                "id": "key_1",
                "name": "n",
                "redacted_value": "sk-admin...xyz",
                "created_at": 1,
                "owner": {},
                "value": SECRET,
            }
        ),
        CapyApiKeyCreated(
            api_key=CapyApiKey.model_validate(
                {
                    "id": "ak_1",
                    "name": "n",
                    "key_prefix": "capy_live_ab",
                    "scopes": ["read"],
                    "organization_id": "org",
                    "is_active": True,
                    "created_at": "2026-11-23T00:00:00Z",
                }
            ),
            plaintext_api_key=SECRET,  # type: ignore[arg-type]
        ),
    ],
    ids=["openai AdminApiKeyCreated", "capy ApiKeyCreated"],
)
def test_every_model_holding_a_value_hides_it_in_repr_str_and_dumps(model):
    for shown in (repr(model), str(model), str(model.model_dump()), model.model_dump_json()):
        assert SECRET not in shown


def test_models_without_a_value_have_no_field_that_could_hold_one():
    assert "value" not in AdminApiKey.model_fields
    assert "plaintext_api_key" not in CapyApiKey.model_fields
