//! Stopping with a refresh under way, in the command line's words: a command's stderr, the
//! daemon's journal, what the TUI leaves on stderr once the terminal is restored.

use std::time::Duration;

/// "work's refresh", "the refreshes of home and work".
fn refreshes_of(accounts: &[String]) -> String {
    match accounts {
        [one] => format!("{one}'s refresh"),
        [rest @ .., last] => format!("the refreshes of {} and {last}", rest.join(", ")),
        [] => "no refresh".into(),
    }
}

/// What a stop waiting for `accounts` says, and how to stop at once.
pub fn waiting_words(accounts: &[String], patience: Duration, again: &str) -> String {
    format!(
        "waiting for {} to be stored (up to {}); {again} to quit now and lose it",
        refreshes_of(accounts),
        crate::time::short_duration(patience.as_secs())
    )
}

/// What quitting before `accounts`' refreshes were stored loses, and what to do about it; with
/// `patience`, the wait that ran out. Empty when nothing is lost.
pub fn lost_words(accounts: &[String], patience: Option<Duration>) -> String {
    if accounts.is_empty() {
        return String::new();
    }
    let why = match patience {
        Some(patience) => format!(
            "after {}, stopped waiting",
            crate::time::short_duration(patience.as_secs())
        ),
        None => "quit without waiting".into(),
    };
    let link = accounts
        .iter()
        .map(|a| format!("`tokendeck link {a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{why}: {} may be lost. If the provider had already answered, the refresh token tokendeck holds is spent and the grant must be linked again ({link}); the next refresh says whether it was",
        refreshes_of(accounts)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_names_the_accounts_and_the_way_out_and_a_loss_what_to_run() {
        let accounts = ["home".to_string(), "work".to_string()];
        let waiting = waiting_words(
            &accounts[1..],
            Duration::from_secs(33),
            "press Ctrl-C again",
        );
        assert_eq!(
            waiting,
            "waiting for work's refresh to be stored (up to 33s); press Ctrl-C again to quit now and lose it"
        );
        let lost = lost_words(&accounts, None);
        assert!(
            lost.starts_with("quit without waiting: the refreshes of home and work may be lost.")
                && lost.contains("(`tokendeck link home`, `tokendeck link work`)"),
            "{lost}"
        );
        let gave_up = lost_words(&accounts[..1], Some(Duration::from_secs(33)));
        assert!(
            gave_up.starts_with("after 33s, stopped waiting: home's refresh"),
            "{gave_up}"
        );
        assert_eq!(lost_words(&[], None), "", "nothing lost, nothing said");
    }
}
