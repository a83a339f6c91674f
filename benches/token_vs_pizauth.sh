#!/usr/bin/env bash
# `tokendeck token NAME` on a fresh token vs `pizauth show ACCOUNT`, side by side in one hyperfine
# run, both on the Linux kernel keyring side (tokendeck: TOKENDECK_KEYRING=keyutils; pizauth keeps
# its tokens in its daemon's memory) and both linked to the same oidc-provider (tests/provider).
#
# Usage:
#   PIZAUTH=/path/to/pizauth TOKENDECK=/path/to/tokendeck [PROVIDER_DIR=.../tests/provider] \
#     [RUNS=300] [WARMUP=20] [ROUNDS=3] token_vs_pizauth.sh
#
# PROVIDER_DIR defaults to ../tests/provider relative to this script (the tokendeck repository);
# `npm ci` is run there if node_modules is missing. Needs: bash, node, npm, curl, hyperfine, awk.
# Prints hyperfine's tables, each round's medians and ratio tokendeck/pizauth, and last the median
# of the rounds' ratios (`ratio X.XX`). Everything it starts or creates is stopped and removed on exit, including
# the kernel-keyring key (via `tokendeck remove`).
set -euo pipefail

: "${PIZAUTH:?set PIZAUTH to the pizauth binary}"
: "${TOKENDECK:?set TOKENDECK to the tokendeck binary}"
PIZAUTH=$(realpath "$PIZAUTH")
TOKENDECK=$(realpath "$TOKENDECK")
PROVIDER_DIR=${PROVIDER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/provider}
RUNS=${RUNS:-300}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-20}
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
TD_HOME=$WORK/td
export XDG_RUNTIME_DIR=$WORK/pz-run   # pizauth's socket lives here, apart from any real pizauth
export TOKENDECK_KEYRING=keyutils
# pizauth's cache dir made here: its server and its first client would race to create it
# ("File exists").
mkdir -m 700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/pizauth"
NODE_PID='' PIZAUTH_PID='' TD_ADDED=''

cleanup() {
    set +e
    if [ -n "$TD_ADDED" ]; then
        "$TOKENDECK" --home "$TD_HOME" remove "$ACCOUNT" >/dev/null 2>&1 \
            || echo "token_vs_pizauth: could not remove the keyring key of $TD_HOME" >&2
    fi
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
printf '%s\n' basic-secret-value | "$TOKENDECK" --home "$TD_HOME" add "$ACCOUNT" \
    --authorize-url "$ISSUER/auth" --token-url "$ISSUER/token" \
    --client-id basic-client --client-secret-stdin \
    --redirect-uri http://127.0.0.1:0/callback \
    --scope openid --scope offline_access --scope api >/dev/null 2>"$WORK/td-add.err" \
    || die "tokendeck add failed: $(cat "$WORK/td-add.err")"
TD_ADDED=1
"$TOKENDECK" --home "$TD_HOME" link "$ACCOUNT" --no-browser --no-qr \
    </dev/null >"$WORK/td-link.out" 2>"$WORK/td-link.err" &
link_pid=$!
wait_for 100 grep -q . "$WORK/td-link.out" || die "tokendeck link printed no URL: $(cat "$WORK/td-link.err")"
approve "$(head -n1 "$WORK/td-link.out")"
wait "$link_pid" || die "tokendeck link failed: $(cat "$WORK/td-link.err")"

# --- Both hand out a token, then the race -----------------------------------------------------
pz_token=$("$PIZAUTH" show "$ACCOUNT") || die "pizauth show failed"
td_token=$("$TOKENDECK" --home "$TD_HOME" token "$ACCOUNT") || die "tokendeck token failed"
[ -n "$pz_token" ] && [ -n "$td_token" ] || die "an empty token"

# hyperfine runs its commands one after the other, so load that drifts during a run biases the
# ratio; several short rounds, and the median of their ratios, are steadier than one long round.
for round in $(seq "$ROUNDS"); do
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-csv "$WORK/times.$round.csv" \
        --command-name "pizauth show" "$PIZAUTH show $ACCOUNT" \
        --command-name "tokendeck token" "$TOKENDECK --home $TD_HOME token $ACCOUNT" \
        --command-name "tokendeck --version" "$TOKENDECK --version"
done

# Each CSV's columns: command,mean,stddev,median,user,system,min,max (seconds); rows in the order
# of the commands above.
for round in $(seq "$ROUNDS"); do
    awk -F, -v round="$round" 'NR == 2 { pz = $4 } NR == 3 { td = $4 } NR == 4 { ver = $4 }
        END {
            printf "round %d: median pizauth show %.3f ms, tokendeck token %.3f ms, tokendeck --version %.3f ms; ratio %.3f\n",
                round, pz * 1000, td * 1000, ver * 1000, td / pz
        }' "$WORK/times.$round.csv"
done | tee "$WORK/rounds"
sed 's/.*ratio //' "$WORK/rounds" | sort -n | awk '{ r[NR] = $1 } END { printf "ratio %.2f\n", r[int((NR + 1) / 2)] }'
