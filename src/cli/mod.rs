//! The command line: the arguments (clap), and the subcommands scripts use, one file per verb
//! group. stdout carries only the data asked for; messages go to stderr; the exit code says what
//! kind of failure it was (see [`ExitStatus`]).

mod accounts;
mod args;
pub mod daemon;
mod error;
mod exec;
mod git_credential;
mod grant_watch;
mod inspect;
mod link;
mod log;
mod man;
pub mod no_dumps;
mod notify;
pub mod quick;
pub mod service;
mod set;
mod shared;
mod show;
pub mod stop;
mod systemd;
mod token_format;
mod tokens;
pub mod words;

use std::path::PathBuf;
use std::sync::Arc;

pub use args::{
    AddArgs, AuthMethodArg, CallArgs, Cli, Command, DEMO_TTL, DaemonArgs, EXIT_CODES, Example,
    ExecArgs, SetArgs, examples,
};
pub use error::{CliError, ExitStatus};
pub use token_format::TokenFormat;
pub use tokens::{Agent, AgentToken, token_from_agent};

use crate::app::link::LinkWay;
use crate::store::{Home, Store};

/// Runs a subcommand.
pub async fn run(home: Option<PathBuf>, command: Command) -> Result<(), CliError> {
    if let Command::Completions { shell } = command {
        let mut cli = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(shell, &mut cli, "tokendeck", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::Man = command {
        return man::print();
    }
    run_in(Home::resolve(home.as_deref())?, command, Agent::AskFirst).await
}

/// Runs a subcommand on a home already resolved (and found safe); `agent`: whether a token is
/// asked of the agent first, or this process knows none listens.
pub async fn run_in(home: Home, command: Command, agent: Agent) -> Result<(), CliError> {
    let store = Arc::new(Store::new(home));
    match command {
        // It has its own way of stopping.
        Command::Daemon(args) if !args.install && !args.uninstall => {
            let socket = args.socket_path.clone();
            daemon::run(
                store,
                !args.no_notify,
                args.max_per_endpoint.into(),
                socket,
                args.share,
            )
            .await
        }
        // It passes the stopping signals on to its command instead.
        Command::Exec(args) => exec::exec(&store, args).await,
        command => stop::interruptible(one_shot(store, command, agent)).await,
    }
}

async fn one_shot(store: Arc<Store>, command: Command, agent: Agent) -> Result<(), CliError> {
    match command {
        Command::Add(args) => accounts::add(&store, args).await,
        Command::Set(args) => set::set(&store, args).await,
        Command::Show { name, json } => show::show(&store, &name, json).await,
        Command::Link {
            name,
            no_browser,
            no_qr,
            device,
            no_device,
        } => {
            let account = store.account(&name)?;
            let way = match (device, no_device) {
                (true, _) => LinkWay::Device,
                (false, true) => LinkWay::by_url(&account),
                (false, false) => LinkWay::default_for(&account),
            };
            let show = link::Show {
                browser: !no_browser,
                qr: !no_qr,
            };
            link::link(&store, &name, way, show).await
        }
        Command::List { json } => accounts::list(&store, json),
        Command::Status { name, json } => accounts::status(&store, name.as_deref(), json),
        Command::Inspect {
            name,
            json,
            introspect,
        } => inspect::inspect(&store, &name, json, introspect).await,
        Command::Token { name, format, json } => {
            let format = if json { TokenFormat::Json } else { format };
            tokens::token(&store, &name, format, agent).await
        }
        Command::Refresh { name } => tokens::refresh(&store, &name).await,
        Command::GitCredential { operation } => {
            git_credential::git_credential(&store, operation.as_deref().unwrap_or_default()).await
        }
        Command::Call(args) => tokens::call(&store, args).await,
        Command::Log { name, follow, json } => {
            log::log(&store, name.as_deref(), follow, json).await
        }
        Command::Remove { name, keep_grant } => accounts::remove(&store, &name, !keep_grant).await,
        Command::Daemon(args) if args.install => {
            service::install(store.home(), args.force, &service::daemon_options(&args)?)
        }
        Command::Daemon(args) => service::uninstall(store.home(), args.force),
        Command::Completions { .. } | Command::Man | Command::Exec(_) => Ok(()),
    }
}

/// The demo: `tokendeck --demo`.
pub async fn demo(home: Option<PathBuf>, ttl: u64) -> Result<(), CliError> {
    crate::demo::run(home, std::time::Duration::from_secs(ttl))
        .await
        .map_err(|e| CliError::Io(e.to_string()))
}
