//! `exec`: runs a command with accounts' access tokens in its environment, as aws-vault's `exec`
//! does — each refreshed first when due (or the agent's, when one listens, as for `token`), the
//! command's stdio its own, its exit status ours (128 and the signal's number when a signal ended
//! it), and the stopping signals tokendeck gets passed on to it. Nothing else secret enters its
//! environment: no refresh token, ID token or client secret, only the access tokens asked for.

use std::ffi::OsString;
use std::sync::Arc;

use super::tokens::Agent;
use super::words::exec as words;
use super::{CliError, ExecArgs};
use crate::signals::{Signal, Signals};
use crate::store::Store;

/// The variable a command gets the token in when `--env` names none.
pub const DEFAULT_VAR: &str = "TOKENDECK_TOKEN";

/// Which variable gets which account's token: `NAME` alone → `TOKENDECK_TOKEN`; `--env VAR` →
/// NAME's in VAR; `--env VAR=ACCOUNT` → ACCOUNT's in VAR (repeatable, for several accounts).
pub fn plan(name: Option<&str>, env: &[String]) -> Result<Vec<(String, String)>, CliError> {
    let mut plan = Vec::new();
    let mut named_var = None;
    for item in env {
        let (var, account) = match item.split_once('=') {
            Some((var, account)) => (var, Some(account)),
            None => (item.as_str(), None),
        };
        if !is_variable_name(var) {
            return Err(CliError::Usage(words::bad_variable(item)));
        }
        match account {
            Some("") => return Err(CliError::Usage(words::bad_variable(item))),
            Some(account) => plan.push((var.to_string(), account.to_string())),
            None if named_var.is_some() => return Err(CliError::Usage(words::two_bare_vars())),
            None => named_var = Some(var.to_string()),
        }
    }
    match (name, named_var) {
        (Some(name), var) => plan.insert(
            0,
            (var.unwrap_or_else(|| DEFAULT_VAR.into()), name.to_string()),
        ),
        (None, Some(_)) => return Err(CliError::Usage(words::bare_var_without_name())),
        (None, None) if plan.is_empty() => return Err(CliError::Usage(words::no_account())),
        (None, None) => {}
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some((var, _)) = plan.iter().find(|(var, _)| !seen.insert(var.clone())) {
        return Err(CliError::Usage(words::twice(var)));
    }
    Ok(plan)
}

fn is_variable_name(var: &str) -> bool {
    let mut chars = var.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Gets the tokens, then runs the command to its end.
pub async fn exec(store: &Arc<Store>, args: ExecArgs) -> Result<(), CliError> {
    let Some((program, program_args)) = args.command.split_first() else {
        return Err(CliError::Usage(words::no_command()));
    };
    let plan = plan(args.name.as_deref(), &args.env)?;
    // Every token before the command starts: one that cannot be had stops it from running.
    let mut vars: Vec<(String, String)> = Vec::new();
    super::stop::interruptible(async {
        for (var, account) in &plan {
            let handed =
                super::tokens::valid_access_token(store, account, false, Agent::AskFirst).await?;
            vars.push((var.clone(), handed.access_token));
        }
        Ok(())
    })
    .await?;
    run(program, program_args, vars).await
}

/// Runs the command; its end is ours.
async fn run(
    program: &OsString,
    args: &[OsString],
    vars: Vec<(String, String)>,
) -> Result<(), CliError> {
    // Caught before the child starts, so none can end tokendeck and leave the child alone.
    let mut signals = Signals::catch().map_err(|e| CliError::Io(words::cannot_catch(&e)))?;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .envs(vars)
        .spawn()
        .map_err(|e| CliError::Usage(words::cannot_start(program, &e)))?;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            signal = signals.next() => pass_on(child.id(), signal),
        }
    }
    .map_err(|e| CliError::Io(words::lost_child(&e)))?;
    match exit_code(status) {
        0 => Ok(()),
        code => Err(CliError::CommandEnded(code)),
    }
}

/// The command's status as a shell reports it: its exit code, or 128 and the signal's number.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return u8::try_from(128 + signal).unwrap_or(u8::MAX);
    }
    status.code().map_or(1, |code| (code & 0xff) as u8)
}

#[cfg(unix)]
fn pass_on(pid: Option<u32>, signal: Signal) {
    use rustix::process::{Pid, Signal as Sig, kill_process};
    let Some(pid) = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(Pid::from_raw)
    else {
        return;
    };
    let signal = match signal {
        Signal::Interrupt => Sig::INT,
        Signal::Terminate => Sig::TERM,
        Signal::HangUp => Sig::HUP,
    };
    // Gone already: its status is on its way.
    let _ = kill_process(pid, signal);
}

#[cfg(not(unix))]
fn pass_on(_pid: Option<u32>, _signal: Signal) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(name: Option<&str>, env: &[&str]) -> Vec<(String, String)> {
        let env: Vec<String> = env.iter().map(|e| e.to_string()).collect();
        plan(name, &env).unwrap()
    }

    fn pair(var: &str, account: &str) -> (String, String) {
        (var.into(), account.into())
    }

    #[test]
    fn the_account_named_alone_goes_in_tokendeck_token() {
        assert_eq!(ok(Some("work"), &[]), [pair("TOKENDECK_TOKEN", "work")]);
        assert_eq!(ok(Some("work"), &["GH_TOKEN"]), [pair("GH_TOKEN", "work")]);
    }

    #[test]
    fn several_accounts_each_get_their_variable() {
        assert_eq!(
            ok(None, &["GH=github", "API=work"]),
            [pair("GH", "github"), pair("API", "work")]
        );
        assert_eq!(
            ok(Some("work"), &["GH=github"]),
            [pair("TOKENDECK_TOKEN", "work"), pair("GH", "github")]
        );
    }

    #[test]
    fn plans_that_cannot_be_meant_are_usage_errors() {
        let bad = |name: Option<&str>, env: &[&str]| {
            let env: Vec<String> = env.iter().map(|e| e.to_string()).collect();
            plan(name, &env).unwrap_err().exit_status()
        };
        for (name, env) in [
            (None, &[][..]),
            (None, &["GH"][..]),
            (Some("w"), &["1X=a"][..]),
            (Some("w"), &["A B=a"][..]),
            (Some("w"), &["GH="][..]),
            (Some("w"), &["A", "B"][..]),
            (Some("w"), &["TOKENDECK_TOKEN=other"][..]),
        ] {
            assert_eq!(
                bad(name, env),
                super::super::ExitStatus::Usage,
                "{name:?} {env:?}"
            );
        }
    }
}
