"""The generated SDK of the provider plugin (``sdk/python``): what it is, and what it sends the engine."""
