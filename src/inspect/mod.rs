//! An inspect report in words, as sections of labelled rows: what `tokendeck inspect` prints and
//! the TUI's inspect screen draws (each in its own way), so the two fronts say the same things.
//! Every value from outside — claims, header fields, the provider's messages — is escaped here.
//! The report itself is the application's ([`crate::app::inspect`]).

use std::time::SystemTime;

use jiff::tz::TimeZone;

mod tokens;

use crate::app::inspect::{IntrospectionReport, Keys, Scopes};
use crate::text::{Lines, printable};
use crate::time::{date_time, relative, short_duration};
use tokens::token_section;

// The TUI's names for the report and the use case, until it calls `app::inspect` itself.
pub use crate::app::inspect::{Report, inspect};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub value: String,
    pub tone: Tone,
}

/// How a row should catch the eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warning,
    Bad,
}

fn row(label: &str, value: impl Into<String>, tone: Tone) -> Row {
    Row {
        label: label.to_string(),
        value: value.into(),
        tone,
    }
}

fn shown(text: &str) -> String {
    printable(text, Lines::One).into_owned()
}

/// The report as sections, times on `zone`'s clock and relative to `now`. `introspect_hint` is how
/// to ask for introspection where it was not asked for (a key in the TUI, a flag in the CLI).
pub fn sections(
    report: &Report,
    now: SystemTime,
    zone: &TimeZone,
    introspect_hint: &str,
) -> Vec<Section> {
    let when = |t: SystemTime| format!("{} ({})", date_time(t, zone), relative(t, now));
    let mut out = Vec::new();

    let mut account = vec![row(
        "identity",
        report.identity.as_deref().map_or("unknown".into(), shown),
        Tone::Plain,
    )];
    account.push(row("obtained", when(report.obtained_at), Tone::Plain));
    account.push(match report.expires_at {
        Some(at) if at <= now => row("expires", when(at), Tone::Bad),
        Some(at) => row("expires", when(at), Tone::Plain),
        None => row("expires", "not said by the provider", Tone::Plain),
    });
    out.push(Section {
        title: "Account".into(),
        rows: account,
    });

    if let Some(id) = &report.id_token {
        out.push(token_section("ID token", id, now, zone));
    }
    out.push(token_section(
        "Access token",
        &report.access_token,
        now,
        zone,
    ));
    if let Some(refresh) = &report.refresh_token {
        out.push(token_section("Refresh token", refresh, now, zone));
    }
    out.push(scopes_section(&report.scopes));
    out.push(checks_section(report));
    out.push(introspection_section(report, now, zone, introspect_hint));
    out
}

fn scopes_section(scopes: &Scopes) -> Section {
    let list = |items: &[String]| match items.is_empty() {
        true => "-".to_string(),
        false => shown(&items.join(" ")),
    };
    let mut rows = vec![row("requested", list(&scopes.requested), Tone::Plain)];
    match &scopes.granted {
        None => rows.push(row(
            "granted",
            "not said by the provider (so, as requested: RFC 6749 §5.1)",
            Tone::Plain,
        )),
        Some(granted) => {
            rows.push(row("granted", list(granted), Tone::Plain));
            if !scopes.dropped.is_empty() {
                rows.push(row("dropped", list(&scopes.dropped), Tone::Warning));
            }
            if !scopes.added.is_empty() {
                rows.push(row("added", list(&scopes.added), Tone::Plain));
            }
        }
    }
    Section {
        title: "Scopes".into(),
        rows,
    }
}

fn checks_section(report: &Report) -> Section {
    let keys = match &report.keys {
        Keys::Unknown => row(
            "signing keys",
            "unknown: the provider names no key set (jwks_uri), so signatures are not checked",
            Tone::Warning,
        ),
        Keys::NotNeeded => row(
            "signing keys",
            "not fetched: no token here is a JWT",
            Tone::Plain,
        ),
        Keys::Fetched { uri, count } => row(
            "signing keys",
            format!(
                "{count} key{} from {}",
                if *count == 1 { "" } else { "s" },
                shown(uri)
            ),
            Tone::Plain,
        ),
        Keys::Failed { uri, error } => row(
            "signing keys",
            format!("could not be fetched from {}: {}", shown(uri), shown(error)),
            Tone::Warning,
        ),
    };
    let clock = match &report.clock_skew {
        None => row(
            "clock",
            "not measured (no answer with a Date, no token with an iat)",
            Tone::Plain,
        ),
        Some(skew) => {
            let source = match skew.source {
                "server_date" => "the provider's Date header",
                "access_token_iat" => "the access token's iat",
                _ => "the ID token's iat",
            };
            let off = short_duration(skew.seconds.unsigned_abs());
            let text = match skew.seconds {
                0 => format!("in step with the provider (by {source})"),
                s if s > 0 => format!("this machine is {off} behind the provider (by {source})"),
                _ => format!("this machine is {off} ahead of the provider (by {source})"),
            };
            match skew.warning {
                true => row(
                    "clock",
                    format!(
                        "{text} — more than a minute: tokens will seem to expire early or start late; set this machine's clock (e.g. enable NTP)"
                    ),
                    Tone::Warning,
                ),
                false => row("clock", text, Tone::Good),
            }
        }
    };
    Section {
        title: "Checks".into(),
        rows: vec![keys, clock],
    }
}

fn introspection_section(report: &Report, now: SystemTime, zone: &TimeZone, hint: &str) -> Section {
    let rows = match &report.introspection {
        None => vec![row(
            "status",
            format!("not asked (a call to the provider): {hint}"),
            Tone::Plain,
        )],
        Some(IntrospectionReport::Failed { error }) => {
            vec![row("status", shown(error), Tone::Warning)]
        }
        Some(IntrospectionReport::Answer(answer)) => {
            let mut rows = vec![match answer.active {
                true => row(
                    "active",
                    "yes: the provider accepts this access token",
                    Tone::Good,
                ),
                false => row(
                    "active",
                    "no: the provider no longer accepts this access token (expired or revoked)",
                    Tone::Bad,
                ),
            }];
            if let Some(exp) = answer.exp {
                rows.push(row(
                    "exp",
                    format!("{} ({})", date_time(exp, zone), relative(exp, now)),
                    Tone::Plain,
                ));
            }
            for (label, value) in [
                ("scope", &answer.scope),
                ("client_id", &answer.client_id),
                ("sub", &answer.sub),
                ("username", &answer.username),
            ] {
                if let Some(value) = value {
                    rows.push(row(label, shown(value), Tone::Plain));
                }
            }
            rows
        }
    };
    Section {
        title: "Introspection (RFC 7662)".into(),
        rows,
    }
}

/// The sections as plain text lines (the CLI's output): a title, then `label  value` rows.
pub fn to_text(sections: &[Section]) -> String {
    let width = sections
        .iter()
        .flat_map(|s| &s.rows)
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    let mut out = String::new();
    for section in sections {
        out.push('\n');
        out.push_str(&section.title);
        out.push('\n');
        for row in &section.rows {
            out.push_str(&format!("  {:<width$}  {}\n", row.label, row.value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::inspect::{Keys, Scopes, TokenReport};
    use serde_json::{Value, json};

    #[test]
    fn outside_text_is_escaped_and_times_are_local() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let claims = match json!({
            "sub": "a\u{1b}]52;c;aGk=\u{7}b",
            "exp": 1_800_000_600,
            "\u{202e}evil": ["x", "y\nz"],
        }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let report = Report {
            account: "work".into(),
            identity: Some("\u{1b}[2Jalice".into()),
            obtained_at: t,
            expires_at: None,
            id_token: Some(TokenReport::Jwt {
                length: 100,
                header: serde_json::Map::new(),
                claims,
                signature: "not_checked",
                signature_detail: "not verified".into(),
                times: serde_json::Map::new(),
                verdict: None,
            }),
            access_token: TokenReport::Opaque { length: 43 },
            refresh_token: None,
            scopes: Scopes::default(),
            keys: Keys::NotNeeded,
            clock_skew: None,
            introspection: None,
        };
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let text = to_text(&sections(&report, t, &tokyo, "press i"));
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'),
            "{text}"
        );
        assert!(text.contains(r"a\u{1b}]52;c;aGk=\u{7}b"), "{text}");
        assert!(text.contains(r"x, y\nz"), "{text}");
        assert!(
            text.contains("2027-01-15 17:10:00 JST (in 10m 00s)"),
            "{text}"
        );
    }
}
