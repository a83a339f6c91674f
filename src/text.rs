//! Text from outside — provider answers, API bodies, pastes, hand-edited files, the status file
//! and the event log — made safe for a terminal: every character a terminal would obey (control
//! sequences that set the clipboard or clear the screen) or that reorders what is shown (bidi
//! overrides) is written out visibly instead. The CLI and the TUI both call [`printable`] at the
//! point where text leaves for the screen; stored data stays as it came. (Secrets are cut out of
//! outside text before it is stored, by [`crate::oauth::redact`].)

use std::borrow::Cow;

/// Where the text is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// One line: a message, a table cell, a log line. Line breaks are escaped too.
    One,
    /// Several lines: an API body on a terminal. Line feeds, tabs and CR LF pairs stay.
    Many,
}

/// `text` with C0 controls, DEL, C1 controls (U+0080–U+009F), bidi embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069) — and in [`Lines::One`] also line and paragraph
/// separators — written as `\n`, `\r`, `\t` or `\u{1b}`. Borrowed when nothing needed escaping.
///
/// ```
/// use tokendeck::text::{Lines, printable};
///
/// assert_eq!(printable("invalid_grant", Lines::One), "invalid_grant");
/// assert_eq!(printable("\u{1b}]52;c;aGk=\u{7}", Lines::One), r"\u{1b}]52;c;aGk=\u{7}");
/// assert_eq!(printable("a\nb", Lines::One), r"a\nb");
/// assert_eq!(printable("a\nb", Lines::Many), "a\nb");
/// ```
pub fn printable(text: &str, lines: Lines) -> Cow<'_, str> {
    let mut chars = text.char_indices().peekable();
    let first = loop {
        match chars.next() {
            None => return Cow::Borrowed(text),
            Some((i, c)) if escaped(c, lines, chars.peek().map(|(_, c)| *c)) => break i,
            Some(_) => {}
        }
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut chars = text[first..].chars().peekable();
    while let Some(c) = chars.next() {
        if !escaped(c, lines, chars.peek().copied()) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            c => out.push_str(&format!(r"\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// Whether `text` is shown on one line as it is: nothing in it would be escaped. A URL that is
/// not is no URL to show or open (DESIGN: no control character from the network reaches a TTY).
pub fn is_printable(text: &str) -> bool {
    printable_prefix(text).len() == text.len()
}

/// `text` up to the first character [`printable`] would escape on one line.
pub fn printable_prefix(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if escaped(c, Lines::One, chars.peek().map(|(_, c)| *c)) {
            return &text[..i];
        }
    }
    text
}

/// The version of every JSON shape tokendeck prints (commands' `--json`, the agent's answers),
/// carried as `"format_version"` at each object's top level. An added field keeps it; a removed
/// field or a changed meaning bumps it (the README's "JSON contract").
pub const FORMAT_VERSION: u64 = 1;

/// JSON for a terminal: serde_json escapes C0 controls but writes DEL, C1 controls and bidi
/// overrides as they are. Those characters can only stand inside JSON strings, where `\uXXXX`
/// means the same, so the result parses to exactly the same data.
pub fn printable_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| dangerous(c) || separator(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if dangerous(c) || separator(c) {
            out.push_str(&format!(r"\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` (followed by `next`) is written out rather than shown.
fn escaped(c: char, lines: Lines, next: Option<char>) -> bool {
    match lines {
        Lines::One => dangerous(c) || separator(c),
        Lines::Many => match c {
            '\n' | '\t' => false,
            '\r' => next != Some('\n'),
            c => dangerous(c),
        },
    }
}

/// Characters a terminal obeys, or that reorder the text around them (Trojan Source).
fn dangerous(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Unicode's line and paragraph separators: line breaks to some terminals.
fn separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_escaped_visibly() {
        let one = |s| printable(s, Lines::One).into_owned();
        // C0, with the common ones short.
        assert_eq!(one("\u{0}\u{7}\u{8}\u{1b}[2J"), r"\u{0}\u{7}\u{8}\u{1b}[2J");
        assert_eq!(one("a\r\nb\tc"), r"a\r\nb\tc");
        // DEL and C1 (U+009B is CSI on terminals that take 8-bit controls).
        assert_eq!(
            one("\u{7f}\u{80}\u{9b}2J\u{9f}"),
            r"\u{7f}\u{80}\u{9b}2J\u{9f}"
        );
        // Bidi embeddings, overrides and isolates.
        assert_eq!(
            one("\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}"),
            r"\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}"
        );
        assert_eq!(one("a\u{2028}b\u{2029}"), r"a\u{2028}b\u{2029}");
        // The OSC 52 clipboard write and screen clear from the issue.
        let attack = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J";
        let shown = one(attack);
        assert_eq!(shown, r"\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J");
        assert!(!shown.contains(['\u{1b}', '\u{7}']));
    }

    #[test]
    fn ordinary_text_is_untouched_and_borrowed() {
        for text in [
            "",
            "invalid_grant: the refresh token was revoked",
            "café — ünïcødé, 日本語, emoji 🔑, \\ backslash, U+00A0\u{a0}",
            "\u{200e}\u{200f}", // marks, not overrides
        ] {
            assert!(matches!(printable(text, Lines::One), Cow::Borrowed(t) if t == text));
            assert!(matches!(printable(text, Lines::Many), Cow::Borrowed(t) if t == text));
            assert!(matches!(printable_json(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn a_printable_prefix_stops_at_the_first_control() {
        assert!(is_printable("https://as.example/device?user_code=ABCD"));
        assert!(!is_printable("https://as.example/\u{1b}]52;c;x\u{7}"));
        assert!(!is_printable("a\u{202e}b") && !is_printable("a\nb"));
        assert_eq!(
            printable_prefix("https://as.example/\u{1b}]52;c;x\u{7}"),
            "https://as.example/"
        );
        assert_eq!(printable_prefix(""), "");
    }

    #[test]
    fn many_lines_keep_line_feeds_tabs_and_crlf_but_nothing_else() {
        let many = |s| printable(s, Lines::Many).into_owned();
        assert_eq!(many("{\n\t\"a\": 1\r\n}"), "{\n\t\"a\": 1\r\n}");
        assert_eq!(many("100%\rDONE"), r"100%\rDONE");
        assert_eq!(many("end\r"), r"end\r");
        assert_eq!(many("x\u{1b}[31my\u{2028}"), "x\\u{1b}[31my\u{2028}");
    }

    #[test]
    fn json_stays_json_and_means_the_same() {
        let value = serde_json::json!({
            "error": "\u{1b}]52;c;x\u{7}\u{7f}\u{9b}2J\u{202e}evil\u{2028}"
        });
        let raw = serde_json::to_string(&value).unwrap();
        assert!(raw.contains('\u{9b}'), "serde_json leaves C1 raw: {raw:?}");
        let safe = printable_json(&raw);
        assert!(
            !safe.chars().any(|c| dangerous(c) || separator(c)),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::properties::{config, text};

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn nothing_a_terminal_obeys_gets_through(input in text(64)) {
                let one = printable(&input, Lines::One);
                prop_assert!(!one.chars().any(|c| c.is_control() || dangerous(c) || separator(c)));
                let many = printable(&input, Lines::Many);
                let mut chars = many.chars().peekable();
                while let Some(c) = chars.next() {
                    let allowed = matches!(c, '\n' | '\t') || (c == '\r' && chars.peek() == Some(&'\n'));
                    prop_assert!(allowed || !(c.is_control() || dangerous(c)), "{:?}", many);
                }
                // Escaping what is already escaped changes nothing.
                prop_assert_eq!(printable(&one, Lines::One), one.clone());
            }

            #[test]
            fn json_made_printable_means_the_same(input in text(64)) {
                let json = serde_json::to_string(&input).unwrap();
                let shown = printable_json(&json);
                prop_assert!(!shown.chars().any(|c| c.is_control() || dangerous(c) || separator(c)));
                prop_assert_eq!(serde_json::from_str::<String>(&shown).unwrap(), input);
            }
        }
    }
}
