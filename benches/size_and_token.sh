#!/usr/bin/env bash
# The release binary's stripped size; `tokendeck token NAME` on a fresh token in the Secret Service
# side by side with `secret-tool lookup` of the same record (benches/token_vs_secret_tool.sh, when a
# session bus is there, as under tests/run); and, when PIZAUTH names a pizauth binary, `token` from
# the keyring and through the agent (a daemon running) side by side with `pizauth show`
# (benches/token_vs_pizauth.sh), on the kernel keyring and, with a session bus, on the Secret
# Service. pizauth is not
# on crates.io: build it from its public repository (ltratt/pizauth, tag pizauth-1.1.0) with
# `cargo build --release`, and pass PIZAUTH=/path/to/target/release/pizauth.
#
# Run: `tests/run bench token` (or this script directly).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
binary=target/release/tokendeck
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
cp "$binary" "$stripped"
strip "$stripped" 2>/dev/null || true
stat -c %s "$stripped" | awk '{ printf "tokendeck release binary, stripped: %d bytes (%.2f MB)\n", $1, $1 / 1e6 }'
if command -v secret-tool >/dev/null && [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]]; then
    echo "tokendeck token vs secret-tool lookup (Secret Service):"
    TOKENDECK=$binary benches/token_vs_secret_tool.sh
fi
if [[ -n "${PIZAUTH:-}" ]]; then
    printf 'pizauth release binary, stripped: '
    cp "$PIZAUTH" "$stripped" && strip "$stripped" 2>/dev/null || true
    printf '%s bytes\n' "$(stat -c %s "$stripped")"
    # The agent under load once (it answers from memory: the keyring is not in its way).
    cargo build --release --locked --example agent_load
    TOKENDECK=$binary TOKENDECK_KEYRING=keyutils LOAD=target/release/examples/agent_load \
        benches/token_vs_pizauth.sh
    if [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]]; then
        TOKENDECK=$binary TOKENDECK_KEYRING=secret-service benches/token_vs_pizauth.sh
    fi
    exit
fi
echo "(set PIZAUTH=/path/to/pizauth for the side-by-side token timing)"
