#!/usr/bin/env bash
# `tokendeck token NAME` on a fresh token, read from the keyring (no daemon) and answered by the
# agent (`tokendeck daemon` running on a second home), against `pizauth show ACCOUNT` (pizauth
# keeps its tokens in its daemon's memory), all linked to the same oidc-provider (tests/provider),
# on the keyring TOKENDECK_KEYRING names (keyutils, the kernel keyring, unless told otherwise;
# `secret-service` needs a running, unlocked one, as under tests/run).
#
# Usage:
#   PIZAUTH=/path/to/pizauth TOKENDECK=/path/to/tokendeck [TOKENDECK_KEYRING=keyutils] \
#     [PROVIDER_DIR=.../tests/provider] [RUNS=20] [ROUNDS=20] [WARMUP=5] token_vs_pizauth.sh
#
# PROVIDER_DIR defaults to ../tests/provider relative to this script (the tokendeck repository);
# `npm ci` is run there if node_modules is missing. Needs: bash, node, npm, curl, hyperfine, awk.
# hyperfine runs one command's runs after the other's, so load that drifts during a run would
# bias a ratio: it runs ROUNDS short rounds of RUNS runs per command, in alternating order
# (forward, then backward), and the medians are over every run of every round (400 by default).
# Prints one line per command: its median, and its ratio to `pizauth show`; last
# `ratio agent X.XX keyring Y.YY`. Everything it starts or creates is stopped and removed on
# exit, including the keyring records (via `tokendeck remove`).
# With LOAD naming examples/agent_load (built in release), it then puts CLIENTS (1000) clients at
# once on the agent and REQUESTS (10000) requests in sequence on one connection, and prints the
# daemon's resident memory after (VmRSS) and at its peak (VmHWM).
set -euo pipefail

: "${PIZAUTH:?set PIZAUTH to the pizauth binary}"
: "${TOKENDECK:?set TOKENDECK to the tokendeck binary}"
PIZAUTH=$(realpath "$PIZAUTH")
TOKENDECK=$(realpath "$TOKENDECK")
PROVIDER_DIR=${PROVIDER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/provider}
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-20}
WARMUP=${WARMUP:-5}
ACCOUNT=fresh

for tool in node curl hyperfine awk; do
    command -v "$tool" >/dev/null || { echo "token_vs_pizauth: $tool is needed" >&2; exit 2; }
done
[ -f "$PROVIDER_DIR/server.mjs" ] || { echo "token_vs_pizauth: no server.mjs in $PROVIDER_DIR" >&2; exit 2; }
if [ ! -d "$PROVIDER_DIR/node_modules" ]; then
    npm ci --prefix "$PROVIDER_DIR" --silent >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/token-vs-pizauth.XXXXXX")
chmod 700 "$WORK"
TD_HOME=$WORK/td          # `token` reads the keyring: no daemon on this home
TD_AGENT_HOME=$WORK/td-agent  # `token` asks the agent: `tokendeck daemon` runs on this home
# pizauth's socket and tokendeck's agent socket live here, apart from any real ones.
export XDG_RUNTIME_DIR=$WORK/pz-run
export TOKENDECK_KEYRING=${TOKENDECK_KEYRING:-keyutils}
# pizauth's cache dir made here: its server and its first client would race to create it
# ("File exists").
mkdir -m 700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/pizauth"
NODE_PID='' PIZAUTH_PID='' TD_ADDED='' DAEMON_PID=''

cleanup() {
    set +e
    if [ -n "$DAEMON_PID" ]; then
        kill "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
    fi
    for home in $TD_ADDED; do
        "$TOKENDECK" --home "$home" remove "$ACCOUNT" >/dev/null 2>&1 \
            || echo "token_vs_pizauth: could not remove the keyring record of $home" >&2
    done
    if [ -n "$PIZAUTH_PID" ]; then
        "$PIZAUTH" shutdown >/dev/null 2>&1
        kill "$PIZAUTH_PID" 2>/dev/null
        wait "$PIZAUTH_PID" 2>/dev/null
    fi
    if [ -n "$NODE_PID" ]; then
        exec 3>&-                      # the provider exits when its stdin closes
        kill "$NODE_PID" 2>/dev/null
        wait "$NODE_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "token_vs_pizauth: $*" >&2; exit 1; }

# Waits up to $1 tenths of a second for the command that follows to succeed.
wait_for() {
    local tries=$1; shift
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

# --- The authorization server ---------------------------------------------------------------
mkfifo "$WORK/provider.stdin"
node "$PROVIDER_DIR/server.mjs" <"$WORK/provider.stdin" >"$WORK/provider.out" 2>"$WORK/provider.err" &
NODE_PID=$!
exec 3>"$WORK/provider.stdin"
wait_for 150 grep -q '^listening ' "$WORK/provider.out" \
    || die "the provider did not start: $(cat "$WORK/provider.err")"
ISSUER=$(sed -n 's/^listening //p' "$WORK/provider.out" | head -n1)

# A browser that approves everything: follows the authorization server's redirects with a cookie
# jar until one leaves the server (the loopback callback), then requests that one.
approve() {
    local url=$1 jar=$WORK/cookies.$RANDOM next hops=0
    while :; do
        next=$(curl -sS -o /dev/null -b "$jar" -c "$jar" -w '%{redirect_url}' "$url")
        [ -n "$next" ] || die "the authorization server stopped redirecting at $url"
        url=$next
        case "$url" in "$ISSUER"/*) ;; *) break ;; esac
        hops=$((hops + 1))
        [ "$hops" -lt 20 ] || die "too many redirects"
    done
    case "$url" in *error=*) die "the authorization server refused: $url" ;; esac
    curl -sS -o /dev/null "$url" || die "the callback $url did not answer"
}

# --- pizauth ---------------------------------------------------------------------------------
# pizauth sends the client secret in the body, so it uses the provider's client_secret_post client.
cat >"$WORK/pizauth.conf" <<EOF
http_listen = "127.0.0.1:0";
https_listen = none;
account "$ACCOUNT" {
    auth_uri = "$ISSUER/auth";
    token_uri = "$ISSUER/token";
    client_id = "post-client";
    client_secret = "post-secret-value";
    scopes = ["openid", "offline_access", "api"];
    redirect_uri = "http://127.0.0.1/callback";
}
EOF
"$PIZAUTH" server -d -c "$WORK/pizauth.conf" >"$WORK/pizauth.log" 2>&1 &
PIZAUTH_PID=$!
wait_for 100 "$PIZAUTH" status >/dev/null 2>&1 || die "pizauth server did not start: $(cat "$WORK/pizauth.log")"
# The first `show` starts the authorization and says its URL.
pz_url=$("$PIZAUTH" show "$ACCOUNT" 2>&1 | grep -o 'http://[^ ]*' | head -n1) || true
[ -n "$pz_url" ] || die "pizauth gave no authorization URL"
approve "$pz_url"
wait_for 100 "$PIZAUTH" show "$ACCOUNT" >/dev/null 2>&1 || die "pizauth did not get a token"

# --- tokendeck -------------------------------------------------------------------------------
# Adds and links the account on home $1.
td_link() {
    local home=$1
    printf '%s\n' basic-secret-value | "$TOKENDECK" --home "$home" add "$ACCOUNT" \
        --authorize-url "$ISSUER/auth" --token-url "$ISSUER/token" \
        --client-id basic-client --client-secret-stdin \
        --redirect-uri http://127.0.0.1:0/callback \
        --scope openid --scope offline_access --scope api >/dev/null 2>"$WORK/td-add.err" \
        || die "tokendeck add failed: $(cat "$WORK/td-add.err")"
    TD_ADDED="$TD_ADDED $home"
    "$TOKENDECK" --home "$home" link "$ACCOUNT" --no-browser --no-qr \
        </dev/null >"$WORK/td-link.out" 2>"$WORK/td-link.err" &
    local link_pid=$!
    wait_for 100 grep -q . "$WORK/td-link.out" || die "tokendeck link printed no URL: $(cat "$WORK/td-link.err")"
    approve "$(head -n1 "$WORK/td-link.out")"
    wait "$link_pid" || die "tokendeck link failed: $(cat "$WORK/td-link.err")"
    : >"$WORK/td-link.out"
}
td_link "$TD_HOME"
td_link "$TD_AGENT_HOME"

"$TOKENDECK" --home "$TD_AGENT_HOME" daemon --no-notify >/dev/null 2>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_for 100 grep -q 'answering tokens on ' "$WORK/daemon.err" \
    || die "tokendeck daemon did not start its agent: $(cat "$WORK/daemon.err")"
SOCKET=$(sed -n 's/.*answering tokens on //p' "$WORK/daemon.err" | head -n1)

# --- All hand out a token, then the race -------------------------------------------------------
pz_token=$("$PIZAUTH" show "$ACCOUNT") || die "pizauth show failed"
td_token=$("$TOKENDECK" --home "$TD_HOME" token "$ACCOUNT") || die "tokendeck token failed"
# With TOKENDECK_AGENT there is no fallback to the keyring: this one came from the agent.
agent_token=$(TOKENDECK_AGENT=$SOCKET "$TOKENDECK" --home "$TD_AGENT_HOME" token "$ACCOUNT") \
    || die "the agent gave no token"
# (Plain `token` on the daemon's home asks the same agent first: on the Secret Service its median
# is the agent's, several times below the keyring read's.)
[ -n "$pz_token" ] && [ -n "$td_token" ] && [ -n "$agent_token" ] || die "an empty token"

names=("pizauth show" "tokendeck token (agent)" "tokendeck token (keyring)" "tokendeck --version")
commands=("$PIZAUTH show $ACCOUNT" "$TOKENDECK --home $TD_AGENT_HOME token $ACCOUNT"
    "$TOKENDECK --home $TD_HOME token $ACCOUNT" "$TOKENDECK --version")
for round in $(seq "$ROUNDS"); do
    order=(0 1 2 3)
    [ $((round % 2)) -eq 0 ] && order=(3 2 1 0)
    args=()
    for i in "${order[@]}"; do args+=(--command-name "${names[$i]}" "${commands[$i]}"); done
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/times.$round.json" \
        "${args[@]}" >/dev/null 2>"$WORK/hyperfine.err" || { cat "$WORK/hyperfine.err" >&2; die "hyperfine failed"; }
done
kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon died during the run: $(cat "$WORK/daemon.err")"

# Every run of every round, per command: its median, and its ratio to pizauth's.
node - "$TOKENDECK_KEYRING" "$WORK"/times.*.json <<'JS'
const fs = require("fs");
const [keyring, ...files] = process.argv.slice(2);
const times = {};
for (const file of files)
    for (const r of JSON.parse(fs.readFileSync(file)).results)
        (times[r.command] ??= []).push(...r.times);
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pz = median(times["pizauth show"]);
const ratio = {};
console.log(`keyring ${keyring}, ${files.length} alternating rounds:`);
for (const [name, xs] of Object.entries(times)) {
    const m = median(xs);
    ratio[name] = m / pz;
    console.log(`  ${name.padEnd(26)} median ${(m * 1000).toFixed(3)} ms of ${xs.length} runs; ${(m / pz).toFixed(2)}x pizauth show`);
}
console.log(`ratio agent ${ratio["tokendeck token (agent)"].toFixed(2)} keyring ${ratio["tokendeck token (keyring)"].toFixed(2)}`);
JS

if [ -n "${LOAD:-}" ]; then
    LOAD=$(realpath "$LOAD")
    rss() { awk -v key="$1:" '$1 == key { printf "%.1f MiB", $2 / 1024 }' "/proc/$DAEMON_PID/status"; }
    echo "daemon before the load: RSS $(rss VmRSS), peak $(rss VmHWM)"
    # A thousand clients need a thousand descriptors on this side.
    ulimit -n 4096 2>/dev/null || true
    "$LOAD" "$SOCKET" "$ACCOUNT" "${CLIENTS:-1000}" "${REQUESTS:-10000}" || die "the load failed"
    kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon died under the load: $(cat "$WORK/daemon.err")"
    echo "daemon after the load: RSS $(rss VmRSS), peak $(rss VmHWM)"
fi
