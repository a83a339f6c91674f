//! Properties of the pasted-answer parser: whatever is pasted, it never panics and never repeats
//! the code in an error; a redirect address or query string carrying a code and `state` gives
//! back exactly that code and `state`.

use proptest::prelude::*;

use super::CallbackParams;
use crate::properties::{TOKEN_CHARS, config, text, word};

/// Where providers send the browser back to.
const BASES: [&str; 4] = [
    "http://127.0.0.1:8765/callback",
    "http://[::1]:1/cb",
    "https://app.example/oauth/Call-Back",
    "http://localhost/callback/",
];

/// Pieces a paste is made of, in any order: keys, separators, escapes (broken ones too),
/// schemes, quotes, whitespace, controls, non-ASCII.
fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "code=",
            "state=",
            "error=",
            "error_description=",
            "iss=",
            "&",
            "=",
            "?",
            "#",
            "%",
            "%2",
            "%ff",
            "%C3%A9",
            "%00",
            "+",
            "http://",
            "https://h/",
            "://",
            "[",
            "'",
            "\"",
            "<",
            ">",
            " ",
            "\t",
            "\n",
            "\u{0}",
            "é",
            "\u{202e}",
            "\u{1b}[2J",
        ])
        .prop_map(str::to_string),
        word(TOKEN_CHARS, 1, 12),
        text(12),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat())
}

/// A code that cannot turn up in a message by chance.
fn secret_code() -> impl Strategy<Value = String> {
    word(TOKEN_CHARS, 16, 40).prop_map(|w| format!("C0DE{w}"))
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// How a paste is laid out around its code and `state`: other parameters, where the two go
/// among them, the address it is part of, and what the copy added around it.
#[derive(Clone, Debug)]
struct Layout {
    extra: Vec<String>,
    code_at: prop::sample::Index,
    state_at: prop::sample::Index,
    base: &'static str,
    shape: u8,
    wrap: (&'static str, &'static str),
    space: String,
}

fn layout() -> impl Strategy<Value = Layout> {
    let key = word("abcdefghijklmnopqrstuvwxyz_", 1, 10);
    let extra = prop::collection::vec((key, text(16)), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|(k, _)| {
                !["code", "state", "error", "error_description", "iss"].contains(&k.as_str())
            })
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect()
    });
    (
        extra,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::sample::select(BASES.to_vec()),
        0..5u8,
        prop::sample::select(vec![("", ""), ("\"", "\""), ("'", "'"), ("<", ">")]),
        word(" \t\r\n", 0, 3),
    )
        .prop_map(
            |(extra, code_at, state_at, base, shape, wrap, space)| Layout {
                extra,
                code_at,
                state_at,
                base,
                shape,
                wrap,
                space,
            },
        )
}

/// A whole paste: the redirect address (answer in the query or the fragment) or its query
/// string, as copied — perhaps in quotes or angle brackets, with whitespace around.
fn paste(code: &str, state: &str, layout: &Layout) -> String {
    let mut pairs = layout.extra.clone();
    pairs.insert(
        layout.code_at.index(pairs.len() + 1),
        format!("code={}", encode(code)),
    );
    pairs.insert(
        layout.state_at.index(pairs.len() + 1),
        format!("state={}", encode(state)),
    );
    let (query, base) = (pairs.join("&"), layout.base);
    let text = match layout.shape {
        0 => format!("{base}?{query}"),
        1 => format!("{base}#{query}"),
        2 => format!("?{query}"),
        3 => format!("#{query}"),
        _ => query,
    };
    let ((open, close), space) = (layout.wrap, &layout.space);
    format!("{space}{open}{text}{close}{space}")
}

fn code_of(params: &CallbackParams) -> Option<&str> {
    params.code.as_ref().map(|c| c.secret())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(input in prop_oneof![text(64), soup()]) {
        let _ = CallbackParams::from_pasted(&input);
        let _ = CallbackParams::from_query(&input);
    }

    #[test]
    fn errors_never_hold_the_code(
        code in secret_code(),
        layout in layout(),
        garbage in soup(),
        how in 0..4u8,
    ) {
        // The real answer, spoilt: garbage around it, a second code, a bare code with junk.
        let pasted = paste(&code, "s", &layout);
        let input = match how {
            0 => format!("{garbage}{pasted}"),
            1 => format!("{pasted}&code={}", encode(&garbage)),
            2 => format!("{code}{garbage}"),
            _ => format!("{pasted}&{garbage}"),
        };
        match CallbackParams::from_pasted(&input) {
            Err(e) => {
                prop_assert!(!e.to_string().contains(&code), "{}", e);
                prop_assert!(!format!("{e:?}").contains(&code), "{:?}", e);
            }
            // Garbage can make the code text part of another parameter; the code itself is
            // never shown.
            Ok(CallbackParams { code: Some(parsed), .. }) if !parsed.secret().is_empty() => {
                let shown = format!("{parsed:?} {parsed}");
                prop_assert!(!shown.contains(parsed.secret()), "{}", shown);
            }
            Ok(_) => {}
        }
    }

    #[test]
    fn a_pasted_answer_gives_back_its_code_and_state(
        code in text(40),
        state in text(40),
        layout in layout(),
    ) {
        prop_assume!(!code.is_empty() && !state.is_empty());
        let input = paste(&code, &state, &layout);
        let params = CallbackParams::from_pasted(&input);
        prop_assert!(params.is_ok(), "{:?} refused: {}", input, params.unwrap_err());
        let params = params.unwrap();
        prop_assert_eq!(code_of(&params), Some(code.as_str()));
        prop_assert_eq!(params.state.as_deref(), Some(state.as_str()));
        prop_assert!(params.error.is_none());
    }

    #[test]
    fn a_bare_code_is_taken_as_it_is(code in word(TOKEN_CHARS, 1, 64)) {
        prop_assume!(!["code=", "state=", "error="].iter().any(|k| code.starts_with(k)));
        let params = CallbackParams::from_pasted(&format!(" {code}\n"));
        prop_assert!(params.is_ok(), "{}", params.unwrap_err());
        let params = params.unwrap();
        prop_assert_eq!(code_of(&params), Some(code.as_str()));
    }
}
