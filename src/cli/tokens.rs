//! `token`, `refresh`, `call`: using an account's tokens from scripts.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use super::shared::{persistence, warn_about_keyring};
use super::words::said;
use super::{CallArgs, CliError};
use crate::app::{open_session, valid_tokens};
use crate::store::Store;
use crate::text::{Lines, printable};

/// Prints a valid access token and nothing else.
pub async fn token(store: &Arc<Store>, name: &str) -> Result<(), CliError> {
    let tokens = valid_tokens(store, name, &persistence()).await?;
    write_data(format!("{}\n", tokens.access_token()).as_bytes());
    Ok(())
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
