//! The one command line read without clap: `tokendeck [--home DIR] token NAME`. Scripts call it
//! for every API request, and building clap's whole command tree costs more than the rest of a
//! fresh-token read. Anything else — another option, `--help`, `--`, a value that looks like an
//! option, text that is not UTF-8 — is left to clap, so what clap would refuse or read
//! differently never takes this path; a test holds the two to the same answers.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use super::TokenFormat;
use super::args::{Cli, Command, DEMO_TTL};

/// The command line as `Cli::parse` would read it, when it is exactly `[--home DIR] token NAME`.
/// `home_env` is `TOKENDECK_HOME`'s value, which `--home` falls back to as in clap.
pub fn token_command(args: &[OsString], home_env: Option<&OsStr>) -> Option<Cli> {
    let (home, rest) = match args.get(1..)? {
        [flag, dir, rest @ ..] if flag == "--home" => (Some(plain(dir)?), rest),
        [flag, rest @ ..] if flag.to_str()?.starts_with("--home=") => {
            let dir = flag.to_str()?.strip_prefix("--home=")?;
            (Some(plain(OsStr::new(dir))?), rest)
        }
        rest => (None, rest),
    };
    let [command, name] = rest else {
        return None;
    };
    if command != "token" {
        return None;
    }
    let name = plain(name)?.to_str()?.to_string();
    let home = match (home, home_env) {
        (Some(dir), _) => Some(PathBuf::from(dir)),
        (None, None) => None,
        // clap reads an empty variable its own way: let it.
        (None, Some(env)) => Some(PathBuf::from(plain(env)?)),
    };
    Some(Cli {
        home,
        demo: false,
        demo_ttl: DEMO_TTL,
        command: Some(Command::Token {
            name,
            format: TokenFormat::Plain,
            json: false,
        }),
    })
}

/// The account of a plain `token NAME` (no `--format`, no `--json`), however it was read: what
/// `main` asks the agent for before it starts a runtime.
pub fn plain_token(cli: &Cli) -> Option<&str> {
    match &cli.command {
        Some(Command::Token {
            name,
            format: TokenFormat::Plain,
            json: false,
        }) => Some(name),
        _ => None,
    }
}

/// A value clap takes as it is: not empty, not starting with `-`.
fn plain(value: &OsStr) -> Option<&OsStr> {
    let starts_with_dash = value.as_encoded_bytes().first() == Some(&b'-');
    (!value.is_empty() && !starts_with_dash).then_some(value)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use proptest::prelude::*;

    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        std::iter::once("tokendeck")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// What both readings agree on: the home and the token's account.
    fn token_of(cli: &Cli) -> Option<(Option<PathBuf>, String)> {
        match &cli.command {
            Some(Command::Token {
                name,
                format: TokenFormat::Plain,
                json: false,
            }) if !cli.demo => Some((cli.home.clone(), name.clone())),
            _ => None,
        }
    }

    #[test]
    fn reads_the_plain_forms_and_leaves_the_rest_to_clap() {
        let quick = |words: &[&str]| {
            token_command(&args(words), None)
                .as_ref()
                .and_then(token_of)
        };
        assert_eq!(quick(&["token", "work"]), Some((None, "work".into())));
        assert_eq!(
            quick(&["--home", "/h", "token", "work"]),
            Some((Some("/h".into()), "work".into()))
        );
        assert_eq!(
            quick(&["--home=/h", "token", "work"]),
            Some((Some("/h".into()), "work".into()))
        );
        for words in [
            &["token"][..],
            &["token", "--help"],
            &["token", "-h"],
            &["token", "work", "--home", "/h"],
            &["token", "--", "work"],
            &["--home", "-x", "token", "work"],
            &["--home", "", "token", "work"],
            &["--demo", "token", "work"],
            &["status", "work"],
            &["token", "a", "b"],
            &[],
        ] {
            assert_eq!(quick(words), None, "{words:?} is clap's to read");
        }
        // The environment's home, unless --home says otherwise; an empty one is clap's business.
        let env = |value: &str, words: &[&str]| {
            token_command(&args(words), Some(OsStr::new(value)))
                .as_ref()
                .and_then(token_of)
        };
        assert_eq!(
            env("/e", &["token", "w"]),
            Some((Some("/e".into()), "w".into()))
        );
        assert_eq!(
            env("/e", &["--home", "/h", "token", "w"]),
            Some((Some("/h".into()), "w".into()))
        );
        assert_eq!(env("", &["token", "w"]), None);
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("token".to_string()),
            Just("--home".to_string()),
            Just("--demo".to_string()),
            Just("--".to_string()),
            Just("-h".to_string()),
            Just(String::new()),
            "[a-z/=.-]{1,8}",
            "--home=[a-z/-]{0,4}",
        ]
    }

    proptest! {
        #![proptest_config(crate::properties::config())]
        /// Whenever the quick reading answers, clap (without TOKENDECK_HOME, as tests run) reads
        /// the same command line to the same home and account. Shaped like a token command half
        /// of the time, so that the quick reading answers often.
        #[test]
        fn agrees_with_clap_whenever_it_answers(
            home in prop_oneof![Just(vec![]), word().prop_map(|w| vec!["--home".to_string(), w]), word().prop_map(|w| vec![w])],
            command in prop_oneof![Just("token".to_string()), word()],
            rest in proptest::collection::vec(word(), 0..3),
        ) {
            prop_assume!(std::env::var_os("TOKENDECK_HOME").is_none());
            let words: Vec<String> = home.into_iter().chain([command]).chain(rest).collect();
            let argv: Vec<OsString> = std::iter::once("tokendeck".into())
                .chain(words.iter().map(OsString::from))
                .collect();
            if let Some(quick) = token_command(&argv, None) {
                let clap = Cli::try_parse_from(&argv);
                prop_assert!(clap.is_ok(), "clap refuses {words:?}: {:?}", clap.err());
                prop_assert_eq!(token_of(&quick), token_of(&clap.unwrap()));
            }
        }
    }
}
