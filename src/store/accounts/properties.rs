//! Properties of the accounts file's parser: whatever the file holds (edited by hand, cut short,
//! not even text), reading it never panics, and a client secret pasted into it is never repeated
//! in the error; what tokendeck writes it reads back the same.

use std::path::Path;

use proptest::prelude::*;

use super::{Account, Accounts};
use crate::oauth::{AuthMethod, Provider};
use crate::properties::{TOKEN_CHARS, config, text, word};

const NAME_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

fn parse(bytes: &[u8]) -> Result<Accounts, crate::store::StoreError> {
    Accounts::parse(bytes, Path::new("accounts.toml"))
}

fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(vec![
        Provider::verizon_cloud(),
        Provider::new("https://as.example/a?x=1", "https://as.example/token").unwrap(),
        Provider::new("http://127.0.0.1:8080/auth", "http://[::1]:8080/t%C3%A9").unwrap(),
    ])
}

fn account() -> impl Strategy<Value = Account> {
    (
        (text(12), text(20), text(30)),
        prop::collection::vec(text(8), 0..3),
        prop::sample::select(vec![AuthMethod::Basic, AuthMethod::Post, AuthMethod::None]),
        prop::collection::btree_map(text(8), text(12), 0..3),
        (
            prop::option::of(prop::sample::select(vec![
                "https://api.example/me".to_string(),
                "http://127.0.0.1:9/v1?q=%20".to_string(),
                "http://[::1]/".to_string(),
            ])),
            prop::option::of(0..=i64::MAX as u64),
            any::<bool>(),
        ),
        provider(),
    )
        .prop_map(
            |((kind, client_id, redirect_uri), scopes, auth_method, params, extra, provider)| {
                Account {
                    kind,
                    client_id,
                    redirect_uri,
                    scopes,
                    auth_method,
                    params,
                    api_url: extra.0,
                    mail_user: None,
                    refresh_at_least: extra.1,
                    refresh_token_lifetime: None,
                    shared: extra.2,
                    git: Default::default(),
                    hooks: Default::default(),
                    provider,
                }
            },
        )
}

fn accounts() -> impl Strategy<Value = Accounts> {
    let name = word(NAME_CHARS, 1, 20).prop_filter("not hidden", |n| !n.starts_with('.'));
    prop::collection::btree_map(name, account(), 0..3).prop_map(|accounts| Accounts {
        hooks: Default::default(),
        relink_margin: None,
        accounts,
    })
}

/// A file tokendeck wrote.
fn written() -> impl Strategy<Value = Vec<u8>> {
    accounts().prop_map(|a| a.to_text().unwrap().into_bytes())
}

/// What a hand, a crash or a bad copy does to a file.
#[derive(Clone, Debug)]
enum Edit {
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index, usize),
    Byte(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let snippet = prop_oneof![
        prop::sample::select(vec![
            "\"",
            "'",
            "\"\"\"",
            "'''",
            "[",
            "]",
            "[[",
            "=",
            "\n",
            "#",
            ",",
            "{",
            "}",
            ".",
            "[accounts.x]",
            "kind = ",
            "scopes = [",
            "1979-05-27",
            "inf",
            "0x",
            "\\u",
            "\\",
        ])
        .prop_map(str::to_string),
        text(8),
    ];
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), snippet).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<prop::sample::Index>(), 1..8usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, b)| Edit::Byte(at, b)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 0..4)
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        let len = bytes.len();
        match edit {
            Edit::Insert(at, s) => {
                let at = at.index(len + 1);
                bytes.splice(at..at, s.bytes());
            }
            Edit::Delete(_, _) | Edit::Byte(_, _) | Edit::Truncate(_) if len == 0 => {}
            Edit::Delete(at, n) => {
                let at = at.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Edit::Byte(at, b) => bytes[at.index(len)] = *b,
            Edit::Truncate(at) => bytes.truncate(at.index(len)),
        }
    }
}

/// A client secret written where a person might put one, in TOML's string forms.
fn secret_line() -> impl Strategy<Value = (String, String)> {
    let secret = word(TOKEN_CHARS, 16, 40).prop_map(|w| format!("S3CR3T{w}"));
    let key = prop::sample::select(vec!["client_secret", "secret", "clientSecret", "password"]);
    let form = prop::sample::select(vec![
        ("\"", "\""),
        ("'", "'"),
        ("\"\"\"", "\"\"\""),
        ("'''", "'''"),
    ]);
    (secret, key, form).prop_map(|(secret, key, (open, close))| {
        let line = format!("{key} = {open}{secret}{close}\n");
        (secret, line)
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..128),
            text(128).prop_map(String::into_bytes),
            (written(), edits()).prop_map(|(mut bytes, edits)| {
                apply(&mut bytes, &edits);
                bytes
            }),
        ]
    ) {
        let _ = parse(&bytes);
    }

    #[test]
    fn what_is_written_is_read_back(accounts in accounts()) {
        let text = accounts.to_text();
        prop_assert!(text.is_ok(), "{:?}", text);
        let back = parse(text.unwrap().as_bytes());
        prop_assert!(back.is_ok(), "{}", back.unwrap_err());
        prop_assert_eq!(back.unwrap(), accounts);
    }

    #[test]
    fn a_secret_in_the_file_is_never_repeated(
        file in written(),
        (secret, line) in secret_line(),
        at in any::<prop::sample::Index>(),
        before in edits(),
        after in edits(),
    ) {
        // The secret's line goes in at a line's start; the rest of the file may be damaged.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(file.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
            .collect();
        let split = starts[at.index(starts.len())];
        let (mut head, mut tail) = (file[..split].to_vec(), file[split..].to_vec());
        apply(&mut head, &before);
        apply(&mut tail, &after);
        if head.last().is_some_and(|b| *b != b'\n') {
            head.push(b'\n');
        }
        let bytes = [head, line.into_bytes(), tail].concat();
        if let Err(e) = parse(&bytes) {
            let shown = format!("{e} {e:?}");
            prop_assert!(!shown.contains(&secret), "{}", shown);
        }
    }
}

#[test]
fn values_are_left_out_of_messages() {
    let err =
        parse(b"[accounts]\nclient_secret = \"hunter2-\\\"quoted\\\"-secret\"\n").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("invalid type: string, expected struct Account"),
        "{shown}"
    );
    assert!(
        !shown.contains("hunter2") && !shown.contains("secret\""),
        "{shown}"
    );
    let file =
        b"[accounts.w]\nkind='x'\nclient_id='i'\nredirect_uri='r'\nauth_method='hunter2`, x'\n";
    let err = parse(file).unwrap_err().to_string();
    assert!(err.contains("unknown variant, expected one of"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn bytes_that_are_not_text_are_pointed_at() {
    let err = parse(b"[accounts.work]\nkind = \"\xff\"\n").unwrap_err();
    let crate::store::StoreError::CorruptAccounts { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (2, 9));
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}
