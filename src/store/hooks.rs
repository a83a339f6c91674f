//! Event hooks as the accounts file keeps them: a home-wide `[hooks]` table and one per account,
//! event name → command line. Only configuration lives here; running a hook is the
//! application's work (`app::hooks`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What happened to an account, in the words the accounts file and `--on` use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookEvent {
    /// New tokens were stored after a refresh this process made.
    Refreshed,
    /// A refresh this process made failed (whatever the reason, a dead grant included).
    RefreshFailed,
    /// A refresh failed because the provider refused the grant: only a new link helps.
    NeedsRelink,
    Linked,
    Removed,
}

impl HookEvent {
    pub const ALL: [HookEvent; 5] = [
        HookEvent::Refreshed,
        HookEvent::RefreshFailed,
        HookEvent::NeedsRelink,
        HookEvent::Linked,
        HookEvent::Removed,
    ];

    /// The name the file, the command line and `TOKENDECK_EVENT` use.
    pub fn name(self) -> &'static str {
        match self {
            HookEvent::Refreshed => "refreshed",
            HookEvent::RefreshFailed => "refresh-failed",
            HookEvent::NeedsRelink => "needs-relink",
            HookEvent::Linked => "linked",
            HookEvent::Removed => "removed",
        }
    }
}

impl fmt::Display for HookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an `--on EVENT=COMMAND` (or a hook in the file) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error(
        "{0:?} is not a hook event: use one of refreshed, refresh-failed, needs-relink, linked, removed"
    )]
    UnknownEvent(String),
    #[error(
        "{0:?} is not EVENT=COMMAND (an empty COMMAND, as in `--on refreshed=`, removes the hook)"
    )]
    NotAnAssignment(String),
    #[error(
        "the {0} hook's command has an unclosed quote or a trailing backslash: quote it as a shell would (the command runs without a shell; write `sh -c '…'` to have one)"
    )]
    Unparsable(HookEvent),
}

impl FromStr for HookEvent {
    type Err = HookError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        HookEvent::ALL
            .into_iter()
            .find(|event| event.name() == raw)
            .ok_or_else(|| HookError::UnknownEvent(raw.to_string()))
    }
}

/// Event → command line. Commands are split into words as a shell would split them, and run
/// without one.
pub type Hooks = BTreeMap<HookEvent, String>;

/// One `--on EVENT=COMMAND`: the event, and the command (`None` removes the hook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookChange {
    pub event: HookEvent,
    pub command: Option<String>,
}

impl FromStr for HookChange {
    type Err = HookError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (event, command) = raw
            .split_once('=')
            .ok_or_else(|| HookError::NotAnAssignment(raw.to_string()))?;
        let event: HookEvent = event.trim().parse()?;
        let command = command.trim();
        if command.is_empty() {
            return Ok(HookChange {
                event,
                command: None,
            });
        }
        command_words(event, command)?;
        Ok(HookChange {
            event,
            command: Some(command.to_string()),
        })
    }
}

/// Applies changes in order: a later `--on` for the same event wins.
pub fn apply(hooks: &mut Hooks, changes: &[HookChange]) {
    for change in changes {
        match &change.command {
            Some(command) => hooks.insert(change.event, command.clone()),
            None => hooks.remove(&change.event),
        };
    }
}

/// The command line split into words as a shell would (quotes, backslashes), no expansion.
pub fn command_words(event: HookEvent, command: &str) -> Result<Vec<String>, HookError> {
    match shlex::split(command) {
        Some(words) if !words.is_empty() => Ok(words),
        _ => Err(HookError::Unparsable(event)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_parses_events_commands_and_removals() {
        let change: HookChange = "refreshed=notify-send 'fresh token'".parse().unwrap();
        assert_eq!(change.event, HookEvent::Refreshed);
        assert_eq!(change.command.as_deref(), Some("notify-send 'fresh token'"));
        let removal: HookChange = "needs-relink=".parse().unwrap();
        assert_eq!(removal.command, None);
        for event in HookEvent::ALL {
            assert_eq!(event.name().parse::<HookEvent>().unwrap(), event);
        }
    }

    #[test]
    fn an_unknown_event_lists_the_five() {
        let err = "refresh=true"
            .parse::<HookChange>()
            .unwrap_err()
            .to_string();
        for event in HookEvent::ALL {
            assert!(err.contains(event.name()), "{err}");
        }
        assert!(err.contains("\"refresh\""), "{err}");
        let err = "refreshed".parse::<HookChange>().unwrap_err().to_string();
        assert!(err.contains("EVENT=COMMAND"), "{err}");
    }

    #[test]
    fn commands_split_like_a_shell_without_one() {
        let words = command_words(HookEvent::Linked, r#"sh -c 'echo "$X" > f' a\ b"#).unwrap();
        assert_eq!(words, ["sh", "-c", r#"echo "$X" > f"#, "a b"]);
        assert!("linked=sh -c 'oops".parse::<HookChange>().is_err());
    }

    #[test]
    fn the_file_keeps_both_tables_and_the_account_s_own_wins() {
        use crate::store::{Accounts, Home};
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        Accounts::update(&home, |a| {
            a.hooks.insert(HookEvent::Refreshed, "default-hook".into());
            a.hooks
                .insert(HookEvent::Linked, "sh -c 'echo linked'".into());
            let mut work = crate::store::accounts::tests::account();
            work.hooks
                .insert(HookEvent::Refreshed, "own-hook --flag".into());
            a.accounts.insert("work".into(), work);
            a.accounts
                .insert("home".into(), crate::store::accounts::tests::account());
            Ok(())
        })
        .unwrap();
        let text = std::fs::read_to_string(home.accounts_file()).unwrap();
        assert!(
            text.contains("[hooks]") && text.contains("[accounts.work.hooks]"),
            "{text}"
        );
        let loaded = Accounts::load(&home).unwrap();
        assert_eq!(
            loaded.hook("work", HookEvent::Refreshed),
            Some("own-hook --flag")
        );
        assert_eq!(
            loaded.hook("home", HookEvent::Refreshed),
            Some("default-hook")
        );
        assert_eq!(
            loaded.hook("work", HookEvent::Linked),
            Some("sh -c 'echo linked'")
        );
        assert_eq!(loaded.hook("work", HookEvent::Removed), None);

        // Hand-edited: an unknown event and an unclosed quote are reported by line.
        std::fs::write(home.accounts_file(), "[hooks]\nrefresh = \"x\"\n").unwrap();
        let err = Accounts::load(&home).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        std::fs::write(home.accounts_file(), "[hooks]\nlinked = \"sh -c 'x\"\n").unwrap();
        let err = Accounts::load(&home).unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("unclosed quote"),
            "{err}"
        );
    }

    #[test]
    fn later_changes_win_and_empty_removes() {
        let mut hooks = Hooks::new();
        let changes: Vec<HookChange> = ["linked=a", "linked=b", "removed=c", "removed="]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        apply(&mut hooks, &changes);
        assert_eq!(hooks, Hooks::from([(HookEvent::Linked, "b".to_string())]));
    }
}
