//! The command line's arguments (clap): the subcommands, their options, their help, and the exit
//! codes `--help` lists.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::oauth::AuthMethod;
use crate::oauth::presets::Preset;

mod examples;
mod exec;
mod help;

pub use examples::{Example, examples};
pub use exec::ExecArgs;
pub use help::EXIT_CODES;

/// `--demo-ttl`'s default (it only matters with `--demo`).
pub const DEMO_TTL: u64 = 60;

#[derive(Debug, Parser)]
#[command(name = "tokendeck", version, about = "A terminal account manager for OAuth 2.0", after_help = help::after_root_help())]
pub struct Cli {
    /// Keep config, state and keyring entries under DIR (namespaced apart from other homes).
    /// Without a command, tokendeck opens its terminal UI.
    #[arg(long, global = true, env = "TOKENDECK_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Try tokendeck with no credentials: an embedded authorization server, a demo account,
    /// the TUI (on a throwaway home unless --home is given)
    #[arg(long)]
    pub demo: bool,

    /// In demo mode, how long access tokens live, in seconds
    #[arg(long, value_name = "SECS", default_value_t = DEMO_TTL, requires = "demo", value_parser = clap::value_parser!(u64).range(1..))]
    pub demo_ttl: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Define an account (it is linked with `tokendeck link`)
    #[command(after_help = help::after_help("add"))]
    Add(AddArgs),
    /// Show an account's settings: provider, client, scopes, URLs, parameters, hooks, keyring,
    /// token state (never a secret or token)
    #[command(after_help = help::after_help("show"))]
    Show {
        /// The account's name
        name: String,
        /// Print JSON, for scripts
        #[arg(long)]
        json: bool,
    },
    /// Change an account's settings: client id and secret, scopes, parameters, callback, API URL,
    /// endpoints
    #[command(after_help = help::after_help("set"))]
    Set(SetArgs),
    /// Link an account: authorize in the browser, store the tokens in the keyring
    #[command(after_help = help::after_help("link"))]
    Link {
        /// The account's name
        name: String,
        /// Do not try to open a browser
        #[arg(long)]
        no_browser: bool,
        /// Do not print the QR code
        #[arg(long)]
        no_qr: bool,
        /// Link with the device grant: a short code and a URL to open on any device (the
        /// default when the provider offers it and the callback is not a loopback URL)
        #[arg(long, conflicts_with = "no_device")]
        device: bool,
        /// Link with the authorization URL even where the device grant is the default
        #[arg(long)]
        no_device: bool,
    },
    /// List the accounts
    #[command(after_help = help::after_help("list"))]
    List {
        /// Print JSON, for scripts
        #[arg(long)]
        json: bool,
    },
    /// Show token status: state, expiry, seconds left, scope, last refresh
    #[command(after_help = help::after_help("status"))]
    Status {
        /// Only this account [default: all of them]
        name: Option<String>,
        /// Print JSON, for scripts
        #[arg(long)]
        json: bool,
    },
    /// What the stored tokens say: decoded claims, the ID token's verdict (signature and claims),
    /// scopes, clock skew (no token shown)
    #[command(after_help = help::after_help("inspect"))]
    Inspect {
        /// The account's name
        name: String,
        /// Print JSON, for scripts
        #[arg(long)]
        json: bool,
        /// Also ask the provider's introspection endpoint about the access token (RFC 7662)
        #[arg(long)]
        introspect: bool,
    },
    /// Print a valid access token (refreshed first when it is about to expire)
    #[command(after_help = help::after_help("token"))]
    Token {
        /// The account's name
        name: String,
        /// How to print it: bare, as JSON, as an HTTP header, for a mail client or for kubectl
        #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
        format: crate::cli::TokenFormat,
        /// The same as --format json
        #[arg(long, conflicts_with = "format")]
        json: bool,
    },
    /// Refresh an account's tokens now
    #[command(after_help = help::after_help("refresh"))]
    Refresh {
        /// The account's name
        name: String,
    },
    /// git's credential helper: `get` answers the access token of the account whose --git-host
    /// claims the remote, `erase` makes the next `get` refresh first, `store` keeps nothing
    #[command(after_help = help::after_help("git-credential"))]
    GitCredential {
        /// What git asks: get, store or erase (git adds it; others are ignored, as git expects)
        operation: Option<String>,
    },
    /// Run a command with access tokens in its environment (TOKENDECK_TOKEN, or the variables
    /// --env names), each refreshed first when due; the command's exit status is tokendeck's
    #[command(after_help = help::after_help("exec"))]
    Exec(ExecArgs),
    /// Send an API request with the account's token (a 401 refreshes and retries once)
    #[command(after_help = help::after_help("call"))]
    Call(CallArgs),
    /// Show the event log of links, refreshes and removals
    #[command(after_help = help::after_help("log"))]
    Log {
        /// Only this account [default: all of them]
        name: Option<String>,
        /// Keep printing new events as they happen
        #[arg(short, long)]
        follow: bool,
        /// Print JSON, for scripts
        #[arg(long)]
        json: bool,
    },
    /// Remove an account: its keyring record, status and definition
    #[command(after_help = help::after_help("remove"))]
    Remove {
        /// The account's name
        name: String,
        /// Keep the grant at the provider: do not revoke the tokens before forgetting them
        #[arg(long)]
        keep_grant: bool,
    },
    /// Keep every account fresh in the background: the refresh engine without the UI, in the
    /// foreground, one per home (stop it with SIGTERM or Ctrl-C)
    #[command(after_help = help::after_help("daemon"))]
    Daemon(DaemonArgs),
    /// Print a shell completion script
    #[command(after_help = help::after_help("completions"))]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `man -l` reads it, or keep it in ~/.local/share/man/man1
    #[command(after_help = help::after_help("man"))]
    Man,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Write a service that runs the daemon at login (a systemd user unit; a launchd agent on
    /// macOS), and print the command that starts it
    #[arg(long, conflicts_with = "uninstall")]
    pub install: bool,
    /// Remove that service
    #[arg(long)]
    pub uninstall: bool,
    /// With --install: replace a different service file; with --uninstall: remove it even while
    /// it is enabled
    #[arg(long)]
    pub force: bool,
    /// Send no desktop notification when an account needs you (a dead grant, or refreshes
    /// failing for over an hour); the event log still has it all
    #[arg(long)]
    pub no_notify: bool,
    /// At most this many refreshes in flight against one token endpoint (the TUI reads the same
    /// variable)
    #[arg(long, value_name = "N", env = "TOKENDECK_MAX_PER_ENDPOINT", default_value_t = crate::app::engine::DEFAULT_PER_ENDPOINT, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_per_endpoint: u16,
    /// Answer tokens on this Unix socket instead of $XDG_RUNTIME_DIR/tokendeck/agent.sock (clients
    /// find it through TOKENDECK_AGENT)
    #[arg(long, value_name = "PATH")]
    pub socket_path: Option<PathBuf>,
    /// Also answer on share.sock beside that socket, for an ssh forward (`ssh -R`): only the
    /// accounts marked with `set NAME --share`, only their access tokens, each one logged
    #[arg(long, conflicts_with_all = ["install", "uninstall"])]
    pub share: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("provider").required(true).args(["preset", "issuer", "authorize_url"]))]
pub struct AddArgs {
    /// A name for the account: up to 64 letters, digits, `-`, `_` and `.` (not first)
    pub name: String,
    /// A known provider
    #[arg(long, value_name = "ID", value_parser = preset_ids())]
    pub preset: Option<String>,
    /// An OpenID Connect issuer, read by discovery
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Custom endpoints: the authorization endpoint …
    #[arg(long, value_name = "URL", requires = "token_url")]
    pub authorize_url: Option<String>,
    /// … and the token endpoint
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub token_url: Option<String>,
    /// The client id the provider gave this application
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Read the client secret from standard input (never from the command line)
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// The callback URL registered at the provider [default: http://127.0.0.1:8765/callback]
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// A scope to request (repeat for more, or give several split by spaces: "openid email";
    /// replaces the preset's)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// An extra authorization parameter, such as deviceid=my-laptop (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// How the client authenticates at the token endpoint [default: basic with a secret, none without]
    #[arg(long, value_enum)]
    pub auth_method: Option<AuthMethodArg>,
    /// An API URL to test the account with (`t` in the TUI)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The address mail clients log in as, which `token --format xoauth2` names [default: the
    /// ID token's email]
    #[arg(long, value_name = "ADDRESS", value_parser = parse_mail_user)]
    pub mail_user: Option<String>,
    /// The device authorization endpoint, for `link --device` (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint, where `remove` gives the grant back (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// The userinfo endpoint, where the account's identity is asked when its ID token does not
    /// say (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub userinfo_url: Option<String>,
    /// The introspection endpoint (RFC 7662), where `inspect --introspect` asks about the access
    /// token (discovery knows it)
    #[arg(long, value_name = "URL")]
    pub introspection_url: Option<String>,
    /// Run COMMAND when EVENT happens to the account: refreshed, refresh-failed, needs-relink,
    /// linked or removed (repeatable). The command runs without a shell (write `sh -c '…'` for
    /// one), with TOKENDECK_ACCOUNT, TOKENDECK_EVENT, TOKENDECK_EXPIRES_AT, TOKENDECK_MESSAGE set
    #[arg(long = "on", value_name = "EVENT=COMMAND")]
    pub on: Vec<crate::store::HookChange>,
    /// How long the provider's refresh tokens live (7d, 90d, 12h), for the forecast of when the
    /// account must be linked again, when the provider's answers do not say (over the preset's)
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
    pub refresh_token_lifetime: Option<u64>,
    /// Let `tokendeck daemon --share` hand this account's access token to share.sock, the socket
    /// meant for an ssh forward (`ssh -R`); the refresh token never leaves this machine
    #[arg(long)]
    pub share: bool,
    /// A git remote the account's tokens are for, HOST[:PORT][/PATH] (repeatable): `tokendeck
    /// git-credential` answers git's requests for it
    #[arg(long = "git-host", value_name = "HOST[:PORT][/PATH]", value_parser = parse_git_host)]
    pub git_hosts: Vec<String>,
    /// The user name git gets with the token [default: oauth2]
    #[arg(long, value_name = "NAME", value_parser = parse_git_user)]
    pub git_user: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The account's name
    pub name: String,
    /// A new client id (the grant held was made for the old one: link again)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read a new client secret from standard input (never from the command line); the tokens
    /// are kept
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// A scope to request (repeat for more, or split them by spaces; replaces all of them)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// A scope to add to the list (repeatable)
    #[arg(long = "add-scope", value_name = "S")]
    pub add_scopes: Vec<String>,
    /// A scope to take out of the list (repeatable)
    #[arg(long = "remove-scope", value_name = "S")]
    pub remove_scopes: Vec<String>,
    /// An extra authorization parameter (repeatable; replaces all of them)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Remove every extra authorization parameter
    #[arg(long, conflicts_with = "params")]
    pub no_params: bool,
    /// The callback URL registered at the provider
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// An API URL to test the account with (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The address mail clients log in as, for `token --format xoauth2` (an empty one removes it)
    #[arg(long, value_name = "ADDRESS", value_parser = parse_mail_user)]
    pub mail_user: Option<String>,
    /// How the client authenticates at the token endpoint (`none` deletes the client secret)
    #[arg(long, value_enum)]
    pub auth_method: Option<AuthMethodArg>,
    /// The authorization endpoint (the grant held was made through the old one: link again)
    #[arg(long, value_name = "URL")]
    pub authorize_url: Option<String>,
    /// The token endpoint (the grant held was made at the old one: link again)
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// The device authorization endpoint, for `link --device` (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint, where `remove` gives the grant back (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// The introspection endpoint, for `inspect --introspect` (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub introspection_url: Option<String>,
    /// The userinfo endpoint, where the account's identity is asked (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub userinfo_url: Option<String>,
    /// Run COMMAND when EVENT happens to the account: refreshed, refresh-failed, needs-relink,
    /// linked or removed (repeatable). The command runs without a shell (write `sh -c '…'` for
    /// one), with TOKENDECK_ACCOUNT, TOKENDECK_EVENT, TOKENDECK_EXPIRES_AT, TOKENDECK_MESSAGE set; an
    /// empty COMMAND (`--on refreshed=`) removes the hook
    #[arg(long = "on", value_name = "EVENT=COMMAND")]
    pub on: Vec<crate::store::HookChange>,
    /// How long the provider's refresh tokens live (7d, 90d, 12h), for the forecast of when the
    /// account must be linked again (an empty one removes it: the preset's, if any, applies)
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
    pub refresh_token_lifetime: Option<u64>,
    /// Let `tokendeck daemon --share` hand this account's access token to share.sock, the socket
    /// meant for an ssh forward (`ssh -R`); the refresh token never leaves this machine
    #[arg(long, conflicts_with = "no_share")]
    pub share: bool,
    /// Stop handing this account's access token to share.sock
    #[arg(long)]
    pub no_share: bool,
    /// A git remote the account's tokens are for, HOST[:PORT][/PATH] (repeatable; replaces all
    /// of them; an empty one removes them)
    #[arg(long = "git-host", value_name = "HOST[:PORT][/PATH]", value_parser = parse_git_host)]
    pub git_hosts: Vec<String>,
    /// The user name git gets with the token (an empty one: oauth2)
    #[arg(long, value_name = "NAME", value_parser = parse_git_user)]
    pub git_user: Option<String>,
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// The account's name
    pub name: String,
    /// The URL to send the request to [default: the account's API URL]
    pub url: Option<String>,
    /// The HTTP method [default: GET, or POST with -d]
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub method: Option<String>,
    /// A header, 'Name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "K: V")]
    pub headers: Vec<String>,
    /// A request body
    #[arg(short, long, value_name = "DATA")]
    pub data: Option<String>,
}

/// `--preset`'s values are the ids in assets/providers.toml, so that `--help`, completions and
/// the check of what was typed all follow the one list of presets.
fn preset_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Preset::all()
            .into_iter()
            .map(|preset| PossibleValue::new(preset.id).help(preset.name)),
    )
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuthMethodArg {
    Basic,
    Post,
    None,
}

impl From<AuthMethodArg> for AuthMethod {
    fn from(arg: AuthMethodArg) -> Self {
        match arg {
            AuthMethodArg::Basic => AuthMethod::Basic,
            AuthMethodArg::Post => AuthMethod::Post,
            AuthMethodArg::None => AuthMethod::None,
        }
    }
}

/// `7d`, `90d`, `12h` in seconds; an empty one is 0 (for `set`: none).
fn parse_lifetime(raw: &str) -> Result<u64, String> {
    if raw.trim().is_empty() {
        return Ok(0);
    }
    humantime::parse_duration(raw.trim())
        .map(|span| span.as_secs())
        .map_err(|_| format!("{raw:?} is not a duration such as 7d, 90d or 12h"))
}

/// A mail user is written into the SASL string between \x01 separators: no control character
/// may stand in it.
fn parse_mail_user(raw: &str) -> Result<String, String> {
    let user = raw.trim();
    match user.chars().any(char::is_control) {
        true => Err(format!(
            "{raw:?} has a control character; give an address such as me@example.com"
        )),
        false => Ok(user.to_string()),
    }
}

/// A `--git-host` pattern, checked as the store reads it; an empty one is kept (for `set`: none).
fn parse_git_host(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Ok(String::new());
    }
    crate::store::git::GitHost::parse(raw)
        .map(|_| raw.trim().to_string())
        .map_err(|why| format!("{raw:?} is not a git remote: {why}"))
}

/// A `--git-user`: one line of git's protocol, so no control character.
fn parse_git_user(raw: &str) -> Result<String, String> {
    match raw.chars().any(char::is_control) {
        true => Err("a git user name cannot hold a control character".into()),
        false => Ok(raw.to_string()),
    }
}

fn parse_param(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("{raw:?} is not KEY=VALUE")),
    }
}

impl Command {
    /// Commands one thread serves: those that do little and are called often by scripts, and the
    /// daemon, which mostly sleeps (its refreshes are network waits, and one thread keeps its
    /// memory and idle wake-ups lowest; benches/daemon_scale.sh measures it).
    pub fn on_one_thread(&self) -> bool {
        self.is_quick() || matches!(self, Command::Daemon(_))
    }

    /// Commands that only read and print: a closed pipe (`| head`) may end them at once, as it
    /// ends any Unix filter, for nothing they do is left half done by that. The others (a
    /// refresh, a link, the daemon, the TUI) see a closed pipe as an error instead, and finish.
    pub fn only_prints(&self) -> bool {
        matches!(
            self,
            Command::List { .. }
                | Command::Status { .. }
                | Command::Inspect { .. }
                | Command::Log { .. }
                | Command::Completions { .. }
                | Command::Man
        )
    }

    /// Commands that do little and are called often by scripts.
    pub fn is_quick(&self) -> bool {
        matches!(
            self,
            Command::Token { .. } | Command::Status { .. } | Command::List { .. }
        )
    }
}

#[cfg(test)]
mod tests;
