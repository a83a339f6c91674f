//! Whether a home is the user's alone, as ssh asks of `~/.ssh`. tokendeck's own folders (a
//! `--home` folder with its `config/` and `state/`, or the platform's `tokendeck` folders) must
//! belong to the user and be writable by no one else. The folders above them, up to the user's
//! home directory (or `/` for a home outside it), must belong to the user or root and let no one
//! else move what is in them: writable by others only with the sticky bit (`/tmp`), and by the
//! group only with the sticky bit or when the group is the user's own private group — as Debian's
//! OpenSSH allows, so that a `~/.config` made under umask 002 on a system of user private groups
//! (one group per user, no one else in it) is not refused for a group that holds no one else.

use std::path::Path;

use super::unsafe_home::{Problem, UnsafeHome, Writers};
use crate::store::StoreError;

/// Checks tokendeck's folders `own` (absolute; those that do not exist yet are skipped) and the
/// folders above them. A folder that does not exist yet is checked as far as its parents exist,
/// so a home is never made where someone else could take it over.
pub fn check(own: &[&Path]) -> Result<(), StoreError> {
    #[cfg(unix)]
    return unix::check(own);
    #[cfg(not(unix))]
    {
        let _ = own;
        Ok(())
    }
}

#[cfg(unix)]
mod unix {
    use std::fs;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};

    use super::{Problem, UnsafeHome, Writers};
    use crate::store::StoreError;

    pub fn check(own: &[&Path]) -> Result<(), StoreError> {
        let uid = rustix::process::getuid().as_raw();
        let user_home = directories::BaseDirs::new().and_then(|d| d.home_dir().canonicalize().ok());
        // Folders found fine, own or above; everything above one of them was found fine too.
        let mut fine: Vec<PathBuf> = Vec::new();
        for folder in own {
            let above = match folder.canonicalize() {
                Ok(real) => {
                    if !fine.contains(&real) {
                        own_folder(&real, uid)?;
                        fine.push(real.clone());
                    }
                    real.parent().map(Path::to_path_buf)
                }
                Err(_) => nearest_existing(folder),
            };
            let mut next = above;
            while let Some(dir) = next {
                if fine.contains(&dir) {
                    break;
                }
                folder_above(&dir, folder, uid)?;
                next = match Some(&dir) == user_home.as_ref() {
                    true => None,
                    false => dir.parent().map(Path::to_path_buf),
                };
                fine.push(dir);
            }
        }
        Ok(())
    }

    /// The deepest folder of `path` that exists, resolved.
    fn nearest_existing(path: &Path) -> Option<PathBuf> {
        path.ancestors()
            .skip(1)
            .find_map(|dir| dir.canonicalize().ok())
    }

    fn metadata(path: &Path) -> Result<fs::Metadata, StoreError> {
        fs::metadata(path).map_err(|e| StoreError::io(path, e))
    }

    fn own_folder(path: &Path, uid: u32) -> Result<(), StoreError> {
        let meta = metadata(path)?;
        let refuse = |problem| {
            StoreError::UnsafeHome(UnsafeHome {
                path: path.to_path_buf(),
                below: None,
                problem,
            })
        };
        if meta.uid() != uid {
            return Err(refuse(Problem::Owner { uid: meta.uid() }));
        }
        match writers(meta.mode(), false, false) {
            Some(writers) => Err(refuse(Problem::Writable {
                writers,
                mode: meta.mode() & 0o7777,
            })),
            None => Ok(()),
        }
    }

    fn folder_above(path: &Path, below: &Path, uid: u32) -> Result<(), StoreError> {
        let meta = metadata(path)?;
        let refuse = |problem| {
            StoreError::UnsafeHome(UnsafeHome {
                path: path.to_path_buf(),
                below: Some(below.to_path_buf()),
                problem,
            })
        };
        if meta.uid() != uid && meta.uid() != 0 {
            return Err(refuse(Problem::Owner { uid: meta.uid() }));
        }
        // With the sticky bit, no one moves or deletes what is not theirs (`/tmp`).
        let sticky = meta.mode() & 0o1000 != 0;
        // The system's user and group files are read only when the answer matters.
        let group_is_mine = !sticky && meta.mode() & 0o020 != 0 && private_group(meta.gid(), uid);
        match writers(meta.mode(), sticky, group_is_mine) {
            Some(writers) => Err(refuse(Problem::Writable {
                writers,
                mode: meta.mode() & 0o7777,
            })),
            None => Ok(()),
        }
    }

    /// Who besides the owner can write to a folder of `mode`, leaving out those who cannot move
    /// another's entries (`sticky`) and a group of the user alone (`group_is_mine`).
    pub(super) fn writers(mode: u32, sticky: bool, group_is_mine: bool) -> Option<Writers> {
        let group = mode & 0o020 != 0 && !sticky && !group_is_mine;
        let others = mode & 0o002 != 0 && !sticky;
        match (group, others) {
            (true, true) => Some(Writers::GroupAndOthers),
            (true, false) => Some(Writers::Group),
            (false, true) => Some(Writers::Others),
            (false, false) => None,
        }
    }

    /// Whether `gid` is the private group of user `uid`, by the system's files: no one else has
    /// it as their primary group, and no one else is listed in it. A group that cannot be found
    /// there (a directory service) is not taken to be private.
    fn private_group(gid: u32, uid: u32) -> bool {
        match (
            fs::read_to_string("/etc/passwd"),
            fs::read_to_string("/etc/group"),
        ) {
            (Ok(passwd), Ok(group)) => super::private_group_in(&passwd, &group, gid, uid),
            _ => false,
        }
    }
}

/// [`unix::private_group`] on the texts of `/etc/passwd` and `/etc/group`.
#[cfg(unix)]
fn private_group_in(passwd: &str, group: &str, gid: u32, uid: u32) -> bool {
    let number = |field: Option<&str>| field.and_then(|f| f.parse::<u32>().ok());
    let mut name = None;
    for line in passwd.lines() {
        let mut fields = line.split(':');
        let (user, _, user_id, group_id) = (
            fields.next(),
            fields.next(),
            number(fields.next()),
            number(fields.next()),
        );
        if user_id == Some(uid) {
            name = user;
        }
        if group_id == Some(gid) && user_id != Some(uid) {
            return false;
        }
    }
    let Some(name) = name else {
        return false;
    };
    let Some(entry) = group
        .lines()
        .find(|line| number(line.split(':').nth(2)) == Some(gid))
    else {
        return false;
    };
    entry
        .split(':')
        .nth(3)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|member| !member.is_empty())
        .all(|member| member == name)
}

#[cfg(all(test, unix))]
mod tests {
    use super::unix::writers;
    use super::*;

    #[test]
    fn the_sticky_bit_and_a_private_group_are_the_only_excuses() {
        assert_eq!(writers(0o40700, false, false), None);
        assert_eq!(writers(0o40755, false, false), None);
        assert_eq!(writers(0o40775, false, false), Some(Writers::Group));
        assert_eq!(writers(0o40775, false, true), None);
        assert_eq!(writers(0o40757, false, false), Some(Writers::Others));
        assert_eq!(writers(0o40777, false, true), Some(Writers::Others));
        assert_eq!(
            writers(0o40777, false, false),
            Some(Writers::GroupAndOthers)
        );
        assert_eq!(writers(0o41777, true, false), None, "/tmp");
    }

    #[test]
    fn a_private_group_holds_the_user_alone() {
        let passwd = "root:x:0:0::/root:/bin/sh\nann:x:1000:1000::/home/ann:/bin/sh\nbob:x:1001:100::/home/bob:/bin/sh\n";
        let group =
            "root:x:0:\nann:x:1000:\nusers:x:100:ann\nshared:x:2000:ann,bob\nmine:x:3000:ann\n";
        assert!(
            private_group_in(passwd, group, 1000, 1000),
            "ann's own group"
        );
        assert!(
            private_group_in(passwd, group, 3000, 1000),
            "only ann listed"
        );
        assert!(
            !private_group_in(passwd, group, 100, 1000),
            "bob's primary group"
        );
        assert!(!private_group_in(passwd, group, 2000, 1000), "bob is in it");
        assert!(
            !private_group_in(passwd, group, 4000, 1000),
            "not in the file"
        );
        assert!(
            !private_group_in(passwd, group, 1000, 1002),
            "an unknown user"
        );
    }
}
