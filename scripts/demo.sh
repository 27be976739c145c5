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

pulumi-apikeys emulator --port 0 --admin-key sk-admin-local >"$work/emulator.out" &
emulator_pid=$!
for _ in $(seq 100); do
  [[ -s "$work/emulator.out" ]] && break
  sleep 0.1
done
base_url=$(head -n 1 "$work/emulator.out")
[[ "$base_url" == http*/v1 ]] || { echo "the emulator did not start" >&2; exit 1; }
echo "emulator ready at $base_url"

export OPENAI_BASE_URL="$base_url" OPENAI_ADMIN_KEY=sk-admin-local
run() { printf '\n$'; printf ' %q' "$@"; printf '\n'; "$@"; }

run pulumi-apikeys openai create --name "CI deployer" --expires-in-seconds 7776000 \
  --value-file "$work/ci-deployer.key"
run pulumi-apikeys openai create --name "Nightly reports" --value-file "$work/nightly.key"
echo "(the values were written to files readable only by you: $(stat -c '%A' "$work/ci-deployer.key"))"
run pulumi-apikeys openai list
deployer=$(pulumi-apikeys openai list --name "CI deployer" --ids)
run pulumi-apikeys openai get "$deployer"
run pulumi-apikeys openai delete "$deployer"
run pulumi-apikeys openai list
