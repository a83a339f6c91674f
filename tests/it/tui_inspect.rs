//! Issue 12, item 2: the inspect screen, drawn at 80×24 and 160×48 (insta snapshots), on the
//! user's clock, scrolled, and while its report is being read or failed. Issue 19, item 8: the ID
//! token's verdict (signature and claims) heads its section, a claim of another client in red, an
//! expired ID token called expired.

use crate::fixtures;

use fixtures::{app_with_accounts, draw, now, secs};
use ratatui::style::Color;
use serde_json::{Map, Value, json};
use tokendeck::app::inspect::{Keys, Report, Scopes, Skew, TokenReport, Verdict};
use tokendeck::oauth::id_token::Expected;
use tokendeck::oauth::jwt::Jwt;
use tokendeck::tui::app::{App, InspectScreen, Inspection, Overlay, Screen};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// The nonce the fixture's link sent, which its ID token carries back.
const NONCE: &str = "n-0S6_WzA2Mj";

/// The fixture's ID token claims: an account linked `ago` seconds ago, with `changes` applied.
fn id_claims(ago: u64, changes: Value) -> Map<String, Value> {
    let issued = now() - secs(ago);
    let unix =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut claims = object(json!({
        "iss": "https://accounts.example.test",
        "sub": "248289761001",
        "aud": "tokendeck-client",
        "email": "alice@example.test",
        "email_verified": true,
        "exp": unix(issued + secs(3600)),
        "iat": unix(issued),
        "auth_time": unix(issued - secs(30)),
        "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "nonce": NONCE,
    }));
    claims.extend(object(changes));
    claims
}

/// The verdict `inspect` gives these claims with this signature, from the real checks.
fn verdict(claims: &Map<String, Value>, signature: &'static str, detail: &str) -> Verdict {
    use base64::Engine as _;
    let b = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = format!(
        "{}.{}.c2ln",
        b(r#"{"alg":"RS256"}"#.into()),
        b(Value::Object(claims.clone()).to_string())
    );
    let expected = Expected {
        issuer: Some("https://accounts.example.test"),
        client_id: "tokendeck-client",
        nonce: Some(NONCE),
    };
    Verdict::of(
        &Jwt::decode(&token).unwrap(),
        (signature, detail),
        &expected,
        now(),
    )
}

/// What `inspect` reports for an account linked 2 minutes ago at a provider with a signing key.
fn report(signature: &'static str, detail: &str) -> Report {
    report_with(signature, detail, id_claims(120, json!({})))
}

fn report_with(signature: &'static str, detail: &str, claims: Map<String, Value>) -> Report {
    let issued = now() - secs(120);
    Report {
        account: "mail".into(),
        identity: Some("alice@example.test".into()),
        obtained_at: issued,
        expires_at: Some(issued + secs(3600)),
        id_token: Some(TokenReport::Jwt {
            length: 812,
            header: object(json!({"alg": "RS256", "kid": "2024-key-1", "typ": "JWT"})),
            verdict: Some(verdict(&claims, signature, detail)),
            claims,
            signature,
            signature_detail: detail.into(),
            times: Map::new(),
        }),
        access_token: TokenReport::Opaque { length: 43 },
        refresh_token: Some(TokenReport::Opaque { length: 43 }),
        scopes: Scopes {
            requested: vec!["openid".into(), "email".into(), "drive".into()],
            granted: Some(vec!["openid".into(), "email".into(), "profile".into()]),
            dropped: vec!["drive".into()],
            added: vec!["profile".into()],
        },
        keys: Keys::Fetched {
            uri: "https://accounts.example.test/jwks".into(),
            count: 2,
        },
        clock_skew: Some(Skew {
            seconds: 0,
            source: "server_date",
            warning: false,
        }),
        introspection: None,
    }
}

fn inspecting(report: Inspection) -> App {
    let mut app = app_with_accounts();
    app.screen = Screen::Inspect(InspectScreen {
        name: "mail".into(),
        report,
        introspecting: false,
        scroll: 0,
    });
    app
}

fn verified() -> Inspection {
    Inspection::Ready(Box::new(report(
        "verified",
        "verified with the provider's key `2024-key-1` (RS256)",
    )))
}

#[test]
fn inspect_screen() {
    let app = inspecting(verified());
    insta::assert_snapshot!("inspect_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("inspect_160x48", draw(&app, 160, 48));
}

#[test]
fn inspect_screen_scrolled_to_the_end_with_a_skewed_clock() {
    let mut report = report(
        "invalid",
        "NOT verified: the signature does not match the provider's key `2024-key-1` (RS256)",
    );
    report.clock_skew = Some(Skew {
        seconds: 312,
        source: "server_date",
        warning: true,
    });
    let mut app = inspecting(Inspection::Ready(Box::new(report)));
    if let Screen::Inspect(screen) = &mut app.screen {
        screen.scroll = u16::MAX;
    }
    let screen = draw(&app, 80, 24);
    insta::assert_snapshot!("inspect_scrolled_80x24", screen);
    assert!(screen.contains("5m 12s behind the provider"), "{screen}");
}

#[test]
fn inspect_screen_reading_and_failed() {
    insta::assert_snapshot!(
        "inspect_reading_80x24",
        draw(&inspecting(Inspection::Reading), 80, 24)
    );
    let failed = Inspection::Failed("\"mail\" is not linked yet: run `tokendeck link mail`".into());
    insta::assert_snapshot!("inspect_failed_80x24", draw(&inspecting(failed), 80, 24));
}

/// The same instants, on a Tokyo clock: 9 hours on from the UTC snapshot.
#[test]
fn inspect_screen_on_a_tokyo_clock() {
    let mut app = inspecting(verified());
    app.zone = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    let screen = draw(&app, 160, 48);
    let utc = draw(&inspecting(verified()), 160, 48);
    let line = |screen: &str| {
        screen
            .lines()
            .find(|l| l.trim_start().starts_with("exp "))
            .unwrap()
            .to_string()
    };
    assert!(line(&utc).contains(" UTC ("), "{}", line(&utc));
    assert!(line(&screen).contains(" JST ("), "{}", line(&screen));
    let hour = |l: &str| -> u32 {
        let at = l.find(':').unwrap();
        l[at - 2..at].parse().unwrap()
    };
    assert_eq!((hour(&line(&utc)) + 9) % 24, hour(&line(&screen)));
}

/// The verdicts are coloured: verified green, a bad signature red.
#[test]
fn the_signature_verdict_is_coloured() {
    let app = inspecting(verified());
    let buffer = fixtures::buffer(&app, 160, 48);
    let find = |buffer: &ratatui::buffer::Buffer, text: &str| {
        let area = buffer.area;
        (0..area.height).find_map(|y| {
            let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
            line.find(text)
                .map(|x| buffer[(line[..x].chars().count() as u16, y)].fg)
        })
    };
    assert_eq!(find(&buffer, "verified with"), Some(Color::Green));
    let bad = inspecting(Inspection::Ready(Box::new(report(
        "invalid",
        "NOT verified: x",
    ))));
    assert_eq!(
        find(&fixtures::buffer(&bad, 160, 48), "NOT verified"),
        Some(Color::Red)
    );
}

/// An ID token issued for another client: its verdict names both clients, in red, and so is its
/// `aud` row; the signature alone (which verifies) is not the verdict.
#[test]
fn inspect_screen_for_an_id_token_of_another_client() {
    let claims = id_claims(120, json!({"aud": "another-client"}));
    let report = report_with(
        "verified",
        "verified with the provider's key `2024-key-1` (RS256)",
        claims,
    );
    let app = inspecting(Inspection::Ready(Box::new(report)));
    let screen = draw(&app, 160, 48);
    insta::assert_snapshot!("inspect_another_client_160x48", screen);
    assert!(
        screen.contains(
            "NOT this account's: issued for another client: aud is another-client, this account's client is tokendeck-client"
        ),
        "{screen}"
    );
    let buffer = fixtures::buffer(&app, 160, 48);
    assert_eq!(colour_of(&buffer, "NOT this account's"), Some(Color::Red));
    assert_eq!(value_colour(&buffer, "aud"), Some(Color::Red));
    assert_ne!(value_colour(&buffer, "sub"), Some(Color::Red));
}

/// Hours after its link an ID token has expired, as they all do: "expired", in green, never
/// "altered" — and its exp row is not red.
#[test]
fn an_expired_id_token_is_called_expired_not_altered() {
    let report = report_with(
        "verified",
        "verified with the provider's key `2024-key-1` (RS256)",
        id_claims(3 * 3600, json!({})),
    );
    let app = inspecting(Inspection::Ready(Box::new(report)));
    let screen = draw(&app, 160, 48);
    insta::assert_snapshot!("inspect_expired_id_token_160x48", screen);
    assert!(screen.contains("verified, and expired"), "{screen}");
    assert!(
        !screen.contains("altered") && !screen.contains("NOT"),
        "{screen}"
    );
    let buffer = fixtures::buffer(&app, 160, 48);
    assert_eq!(
        colour_of(&buffer, "verified, and expired"),
        Some(Color::Green)
    );
    assert!(value_colour(&buffer, "exp").is_some());
    assert_ne!(value_colour(&buffer, "exp"), Some(Color::Red));
}

/// The foreground colour of the first cell of `text` on the screen, if it is there.
fn colour_of(buffer: &ratatui::buffer::Buffer, text: &str) -> Option<Color> {
    let area = buffer.area;
    (0..area.height).find_map(|y| {
        let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        line.find(text)
            .map(|x| buffer[(line[..x].chars().count() as u16, y)].fg)
    })
}

/// The colour of the value on the first row labelled `label`.
fn value_colour(buffer: &ratatui::buffer::Buffer, label: &str) -> Option<Color> {
    let area = buffer.area;
    (0..area.height).find_map(|y| {
        let cells: Vec<&str> = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let line = cells.concat();
        let rest = line.strip_prefix(&format!(" {label} "))?;
        let at = label.len() + 2 + rest.len() - rest.trim_start().len();
        Some(buffer[(at as u16, y)].fg)
    })
}

/// `?` on the inspect screen shows its own keys first (it was missing from the help).
#[test]
fn help_on_the_inspect_screen_starts_with_its_keys() {
    let mut app = inspecting(verified());
    app.overlay = Some(Overlay::Help(0));
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("Inspect (here)"), "{screen}");
    assert!(
        screen.contains("ask the provider's introspection endpoint"),
        "{screen}"
    );
}
