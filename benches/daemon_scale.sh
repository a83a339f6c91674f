#!/usr/bin/env bash
# `tokendeck daemon` with many accounts that all fall due at once, against the local oidc-provider
# (tests/provider), with pizauth's daemon beside it for the idle figures. Numbers, not asserts.
#
# Usage (as root, for the kernel keyring's quotas; `tests/run bench daemon` runs it):
#   TOKENDECK=target/release/tokendeck LINK_MANY=target/release/examples/link_many \
#     [PIZAUTH=/work/pizauth-src/target/release/pizauth] [COUNT=1000] [PER_ENDPOINT=4] \
#     [PARALLEL=16] [IDLE=60] daemon_scale.sh
#
# What it does:
#  1. starts the provider with 40 s access tokens (due 20 s after they are issued);
#  2. makes a tokendeck home with COUNT accounts linked through the library's own link flow
#     (examples/link_many.rs, PARALLEL at a time, the provider's auto-approving login), on the
#     kernel keyring (TOKENDECK_KEYRING=keyutils). The root user's key quotas
#     (/proc/sys/kernel/keys/root_maxkeys, root_maxbytes) are raised if they are too small for
#     COUNT records, and that is said;
#  3. switches the provider to 1 h tokens (so that once refreshed, every account stays fresh
#     through the idle minute), and links COUNT pizauth accounts the same way pizauth users do
#     (`pizauth show` prints a URL, a curl "browser" approves it);
#  4. once every tokendeck account is past due, starts `tokendeck daemon --max-per-endpoint N` and
#     waits until the event log holds COUNT ahead-of-expiry refreshes by it: the time from its start
#     (every account due then) to the last of them, the most token requests the provider saw in
#     flight at once (its own count), the daemon's peak RSS (VmHWM);
#  5. then IDLE seconds with nothing due: both daemons' CPU (utime+stime from /proc/PID/stat) and
#     peak RSS, and the ratios tokendeck/pizauth.
# Everything it starts or creates is stopped and removed on exit, kernel keys included.
set -euo pipefail

: "${TOKENDECK:?set TOKENDECK to the tokendeck binary}"
: "${LINK_MANY:?set LINK_MANY to the link_many example (cargo build --release --example link_many)}"
PIZAUTH=${PIZAUTH:-/work/pizauth-src/target/release/pizauth}
TOKENDECK=$(realpath "$TOKENDECK")
LINK_MANY=$(realpath "$LINK_MANY")
PROVIDER_DIR=${PROVIDER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/provider}
COUNT=${COUNT:-1000}
PER_ENDPOINT=${PER_ENDPOINT:-4}
PARALLEL=${PARALLEL:-16}
IDLE=${IDLE:-60}

for tool in node curl awk; do
    command -v "$tool" >/dev/null || { echo "daemon_scale: $tool is needed" >&2; exit 2; }
done
[ -x "$PIZAUTH" ] || { echo "daemon_scale: no pizauth at $PIZAUTH; pizauth's side is skipped" >&2; PIZAUTH=''; }
[ -d "$PROVIDER_DIR/node_modules" ] || npm ci --prefix "$PROVIDER_DIR" --silent >&2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daemon-scale.XXXXXX")
chmod 700 "$WORK"
TD_HOME=$WORK/td
export XDG_RUNTIME_DIR=$WORK/run   # pizauth's socket and tokendeck's daemon lock live here
export TOKENDECK_KEYRING=keyutils
# pizauth's cache dir made here: its server and its first client would race to create it.
mkdir -m 700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/pizauth"
NODE_PID='' PIZAUTH_PID='' DAEMON_PID='' TD_LINKED=''

cleanup() {
    set +e
    [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
    if [ -n "$TD_LINKED" ]; then
        "$LINK_MANY" --home "$TD_HOME" --remove 2>/dev/null \
            || echo "daemon_scale: could not remove the kernel keys of $TD_HOME" >&2
    fi
    if [ -n "$PIZAUTH_PID" ]; then
        "$PIZAUTH" shutdown >/dev/null 2>&1
        kill "$PIZAUTH_PID" 2>/dev/null
        wait "$PIZAUTH_PID" 2>/dev/null
    fi
    if [ -n "$NODE_PID" ]; then
        exec 3>&-
        kill "$NODE_PID" 2>/dev/null
        wait "$NODE_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "daemon_scale: $*" >&2; exit 1; }
say() { echo "daemon_scale: $*" >&2; }

wait_for() {
    local tries=$1; shift
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

# --- The kernel keyring's quotas ------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    keys=/proc/sys/kernel/keys/root_maxkeys bytes=/proc/sys/kernel/keys/root_maxbytes
    need_keys=$((COUNT + 200)) need_bytes=$((COUNT * 8192))
    if [ "$(cat $keys)" -lt "$need_keys" ]; then
        say "raising $keys from $(cat $keys) to $need_keys"; echo "$need_keys" >$keys
    fi
    if [ "$(cat $bytes)" -lt "$need_bytes" ]; then
        say "raising $bytes from $(cat $bytes) to $need_bytes"; echo "$need_bytes" >$bytes
    fi
else
    say "not root: /proc/sys/kernel/keys/maxkeys ($(cat /proc/sys/kernel/keys/maxkeys)) and maxbytes ($(cat /proc/sys/kernel/keys/maxbytes)) must hold $COUNT records"
fi

# --- The authorization server ---------------------------------------------------------------
mkfifo "$WORK/provider.stdin"
# STORE_SIZE: oidc-provider's in-memory store forgets all but 1,000 items by default, and linking
# 2 × COUNT accounts makes about 8 items each (session, interaction, code, grant, tokens).
ACCESS_TTL=40 STORE_SIZE=$((COUNT * 40 + 10000)) node "$PROVIDER_DIR/server.mjs" <"$WORK/provider.stdin" >"$WORK/provider.out" 2>"$WORK/provider.err" &
NODE_PID=$!
exec 3>"$WORK/provider.stdin"
wait_for 150 grep -q '^listening ' "$WORK/provider.out" || die "the provider did not start: $(cat "$WORK/provider.err")"
ISSUER=$(sed -n 's/^listening //p' "$WORK/provider.out" | head -n1)
control() { curl -fsS -o /dev/null "$ISSUER/__test/$1"; }
stat_of() { curl -fsS "$ISSUER/__test/stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).counts[process.argv[1]] ?? 0))' "$1"; }

# --- tokendeck: COUNT accounts, linked ------------------------------------------------------
TD_LINKED=1
"$LINK_MANY" --home "$TD_HOME" --issuer "$ISSUER" --count "$COUNT" --parallel "$PARALLEL" \
    2> >(tee "$WORK/link.err" >&2) || die "linking failed"
last_linked=$(date +%s)
control "access-ttl?seconds=3600"

# --- pizauth: COUNT accounts, linked through its own flow ---------------------------------------
approve() {
    local url=$1 jar next hops=0
    jar=$(mktemp "$WORK/cookies.XXXXXX")
    while :; do
        next=$(curl -sS --max-time 20 -o /dev/null -b "$jar" -c "$jar" -w '%{redirect_url}' "$url") || return 1
        [ -n "$next" ] || return 1
        url=$next
        case "$url" in "$ISSUER"/*) ;; *) break ;; esac
        hops=$((hops + 1)); [ "$hops" -lt 20 ] || return 1
    done
    rm -f "$jar"
    curl -sS --max-time 20 -o /dev/null "$url"
}
pz_link() {
    local url
    url=$("$PIZAUTH" show "acct$1" 2>&1 | grep -o 'http://[^ ]*' | head -n1) || true
    [ -n "$url" ] && approve "$url"
}
PZ_LINKED=0
if [ -n "$PIZAUTH" ]; then
    {
        echo 'http_listen = "127.0.0.1:0";'
        echo 'https_listen = none;'
        for i in $(seq "$COUNT"); do
            cat <<EOF
account "acct$i" {
    auth_uri = "$ISSUER/auth";
    token_uri = "$ISSUER/token";
    client_id = "post-client";
    client_secret = "post-secret-value";
    scopes = ["openid", "offline_access", "api"];
    redirect_uri = "http://127.0.0.1/callback";
}
EOF
        done
    } >"$WORK/pizauth.conf"
    "$PIZAUTH" server -d -c "$WORK/pizauth.conf" >"$WORK/pizauth.log" 2>&1 &
    PIZAUTH_PID=$!
    wait_for 100 "$PIZAUTH" status >/dev/null 2>&1 || die "pizauth server did not start: $(cat "$WORK/pizauth.log")"
    started=$(date +%s.%N)
    # `wait` with pids: a bare one would wait for the provider and pizauth's server too.
    links=()
    for i in $(seq "$COUNT"); do
        pz_link "$i" &
        links+=($!)
        if (( i % PARALLEL == 0 )); then wait "${links[@]}" || true; links=(); fi
    done
    [ "${#links[@]}" -eq 0 ] || wait "${links[@]}" || true
    # Linked: `show` prints a token instead of a URL.
    for i in $(seq "$COUNT"); do
        if "$PIZAUTH" show "acct$i" 2>/dev/null | grep -qv '^http'; then PZ_LINKED=$((PZ_LINKED + 1)); fi
    done
    say "pizauth: $PZ_LINKED of $COUNT accounts linked in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b-a}')"
fi

# --- The storm: every tokendeck account due, the daemon starts ------------------------------
while [ "$(date +%s)" -lt $((last_linked + 21)) ]; do sleep 1; done
control reset-token-in-flight-max
grants_before=$(stat_of "grant refresh_token 200")
"$TOKENDECK" --home "$TD_HOME" daemon --max-per-endpoint "$PER_ENDPOINT" 2>"$WORK/daemon.err" &
DAEMON_PID=$!
t0=$(date +%s.%N)
events() { cat "$TD_HOME"/state/events.jsonl.1 "$TD_HOME"/state/events.jsonl 2>/dev/null || true; }
refreshed() { events | grep -F "\"pid\":$DAEMON_PID" | grep -F '"trigger":"ahead-of-expiry"' | grep -cF '"outcome":"ok"' || true; }
deadline=$(( $(date +%s) + 900 ))
while [ "$(refreshed)" -lt "$COUNT" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "only $(refreshed) of $COUNT refreshed in 15 min; $(tail -3 "$WORK/daemon.err")"
    kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon exited: $(tail -3 "$WORK/daemon.err")"
    sleep 0.2
done
last=$(events | grep -F "\"pid\":$DAEMON_PID" | grep -F '"trigger":"ahead-of-expiry"' | grep -F '"outcome":"ok"' \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let m=0;for(const l of s.split("\n")){if(!l)continue;m=Math.max(m,Date.parse(JSON.parse(l).time))}console.log(m/1000)})')
storm=$(awk -v a="$t0" -v b="$last" 'BEGIN{printf "%.1f", b-a}')
grants=$(( $(stat_of "grant refresh_token 200") - grants_before ))
in_flight=$(stat_of "token in flight max")
failed=$(events | grep -F "\"pid\":$DAEMON_PID" | grep -cF '"outcome":"failed"' || true)
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
td_storm_hwm=$(hwm "$DAEMON_PID")
echo "tokendeck daemon, $COUNT accounts due at once, --max-per-endpoint $PER_ENDPOINT:"
echo "  all refreshed in ${storm} s ($grants refresh grants at the provider, $failed failed); at most $in_flight token requests in flight at once (provider's count)"
echo "  peak RSS ${td_storm_hwm} KiB; CPU $(cpu_ms "$DAEMON_PID") ms so far"

# --- Idle: nothing due for an hour ----------------------------------------------------------
sleep 3
td_cpu0=$(cpu_ms "$DAEMON_PID")
[ -n "$PIZAUTH_PID" ] && pz_cpu0=$(cpu_ms "$PIZAUTH_PID")
sleep "$IDLE"
td_cpu=$(awk -v a="$td_cpu0" -v b="$(cpu_ms "$DAEMON_PID")" 'BEGIN{print b-a}')
echo "idle ${IDLE} s, $COUNT accounts fresh:"
echo "  tokendeck daemon: CPU ${td_cpu} ms, RSS $(rss "$DAEMON_PID") KiB, peak RSS $(hwm "$DAEMON_PID") KiB"
if [ -n "$PIZAUTH_PID" ]; then
    pz_cpu=$(awk -v a="$pz_cpu0" -v b="$(cpu_ms "$PIZAUTH_PID")" 'BEGIN{print b-a}')
    echo "  pizauth server ($PZ_LINKED of $COUNT accounts linked): CPU ${pz_cpu} ms, RSS $(rss "$PIZAUTH_PID") KiB, peak RSS $(hwm "$PIZAUTH_PID") KiB"
    awk -v tc="$td_cpu" -v pc="$pz_cpu" -v tr="$(rss "$DAEMON_PID")" -v pr="$(rss "$PIZAUTH_PID")" \
        'BEGIN { printf "  ratios tokendeck/pizauth: RSS %.2f, idle CPU %s\n", tr / pr, (pc > 0 ? sprintf("%.2f", tc / pc) : "n/a (pizauth used 0 ms)") }'
fi
