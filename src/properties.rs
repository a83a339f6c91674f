//! What the property tests share. Each parser of outside input has its properties beside it, in
//! a `properties` module (`cargo test --lib properties` runs them all): it never panics, its
//! errors never hold the input's secrets, and what it writes it reads back the same.

use proptest::prelude::*;

/// Cases per property when `PROPTEST_CASES` does not say otherwise.
const DEFAULT_CASES: u32 = 10_000;

/// 10,000 cases each, or as many as `PROPTEST_CASES` asks for (`PROPTEST_CASES=1000000 cargo
/// test --release --lib properties` for a long run).
pub fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

/// Any text up to `max` characters, weighted toward the characters parsers trip on (proptest's
/// `any::<char>()`): far cheaper to generate than `any::<String>()`'s regex.
pub fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter)
}

/// A word of `min..=max` characters from `alphabet`.
pub fn word(alphabet: &'static str, min: usize, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(chars), min..=max).prop_map(String::from_iter)
}

/// Letters, digits and the characters of base64url and of typical tokens.
pub const TOKEN_CHARS: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=-";
