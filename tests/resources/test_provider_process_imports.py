"""What a dynamic provider process imports to answer a Check and a Diff: none of the libraries only
an API call needs (pydantic, httpx, tenacity), for every built-in key resource and rotating pair.

The first Check of a ``pulumi up`` waits for the SDK's server to unpickle ``__provider``, which
imports the resource's provider module; a preview makes no API call at all. So the models and the
client are imported when the client is first made. The provider is serialized by the SDK's own
``serialize_provider`` and loaded the way ``python -m pulumi.dynamic`` loads it (``dill.loads``,
then ``configure``), in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from tests.rotation.pair_helpers import builtin_subjects, every_pair

API_CALL_LIBRARIES = ("pydantic", "httpx", "tenacity")

_PROCESS = """
import base64, json, sys
import dill, pulumi, pulumi.dynamic
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

serialized, news = json.loads(sys.stdin.read())
before = [m for m in {libraries!r} if m in sys.modules]
provider = dill.loads(base64.b64decode(serialized))
provider.configure(ConfigureRequest(config=Config(raw_config={{}}, project_name="p")))
checked = provider.check({{}}, news)
provider.diff("id", checked.inputs, checked.inputs)  # what it answers depends on the state
print(json.dumps({{
    "before": before,
    "loaded": [m for m in {libraries!r} if m in sys.modules],
    "failures": [f.reason for f in checked.failures or []],
}}))
"""


def _provider_class(import_line: str, class_name: str) -> Any:
    scope: dict[str, Any] = {}
    exec(import_line, scope)  # the program's own import line, as a test program has it
    return scope[class_name].provider_class


def _subjects() -> list[Any]:
    keys = [
        pytest.param(s.import_line, s.class_name, {"name": "ci", **s.other_inputs}, id=s.id)
        for s in builtin_subjects("dynamic")
    ]
    pairs = [
        pytest.param(
            p.import_line,
            p.class_name,
            {"name": "ci", "rotate_after_seconds": 3600, **p.key.other_inputs},
            id=p.id,
        )
        for p in every_pair()
        if p.face == "dynamic"
    ]
    return keys + pairs


@pytest.mark.parametrize(("import_line", "class_name", "news"), _subjects())
def test_a_check_and_a_diff_in_the_provider_process_import_no_api_call_library(
    import_line: str, class_name: str, news: dict[str, Any]
):
    serialized = serialize_provider(_provider_class(import_line, class_name)())

    done = subprocess.run(
        [sys.executable, "-c", _PROCESS.format(libraries=API_CALL_LIBRARIES)],
        input=json.dumps([serialized, news]),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["before"] == []  # `import pulumi` alone loads none: the package is what is measured
    assert answer["failures"] == []  # a real Check ran: the inputs were valid
    assert answer["loaded"] == []
