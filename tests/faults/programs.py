"""Programs the fault suite deploys."""

from __future__ import annotations

__all__ = ["many_keys"]


def many_keys(count: int, *, prefix: str = "fault-suite") -> str:
    """A program declaring ``count`` Admin API keys ``k000``... named ``<prefix> 000``..."""
    return (
        "from pulumi_apikeys.openai import AdminApiKey\n"
        f"for i in range({count}):\n"
        f"    AdminApiKey(f'k{{i:03}}', name=f'{prefix} {{i:03}}')\n"
    )
