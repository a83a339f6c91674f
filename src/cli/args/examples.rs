//! Two or three examples of each command, for the end of its `--help` and its part of the manual.

/// One example: what it does, then the command line.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub what: &'static str,
    pub line: &'static str,
}

const fn ex(what: &'static str, line: &'static str) -> Example {
    Example { what, line }
}

/// Examples of each command, by its name (`""` for `tokendeck` itself).
pub(super) const EXAMPLES: &[(&str, &[Example])] = &[
    (
        "",
        &[
            ex("Open the terminal UI", "tokendeck"),
            ex(
                "Try it with no credentials, on a demo server",
                "tokendeck --demo",
            ),
            ex(
                "Keep a second set of accounts apart",
                "tokendeck --home ~/.tokendeck-test list",
            ),
        ],
    ),
    (
        "add",
        &[
            ex(
                "A Google account, its client secret from a password manager",
                "pass show google/client-secret | tokendeck add work --preset google --client-id 1234.apps.googleusercontent.com --client-secret-stdin",
            ),
            ex(
                "Any OpenID Connect provider, found by discovery",
                "tokendeck add sso --issuer https://login.example.com --client-id deck-cli --scope \"openid email offline_access\"",
            ),
            ex(
                "Custom endpoints, with a parameter the provider wants",
                "tokendeck add cloud --authorize-url https://api.example.com/oauth2/authorize --token-url https://api.example.com/oauth2/token --client-id KEY --param deviceid=my-laptop",
            ),
        ],
    ),
    (
        "show",
        &[
            ex("An account's settings", "tokendeck show work"),
            ex("The same, for a script", "tokendeck show work --json"),
        ],
    ),
    (
        "set",
        &[
            ex(
                "Ask for one more scope (then link again)",
                "tokendeck set work --add-scope offline_access",
            ),
            ex(
                "A new client secret, from a password manager",
                "pass show google/client-secret | tokendeck set work --client-secret-stdin",
            ),
            ex(
                "Run a command after each refresh",
                "tokendeck set work --on \"refreshed=notify-send 'work refreshed'\"",
            ),
        ],
    ),
    (
        "link",
        &[
            ex("Authorize in the browser", "tokendeck link work"),
            ex(
                "Authorize on another device, with a short code",
                "tokendeck link work --device",
            ),
            ex(
                "On a machine without a browser: paste what the provider returns",
                "tokendeck link work --no-browser --no-qr",
            ),
        ],
    ),
    (
        "list",
        &[
            ex("Every account", "tokendeck list"),
            ex("The same, for a script", "tokendeck list --json"),
        ],
    ),
    (
        "status",
        &[
            ex("Every account's tokens", "tokendeck status"),
            ex(
                "One account's, for a script",
                "tokendeck status work --json",
            ),
        ],
    ),
    (
        "inspect",
        &[
            ex("What the stored tokens say", "tokendeck inspect work"),
            ex(
                "What the provider says of the access token too, for a script",
                "tokendeck inspect work --introspect --json",
            ),
        ],
    ),
    (
        "token",
        &[
            ex("Print a valid access token", "tokendeck token work"),
            ex(
                "Hand it to another tool",
                "curl -H \"Authorization: Bearer $(tokendeck token work)\" https://api.example.com/me",
            ),
            ex(
                "With its expiry and scopes, for a script (or --format header, xoauth2, exec-credential)",
                "tokendeck token work --format json",
            ),
        ],
    ),
    (
        "git-credential",
        &[
            ex(
                "Let git ask tokendeck for one host's password",
                "git config --global credential.https://git.example.com.helper \"tokendeck git-credential\"",
            ),
            ex(
                "What git does after a 401: the next get refreshes first",
                "printf 'protocol=https\\nhost=git.example.com\\n\\n' | tokendeck git-credential erase",
            ),
            ex(
                "See what git would get (the token is printed)",
                "printf 'protocol=https\\nhost=git.example.com\\n\\n' | tokendeck git-credential get",
            ),
        ],
    ),
    (
        "exec",
        &[
            ex(
                "A command with the token in TOKENDECK_TOKEN",
                "tokendeck exec work -- sh -c 'curl -H \"Authorization: Bearer $TOKENDECK_TOKEN\" https://api.example.com/me'",
            ),
            ex(
                "The token in the variable a tool reads",
                "tokendeck exec github --env GH_TOKEN -- gh repo list",
            ),
            ex(
                "Two accounts' tokens at once",
                "tokendeck exec --env GH=github --env API=work -- ./deploy.sh",
            ),
        ],
    ),
    (
        "refresh",
        &[
            ex("Refresh now", "tokendeck refresh work"),
            ex(
                "Refresh, then see the new expiry",
                "tokendeck refresh work && tokendeck status work",
            ),
        ],
    ),
    (
        "call",
        &[
            ex("GET the account's API URL", "tokendeck call work"),
            ex(
                "GET another URL",
                "tokendeck call work https://api.example.com/me",
            ),
            ex(
                "POST a JSON body",
                "tokendeck call work https://api.example.com/items -H 'Content-Type: application/json' -d '{\"name\":\"x\"}'",
            ),
        ],
    ),
    (
        "log",
        &[
            ex("Every event so far", "tokendeck log"),
            ex(
                "One account's, and new ones as they happen",
                "tokendeck log work --follow",
            ),
            ex(
                "The same as JSON lines, for a script",
                "tokendeck log --json",
            ),
        ],
    ),
    (
        "remove",
        &[
            ex(
                "Revoke the grant, then forget the account",
                "tokendeck remove work",
            ),
            ex(
                "Forget it but leave the grant at the provider",
                "tokendeck remove work --keep-grant",
            ),
        ],
    ),
    (
        "daemon",
        &[
            ex(
                "Keep every account fresh, in this terminal",
                "tokendeck daemon",
            ),
            ex(
                "Start it at every login (a systemd user unit)",
                "tokendeck daemon --install",
            ),
            ex(
                "Also hand shared accounts' tokens to share.sock, for ssh -R",
                "tokendeck daemon --share",
            ),
        ],
    ),
    (
        "completions",
        &[
            ex(
                "Completions for bash",
                "tokendeck completions bash > ~/.local/share/bash-completion/completions/tokendeck",
            ),
            ex(
                "Completions for zsh",
                "tokendeck completions zsh > ~/.zfunc/_tokendeck",
            ),
            ex(
                "Completions for fish",
                "tokendeck completions fish > ~/.config/fish/completions/tokendeck.fish",
            ),
        ],
    ),
    (
        "man",
        &[
            ex(
                "Install the manual page",
                "tokendeck man > ~/.local/share/man/man1/tokendeck.1",
            ),
            ex("Read it without installing it", "tokendeck man | man -l -"),
        ],
    ),
];

/// The examples of the command named `command` (`""` for `tokendeck` itself); none for a name
/// with none.
pub fn examples(command: &str) -> &'static [Example] {
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == command)
        .map_or(&[], |(_, examples)| examples)
}
