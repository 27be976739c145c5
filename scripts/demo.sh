#!/usr/bin/env bash
# The demo behind `make demo-cli`: the emulator on loopback, then the client through the command line.
# It needs no Pulumi CLI; `make demo` runs the Pulumi program itself (pulumi-apikeys demo).
# Nothing leaves this machine; the emulator stops when the script ends, however it ends.
set -euo pipefail

work=$(mktemp -d)
cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

pulumi-apikeys emulator --port 0 --admin-key sk-admin-local --capy-api-key capy_live_local \
  >"$work/emulator.out" &
emulator_pid=$!
# One base URL a line, once serving: OpenAI's first, then capy's.
for _ in $(seq 100); do
  [[ $(wc -l <"$work/emulator.out") -ge 2 ]] && break
  sleep 0.1
done
base_url=$(sed -n 1p "$work/emulator.out")
capy_base_url=$(sed -n 2p "$work/emulator.out")
[[ "$base_url" == http*/v1 && "$capy_base_url" == http* ]] || { echo "the emulator did not start" >&2; exit 1; }
echo "emulator ready at $base_url (capy at $capy_base_url)"

export OPENAI_BASE_URL="$base_url" OPENAI_ADMIN_KEY=sk-admin-local
export CAPY_BASE_URL="$capy_base_url" CAPY_API_KEY=capy_live_local
run() { printf '\n$'; printf ' %q' "$@"; printf '\n'; "$@"; }

run pulumi-apikeys openai create --name "CI deployer" --expires-in-seconds 7776000 \
  --value-file "$work/ci-deployer.key"
run pulumi-apikeys openai create --name "Nightly reports" --value-file "$work/nightly.key"
echo "(the values were written to files readable only by you: $(stat -c '%A' "$work/ci-deployer.key"))"
run pulumi-apikeys openai list
deployer=$(pulumi-apikeys openai list --name "CI deployer" --ids)
run pulumi-apikeys openai get "$deployer"
echo "(to bring keys made elsewhere under Pulumi: the file \`pulumi import --file\` reads, or Python with import_)"
run pulumi-apikeys openai import-file --output "$work/openai-import.json"
run cat "$work/openai-import.json"
run pulumi-apikeys openai import-code --name "Nightly*"
run pulumi-apikeys openai delete "$deployer"
run pulumi-apikeys openai list

# capy's keys live in an organization; a revoked key stays listed, and cannot be imported.
echo
echo "(capy: keys live in an organization; these three are made with the Python client, one then revoked)"
capy_create() { python -c '
import sys
from pulumi_apikeys.capy.client import CapyApiKeysClient
key = CapyApiKeysClient().create(organization_id="org_demo", name=sys.argv[1], scopes=sys.argv[2:]).api_key
print(key.id)' "$@"; }
capy_create "CI deployer" keys:read deploy >/dev/null
capy_create "Nightly reports" keys:read >/dev/null
retired=$(capy_create "Retired" keys:read)
run pulumi-apikeys capy delete --organization org_demo "$retired"
run pulumi-apikeys capy list --organization org_demo
run pulumi-apikeys capy import-file --organization org_demo --output "$work/capy-import.json"
run cat "$work/capy-import.json"
run pulumi-apikeys capy import-code --organization org_demo --name "CI *"
