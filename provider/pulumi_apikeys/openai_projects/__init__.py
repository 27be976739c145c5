"""OpenAI project service accounts and their project API keys: the keys applications run on.

The folder holds the models of the project objects (``models``) and the emulator service that serves
them (``emulator_service``, ``emulator_store``, ``emulator_api``); the endpoints it relies on are
described in ``docs/openai-projects-api.md``.
"""
