//! The `tokendeck` binary: parses arguments and hands over to the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tokendeck::cli::{Cli, ExitStatus};
use tokendeck::text::{Lines, printable};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tokendeck: cannot start: {e}");
            return ExitCode::from(ExitStatus::Failure as u8);
        }
    };
    let result = match cli.command {
        Some(command) => runtime.block_on(tokendeck::cli::run(cli.home, command)),
        None if cli.demo => runtime.block_on(tokendeck::cli::demo(cli.home, cli.demo_ttl)),
        None => runtime.block_on(tokendeck::cli::tui(cli.home)),
    };
    // A read of stdin may still be blocked; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages carry provider text (error descriptions, scopes): escaped for the terminal.
            let message = e.to_string();
            eprintln!("tokendeck: {}", printable(&message, Lines::One));
            ExitCode::from(e.exit_status() as u8)
        }
    }
}
