//! Seeing and changing an account's settings from the command line (issue 21: `show`, every
//! setting in `set`, scopes split on whitespace, the warning when a link brings no refresh token,
//! `call` without a URL, the near names of a mistyped one), through the built binary against the
//! real oidc-provider. Apart from cli.rs, which is already past the length a file should have.

use crate::common;

use common::cli::{Deck, text};
use common::{Options, TestProvider};
use serde_json::Value;

/// The refresh token `name` holds, straight from the keyring the way tokendeck reads it.
async fn refresh_token(deck: &Deck, name: &str) -> Option<String> {
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    let record = keyring.read(name).await.unwrap()?;
    Some(record.tokens?.refresh_token()?.to_string())
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[tokio::test]
async fn show_prints_every_setting_and_never_a_secret_or_token() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &[
                "--param",
                "deviceid=laptop",
                "--on",
                "refreshed=true",
                "--revocation-url",
                &server.url("/token/revocation"),
            ],
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(deck.link("work").await.status.success());
    let access = deck.ok(&["token", "work"]).await.trim().to_string();
    let refresh = refresh_token(&deck, "work").await.expect("a refresh token");

    let shown = deck.ok(&["show", "work"]).await;
    // A label and its value a line, the values in one column.
    let row = |label: &str, value: &str| format!("  {:<19}{value}", format!("{label}:"));
    for expected in [
        row("client id", "basic-client"),
        row("client secret", "stored in the keyring"),
        row("client auth", "basic"),
        format!(
            "{}\n    openid\n    offline_access\n    api\n",
            row("scopes", "").trim_end()
        ),
        row("authorize URL", &server.url("/auth")),
        row("token URL", &server.url("/token")),
        row("revocation URL", &server.url("/token/revocation")),
        row("introspection URL", "(none)"),
        row("API URL", &server.url("/api/me")),
        row("redirect URI", "http://127.0.0.1:0/callback"),
        row("parameters", "deviceid=laptop"),
        row("hooks", "refreshed=true"),
        row("token", "valid, "),
        row("access token life", "1h 00m"),
        row("refresh token", "held"),
        row("identity", "test-user"),
    ] {
        assert!(shown.contains(&expected), "no {expected:?} in:\n{shown}");
    }
    let object = json(&deck.ok(&["show", "work", "--json"]).await);
    assert_eq!(object["name"], "work");
    assert_eq!(object["client_id"], "basic-client");
    assert_eq!(object["client_secret_stored"], true);
    assert_eq!(
        object["scopes"],
        serde_json::json!(["openid", "offline_access", "api"])
    );
    assert_eq!(object["token_url"], server.url("/token"));
    assert_eq!(object["api_url"], server.url("/api/me"));
    assert_eq!(object["device_authorization_url"], Value::Null);
    assert_eq!(object["params"]["deviceid"], "laptop");
    assert_eq!(object["hooks"]["refreshed"], "true");
    assert_eq!(object["status"], "valid");
    assert_eq!(object["has_refresh_token"], true);
    assert_eq!(object["access_token_lifetime_seconds"], 3600);
    let keyring = object["keyring"].as_str().unwrap();
    assert!(shown.contains(&row("keyring", keyring)), "{shown}");
    assert!(
        ["secret-service", "keyutils"].contains(&keyring),
        "{keyring}"
    );

    let both = format!("{shown}{object}");
    for secret in [access.as_str(), refresh.as_str(), "basic-secret-value"] {
        assert!(secret.len() > 8 && !both.contains(secret), "a secret shown");
    }
    let public = deck
        .run(
            &[
                "add",
                "pub",
                "--authorize-url",
                &server.url("/auth"),
                "--token-url",
                &server.url("/token"),
                "--client-id",
                "public-client",
            ],
            "",
        )
        .await;
    assert!(public.status.success(), "{}", text(&public.stderr));
    let object = json(&deck.ok(&["show", "pub", "--json"]).await);
    assert_eq!(object["client_secret_stored"], false);
    assert_eq!(object["status"], "not-linked");
    let shown = deck.ok(&["show", "pub"]).await;
    assert!(shown.contains(&row("client secret", "none")), "{shown}");
}

#[tokio::test]
async fn a_new_client_id_keeps_the_tokens_and_says_how_to_link_again() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let before = deck.ok(&["token", "work"]).await;

    let out = deck
        .run(
            &[
                "set",
                "work",
                "--client-id",
                "post-client",
                "--auth-method",
                "post",
                "--client-secret-stdin",
            ],
            "post-secret-value\n",
        )
        .await;
    let said = text(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("client id"), "{said}");
    assert!(
        said.contains("The tokens held were granted under the old client id")
            && said.contains("run `tokendeck link work`")
            && said.contains("Refreshing them will most likely be refused"),
        "{said}"
    );
    assert!(!said.contains("post-secret-value"), "{said}");
    assert_eq!(deck.ok(&["token", "work"]).await, before, "the tokens stay");
    let shown = json(&deck.ok(&["show", "work", "--json"]).await);
    assert_eq!(shown["client_id"], "post-client");
    assert_eq!(shown["auth_method"], "post");
    // What the warning said is true: the old grant's refresh token is the old client's.
    let refresh = deck.run(&["refresh", "work"], "").await;
    assert!(!refresh.status.success(), "{}", text(&refresh.stderr));
    // And what it said to do works: a link as the new client, whose token the API takes.
    assert!(deck.link("work").await.status.success());
    let body = json(&deck.ok(&["call", "work"]).await);
    assert_eq!(body["sub"], "test-user");
    deck.ok(&["refresh", "work"]).await;

    let out = deck
        .run(&["set", "work", "--token-url", &server.url("/token")], "")
        .await;
    assert!(
        text(&out.stderr).contains("already had these settings"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn scopes_split_on_whitespace_and_set_edits_the_list() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let out = deck
        .run(
            &[
                "add",
                "work",
                "--authorize-url",
                &server.url("/auth"),
                "--token-url",
                &server.url("/token"),
                "--client-id",
                "public-client",
                "--redirect-uri",
                "http://127.0.0.1:0/callback",
                "--scope",
                "openid  api",
                "--scope",
                "offline_access",
            ],
            "",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scopes = async || json(&deck.ok(&["show", "work", "--json"]).await)["scopes"].clone();
    assert_eq!(
        scopes().await,
        serde_json::json!(["openid", "api", "offline_access"])
    );
    // The provider was asked for the three scopes and granted them.
    let linked = deck.link("work").await;
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    let url = url::Url::parse(text(&linked.stdout).trim()).unwrap();
    let asked = url.query_pairs().find(|(k, _)| k == "scope").unwrap().1;
    assert_eq!(asked, "openid api offline_access");
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    let granted: Vec<&str> = status["scope"].as_str().unwrap().split(' ').collect();
    assert!(
        granted.contains(&"api") && granted.contains(&"openid"),
        "{granted:?}"
    );

    let out = deck
        .run(&["set", "work", "--scope", "openid email"], "")
        .await;
    let said = text(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("granted under the old scopes") && said.contains("tokendeck link work"),
        "{said}"
    );
    assert_eq!(scopes().await, serde_json::json!(["openid", "email"]));
    deck.ok(&[
        "set",
        "work",
        "--add-scope",
        "api offline_access",
        "--remove-scope",
        "email",
    ])
    .await;
    assert_eq!(
        scopes().await,
        serde_json::json!(["openid", "api", "offline_access"])
    );
    let out = deck
        .run(&["set", "work", "--remove-scope", "emial"], "")
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("\"emial\" is not among the scopes"));
    assert_eq!(
        scopes().await,
        serde_json::json!(["openid", "api", "offline_access"]),
        "nothing changed"
    );
}

#[tokio::test]
async fn a_link_without_a_refresh_token_warns_at_once_and_its_advice_works() {
    // oidc-provider's own rule: a refresh token only for offline_access, with prompt=consent.
    let server = TestProvider::start_with(Options {
        refresh_only_offline: true,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    let out = deck
        .run(
            &[
                "add",
                "work",
                "--issuer",
                &server.issuer,
                "--client-id",
                "public-client",
                "--redirect-uri",
                "http://127.0.0.1:0/callback",
                "--scope",
                "openid api",
                "--param",
                "login_hint=someone",
            ],
            "",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let linked = deck.link("work").await;
    let said = text(&linked.stderr);
    assert!(linked.status.success(), "{said}");
    assert!(refresh_token(&deck, "work").await.is_none());
    assert!(
        said.contains("tokendeck: warning: no refresh token was issued, so \"work\" will need linking again when its access token expires in 59m"),
        "{said}"
    );
    let command = said
        .split('`')
        .find(|part| part.starts_with("tokendeck set work"))
        .unwrap_or_else(|| panic!("no command in: {said}"));
    assert_eq!(
        command,
        "tokendeck set work --add-scope offline_access --param login_hint=someone --param prompt=consent"
    );
    let status = deck.ok(&["status", "work"]).await;
    assert!(
        status
            .lines()
            .next()
            .unwrap()
            .ends_with(", no refresh token"),
        "{status}"
    );

    let args: Vec<&str> = command.split(' ').skip(1).collect();
    deck.ok(&args).await;
    let linked = deck.link("work").await;
    let said = text(&linked.stderr);
    assert!(linked.status.success(), "{said}");
    assert!(!said.contains("no refresh token"), "{said}");
    assert!(refresh_token(&deck, "work").await.is_some());
    let status = json(&deck.ok(&["status", "work", "--json"]).await);
    assert_eq!(status["has_refresh_token"], true);
}

#[tokio::test]
async fn call_without_a_url_asks_the_accounts_api_url() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let body = json(&deck.ok(&["call", "work"]).await);
    assert_eq!(body["sub"], "test-user");
    assert_eq!(server.count("api 200").await, 1);

    deck.ok(&["set", "work", "--api-url", ""]).await;
    let out = deck.run(&["call", "work"], "").await;
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("\"work\" has no API URL")
            && said.contains("`tokendeck set work --api-url URL`"),
        "{said}"
    );
    assert_eq!(server.count("api 200").await, 1, "nothing was sent");
}

#[tokio::test]
async fn an_unknown_name_suggests_the_near_ones_and_the_list_has_a_header() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    for name in ["acct", "acct2", "personal"] {
        deck.add(&server, name).await;
    }
    let out = deck.run(&["token", "acc"], "").await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no account is named \"acc\"; did you mean \"acct\"?"),
        "{}",
        text(&out.stderr)
    );
    let out = deck.run(&["show", "acct3"], "").await;
    assert!(
        text(&out.stderr).contains("did you mean \"acct\" or \"acct2\"?"),
        "{}",
        text(&out.stderr)
    );
    let out = deck.run(&["status", "zzzzzz"], "").await;
    assert_eq!(out.status.code(), Some(3));
    let said = text(&out.stderr);
    assert!(
        !said.contains("did you mean") && said.contains("`tokendeck list` shows the accounts"),
        "{said}"
    );
    let list = deck.ok(&["list"]).await;
    let header: Vec<&str> = list.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "PROVIDER", "STATUS", "TIME", "LEFT", "IDENTITY"],
        "{list}"
    );
    assert_eq!(list.lines().count(), 4, "{list}");
}

#[tokio::test]
async fn a_google_preset_added_without_a_client_secret_is_warned_of_with_the_command_that_gives_it()
{
    let deck = Deck::new();
    let warning = "tokendeck: warning: Google asks for the client secret even of a desktop app, and \"mail\" has none, so linking it would fail: give the secret of that client with `tokendeck set mail --client-secret-stdin`";
    let out = deck
        .run(
            &["add", "mail", "--preset", "gmail", "--client-id", "x"],
            "",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(warning), "{}", text(&out.stderr));
    // The command it names takes the secret; an account added with one, or from a preset whose
    // provider does not ask, is not warned of.
    let set = deck
        .run(&["set", "mail", "--client-secret-stdin"], "a-secret\n")
        .await;
    assert!(set.status.success(), "{}", text(&set.stderr));
    let with_secret = deck
        .run(
            &[
                "add",
                "g2",
                "--preset",
                "google",
                "--client-id",
                "x",
                "--client-secret-stdin",
            ],
            "a-secret\n",
        )
        .await;
    assert!(
        with_secret.status.success(),
        "{}",
        text(&with_secret.stderr)
    );
    assert!(!text(&with_secret.stderr).contains("client secret"));
    let github = deck
        .run(&["add", "gh", "--preset", "github", "--client-id", "x"], "")
        .await;
    assert!(github.status.success(), "{}", text(&github.stderr));
    assert!(!text(&github.stderr).contains("client secret"));
}
