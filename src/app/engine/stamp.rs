//! What tells the engine that another process changed the home (or its accounts file's owner or
//! mode), for two `stat`s.

use std::time::SystemTime;

use crate::store::Store;

/// The accounts file and the event log's modification time and size: what changes when any
/// process adds, links, refreshes or removes an account.
#[derive(Debug, PartialEq)]
pub(super) struct HomeStamp([Option<(SystemTime, u64, i64)>; 2]);

impl HomeStamp {
    pub(super) fn of(store: &Store) -> HomeStamp {
        let home = store.home();
        // The change time too: a `chmod` or `chown` that makes the file usable again (or not)
        // changes neither its contents nor its size.
        let stamp = |path: std::path::PathBuf| {
            let meta = std::fs::metadata(path).ok()?;
            #[cfg(unix)]
            let changed = std::os::unix::fs::MetadataExt::ctime(&meta);
            #[cfg(not(unix))]
            let changed = 0;
            Some((meta.modified().ok()?, meta.len(), changed))
        };
        HomeStamp([stamp(home.accounts_file()), stamp(home.events_file())])
    }
}
