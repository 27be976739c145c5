"""Bad input, bad configuration and bad answers: the exact message a user sees, and nothing created.

The rows every key resource shares (``shared_cases``) run over each registered one; the rows after
them are what only one backend has (a lifetime, an organization, scopes, its model's fields).

Each case runs ``pulumi up`` through the harness against the emulator. Check failures are the
engine's diagnostic, word for word; a failure in the provider reaches the user as a traceback whose
last line is the exception, so that line is compared (request ids normalized).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pulumi_apikeys import registry
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from tests.backends import Face, ResourceUnderTest, every_face, stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS

OPENAI = "pulumi-python:dynamic/openai:AdminApiKey"
CAPY = "pulumi-python:dynamic/capy:ApiKey"
SUBJECTS = {
    (subject.backend, subject.face): subject
    for subject in every_face()
    if subject.backend != "openai_projects"
}
"""The subject of a backend-specific case, by backend and face (a backend of one key resource)."""
BY_ID = {subject.id: subject for subject in every_face()}
"""The subject of a shared case: every key resource, by its pytest id."""
REQUEST_ID = re.compile(r"req_[0-9a-f]+")


@dataclass(frozen=True)
class Case:
    """One bad input: the declaration, what differs in the stack config, the API's behaviour."""

    declaration: str
    message: str
    config: dict[str, str | None] = field(default_factory=dict)
    """Stack config to set (a value) or remove (``None``), over the working defaults."""
    faults: FaultPlan | None = None
    backend: str = "openai"
    face: Face = "dynamic"
    subject: str | None = None
    """The ``ResourceUnderTest.id`` of the resource declared (a shared case); ``None``: the one of
    ``backend`` and ``face``."""


def check_failure(prop: str, value: str, reason: str, resource: str = "k", type_: str = OPENAI) -> str:
    """The engine's diagnostic for one failed property (``value`` as Go's %v prints it)."""
    return f"{type_} resource '{resource}': property {prop} value {value} has a problem: {reason}"


CAPY_KEY = 'ApiKey("k", organization_id="org_1", name="n", scopes=["read"])'


def unreadable_create(subject: ResourceUnderTest, fault: str, problem: str) -> Case:
    """Every create answered with a damaged body: the key is made each time, and deleted (capy:
    revoked) again by reconciliation."""
    return Case(
        subject.declare("k", "'n'", ""),
        f"pulumi_apikeys.errors.UnreadableResponseError: {subject.create_call} failed with HTTP 200: "
        f"{problem}; gave up after 2 attempt(s), and no key was left behind "
        "(2 key(s) made by the lost attempts were deleted) (request id req_…)",
        faults=FaultPlan(rates={fault: 1.0}, methods=["POST"]),  # type: ignore[dict-item]
        backend=subject.backend,
        face=subject.face,
        subject=subject.id,
    )


def shared_cases(subject: ResourceUnderTest) -> dict[str, Case]:
    """The rows every key resource shares: its name, the id to import, its credential and base URL,
    and create answers that no model reads."""
    backend = registry.backend(subject.backend)

    def key(name_source: str, extra: str = "") -> str:
        return subject.declare("k", name_source, extra)

    def check(prop: str, value: str, reason: str) -> str:
        return check_failure(prop, value, reason, type_=subject.token)

    def import_failure(key_id: str, reason: str) -> Case:
        return Case(
            key("'n'", f", opts=pulumi.ResourceOptions(import_={key_id!r})"),
            check("adopt_id", "{" + key_id + "}", reason),
            backend=subject.backend,
            subject=subject.id,
        )

    def ids_must(shown: str) -> str:
        example = subject.import_example
        return f"the id to import must look like {example!r} (letters, digits, '_' and '-'), not {shown}"

    def case(declaration: str, message: str, **kwargs: object) -> Case:
        return Case(
            declaration, message, backend=subject.backend, face=subject.face, subject=subject.id, **kwargs
        )  # type: ignore[arg-type]

    def setting(name: str, source: str, value: str, reason: str) -> Case:
        """A rotation setting refused by check: named as the face spells it."""
        shown = subject.shown(name)
        return case(key("'n'", f", {name}={source}"), check(shown, value, reason.format(shown)))

    credential = backend.credential
    rows = {
        "name missing": case(
            key("None"),
            check("name", "{<nil>}", "name is required: give the key a non-empty name")
            if subject.face == "dynamic"
            # The generated SDK refuses a missing required input itself, before any registration.
            else "TypeError: Missing required property 'name'",
        ),
        "name empty": case(key("''"), check("name", "{}", "name must not be empty or only whitespace")),
        "name whitespace only": case(
            key("'   '"), check("name", "{   }", "name must not be empty or only whitespace")
        ),
        "name not a string": case(key("42"), check("name", "{42}", "name must be a string, not a number")),
        "name of 10,000 characters": case(
            key(repr(LONG)), check("name", "{" + LONG + "}", "name must be at most 256 characters, not 10000")
        ),
        "name with a control character": case(
            key("'CI\\tdeployer'"),
            check(
                "name", "{CI\tdeployer}", "name must not contain control characters such as newlines or tabs"
            ),
        ),
        "rotate_after_seconds 0": setting(
            "rotate_after_seconds", "0", "{0}", "{} must be from 1 to 3153600000 seconds, not 0"
        ),
        "rotate_after_seconds 1.5": setting(
            "rotate_after_seconds", "1.5", "{1.5}", "{} must be a whole number of seconds, not 1.5"
        ),
        'renew_before_seconds "60"': setting(
            "renew_before_seconds", "'60'", "{60}", "{} must be a whole number of seconds, not a string"
        ),
        "renew_before_seconds of two centuries": setting(
            "renew_before_seconds",
            "200 * 365 * 86400",
            "{6.3072e+09}",
            "{} must be from 1 to 3153600000 seconds, not 6307200000",
        ),
        "rotation_triggers a list": setting(
            "rotation_triggers",
            "['v42']",
            "{[{v42}]}",
            "{} must be a map of strings to strings, e.g. {{'deployment': 'v42'}}, not a list",
        ),
        "rotation_triggers with a number": setting(
            "rotation_triggers",
            "{'deployment': 42}",
            "{map[deployment:{42}]}",
            "{}['deployment'] must be a string, not a number: convert it, e.g. str(...)",
        ),
        "import id empty": import_failure(
            "", f"the id to import must not be empty; expected an id such as {subject.import_example!r}"
        ),
        "import id with /": import_failure("key_abc/../../users", ids_must("'key_abc/../../users'")),
        "import id ..": import_failure("..", ids_must("'..'")),
        "import id with ?": import_failure("key_abc?limit=1", ids_must("'key_abc?limit=1'")),
        "import id with #": import_failure("key_abc#x", ids_must("'key_abc#x'")),
        "credential missing": case(
            key("'n'"),
            f"pulumi_apikeys.errors.ConfigurationError: No {credential.what} is configured: set it in the "
            f"stack with `pulumi config set --secret {credential.config_key} <value>` or in the environment "
            f"as {credential.env_var}.",
            config={credential.config_key: None},
        ),
        "credential wrong": case(
            key("'n'"),
            f"pulumi_apikeys.errors.AuthenticationError: {subject.create_call} failed with HTTP 401: "
            f"{subject.refused_credential_message} The credential was refused: check the {credential.what} "
            f"in the stack config {credential.config_key}. (request id req_…)",
            config={credential.config_key: "not-the-right-one"},
        ),
        "base URL plain http to a remote host": case(
            key("'n'"),
            f"pulumi_apikeys.errors.ConfigurationError: The {backend.title} base URL "
            "'http://api.example.com/v1' uses plain http to a host that is not loopback: the credential "
            "would cross the network in cleartext. Use https:// (http:// is allowed only for 127.0.0.1, ::1 "
            "and localhost).",
            config={backend.base_url.config_key: "http://api.example.com/v1"},
        ),
        "answer not JSON": unreadable_create(
            subject,
            "not_json",
            "the response is not the documented shape: "
            "(body): Invalid JSON: EOF while parsing a string at line 1 column 51",
        ),
        "answer an HTML 502 page": case(
            key("'n'"),
            f"pulumi_apikeys.errors.ServerError: {subject.create_call} failed with HTTP 502: Bad Gateway "
            "(the body, 155 bytes of text/html, is not the API's error format); gave up after 2 attempt(s), "
            "and no key was left behind (0 key(s) made by the lost attempts were deleted) (request id req_…)",
            faults=FaultPlan(rates={"bad_gateway": 1.0}, methods=["POST"]),
        ),
        "answer far larger than any real one": unreadable_create(
            subject, "huge_body", "the response body is larger than 8388608 bytes; refusing to read it"
        ),
    }
    # A setting the resource does not have (a service account has no renew_before_seconds) has no row.
    rows = {
        row: row_case
        for row, row_case in rows.items()
        if not any(row.startswith(p.name) and p.name not in subject.resource.inputs for p in _SETTINGS)
    }
    if subject.face == "plugin":
        # The plugin has no adopt_id input: the engine imports natively, by a Read of the id. A list
        # where the schema says a map never reaches it: the Pulumi SDK refuses it while serializing.
        rows = {
            row: row_case
            for row, row_case in rows.items()
            if not row.startswith("import id") and row != "rotation_triggers a list"
        }
    return {f"{subject.id} {row}": row_case for row, row_case in rows.items()}


LONG = "k" * 10_000
_SETTINGS = rotation_inputs()

CASES: dict[str, Case] = {
    "expires_in_seconds 0": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=0)',
        check_failure(
            "expires_in_seconds", "{0}", "expires_in_seconds must be from 1 to 31536000 seconds, not 0"
        ),
    ),
    "expires_in_seconds -1": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=-1)',
        check_failure(
            "expires_in_seconds", "{-1}", "expires_in_seconds must be from 1 to 31536000 seconds, not -1"
        ),
    ),
    "expires_in_seconds 31536001": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=31536001)',
        check_failure(
            "expires_in_seconds",
            "{3.1536001e+07}",
            "expires_in_seconds must be from 1 to 31536000 seconds, not 31536001",
        ),
    ),
    'expires_in_seconds "30"': Case(
        'AdminApiKey("k", name="n", expires_in_seconds="30")',
        check_failure(
            "expires_in_seconds", "{30}", "expires_in_seconds must be a whole number of seconds, not a string"
        ),
    ),
    "expires_in_seconds True": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=True)',
        check_failure(
            "expires_in_seconds",
            "{true}",
            "expires_in_seconds must be a whole number of seconds, not a boolean",
        ),
    ),
    "expires_in_seconds 1.5": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=1.5)',
        check_failure(
            "expires_in_seconds", "{1.5}", "expires_in_seconds must be a whole number of seconds, not 1.5"
        ),
    ),
    "renew_before_seconds as long as expires_in_seconds": Case(
        'AdminApiKey("k", name="n", expires_in_seconds=3600, renew_before_seconds=3600)',
        check_failure(
            "renew_before_seconds",
            "{3600}",
            "renew_before_seconds (3600) must be shorter than expires_in_seconds (3600): the key would be "
            "due for renewal as soon as it is created",
        ),
    ),
    "base URL malformed": Case(
        'AdminApiKey("k", name="n")',
        "pulumi_apikeys.errors.ConfigurationError: The OpenAI base URL 'api.openai.com/v1' is not an "
        "absolute http(s) URL (expected e.g. https://host/v1).",
        config={"apikeys:openaiBaseUrl": "api.openai.com/v1"},
    ),
    "answer missing required fields": unreadable_create(
        SUBJECTS["openai", "dynamic"],
        "missing_fields",
        "the response is not the documented shape: object: Field required; id: Field required",
    ),
    "answer with fields of the wrong type": unreadable_create(
        SUBJECTS["openai", "dynamic"],
        "wrong_types",
        "the response is not the documented shape: object: Input should be 'organization.admin_api_key'; "
        "id: Input should be a valid string; name: Input should be a valid string; "
        "redacted_value: Input should be a valid string; created_at: Input should be a valid integer "
        "(and 7 more)",
    ),
    "answer truncated": Case(
        'AdminApiKey("k", name="n")',
        "pulumi_apikeys.errors.ApiConnectionError: openai.admin_api_keys.create failed: no response from "
        "the API (RemoteProtocolError: peer closed connection without sending complete message body "
        "(received 191 bytes, expected 382)); gave up after 2 attempt(s), and no key was left behind "
        "(2 key(s) made by the lost attempts were deleted)",
        faults=FaultPlan(rates={"truncated_body": 1.0}, methods=["POST"]),
    ),
}


def capy_case(declaration: str, message: str, **kwargs: object) -> Case:
    return Case(declaration, message, backend="capy", **kwargs)  # type: ignore[arg-type]


def capy_check(prop: str, value: str, reason: str) -> str:
    return check_failure(prop, value, reason, type_=CAPY)


CAPY_CASES: dict[str, Case] = {
    "capy organization_id missing": capy_case(
        'ApiKey("k", organization_id=None, name="n", scopes=["read"])',
        capy_check("organization_id", "{<nil>}", "organization_id is required: give an id such as 'org_abc'"),
    ),
    "capy organization_id with /": capy_case(
        'ApiKey("k", organization_id="org_1/api-keys/ak_1", name="n", scopes=["read"])',
        capy_check(
            "organization_id",
            "{org_1/api-keys/ak_1}",
            "organization_id must not contain '/', '?', '#' or '..' (it is part of the API's URL path), "
            "not 'org_1/api-keys/ak_1'",
        ),
    ),
    "capy organization_id ..": capy_case(
        'ApiKey("k", organization_id="..", name="n", scopes=["read"])',
        capy_check(
            "organization_id",
            "{..}",
            "organization_id must not contain '/', '?', '#' or '..' (it is part of the API's URL path), "
            "not '..'",
        ),
    ),
    "capy scopes missing": capy_case(
        'ApiKey("k", organization_id="org_1", name="n", scopes=None)',
        capy_check("scopes", "{<nil>}", "scopes is required: give at least one scope, e.g. ['keys:read']"),
    ),
    "capy scopes empty": capy_case(
        'ApiKey("k", organization_id="org_1", name="n", scopes=[])',
        capy_check("scopes", "{[]}", "scopes must not be empty: give at least one scope, e.g. ['keys:read']"),
    ),
    "capy scopes a string": capy_case(
        'ApiKey("k", organization_id="org_1", name="n", scopes="read")',
        capy_check("scopes", "{read}", "scopes must be a list of strings, e.g. ['keys:read'], not a string"),
    ),
    "capy scope not a string": capy_case(
        'ApiKey("k", organization_id="org_1", name="n", scopes=["read", 3])',
        capy_check("scopes", "{[{read} {3}]}", "scopes[1] must be a string, not a number"),
    ),
    "capy base URL missing": capy_case(
        CAPY_KEY,
        "pulumi_apikeys.errors.ConfigurationError: No capy base URL is configured, and there is no public "
        "default: set it in the stack with `pulumi config set apikeys:capyBaseUrl <url>` or in the "
        "environment as CAPY_BASE_URL (the origin the /v1/organizations/... paths hang off).",
        config={"apikeys:capyBaseUrl": None},
    ),
    "capy answer missing required fields": unreadable_create(
        SUBJECTS["capy", "dynamic"],
        "missing_fields",
        "the response is not the documented shape: api_key: Field required",
    ),
    "capy answer with fields of the wrong type": unreadable_create(
        SUBJECTS["capy", "dynamic"],
        "wrong_types",
        "the response is not the documented shape: api_key.id: Input should be a valid string; "
        "api_key.name: Input should be a valid string; api_key.key_prefix: Input should be a valid string; "
        "api_key.scopes.0: Input should be a valid string; api_key.organization_id: Input should be a "
        "valid string (and 4 more)",
    ),
    "capy answer truncated": capy_case(
        CAPY_KEY,
        "pulumi_apikeys.errors.ApiConnectionError: capy.api_keys.create failed: no response from "
        "the API (RemoteProtocolError: peer closed connection without sending complete message body "
        "(received 202 bytes, expected 405)); gave up after 2 attempt(s), and no key was left behind "
        "(2 key(s) made by the lost attempts were deleted)",
        faults=FaultPlan(rates={"truncated_body": 1.0}, methods=["POST"]),
    ),
}


def user_message(error_text: str) -> str:
    """What the user reads as the error: the diagnostic, or a traceback's last line."""
    text = REQUEST_ID.sub("req_…", error_text.strip())
    # A dynamic provider's error is a traceback; a plugin's, one line after "<urn>: <Method> failed:".
    if "Traceback (most recent call last)" in text or re.match(r"urn:pulumi:\S+: \w+ failed:\n", text):
        return text.splitlines()[-1]
    return text


def working_config(backend: str, emulator: RunningEmulator) -> dict[str, object]:
    """A stack config that works, which each case then spoils."""
    # One retry keeps the cases whose every answer is bad quick; the messages say how many ran.
    return {**stack_config(registry.backend(backend), emulator), "apikeys:maxRetries": "1"}


ALL_CASES = {
    **{name: case for subject in every_face() for name, case in shared_cases(subject).items()},
    **CASES,
    **CAPY_CASES,
}


@pytest.mark.parametrize("case", list(ALL_CASES.values()), ids=list(ALL_CASES))
def test_bad_input_shows_its_exact_message_and_creates_nothing(
    tmp_path: Path, emulator: RunningEmulator, case: Case
):
    config = working_config(case.backend, emulator)
    for key, value in case.config.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = (
                Secret(value) if key == registry.backend(case.backend).credential.config_key else value
            )
    subject = BY_ID[case.subject] if case.subject is not None else SUBJECTS[(case.backend, case.face)]
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config=config,
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=subject.plugins,
    )
    if case.faults is not None:
        emulator.control.set_faults(case.faults)

    result = stack.up(subject.program(case.declaration + "\n"))

    emulator.control.clear_faults()
    assert not result.ok
    assert user_message(result.error_text) == case.message
    assert stack.state().managed == []
    assert subject.live_keys(emulator) == {}


@pytest.mark.parametrize("backend", ["openai", "capy", "openai_projects"])
def test_each_built_in_resource_has_at_least_twenty_cases(backend: str):
    assert sum(1 for case in ALL_CASES.values() if case.backend == backend and case.face == "dynamic") >= 20
