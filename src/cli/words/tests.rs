use super::*;
use crate::app::RelinkReason;
use crate::oauth::Grant;

fn ended_here(error: oauth::Error) -> String {
    ended("work", &error, LinkWay::Loopback)
}

#[test]
fn an_ended_link_says_to_link_again_and_never_to_reopen_the_url() {
    let denied = oauth::Error::AuthorizationDenied {
        error: "access_denied".into(),
        description: Some("The user denied the request.".into()),
    };
    assert!(
        denied
            .to_string()
            .contains("Open the authorization URL again")
    );
    let msg = ended_here(denied);
    assert_eq!(
        msg,
        "access was denied at the provider: The user denied the request. To try again, run `tokendeck link work`"
    );
    let msg = ended_here(oauth::Error::IssuerMismatch {
        expected: "https://as.example".into(),
        got: "https://evil.example".into(),
    });
    assert!(
        msg.ends_with("To try again, run `tokendeck link work`"),
        "{msg}"
    );
    assert!(
        !msg.contains("paste") && !msg.contains("authorization URL"),
        "{msg}"
    );
    let device = ended("work", &oauth::Error::MissingCode, LinkWay::Device);
    assert!(
        device.ends_with("To try again, run `tokendeck link work --device`"),
        "{device}"
    );
}

#[test]
fn a_refused_setting_is_named_with_the_command_that_changes_it() {
    let msg = ended_here(oauth::Error::Rejected {
        grant: Grant::AuthorizationCode,
        status: 401,
        error: "invalid_client".into(),
        description: Some("client authentication failed".into()),
    });
    assert!(
        msg.contains("fix it with `tokendeck set work --client-secret-stdin`"),
        "{msg}"
    );
    let scope = oauth::Error::AuthorizationDenied {
        error: "invalid_scope".into(),
        description: None,
    };
    assert!(ended_here(scope).contains("`tokendeck set work --scope S`"));
    let request = oauth::Error::AuthorizationDenied {
        error: "invalid_request".into(),
        description: Some("use \"S256\".".into()),
    };
    let msg = ended_here(request);
    assert!(
        msg.contains("`tokendeck set work --param KEY=VALUE`"),
        "{msg}"
    );
    assert!(msg.contains("use \"S256\". Check"), "one full stop: {msg}");
}

/// The application's errors carry data, and the store's words name no command: the command
/// that helps is the CLI's to add, here.
#[test]
fn the_command_that_helps_is_added_by_the_command_line() {
    let missing = StoreError::no_such_account("work", []);
    assert_eq!(missing.to_string(), "no account is named \"work\"");
    assert_eq!(
        AccountError::Store(missing).to_string(),
        "no account is named \"work\": `tokendeck list` shows the accounts there are"
    );
    let taken = NewAccountError::Store(StoreError::AccountExists("mail".into()));
    assert_eq!(
        taken.to_string(),
        "an account named \"mail\" exists already: choose another name, or `tokendeck remove` it first"
    );
    let removed = oauth::Error::Store(std::sync::Arc::new(Box::new(StoreError::no_such_account(
        "work",
        ["personal"],
    ))));
    assert!(
        oauth_error(&removed).ends_with(
            "no account is named \"work\": `tokendeck list` shows the accounts there are"
        ),
        "{}",
        oauth_error(&removed)
    );
    let relink = AccountError::NeedsRelink {
        name: "work".into(),
        reason: RelinkReason::Recorded("invalid_grant: grant request is invalid.".into()),
    };
    assert_eq!(
        relink.to_string(),
        "\"work\" must be linked again: invalid_grant: grant request is invalid. Run `tokendeck link work`"
    );
}

/// Every `tokendeck …` a person is told to run is written in a front: none below them, where
/// the TUI (or a socket agent, or a git helper) would inherit the command line's advice.
#[test]
fn no_command_line_for_a_person_is_written_below_the_fronts() {
    fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    // `tokendeck` followed by one of its subcommands: a command line, not the program's name.
    let commands: Vec<String> = <crate::cli::Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| format!("tokendeck {}", c.get_name()))
        .collect();
    assert!(commands.len() > 10, "{commands:?}");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for room in ["app", "store", "oauth", "inspect"] {
        sources(&src.join(room), &mut files);
    }
    assert!(files.len() > 100, "the rooms were read");
    let written: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).expect("a readable source");
            let lines: Vec<String> = text
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim_start().starts_with("//"))
                .filter(|(_, line)| commands.iter().any(|c| line.contains(c.as_str())))
                .map(|(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect();
            lines
        })
        .collect();
    assert!(written.is_empty(), "word these in the fronts: {written:#?}");
}

#[test]
fn a_device_link_the_provider_does_not_offer_says_to_link_by_the_url() {
    for error in [
        oauth::Error::NoDeviceEndpoint,
        crate::oauth::error::rejected(Grant::DeviceCode, 400, "unsupported_grant_type"),
    ] {
        let msg = ended("work", &error, LinkWay::Device);
        assert!(
            msg.ends_with(
                ". Link it with the authorization URL instead: run `tokendeck link work --no-device`"
            ),
            "{msg}"
        );
        assert!(!msg.contains("--device`"), "{msg}");
        assert_eq!(msg.matches("authorization URL instead").count(), 1, "{msg}");
    }
}

/// A near miss is named as the question a person would ask; names far off are not offered.
#[test]
fn an_unknown_name_asks_about_the_nearest_ones() {
    let one = StoreError::no_such_account("acc", ["acct", "personal"]);
    assert_eq!(
        AccountError::Store(one).to_string(),
        "no account is named \"acc\"; did you mean \"acct\"?"
    );
    let two = StoreError::no_such_account("work1", ["work", "work2", "home"]);
    assert_eq!(
        store_error(&two),
        "no account is named \"work1\"; did you mean \"work\" or \"work2\"?"
    );
    let none = StoreError::no_such_account("zzz", ["acct"]);
    assert!(store_error(&none).ends_with("`tokendeck list` shows the accounts there are"));
}
