"""Two capy organization API keys, declared as code.

Credentials come from stack config, else the environment:
``apikeys:capyApiKey`` (set it with ``pulumi config set --secret``) or ``CAPY_API_KEY``, and
``apikeys:capyBaseUrl`` or ``CAPY_BASE_URL`` (required: there is no public default).
"""

import pulumi

from pulumi_apikeys.capy import ApiKey

config = pulumi.Config()
organization_id = config.get("organizationId") or "org_demo"

# A key for CI. Scopes are a set: their order does not matter, and adding or removing one means a new
# key (created first; the old one is revoked once the new one exists).
deployer = ApiKey(
    "deployer",
    organization_id=organization_id,
    name="CI deployer",
    scopes=config.get_object("deployerScopes") or ["keys:read", "deploy"],
)

# A read-only key for dashboards.
dashboards = ApiKey(
    "dashboards",
    organization_id=organization_id,
    name="Dashboards",
    scopes=["keys:read"],
)

pulumi.export("organization_id", organization_id)
pulumi.export("deployer_id", deployer.id)
pulumi.export("deployer_key_prefix", deployer.key_prefix)
pulumi.export("deployer_scopes", deployer.scopes)
# The values are secrets: `pulumi stack output` shows [secret] unless asked with --show-secrets.
pulumi.export("deployer_key", deployer.value)

pulumi.export("dashboards_id", dashboards.id)
pulumi.export("dashboards_key_prefix", dashboards.key_prefix)
pulumi.export("dashboards_key", dashboards.value)
