//! Where tokendeck keeps things: the config dir (the accounts file, the keyring choice), the state
//! dir (status, locks, the event log), and the keyring namespace. `--home DIR` / `TOKENDECK_HOME` roots all of them in
//! one folder and gives it a keyring namespace of its own. A home that is not the user's alone is
//! refused before anything in it is read or written (the `safety` module says what is checked).

mod safety;
mod unsafe_home;

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use self::unsafe_home::{Problem, UnsafeHome, Writers};
use super::error::StoreError;

#[derive(Clone, Debug)]
pub struct Home {
    /// The folder given with `--home`; `None` for the platform's directories.
    root: Option<PathBuf>,
    config_dir: PathBuf,
    state_dir: PathBuf,
    namespace: String,
}

impl Home {
    /// `dir` from `--home` or `TOKENDECK_HOME`; otherwise the platform's directories (XDG on
    /// Linux).
    pub fn resolve(dir: Option<&Path>) -> Result<Home, StoreError> {
        match dir {
            Some(dir) => Home::rooted(dir),
            None => Home::platform(),
        }
    }

    /// Config and state under one folder, with a keyring namespace derived from its path. The
    /// folder is made (0700, with any parents it lacks) when it does not exist, unless a folder
    /// above it is not safe; an existing folder, its `config/` and `state/`, and the folders
    /// above must pass the `safety` module's checks.
    pub fn rooted(dir: &Path) -> Result<Home, StoreError> {
        let dir = std::path::absolute(dir).map_err(|e| StoreError::io(dir, e))?;
        if fs::symlink_metadata(&dir).is_err() {
            safety::check(&[&dir])?;
            Home::ensure_private_dir(&dir)?;
        }
        let dir = dir.canonicalize().map_err(|e| StoreError::io(&dir, e))?;
        safety::check(&[&dir, &dir.join("config"), &dir.join("state")])?;
        let namespace = namespace_of(&dir);
        Ok(Home {
            config_dir: dir.join("config"),
            state_dir: dir.join("state"),
            root: Some(dir),
            namespace,
        })
    }

    /// The namespace [`Home::rooted`] gives the home in `dir`, found without checking or making
    /// anything: for what needs only the home's name (where its agent listens). An error when
    /// `dir` does not exist.
    pub fn namespace_at(dir: &Path) -> std::io::Result<String> {
        Ok(namespace_of(&dir.canonicalize()?))
    }

    fn platform() -> Result<Home, StoreError> {
        let dirs = directories::ProjectDirs::from("", "", "tokendeck").ok_or_else(|| {
            StoreError::NoHome(
                "no home directory is known for this user; pass --home DIR or set TOKENDECK_HOME"
                    .into(),
            )
        })?;
        let state_dir = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf();
        safety::check(&[dirs.config_dir(), &state_dir])?;
        Ok(Home {
            root: None,
            config_dir: dirs.config_dir().to_path_buf(),
            state_dir,
            namespace: "default".into(),
        })
    }

    /// The folder given with `--home` (absolute), or `None` for the platform's directories.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The home in words, for messages: its folder, or "the default home".
    pub fn describe(&self) -> String {
        match &self.root {
            Some(dir) => dir.display().to_string(),
            None => "the default home".into(),
        }
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// What tells this home from every other: `default`, or `home-` and a hash of its folder.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The keyring service name; records are `(service, account name)`.
    pub fn keyring_service(&self) -> String {
        format!("tokendeck/{}", self.namespace)
    }

    pub fn accounts_file(&self) -> PathBuf {
        self.config_dir.join("accounts.toml")
    }

    /// Which keyring holds this home's records, written when the first one is stored.
    pub fn keyring_choice_file(&self) -> PathBuf {
        self.config_dir.join("keyring.toml")
    }

    pub fn events_file(&self) -> PathBuf {
        self.state_dir.join("events.jsonl")
    }

    pub fn status_file(&self, account: &str) -> PathBuf {
        self.state_dir
            .join("accounts")
            .join(format!("{account}.json"))
    }

    pub fn lock_file(&self, account: &str) -> PathBuf {
        self.state_dir.join("locks").join(format!("{account}.lock"))
    }

    /// Held by the running `tokendeck daemon` for its life, with its pid inside.
    pub fn daemon_lock_file(&self) -> PathBuf {
        self.state_dir.join("daemon.lock")
    }

    /// Creates `dir` (and parents) readable by the user alone.
    pub fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| StoreError::io(dir, e))
    }
}

/// A rooted home's namespace: `home-` and the first 8 bytes of its canonical path's SHA-256.
fn namespace_of(canonical: &Path) -> String {
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    format!("home-{}", hex(&digest[..8]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_homes_get_two_namespaces() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let (ha, hb) = (
            Home::rooted(a.path()).unwrap(),
            Home::rooted(b.path()).unwrap(),
        );
        assert_ne!(ha.keyring_service(), hb.keyring_service());
        assert_eq!(
            ha.keyring_service(),
            Home::rooted(a.path()).unwrap().keyring_service()
        );
        assert!(
            ha.accounts_file()
                .starts_with(a.path().canonicalize().unwrap())
        );
    }

    /// `token` names the agent's socket by [`Home::namespace_at`], the daemon by its Home: the
    /// two must agree, also when the home is reached through a link or a relative path.
    #[cfg(unix)]
    #[test]
    fn the_namespace_found_without_opening_the_home_is_the_home_s() {
        let place = tempfile::tempdir().unwrap();
        let dir = place.path().join("home");
        let home = Home::rooted(&dir).unwrap();
        assert_eq!(Home::namespace_at(&dir).unwrap(), home.namespace());
        let link = place.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert_eq!(Home::namespace_at(&link).unwrap(), home.namespace());
        assert_eq!(
            Home::namespace_at(&link.join("..").join("home")).unwrap(),
            home.namespace()
        );
        assert!(Home::namespace_at(&place.path().join("none")).is_err());
    }
}
