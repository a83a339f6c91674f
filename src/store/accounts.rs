//! The accounts file: what each account is (provider, client id, callback URL, scopes, …), never a
//! secret. TOML, written atomically (temporary file + rename) with mode 0600. A file that does not
//! parse is reported with its line and column and is never overwritten.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::files::{open_lock, write_atomically};
use super::home::Home;
use super::hooks::{HookEvent, Hooks, command_words};
use crate::oauth::{AuthMethod, Provider, url_policy};

/// One account's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The preset it was made from (`verizon`, `google`, …), or `issuer` / `custom`.
    pub kind: String,
    pub client_id: String,
    pub redirect_uri: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    /// Extra authorization parameters, such as Verizon's `deviceid`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// An API URL that `tokendeck call`-style tests (`t` in the TUI) can ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// The address mail clients log in as, for `token --format xoauth2` (over the ID token's
    /// email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_user: Option<String>,
    /// Refresh at least this often (seconds), whatever the access token's expiry: for providers
    /// whose refresh tokens expire unless used (Verizon's last 14 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_at_least: Option<u64>,
    /// How long a refresh token lives (seconds) from when it was issued, as the person said
    /// (`--refresh-token-lifetime`): what forecasts its death when the provider does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_lifetime: Option<u64>,
    /// Whether the daemon's `share.sock` (the socket meant for `ssh -R`) hands out this account's
    /// access token. Off unless the person turns it on: forwarding reaches other machines.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
    /// Commands run on this account's events; each replaces the home-wide one for its event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hooks: Hooks,
    /// The git remotes its tokens are for, and the user name git gets with them.
    #[serde(default, skip_serializing_if = "super::git::GitAccess::is_empty")]
    pub git: super::git::GitAccess,
    pub provider: Provider,
}

impl Account {
    /// Applies the URL policy to every URL a token or secret is sent to, naming the field that
    /// fails as the file spells it: a hand-edited file gets the same check as `add`.
    pub fn check_urls(&self) -> Result<(), (String, crate::oauth::Error)> {
        self.provider
            .check_urls()
            .map_err(|(field, e)| (format!("provider.{field}"), e))?;
        if let Some(api_url) = &self.api_url {
            url_policy::parse(url_policy::UrlRole::Api, api_url)
                .map_err(|e| ("api_url".to_string(), e))?;
        }
        Ok(())
    }
}

/// The whole accounts file, by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    /// Commands run on every account's events, unless the account has its own for the event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hooks: Hooks,
    /// How long before a grant's forecast death `status`, the daemon and the TUI warn
    /// (`relink_margin = "2d"`; default [`super::relink_margin::DEFAULT_RELINK_MARGIN`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::relink_margin::span"
    )]
    pub relink_margin: Option<std::time::Duration>,
    #[serde(default)]
    pub accounts: BTreeMap<String, Account>,
}

impl Accounts {
    /// Reads the accounts file; a missing file is an empty list. A file that is not the
    /// user's alone (another's, or writable by others) is refused before it is read: it names
    /// the commands hooks run and where tokens are sent.
    pub fn load(home: &Home) -> Result<Accounts, StoreError> {
        let path = home.accounts_file();
        let unreadable = |source| StoreError::AccountsUnreadable {
            path: path.clone(),
            source,
        };
        let mut file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Accounts::default()),
            Err(e) => return Err(unreadable(e)),
        };
        // The file opened, not whatever is at the path now.
        let meta = file.metadata().map_err(unreadable)?;
        check_owner_and_mode(&path, &meta)?;
        if meta.is_dir() {
            return Err(unreadable(std::io::Error::other(
                "it is a folder, not a file",
            )));
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).map_err(unreadable)?;
        Accounts::parse(&bytes, &path)
    }

    /// Reads the contents of the accounts file at `path` (named in errors). A file edited by
    /// hand may hold anything: what does not parse is reported by line and column.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Accounts, StoreError> {
        let corrupt = |text: &str, offset: usize, problem: String| {
            let (line, column) = line_and_column(text, offset);
            StoreError::CorruptAccounts {
                path: path.to_path_buf(),
                line,
                column,
                problem,
            }
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            corrupt(&valid, valid.len(), "it is not UTF-8 text".into())
        })?;
        let accounts: Accounts = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |span| span.start);
            corrupt(text, offset, without_values(e.message()))
        })?;
        if let Some(bad) = accounts.accounts.keys().find(|n| validate_name(n).is_err()) {
            let offset = text.find(bad.as_str()).unwrap_or(0);
            return Err(corrupt(
                text,
                offset,
                format!("{bad:?} is not a valid account name"),
            ));
        }
        let every_hook = accounts.hooks.iter().map(|hook| (None, hook)).chain(
            accounts
                .accounts
                .iter()
                .flat_map(|(name, a)| a.hooks.iter().map(move |hook| (Some(name), hook))),
        );
        for (name, (event, command)) in every_hook {
            if let Err(error) = command_words(*event, command) {
                let whose = name.map_or("in [hooks]".to_string(), |n| {
                    format!("in account {n:?}'s hooks")
                });
                return Err(corrupt(
                    text,
                    text.find(command.as_str()).unwrap_or(0),
                    format!("{whose}, {error}"),
                ));
            }
        }
        for (name, account) in &accounts.accounts {
            if let Err((field, error)) = account.check_urls() {
                return Err(corrupt(
                    text,
                    field_offset(text, name, &field),
                    format!("in account {name:?}, {field}: {}", url_problem(&error)),
                ));
            }
        }
        Ok(accounts)
    }

    /// How long before a forecast grant death to warn.
    pub fn relink_margin(&self) -> std::time::Duration {
        self.relink_margin
            .unwrap_or(super::relink_margin::DEFAULT_RELINK_MARGIN)
    }

    /// The command to run when `event` happens to `name`: the account's own, else the home's.
    pub fn hook(&self, name: &str, event: HookEvent) -> Option<&str> {
        self.accounts
            .get(name)
            .and_then(|account| account.hooks.get(&event))
            .or_else(|| self.hooks.get(&event))
            .map(String::as_str)
    }

    pub fn get(&self, name: &str) -> Result<&Account, StoreError> {
        self.accounts.get(name).ok_or_else(|| {
            StoreError::no_such_account(name, self.accounts.keys().map(String::as_str))
        })
    }

    /// Loads, changes and saves the file while holding its lock, so that two processes adding
    /// accounts at once both keep their change. A broken file stops the change before anything
    /// is written.
    pub fn update<T>(
        home: &Home,
        change: impl FnOnce(&mut Accounts) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        Home::ensure_private_dir(home.config_dir())?;
        let lock_path = home.config_dir().join("accounts.lock");
        let lock = open_lock(&lock_path)?;
        lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
        let mut accounts = Accounts::load(home)?;
        let result = change(&mut accounts)?;
        accounts.save(home)?;
        Ok(result)
    }

    fn save(&self, home: &Home) -> Result<(), StoreError> {
        let text = self.to_text().map_err(|e| {
            StoreError::io(&home.accounts_file(), std::io::Error::other(e.to_string()))
        })?;
        write_atomically(&home.accounts_file(), text.as_bytes())
    }

    /// The file's contents, as [`parse`](Self::parse) reads them back.
    fn to_text(&self) -> Result<String, toml::ser::Error> {
        let header = "# tokendeck accounts. No secrets live here: tokens and client secrets are in the OS keyring.\n\n";
        Ok(format!("{header}{}", toml::to_string_pretty(self)?))
    }
}

/// Account names become file names and keyring entries: keep them plain.
pub fn validate_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidName(name.to_string()))
    }
}

/// What is wrong with a URL from the file, without the value: the line and column say where it
/// is, and a secret pasted there by mistake must not be repeated.
fn url_problem(error: &crate::oauth::Error) -> String {
    match error {
        crate::oauth::Error::InvalidUrl { what, reason, .. } => {
            format!("the {what} is not usable: {reason}")
        }
        other => other.to_string(),
    }
}

/// Where `field` (`provider.token_endpoint`, `api_url`) of account `name` is in `text`, as near
/// as a plain search finds it: its key after the account's header, else the header.
fn field_offset(text: &str, name: &str, field: &str) -> usize {
    let headers = [format!("[accounts.{name}"), format!("[accounts.\"{name}\"")];
    let Some(header) = headers.iter().filter_map(|h| text.find(h.as_str())).min() else {
        return 0;
    };
    let key = field.rsplit('.').next().unwrap_or(field);
    text[header..]
        .find(&format!("\n{key}"))
        .map_or(header, |at| header + at + 1)
}

/// serde quotes the value it did not expect (`string "…"`, ``variant `…` ``): a client secret
/// pasted into the file by mistake would be repeated on screen and in logs. The line and column
/// already say where it is, so the value itself is left out.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let string = rest.find("string \"").map(|i| (i, "string \"".len()));
        let variant = rest.find("variant `").map(|i| (i, "variant `".len()));
        let Some((start, open)) = [string, variant].into_iter().flatten().min() else {
            out.push_str(rest);
            return out;
        };
        let quoted = &rest[start + open..];
        let end = if rest[start..].starts_with("string") {
            out.push_str(&rest[..start]);
            out.push_str("string");
            // Debug-quoted: the first quote not escaped by a backslash closes it.
            let mut escaped = false;
            quoted.char_indices().find_map(|(i, c)| match c {
                '\\' if !escaped => {
                    escaped = true;
                    None
                }
                '"' if !escaped => Some(i + 1),
                _ => {
                    escaped = false;
                    None
                }
            })
        } else {
            out.push_str(&rest[..start]);
            out.push_str("variant");
            // Written raw, then `, expected one of …` (or `, there are no variants`): the last
            // of those ends it, whatever the value holds.
            quoted
                .rfind("`, expected")
                .or_else(|| quoted.rfind("`, there are no variants"))
                .map(|i| i + 1)
        };
        match end {
            Some(end) => rest = &quoted[end..],
            None => return out, // no end: drop the rest rather than risk showing it
        }
    }
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Refuses an accounts file owned by another user (root aside, as ssh allows for its config) or
/// writable by its group or others.
fn check_owner_and_mode(path: &Path, meta: &fs::Metadata) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = rustix::process::getuid().as_raw();
        let mode = meta.mode() & 0o7777;
        let owner = (meta.uid() != uid && meta.uid() != 0).then_some(meta.uid());
        if owner.is_some() || mode & 0o022 != 0 {
            return Err(StoreError::UnsafeAccountsFile {
                path: path.to_path_buf(),
                owner,
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

#[cfg(test)]
mod properties;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An account for tests of the store.
    pub(crate) fn account() -> Account {
        Account {
            kind: "custom".into(),
            client_id: "id".into(),
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            scopes: vec!["openid".into()],
            auth_method: AuthMethod::Basic,
            params: BTreeMap::from([("deviceid".into(), "laptop".into())]),
            api_url: None,
            mail_user: None,
            refresh_at_least: None,
            refresh_token_lifetime: None,
            shared: false,
            git: Default::default(),
            hooks: Default::default(),
            provider: Provider::new("https://as.example/a", "https://as.example/t").unwrap(),
        }
    }

    #[test]
    fn round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        Accounts::update(&home, |a| {
            a.accounts.insert("work".into(), account());
            Ok(())
        })
        .unwrap();
        let loaded = Accounts::load(&home).unwrap();
        assert_eq!(loaded.get("work").unwrap(), &account());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(home.accounts_file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_file_names_line_and_column_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        fs::create_dir_all(home.config_dir()).unwrap();
        let broken = "[accounts.work]\nkind = \"custom\"\nclient_id = = \"x\"\n";
        fs::write(home.accounts_file(), broken).unwrap();

        let err = Accounts::load(&home).unwrap_err();
        let StoreError::CorruptAccounts { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, 3);
        assert!(
            err.to_string()
                .contains("accounts.toml is broken at line 3"),
            "{err}"
        );

        let err = Accounts::update(&home, |a| {
            a.accounts.insert("new".into(), account());
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, StoreError::CorruptAccounts { .. }));
        assert_eq!(fs::read_to_string(home.accounts_file()).unwrap(), broken);
    }

    #[test]
    fn unknown_fields_and_bad_names_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        fs::create_dir_all(home.config_dir()).unwrap();
        fs::write(home.accounts_file(), "[accounts.\"a b\"]\nkind = \"x\"\n").unwrap();
        assert!(matches!(
            Accounts::load(&home),
            Err(StoreError::CorruptAccounts { .. })
        ));
        fs::write(home.accounts_file(), "colour = 1\n").unwrap();
        let err = Accounts::load(&home).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn a_hand_edited_http_endpoint_is_refused_with_its_account_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::rooted(dir.path()).unwrap();
        Accounts::update(&home, |a| {
            a.accounts.insert("work".into(), account());
            a.accounts.insert("zz".into(), account());
            Ok(())
        })
        .unwrap();
        let good = fs::read_to_string(home.accounts_file()).unwrap();
        let edits = [
            (
                "https://as.example/t\"",
                "http://as.example/t\"",
                "provider.token_endpoint",
            ),
            (
                "https://as.example/a\"",
                "http://as.example/a\"",
                "provider.authorization_endpoint",
            ),
        ];
        for (from, to, field) in edits {
            // Only the second account is edited.
            let at = good.find("[accounts.zz").unwrap();
            let edited = format!("{}{}", &good[..at], good[at..].replacen(from, to, 1));
            fs::write(home.accounts_file(), &edited).unwrap();
            let err = Accounts::load(&home).unwrap_err();
            let StoreError::CorruptAccounts { line, problem, .. } = &err else {
                panic!("{err:?}")
            };
            let expected = edited.lines().position(|l| l.contains(to)).unwrap() + 1;
            assert_eq!(*line, expected, "{edited}");
            assert!(
                problem.contains(&format!("in account \"zz\", {field}"))
                    && problem.contains("use https"),
                "{err}"
            );
        }
        let with_api = good.replacen(
            "[accounts.zz]\n",
            "[accounts.zz]\napi_url = \"http://api.example/me\"\n",
            1,
        );
        fs::write(home.accounts_file(), &with_api).unwrap();
        let err = Accounts::load(&home).unwrap_err().to_string();
        assert!(err.contains("in account \"zz\", api_url"), "{err}");
    }

    #[test]
    fn names_are_plain() {
        for good in ["work", "a.b-c_d", "X1"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".hidden", "a/b", "a b", "é", &"x".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
