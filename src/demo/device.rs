//! The demo server's device authorization grant (RFC 8628): `POST /device/code` hands out a
//! device code (the client's secret to poll with) and a short user code (what a person reads and
//! types); `/device` is the page where the demo user approves or denies it; the token endpoint's
//! device-code grant answers pending, slow down, denied or expired until it hands out tokens, once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hyper::StatusCode;

use super::grants::{client_authenticated, invalid_client};
use super::page;
use super::server::{Books, Reply, State, html, json, lock, oauth_error};
use crate::oauth::authorize::random_token;

/// The user code's letters: consonants only (no vowels, so no words — RFC 8628 §6.1), and none
/// that is easily taken for a digit or another letter (B 8, S 5, Z 2, L I 1). Sixteen, so that
/// one random nibble picks one, and eight of them make 32 bits.
const ALPHABET: &[u8; 16] = b"CDFGHJKMNPQRTVWX";
/// The poll interval grows this much at each `slow_down` (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// One device authorization, by its device code.
pub(super) struct Device {
    user_code: String,
    scope: String,
    expires: Instant,
    /// How long the client must wait between polls; grows at each `slow_down`.
    interval: Duration,
    last_poll: Option<Instant>,
    busy_polls_left: u32,
    decision: Decision,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decision {
    Pending,
    Approved,
    Denied,
    /// Approved, and its tokens were handed out.
    Redeemed,
}

/// What the demo user's answer on the page came to.
pub(super) enum Outcome {
    Approved,
    Denied,
    /// No such code (mistyped, or from another run of the demo).
    Unknown,
    Expired,
    AlreadyDecided {
        approved: bool,
    },
}

impl State {
    /// `POST /device/code`: the client (authenticated as at the token endpoint) asks for a code.
    pub(super) fn device_code(
        &self,
        authorization: Option<&str>,
        p: &HashMap<String, String>,
    ) -> Reply {
        if !client_authenticated(authorization, p) {
            return invalid_client();
        }
        let options = &self.options;
        let device_code = random_token();
        let mut books = lock(&self.books);
        let user_code = loop {
            let code = user_code();
            if !books.user_codes.contains_key(&code) {
                break code;
            }
        };
        books
            .user_codes
            .insert(user_code.clone(), device_code.clone());
        books.devices.insert(
            device_code.clone(),
            Device {
                user_code: user_code.clone(),
                scope: p.get("scope").cloned().unwrap_or_default(),
                expires: Instant::now() + options.device_code_lifetime,
                interval: options.interval,
                last_poll: None,
                busy_polls_left: options.busy_polls,
                decision: Decision::Pending,
            },
        );
        let verification_uri = format!("{}/device", self.issuer);
        let body = serde_json::json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "verification_uri": verification_uri,
            "expires_in": options.device_code_lifetime.as_secs(),
            "interval": options.interval.as_secs(),
        });
        json(StatusCode::OK, &body)
    }

    /// The token endpoint's device-code grant (the client is already authenticated).
    pub(super) fn device_grant(&self, books: &mut Books, p: &HashMap<String, String>) -> Reply {
        let refuse = |error: &str, description: &str| {
            oauth_error(StatusCode::BAD_REQUEST, error, description)
        };
        let Some(device_code) = p.get("device_code") else {
            return refuse("invalid_request", "device_code is missing");
        };
        let now = Instant::now();
        let Some(device) = books.devices.get_mut(device_code) else {
            return refuse("invalid_grant", "unknown device code");
        };
        let redeemed = || {
            refuse(
                "invalid_grant",
                "the device code was already used: start a new device authorization",
            )
        };
        if device.decision == Decision::Redeemed {
            return redeemed();
        }
        if device.expires <= now {
            return refuse("expired_token", "the code expired before it was approved");
        }
        let too_soon = device
            .last_poll
            .is_some_and(|last| now.duration_since(last) < device.interval);
        device.last_poll = Some(now);
        if too_soon || device.busy_polls_left > 0 {
            device.busy_polls_left = device.busy_polls_left.saturating_sub(1);
            device.interval += SLOW_DOWN_STEP;
            return refuse(
                "slow_down",
                &format!(
                    "polled too often: wait {} between polls",
                    crate::time::short_duration(device.interval.as_secs())
                ),
            );
        }
        match device.decision {
            Decision::Pending => refuse("authorization_pending", "the user has not answered yet"),
            Decision::Denied => refuse("access_denied", "the demo user denied the request"),
            Decision::Approved => {
                device.decision = Decision::Redeemed;
                let scope = device.scope.clone();
                self.issue(books, &random_token(), &scope)
            }
            Decision::Redeemed => redeemed(),
        }
    }

    /// `GET /device[?user_code=…]`: the code with Approve / Deny, or a field to type it.
    pub(super) fn device_page(&self, p: &HashMap<String, String>) -> Reply {
        let Some(typed) = p.get("user_code").filter(|c| !c.trim().is_empty()) else {
            return html(StatusCode::OK, page::device_entry(None));
        };
        let mut books = lock(&self.books);
        match find(&mut books, typed) {
            Ok(device) => html(StatusCode::OK, page::device_confirm(&device.user_code)),
            Err(outcome) => outcome_page(&outcome),
        }
    }

    /// `POST /device`: the demo user's answer, `user_code` and `decision=approve|deny`.
    pub(super) fn device_decide(&self, p: &HashMap<String, String>) -> Reply {
        let approve = match p.get("decision").map(String::as_str) {
            Some("approve") => true,
            Some("deny") => false,
            _ => {
                return html(
                    StatusCode::BAD_REQUEST,
                    page::message("No answer", "Choose Approve or Deny."),
                );
            }
        };
        let typed = p.get("user_code").map_or("", String::as_str);
        let mut books = lock(&self.books);
        let outcome = match find(&mut books, typed) {
            Ok(device) if approve => {
                device.decision = Decision::Approved;
                Outcome::Approved
            }
            Ok(device) => {
                device.decision = Decision::Denied;
                Outcome::Denied
            }
            Err(outcome) => outcome,
        };
        outcome_page(&outcome)
    }
}

/// The device authorization a typed user code names, while it can still be answered.
fn find<'b>(books: &'b mut Books, typed: &str) -> Result<&'b mut Device, Outcome> {
    let device_code = normalize(typed)
        .and_then(|code| books.user_codes.get(&code))
        .ok_or(Outcome::Unknown)?;
    let device = books.devices.get_mut(device_code).ok_or(Outcome::Unknown)?;
    if device.expires <= Instant::now() {
        return Err(Outcome::Expired);
    }
    match device.decision {
        Decision::Pending => Ok(device),
        Decision::Denied => Err(Outcome::AlreadyDecided { approved: false }),
        Decision::Approved | Decision::Redeemed => Err(Outcome::AlreadyDecided { approved: true }),
    }
}

fn outcome_page(outcome: &Outcome) -> Reply {
    let status = match outcome {
        Outcome::Approved | Outcome::Denied => StatusCode::OK,
        Outcome::Unknown => StatusCode::NOT_FOUND,
        Outcome::Expired => StatusCode::GONE,
        Outcome::AlreadyDecided { .. } => StatusCode::CONFLICT,
    };
    html(status, page::device_outcome(outcome))
}

/// Eight letters from [`ALPHABET`], as `XXXX-XXXX`.
fn user_code() -> String {
    let mut bytes = [0u8; 4];
    // The OS random source failing is not something the demo could recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    let letters: String = bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0f])
        .map(|nibble| char::from(ALPHABET[usize::from(nibble)]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A code as a person may type it — any case, with or without the dash, with spaces — in its
/// canonical `XXXX-XXXX` form; `None` when it cannot be one.
fn normalize(typed: &str) -> Option<String> {
    let letters: Vec<char> = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() != 8
        || !letters
            .iter()
            .all(|c| c.is_ascii() && ALPHABET.contains(&(*c as u8)))
    {
        return None;
    }
    let (first, second) = letters.split_at(4);
    Some(format!(
        "{}-{}",
        first.iter().collect::<String>(),
        second.iter().collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_eight_unmistakable_letters() {
        for _ in 0..200 {
            let code = user_code();
            assert_eq!(code.len(), 9, "{code}");
            assert_eq!(&code[4..5], "-", "{code}");
            assert!(
                code.chars()
                    .filter(|c| *c != '-')
                    .all(|c| ALPHABET.contains(&(c as u8))),
                "{code}"
            );
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
        for look_alike in "AEIOUY0123456789BSZL".bytes() {
            assert!(!ALPHABET.contains(&look_alike), "{}", look_alike as char);
        }
    }

    #[test]
    fn a_code_is_found_however_it_is_typed() {
        assert_eq!(normalize("cdfg hjkm").as_deref(), Some("CDFG-HJKM"));
        assert_eq!(normalize("CDFGHJKM").as_deref(), Some("CDFG-HJKM"));
        assert_eq!(normalize("CDFG-HJK"), None, "too short");
        assert_eq!(normalize("CDFG-HJKA"), None, "a vowel is never in a code");
        assert_eq!(normalize("CDFG-HJK<"), None);
    }
}
