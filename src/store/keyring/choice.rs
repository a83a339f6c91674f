//! Which keyring a home uses, written into the home (`keyring.toml` in its config dir) when its
//! first record is stored, so that every later process opens exactly that keyring. Without it, a
//! process with no D-Bus session (SSH, cron) fell back to the kernel keyring, looked there for
//! records that live in the Secret Service, and told the user they were gone.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::backend::Backend;
use super::error::KeyringError;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceFile {
    backend: String,
}

const HEADER: &str = "# The keyring that holds this home's tokens. tokendeck opens only this one: a process that\n# cannot reach it stops with an error instead of looking in another store.\n";

/// The keyring recorded in the file at `path`, if any.
pub(super) fn load(path: &Path) -> Result<Option<Backend>, KeyringError> {
    let unreadable = |problem: String| KeyringError::ChoiceUnreadable {
        path: path.to_path_buf(),
        problem,
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let file: ChoiceFile = toml::from_str(&text).map_err(|e| unreadable(e.message().into()))?;
    Backend::from_id(&file.backend).map(Some).ok_or_else(|| {
        unreadable(format!(
            "{:?} is not a keyring tokendeck knows",
            file.backend
        ))
    })
}

/// Records a home's keyring once: before the first record is written, or when a record is found
/// in a home that an older tokendeck made without recording its choice.
#[derive(Debug)]
pub(super) struct Recorder {
    path: PathBuf,
    backend: Backend,
    done: AtomicBool,
}

impl Recorder {
    pub(super) fn new(path: PathBuf, backend: Backend) -> Recorder {
        Recorder {
            path,
            backend,
            done: AtomicBool::new(false),
        }
    }

    pub(super) fn ensure(&self) -> Result<(), KeyringError> {
        if self.done.load(Ordering::Acquire) {
            return Ok(());
        }
        record(&self.path, self.backend)?;
        self.done.store(true, Ordering::Release);
        Ok(())
    }
}

/// Writes the choice to a temporary file (mode 0600) and links it into place, which fails if
/// another process recorded a choice first: then that choice must be this one.
fn record(path: &Path, backend: Backend) -> Result<(), KeyringError> {
    let not_saved = |reason: String| KeyringError::ChoiceNotSaved {
        path: path.to_path_buf(),
        reason,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::store::Home::ensure_private_dir(dir).map_err(|e| not_saved(e.to_string()))?;
    let unique = &crate::oauth::authorize::random_token()[..8];
    let temp = dir.join(format!(".keyring.toml.{unique}.tmp"));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let text = format!(
        "{HEADER}{}",
        toml::to_string(&ChoiceFile {
            backend: backend.id().into()
        })
        .map_err(|e| not_saved(e.to_string()))?
    );
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    let placed = written.and_then(|()| match fs::hard_link(&temp, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: a rename is still atomic, if not exclusive.
        Err(_) => fs::rename(&temp, path).map(|()| true),
        Ok(()) => Ok(true),
    });
    let _ = fs::remove_file(&temp);
    match placed {
        Ok(true) => {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
            Ok(())
        }
        Ok(false) => match load(path)? {
            Some(recorded) if recorded == backend => Ok(()),
            Some(recorded) => Err(not_saved(format!(
                "another tokendeck process recorded the {recorded} for this home a moment ago; try again"
            ))),
            None => Err(not_saved("it vanished while being written".into())),
        },
        Err(e) => Err(not_saved(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_once_with_mode_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/keyring.toml");
        assert_eq!(load(&path).unwrap(), None);
        let recorder = Recorder::new(path.clone(), Backend::SecretService);
        recorder.ensure().unwrap();
        recorder.ensure().unwrap();
        assert_eq!(load(&path).unwrap(), Some(Backend::SecretService));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Another process that chose the same keyring agrees; one that chose another is refused.
        Recorder::new(path.clone(), Backend::SecretService)
            .ensure()
            .unwrap();
        let err = Recorder::new(path.clone(), Backend::Keyutils)
            .ensure()
            .unwrap_err();
        assert!(matches!(err, KeyringError::ChoiceNotSaved { .. }), "{err}");
        assert_eq!(load(&path).unwrap(), Some(Backend::SecretService));
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["keyring.toml"], "no temporary file is left");
    }

    #[test]
    fn a_broken_choice_says_what_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keyring.toml");
        for broken in ["backend = \"floppy\"\n", "backend = \n", "colour = 1\n"] {
            fs::write(&path, broken).unwrap();
            let err = load(&path).unwrap_err();
            assert!(
                matches!(err, KeyringError::ChoiceUnreadable { .. }),
                "{err}"
            );
            assert!(
                err.to_string().contains("backend = \"secret-service\""),
                "{err}"
            );
        }
    }
}
