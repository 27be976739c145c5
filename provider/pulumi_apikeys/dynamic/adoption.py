"""Import that works for a dynamic resource: ``import_`` becomes an input the provider adopts.

Pulumi's own import of a Python dynamic resource fails: the engine's import Read reaches the
SDK's provider server without the serialized provider and dies with ``KeyError: '__provider'``
(pulumi/pulumi#16175, open). So the resource takes ``import_`` out of the options before Pulumi
sees it and passes the id as the input ``ADOPT_ID``; the provider's ``create`` then fetches the
existing key and records it instead of making a new one.

The input is ignored by ``diff``: once adopted, a program may drop ``import_`` and the next ``up``
changes nothing, as after a real import.
"""

from __future__ import annotations

import pulumi

from pulumi_apikeys.core.declaration import ADOPT_ID

__all__ = ["ADOPT_ID", "options_for_adoption"]


def options_for_adoption(
    opts: pulumi.ResourceOptions | None, *, secret_outputs: list[str]
) -> tuple[pulumi.ResourceOptions, str | None]:
    """The options to register with (no ``import_``, the secret outputs added), and the id to adopt."""
    opts = pulumi.ResourceOptions() if opts is None else opts._copy()
    adopt_id = opts.import_
    opts.import_ = None
    secrets = pulumi.ResourceOptions(additional_secret_outputs=secret_outputs)
    return pulumi.ResourceOptions.merge(opts, secrets), adopt_id
