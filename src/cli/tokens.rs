//! `token`, `refresh`, `call`: using an account's tokens from scripts.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::shared::{persistence, warn_about_keyring};
use super::token_format::{Handed, TokenFormat, scopes};
use super::words::agent::{AGENT_VAR, AgentFailed};
use super::words::said;
use super::{CallArgs, CliError};
use crate::agent::client::{AskError, ask};
use crate::agent::place::{default_socket, home_socket};
use crate::agent::protocol::{Answer, Request};
use crate::app::{open_session, valid_tokens};
use crate::store::{Home, Store};
use crate::text::{Lines, printable};

/// Prints a valid access token in `format` and nothing else: the agent's, when one listens (the
/// one `TOKENDECK_AGENT` names, or the home's daemon's), else read from the keyring here.
pub async fn token(
    store: &Arc<Store>,
    name: &str,
    format: TokenFormat,
    agent: Agent,
) -> Result<(), CliError> {
    let with_email = format == TokenFormat::Xoauth2;
    let mut handed = valid_access_token(store, name, with_email, agent).await?;
    if format.needs_account() {
        // The accounts file says what the token does not: the scopes asked for (which a provider
        // that names none granted) and the mail user set by hand, which wins over the ID token.
        let account = store.account(name)?;
        if handed.scopes.is_empty() {
            handed.scopes = scopes(None, &account.scopes);
        }
        if let Some(user) = account.mail_user.filter(|u| !u.is_empty()) {
            handed.mail_user = Some(user);
        }
    }
    write_data(format.render(&handed, name)?.as_bytes());
    Ok(())
}

/// Whether a command asks the agent for a token: first, as always, or not again, this process
/// having found none listening (`token` looks before its runtime starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agent {
    AskFirst,
    NoneListens,
}

/// A valid access token of `name` (with its ID token's email when `with_email`): the agent's,
/// when one listens (the one `TOKENDECK_AGENT` names, or the home's daemon's), else the
/// keyring's, refreshed first when due. What `token`, `git-credential` and `exec` hand out.
pub(super) async fn valid_access_token(
    store: &Arc<Store>,
    name: &str,
    with_email: bool,
    agent: Agent,
) -> Result<Handed, CliError> {
    let from_agent = match agent {
        Agent::AskFirst => from_agent(Some(store.home()), name)?,
        Agent::NoneListens => None,
    };
    match from_agent {
        Some(handed) => Ok(handed),
        // No daemon, or none with an agent: the keyring, as before there was one.
        None => Ok(Handed::of(
            &valid_tokens(store, name, &persistence()).await?,
            with_email,
        )),
    }
}

/// The agent's token for `name`; `None` when no agent listens and none was named, so the caller
/// reads the keyring. With `TOKENDECK_AGENT` there is no fallback: no agent is an error.
/// `home` only says where the home's own agent listens: without one (a home that cannot be used),
/// only the agent `TOKENDECK_AGENT` names is asked — the far side of an ssh forward needs none.
fn from_agent(home: Option<&Home>, name: &str) -> Result<Option<Handed>, CliError> {
    from_agent_at(|| home.map(default_socket), name)
}

/// [`from_agent`], with the home's socket found by `home_socket` (`None`: no home of use) when
/// `TOKENDECK_AGENT` names none.
fn from_agent_at(
    home_socket: impl FnOnce() -> Option<PathBuf>,
    name: &str,
) -> Result<Option<Handed>, CliError> {
    let named = std::env::var_os(AGENT_VAR).filter(|v| !v.is_empty());
    let socket = match &named {
        Some(named) => PathBuf::from(named),
        None => match home_socket() {
            Some(socket) => socket,
            None => return Ok(None),
        },
    };
    let request = Request::Token {
        account: name.to_string(),
    };
    let handed = match ask(&socket, &request) {
        Ok(Answer::Token {
            access_token,
            token_type,
            expires_at,
            scope,
            email,
        }) => Handed {
            access_token,
            token_type,
            expires_at,
            scopes: scope.map_or_else(Vec::new, |s| scopes(Some(&s), &[])),
            mail_user: email,
        },
        Ok(Answer::Error { code, message }) => {
            return Err(AgentFailed::Refused { code, message }.into());
        }
        Ok(_) => {
            let cause = "it answered something else than a token".to_string();
            return Err(AgentFailed::NoAnswer { socket, cause }.into());
        }
        Err(AskError::NoAgent(_)) if named.is_none() => return Ok(None),
        Err(AskError::NoAgent(e)) => {
            let cause = e.to_string();
            return Err(AgentFailed::NoAgent { socket, cause }.into());
        }
        Err(AskError::NoAnswer(cause)) => {
            return Err(AgentFailed::NoAnswer { socket, cause }.into());
        }
        Err(AskError::NotOurs { uid }) => {
            return Err(AgentFailed::NotOurs { socket, uid }.into());
        }
    };
    Ok(Some(handed))
}

/// What became of `token NAME` asked of the agent before any async runtime starts.
pub enum AgentToken {
    /// The agent's token is printed.
    Printed,
    /// The agent (or the socket `TOKENDECK_AGENT` names) answered no token: the command's error.
    Failed(CliError),
    /// No agent listens, and none was named: the command runs as usual, on the keyring.
    NoAgent,
}

/// `tokendeck [--home DIR] token NAME` (plain, as [`super::quick::plain_token`] finds it)
/// answered by the agent: the one `TOKENDECK_AGENT` names, or that of the home in `home_dir`
/// (the default home: `None`), found without opening the home. A home that cannot be used asks
/// no agent of its own, and is said when the command then runs on the keyring.
pub fn token_from_agent(home_dir: Option<&Path>, name: &str) -> AgentToken {
    let printed = from_agent_at(|| home_socket(home_dir), name).and_then(|handed| match handed {
        Some(handed) => TokenFormat::Plain
            .render(&handed, name)
            .map(|text| write_data(text.as_bytes()))
            .map(|()| AgentToken::Printed)
            .map_err(CliError::from),
        None => Ok(AgentToken::NoAgent),
    });
    printed.unwrap_or_else(AgentToken::Failed)
}

pub async fn refresh(store: &Arc<Store>, name: &str) -> Result<(), CliError> {
    warn_about_keyring(store).await;
    let tokens = crate::app::refresh(store, name, &persistence()).await?;
    eprintln!(
        "{}",
        said::refreshed(name, &tokens, std::time::SystemTime::now())
    );
    Ok(())
}

/// The largest answer `call` reads; a larger one is refused, not buffered.
pub const CALL_BODY_LIMIT: usize = 16 << 20;

/// Sends one request with the account's token; the body goes to stdout as it came (escaped when
/// stdout is a terminal).
pub async fn call(store: &Arc<Store>, args: CallArgs) -> Result<(), CliError> {
    let name = &args.name;
    let url = match args.url {
        Some(url) => url,
        None => store.account(name)?.api_url.ok_or_else(|| {
            CliError::Usage(format!(
                "{name:?} has no API URL, so `call` needs one: `tokendeck call {name} URL`, or set the account's with `tokendeck set {name} --api-url URL`"
            ))
        })?,
    };
    // Before anything else: a token must never leave for a URL the policy forbids.
    let url = crate::oauth::url_policy::parse(crate::oauth::url_policy::UrlRole::Api, &url)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let session = open_session(store, &args.name, &persistence()).await?;
    if session.tokens().is_none() {
        return Err(crate::app::AccountError::NotLinked(args.name).into());
    }
    let method = args
        .method
        .as_deref()
        .unwrap_or(if args.data.is_some() { "POST" } else { "GET" });
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::Usage(format!("{method:?} is not an HTTP method")))?;
    let mut request = session.http().request(method, url);
    for header in &args.headers {
        let (key, value) = header
            .split_once(':')
            .ok_or_else(|| CliError::Usage(format!("header {header:?} is not 'Name: value'")))?;
        request = request.header(key.trim(), value.trim());
    }
    if let Some(data) = args.data {
        request = request.body(data);
    }
    let response = session.send(request).await?;
    let status = response.status();
    let body = session.read_body(response, CALL_BODY_LIMIT).await?;
    write_data(&body);
    if status.is_client_error() || status.is_server_error() {
        return Err(CliError::ApiStatus(status));
    }
    Ok(())
}

/// Writes what came from the server to stdout: byte for byte to a pipe or a file, where it is
/// data; escaped on a terminal, which would obey the control sequences in it.
fn write_data(bytes: &[u8]) {
    let mut stdout = std::io::stdout();
    let _ = if stdout.is_terminal() {
        // Bytes that are not UTF-8 are shown as U+FFFD: a lone 0x9B byte is CSI to some terminals.
        let text = String::from_utf8_lossy(bytes);
        stdout.write_all(printable(&text, Lines::Many).as_bytes())
    } else {
        stdout.write_all(bytes)
    };
    let _ = stdout.flush();
}
