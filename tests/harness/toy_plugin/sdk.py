"""The program's side of the toy plugin, as a generated SDK would give it: resources, a provider, a function.

Every registration carries the package's ``version`` (generated SDKs set ``ResourceOptions.version``), which
the engine turns into the default provider's name (``default_0_1_0``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pulumi

from tests.harness.toy_plugin import PACKAGE, VERSION

__all__ = ["Provider", "Widget", "describe", "toy_plugin_program"]

WIDGET = f"{PACKAGE}:index:Widget"


def _versioned(opts: pulumi.ResourceOptions | None, version: str) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(version=version), opts)


class Widget(pulumi.CustomResource):
    """A ``toy:index:Widget``."""

    label: pulumi.Output[str]
    shape: pulumi.Output[str]
    size: pulumi.Output[float]
    note: pulumi.Output[str | None]
    serial: pulumi.Output[str]
    greeting: pulumi.Output[str | None]
    providerName: pulumi.Output[str]  # the property's wire name

    def __init__(
        self,
        resource_name: str,
        *,
        label: pulumi.Input[str],
        shape: pulumi.Input[str] = "square",
        size: pulumi.Input[float] = 1.0,
        note: pulumi.Input[str] | None = None,
        log_message: str | None = None,
        partial_failure: str | None = None,
        fail_update: str | None = None,
        version: str = VERSION,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "label": label,
            "shape": shape,
            "size": size,
            "note": note,
            "logMessage": log_message,
            "partialFailure": partial_failure,
            "failUpdate": fail_update,
            # Outputs are attributes only if seeded in the props.
            "serial": None,
            "greeting": None,
            "providerName": None,
        }
        super().__init__(WIDGET, resource_name, props, _versioned(opts, version))


class Provider(pulumi.ProviderResource):
    """An explicit ``pulumi:providers:toy``; its arguments are the plugin's config."""

    def __init__(
        self,
        resource_name: str,
        *,
        store: str | None = None,
        greeting: pulumi.Input[str] | None = None,
        supports_preview: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"store": store, "greeting": greeting, "supportsPreview": supports_preview}
        super().__init__(PACKAGE, resource_name, props, _versioned(opts, VERSION))


def describe(subject: str, *, fail: str | None = None, opts: pulumi.InvokeOptions | None = None) -> Any:
    """``toy:index:describe``: the subject, the provider's greeting and name (``fail``: a check failure)."""
    args = {"subject": subject, "fail": fail}
    invoke_opts = pulumi.InvokeOptions.merge(pulumi.InvokeOptions(version=VERSION), opts)
    return pulumi.runtime.invoke(f"{PACKAGE}:index:describe", args, invoke_opts).value


def toy_plugin_program(body: str, *, store: Path | None = None) -> str:
    """A program's source: the toy SDK imported, ``STORE`` bound to ``store``, then ``body``."""
    header = (
        "import pulumi\n"
        "from tests.harness.toy_plugin.sdk import Provider, Widget, describe\n"
        f"STORE = {str(store) if store else ''!r}\n"
    )
    return header + textwrap.dedent(body)
