//! The daemon's words: a line for the journal per engine event, and the desktop notification of
//! an account that needs the user.

use crate::app::EngineEvent;
use crate::store::Store;
use crate::text::{Lines, printable};

/// How much a line matters, as journald reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// What to tell the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
}

/// What systemd shows of the daemon (`systemctl --user status tokendeck`): how many accounts it
/// keeps fresh, and where it answers tokens.
pub fn supervisor_status(accounts: usize, socket: &std::path::Path) -> String {
    format!(
        "keeping {accounts} account{} fresh; answering tokens on {}",
        if accounts == 1 { "" } else { "s" },
        socket.display()
    )
}

/// systemd's notification socket did not take a message: under `Type=notify`, a missing
/// `READY=1` makes systemd stop the service after its start timeout.
pub fn supervisor_failed(error: &std::io::Error) -> String {
    format!(
        "could not tell systemd how the daemon is doing through $NOTIFY_SOCKET ({error}); if systemd started this daemon as `Type=notify`, it may stop it: run `systemctl --user status tokendeck` to see"
    )
}

/// An engine event as a diagnostic line; `None` for the start of a refresh (its end says it all).
pub fn engine_event(store: &Store, event: &EngineEvent) -> Option<(Level, String)> {
    let (account, trigger, error) = match event {
        EngineEvent::Started { .. } => return None,
        EngineEvent::AccountsUnreadable { problem, kept } => {
            let text = format!(
                "{}. Meanwhile the daemon keeps the {kept} account{} it had read fresh, and reads the file again once it changes",
                super::store_error(problem).trim_end_matches('.'),
                if *kept == 1 { "" } else { "s" }
            );
            return Some((Level::Error, text));
        }
        EngineEvent::AccountsReadable { accounts } => {
            let text = format!(
                "the accounts file is readable again: keeping {accounts} account{} fresh",
                if *accounts == 1 { "" } else { "s" }
            );
            return Some((Level::Info, text));
        }
        EngineEvent::Finished {
            account,
            trigger,
            error,
        } => (account, trigger, error),
    };
    let trigger = crate::store::Trigger::from(*trigger).label();
    let status = store.status(account);
    Some(match error {
        None => {
            let until = status
                .token
                .and_then(|t| t.expires_at)
                .map(|at| format!(", valid until {}", crate::time::rfc3339(at)))
                .unwrap_or_default();
            (
                Level::Info,
                format!("{account}: refreshed ({trigger}){until}"),
            )
        }
        Some(error) if status.needs_relink => {
            (Level::Error, format!("{account}: needs the user: {error}"))
        }
        Some(error) => (
            Level::Warning,
            format!("{account}: refresh failed ({trigger}): {error}"),
        ),
    })
}

/// The desktop notification of `name`, which needs the user: its grant refused, or its
/// refreshes failing too long.
pub fn notice(name: &str, needs_relink: bool, reason: &str) -> Notice {
    let name = printable(name, Lines::One);
    let reason = printable(reason.trim_end_matches('.'), Lines::One);
    let body = if needs_relink {
        format!("{reason}. Run `tokendeck link {name}`.")
    } else {
        format!(
            "Refreshing has failed for over an hour: {reason}. `tokendeck status {name}` says more; tokendeck keeps trying."
        )
    };
    Notice {
        summary: format!("tokendeck: {name} needs you"),
        // Notification servers may read the body as markup.
        body: body
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    }
}

/// The desktop notification of `name`, whose grant is forecast to end soon: `warning` is the
/// forecast's warning, with the command that links it again.
pub fn grant_ending_notice(name: &str, warning: &str) -> Notice {
    let name = printable(name, Lines::One);
    Notice {
        summary: format!("tokendeck: link {name} again soon"),
        body: printable(warning, Lines::One)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    }
}
