//! Linking when things go wrong, against the real oidc-provider: answers that do not prove they
//! belong to this attempt (no `state`, no or another `iss`), a denial and a refused client over
//! the loopback — what the browser is shown, what the command says and exits with — `set` to fix
//! a client secret, discovery's issuer, and extra parameters that would repeat tokendeck's own.

use crate::common;

use std::sync::Arc;

use common::cli::{Deck, text};
use common::{Browser, Client, PASTE_REDIRECT, TestProvider, session};
use tokendeck::app::Persistence;
use tokendeck::app::link::{LinkEnd, LinkEvent, LinkSession, LinkWay, Prompt};
use tokendeck::store::{Health, Home, Store};
use tokendeck::{Error, Provider, Session};
use tokio::sync::mpsc;

/// The redirect address with one query parameter left out.
fn without(redirect: &str, name: &str) -> String {
    let mut url = url::Url::parse(redirect).unwrap();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    url.query_pairs_mut().clear().extend_pairs(kept);
    url.into()
}

#[tokio::test]
async fn a_pasted_answer_without_state_is_refused_without_an_exchange() {
    let server = TestProvider::start().await;
    let session = session(&server, Client::Basic, PASTE_REDIRECT)
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    let stripped = without(&redirect, "state");
    assert!(stripped.contains("code=") && !stripped.contains("state="));
    let query = url::Url::parse(&stripped)
        .unwrap()
        .query()
        .unwrap()
        .to_string();
    for paste in [stripped.as_str(), query.as_str()] {
        let err = session.token(paste).await.unwrap_err();
        assert!(matches!(err, Error::MissingState), "{paste}: {err:?}");
        assert!(err.to_string().contains("no `state`"), "{err}");
    }
    assert_eq!(
        server.count("POST /token").await,
        0,
        "nothing was exchanged"
    );
    assert!(
        session.token(&redirect).await.is_ok(),
        "the whole answer still works"
    );
}

#[tokio::test]
async fn discovery_keeps_the_documents_issuer_and_its_promise_of_iss() {
    let server = TestProvider::start().await;
    let provider = Provider::discover(&format!("{}/", server.issuer))
        .await
        .unwrap();
    assert_eq!(provider.issuer(), Some(server.issuer.as_str()));
    assert!(provider.requires_iss(), "oidc-provider advertises RFC 9207");
    let err = Provider::discover(&format!("{}/other", server.issuer))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Discovery { .. }), "{err:?}");

    let session = Session::builder(provider, "public-client", PASTE_REDIRECT)
        .scopes(["openid", "api"])
        .build()
        .unwrap();
    let redirect = Browser::new()
        .authorize(&session.authorize_url(), PASTE_REDIRECT)
        .await;
    assert!(redirect.contains("iss="), "{redirect}");
    let err = session.token(&without(&redirect, "iss")).await.unwrap_err();
    assert!(matches!(err, Error::MissingIssuer { .. }), "{err:?}");
    assert_eq!(server.count("POST /token").await, 0);
    assert!(session.token(&redirect).await.is_ok());
}

#[tokio::test]
async fn an_issuer_mismatch_at_the_loopback_is_refused_and_the_page_says_so() {
    let server = TestProvider::start().await;
    let provider = Provider::new(&server.url("/auth"), &server.url("/token"))
        .unwrap()
        .with_issuer("http://127.0.0.1:1/another-issuer")
        .unwrap();
    let session = Session::builder(provider, "public-client", "http://127.0.0.1:0/callback")
        .scopes(["openid", "api"])
        .build()
        .unwrap();
    let listener = session.listen().await.unwrap();
    let (url, redirect_uri) = (session.authorize_url(), session.redirect_uri());
    let browser = tokio::spawn(async move {
        let page = Browser::new().complete(&url, &redirect_uri).await;
        page.text().await.unwrap()
    });
    let err = session.wait_for_callback(&listener).await.unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err:?}");
    let page = browser.await.unwrap();
    assert!(
        page.contains("Answer refused") && !page.contains("Signed in"),
        "{page}"
    );
    assert!(page.contains("another-issuer"), "{page}");
    assert_eq!(server.count("POST /token").await, 0);
}

#[tokio::test]
async fn a_denial_at_the_loopback_ends_the_link_and_says_to_link_again() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &["--param", "login_hint=deny"],
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (out, _, page) = deck.link_page("work").await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "must be linked again: {err}");
    assert!(
        err.contains("access was denied at the provider: The user denied the request. To try again, run `tokendeck link work`"),
        "{err}"
    );
    assert!(!err.contains("authorization URL again"), "{err}");
    assert!(
        page.contains("Authorization refused") && !page.contains("Signed in"),
        "{page}"
    );
    assert!(page.contains("The user denied the request"), "{page}");
}

#[tokio::test]
async fn a_wrong_client_secret_says_to_set_it_and_set_fixes_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck.add_with(&server, "work", "wrong-secret", &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let (out, _, page) = deck.link_page("work").await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(9), "a setting to change: {err}");
    assert!(
        err.contains("invalid_client")
            && err.contains("fix it with `tokendeck set work --client-secret-stdin`"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret"), "{err}");
    assert!(
        page.contains("Sign-in failed") && !page.contains("Signed in"),
        "{page}"
    );

    let out = deck
        .run(
            &["set", "work", "--client-secret-stdin"],
            "basic-secret-value\n",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("client secret"),
        "{}",
        text(&out.stderr)
    );
    let out = deck.link("work").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = deck.ok(&["token", "work"]).await;

    // A new secret leaves the tokens alone; the next refresh authenticates with it.
    let out = deck
        .run(
            &["set", "work", "--client-secret-stdin"],
            "basic-secret-value\n",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(deck.ok(&["token", "work"]).await, token, "the same token");
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.count("grant refresh_token 200").await, 1);
    let out = deck
        .run(&["set", "work", "--client-secret-stdin"], "wrong-again\n")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = deck.run(&["refresh", "work"], "").await;
    assert_ne!(out.status.code(), Some(0), "the new secret is the one used");
    assert!(
        text(&out.stderr).contains("invalid_client"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn add_with_an_issuer_stores_the_issuer_its_document_names() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let typed = format!("{}/", server.issuer);
    let args = [
        "add",
        "oidc",
        "--issuer",
        &typed,
        "--client-id",
        "public-client",
        "--redirect-uri",
        "http://127.0.0.1:0/callback",
        "--scope",
        "openid",
    ];
    let out = deck.run(&args, "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(deck.home().join("config/accounts.toml")).unwrap();
    assert!(
        file.contains(&format!("issuer = \"{}\"\n", server.issuer)),
        "{file}"
    );
    assert!(file.contains("iss_parameter_supported = true"), "{file}");
    // The whole way through the loopback, with iss required.
    let out = deck.link("oidc").await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let other = format!("{}/elsewhere", server.issuer);
    let out = deck
        .run(&["add", "x", "--issuer", &other, "--client-id", "c"], "")
        .await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test]
async fn reserved_parameters_are_refused_by_add_set_and_the_library() {
    let server = TestProvider::start().await;
    let err = session(&server, Client::Public, PASTE_REDIRECT)
        .authorize_param("redirect_uri", "http://127.0.0.1:2/cb")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("`redirect_uri`")),
        "{err:?}"
    );

    let deck = Deck::new();
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &["--param", "state=mine"],
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`state`"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !deck.home().join("config/accounts.toml").exists()
            || !std::fs::read_to_string(deck.home().join("config/accounts.toml"))
                .unwrap()
                .contains("[accounts.work]"),
        "nothing stored"
    );

    deck.add(&server, "work").await;
    let before = std::fs::read_to_string(deck.home().join("config/accounts.toml")).unwrap();
    let out = deck
        .run(&["set", "work", "--param", "scope=admin"], "")
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`scope`"),
        "{}",
        text(&out.stderr)
    );
    let after = std::fs::read_to_string(deck.home().join("config/accounts.toml")).unwrap();
    assert_eq!(before, after, "nothing changed");
    // Scopes of a confidential client change without its secret being given again.
    let out = deck
        .run(&["set", "work", "--scope", "openid", "--scope", "api"], "")
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(deck.home().join("config/accounts.toml")).unwrap();
    assert!(!file.contains("offline_access"), "{file}");
    let out = deck.run(&["set", "nobody", "--scope", "x"], "").await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

#[tokio::test]
async fn a_removed_accounts_history_can_still_be_read() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck.ok(&["remove", "work"]).await;
    let log = deck.ok(&["log", "work", "--json"]).await;
    let triggers: Vec<String> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["trigger"].to_string())
        .collect();
    assert_eq!(triggers, ["\"link\"", "\"remove\""], "{log}");
    let out = deck.run(&["log", "nobody"], "").await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// `work` added at the test server, and its store.
async fn added(server: &TestProvider) -> (Deck, Arc<Store>) {
    let deck = Deck::new();
    deck.add(server, "work").await;
    let store = Arc::new(Store::new(Home::rooted(deck.home()).unwrap()));
    (deck, store)
}

/// The link session's rule for pastes, the same for every front: one that does not work is told
/// and another awaited (nothing was exchanged for it); the next one that works links.
#[tokio::test]
async fn a_link_session_tells_a_paste_that_fails_and_takes_the_next() {
    let server = TestProvider::start().await;
    let (_deck, store) = added(&server).await;
    let persistence = Persistence::while_running();
    let link = LinkSession::start(&store, "work", LinkWay::Loopback, &persistence)
        .await
        .unwrap();
    let Prompt::Url {
        url,
        listening: Some(addr),
    } = link.prompt()
    else {
        panic!("a loopback link listens");
    };
    let redirect = Browser::new()
        .authorize(url, &format!("http://{addr}/callback"))
        .await;
    let (pastes, pasted) = mpsc::unbounded_channel();
    let (events, mut told) = mpsc::unbounded_channel();
    pastes.send(without(&redirect, "state")).unwrap();
    pastes.send("   ".into()).unwrap();
    pastes.send(redirect).unwrap();

    let tokens = link
        .run(&store, pasted, |e| drop(events.send(e)))
        .await
        .unwrap();
    assert!(
        matches!(
            told.try_recv(),
            Ok(LinkEvent::PasteRefused(Error::MissingState))
        ),
        "the paste without `state` was told"
    );
    assert!(told.try_recv().is_err(), "a blank paste is no answer");
    assert_eq!(server.count("POST /token").await, 1, "one exchange");
    assert_eq!(
        store
            .record("work")
            .await
            .unwrap()
            .tokens
            .unwrap()
            .access_token(),
        tokens.access_token()
    );
    let status = store.status("work");
    assert_eq!(status.health(std::time::SystemTime::now()), Health::Valid);
}

/// With nothing listening, the pastes ending end the link: with the last paste's refusal when
/// there was one, or as pastes that ended empty.
#[tokio::test]
async fn a_link_session_with_nothing_listening_ends_with_its_pastes() {
    let server = TestProvider::start().await;
    let (_deck, store) = added(&server).await;
    let persistence = Persistence::while_running();
    for pasted in [vec!["code=wrong"], vec![]] {
        let link = LinkSession::start(&store, "work", LinkWay::Paste, &persistence)
            .await
            .unwrap();
        assert!(matches!(
            link.prompt(),
            Prompt::Url {
                listening: None,
                ..
            }
        ));
        let (pastes, answers) = mpsc::unbounded_channel();
        let (events, mut told) = mpsc::unbounded_channel();
        for text in &pasted {
            pastes.send(text.to_string()).unwrap();
        }
        drop(pastes);
        let failed = link
            .run(&store, answers, |e| drop(events.send(e)))
            .await
            .unwrap_err();
        assert_eq!((failed.name.as_str(), failed.way), ("work", LinkWay::Paste));
        match (pasted.is_empty(), &failed.end) {
            (true, LinkEnd::PastesEnded) => assert!(told.try_recv().is_err()),
            (false, LinkEnd::Refused(e)) => {
                assert!(matches!(e, Error::MissingState), "{e:?}");
                assert!(matches!(told.try_recv(), Ok(LinkEvent::PasteRefused(_))));
            }
            (_, end) => panic!("{pasted:?} ended with {end:?}"),
        }
    }
    assert_eq!(server.count("POST /token").await, 0);
    assert!(store.record("work").await.unwrap().tokens.is_none());
}
