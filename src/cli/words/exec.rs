//! What `tokendeck exec` says when it cannot run the command.

use std::ffi::OsStr;

pub fn no_command() -> String {
    "no command to run: put it after `--`, e.g. `tokendeck exec work -- curl …`".into()
}

pub fn no_account() -> String {
    "whose token? name an account (`tokendeck exec work -- COMMAND`) or give --env VAR=ACCOUNT"
        .into()
}

pub fn bad_variable(item: &str) -> String {
    format!(
        "--env {item:?} is not VAR or VAR=ACCOUNT (a variable name is letters, digits and _, not starting with a digit)"
    )
}

pub fn two_bare_vars() -> String {
    "only one --env VAR without an account can take the named account's token; write the others as VAR=ACCOUNT".into()
}

pub fn bare_var_without_name() -> String {
    "--env VAR without an account needs the account named before it: `tokendeck exec work --env VAR -- COMMAND`".into()
}

pub fn twice(var: &str) -> String {
    format!("{var} would get two tokens: give each variable one account")
}

pub fn cannot_start(program: &OsStr, error: &std::io::Error) -> String {
    format!(
        "could not run {:?}: {error}; check the command's name and that it is on PATH",
        program
    )
}

pub fn cannot_catch(error: &std::io::Error) -> String {
    format!("could not catch signals to pass them on ({error}); the command was not run")
}

pub fn lost_child(error: &std::io::Error) -> String {
    format!("lost track of the command ({error}); it may still run")
}
