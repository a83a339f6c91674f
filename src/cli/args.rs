//! The command line's arguments (clap): the subcommands, their options, their help, and the exit
//! codes `--help` lists.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod account;
mod examples;
mod exec;
mod help;

pub use account::{AddArgs, AuthMethodArg, SetArgs};
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
    /// macOS), with the daemon options given beside it, and print the command that starts it
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
    #[arg(long, conflicts_with = "uninstall")]
    pub share: bool,
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
