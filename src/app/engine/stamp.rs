//! What tells the engine that another process changed the home, for two `stat`s.

use std::time::SystemTime;

use crate::store::Store;

/// The accounts file and the event log's modification time and size: what changes when any
/// process adds, links, refreshes or removes an account.
#[derive(Debug, PartialEq)]
pub(super) struct HomeStamp([Option<(SystemTime, u64)>; 2]);

impl HomeStamp {
    pub(super) fn of(store: &Store) -> HomeStamp {
        let home = store.home();
        let stamp = |path: std::path::PathBuf| {
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        };
        HomeStamp([stamp(home.accounts_file()), stamp(home.events_file())])
    }
}
