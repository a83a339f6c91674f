//! The manual page's own words: what tokendeck is, the environment it reads, the files it keeps.
//! The commands, options and examples come from the clap definition ([`crate::cli::Cli`]).

use crate::app::{engine::PER_ENDPOINT_ENV, hooks, timeout};
use crate::store::keyring::BACKEND_VAR;

use super::agent::AGENT_VAR;

/// DESCRIPTION, a paragraph a line.
pub const DESCRIPTION: &[&str] = &[
    "tokendeck links OAuth 2.0 accounts (the authorization code flow with PKCE, or the device grant), keeps their tokens in the operating system's keyring, refreshes them ahead of expiry, and logs every refresh. Without a command it opens its terminal UI; the commands below serve scripts.",
    "Standard output carries only the data asked for; messages go to standard error, and the exit code says what kind of failure it was (EXIT STATUS). No command prints a refresh token, an ID token or a client secret, and only token prints an access token.",
];

/// ENVIRONMENT: each variable tokendeck reads, and those it sets for a hook's command.
pub fn environment() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "TOKENDECK_HOME",
            "The home, as --home gives it: config, state and keyring entries under one folder, namespaced apart from other homes.",
        ),
        (
            BACKEND_VAR,
            "secret-service or keyutils: the keyring a new home uses. A home keeps the keyring its first record went to; a value naming another one is refused.",
        ),
        (
            timeout::TIMEOUT_VAR,
            "How long a request to the token endpoint may take, in seconds (1 to 600; 30 when unset).",
        ),
        (
            hooks::TIMEOUT_VAR,
            "How long a hook's command may run, in seconds (1 to 600; 30 when unset).",
        ),
        (
            AGENT_VAR,
            "The agent's socket for token (a path): asked, with no fallback to the keyring; exit 3 when no agent answers there. Unset, token asks the daemon of its home when one listens, else reads the keyring.",
        ),
        (
            PER_ENDPOINT_ENV,
            "At most this many refreshes in flight against one token endpoint, in the daemon and the TUI (4 when unset).",
        ),
        (
            "TOKENDECK_TOKEN",
            "Set for exec's command: the named account's access token (--env VAR puts it in VAR instead).",
        ),
        (
            "TOKENDECK_ACCOUNT, TOKENDECK_EVENT, TOKENDECK_EXPIRES_AT, TOKENDECK_MESSAGE",
            "Set for a hook's command (set --on EVENT=COMMAND): the account, the event, the new expiry, and what happened.",
        ),
        (
            "NO_COLOR",
            "When set and not empty, the TUI draws without colour.",
        ),
        (
            "XDG_CONFIG_HOME, XDG_STATE_HOME",
            "Where the accounts and the state live without a home given (FILES).",
        ),
        (
            "XDG_RUNTIME_DIR",
            "The daemon's sockets, under tokendeck/ in it.",
        ),
        (
            "NOTIFY_SOCKET",
            "Set by systemd for a Type=notify service (the unit daemon --install writes): the daemon tells it READY=1 once its socket listens, STATUS= with the number of accounts, and STOPPING=1.",
        ),
    ]
}

/// FILES: where each thing lives on Linux without --home (with it: DIR/config and DIR/state).
pub const FILES: &[(&str, &str)] = &[
    (
        "~/.config/tokendeck/accounts.toml",
        "The accounts: provider, client id, callback, scopes, hooks. Never a secret. Mode 0600, written atomically; DIR/config/ with a home.",
    ),
    (
        "~/.config/tokendeck/keyring.toml",
        "Which keyring this home uses, written with its first record.",
    ),
    (
        "~/.local/state/tokendeck/accounts/NAME.json",
        "Each account's status: expiry, scope, last refresh, backoff. DIR/state/ with a home.",
    ),
    (
        "~/.local/state/tokendeck/events.jsonl",
        "The event log, rotated at 1 MiB to events.jsonl.1.",
    ),
    (
        "~/.local/state/tokendeck/locks/",
        "NAME.lock, held over each refresh; daemon.lock, the running daemon's pid.",
    ),
    (
        "the OS keyring",
        "The tokens and the client secret: service tokendeck/default (tokendeck/home-HASH for a home), user NAME, one record an account. Only there.",
    ),
];

/// SEE ALSO.
pub const SEE_ALSO: &str = "secret-tool(1), keyctl(1), systemctl(1), man(1)";

/// The heading over each command's examples, and over the commands.
pub const EXAMPLES: &str = "Examples:";
pub const COMMANDS: &str = "COMMANDS";
