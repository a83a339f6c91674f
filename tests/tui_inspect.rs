//! Issue 12, item 2: the inspect screen, drawn at 80×24 and 160×48 (insta snapshots), on the
//! user's clock, scrolled, and while its report is being read or failed.

mod common;
mod fixtures;

use fixtures::{app_with_accounts, draw, now, secs};
use ratatui::style::Color;
use serde_json::{Map, Value, json};
use tokendeck::inspect::{Keys, Report, Scopes, Skew, TokenReport};
use tokendeck::tui::app::{App, InspectScreen, Inspection, Overlay, Screen};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// What `inspect` reports for an account linked 2 minutes ago at a provider with a signing key.
fn report(signature: &'static str, detail: &str) -> Report {
    let issued = now() - secs(120);
    let unix =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    Report {
        account: "mail".into(),
        identity: Some("alice@example.test".into()),
        obtained_at: issued,
        expires_at: Some(issued + secs(3600)),
        id_token: Some(TokenReport::Jwt {
            length: 812,
            header: object(json!({"alg": "RS256", "kid": "2024-key-1", "typ": "JWT"})),
            claims: object(json!({
                "iss": "https://accounts.example.test",
                "sub": "248289761001",
                "aud": "tokendeck-client",
                "email": "alice@example.test",
                "email_verified": true,
                "exp": unix(issued + secs(3600)),
                "iat": unix(issued),
                "auth_time": unix(issued - secs(30)),
                "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
            })),
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
