//! The demo server's device authorization grant (RFC 8628) and revocation (RFC 7009), checked
//! with the product's own code: a `Session` on the demo account's provider (as `add` stored it),
//! a device `LinkSession` and `remove_account` as the TUI runs them, and the demo browser behind `A` —
//! plus plain HTTP where the protocol itself is the subject (pacing, single use, what pages say).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokendeck::app::link::{LinkSession, LinkWay, Prompt};
use tokendeck::app::{Persistence, Revocation, remove_account};
use tokendeck::demo::{self, DemoOptions, DemoServer};
use tokendeck::oauth::session::Revoked;
use tokendeck::store::{Home, Store};
use tokendeck::{Error, Session, Tokens};

/// A demo server and a home holding the demo account, made as `tokendeck --demo` makes it.
struct Demo {
    server: DemoServer,
    store: Arc<Store>,
    _home: tempfile::TempDir,
}

/// Polls every second: the tests wait less.
fn quick() -> DemoOptions {
    DemoOptions {
        interval: Duration::from_secs(1),
        ..DemoOptions::default()
    }
}

impl Demo {
    async fn start(options: DemoOptions) -> Demo {
        let server = DemoServer::start_with(options).await.unwrap();
        let home = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::new(Home::rooted(home.path()).unwrap()));
        demo::claim_account(&store, &server).await.unwrap();
        Demo {
            server,
            store,
            _home: home,
        }
    }

    /// A session on the demo account's stored provider and client, holding `tokens` if given.
    fn session(&self, tokens: Option<Tokens>) -> Session {
        let accounts = self.store.accounts().unwrap();
        let account = accounts.get(demo::ACCOUNT).unwrap();
        let mut builder = Session::builder(
            account.provider.clone(),
            &account.client_id,
            &account.redirect_uri,
        )
        .client_secret(demo::server::CLIENT_SECRET)
        .auth_method(account.auth_method)
        .scopes(account.scopes.clone());
        if let Some(tokens) = tokens {
            builder = builder.tokens(tokens);
        }
        builder.build().unwrap()
    }

    async fn me(&self, token: &str) -> u16 {
        reqwest::Client::new()
            .get(self.server.url("/api/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// POSTs `form` to `path` as the demo client (HTTP Basic); the status and the body.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let answer = reqwest::Client::new()
            .post(self.server.url(path))
            .basic_auth(demo::server::CLIENT_ID, Some(demo::server::CLIENT_SECRET))
            .form(form)
            .send()
            .await
            .unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }

    /// One poll of the token endpoint with `device_code`: the status and the `error`, if any.
    async fn poll(&self, device_code: &str, said: &mut Vec<String>) -> (u16, Option<String>) {
        let (status, body) = self
            .post(
                "/token",
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", device_code),
                ],
            )
            .await;
        let json: Value = serde_json::from_str(&body).unwrap();
        said.push(body);
        (status, json["error"].as_str().map(str::to_string))
    }

    async fn page(&self, method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> String {
        reqwest::Client::new()
            .request(method, self.server.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn approved_by_the_demo_browser_the_device_grant_gives_tokens_that_refresh() {
    let demo = Demo::start(quick()).await;
    let session = demo.session(None);
    let authorization = session.device_authorization().await.unwrap();

    let code = authorization.user_code();
    assert_eq!(code.len(), 9, "{code}");
    assert_eq!(&code[4..5], "-", "{code}");
    assert!(code.chars().all(|c| c == '-' || c.is_ascii_uppercase()));
    assert_eq!(authorization.verification_uri(), demo.server.url("/device"));
    let url = authorization.url_to_open().to_string();
    assert_eq!(url, demo.server.url(&format!("/device?user_code={code}")));
    assert!(
        url.len() <= 52,
        "short enough for a QR code at 80x24: {url}"
    );
    assert_eq!(authorization.interval(), Duration::from_secs(1));
    assert_eq!(authorization.valid_for(), Duration::from_secs(300));

    // `A` in the TUI: the demo browser as the demo server hands it out.
    let browser = demo::browser(&demo.server);
    browser(url.clone()).await.unwrap();
    let tokens = session.device_tokens(&authorization).await.unwrap();
    assert!(tokens.refresh_token().is_some(), "like a code exchange");
    assert_eq!(tokens.scope(), Some("profile"));
    let api = session
        .send(session.http().get(demo.server.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    let refreshed = session.refresh().await.unwrap();
    assert_ne!(refreshed.access_token(), tokens.access_token());
    assert_eq!(demo.me(refreshed.access_token()).await, 200);

    // The code was answered: approving it again says so, and any other provider's URL is
    // still not the demo browser's to approve.
    let again = browser(url).await.unwrap_err();
    assert!(again.contains("answered already"), "{again}");
    let foreign = browser("https://microsoft.com/devicelogin?user_code=ABCD-EFGH".into()).await;
    assert_eq!(foreign, Err(demo::NOT_THE_DEMO.to_string()));
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}

#[tokio::test]
async fn denied_at_the_verification_page_the_wait_ends_declined() {
    let demo = Demo::start(quick()).await;
    let session = demo.session(None);
    let authorization = session.device_authorization().await.unwrap();
    let code = authorization.user_code().to_string();
    // The page as a person sees it, then the Deny button.
    let page = demo
        .page(
            reqwest::Method::GET,
            &format!("/device?user_code={}", code.to_lowercase()),
            &[],
        )
        .await;
    assert!(
        page.contains(&code) && page.contains("Approve") && page.contains("Deny"),
        "{page}"
    );
    let answer = demo
        .page(
            reqwest::Method::POST,
            "/device",
            &[("user_code", &code), ("decision", "deny")],
        )
        .await;
    assert!(answer.contains("Denied"), "{answer}");

    let error = session.device_tokens(&authorization).await.unwrap_err();
    assert!(matches!(error, Error::DeviceDenied { .. }), "{error:?}");
    assert!(error.needs_reauthorization());
    assert!(error.to_string().contains("declined"), "{error}");
    assert!(session.tokens().is_none());
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}

#[tokio::test]
async fn an_unanswered_code_expires() {
    let demo = Demo::start(DemoOptions {
        device_code_lifetime: Duration::from_secs(2),
        ..quick()
    })
    .await;
    let session = demo.session(None);
    let authorization = session.device_authorization().await.unwrap();
    assert_eq!(authorization.valid_for(), Duration::from_secs(2));
    let started = Instant::now();
    let error = session.device_tokens(&authorization).await.unwrap_err();
    assert!(matches!(error, Error::DeviceExpired { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no polling past expiry"
    );
    // Too late for the demo browser as well.
    let late = demo::approve(authorization.url_to_open().to_string())
        .await
        .unwrap_err();
    assert!(late.contains("expired"), "{late}");

    // And the token endpoint itself says expired_token for it.
    let (_, body) = demo.post("/device/code", &[("scope", "profile")]).await;
    let device_code = serde_json::from_str::<Value>(&body).unwrap()["device_code"]
        .as_str()
        .unwrap()
        .to_string();
    // Polled until it stops being pending (2 s, the lifetime this server was given).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (status, error) = loop {
        let (status, error) = demo.poll(&device_code, &mut Vec::new()).await;
        let waiting = matches!(
            error.as_deref(),
            Some("authorization_pending" | "slow_down")
        );
        if !waiting || std::time::Instant::now() > deadline {
            break (status, error);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!((status, error.as_deref()), (400, Some("expired_token")));
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}

/// A busy server's `slow_down` is obeyed: the next poll comes five seconds later — sooner, and
/// the server (which now wants six seconds between polls) would only say slow down again.
#[tokio::test]
async fn slow_down_is_honoured() {
    let demo = Demo::start(DemoOptions {
        busy_polls: 1,
        ..quick()
    })
    .await;
    let session = demo.session(None);
    let authorization = session.device_authorization().await.unwrap();
    demo::approve(authorization.url_to_open().to_string())
        .await
        .unwrap();
    let started = Instant::now();
    let polling = session.device_tokens(&authorization);
    let tokens = tokio::time::timeout(Duration::from_secs(15), polling)
        .await
        .expect("polling never got past slow_down")
        .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(6),
        "polls at 1 s, then 1 + 6 s: took {took:?}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(demo.me(tokens.access_token()).await, 200);
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}

/// The server's side of the protocol, as any client meets it: pending, slow down when polled
/// sooner than the interval, tokens once, then invalid_grant — and the device code, the client's
/// secret, in no page and no error it says.
#[tokio::test]
async fn the_device_code_paces_its_poller_works_once_and_is_never_shown() {
    let demo = Demo::start(quick()).await;
    let stranger = reqwest::Client::new()
        .post(demo.server.url("/device/code"))
        .basic_auth(demo::server::CLIENT_ID, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401, "the client must authenticate");

    let (status, body) = demo.post("/device/code", &[("scope", "profile")]).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let device_code = answer["device_code"].as_str().unwrap().to_string();
    let user_code = answer["user_code"].as_str().unwrap().to_string();
    let complete = answer["verification_uri_complete"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(answer["expires_in"], 300);
    assert_eq!(answer["interval"], 1);

    let mut said = Vec::new();
    let pending = demo.poll(&device_code, &mut said).await;
    assert_eq!(pending, (400, Some("authorization_pending".into())));
    let hasty = demo.poll(&device_code, &mut said).await;
    assert_eq!(hasty, (400, Some("slow_down".into())));

    said.push(demo.page(reqwest::Method::GET, "/device", &[]).await);
    let typed = user_code.replace('-', " ").to_lowercase();
    let page = demo
        .page(
            reqwest::Method::GET,
            &format!("/device?user_code={typed}"),
            &[],
        )
        .await;
    assert!(
        page.contains(&user_code),
        "found however it is typed: {page}"
    );
    said.push(page);
    said.push(
        demo.page(reqwest::Method::GET, "/device?user_code=CCCC-CCCC", &[])
            .await,
    );
    demo::approve(complete.clone()).await.unwrap();
    said.push(
        demo.page(
            reqwest::Method::GET,
            &format!("/device?user_code={user_code}"),
            &[],
        )
        .await,
    );

    // After a slow_down the interval is 1 + 5 s, and after another one 1 + 5 + 5 s.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let still_hasty = demo.poll(&device_code, &mut said).await;
    assert_eq!(still_hasty, (400, Some("slow_down".into())));
    tokio::time::sleep(Duration::from_secs(11)).await;
    let (status, error) = demo.poll(&device_code, &mut said).await;
    assert_eq!((status, error), (200, None), "{:?}", said.last());
    let tokens: Value = serde_json::from_str(said.last().unwrap()).unwrap();
    assert!(tokens["refresh_token"].is_string());
    let access = tokens["access_token"].as_str().unwrap().to_string();
    said.pop(); // the token answer is the one place a secret belongs

    let reused = demo.poll(&device_code, &mut said).await;
    assert_eq!(
        reused,
        (400, Some("invalid_grant".into())),
        "tokens only once"
    );
    assert_eq!(demo.me(&access).await, 200, "a reuse attempt harms nothing");
    said.push(demo::approve(complete).await.unwrap_err());

    for text in &said {
        assert!(
            !text.contains(&device_code),
            "the device code was shown: {text}"
        );
    }
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}

/// The demo account links by device as the TUI links it, and removing it — which revokes first —
/// ends the grant at the demo server: its access token is refused, and so is its refresh token.
#[tokio::test]
async fn removing_the_demo_account_revokes_its_grant() {
    let demo = Demo::start(quick()).await;
    let link = LinkSession::start(
        &demo.store,
        demo::ACCOUNT,
        LinkWay::Device,
        &Persistence::while_running(),
    )
    .await
    .unwrap();
    let Prompt::Device(authorization) = link.prompt() else {
        panic!("a device link shows a device code")
    };
    demo::approve(authorization.url_to_open().to_string())
        .await
        .unwrap();
    // A device link takes no paste.
    let (_paste, pastes) = tokio::sync::mpsc::unbounded_channel();
    let tokens = link.run(&demo.store, pastes, drop).await.unwrap();
    assert_eq!(demo.me(tokens.access_token()).await, 200);
    let holder = demo.session(Some(tokens.clone()));

    let revocation = remove_account(&demo.store, demo::ACCOUNT, true)
        .await
        .unwrap();
    assert!(
        matches!(revocation, Revocation::Revoked(Revoked::RefreshToken)),
        "{revocation:?}"
    );
    assert_eq!(
        demo.me(tokens.access_token()).await,
        401,
        "the grant is gone"
    );
    let error = holder.refresh().await.unwrap_err();
    assert!(error.needs_reauthorization(), "{error:?}");
    assert!(demo.store.accounts().unwrap().get(demo::ACCOUNT).is_err());
}

/// RFC 7009's edges: an access token revoked alone leaves its grant working; a token the server
/// does not know is revoked already; a client that does not authenticate is refused.
#[tokio::test]
async fn revocation_edges() {
    let demo = Demo::start(quick()).await;
    let session = demo.session(None);
    let authorization = session.device_authorization().await.unwrap();
    demo::approve(authorization.url_to_open().to_string())
        .await
        .unwrap();
    let tokens = session.device_tokens(&authorization).await.unwrap();

    let (status, _) = demo
        .post(
            "/revoke",
            &[
                ("token", tokens.access_token()),
                ("token_type_hint", "access_token"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(demo.me(tokens.access_token()).await, 401);
    let refreshed = session.refresh().await.unwrap();
    assert_eq!(
        demo.me(refreshed.access_token()).await,
        200,
        "the grant lives on"
    );

    assert_eq!(
        demo.post("/revoke", &[("token", "never-issued")]).await.0,
        200
    );
    let anonymous = reqwest::Client::new()
        .post(demo.server.url("/revoke"))
        .form(&[("token", refreshed.refresh_token().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        demo.me(refreshed.access_token()).await,
        200,
        "nothing revoked"
    );

    assert_eq!(session.revoke().await.unwrap(), Some(Revoked::RefreshToken));
    assert_eq!(demo.me(refreshed.access_token()).await, 401);
    let error = session.refresh().await.unwrap_err();
    assert!(error.needs_reauthorization(), "{error:?}");
    demo.store.remove(demo::ACCOUNT).await.unwrap();
}
