//! Outside text never carries a secret: before a provider's words (an error description, a
//! body), an API's answer or a hook's stderr is stored, shown or handed on, every secret the
//! process knows for that account is cut out of it and replaced by a marker such as
//! `[redacted refresh token]`. Providers do echo what they were sent — several put the refused
//! refresh token in `invalid_grant`'s `error_description` — and they echo it raw, form- or
//! percent-encoded, JSON-escaped, or as the Basic header it came in; each of those forms is cut.
//!
//! Used where such text enters: the token endpoint's answers (which know the request's secrets),
//! a session's front-channel answers, the hook runner (given the account's secrets), the TUI's
//! API preview. [`crate::text::printable`] then makes what is left safe for a terminal.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::token::Tokens;

/// Values shorter than this (in characters) are not cut out. A value that short matches ordinary
/// words and pieces of every message — a one-letter "secret" would wipe every `a` — so cutting it
/// would make the text unreadable while protecting little: it is no credential worth the name
/// (RFC 6749 §10.10 asks for 128 bits, some 22 characters; real providers issue 20 to 2,000).
/// Eight characters from the token alphabet are 48 bits: no accident puts them in a sentence.
pub const MIN_SECRET_LEN: usize = 8;

/// What kind of secret a marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AccessToken,
    RefreshToken,
    IdToken,
    ClientSecret,
    DeviceCode,
    PkceVerifier,
    AuthorizationCode,
}

impl SecretKind {
    /// What stands in the text where the secret was.
    pub fn marker(self) -> &'static str {
        match self {
            SecretKind::AccessToken => "[redacted access token]",
            SecretKind::RefreshToken => "[redacted refresh token]",
            SecretKind::IdToken => "[redacted ID token]",
            SecretKind::ClientSecret => "[redacted client secret]",
            SecretKind::DeviceCode => "[redacted device code]",
            SecretKind::PkceVerifier => "[redacted PKCE verifier]",
            SecretKind::AuthorizationCode => "[redacted authorization code]",
        }
    }

    /// The secret a form field of a request carries, by the field's name (RFC 6749, 7636, 8628;
    /// `token` at revocation and introspection, RFC 7009 and 7662, by its `hint`).
    fn of_field(field: &str, hint: Option<&str>) -> Option<SecretKind> {
        Some(match field {
            "refresh_token" => SecretKind::RefreshToken,
            "code" => SecretKind::AuthorizationCode,
            "code_verifier" => SecretKind::PkceVerifier,
            "device_code" => SecretKind::DeviceCode,
            "client_secret" => SecretKind::ClientSecret,
            "token" if hint == Some("refresh_token") => SecretKind::RefreshToken,
            "token" => SecretKind::AccessToken,
            _ => return None,
        })
    }
}

/// Said instead of a text whose secrets could not be cut out cleanly (a secret that is part of a
/// marker): nothing of it is kept.
const WITHHELD: &str = "[withheld: it held a secret]";

/// The secrets known for one account, in every form they may come back in.
#[derive(Clone, Default)]
pub struct Secrets {
    forms: Vec<Form>,
}

#[derive(Clone, PartialEq, Eq)]
struct Form {
    text: String,
    kind: SecretKind,
}

/// RFC 3986's unreserved characters stay; everything else is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Secrets {
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Also cuts out `value` as a `kind`, in each form it may be echoed in. Values shorter than
    /// [`MIN_SECRET_LEN`] are left alone.
    pub fn add(&mut self, kind: SecretKind, value: &str) -> &mut Secrets {
        if value.chars().count() < MIN_SECRET_LEN {
            return self;
        }
        let form_encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let percent_encoded = utf8_percent_encode(value, UNRESERVED).to_string();
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json.get(1..json.len().saturating_sub(1)).unwrap_or("");
        let ascii_json: String = json
            .chars()
            .map(|c| match c.is_ascii() {
                true => c.to_string(),
                false => c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|unit| format!("\\u{unit:04x}"))
                    .collect(),
            })
            .collect();
        let forms = [
            value.to_string(),
            form_encoded.clone(),
            lowercase_escapes(&form_encoded),
            percent_encoded.clone(),
            lowercase_escapes(&percent_encoded),
            json.to_string(),
            json.replace('/', "\\/"),
            uppercase_unicode_escapes(&ascii_json),
            ascii_json,
        ];
        for text in forms {
            self.add_form(kind, text);
        }
        self
    }

    /// [`add`](Self::add), chained.
    pub fn with(mut self, kind: SecretKind, value: &str) -> Secrets {
        self.add(kind, value);
        self
    }

    /// Also cuts out `text` exactly, as a `kind` (a header built from a secret).
    fn add_form(&mut self, kind: SecretKind, text: String) {
        let form = Form { text, kind };
        if form.text.chars().count() >= MIN_SECRET_LEN && !self.forms.contains(&form) {
            self.forms.push(form);
        }
    }

    /// Also cuts out the client secret, and the HTTP Basic credentials it travels in (both
    /// RFC 6749's form-encoded pair and the plain `id:secret` many clients send).
    /// The Basic credentials are cut out even for a secret shorter than [`MIN_SECRET_LEN`]: they
    /// are long, and a person could decode them.
    pub fn add_client_secret(&mut self, client_id: &str, secret: &str) -> &mut Secrets {
        self.add(SecretKind::ClientSecret, secret);
        let encode =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        for pair in [
            format!("{}:{}", encode(client_id), encode(secret)),
            format!("{client_id}:{secret}"),
        ] {
            let basic = STANDARD.encode(pair);
            // Without its padding too, so that a header cut short of its `=` is still recognised.
            self.add_form(SecretKind::ClientSecret, basic.trim_end_matches('=').into());
            self.add_form(SecretKind::ClientSecret, basic);
        }
        self
    }

    /// Also cuts out every token of `tokens`.
    pub fn add_tokens(&mut self, tokens: &Tokens) -> &mut Secrets {
        self.add(SecretKind::AccessToken, tokens.access_token());
        if let Some(refresh) = tokens.refresh_token() {
            self.add(SecretKind::RefreshToken, refresh);
        }
        if let Some(id) = tokens.id_token() {
            self.add(SecretKind::IdToken, id);
        }
        self
    }

    /// Also cuts out the secrets a request's form carries, by their fields' names.
    pub fn add_sent(&mut self, form: &[(&str, &str)]) -> &mut Secrets {
        let hint = form
            .iter()
            .find(|(k, _)| *k == "token_type_hint")
            .map(|(_, v)| *v);
        for (field, value) in form {
            if let Some(kind) = SecretKind::of_field(field, hint) {
                self.add(kind, value);
            }
        }
        self
    }

    /// Also cuts out everything `other` cuts out.
    pub fn add_all(&mut self, other: &Secrets) -> &mut Secrets {
        for form in &other.forms {
            self.add_form(form.kind, form.text.clone());
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The longest form a secret may take, in bytes: how much of a stream's end may hold a
    /// secret cut off at its front.
    pub fn longest(&self) -> usize {
        self.forms.iter().map(|f| f.text.len()).max().unwrap_or(0)
    }

    /// `text` with every secret cut out, each replaced by its kind's marker; secrets that overlap
    /// or sit inside one another become one marker. Borrowed when nothing was cut.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut current = Cow::Borrowed(text);
        // A marker and what stands beside it cannot spell a secret of the token alphabet; a
        // stranger secret might, so cut again — and give up on the text if that never ends.
        for _ in 0..4 {
            let hits = self.hits(&current);
            if hits.is_empty() {
                return current;
            }
            current = Cow::Owned(replace(&current, &hits, 0));
        }
        Cow::Owned(self.withheld())
    }

    /// The end of a longer stream (a hook's stderr), redacted: its first [`longest`](Self::longest)
    /// bytes may be the end of a secret whose start was cut off, which no search can recognise,
    /// so they are dropped (or, where a secret found whole starts in them, only what is before it).
    pub fn redact_tail(&self, text: &str) -> String {
        let mut skip = self.longest().min(text.len());
        while !text.is_char_boundary(skip) {
            skip += 1;
        }
        let hits = self.hits(text);
        // A secret found whole across the cut is kept whole, as its marker.
        let from = hits
            .iter()
            .filter(|h| h.start < skip && skip < h.end)
            .map(|h| h.start)
            .min()
            .unwrap_or(skip);
        let cut = replace(text, &hits, from);
        self.redact(&cut).into_owned()
    }

    /// Every occurrence of every form in `text`, overlapping ones included, ordered by start
    /// (the longest first).
    fn hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        for form in &self.forms {
            let mut at = 0;
            while let Some(i) = text[at..].find(&form.text) {
                let start = at + i;
                hits.push(Hit {
                    start,
                    end: start + form.text.len(),
                    kind: form.kind,
                });
                // The next occurrence may overlap this one: search again one character on.
                at = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        hits
    }

    /// What replaces a text that could not be redacted: [`WITHHELD`], unless even that would
    /// spell a secret.
    fn withheld(&self) -> String {
        match self.hits(WITHHELD).is_empty() {
            true => WITHHELD.to_string(),
            false => String::new(),
        }
    }
}

/// One occurrence of a secret, in bytes.
#[derive(Clone, Copy, Debug)]
struct Hit {
    start: usize,
    end: usize,
    kind: SecretKind,
}

/// `text` from byte `from` on, each run of overlapping `hits` replaced by the marker of its
/// first (and, at the same start, longest) secret.
fn replace(text: &str, hits: &[Hit], from: usize) -> String {
    let mut out = String::with_capacity(text.len() - from);
    let mut at = from;
    let mut hits = hits.iter().filter(|h| h.end > from).peekable();
    while let Some(hit) = hits.next() {
        let mut end = hit.end;
        while let Some(next) = hits.next_if(|next| next.start < end) {
            end = end.max(next.end);
        }
        out.push_str(&text[at..hit.start.max(at)]);
        out.push_str(hit.kind.marker());
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// `%2F` as `%2f`: percent-encoders disagree on the case of their hex digits.
fn lowercase_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let escape = rest.get(i..i + 3).unwrap_or(&rest[i..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[i + escape.len()..];
    }
    out.push_str(rest);
    out
}

/// `\u00e9` as `\u00E9`, for the JSON encoders that write capitals.
fn uppercase_unicode_escapes(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(i) = rest.find("\\u") {
        out.push_str(&rest[..i + 2]);
        let digits = rest.get(i + 2..i + 6).unwrap_or(&rest[i + 2..]);
        out.push_str(&digits.to_ascii_uppercase());
        rest = &rest[i + 2 + digits.len()..];
    }
    out.push_str(rest);
    out
}

impl fmt::Debug for Secrets {
    /// The kinds only: a `Debug` of the secrets themselves is what this type exists to prevent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kinds: Vec<SecretKind> = self.forms.iter().map(|f| f.kind).collect();
        kinds.dedup();
        f.debug_struct("Secrets").field("kinds", &kinds).finish()
    }
}

mod error;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
