"""``python -m pulumi_apikeys.sdkgen [--check] [OUT]``: write the Python SDK (by default ``sdk/python``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pulumi_apikeys.schema import package_schema
from pulumi_apikeys.sdkgen.python import python_sdk_files, stale_files, write_python_sdk


def main(argv: list[str] | None = None) -> int:
    """Writes the SDK (or, with ``--check``, says which files differ from what it would write)."""
    parser = argparse.ArgumentParser(prog="python -m pulumi_apikeys.sdkgen", description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=Path("sdk/python"), help="default: sdk/python")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the SDK is stale")
    args = parser.parse_args(argv)
    out: Path = args.out
    if not args.check:
        write_python_sdk(out)
        return 0
    stale = stale_files(out, python_sdk_files(package_schema()))
    for path in stale:
        print(f"stale: {out / path}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
