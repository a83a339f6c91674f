//! One daemon per home: `tokendeck daemon` holds an advisory lock on a file in the home's state
//! dir for as long as it runs, with its pid written inside, so a second one can name the first,
//! and the TUI can show that the home is kept fresh. The kernel releases the lock when the daemon
//! exits, however it exits: a stale file with a dead pid in it locks nothing.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use super::error::StoreError;
use super::home::Home;

/// How long a starting daemon keeps trying when the lock is taken: a TUI probing the lock holds
/// it for a moment, and must not be mistaken for a daemon.
const START_PATIENCE: Duration = Duration::from_millis(300);

/// Held by the running daemon; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DaemonLock {
    _file: File,
}

/// Who holds the lock when a daemon runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunningDaemon {
    /// `None` in the instant between the lock being taken and the pid written.
    pub pid: Option<u32>,
}

impl DaemonLock {
    /// Takes the home's daemon lock and writes this process's pid into it; fails with
    /// [`StoreError::DaemonRunning`] when another daemon holds it.
    pub fn acquire(home: &Home) -> Result<DaemonLock, StoreError> {
        let path = home.daemon_lock_file();
        Home::ensure_private_dir(home.state_dir())?;
        let io = |e| StoreError::io(&path, e);
        let mut file = super::files::open_lock(&path)?;
        let deadline = std::time::Instant::now() + START_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(StoreError::DaemonRunning {
                        pid: read_pid(&mut file),
                        home: home.describe(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DaemonLock { _file: file })
    }

    /// The daemon keeping `home` fresh, if one runs. Never waits: a shared lock is tried and, if
    /// taken, let go at once.
    pub fn probe(home: &Home) -> Option<RunningDaemon> {
        let mut file = File::open(home.daemon_lock_file()).ok()?;
        match file.try_lock_shared() {
            Ok(()) => None,
            Err(TryLockError::WouldBlock) => Some(RunningDaemon {
                pid: read_pid(&mut file),
            }),
            Err(TryLockError::Error(_)) => None,
        }
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_daemon_per_home_and_the_probe_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        assert_eq!(DaemonLock::probe(&home), None, "no file yet");
        let held = DaemonLock::acquire(&home).unwrap();
        let me = Some(std::process::id());
        assert_eq!(DaemonLock::probe(&home), Some(RunningDaemon { pid: me }));
        match DaemonLock::acquire(&home) {
            Err(StoreError::DaemonRunning { pid, home: _ }) => assert_eq!(pid, me),
            other => panic!("a second daemon must be refused: {other:?}"),
        }
        drop(held);
        assert_eq!(
            DaemonLock::probe(&home),
            None,
            "the file stays, the lock goes"
        );
        let again = DaemonLock::acquire(&home);
        assert!(again.is_ok(), "a new daemon takes over: {again:?}");
    }

    #[test]
    fn a_probe_does_not_stop_a_daemon_from_starting() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        drop(DaemonLock::acquire(&home).unwrap());
        // A TUI holding the shared lock for a moment, as its probe does.
        let probing = File::open(home.daemon_lock_file()).unwrap();
        probing.lock_shared().unwrap();
        let start = std::time::Instant::now();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(probing);
            start.elapsed()
        });
        let acquired = DaemonLock::acquire(&home);
        let released_after = release.join().unwrap();
        // On a machine so busy that the probe's thread slept past the whole patience, a refusal
        // says nothing about the waiting; otherwise the daemon must have waited for the probe.
        assert!(
            acquired.is_ok() || released_after >= START_PATIENCE,
            "refused although the probe let go after {released_after:?}: {acquired:?}"
        );
    }
}
