//! `link`: the authorization URL alone on one stdout line (for scripts), a QR code and directions
//! on stderr (for people); completes through the loopback listener when the callback URL is a
//! loopback one, and otherwise — or meanwhile — from what is pasted on stdin.

use std::io::Write;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::{CliError, persistence, warn_about_keyring};
use crate::format::short_duration;
use crate::oauth::{CallbackListener, Error, Tokens};
use crate::refresh::open_session;
use crate::store::Store;
use crate::text::{Lines, printable};

pub async fn link(store: &Arc<Store>, name: &str, browser: bool, qr: bool) -> Result<(), CliError> {
    let session = open_session(store, name, &persistence()).await?;
    warn_about_keyring(store).await;
    let listener = match url::Url::parse(&session.redirect_uri()) {
        Ok(url) if url.scheme() == "http" && crate::oauth::provider::is_loopback(&url) => {
            Some(session.listen().await?)
        }
        _ => None,
    };
    let url = session.authorize_url();
    println!("{url}");
    let _ = std::io::stdout().flush();

    if qr && let Some(lines) = crate::qr::half_blocks(&url) {
        eprintln!();
        for line in lines {
            eprintln!("  {line}");
        }
    }
    eprintln!("\nOpen the URL above in a browser (or scan the code) and approve access.");
    match &listener {
        Some(l) => eprintln!(
            "Waiting for the browser on {} — or paste the code or the address the browser lands on, then press Enter.",
            l.local_addr()
        ),
        None => eprintln!(
            "Then paste the code, or the whole address the browser lands on, and press Enter."
        ),
    }
    if browser && !crate::browser::open(&url) {
        eprintln!(
            "(No browser could be opened here: copy the URL, or scan the code with a phone.)"
        );
    }

    let tokens = complete(&session, listener.as_ref()).await?;
    store.record_link(name, &tokens)?;
    let left = tokens
        .expires_at()
        .and_then(|at| at.duration_since(SystemTime::now()).ok())
        .map(|d| {
            format!(
                "; the access token expires in {}",
                short_duration(d.as_secs())
            )
        })
        .unwrap_or_default();
    eprintln!("Linked {name:?}{left}.");
    Ok(())
}

/// Waits for whichever comes first: the browser at the listener, or a paste that works. A paste
/// that does not work is explained and another is awaited.
async fn complete(
    session: &crate::oauth::Session,
    listener: Option<&CallbackListener>,
) -> Result<Tokens, CliError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut last_error: Option<Error> = None;
    // One wait for the whole loop: dropping it midway would drop a browser that just arrived.
    let browser = browser(session, listener);
    tokio::pin!(browser);
    loop {
        tokio::select! {
            result = &mut browser => return result.map_err(CliError::from),
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => match session.token(&line).await {
                    Ok(tokens) => return Ok(tokens),
                    Err(e) => {
                        eprintln!("tokendeck: {}", printable(&e.to_string(), Lines::One));
                        eprintln!("Paste again, or press Ctrl-C to give up.");
                        last_error = Some(e);
                    }
                },
                Ok(None) | Err(_) => {
                    stdin_open = false;
                    if listener.is_none() {
                        return Err(match last_error {
                            Some(e) => e.into(),
                            None => CliError::Usage("nothing was pasted before standard input ended".into()),
                        });
                    }
                }
            },
        }
    }
}

/// The browser's arrival at the listener; never, without one.
async fn browser(
    session: &crate::oauth::Session,
    listener: Option<&CallbackListener>,
) -> Result<Tokens, Error> {
    match listener {
        Some(listener) => session.wait_for_callback(listener).await,
        None => std::future::pending().await,
    }
}
