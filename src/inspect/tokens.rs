//! One token's section of the report: an ID token's verdict first, then its format, header,
//! signature and every claim, a claim that does not fit the account marked as such.

use std::time::SystemTime;

use jiff::tz::TimeZone;
use serde_json::Value;

use super::{Section, Tone, row, shown};
use crate::app::inspect::report::{TIME_CLAIMS, TokenReport, claim_time};
use crate::time::{date_time, relative};

pub(super) fn token_section(
    title: &str,
    token: &TokenReport,
    now: SystemTime,
    zone: &TimeZone,
) -> Section {
    let mut rows = Vec::new();
    match token {
        TokenReport::Opaque { length } => rows.push(row(
            "format",
            format!("opaque, {length} characters (only the provider can read it)"),
            Tone::Plain,
        )),
        TokenReport::Jwt {
            length,
            header,
            claims,
            signature,
            signature_detail,
            verdict,
            ..
        } => {
            if let Some(verdict) = verdict {
                let tone = match verdict.verdict {
                    "verified" | "expired" => Tone::Good,
                    "mismatch" | "invalid" => Tone::Bad,
                    _ => Tone::Warning,
                };
                rows.push(row("verdict", shown(&verdict.verdict_detail), tone));
            }
            let failed: Vec<&str> = verdict.iter().flat_map(|v| v.failed_claims()).collect();
            rows.push(row(
                "format",
                format!("JWT, {length} characters"),
                Tone::Plain,
            ));
            let header_text = ["alg", "kid", "typ"]
                .iter()
                .filter_map(|k| Some(format!("{k} {}", shown(header.get(*k)?.as_str()?))))
                .collect::<Vec<_>>()
                .join(" · ");
            rows.push(row("header", header_text, Tone::Plain));
            let tone = match *signature {
                "verified" => Tone::Good,
                "invalid" => Tone::Bad,
                _ => Tone::Warning,
            };
            rows.push(row("signature", shown(signature_detail), tone));
            for (name, value) in in_reading_order(claims) {
                let time = TIME_CLAIMS
                    .contains(&name.as_str())
                    .then(|| claim_time(claims, name))
                    .flatten();
                let (text, tone) = match time {
                    Some(at) => {
                        let tone = match name.as_str() {
                            // An ID token's expiry is what ID tokens come to; its verdict says so.
                            "exp" if at <= now && verdict.is_none() => Tone::Bad,
                            "nbf" if at > now => Tone::Warning,
                            _ => Tone::Plain,
                        };
                        (
                            format!("{} ({})", date_time(at, zone), relative(at, now)),
                            tone,
                        )
                    }
                    None => (claim_text(value), Tone::Plain),
                };
                let tone = match failed.contains(&name.as_str()) {
                    true => Tone::Bad,
                    false => tone,
                };
                rows.push(row(&shown(name), text, tone));
            }
        }
    }
    Section {
        title: title.into(),
        rows,
    }
}

/// Who issued it, about whom, for whom and when first; the rest by name.
const FIRST_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "iat", "nbf", "auth_time"];

fn in_reading_order(claims: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |name: &str| {
        FIRST_CLAIMS
            .iter()
            .position(|first| *first == name)
            .unwrap_or(FIRST_CLAIMS.len())
    };
    let mut ordered: Vec<(&String, &Value)> = claims.iter().collect();
    // Stable: names outside the first ones keep the map's (alphabetical) order.
    ordered.sort_by_key(|(name, _)| rank(name));
    ordered
}

/// A claim's value: strings as they are, anything else as compact JSON; escaped either way.
fn claim_text(value: &Value) -> String {
    match value {
        Value::String(s) => shown(s),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(shown)
            .collect::<Vec<_>>()
            .join(", "),
        other => shown(&other.to_string()),
    }
}
