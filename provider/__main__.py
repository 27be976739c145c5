"""The plugin as Pulumi's Python language host runs it: ``python <this folder> ENGINE_ADDRESS``.

Running a folder puts it first on ``sys.path``, so ``pulumi_apikeys`` is imported from right here;
the plugin's ``venv`` needs only the packages in ``requirements.txt``.
"""

from pulumi_apikeys.plugin.server import main

main()
