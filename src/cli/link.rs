//! `link`: drives a [`LinkSession`] and shows its states. The authorization URL alone on one
//! stdout line (for scripts), a QR code and directions on stderr (for people); what is pasted on
//! stdin is handed to the session, which also waits for the browser at its loopback listener.
//! `link --device`: the verification URL on stdout, the user code and a QR code of the URL on
//! stderr, and the session polls the provider until the user approves anywhere.

use std::io::Write;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use super::CliError;
use super::shared::{persistence, warn_about_keyring};
use super::words::said;
use crate::app::AccountError;
use crate::app::link::{LinkEnd, LinkEvent, LinkFailed, LinkSession, LinkWay, Prompt};
use crate::oauth::DeviceAuthorization;
use crate::store::Store;
use crate::text::{Lines, printable};

/// What `link` shows besides the URL.
#[derive(Clone, Copy, Debug)]
pub struct Show {
    /// Try to open the URL in a browser here.
    pub browser: bool,
    /// Print the URL's QR code.
    pub qr: bool,
}

/// Links `name` by `way`, showing the prompt; what is pasted on stdin goes to the session.
pub async fn link(
    store: &Arc<Store>,
    name: &str,
    way: LinkWay,
    show: Show,
) -> Result<(), CliError> {
    let session = match LinkSession::start(store, name, way, &persistence()).await {
        Ok(session) => session,
        // Said as an ended link is, with the way that can work instead.
        Err(AccountError::OAuth(e)) if e.offers_no_device_grant() => {
            return Err(LinkFailed {
                name: name.to_string(),
                way,
                end: LinkEnd::Refused(e),
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    warn_about_keyring(store).await;
    let (tx, pastes) = mpsc::unbounded_channel();
    match session.prompt() {
        Prompt::Url { url, listening } => {
            prompt_url(url, listening, show);
            tokio::spawn(read_pastes(tx));
        }
        // Nothing is pasted: the approval happens elsewhere.
        Prompt::Device(authorization) => prompt_device(authorization, show),
    }
    let tokens = session.run(store, pastes, |event| tell(&event)).await?;
    let now = SystemTime::now();
    eprintln!("{}", said::linked(name, &tokens, now));
    if tokens.refresh_token().is_none()
        && let Ok(account) = store.account(name)
    {
        let advice = crate::app::link::refresh_token_advice(&account);
        let warning = said::no_refresh_token(name, &tokens, now, &advice, &account.params);
        eprintln!("tokendeck: warning: {}", printable(&warning, Lines::One));
    }
    Ok(())
}

/// The authorization URL on stdout, its QR code and what to do on stderr.
fn prompt_url(url: &str, listening: Option<std::net::SocketAddr>, show: Show) {
    // Built by tokendeck from the provider's endpoint: plain ASCII, escaped all the same.
    println!("{}", printable(url, Lines::One));
    let _ = std::io::stdout().flush();
    let drawn = show.qr && print_qr(url);
    for line in said::open_the_url(drawn, listening) {
        eprintln!("{line}");
    }
    if show.browser && !crate::browser::open(url) {
        eprintln!("{}", said::no_browser_for_the_url(drawn));
    }
}

/// The device grant: the URL to open on stdout, the code and a QR code on stderr.
fn prompt_device(authorization: &DeviceAuthorization, show: Show) {
    // Refused already if it held a control character; escaped all the same.
    let url = authorization.url_to_open();
    println!("{}", printable(url, Lines::One));
    let _ = std::io::stdout().flush();
    let drawn = show.qr && print_qr(url);
    for line in said::approve_the_code(authorization, drawn, SystemTime::now()) {
        eprintln!("{line}");
    }
    if show.browser && !crate::browser::open(url) {
        eprintln!("{}", said::NO_BROWSER_FOR_THE_CODE);
    }
}

/// What the session tells while it runs.
fn tell(event: &LinkEvent) {
    match event {
        LinkEvent::PasteRefused(e) => {
            eprintln!("tokendeck: {}", printable(&e.to_string(), Lines::One));
            eprintln!("{}", said::PASTE_AGAIN);
        }
    }
}

/// Hands every line of stdin to the session, until stdin ends.
async fn read_pastes(pastes: mpsc::UnboundedSender<String>) {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if pastes.send(line).is_err() {
            return;
        }
    }
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
