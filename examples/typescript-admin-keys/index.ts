// Three OpenAI organization Admin API keys, declared in TypeScript with the pulumi-apikeys provider
// plugin (its SDK generated into sdks/apikeys by `pulumi install` or `pulumi package add`).
import * as pulumi from "@pulumi/pulumi";
import * as apikeys from "@pulumi-apikeys/apikeys";

const config = new pulumi.Config();
// The provider's own settings live in the stack's `apikeys:` namespace:
//   pulumi config set --secret apikeys:openaiAdminKey      (the sk-admin-... key)
//   pulumi config set apikeys:openaiBaseUrl <url>          (optional: the real API by default)
const apikeysConfig = new pulumi.Config("apikeys");

// An explicit provider: the admin key is handed over as an argument (kept secret) instead of being
// read from the stack config by the default provider. With one provider per admin key, one program
// manages the keys of several organizations.
const organization = new apikeys.Provider("organization", {
    openaiAdminKey: apikeysConfig.requireSecret("openaiAdminKey"),
    openaiBaseUrl: apikeysConfig.get("openaiBaseUrl"),
});

// A key for CI that lapses after 90 days. A new name (or lifetime) means a new key: the API cannot
// change a key, so it is replaced (the new one created first, then the old one deleted).
const deployer = new apikeys.openai.AdminApiKey(
    "deployer",
    {
        name: config.get("deployerName") ?? "Release deployer",
        expiresInSeconds: 90 * 86400,
    },
    { provider: organization },
);

// A key that never expires.
const reports = new apikeys.openai.AdminApiKey(
    "reports",
    { name: "Usage reports" },
    { provider: organization },
);

// A short-lived key; on a replacement the old one goes first.
const auditor = new apikeys.openai.AdminApiKey(
    "auditor",
    { name: "Quarterly audit", expiresInSeconds: 30 * 86400 },
    { provider: organization, deleteBeforeReplace: true },
);

// Every key of the organization named like the deployer key (records without values), through the
// same provider. It waits for the deployer key, whose name it takes.
const deployerKeys = apikeys.openai.getAdminApiKeysOutput({ name: deployer.name }, { provider: organization });

export const deployerId = deployer.id;
export const deployerRedactedValue = deployer.redactedValue;
export const deployerExpiresAt = deployer.expiresAt;
// The values are secrets already (the schema marks `value` secret); pulumi.secret says so here too.
// `pulumi stack output` shows [secret] unless asked with --show-secrets.
export const deployerKey = pulumi.secret(deployer.value);
export const reportsId = reports.id;
export const reportsKey = pulumi.secret(reports.value);
export const auditorId = auditor.id;
export const keysNamedLikeDeployer = deployerKeys.apply((found) => found.keys.length);
