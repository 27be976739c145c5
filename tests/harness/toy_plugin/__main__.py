"""The toy plugin's entry point: ``python <dir> [--logtostderr] [-v=N] [--tracing X] ENGINE_ADDRESS``."""

import sys

from tests.harness.toy_plugin.server import main

main(sys.argv[1:])
