//! The network cannot write to the terminal: a provider that answers with control sequences
//! (OSC 52 sets the clipboard, CSI 2J clears the screen, U+009B is CSI to 8-bit terminals, U+202E
//! reverses text) sees them escaped in every place the CLI and the TUI show its words — the built
//! binary against the real oidc-provider, the answers injected by its fault route — and a URL
//! that carries them refused (tests/it/cli_device.rs has the CLI's side of that).

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use common::TestProvider;
use common::cli::{Deck, text};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What a hostile provider puts in its words, raw.
const ATTACK: &str = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}2J\u{202e}evil\u{7f}";
/// The same, as a JSON string's content (how it travels in a token response).
const ATTACK_JSON: &str = r"\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b2J\u202eevil\u007f";
/// How a person sees it.
const SHOWN: &str = r"\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}2J\u{202e}evil\u{7f}";

/// Fails when `output` holds any character a terminal would obey or that reorders text.
fn assert_inert(what: &str, output: &str) {
    let bad: Vec<char> = output
        .chars()
        .filter(|c| {
            matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{what} let {bad:?} through to the terminal: {output:?}"
    );
}

#[tokio::test]
async fn provider_words_reach_refresh_status_and_log_escaped() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());

    // A refresh whose answer carries a hostile scope (the real handler rotates first).
    let answer = format!(
        r#"{{"access_token":"at-injected","token_type":"Bearer","expires_in":3600,"scope":"api {ATTACK_JSON}"}}"#
    );
    server.fault_body("/token", &answer, "").await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = deck.ok(&["status", "work"]).await;
    assert_inert("status", &status);
    assert!(status.contains(&format!("scope: api {SHOWN}")), "{status}");

    // A refresh refused with a hostile error_description.
    let refusal =
        format!(r#"{{"error":"invalid_grant","error_description":"revoked {ATTACK_JSON}"}}"#);
    server.fault_body("/token", &refusal, "status=400").await;
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert_inert("refresh's error", &stderr);
    assert!(stderr.contains(&format!("revoked {SHOWN}")), "{stderr}");

    let status = deck.ok(&["status", "work"]).await;
    assert_inert("status", &status);
    assert!(status.contains(&format!("revoked {SHOWN}")), "{status}");
    let log = deck.ok(&["log", "work"]).await;
    assert_inert("log", &log);
    assert!(log.contains(&format!("revoked {SHOWN}")), "{log}");
    let list = deck.ok(&["list"]).await;
    assert_inert("list", &list);

    // JSON stays JSON, holds the provider's words exactly, and is inert too.
    let json = deck.ok(&["status", "work", "--json"]).await;
    assert_inert("status --json", &json);
    let status: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(status["scope"], format!("api {ATTACK}"));
    assert!(
        status["last_refresh"]["error"]
            .as_str()
            .unwrap()
            .contains(&format!("revoked {ATTACK}"))
    );
    let json = deck.ok(&["log", "work", "--json"]).await;
    assert_inert("log --json", &json);
    let last: Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains(&format!("revoked {ATTACK}")),
        "{last}"
    );
}

#[tokio::test]
async fn an_api_body_is_data_to_a_pipe_and_escaped_on_a_terminal() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let api = server.url("/api/me");
    let body = format!("{{\"note\":\"{ATTACK}\"}}\r\n");

    server.fault_body("/api/me", &body, "status=200").await;
    let piped = deck.run(&["call", "work", &api], "").await;
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert_eq!(piped.stdout, body.as_bytes(), "byte for byte to a pipe");

    // The same call with a terminal for stdout (script(1) gives it one).
    server.fault_body("/api/me", &body, "status=200").await;
    let binary = Deck::binary();
    let command = format!(
        "{} --home {} call work {api}",
        binary.display(),
        deck.home().display()
    );
    let out = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("script(1) from util-linux runs a command on a terminal");
    // The terminal turns each line feed into CR LF.
    let shown = text(&out.stdout)
        .replace("\r\n", "\n")
        .replace("\r\n", "\n");
    assert!(out.status.success(), "{shown}");
    assert_inert("call on a terminal", &shown);
    assert!(shown.contains(SHOWN), "{shown:?}");
}

#[tokio::test]
async fn a_pasted_error_answer_is_echoed_escaped() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let (auth, token) = (server.url("/auth"), server.url("/token"));
    let args = [
        "add",
        "pasted",
        "--authorize-url",
        &auth,
        "--token-url",
        &token,
        "--client-id",
        "public-client",
        // Not a loopback callback: no listener, the answer comes from stdin only.
        "--redirect-uri",
        "https://tokendeck.example/callback",
    ];
    assert!(deck.run(&args, "").await.status.success());
    let mut child = deck
        .command(&["link", "pasted", "--no-browser", "--no-qr"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).await.unwrap();
    let state = url::Url::parse(url.trim())
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let description: String = url::form_urlencoded::byte_serialize(ATTACK.as_bytes()).collect();
    let paste = format!("?error=access_denied&error_description={description}&state={state}\n");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(paste.as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert_inert("link's answer to a paste", &stderr);
    assert!(stderr.contains(SHOWN), "{stderr}");
}

/// The TUI: outside text in every place it is drawn — a notice quoting an API answer, the live
/// log, the details' last error and scope, a hand-edited provider kind, a paste being typed.
mod tui {
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    use super::{ATTACK, SHOWN};
    use crate::fixtures::{app_with_accounts, draw, link_screen, now};
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};
    use tokendeck::oauth::ErrorKind;
    use tokendeck::tui::app::{App, Notice, NoticeKind, Screen};
    use tokendeck::tui::message::Message;
    use tokendeck::tui::update::update;

    fn hostile_home() -> App {
        let mut app = app_with_accounts();
        app.notice = Some(Notice {
            text: format!("work: the API answered HTTP 200: {ATTACK}"),
            kind: NoticeKind::Good,
        });
        let staging = &mut app.accounts[4];
        staging.account.kind = ATTACK.into();
        staging
            .status
            .record_failure(ErrorKind::Other, &format!("said {ATTACK}"), None, now());
        app.selected = 4;
        let last = app.log.last_mut().unwrap();
        last.event.message = Some(format!("logged {ATTACK}"));
        app
    }

    /// A terminal's input, kept for the test to read.
    #[derive(Clone, Default)]
    struct Tty(Rc<RefCell<Vec<u8>>>);

    impl Write for Tty {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The bytes a real terminal would receive for one frame of `app`.
    fn terminal_bytes(app: &App) -> Vec<u8> {
        let area = Rect::new(0, 0, 160, 48);
        let tty = Tty::default();
        let backend = CrosstermBackend::new(tty.clone());
        let options = TerminalOptions {
            viewport: Viewport::Fixed(area),
        };
        let mut terminal = Terminal::with_options(backend, options).unwrap();
        terminal
            .draw(|frame| tokendeck::tui::views::render(app, frame))
            .unwrap();
        drop(terminal);
        tty.0.take()
    }

    #[test]
    fn a_message_with_esc_in_it_renders_escaped() {
        let app = hostile_home();
        let screen = draw(&app, 160, 48);
        for shown in [
            // The notice line.
            format!("HTTP 200: {SHOWN}"),
            // The live log.
            format!("logged {SHOWN}"),
        ] {
            assert!(
                screen.contains(&shown),
                "{shown} is not on screen:\n{screen}"
            );
        }
        // The details and the table are narrower: their start is enough.
        assert!(screen.contains(r"said \u{1b}]52;c;"), "{screen}");
        assert!(screen.contains(r"\u{1b}]52"), "{screen}");
        assert!(
            !screen.contains('\u{202e}'),
            "a bidi override was drawn:\n{screen}"
        );

        // What reaches the terminal: ratatui's own styling escapes, but no OSC, no BEL, no C1,
        // no bidi override from the provider.
        let bytes = terminal_bytes(&app);
        let text = String::from_utf8_lossy(&bytes);
        for bad in ["\u{1b}]", "\u{7}", "\u{9b}", "\u{202e}", "\u{7f}"] {
            assert!(!text.contains(bad), "{bad:?} reached the terminal");
        }
        assert!(text.contains(r"\u{1b}]52;c;ZXZpbA=="));
    }

    /// The real provider's device answer with OSC 52 in its verification URL: the session
    /// refuses it, and the link screen draws that refusal with no control byte for the terminal.
    #[tokio::test]
    async fn a_device_answer_with_osc_52_is_refused_and_its_refusal_drawn_inert() {
        let server = crate::common::TestProvider::start().await;
        server
            .fault("/device/auth", 1, "inject=verification_uri")
            .await;
        let provider = server
            .provider()
            .with_device_authorization_endpoint(&server.url("/device/auth"))
            .unwrap();
        let session =
            tokendeck::Session::builder(provider, "basic-client", crate::common::PASTE_REDIRECT)
                .client_secret("basic-secret-value")
                .auth_method(tokendeck::AuthMethod::Basic)
                .scopes(["openid", "offline_access"])
                .build()
                .unwrap();
        let refusal = session
            .device_authorization()
            .await
            .unwrap_err()
            .to_string();
        super::assert_inert("the refusal", &refusal);
        let device = format!("\"{}…\"", server.url("/device"));
        assert!(
            refusal.contains(&format!("verification URL {device}"))
                && refusal.contains("holds control characters"),
            "{refusal}"
        );

        let app = link_screen(Some(&refusal));
        let screen = draw(&app, 160, 48);
        assert!(
            screen.contains("/device…\" is not usable: it holds control"),
            "{screen}"
        );
        let bytes = terminal_bytes(&app);
        let text = String::from_utf8_lossy(&bytes);
        for bad in ["\u{1b}]", "\u{7}", "\u{9b}", "\u{202e}", "\u{7f}"] {
            assert!(!text.contains(bad), "{bad:?} reached the terminal");
        }
    }

    #[test]
    fn pasted_text_and_link_errors_are_shown_escaped() {
        let mut app = link_screen(Some(&format!("access was denied: {ATTACK}")));
        update(
            &mut app,
            Message::Paste("code=abc\u{202e}cba&state=x".into()),
        );
        let Screen::Link(link) = &app.screen else {
            panic!("the link screen")
        };
        assert!(link.input.text().contains('\u{202e}'), "kept as typed");
        let screen = draw(&app, 160, 48);
        assert!(screen.contains(r"code=abc\u{202e}cba&state=x"), "{screen}");
        assert!(screen.contains(&format!("denied: {SHOWN}")), "{screen}");
        assert!(!screen.contains('\u{202e}'), "{screen}");
    }
}
