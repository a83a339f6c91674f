//! What tells the engine that another process changed the home (or its accounts file's owner or
//! mode), for two `stat`s.

use crate::store::Store;
use crate::store::files::{self, FileStamp};

/// The accounts file and the event log's modification time and size: what changes when any
/// process adds, links, refreshes or removes an account.
#[derive(Debug, PartialEq)]
pub(super) struct HomeStamp([Option<FileStamp>; 2]);

impl HomeStamp {
    pub(super) fn of(store: &Store) -> HomeStamp {
        let home = store.home();
        let stamp = |path: std::path::PathBuf| files::stamp(&path);
        HomeStamp([stamp(home.accounts_file()), stamp(home.events_file())])
    }
}
