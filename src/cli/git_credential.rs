//! `git-credential get|store|erase`: git's credential helper. `get` answers the access token of
//! the account that claims the remote (refreshed first when due), `store` keeps nothing (the
//! keyring already holds the grant), `erase` marks the token suspect so the next `get` refreshes.
//! Whatever goes wrong, git gets nothing on stdout, one line on stderr and exit status 0, so it
//! goes on to its next helper or its prompt.

mod request;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use super::CliError;
use super::shared::persistence;
use super::token_format::Handed;
use super::tokens::{Agent, valid_access_token};
use super::words::git as words;
use crate::app::git::account_for_remote;
use crate::store::Store;
use request::{REQUEST_LIMIT, Request};

/// Runs one operation. Never an error for git: each is said on stderr here.
pub async fn git_credential(store: &Arc<Store>, operation: &str) -> Result<(), CliError> {
    // Unknown operations are ignored, as gitcredentials(7) asks of helpers (new ones may come).
    if !matches!(operation, "get" | "store" | "erase") {
        return Ok(());
    }
    let request = match read_request() {
        Ok(request) => request,
        Err(why) => return tell(&words::bad_request(&why)),
    };
    if operation == "store" {
        return Ok(());
    }
    let found = match account_for_remote(store, &request.host, request.path.as_deref()) {
        Ok(found) => found,
        Err(e) => return tell(&e.to_string()),
    };
    let Some((name, git)) = found else {
        return Ok(());
    };
    if !request.may_carry_a_token() {
        return tell(&words::not_over(&name, &request.protocol, &request.host));
    }
    if operation == "erase" {
        return match crate::app::mark_suspect(store, &name) {
            Ok(()) => Ok(()),
            Err(e) => tell(&e.to_string()),
        };
    }
    let handed = match token_for_git(store, &name).await {
        Ok(handed) => handed,
        Err(e) => return tell(&words::no_token(&name, &e.to_string())),
    };
    // One line each: a value with a line break in it would add keys of its own to git's answer.
    if git.user().chars().any(char::is_control) {
        return tell(&words::bad_user(&name));
    }
    if handed.access_token.chars().any(char::is_control) {
        return tell(&words::bad_token(&name));
    }
    let mut answer = format!(
        "username={}\npassword={}\n",
        git.user(),
        handed.access_token
    );
    let expires_at = handed.expires_at.as_deref();
    if let Some(at) = expires_at.and_then(|at| humantime::parse_rfc3339_weak(at).ok()) {
        let seconds = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        answer.push_str(&format!("password_expiry_utc={seconds}\n"));
    }
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(answer.as_bytes());
    let _ = stdout.flush();
    Ok(())
}

/// The token `token` would print — the agent's first, when one listens — unless git refused the
/// one held (`erase`): then it is refreshed here, for the agent would hand out the same one.
async fn token_for_git(store: &Arc<Store>, name: &str) -> Result<Handed, CliError> {
    if store.status(name).suspect_since.is_none() {
        return valid_access_token(store, name, false, Agent::AskFirst).await;
    }
    let tokens = crate::app::valid_tokens(store, name, &persistence()).await?;
    Ok(Handed::of(&tokens, false))
}

/// The request on stdin, read to its end but never past the limit.
fn read_request() -> Result<Request, request::BadRequest> {
    let mut bytes = Vec::new();
    let limit = REQUEST_LIMIT as u64 + 1;
    if std::io::stdin()
        .take(limit)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Err(request::BadRequest::NotText);
    }
    request::parse(&bytes)
}

/// One line on stderr, escaped (git shows it to the person), and nothing else: git goes on.
fn tell(line: &str) -> Result<(), CliError> {
    let line = crate::text::printable(line, crate::text::Lines::One);
    let _ = writeln!(std::io::stderr(), "tokendeck git-credential: {line}");
    Ok(())
}
