//! How tokendeck writes its files: readable and writable by the user alone (0600), whole files
//! replaced by a rename (never written through whatever is at their path, a planted link
//! included), lock files and the event log opened in place and made private if an older
//! tokendeck left them readable by others.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use super::error::StoreError;
use super::home::Home;

/// Options that create a file with mode 0600 (on Unix; elsewhere the platform's default).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Writes `bytes` to a new temporary file beside `path` (mode 0600), syncs it and renames it over
/// `path`, so that a reader sees the old file or the new one, never half of one. The rename
/// replaces whatever is at `path` — a symbolic link too, whose target is left as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    Home::ensure_private_dir(dir)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let unique = &crate::oauth::authorize::random_token()[..8];
    let temp = dir.join(format!(".{file_name}.{unique}.tmp"));
    // A name no one else made: a file already there (a link planted at it) is an error.
    let written = private_options()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
    if let Err(e) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(StoreError::io(path, e));
    }
    // Make the rename itself durable; not all platforms can open a directory.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Opens (creating it, mode 0600) a lock file, leaving what is in it.
pub fn open_lock(path: &Path) -> Result<File, StoreError> {
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    make_private(&file).map_err(|e| StoreError::io(path, e))?;
    Ok(file)
}

/// Takes group and others' access away from an open file that has any (one made before
/// tokendeck made its files private, or by hand).
pub fn make_private(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_replaced_file_is_private_and_a_link_at_its_path_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        fs::write(&target, "theirs").unwrap();
        let path = dir.path().join("file");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        write_atomically(&path, b"ours").unwrap();
        assert!(fs::symlink_metadata(&path).unwrap().file_type().is_file());
        assert_eq!(fs::read_to_string(&path).unwrap(), "ours");
        assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_lock_file_is_made_private_and_keeps_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.lock");
        drop(open_lock(&new).unwrap());
        assert_eq!(mode(&new), 0o600);
        let old = dir.path().join("old.lock");
        fs::write(&old, "4242\n").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        drop(open_lock(&old).unwrap());
        assert_eq!(mode(&old), 0o600);
        assert_eq!(fs::read_to_string(&old).unwrap(), "4242\n");
    }
}
/// What tells one version of a file from another without reading it: its inode (a file renamed
/// into place is a new one), size, modification time and change time to the nanosecond (a
/// `chmod` or `chown` changes only the last). For noticing another process's change with one
/// `stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
    changed: (i64, i64),
}

impl FileStamp {
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            #[cfg(unix)]
            inode: meta.ino(),
            #[cfg(not(unix))]
            inode: 0,
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(not(unix))]
            changed: (0, 0),
        }
    }
}

/// `path`'s [`FileStamp`]; `None` while it cannot be read.
pub fn stamp(path: &Path) -> Option<FileStamp> {
    std::fs::metadata(path)
        .ok()
        .map(|meta| FileStamp::of(&meta))
}
