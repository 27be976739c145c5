"""Two OpenAI organization Admin API keys, declared as code.

Credentials come from stack config, else the environment:
``apikeys:openaiAdminKey`` (set it with ``pulumi config set --secret``) or ``OPENAI_ADMIN_KEY``, and
``apikeys:openaiBaseUrl`` or ``OPENAI_BASE_URL`` (default: the real API).
"""

import pulumi

from pulumi_apikeys.openai import AdminApiKey

config = pulumi.Config()

# A key for CI that lapses after 90 days. The name comes from config so it can change without an
# edit; a new name means a new key (the old one is deleted once the new one exists).
deployer = AdminApiKey(
    "deployer",
    name=config.get("deployerName") or "CI deployer",
    expires_in_seconds=90 * 86400,
)

# A key that never expires.
reports = AdminApiKey("reports", name="Nightly reports")

pulumi.export("deployer_id", deployer.id)
pulumi.export("deployer_redacted_value", deployer.redacted_value)
pulumi.export("deployer_expires_at", deployer.expires_at)
# The values are secrets: `pulumi stack output` shows [secret] unless asked with --show-secrets.
pulumi.export("deployer_key", deployer.value)

pulumi.export("reports_id", reports.id)
pulumi.export("reports_redacted_value", reports.redacted_value)
pulumi.export("reports_key", reports.value)
