//! `link`: the authorization URL alone on one stdout line (for scripts), a QR code and directions
//! on stderr (for people); completes through the loopback listener when the callback URL is a
//! loopback one, and otherwise — or meanwhile — from what is pasted on stdin. A failure at the
//! listener ends the link; a paste that does not work is explained and another awaited, unless no
//! paste could fix it. `link --device`: the verification URL on stdout, the user code and a QR
//! code of the URL on stderr, and the provider polled until the user approves anywhere.

use std::io::Write;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::{CliError, persistence, warn_about_keyring};
use crate::app::{DeviceLink, Link};
use crate::oauth::{Error, Tokens};
use crate::store::Store;
use crate::text::{Lines, printable};
use crate::time::{seconds_left, short_duration};

/// What `link` shows besides the URL.
#[derive(Clone, Copy, Debug)]
pub struct Show {
    /// Try to open the URL in a browser here.
    pub browser: bool,
    /// Print the URL's QR code.
    pub qr: bool,
}

pub async fn link(store: &Arc<Store>, name: &str, show: Show) -> Result<(), CliError> {
    let Show { browser, qr } = show;
    let link = Link::start(store, name, &persistence()).await?;
    warn_about_keyring(store).await;
    let url = link.url();
    // Built by tokendeck from the provider's endpoint: plain ASCII, escaped all the same.
    println!("{}", printable(url, Lines::One));
    let _ = std::io::stdout().flush();

    let drawn = qr && print_qr(url);
    let scan = if drawn { " (or scan the code)" } else { "" };
    eprintln!("\nOpen the URL above in a browser{scan} and approve access.");
    match link.listening() {
        Some(addr) => eprintln!(
            "Waiting for the browser on {addr} — or paste the code or the address the browser lands on, then press Enter."
        ),
        None => eprintln!(
            "Then paste the code, or the whole address the browser lands on, and press Enter."
        ),
    }
    if browser && !crate::browser::open(url) {
        let phone = if drawn {
            ", or scan the code with a phone"
        } else {
            ""
        };
        eprintln!("(No browser could be opened here: copy the URL{phone}.)");
    }

    let tokens = complete(&link).await?;
    link.finish(store, &tokens).await?;
    say_linked(name, &tokens);
    Ok(())
}

/// The device grant: the URL to open on stdout, the code and a QR code on stderr, then the wait.
pub async fn link_device(store: &Arc<Store>, name: &str, show: Show) -> Result<(), CliError> {
    let link = DeviceLink::start(store, name, &persistence()).await?;
    warn_about_keyring(store).await;
    let authorization = link.authorization();
    // Refused already if it held a control character; escaped all the same.
    let url = authorization.url_to_open();
    println!("{}", printable(url, Lines::One));
    let _ = std::io::stdout().flush();
    let drawn = show.qr && print_qr(url);
    let scan = if drawn {
        " (or scan the code with a phone)"
    } else {
        ""
    };
    let code = printable(authorization.user_code(), Lines::One);
    match authorization.verification_uri_complete() {
        Some(_) => eprintln!(
            "\nOpen the URL above on any device{scan}, check that it shows the code {code}, and approve."
        ),
        None => eprintln!("\nOpen the URL above on any device{scan} and enter the code {code}."),
    }
    eprintln!(
        "Waiting for the approval; the code expires in {}.",
        short_duration(seconds_left(authorization.expires_at(), SystemTime::now()))
    );
    if show.browser && !crate::browser::open(url) {
        eprintln!("(No browser could be opened here: open the URL on another device.)");
    }
    let tokens = link.complete().await.map_err(|e| link.failed(e))?;
    link.finish(store, &tokens).await?;
    say_linked(name, &tokens);
    Ok(())
}

/// Prints `url`'s QR code on stderr; whether it fitted in one.
fn print_qr(url: &str) -> bool {
    match crate::qr::half_blocks(url) {
        Some(lines) => {
            eprintln!();
            for line in lines {
                eprintln!("  {line}");
            }
            true
        }
        None => false,
    }
}

fn say_linked(name: &str, tokens: &Tokens) {
    let left = tokens
        .expires_at()
        .map(|at| {
            format!(
                "; the access token expires in {}",
                short_duration(seconds_left(at, SystemTime::now()))
            )
        })
        .unwrap_or_default();
    eprintln!("Linked {name:?}{left}.");
}

/// Waits for whichever comes first: the browser at the listener, or a paste that works. A paste
/// that does not work is explained and another is awaited, as long as another could work.
async fn complete(link: &Link) -> Result<Tokens, CliError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut last_error: Option<Error> = None;
    // One wait for the whole loop: dropping it midway would drop a browser that just arrived.
    let browser = link.from_browser();
    tokio::pin!(browser);
    loop {
        tokio::select! {
            result = &mut browser => return result.map_err(|e| link.failed(e).into()),
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => match link.from_paste(&line).await {
                    Ok(tokens) => return Ok(tokens),
                    Err(e) if !Link::paste_can_fix(&e) => return Err(link.failed(e).into()),
                    Err(e) => {
                        eprintln!("tokendeck: {}", printable(&e.to_string(), Lines::One));
                        eprintln!("Paste again, or press Ctrl-C to give up.");
                        last_error = Some(e);
                    }
                },
                Ok(None) | Err(_) => {
                    stdin_open = false;
                    if link.listening().is_none() {
                        return Err(match last_error {
                            Some(e) => link.failed(e).into(),
                            None => CliError::Usage("nothing was pasted before standard input ended".into()),
                        });
                    }
                }
            },
        }
    }
}
