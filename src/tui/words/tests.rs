use std::sync::Arc;

use super::*;
use crate::app::RelinkReason;
use crate::app::link::LinkWay;
use crate::oauth::Grant;
use crate::store::Backend;

fn ended(end: LinkEnd) -> String {
    link_ended(&LinkFailed {
        name: "work".into(),
        way: LinkWay::Loopback,
        end,
    })
}

fn refused(error: oauth::Error) -> String {
    ended(LinkEnd::Refused(error))
}

/// Every error of the application about one account, as the TUI may meet it.
fn every_account_error() -> Vec<AccountError> {
    vec![
        AccountError::Store(StoreError::no_such_account("work", [])),
        AccountError::OAuth(oauth::Error::NoRefreshToken),
        AccountError::NotLinked("work".into()),
        AccountError::RecordMissing("work".into()),
        AccountError::RecordNotHere {
            name: "work".into(),
            backend: Backend::SecretService,
        },
        AccountError::NeedsRelink {
            name: "work".into(),
            reason: RelinkReason::GrantRefused,
        },
        AccountError::ClientRefused {
            name: "work".into(),
            error: oauth::Error::Rejected {
                grant: Grant::RefreshToken,
                status: 401,
                error: "invalid_client".into(),
                description: None,
            },
        },
        AccountError::BackingOff {
            name: "work".into(),
            reason: "HTTP 503".into(),
            seconds: 30,
        },
        AccountError::ReservedParam {
            name: "work".into(),
            key: "scope".into(),
        },
    ]
}

/// The link screen offers `r` and Esc under the message: an ended link names no command, and
/// says to change a setting first only when the provider refused one — with `e`, back on the
/// accounts screen.
#[test]
fn an_ended_link_says_what_went_wrong_and_never_a_command_that_links() {
    let denied = refused(oauth::Error::AuthorizationDenied {
        error: "access_denied".into(),
        description: Some("The user denied the request.".into()),
    });
    assert_eq!(
        denied,
        "Access was denied at the provider: The user denied the request."
    );
    let declined = refused(oauth::Error::DeviceDenied { description: None });
    assert_eq!(declined, "The sign-in was declined at the provider.");
    let busy = refused(oauth::Error::Unreachable {
        url: "https://as.example/token".into(),
        reason: "connection refused".into(),
    });
    assert!(
        busy.ends_with("Wait a moment before starting again."),
        "{busy}"
    );
    let client = refused(oauth::Error::Rejected {
        grant: Grant::AuthorizationCode,
        status: 401,
        error: "invalid_client".into(),
        description: None,
    });
    assert!(
        client.contains("Esc), press e to change the client ID or secret")
            && !client.contains("--client-secret-stdin"),
        "{client}"
    );
    let scope = refused(oauth::Error::AuthorizationDenied {
        error: "invalid_scope".into(),
        description: None,
    });
    assert!(
        scope.ends_with(
            "Back on the accounts screen (Esc), press e to change the scopes, then l to link again."
        ),
        "{scope}"
    );
    let not_recorded = ended(LinkEnd::NotRecorded(StoreError::no_such_account(
        "work",
        [],
    )));
    assert!(
        not_recorded.starts_with("The tokens are in the keyring, but recording the link failed"),
        "{not_recorded}"
    );
    for words in [denied, declined, busy, client, scope, not_recorded] {
        assert!(!words.contains("tokendeck link"), "{words}");
        assert!(!words.contains("authorization URL again"), "{words}");
    }
}

/// The advice is a key of the accounts screen — with Esc first from a screen over it; `e` where a
/// setting must change — and a command line only where the TUI cannot do it (the client's
/// authentication method), saying so.
#[test]
fn account_errors_advise_the_keys_of_the_screen_they_are_shown_on() {
    let relink = AccountError::NeedsRelink {
        name: "work".into(),
        reason: RelinkReason::NoRefreshToken,
    };
    assert_eq!(
        account_error(&relink, Shown::Accounts),
        "\"work\" must be linked again: the access token expired and no refresh token is held. Press l to link it again"
    );
    assert_eq!(
        account_error(&relink, Shown::OverAccounts),
        "\"work\" must be linked again: the access token expired and no refresh token is held. Back on the accounts screen (Esc), press l to link it again"
    );
    let missing = AccountError::RecordMissing("work".into());
    assert!(
        account_error(&missing, Shown::Accounts)
            .ends_with("remove it (d) and add it again (a), then link it (l)")
    );
    for error in every_account_error() {
        for shown in [Shown::Accounts, Shown::OverAccounts] {
            let words = account_error(&error, shown);
            assert!(
                !words.contains("tokendeck link") && !words.contains("tokendeck remove"),
                "{words}"
            );
            assert!(
                !words.contains("`tokendeck ")
                    || words.contains("only `tokendeck set work --auth-method` changes"),
                "a command line only where the TUI has no way: {words}"
            );
        }
    }
}

/// The problem clause is written once, for every front; the advice is each front's own.
#[test]
fn the_tui_and_the_command_line_say_the_same_problem_with_their_own_advice() {
    for error in every_account_error() {
        let problem = problem::account(&error);
        let tui = account_error(&error, Shown::Accounts);
        let cli = error.to_string();
        assert!(tui.starts_with(&problem), "{tui:?} / {problem:?}");
        assert!(cli.starts_with(&problem), "{cli:?} / {problem:?}");
    }
    let spent = AccountError::NeedsRelink {
        name: "work".into(),
        reason: RelinkReason::SpentToken {
            cause: "the refresh at 10:00 was not stored".into(),
            answer: "invalid_grant".into(),
        },
    };
    let tui = account_error(&spent, Shown::Accounts);
    assert!(
        tui.contains("so the stored refresh token was already spent")
            && tui.ends_with("Press l to link it again"),
        "{tui}"
    );
}

/// The engine's end of a refresh the user asked for, as the accounts screen shows it.
#[test]
fn a_refresh_that_needs_a_relink_says_to_press_l() {
    assert_eq!(refresh_finished("work", None), "Refreshed work.");
    let error = Arc::new(AccountError::NeedsRelink {
        name: "work".into(),
        reason: RelinkReason::GrantRefused,
    });
    assert_eq!(
        refresh_finished("work", Some(&error)),
        "Refreshing work failed: \"work\" must be linked again: the provider refused the grant. Press l to link it again"
    );
}

#[test]
fn a_name_taken_names_the_key_that_removes_it() {
    let error = NewAccountError::Store(StoreError::AccountExists("mail".into()));
    let words = add_failed(&error);
    assert!(words.contains("d on the accounts screen"), "{words}");
    assert!(!words.contains("tokendeck remove"), "{words}");
    assert!(
        error.to_string().contains("tokendeck remove"),
        "the CLI's words"
    );
}

/// A switch of the shared choice alone is said as itself, with no empty list of settings before
/// it; beside other changes, after them.
#[test]
fn a_shared_switch_is_said_alone_or_after_the_settings() {
    let shared = Changed {
        settings: vec![Changeable::Shared],
        shared: Some(true),
        ..Changed::default()
    };
    let text = edited("work", &shared);
    assert!(text.starts_with("work is shared over ssh now: "), "{text}");
    assert!(!text.contains("Changed"), "{text}");
    let both = Changed {
        settings: vec![Changeable::ApiUrl, Changeable::Shared],
        shared: Some(false),
        ..Changed::default()
    };
    let text = edited("work", &both);
    assert!(
        text.starts_with("Changed work: API URL. work is no longer shared"),
        "{text}"
    );
}

/// A new account says the git remotes its preset claims for it, and who else claims them and
/// which token git then gets.
#[test]
fn an_added_account_says_its_presets_git_remotes_and_a_shared_claim() {
    use crate::app::git::Claim;
    assert_eq!(added("gh", &[]), "Added gh. Press l to link it.");
    let alone = [Claim {
        host: "github.com".into(),
        also: vec![],
    }];
    assert_eq!(
        added("gh", &alone),
        "Added gh. Press l to link it. It answers git for github.com (its preset's)."
    );
    let shared = [Claim {
        host: "github.com".into(),
        also: vec!["gh-a".into(), "gh-b".into()],
    }];
    let text = added("gh-c", &shared);
    assert!(
        text.ends_with(
            " gh-a and gh-b claim github.com too: git gets gh-a's token there, the first by name."
        ),
        "{text}"
    );
}
