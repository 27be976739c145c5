"""API keys that rotate on a schedule, declared as code.

Nothing here runs on its own clock: a key is replaced, or a pair rotated, by the first ``pulumi up``
(or preview) after it is due. Run ``pulumi up --refresh`` on a schedule (``rotate.github-workflow.yml``
is a GitHub Actions example) more often than the shortest period below.

Credentials come from stack config, else the environment: ``apikeys:openaiAdminKey`` or
``OPENAI_ADMIN_KEY`` (and ``apikeys:openaiBaseUrl`` or ``OPENAI_BASE_URL``, default the real API);
``apikeys:capyApiKey`` or ``CAPY_API_KEY``, and ``apikeys:capyBaseUrl`` or ``CAPY_BASE_URL``
(required: there is no public default).
"""

import pulumi

from pulumi_apikeys.capy import RotatingApiKey
from pulumi_apikeys.openai import AdminApiKey, RotatingAdminApiKey

config = pulumi.Config()

# The length of a "day" in seconds: 86400. To watch rotations happen, shorten it
# (`pulumi config set secondsPerDay 2`: the 30-day periods below become one minute).
DAY = config.get_int("secondsPerDay") or 86400

# One key replaced by age and by expiry. It lives 90 days and is replaced once it is 30 days old,
# or 14 days before it expires, whichever comes first (here the age; the expiry rule is the safety
# net should rotate_after_seconds be raised or dropped). A replacement creates the new key first and
# deletes the old one at the end of the same `up`: what this program feeds the value to gets the new
# one in that `up`; anything outside it that still holds the old value stops working then.
deployer = AdminApiKey(
    "deployer",
    name="CI deployer",
    expires_in_seconds=90 * DAY,
    rotate_after_seconds=30 * DAY,
    renew_before_seconds=14 * DAY,
)

# One key replaced on demand: any change of its triggers replaces it at once
# (`pulumi config set deployment v2 && pulumi up`).
release = AdminApiKey(
    "release",
    name="Release bot",
    rotation_triggers={"deployment": config.get("deployment") or "v1"},
)

# Two keys kept alive by one resource, for consumers outside this program. Every 30 days the
# pair deletes its previous key, creates a new one, makes it current and keeps the old current as
# previous: the current key always works, and a consumer still holding the previous value keeps
# working for one more period. Each key lives 90 days: at least the two periods it serves.
# A change of `manualRotation` (`pulumi config set manualRotation 2`) rotates both pairs now, the
# same way; after a leak, change it twice (two `up`s) to retire the leaked key.
manual_rotation = {"manual": config.get("manualRotation") or "1"}
service = RotatingAdminApiKey(
    "service",
    name="Backend service",
    rotate_after_seconds=30 * DAY,
    expires_in_seconds=90 * DAY,
    rotation_triggers=manual_rotation,
)

# The same for a capy organization's key.
ingest = RotatingApiKey(
    "ingest",
    organization_id=config.get("organizationId") or "org_demo",
    name="Ingest",
    scopes=["deploy"],
    rotate_after_seconds=30 * DAY,
    rotation_triggers=manual_rotation,
)

# The values are secrets: `pulumi stack output` shows [secret] unless asked with --show-secrets.
pulumi.export("deployer_id", deployer.id)
pulumi.export("deployer_expires_at", deployer.expires_at)
pulumi.export("deployer_key", deployer.value)

pulumi.export("release_id", release.id)
pulumi.export("release_key", release.value)

# Hand out current_value (read it again on every deploy or restart); previous_value is the key it
# replaced, valid until the next rotation (absent before the first); next_rotation_at is when the
# first `up` after it rotates (Unix seconds).
pulumi.export("service_current_id", service.current_id)
pulumi.export("service_current_value", service.current_value)
pulumi.export("service_previous_id", service.previous_id)
pulumi.export("service_previous_value", service.previous_value)
pulumi.export("service_next_rotation_at", service.next_rotation_at)

pulumi.export("ingest_current_id", ingest.current_id)
pulumi.export("ingest_current_value", ingest.current_value)
pulumi.export("ingest_previous_id", ingest.previous_id)
pulumi.export("ingest_previous_value", ingest.previous_value)
pulumi.export("ingest_next_rotation_at", ingest.next_rotation_at)
