"""Programs the fault suite deploys."""

from __future__ import annotations

__all__ = ["many_capy_keys", "many_keys"]


def many_keys(count: int, *, prefix: str = "fault-suite") -> str:
    """A program declaring ``count`` Admin API keys ``k000``... named ``<prefix> 000``..."""
    return (
        "from pulumi_apikeys.openai import AdminApiKey\n"
        f"for i in range({count}):\n"
        f"    AdminApiKey(f'k{{i:03}}', name=f'{prefix} {{i:03}}')\n"
    )


def many_capy_keys(count: int, *, organization_id: str = "org_faults", prefix: str = "fault-suite") -> str:
    """A program declaring ``count`` capy API keys ``k000``... in one organization."""
    return (
        "from pulumi_apikeys.capy import ApiKey\n"
        f"for i in range({count}):\n"
        f"    ApiKey(f'k{{i:03}}', organization_id={organization_id!r}, name=f'{prefix} {{i:03}}', "
        "scopes=['read'])\n"
    )
