//! `update` alone: no terminal, no runtime, time injected. Each key on each screen, and each
//! message the background sends.

use crate::fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fixtures::{app_with_a_long_log, app_with_accounts, ch, key, now, secs, status};
use std::sync::Arc;
use tokendeck::oauth::RefreshTrigger;
use tokendeck::oauth::secret::AccessToken;

use tokendeck::app::link::{LinkEnd, LinkFailed, LinkWay};
use tokendeck::app::{AccountError, EngineEvent, RelinkReason};
use tokendeck::store::new_account::Field;
use tokendeck::store::{Event, Health, Outcome, Trigger};
use tokendeck::tui::app::{App, LinkPhase, Load, NoticeKind, Overlay, Pane, Screen, Stopping};
use tokendeck::tui::message::{Effect, Message, NoRefreshToken};
use tokendeck::tui::screens::add::Input;
use tokendeck::tui::update::update;
use tokendeck::tui::widgets::theme::Theme;

fn names(effects: &[Effect]) -> Vec<String> {
    effects.iter().map(|e| format!("{e:?}")).collect()
}

/// The link of `work` ended on `end`, as the link session tells it.
fn ended(way: LinkWay, end: LinkEnd) -> Message {
    Message::LinkFailed(Box::new(LinkFailed {
        name: "work".into(),
        way,
        end,
    }))
}

/// A provider that answered 503.
fn busy() -> tokendeck::oauth::Error {
    tokendeck::oauth::Error::Unavailable {
        url: "https://as.example/token".into(),
        status: 503,
        retry_after: None,
    }
}

fn ctrl_c() -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

fn select(app: &mut App, name: &str) {
    app.selected = app.accounts.iter().position(|r| r.name == name).unwrap();
}

#[test]
fn moving_the_selection_stays_in_bounds() {
    let mut app = app_with_accounts();
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.selected, 0);
    for _ in 0..20 {
        update(&mut app, ch('j'));
    }
    assert_eq!(app.selected, app.accounts.len() - 1);
    update(&mut app, ch('k'));
    assert_eq!(app.selected, app.accounts.len() - 2);
}

#[test]
fn account_keys_ask_for_the_right_effects() {
    let mut app = app_with_accounts();
    select(&mut app, "github");
    assert_eq!(names(&update(&mut app, ch('r'))), ["Refresh(\"github\")"]);
    assert_eq!(names(&update(&mut app, ch('t'))), ["TestApi(\"github\")"]);
    assert_eq!(
        names(&update(&mut app, ch('s'))),
        ["RevealToken(\"github\")"]
    );
    update(
        &mut app,
        Message::TokenRevealed {
            name: "github".into(),
            token: tokendeck::oauth::secret::AccessToken::new("secret"),
        },
    );
    assert!(update(&mut app, ch('s')).is_empty(), "s again hides it");
    assert_eq!(app.revealed, None);

    update(&mut app, ch('f'));
    assert!(app.log_filter);
    assert!(app.visible_log().all(|l| l.event.account == "github"));
    update(&mut app, ch('f'));
    assert!(!app.log_filter);

    let effects = update(&mut app, ch('l'));
    assert_eq!(names(&effects), ["StartLink(\"github\", Loopback)"]);
    assert!(
        matches!(&app.screen, Screen::Link(l) if l.account == "github" && l.phase == LinkPhase::Starting)
    );
}

#[test]
fn an_unlinked_account_is_not_refreshed_but_explained() {
    let mut app = app_with_accounts();
    select(&mut app, "work");
    assert!(update(&mut app, ch('r')).is_empty());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("not linked yet: press l")
    );
}

#[test]
fn removing_asks_first() {
    let mut app = app_with_accounts();
    select(&mut app, "mail");
    assert!(update(&mut app, ch('d')).is_empty());
    assert_eq!(app.overlay, Some(Overlay::ConfirmRemove("mail".into())));
    assert!(update(&mut app, ch('n')).is_empty());
    assert_eq!(app.overlay, None);
    update(&mut app, ch('d'));
    assert_eq!(names(&update(&mut app, ch('y'))), ["Remove(\"mail\")"]);
    update(
        &mut app,
        Message::Removed {
            name: "mail".into(),
            revocation: Some("Revoking the grant failed: the provider is having trouble.".into()),
            revocation_failed: true,
        },
    );
    assert!(app.accounts.iter().all(|r| r.name != "mail"));
    // Gone here either way; what stays valid at the provider is said, as a problem.
    let notice = app.notice.as_ref().unwrap();
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(
        notice.text.starts_with("Removed mail")
            && notice.text.contains("Revoking the grant failed"),
        "{}",
        notice.text
    );
}

#[test]
fn help_opens_scrolls_and_closes_and_q_quits() {
    let mut app = app_with_accounts();
    update(&mut app, ch('?'));
    assert_eq!(app.overlay, Some(Overlay::Help(0)));
    update(&mut app, ch('j'));
    assert_eq!(app.overlay, Some(Overlay::Help(1)));
    update(&mut app, ch('q'));
    assert_eq!(app.overlay, None);
    assert!(!app.quit, "q closed the help, it did not quit");
    assert_eq!(names(&update(&mut app, ch('q'))), ["Stop"]);
    // Nothing under way: the runner answers at once.
    update(&mut app, Message::Stopped);
    assert!(app.quit);
}

/// `q`, Ctrl-C or a signal stop starting new work and wait for the refreshes under way, showing
/// which; a second one gives them up and quits at once.
#[test]
fn quitting_waits_for_refreshes_under_way_and_a_second_quit_gives_them_up() {
    let patience = std::time::Duration::from_secs(33);
    for first in [ch('q'), ctrl_c(), Message::Quit] {
        let mut app = app_with_accounts();
        assert_eq!(names(&update(&mut app, first)), ["Stop"]);
        assert_eq!(app.stopping, Some(Stopping::Asking));
        assert!(!app.quit, "not before the refreshes under way are known");
        let waiting = Message::StopWaiting {
            accounts: vec!["work".into()],
            patience,
        };
        assert!(update(&mut app, waiting).is_empty());
        assert_eq!(
            app.stopping,
            Some(Stopping::Waiting {
                accounts: vec!["work".into()],
                patience
            })
        );
        assert!(app.busy(), "a spinner turns while it waits");
        // Nothing new starts meanwhile: no screen opens, no refresh is asked for.
        assert!(update(&mut app, ch('a')).is_empty() && update(&mut app, ch('r')).is_empty());
        assert!(matches!(app.screen, Screen::Accounts) && !app.quit);
        update(&mut app, Message::Stopped);
        assert!(app.quit, "the refresh ended: the TUI ends");
    }
    for again in [ch('q'), ctrl_c(), Message::Quit] {
        let mut app = app_with_accounts();
        update(&mut app, Message::Quit);
        let waiting = Message::StopWaiting {
            accounts: vec!["work".into()],
            patience,
        };
        update(&mut app, waiting);
        assert_eq!(names(&update(&mut app, again)), ["GiveUp"]);
        assert!(app.quit, "at once");
    }
    // Quitting from another screen waits the same way, and q there quits at once too.
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    assert_eq!(names(&update(&mut app, Message::Quit)), ["Stop"]);
    assert_eq!(names(&update(&mut app, ch('q'))), ["GiveUp"]);
    assert!(app.quit);
}

/// A broken accounts file does not take away the list read before it broke; a mended one is
/// read as usual.
#[test]
fn a_broken_accounts_file_keeps_the_list_read_before() {
    let mut app = app_with_accounts();
    let listed = app.accounts.len();
    update(
        &mut app,
        Message::LoadFailed("broken at line 3, column 1".into()),
    );
    assert_eq!(app.load, Load::Broken("broken at line 3, column 1".into()));
    assert_eq!(app.accounts.len(), listed, "what was read stays");
    let rows = app.accounts.clone();
    update(&mut app, Message::Loaded(rows));
    assert_eq!(app.load, Load::Read);
    // Never read at all: nothing to keep.
    let mut fresh = App::new(now(), Theme::colored());
    update(&mut fresh, Message::LoadFailed("broken".into()));
    assert_eq!(fresh.load, Load::Failed("broken".into()));
}

#[test]
fn the_add_form_types_moves_validates_and_submits() {
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    // Provider: → moves to Google.
    update(&mut app, key(KeyCode::Right));
    let Screen::Add(form) = &app.screen else {
        panic!()
    };
    assert_eq!(form.choices[form.choice].label(), "Google");
    assert_eq!(form.value(Input::Scopes), "openid email profile");

    update(&mut app, key(KeyCode::Enter));
    let Screen::Add(form) = &app.screen else {
        panic!()
    };
    assert!(form.errors.contains_key(&Input::Name) && form.errors.contains_key(&Input::ClientId));
    assert_eq!(
        form.focused(),
        Input::Name,
        "focus jumps to the first error"
    );

    for c in "mail2".chars() {
        update(&mut app, ch(c));
    }
    update(&mut app, key(KeyCode::Tab));
    for c in "my-id.apps.googleusercontent.com".chars() {
        update(&mut app, ch(c));
    }
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, Message::Paste("the-secret\n".into()));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Add(request)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(request.name, "mail2");
    assert_eq!(request.client_id, "my-id.apps.googleusercontent.com");
    assert_eq!(request.client_secret.as_deref(), Some("the-secret"));
    assert!(
        request
            .params
            .contains(&("access_type".into(), "offline".into()))
    );

    update(
        &mut app,
        Message::AddFailed {
            field: Some(Field::Name),
            message: "an account named \"mail2\" exists already".into(),
        },
    );
    let Screen::Add(form) = &app.screen else {
        panic!()
    };
    assert!(!form.submitting);
    assert_eq!(
        form.errors.get(&Input::Name).map(String::as_str),
        Some("an account named \"mail2\" exists already")
    );

    assert_eq!(
        names(&update(
            &mut app,
            Message::Added {
                name: "mail2".into(),
                git: Vec::new(),
                secret_required_by: None,
            }
        )),
        ["LoadAccounts"]
    );
    assert!(matches!(app.screen, Screen::Accounts));
}

#[test]
fn an_account_added_from_a_google_preset_without_a_secret_is_warned_of_and_told_how_to_give_it() {
    let mut app = app_with_accounts();
    update(
        &mut app,
        Message::Added {
            name: "mail".into(),
            git: Vec::new(),
            secret_required_by: Some("Google".into()),
        },
    );
    let notice = app.notice.as_ref().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Warning);
    assert!(
        notice.text.starts_with("Added mail.")
            && notice
                .text
                .contains("Google asks for the client secret even of a desktop app")
            && notice.text.ends_with("press e and enter it."),
        "{}",
        notice.text
    );
}

#[test]
fn letters_in_the_form_are_typed_not_commands() {
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    update(&mut app, key(KeyCode::Tab));
    for c in "qdr?".chars() {
        update(&mut app, ch(c));
    }
    assert!(!app.quit && app.overlay.is_none());
    let Screen::Add(form) = &app.screen else {
        panic!()
    };
    assert_eq!(form.value(Input::Name), "qdr?");
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.screen, Screen::Accounts));
}

#[test]
fn the_link_screen_copies_opens_zooms_takes_a_paste_and_reports_errors() {
    let mut app = fixtures::link_screen(None);
    let url = match &app.screen {
        Screen::Link(l) => l.url().unwrap().to_string(),
        _ => unreachable!(),
    };
    assert_eq!(
        names(&update(&mut app, ch('c'))),
        [format!("Copy({url:?})")]
    );
    assert_eq!(
        names(&update(&mut app, ch('o'))),
        [format!("OpenBrowser({url:?})")]
    );
    update(&mut app, ch('z'));
    assert!(matches!(&app.screen, Screen::Link(l) if l.zoom));
    update(&mut app, key(KeyCode::Esc));
    assert!(
        matches!(&app.screen, Screen::Link(l) if !l.zoom),
        "Esc leaves the zoom first"
    );

    update(
        &mut app,
        Message::Paste("http://127.0.0.1:8765/callback?code=abc&state=other".into()),
    );
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        names(&effects),
        ["SubmitPaste(\"http://127.0.0.1:8765/callback?code=abc&state=other\")"]
    );
    assert!(
        matches!(&app.screen, Screen::Link(l) if matches!(l.phase, LinkPhase::Exchanging { .. }))
    );
    update(
        &mut app,
        Message::PasteRefused(tokendeck::oauth::Error::StateMismatch),
    );
    let Screen::Link(link) = &app.screen else {
        panic!()
    };
    assert!(
        matches!(link.phase, LinkPhase::Waiting { .. }),
        "ready for another try"
    );
    assert!(
        link.error
            .as_deref()
            .is_some_and(|e| e.contains("does not match")),
        "{:?}",
        link.error
    );

    // Blank text is no answer: the screen says so rather than wait on it.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, Message::Paste("  ".into()));
    update(&mut app, ch(' '));
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(
        matches!(&app.screen, Screen::Link(l) if matches!(l.phase, LinkPhase::Waiting { .. }) && l.error.as_deref().is_some_and(|e| e.starts_with("Paste the code")))
    );
    update(&mut app, key(KeyCode::Backspace));
    update(&mut app, key(KeyCode::Esc));

    // Typing: letters go into the field, not to commands.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ch('c'));
    assert!(matches!(&app.screen, Screen::Link(l) if l.input.text() == "c"));

    update(&mut app, key(KeyCode::Esc));
    assert_eq!(names(&update(&mut app, key(KeyCode::Esc))), ["CancelLink"]);
    assert!(matches!(app.screen, Screen::Accounts));
}

#[test]
fn the_demo_key_works_only_in_demo_mode() {
    let mut app = fixtures::link_screen(None);
    assert!(update(&mut app, ch('A')).is_empty());
    app.demo = true;
    // The effect carries the URL on screen: the runner keeps no copy of it.
    let effects = update(&mut app, ch('A'));
    let [Effect::DemoApprove(url)] = effects.as_slice() else {
        panic!("expected one DemoApprove, got {effects:?}");
    };
    assert!(url.starts_with("https://login.example/authorize?"), "{url}");

    // Before the URL is ready there is nothing to approve, and the screen says so.
    let mut app = fixtures::app_with_accounts();
    app.demo = true;
    app.screen = Screen::Link(tokendeck::tui::app::LinkScreen::new(
        "work",
        LinkWay::Loopback,
    ));
    assert!(update(&mut app, ch('A')).is_empty());
    let Screen::Link(link) = &app.screen else {
        panic!("left the link screen")
    };
    assert!(
        link.error
            .as_deref()
            .unwrap()
            .contains("Nothing to approve yet")
    );
}

#[test]
fn a_link_that_failed_for_good_stops_waiting_and_offers_to_start_again() {
    let mut app = fixtures::link_screen(None);
    // A refused paste: still waiting for another answer.
    update(
        &mut app,
        Message::PasteRefused(tokendeck::oauth::Error::MissingCode),
    );
    assert!(matches!(&app.screen, Screen::Link(l) if matches!(l.phase, LinkPhase::Waiting { .. })));

    // The browser came back refused: the link session ends the link (the listener is closed).
    update(
        &mut app,
        ended(
            LinkWay::Loopback,
            LinkEnd::Refused(tokendeck::oauth::Error::AuthorizationDenied {
                error: "access_denied".into(),
                description: None,
            }),
        ),
    );
    let Screen::Link(link) = &app.screen else {
        panic!("left the link screen")
    };
    assert_eq!(link.phase, LinkPhase::Failed);
    assert_eq!(
        link.error.as_deref(),
        Some("Access was denied at the provider.")
    );
    assert!(
        link.url().is_none(),
        "the failed link's URL is no use any more"
    );
    app.accounts.iter_mut().for_each(|r| r.refreshing = false);
    assert!(!app.busy(), "nothing is in progress: no spinner");
    // The URL's keys do nothing now; r starts a new link.
    assert!(update(&mut app, ch('c')).is_empty());
    assert_eq!(
        names(&update(&mut app, ch('r'))),
        ["StartLink(\"work\", Loopback)"]
    );
    assert!(
        matches!(&app.screen, Screen::Link(l) if l.phase == LinkPhase::Starting && l.error.is_none())
    );

    // A link that could not start fails for good too; Esc goes back without cancelling
    // anything (nothing runs).
    update(
        &mut app,
        Message::LinkNotStarted(Box::new(AccountError::OAuth(busy()))),
    );
    assert!(
        matches!(&app.screen, Screen::Link(l) if l.phase == LinkPhase::Failed && l.error.as_deref().is_some_and(|e| e.contains("HTTP 503")))
    );
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert!(matches!(app.screen, Screen::Accounts));
}

#[test]
fn linked_returns_home_and_reloads() {
    let mut app = fixtures::link_screen(None);
    let effects = update(
        &mut app,
        Message::Linked {
            name: "work".into(),
            without_refresh_token: None,
        },
    );
    assert_eq!(names(&effects), ["LoadAccounts"]);
    assert!(matches!(app.screen, Screen::Accounts));
    assert_eq!(app.notice.as_ref().unwrap().kind, NoticeKind::Good);
}

#[test]
fn a_link_without_a_refresh_token_warns_at_once_with_the_apps_advice_and_the_keys_that_follow_it() {
    let mut app = fixtures::link_screen(None);
    let mut account = fixtures::account("custom");
    account.scopes = vec!["openid".into()];
    let advice = tokendeck::app::link::refresh_token_advice(&account);
    let effects = update(
        &mut app,
        Message::Linked {
            name: "work".into(),
            without_refresh_token: Some(Box::new(NoRefreshToken {
                expires_at: Some(now() + secs(3599)),
                advice,
            })),
        },
    );
    assert_eq!(names(&effects), ["LoadAccounts"]);
    assert!(matches!(app.screen, Screen::Accounts));
    let notice = app.notice.as_ref().unwrap();
    assert_eq!(notice.kind, NoticeKind::Warning);
    assert_eq!(
        notice.text,
        "Linked work, but no refresh token was issued: it must be linked again when its access token expires (in 59m 59s). To get one, most OpenID Connect providers want the offline_access scope with prompt=consent: press e to add it, then l."
    );
}

#[test]
fn engine_events_show_refreshing_then_the_outcome() {
    let mut app = app_with_accounts();
    let started = EngineEvent::Started {
        account: "github".into(),
        trigger: RefreshTrigger::Manual,
    };
    update(&mut app, Message::Engine(started));
    assert!(app.accounts[0].refreshing);
    let done = EngineEvent::Finished {
        account: "github".into(),
        trigger: RefreshTrigger::Manual,
        error: None,
    };
    let effects = update(&mut app, Message::Engine(done));
    assert!(!app.accounts[0].refreshing);
    assert_eq!(names(&effects), ["LoadStatus(\"github\")", "PollLog"]);
    assert_eq!(app.notice.as_ref().unwrap().text, "Refreshed github.");

    // A transient failure of a manual refresh is told; the status file then says "error".
    let failed = EngineEvent::Finished {
        account: "github".into(),
        trigger: RefreshTrigger::Manual,
        error: Some(Arc::new(AccountError::OAuth(busy()))),
    };
    update(&mut app, Message::Engine(failed));
    assert_eq!(app.notice.as_ref().unwrap().kind, NoticeKind::Error);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("Refreshing github failed: https://as.example/token is temporarily unavailable (HTTP 503)"),
        "{:?}",
        app.notice
    );
    // A dead grant: the key that helps, never the command line's advice.
    let dead = EngineEvent::Finished {
        account: "github".into(),
        trigger: RefreshTrigger::Manual,
        error: Some(Arc::new(AccountError::NeedsRelink {
            name: "github".into(),
            reason: RelinkReason::GrantRefused,
        })),
    };
    update(&mut app, Message::Engine(dead));
    let text = &app.notice.as_ref().unwrap().text;
    assert!(
        text.ends_with("Press l to link it again") && !text.contains("tokendeck "),
        "{text}"
    );
    let mut failing = status(100, 3600);
    failing.record_failure(
        tokendeck::oauth::ErrorKind::Transient,
        "HTTP 503",
        None,
        now(),
    );
    update(
        &mut app,
        Message::Status {
            name: "github".into(),
            status: failing,
        },
    );
    assert_eq!(app.accounts[0].health(app.now), Health::Error);

    // A permanent one: needs re-link.
    let mut dead = status(100, 3600);
    dead.record_failure(
        tokendeck::oauth::ErrorKind::NeedsReauthorization,
        "invalid_grant",
        None,
        now(),
    );
    update(
        &mut app,
        Message::Status {
            name: "github".into(),
            status: dead,
        },
    );
    assert_eq!(app.accounts[0].health(app.now), Health::NeedsRelink);
}

#[test]
fn log_events_from_other_processes_are_marked_and_reload_what_changed() {
    let mut app = app_with_accounts();
    let before = app.log.len();
    let mut refresh = Event::new("mail", Trigger::AheadOfExpiry, Outcome::Ok);
    refresh.pid = 31337;
    let mut link = Event::new("work", Trigger::Link, Outcome::Ok);
    link.pid = app.pid;
    let effects = update(&mut app, Message::LogEvents(vec![refresh, link]));
    assert_eq!(names(&effects), ["LoadStatus(\"mail\")", "LoadAccounts"]);
    assert_eq!(app.log.len(), before + 2);
    assert!(app.log[before].other_process && !app.log[before + 1].other_process);
}

#[test]
fn time_comes_from_ticks_and_only_the_home_screen_polls_the_log() {
    let mut app = App::new(now(), Theme::plain());
    app.load = tokendeck::tui::app::Load::Read;
    app.keyring = tokendeck::tui::app::KeyringState::Ready {
        backend: tokendeck::store::Backend::SecretService,
        warning: None,
    };
    assert_eq!(app.tick_every(), Some(secs(1)));
    let later = now() + secs(5);
    assert_eq!(names(&update(&mut app, Message::Tick(later))), ["PollLog"]);
    assert_eq!(app.now, later);
    app.screen = Screen::Add(Default::default());
    assert!(update(&mut app, Message::Tick(later)).is_empty());
    assert_eq!(app.tick_every(), None, "no ticking while nothing moves");
}

#[test]
fn key_releases_are_ignored() {
    let mut app = app_with_accounts();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    update(&mut app, Message::Key(release));
    assert!(!app.quit);
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let mut app = app_with_accounts();
    update(
        &mut app,
        Message::TokenRevealed {
            name: "github".into(),
            token: tokendeck::oauth::secret::AccessToken::new("AT-VERY-SECRET"),
        },
    );
    update(&mut app, ch('a'));
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Tab));
    }
    update(&mut app, Message::Paste("CLIENT-SECRET-VALUE".into()));
    let Screen::Add(form) = &app.screen else {
        panic!()
    };
    assert_eq!(form.focused(), Input::ClientSecret);
    let debug = format!("{app:?}");
    assert!(
        !debug.contains("AT-VERY-SECRET") && !debug.contains("CLIENT-SECRET-VALUE"),
        "{debug}"
    );
    // Fill in the rest and submit: the effect's Debug hides the secret too.
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, Message::Paste("named".into()));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, Message::Paste("client-id".into()));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects.len(), 1, "{effects:?}");
    let debug = format!("{effects:?}");
    assert!(
        debug.contains("client-id") && !debug.contains("CLIENT-SECRET-VALUE"),
        "{debug}"
    );
}

fn selected_name(app: &App) -> &str {
    &app.selected_row().unwrap().name
}

#[test]
fn the_selection_follows_its_account_when_the_list_is_read_again() {
    let mut app = app_with_accounts();
    select(&mut app, "staging");
    // Another process added an account that sorts first: every row moves down one.
    let mut rows = app.accounts.clone();
    rows.insert(0, fixtures::row("aaa", "google", status(10, 3600)));
    update(&mut app, Message::Loaded(rows.clone()));
    assert_eq!(selected_name(&app), "staging");
    // ... and removed one above it: every row moves up one.
    rows.retain(|r| r.name != "mail");
    update(&mut app, Message::Loaded(rows));
    assert_eq!(selected_name(&app), "staging");
    update(
        &mut app,
        Message::Removed {
            name: "github".into(),
            revocation: None,
            revocation_failed: false,
        },
    );
    assert_eq!(selected_name(&app), "staging");
    // The selected account itself gone: the selection passes to the row after it.
    update(
        &mut app,
        Message::Removed {
            name: "staging".into(),
            revocation: None,
            revocation_failed: false,
        },
    );
    assert_eq!(selected_name(&app), "nightly");
}

#[test]
fn an_added_account_is_selected_so_that_l_links_it() {
    let mut app = app_with_accounts();
    select(&mut app, "github");
    update(
        &mut app,
        Message::Added {
            name: "vz".into(),
            git: Vec::new(),
            secret_required_by: None,
        },
    );
    assert_eq!(selected_name(&app), "github", "not listed yet");
    let mut rows = app.accounts.clone();
    rows.push(fixtures::row("vz", "verizon", Default::default()));
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    update(&mut app, Message::Loaded(rows.clone()));
    assert_eq!(selected_name(&app), "vz");
    assert_eq!(
        names(&update(&mut app, ch('l'))),
        ["StartLink(\"vz\", Loopback)"]
    );
    // Only once: a later reload keeps whatever the user selected since.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ch('g'));
    update(&mut app, Message::Loaded(rows));
    assert_eq!(selected_name(&app), "github");
}

#[test]
fn a_shown_token_is_read_again_when_the_account_changes_and_copied_with_c() {
    let mut app = app_with_accounts();
    select(&mut app, "github");
    assert_eq!(
        names(&update(&mut app, ch('c'))),
        Vec::<String>::new(),
        "nothing shown, nothing copied"
    );
    assert!(app.notice.as_ref().unwrap().text.contains("Press s"));
    assert_eq!(
        names(&update(&mut app, ch('s'))),
        ["RevealToken(\"github\")"]
    );
    let old = AccessToken::new("old-token");
    update(
        &mut app,
        Message::TokenRevealed {
            name: "github".into(),
            token: old.clone(),
        },
    );
    assert_eq!(app.revealed.as_ref().unwrap().token, Some(old.clone()));
    // The same status read again (a tick's poll): nothing to do.
    let same = app.accounts[0].status.clone();
    let effects = update(
        &mut app,
        Message::Status {
            name: "github".into(),
            status: same,
        },
    );
    assert!(effects.is_empty(), "{effects:?}");
    // Refreshed (here, or by another process: the event log leads to the same Status).
    let effects = update(
        &mut app,
        Message::Status {
            name: "github".into(),
            status: status(0, 3600),
        },
    );
    assert_eq!(names(&effects), ["RevealToken(\"github\")"]);
    assert_eq!(
        app.revealed.as_ref().unwrap().token,
        None,
        "the old token is not shown as if it were current"
    );
    let new = AccessToken::new("new-token");
    update(
        &mut app,
        Message::TokenRevealed {
            name: "github".into(),
            token: new.clone(),
        },
    );
    let effects = update(&mut app, ch('c'));
    let [Effect::CopyToken(copied)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(copied, &new);
    assert!(!names(&effects)[0].contains("new-token"), "redacted");
    // Its tokens gone (removed elsewhere, say): nothing is shown.
    update(
        &mut app,
        Message::Status {
            name: "github".into(),
            status: Default::default(),
        },
    );
    assert_eq!(app.revealed, None);
    // Hidden before the keyring answered: the late answer does not show it.
    update(&mut app, ch('s'));
    update(&mut app, ch('s'));
    update(
        &mut app,
        Message::TokenRevealed {
            name: "github".into(),
            token: new,
        },
    );
    assert_eq!(app.revealed, None);
}

#[test]
fn pages_and_ends_of_a_long_list() {
    let mut app = app_with_accounts();
    let template = app.accounts[0].clone();
    app.accounts = (0..37)
        .map(|i| {
            let mut row = template.clone();
            row.name = format!("acct-{i:02}");
            row
        })
        .collect();
    app.size = (80, 24);
    let page = app.page();
    assert_eq!(page, 8, "what the table shows at 80×24");
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.selected, page);
    update(&mut app, key(KeyCode::End));
    assert_eq!(app.selected, 36);
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.selected, 36, "stays in the list");
    update(&mut app, key(KeyCode::PageUp));
    assert_eq!(app.selected, 36 - page);
    update(&mut app, ch('g'));
    assert_eq!(app.selected, 0);
    update(&mut app, key(KeyCode::PageUp));
    assert_eq!(app.selected, 0);
    update(&mut app, ch('G'));
    assert_eq!(app.selected, 36);
    update(&mut app, key(KeyCode::Home));
    assert_eq!(app.selected, 0);
}

#[test]
fn a_notice_about_an_account_goes_when_the_account_changes_later() {
    let mut app = app_with_accounts();
    let failed = EngineEvent::Finished {
        account: "staging".into(),
        trigger: RefreshTrigger::Manual,
        error: Some(Arc::new(AccountError::OAuth(busy()))),
    };
    update(&mut app, Message::Engine(failed));
    assert_eq!(app.notice.as_ref().unwrap().kind, NoticeKind::Error);
    // The status that failure wrote: the notice is about it, and stays.
    let mut failing = app.accounts[4].status.clone();
    failing.record_failure(
        tokendeck::oauth::ErrorKind::Transient,
        "HTTP 503",
        None,
        now(),
    );
    update(
        &mut app,
        Message::Status {
            name: "staging".into(),
            status: failing,
        },
    );
    assert!(app.notice.is_some());
    // Another account's refresh changes nothing.
    update(
        &mut app,
        Message::Status {
            name: "mail".into(),
            status: status(0, 3600),
        },
    );
    assert!(app.notice.is_some());
    // A minute later the automatic retry succeeds: the error is stale.
    app.now = now() + secs(60);
    let mut recovered = status(0, 3600);
    let tokens = tokendeck::oauth::Tokens::new("x", app.now);
    recovered.record_tokens(&tokens, true, app.now);
    update(
        &mut app,
        Message::Status {
            name: "staging".into(),
            status: recovered,
        },
    );
    assert_eq!(app.notice, None);
}

fn form(app: &App) -> &tokendeck::tui::screens::add::AddForm {
    match &app.screen {
        Screen::Add(form) => form,
        _ => panic!("not the form"),
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, ch(c));
    }
}

/// The caret used to be drawn at the end whatever ← did, so a letter typed after ← landed
/// where the user could not see. It lands at the caret, and the field draws the caret there.
#[test]
fn typing_after_left_inserts_at_the_caret() {
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "mail");
    update(&mut app, key(KeyCode::Left));
    update(&mut app, key(KeyCode::Left));
    update(&mut app, ch('X'));
    assert_eq!(form(&app).value(Input::Name), "maXil");
    let field = &form(&app).values[&Input::Name];
    assert_eq!(field.cursor(), 3);
    assert_eq!(field.shown(20, None, true), "maX▏il");

    // Shell keys: to the start, a letter, to the end, kill a word.
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL)),
    );
    update(&mut app, ch('>'));
    update(&mut app, key(KeyCode::End));
    type_text(&mut app, " two");
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL)),
    );
    assert_eq!(form(&app).value(Input::Name), ">maXil ");
    update(&mut app, key(KeyCode::Home));
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL)),
    );
    assert_eq!(form(&app).value(Input::Name), "");

    // On the provider field ← and → still choose the provider.
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, key(KeyCode::Right));
    assert_eq!(form(&app).choices[form(&app).choice].label(), "Google");
}

/// Enter once showed one error per press, sometimes under the wrong field. Three bad fields:
/// three errors, each beside its own field, and the focus on the first.
#[test]
fn enter_on_a_form_with_three_bad_fields_shows_three_errors_beside_them() {
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    while form(&app).choices[form(&app).choice].label() != "Custom endpoints" {
        update(&mut app, key(KeyCode::Right));
    }
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "bad name");
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "http://as.example/authorize");
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "https://as.example/token");
    // The client id stays empty.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let errors = &form(&app).errors;
    let mut inputs: Vec<Input> = errors.keys().copied().collect();
    inputs.sort_by_key(|i| format!("{i:?}"));
    assert_eq!(
        inputs,
        [Input::AuthorizeUrl, Input::ClientId, Input::Name],
        "{errors:?}"
    );
    assert!(errors[&Input::AuthorizeUrl].contains("plain http"));
    assert!(errors[&Input::ClientId].contains("client id"));
    assert_eq!(form(&app).focused(), Input::Name);
    let screen = fixtures::draw(&app, 80, 24);
    for (label, words) in [
        ("Name", "cannot be an account name"),
        ("Authorization URL", "authorization endpoint"),
        ("Client ID", "the client id is required"),
    ] {
        let at = screen
            .lines()
            .position(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label} in\n{screen}"));
        let beside = screen
            .lines()
            .skip(at)
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(beside.contains(words), "{label}: {words} in\n{screen}");
    }
}

/// The TUI's words for a name taken name its key, not the CLI's command.
#[test]
fn a_taken_name_says_which_key_removes_the_other() {
    use tokendeck::store::StoreError;
    use tokendeck::store::new_account::NewAccountError;
    let error = NewAccountError::Store(StoreError::AccountExists("mail".into()));
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    update(
        &mut app,
        Message::AddFailed {
            field: error.field(),
            message: tokendeck::tui::words::add_failed(&error),
        },
    );
    let said = &form(&app).errors[&Input::Name];
    assert!(said.contains("d on the accounts screen"), "{said}");
    assert!(!said.contains("tokendeck remove"), "{said}");
}

#[test]
fn typing_in_the_link_field_inserts_at_the_caret() {
    let mut app = fixtures::link_screen(None);
    update(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "abcd");
    update(&mut app, key(KeyCode::Left));
    update(&mut app, ch('X'));
    let Screen::Link(link) = &app.screen else {
        panic!()
    };
    assert_eq!(link.input.text(), "abcXd");
    assert_eq!(link.input.shown(20, None, true), "abcX▏d");
    // `?` is typed into the field; F1 opens the help from it.
    update(&mut app, ch('?'));
    assert!(app.overlay.is_none());
    update(&mut app, key(KeyCode::F(1)));
    assert_eq!(app.overlay, Some(Overlay::Help(0)));
}

#[test]
fn l_links_by_device_where_the_authorization_urls_qr_code_would_not_fit_and_d_switches() {
    let mut app = app_with_accounts();
    fixtures::with_device_endpoint(&mut app, "work");
    select(&mut app, "work");
    // A large terminal and a loopback callback: the authorization URL, as before.
    app.size = (200, 60);
    assert_eq!(
        names(&update(&mut app, ch('l'))),
        ["StartLink(\"work\", Loopback)"]
    );
    // `d` switches to a device code, and back.
    assert_eq!(
        names(&update(&mut app, ch('d'))),
        ["CancelLink", "StartLink(\"work\", Device)"]
    );
    assert!(matches!(&app.screen, Screen::Link(l) if l.way == LinkWay::Device));
    assert_eq!(
        names(&update(&mut app, ch('d'))),
        ["CancelLink", "StartLink(\"work\", Loopback)"]
    );
    update(&mut app, key(KeyCode::Esc));

    // 80×24 cannot show the authorization URL's QR code: the device grant is the default.
    app.size = (80, 24);
    assert_eq!(
        names(&update(&mut app, ch('l'))),
        ["StartLink(\"work\", Device)"]
    );
    let code = tokendeck::tui::app::DeviceCode {
        url: "https://login.example/device?user_code=ABCD-EFGH".into(),
        user_code: "ABCD-EFGH".into(),
        complete: true,
        expires_at: now() + secs(300),
    };
    update(&mut app, Message::DeviceLinkStarted(code));
    let Screen::Link(link) = &app.screen else {
        panic!("left the link screen")
    };
    assert!(matches!(&link.phase, LinkPhase::Device(c) if c.user_code == "ABCD-EFGH"));
    assert!(
        link.qr_lines("https://login.example/device?user_code=ABCD-EFGH")
            .is_some()
    );
    // The demo key approves the device URL; c copies it.
    app.demo = true;
    let effects = update(&mut app, ch('A'));
    assert!(
        matches!(effects.as_slice(), [Effect::DemoApprove(u)] if u.ends_with("user_code=ABCD-EFGH")),
        "{effects:?}"
    );
    assert_eq!(
        names(&update(&mut app, ch('c'))),
        ["Copy(\"https://login.example/device?user_code=ABCD-EFGH\")"]
    );
    // Declined: the link fails for good, and r starts a device link again.
    update(
        &mut app,
        ended(
            LinkWay::Device,
            LinkEnd::Refused(tokendeck::oauth::Error::DeviceDenied { description: None }),
        ),
    );
    assert!(
        matches!(&app.screen, Screen::Link(l) if l.error.as_deref() == Some("The sign-in was declined at the provider."))
    );
    assert_eq!(
        names(&update(&mut app, ch('r'))),
        ["StartLink(\"work\", Device)"]
    );

    // A provider without a device endpoint: `d` says so, and `l` never picks the device grant.
    update(&mut app, key(KeyCode::Esc));
    select(&mut app, "github");
    assert_eq!(
        names(&update(&mut app, ch('l'))),
        ["StartLink(\"github\", Loopback)"]
    );
    assert!(update(&mut app, ch('d')).is_empty());
    assert!(
        matches!(&app.screen, Screen::Link(l) if l.error.as_deref().is_some_and(|e| e.contains("no device code")))
    );
}

fn focus_the_log(app: &mut App) {
    update(app, key(KeyCode::Tab));
    update(app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Log);
}

#[test]
fn tab_focuses_the_details_then_the_log_and_esc_or_tab_brings_the_list_back() {
    let mut app = app_with_accounts();
    assert_eq!(app.focus, Pane::List);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Details);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Log);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::List);
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.focus, Pane::Log);
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.focus, Pane::List);
    // A focused pane passes the account keys on: r still refreshes the selected account.
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(names(&update(&mut app, ch('r'))), ["Refresh(\"github\")"]);
}

#[test]
fn a_focused_log_scrolls_by_line_page_and_end_and_never_past_its_last_page() {
    let mut app = app_with_a_long_log(73);
    app.size = (80, 24);
    focus_the_log(&mut app);
    update(&mut app, ch('j'));
    assert_eq!(app.log_scroll, 1);
    assert_eq!(
        app.selected, 0,
        "the moving keys scroll the log, not the list"
    );
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.log_scroll, 1);
    update(&mut app, key(KeyCode::PageDown));
    assert!(app.log_scroll > 1, "a page: {}", app.log_scroll);
    update(&mut app, key(KeyCode::End));
    let last = app.log_scroll;
    let screen = fixtures::draw(&app, 80, 24);
    let room = screen
        .split("lines ")
        .nth(2)
        .and_then(|s| s.split(" of 73").next())
        .and_then(|s| s.split_once('–'))
        .map(|(a, b)| b.parse::<usize>().unwrap() - a.parse::<usize>().unwrap() + 1)
        .unwrap_or_else(|| panic!("the log's position in:\n{screen}"));
    assert_eq!(last, 73 - room, "the last page shows full:\n{screen}");
    assert!(
        screen.contains(&format!("lines {}–73 of 73", last + 1)),
        "{screen}"
    );
    update(&mut app, key(KeyCode::End));
    update(&mut app, ch('j'));
    assert_eq!(app.log_scroll, last, "not past the end");
    update(&mut app, ch('k'));
    assert_eq!(app.log_scroll, last - 1, "up from the end moves at once");
    update(&mut app, key(KeyCode::Home));
    assert_eq!(app.log_scroll, 0);
}

#[test]
fn the_log_follows_new_lines_only_while_at_its_top() {
    let mut app = app_with_a_long_log(73);
    app.size = (80, 24);
    let newest = |app: &App| app.visible_log().next().unwrap().event.time;
    let line = |ago: u64| {
        let mut event = fixtures::event(0, "mail", Trigger::Manual, Outcome::Ok, 4242).event;
        event.time = now() + secs(ago);
        event
    };
    update(&mut app, Message::LogEvents(vec![line(1)]));
    assert_eq!(
        app.log_scroll, 0,
        "at the top it follows: the new line shows"
    );
    assert_eq!(newest(&app), now() + secs(1));
    focus_the_log(&mut app);
    update(&mut app, key(KeyCode::PageDown));
    let scrolled = app.log_scroll;
    let first_shown = |app: &App| app.visible_log().nth(app.log_scroll).unwrap().event.clone();
    let before = first_shown(&app);
    update(&mut app, Message::LogEvents(vec![line(2), line(3)]));
    assert_eq!(app.log_scroll, scrolled + 2);
    assert_eq!(
        first_shown(&app),
        before,
        "the lines on screen stay where they are"
    );
    update(&mut app, key(KeyCode::Home));
    update(&mut app, Message::LogEvents(vec![line(4)]));
    assert_eq!(app.log_scroll, 0, "back at the top, it follows again");
    // Filtered to github, a line about mail does not move what is shown.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ch('f'));
    focus_the_log(&mut app);
    update(&mut app, ch('j'));
    update(&mut app, Message::LogEvents(vec![line(5)]));
    assert_eq!(app.log_scroll, 1);
}

#[test]
fn the_details_scroll_when_focused_and_start_at_the_top_for_another_account() {
    let mut app = app_with_accounts();
    app.size = (60, 16);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::End));
    assert!(app.details_scroll > 0);
    let screen = fixtures::draw(&app, 60, 16);
    assert!(screen.contains("of 15"), "{screen}");
    assert!(
        screen.contains("keyring       Secret Service"),
        "the last row shows:\n{screen}"
    );
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ch('j'));
    assert_eq!(app.selected, 1);
    assert_eq!(app.details_scroll, 0);
}

#[test]
fn ctrl_c_quits_from_every_screen_and_overlay_after_the_same_wait_as_q() {
    let accounts = app_with_accounts();
    let mut pane = app_with_accounts();
    focus_the_log(&mut pane);
    let mut add = app_with_accounts();
    update(&mut add, ch('a'));
    update(&mut add, key(KeyCode::Tab));
    let mut link = fixtures::link_screen(None);
    update(&mut link, key(KeyCode::Tab));
    assert!(matches!(&link.screen, Screen::Link(l) if l.typing));
    let device = fixtures::device_screen();
    let mut inspect = app_with_accounts();
    update(&mut inspect, ch('i'));
    let mut help = app_with_accounts();
    update(&mut help, ch('?'));
    let mut confirm = app_with_accounts();
    update(&mut confirm, ch('d'));
    assert!(matches!(confirm.overlay, Some(Overlay::ConfirmRemove(_))));
    let screens = [
        ("accounts", accounts),
        ("a focused pane", pane),
        ("the add form, typing", add),
        ("the link screen's field", link),
        ("the device code", device),
        ("inspect", inspect),
        ("help", help),
        ("the remove dialog", confirm),
    ];
    for (name, mut app) in screens {
        assert_eq!(names(&update(&mut app, ctrl_c())), ["Stop"], "{name}");
        assert_eq!(app.stopping, Some(Stopping::Asking), "{name}");
        update(
            &mut app,
            Message::StopWaiting {
                accounts: vec!["mail".into()],
                patience: std::time::Duration::from_secs(33),
            },
        );
        assert!(!app.quit, "{name}: it waits for the refresh under way");
        assert_eq!(names(&update(&mut app, ctrl_c())), ["GiveUp"], "{name}");
        assert!(app.quit, "{name}");
    }
}

/// The edit form of the selected account `work` (custom endpoints), opened with `e`.
fn editing_work() -> App {
    let mut app = app_with_accounts();
    select(&mut app, "work");
    assert!(
        update(&mut app, ch('e')).is_empty(),
        "opening reads nothing"
    );
    app
}

#[test]
fn e_opens_the_add_form_filled_in_with_the_client_id_focused() {
    let app = editing_work();
    let form = form(&app);
    assert_eq!(form.editing(), Some("work"));
    assert_eq!(form.focused(), Input::ClientId);
    assert_eq!(form.inputs()[0], Input::ClientId);
    assert!(
        !form.inputs().contains(&Input::Name),
        "a name is not changed"
    );
    assert_eq!(form.value(Input::ClientId), "custom-client-id");
    assert_eq!(form.value(Input::Scopes), "openid offline_access");
    assert_eq!(form.value(Input::TokenUrl), "https://login.example/token");
    assert_eq!(
        form.value(Input::RedirectUri),
        "http://127.0.0.1:8765/callback"
    );
    assert_eq!(form.value(Input::ApiUrl), "https://api.example/me");
    assert_eq!(
        form.value(Input::ClientSecret),
        "",
        "the secret stays in the keyring"
    );
}

#[test]
fn in_the_edit_form_typing_replaces_a_field_ctrl_u_clears_one_and_tab_moves() {
    let mut app = editing_work();
    type_text(&mut app, "new-id");
    assert_eq!(
        form(&app).value(Input::ClientId),
        "new-id",
        "typing replaced it"
    );
    type_text(&mut app, "-2");
    assert_eq!(
        form(&app).value(Input::ClientId),
        "new-id-2",
        "then it types on"
    );
    // Tab to the scopes: a caret move keeps the text, and typing then adds to it.
    while form(&app).focused() != Input::Scopes {
        update(&mut app, key(KeyCode::Tab));
    }
    update(&mut app, key(KeyCode::End));
    type_text(&mut app, " api");
    assert_eq!(form(&app).value(Input::Scopes), "openid offline_access api");
    update(&mut app, key(KeyCode::Left));
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    assert_eq!(
        form(&app).value(Input::Scopes),
        "",
        "Ctrl-U clears the whole field"
    );
    type_text(&mut app, "openid");
    assert_eq!(form(&app).value(Input::Scopes), "openid");
    // Backspace on a field just reached takes all of it.
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(form(&app).focused(), Input::Params);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Backspace));
    assert_eq!(form(&app).value(Input::ApiUrl), "");
}

#[test]
fn esc_leaves_the_edit_form_and_changes_nothing() {
    let mut app = editing_work();
    let before = app.accounts.clone();
    type_text(&mut app, "other-client");
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(app.screen, Screen::Accounts));
    assert_eq!(app.accounts, before);
    assert_eq!(selected_name(&app), "work");
    // Said, so that an earlier save's notice is not read as this edit's.
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    assert_eq!(notice, Some("Edit of work cancelled; nothing changed."));
}

#[test]
fn enter_with_nothing_changed_goes_back_and_says_so() {
    let mut app = editing_work();
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(app.screen, Screen::Accounts));
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "work already had these settings; nothing changed."
    );
}

#[test]
fn a_parameter_that_is_not_key_value_is_shown_beside_its_field_and_nothing_is_sent() {
    let mut app = editing_work();
    while form(&app).focused() != Input::Params {
        update(&mut app, key(KeyCode::Tab));
    }
    type_text(&mut app, "justakey");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(form(&app).errors[&Input::Params].contains("\"justakey\" is not key=value"));
}

/// A home of its own holding `work` as the fixture has it, linked (its status holds a token).
fn home_with_work() -> (tempfile::TempDir, tokendeck::store::Store) {
    use tokendeck::store::accounts::Accounts;
    let dir = tempfile::tempdir().unwrap();
    let home = tokendeck::store::Home::rooted(dir.path()).unwrap();
    Accounts::update(&home, |accounts| {
        accounts
            .accounts
            .insert("work".into(), fixtures::account("custom"));
        Ok(())
    })
    .unwrap();
    let store = tokendeck::store::Store::new(home);
    store
        .update_status("work", |s| *s = status(600, 3600))
        .unwrap();
    (dir, store)
}

/// Enter hands the change to the set use case (as the effect runner does, here on a real home),
/// whose answer returns to the accounts with the grant warning worded for the TUI: the tokens
/// are kept, and `l` links again.
#[tokio::test]
async fn enter_saves_the_change_to_the_accounts_file_and_warns_that_the_grant_needs_a_new_link() {
    let (_dir, store) = home_with_work();
    let mut app = editing_work();
    while form(&app).focused() != Input::Scopes {
        update(&mut app, key(KeyCode::Tab));
    }
    type_text(&mut app, "openid  profile\toffline_access");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(form(&app).submitting);
    let [Effect::Edit { name, change }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(name, "work");
    assert_eq!(
        change.scopes.as_deref(),
        Some(
            &[
                "openid".to_string(),
                "profile".into(),
                "offline_access".into()
            ][..]
        ),
        "split on whitespace"
    );
    assert!(
        change.client_id.is_none() && change.endpoints.is_empty(),
        "{change:?}"
    );
    let changed = (**change).clone().apply(&store, name).await.unwrap();
    let stored = store.accounts().unwrap().get("work").unwrap().clone();
    assert_eq!(stored.scopes, ["openid", "profile", "offline_access"]);
    assert_eq!(
        stored.client_id, "custom-client-id",
        "only the scopes changed"
    );
    let file = std::fs::read_to_string(store.home().accounts_file()).unwrap();
    assert!(file.contains("\"profile\""), "{file}");

    let effects = update(
        &mut app,
        Message::Edited {
            name: "work".into(),
            changed,
        },
    );
    assert_eq!(names(&effects), ["LoadAccounts"]);
    assert!(matches!(app.screen, Screen::Accounts));
    let notice = app.notice.as_ref().unwrap();
    assert_eq!(notice.kind, NoticeKind::Warning);
    assert_eq!(
        notice.text,
        "Changed work: scopes. The tokens held were granted under the old scopes: they are kept, but a grant under the new settings needs a new link: press l to link it again."
    );
}

/// The set use case's refusal lands beside the field it names, and the form can be sent again.
#[tokio::test]
async fn a_change_the_set_use_case_refuses_is_shown_beside_its_field() {
    let (_dir, store) = home_with_work();
    let mut app = editing_work();
    while form(&app).focused() != Input::TokenUrl {
        update(&mut app, key(KeyCode::Tab));
    }
    type_text(&mut app, "http://login.example/token");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Edit { name, change }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let error = (**change).clone().apply(&store, name).await.unwrap_err();
    let before = store.accounts().unwrap().get("work").unwrap().clone();
    assert_eq!(
        before.provider.token_endpoint().as_str(),
        "https://login.example/token"
    );
    update(
        &mut app,
        Message::AddFailed {
            field: error.field(),
            message: tokendeck::tui::words::add_failed(&error),
        },
    );
    let form = form(&app);
    assert!(!form.submitting);
    assert_eq!(form.focused(), Input::TokenUrl);
    assert!(
        form.errors[&Input::TokenUrl].contains("https"),
        "{:?}",
        form.errors
    );
}

#[test]
fn a_client_id_change_warns_that_refreshing_will_likely_be_refused() {
    use tokendeck::app::set::{Changed, Setting};
    let mut app = editing_work();
    let changed = Changed {
        settings: vec![Setting::ClientId],
        applies_at_next_link: true,
        grant_made_under_old: vec![Setting::ClientId],
        ..Changed::default()
    };
    update(
        &mut app,
        Message::Edited {
            name: "work".into(),
            changed,
        },
    );
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "Changed work: client ID. The tokens held were granted under the old client ID: they are kept (refreshing them will most likely be refused), but a grant under the new settings needs a new link: press l to link it again."
    );
}

/// A form opens clear of an earlier notice (it is not about the form, and at 60×16 it would take
/// the form's rows), as the link and inspect screens do.
#[test]
fn opening_the_add_or_edit_form_clears_an_earlier_notice() {
    for key in ['a', 'e'] {
        let mut app = app_with_accounts();
        select(&mut app, "work");
        app.notify(NoticeKind::Info, "Changed work: scopes.".into());
        update(&mut app, ch(key));
        assert!(matches!(app.screen, Screen::Add(_)), "{key}");
        assert!(
            app.notice.is_none(),
            "{key}: {:?}",
            app.notice.as_ref().map(|n| &n.text)
        );
    }
}

/// A failed discovery (an error about no field) goes beside the issuer URL typed, not the
/// provider picker.
#[test]
fn a_discovery_failure_is_shown_beside_the_issuer_url() {
    let mut app = app_with_accounts();
    update(&mut app, ch('a'));
    // The picker's choices end with discovery, then custom endpoints.
    update(&mut app, key(KeyCode::Left));
    update(&mut app, key(KeyCode::Left));
    assert_eq!(form(&app).focused(), Input::Provider);
    update(
        &mut app,
        Message::AddFailed {
            field: None,
            message:
                "could not connect to https://login.example.com/.well-known/openid-configuration"
                    .into(),
        },
    );
    let form = form(&app);
    assert!(
        form.errors.contains_key(&Input::Issuer),
        "{:?}",
        form.errors
    );
    assert_eq!(form.focused(), Input::Issuer);
}
