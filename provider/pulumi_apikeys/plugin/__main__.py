"""``python -m pulumi_apikeys.plugin [--logtostderr] [-v=N] [--tracing X] ENGINE_ADDRESS``."""

from pulumi_apikeys.plugin.server import main

main()
