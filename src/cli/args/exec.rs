//! `exec`'s arguments: the account, the variables its tokens go in, the command.

use clap::Args;

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The account whose token the command gets in TOKENDECK_TOKEN (or in the one --env VAR
    /// without an account)
    pub name: Option<String>,
    /// VAR: the named account's token goes in VAR instead; VAR=ACCOUNT: ACCOUNT's token goes in
    /// VAR too (repeatable, for several accounts)
    #[arg(long, value_name = "VAR[=ACCOUNT]")]
    pub env: Vec<String>,
    /// The command and its arguments, after `--`
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}
