//! The `tokendeck` binary: parses arguments and hands over to the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

const USAGE: &str = "\
tokendeck — a terminal account manager for OAuth 2.0

Usage:
  tokendeck --version    print the version
  tokendeck --help       print this help

The account manager itself (TUI and subcommands) is not built yet; the OAuth library is.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version" | "-V") => {
            println!("tokendeck {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        None | Some("--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("tokendeck: unknown argument {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
