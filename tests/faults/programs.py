"""Programs the fault suite deploys: many keys of one resource."""

from __future__ import annotations

from tests.backends import ResourceUnderTest

__all__ = ["many_keys"]


def many_keys(subject: ResourceUnderTest, count: int, *, prefix: str = "fault-suite") -> str:
    """A program declaring ``count`` keys ``k000``... named ``<prefix> 000``..."""
    lines = [subject.key(f"k{i:03}", f"{prefix} {i:03}") for i in range(count)]
    return subject.program("\n".join(lines) + "\n")
