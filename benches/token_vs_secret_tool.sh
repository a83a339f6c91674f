#!/usr/bin/env bash
# `tokendeck token NAME` on a fresh token kept in the Secret Service vs a bare
# `secret-tool lookup` of the same record, side by side in one hyperfine run: what tokendeck adds to
# the keyring read itself. Needs a running, unlocked Secret Service (tests/run starts one), node,
# curl, hyperfine and secret-tool (libsecret-tools).
#
# Usage: TOKENDECK=/path/to/tokendeck [PROVIDER_DIR=…/tests/provider] [RUNS=300] [ROUNDS=3] \
#          token_vs_secret_tool.sh
# Prints each round's medians and ratio, and last the median of the rounds' ratios (`ratio X.XX`).
set -euo pipefail

: "${TOKENDECK:?set TOKENDECK to the tokendeck binary}"
TOKENDECK=$(realpath "$TOKENDECK")
PROVIDER_DIR=${PROVIDER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/provider}
RUNS=${RUNS:-300}
ROUNDS=${ROUNDS:-3}
ACCOUNT=fresh
for tool in node curl hyperfine secret-tool awk; do
    command -v "$tool" >/dev/null || { echo "token_vs_secret_tool: $tool is needed" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/token-vs-secret-tool.XXXXXX")
chmod 700 "$WORK"
HOME_DIR=$WORK/td
export TOKENDECK_KEYRING=secret-service
NODE_PID='' ADDED=''
cleanup() {
    set +e
    [ -n "$ADDED" ] && "$TOKENDECK" --home "$HOME_DIR" remove "$ACCOUNT" --keep-grant >/dev/null 2>&1
    if [ -n "$NODE_PID" ]; then exec 3>&-; kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "token_vs_secret_tool: $*" >&2; exit 1; }

mkfifo "$WORK/provider.stdin"
node "$PROVIDER_DIR/server.mjs" <"$WORK/provider.stdin" >"$WORK/provider.out" 2>/dev/null &
NODE_PID=$!
exec 3>"$WORK/provider.stdin"
for _ in $(seq 150); do grep -q '^listening ' "$WORK/provider.out" && break; sleep 0.1; done
ISSUER=$(sed -n 's/^listening //p' "$WORK/provider.out")
[ -n "$ISSUER" ] || die "the provider did not start"

printf '%s\n' basic-secret-value | "$TOKENDECK" --home "$HOME_DIR" add "$ACCOUNT" \
    --authorize-url "$ISSUER/auth" --token-url "$ISSUER/token" --client-id basic-client \
    --client-secret-stdin --redirect-uri http://127.0.0.1:0/callback \
    --scope openid --scope offline_access >/dev/null 2>&1 || die "add failed"
ADDED=1
"$TOKENDECK" --home "$HOME_DIR" link "$ACCOUNT" --no-browser --no-qr </dev/null >"$WORK/url" 2>/dev/null &
link_pid=$!
for _ in $(seq 100); do [ -s "$WORK/url" ] && break; sleep 0.1; done
url=$(head -n1 "$WORK/url") jar=$WORK/jar
for _ in $(seq 20); do
    url=$(curl -sS -o /dev/null -b "$jar" -c "$jar" -w '%{redirect_url}' "$url")
    case "$url" in "$ISSUER"/*) ;; *) break ;; esac
done
curl -sS -o /dev/null "$url"
wait "$link_pid" || die "link failed"

# The record's attributes, as the Secret Service holds them.
service=$(secret-tool search --all username "$ACCOUNT" 2>&1 | sed -n 's/^attribute.service = //p' | head -n1)
[ -n "$service" ] || die "no Secret Service item for $ACCOUNT"
secret-tool lookup service "$service" username "$ACCOUNT" >/dev/null || die "secret-tool cannot read it"

for round in $(seq "$ROUNDS"); do
    hyperfine -N --warmup 20 --runs "$RUNS" --export-csv "$WORK/times.$round.csv" \
        --command-name "tokendeck token" "$TOKENDECK --home $HOME_DIR token $ACCOUNT" \
        --command-name "secret-tool lookup" "secret-tool lookup service $service username $ACCOUNT" \
        >/dev/null 2>"$WORK/hyperfine.err" || { cat "$WORK/hyperfine.err" >&2; die "hyperfine failed"; }
    awk -F, -v round="$round" 'NR == 2 { td = $4 } NR == 3 { st = $4 }
        END { printf "round %d: median tokendeck token %.3f ms, secret-tool lookup %.3f ms; ratio %.3f\n",
              round, td * 1000, st * 1000, td / st }' "$WORK/times.$round.csv"
done | tee "$WORK/rounds"
sed 's/.*ratio //' "$WORK/rounds" | sort -n | awk '{ r[NR] = $1 } END { printf "ratio %.2f\n", r[int((NR + 1) / 2)] }'
