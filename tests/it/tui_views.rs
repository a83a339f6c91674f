//! Every screen, drawn on ratatui's TestBackend at 80×24 and 160×48, as insta snapshots; and the
//! colours that snapshots cannot show, asserted on the buffer.

use crate::common;
use crate::fixtures;

use fixtures::{app_with_accounts, draw, link_screen, now};
use ratatui::style::Color;
use tokendeck::oauth::secret::AccessToken;
use tokendeck::store::Backend;
use tokendeck::tui::app::{
    App, KeyringState, LinkPhase, Load, Notice, NoticeKind, Overlay, Revealed, Screen,
};
use tokendeck::tui::message::Message;
use tokendeck::tui::screens::add::AddForm;
use tokendeck::tui::update::update;
use tokendeck::tui::widgets::theme::Theme;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// The home screen's sizes: the smallest allowed, the classic, a large and a wide terminal.
const HOME_SIZES: [(u16, u16); 4] = [(60, 16), (80, 24), (120, 40), (200, 60)];

fn snapshot_home(name: &str, app: &App) {
    for (w, h) in HOME_SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h));
    }
}

fn snapshot_both(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h));
    }
}

#[test]
fn home_empty() {
    let mut app = App::new(now(), Theme::colored());
    app.load = Load::Read;
    app.keyring = KeyringState::Ready {
        backend: Backend::SecretService,
        warning: None,
    };
    snapshot_both("home_empty", &app);
}

#[test]
fn home_with_every_status() {
    snapshot_both("home_all_statuses", &app_with_accounts());
    snapshot_home("home", &app_with_accounts());
}

#[test]
fn home_with_a_daemon_keeping_it_fresh() {
    let mut app = app_with_accounts();
    app.daemon = Some(tokendeck::store::RunningDaemon { pid: Some(4242) });
    let wide = draw(&app, 160, 48);
    assert!(
        wide.lines().next().unwrap().contains("daemon: pid 4242"),
        "{wide}"
    );
    snapshot_both("home_daemon", &app);
}

/// An obviously fake JWT as long as a real one: shown in full, wrapped, never cut.
fn fake_jwt() -> String {
    let body: String = (0..800).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    format!("eyJFAKE.{body}.FAKE-SIGNATURE-END")
}

#[test]
fn home_a_revealed_token_is_shown_in_full() {
    let mut app = app_with_accounts();
    let token = fake_jwt();
    app.revealed = Some(Revealed {
        name: "github".into(),
        token: Some(AccessToken::new(token.clone())),
    });
    snapshot_home("home_revealed_token", &app);
    // Whole (narrow: the pane spans the screen), or every piece in place (wide: a pane of 80).
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&app, w, h);
        let whole: String = screen.lines().map(str::trim).collect();
        assert!(whole.contains(&token), "all of it at {w}x{h}:\n{screen}");
    }
    let screen = draw(&app, 200, 60);
    let chars: Vec<char> = token.chars().collect();
    for piece in chars.chunks(80) {
        let piece: String = piece.iter().collect();
        assert!(screen.contains(&piece), "{piece} at 200x60:\n{screen}");
    }
}

/// A long list, the selection at its end, a failing account waiting to retry, a long name.
#[test]
fn home_a_long_list_and_a_retry() {
    let mut app = app_with_accounts();
    let template = app.accounts[4].clone();
    app.accounts = (0..37)
        .map(|i| {
            let mut row = template.clone();
            row.name = format!("acct-{i:02}");
            row
        })
        .collect();
    app.accounts[36].name = "a-name-much-longer-than-thirty-two-columns".into();
    app.accounts[36].status.retry_at = Some(now() + fixtures::secs(83));
    app.selected = 36;
    app.now = now() + fixtures::secs(3);
    snapshot_home("home_long_list", &app);
    let screen = draw(&app, 200, 60);
    assert!(
        screen.contains("a-name-much-longer-than-thirty-… "),
        "{screen}"
    );
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("a-name-much-longer-t… "), "{screen}");
    assert!(screen.contains("● error · retrying in 1m 20s"), "{screen}");
    assert!(screen.contains("of 37"), "{screen}");
}

#[test]
fn home_loading_and_keyring_opening() {
    let app = App::new(now(), Theme::colored());
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn home_filtered_log_and_revealed_token_of_a_kernel_keyring() {
    let mut app = app_with_accounts();
    app.keyring = KeyringState::Ready {
        backend: Backend::Keyutils,
        warning: Some("lost at reboot".into()),
    };
    app.log_filter = true;
    app.revealed = Some(Revealed {
        name: "github".into(),
        token: Some(AccessToken::new("gho_SHOWN-ON-REQUEST")),
    });
    insta::assert_snapshot!(draw(&app, 160, 48));
}

#[test]
fn home_error_notice() {
    let mut app = app_with_accounts();
    app.notice = Some(Notice {
        text: "Refreshing work failed: could not connect to http://127.0.0.1:9/token: Connection refused. Check the network and the provider's address, then try again".into(),
        kind: NoticeKind::Error,
    });
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn link_screen_with_a_qr_code() {
    snapshot_both("link", &link_screen(None));
}

#[test]
fn link_screen_errors() {
    for (name, error) in [
        (
            "state_mismatch",
            "the `state` in the pasted address does not match the authorization URL shown here, so it belongs to another attempt (or was forged): open the latest authorization URL and paste its answer",
        ),
        (
            "access_denied",
            "access was denied at the provider: The user denied the request. Open the authorization URL again to retry",
        ),
        (
            "invalid_code",
            "the provider rejected the request (HTTP 400, invalid_grant: grant request is invalid); the code is wrong, expired or already used: open the authorization URL again and paste the new answer",
        ),
        (
            "server_down",
            "could not connect to http://127.0.0.1:9/token: Connection refused. Check the network and the provider's address, then try again",
        ),
    ] {
        let app = link_screen(Some(error));
        insta::assert_snapshot!(format!("link_error_{name}"), draw(&app, 80, 24));
    }
}

#[test]
fn link_screen_typing_and_zoomed() {
    let mut app = link_screen(None);
    update(
        &mut app,
        Message::Paste("http://127.0.0.1:8765/callback?code=abc&state=xyz".into()),
    );
    insta::assert_snapshot!("link_typing_80x24", draw(&app, 80, 24));
    if let Screen::Link(link) = &mut app.screen {
        link.typing = false;
        link.zoom = true;
    }
    insta::assert_snapshot!("link_zoom_too_small_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("link_zoom_160x48", draw(&app, 160, 48));
}

#[test]
fn link_screen_failed_for_good() {
    let mut app = link_screen(None);
    // The browser came back refused: the link session ends the link.
    update(
        &mut app,
        Message::LinkFailed(Box::new(tokendeck::app::link::LinkFailed {
            name: "work".into(),
            way: tokendeck::app::link::LinkWay::Loopback,
            end: tokendeck::app::link::LinkEnd::Refused(
                tokendeck::oauth::Error::AuthorizationDenied {
                    error: "access_denied".into(),
                    description: Some("The user denied the request.".into()),
                },
            ),
        })),
    );
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn device_view_shows_the_code_and_a_qr_code_that_fits_at_80x24_and_the_url_whole() {
    let app = fixtures::device_screen();
    let url = "http://127.0.0.1:8765/device?user_code=WDJB-MJHT";
    for (w, h) in [(60, 16), (80, 24), (160, 48)] {
        let screen = draw(&app, w, h);
        // Split over two lines, it could be neither selected nor copied.
        assert!(
            screen.lines().any(|line| line.contains(url)),
            "the URL on one line at {w}x{h}:\n{screen}"
        );
    }
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = draw(&app, w, h);
        assert!(screen.contains("W D J B - M J H T"), "{screen}");
        assert!(
            screen.contains("█▀▀▀▀▀█") || screen.contains('▀'),
            "a QR code at {w}x{h}:\n{screen}"
        );
        assert!(screen.contains("expires in 4m 52s"), "{screen}");
        assert_eq!(
            common::qr::decode(&screen).as_deref(),
            Some("http://127.0.0.1:8765/device?user_code=WDJB-MJHT"),
            "the QR code on screen at {w}x{h} carries the URL beside it"
        );
        insta::assert_snapshot!(format!("device_view_{w}x{h}"), screen);
    }
    // Too small for the code beside the text: the code and the URL still, and how to see it.
    let screen = draw(&app, 60, 16);
    assert!(
        screen.contains("W D J B - M J H T") && screen.contains("z shows it alone"),
        "{screen}"
    );
    insta::assert_snapshot!("device_view_60x16", screen);
}

#[test]
fn link_screen_starting() {
    let mut app = link_screen(None);
    if let Screen::Link(link) = &mut app.screen {
        link.phase = LinkPhase::Starting;
    }
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn add_form() {
    let mut app = app_with_accounts();
    app.screen = Screen::Add(AddForm::new());
    snapshot_both("add_form", &app);
}

#[test]
fn add_form_with_errors_beside_the_fields() {
    let mut app = app_with_accounts();
    app.screen = Screen::Add(AddForm::new());
    // Custom endpoints (the last choice, one Left from the first, whatever the presets are),
    // nothing filled in, Enter.
    update(&mut app, fixtures::key(crossterm::event::KeyCode::Left));
    update(&mut app, fixtures::key(crossterm::event::KeyCode::Enter));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn help_screen() {
    let mut app = app_with_accounts();
    app.overlay = Some(Overlay::Help(0));
    snapshot_both("help", &app);
}

#[test]
fn confirm_remove() {
    let mut app = app_with_accounts();
    app.overlay = Some(Overlay::ConfirmRemove("work".into()));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn too_small_a_terminal_says_how_large_it_must_be() {
    let app = app_with_accounts();
    insta::assert_snapshot!(draw(&app, 50, 12));
}

#[test]
fn status_colours() {
    let app = app_with_accounts();
    let buffer = fixtures::buffer(&app, 160, 48);
    for (badge, color) in [
        ("● valid", Color::Green),
        ("● expiring", Color::Yellow),
        ("● expired", Color::Red),
        ("● needs re-link", Color::Magenta),
        ("● error", Color::Red),
        ("refreshing", Color::Blue),
    ] {
        assert_eq!(fixtures::color_of(&buffer, badge), Some(color), "{badge}");
    }
    assert_eq!(
        fixtures::color_of(&buffer, "failed  api"),
        Some(Color::Red),
        "a failed refresh in the log"
    );

    let mut plain = app_with_accounts();
    plain.theme = Theme::plain();
    let buffer = fixtures::buffer(&plain, 160, 48);
    assert_eq!(
        fixtures::color_of(&buffer, "● valid"),
        Some(Color::Reset),
        "NO_COLOR"
    );
}

#[test]
fn no_secret_reaches_the_screen_unless_asked() {
    let app = app_with_accounts();
    for (w, h) in SIZES {
        let screen = draw(&app, w, h);
        assert!(!screen.contains("gho_SHOWN-ON-REQUEST"), "{screen}");
        assert!(screen.contains("•••"), "masked: {screen}");
    }
}

#[test]
fn the_selected_account_stays_on_screen_in_a_long_list() {
    let mut app = app_with_accounts();
    let template = app.accounts[0].clone();
    app.accounts = (0..200)
        .map(|i| {
            let mut row = template.clone();
            row.name = format!("acct-{i:03}");
            row
        })
        .collect();
    app.selected = 150;
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("acct-150"), "{screen}");
    assert!(!screen.contains("acct-000"), "{screen}");
}

#[test]
fn a_broken_accounts_file_is_shown_where_the_accounts_would_be() {
    let mut app = App::new(now(), Theme::colored());
    app.keyring = KeyringState::Ready {
        backend: Backend::SecretService,
        warning: None,
    };
    update(
        &mut app,
        Message::LoadFailed(
            "the accounts file /home/me/.config/tokendeck/accounts.toml is broken at line 3, column 13: expected a value. Fix it by hand (or move it away to start afresh); tokendeck will not write to it until then".into(),
        ),
    );
    insta::assert_snapshot!(draw(&app, 80, 24));
}

/// Broken after it was read: the list stays, under the error and what tokendeck does meanwhile.
#[test]
fn a_broken_accounts_file_is_shown_above_the_list_read_before() {
    let mut app = app_with_accounts();
    update(
        &mut app,
        Message::LoadFailed(
            "the accounts file /home/me/.config/tokendeck/accounts.toml is broken at line 3, column 13: expected a value. Fix it by hand (or move it away to start afresh); tokendeck will not write to it until then".into(),
        ),
    );
    let screen = draw(&app, 120, 40);
    assert!(
        screen.contains("broken at line 3, column 13") && screen.contains("github"),
        "{screen}"
    );
    snapshot_home("home_broken_file_kept_list", &app);
}

/// Quitting while a refresh is under way: the status line names it and says how to quit at
/// once, and the footer offers only that.
#[test]
fn quitting_shows_the_refreshes_it_waits_for() {
    let mut app = app_with_accounts();
    update(&mut app, Message::Quit);
    update(
        &mut app,
        Message::StopWaiting {
            accounts: vec!["github".into()],
            patience: std::time::Duration::from_secs(33),
        },
    );
    let screen = draw(&app, 80, 24);
    assert!(
        screen.contains("waiting for github's refresh to be stored (up to 33s)")
            && screen.contains("q/Ctrl-C quit now"),
        "{screen}"
    );
    snapshot_both("home_quitting_waits", &app);
}

/// Tokens the keyring has not taken yet: the row says so, and the details say what tokendeck
/// does about it.
#[test]
fn home_tokens_not_saved() {
    let mut app = app_with_accounts();
    let mut unsaved = fixtures::status(5, 3600);
    unsaved.unsaved_since = Some(fixtures::now());
    unsaved.unsaved_held = true;
    app.accounts[0].status = unsaved;
    app.selected = 0;
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("● not saved"), "{screen}");
    assert!(
        screen.contains("Tokens not saved — keyring unavailable"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

/// A grant forecast to end within the margin (here a day, by the account's own lifetime, against
/// the default two days): its row's badge and a banner over Details say to link again with l.
#[test]
fn home_a_grant_ending_soon_says_press_l() {
    let mut app = app_with_accounts();
    app.accounts[0].status = fixtures::status(5, 3600);
    app.accounts[0].account.refresh_token_lifetime = Some(86_400);
    app.selected = 0;
    for (w, h) in [(60, 16), (80, 24)] {
        let screen = draw(&app, w, h);
        assert!(screen.contains("● relink soon"), "{screen}");
        assert!(
            screen.contains("The grant ends in 23h 59m: press l to link it again"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("home_grant_ending_soon_{w}x{h}"), screen);
    }
    // Beyond the margin: no warning, and the forecast in Details.
    app.accounts[0].account.refresh_token_lifetime = Some(30 * 86_400);
    let screen = draw(&app, 160, 48);
    assert!(!screen.contains("relink soon"), "{screen}");
    assert!(screen.contains("(in 29d 23h) · your setting"), "{screen}");
}

/// The sizes issue 10 was tried at, from the smallest the TUI draws.
const EVERY_SIZE: [(u16, u16); 4] = [(60, 16), (80, 24), (120, 40), (200, 60)];

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, fixtures::ch(c));
    }
}

/// Three bad fields after one Enter, each error beside (or right under) its own field, the
/// focused field scrolled into view with its caret mid-text.
#[test]
fn add_form_with_errors_and_the_caret_mid_field_at_every_size() {
    use crossterm::event::KeyCode;
    let mut app = app_with_accounts();
    app.screen = Screen::Add(AddForm::new());
    // Custom endpoints: the last choice.
    update(&mut app, fixtures::key(KeyCode::Left));
    update(&mut app, fixtures::key(KeyCode::Tab));
    type_text(&mut app, "bad name");
    update(&mut app, fixtures::key(KeyCode::Tab));
    type_text(
        &mut app,
        "http://as.example/oauth2/v2.0/authorize?tenant=common",
    );
    update(&mut app, fixtures::key(KeyCode::Tab));
    type_text(&mut app, "https://as.example/oauth2/v2.0/token");
    update(&mut app, fixtures::key(KeyCode::Enter));
    update(&mut app, fixtures::key(KeyCode::Left));
    update(&mut app, fixtures::key(KeyCode::Left));
    for (w, h) in EVERY_SIZE {
        let screen = draw(&app, w, h);
        assert!(
            screen.contains("› Name"),
            "the focused field shows:\n{screen}"
        );
        assert!(
            screen.contains("bad na▏me"),
            "the caret after ←←:\n{screen}"
        );
        insta::assert_snapshot!(format!("add_form_errors_{w}x{h}"), screen);
    }
}

/// A pasted redirect URL is longer than the field: it scrolls so the caret shows, mid-field
/// after ←.
#[test]
fn link_screen_typing_with_the_caret_mid_field_at_every_size() {
    use crossterm::event::KeyCode;
    let mut app = link_screen(None);
    update(
        &mut app,
        Message::Paste(
            "http://127.0.0.1:8765/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr&iss=https%3A%2F%2Flogin.example".into(),
        ),
    );
    for _ in 0..60 {
        update(&mut app, fixtures::key(KeyCode::Left));
    }
    type_text(&mut app, "X");
    for (w, h) in EVERY_SIZE {
        let screen = draw(&app, w, h);
        assert!(
            screen.contains("X▏"),
            "the caret after the letter:\n{screen}"
        );
        insta::assert_snapshot!(format!("link_caret_{w}x{h}"), screen);
    }
}

/// Footers lost `? help  q quit` at 60×16 and the link footer ended "A demo: ap" at 80×24.
/// At every size each footer is made of whole entries, and help and the way out are there.
#[test]
fn footers_keep_help_and_the_way_out_and_never_cut_an_entry() {
    use tokendeck::tui::keymap::BINDINGS;
    let mut entries: Vec<String> = BINDINGS
        .iter()
        .filter_map(|b| b.footer.map(|word| format!("{} {word}", b.label)))
        .collect();
    entries.push("A demo: approve".into());
    let home = app_with_accounts();
    let mut add = app_with_accounts();
    add.screen = Screen::Add(AddForm::new());
    let mut link = link_screen(None);
    link.demo = true;
    let mut typing = link_screen(None);
    update(&mut typing, fixtures::key(crossterm::event::KeyCode::Tab));
    let screens = [
        ("home", &home, ["? help", "q quit"]),
        ("add", &add, ["F1 help", "Esc cancel"]),
        ("link", &link, ["? help", "Esc back"]),
        ("link field", &typing, ["F1 help", "Esc leave field"]),
    ];
    for (name, app, must) in screens {
        for (w, h) in EVERY_SIZE {
            let screen = draw(app, w, h);
            let footer = screen.lines().last().unwrap_or_default().to_string();
            for entry in footer.split("  ").filter(|e| !e.is_empty()) {
                assert!(
                    entries.contains(&entry.trim().to_string()),
                    "{name} at {w}x{h}: {entry:?} is not a whole entry in {footer:?}"
                );
            }
            for key in must {
                assert!(
                    footer.contains(key),
                    "{name} at {w}x{h}: {key} in {footer:?}"
                );
            }
        }
    }
    insta::assert_snapshot!("home_footer_60x16", draw(&home, 60, 16));
}

/// A notice was cut mid-word ("Check the netw") with a blank row below: it wraps at spaces into
/// the lines it needs, at most half the screen, and says "…" when even those are not enough.
#[test]
fn a_long_notice_wraps_at_spaces_into_at_most_half_the_screen() {
    let mut app = app_with_accounts();
    let text = "Refreshing work failed: could not connect to http://127.0.0.1:9/token: Connection refused. Check the network and the provider's address, then try again";
    app.notice = Some(Notice {
        text: text.into(),
        kind: NoticeKind::Error,
    });
    let screen = draw(&app, 60, 16);
    let lines: Vec<&str> = screen.lines().collect();
    let notice = lines[lines.len() - 4..lines.len() - 1].join(" ");
    assert_eq!(
        notice.split_whitespace().collect::<Vec<_>>().join(" "),
        text,
        "{screen}"
    );
    app.notice = Some(Notice {
        text: text.repeat(5),
        kind: NoticeKind::Error,
    });
    let screen = draw(&app, 60, 16);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[lines.len() - 2].ends_with('…'), "{screen}");
    assert!(
        lines[lines.len() - 9].starts_with("Refreshing work failed"),
        "{screen}"
    );
}

/// The issue's three sizes for the states it added.
const ISSUE_SIZES: [(u16, u16); 3] = [(60, 16), (80, 24), (160, 48)];

/// A log of 73 lines, focused with Tab and scrolled down: its title is marked and says which
/// lines show; the footer says that the moving keys scroll it.
#[test]
fn a_scrolled_log_says_which_lines_show() {
    let mut app = fixtures::app_with_a_long_log(73);
    for (w, h) in ISSUE_SIZES {
        app.size = (w, h);
        app.focus = tokendeck::tui::app::Pane::List;
        app.log_scroll = 0;
        update(&mut app, fixtures::key(crossterm::event::KeyCode::BackTab));
        for _ in 0..5 {
            update(&mut app, fixtures::ch('j'));
        }
        let screen = draw(&app, w, h);
        assert!(screen.contains(" ▸ Live log"), "{screen}");
        assert!(screen.contains("lines 6–"), "{screen}");
        assert!(screen.contains("of 73"), "{screen}");
        assert!(
            screen.lines().last().unwrap().starts_with("j/k scroll"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("log_scrolled_{w}x{h}"), screen);
    }
}

/// An error was hidden entirely at 60×16 (the link screen's below its text, the home screen's
/// notice cut to three lines): whatever the screen, it is shown whole, wrapped, taking the room
/// it needs from what is above it.
#[test]
fn an_error_is_always_visible_whole_even_at_60x16() {
    let refused = "The provider refused the code: invalid_grant (the code was used already or has expired). Press r to start again, or paste a fresh code.";
    let no_browser =
        "Could not open a browser here: no browser found. Open the URL on another device.";
    let notice = "Refreshing work failed: could not connect to http://127.0.0.1:9/token: Connection refused. Check the network and the provider's address, then try again; if the provider moved, change its token URL in the accounts file.";
    let mut home = app_with_accounts();
    home.notice = Some(Notice {
        text: notice.into(),
        kind: NoticeKind::Error,
    });
    let link = link_screen(Some(refused));
    let mut device = fixtures::device_screen();
    if let Screen::Link(screen) = &mut device.screen {
        screen.error = Some(no_browser.into());
        screen.copied = true;
    }
    for (name, app, error) in [
        ("home", &home, notice),
        ("link", &link, refused),
        ("device", &device, no_browser),
    ] {
        for (w, h) in ISSUE_SIZES {
            let screen = draw(app, w, h);
            // Read as a person does: the QR code's blocks beside the text are not words.
            let words = |s: &str| {
                s.replace(['█', '▀', '▄'], " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            assert!(
                words(&screen).contains(&words(error)),
                "{name} at {w}x{h}: the whole error in\n{screen}"
            );
            insta::assert_snapshot!(format!("error_{name}_{w}x{h}"), screen);
        }
    }
}

/// `e` on `work`: the add form filled in, titled with the account's name, the client id focused
/// and selected (typing replaces it), the secret's field empty with what that means.
#[test]
fn edit_form_filled_in_at_every_size() {
    let mut app = app_with_accounts();
    app.selected = app.accounts.iter().position(|r| r.name == "work").unwrap();
    update(&mut app, fixtures::ch('e'));
    for (w, h) in [(60, 16), (80, 24), (160, 48)] {
        let screen = draw(&app, w, h);
        assert!(screen.contains(" Edit work "), "{screen}");
        assert!(
            screen.contains("› Client ID         custom-client-id"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("edit_form_{w}x{h}"), screen);
    }
    // The focused value is drawn as selected text: typing replaces it.
    let buffer = fixtures::buffer(&app, 80, 24);
    let row = (0..24)
        .find(|&y| line_of(&buffer, y).contains("custom-client-id"))
        .unwrap();
    let x = line_of(&buffer, row).find("custom-client-id").unwrap() as u16;
    assert!(
        buffer[(x, row)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

fn line_of(buffer: &ratatui::buffer::Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// A grant without a refresh token dies with its access token: the table's status says so (its
/// column widening for it), and so do the details.
#[test]
fn an_account_without_a_refresh_token_says_so_in_the_table_and_the_details() {
    let mut app = app_with_accounts();
    let row = app.accounts.iter_mut().find(|r| r.name == "mail").unwrap();
    let token = row.status.token.as_mut().unwrap();
    token.has_refresh_token = false;
    app.selected = app.accounts.iter().position(|r| r.name == "mail").unwrap();
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = draw(&app, w, h);
        let mail = screen
            .lines()
            .find(|l| l.starts_with("mail "))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(mail.contains("● no refresh token"), "{screen}");
        assert!(
            screen.contains("none: when it expires, press l"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("home_no_refresh_token_{w}x{h}"), screen);
    }
}
