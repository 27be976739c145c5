"""OpenAI project service accounts and their project API keys: the keys applications run on.

``declaration`` declares ``ProjectServiceAccount`` and ``ProjectApiKey`` (their rotating pair,
``RotatingProjectApiKey``, comes from the core); ``client`` makes the REST calls; ``resource`` and
``provider`` are the dynamic face, exported from ``pulumi_apikeys.openai``; ``models`` are the API's
objects, shared with the emulator service (``emulator_service``, ``emulator_store``,
``emulator_api``). ``docs/openai-projects-api.md`` describes the endpoints relied on.
"""
