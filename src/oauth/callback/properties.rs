//! Properties of the loopback listener's request parsing: whatever a local program sends, it
//! never panics and its errors never repeat the code; a browser's GET for the callback gives back
//! the code and `state` it carries.

use proptest::prelude::*;

use super::request_target;
use crate::oauth::authorize::CallbackParams;
use crate::properties::{TOKEN_CHARS, config, text, word};

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Request heads: bytes, or a request line and headers of any shape.
fn head() -> impl Strategy<Value = Vec<u8>> {
    let method = prop::sample::select(vec!["GET", "POST", "get", "", "GET GET", "\u{0}"]);
    let target = prop_oneof![text(40), word("/?&=%+#abc", 0, 40)];
    let version = prop::sample::select(vec![" HTTP/1.1", " HTTP/1.0", "", "  HTTP/9", "\r"]);
    let line_end = prop::sample::select(vec!["\r\n", "\n", "", "\r"]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..128),
        (method, target, version, line_end, text(40)).prop_map(
            |(method, target, version, end, rest)| {
                format!("{method} {target}{version}{end}Host: 127.0.0.1{end}{rest}\r\n\r\n")
                    .into_bytes()
            }
        ),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(head in head()) {
        if let Some(target) = request_target(&head) {
            let (_, query) = target.split_once('?').unwrap_or((target, ""));
            let _ = CallbackParams::from_query(query);
        }
    }

    #[test]
    fn a_browser_brings_back_its_code_and_state(
        path in word("abcdefghijklmnopqrstuvwxyzABC-_.~/", 0, 20),
        code in text(40),
        state in text(40),
        extra in prop::collection::vec((word("abcdefghijklmnopqrstuvwxyz", 5, 8), text(10)), 0..3),
        headers in prop::collection::vec(word("abcdefghijkl: ,;=", 0, 30), 0..4),
    ) {
        let mut query = format!("code={}&state={}", encode(&code), encode(&state));
        for (key, value) in &extra {
            query.push_str(&format!("&{key}={}", encode(value)));
        }
        let target = format!("/{path}?{query}");
        let head = format!("GET {target} HTTP/1.1\r\n{}\r\n\r\n", headers.join("\r\n"));
        prop_assert_eq!(request_target(head.as_bytes()), Some(target.as_str()));
        let params = CallbackParams::from_query(&query);
        prop_assert!(params.is_ok(), "{:?}", params.unwrap_err());
        let params = params.unwrap();
        prop_assert_eq!(params.code.as_ref().map(|c| c.secret()), Some(code.as_str()));
        prop_assert_eq!(params.state.as_deref(), Some(state.as_str()));
    }

    #[test]
    fn errors_never_hold_the_code(
        code in word(TOKEN_CHARS, 16, 40).prop_map(|w| format!("C0DE{w}")),
        garbage in prop_oneof![
            text(20),
            prop::sample::select(vec!["%ff", "%C3%28", "code=other", "state=1&state=2", "%"])
                .prop_map(str::to_string),
        ],
        before in any::<bool>(),
    ) {
        // What the browser page says when the answer cannot be read.
        let code_pair = format!("code={}", encode(&code));
        let query = if before {
            format!("{garbage}&{code_pair}&state=s")
        } else {
            format!("{code_pair}&state=s&{garbage}")
        };
        if let Err(e) = CallbackParams::from_query(&query) {
            let shown = format!("{e} {e:?}");
            prop_assert!(!shown.contains(&code), "{}", shown);
        }
    }
}
