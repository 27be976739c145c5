"""An application's keys in an OpenAI project: a service account of its own, and a pair of its
API keys that rotates without breaking the application.

Credentials come from stack config, else the environment: ``apikeys:openaiAdminKey`` or
``OPENAI_ADMIN_KEY`` (an organization admin key), and ``apikeys:openaiBaseUrl`` or
``OPENAI_BASE_URL`` (default the real API). The project is the config ``projectId``.
"""

import pulumi

from pulumi_apikeys.openai import ProjectApiKey, ProjectServiceAccount, RotatingProjectApiKey

config = pulumi.Config()
project = config.require("projectId")
DAY = config.get_int("secondsPerDay") or 86400

# The application's own identity in the project. Its initial key is the account's; it is not
# handed out here (it is replaced only with the account), so the application gets the pair below.
app = ProjectServiceAccount("billing-api", project_id=project, name="billing-api")

# The key the application runs on: every 30 days a new key becomes current and the old one stays
# valid for one more period as previous, so a process still holding it keeps working until it
# reloads. Scopes and lifetime can change later without a new key (ProjectApiKey updates in place).
runtime = RotatingProjectApiKey(
    "billing-api-runtime",
    project_id=project,
    service_account_id=app.id,
    name="billing-api runtime",
    rotate_after_seconds=30 * DAY,
    expires_in_seconds=90 * DAY,
)

# A read-only key for the application's dashboard, narrowed to reading models.
dashboard = ProjectApiKey(
    "billing-api-dashboard",
    project_id=project,
    service_account_id=app.id,
    name="billing-api dashboard",
    scopes=["api.model.read"],
)

pulumi.export("service_account_id", app.id)
# Secrets: `pulumi stack output` shows [secret] unless asked with --show-secrets.
pulumi.export("runtime_key", runtime.current_value)
pulumi.export("runtime_previous_key", runtime.previous_value)
pulumi.export("runtime_next_rotation_at", runtime.next_rotation_at)
pulumi.export("dashboard_key", dashboard.value)
