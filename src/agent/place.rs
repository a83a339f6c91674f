//! Where the agent's socket lives, and making it: `$XDG_RUNTIME_DIR/tokendeck/agent.sock` for the
//! default home, `$XDG_RUNTIME_DIR/tokendeck/home-<hash>/agent.sock` for a `--home` (the hash is
//! the home's keyring namespace, so two homes' daemons never meet at one socket and each client
//! finds its own home's), or `<state dir>/agent/agent.sock` without a runtime dir. The folder is
//! 0700 and the socket 0600, made fresh: a stale socket a dead daemon left is replaced, a live
//! one is left alone and the new daemon refuses to start.

use std::fmt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use crate::store::Home;

/// The socket's file name, beside which `share.sock` goes (`super::share`).
pub const AGENT_SOCKET: &str = "agent.sock";

/// The longest path a Unix socket address holds (`sun_path`, less its terminating NUL).
const MAX_SOCKET_PATH: usize = 107;

/// The socket a home's daemon listens on unless told otherwise, and whether its folder is the
/// agent's own (made 0700 and kept so) or the user's.
pub fn default_socket(home: &Home) -> PathBuf {
    match private_runtime_dir() {
        Some(runtime) => in_runtime(runtime, home.root().map(|_| home.namespace())),
        None => home.state_dir().join("agent").join(AGENT_SOCKET),
    }
}

/// [`default_socket`] of the home in `dir` (the default home: `None`), found without opening the
/// home when the runtime dir holds the socket: its name needs only the folder's canonical path.
/// This is `token`'s question before anything else, so it costs one `realpath` instead of the
/// checks of every folder above the home. `None`: no agent can listen for that home (`dir` does
/// not exist, or the home cannot be used).
pub fn home_socket(dir: Option<&Path>) -> Option<PathBuf> {
    match (private_runtime_dir(), dir) {
        (Some(runtime), None) => Some(in_runtime(runtime, None)),
        (Some(runtime), Some(dir)) => {
            Some(in_runtime(runtime, Some(&Home::namespace_at(dir).ok()?)))
        }
        (None, dir) => Home::resolve(dir).ok().map(|home| default_socket(&home)),
    }
}

/// The socket under the runtime dir: the default home's, or a rooted home's by its namespace.
fn in_runtime(runtime: PathBuf, namespace: Option<&str>) -> PathBuf {
    let dir = runtime.join("tokendeck");
    match namespace {
        Some(namespace) => dir.join(namespace).join(AGENT_SOCKET),
        None => dir.join(AGENT_SOCKET),
    }
}

/// `$XDG_RUNTIME_DIR` when it is a folder of this user's that no one else can write to (as
/// systemd's `/run/user/UID` is). Set to a shared folder (`/tmp`, in some containers and `su`
/// sessions), another user could plant or swap the agent's folder there, so the home's own state
/// folder is used instead — by the daemon and its clients alike, since both ask here.
fn private_runtime_dir() -> Option<PathBuf> {
    private(PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?))
}

/// `dir`, if it is an absolute path to a folder (not a link) of this user's that no one else can
/// write to.
fn private(dir: PathBuf) -> Option<PathBuf> {
    let meta = std::fs::symlink_metadata(&dir).ok()?;
    let ours = meta.uid() == rustix::process::getuid().as_raw();
    (dir.is_absolute() && meta.is_dir() && ours && meta.mode() & 0o022 == 0).then_some(dir)
}

/// Why the socket could not be made.
#[derive(Debug)]
pub enum PlaceError {
    /// Another daemon answers there.
    Live(PathBuf),
    /// Something that is not a socket is in the way.
    NotASocket(PathBuf),
    /// The folder belongs to another user.
    NotOurs(PathBuf),
    TooLong(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for PlaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlaceError::Live(path) => write!(
                f,
                "another tokendeck daemon already answers on {}; stop it first, or give this one another --socket-path",
                path.display()
            ),
            PlaceError::NotASocket(path) => write!(
                f,
                "{} is in the way and is not a socket; move it away, or give the daemon another --socket-path",
                path.display()
            ),
            PlaceError::NotOurs(path) => write!(
                f,
                "the folder {} belongs to another user; the agent's socket cannot be kept private there: give the daemon a --socket-path in a folder of yours",
                path.display()
            ),
            PlaceError::TooLong(path) => write!(
                f,
                "the socket path {} is longer than a Unix socket allows ({MAX_SOCKET_PATH} bytes); give the daemon a shorter --socket-path",
                path.display()
            ),
            PlaceError::Io(path, e) => write!(
                f,
                "cannot make the agent's socket at {}: {e}; check that folder, or give the daemon another --socket-path",
                path.display()
            ),
        }
    }
}

/// The listening socket, and its file.
#[derive(Debug)]
pub struct Bound {
    pub listener: UnixListener,
    pub file: SocketFile,
}

/// The socket's file, removed when this is dropped unless another daemon has put its own in its
/// place meanwhile.
#[derive(Debug)]
pub struct SocketFile {
    path: PathBuf,
    inode: u64,
}

impl SocketFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.ino() == self.inode) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Makes the socket at `path`. `private_dir`: the folder is the agent's own, made 0700 and set
/// back to 0700 if loosened; otherwise (`--socket-path`) a missing folder is made 0700 and an
/// existing one left as the user has it — the socket is 0600 and every peer's uid is checked.
pub fn bind(path: &Path, private_dir: bool) -> Result<Bound, PlaceError> {
    if path.as_os_str().len() > MAX_SOCKET_PATH {
        return Err(PlaceError::TooLong(path.to_path_buf()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| PlaceError::Io(p, e)
    };
    if private_dir || !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(builder.recursive(true), 0o700);
        builder.create(dir).map_err(io(dir))?;
    }
    if private_dir {
        // Not followed if it is a link: the folder itself must be ours.
        let meta = std::fs::symlink_metadata(dir).map_err(io(dir))?;
        if !meta.is_dir() || meta.uid() != rustix::process::getuid().as_raw() {
            return Err(PlaceError::NotOurs(dir.to_path_buf()));
        }
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io(dir))?;
        }
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_socket() => {
            return Err(PlaceError::NotASocket(path.to_path_buf()));
        }
        Ok(_) if UnixStream::connect(path).is_ok() => {
            return Err(PlaceError::Live(path.to_path_buf()));
        }
        // A dead daemon's: nothing listens.
        Ok(_) => std::fs::remove_file(path).map_err(io(path))?,
        Err(_) => {}
    }
    let listener = UnixListener::bind(path).map_err(io(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io(path))?;
    listener.set_nonblocking(true).map_err(io(path))?;
    let inode = std::fs::symlink_metadata(path).map_err(io(path))?.ino();
    Ok(Bound {
        listener,
        file: SocketFile {
            path: path.to_path_buf(),
            inode,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().mode() & 0o777
    }

    #[test]
    fn a_stale_socket_is_replaced_a_live_one_refused_and_the_file_goes_with_the_daemon() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent").join(AGENT_SOCKET);
        let first = bind(&path, true).unwrap();
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert!(matches!(bind(&path, true), Err(PlaceError::Live(_))));
        drop(first);
        // A dead daemon's socket: the file stays, nothing listens.
        drop(UnixListener::bind(&path).unwrap());
        assert!(path.exists());
        let second = bind(&path, true).unwrap();
        assert_eq!(mode(&path), 0o600);
        drop(second);
        assert!(!path.exists(), "the daemon takes its socket away");
        std::fs::write(&path, "mine").unwrap();
        assert!(matches!(bind(&path, true), Err(PlaceError::NotASocket(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    }

    #[test]
    fn a_runtime_dir_others_can_write_to_or_a_link_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        std::fs::create_dir(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(private(runtime.clone()), Some(runtime.clone()));
        // /tmp, as some containers and `su` sessions set it: another user could plant the
        // agent's folder there.
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(private(runtime.clone()), None);
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&runtime, &link).unwrap();
        assert_eq!(private(link), None);
        assert_eq!(private(PathBuf::from("relative")), None);
    }

    #[test]
    fn a_loosened_folder_is_made_private_again_and_a_long_path_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("agent");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        let _bound = bind(&folder.join(AGENT_SOCKET), true).unwrap();
        assert_eq!(mode(&folder), 0o700);
        let long = dir.path().join("x".repeat(120));
        assert!(matches!(bind(&long, false), Err(PlaceError::TooLong(_))));
    }
}
