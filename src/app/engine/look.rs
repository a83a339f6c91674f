//! When the engine reads the home again: the accounts file and every status, at a look asked
//! for, when another process changed the home, after the clock jumped, or every few minutes. A
//! broken accounts file is told once and its last reading served until it is mended.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::event::EngineEvent;
use super::stamp::HomeStamp;
use super::{Engine, MAX_SLEEP, Planned, scheduled_at};
use crate::store::Account;

impl Engine {
    /// A timer wake: the files are read again if the home changed under the engine (two
    /// `stat`s), or if the clock jumped (a suspend and resume: another process may have done
    /// much meanwhile).
    pub(super) fn woke(&mut self, slept_from: SystemTime, planned: Duration) {
        let slept = SystemTime::now()
            .duration_since(slept_from)
            .unwrap_or_default();
        let stamp = HomeStamp::of(&self.store);
        if stamp != self.home_stamp || slept > planned + MAX_SLEEP {
            self.looked_at = SystemTime::UNIX_EPOCH;
        }
    }

    /// Reads the accounts file and every status, and plans each account again.
    pub(super) fn look_again(&mut self) {
        self.looked_at = SystemTime::now();
        self.home_stamp = HomeStamp::of(&self.store);
        // A broken accounts file keeps the last schedule, which goes on being served: the next
        // look may find it mended.
        let accounts = match self.store.accounts() {
            Ok(accounts) => accounts,
            Err(e) => {
                if !std::mem::replace(&mut self.unreadable, true) {
                    (self.notify)(EngineEvent::AccountsUnreadable {
                        problem: Arc::new(e),
                        kept: self.schedule.len(),
                    });
                }
                return;
            }
        };
        if std::mem::replace(&mut self.unreadable, false) {
            (self.notify)(EngineEvent::AccountsReadable {
                accounts: accounts.accounts.len(),
            });
        }
        self.schedule.clear();
        for (name, account) in accounts.accounts {
            let due = self.due(&name, &account);
            self.schedule.insert(name, Planned { account, due });
        }
        let schedule = &self.schedule;
        self.cooldown.retain(|name, _| schedule.contains_key(name));
        self.running
            .retain(|name, lock| schedule.contains_key(name) || Arc::strong_count(lock) > 1);
    }

    /// When `name` is next due, from its status file and any cool-down.
    pub(super) fn due(&self, name: &str, account: &Account) -> Option<SystemTime> {
        let status = self.store.status(name);
        // A damaged status says nothing: due now, so that the refresh task reads the keyring
        // record and writes the status afresh (or refreshes, if the record says so).
        let due = match status.unreadable {
            true => Some(SystemTime::now()),
            false => scheduled_at(name, account, &status),
        }?;
        Some(match self.cooldown.get(name) {
            Some(cooldown) => due.max(cooldown.until),
            None => due,
        })
    }
}
