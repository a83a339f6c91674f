//! Which git remotes an account's tokens are for (`--git-host HOST[:PORT][/PATH]`) and the user
//! name git is given with them: what `git-credential` matches a request against.

use serde::{Deserialize, Serialize};

/// The user name git sends when the account names none: what GitHub, GitLab and Gitea accept
/// beside an OAuth access token used as a password.
pub const DEFAULT_GIT_USER: &str = "oauth2";

/// An account's git settings, kept in its `git` table of the accounts file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitAccess {
    /// `HOST[:PORT][/PATH]`, each checked by [`GitHost::parse`] before it is written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl GitAccess {
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.user.is_none()
    }

    /// The user name to give git.
    pub fn user(&self) -> &str {
        self.user.as_deref().unwrap_or(DEFAULT_GIT_USER)
    }

    /// How closely this account claims `host` (with `path`, when git sent one): the length of the
    /// longest matching pattern's path, so that `example.com/team` beats `example.com`.
    pub fn claims(&self, host: &str, path: Option<&str>) -> Option<usize> {
        self.hosts
            .iter()
            .filter_map(|raw| GitHost::parse(raw).ok())
            .filter_map(|pattern| pattern.matches(host, path))
            .max()
    }
}

/// One `HOST[:PORT][/PATH]` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitHost {
    /// Lower case, with the port when one was given.
    host: String,
    /// Without its leading or trailing slashes; empty for the whole host.
    path: String,
}

impl GitHost {
    /// Checks a pattern as `add`/`set` take it; the error says what is wrong with it.
    pub fn parse(raw: &str) -> Result<GitHost, &'static str> {
        let raw = raw.trim();
        let raw = raw.strip_prefix("https://").unwrap_or(raw);
        let (host, path) = raw.split_once('/').unwrap_or((raw, ""));
        if host.is_empty() {
            return Err("it names no host: write HOST, HOST:PORT or HOST/PATH");
        }
        if host.contains('@') || raw.contains("://") {
            return Err(
                "write only HOST[:PORT][/PATH], without a user or a scheme other than https",
            );
        }
        if let Some((_, port)) = host.rsplit_once(':')
            && port.parse::<u16>().is_err()
        {
            return Err("its port is not a number from 0 to 65535");
        }
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("it has a space or a control character in it");
        }
        Ok(GitHost {
            host: host.to_ascii_lowercase(),
            path: path.trim_matches('/').to_string(),
        })
    }

    /// Whether git's `host` (`example.com` or `example.com:8443`) and `path` fall under this
    /// pattern, and if so how long its path is. A pattern with a path claims nothing when git
    /// sends no path (`credential.useHttpPath` unset): it cannot tell which repository is meant.
    fn matches(&self, host: &str, path: Option<&str>) -> Option<usize> {
        if !self.host.eq_ignore_ascii_case(host) {
            return None;
        }
        if self.path.is_empty() {
            return Some(0);
        }
        let path = path?.trim_matches('/');
        let under = path == self.path
            || path
                .strip_prefix(&self.path)
                .is_some_and(|rest| rest.starts_with('/'));
        under.then_some(self.path.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(hosts: &[&str]) -> GitAccess {
        GitAccess {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            user: None,
        }
    }

    #[test]
    fn a_host_pattern_claims_its_host_whatever_the_path() {
        let git = access(&["Example.com"]);
        assert_eq!(git.claims("example.com", None), Some(0));
        assert_eq!(git.claims("example.com", Some("a/b.git")), Some(0));
        assert_eq!(git.claims("example.com:8443", None), None);
        assert_eq!(git.claims("example.org", None), None);
    }

    #[test]
    fn a_port_is_part_of_the_host() {
        let git = access(&["127.0.0.1:8080"]);
        assert_eq!(git.claims("127.0.0.1:8080", None), Some(0));
        assert_eq!(git.claims("127.0.0.1", None), None);
    }

    #[test]
    fn a_path_pattern_claims_only_what_is_under_it_and_wins_over_the_bare_host() {
        let team = access(&["example.com/team/"]);
        assert_eq!(team.claims("example.com", Some("team/repo.git")), Some(4));
        assert_eq!(team.claims("example.com", Some("team")), Some(4));
        assert_eq!(team.claims("example.com", Some("teamwork/repo.git")), None);
        assert_eq!(team.claims("example.com", None), None);
        assert!(
            team.claims("example.com", Some("team/x"))
                > access(&["example.com"]).claims("example.com", Some("team/x"))
        );
    }

    #[test]
    fn patterns_that_cannot_name_a_remote_are_refused() {
        for bad in [
            "",
            "/path",
            "user@host",
            "ssh://host",
            "host:port",
            "host:99999",
            "a b",
        ] {
            assert!(GitHost::parse(bad).is_err(), "{bad:?}");
        }
        assert!(GitHost::parse("https://github.com").is_ok());
    }

    #[test]
    fn the_user_is_oauth2_unless_the_account_names_one() {
        assert_eq!(GitAccess::default().user(), "oauth2");
        let named = GitAccess {
            hosts: vec![],
            user: Some("x-access-token".into()),
        };
        assert_eq!(named.user(), "x-access-token");
    }

    /// A preset's remotes go into the accounts file without passing `--git-host`'s check: the
    /// asset must hold only what that check takes.
    #[test]
    fn every_presets_git_remote_is_one_add_would_take() {
        for preset in crate::oauth::presets::Preset::all() {
            for host in &preset.git_hosts {
                assert!(GitHost::parse(host).is_ok(), "{}: {host}", preset.id);
            }
        }
    }
}
