//! The `tokendeck` binary: parses arguments and hands over to the library.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use futures_util::FutureExt;
use tokendeck::cli::{Agent, AgentToken, Cli, CliError, Command, ExitStatus};
use tokendeck::store::{Home, Store};
use tokendeck::text::{Lines, printable};

fn main() -> ExitCode {
    // Before anything holds a secret: no core file, no ptrace, no /proc reading of this process.
    match tokendeck::cli::no_dumps::forbid_core_dumps() {
        Ok(()) => {}
        Err(e @ tokendeck::cli::no_dumps::DumpsNotOff::Dumpable(_)) => {
            eprintln!("tokendeck: warning: {e}");
        }
        Err(e) => {
            eprintln!("tokendeck: {e}");
            return ExitCode::from(ExitStatus::Failure as u8);
        }
    }
    let args: Vec<_> = std::env::args_os().collect();
    let home_env = std::env::var_os("TOKENDECK_HOME");
    let cli = match tokendeck::cli::quick::token_command(&args, home_env.as_deref()) {
        Some(cli) => cli,
        None => Cli::parse_from(args),
    };
    if cli.command.as_ref().is_some_and(Command::only_prints) {
        sigpipe::reset();
    }
    // What scripts and mail clients call many times a minute, with a daemon running: answered
    // from its agent before a runtime is started, which would be most of the time it takes. The
    // agent's socket is found from the home's path alone; the home is resolved (and checked) only
    // when no agent answers and the keyring is read. One that cannot be used is said by the
    // command as usual, unless an agent (TOKENDECK_AGENT's needs no home) answered.
    let mut no_agent_on = None;
    if let Some(name) = tokendeck::cli::quick::plain_token(&cli) {
        match tokendeck::cli::token_from_agent(cli.home.as_deref(), name) {
            AgentToken::Printed => return ExitCode::SUCCESS,
            AgentToken::Failed(e) => return exit_code(&Err(e)),
            AgentToken::NoAgent => no_agent_on = Home::resolve(cli.home.as_deref()).ok(),
        }
    }
    // `token` is what scripts call most, usually for a fresh token read from the keyring: one
    // thread does it, without starting (and joining) a worker per core. The rest gets the
    // multi-thread runtime (the TUI, its engine, links racing a browser against a paste). The
    // daemon too gets one thread: it mostly sleeps.
    let runtime = if cli.command.as_ref().is_some_and(Command::on_one_thread) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Runtime::new()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tokendeck: cannot start: {e}");
            return ExitCode::from(ExitStatus::Failure as u8);
        }
    };
    let one_shot = cli
        .command
        .as_ref()
        .is_some_and(|c| !matches!(c, Command::Daemon(_)));
    let result = match (cli.command, no_agent_on) {
        (Some(command), Some(home)) => {
            runtime.block_on(tokendeck::cli::run_in(home, command, Agent::NoneListens))
        }
        (Some(command), None) => runtime.block_on(tokendeck::cli::run(cli.home, command)),
        (None, _) if cli.demo => runtime.block_on(tokendeck::cli::demo(cli.home, cli.demo_ttl)),
        (None, _) => runtime.block_on(tui(cli.home)),
    };
    let code = exit_code(&result);
    // The command's output is written: now the hooks it set off run to their end (each bounded
    // by its timeout), unless a signal stops it. The TUI and the daemon do not wait for theirs:
    // they end them (TERM, then KILL), and so does a command a signal stopped, so that nothing
    // they started outlives them unbounded.
    if one_shot && !result.as_ref().is_err_and(CliError::is_stop) {
        runtime.block_on(tokendeck::cli::stop::finish_hooks());
    } else {
        runtime.block_on(tokendeck::app::hooks::stop());
    }
    // A read of stdin may still be blocked; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

/// The exit code of a command's result, its error said on stderr.
fn exit_code(result: &Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages carry provider text (error descriptions, scopes): escaped for the terminal.
            // Never a panic when stderr is gone with its terminal.
            if !e.says_nothing() {
                let message = e.to_string();
                let line = printable(&message, Lines::One);
                let _ = writeln!(std::io::stderr(), "tokendeck: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The TUI on this home; the command line says afterwards what became of the refreshes it
/// started, however it ended — even by a panic. Here, where the fronts are picked, because the
/// TUI and the command line are side by side and name nothing of each other.
async fn tui(home: Option<PathBuf>) -> Result<(), CliError> {
    let store = Arc::new(Store::new(Home::resolve(home.as_deref())?));
    let ran = std::panic::AssertUnwindSafe(tokendeck::tui::run(store, Default::default()))
        .catch_unwind()
        .await;
    tokendeck::cli::stop::after_tui().await;
    ran.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(|e| CliError::Io(format!("the terminal failed: {e}")))
}
